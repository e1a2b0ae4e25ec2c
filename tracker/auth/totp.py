"""TOTP second factor (RFC 6238, pyotp) with single-use recovery codes.

Required for coordinators and admins (they change the registry for everyone), offered to every user. A code
is accepted once (the last used time step is kept), one step of clock drift either way is allowed.

"Once" holds under parallel logins too: a time step is taken by a conditional UPDATE (only when it is newer
than the stored one), a recovery code is struck out under a lock on the user's row, so of several requests
sending the same code exactly one succeeds, on PostgreSQL as on SQLite.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from tracker.auth import audit
from tracker.auth.permissions import may
from tracker.clock import timestamp, utcnow
from tracker.errors import ValidationError
from tracker.models import User

ISSUER = "TU-tracker"
RECOVERY_CODES = 10
STEP = 30


def required_for(user: User) -> bool:
    """Whether the user's role requires a second factor."""
    return may(user, "account.second_factor")


def enabled(user: User) -> bool:
    """Whether the user has a confirmed second factor."""
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def begin_enrolment(session: Session, user: User) -> str:
    """A new (pending) secret for the user's authenticator app, unless one is already pending."""
    if enabled(user):
        raise ValidationError("auth.totp_already_enabled")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        session.flush()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    """The ``otpauth://`` address authenticator apps read (also as a QR code)."""
    assert user.totp_secret
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def confirm_enrolment(session: Session, user: User, code: str, *, now: float | None = None) -> list[str]:
    """Switch the second factor on with a first valid code; returns the recovery codes (shown once)."""
    if enabled(user) or not user.totp_secret:
        raise ValidationError("auth.totp_setup_not_started")
    step = _matching_step(user.totp_secret, code, timestamp() if now is None else now)
    if step is None:
        raise ValidationError("auth.totp_code_wrong", {"code": "Forkert kode."})
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    user.recovery_codes = [_hash_code(c) for c in codes]
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    audit.record(session, "user.totp_enabled", actor=user, object_type="user", object_id=user.id)
    session.flush()
    return codes


def _take_step(session: Session, user: User, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already is; True when this call took it.

    One conditional UPDATE: a parallel request that took the step first makes it match no row (PostgreSQL
    re-checks the condition after waiting for the other's row lock).
    """
    taken = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) != 1:
        return False
    session.refresh(user, ["totp_last_step"])
    return True


def _locked(session: Session, user: User) -> User:
    """The user's row, re-read under a row lock held until the transaction ends (parallel logins wait here)."""
    return session.execute(
        select(User).where(User.id == user.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def verify(session: Session, user: User, code: str, *, now: float | None = None) -> bool:
    """Whether the code (TOTP or an unused recovery code) is valid; a used code never works again."""
    if not enabled(user) or not code or len(code) > 40:
        return False
    assert user.totp_secret
    step = _matching_step(user.totp_secret, code, timestamp() if now is None else now)
    if step is not None:
        return _take_step(session, user, step)
    hashed = _hash_code(code)
    if not any(hmac.compare_digest(hashed, h) for h in user.recovery_codes or []):
        return False
    user = _locked(session, user)  # a parallel request may have struck the code out meanwhile
    remaining = list(user.recovery_codes or [])
    if not any(hmac.compare_digest(hashed, h) for h in remaining):
        return False
    user.recovery_codes = [h for h in remaining if h != hashed]
    audit.record(
        session,
        "user.recovery_code_used",
        actor=user,
        object_type="user",
        object_id=user.id,
        details={"remaining": len(user.recovery_codes)},
    )
    session.flush()
    return True


def current_code(secret: str, *, now: float | None = None) -> str:
    """The code an authenticator shows now (tests and the CLI use it; the UI never shows it)."""
    return pyotp.TOTP(secret).at(int(timestamp() if now is None else now))
