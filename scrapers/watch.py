"""Generic page watch: any page's main text, for diffs, plus whatever the shared matcher finds.

``WATCH_URLS`` are the pages of domain.md §5 that no dedicated source covers.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from scrapers.base import LayoutChanged, Observation, SolutionRef, Source, rebase_url
from scrapers.matching import observe
from scrapers.pagetext import extract_units, load_main, page_date

WATCH_URLS: tuple[str, ...] = (
    "https://nyhedsbrev.digst.dk/archive/",
    "https://digst.dk/it-loesninger/standarder/nsis/",
    "https://digst.dk/tilsyn/nsis",
    "https://digst.dk/it-loesninger/standarder/nsis/ofte-stillede-spoergsmaal-om-nsis/",
    "https://tu.nemlog-in.dk/tilslutning/vilkar/",
    "https://tu.nemlog-in.dk/tilslutning/vilkar/multi-tenant/",
    "https://tu.nemlog-in.dk/oprettelse-og-administration-af-tjenester/log-in/dokumentation.og.guides/",
    "https://migrering.nemlog-in.dk/om-nemlog-in/dokumentation-og-vejledning",
    "https://mitid-erhverv.dk/avanceret/lokal.idp/",
    "https://mitid-erhverv.dk/avanceret/lokal-idm",
    "https://digitaliseringskataloget.dk/løsninger/adgangsstyring-brugere",
    "https://digitaliseringskataloget.dk/udskiftning-af-oces2-certifikater-i-den-faelleskommunale-infrastruktur",
    "https://viden.stil.dk/display/OFFSKOLELOGIN/Releases",
    "https://aulainfo.dk/tag/login/",
    "https://services.nsi.dk/Services/SEB",
    "https://services.nsi.dk/en/Services/FMK",
    "https://www.lovguiden.dk/loven/bekendtgørelse-af-lov-om-mitid-og-nemlog-in/2",
)


class WatchSource(Source):
    """Any page: its main text for change detection and the matcher's findings."""

    key = "watch"
    name = "Sidevagt (generisk)"
    default_url = WATCH_URLS[0]

    def urls_for(self, base_url_override: str | None = None) -> list[str]:
        """All watched URLs, pointed at ``base_url_override`` when given."""
        return [rebase_url(u, base_url_override) for u in WATCH_URLS]

    def parse(self, html: str, url: str, solutions: Sequence[SolutionRef]) -> list[Observation]:
        """Observations from the page's main content; a page without any text raises LayoutChanged."""
        root = load_main(html, source=self.key, url=url)
        units = extract_units(root)
        if not units:
            raise LayoutChanged(f"{self.key}: no readable text at {url}")
        return observe(units, solutions, source=self.key, url=url, context_date=page_date(root, units))


def changes(old_text: str, new_text: str) -> list[str]:
    """Lines removed ("- …") and added ("+ …") between two ``main_text`` snapshots, in order."""
    diff = difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), lineterm="", n=0)
    return [f"{line[0]} {line[1:]}" for line in diff if line[:1] in "+-" and line[:3] not in ("---", "+++")]


SOURCE = WatchSource()
