"""The second factor holds: a code two steps (60 s) away is refused, a session presented under another user's id
is refused, and a TOTP code or a recovery code sent by six parallel logins succeeds exactly once — over real
HTTP, on SQLite and on PostgreSQL (each on a fresh database built by the migrations)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.accounts import enrol_totp, log_in
from tests.support.apps import migrated_app, serving
from tests.support.databases import fresh_database
from tracker.auth import totp
from tracker.auth.sessions import start_session
from tracker.auth.totp import STEP, current_code
from tracker.auth.users import create_user
from tracker.db import get_db
from tracker.models import User

PARALLEL = 6
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# A fixed instant, on a step boundary's middle: the test never depends on when it runs.
AT = 2_000_000_015.0


def test_a_code_two_steps_away_is_refused_and_one_step_is_allowed(session: Session) -> None:
    user, _ = create_user(session, email="drift@kl.example", role="coordinator", name="Dorte Drift")
    factor = enrol_totp(session, user)
    for offset in (-2 * STEP, 2 * STEP, -3 * STEP, 3 * STEP):
        assert not totp.verify(session, user, current_code(factor.secret, now=AT + offset), now=AT), offset
    assert totp.verify(session, user, current_code(factor.secret, now=AT - STEP), now=AT), "one step of drift"
    assert totp.verify(session, user, current_code(factor.secret, now=AT + STEP), now=AT)
    assert not totp.verify(session, user, current_code(factor.secret, now=AT), now=AT), "an older step than used"


def test_a_session_presented_under_another_users_id_is_refused(app: Flask, session: Session) -> None:
    mallory, _ = create_user(session, email="m@kk.example", role="municipality", municipality="101", name="Mal")
    victim, _ = create_user(session, email="v@kl.example", role="coordinator", name="Vera")
    mallory.must_change_password = victim.must_change_password = False
    _, mallory_sid = start_session(session, mallory, second_factor=True)
    session.commit()
    own: FlaskClient = app.test_client()
    log_in(own, mallory)
    assert own.get("/konto").status_code == 200
    forged: FlaskClient = app.test_client()
    with forged.session_transaction() as cookie:
        cookie["_user_id"] = f"{victim.id}:{victim.session_nonce}:{mallory_sid}"  # Mallory's session, Vera's id
        cookie["_fresh"] = True
    assert forged.get("/konto").status_code == 302
    assert forged.get("/forslag").status_code in (302, 401, 403)
    answer = forged.get("/api/v1/account/notifications")
    assert answer.status_code == 401


def _form_token(http: requests.Session, url: str) -> str:
    match = CSRF.search(http.get(url, timeout=30).text)
    assert match, url
    return match.group(1)


def _parallel_second_steps(base: str, email: str, password: str, code: str) -> list[int]:
    """Six browsers pass the password step, then all send the same code at once; their answers' statuses."""
    browsers = []
    for _ in range(PARALLEL):
        http = requests.Session()
        token = _form_token(http, f"{base}/login")
        first = http.post(
            f"{base}/login",
            data={"csrf_token": token, "email": email, "password": password},
            allow_redirects=False,
            timeout=30,
        )
        assert first.status_code == 302 and first.headers["Location"].endswith("/login/kode"), first.status_code
        browsers.append((http, _form_token(http, f"{base}/login/kode")))
    start = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    lock = threading.Lock()

    def send(http: requests.Session, token: str) -> None:
        start.wait(30)
        answer = http.post(
            f"{base}/login/kode", data={"csrf_token": token, "code": code}, allow_redirects=False, timeout=60
        )
        with lock:
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=send, args=browser) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return statuses


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@pytest.mark.parametrize("which", ["totp", "recovery"])
def test_parallel_logins_use_a_code_exactly_once(tmp_path: Path, kind: str, which: str) -> None:
    with fresh_database(tmp_path, kind) as url, migrated_app(url, LOGIN_MAX_FAILURES=100) as app:
        with get_db(app).unit_of_work() as session:
            user, password = create_user(session, email="par@kl.example", role="coordinator", name="Per Parallel")
            user.must_change_password = False
            factor = enrol_totp(session, user)
            # The enrolment used the current step: the parallel logins send the next one (still within drift).
            code = current_code(factor.secret, now=_now_plus(STEP)) if which == "totp" else factor.recovery_codes[0]
            email = user.email
        with serving(app) as base:
            statuses = _parallel_second_steps(base, email, password, code)
        assert len(statuses) == PARALLEL
        assert statuses.count(302) == 1, statuses
        assert all(s == 401 for s in statuses if s != 302), statuses
        with get_db(app).unit_of_work() as session:
            row = session.query(User).filter_by(email=email).one()
            if which == "recovery":
                assert len(row.recovery_codes or []) == totp.RECOVERY_CODES - 1


def _now_plus(seconds: float) -> float:
    """The login step reads the real clock (as an authenticator does): a code some seconds ahead of it."""
    return time.time() + seconds
