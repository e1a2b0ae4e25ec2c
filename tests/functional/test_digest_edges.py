"""Digest periods at their edges: a digest is due at exactly 07:00 Danish time, and a change made at the very
instant a period ends belongs to the next digest, not to both (mutants N7, N9). Fixed instants, never the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.broadcast import Clock
from tests.support.municipalities import COPENHAGEN, seeded, use
from tracker.clock import DANISH_TIME as DANISH
from tracker.clock import clock_set_to
from tracker.models import MailMessage
from tracker.notify.digests import period_bounds, period_key, queue_digests
from tracker.registry.actors import Actor
from tracker.registry.services import update_solution


def test_the_daily_period_ends_at_exactly_seven() -> None:
    seven = datetime(2026, 12, 2, 7, tzinfo=DANISH)  # winter: 06:00 UTC
    start, end = period_bounds("daily", seven.astimezone(UTC))
    assert end == seven and start == seven - timedelta(days=1)
    _, before = period_bounds("daily", (seven - timedelta(microseconds=1)).astimezone(UTC))
    assert before == seven - timedelta(days=1)


def test_a_change_at_the_instant_a_period_ends_is_in_the_next_digest_only(session: Session) -> None:
    reader = make_user(session, "daglig@kbh.example.dk", "municipality", municipality=COPENHAGEN)  # daily by default
    nexus = seeded(session, "kmd-nexus")
    use(session, COPENHAGEN, "kmd-nexus")
    end = datetime(2040, 3, 6, 7, tzinfo=DANISH).astimezone(UTC)
    with clock_set_to(Clock(end - timedelta(hours=3))):
        [early] = update_solution(session, nexus, {"switch_earliest_on": date(2032, 1, 1)}, actor=Actor("KL"))
    with clock_set_to(Clock(end)):
        [on_the_edge] = update_solution(session, nexus, {"switch_earliest_on": date(2032, 2, 1)}, actor=Actor("KL"))
    session.flush()

    def digest(key: str) -> list[int]:
        session.expire_all()
        row = session.scalar(select(MailMessage).where(MailMessage.user_id == reader.id, MailMessage.key == key))
        return list(row.event_ids) if row is not None else []

    queue_digests(session, end + timedelta(minutes=30))
    first = digest(period_key("daily", end))
    assert early.id in first and on_the_edge.id not in first

    queue_digests(session, end + timedelta(days=1, minutes=30))
    assert digest(period_key("daily", end + timedelta(days=1))) == [on_the_edge.id]
