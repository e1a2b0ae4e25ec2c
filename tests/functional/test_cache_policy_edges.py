"""A public endpoint's error answers are never kept by a shared cache: only 200 and 304 are (mutant H2). A 404
cached in front of the app would hide a solution created a moment later for the whole max-age."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.accounts import log_in, make_user


@pytest.mark.parametrize("url", ["/api/v1/solutions/findes-ikke", "/loesninger/findes-ikke", "/kilder/findes-ikke"])
def test_a_missing_public_object_is_not_public_cacheable(client: FlaskClient, url: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 404
    cache_control = resp.headers.get("Cache-Control", "")
    assert "public" not in cache_control and "max-age" not in cache_control, cache_control


def test_the_same_endpoint_found_is_public(client: FlaskClient) -> None:
    resp = client.get("/api/v1/solutions/aula")
    assert resp.status_code == 200 and resp.headers["Cache-Control"].startswith("public, max-age=")


def test_a_page_that_shows_a_secret_stays_no_store(app: Flask, session: Session) -> None:
    """The second-factor setup page shows the TOTP secret: its view says no-store, and the after-request policy
    never weakens that to 'private, no-cache' (mutant H6)."""
    user = make_user(session, "koord@kl.example.dk", "coordinator")
    session.commit()
    client = app.test_client()
    log_in(client, user)
    resp = client.get("/konto/totp")
    session.refresh(user)
    assert resp.status_code == 200 and user.totp_secret and user.totp_secret in resp.get_data(as_text=True)
    assert resp.headers["Cache-Control"] == "no-store"
