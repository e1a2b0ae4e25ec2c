"""Users, API tokens, login attempts (throttling across workers) and the security audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.db import Base, UTCDateTime
from tracker.models.municipalities import Municipality
from tracker.models.organisations import Organisation
from tracker.models.vocab import Role, sql_in


class User(Base):
    """A person with a role; vendors are bound to an organisation, municipality users to a municipality."""

    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint(f"role IN ({sql_in(Role)})", name="role"),
        CheckConstraint("role <> 'vendor' OR organisation_id IS NOT NULL", name="vendor_has_organisation"),
        CheckConstraint(
            "role <> 'municipality' OR municipality_id IS NOT NULL", name="municipality_user_has_municipality"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password reset / deactivation so old sessions stop working.
    session_nonce: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set with every one-time password (new user, reset): the next login must choose a new one first.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # RFC 6238 TOTP: the base32 secret (pending until ``totp_enabled_at``), the last time step used (no
    # replay of a code) and SHA-256 hashes of the unused recovery codes.
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column()
    recovery_codes: Mapped[list[str] | None] = mapped_column(JSON)
    # Single sign-on: the persistent professional UUID (OIOSAML) that identifies the person; such an account
    # has no password. ``cvr`` is the organisation its last assertion named.
    saml_uuid: Mapped[str | None] = mapped_column(String(200), unique=True)
    cvr: Mapped[str | None] = mapped_column(String(8))

    organisation: Mapped[Organisation | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()

    @property
    def label(self) -> str:
        """How the user is named in history: name and e-mail."""
        return f"{self.name} <{self.email}>" if self.name else self.email


class UserSession(Base):
    """A login session on the server: the cookie carries only its random id, so logout can end it."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Whether the login passed the second factor (required for coordinators and admins).
    second_factor: Mapped[bool] = mapped_column(Boolean, default=False)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A single sign-on session: the NSIS level the IdP asserted (lav|betydelig|hoej; None for a password
    # login), the IdP, and the subject and session index that a single logout names.
    nsis_level: Mapped[str | None] = mapped_column(String(12))
    saml_idp_id: Mapped[int | None] = mapped_column(ForeignKey("saml_idp.id", ondelete="SET NULL"), index=True)
    saml_name_id: Mapped[str | None] = mapped_column(String(500))
    saml_name_id_format: Mapped[str | None] = mapped_column(String(200))
    saml_session_index: Mapped[str | None] = mapped_column(String(200))
    # The IdP's SessionNotOnOrAfter: the session ends then, whatever the idle and absolute limits say.
    not_on_or_after: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token, stored only as a hash; shown once at creation, revocable, with last use."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """One login attempt; counted per account and per address to throttle across all workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_email_attempted_at", "email", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Security-relevant actions outside the registry (logins, user and token admin), append-only."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
