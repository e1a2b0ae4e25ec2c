"""Inquiries ("ask once, answered for all 98") and shared risk assessments made on behalf of many.

Who asked and who answered is kept as user ids (private: mail needs them); what the public sees is the
municipality or organisation, never a person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.db import Base, UTCDateTime
from tracker.models.municipalities import Municipality
from tracker.models.organisations import Organisation
from tracker.models.solutions import Solution

INQUIRY_STATES = ("open", "asked", "answered", "closed")
ASSESSED_LEVELS = ("lav", "betydelig", "hoej")


class Inquiry(Base):
    """A question about one solution, to its vendor or service provider; municipalities join it."""

    __tablename__ = "inquiry"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'asked', 'answered', 'closed')", name="state"),
        Index("ix_inquiry_solution_id_state", "solution_id", "state"),
        Index("ix_inquiry_state_created_at", "state", "created_at"),
        Index("ix_inquiry_asker_id_created_at", "asker_id", "created_at"),
        Index("ix_inquiry_waiting_created_at", "waiting", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="open")
    # Distinct municipalities among the followers, kept here so lists sort by it from an index.
    waiting: Mapped[int] = mapped_column(Integer, default=0)
    # Private: the person who asked (for the daily limit and mail). Public: the municipality, or KL.
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    asker_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    asker_label: Mapped[str] = mapped_column(String(200))
    asked_note: Mapped[str | None] = mapped_column(Text)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answer_source_url: Mapped[str | None] = mapped_column(String(1000))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answerer_label: Mapped[str | None] = mapped_column(String(200))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    solution: Mapped[Solution] = relationship()
    asker_municipality: Mapped[Municipality | None] = relationship()
    followers: Mapped[list[InquiryFollower]] = relationship(
        back_populates="inquiry", order_by="InquiryFollower.id", cascade="all, delete-orphan"
    )


class InquiryFollower(Base):
    """One user waiting for an answer (the asker too); ``waiting`` counts their distinct municipalities."""

    __tablename__ = "inquiry_follower"
    __table_args__ = (UniqueConstraint("inquiry_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiry.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inquiry: Mapped[Inquiry] = relationship(back_populates="followers")


class RiskAssessment(Base):
    """A risk assessment of one solution made by one municipality or organisation on behalf of others."""

    __tablename__ = "risk_assessment"
    __table_args__ = (
        CheckConstraint("concluded_loa IN ('lav', 'betydelig', 'hoej')", name="concluded_loa"),
        CheckConstraint("by_municipality_id IS NOT NULL OR by_organisation_id IS NOT NULL", name="made_by_someone"),
        Index("ix_risk_assessment_solution_id_assessed_on", "solution_id", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id", ondelete="CASCADE"))
    by_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    # "all", or the municipality codes it was made for.
    on_behalf_of: Mapped[Any] = mapped_column(JSON)
    assessed_on: Mapped[date] = mapped_column(Date)
    concluded_loa: Mapped[str] = mapped_column(String(12))
    document_url: Mapped[str | None] = mapped_column(String(1000))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    solution: Mapped[Solution] = relationship()
    by_municipality: Mapped[Municipality | None] = relationship()
    by_organisation: Mapped[Organisation | None] = relationship()
