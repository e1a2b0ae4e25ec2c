"""Throw-away bench databases: a SQLite file in the bench's work folder, or a PostgreSQL database of our own.

PostgreSQL comes from ``TRACKER_BENCH_POSTGRES_URL`` (default: the local server as ``postgres``); each
database is named ``tracker_bench_<random>`` and dropped afterwards, also when the bench fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.databases import postgres_database as support_postgres_database

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str:
    """The PostgreSQL server (and a database to connect to for CREATE/DROP DATABASE)."""
    return os.environ.get("TRACKER_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)


def postgres_unreachable() -> str | None:
    """None when PostgreSQL answers on loopback, else why not."""
    url = make_url(postgres_admin_url())
    if url.host not in (None, "127.0.0.1", "localhost", "::1"):
        return f"the bench uses loopback servers only, not {url.host}"
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


def postgres_database() -> AbstractContextManager[str]:
    """A fresh, empty database on the bench's PostgreSQL server; dropped (with its connections) afterwards."""
    return support_postgres_database(postgres_admin_url(), prefix="tracker_bench")


@contextmanager
def sqlite_database(directory: Path, label: str) -> Iterator[str]:
    """A fresh SQLite file (with its WAL files) in ``directory``, removed afterwards."""
    path = directory / f"bench-{label}-{uuid.uuid4().hex[:6]}.db"
    try:
        yield f"sqlite:///{path}"
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def database(kind: str, directory: Path, label: str) -> Iterator[str]:
    """A fresh database of ``kind`` (``sqlite`` or ``postgresql``)."""
    if kind == "postgresql":
        with postgres_database() as url:
            yield url
    else:
        with sqlite_database(directory, label) as url:
            yield url
