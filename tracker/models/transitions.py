"""Transitions: every dated change a solution goes through (issue 22), and the lead times behind act-by days.

A transition's date has exactly the shape of a solution's switch date (earliest and latest day, precision, the
source's own words, state, confidence, provenance); a ``loa`` transition also carries the required level with
its own confidence and provenance. One transition per solution may be its *NSIS login transition*
(``nsis_login``): the registry keeps it equal to the solution's ``switch_*``/``loa_*`` columns, which stay the
canonical ``switch_date``/``required_loa`` every existing reader uses (``tracker.registry.transitions``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.db import Base, UTCDateTime
from tracker.models.solutions import Solution
from tracker.models.vocab import (
    Confidence,
    Loa,
    Precision,
    SourceKind,
    SwitchState,
    TransitionCategory,
    TransitionKind,
    sql_in,
)


class Transition(Base):
    """One dated change of a solution: kind, what and when, the day to have acted by, who acts and how."""

    __tablename__ = "transition"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(TransitionKind)})", name="kind"),
        CheckConstraint(f"category IN ({sql_in(TransitionCategory)})", name="category"),
        CheckConstraint(f"state IN ({sql_in(SwitchState)})", name="state"),
        CheckConstraint(f"status IN ({sql_in(Confidence)})", name="status"),
        CheckConstraint(f"precision IN ({sql_in(Precision)})", name="precision"),
        CheckConstraint(f"required_loa IS NULL OR required_loa IN ({sql_in(Loa)})", name="required_loa"),
        CheckConstraint(f"loa_status IN ({sql_in(Confidence)})", name="loa_status"),
        CheckConstraint(f"source_kind IS NULL OR source_kind IN ({sql_in(SourceKind)})", name="source_kind"),
        CheckConstraint(
            f"loa_source_kind IS NULL OR loa_source_kind IN ({sql_in(SourceKind)})", name="loa_source_kind"
        ),
        CheckConstraint("earliest_on IS NULL OR latest_on IS NULL OR earliest_on <= latest_on", name="interval"),
        Index("ix_transition_solution_id_earliest_on", "solution_id", "earliest_on"),
        Index("ix_transition_act_by_on", "act_by_on"),
        Index("ix_transition_earliest_on", "earliest_on"),
        # At most one NSIS login transition per solution.
        Index(
            "uq_transition_nsis_login",
            "solution_id",
            unique=True,
            sqlite_where=sql_text("nsis_login"),
            postgresql_where=sql_text("nsis_login"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)

    # The date, as a solution's switch date: an interval with its precision and the source's own words.
    earliest_on: Mapped[date | None] = mapped_column(Date)
    latest_on: Mapped[date | None] = mapped_column(Date)
    precision: Mapped[str] = mapped_column(String(12), default=Precision.UNKNOWN.value)
    text: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12), default=SwitchState.UNKNOWN.value)
    status: Mapped[str] = mapped_column(String(20), default=Confidence.UNKNOWN.value)
    source_kind: Mapped[str | None] = mapped_column(String(20))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    evidence: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The day those affected must have acted by: as the source states it, or derived (lead time per kind).
    act_by_on: Mapped[date | None] = mapped_column(Date)
    act_by_derived: Mapped[bool] = mapped_column(Boolean, default=False)

    # The required NSIS level a ``loa`` transition brings, with its own confidence and provenance.
    required_loa: Mapped[str | None] = mapped_column(String(12))
    loa_status: Mapped[str] = mapped_column(String(20), default=Confidence.UNKNOWN.value)
    loa_source_kind: Mapped[str | None] = mapped_column(String(20))
    loa_source_url: Mapped[str | None] = mapped_column(String(1000))
    loa_evidence: Mapped[str | None] = mapped_column(Text)
    loa_recorded_by: Mapped[str | None] = mapped_column(String(200))
    loa_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[str] = mapped_column(String(20), default=TransitionCategory.STAY_INFORMED.value)
    major: Mapped[bool] = mapped_column(Boolean, default=False)
    who_must_act: Mapped[list[str]] = mapped_column(JSON, default=list)
    what_to_do: Mapped[str | None] = mapped_column(Text)
    # ``decommission``: the solution that replaces this one (no cycles; checked by the registry).
    replaced_by_solution_id: Mapped[int | None] = mapped_column(
        ForeignKey("solution.id", ondelete="SET NULL"), index=True
    )

    # The solution's NSIS login transition: mirrors its switch_* and loa_* columns (see the module docstring).
    nsis_login: Mapped[bool] = mapped_column(Boolean, default=False)
    # The day-one data's own key, so ``tracker seed`` adds each shipped transition once.
    starter_key: Mapped[str | None] = mapped_column(String(80), unique=True)

    # Raised on every change: the ETag of the API, the guard against lost updates, the calendars' SEQUENCE.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    solution: Mapped[Solution] = relationship(foreign_keys=[solution_id])
    replaced_by: Mapped[Solution | None] = relationship(foreign_keys=[replaced_by_solution_id])


class TransitionLeadTime(Base):
    """How many days before a transition's earliest day those affected should have acted, per kind.

    Coordinators change these; every derived act-by day of that kind follows.
    """

    __tablename__ = "transition_lead_time"
    __table_args__ = (CheckConstraint(f"kind IN ({sql_in(TransitionKind)})", name="kind"),)

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
