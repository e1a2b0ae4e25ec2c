"""Webhook subscriptions, the delivery outbox with its attempts, and private feed tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.crypto import EncryptedString
from tracker.db import Base, UTCDateTime
from tracker.models.events import ChangeEvent, EventId
from tracker.models.users import User


class Subscription(Base):
    """A webhook endpoint with its secret(s) and filters."""

    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str | None] = mapped_column(String(200))
    # Encrypted at rest with TRACKER_ENCRYPTION_KEYS (tracker.crypto); code sees the plain secret.
    secret: Mapped[str] = mapped_column(EncryptedString())
    # During rotation both secrets sign, until previous_secret_expires_at.
    previous_secret: Mapped[str | None] = mapped_column(EncryptedString())
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: all
    solution_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # empty: all
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))  # portfolio filter
    # Narrows transition.* events: {"kinds": [...], "categories": [...], "major": bool | None}; None: all of them.
    transition_filter: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship()


class Delivery(Base):
    """The outbox: one row per (event, subscription), written in the event's transaction."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_delivery_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(EventId, ForeignKey("change_event.id"))
    # Standard Webhooks 'webhook-id': the same on every retry and redelivery, for receivers to dedupe.
    message_id: Mapped[str] = mapped_column(String(64), index=True)
    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending|succeeded|failed|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscription: Mapped[Subscription] = relationship()
    event: Mapped[ChangeEvent | None] = relationship()


class DeliveryAttempt(Base):
    """One HTTP attempt of a delivery: status, latency, error."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class FeedToken(Base):
    """A municipality's private feed/calendar token, stored hashed; revocable."""

    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
