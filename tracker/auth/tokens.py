"""API bearer tokens: random, stored as SHA-256 hashes, shown once, revocable, with last use."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import ApiToken, User

TOKEN_PREFIX = "tut_"  # noqa: S105 - a public prefix that makes leaked tokens recognisable, not a secret
# Writing last_used_at on every request would turn reads into writes; a minute's precision is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """The stored form of a token. Tokens are 256-bit random, so a plain hash is enough (no guessing)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for a user; returns the row and the plain token, which is never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name[:100], prefix=plain[:10], token_hash=hash_token(plain))
    session.add(row)
    session.flush()
    return row, plain


def user_for_token(session: Session, plain: str) -> User | None:
    """The active user a valid, unrevoked token belongs to; records its use."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row.user


def revoke_token(session: Session, token: ApiToken) -> None:
    """Revoke a token; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
