"""mitid_erhverv_news on a saved archive page: same shape as digst_news, no topic filter."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scrapers import get_source, mitid_erhverv_news
from scrapers.base import LayoutChanged, Observation, SolutionRef

ARCHIVE = "https://www.mitid-erhverv.dk/info/nyhedsarkiv/"


def test_archive_yields_exact_observations(page: Callable[[str], str], solutions: list[SolutionRef]) -> None:
    sp = f"{ARCHIVE}serviceplatformen-nyt-sikringsniveau/"
    nexus = f"{ARCHIVE}kmd-nexus-skifter-login/"
    sp_ev = "Serviceplatformen kræver fra 1. februar 2024 NSIS-sikringsniveau Høj for administratorer."
    src = "mitid_erhverv_news"
    assert get_source(src).parse(page("mitid_erhverv_news.html"), ARCHIVE, solutions) == [
        Observation(src, "serviceplatformen", "Serviceplatformen", "switch_date", "2024-02-01", "2024-02-01", "day",
                    sp_ev, sp),
        Observation(src, "serviceplatformen", "Serviceplatformen", "required_loa", "hoej", None, "exact", sp_ev, sp),
        Observation(src, "kmd-nexus", "KMD Nexus", "switch_date", "2025-03-11", "2025-03-20", "month",
                    "KMD Nexus skifter til MitID Erhverv medio marts 2025.", nexus),
    ]  # fmt: skip


def test_every_item_is_relevant_on_this_site(page: Callable[[str], str]) -> None:
    links = mitid_erhverv_news.article_links(page("mitid_erhverv_news.html"), ARCHIVE)
    assert links == [
        f"{ARCHIVE}mitid-erhverv-har-erstattet-nemid-medarbejdersignatur/",
        f"{ARCHIVE}serviceplatformen-nyt-sikringsniveau/",
        f"{ARCHIVE}kmd-nexus-skifter-login/",
    ]


def test_items_carry_their_own_dates(page: Callable[[str], str]) -> None:
    items = mitid_erhverv_news.SOURCE.items(page("mitid_erhverv_news.html"), ARCHIVE)
    assert [(i.title, str(i.published)) for i in items] == [
        ("MitID Erhverv har erstattet NemID medarbejdersignatur", "2023-10-31"),
        ("Serviceplatformen hæver sikringsniveauet", "2024-01-15"),
        ("KMD Nexus skifter login", "2025-02-03"),
    ]


def test_junk_is_a_layout_change(page: Callable[[str], str], solutions: list[SolutionRef]) -> None:
    with pytest.raises(LayoutChanged):
        get_source("mitid_erhverv_news").parse(page("garbage.html"), ARCHIVE, solutions)
