"""A municipality's actions: its private record of who responds to what, by when, and how far it got.

The subject of an action is generic: a readiness row (municipality, solution, staff group/IdP) or a transition
(added when transitions land). ``subject_key`` identifies the subject within the municipality, so syncing with
the registry finds the same action again however often it runs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.db import Base, UTCDateTime
from tracker.models.municipalities import Idp, Municipality
from tracker.models.solutions import Solution
from tracker.models.users import User

ACTION_STATUSES = ("new", "in_progress", "done", "not_relevant", "blocked")
SUBJECT_KINDS = ("readiness", "transition")


class Action(Base):
    """One municipality's response to one subject: status (with a reason where needed), owner, due day, note."""

    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("municipality_id", "subject_key"),
        CheckConstraint(
            "status IN ('new', 'in_progress', 'done', 'not_relevant', 'blocked')",
            name="status",
        ),
        CheckConstraint("subject_kind IN ('readiness', 'transition')", name="subject_kind"),
        CheckConstraint(
            "status NOT IN ('not_relevant', 'blocked') OR status_reason IS NOT NULL", name="status_has_reason"
        ),
        CheckConstraint("owner_user_id IS NULL OR owner_team IS NULL", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    # 'readiness:<solution id>:<idp id or 0>' or 'transition:<id>'
    subject_key: Mapped[str] = mapped_column(String(80))
    solution_id: Mapped[int | None] = mapped_column(ForeignKey("solution.id", ondelete="CASCADE"), index=True)
    idp_id: Mapped[int | None] = mapped_column(ForeignKey("idp.id", ondelete="SET NULL"), index=True)
    transition_id: Mapped[int | None] = mapped_column(ForeignKey("transition.id", ondelete="CASCADE"), index=True)
    # What the registry asked when last synced: the row's action code, the required level, the day it binds.
    # A stricter level or another day reopens a done action; the day is the default due day.
    code: Mapped[str] = mapped_column(String(40), default="")
    basis_level: Mapped[str | None] = mapped_column(String(12))
    act_by_on: Mapped[date | None] = mapped_column(Date)
    # Whether the subject still asks the municipality to act (a row that turned ok, a cancelled transition: no).
    open_in_registry: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="new")
    # Set when the registry (not a person) closed the action as not relevant: it reopens if the subject asks again.
    closed_by_registry: Mapped[bool] = mapped_column(Boolean, default=False)
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Why the registry reopened a done action (shown until someone changes the status again).
    reopened_reason: Mapped[str | None] = mapped_column(Text)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    owner_team: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    # True while due_on follows act_by_on (moved with it); a day set by hand stays.
    due_is_default: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    solution: Mapped[Solution | None] = relationship()
    idp: Mapped[Idp | None] = relationship()
    owner: Mapped[User | None] = relationship()


class ActionChange(Base):
    """One change of an action: who (a user, or the registry), when, what (field → [before, after]) and why."""

    __tablename__ = "action_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)


class ActionRead(Base):
    """The version of an action a user has seen: an action is unread for them while its version is newer."""

    __tablename__ = "action_read"

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    seen_version: Mapped[int] = mapped_column(Integer)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
