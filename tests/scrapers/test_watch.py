"""The generic page watch: main text for diffs, the matcher's findings, and the watched URL list."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scrapers import get_source
from scrapers.base import LayoutChanged, Observation, SolutionRef
from scrapers.watch import WATCH_URLS, WatchSource, changes

URL = "https://digitaliseringskataloget.dk/udskiftning-af-oces2-certifikater-i-den-faelleskommunale-infrastruktur"


def test_watch_page_observations(page: Callable[[str], str], solutions: list[SolutionRef]) -> None:
    row = (
        "Servicevindue: Serviceplatformen | Tidspunkt: fredag den 24. august kl. 20.00 til lørdag den 25. august "
        "kl. 06.00"
    )
    assert get_source("watch").parse(page("watch_page.html"), URL, solutions) == [
        # "uge 43" takes the year of "Denne side er senest opdateret: 24. maj 2023."
        Observation("watch", "fmk", "FMK", "switch_date", "2023-10-23", "2023-10-29", "week", "FMK skifter i uge 43.",
                    URL),
        Observation("watch", "aula", "Aula", "required_loa", "betydelig", None, "exact",
                    "Aula stiller krav om sikringsniveau Betydelig.", URL),
        Observation("watch", "serviceplatformen", "Serviceplatformen", "switch_date", "2023-08-24", "2023-08-25", "day",
                    row, URL),
    ]  # fmt: skip


def test_only_real_content_changes_show_in_the_diff(page: Callable[[str], str]) -> None:
    source = get_source("watch")
    old, new = source.main_text(page("watch_page.html")), source.main_text(page("watch_page_changed.html"))
    # script, hidden cookie banner and footer changed too; only the list item is content
    assert changes(old, new) == ["- FMK skifter i uge 43.", "+ FMK skifter i uge 45."]
    assert changes(old, old) == []


def test_empty_or_junk_pages_are_layout_changes(page: Callable[[str], str], solutions: list[SolutionRef]) -> None:
    with pytest.raises(LayoutChanged):
        get_source("watch").parse(page("garbage.html"), URL, solutions)
    with pytest.raises(LayoutChanged):
        get_source("watch").main_text(page("garbage.html"))
    with pytest.raises(LayoutChanged, match="no readable text"):
        get_source("watch").parse("<html><body><nav>Menu</nav><script>x()</script></body></html>", URL, solutions)


def test_watch_urls_come_from_the_domain_notes_and_can_be_rebased() -> None:
    assert "https://digst.dk/it-loesninger/standarder/nsis/" in WATCH_URLS
    assert all(u.startswith("https://") for u in WATCH_URLS)
    rebased = WatchSource().urls_for("http://127.0.0.1:5000")
    assert rebased[1] == "http://127.0.0.1:5000/it-loesninger/standarder/nsis/"
    assert len(rebased) == len(WATCH_URLS)
