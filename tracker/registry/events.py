"""Appending change events — the single source of history, feeds, calendars, webhooks and the event log.

Every event leaves through the outbox in the same transaction (``broadcast.outbox.enqueue``, a receiver of
``tracker.signals.change_event_appended`` connected at app start).

Event ids must become visible in id order, or a catch-up reader (``/api/v1/events?after=``) could step past an
id whose transaction commits late. SQLite serialises writers already; on PostgreSQL a transaction-scoped
advisory lock, taken before the id is drawn and held until commit, gives the same order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tracker import signals
from tracker.clock import utcnow
from tracker.models import ChangeEvent, Municipality, Solution
from tracker.registry.actors import Actor

EVENT_ORDER_LOCK = 0x7475_6576  # 'tuev': any constant unique to the event log

EVENT_TYPES = (
    "solution.created",
    "solution.updated",
    "solution.switch_date.changed",
    "solution.required_loa.changed",
    "municipality.readiness.changed",
    "inquiry.created",  # a question to a solution's vendor/service provider
    "inquiry.asked",  # KL has put it to them
    "inquiry.answered",
    "inquiry.closed",
    "transition.created",  # a dated transition of a solution (issue 22); data.transition names it
    "transition.updated",
    "transition.date_changed",  # its date, the date's provenance or its act-by day
    "transition.cancelled",
    "action.updated",  # a municipality's own action (tracker.actions): its own users' subscriptions only
)


def solution_data(solution: Solution) -> dict[str, Any]:
    """What consumers need to name the solution without another request."""
    return {"solution": {"slug": solution.slug, "name": solution.name}}


def append_event(
    session: Session,
    *,
    type: str,
    actor: Actor,
    changes: dict[str, Any],
    solution: Solution | None = None,
    municipality: Municipality | None = None,
    source_kind: str | None = None,
    source_url: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> ChangeEvent:
    """Append one event and send ``change_event_appended`` (its outbox rows); flushes so the event has its id."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    payload = dict(data or {})
    if solution is not None:
        payload.update(solution_data(solution))
    if municipality is not None:
        payload["municipality"] = {"code": municipality.code, "name": municipality.name}
    event = ChangeEvent(
        type=type,
        solution_id=solution.id if solution is not None else None,
        municipality_id=municipality.id if municipality is not None else None,
        changes=changes,
        data=payload,
        actor_id=actor.user_id,
        actor_label=actor.label,
        source_kind=source_kind,
        source_url=source_url,
        reason=reason,
        occurred_at=utcnow(),
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_ORDER_LOCK})
    session.add(event)
    session.flush()
    signals.change_event_appended.send(event, session=session)
    return event
