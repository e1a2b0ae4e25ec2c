"""digst.dk "Lanceringsdatoer for NemLog-in": a table Løsning | Skæringsdato | Sikringsniveau plus lists.

The table is the point of the page: each row names a solution in its first
cell, so rows are read as "name rows" (an unknown name is still reported, with
``solution_slug`` None). The H1 or the table missing, or a table that yields
nothing, raises ``LayoutChanged``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scrapers.base import LayoutChanged, Observation, SolutionRef, Source
from scrapers.matching import observe
from scrapers.pagetext import extract_units, load_main, page_date

_TITLE = re.compile(r"lanceringsdato", re.IGNORECASE)
_NAME_HEADER = re.compile(r"løsning|solution", re.IGNORECASE)
_DATE_HEADER = re.compile(r"dato|date", re.IGNORECASE)


class DigstLaunchSource(Source):
    """The launch-dates page for NemLog-in."""

    key = "digst_launch"
    name = "Digitaliseringsstyrelsen – lanceringsdatoer for NemLog-in"
    default_url = "https://digst.dk/it-loesninger/nemlog-in/lanceringsdatoer-for-nemlog-in/"

    def parse(self, html: str, url: str, solutions: Sequence[SolutionRef]) -> list[Observation]:
        """Observations from the table rows and from prose/list items naming known solutions."""
        root = load_main(html, source=self.key, url=url)
        h1 = root.find("h1")
        if h1 is None or not _TITLE.search(h1.get_text()):
            raise LayoutChanged(f"{self.key}: no H1 about lanceringsdatoer at {url}")
        units = extract_units(root)
        headers = [u.text for u in units if u.kind == "heading" and " | " in u.text]
        if not any(_NAME_HEADER.search(h) and _DATE_HEADER.search(h) for h in headers):
            raise LayoutChanged(f"{self.key}: no table with Løsning and Skæringsdato columns at {url}")
        ctx = page_date(root, units)
        rows = [u for u in units if u.kind == "row"]
        if not observe(rows, solutions, source=self.key, url=url, context_date=ctx, name_rows=True):
            raise LayoutChanged(f"{self.key}: the launch table yielded no dates or levels at {url}")
        return observe(units, solutions, source=self.key, url=url, context_date=ctx, name_rows=True)


SOURCE = DigstLaunchSource()
