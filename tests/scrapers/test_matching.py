"""The shared matcher: units, solution names, nearest date/level, evidence."""

from __future__ import annotations

from datetime import date

from scrapers.base import SolutionRef
from scrapers.matching import EVIDENCE_LIMIT, SolutionMatcher, Unit, evidence, extract_units, main_text, observe
from scrapers.pagetext import main_element, page_date, parse_html, split_sentences


def _facts(text: str, solutions: list[SolutionRef], ctx: date | None = None) -> list[tuple[str | None, str, str]]:
    found = observe([Unit(text, "sentence")], solutions, source="t", url="https://x.dk/", context_date=ctx)
    return [(o.solution_slug, o.field, o.value) for o in found]


def test_longest_alias_wins(solutions: list[SolutionRef]) -> None:
    mentions = SolutionMatcher(solutions).find("KMD Nexus og Nexus og fmk, men ikke Nexusserver eller www.sundhed.dk")
    assert [(m.slug, m.text) for m in mentions] == [("kmd-nexus", "KMD Nexus"), ("kmd-nexus", "Nexus"), ("fmk", "fmk")]


def test_a_name_without_date_or_level_yields_nothing(solutions: list[SolutionRef]) -> None:
    assert _facts("Aula er ikke omfattet af denne oversigt.", solutions) == []
    assert _facts("Vejledningen til FMK findes nu i version 2023.05.", solutions) == []
    assert _facts("FMK har en betydelig betydning og høj oppetid.", solutions) == []


def test_a_date_without_a_known_name_yields_nothing(solutions: list[SolutionRef]) -> None:
    assert _facts("Digital Post skifter 1. marts 2023.", solutions) == []


def test_each_name_gets_the_date_of_its_own_clause(solutions: list[SolutionRef]) -> None:
    text = (
        "FMK følger efter i løbet af 2023, og KMD Nexus forventes at skifte i 2. halvår 2023 "
        "på sikringsniveau Betydelig."
    )
    # FMK's clause has no cue (the cue must govern the date, in its own clause); "på sikringsniveau" is no
    # requirement verb.
    assert _facts(text, solutions) == [("kmd-nexus", "switch_date", "2023-07-01")]


def test_names_joined_by_og_share_the_fact(solutions: list[SolutionRef]) -> None:
    assert _facts("FMK og Aula skifter 1. marts 2023.", solutions) == [
        ("fmk", "switch_date", "2023-03-01"),
        ("aula", "switch_date", "2023-03-01"),
    ]
    assert _facts("FMK, Aula og KMD Nexus kræver sikringsniveau Betydelig.", solutions) == [
        ("fmk", "required_loa", "betydelig"),
        ("aula", "required_loa", "betydelig"),
        ("kmd-nexus", "required_loa", "betydelig"),
    ]


def test_one_observation_per_solution_and_field_per_unit(solutions: list[SolutionRef]) -> None:
    text = "FMK skifter 1. marts 2023 (tidligere 1. januar 2023); FMK kræver NSIS-niveau Betydelig."
    assert _facts(text, solutions) == [("fmk", "switch_date", "2023-03-01"), ("fmk", "required_loa", "betydelig")]


def test_year_less_dates_use_the_context(solutions: list[SolutionRef]) -> None:
    assert _facts("Aula skifter den 17. oktober.", solutions) == []
    assert _facts("Aula skifter den 17. oktober.", solutions, date(2022, 9, 1)) == [
        ("aula", "switch_date", "2022-10-17")
    ]


def test_evidence_is_trimmed_around_the_fact() -> None:
    text = "x" * 400 + " FMK skifter 1. marts 2023. " + "y" * 400
    lo = text.index("FMK")
    clipped = evidence(text, lo, lo + 26)
    assert len(clipped) <= EVIDENCE_LIMIT
    assert "FMK skifter 1. marts 2023" in clipped
    assert clipped.startswith("…")
    assert clipped.endswith("…")
    assert evidence("kort") == "kort"


def test_long_unit_evidence_keeps_name_and_date(solutions: list[SolutionRef]) -> None:
    text = "Indledning " * 40 + "Aula skifter 1. marts 2023 " + "og mere tekst " * 40
    (obs,) = observe([Unit(text, "sentence")], solutions, source="t", url="u")
    assert len(obs.evidence) <= EVIDENCE_LIMIT
    assert "Aula skifter 1. marts 2023" in obs.evidence


def test_sentences_are_not_split_at_abbreviations_or_ordinals() -> None:
    assert split_sentences(
        "Det sker d. 1. marts. Pr. 1. april kl. 20.00 lukker bl.a. Aula. SEB 3. (Test) og 24. april."
    ) == [
        "Det sker d. 1. marts.",
        "Pr. 1. april kl. 20.00 lukker bl.a. Aula.",
        "SEB 3. (Test) og 24. april.",
    ]
    assert split_sentences("Kræver niveau 3. Derefter følger resten.") == [
        "Kræver niveau 3.",
        "Derefter følger resten.",
    ]


HTML = """<html><body>
<header><nav>FMK 1. januar 2020</nav></header>
<main>
  <h1>Overskrift</h1><p>Opdateret 12-05-2022</p>
  <p>Første sætning. Anden sætning<br>efter linjeskift.</p>
  <div hidden>FMK 2. januar 2020</div><p aria-hidden="true">skjult</p>
  <ul><li>Punkt et<ul><li>Underpunkt</li></ul></li><li>Punkt <b>to</b></li></ul>
  <table><thead><tr><th>Løsning</th><th>Dato</th></tr></thead>
    <tbody><tr><td>FMK</td><td>1. marts 2023</td></tr><tr><td></td><td></td></tr></tbody></table>
  <script>var x = "FMK 3. januar 2020";</script><!-- kommentar -->
</main>
<footer>FMK 4. januar 2020</footer></body></html>"""


def test_units_follow_the_page_structure() -> None:
    units = extract_units(main_element(parse_html(HTML)))
    assert [(u.kind, u.text) for u in units] == [
        ("heading", "Overskrift"),
        ("sentence", "Opdateret 12-05-2022"),
        ("sentence", "Første sætning."),
        ("sentence", "Anden sætning"),
        ("sentence", "efter linjeskift."),
        ("item", "Punkt et"),
        ("item", "Underpunkt"),
        ("item", "Punkt to"),
        ("heading", "Løsning | Dato"),
        ("row", "Løsning: FMK | Dato: 1. marts 2023"),
    ]
    assert units[-1].cells == (("Løsning", "FMK"), ("Dato", "1. marts 2023"))
    assert page_date(main_element(parse_html(HTML)), units) == date(2022, 5, 12)


def test_main_text_drops_navigation_scripts_and_hidden_text() -> None:
    text = main_text(HTML)
    assert "2020" not in text
    assert text.splitlines()[0] == "Overskrift"


def test_name_rows_report_unknown_names_with_null_slug(solutions: list[SolutionRef]) -> None:
    row = Unit(
        "Løsning: Digital Post | Skæringsdato: Q2 2024 | Sikringsniveau: Lav",
        "row",
        (("Løsning", "Digital Post"), ("Skæringsdato", "Q2 2024"), ("Sikringsniveau", "Lav")),
    )
    found = observe([row], solutions, source="t", url="u", name_rows=True)
    assert [(o.solution_slug, o.solution_text, o.field, o.value, o.latest) for o in found] == [
        (None, "Digital Post", "switch_date", "2024-04-01", "2024-06-30"),
        (None, "Digital Post", "required_loa", "lav", None),
    ]
    # Read as prose (not a name row), an unknown name yields nothing.
    assert observe([row], solutions, source="t", url="u") == []


def test_names_match_in_their_danish_forms() -> None:
    """Definite, genitive and plural endings and hyphenated compounds keep the name; more letters do not."""
    matcher = SolutionMatcher(
        [
            SolutionRef("nemlog-in", ("NemLog-in", "NemLog-in 3")),
            SolutionRef("ordblindetest", ("Ordblindetest",)),
            SolutionRef("virk-dk", ("virk.dk", "Virk")),
            SolutionRef("kmd-nexus", ("KMD Nexus", "Nexus")),
            SolutionRef("digital-post", ("Digital Post",)),
            SolutionRef("context-handler", ("Context Handler",)),
            SolutionRef("stoettesystemerne", ("Støttesystemer",)),
        ]
    )

    def found(text: str) -> list[tuple[str, str]]:
        return [(m.slug, m.text) for m in matcher.find(text)]

    assert found("NemLog-ins nye signeringsløsning") == [("nemlog-in", "NemLog-in")]
    assert found("når NemLog-in’s broker har go-live") == [("nemlog-in", "NemLog-in")]
    assert found("NemLog-in-løsningen og NemLog-in 3s broker") == [
        ("nemlog-in", "NemLog-in"),
        ("nemlog-in", "NemLog-in 3"),
    ]
    assert found("en ny version af Ordblindetesten") == [("ordblindetest", "Ordblindetest")]
    assert found("den nye Digital Post-løsning og Digital Posts brugere") == [
        ("digital-post", "Digital Post"),
        ("digital-post", "Digital Post"),
    ]
    assert found("Context Handleren") == [("context-handler", "Context Handler")]
    assert found("Virks brugere") == [("virk-dk", "Virk")]
    assert found("Støttesystemerne") == [("stoettesystemerne", "Støttesystemer")]
    # never inside a longer unrelated word, nor a verb spelt like a name with an ending
    assert found("ordblindetestvejleder, Nexusserver, Ordblindetestning") == []
    assert found("Løsningen virker, og den har virket; det virke") == []
    assert found("nemlog-ins") == []  # an inflected name keeps its capital
