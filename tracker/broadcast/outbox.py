"""The outbox: one delivery row per matching subscription, written in the change event's transaction.

Also the two ways a delivery is queued by hand: a subscription's test ping and a redelivery, which keeps the
delivery's ``webhook-id`` so receivers can de-duplicate.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, Table, bindparam, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, joinedload, object_session
from sqlalchemy.types import TypeDecorator

from tracker.auth.display import public_label
from tracker.auth.permissions import may, may_receive_event
from tracker.clock import utcnow
from tracker.errors import Conflict
from tracker.models import ChangeEvent, Delivery, PortfolioEntry, Solution, Subscription
from tracker.outbox import wake
from tracker.outbox.queues import WEBHOOKS
from tracker.registry.facts import api_changes, org_slugs
from tracker.registry.transition_filter import TransitionFilter

TEST_EVENT_TYPE = "subscription.test"


def new_message_id() -> str:
    """A Standard Webhooks message id: ours, unguessable, without '.' (it is part of the signed content)."""
    return f"msg_{uuid.uuid4().hex}"


def event_payload(event: ChangeEvent) -> dict[str, Any]:
    """The Standard Webhooks body of an event: type, timestamp, data."""
    return {
        "type": event.type,
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": {
            "event_id": event.id,
            **event.data,
            "changes": api_changes(event.changes, org_slugs(object_session(event))),
            "actor": public_label(event.actor_label, object_session(event)),
            "source": {"kind": event.source_kind, "url": event.source_url},
            "reason": event.reason,
        },
    }


def owner_may_see(subscription: Subscription, event: ChangeEvent) -> bool:
    """A municipality's own events (readiness) go only to its users and to coordinators, as in the event log."""
    if event.municipality_id is None:
        return True
    if not may_receive_event(subscription.owner, event.type, event.municipality_id):
        return False  # a municipality's actions: its own users only, coordinators neither
    return may(subscription.owner, "municipality.private", event.municipality_id)


def _solutions_of(event: ChangeEvent) -> set[int]:
    """The solutions an event is about: its own, or each row's of a bulk readiness event (looked up once)."""
    if event.solution_id is not None:
        return {event.solution_id}
    cached: set[int] | None = event.__dict__.get("_row_solution_ids")
    if cached is None:
        slugs = [(row.get("solution") or {}).get("slug") for row in (event.data or {}).get("rows") or []]
        session = object_session(event)
        cached = (
            set(session.scalars(select(Solution.id).where(Solution.slug.in_(slugs)))) if slugs and session else set()
        )
        event.__dict__["_row_solution_ids"] = cached
    return cached


def _prefill_row_solutions(session: Session, events: Sequence[ChangeEvent]) -> None:
    """``_solutions_of`` for every bulk readiness event of a batch, in one query."""
    bulk = [e for e in events if e.solution_id is None and "_row_solution_ids" not in e.__dict__]
    slugs = {(row.get("solution") or {}).get("slug") for e in bulk for row in (e.data or {}).get("rows") or []} - {None}
    if not slugs:
        return
    ids = dict(session.execute(select(Solution.slug, Solution.id).where(Solution.slug.in_(slugs))))
    for event in bulk:
        rows = (event.data or {}).get("rows") or []
        found = {ids[slug] for row in rows if (slug := (row.get("solution") or {}).get("slug")) in ids}
        event.__dict__["_row_solution_ids"] = found


def matches(subscription: Subscription, event: ChangeEvent, portfolio_solution_ids: set[int] | None) -> bool:
    """Whether a subscription's filters (and its owner's rights) let an event through."""
    if not owner_may_see(subscription, event):
        return False
    if subscription.event_types and event.type not in subscription.event_types:
        return False
    if subscription.solution_ids and not (_solutions_of(event) & set(subscription.solution_ids)):
        return False
    if not TransitionFilter.from_json(subscription.transition_filter).lets_through(event):
        return False
    if subscription.municipality_id is not None:
        if event.municipality_id is not None:
            return event.municipality_id == subscription.municipality_id
        return portfolio_solution_ids is not None and event.solution_id in portfolio_solution_ids
    return True


class SerialisedJSON(TypeDecorator[str]):
    """A value for a JSON column that is JSON text already, bound as it is (PostgreSQL still casts it to json).

    One event's payload goes to every matching receiver: serialised once for all of them, not once per row (a
    1,000-row import's event to 1,000 subscriptions was 1,000 serialisations of the same 300 KB, most of the
    editor's transaction)."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        """No processing: the text is the column's value."""
        return None


# The outbox's rows, one event's payload bound as text it was serialised to once (``SerialisedJSON``).
_INSERT_DELIVERIES = insert(cast(Table, Delivery.__table__)).values(
    payload=bindparam("payload_json", type_=SerialisedJSON())
)


def enqueue(event: ChangeEvent, *, session: Session, **_: Any) -> int:
    """Write one pending delivery per active subscription that matches; returns how many.

    The receiver of ``signals.change_event_appended``: runs in the transaction that appended the event.
    """
    return enqueue_events((event,), session=session)


def enqueue_events(events: Sequence[ChangeEvent], *, session: Session, **_: Any) -> int:
    """``enqueue`` for events appended together (``signals.change_events_appended``): the subscriptions and the
    portfolios read once, one multi-row insert, however many events."""
    subscriptions = session.scalars(
        select(Subscription).where(Subscription.active.is_(True)).options(joinedload(Subscription.owner))
    ).all()
    if not subscriptions or not events:
        return 0
    municipality_ids = {s.municipality_id for s in subscriptions if s.municipality_id is not None}
    solution_ids = {e.solution_id for e in events if e.solution_id is not None}
    portfolios: dict[int, set[int]] = {}
    if municipality_ids and solution_ids:
        rows = session.execute(
            select(PortfolioEntry.municipality_id, PortfolioEntry.solution_id).where(
                PortfolioEntry.municipality_id.in_(municipality_ids),
                PortfolioEntry.solution_id.in_(solution_ids),
            )
        )
        for municipality_id, solution_id in rows:
            portfolios.setdefault(municipality_id, set()).add(solution_id)
    if any(s.solution_ids for s in subscriptions):
        _prefill_row_solutions(session, events)
    now = utcnow()
    deliveries = []
    for event in events:
        payload: str | None = None
        for sub in subscriptions:
            portfolio = portfolios.get(sub.municipality_id, set()) if sub.municipality_id is not None else None
            if not matches(sub, event, portfolio):
                continue
            # Once per event, compact (the rows of a bulk event are most of it): what the JSON type reads back.
            payload = payload or json.dumps(event_payload(event), ensure_ascii=False, separators=(",", ":"))
            deliveries.append(
                {
                    "subscription_id": sub.id,
                    "event_id": event.id,
                    "message_id": new_message_id(),
                    "event_type": event.type,
                    "payload_json": payload,
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    if deliveries:  # one multi-row insert, not an ORM object per receiver
        session.execute(_INSERT_DELIVERIES, deliveries)
        wake.announce(session, WEBHOOKS.name)
    return len(deliveries)


def enqueue_test(session: Session, subscription: Subscription, *, now: datetime | None = None) -> Delivery:
    """Queue a ``subscription.test`` ping; the worker sends it like any delivery (never inside a request)."""
    if not subscription.active:
        raise Conflict("broadcast.test_to_inactive_subscription")
    now = now or utcnow()
    delivery = Delivery(
        subscription_id=subscription.id,
        event_id=None,
        message_id=new_message_id(),
        event_type=TEST_EVENT_TYPE,
        payload={
            "type": TEST_EVENT_TYPE,
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "data": {"subscription_id": subscription.id, "message": "Test fra TU-tracker: modtageren virker."},
        },
        next_attempt_at=now,
    )
    session.add(delivery)
    session.flush()
    wake.announce(session, WEBHOOKS.name)
    return delivery


def requeue(session: Session, delivery: Delivery, *, now: datetime | None = None) -> Delivery:
    """Send a delivery again from the start of the schedule, with the same ``webhook-id`` and body."""
    if not delivery.subscription.active:
        raise Conflict("broadcast.resend_to_inactive_subscription")
    now = now or utcnow()
    if delivery.claimed_until is not None and delivery.claimed_until > now:
        raise Conflict("broadcast.delivery_in_progress")
    delivery.state = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.claimed_by = None
    delivery.claimed_until = None
    session.flush()
    wake.announce(session, WEBHOOKS.name)
    return delivery
