"""Municipalities (the 98), their identity providers and their portfolios of solutions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.db import Base, UTCDateTime
from tracker.models.solutions import Solution
from tracker.models.vocab import Loa, sql_in


class Municipality(Base):
    """A Danish municipality by its official 3-digit code. Region is data that changes (2027 merger)."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100))
    # A region change ahead (the 2027 merger): the new region, from when, and where that is stated.
    next_region: Mapped[str | None] = mapped_column(String(100))
    next_region_on: Mapped[date | None] = mapped_column(Date)
    next_region_source_url: Mapped[str | None] = mapped_column(String(1000))
    # Its CVR number (single sign-on maps an assertion's CVR here), with where it is stated and its confidence:
    # ``reported`` from the shipped third-party list, ``confirmed`` once an admin corrected or checked it.
    cvr: Mapped[str | None] = mapped_column(String(8), unique=True)
    cvr_status: Mapped[str | None] = mapped_column(String(20))
    cvr_source: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised (as ``data_version + 1`` in SQL, so concurrent edits never share a value) by every flush that writes
    # M's IdPs or portfolio (municipalities.data_version): the caches of readiness and calendars key on it.
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    idps: Mapped[list[Idp]] = relationship(back_populates="municipality", order_by="Idp.id")

    def region_on(self, day: date) -> str:
        """The region the municipality belongs to on ``day`` (the new one from its effective date)."""
        if self.next_region and self.next_region_on and day >= self.next_region_on:
            return self.next_region
        return self.region


class Idp(Base):
    """A municipality's identity provider, notified (anmeldt) at one NSIS level."""

    __tablename__ = "idp"
    __table_args__ = (
        CheckConstraint(f"notified_loa IN ({sql_in(Loa)})", name="notified_loa"),
        UniqueConstraint("municipality_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    user_group: Mapped[str | None] = mapped_column(String(200))
    notified_loa: Mapped[str] = mapped_column(String(12), default=Loa.UKENDT.value)
    broker: Mapped[str | None] = mapped_column(String(80))
    # The IdP staff use unless a portfolio entry names another.
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="idps")
    # Planned changes of the IdP and of the staff group it serves, by date (readiness over time).
    changes: Mapped[list[IdpChange]] = relationship(
        back_populates="idp",
        order_by="(IdpChange.effective_on, IdpChange.id)",
        foreign_keys="IdpChange.idp_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )


class IdpChangeKind(StrEnum):
    """What a planned change of an IdP (or of the staff group it serves) does from its date."""

    LOA = "loa"  # the IdP is notified at ``notified_loa`` from the date
    RETIRE = "retire"  # the IdP is closed from the date
    MOVE = "move"  # its staff group logs in through ``target_idp`` (another IdP of M) from the date
    LEAVE = "leave"  # its staff group leaves the municipality from the date (e.g. to a region in 2027)


class IdpChange(Base):
    """A dated change of one of M's IdPs or of its staff group (SPEC §8 "Readiness over time")."""

    __tablename__ = "idp_change"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(IdpChangeKind)})", name="kind"),
        CheckConstraint(f"notified_loa IS NULL OR notified_loa IN ({sql_in(Loa)})", name="notified_loa"),
        UniqueConstraint("idp_id", "kind", "effective_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    idp_id: Mapped[int] = mapped_column(ForeignKey("idp.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    effective_on: Mapped[date] = mapped_column(Date)
    notified_loa: Mapped[str | None] = mapped_column(String(12))
    target_idp_id: Mapped[int | None] = mapped_column(ForeignKey("idp.id", ondelete="CASCADE"), index=True)
    destination: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    idp: Mapped[Idp] = relationship(back_populates="changes", foreign_keys=[idp_id])
    target_idp: Mapped[Idp | None] = relationship(foreign_keys=[target_idp_id], lazy="joined")


# The IdPs (each serving one user group) whose staff use a portfolio entry's solution.
portfolio_entry_idp = Table(
    "portfolio_entry_idp",
    Base.metadata,
    Column("portfolio_entry_id", ForeignKey("portfolio_entry.id", ondelete="CASCADE"), primary_key=True),
    Column("idp_id", ForeignKey("idp.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class PortfolioEntry(Base):
    """A solution a municipality uses, with the IdPs whose staff log in to it (none named: the primary IdP)."""

    __tablename__ = "portfolio_entry"
    __table_args__ = (UniqueConstraint("municipality_id", "solution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    solution: Mapped[Solution] = relationship()
    idps: Mapped[list[Idp]] = relationship(secondary=portfolio_entry_idp, order_by="Idp.id")
