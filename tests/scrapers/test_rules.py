"""The cue table (``scrapers.rules``): every rule reads its own real quote, and the grammar around cues.

One test per row: the quote is on its page (when the page is copied here), the rule's words are in it, and a
date in it is read by this rule; a quote naming a solution gives that solution's fact with the rule's id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scrapers import get_source, rules
from scrapers.base import SolutionRef
from scrapers.cues import switch_cue
from scrapers.dates import find_date_matches
from scrapers.facts import required_levels, switch_dates
from scrapers.levels import find_levels
from scrapers.pagetext import extract_units, load_main
from tracker.starter_data import SOLUTIONS

HERE = Path(__file__).parent
REGISTRY = [SolutionRef(s["slug"], (s["name"], *s.get("aliases", []))) for s in SOLUTIONS]


def _page_text(rule: rules.Rule) -> str:
    html = (HERE / rule.file).read_text(encoding="utf-8")
    return " ".join(" ".join(u.text for u in extract_units(load_main(html, source="watch", url=rule.url))).split())


@pytest.mark.parametrize("rule", rules.RULES, ids=lambda r: r.id)
def test_every_rule_reads_its_real_quote(rule: rules.Rule) -> None:
    assert rule.quote and (rule.url.startswith(("https://", "http://")) or rule.url == rules.KL_WEBINAR)
    if rule.file:
        assert " ".join(rule.quote.split()) in _page_text(rule), "the quote is the page's own words"
    if rule.role == "column":
        return  # a table's column header is the cue: any header
    pattern = {"switch": rules.SWITCH, "obligation": rules.OBLIGATION, "level": rules.LEVEL}.get(rule.role)
    if pattern is not None:
        assert any(rules.rule_of(m) is rule for m in pattern.finditer(rule.quote)), "its words are in its quote"
    dates = find_date_matches(rule.quote)
    if rule.role in ("switch", "obligation", "before") and dates:
        cue = switch_cue(rule.quote, dates[-1].start, dates[-1].end)
        assert cue is not None and cue.rule is rule
        assert switch_dates(rule.quote, None)[-1].rule == rule.id
    if rule.role == "level" and find_levels(rule.quote):
        assert [f.rule for f in required_levels(rule.quote)] in ([rule.id], [])


@pytest.mark.parametrize("rule", [r for r in rules.RULES if r.solution and r.file], ids=lambda r: r.id)
def test_a_rule_whose_quote_is_a_facts_reads_that_fact_on_its_page(rule: rules.Rule) -> None:
    html = (HERE / rule.file).read_text(encoding="utf-8")
    found = get_source("watch").parse(html, rule.url, REGISTRY)
    assert any(o.solution_slug == rule.solution and o.rule == rule.id for o in found), found


def _facts(body: str, url: str = "https://example.dk/side") -> list[tuple[Any, ...]]:
    html = f"<html lang='da'><body><main>{body}</main></body></html>"
    found = get_source("watch").parse(html, url, REGISTRY)
    return [(o.solution_slug, o.value, o.rule, o.kind, o.confidence) for o in found]


def test_a_compound_containing_a_cue_word_is_not_the_cue() -> None:
    assert _facts("<p>NemLog-in har en overgangsperiode – forventet 2021 ud.</p>") == []
    assert _facts("<p>NemLog-in overgår til OIOSAML 4 den 1. marts 2027.</p>") == [
        ("nemlog-in", "2027-03-01", "overgaar-til", "protocol", "")
    ]


def test_the_cue_must_stand_in_the_dates_own_clause() -> None:
    assert _facts("<p>Aula skal opdateres, og den 1. marts 2027 holder vi møde om sagen.</p>") == []
    assert _facts("<p>FMK følger med i 2027, og Aula skifter til Context Handler 2 den 1. marts 2027.</p>") == [
        ("aula", "2027-03-01", "skifter", "broker_version", "")
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Skiftet i Aula var egentlig planlagt til den 30. november 2026.",
        "Aula skifter typisk login den 1. marts 2027.",
        "Hvis FMK skifter den 1. marts 2027, skal I være klar.",
        "Aula kan overgå til MitID Erhverv i starten af 2027.",
    ],
)
def test_hedged_conditional_and_past_plan_sentences_give_no_fact(sentence: str) -> None:
    assert _facts(f"<p>{sentence}</p>") == []


def test_a_hedged_sentence_on_an_authoritys_page_is_kept_at_a_lower_confidence() -> None:
    found = _facts("<p>Aula kan skifte den 1. marts 2027.</p>", url="https://digst.dk/nyhed")
    assert found == [("aula", "2027-03-01", "skifter", "login", "low")]


def test_an_obligation_needs_the_solution_named_in_its_own_sentence() -> None:
    # virk.dk's help page: the page title is the only subject, and "Alle med NemID skal …" is general advice.
    body = "<h1>Hjælp til Virk</h1><p>Alle med NemID skal i løbet af 2021 og 2022 have MitID.</p>"
    assert _facts(body) == []
    assert _facts("<h1>Hjælp til Virk</h1><p>Brugerne skal logge på med det nye login senest 1. marts 2027.</p>") == [
        ("virk-dk", "2027-03-01", "senest", "login", "")
    ]
    # A sentence naming another system is about that system, not the heading's.
    assert (
        _facts("<h1>MitID Erhverv</h1><p>NemID medarbejdersignatur vil fortsat fungere frem til 30. juni 2023.</p>")
        == []
    )
    assert _facts("<h1>Hjælp</h1><p>Fra 1. marts 2027 skal Aula bruge Context Handler 2.</p>") == [
        ("aula", "2027-03-01", "skal", "broker_version", "")
    ]


def test_a_name_after_a_preposition_is_not_the_subject() -> None:
    assert _facts("<p>Virksomhederne skal overgå til MitID Erhverv den 1. marts 2027.</p>") == []
    assert _facts("<p>Ordblindetesten skal logge på med NemLog-in fra den 1. marts 2027 og skifter da.</p>")[0][0] == (
        "ordblindetest"
    )


def test_what_is_connected_to_takes_the_date_when_the_clause_has_no_subject_of_its_own() -> None:
    for sentence in (
        "Kommunerne skal tilslutte deres IdP til Context Handler 2 senest 22. januar 2024.",
        "Tilslutning til Context Handler 2 skal ske senest 22. januar 2024.",
    ):
        assert _facts(f"<p>{sentence}</p>") == [("context-handler", "2024-01-22", "senest", "broker_version", "")]


def test_a_requirement_needs_the_solution_as_the_subject_of_its_verb() -> None:
    assert _facts("<p>SEB kræver sikringsniveau Betydelig.</p>") == [("seb", "betydelig", "kraever", "loa", "")]
    assert _facts("<p>Brugere af FMK skal typisk logge på med sikringsniveau Høj.</p>") == []
    assert _facts("<p>Fra 2027 kræver Serviceplatformen sikringsniveau Høj.</p>") == [
        ("serviceplatformen", "2027-01-01", "kraever-fra", "loa", ""),
        ("serviceplatformen", "hoej", "kraever", "loa", ""),
    ]
    assert _facts("<p>Medarbejdere logger på via FMK, og det kræver sikringsniveau Høj.</p>") == []


def test_the_dates_of_documents_are_not_switch_dates() -> None:
    assert _facts("<h1>NemLog-in</h1><p>Version 1.1 af vilkårene gælder frem til den 9. juli 2024.</p>") == []


def test_kinds_follow_what_the_clause_says_changes() -> None:
    assert _facts("<p>Serviceplatformen skifter til OCES3-certifikater den 23. maj 2023.</p>")[0][3] == "certificate"
    assert _facts("<p>Aula lukker den 1. marts 2027.</p>")[0][3] == "decommission"


@pytest.mark.parametrize(
    ("sentence", "want"),
    [
        ("Den 24. oktober 2022 overgik NemLog-in til den nye erhvervsløsning.", ("nemlog-in", "overgaar-til", "login")),
        ("Sundhed.dk tager MitID Erhverv i brug den 15. november 2022.", ("sundhed-dk", "i-brug", "login")),
        ("KOMBIT har besluttet, at Context Handler 1 lukker den 30. juni 2025.", ("context-handler", "lukker",
                                                                                "broker_version")),
        ("Digital Post lukker for login med NemID den 30. juni 2023.", ("digital-post", "lukker", "login")),
        ("Fra den 1. marts 2024 skal du logge på Arbejdsmarkedsportalen med MitID Erhverv.",
         ("arbejdsmarkedsportalen", "skal", "login")),
    ],
)  # fmt: skip
def test_the_subject_of_the_dates_clause_gets_the_date(sentence: str, want: tuple[str, str, str]) -> None:
    [(slug, _, rule, kind, _)] = _facts(f"<p>{sentence}</p>")
    assert (slug, rule, kind) == want


@pytest.mark.parametrize(
    "sentence",
    [
        "Den 31. oktober 2023 lukkede NemID, og alle skal nu bruge MitID Erhverv.",  # another clause's subject
        "Tidligere var det planlagt, at Aula skulle skifte 1. august 2023.",  # a past plan reaches its at-clause
        "MitID Erhverv blev lanceret den 24. oktober 2022.",
        "I 2019 tog kommunerne Aula i brug.",  # history: "tog … i brug" is no rule
        "Nedenfor kan du se vilkårene for NemLog-in, der gælder fra 10. juli 2024.",
        "Vi holder webinar om SBSYS den 3. marts 2024.",
    ],
)
def test_not_a_fact_of_the_named_solution(sentence: str) -> None:
    assert _facts(f"<p>{sentence}</p>", url="https://digst.dk/nyhed") == []


def test_every_kind_a_rule_gives_is_a_kind_of_the_transitions_model() -> None:
    from tracker.models.vocab import TransitionKind

    assert set(rules.KINDS) <= {k.value for k in TransitionKind}
    assert {r.kind for r in rules.RULES} <= set(rules.KINDS)


def test_a_test_environments_day_is_no_switch_date() -> None:
    body = (
        "<h1>Serviceplatformen</h1><p>Følgende datoer gælder for skiftet:</p>"
        "<ul><li>Test: 3. april 2023</li><li>Produktion: 24. april 2023</li></ul>"
        "<p>SEB skifter 3. april 2023 (test).</p>"
    )
    assert [(slug, value) for slug, value, *_ in _facts(body)] == [("serviceplatformen", "2023-04-24")]


def test_frist_and_udfases_are_read_with_their_solution() -> None:
    assert _facts("<p>Fristen for at blive NSIS-anmeldt til Unilogin er 1. marts 2023.</p>") == [
        ("unilogin", "2023-03-01", "frist", "login", "")
    ]
    assert _facts("<p>OCES2-certifikater udfases på Serviceplatformen den 31. oktober 2023.</p>") == [
        ("serviceplatformen", "2023-10-31", "udfases", "certificate", "")
    ]


def test_an_actor_named_in_the_sentence_leaves_the_headings_subject() -> None:
    assert _facts("<h1>Context Handler</h1><p>KOMBIT har fastsat deadline den 22. januar 2024.</p>") == [
        ("context-handler", "2024-01-22", "deadline", "login", "")
    ]
    # … but another system named as the subject takes it away.
    assert _facts("<h1>Aula</h1><p>Den 31. oktober 2023 lukkede NemID.</p>") == []
