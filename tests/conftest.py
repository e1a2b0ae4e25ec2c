"""Fixtures: one migrated, seeded database per test session; each test runs inside a rolled-back transaction.

The whole suite runs on SQLite by default and on PostgreSQL when TRACKER_TEST_DATABASE_URL names one.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck, settings
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from tests.support.apps import FreshContextClient, make_test_app, migrate_and_seed
from tests.support.databases import fresh_database, require_postgres, suite_uses_postgres
from tracker.db import get_db
from tracker.http_cache import response_cache

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    """Tests never reach a remote host: only loopback and Unix sockets may be connected to."""
    if isinstance(address, tuple):
        host = str(address[0])
        if not (host.startswith("127.") or host in {"::1", "localhost", "0:0:0:0:0:0:0:1"}):
            raise OSError(f"test tried to connect to non-loopback address {host!r}")
    return _real_connect(self, address)


socket.socket.connect = _loopback_only  # type: ignore[method-assign]  # the loopback guard patches the class on purpose


# No per-example deadline: on a loaded 2-core machine (CI, parallel helpers) a 200 ms deadline fails tests that
# are merely slow, not wrong. Profiles: "default" here and in CI; HYPOTHESIS_PROFILE picks another.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))


def pytest_configure(config: pytest.Config) -> None:
    """Say which database the suite runs on."""
    os.environ.setdefault("TRACKER_ENV", "testing")


def pytest_report_header(config: pytest.Config) -> str:
    """Print the database kind at the top of the run."""
    return "database: " + ("PostgreSQL" if suite_uses_postgres() else "SQLite")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The suite's database, built by the real migrations and seeded once."""
    if suite_uses_postgres():
        require_postgres()
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        migrate_and_seed(url)
        yield url


@pytest.fixture(scope="session")
def base_app(database_url: str) -> Flask:
    """One app for the session; each test rebinds its sessions to a rolled-back connection."""
    app = make_test_app(database_url)
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture
def connection(base_app: Flask) -> Iterator[Connection]:
    """A connection with an open outer transaction that is rolled back after the test."""
    db = get_db(base_app)
    conn = db.engine.connect()
    outer = conn.begin()
    original = db.sessionmaker
    db.sessionmaker = sessionmaker(bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint")
    try:
        yield conn
    finally:
        db.sessionmaker = original
        outer.rollback()
        conn.close()


@pytest.fixture
def app(base_app: Flask, connection: Connection) -> Iterator[Flask]:
    """The app, with everything it writes rolled back after the test — and what it cached forgotten: on SQLite a
    rolled-back event's id comes again, and under a fixed clock with the same instant, so a later test's state
    could carry the same stamp as an earlier test's cached answer."""
    response_cache(base_app).clear()
    with base_app.app_context():
        yield base_app
    response_cache(base_app).clear()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session inside the test's transaction (commit releases a savepoint only)."""
    with get_db(app).sessionmaker() as s:
        yield s


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's kind, for tests that need real commits (threads, processes)."""
    with fresh_database(tmp_path) as url:
        yield url
