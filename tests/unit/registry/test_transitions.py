"""Transitions in the registry: the NSIS login mirror, the rules (422, nothing stored), events, lead times."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tracker.clock import utcnow
from tracker.errors import PreconditionFailed, ValidationError
from tracker.models import ChangeEvent, Proposal, Solution, Transition
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution, update_solution
from tracker.registry.transition_writes import create_transition, set_lead_time, update_transition
from tracker.registry.transitions import (
    TransitionFilter,
    list_transitions,
    next_transitions,
    transition_history,
    transitions_for,
)
from tracker.review.changes import to_json
from tracker.review.services import accept_proposal


def _solution(session: Session, slug: str) -> Solution:
    return session.scalars(select(Solution).where(Solution.slug == slug)).one()


def _count(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(Transition)) or 0,
        session.scalar(select(func.count()).select_from(ChangeEvent)) or 0,
    )


def test_a_new_solution_with_a_level_gets_its_nsis_login_transition_mirroring_it(session: Session) -> None:
    solution = create_solution(session, actor=SYSTEM, slug="mirror-x", name="Mirror X")
    assert transitions_for(session, [solution.id]) == {solution.id: []}  # no fact: no transition
    update_solution(
        session,
        solution,
        {"loa_value": "hoej", "switch_earliest_on": date(2027, 5, 1), "switch_precision": "month"},
        actor=SYSTEM,
    )
    (mirror,) = transitions_for(session, [solution.id])[solution.id]
    assert (mirror.nsis_login, mirror.kind, mirror.required_loa) == (True, "loa", "hoej")
    assert (mirror.earliest_on, mirror.precision) == (date(2027, 5, 1), "month")
    assert mirror.act_by_on == date(2027, 1, 31) and mirror.act_by_derived  # 90 days' lead for loa
    update_solution(session, solution, {"switch_earliest_on": date(2027, 6, 1)}, actor=SYSTEM)
    assert mirror.earliest_on == date(2027, 6, 1) and mirror.version == 2


def test_every_seeded_nsis_fact_has_its_mirror(session: Session) -> None:
    solutions = session.scalars(select(Solution)).all()
    mirrors = {t.solution_id: t for t in session.scalars(select(Transition).where(Transition.nsis_login.is_(True)))}
    for s in solutions:
        if s.id in mirrors:
            m = mirrors[s.id]
            assert (m.earliest_on, m.latest_on, m.state, m.required_loa) == (
                s.switch_earliest_on,
                s.switch_latest_on,
                s.switch_state,
                s.loa_value,
            )
    fmk = _solution(session, "fmk")
    assert mirrors[fmk.id].kind == "loa" and mirrors[fmk.id].required_loa == "betydelig"


def _base(**extra: Any) -> dict[str, Any]:
    return {"kind": "protocol", "title": "OIOSAML 4", **extra}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (_base(earliest_on=date(2027, 1, 1), latest_on=date(2027, 3, 1), act_by_on=date(2027, 4, 1)), "act_by"),
        ({"kind": "loa", "title": "Krav"}, "required_loa"),
        ({"kind": "loa", "title": "Krav", "required_loa": "ukendt"}, "required_loa"),
        (_base(earliest_on=date(1899, 12, 31)), "earliest_on"),
        (_base(latest_on=date(2101, 1, 1)), "latest_on"),
        ({"kind": "teleport", "title": "x"}, "kind"),
        (_base(title="  "), "title"),
        (_base(who_must_act=["everyone"]), "who_must_act"),
        (_base(earliest_on=date(2027, 3, 1), latest_on=date(2027, 1, 1)), "latest_on"),
    ],
)
def test_bad_transitions_are_refused_and_nothing_is_stored(
    session: Session, fields: dict[str, Any], field: str
) -> None:
    aula = _solution(session, "aula")
    before = _count(session)
    with pytest.raises(ValidationError) as caught:
        create_transition(session, aula, fields, actor=SYSTEM)
    assert field in caught.value.details
    assert _count(session) == before


def test_a_replacement_cycle_is_refused(session: Session) -> None:
    a, b, c = (_solution(session, s) for s in ("skoleintra", "aula", "meebook"))
    create_transition(
        session, a, {"kind": "decommission", "title": "Lukker", "replaced_by_solution_id": b.id}, actor=SYSTEM
    )
    create_transition(
        session, b, {"kind": "decommission", "title": "Lukker", "replaced_by_solution_id": c.id}, actor=SYSTEM
    )
    before = _count(session)
    with pytest.raises(ValidationError) as caught:
        create_transition(
            session, c, {"kind": "decommission", "title": "Lukker", "replaced_by_solution_id": a.id}, actor=SYSTEM
        )
    assert "replaced_by" in caught.value.details
    with pytest.raises(ValidationError):
        create_transition(
            session, c, {"kind": "decommission", "title": "Selv", "replaced_by_solution_id": c.id}, actor=SYSTEM
        )
    assert _count(session) == before


def test_changes_append_typed_events_and_raise_the_version(session: Session) -> None:
    aula = _solution(session, "aula")
    t = create_transition(session, aula, _base(category="plan_for_change", major=True), actor=SYSTEM)
    assert t.act_by_on is None and not t.act_by_derived
    events = update_transition(session, t, {"earliest_on": date(2027, 7, 1)}, actor=SYSTEM, accepted_versions={1})
    assert [e.type for e in events] == ["transition.date_changed"]
    assert t.act_by_on == date(2027, 1, 2) and t.act_by_derived  # 180 days' lead for protocol
    assert events[0].data["transition"]["id"] == t.id and events[0].data["transition"]["major"] is True
    with pytest.raises(PreconditionFailed):
        update_transition(session, t, {"title": "x"}, actor=SYSTEM, accepted_versions={1})
    assert [e.type for e in update_transition(session, t, {"what_to_do": "Test"}, actor=SYSTEM)] == [
        "transition.updated"
    ]
    assert [e.type for e in update_transition(session, t, {"state": "cancelled"}, actor=SYSTEM)] == [
        "transition.cancelled"
    ]
    assert t.version == 4
    assert [e.type for e in transition_history(session, t)] == [
        "transition.cancelled",
        "transition.updated",
        "transition.date_changed",
        "transition.created",
    ]


def test_a_stated_act_by_day_stays_and_a_lead_time_change_moves_derived_ones(session: Session) -> None:
    aula = _solution(session, "aula")
    stated = create_transition(
        session, aula, _base(earliest_on=date(2027, 7, 1), act_by_on=date(2027, 6, 1)), actor=SYSTEM
    )
    derived = create_transition(session, aula, _base(title="B", earliest_on=date(2027, 7, 1)), actor=SYSTEM)
    assert not stated.act_by_derived and derived.act_by_derived
    set_lead_time(session, "protocol", 30, actor=SYSTEM)
    session.refresh(stated)
    session.refresh(derived)
    assert stated.act_by_on == date(2027, 6, 1)
    assert derived.act_by_on == date(2027, 6, 1) and derived.version == 2


def test_a_date_change_on_the_nsis_transition_changes_the_solution(session: Session) -> None:
    fmk = _solution(session, "fmk")
    mirror = session.scalars(
        select(Transition).where(Transition.solution_id == fmk.id, Transition.nsis_login.is_(True))
    ).one()
    events = update_transition(session, mirror, {"earliest_on": date(2027, 9, 1), "major": False}, actor=SYSTEM)
    assert fmk.switch_earliest_on == date(2027, 9, 1) and mirror.earliest_on == date(2027, 9, 1)
    assert [e.type for e in events] == ["solution.switch_date.changed", "transition.updated"]
    history = [e.type for e in transition_history(session, mirror)]
    assert history[:2] == ["transition.updated", "solution.switch_date.changed"]
    other = create_transition(session, fmk, _base(), actor=SYSTEM)
    assert [e.type for e in transition_history(session, other)] == ["transition.created"]
    with pytest.raises(ValidationError):
        update_transition(session, mirror, {"kind": "protocol"}, actor=SYSTEM)


def test_lists_filter_and_next_transition(session: Session) -> None:
    aula = _solution(session, "aula")
    past = create_transition(
        session, aula, _base(title="Gammel", earliest_on=date(2020, 1, 1), state="switched"), actor=SYSTEM
    )
    ahead = create_transition(session, aula, _base(title="Ny", earliest_on=date(2027, 2, 1)), actor=SYSTEM)
    assert next_transitions(session, [aula.id], date(2026, 12, 7))[aula.id].id == ahead.id
    items, total = list_transitions(
        session, TransitionFilter(kind="protocol", solution="aula", after=date(2026, 1, 1)), limit=10, offset=0
    )
    assert [t.id for t in items] == [ahead.id] and total == 1
    items, _ = list_transitions(session, TransitionFilter(q="gammel"), limit=10, offset=0)
    assert [t.id for t in items] == [past.id]


def test_an_accepted_finding_of_another_kind_becomes_a_transition_not_the_switch_date(session: Session) -> None:
    aula = _solution(session, "aula")
    before = (aula.switch_earliest_on, aula.version)
    changes = {
        "switch_earliest_on": date(2027, 3, 1),
        "switch_latest_on": date(2027, 3, 1),
        "switch_precision": "day",
        "switch_text": "1. marts 2027",
        "switch_state": "planned",
        "switch_status": "reported",
        "switch_source_kind": "scraper",
        "switch_source_url": "https://example.org/oces",
        "switch_evidence": "Skift til nye OCES3-certifikater 1. marts 2027",
    }
    proposal = Proposal(
        solution_id=aula.id,
        origin="scraper",
        proposer_label="Skraber",
        changes=to_json(changes),
        transition_kind="certificate",
        base_version=aula.version,
        state="pending",
        created_at=utcnow(),
    )
    session.add(proposal)
    session.flush()
    events = accept_proposal(session, proposal, reviewer=make_user(session, "k-acc@kl.example.dk", "coordinator"))
    assert [e.type for e in events] == ["transition.created"] and proposal.event_id == events[0].id
    assert (aula.switch_earliest_on, aula.version) == before, "the NSIS switch date is untouched"
    (made,) = [t for t in transitions_for(session, [aula.id])[aula.id] if t.kind == "certificate"]
    assert (made.earliest_on, made.status, made.source_url) == (
        date(2027, 3, 1),
        "reported",
        "https://example.org/oces",
    )
