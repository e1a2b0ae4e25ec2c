"""The observation contract of ``tracker scrape --json`` and the source registry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import scrapers
from scrapers.base import Observation, ScrapeError, SolutionRef, rebase_url

CONTRACT_KEYS = {
    "source", "solution_slug", "solution_text", "field", "value", "latest", "precision", "evidence", "url",
}  # fmt: skip


def _obs(**changes: str | None) -> Observation:
    fields: dict[str, str | None] = {
        "source": "digst_launch",
        "solution_slug": "fmk",
        "solution_text": "FMK",
        "field": "switch_date",
        "value": "2023-03-01",
        "latest": "2023-03-31",
        "precision": "month",
        "evidence": "FMK skifter i marts 2023.",
        "url": "https://digst.dk/x",
    }
    fields.update(changes)
    return Observation(**fields)  # type: ignore[arg-type]  # a test builds any field mix, valid or not


def test_to_dict_has_exactly_the_contract_keys_and_is_json() -> None:
    data = _obs().to_dict()
    # The contract says "at least": cue, rule, kind and confidence explain the finding.
    assert set(data) == CONTRACT_KEYS | {"cue", "rule", "kind", "confidence"}
    assert json.loads(json.dumps(data)) == data
    assert data["value"] == "2023-03-01"
    assert data["latest"] == "2023-03-31"


def test_level_observation_has_no_latest() -> None:
    data = _obs(field="required_loa", value="betydelig", latest=None, precision="exact").to_dict()
    assert data["latest"] is None
    assert data["value"] == "betydelig"


def test_unknown_solution_is_null_in_json() -> None:
    assert json.dumps(_obs(solution_slug=None).to_dict()).count('"solution_slug": null') == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"field": "deadline"},
        {"value": "1. marts 2023"},
        {"latest": "31-03-2023"},
        {"field": "required_loa", "value": "høj", "latest": None},
        {"field": "required_loa", "value": "hoej", "latest": "2023-01-01"},
        {"precision": "fortnight"},
    ],
)
def test_malformed_observations_are_refused(changes: dict[str, str | None]) -> None:
    with pytest.raises(ValueError, match=r"bad|unknown"):
        _obs(**changes)


def test_registry_has_the_stable_keys() -> None:
    assert sorted(scrapers.SOURCES) == ["digst_launch", "digst_news", "mitid_erhverv_news", "watch"]
    for key, source in scrapers.SOURCES.items():
        assert scrapers.get_source(key) is source
        assert source.key == key
        assert source.default_url.startswith("https://")
    with pytest.raises(KeyError, match="digst_launch"):
        scrapers.get_source("nope")


def test_urls_can_point_at_a_local_server() -> None:
    source = scrapers.get_source("digst_launch")
    assert source.url_for(None) == "https://digst.dk/it-loesninger/nemlog-in/lanceringsdatoer-for-nemlog-in/"
    assert (
        source.url_for("http://127.0.0.1:8765")
        == "http://127.0.0.1:8765/it-loesninger/nemlog-in/lanceringsdatoer-for-nemlog-in/"
    )
    assert rebase_url("https://a.dk/x/?p=1", "http://127.0.0.1:1/prefix/") == "http://127.0.0.1:1/prefix/x/?p=1"


def test_the_package_does_not_import_the_app() -> None:
    code = (
        "import sys, scrapers, scrapers.http; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tracker', 'sqlalchemy', 'flask')))"
    )
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert out.stdout.strip() == "[]"


FRAGMENTS = [
    "<html>", "<body>", "<main>", "</main>", "<h1>", "</h1>", "Lanceringsdatoer", "<table>", "<tr>", "<th>",
    "Løsning", "Skæringsdato", "<td>", "FMK", "Aula", "1. marts 2023", "Q2 2024", "Betydelig", "<ul>", "<li>",
    "<a href='/nyheder/nyhedsarkiv/2022/maj/x/'>", "<a href='/info/nyhedsarkiv/y/'>", "</a>", "<p>", "NemLog-in",
    "<time datetime='2022-13-45'>", "uge 8", "den 17. oktober", "<br>", "<!--", "-->", "<script>", "\x00", "&amp;",
]  # fmt: skip


@given(
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=30).map("".join),
    st.sampled_from(sorted(scrapers.SOURCES)),
)
def test_parsers_return_observations_or_a_scrape_error(html: str, key: str) -> None:
    source = scrapers.get_source(key)
    url = (
        "https://digst.dk/nyheder/nyhedsarkiv/2022/maj/x/" if key == "digst_news" and "x" in html else source.url_for()
    )
    try:
        found = source.parse(html, url, [SolutionRef("fmk", ("FMK",)), SolutionRef("aula", ("Aula",))])
    except ScrapeError:
        return
    assert all(isinstance(o, Observation) and set(o.to_dict()) >= CONTRACT_KEYS for o in found)
