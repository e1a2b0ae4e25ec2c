"""Test accounts for every role, bearer headers, and logged-in test clients with their CSRF token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker.auth.tokens import create_token
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
    """Start a Flask-Login session for the user without going through the form (tested on its own)."""
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user.id}:{user.session_nonce}"
        sess["_fresh"] = True


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
