"""Building apps for tests on a given database."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tracker import create_app


def make_test_app(database_url: str, **overrides: Any) -> Flask:
    """An app in testing mode on the given database."""
    config = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SERVER_NAME": "localhost"}
    config.update(overrides)
    return create_app(config)
