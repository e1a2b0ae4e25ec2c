"""What to fetch: scrape settings from the app's config, and the concrete targets behind each source key.

A *target* is one page with its own conditional-GET state, health and run history (one ``source`` row):
``digst_launch``, ``digst_news`` and ``mitid_erhverv_news`` are one target each (the news sources follow
article links from their archive within the same run); the generic ``watch`` source expands into one
target per watched URL (key ``watch-<hash>``), so one broken page never hides behind seventeen healthy
ones and each page keeps its own ETag.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapers import SOURCES
from scrapers.base import Source, rebase_url
from scrapers.http import Fetcher
from scrapers.watch import WATCH_URLS

WATCH_KEY = "watch"
WATCH_PREFIX = "watch-"
# Authority pages (Digitaliseringsstyrelsen's own sites): an accepted finding from them is "confirmed".
AUTHORITY_SOURCES = frozenset({"digst_launch", "digst_news", "mitid_erhverv_news"})


def _split_urls(value: Any) -> tuple[str, ...]:
    """A list setting given as a list or as one comma-separated string (the environment's form)."""
    items: Iterable[str] = value if isinstance(value, list | tuple) else str(value or "").split(",")
    return tuple(dict.fromkeys(item.strip() for item in items if item and item.strip()))


@dataclass(frozen=True)
class ScrapeSettings:
    """The ``SCRAPE_*`` configuration, read once per job or command."""

    base_url: str | None = None
    user_agent: str = "TU-tracker/1.0"
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_tries: int = 3
    backoff: float = 1.0
    unhealthy_after: int = 3
    max_articles: int = 10
    watch_urls: tuple[str, ...] = field(default=WATCH_URLS)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ScrapeSettings:
        """Settings from ``app.config`` (missing keys keep the defaults above)."""
        watch = _split_urls(config.get("SCRAPE_WATCH_URLS")) or WATCH_URLS
        return cls(
            base_url=str(config.get("SCRAPE_BASE_URL") or "") or None,
            user_agent=str(config.get("SCRAPE_USER_AGENT") or cls.user_agent),
            connect_timeout=float(config.get("SCRAPE_CONNECT_TIMEOUT", cls.connect_timeout)),
            read_timeout=float(config.get("SCRAPE_READ_TIMEOUT", cls.read_timeout)),
            max_tries=int(config.get("SCRAPE_MAX_TRIES", cls.max_tries)),
            backoff=float(config.get("SCRAPE_BACKOFF_SECONDS", cls.backoff)),
            unhealthy_after=max(1, int(config.get("SCRAPE_UNHEALTHY_AFTER_FAILURES", cls.unhealthy_after))),
            max_articles=max(0, int(config.get("SCRAPE_MAX_ARTICLES", cls.max_articles))),
            watch_urls=watch,
        )

    def fetcher(self) -> Fetcher:
        """A polite fetcher for one run (it caches robots.txt for its lifetime)."""
        return Fetcher(
            self.user_agent,
            timeout=(self.connect_timeout, self.read_timeout),
            max_tries=self.max_tries,
            backoff=self.backoff,
        )


@dataclass(frozen=True)
class Target:
    """One page to fetch: its row key, display name, canonical URL, the URL actually fetched, its parser."""

    key: str
    name: str
    url: str
    fetch_url: str
    source: Source

    @property
    def is_watch(self) -> bool:
        """Whether this is one page of the generic watch source."""
        return self.source.key == WATCH_KEY


def watch_key(url: str) -> str:
    """The stable row key of a watched URL (from the configured URL, not the rebased one)."""
    return WATCH_PREFIX + hashlib.sha256(url.encode()).hexdigest()[:10]


def _watch_target(url: str, settings: ScrapeSettings) -> Target:
    parts = urlsplit(url)
    label = f"{parts.netloc}{parts.path}".rstrip("/") or url
    return Target(
        key=watch_key(url),
        name=f"Sidevagt: {label}"[:200],
        url=url,
        fetch_url=rebase_url(url, settings.base_url),
        source=SOURCES[WATCH_KEY],
    )


def targets_for(key: str, settings: ScrapeSettings) -> list[Target]:
    """The targets behind a source key or a single watched page's key; KeyError for unknown keys."""
    if key == WATCH_KEY:
        return [_watch_target(url, settings) for url in settings.watch_urls]
    if key.startswith(WATCH_PREFIX):
        found = [t for t in targets_for(WATCH_KEY, settings) if t.key == key]
        if not found:
            raise KeyError(f"unknown watched page {key!r}")
        return found
    source = SOURCES[key]
    return [Target(key, source.name, source.default_url, source.url_for(settings.base_url), source)]


def all_targets(settings: ScrapeSettings) -> list[Target]:
    """Every configured target, in the order of ``scrapers.SOURCES``."""
    return [target for key in SOURCES for target in targets_for(key, settings)]


def known_keys(settings: ScrapeSettings) -> list[str]:
    """Source keys and watched-page keys a user may name."""
    return [*SOURCES, *(t.key for t in targets_for(WATCH_KEY, settings))]
