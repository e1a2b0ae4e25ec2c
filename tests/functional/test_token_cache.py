"""The per-worker token cache: a revoked or deactivated token stops working within the window, never later.

The window is measured on an injected clock, so the tests step past it instead of sleeping. A revocation
made by "another worker" is a direct database write here (it does not clear this worker's memory).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import make_account
from tracker.auth import token_cache
from tracker.auth.tokens import hash_token, revoke_token
from tracker.broadcast import feed_tokens
from tracker.clock import utcnow
from tracker.models import ApiToken, FeedToken, Municipality

WINDOW = 5.0
READINESS = "/api/v1/municipalities/101/readiness"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app: Flask) -> Iterator[Clock]:
    """This app's token cache on a hand-moved clock, with a 5-second window; the app's own cache afterwards."""
    clock = Clock()
    previous = app.extensions.get("tracker.token_cache")
    app.extensions["tracker.token_cache"] = token_cache.TokenCache(WINDOW, clock=clock)
    try:
        yield clock
    finally:
        if previous is None:
            app.extensions.pop("tracker.token_cache", None)
        else:
            app.extensions["tracker.token_cache"] = previous


def _token_row(session: Session, plain: str) -> ApiToken:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    assert row is not None
    return row


def test_a_token_revoked_elsewhere_stops_working_once_the_window_has_passed(
    session: Session, client: FlaskClient, clock: Clock
) -> None:
    account = make_account(session, "municipality", "cache-kbh@example.dk", municipality="101")
    session.commit()
    assert client.get(READINESS, headers=account.bearer).status_code == 200
    _token_row(session, account.token).revoked_at = utcnow()  # another worker revokes it
    session.commit()
    clock.now += WINDOW - 0.1
    assert client.get(READINESS, headers=account.bearer).status_code == 200  # believed within the window
    clock.now += 0.1
    response = client.get(READINESS, headers=account.bearer)
    assert response.status_code == 401
    assert "tilbagekaldt" in response.get_json()["error"]["message"]


def test_a_deactivated_user_is_refused_once_the_window_has_passed(
    session: Session, client: FlaskClient, clock: Clock
) -> None:
    account = make_account(session, "municipality", "cache-deact@example.dk", municipality="101")
    session.commit()
    assert client.get(READINESS, headers=account.bearer).status_code == 200
    account.user.is_active = False  # deactivated by another worker
    session.commit()
    clock.now += WINDOW
    assert client.get(READINESS, headers=account.bearer).status_code == 401


def test_a_revocation_in_this_worker_takes_effect_at_once(session: Session, client: FlaskClient, clock: Clock) -> None:
    account = make_account(session, "municipality", "cache-now@example.dk", municipality="101")
    session.commit()
    assert client.get(READINESS, headers=account.bearer).status_code == 200
    revoke_token(session, _token_row(session, account.token))
    session.commit()
    assert client.get(READINESS, headers=account.bearer).status_code == 401


def test_a_cached_token_keeps_its_rights_and_other_municipalities_stay_closed(
    session: Session, client: FlaskClient, clock: Clock
) -> None:
    account = make_account(session, "municipality", "cache-rights@example.dk", municipality="101")
    session.commit()
    for _ in range(2):  # the second request is answered from the cache
        assert client.get(READINESS, headers=account.bearer).status_code == 200
        assert client.get("/api/v1/municipalities/147/readiness", headers=account.bearer).status_code == 403
    assert client.get(READINESS, headers={"Authorization": "Bearer tut_nosuchtoken"}).status_code == 401


def test_a_feed_token_revoked_elsewhere_stops_opening_the_calendar_after_the_window(
    session: Session, client: FlaskClient, clock: Clock
) -> None:
    account = make_account(session, "municipality", "cache-feed@example.dk", municipality="101")
    municipality = session.scalar(select(Municipality).where(Municipality.code == "101"))
    assert municipality is not None
    row, plain = feed_tokens.create_token(session, account.user, municipality)
    session.commit()
    url = f"/calendar/municipalities/101.ics?token={plain}"
    assert client.get(url).status_code == 200
    assert client.get(f"/calendar/municipalities/147.ics?token={plain}").status_code == 403  # another M's
    stored = session.get(FeedToken, row.id)
    assert stored is not None
    stored.revoked_at = utcnow()
    session.commit()
    assert client.get(url).status_code == 200
    clock.now += WINDOW
    assert client.get(url).status_code == 403
