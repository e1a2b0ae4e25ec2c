"""Solutions (TU-løsninger) and their two tracked facts: required LoA and the switch-date interval.

Each tracked fact keeps its confidence status and provenance beside its value, so the row alone answers
"what do we believe, how sure are we, and who said so". The history of every value is in ``change_event``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.db import Base, UTCDateTime
from tracker.models.organisations import Organisation
from tracker.models.vocab import (
    Confidence,
    Loa,
    Precision,
    SolutionKind,
    SourceKind,
    SwitchState,
    sql_in,
)

# The brokers (solutions of kind ``broker``) staff reach a solution through.
solution_broker = Table(
    "solution_broker",
    Base.metadata,
    Column("solution_id", ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True),
    Column("broker_id", ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Solution(Base):
    """One TU-løsning with its required level and switch date, each with status and provenance."""

    __tablename__ = "solution"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(SolutionKind)})", name="kind"),
        CheckConstraint(f"loa_value IN ({sql_in(Loa)})", name="loa_value"),
        CheckConstraint(f"loa_status IN ({sql_in(Confidence)})", name="loa_status"),
        CheckConstraint(f"switch_status IN ({sql_in(Confidence)})", name="switch_status"),
        CheckConstraint(f"switch_state IN ({sql_in(SwitchState)})", name="switch_state"),
        CheckConstraint(f"switch_precision IN ({sql_in(Precision)})", name="switch_precision"),
        CheckConstraint(
            "switch_earliest_on IS NULL OR switch_latest_on IS NULL OR switch_earliest_on <= switch_latest_on",
            name="switch_interval",
        ),
        CheckConstraint(
            f"loa_source_kind IS NULL OR loa_source_kind IN ({sql_in(SourceKind)})", name="loa_source_kind"
        ),
        CheckConstraint(
            f"switch_source_kind IS NULL OR switch_source_kind IN ({sql_in(SourceKind)})",
            name="switch_source_kind",
        ),
        Index("ix_solution_switch_earliest_on_name", "switch_earliest_on", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default=SolutionKind.ANDET.value)
    service_provider_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    broker: Mapped[str | None] = mapped_column(String(80))
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    # Tracked fact 1: the required NSIS level.
    loa_value: Mapped[str] = mapped_column(String(12), default=Loa.UKENDT.value, index=True)
    loa_status: Mapped[str] = mapped_column(String(20), default=Confidence.UNKNOWN.value)
    loa_source_kind: Mapped[str | None] = mapped_column(String(20))
    loa_source_url: Mapped[str | None] = mapped_column(String(1000))
    loa_evidence: Mapped[str | None] = mapped_column(Text)
    loa_recorded_by: Mapped[str | None] = mapped_column(String(200))
    loa_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Tracked fact 2: the switch date, an interval with its precision and the source's own words.
    switch_earliest_on: Mapped[date | None] = mapped_column(Date)
    switch_latest_on: Mapped[date | None] = mapped_column(Date)
    switch_precision: Mapped[str] = mapped_column(String(12), default=Precision.UNKNOWN.value)
    switch_text: Mapped[str | None] = mapped_column(String(200))
    switch_state: Mapped[str] = mapped_column(String(12), default=SwitchState.UNKNOWN.value)
    switch_status: Mapped[str] = mapped_column(String(20), default=Confidence.UNKNOWN.value)
    switch_source_kind: Mapped[str | None] = mapped_column(String(20))
    switch_source_url: Mapped[str | None] = mapped_column(String(1000))
    switch_evidence: Mapped[str | None] = mapped_column(Text)
    switch_recorded_by: Mapped[str | None] = mapped_column(String(200))
    switch_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Raised on every change: the ETag of the API and the guard against lost updates.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service_provider: Mapped[Organisation | None] = relationship(foreign_keys=[service_provider_id])
    vendor: Mapped[Organisation | None] = relationship(foreign_keys=[vendor_id])
    broker_solutions: Mapped[list[Solution]] = relationship(
        secondary=solution_broker,
        primaryjoin=lambda: Solution.id == solution_broker.c.solution_id,
        secondaryjoin=lambda: Solution.id == solution_broker.c.broker_id,
        order_by=lambda: Solution.slug,
    )

    @property
    def brokers(self) -> list[str]:
        """The slugs of the brokers staff reach the solution through (history and the API show these)."""
        return [broker.slug for broker in self.broker_solutions]
