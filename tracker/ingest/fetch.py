"""The network half of a scrape run: fetch and parse one target, touching no database.

Kept apart from the bookkeeping so a scheduled run holds no database transaction while it waits on a
slow government web server. Everything that can go wrong is folded into the ``FetchResult`` (never
raised): the caller records it, whatever it is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from scrapers.base import FetchError, LayoutChanged, Observation, Page, PageRefused, ScrapeError, SolutionRef
from scrapers.http import Fetcher
from scrapers.news import NewsArchiveSource
from scrapers.pagetext import language
from tracker.clock import utcnow
from tracker.ingest.targets import Target

log = logging.getLogger(__name__)

ERROR_LIMIT = 2000


@dataclass(frozen=True)
class FetchedPage:
    """A page's readable main text (one sentence, item or row per line), kept for change diffs."""

    url: str
    text: str


@dataclass
class FetchResult:
    """What one fetch-and-parse of a target came to. ``outcome`` is ok|not_modified|failed|rejected."""

    started_at: datetime
    outcome: str = "ok"
    duration_ms: int = 0
    http_status: int | None = None
    bytes: int = 0
    observations: list[Observation] = field(default_factory=list)
    pages: list[FetchedPage] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None

    def fail(self, outcome: str, message: str) -> FetchResult:
        """Mark the result failed or rejected; whatever was parsed is dropped (never half an update)."""
        self.outcome = outcome
        self.error = message[:ERROR_LIMIT]
        self.observations = []
        return self

    @property
    def message(self) -> str | None:
        """The error, or the notes of a partly successful run, for the run record."""
        if self.error:
            return self.error
        return "; ".join(self.notes)[:ERROR_LIMIT] if self.notes else None


def _add(out: list[Observation], found: Sequence[Observation]) -> None:
    out += [o for o in found if o not in out]


def _main_text(target: Target, html: str, url: str) -> FetchedPage | None:
    """The page's main text; None for junk that is not HTML (junk must never look like a change)."""
    try:
        return FetchedPage(url, target.source.main_text(html))
    except LayoutChanged:
        return None


def parse_page(
    target: Target, html: str, url: str, refs: Sequence[SolutionRef], result: FetchResult
) -> list[Observation]:
    """Keep the page's main text on ``result`` and return its observations; LayoutChanged propagates."""
    page = _main_text(target, html, url)
    if page is not None:
        result.pages.append(page)
        if language(page.text) == "en":
            result.notes.append(f"{url}: siden er på engelsk; fakta læses kun fra danske sider")
    return target.source.parse(html, url, refs)


def _same_host(a: str, b: str) -> bool:
    return urlsplit(a).netloc.lower() == urlsplit(b).netloc.lower()


def _follow_articles(
    target: Target, page: Page, refs: Sequence[SolutionRef], fetcher: Fetcher, limit: int, result: FetchResult
) -> None:
    """Fetch and parse the newest ``limit`` relevant articles linked from a news archive (same host only)."""
    source = target.source
    if not isinstance(source, NewsArchiveSource) or source.is_article_url(page.url) or limit <= 0:
        return
    links = [link for link in source.article_links(page.text, page.url) if _same_host(link, page.url)][:limit]
    failures: list[str] = []
    for link in links:
        try:
            article = fetcher.fetch(link)
            result.bytes += len(article.text.encode())
            _add(result.observations, parse_page(target, article.text, article.url, refs, result))
        except ScrapeError as exc:
            failures.append(f"{link}: {exc}")
    if links and len(failures) == len(links):
        # Every article failing is the archive's own problem (a new article template, a blocked path).
        raise LayoutChanged(f"ingen af {len(links)} artikler kunne læses; første fejl: {failures[0]}")
    if failures:
        result.notes.append(f"{len(failures)} af {len(links)} artikler kunne ikke læses: " + "; ".join(failures))


def fetch_target(
    target: Target,
    fetcher: Fetcher,
    refs: Sequence[SolutionRef],
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_articles: int = 10,
) -> FetchResult:
    """Fetch the target conditionally and parse it (following article links for news archives)."""
    result = FetchResult(started_at=utcnow())
    clock = time.monotonic()
    try:
        page = fetcher.fetch(target.fetch_url, etag=etag, last_modified=last_modified)
        result.http_status, result.etag, result.last_modified = page.status, page.etag, page.last_modified
        if page.status == 304:
            result.outcome = "not_modified"
        else:
            result.bytes = len(page.text.encode())
            result.content_hash = page.content_hash
            _add(result.observations, parse_page(target, page.text, page.url, refs, result))
            _follow_articles(target, page, refs, fetcher, max_articles, result)
    except FetchError as exc:
        result.http_status = exc.status if exc.status is not None else result.http_status
        result.fail("failed", f"Siden kunne ikke hentes: {exc}")
    except PageRefused as exc:
        result.fail("rejected", f"Siden blev afvist, så intet blev opdateret: {exc}")
    except LayoutChanged as exc:
        result.fail("rejected", f"Sidens opbygning er ændret, så intet blev opdateret: {exc}")
    except ScrapeError as exc:
        result.fail("failed", f"Skraberen fejlede: {exc}")
    except Exception as exc:  # a parser bug must still leave a run record and touch nothing
        log.exception("scraper %s crashed on %s", target.key, target.fetch_url)
        result.fail("failed", f"Intern fejl i skraberen: {type(exc).__name__}: {exc}")
    result.duration_ms = int((time.monotonic() - clock) * 1000)
    return result


def parse_saved_page(target: Target, html: str, url: str, refs: Sequence[SolutionRef]) -> FetchResult:
    """Parse a saved page as if fetched from ``url`` (no network; article links are not followed)."""
    result = FetchResult(started_at=utcnow(), bytes=len(html.encode()))
    clock = time.monotonic()
    try:
        _add(result.observations, parse_page(target, html, url, refs, result))
    except PageRefused as exc:
        result.fail("rejected", f"Siden blev afvist, så intet blev opdateret: {exc}")
    except LayoutChanged as exc:
        result.fail("rejected", f"Sidens opbygning er ændret, så intet blev opdateret: {exc}")
    except ScrapeError as exc:
        result.fail("failed", f"Skraberen fejlede: {exc}")
    except Exception as exc:  # a parser bug must still leave a run record and touch nothing
        log.exception("scraper %s crashed on a saved page", target.key)
        result.fail("failed", f"Intern fejl i skraberen: {type(exc).__name__}: {exc}")
    result.duration_ms = int((time.monotonic() - clock) * 1000)
    return result
