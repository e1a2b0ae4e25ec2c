"""Actions on transitions: every transition of the portfolio (its solutions and their brokers) that asks
municipalities or local IdP operators to act is one action per municipality; a moved act-by day moves a default
due day (a day set by hand earlier stays); a stricter level reopens ``done`` with the reason; a cancelled
transition closes its action as ``not_relevant`` with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.municipalities import idp, municipality, solution, use, user_with_token
from tracker.actions import services, sync
from tracker.clock import clock_set_to
from tracker.models import Action, Transition
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution
from tracker.registry.transition_writes import create_transition, update_transition

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    """7 December 2026."""
    with clock_set_to(lambda: NOW):
        yield


def _transition(session: Session, slug: str, **fields: Any) -> Transition:
    from tests.support.municipalities import seeded

    values: dict[str, Any] = {
        "kind": "protocol",
        "title": "OIOSAML 4 på test-broker",
        "earliest_on": date(2027, 9, 1),
        "latest_on": date(2027, 9, 1),
        "precision": "day",
        "state": "planned",
        "status": "expected",
        "who_must_act": ["local_idp_operators"],
        "what_to_do": "Opdatér den lokale IdP til OIOSAML 4",
        "act_by_on": date(2027, 6, 1),
        "category": "plan_for_change",
        **fields,
    }
    return create_transition(session, seeded(session, slug), values, actor=SYSTEM)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """København uses 'omsorg' behind the broker 'test-broker'; Aarhus uses neither."""
    kk_idp = idp(session, "101", "KK-IdP", "hoej", group="Administration")
    broker = solution(session, "test-broker", loa="betydelig", name="Test-broker")
    update_solution(session, broker, {"kind": "broker"}, actor=SYSTEM)
    omsorg = solution(session, "omsorg", loa="betydelig", name="Omsorg")
    update_solution(session, omsorg, {"brokers": ["test-broker"]}, actor=SYSTEM)
    use(session, "101", "omsorg", via=kk_idp)
    kk, _ = user_with_token(session, "it@kk.dk", "municipality", "101")
    session.flush()
    return {"kk": kk}


def _actions(session: Session, code: str) -> list[Action]:
    m = municipality(session, code)
    sync.sync_municipality(session, m)
    session.flush()
    return list(
        session.scalars(select(Action).where(Action.municipality_id == m.id, Action.subject_kind == "transition"))
    )


def test_a_broker_transition_that_asks_idp_operators_is_an_action_of_each_municipality_behind_it(
    session: Session, world: dict[str, Any]
) -> None:
    asked = _transition(session, "test-broker")
    _transition(session, "test-broker", title="Leverandøren skifter certifikat", who_must_act=["vendor"])
    [action] = _actions(session, "101")
    assert action.transition_id == asked.id and action.due_on == date(2027, 6, 1) and action.status == "new"
    assert _actions(session, "751") == []


def test_act_by_moves_a_default_due_day_and_a_hand_set_earlier_day_stays(
    session: Session, world: dict[str, Any]
) -> None:
    t = _transition(session, "test-broker")
    [action] = _actions(session, "101")
    update_transition(session, t, {"act_by_on": date(2027, 5, 1)}, actor=SYSTEM)
    session.flush()
    session.refresh(action)
    assert action.due_on == date(2027, 5, 1) and action.due_is_default
    services.update_action(session, action, {"due_on": date(2027, 4, 1)}, user=world["kk"])
    update_transition(session, t, {"act_by_on": date(2027, 5, 15)}, actor=SYSTEM)
    session.flush()
    session.refresh(action)
    assert action.due_on == date(2027, 4, 1) and not action.due_is_default
    assert action.act_by_on == date(2027, 5, 15)


def test_a_stricter_level_reopens_done_with_the_reason(session: Session, world: dict[str, Any]) -> None:
    t = _transition(
        session,
        "test-broker",
        kind="loa",
        title="Test-broker kræver Betydelig",
        required_loa="betydelig",
        loa_status="expected",
        who_must_act=["municipalities"],
    )
    [action] = _actions(session, "101")
    services.update_action(session, action, {"status": "done"}, user=world["kk"])
    update_transition(session, t, {"required_loa": "hoej"}, actor=SYSTEM, reason="Ny risikovurdering")
    session.flush()
    session.refresh(action)
    assert action.status == "new"
    assert action.reopened_reason == "Kravet er skærpet fra Betydelig til Høj."


def test_a_cancelled_transition_closes_its_action_as_not_relevant_with_the_reason(
    session: Session, world: dict[str, Any]
) -> None:
    t = _transition(session, "test-broker")
    [action] = _actions(session, "101")
    services.update_action(session, action, {"status": "in_progress"}, user=world["kk"])
    update_transition(session, t, {"state": "cancelled"}, actor=SYSTEM, reason="Udbyderen har opgivet skiftet")
    session.flush()
    session.refresh(action)
    assert action.status == "not_relevant"
    assert action.status_reason == "Skiftet 'OIOSAML 4 på test-broker' er aflyst."
