"""API bearer tokens: random, stored as SHA-256 hashes, shown once, revocable, with last use."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload

from tracker.auth import audit, token_cache
from tracker.clock import utcnow
from tracker.errors import NotFound
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
    """The active user a valid, unrevoked token belongs to; records its use.

    A token found valid in the last ``AUTH_CACHE_SECONDS`` is believed without a query (``token_cache``):
    a revocation or deactivation takes effect within that window.
    """
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    digest = hash_token(plain)
    cache = token_cache.token_cache()
    snapshot = cache.get(("api", digest))
    if snapshot is not None:
        return token_cache.attach(session, snapshot)
    # The user comes in the same query: every API read needs it, and a second round trip doubled auth's cost.
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest).options(joinedload(ApiToken.user)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        # A read request must not fail because it also notes the token's use: on SQLite, a reading
        # transaction cannot always take the write lock (another writer committed since it began). The
        # savepoint keeps such a failure local; the next request records the use instead.
        try:
            with session.begin_nested():
                row.last_used_at = now
        except OperationalError:
            pass
    cache.put(("api", digest), token_cache.user_snapshot(row.user))
    return row.user


def revoke_token(session: Session, token: ApiToken) -> None:
    """Revoke a token; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    token_cache.forget_all()


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """A user's own tokens, newest first, revoked ones included (they show when they stopped)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def issue_token(session: Session, user: User, name: str, *, remote_addr: str | None = None) -> tuple[ApiToken, str]:
    """Create a token for the user themselves, audited; the plain token is returned once."""
    name = name.strip()[:100]
    row, plain = create_token(session, user, name)
    audit.record(
        session,
        "token.create",
        actor=user,
        object_type="api_token",
        object_id=row.id,
        details={"name": name, "prefix": row.prefix},
        remote_addr=remote_addr,
    )
    return row, plain


def revoke_own_token(session: Session, user: User, token_id: int, *, remote_addr: str | None = None) -> ApiToken:
    """Revoke one of the user's own tokens. Another user's token id is 'not found', never a hint it exists."""
    row = session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if row is None or row.user_id != user.id:
        raise NotFound("auth.api_token_not_found")
    if row.revoked_at is None:
        revoke_token(session, row)
        audit.record(
            session,
            "token.revoke",
            actor=user,
            object_type="api_token",
            object_id=row.id,
            details={"name": row.name, "prefix": row.prefix},
            remote_addr=remote_addr,
        )
    session.flush()
    return row
