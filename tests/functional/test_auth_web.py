"""Logging in and out through the real form: argon2, CSRF, session cookie, safe redirects, throttling in the
database that holds across workers (two apps on one database stand in for two gunicorn workers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import SecondFactor, csrf_token, enrol_totp, form_login
from tests.support.apps import make_test_app
from tests.support.fresh import migrate_and_seed
from tracker.auth.users import create_user
from tracker.db import get_db
from tracker.models import AuditEntry, LoginAttempt

SECOND_FACTORS: dict[str, SecondFactor] = {}


@pytest.fixture
def person(session: Session) -> tuple[str, str]:
    """A coordinator who has chosen a password and set up the second factor their role requires."""
    user, password = create_user(session, email="login@example.dk", role="coordinator", name="Lise Login")
    user.must_change_password = False
    SECOND_FACTORS[user.email] = enrol_totp(session, user)
    session.commit()
    return user.email, password


def _login(client: FlaskClient, email: str, password: str, next_path: str | None = None) -> Any:
    factor = SECOND_FACTORS.get(email.lower())
    return form_login(client, email, password, second_factor=factor, next_path=next_path)


def test_login_and_logout_through_the_form(client: FlaskClient, session: Session, person: tuple[str, str]) -> None:
    email, password = person
    wrong = _login(client, email, "not-the-password")
    assert wrong.status_code == 401 and "Forkert e-mail eller adgangskode." in wrong.get_data(as_text=True)
    ok = _login(client, email.upper(), password)
    assert ok.status_code == 302 and ok.headers["Location"] == "/"
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = client.get("/").get_data(as_text=True)
    assert "Log ud" in home and "Forslag til gennemsyn" in home
    token = csrf_token(client, "/konto")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert "Log ind" in client.get("/").get_data(as_text=True)
    assert client.get("/konto").status_code == 302
    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.actor_label.contains("login@"))))
    assert {"auth.login_failed", "auth.login", "auth.logout"} <= set(actions)


def test_logout_needs_post_with_csrf(client: FlaskClient, person: tuple[str, str]) -> None:
    _login(client, *person)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert "Log ud" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("next_path", "expected"),
    [
        ("/forslag", "/forslag"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\t/evil.example", "/"),  # a tab is stripped by URL parsers, which would make it '//evil.example'
        ("/\n/evil.example", "/"),
        ("/ /evil.example", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_login_returns_only_to_same_site_paths(
    client: FlaskClient, person: tuple[str, str], next_path: str, expected: str
) -> None:
    resp = _login(client, *person, next_path=next_path)
    assert resp.status_code == 302 and resp.headers["Location"] == expected


def test_login_form_refuses_empty_input(client: FlaskClient) -> None:
    token = csrf_token(client, "/login")
    resp = client.post("/login", data={"csrf_token": token, "email": "", "password": ""})
    assert resp.status_code == 422 and "Skal udfyldes." in resp.get_data(as_text=True)


def test_password_change_keeps_this_session_and_ends_others(app: Flask, person: tuple[str, str]) -> None:
    email, password = person
    mine, other = app.test_client(), app.test_client()
    _login(mine, email, password)
    _login(other, email, password)
    token = csrf_token(mine, "/konto")
    resp = mine.post(
        "/konto/adgangskode", data={"csrf_token": token, "current": password, "new": "et-helt-nyt-kodeord-2026"}
    )
    assert resp.status_code == 302
    assert mine.get("/konto").status_code == 200
    assert other.get("/konto").status_code == 302
    fresh = app.test_client()
    assert _login(fresh, email, password).status_code == 401
    assert _login(fresh, email, "et-helt-nyt-kodeord-2026").status_code == 302


@pytest.fixture
def two_workers(fresh_db: str) -> Iterator[tuple[Flask, Flask, str, str]]:
    """Two separate apps (as two gunicorn workers) on one committed database with one user."""
    migrate_and_seed(fresh_db)
    first, second = make_test_app(fresh_db), make_test_app(fresh_db)
    with get_db(first).unit_of_work() as session:
        user, password = create_user(session, email="throttle@example.dk", role="vendor", organisation="kmd")
        email = user.email
    yield first, second, email, password
    for app in (first, second):
        get_db(app).engine.dispose()


def test_throttling_holds_across_workers(two_workers: tuple[Flask, Flask, str, str]) -> None:
    first, second, email, password = two_workers
    with first.app_context():
        client = first.test_client()
        for _ in range(10):
            assert _login(client, email, "wrong-password").status_code == 401
    with second.app_context():
        other = second.test_client()
        resp = _login(other, email, password)  # the right password, on another worker
        assert resp.status_code == 429
        assert int(resp.headers["Retry-After"]) > 0
        assert "For mange mislykkede forsøg" in resp.get_data(as_text=True)
    with get_db(second).unit_of_work() as session:
        failures = session.scalar(
            select(func.count()).where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(False))
        )
        assert failures == 10  # refused attempts while throttled are not even checked
        assert session.scalar(select(func.count()).where(AuditEntry.action == "auth.throttled")) == 1


def test_login_page_in_english(client: FlaskClient) -> None:
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert re.search(r"<h1>Log in</h1>", html) and "The registry can be read without logging in." in html
