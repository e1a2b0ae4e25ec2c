"""The one clock (``tracker.clock``): set for a context, every instant and "today in Denmark" follow it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.clock import clock_set_to, timestamp, today_in_denmark, utcnow


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        # Winter (CET, UTC+1): half past eleven in the evening UTC is already tomorrow in Copenhagen.
        (datetime(2027, 3, 1, 23, 30, tzinfo=UTC), date(2027, 3, 2)),
        (datetime(2027, 3, 1, 22, 59, tzinfo=UTC), date(2027, 3, 1)),
        # Summer (CEST, UTC+2): from ten in the evening UTC.
        (datetime(2027, 7, 31, 22, 0, tzinfo=UTC), date(2027, 8, 1)),
        (datetime(2027, 7, 31, 21, 59, tzinfo=UTC), date(2027, 7, 31)),
        # New Year's night: the year turns in Denmark first.
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_today_is_the_date_in_copenhagen_by_the_clock(instant: datetime, day: date) -> None:
    with clock_set_to(lambda: instant):
        assert today_in_denmark() == day
        assert utcnow() == instant
        assert timestamp() == instant.timestamp()


def test_the_clock_is_set_for_the_block_only_and_nests() -> None:
    outer, inner = datetime(2030, 1, 1, 12, tzinfo=UTC), datetime(2031, 6, 1, 12, tzinfo=UTC)
    with clock_set_to(lambda: outer):
        with clock_set_to(lambda: inner):
            assert utcnow() == inner
        assert utcnow() == outer
    # Outside every block: the system clock (not either set instant).
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(minutes=1)
    assert utcnow().tzinfo is UTC


def test_a_clock_that_moves_is_read_each_time() -> None:
    ticks = iter([datetime(2027, 3, 1, 22, 30, tzinfo=UTC), datetime(2027, 3, 1, 23, 30, tzinfo=UTC)])
    with clock_set_to(lambda: next(ticks)):
        assert [today_in_denmark(), today_in_denmark()] == [date(2027, 3, 1), date(2027, 3, 2)]
