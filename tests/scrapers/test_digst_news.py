"""digst_news on saved pages: the archive (relevant items only) and one article."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scrapers import digst_news, get_source
from scrapers.base import LayoutChanged, Observation, SolutionRef
from scrapers.dates import find_dates

ARCHIVE = "https://digst.dk/nyheder/nyhedsarkiv/"
BASE = "https://digst.dk/nyheder/nyhedsarkiv"
ARTICLE = f"{BASE}/2022/maj/danske-virksomheder-kan-faa-mitid-erhverv-fra-oktober-2022/"


def _obs(
    url: str, slug: str, text: str, field: str, value: str, latest: str | None, precision: str, ev: str
) -> Observation:
    return Observation("digst_news", slug, text, field, value, latest, precision, ev, url)


def test_archive_yields_observations_from_relevant_items_only(
    page: Callable[[str], str], solutions: list[SolutionRef]
) -> None:
    aula = f"{BASE}/2023/februar/aula-og-nsis/"
    sundhed = f"{BASE}/2023/oktober/sundhed-dk-skifter-login/"
    aula_ev = "Aula kræver sikringsniveau Betydelig fra primo 2024."
    assert get_source("digst_news").parse(page("digst_news.html"), ARCHIVE, solutions) == [
        _obs(aula, "aula", "Aula", "switch_date", "2024-01-01", "2024-03-31", "quarter", aula_ev),
        _obs(aula, "aula", "Aula", "required_loa", "betydelig", None, "exact", aula_ev),
        # year-less "den 17. oktober" takes the item's own date (02-10-2023)
        _obs(sundhed, "sundhed-dk", "Sundhed.dk", "switch_date", "2023-10-17", "2023-10-17", "day",
             "Sundhed.dk skifter log-in for fagpersoner den 17. oktober."),
    ]  # fmt: skip
    # The off-topic strategy item names FMK with a date, and is skipped.


def test_article_links_are_absolute_relevant_and_in_order(page: Callable[[str], str]) -> None:
    assert digst_news.article_links(page("digst_news.html"), ARCHIVE) == [
        ARTICLE,
        f"{BASE}/2023/februar/aula-og-nsis/",
        f"{BASE}/2023/april/nemlog-in-driftsstatus/",
        f"{BASE}/2023/oktober/sundhed-dk-skifter-login/",
    ]


def test_article_links_follow_a_local_base_url(page: Callable[[str], str]) -> None:
    links = digst_news.article_links(page("digst_news.html"), "http://127.0.0.1:9999/nyheder/nyhedsarkiv/")
    assert (
        links[0]
        == "http://127.0.0.1:9999/nyheder/nyhedsarkiv/2022/maj/danske-virksomheder-kan-faa-mitid-erhverv-fra-oktober-2022/"
    )


def test_article_goes_through_the_same_matcher(page: Callable[[str], str], solutions: list[SolutionRef]) -> None:
    plan = "FMK følger efter i løbet af 2023, og KMD Nexus forventes at skifte i 2. halvår 2023 på sikringsniveau 3."
    assert get_source("digst_news").parse(page("digst_news_article.html"), ARTICLE, solutions) == [
        # "Virk.dk åbner for log-in … den 24. oktober": the rule "aabner-for" ("åbner der et vindue" is not it)
        _obs(ARTICLE, "virk-dk", "Virk.dk", "switch_date", "2022-10-24", "2022-10-24", "day",
             "Virk.dk åbner for log-in med MitID Erhverv den 24. oktober."),
        _obs(ARTICLE, "sundhed-dk", "Sundhed.dk", "required_loa", "betydelig", None, "exact",
             "Sundhed.dk kræver NSIS-sikringsniveau Betydelig for fagpersoner."),
        # FMK's clause ("FMK følger efter i løbet af 2023") has no cue of its own: "skifte" governs Nexus's date only
        _obs(ARTICLE, "kmd-nexus", "KMD Nexus", "switch_date", "2023-07-01", "2023-12-31", "half", plan),
        # "sikringsniveau 3" is no NSIS level: NSIS levels have names
    ]  # fmt: skip


def test_article_rollout_bullet_is_one_span_and_no_switch(page: Callable[[str], str]) -> None:
    bullet = "MitID Erhverv rulles ud fra oktober 2022 og frem mod juni 2023."
    text = get_source("digst_news").main_text(page("digst_news_article.html"))
    assert bullet in text.splitlines()
    (span,) = find_dates(bullet)
    assert (span.earliest.isoformat(), span.latest.isoformat(), span.precision) == ("2022-10-01", "2023-06-30", "month")
    found = get_source("digst_news").parse(
        page("digst_news_article.html"), ARTICLE, [SolutionRef("mitid-erhverv", ("MitID Erhverv",))]
    )
    # A rollout is not a switch date.
    assert [o for o in found if o.evidence == bullet] == []


def test_a_page_without_item_links_is_read_as_an_article(
    page: Callable[[str], str], solutions: list[SolutionRef]
) -> None:
    article = page("digst_news_article.html")

    # An article given under the archive's address is read as the article it is, H1 or not.
    def facts(url: str) -> list[tuple[str | None, str, str]]:
        return [(o.solution_slug, o.field, o.value) for o in get_source("digst_news").parse(article, url, solutions)]

    assert facts(ARCHIVE) == facts(ARTICLE) != []
    no_h1 = article.replace("<h1>", "<p>").replace("</h1>", "</p>")
    assert get_source("digst_news").parse(no_h1, ARTICLE, solutions)
    html = page("digst_news.html").replace("/nyheder/nyhedsarkiv/20", "/arkiv/20")
    with pytest.raises(LayoutChanged, match="no news items"):
        digst_news.article_links(html, ARCHIVE)
    with pytest.raises(LayoutChanged):
        digst_news.article_links(page("garbage.html"), ARCHIVE)
    with pytest.raises(LayoutChanged):
        get_source("digst_news").parse(page("garbage.html"), ARCHIVE, solutions)
