"""Claiming outbox rows as leases, and giving them back.

A claim marks rows ``claimed_by``/``claimed_until`` in its own committed transaction before anything is
sent, so a worker killed at any point loses nothing: its leases lapse and another worker takes the rows.
PostgreSQL takes rows with ``FOR UPDATE SKIP LOCKED`` so parallel workers never pick the same row; SQLite
claims with one atomic ``UPDATE … WHERE id IN (due rows) AND the lease is free`` (its single writer lock
makes the re-check atomic).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session, aliased

from tracker.db import Database

Narrow = Callable[[Select[Any], Any], Select[Any]]


def _everything(stmt: Select[Any], _row: Any) -> Select[Any]:
    return stmt


@dataclass(frozen=True)
class Queue:
    """One outbox table and its rules: the model, the retry schedule, and which due rows may be claimed."""

    name: str  # 'webhook' or 'mail': the metrics label and the NOTIFY payload
    model: Any  # the mapped class (Delivery, MailMessage)
    schedule: tuple[timedelta, ...]
    done_state: str  # 'succeeded' or 'sent'
    jitter: float = 0.0  # ± share of each wait, so rows that failed together are not retried together
    narrow: Narrow = field(default=_everything)  # extra joins and filters on the due rows (an alias of model)


def holder_id() -> str:
    """Who holds a claim: host, process and a random part, for the logs and debugging."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(session: Session, queue: Queue, *, token: str, now: datetime, limit: int, lease: timedelta) -> int:
    """Mark up to ``limit`` due rows as claimed by ``token`` until ``now + lease``; returns how many.

    The caller reads the claimed rows back by ``claimed_by == token`` in the same transaction and commits.
    """
    model = queue.model
    candidate = aliased(model)
    due = queue.narrow(
        select(candidate.id).where(
            candidate.state == "pending",
            candidate.next_attempt_at <= now,
            or_(candidate.claimed_until.is_(None), candidate.claimed_until < now),
        ),
        candidate,
    )
    due = due.order_by(candidate.next_attempt_at, candidate.id).limit(limit)
    values = {"claimed_by": token, "claimed_until": now + lease}
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(due.with_for_update(skip_locked=True, of=candidate)))
        if not ids:
            return 0
        stmt = update(model).where(model.id.in_(ids))
    else:
        # One statement takes SQLite's write lock first, so the re-check of the lease is atomic.
        stmt = update(model).where(
            model.id.in_(due.scalar_subquery()),
            or_(model.claimed_until.is_(None), model.claimed_until < now),
        )
    result = session.execute(stmt.values(**values).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def release(db: Database, queue: Queue, claims: list[tuple[int, str]]) -> int:
    """Give back claimed rows that were not sent (stopping, or not to be sent now): due again at once.

    ``claims`` are (row id, token) pairs; a row whose lease another worker holds by now is left alone.
    """
    if not claims:
        return 0
    model = queue.model
    with db.unit_of_work() as session:
        result = session.execute(
            update(model)
            .where(model.id.in_([i for i, _ in claims]), model.claimed_by.in_({t for _, t in claims}))
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
