"""Real public pages and phrases (tests/scrapers/real_pages, copied from the shared data): a careful reader's facts.

Each page is parsed as ``tracker scrape SOURCE --file FILE --url URL`` would, against the day-one registry:
every expected fact is found, nothing else is (pages without facts yield nothing), and no ``not_facts``
text becomes an observation. Every phrase parses to the interval expected.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from scrapers import get_source
from scrapers.base import SolutionRef
from scrapers.dates import find_dates, parse_date
from tracker.starter_data import SOLUTIONS

REAL = Path(__file__).parent / "real_pages"
# The second shared set (tests/scrapers/real_pages_2): more pages, traps and phrases.
REAL_2 = Path(__file__).parent / "real_pages_2"
EXPECTED: dict[str, Any] = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
PHRASES: list[dict[str, Any]] = [
    phrase
    for folder in (REAL, REAL_2)
    for phrase in json.loads((folder / "date-phrases.json").read_text(encoding="utf-8"))["phrases"]
]
REGISTRY = [SolutionRef(s["slug"], (s["name"], *s.get("aliases", []))) for s in SOLUTIONS]


@pytest.mark.parametrize("case", EXPECTED["pages"], ids=lambda c: c["file"])
def test_real_page_yields_exactly_the_facts_a_careful_reader_records(case: dict[str, Any]) -> None:
    html = (REAL / case["file"]).read_text(encoding="utf-8")
    found = get_source(case["source"]).parse(html, case["url"], REGISTRY)
    got = {(o.solution_slug, o.field, o.value, o.latest) for o in found}
    want = {(f["ext_slug"], f["field"], f["earliest"], f["latest"]) for f in case["facts"]}
    assert got == want
    for o in found:
        assert o.cue, f"{o} carries no cue"
        fact = next(f for f in case["facts"] if f["ext_slug"] == o.solution_slug)
        assert fact["quote"].rstrip(".") in o.evidence or o.evidence.rstrip("…") in fact["quote"]
    for not_fact in case.get("not_facts", []):
        for piece in not_fact["quote"].split("..."):
            assert not any(piece.strip() and piece.strip() in o.evidence for o in found), not_fact["why"]


def _ctx(phrase: dict[str, Any]) -> date | None:
    return date.fromisoformat(phrase["context_date"]) if phrase["context_date"] else None


@pytest.mark.parametrize("phrase", PHRASES, ids=lambda p: p["phrase"][:40])
def test_real_phrase_parses_to_the_expected_interval(phrase: dict[str, Any]) -> None:
    if phrase["mode"].startswith("parse_date"):
        one = parse_date(phrase["phrase"], context_date=_ctx(phrase))
        got = [one] if one is not None else []
    else:
        got = find_dates(phrase["phrase"], context_date=_ctx(phrase))
    assert len(got) == len(phrase["expected"])
    for interval, want in zip(got, phrase["expected"], strict=True):
        assert interval.earliest.isoformat() == want["earliest"]
        assert interval.latest.isoformat() == want["latest"]
        if "precision" in want:
            assert interval.precision == want["precision"]


@pytest.mark.parametrize("phrase", PHRASES, ids=lambda p: p["phrase"][:40])
def test_parse_date_and_find_dates_agree(phrase: dict[str, Any]) -> None:
    """What ``parse_date`` reads a phrase as, ``find_dates`` finds in it (the span of all it finds), and a phrase
    ``find_dates`` reads as one expression from end to end ``parse_date`` reads the same."""
    ctx = _ctx(phrase)
    one = parse_date(phrase["phrase"], context_date=ctx)
    found = find_dates(phrase["phrase"], context_date=ctx)
    if one is not None:
        assert found, "parse_date reads a date find_dates does not see"
        assert (min(f.earliest for f in found), max(f.latest for f in found)) == (one.earliest, one.latest)
    elif phrase["mode"].startswith("parse_date"):
        pytest.fail("parse_date reads nothing")
    if len(found) == 1 and found[0].text.strip(" .()") == " ".join(phrase["phrase"].split()).strip(" .()"):
        assert one is not None and (one.earliest, one.latest) == (found[0].earliest, found[0].latest)
