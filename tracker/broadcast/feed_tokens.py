"""A municipality's private feed/calendar tokens: random, stored as SHA-256 hashes, shown once, revocable.

The token goes in the URL (``?token=…``) because feed readers and calendar apps cannot send headers. Only the
municipality's own users and coordinators may create, list (never the plain value) or revoke them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth import audit, token_cache
from tracker.auth.permissions import require
from tracker.clock import utcnow
from tracker.errors import NotFound
from tracker.models import FeedToken, Municipality, User

TOKEN_PREFIX = "ftk_"  # noqa: S105 - a public prefix, not a secret
MAX_TOKEN_LENGTH = 200


def hash_token(plain: str) -> str:
    """The stored form. Tokens are 256-bit random, so a plain hash suffices (nothing to guess)."""
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def require_access(user: User | None, municipality: Municipality) -> User:
    """The user if they may manage this municipality's tokens (its own users, coordinators, admins)."""
    return require(user, "municipality.feed_tokens", municipality)


def _audit(session: Session, user: User, action: str, token: FeedToken, municipality: Municipality) -> None:
    audit.record(
        session,
        action,
        actor=user,
        object_type="feed_token",
        object_id=token.id,
        details={"municipality": municipality.code},
    )


def create_token(session: Session, user: User | None, municipality: Municipality) -> tuple[FeedToken, str]:
    """A new token for the municipality; returns the row and the plain token, which is never stored."""
    user = require_access(user, municipality)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = FeedToken(municipality_id=municipality.id, token_hash=hash_token(plain), created_by_id=user.id)
    session.add(row)
    session.flush()
    _audit(session, user, "feed_token.created", row, municipality)
    return row, plain


def list_tokens(session: Session, user: User | None, municipality: Municipality) -> list[FeedToken]:
    """The municipality's tokens (hashes only), newest first."""
    require_access(user, municipality)
    return list(
        session.scalars(
            select(FeedToken).where(FeedToken.municipality_id == municipality.id).order_by(FeedToken.id.desc())
        )
    )


def revoke_token(session: Session, user: User | None, municipality: Municipality, token_id: int) -> FeedToken:
    """Revoke one token; feeds and calendars using it stop working at once."""
    user = require_access(user, municipality)
    row = session.get(FeedToken, token_id) if 0 < token_id < 2**31 else None
    if row is None or row.municipality_id != municipality.id:
        raise NotFound("broadcast.feed_token_not_found", token_id=token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        token_cache.forget_all()  # this worker at once; the others within AUTH_CACHE_SECONDS
        session.flush()
        _audit(session, user, "feed_token.revoked", row, municipality)
    return row


def private_links(municipality: Municipality, token: str | None, absolute: Callable[[str], str]) -> dict[str, str]:
    """The municipality's private addresses with the token: feeds, calendar, and the calendar as webcal://
    (which calendar apps open as a subscription)."""
    query: dict[str, Any] = {"token": token} if token else {}
    ics = absolute(url_for("broadcast.municipality_calendar", code=municipality.code, **query))
    return {
        "atom": absolute(url_for("broadcast.municipality_feed", code=municipality.code, fmt="atom", **query)),
        "rss": absolute(url_for("broadcast.municipality_feed", code=municipality.code, fmt="rss", **query)),
        "ics": ics,
        "webcal": webcal(ics),
    }


def webcal(url: str) -> str:
    """The webcal:// form of an http(s) calendar address."""
    return "webcal://" + url.split("://", 1)[1] if "://" in url else url


def token_is_valid(session: Session, municipality_id: int, plain: str | None) -> bool:
    """Whether the plain token is an unrevoked token of this municipality whose creator is still active.

    A token found valid in the last ``AUTH_CACHE_SECONDS`` is believed without a query (``token_cache``):
    a revocation or deactivation takes effect within that window (at once on the worker that made it).
    """
    if not plain or not plain.startswith(TOKEN_PREFIX) or len(plain) > MAX_TOKEN_LENGTH:
        return False
    digest = hash_token(plain)
    cache = token_cache.token_cache()
    known = cache.get(("feed", digest))
    if known is None:
        row = session.scalar(select(FeedToken).where(FeedToken.token_hash == digest))
        if row is None or row.revoked_at is not None:
            return False
        # A token whose creator was deactivated stops working too (deactivation revokes it; older rows are checked).
        creator = session.get(User, row.created_by_id) if row.created_by_id is not None else None
        if creator is not None and not creator.is_active:
            return False
        known = row.municipality_id
        cache.put(("feed", digest), known)
    return bool(known == municipality_id)
