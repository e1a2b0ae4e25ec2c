"""Database plumbing: declarative base with named constraints, aware-UTC type, one session per request.

Services receive a ``Session`` and only ``flush()``; the edges (request, job, CLI command) commit once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from tracker.errors import error_response

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table; its metadata names each constraint the same way on both databases."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored as naive UTC and always returned aware (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes: an instant without a zone is a bug waiting to happen."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to what the database returns."""
        return None if value is None else value.replace(tzinfo=UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on, WAL for concurrent readers, and a busy timeout instead of instant 'database is locked'."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """BEGIN, or BEGIN IMMEDIATE for a transaction that will write (execution option ``sqlite_begin``).

    A deferred transaction that reads first and writes later cannot take the write lock if another writer
    committed meanwhile: SQLite answers "database is locked" at once, without waiting. Writers that say so
    up front take the lock at BEGIN and wait their turn (busy_timeout) instead.
    """
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if mode == 'IMMEDIATE' else 'DEFERRED'}")


def make_engine(url: str) -> Engine:
    """Build an engine for SQLite or PostgreSQL (psycopg 3) with the settings each needs."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling breaks SAVEPOINTs; let SQLAlchemy emit BEGIN itself.
        event.listen(engine, "connect", lambda conn, _rec: setattr(conn, "isolation_level", None))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def writer_transaction(session: Session) -> None:
    """Mark a new session's transaction as a writer (BEGIN IMMEDIATE on SQLite; nothing else elsewhere)."""
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


class Database:
    """The engine and session factory of one app."""

    def __init__(self, engine: Engine) -> None:
        """Bind a session factory to the engine."""
        self.engine = engine
        self.sessionmaker = sessionmaker(bind=engine, expire_on_commit=False)

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction for a job or command: commit on success, roll back on any error."""
        session = self.sessionmaker()
        writer_transaction(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def init_app(app: Flask) -> None:
    """Attach the database to the app and close the request session when the request ends."""
    app.extensions["tracker.db"] = Database(make_engine(app.config["DATABASE_URL"]))

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def get_db(app: Flask | None = None) -> Database:
    """The ``Database`` of the given (or current) app."""
    db: Database = (app or current_app).extensions["tracker.db"]
    return db


def get_session() -> Session:
    """The session of the current request (created on first use)."""
    if "db_session" not in g:
        new: Session = get_db().sessionmaker()
        if request.method not in SAFE_METHODS:
            writer_transaction(new)
        g.db_session = new
    session: Session = g.db_session
    return session


def commit_request(response: Response) -> Response:
    """The single commit of a request, called by the edge (``security``'s after-request), never by services.

    Only successful responses commit; errors roll back. A conflict at commit is a 409, a database that does not
    answer a 503, both in the API's error shape.
    """
    session: Session | None = g.get("db_session")
    if session is None:
        return response
    if response.status_code >= 400:
        session.rollback()
        return response
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        log.info("integrity conflict on %s %s", request.method, request.path)
        return error_response(409, "conflict", "Ændringen strider mod data, der allerede findes. Prøv igen.")
    except OperationalError:
        session.rollback()
        log.exception("database unavailable on %s %s", request.method, request.path)
        return error_response(503, "unavailable", "Databasen svarer ikke lige nu. Prøv igen om lidt.")
    return response
