"""Browser fixtures: the real app served on 127.0.0.1 in a thread, on a fresh migrated and seeded database,
and a headless Chromium page (Playwright, sync API).

Tests here commit for real (the server is another thread), so each test uses its own data. They are skipped,
with the reason, when Playwright or /usr/bin/chromium is missing — unless TRACKER_REQUIRE_BROWSER is set,
in which case they fail. No browser is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import make_test_app
from tests.support.apps import migrate_and_seed, serving
from tests.support.databases import fresh_database
from tracker.db import get_db

CHROMIUM = os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _unavailable(reason: str) -> None:
    if os.environ.get("TRACKER_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (TRACKER_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


@dataclass
class LiveServer:
    """The running app: its base URL, and the app itself for setting up data through the services."""

    url: str
    app: Flask

    def unit_of_work(self) -> Any:
        """One committed transaction on the server's database (for test setup)."""
        return get_db(self.app).unit_of_work()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on a free port of 127.0.0.1, on its own freshly migrated and seeded database."""
    with fresh_database(tmp_path_factory.mktemp("live")) as url:
        migrate_and_seed(url)
        # No SERVER_NAME: the server answers whatever host:port the browser uses.
        app = make_test_app(url, SERVER_NAME=None)
        with serving(app) as base_url:
            yield LiveServer(base_url, app)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium from the system (never downloaded)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page, with the live server as base URL."""
    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()
