"""SQL statements per request, counted on the app's own engine with a ``before_cursor_execute`` listener.

Counted in-process through Flask's test client against a built database, once on a cold app (nothing
cached) and once warm, at two data sizes: a count that grows with the data is an N+1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.benchmarks.server import ENCRYPTION_KEYS
from tracker import create_app
from tracker.db import get_db

# Transaction control is the same for every request; keep it apart so the counts show real queries.
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
# A token's use is noted at most once a minute (``LAST_USED_RESOLUTION``): whether a counted request does it
# depends on the clock, not on the data, so it is kept apart too (else 1× and 10× differ by chance).
_TOKEN_USE = re.compile(r"^UPDATE \W?(?:api_token|feed_token)\W? SET last_used_at", re.IGNORECASE)


@dataclass
class StatementLog:
    """The statements one block of code sent to the database."""

    statements: list[str] = field(default_factory=list)

    @property
    def queries(self) -> list[str]:
        """Statements other than transaction control."""
        return [
            s
            for s in self.statements
            if not s.lstrip().upper().startswith(_CONTROL) and not _TOKEN_USE.match(s.lstrip())
        ]

    @property
    def count(self) -> int:
        """How many queries (transaction control not counted)."""
        return len(self.queries)


@contextmanager
def count_statements(engine: Engine) -> Iterator[StatementLog]:
    """Record every statement the engine executes inside the block."""
    log = StatementLog()

    def _record(_conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, executemany: bool) -> None:
        log.statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", _record)


def bench_app(database_url: str, **overrides: Any) -> Flask:
    """The real app on a built database, configured as in development (no Secure cookies over http)."""
    config: dict[str, Any] = {
        "ENV_NAME": "development",
        "DATABASE_URL": database_url,
        "SCHEDULER_ENABLED": False,
        "ENCRYPTION_KEYS": ENCRYPTION_KEYS,  # the key the synthetic secrets were written with
    }
    config.update(overrides)
    return create_app(config)


@dataclass(frozen=True)
class RequestCount:
    """Statements of one request: status, query count, and the queries themselves."""

    status: int
    count: int
    queries: tuple[str, ...]


def count_request(app: Flask, path: str, headers: Mapping[str, str] | None = None) -> RequestCount:
    """Send one GET through the test client and count the statements it caused."""
    client = app.test_client()
    with count_statements(get_db(app).engine) as log:
        response = client.get(path, headers=dict(headers or {}))
        response.close()
    return RequestCount(response.status_code, log.count, tuple(log.queries))
