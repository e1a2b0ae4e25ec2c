"""Shared shape of news-archive sources: an archive page listing items that link to articles.

A news source parses two kinds of page, told apart by the URL path:

* the archive: each item (title, date, teaser) is read with the shared matcher,
  using the item's own date for year-less expressions; items off-topic for
  TU-tracker are skipped. Observations carry the *article's* URL, the stable
  home of the text (archive pages shift as news is added).
* an article: H1, date line, lead and body read with the same matcher.

Which kind a page is comes from its content as well as its address: a page whose text is mostly
not in items linking to articles is read as an article. Only a page without main content raises ``LayoutChanged``
(``items`` still raises it for an archive without item links, for the caller that follows links).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

from bs4 import Tag

from scrapers.base import LayoutChanged, Observation, SolutionRef, Source
from scrapers.matching import observe
from scrapers.pagetext import Unit, extract_units, load_main, page_date


@dataclass(frozen=True)
class NewsItem:
    """One entry of an archive page."""

    url: str
    title: str
    published: date | None
    units: tuple[Unit, ...]
    relevant: bool


class NewsArchiveSource(Source):
    """Base for archive-style sources; subclasses set the URL patterns and the topic filter."""

    article_path: ClassVar[re.Pattern[str]]
    # Items whose text matches are about our subject; None: the whole site is.
    topic: ClassVar[re.Pattern[str] | None] = None

    def is_article_url(self, url: str) -> bool:
        """Whether ``url`` is an article of this source rather than (a page of) the archive."""
        return bool(self.article_path.search(urlsplit(url).path))

    def parse(self, html: str, url: str, solutions: Sequence[SolutionRef]) -> list[Observation]:
        """Observations from an archive page (relevant items only) or from one article."""
        if self.is_article_url(url):
            return self._parse_article(html, url, solutions)
        try:
            items = self.items(html, url)
        except LayoutChanged:
            items = []
        root = load_main(html, source=self.key, url=url)
        total = sum(len(u.text) for u in extract_units(root))
        if sum(len(" ".join(u.text for u in item.units)) for item in items) * 2 < total:
            # Mostly text of its own, not a list of items: an article (perhaps under another address).
            return self._parse_article(html, url, solutions)
        out: list[Observation] = []
        for item in items:
            if item.relevant:
                found = observe(item.units, solutions, source=self.key, url=item.url, context_date=item.published)
                out += [o for o in found if o not in out]
        return out

    def items(self, html: str, url: str) -> list[NewsItem]:
        """All items on an archive page, in page order."""
        root = load_main(html, source=self.key, url=url)
        containers: dict[int, tuple[Tag, str]] = {}
        for link in root.find_all("a", href=True):
            target = _absolute(url, str(link["href"]))
            if not self.is_article_url(target):
                continue
            container = link.find_parent(["li", "article"]) or link.parent or link
            containers.setdefault(id(container), (container, target))
        if not containers:
            raise LayoutChanged(f"{self.key}: no news items linking to articles on {url}")
        return [self._item(container, target) for container, target in containers.values()]

    def article_links(self, html: str, url: str) -> list[str]:
        """Absolute URLs of the relevant articles on an archive page, for the caller to fetch."""
        return list(dict.fromkeys(item.url for item in self.items(html, url) if item.relevant))

    def _item(self, container: Tag, target: str) -> NewsItem:
        units = tuple(extract_units(container))
        heading = container.find(["h1", "h2", "h3", "h4"])
        title = heading.get_text(" ", strip=True) if isinstance(heading, Tag) else (units[0].text if units else "")
        text = " ".join(u.text for u in units)
        relevant = self.topic is None or bool(self.topic.search(text))
        return NewsItem(target, title, page_date(container, units), units, relevant)

    def _parse_article(self, html: str, url: str, solutions: Sequence[SolutionRef]) -> list[Observation]:
        root = load_main(html, source=self.key, url=url)
        units = extract_units(root)
        if not any(u.kind != "heading" for u in units):
            raise LayoutChanged(f"{self.key}: no main content at {url}")
        return observe(units, solutions, source=self.key, url=url, context_date=page_date(root, units))


def _absolute(base: str, href: str) -> str:
    parts = urlsplit(urljoin(base, href))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))  # drop #fragments
