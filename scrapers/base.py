"""Shared types of the scrapers package: observations, pages, sources and errors.

Everything here is plain data or an abstract interface. Nothing in this package
imports ``tracker`` or touches a database; the app turns observations into
proposals itself.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

from scrapers.dates import PRECISIONS

FIELDS = ("switch_date", "required_loa")
LEVELS = ("lav", "betydelig", "hoej")
# A level is a single value, not an interval; this is what an observation of a
# level carries as its precision so the contract field is never empty.
LEVEL_PRECISION = "exact"

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class ScrapeError(Exception):
    """Base class of every error a scraper raises on purpose."""


class FetchError(ScrapeError):
    """A page could not be fetched: HTTP error status, timeout, connection or policy problem."""

    def __init__(self, message: str, *, url: str, status: int | None = None, timed_out: bool = False) -> None:
        super().__init__(message)
        self.url = url
        self.status = status  # the HTTP status when there was one
        self.timed_out = timed_out


class RobotsDisallowedError(FetchError):
    """robots.txt forbids the URL (or could not be read, which RFC 9309 treats as forbidding all)."""


class LayoutChanged(ScrapeError):
    """The page lacks the structure the source relies on, so "nothing found" would be a lie.

    The caller must treat this as an alert and must not update anything from the run.
    """


class PageRefused(LayoutChanged):
    """The input is not a page we read at all: too large, binary, not HTML, nested beyond reason.

    A LayoutChanged (nothing may be updated from it), with a reason of its own for the run record.
    """


@dataclass(frozen=True)
class SolutionRef:
    """A registry solution as the caller knows it: slug plus its name and aliases."""

    slug: str
    names: tuple[str, ...]

    def __hash__(self) -> int:
        # Hashed once: the matcher cache keys on the whole registry state, 10,000 refs per page.
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash((self.slug, self.names))
            object.__setattr__(self, "_hash", cached)
        return cached


@dataclass(frozen=True)
class Observation:
    """One finding on one page, in the public ``tracker scrape --json`` contract shape."""

    source: str
    solution_slug: str | None
    solution_text: str
    field: str
    value: str
    latest: str | None
    precision: str
    evidence: str
    url: str
    # Why this is a switch date or a required level: the cue word(s) or the table column ("deadline",
    # "skifter", "Skæringsdato"). Shown next to the evidence in the review queue.
    # Not part of the fact's identity: the same finding with another cue is the same finding.
    cue: str = dataclass_field(default="", compare=False)
    # The id of the rule (``scrapers.rules``) that read it: the review queue shows it, and a coordinator's "not a
    # fact" counts against it. Not part of the identity either.
    rule: str = dataclass_field(default="", compare=False)
    # The transition kind its date or level belongs to (login, loa, protocol, certificate, broker_version, wallet,
    # decommission), from its rule and the words of its clause.
    kind: str = dataclass_field(default="", compare=False)
    # "low" when the sentence is hedged (a possibility, a condition) on an authority's own page; "" otherwise.
    confidence: str = dataclass_field(default="", compare=False)

    def __post_init__(self) -> None:
        # Validate eagerly: a malformed observation would otherwise surface much
        # later as a confusing proposal in the review queue.
        if self.field not in FIELDS:
            raise ValueError(f"unknown field {self.field!r}")
        if self.field == "required_loa":
            if self.value not in LEVELS or self.latest is not None:
                raise ValueError(f"bad level observation {self.value!r}/{self.latest!r}")
        elif (
            not _ISO_DAY.fullmatch(self.value)
            or (self.latest is not None and not _ISO_DAY.fullmatch(self.latest))
            or self.precision not in PRECISIONS
        ):
            raise ValueError(f"bad date observation {self.value!r}/{self.latest!r}/{self.precision!r}")

    def to_dict(self) -> dict[str, str | None]:
        """Return exactly the contract keys, JSON-serialisable."""
        return asdict(self)


@dataclass(frozen=True)
class Page:
    """A fetched page; ``url`` is where it came from after same-site redirects.

    ``status`` 304 means unchanged since the ETag/Last-Modified sent: ``text`` is empty and ``content_hash`` None.
    """

    url: str
    status: int
    text: str
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    content_hash: str | None
    content_type: str | None = None


def rebase_url(url: str, base_url_override: str | None) -> str:
    """Replace scheme and host of ``url`` with those of the override (keeping an override path prefix)."""
    if not base_url_override:
        return url
    base = urlsplit(base_url_override)
    parts = urlsplit(url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


class Source(ABC):
    """One site (or page shape) we scrape. Subclasses are small and share one shape.

    ``parse`` is pure: it gets the HTML and the URL it came from, and the caller's
    known solutions, and returns observations or raises ``LayoutChanged``.
    """

    key: ClassVar[str]
    name: ClassVar[str]
    default_url: ClassVar[str]

    def url_for(self, base_url_override: str | None = None) -> str:
        """The URL to fetch, pointed at ``base_url_override`` (scheme+host) when given."""
        return rebase_url(self.default_url, base_url_override)

    @abstractmethod
    def parse(self, html: str, url: str, solutions: Sequence[SolutionRef]) -> list[Observation]:
        """Extract observations from ``html`` fetched from ``url``."""

    def main_text(self, html: str) -> str:
        """The page's readable main text, one sentence, list item or table row per line.

        Raises LayoutChanged when ``html`` is not an HTML page, so junk never looks like a change.
        """
        # Imported here because pagetext imports this module (for LayoutChanged).
        from scrapers.pagetext import extract_units, load_main

        root = load_main(html, source=self.key, url=self.default_url)
        return "\n".join(unit.text for unit in extract_units(root))
