"""Test accounts for every role, bearer headers, and logged-in test clients with their CSRF token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, object_session

from tracker.auth.sessions import start_session
from tracker.auth.tokens import create_token
from tracker.auth.totp import begin_enrolment, confirm_enrolment, current_code
from tracker.auth.users import create_user
from tracker.models import User

ROLES = ("anonymous", "admin", "coordinator", "vendor_owner", "vendor_other", "municipality")
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@dataclass
class Account:
    """A user with the password they were given and an API token."""

    user: User
    password: str
    token: str

    @property
    def bearer(self) -> dict[str, str]:
        """The Authorization header of the account's API token."""
        return bearer(self.token)


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for an API token."""
    return {"Authorization": f"Bearer {token}"}


def make_user(session: Session, email: str, role: str, **kwargs: Any) -> User:
    """A user of the role, flushed (vendors need ``organisation=``, municipality users ``municipality=``)."""
    user, _ = create_user(session, email=email, role=role, **kwargs)
    return user


def make_account(
    session: Session, role: str, email: str, *, organisation: str | None = None, municipality: str | None = None
) -> Account:
    """Create a user (flushed, not committed) with an API token."""
    user, password = create_user(
        session, email=email, role=role, organisation=organisation, municipality=municipality, name=email.split("@")[0]
    )
    _, token = create_token(session, user, "test")
    user.must_change_password = False  # an account in use; tests of the first login set it again
    return Account(user=user, password=password, token=token)


def make_role_accounts(session: Session) -> dict[str, Account]:
    """One account per role of the authorization matrix (KMD is the vendor of kmd-nexus; Netcompany of Aula)."""
    accounts = {
        "admin": make_account(session, "admin", "matrix-admin@example.dk"),
        "coordinator": make_account(session, "coordinator", "matrix-coord@example.dk"),
        "vendor_owner": make_account(session, "vendor", "matrix-kmd@example.dk", organisation="kmd"),
        "vendor_other": make_account(session, "vendor", "matrix-netcompany@example.dk", organisation="netcompany"),
        "municipality": make_account(session, "municipality", "matrix-kbh@example.dk", municipality="101"),
    }
    session.commit()
    return accounts


def log_in(client: FlaskClient, user: User) -> None:
    """Start a login session for the user without going through the form (tested on its own).

    The session is what a completed login leaves: a server-side session row that passed the second factor,
    for an account whose one-time password has been replaced.
    """
    db = object_session(user)
    assert db is not None, "log_in needs a user attached to the test's session"
    user.must_change_password = False
    _, sid = start_session(db, user, second_factor=True)
    db.flush()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user.id}:{user.session_nonce}:{sid}"
        sess["_fresh"] = True


@dataclass
class SecondFactor:
    """A user's TOTP secret and recovery codes (each code works once; TOTP once per 30-second step)."""

    secret: str
    recovery_codes: list[str]

    def next_code(self) -> str:
        """A code that has not been used: the recovery codes, as a test may log in several times a step."""
        return self.recovery_codes.pop()


def enrol_totp(session: Session, user: User) -> SecondFactor:
    """Switch the second factor on for a user as the setup page would."""
    secret = begin_enrolment(session, user)
    codes = confirm_enrolment(session, user, current_code(secret))
    session.flush()
    return SecondFactor(secret, codes)


def form_login(
    client: FlaskClient,
    email: str,
    password: str,
    *,
    second_factor: SecondFactor | None = None,
    next_path: str | None = None,
) -> Any:
    """Log in through the real forms: password, then (when asked) a code; returns the last response."""
    token = csrf_token(client, "/login")
    url = "/login" + (f"?next={next_path}" if next_path else "")
    resp = client.post(url, data={"csrf_token": token, "email": email, "password": password})
    if resp.status_code == 302 and resp.headers["Location"].endswith("/login/kode") and second_factor is not None:
        token = csrf_token(client, "/login/kode")
        resp = client.post("/login/kode", data={"csrf_token": token, "code": second_factor.next_code()})
    return resp


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page with a form."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def client_for(app: Flask, account: Account | None) -> tuple[FlaskClient, str]:
    """A test client logged in as the account (or anonymous), and its CSRF token."""
    client = app.test_client()
    if account is not None:
        log_in(client, account.user)
    return client, csrf_token(client)
