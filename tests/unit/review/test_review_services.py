"""Proposals: who may propose what, provenance stamping, trusted vendors, staleness, accept and reject."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import Account, make_role_accounts
from tracker.errors import Conflict, Forbidden, ValidationError
from tracker.models import ChangeEvent, Organisation, Solution
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution
from tracker.review import queries
from tracker.review.editing import edit_solution
from tracker.review.services import StaleProposal, accept_proposal, create_proposal, reject_proposal


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    return make_role_accounts(session)


def _solution(session: Session, slug: str) -> Solution:
    return session.scalars(select(Solution).where(Solution.slug == slug)).one()


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ChangeEvent)) or 0


def test_vendor_proposes_for_own_solution_stamped_as_reported_by_vendor(
    session: Session, accounts: dict[str, Account]
) -> None:
    nexus = _solution(session, "kmd-nexus")
    proposal = create_proposal(
        session,
        proposer=accounts["vendor_owner"].user,
        solution=nexus,
        changes={"loa_value": "betydelig", "loa_status": "confirmed"},  # a vendor cannot claim 'confirmed'
        evidence="Release notes 2024.3",
        source_url="https://kmd.example/notes",
    )
    assert proposal.state == "pending" and proposal.origin == "vendor"
    assert proposal.changes == {
        "loa_value": "betydelig",
        "loa_status": "reported",
        "loa_source_kind": "vendor",
        "loa_evidence": "Release notes 2024.3",
        "loa_source_url": "https://kmd.example/notes",
    }
    assert proposal.base_version == nexus.version
    assert nexus.loa_value == "ukendt"  # nothing reaches the registry before review


@pytest.mark.parametrize(
    ("role", "slug"), [("vendor_other", "kmd-nexus"), ("vendor_owner", "aula"), ("vendor_owner", "fmk")]
)
def test_vendor_cannot_propose_for_another_vendors_or_unowned_solution(
    session: Session, accounts: dict[str, Account], role: str, slug: str
) -> None:
    with pytest.raises(Forbidden):
        create_proposal(
            session,
            proposer=accounts[role].user,
            solution=_solution(session, slug),
            changes={"loa_value": "hoej"},
            evidence="x",
        )


def test_municipality_correction_needs_evidence(session: Session, accounts: dict[str, Account]) -> None:
    aula = _solution(session, "aula")
    user = accounts["municipality"].user
    with pytest.raises(ValidationError) as caught:
        create_proposal(session, proposer=user, solution=aula, changes={"loa_value": "betydelig"})
    assert "belæg" in caught.value.message
    proposal = create_proposal(
        session,
        proposer=user,
        solution=aula,
        changes={"loa_value": "betydelig"},
        evidence="Vi så Aula kræve Betydelig ved login den 3. marts 2025",
    )
    assert proposal.origin == "municipality" and proposal.changes["loa_source_kind"] == "municipality"


def test_proposals_carry_only_the_tracked_facts_and_must_change_something(
    session: Session, accounts: dict[str, Account]
) -> None:
    nexus = _solution(session, "kmd-nexus")
    vendor = accounts["vendor_owner"].user
    with pytest.raises(ValidationError) as caught:
        create_proposal(session, proposer=vendor, solution=nexus, changes={"vendor_id": None, "name": "X"})
    assert set(caught.value.details) == {"vendor_id", "name"}
    with pytest.raises(ValidationError):
        create_proposal(session, proposer=accounts["coordinator"].user, solution=nexus, changes={"loa_value": "ukendt"})
    with pytest.raises(ValidationError):
        create_proposal(session, proposer=vendor, solution=nexus, changes={"loa_value": "super"})


def test_accept_records_an_event_with_proposer_reviewer_source_and_reason(
    session: Session, accounts: dict[str, Account]
) -> None:
    nexus = _solution(session, "kmd-nexus")
    proposal = create_proposal(
        session,
        proposer=accounts["vendor_owner"].user,
        solution=nexus,
        changes={
            "switch_earliest_on": date(2024, 4, 1),
            "switch_latest_on": date(2024, 6, 30),
            "switch_precision": "quarter",
            "switch_text": "Q2 2024",
        },
        evidence="Roadmap",
        source_url="https://kmd.example/roadmap",
    )
    coordinator = accounts["coordinator"].user
    events = accept_proposal(session, proposal, reviewer=coordinator, note="Set i KMD's roadmap")
    assert [e.type for e in events] == ["solution.switch_date.changed"]
    event = events[0]
    assert event.actor_id == coordinator.id
    assert event.actor_label == f"KMD (leverandør) (forslag #{proposal.id}, godkendt af KL-koordinator)"
    assert event.source_kind == "vendor" and event.source_url == "https://kmd.example/roadmap"
    assert f"Forslag #{proposal.id}" in (event.reason or "") and "roadmap" in (event.reason or "")
    assert proposal.state == "accepted" and proposal.event_id == event.id
    assert nexus.switch_earliest_on == date(2024, 4, 1) and nexus.switch_status == "reported"
    with pytest.raises(Conflict):
        accept_proposal(session, proposal, reviewer=coordinator)


def test_only_coordinators_review(session: Session, accounts: dict[str, Account]) -> None:
    proposal = create_proposal(
        session,
        proposer=accounts["vendor_owner"].user,
        solution=_solution(session, "kmd-nexus"),
        changes={"loa_value": "hoej"},
    )
    for role in ("vendor_owner", "vendor_other", "municipality"):
        with pytest.raises(Forbidden):
            accept_proposal(session, proposal, reviewer=accounts[role].user)
        with pytest.raises(Forbidden):
            reject_proposal(session, proposal, reviewer=accounts[role].user, reason="nej")
    assert proposal.state == "pending"


def test_reject_needs_a_reason_the_proposer_sees(session: Session, accounts: dict[str, Account]) -> None:
    proposal = create_proposal(
        session,
        proposer=accounts["vendor_owner"].user,
        solution=_solution(session, "kmd-nexus"),
        changes={"loa_value": "hoej"},
    )
    before = _events(session)
    with pytest.raises(ValidationError):
        reject_proposal(session, proposal, reviewer=accounts["coordinator"].user, reason="   ")
    reject_proposal(session, proposal, reviewer=accounts["coordinator"].user, reason="Ingen kilde.")
    assert proposal.state == "rejected" and proposal.review_reason == "Ingen kilde."
    assert _events(session) == before
    assert queries.reviewer_label(session, proposal) == "KL-koordinator"


def test_a_later_change_makes_a_proposal_stale_until_reconfirmed(
    session: Session, accounts: dict[str, Account]
) -> None:
    nexus = _solution(session, "kmd-nexus")
    proposal = create_proposal(
        session, proposer=accounts["vendor_owner"].user, solution=nexus, changes={"loa_value": "hoej"}
    )
    edit_solution(
        session,
        editor=accounts["coordinator"].user,
        slug="kmd-nexus",
        changes={"description": "Omsorgssystem"},
        reason="beskrivelse",
        accepted_versions=None,
    )
    session.refresh(proposal)
    assert proposal.state == "stale" and queries.effective_state(proposal) == "stale"
    with pytest.raises(StaleProposal) as caught:
        accept_proposal(session, proposal, reviewer=accounts["coordinator"].user)
    assert caught.value.status == 409 and caught.value.code == "stale_proposal"
    events = accept_proposal(session, proposal, reviewer=accounts["coordinator"].user, confirm_stale=True)
    assert events and proposal.state == "accepted" and nexus.loa_value == "hoej"


def test_a_change_outside_the_review_services_is_still_seen_as_stale(
    session: Session, accounts: dict[str, Account]
) -> None:
    nexus = _solution(session, "kmd-nexus")
    proposal = create_proposal(
        session, proposer=accounts["vendor_owner"].user, solution=nexus, changes={"loa_value": "hoej"}
    )
    update_solution(session, nexus, {"broker": "NemLog-in"}, actor=SYSTEM)
    assert proposal.state == "pending" and queries.effective_state(proposal) == "stale"
    rows, total = queries.list_proposals(session, queries.ProposalFilter(state="stale"))
    assert total == 1 and rows[0].id == proposal.id
    assert queries.list_proposals(session, queries.ProposalFilter(state="pending"))[1] == 0


def test_trusted_vendor_is_accepted_at_once_as_reported_by_vendor(
    session: Session, accounts: dict[str, Account]
) -> None:
    kmd = session.scalars(select(Organisation).where(Organisation.slug == "kmd")).one()
    kmd.trusted = True
    nexus = _solution(session, "kmd-nexus")
    vendor = accounts["vendor_owner"].user
    proposal = create_proposal(
        session, proposer=vendor, solution=nexus, changes={"loa_value": "betydelig"}, evidence="Driftsinfo"
    )
    assert proposal.state == "accepted" and proposal.reviewed_by_id is None
    assert nexus.loa_value == "betydelig" and nexus.loa_status == "reported" and nexus.loa_source_kind == "vendor"
    event = session.get(ChangeEvent, proposal.event_id)
    assert event is not None and event.actor_id == vendor.id and event.source_kind == "vendor"


def test_diff_shows_current_beside_proposed(session: Session, accounts: dict[str, Account]) -> None:
    proposal = create_proposal(
        session,
        proposer=accounts["municipality"].user,
        solution=_solution(session, "aula"),
        changes={"loa_value": "betydelig"},
        evidence="Set ved login",
    )
    diff = {d.field: d for d in queries.diff(proposal)}
    assert diff["loa_value"].current == "ukendt" and diff["loa_value"].proposed == "betydelig"
    assert diff["loa_value"].changes
