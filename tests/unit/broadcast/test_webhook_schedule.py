"""The retry schedule (Standard Webhooks' example, with jitter) and Retry-After parsing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from tracker.broadcast.sender import JITTER, RETRY_SCHEDULE, next_delay, parse_retry_after


def test_schedule_starts_with_the_standard_steps() -> None:
    assert RETRY_SCHEDULE[:7] == (
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=10),
    )
    assert sum(RETRY_SCHEDULE, timedelta()) > timedelta(days=3)


def test_each_delay_is_jittered_within_ten_percent() -> None:
    rng = random.Random(7)
    for failures, base in enumerate(RETRY_SCHEDULE, start=1):
        seen = {next_delay(failures, rng=rng) for _ in range(20)}
        assert len(seen) > 1, "jitter spreads retries"
        for delay in seen:
            assert delay is not None
            assert base * (1 - JITTER) <= delay <= base * (1 + JITTER)


def test_schedule_runs_out() -> None:
    assert next_delay(len(RETRY_SCHEDULE) + 1) is None
    assert next_delay(0) is None


def test_retry_after_is_honoured_when_longer() -> None:
    assert next_delay(1, timedelta(minutes=10)) == timedelta(minutes=10)
    delay = next_delay(3, timedelta(seconds=1))
    assert delay is not None and delay > timedelta(minutes=20)


def test_retry_after_forms() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == timedelta(seconds=120)
    assert parse_retry_after("Sat, 28 Nov 2026 12:10:00 GMT", now) == timedelta(minutes=10)
    assert parse_retry_after("Sat, 28 Nov 2026 11:10:00 GMT", now) == timedelta(0)
    assert parse_retry_after("999999999", now) == timedelta(hours=24)
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
