"""Precision and recall of the fact reader over the shared real pages, and accuracy over the real phrases.

    PYTHONPATH=. .venv/bin/python -m tests.scrapers.measure [-v]

Each page is parsed as ``tracker scrape SOURCE --file FILE --url URL --dry-run`` would, against the day-one
registry (``tracker.starter_data``). A found observation is right when it is one of the page's expected facts
(same solution — the expected ``ext_slug`` or ``starter_slug`` —, field, earliest and latest day); every other
observation is wrong (a trap page's, a ``not_facts`` one, or one nobody expected). Recall counts the expected
facts found. Phrases: ``parse_date`` or ``find_dates`` as the phrase's mode says, right when every interval
(and its precision, where given) is the expected one.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from scrapers import get_source
from scrapers.base import Observation, SolutionRef
from scrapers.dates import find_dates, parse_date

HERE = Path(__file__).parent
SETS = (HERE / "real_pages", HERE / "real_pages_2")


def registry() -> list[SolutionRef]:
    """The day-one registry as the scraper sees it."""
    from tracker.starter_data import SOLUTIONS

    return [SolutionRef(s["slug"], (s["name"], *s.get("aliases", []))) for s in SOLUTIONS]


def pages(folder: Path) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["pages"]
    return pages


def phrases(folder: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((folder / "date-phrases.json").read_text(encoding="utf-8"))["phrases"]
    return found


def parse_page(folder: Path, case: dict[str, Any], refs: list[SolutionRef]) -> list[Observation]:
    html = (folder / case["file"]).read_text(encoding="utf-8")
    return get_source(case.get("source", "watch")).parse(html, case["url"], refs)


def is_expected(o: Observation, fact: dict[str, Any]) -> bool:
    slugs = {fact.get("ext_slug"), fact.get("starter_slug")} - {None}
    value = fact.get("earliest", fact.get("value"))
    return (
        o.solution_slug in slugs
        and o.field == fact["field"]
        and o.value == value
        and (o.latest == fact.get("latest") or o.field == "required_loa")
    )


def phrase_ok(phrase: dict[str, Any]) -> bool:
    ctx = date.fromisoformat(phrase["context_date"]) if phrase["context_date"] else None
    if phrase["mode"].startswith("parse_date"):
        one = parse_date(phrase["phrase"], context_date=ctx)
        got = [one] if one is not None else []
    else:
        got = find_dates(phrase["phrase"], context_date=ctx)
    if len(got) != len(phrase["expected"]):
        return False
    return all(
        g.earliest.isoformat() == w["earliest"]
        and g.latest.isoformat() == w["latest"]
        and ("precision" not in w or g.precision == w["precision"])
        for g, w in zip(got, phrase["expected"], strict=True)
    )


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    refs = registry()
    total = {"expected": 0, "hit": 0, "found": 0, "right": 0, "strict_expected": 0, "strict_found": 0}
    for folder in SETS:
        for case in pages(folder):
            found = parse_page(folder, case, refs)
            facts = case["facts"]
            hit = [f for f in facts if any(is_expected(o, f) for o in found)]
            right = [o for o in found if any(is_expected(o, f) for f in facts)]
            total["expected"] += len(facts)
            total["hit"] += len(hit)
            total["found"] += len(found)
            total["right"] += len(right)
            total["strict_expected"] += sum(f["kind"] == "strict" for f in facts)
            total["strict_found"] += sum(f["kind"] == "strict" for f in hit)
            if verbose and (len(hit) < len(facts) or len(right) < len(found)):
                print(f"{folder.name}/{case['file']}: {len(hit)}/{len(facts)} found, {len(right)}/{len(found)} right")
                for o in found:
                    if o not in right:
                        print(
                            f"   WRONG {o.solution_slug} {o.field} {o.value}..{o.latest} [{o.cue}] {o.evidence[:140]}"
                        )
                for f in facts:
                    if f not in hit:
                        print(f"   MISSED {f['ext_slug']} {f['field']} {f['earliest']}..{f['latest']} {f['quote']}")
    all_phrases = [p for folder in SETS for p in phrases(folder)]
    ok = [p for p in all_phrases if phrase_ok(p)]
    if verbose:
        for p in all_phrases:
            if p not in ok:
                print(f"PHRASE WRONG {p['phrase']!r}")
    precision = total["right"] / total["found"] if total["found"] else 1.0
    recall = (total["hit"], total["expected"])
    print(
        f"pages: {sum(len(pages(f)) for f in SETS)}; observations {total['found']}, right {total['right']}: "
        f"precision {precision:.2f}; recall {recall[0]}/{recall[1]} = {recall[0] / max(1, recall[1]):.2f} "
        f"(strict {total['strict_found']}/{total['strict_expected']})"
    )
    print(f"phrases: {len(ok)}/{len(all_phrases)} = {len(ok) / len(all_phrases):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
