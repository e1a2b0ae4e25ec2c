"""Login throttling kept in the database, user and organisation administration with its audit trail, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth import admin, tokens
from tracker.auth.login import ThrottlePolicy, attempt_login, throttle_state
from tracker.auth.passwords import verify_password
from tracker.auth.users import create_user
from tracker.clock import utcnow
from tracker.errors import Conflict, Forbidden, NotFound, ValidationError
from tracker.models import AuditEntry, LoginAttempt, Organisation, User

POLICY = ThrottlePolicy(max_failures=10, window=timedelta(minutes=15))


def _audit(session: Session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


@pytest.fixture
def coordinator(session: Session) -> tuple[User, str]:
    return create_user(session, email="Koord@Example.dk", role="coordinator")


@pytest.fixture
def the_admin(session: Session) -> User:
    return (
        session.scalars(select(User).where(User.role == "admin")).first()
        or create_user(session, email="a@example.dk", role="admin")[0]
    )


def test_login_with_the_right_password_records_success_and_audit(
    session: Session, coordinator: tuple[User, str]
) -> None:
    user, password = coordinator
    outcome = attempt_login(
        session, email=" KOORD@example.dk ", password=password, remote_addr="10.0.0.1", policy=POLICY
    )
    assert outcome.user is user and not outcome.throttled
    assert user.last_login_at is not None
    assert _audit(session, "auth.login")[-1].actor_id == user.id


@pytest.mark.parametrize("email", ["koord@example.dk", "nobody@example.dk"])
def test_wrong_password_or_unknown_account_fails_the_same_way(
    session: Session, email: str, coordinator: tuple[User, str]
) -> None:
    outcome = attempt_login(session, email=email, password="forkert-forkert", remote_addr=None, policy=POLICY)
    assert outcome.user is None and not outcome.throttled
    attempt = session.scalars(select(LoginAttempt).order_by(LoginAttempt.id.desc())).first()
    assert attempt is not None and attempt.email == email and attempt.succeeded is False


def test_ten_failures_in_the_window_lock_the_account_even_with_the_right_password(
    session: Session, coordinator: tuple[User, str]
) -> None:
    user, password = coordinator
    for _ in range(10):
        attempt_login(session, email=user.email, password="forkert-forkert", remote_addr="10.0.0.2", policy=POLICY)
    outcome = attempt_login(session, email=user.email, password=password, remote_addr="10.0.0.2", policy=POLICY)
    assert outcome.throttled and outcome.user is None
    assert 0 < outcome.retry_after <= 15 * 60 + 1
    assert _audit(session, "auth.throttled")
    # Another account is not affected by this one's failures.
    other, other_password = create_user(session, email="other@example.dk", role="coordinator")
    assert (
        attempt_login(session, email=other.email, password=other_password, remote_addr="10.0.0.3", policy=POLICY).user
        is other
    )


def test_retry_after_is_the_time_left_in_the_window_not_the_whole_window(
    session: Session, coordinator: tuple[User, str]
) -> None:
    """Ten failures that began ten minutes ago leave five minutes (and a second's margin) to wait."""
    user, _password = coordinator
    now = utcnow()
    first = now - timedelta(minutes=10)
    session.add_all(
        LoginAttempt(email=user.email, succeeded=False, attempted_at=first + timedelta(seconds=i)) for i in range(10)
    )
    session.flush()
    assert throttle_state(session, user.email, None, POLICY, now=now) == 5 * 60 + 1


def test_failures_older_than_the_window_do_not_count(session: Session, coordinator: tuple[User, str]) -> None:
    user, password = coordinator
    old = utcnow() - timedelta(minutes=16)
    session.add_all(LoginAttempt(email=user.email, succeeded=False, attempted_at=old) for _ in range(12))
    session.flush()
    assert throttle_state(session, user.email, None, POLICY) == 0
    assert attempt_login(session, email=user.email, password=password, remote_addr=None, policy=POLICY).user is user


def test_a_success_ends_the_run_of_failures(session: Session, coordinator: tuple[User, str]) -> None:
    user, password = coordinator
    for _ in range(9):
        attempt_login(session, email=user.email, password="forkert-forkert", remote_addr=None, policy=POLICY)
    assert attempt_login(session, email=user.email, password=password, remote_addr=None, policy=POLICY).user
    for _ in range(9):
        attempt_login(session, email=user.email, password="forkert-forkert", remote_addr=None, policy=POLICY)
    assert throttle_state(session, user.email, None, POLICY) == 0


def test_one_address_spraying_many_accounts_is_throttled(session: Session) -> None:
    for i in range(50):
        attempt_login(session, email=f"guess{i}@example.dk", password="x", remote_addr="203.0.113.9", policy=POLICY)
    assert throttle_state(session, "fresh@example.dk", "203.0.113.9", POLICY) > 0
    assert throttle_state(session, "fresh@example.dk", "203.0.113.10", POLICY) == 0


def test_deactivated_user_cannot_log_in(session: Session, the_admin: User, coordinator: tuple[User, str]) -> None:
    user, password = coordinator
    admin.set_active(session, admin=the_admin, user=user, active=False)
    assert attempt_login(session, email=user.email, password=password, remote_addr=None, policy=POLICY).user is None


def test_admin_actions_are_audited(session: Session, the_admin: User) -> None:
    user, _ = admin.admin_create_user(
        session, admin=the_admin, email="ny@example.dk", role="vendor", organisation="kmd", municipality=None, name="Ny"
    )
    nonce = user.session_nonce
    new_password = admin.reset_password(session, admin=the_admin, user=user)
    assert verify_password(user.password_hash, new_password) and user.session_nonce != nonce
    admin.change_role(session, admin=the_admin, user=user, role="municipality", municipality="101")
    assert user.organisation_id is None and user.municipality_id is not None
    admin.set_active(session, admin=the_admin, user=user, active=False)
    admin.set_active(session, admin=the_admin, user=user, active=True)
    org = admin.create_organisation(session, actor=the_admin, slug="acme", name="ACME", kind="vendor")
    admin.set_trusted(session, actor=the_admin, organisation=org, trusted=True)
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    for action in (
        "user.create",
        "user.reset_password",
        "user.change_role",
        "user.deactivate",
        "user.activate",
        "organisation.create",
        "organisation.trust",
    ):
        assert action in actions
    entry = _audit(session, "user.reset_password")[-1]
    assert entry.actor_id == the_admin.id and entry.object_id == str(user.id)
    assert new_password not in str(entry.details)


def test_admin_guards(session: Session, the_admin: User, coordinator: tuple[User, str]) -> None:
    user, _ = coordinator
    with pytest.raises(Forbidden):
        admin.reset_password(session, admin=user, user=the_admin)
    with pytest.raises(Conflict):
        admin.set_active(session, admin=the_admin, user=the_admin, active=False)
    with pytest.raises(ValidationError):
        admin.change_role(session, admin=the_admin, user=user, role="vendor")  # a vendor needs an organisation
    with pytest.raises(ValidationError):
        admin.change_role(session, admin=the_admin, user=user, role="superuser")
    kl = session.scalars(select(Organisation).where(Organisation.slug == "kl")).one()
    with pytest.raises(ValidationError):
        admin.set_trusted(session, actor=the_admin, organisation=kl, trusted=True)  # only vendors
    with pytest.raises(Conflict):
        admin.create_organisation(session, actor=the_admin, slug="kmd", name="KMD igen", kind="vendor")


def test_last_active_admin_keeps_the_role(session: Session) -> None:
    admins = list(session.scalars(select(User).where(User.role == "admin", User.is_active.is_(True))))
    only = admins[0]
    for extra in admins[1:]:
        admin.set_active(session, admin=only, user=extra, active=False)
    with pytest.raises(Conflict):
        admin.change_role(session, admin=only, user=only, role="coordinator")


def test_own_password_change_checks_the_current_one(session: Session, coordinator: tuple[User, str]) -> None:
    user, password = coordinator
    with pytest.raises(ValidationError):
        admin.change_own_password(session, user=user, current="forkert", new="en-lang-ny-adgangskode")
    with pytest.raises(ValidationError):
        admin.change_own_password(session, user=user, current=password, new="kort")
    admin.change_own_password(session, user=user, current=password, new="en-lang-ny-adgangskode")
    assert verify_password(user.password_hash, "en-lang-ny-adgangskode")


def test_tokens_are_listed_revoked_and_private(session: Session, coordinator: tuple[User, str]) -> None:
    user, _ = coordinator
    other, _ = create_user(session, email="anden@example.dk", role="coordinator")
    row, plain = tokens.issue_token(session, user, "CI")
    assert tokens.user_for_token(session, plain) is user and row.last_used_at is not None
    assert [t.id for t in tokens.list_tokens(session, user)] == [row.id]
    with pytest.raises(NotFound):
        tokens.revoke_own_token(session, other, row.id)
    tokens.revoke_own_token(session, user, row.id)
    assert tokens.user_for_token(session, plain) is None
    assert [e.action for e in _audit(session, "token.create") + _audit(session, "token.revoke")] == [
        "token.create",
        "token.revoke",
    ]


@pytest.mark.parametrize("weak", ["password1234", "qwertyuiop123", "iloveyou1234", "Password123!", "aaaaaaaaaaaaaaaa"])
def test_common_and_patterned_passwords_are_refused(weak: str) -> None:
    from tracker.auth.passwords import password_problem

    assert password_problem(weak) is not None


def test_strong_and_long_passwords_are_accepted_and_personal_ones_refused() -> None:
    from tracker.auth.passwords import password_problem

    assert password_problem("et-helt-nyt-kodeord-2026") is None
    assert password_problem("Zq7!" + "x9Kp" * 15) is None  # 64 characters
    assert password_problem("jens.hansen2026", ("jens.hansen@aarhus.dk", "jens.hansen")) is not None
