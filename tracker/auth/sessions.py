"""Login sessions kept on the server: the cookie holds a random id whose hash is a ``user_session`` row.

Logging out ends the row, so a copied or replayed cookie stops working at once; a session also ends after
``SESSION_IDLE_TIMEOUT_SECONDS`` without a request and ``SESSION_MAX_AGE_SECONDS`` after login.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tracker.clock import utcnow
from tracker.models import User, UserSession

# How often the last-seen time is written: the idle timeout needs minutes, not every request.
SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session may be idle, and live at all."""

    idle: timedelta = timedelta(hours=8)
    max_age: timedelta = timedelta(days=7)


def _hash(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SsoDetails:
    """What a single sign-on session keeps: the asserted NSIS level, the IdP, and what a single logout names."""

    loa: str
    idp_id: int
    name_id: str
    name_id_format: str | None = None
    session_index: str | None = None
    not_on_or_after: datetime | None = None


def start_session(
    session: Session,
    user: User,
    *,
    second_factor: bool,
    remote_addr: str | None = None,
    sso: SsoDetails | None = None,
) -> tuple[UserSession, str]:
    """A new server-side session; returns the row and the random id for the cookie (never stored)."""
    plain = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        user_id=user.id,
        token_hash=_hash(plain),
        second_factor=second_factor,
        remote_addr=(remote_addr or "")[:64] or None,
        created_at=now,
        last_seen_at=now,
    )
    if sso is not None:
        row.nsis_level, row.saml_idp_id, row.saml_name_id = sso.loa, sso.idp_id, sso.name_id[:500]
        row.saml_name_id_format, row.saml_session_index = sso.name_id_format, sso.session_index
        row.not_on_or_after = sso.not_on_or_after
    session.add(row)
    session.flush()
    return row, plain


def live_session(session: Session, user_id: int, plain: str, policy: SessionPolicy) -> UserSession | None:
    """The user's session with this id if it has not ended, idled out or aged out; notes its use."""
    if not plain or len(plain) > 100:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _hash(plain)))
    now = utcnow()
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return None
    if now - row.last_seen_at > policy.idle or now - row.created_at > policy.max_age:
        return None
    if row.not_on_or_after is not None and now >= row.not_on_or_after:
        return None  # the IdP said how long its login holds
    if now - row.last_seen_at > SEEN_RESOLUTION:
        # As with API tokens: noting the use must never fail the request (SQLite may refuse the write lock).
        try:
            with session.begin_nested():
                row.last_seen_at = now
        except OperationalError:
            pass
    return row


def end_session(session: Session, row: UserSession) -> None:
    """End one session (logout)."""
    if row.ended_at is None:
        row.ended_at = utcnow()
        session.flush()


def end_all_sessions(session: Session, user: User) -> None:
    """End every session of a user (password change elsewhere, deactivation)."""
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
