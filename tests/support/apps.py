"""Building apps for tests on a given database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import sessionmaker
from werkzeug.serving import make_server

from tracker import create_app
from tracker.db import get_db, make_engine
from tracker.migrate import upgrade
from tracker.seed import seed


def make_test_app(database_url: str, **overrides: Any) -> Flask:
    """An app in testing mode on the given database."""
    config = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SERVER_NAME": "localhost"}
    config.update(overrides)
    return create_app(config)


def migrate_and_seed(url: str) -> str:
    """Build an empty database with the real migrations and seed it, as ``tracker db upgrade`` and ``seed`` do."""
    engine = make_engine(url)
    upgrade(engine)
    with sessionmaker(bind=engine)() as session:
        seed(session)
        session.commit()
    engine.dispose()
    return url


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """``app`` behind a real HTTP server on a free port of 127.0.0.1 (a thread); yields its base URL.

    Afterwards the server is shut down and the app's connections are closed.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        get_db(app).engine.dispose()


@contextmanager
def migrated_app(url: str, **config: Any) -> Iterator[Flask]:
    """An app on a fresh, migrated and seeded database whose commits are real (workers, CLIs, subprocesses)."""
    app = make_test_app(migrate_and_seed(url), **config)
    try:
        yield app
    finally:
        get_db(app).engine.dispose()


class FreshContextClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    Tests keep an app context open, and Flask reuses an open app context for requests: ``g`` (the cached
    user, the request's database session) would then leak from one request to the next. Pushing a context
    per request gives each request a fresh ``g`` and closes its session when the request ends.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        """Run the request inside its own app context."""
        with self.application.app_context():
            return super().open(*args, **kwargs)
