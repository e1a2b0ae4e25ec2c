"""A login session ends at the very instant its IdP said (``NotOnOrAfter``): one second before it still works, at
the instant it does not (mutant A16). Fixed instants through the app's clock, never the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.broadcast import Clock
from tracker.auth.sessions import start_session
from tracker.clock import clock_set_to

ENDS = datetime(2040, 3, 6, 12, 0, tzinfo=UTC)


def test_a_session_ends_at_the_instant_its_idp_said(app: Flask, session: Session) -> None:
    user = make_user(session, "it@kbh.example.dk", "municipality", municipality="101")
    user.must_change_password = False
    with clock_set_to(Clock(ENDS - timedelta(hours=1))):
        row, sid = start_session(session, user, second_factor=True)
        row.not_on_or_after = ENDS
        session.commit()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user.id}:{user.session_nonce}:{sid}"
        sess["_fresh"] = True

    with clock_set_to(Clock(ENDS - timedelta(seconds=1))):
        assert client.get("/konto").status_code == 200
    with clock_set_to(Clock(ENDS)):
        ended = client.get("/konto")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
