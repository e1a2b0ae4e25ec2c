"""A replayed assertion is refused by another gunicorn worker: the assertion ID is remembered in the database.

The app runs under gunicorn with two sync workers on 127.0.0.1 (SQLite file or PostgreSQL, as the suite);
the same POST reaches both workers at once. Exactly one login succeeds; the other is refused as a replay.
The access log's process ids show that two workers answered.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from tests.benchmarks.server import free_port, wait_healthy
from tests.support.apps import make_test_app, migrate_and_seed
from tests.support.saml import KBH_CVR, person, require_xmlsec
from tests.support.saml_idp import form_fields, loopback_idp
from tests.support.saml_keys import make_pair
from tracker.db import get_db
from tracker.models import SamlAssertionSeen, User, UserSession
from tracker.saml import idps

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Two sync workers serving the app; the access log names the worker process of each request."""
    argv = [
        sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5",
        "--access-logfile", str(log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "tracker:create_app()",
    ]  # fmt: skip
    with (log.parent / "gunicorn.err").open("wb") as err:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=err, stderr=err)
    try:
        wait_healthy(port, process, timeout=180)  # a loaded 2-core machine starts workers slowly
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _race(url: str, fields: dict[str, str], cookie: dict[str, str]) -> list[requests.Response]:
    """Post the same answer twice at the same moment (two connections, so both workers may take one)."""
    answers: list[requests.Response] = []
    barrier = threading.Barrier(2)

    def post() -> None:
        barrier.wait()
        answers.append(requests.post(url, data=fields, cookies=cookie, allow_redirects=False, timeout=60))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return answers


def test_a_replay_reaching_another_worker_is_refused(tmp_path: Path, fresh_db: str) -> None:
    require_xmlsec()
    url = migrate_and_seed(fresh_db)
    signing = make_pair(tmp_path / "keys", "sp")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = {
        "SAML_SIGNING_KEY": signing.key_file,
        "SAML_SIGNING_CERT": signing.cert_file,
        "BASE_URL": base,
        "SCHEDULER_ENABLED": "false",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update({f"TRACKER_{k}": v for k, v in settings.items()})
    env.update({"TRACKER_ENV": "testing", "TRACKER_DATABASE_URL": url, "PYTHONPATH": str(ROOT)})
    access = tmp_path / "access.log"
    app = make_test_app(url, **settings)
    with gunicorn(env, port, access), loopback_idp(tmp_path / "idp", base + "/saml/metadata") as idp:
        with get_db(app).unit_of_work() as s:
            admin = s.scalars(select(User).where(User.role == "admin")).one()
            idp_id = idps.add_idp(
                s, metadata_xml=idp.metadata(), metadata_url=None, cvrs=[], all_municipalities=True, name="IdP",
                actor=admin,
            ).id  # fmt: skip
        workers: set[str] = set()
        for _attempt in range(5):
            browser = requests.Session()
            start = browser.get(f"{base}/saml/login?idp={idp_id}", allow_redirects=False, timeout=30)
            idp.person = person(KBH_CVR)
            fields = form_fields(browser.get(start.headers["Location"], timeout=30).text)
            cookie = {"tracker_saml": str(browser.cookies.get("tracker_saml"))}
            answers = _race(f"{base}/saml/acs", fields, cookie)
            statuses = sorted(a.status_code for a in answers)
            assert statuses == [302, 403], [a.text[:300] for a in answers]
            refused = next(a for a in answers if a.status_code == 403)
            assert "allerede brugt" in refused.text
            lines = [line.split() for line in access.read_text().splitlines() if " /saml/acs " in line]
            workers = {line[0] for line in lines[-2:]}
            if len(workers) == 2:
                break
        assert len(workers) == 2, "the two posts never reached two different workers"
        with get_db(app).unit_of_work() as s:
            assert s.scalar(select(func.count()).select_from(SamlAssertionSeen)) == _attempt + 1
            assert (
                s.scalar(select(func.count(UserSession.id)).where(UserSession.nsis_level.is_not(None))) == _attempt + 1
            )
    get_db(app).engine.dispose()
