"""Create and drop throw-away databases: SQLite files, or PostgreSQL databases on the local server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> str:
    """The PostgreSQL server to create test databases on."""
    url = os.environ.get("TRACKER_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else os.environ.get("TRACKER_TEST_POSTGRES_URL", DEFAULT_PG_URL)


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        engine = create_engine(postgres_admin_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


def require_postgres() -> None:
    """Skip (or, where CI requires PostgreSQL, fail) when the server is not reachable."""
    reason = postgres_available()
    if reason is None:
        return
    message = (
        f"PostgreSQL at {make_url(postgres_admin_url()).render_as_string(hide_password=True)} unreachable: {reason}"
    )
    if os.environ.get("TRACKER_REQUIRE_POSTGRES"):
        pytest.fail(message + " (TRACKER_REQUIRE_POSTGRES is set)")
    pytest.skip(message)


@contextmanager
def postgres_database(admin_url: str | None = None, prefix: str = "tracker_test") -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the server of ``admin_url``; dropped (with its connections) afterwards."""
    admin = make_url(admin_url or postgres_admin_url())
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@contextmanager
def sqlite_database(directory: Path) -> Iterator[str]:
    """A fresh SQLite file database."""
    path = directory / f"tracker-{uuid.uuid4().hex[:8]}.db"
    yield f"sqlite:///{path}"


def suite_uses_postgres() -> bool:
    """Whether the whole suite runs on PostgreSQL (TRACKER_TEST_DATABASE_URL names one)."""
    return os.environ.get("TRACKER_TEST_DATABASE_URL", "").startswith("postgresql")


@contextmanager
def fresh_database(directory: Path, kind: str | None = None) -> Iterator[str]:
    """A fresh database of the suite's kind (or the given one)."""
    kind = kind or ("postgresql" if suite_uses_postgres() else "sqlite")
    if kind == "postgresql":
        require_postgres()
        with postgres_database() as url:
            yield url
    else:
        with sqlite_database(directory) as url:
            yield url
