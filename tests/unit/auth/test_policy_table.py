"""The policy table, cell by cell: every action × role × ownership (own object, someone else's) × state.

The expectations below are written out again by hand, independently of ``tracker.auth.policies``: a changed
cell there (a role added to an action, an ownership widened, a state rule dropped) fails here. A new action
without a row here fails too.
"""

from __future__ import annotations

from typing import Any

import pytest

from tracker.auth.permissions import may, require
from tracker.auth.policies import POLICIES, MailTopic
from tracker.errors import Conflict, Forbidden, Unauthorized
from tracker.models import Inquiry, Organisation, Proposal, Solution, Subscription, User

ROLES = ("anonymous", "municipality", "vendor", "coordinator", "admin")
ALL, OWN, NONE = "all", "own", "none"
SCOPE_ALL = "scope_all"  # only a reader who chose scope 'all' (test_mail_scope_all); the cells use 'portfolio'


def _row(
    anonymous: str = NONE, municipality: str = NONE, vendor: str = NONE, coordinator: str = NONE, admin: str = NONE
) -> dict[str, str]:
    return {
        "anonymous": anonymous,
        "municipality": municipality,
        "vendor": vendor,
        "coordinator": coordinator,
        "admin": admin,
    }


MAINTAINERS = _row(coordinator=ALL, admin=ALL)
ADMINS = _row(admin=ALL)
EVERYONE = _row(ALL, ALL, ALL, ALL, ALL)
LOGGED_IN = _row(NONE, ALL, ALL, ALL, ALL)

# action: (object kind, who may: all objects / own objects only / none, state kind or None)
EXPECTED: dict[str, tuple[str, dict[str, str], str | None]] = {
    "public": ("solution", EVERYONE, None),
    "municipality.feed": ("municipality", EVERYONE, None),
    "session.end": ("solution", EVERYONE, None),
    "operations.metrics": ("solution", EVERYONE, None),
    "account": ("solution", LOGGED_IN, None),
    "solution.create": ("solution", MAINTAINERS, None),
    "solution.edit": ("solution", MAINTAINERS, None),
    "solution.impact": ("solution", MAINTAINERS, None),
    "solution.propose": ("solution", _row(municipality=ALL, vendor=OWN, coordinator=ALL, admin=ALL), None),
    "solution.propose_form": ("solution", _row(municipality=ALL, vendor=OWN), None),
    "transition.propose": ("solution", _row(municipality=ALL, vendor=OWN, coordinator=ALL, admin=ALL), None),
    "solution.report": ("solution", _row(vendor=OWN, coordinator=ALL, admin=ALL), None),
    "solution.see_users": ("solution", MAINTAINERS, None),
    "fact.decide": ("authority", _row(vendor=OWN, coordinator=ALL, admin=ALL), None),
    "proposal.without_evidence": ("solution", _row(vendor=ALL, coordinator=ALL, admin=ALL), None),
    "proposal.accepted_at_once": ("organisation", _row(vendor=ALL), "trusted"),
    "proposal.review": ("proposal", MAINTAINERS, "proposal"),
    "proposal.queue": ("proposal", MAINTAINERS, None),
    "proposal.read": ("proposal", _row(municipality=OWN, vendor=OWN, coordinator=ALL, admin=ALL), None),
    "source.manage": ("solution", MAINTAINERS, None),
    "organisation.manage": ("solution", MAINTAINERS, None),
    "actor.identify": ("solution", MAINTAINERS, None),
    "inquiry.ask": ("solution", _row(municipality=ALL, coordinator=ALL, admin=ALL), None),
    "inquiry.join": ("inquiry", _row(municipality=ALL), "inquiry"),
    "inquiry.answer": ("inquiry", _row(vendor=OWN, coordinator=ALL, admin=ALL), "inquiry"),
    "inquiry.mark_asked": ("inquiry", MAINTAINERS, "inquiry"),
    "inquiry.close": ("inquiry", MAINTAINERS, "inquiry_not_closed"),
    "mail.inquiry_created": ("solution", _row(vendor=OWN), None),
    "inquiry.triage": ("inquiry", MAINTAINERS, None),
    "risk_assessment.record": ("solution", MAINTAINERS, None),
    "municipality.private": ("municipality", _row(municipality=OWN, coordinator=ALL, admin=ALL), None),
    "municipality.feed_tokens": ("municipality", _row(municipality=OWN, coordinator=ALL, admin=ALL), None),
    "national.read": ("municipality", MAINTAINERS, None),
    "municipality.action_owner": ("municipality", _row(municipality=OWN), None),
    "municipality.actions": ("municipality", _row(municipality=OWN), None),
    "subscription.manage": ("subscription", _row(municipality=ALL, coordinator=ALL, admin=ALL), None),
    "subscription.filter_municipality": (
        "municipality",
        _row(municipality=OWN, coordinator=ALL, admin=ALL),
        None,
    ),
    "user.manage": ("solution", ADMINS, None),
    "sso.manage": ("solution", ADMINS, None),
    "mail.admin": ("solution", ADMINS, None),
    "account.second_factor": ("solution", MAINTAINERS, None),
    "mail.work_alerts": ("solution", MAINTAINERS, None),
    "mail.work_alert": ("solution", MAINTAINERS, None),
    # scope 'portfolio' below; 'all' in test_mail_scope_all
    "mail.solution_change": ("topic", _row(municipality=OWN, vendor=OWN, coordinator=ALL, admin=ALL), None),
    "mail.readiness_change": ("topic", _row(municipality=OWN, coordinator=SCOPE_ALL, admin=SCOPE_ALL), None),
    "mail.decision_notice": ("proposal", _row(NONE, OWN, OWN, OWN, OWN), "decision"),
}

# Objects in a state that allows the action, and in states that do not (→ 409).
STATES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "inquiry": (("open", "asked"), ("answered", "closed")),
    "inquiry_not_closed": (("open", "asked", "answered"), ("closed",)),
    "proposal": (("pending", "stale"), ("accepted", "rejected")),
    "decision": (("by_other",), ("by_self",)),
    "trusted": (("trusted",), ("untrusted",)),
}

MUNICIPALITY_ID, OTHER_MUNICIPALITY_ID, ORG_ID, OTHER_ORG_ID = 11, 12, 21, 22


def user_for(role: str) -> User | None:
    """One user of each role; the vendor's organisation is ORG_ID, the municipality's MUNICIPALITY_ID."""
    if role == "anonymous":
        return None
    return User(
        id=ROLES.index(role),
        role=role,
        email=f"{role}@example.org",
        organisation_id=ORG_ID if role == "vendor" else None,
        municipality_id=MUNICIPALITY_ID if role == "municipality" else None,
    )


def _solution(vendor: int | None, provider: int | None) -> Solution:
    return Solution(id=5, slug="s", name="S", vendor_id=vendor, service_provider_id=provider)


def objects(kind: str, own: bool, user_id: int, state: str | None) -> list[Any]:
    """The objects of ``kind`` that are the user's own (every way of owning it), or someone else's."""
    if kind == "authority":  # provides the solution without building it
        if own:
            return [_solution(OTHER_ORG_ID, ORG_ID)]
        return [_solution(ORG_ID, ORG_ID), _solution(ORG_ID, None), _solution(OTHER_ORG_ID, OTHER_ORG_ID)]
    if kind == "organisation":
        return [Organisation(id=ORG_ID if own else OTHER_ORG_ID, trusted=state == "trusted")]
    if kind in ("solution", "inquiry"):
        solutions = [_solution(ORG_ID, None), _solution(None, ORG_ID)] if own else [_solution(OTHER_ORG_ID, None)]
        if kind == "solution":
            return solutions
        return [Inquiry(id=7, solution=s, state=state or "open") for s in solutions]
    if kind == "municipality":
        return [MUNICIPALITY_ID if own else OTHER_MUNICIPALITY_ID]
    if kind == "topic":
        if own:
            mine = frozenset({MUNICIPALITY_ID}), frozenset({ORG_ID})
            return [MailTopic(scope="portfolio", municipality_id=MUNICIPALITY_ID, users=mine[0], organisations=mine[1])]
        theirs = frozenset({OTHER_MUNICIPALITY_ID}), frozenset({OTHER_ORG_ID})
        return [MailTopic("portfolio", municipality_id=OTHER_MUNICIPALITY_ID, users=theirs[0], organisations=theirs[1])]
    if kind == "subscription":
        return [Subscription(id=3, owner_id=user_id if own else 999)]
    proposer = user_id if own else 999
    if state in ("by_other", "by_self"):
        reviewer = proposer if state == "by_self" else 998
        return [Proposal(id=9, proposer_id=proposer, state="accepted", reviewed_by_id=reviewer)]
    return [Proposal(id=9, proposer_id=proposer, state=state or "pending")]


def _cells() -> list[tuple[str, str, bool, str | None, bool]]:
    cells = []
    for action, (_kind, who, state_kind) in EXPECTED.items():
        states: list[tuple[str | None, bool]] = [(None, True)]
        if state_kind is not None:
            good, bad = STATES[state_kind]
            states = [(s, True) for s in good] + [(s, False) for s in bad]
        for role in ROLES:
            for own in (True, False):
                for state, state_ok in states:
                    allowed = who[role] == ALL or (who[role] == OWN and own)
                    cells.append((action, role, own, state, allowed and state_ok))
    return cells


def test_every_action_has_a_row_here() -> None:
    """An action added to the table without expectations here fails, and so does one removed."""
    assert set(EXPECTED) == set(POLICIES)


@pytest.mark.parametrize(("action", "role", "own", "state", "expected"), _cells())
def test_cell(action: str, role: str, own: bool, state: str | None, expected: bool) -> None:
    """``may`` answers as the hand-written cell says, for every object the user owns (or not)."""
    kind = EXPECTED[action][0]
    user = user_for(role)
    for obj in objects(kind, own, ROLES.index(role), state):
        assert may(user, action, obj) is expected, (action, role, own, state, obj)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_role_part_without_object(action: str) -> None:
    """Without an object ``may`` answers for the role: yes where the role may act on all or its own objects."""
    who = EXPECTED[action][1]
    for role in ROLES:
        assert may(user_for(role), action) is (who[role] != NONE), (action, role)


def test_mail_scope_all() -> None:
    """Scope 'all': every change of a solution reaches every role; readiness reaches coordinators (N6) but never
    a vendor, and another municipality's readiness never reaches a municipality's user."""
    everything = MailTopic(scope="all", municipality_id=OTHER_MUNICIPALITY_ID)
    for role in ("municipality", "vendor", "coordinator", "admin"):
        assert may(user_for(role), "mail.solution_change", everything)
    assert may(user_for("coordinator"), "mail.readiness_change", everything)
    assert may(user_for("admin"), "mail.readiness_change", everything)
    assert not may(user_for("vendor"), "mail.readiness_change", everything)
    assert not may(user_for("municipality"), "mail.readiness_change", everything)


def test_require_raises_401_403_409() -> None:
    """``require``: anonymous 401; a role the action does not allow 403; another's object 403; a state 409."""
    vendor = user_for("vendor")
    theirs = Inquiry(id=7, solution=_solution(OTHER_ORG_ID, None), state="open")
    ours_answered = Inquiry(id=8, solution=_solution(ORG_ID, None), state="answered")
    with pytest.raises(Unauthorized):
        require(None, "inquiry.answer", theirs)
    with pytest.raises(Forbidden, match="Kun kommuner kan tilslutte"):
        require(vendor, "inquiry.join", theirs)
    with pytest.raises(Forbidden, match="Kun løsningens leverandør"):
        require(vendor, "inquiry.answer", theirs)
    with pytest.raises(Conflict, match="allerede besvaret"):
        require(vendor, "inquiry.answer", ours_answered)
    assert require(vendor, "inquiry.answer", ours_answered, check_state=False) is vendor
    municipality = user_for("municipality")

    class Named:
        id, name = OTHER_MUNICIPALITY_ID, "Gribskov"

    with pytest.raises(Forbidden, match="parathed for Gribskov"):
        require(municipality, "municipality.private", Named())


def test_a_missing_object_passes_only_an_any_ownership() -> None:
    """``may(user, action)`` answers for the role ("to some object"); a None object is a missing one: a
    municipality's user may not see 'the municipality None', a coordinator (any municipality) still may."""
    municipality, coordinator, vendor = user_for("municipality"), user_for("coordinator"), user_for("vendor")
    assert may(municipality, "municipality.private")
    assert not may(municipality, "municipality.private", None)
    assert may(coordinator, "municipality.private", None)
    assert not may(vendor, "inquiry.answer", None)
    with pytest.raises(Forbidden):
        require(municipality, "municipality.feed_tokens", None)
