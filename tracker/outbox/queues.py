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


# Standard Webhooks' example schedule after the first attempt (~3 days in all), ±10 % jitter.
WEBHOOKS = Queue(
    name="webhook",
    model=Delivery,
    schedule=(
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=10),
        timedelta(hours=14),
        timedelta(hours=20),
        timedelta(hours=24),
    ),
    done_state="succeeded",
    jitter=0.1,
    narrow=_active_subscriptions,
)

# Mail servers say "try later" for minutes to hours (greylisting, full queues): about two days in all.
MAIL = Queue(
    name="mail",
    model=MailMessage,
    schedule=(
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=6),
        timedelta(hours=12),
        timedelta(hours=24),
    ),
    done_state="sent",
)

QUEUES = (WEBHOOKS, MAIL)
