"""What a delivery attempt comes to in the database: the attempt row, the delivery's next state, the subscription.

Outcomes are written many to a transaction (``record_many``): a fan-out to a thousand receivers is a handful of
commits, not a thousand. Claims that were not sent (the worker is stopping, or the subscription answered 410
meanwhile) are given back with ``release`` and are due again at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker.auth import audit
from tracker.broadcast.sender import Outcome, next_delay
from tracker.db import Database
from tracker.models import Delivery, DeliveryAttempt, Subscription
from tracker.outbox import lease
from tracker.outbox.queues import WEBHOOKS

log = logging.getLogger("tracker.broadcast.worker")
SYSTEM_LABEL = "TU-tracker (system)"


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery with everything needed to send it, read in the claim's transaction."""

    delivery_id: int
    subscription_id: int
    message_id: str
    url: str
    body: bytes
    secrets: list[str]
    token: str

    @property
    def row_id(self) -> int:
        """The outbox row (for the shared loop)."""
        return self.delivery_id


def _disable(session: Any, sub: Subscription, reason: str, now: datetime) -> None:
    """Stop sending to a subscription; the reason is the owner's notice on the subscription page."""
    sub.active = False
    sub.disabled_reason = reason
    audit.record(
        session,
        "subscription.disabled",
        actor=None,
        actor_label=SYSTEM_LABEL,
        object_type="subscription",
        object_id=sub.id,
        details={"reason": reason, "owner_id": sub.owner_id},
        occurred_at=now,
    )
    log.warning("webhook subscription %s (owner %s) disabled: %s", sub.id, sub.owner_id, reason)


def record(db: Database, claimed: Claimed, outcome: Outcome, *, now: datetime, disable_after: timedelta) -> str:
    """Record one attempt and schedule what follows; returns the delivery's new state."""
    return record_many(db, [(claimed, outcome)], now=now, disable_after=disable_after)[claimed.delivery_id]


class _Vanished(Exception):
    """A subscription of the batch was deleted meanwhile: record the batch one by one instead."""


def record_many(
    db: Database, results: list[tuple[Claimed, Outcome]], *, now: datetime, disable_after: timedelta
) -> dict[int, str]:
    """Record several attempts in one transaction; returns each delivery's new state by id."""
    if len(results) > 1:
        try:
            return _record_in_one(db, results, now=now, disable_after=disable_after)
        except _Vanished:
            states: dict[int, str] = {}
            for claimed, outcome in results:
                states.update(_record_in_one(db, [(claimed, outcome)], now=now, disable_after=disable_after))
            return states
    try:
        return _record_in_one(db, results, now=now, disable_after=disable_after)
    except _Vanished:
        return {results[0][0].delivery_id: "deleted"}


def _record_in_one(
    db: Database, results: list[tuple[Claimed, Outcome]], *, now: datetime, disable_after: timedelta
) -> dict[int, str]:
    with db.unit_of_work() as session:
        # Write before reading: on SQLite a transaction that reads first cannot later take the write lock
        # once another worker has committed (SQLITE_BUSY_SNAPSHOT); writing first waits for the lock instead.
        try:
            session.execute(
                insert(DeliveryAttempt),
                [
                    {
                        "delivery_id": claimed.delivery_id,
                        "attempted_at": now,
                        "status_code": outcome.status_code,
                        "latency_ms": outcome.latency_ms,
                        "error": outcome.error,
                    }
                    for claimed, outcome in results
                ],
            )
        except IntegrityError as exc:  # a subscription was deleted meanwhile (its deliveries cascade)
            raise _Vanished from exc
        states = _record_successes(session, [(c, o) for c, o in results if o.ok], now)
        failed = [(c, o) for c, o in results if not o.ok]
        if failed:
            ids = [claimed.delivery_id for claimed, _ in failed]
            deliveries = {
                d.id: d
                for d in session.scalars(
                    select(Delivery).where(Delivery.id.in_(ids)).options(joinedload(Delivery.subscription))
                )
            }
            for claimed, outcome in failed:
                delivery = deliveries.get(claimed.delivery_id)
                states[claimed.delivery_id] = (
                    "deleted" if delivery is None else _apply(session, delivery, claimed, outcome, now, disable_after)
                )
        return states


def _record_successes(session: Any, results: list[tuple[Claimed, Outcome]], now: datetime) -> dict[int, str]:
    """What ``_apply`` does for a 2xx, for many deliveries in a few statements (one per status code)."""
    if not results:
        return {}
    by_status: dict[int | None, list[int]] = {}
    for claimed, outcome in results:
        by_status.setdefault(outcome.status_code, []).append(claimed.delivery_id)
    for status, ids in by_status.items():
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(
                state="succeeded",
                attempts=Delivery.attempts + 1,
                last_status=status,
                claimed_by=None,
                claimed_until=None,
                delivered_at=now,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
    session.execute(
        update(Subscription)
        .where(Subscription.id.in_({c.subscription_id for c, _ in results}), Subscription.failing_since.is_not(None))
        .values(failing_since=None)
        .execution_options(synchronize_session=False)
    )
    return {claimed.delivery_id: "succeeded" for claimed, _ in results}


def _apply(
    session: Any, delivery: Delivery, claimed: Claimed, outcome: Outcome, now: datetime, disable_after: timedelta
) -> str:
    """One attempt's consequences for its delivery and subscription; returns the delivery's new state."""
    sub = delivery.subscription
    ours = delivery.claimed_by == claimed.token
    if not ours and not outcome.ok:
        # Our lease lapsed and another worker owns the row now: leave its schedule alone.
        return delivery.state
    delivery.attempts += 1
    delivery.last_status = outcome.status_code
    delivery.claimed_by = None
    delivery.claimed_until = None
    if outcome.ok:
        delivery.state = "succeeded"
        delivery.delivered_at = now
        delivery.last_error = None
        sub.failing_since = None
        return delivery.state
    delivery.last_error = outcome.error
    if outcome.gone:
        delivery.state = "failed"
        if sub.active:  # two deliveries of one batch may both have met the 410
            _disable(
                session,
                sub,
                f"Modtageren svarede 410 Gone {now:%Y-%m-%d %H:%M} UTC; abonnementet er derfor deaktiveret.",
                now,
            )
        return delivery.state
    if sub.failing_since is None:
        sub.failing_since = now
    elif sub.active and now - sub.failing_since >= disable_after:
        hours = int(disable_after.total_seconds() // 3600)
        _disable(
            session,
            sub,
            f"Leveringer er fejlet uafbrudt siden {sub.failing_since:%Y-%m-%d %H:%M} UTC (over {hours} timer); "
            f"abonnementet er deaktiveret. Seneste fejl: {outcome.error}",
            now,
        )
    delay = next_delay(delivery.attempts, outcome.retry_after)
    if delay is None:
        delivery.state = "failed"
    else:
        delivery.next_attempt_at = now + delay
    return delivery.state


def release(db: Database, items: list[Claimed]) -> int:
    """Give back claims that were not sent (stopping, or their subscription said 410): due again at once."""
    return lease.release(db, WEBHOOKS, [(i.delivery_id, i.token) for i in items])
