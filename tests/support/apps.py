"""Building apps for tests on a given database."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tracker import create_app


def make_test_app(database_url: str, **overrides: Any) -> Flask:
    """An app in testing mode on the given database."""
    config = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SERVER_NAME": "localhost"}
    config.update(overrides)
    return create_app(config)


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
