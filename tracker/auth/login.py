"""Password login with throttling kept in the database, so the limit holds across every gunicorn worker.

``attempt_login`` never raises for a wrong password or a throttled account: it returns the outcome, so the
caller can commit the recorded attempt whatever the answer is (a raised error would roll it back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from tracker.auth import audit
from tracker.auth.passwords import hash_password, verify_password
from tracker.clock import utcnow
from tracker.errors import AppError
from tracker.models import LoginAttempt, User

# Address-wide limit, as a multiple of the per-account one: stops one client spraying many accounts
# without letting one noisy office NAT lock everybody out at the per-account threshold.
ADDRESS_FACTOR = 5
KNOWN_ADDRESS_DAYS = timedelta(days=90)
_DUMMY_HASH: list[str] = []


class TooManyAttempts(AppError):
    """Too many failed logins for this account (or from this address) in the window."""

    status = 429
    code = "too_many_requests"


@dataclass(frozen=True)
class ThrottlePolicy:
    """At most ``max_failures`` failed logins per account within ``window``."""

    max_failures: int = 10
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt came to: a user, a refusal, or a throttle with seconds to wait."""

    user: User | None
    throttled: bool = False
    retry_after: int = 0


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding space."""
    return email.strip().lower()[:254]


def _dummy_hash() -> str:
    # Verifying against a real hash when the account does not exist keeps the timing the same,
    # so response times do not tell which e-mail addresses have accounts.
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("not-a-real-password-just-for-timing"))
    return _DUMMY_HASH[0]


def _counted_failures(session: Session, *conditions: ColumnElement[bool]) -> tuple[int, datetime | None]:
    count, oldest = session.execute(
        select(func.count(LoginAttempt.id), func.min(LoginAttempt.attempted_at)).where(
            LoginAttempt.succeeded.is_(False),
            *conditions,
        )
    ).one()
    return int(count or 0), oldest


def throttle_waits(
    session: Session, email: str, remote_addr: str | None, policy: ThrottlePolicy, now: datetime | None = None
) -> tuple[int, int]:
    """Seconds until this account, and this address, may try again (0: now)."""
    now = now or utcnow()
    since = now - policy.window
    last_success = session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True), LoginAttempt.attempted_at > since
        )
    )
    # A successful login ends the run of failures before it: the owner is not locked out by old typos.
    account_since = max(since, last_success) if last_success is not None else since
    account_wait = address_wait = 0
    count, oldest = _counted_failures(session, LoginAttempt.email == email, LoginAttempt.attempted_at > account_since)
    if count >= policy.max_failures and oldest is not None:
        account_wait = _seconds(oldest + policy.window - now)
    if remote_addr:
        count, oldest = _counted_failures(
            session, LoginAttempt.remote_addr == remote_addr, LoginAttempt.attempted_at > since
        )
        if count >= policy.max_failures * ADDRESS_FACTOR and oldest is not None:
            address_wait = _seconds(oldest + policy.window - now)
    return account_wait, address_wait


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds()) + 1)


def throttle_state(
    session: Session, email: str, remote_addr: str | None, policy: ThrottlePolicy, now: datetime | None = None
) -> int:
    """Seconds until this account (or address) may try again; 0 when it may try now."""
    return max(throttle_waits(session, email, remote_addr, policy, now))


def known_address(session: Session, email: str, remote_addr: str | None) -> bool:
    """Whether this account has logged in successfully from this address before (within the last 90 days)."""
    if not remote_addr or not email:
        return False
    since = utcnow() - KNOWN_ADDRESS_DAYS
    found = session.scalar(
        select(LoginAttempt.id)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.remote_addr == remote_addr,
            LoginAttempt.succeeded.is_(True),
            LoginAttempt.attempted_at > since,
        )
        .limit(1)
    )
    return found is not None


def attempt_login(
    session: Session, *, email: str, password: str, remote_addr: str | None, policy: ThrottlePolicy
) -> LoginOutcome:
    """Check the throttle, verify the password, record the attempt (and an audit entry). Flushes only."""
    email = normalise_email(email)
    now = utcnow()
    account_wait, address_wait = throttle_waits(session, email, remote_addr, policy, now)
    # The address-wide limit stops one client spraying many accounts; it must not lock out the people behind
    # the same address (an office NAT): an account that logged in from here before may still try. Its own
    # per-account limit still holds, and coordinators and admins still need their second factor.
    if address_wait and not account_wait and known_address(session, email, remote_addr):
        address_wait = 0
    wait = max(account_wait, address_wait)
    if wait:
        audit.record(
            session,
            "auth.throttled",
            actor=None,
            actor_label=email or "anonym",
            details={"email": email, "retry_after": wait},
            remote_addr=remote_addr,
        )
        return LoginOutcome(user=None, throttled=True, retry_after=wait)
    user = session.scalar(select(User).where(User.email == email)) if email else None
    ok = verify_password(user.password_hash if user is not None else _dummy_hash(), password)
    ok = ok and user is not None and user.is_active
    session.add(LoginAttempt(email=email, remote_addr=remote_addr, succeeded=ok, attempted_at=now))
    if not ok or user is None:
        audit.record(
            session,
            "auth.login_failed",
            actor=None,
            actor_label=email or "anonym",
            details={"email": email},
            remote_addr=remote_addr,
        )
        session.flush()
        return LoginOutcome(user=None)
    user.last_login_at = now
    audit.record(session, "auth.login", actor=user, object_type="user", object_id=user.id, remote_addr=remote_addr)
    return LoginOutcome(user=user)
