"""The outbox writes one delivery per matching subscription, in the change's own transaction; a municipality's
readiness events go only to its own users' and coordinators' subscriptions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.broadcast import solution_by_slug, subscribe
from tracker.models import Delivery, Municipality, PortfolioEntry
from tracker.registry.actors import SYSTEM
from tracker.registry.events import append_event
from tracker.registry.services import update_solution


def _queued(session: Session, event_id: int) -> set[int]:
    return set(session.scalars(select(Delivery.subscription_id).where(Delivery.event_id == event_id)))


def test_readiness_events_reach_only_their_municipality_and_coordinators(session: Session) -> None:
    kbh = session.scalar(select(Municipality).where(Municipality.code == "101"))
    assert kbh is not None
    url = "https://1.1.1.1/hook"
    coordinator, _ = subscribe(session, make_user(session, "o1@kl.dk", "coordinator"), url)
    own, _ = subscribe(session, make_user(session, "o1@kk.dk", "municipality", municipality="101"), url)
    other, _ = subscribe(session, make_user(session, "o1@aarhus.dk", "municipality", municipality="751"), url)
    portfolio, _ = subscribe(
        session, make_user(session, "o2@kk.dk", "municipality", municipality="101"), url, municipality="101"
    )
    event = append_event(
        session,
        type="municipality.readiness.changed",
        actor=SYSTEM,
        municipality=kbh,
        solution=solution_by_slug(session, "aula"),
        changes={"readiness": {"before": {"status": "ok"}, "after": {"status": "at_risk"}}},
    )
    assert _queued(session, event.id) == {coordinator.id, own.id, portfolio.id}
    assert other.id not in _queued(session, event.id)


def test_portfolio_filter_follows_the_portfolio(session: Session) -> None:
    kbh = session.scalar(select(Municipality).where(Municipality.code == "101"))
    assert kbh is not None
    user = make_user(session, "o3@kk.dk", "municipality", municipality="101")
    sub, _ = subscribe(session, user, "https://1.1.1.1/hook", municipality="101")
    aula = solution_by_slug(session, "aula")
    [outside] = update_solution(session, aula, {"switch_earliest_on": date(2030, 1, 1)}, actor=SYSTEM)
    assert sub.id not in _queued(session, outside.id)
    session.add(PortfolioEntry(municipality_id=kbh.id, solution_id=aula.id))
    session.flush()
    [inside] = update_solution(session, aula, {"switch_earliest_on": date(2030, 2, 1)}, actor=SYSTEM)
    assert _queued(session, inside.id) == {sub.id}
    delivery = session.scalar(select(Delivery).where(Delivery.event_id == inside.id))
    assert delivery is not None and delivery.payload["data"]["event_id"] == inside.id
    assert delivery.message_id.startswith("msg_") and "." not in delivery.message_id


def test_inactive_subscriptions_get_nothing(session: Session) -> None:
    sub, _ = subscribe(session, make_user(session, "o4@kl.dk", "coordinator"), "https://1.1.1.1/hook")
    sub.active = False
    session.flush()
    [event] = update_solution(
        session, solution_by_slug(session, "fmk"), {"switch_earliest_on": date(2030, 3, 1)}, actor=SYSTEM
    )
    assert _queued(session, event.id) == set()
