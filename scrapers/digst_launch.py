"""digst.dk "Lanceringsdatoer for NemLog-in": a table of solutions with dates and levels, plus lists.

The page is read by meaning, not by its current layout: every table row naming a solution is read
whatever its headers say ("Skæringsdato", "Forventet overgang" …), and each row's first cell is taken as
a name (an unknown name is still reported, with ``solution_slug`` None); prose and lists go through the
same rules as any page. Only a page whose main content cannot be found raises ``LayoutChanged``.
"""

from __future__ import annotations

from collections.abc import Sequence

from scrapers.base import LayoutChanged, Observation, SolutionRef, Source
from scrapers.matching import observe
from scrapers.pagetext import extract_units, load_main, page_date


class DigstLaunchSource(Source):
    """The launch-dates page for NemLog-in."""

    key = "digst_launch"
    name = "Digitaliseringsstyrelsen – lanceringsdatoer for NemLog-in"
    default_url = "https://digst.dk/it-loesninger/nemlog-in/lanceringsdatoer-for-nemlog-in/"

    def parse(self, html: str, url: str, solutions: Sequence[SolutionRef]) -> list[Observation]:
        """Observations from the table rows and from prose/list items naming known solutions."""
        root = load_main(html, source=self.key, url=url)
        units = extract_units(root)
        if not any(u.kind != "heading" for u in units):
            raise LayoutChanged(f"{self.key}: no main content at {url}")
        ctx = page_date(root, units)
        return observe(units, solutions, source=self.key, url=url, context_date=ctx, name_rows=True)


SOURCE = DigstLaunchSource()
