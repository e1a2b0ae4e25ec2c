"""E-mail: each user's notification preference, the mail outbox and its attempts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.db import Base, UTCDateTime
from tracker.models.users import User


class MailPreference(Base):
    """How a user wants mail: mode (immediate/daily/weekly/off), scope (portfolio/all), language (da/en),
    a coordinator's work alerts, and which transitions (kinds, categories, major only).

    A user without a row has the defaults (daily, portfolio, Danish)."""

    __tablename__ = "mail_preference"
    __table_args__ = (
        CheckConstraint("mode IN ('immediate', 'daily', 'weekly', 'off')", name="mode"),
        CheckConstraint("scope IN ('portfolio', 'all')", name="scope"),
        CheckConstraint("language IN ('da', 'en')", name="language"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(12), default="daily")
    scope: Mapped[str] = mapped_column(String(12), default="portfolio")
    language: Mapped[str] = mapped_column(String(5), default="da")
    # Coordinators' work alerts, sent at once: 'proposals' (new ones to review), 'sources' (pages changed,
    # sources turned unhealthy).
    alerts: Mapped[list[str]] = mapped_column(JSON, default=list)
    # How many days before an action's due day its owner is reminded (None: no reminders).
    action_reminder_days: Mapped[int | None] = mapped_column(Integer, default=7, server_default="7")
    # Transition mail narrowed to these kinds and categories (empty: all) and to major changes only; other events
    # (readiness, inquiries, a solution's own facts) are never narrowed (``registry.transition_filter``).
    transition_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    transition_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    transition_major_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class MailMessage(Base):
    """The mail outbox: one row per (user, coalesced immediate changes), (user, digest period) or notice; its
    Message-ID never changes."""

    __tablename__ = "mail_message"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_mail_message_state_next_attempt_at", "state", "next_attempt_at"),
        CheckConstraint(
            "notice IN ('proposal_decided', 'proposal_created', 'run_recorded', 'action_due', 'action_registry')",
            name="notice",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # 'immediate:<first event id>' (older rows: 'event:<id>'), 'daily:<YYYY-MM-DD>' or 'weekly:<YYYY-MM-DD>'
    # (the period's end, Danish date), or a notice's key. Only the mail's identity (one row per user and key, the
    # Message-ID); what a notice is about is in the typed columns below, never read back from the key.
    key: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(12))  # immediate|daily|weekly|notice
    # A notice's subject (kind 'notice'; NULL otherwise): which signal wrote it, and what it is about.
    notice: Mapped[str | None] = mapped_column(String(20))  # …|action_due|action_registry
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"))
    decision: Mapped[str | None] = mapped_column(String(12))  # the proposal's state when decided: accepted|rejected
    scrape_run_id: Mapped[int | None] = mapped_column(ForeignKey("scrape_run.id", ondelete="SET NULL"))
    new_proposals: Mapped[int | None] = mapped_column(Integer)  # a run's proposals left for review
    changed_pages: Mapped[int | None] = mapped_column(Integer)  # a run's pages that changed
    became_unhealthy: Mapped[bool | None] = mapped_column(Boolean)  # the run turned its source unhealthy
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="SET NULL"))  # a due-day reminder
    due_on: Mapped[date | None] = mapped_column(Date)  # the due day it reminds of
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    event_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending|sent|failed|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class MailAttempt(Base):
    """One SMTP attempt of a mail: when, to which address, and the error if any."""

    __tablename__ = "mail_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    mail_id: Mapped[int] = mapped_column(ForeignKey("mail_message.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(254))
    error: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
