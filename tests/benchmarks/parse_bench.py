"""Scraper parse time per saved page (tests/scrapers/pages/*.html and the real pages), starter solutions and 10,000.

Each timing follows one untimed parse with the same registry state: names compile once per state.
A page passes when its median at 10,000 solutions is at most ``TARGET_MS``.

Each page goes to the source whose key starts its file name (``digst_news_article`` → ``digst_news``);
a page no key names (``garbage.html``) goes to every source. Pages that raise ``LayoutChanged`` are timed
too: detecting a changed layout is part of the work.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

from scrapers import SOURCES
from scrapers.base import ScrapeError, SolutionRef, Source
from tracker.starter_data import SOLUTIONS

PAGES = Path(__file__).resolve().parents[1] / "scrapers" / "pages"
# The real public pages (tests/scrapers/real_pages) with the source and URL each is parsed as.
REAL_PAGES = Path(__file__).resolve().parents[1] / "scrapers" / "real_pages"
REAL_PAGES_2 = Path(__file__).resolve().parents[1] / "scrapers" / "real_pages_2"
# The target: a page parses in at most this long with 10,000 solutions in the registry.
TARGET_MS = 50.0


def starter_refs() -> list[SolutionRef]:
    """The registry's starter solutions as the scrapers see them."""
    return [SolutionRef(s["slug"], (s["name"], *s.get("aliases", []))) for s in SOLUTIONS]


def synthetic_refs(count: int) -> list[SolutionRef]:
    """The starter solutions plus ``count`` synthetic ones, as in the synthetic registry."""
    return starter_refs() + [
        SolutionRef(f"bench-{i:05d}", (f"Syntetisk løsning {i:05d}", f"SYN{i:05d}")) for i in range(count)
    ]


def _url_for(source: Source, stem: str) -> str:
    """The URL a page is parsed as: an article URL for article pages of news sources, else the default."""
    if "article" in stem and hasattr(source, "is_article_url"):
        candidate = source.default_url.rstrip("/") + "/2022/maj/bench-artikel/"
        if source.is_article_url(candidate):
            return candidate
    return source.default_url


def _sources_for(stem: str) -> list[Source]:
    keys = sorted((k for k in SOURCES if stem.startswith(k)), key=len, reverse=True)
    return [SOURCES[keys[0]]] if keys else list(SOURCES.values())


def _time_parse(source: Source, html: str, url: str, refs: list[SolutionRef], repeat: int) -> dict[str, Any]:
    outcome, found = "ok", 0
    timings = []
    with contextlib.suppress(ScrapeError):  # names compile once per registry state: that first parse is untimed
        source.parse(html, url, refs)
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            found = len(source.parse(html, url, refs))
        except ScrapeError as exc:
            outcome = type(exc).__name__
        timings.append(time.perf_counter() - started)
    return {"median_ms": round(statistics.median(timings) * 1000, 3), "outcome": outcome, "observations": found}


def run(*, repeat: int = 20, scale_solutions: int = 10_000) -> list[dict[str, Any]]:
    """Median parse time of every saved page, with the starter solutions and with ``scale_solutions`` more."""
    results = []
    small, large = starter_refs(), synthetic_refs(scale_solutions)
    jobs = [(p, s, _url_for(s, p.stem)) for p in sorted(PAGES.glob("*.html")) for s in _sources_for(p.stem)]
    for folder in (REAL_PAGES, REAL_PAGES_2):
        real = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["pages"]
        jobs += [(folder / r["file"], SOURCES[r.get("source", "watch")], r["url"]) for r in real]
    for page, source, url in jobs:
        html = page.read_bytes().decode("utf-8", errors="replace")  # garbage.html is not UTF-8
        starter = _time_parse(source, html, url, small, repeat)
        scaled = _time_parse(source, html, url, large, max(3, repeat // 4))
        results.append(
            {
                "page": page.name,
                "source": source.key,
                "bytes": len(html.encode()),
                "outcome": starter["outcome"],
                "observations": starter["observations"],
                "median_ms": starter["median_ms"],
                f"median_ms_{scale_solutions}_solutions": scaled["median_ms"],
                "pass": scaled["median_ms"] <= TARGET_MS,
            }
        )
    return results
