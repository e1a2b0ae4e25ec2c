"""digst_launch on saved pages: the launch table, list items, layout changes and junk."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scrapers import get_source
from scrapers.base import LayoutChanged, Observation, SolutionRef

URL = "https://digst.dk/it-loesninger/nemlog-in/lanceringsdatoer-for-nemlog-in/"
ROW = {
    "fmk": "Løsning: FMK (Fælles Medicinkort) | Skæringsdato: 1. marts 2023 | Sikringsniveau: Betydelig",
    "nexus": "Løsning: KMD Nexus | Skæringsdato: Q2 2024 | Sikringsniveau: Substantial",
    "virk": "Løsning: virk.dk | Skæringsdato: ultimo 2023 | Sikringsniveau: sikringsniveau 3",
    "sundhed": "Løsning: sundhed.dk | Skæringsdato: uge 43 | Sikringsniveau: Høj (forventet)",
    "post": "Løsning: Digital Post | Skæringsdato: efteråret 2023 | Sikringsniveau: Lav",
}


def _date(slug: str | None, text: str, first: str, last: str, precision: str, evidence: str) -> Observation:
    return Observation("digst_launch", slug, text, "switch_date", first, last, precision, evidence, URL)


def _level(slug: str | None, text: str, level: str, evidence: str) -> Observation:
    return Observation("digst_launch", slug, text, "required_loa", level, None, "exact", evidence, URL)


EXPECTED = [
    _date("fmk", "FMK (Fælles Medicinkort)", "2023-03-01", "2023-03-01", "day", ROW["fmk"]),
    _level("fmk", "FMK (Fælles Medicinkort)", "betydelig", ROW["fmk"]),
    _date("kmd-nexus", "KMD Nexus", "2024-04-01", "2024-06-30", "quarter", ROW["nexus"]),
    _level("kmd-nexus", "KMD Nexus", "betydelig", ROW["nexus"]),
    _date("virk-dk", "virk.dk", "2023-10-01", "2023-12-31", "quarter", ROW["virk"]),
    _level("virk-dk", "virk.dk", "betydelig", ROW["virk"]),
    # "uge 43" has no year: the page's own date (14-03-2023) supplies it.
    _date("sundhed-dk", "sundhed.dk", "2023-10-23", "2023-10-29", "week", ROW["sundhed"]),
    _level("sundhed-dk", "sundhed.dk", "hoej", ROW["sundhed"]),
    _date(None, "Digital Post", "2023-09-01", "2023-11-30", "season", ROW["post"]),
    _level(None, "Digital Post", "lav", ROW["post"]),
    _date(
        "serviceplatformen",
        "Serviceplatformen",
        "2023-05-23",
        "2023-05-23",
        "day",
        "Serviceplatformen overgår til OCES3-certifikater fra den 23. maj 2023.",
    ),
    # "Brugere af Nexus skal logge på med NSIS-sikringsniveau Betydelig": the users, not Nexus, are the subject, and
    # "logge på" is no requirement verb — no level.
]


def test_launch_page_yields_exactly_the_expected_observations(
    page: Callable[[str], str], solutions: list[SolutionRef]
) -> None:
    assert get_source("digst_launch").parse(page("digst_launch.html"), URL, solutions) == EXPECTED


def test_only_the_caller_s_solutions_are_named(page: Callable[[str], str]) -> None:
    found = get_source("digst_launch").parse(page("digst_launch.html"), URL, [SolutionRef("fmk", ("FMK",))])
    # Unknown first-cell names stay visible (slug None); known names are matched to the caller's slugs.
    assert {o.solution_slug for o in found} == {"fmk", None}
    assert {o.solution_text for o in found if o.solution_slug is None} == {
        "KMD Nexus", "virk.dk", "sundhed.dk", "Digital Post",
    }  # fmt: skip


def test_a_redesigned_page_is_read_by_meaning_not_refused(
    page: Callable[[str], str], solutions: list[SolutionRef]
) -> None:
    # The table became cards without any word saying what the dates are: main content is there
    # (no layout alert), and a bare date beside a name is no switch date.
    assert get_source("digst_launch").parse(page("digst_launch_layout_changed.html"), URL, solutions) == []


def test_any_table_is_read_whatever_its_headers_say(page: Callable[[str], str], solutions: list[SolutionRef]) -> None:
    html = page("digst_launch.html")
    renamed = html.replace("Skæringsdato", "Forventet overgang").replace("Løsning", "System")
    found = get_source("digst_launch").parse(renamed, URL, solutions)
    assert ("fmk", "switch_date", "2023-03-01") in [(o.solution_slug, o.field, o.value) for o in found]
    without_table = html[: html.index("<table")] + html[html.index("</table>") + len("</table>") :]
    assert isinstance(get_source("digst_launch").parse(without_table, URL, solutions), list)


@pytest.mark.parametrize("junk", ["garbage.html", "truncated"])
def test_junk_is_a_layout_change(page: Callable[[str], str], solutions: list[SolutionRef], junk: str) -> None:
    html = page(junk) if junk.endswith(".html") else page("digst_launch.html")[:300]
    with pytest.raises(LayoutChanged):
        get_source("digst_launch").parse(html, URL, solutions)


def test_main_text_is_one_unit_per_line_without_chrome(page: Callable[[str], str]) -> None:
    lines = get_source("digst_launch").main_text(page("digst_launch.html")).splitlines()
    assert lines[:2] == ["Lanceringsdatoer for NemLog-in", "Senest opdateret 14-03-2023"]
    assert ROW["fmk"] in lines
    assert "Lokale IdP'er skal være NSIS-anmeldt senest d. 1. marts 2023." in lines
    text = "\n".join(lines)
    assert "2020" not in text  # the nav, cookie banner, script and footer all mention 2020
    assert "CVR" not in text
