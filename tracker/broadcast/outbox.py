"""The outbox: one delivery row per matching subscription, written in the change event's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import ChangeEvent, Delivery, PortfolioEntry, Subscription


def event_payload(event: ChangeEvent) -> dict[str, Any]:
    """The Standard Webhooks body of an event: type, timestamp, data."""
    return {
        "type": event.type,
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": {
            "event_id": event.id,
            **event.data,
            "changes": event.changes,
            "actor": event.actor_label,
            "source": {"kind": event.source_kind, "url": event.source_url},
            "reason": event.reason,
        },
    }


def matches(subscription: Subscription, event: ChangeEvent, portfolio_solution_ids: set[int] | None) -> bool:
    """Whether a subscription's filters let an event through."""
    if subscription.event_types and event.type not in subscription.event_types:
        return False
    if subscription.solution_ids and event.solution_id not in subscription.solution_ids:
        return False
    if subscription.municipality_id is not None:
        if event.municipality_id is not None:
            return event.municipality_id == subscription.municipality_id
        return portfolio_solution_ids is not None and event.solution_id in portfolio_solution_ids
    return True


def enqueue(session: Session, event: ChangeEvent) -> int:
    """Write one pending delivery per active subscription that matches; returns how many."""
    subscriptions = session.scalars(select(Subscription).where(Subscription.active.is_(True))).all()
    if not subscriptions:
        return 0
    municipality_ids = {s.municipality_id for s in subscriptions if s.municipality_id is not None}
    portfolios: dict[int, set[int]] = {}
    if municipality_ids and event.solution_id is not None:
        rows = session.execute(
            select(PortfolioEntry.municipality_id, PortfolioEntry.solution_id).where(
                PortfolioEntry.municipality_id.in_(municipality_ids),
                PortfolioEntry.solution_id == event.solution_id,
            )
        )
        for municipality_id, solution_id in rows:
            portfolios.setdefault(municipality_id, set()).add(solution_id)
    payload = event_payload(event)
    now = utcnow()
    count = 0
    for sub in subscriptions:
        portfolio = portfolios.get(sub.municipality_id, set()) if sub.municipality_id is not None else None
        if not matches(sub, event, portfolio):
            continue
        session.add(
            Delivery(
                subscription_id=sub.id,
                event_id=event.id,
                message_id=f"msg_{uuid.uuid4().hex}",
                event_type=event.type,
                payload=payload,
                next_attempt_at=now,
            )
        )
        count += 1
    return count
