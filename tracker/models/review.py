"""Proposals: suggested changes from vendors, scrapers, municipalities, pending a coordinator's review."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.db import Base, UTCDateTime
from tracker.models.solutions import Solution
from tracker.models.transitions import Transition
from tracker.models.users import User

PROPOSAL_STATES = ("pending", "accepted", "rejected", "stale")
# What a proposal changes: the solution's tracked facts, or one of its transitions (a new one or a change).
PROPOSAL_TARGETS = ("solution", "transition")


class Proposal(Base):
    """A suggested change to one solution with its evidence; accepted (→ change event) or rejected."""

    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'accepted', 'rejected', 'stale')", name="state"),
        CheckConstraint("target IN ('solution', 'transition')", name="target"),
        Index("ix_proposal_state_created_at", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id", ondelete="CASCADE"), index=True)
    origin: Mapped[str] = mapped_column(String(20))  # vendor | scraper | municipality | coordinator
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    proposer_label: Mapped[str] = mapped_column(String(200))
    # 'solution': ``changes`` are the solution's fields; 'transition': a transition's (``transition_writes``'
    # names), for the transition ``transition_id`` names, or a new one when it is null.
    target: Mapped[str] = mapped_column(String(12), default="solution", server_default="solution")
    transition_id: Mapped[int | None] = mapped_column(ForeignKey("transition.id", ondelete="CASCADE"), index=True)
    # The transition version a change was proposed against; a later change of the transition makes it stale.
    transition_base_version: Mapped[int | None] = mapped_column(Integer)
    # The proposed field values, in the same shape the registry's update service takes.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    evidence: Mapped[str | None] = mapped_column(Text)
    # A scraper finding's reason: the cue word(s) or table column that make it a switch date or a level.
    cue: Mapped[str | None] = mapped_column(String(200))
    # The id of the rule (scrapers.rules) that read the finding, and the transition kind of its date or level.
    rule_id: Mapped[str | None] = mapped_column(String(40), index=True)
    transition_kind: Mapped[str | None] = mapped_column(String(20))
    # A coordinator rejected it as no fact at all (one click): it counts against its rule.
    not_a_fact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source_kind: Mapped[str | None] = mapped_column(String(20))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    # The solution version the proposal was made against; a later change makes it stale.
    base_version: Mapped[int] = mapped_column(Integer)
    # Scraper findings repeat on every run; the key keeps one proposal per distinct finding.
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("change_event.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    solution: Mapped[Solution] = relationship()
    proposer: Mapped[User | None] = relationship(foreign_keys=[proposer_id])
    transition: Mapped[Transition | None] = relationship()
