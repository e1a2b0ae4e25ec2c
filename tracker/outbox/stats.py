"""Queue metrics of an outbox: rows pending, rows failed for good, and the age of the oldest pending row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.outbox.lease import Queue


@dataclass(frozen=True)
class QueueStats:
    """One queue's state for /metrics."""

    pending: int
    failed: int
    oldest_pending_age_seconds: float


def queue_stats(session: Session, queue: Queue, now: datetime) -> QueueStats:
    """Counted by state in one grouped query (served by the (state, next_attempt_at) index)."""
    model = queue.model
    counts: dict[str, int] = {}
    oldest = None
    for state, count, created in session.execute(
        select(model.state, func.count(), func.min(model.created_at))
        .where(model.state.in_(["pending", "failed"]))
        .group_by(model.state)
    ):
        counts[state] = int(count)
        if state == "pending":
            oldest = created
    age = 0.0
    if oldest is not None:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)  # func.min skips the UTC type
        age = max(0.0, (now - oldest).total_seconds())
    return QueueStats(counts.get("pending", 0), counts.get("failed", 0), age)
