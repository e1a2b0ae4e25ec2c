"""The two outboxes: webhook deliveries and mail, each with its retry schedule and its claimable rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Select

from tracker.models import Delivery, MailMessage, Subscription, User
from tracker.outbox.lease import Queue


def _active_subscriptions(stmt: Select[Any], row: Any) -> Select[Any]:
    # An inactive owner's subscriptions send nothing, even if one was left switched on.
    return (
        stmt.join(Subscription, Subscription.id == row.subscription_id)
        .join(User, User.id == Subscription.owner_id)
        .where(Subscription.active.is_(True), User.is_active.is_(True))
    )


_UNITS = {"s": "seconds", "m": "minutes", "h": "hours"}


def _waits(steps: str) -> tuple[timedelta, ...]:
    """A retry schedule written as its waits: "5s 30m 2h" (seconds, minutes, hours), in order."""
    return tuple(timedelta(**{_UNITS[step[-1]]: int(step[:-1])}) for step in steps.split())


# Standard Webhooks' example schedule after the first attempt (~3 days in all), ±10 % jitter.
WEBHOOKS = Queue(
    name="webhook",
    model=Delivery,
    schedule=_waits("5s 5m 30m 2h 5h 10h 10h 14h 20h 24h"),
    done_state="succeeded",
    jitter=0.1,
    narrow=_active_subscriptions,
)

# Mail servers say "try later" for minutes to hours (greylisting, full queues): about two days in all.
MAIL = Queue(
    name="mail",
    model=MailMessage,
    schedule=_waits("1m 5m 30m 2h 6h 12h 24h"),
    done_state="sent",
)

QUEUES = (WEBHOOKS, MAIL)
