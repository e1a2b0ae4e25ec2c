"""Helpers for the ingest tests: saved pages, a local site serving them, registry snapshots, logged-in users."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import g
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.ingest.targets import ScrapeSettings
from tracker.models import PageSnapshot, Proposal, ScrapeRun, Solution, Source, User
from tracker.registry.facts import snapshot

PAGES = Path(__file__).resolve().parent.parent / "scrapers" / "pages"
LAUNCH_PATH = "/it-loesninger/nemlog-in/lanceringsdatoer-for-nemlog-in/"
NEWS_PATH = "/nyheder/nyhedsarkiv/"
ARTICLE_PATH = "/nyheder/nyhedsarkiv/2022/maj/danske-virksomheder-kan-faa-mitid-erhverv-fra-oktober-2022/"
MITID_PATH = "/info/nyhedsarkiv/"


def page(name: str) -> bytes:
    """A saved page's bytes, as a server would send them."""
    return (PAGES / name).read_bytes()


def serve_robots(server: HTTPServer, body: str = "User-agent: *\nAllow: /\n") -> None:
    """Answer robots.txt (the fetcher asks first; an unanswered robots.txt would forbid everything)."""
    server.expect_request("/robots.txt").respond_with_data(body, content_type="text/plain")


def base_url(server: HTTPServer) -> str:
    """The local server as a scrape base-URL override."""
    return server.url_for("/").rstrip("/")


def settings_for(server: HTTPServer, **overrides: Any) -> ScrapeSettings:
    """Scrape settings pointed at the local server, with fast retries and short timeouts."""
    values: dict[str, Any] = {
        "base_url": base_url(server),
        "user_agent": "TU-tracker-test/1.0 (+http://127.0.0.1/om; test@example.dk)",
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "max_tries": 2,
        "backoff": 0.0,
        "unhealthy_after": 3,
    }
    values.update(overrides)
    return ScrapeSettings(**values)


def registry_state(session: Session) -> dict[str, dict[str, Any]]:
    """Every solution's editable fields and version: what a failing scrape must never change."""
    session.expire_all()
    return {
        s.slug: {**snapshot(s), "version": s.version, "updated_at": s.updated_at.isoformat()}
        for s in session.scalars(select(Solution).order_by(Solution.slug))
    }


def source_row(session: Session, key: str) -> Source:
    """The recorded source row (fresh from the database)."""
    session.expire_all()
    row = session.scalar(select(Source).where(Source.key == key))
    assert row is not None, key
    return row


def runs(session: Session, key: str) -> list[ScrapeRun]:
    """The source's runs, oldest first."""
    return list(session.scalars(select(ScrapeRun).join(Source).where(Source.key == key).order_by(ScrapeRun.id)))


def scraper_proposals(session: Session, key: str | None = None) -> list[Proposal]:
    """Proposals made by scrapers (of one source when ``key`` is given), oldest first."""
    stmt = select(Proposal).where(Proposal.origin == "scraper").order_by(Proposal.id)
    if key is not None:
        stmt = stmt.where(Proposal.proposer_label == f"Scraper {key}")
    return list(session.scalars(stmt))


def snapshots_of(session: Session, key: str) -> list[PageSnapshot]:
    """The source's page snapshots, oldest first."""
    return list(session.scalars(select(PageSnapshot).join(Source).where(Source.key == key).order_by(PageSnapshot.id)))


def log_in(client: FlaskClient, user: User | None) -> None:
    """Give the client a Flask-Login session for the user (None: log out, keeping the CSRF token).

    The ``app`` fixture holds one app context for the whole test, so ``g`` outlives a request: the user
    cached there by Flask-Login and ``current_db_user`` is forgotten, as a new request would.
    """
    if user is None:
        with client.session_transaction() as flask_session:
            flask_session.pop("_user_id", None)
    else:
        from tests.support.accounts import log_in

        log_in(client, user)
    for cached in ("_login_user", "auth_user"):
        g.pop(cached, None)


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token from a page's form, as a browser would submit it."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)
