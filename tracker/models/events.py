"""The append-only change-event log: the single source for history, feeds, calendars, webhooks and catch-up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.db import Base, UTCDateTime
from tracker.models.municipalities import Municipality
from tracker.models.solutions import Solution

# SQLite only auto-increments INTEGER PRIMARY KEY; BigInteger elsewhere leaves room for a long life.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class ChangeEvent(Base):
    """One change: monotonic id, what changed (before/after per field), who, from which source, why."""

    __tablename__ = "change_event"
    __table_args__ = (
        Index("ix_change_event_solution_id_id", "solution_id", "id"),
        Index("ix_change_event_municipality_id_id", "municipality_id", "id"),
        # The calendars' switch histories (count and newest of one type per solution), read from the index.
        Index("ix_change_event_solution_id_type_occurred_at", "solution_id", "type", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(60), index=True)
    solution_id: Mapped[int | None] = mapped_column(ForeignKey("solution.id"))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    # {"field": {"before": ..., "after": ...}, ...} — JSON-safe values only (ISO dates as strings).
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Extra context for consumers (e.g. the solution's slug and name at the time).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    source_kind: Mapped[str | None] = mapped_column(String(20))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    reason: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    solution: Mapped[Solution | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
