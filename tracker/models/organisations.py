"""Organisations: authorities (service providers), vendors, KL, KOMBIT."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.clock import utcnow
from tracker.db import Base, UTCDateTime
from tracker.models.vocab import OrganisationKind, sql_in


class Organisation(Base):
    """A service provider, vendor or coordinating body."""

    __tablename__ = "organisation"
    __table_args__ = (CheckConstraint(f"kind IN ({sql_in(OrganisationKind)})", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=OrganisationKind.OTHER.value)
    url: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    # A trusted vendor's proposals are accepted at once and recorded as 'reported' by that vendor.
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Its CVR number: single sign-on maps an assertion's CVR to the organisation (KL's makes coordinators).
    cvr: Mapped[str | None] = mapped_column(String(8), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
