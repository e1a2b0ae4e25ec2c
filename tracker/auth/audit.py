"""The security audit trail: logins, refusals, user, organisation and token administration.

Registry facts have their own history (``change_event``); everything else a person does that matters for
security is written here, in the same transaction as the action itself. Refusals (403) are the exception:
the request's transaction is rolled back, so ``record_in_own_transaction`` writes them on their own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from tracker.clock import utcnow
from tracker.db import get_db
from tracker.models import AuditEntry, User

MAX_LABEL = 200


def record(
    session: Session,
    action: str,
    *,
    actor: User | None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
    remote_addr: str | None = None,
    actor_label: str | None = None,
    actor_id: int | None = None,
    occurred_at: datetime | None = None,
) -> AuditEntry:
    """Append one audit entry in the caller's transaction (flushes, never commits).

    Every audit row goes through here. ``actor`` names a user row; a caller holding only an id and a label (a
    registry ``Actor``, the system) passes ``actor_id`` and ``actor_label`` instead.
    """
    label = actor_label or (actor.label if actor is not None else "anonym")
    entry = AuditEntry(
        action=action[:60],
        actor_id=actor.id if actor is not None else actor_id,
        actor_label=label[:MAX_LABEL],
        object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:80],
        details=details or {},
        remote_addr=(remote_addr or None) and remote_addr[:64],
        occurred_at=occurred_at or utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


def record_in_own_transaction(
    app: Flask,
    action: str,
    *,
    actor_id: int | None,
    actor_label: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
    remote_addr: str | None = None,
) -> None:
    """Append an entry that must outlive the request's rollback (a refused attempt, a failed login)."""
    with get_db(app).unit_of_work() as session:
        actor = session.get(User, actor_id) if actor_id is not None else None
        record(
            session,
            action,
            actor=actor,
            actor_label=actor_label,
            object_type=object_type,
            object_id=object_id,
            details=details,
            remote_addr=remote_addr,
        )
