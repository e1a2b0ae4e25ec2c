"""Single sign-on (SAML 2.0): the identity providers an admin trusts, outstanding requests, assertions seen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.clock import utcnow
from tracker.db import Base, UTCDateTime


class SamlIdp(Base):
    """An identity provider configured from its metadata, allowed to vouch for named CVR numbers only."""

    __tablename__ = "saml_idp"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    entity_id: Mapped[str] = mapped_column(String(500), unique=True)
    metadata_xml: Mapped[str] = mapped_column(Text)
    # Where the metadata was fetched (through the SSRF guard); None when an admin uploaded a file.
    metadata_url: Mapped[str | None] = mapped_column(String(1000))
    # The CVR numbers (8 digits) whose staff this IdP may log in; a broker such as NemLog-in may instead be
    # trusted for every municipality in the shipped list (``all_municipalities``).
    allowed_cvrs: Mapped[list[str]] = mapped_column(JSON, default=list)
    all_municipalities: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SamlRequest(Base):
    """An AuthnRequest we sent and still wait for: the response must name it (InResponseTo), once.

    Kept in the database, not the cookie session: the IdP posts back cross-site, where a SameSite=Lax
    session cookie is not sent; the browser is bound by a separate cookie whose hash is ``browser_hash``.
    """

    __tablename__ = "saml_request"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    idp_id: Mapped[int] = mapped_column(ForeignKey("saml_idp.id", ondelete="CASCADE"), index=True)
    browser_hash: Mapped[str] = mapped_column(String(64))
    next_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SamlAssertionSeen(Base):
    """An assertion ID already used to log in: a second use is a replay, refused by every worker."""

    __tablename__ = "saml_assertion_seen"

    assertion_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    idp_entity_id: Mapped[str] = mapped_column(String(500))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # After this the assertion would be refused as expired anyway, so the row may be pruned.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
