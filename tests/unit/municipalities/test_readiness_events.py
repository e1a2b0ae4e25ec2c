"""``municipality.readiness.changed``: appended in the change's own transaction, only on a real change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.support.municipalities import (
    idp,
    last_event_id,
    municipality,
    readiness_events,
    seeded,
    use,
    user_with_token,
)
from tracker.clock import today_in_denmark
from tracker.models import Delivery, PortfolioEntry, Subscription
from tracker.municipalities import services
from tracker.municipalities.queries import list_portfolio
from tracker.registry.actors import SYSTEM, Actor
from tracker.registry.services import update_solution

FUTURE = today_in_denmark() + timedelta(days=200)


def _aula_at_betydelig(session: Session) -> None:
    """Fixture facts (not a real-world claim): Aula requires Betydelig from a day 200 days ahead."""
    aula = seeded(session, "aula")
    update_solution(
        session,
        aula,
        {
            "loa_value": "betydelig",
            "loa_status": "expected",
            "switch_earliest_on": FUTURE,
            "switch_latest_on": FUTURE,
            "switch_precision": "day",
            "switch_state": "planned",
        },
        actor=SYSTEM,
    )


def _country(session: Session) -> None:
    """Six municipalities; only København and Frederiksberg use Aula through an IdP at Betydelig."""
    idp(session, "101", "KK AD FS", "betydelig")  # København: Aula via Betydelig → affected
    use(session, "101", "aula")
    idp(session, "751", "Aarhus IdP", "hoej")  # Aarhus: Høj → not affected
    use(session, "751", "aula")
    idp(session, "461", "Odense IdP", "lav")  # Odense: Lav, already at risk at Betydelig → no change
    use(session, "461", "aula")
    idp(session, "147", "Administration", "hoej")  # Frederiksberg: Aula via the schools' IdP at Betydelig
    schools = idp(session, "147", "Skoler", "betydelig", primary=False, group="skoler")
    use(session, "147", "aula", via=schools)
    idp(session, "151", "Administration", "betydelig")  # Ballerup: Aula via the schools' IdP at Høj
    high_schools = idp(session, "151", "Skoler", "hoej", primary=False, group="skoler")
    use(session, "151", "aula", via=high_schools)
    idp(session, "153", "Brøndby IdP", "betydelig")  # Brøndby: Betydelig, but no Aula
    use(session, "153", "fmk")


def test_raising_aula_to_hoej_emits_only_for_municipalities_below_hoej(session: Session) -> None:
    _aula_at_betydelig(session)
    _country(session)
    mark = last_event_id(session)
    actor = Actor(label="Koordinator <k@kl.dk>")

    update_solution(session, seeded(session, "aula"), {"loa_value": "hoej"}, actor=actor, reason="KOMBIT besluttede")

    events = readiness_events(session, mark)
    assert sorted(e.data["municipality"]["code"] for e in events) == ["101", "147"]
    for e in events:
        assert e.solution_id == seeded(session, "aula").id
        assert e.municipality_id == municipality(session, e.data["municipality"]["code"]).id
        days = (FUTURE - today_in_denmark()).days
        assert e.changes == {
            "readiness": {
                "before": {"status": "ok", "days_left": None, "reason": None, "from": None},
                "after": {"status": "at_risk", "days_left": days, "reason": None, "from": FUTURE.isoformat()},
            }
        }
        assert e.actor_label == "Koordinator <k@kl.dk>" and e.reason == "KOMBIT besluttede"
        assert e.data["solution"]["slug"] == "aula"


def test_no_event_without_a_change_in_readiness(session: Session) -> None:
    _aula_at_betydelig(session)
    _country(session)
    mark = last_event_id(session)
    aula = seeded(session, "aula")
    update_solution(session, aula, {"description": "Skole-intra", "loa_status": "confirmed"}, actor=SYSTEM)
    update_solution(session, aula, {"switch_text": "ca. om et halvt år"}, actor=SYSTEM)
    assert readiness_events(session, mark) == []


def test_moving_the_date_tells_those_at_risk_the_new_day(session: Session) -> None:
    _aula_at_betydelig(session)
    _country(session)
    mark = last_event_id(session)
    later = FUTURE + timedelta(days=30)
    update_solution(
        session, seeded(session, "aula"), {"switch_earliest_on": later, "switch_latest_on": later}, actor=SYSTEM
    )
    [only] = readiness_events(session, mark)  # Odense (Lav) is the only one at risk at Betydelig
    assert only.data["municipality"]["code"] == "461"
    change = only.changes["readiness"]
    assert change["before"]["from"] == FUTURE.isoformat() and change["after"]["from"] == later.isoformat()
    assert change["after"]["days_left"] - change["before"]["days_left"] == 30


def test_idp_and_portfolio_changes_emit_for_that_municipality(session: Session) -> None:
    _aula_at_betydelig(session)
    copenhagen = municipality(session, "101")
    mark = last_event_id(session)
    kk = idp(session, "101", "KK AD FS", "betydelig")
    assert readiness_events(session, mark) == []  # nothing in the portfolio yet

    use(session, "101", "aula")
    [added] = readiness_events(session, mark)
    assert added.changes["readiness"]["before"] is None
    assert added.changes["readiness"]["after"]["status"] == "ok"

    mark = last_event_id(session)
    services.update_idp(session, kk, {"name": "KK NemLog-in IdP"}, actor=SYSTEM)  # a name is not readiness
    assert readiness_events(session, mark) == []
    services.update_idp(session, kk, {"notified_loa": "lav"}, actor=SYSTEM)
    [lowered] = readiness_events(session, mark)
    assert lowered.changes["readiness"]["after"]["status"] == "at_risk"
    assert lowered.municipality_id == copenhagen.id

    mark = last_event_id(session)
    entry = next(e for e in services_entries(session, "101") if e.solution.slug == "aula")
    services.remove_from_portfolio(session, entry, actor=SYSTEM)
    [removed] = readiness_events(session, mark)
    assert removed.changes["readiness"] == {
        "before": {
            "status": "at_risk",
            "days_left": (FUTURE - today_in_denmark()).days,
            "reason": None,
            "from": FUTURE.isoformat(),
        },
        "after": None,
    }


def services_entries(session: Session, code: str) -> list[PortfolioEntry]:
    return list_portfolio(session, municipality(session, code))


def test_deleting_the_named_idp_falls_back_to_the_primary(session: Session) -> None:
    _aula_at_betydelig(session)
    idp(session, "147", "Administration", "hoej")
    schools = idp(session, "147", "Skoler", "lav", primary=False)
    use(session, "147", "aula", via=schools)
    mark = last_event_id(session)
    services.delete_idp(session, schools, actor=SYSTEM)
    events = {e.data["idp"]["name"]: e for e in readiness_events(session, mark)}
    gone, back = events["Skoler"], events["Administration"]  # the schools' row goes, the primary IdP's comes
    assert gone.data["idp"]["name"] == "Skoler" and gone.changes["readiness"]["after"] is None
    assert gone.changes["readiness"]["before"]["status"] == "at_risk"
    assert back.data["idp"]["name"] == "Administration" and back.changes["readiness"]["before"] is None
    assert back.changes["readiness"]["after"]["status"] == "ok"
    [entry] = services_entries(session, "147")
    assert entry.idps == []


def test_choosing_a_new_primary_unsets_the_old_one(session: Session) -> None:
    first = idp(session, "101", "Første", "lav")
    second = idp(session, "101", "Anden", "hoej", primary=True)
    session.refresh(first)
    assert (first.is_primary, second.is_primary) == (False, True)


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _portfolio_and_idp_reads(statements: list[str]) -> tuple[int, int]:
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    return (
        sum("FROM portfolio_entry" in s for s in reads),
        sum("FROM idp " in s or "FROM idp\n" in s or s.rstrip().endswith("FROM idp") for s in reads),
    )


def _planned_change_reads(statements: list[str]) -> int:
    return sum("FROM idp_change" in s for s in statements if s.lstrip().upper().startswith("SELECT"))


def test_registry_hook_reads_portfolios_and_idps_once_however_many_use_it(session: Session) -> None:
    _aula_at_betydelig(session)
    _country(session)
    session.flush()
    with _statements(session) as seen:
        update_solution(session, seeded(session, "aula"), {"loa_value": "hoej"}, actor=SYSTEM)
    # After the change only: the entries and their IdP links (two statements), the IdPs — however many use it;
    # then the actions of every municipality it reaches follow, set-based: the municipalities using it (one), their
    # entries and IdP links (two), their IdPs (one).
    assert _portfolio_and_idp_reads(seen) == (2 + 3, 1 + 1)
    # The IdPs' planned changes: one load for the entries' IdPs, one for the others (and the same two for the
    # actions) — however many use it.
    assert _planned_change_reads(seen) <= 2 + 2
    with _statements(session) as seen:  # a change readiness does not depend on reads nothing at all
        update_solution(session, seeded(session, "aula"), {"description": "x"}, actor=SYSTEM)
    assert _portfolio_and_idp_reads(seen) == (0, 0)


def test_readiness_events_reach_the_municipalitys_webhooks_only(session: Session) -> None:
    _aula_at_betydelig(session)
    _country(session)
    owner, _ = user_with_token(session, "hooks@kk.dk", "municipality", "101")
    mine = Subscription(
        owner_id=owner.id,
        url="https://kk.example/hook",
        secret="whsec_x",
        event_types=[],
        solution_ids=[],
        municipality_id=municipality(session, "101").id,
    )
    aarhus = Subscription(
        owner_id=owner.id,
        url="https://aarhus.example/hook",
        secret="whsec_y",
        event_types=[],
        solution_ids=[],
        municipality_id=municipality(session, "751").id,
    )
    session.add_all([mine, aarhus])
    session.flush()
    mark = last_event_id(session)
    update_solution(session, seeded(session, "aula"), {"loa_value": "hoej"}, actor=SYSTEM)
    deliveries = session.scalars(select(Delivery).where(Delivery.event_id > mark)).all()
    readiness_to = {
        (d.subscription_id, d.payload["data"]["municipality"]["code"])
        for d in deliveries
        if d.event_type == "municipality.readiness.changed"
    }
    assert readiness_to == {(mine.id, "101")}
    assert (
        date.fromisoformat(
            next(
                d for d in deliveries if d.subscription_id == mine.id and d.event_type.startswith("municipality")
            ).payload["data"]["changes"]["readiness"]["after"]["from"]
        )
        == FUTURE
    )
