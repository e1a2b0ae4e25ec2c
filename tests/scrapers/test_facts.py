"""The general rules of reading facts by meaning, each on a page nobody here wrote the layout for."""

from __future__ import annotations

from scrapers import get_source
from scrapers.base import SolutionRef

URL = "https://example.dk/side"
REFS = [
    SolutionRef("seb", ("SEB", "SEB Sundhed")),
    SolutionRef("serviceplatformen", ("Serviceplatformen",)),
    SolutionRef("beskedfordeler", ("Beskedfordeler", "Beskedfordeleren")),
    SolutionRef("aula", ("Aula",)),
    SolutionRef("meebook", ("Meebook",)),
    SolutionRef("unilogin", ("Unilogin", "UNI-Login")),
    SolutionRef("fmk", ("FMK",)),
]


def _facts(body: str, lang: str = "da") -> list[tuple[str | None, str, str, str | None, str]]:
    html = f"<html lang='{lang}'><body><main>{body}</main></body></html>"
    return [(o.solution_slug, o.field, o.value, o.latest, o.cue) for o in get_source("watch").parse(html, URL, REFS)]


def test_the_subject_may_come_from_the_section_heading_or_the_lead_sentence() -> None:
    body = (
        "<h1>Tidsplan</h1><p>Denne side er senest opdateret: 24. maj 2023.</p>"
        "<h2>Beskedfordeler</h2><p>Den nye version er klar. Opgaven har deadline 1. marts 2027.</p>"
        "<ul><li><p>Serviceplatformen får nye certifikater.</p><p>Skiftet sker senest 31. oktober 2023.</p></li></ul>"
    )
    assert _facts(body) == [
        ("beskedfordeler", "switch_date", "2027-03-01", "2027-03-01", "deadline"),
        ("serviceplatformen", "switch_date", "2023-10-31", "2023-10-31", "senest"),
    ]


def test_a_heading_or_lead_naming_two_solutions_gives_no_subject() -> None:
    assert _facts("<h2>SEB og Aula</h2><p>Opgaven har deadline 1. marts 2027.</p>") == []


def test_dates_of_publication_sending_finding_launch_and_rollout_are_not_switch_dates() -> None:
    body = (
        "<p>Opdateret 12. marts 2024: FMK skifter til MitID Erhverv.</p>"
        "<p>KOMBIT har udsendt en opgave om Serviceplatformen den 3. maj 2024, som skal løses.</p>"
        "<p>Fejlen i SEB blev fundet 2. februar 2024, og den skal rettes.</p>"
        "<p>I uge 43 lanceres Aula på folkeskoler, og SkoleIntra skal udfases.</p>"
        "<p>Meebook rulles ud fra oktober 2022 og frem mod juni 2023.</p>"
        "<p>Tilmeld dig webinaret om skiftet i Aula den 3. marts 2023.</p>"
        "<p>Lov nr. 783 af 4. maj 2021 om FMK skal overholdes.</p>"
        "<p>Support på Serviceplatformen skal være åben 24/7, og FMK kræver 24/4 support.</p>"
    )
    assert _facts(body) == []


def test_several_labelled_dates_give_the_production_one_and_a_postponement_the_later_one() -> None:
    body = (
        "<p>Fra hhv. 3. (Test) og 24. april 2023 (Produktion) skal SEB skifte metadata.</p>"
        "<p>Skiftet på Serviceplatformen udskydes fra 1. marts 2024 til 1. juni 2024.</p>"
        "<p>Beskedfordeleren lukker for OCES2 den 31. oktober 2023 i stedet for 30. juni 2023.</p>"
        "<p>Efter den 30. juni 2023 lukker Aula for det gamle login.</p>"
    )
    assert _facts(body) == [
        ("seb", "switch_date", "2023-04-24", "2023-04-24", "skal"),
        ("serviceplatformen", "switch_date", "2024-06-01", "2024-06-01", "udskydes"),
        ("beskedfordeler", "switch_date", "2023-10-31", "2023-10-31", "lukker"),
        ("aula", "switch_date", "2023-07-01", "2023-07-01", "lukker"),
    ]


def test_only_nsis_words_make_a_required_level_and_a_contradiction_makes_none() -> None:
    body = (
        "<p>Et barn logges på Aula på Assurance Level 2; step-up kræver Assurance Level 3.</p>"
        "<p>Meebook kræver fremover login via Unilogin på sikringsniveau Betydelig.</p>"
        "<p>Kommunens lokale IdP til FMK er anmeldt på sikringsniveau Høj.</p>"
        "<p>SEB kræver sikringsniveau Betydelig.</p><p>SEB Sundhed kræver sikringsniveau Høj.</p>"
        "<p>Serviceplatformen understøtter sikringsniveauerne Lav, Betydelig og Høj.</p>"
    )
    assert _facts(body) == [("meebook", "required_loa", "betydelig", None, "kræver")]


def test_any_table_naming_a_solution_is_read_whatever_its_headers_say() -> None:
    body = (
        "<table><tr><th>System</th><th>Forventet overgang</th><th>Opdateret</th></tr>"
        "<tr><td>Serviceplatformen</td><td>Q2 2027</td><td>1. maj 2026</td></tr>"
        "<tr><td>Ukendt system</td><td>Q3 2027</td><td>1. maj 2026</td></tr></table>"
    )
    assert _facts(body) == [("serviceplatformen", "switch_date", "2027-04-01", "2027-06-30", "Forventet overgang")]


def test_an_english_page_yields_no_facts() -> None:
    body = "<p>From 1 March 2027 Serviceplatformen will switch to the new certificates; the old ones close.</p>"
    assert _facts(body * 3, lang="en") == []


def test_a_heading_listing_topics_names_no_single_subject() -> None:
    body = "<h2>MitID, MitID Erhverv og Aula</h2><p>Den 28. maj 2024 lukkes en gammel version af appen.</p>"
    assert _facts(body) == []
    assert _facts("<h2>Aula og NSIS</h2><p>Opgaven har deadline 1. marts 2027.</p>") == [
        ("aula", "switch_date", "2027-03-01", "2027-03-01", "deadline")
    ]


def test_a_law_entering_into_force_dates_the_law_not_the_solution() -> None:
    body = (
        "<h1>Lov om FMK § 8</h1><p>Lov nr. 783 af 04. maj 2021</p>"
        "<p>§ 8, stk. 1-2, træder i kraft den 20. juni 2022, jf. bekendtgørelse nr. 861 af 10. juni 2022.</p>"
        "<p>Loven om Aula træder i kraft den 1. juli 2024.</p>"
    )
    assert _facts(body) == []
    # "i Aula": a name after a preposition is no subject.
    assert _facts("<p>Kravet om NSIS i Aula træder i kraft den 1. juli 2024.</p>") == []


def test_a_solution_demanding_a_level_of_the_local_idp_is_its_requirement() -> None:
    body = (
        "<p>Fra og med den 22. januar 2025 kræver Serviceplatformen, at den lokale IdP er anmeldt på "
        "sikringsniveau Betydelig.</p>"
    )
    assert _facts(body) == [
        ("serviceplatformen", "switch_date", "2025-01-22", "2025-01-22", "Fra og med"),
        ("serviceplatformen", "required_loa", "betydelig", None, "kræver"),
    ]
    # A municipality's own IdP, stated, is still not a solution's level.
    assert _facts("<p>Kommunens IdP til Aula er anmeldt på sikringsniveau Betydelig.</p>") == []


def test_a_table_cell_postponing_gives_the_new_date_and_a_cell_in_nsis_words_the_level() -> None:
    body = (
        "<table><thead><tr><th>System</th><th>Hvornår</th><th>Krav</th></tr></thead><tbody>"
        "<tr><td>Aula</td><td>Udskydes fra 1. marts 2024 til 1. september 2024</td><td>NSIS Betydelig</td></tr>"
        "<tr><td>FMK</td><td>Ukendt</td><td>Afventer</td></tr></tbody></table>"
    )
    assert _facts(body) == [
        ("aula", "switch_date", "2024-09-01", "2024-09-01", "Hvornår"),
        ("aula", "required_loa", "betydelig", None, "Krav"),
    ]


def test_list_items_take_the_switch_cue_of_the_sentence_introducing_them() -> None:
    body = (
        "<p>Følgende løsninger skifter login til MitID Erhverv på disse datoer:</p>"
        "<ul><li>Aula: 1. marts 2024</li><li>FMK – 1. juni 2024</li>"
        "<li>Serviceplatformen (forventet ultimo 2024)</li></ul>"
    )
    assert _facts(body) == [
        ("aula", "switch_date", "2024-03-01", "2024-03-01", "skifter"),
        ("fmk", "switch_date", "2024-06-01", "2024-06-01", "skifter"),
        ("serviceplatformen", "switch_date", "2024-10-01", "2024-12-31", "skifter"),
    ]
    # An introduction without a cue, about a launch, or not introducing the list (no colon) gives none.
    for intro in ("<p>Følgende løsninger er nævnt:</p>", "<p>Følgende løsninger lanceres:</p>", "<p>Aula skifter.</p>"):
        assert _facts(intro + "<ul><li>Aula: 1. marts 2024</li><li>FMK – 1. juni 2024</li></ul>") == [], intro


def test_a_description_list_is_read_as_one_record() -> None:
    body = (
        "<dl><dt>Løsning</dt><dd>SEB</dd><dt>Skæringsdato</dt><dd>15. april 2024</dd>"
        "<dt>Sikringsniveau</dt><dd>Betydelig</dd></dl>"
        "<dl><dt>Publiceret</dt><dd>3. maj 2024</dd><dt>Forfatter</dt><dd>Redaktionen</dd></dl>"
    )
    assert _facts(body) == [
        ("seb", "switch_date", "2024-04-15", "2024-04-15", "Skæringsdato"),
        ("seb", "required_loa", "betydelig", None, "Sikringsniveau"),
    ]


def test_the_answer_below_a_question_heading_answers_it() -> None:
    body = (
        "<h3>Hvornår skal vi bruge MitID Erhverv i FMK?</h3><p>Fra den 1. juni 2024. Indtil da kan I bruge NemID.</p>"
        "<p>Kontakt os den 3. maj 2024, hvis I har spørgsmål.</p>"
        "<h3>Hvilket sikringsniveau kræver SEB?</h3><p>Betydelig.</p>"
        "<h3>Hvornår blev Aula lanceret?</h3><p>Den 1. august 2020.</p>"
        "<p>Serviceplatformen overgår til NSIS-niveau Betydelig den 1. august 2024.</p>"
    )
    assert _facts(body) == [
        ("fmk", "switch_date", "2024-06-01", "2024-06-01", "skal"),
        ("seb", "required_loa", "betydelig", None, "kræver"),
        ("serviceplatformen", "switch_date", "2024-08-01", "2024-08-01", "overgår til"),
        ("serviceplatformen", "required_loa", "betydelig", None, "overgår til NSIS-niveau"),
    ]


def test_skaeringsdato_is_a_cue_and_a_support_desks_closing_days_are_not_switches() -> None:
    body = (
        "<h2>Aula</h2><p>Skæringsdato: 1. marts 2024</p>"
        "<p>Supporten holder lukket 24.-26. december 2024.</p>"
        "<h2>FMK</h2><p>Kundeservice har lukket 1. maj 2024.</p>"
        "<p>Support for NemID i FMK ophører 30. juni 2024.</p>"
    )
    assert _facts(body) == [
        ("aula", "switch_date", "2024-03-01", "2024-03-01", "Skæringsdato"),
    ]  # "Support for NemID i FMK ophører …": FMK is no subject, and "ophører" no rule


def test_a_section_heading_naming_no_solution_leaves_the_pages_title_as_the_subject() -> None:
    body = (
        "<h1>Aula og NSIS</h1><p>Her kan du læse om overgangen.</p>"
        "<h2>Tidsplan</h2><p>Skiftet sker 1. marts 2024.</p>"
        "<h2>Krav</h2><p>Der kræves sikringsniveau Betydelig.</p>"
    )
    assert _facts(body) == [
        ("aula", "switch_date", "2024-03-01", "2024-03-01", "Skiftet"),
        ("aula", "required_loa", "betydelig", None, "kræves"),
    ]
    # A title listing several solutions names none; on an overview that names other solutions too, the title
    # ("Lanceringsdatoer for Aula" over FMK's and SEB's dates) is no section's subject.
    assert _facts("<h1>Aula, FMK og SEB</h1><h2>Tidsplan</h2><p>Skiftet sker 1. marts 2024.</p>") == []
    overview = (
        "<h1>Lanceringsdatoer for Aula</h1><h2>Datoer</h2><p>FMK skifter 1. maj 2024.</p>"
        "<h2>Andre ændringer</h2><p>Lokale IdP'er skal være NSIS-anmeldt senest 1. marts 2024.</p>"
    )
    assert _facts(overview) == [("fmk", "switch_date", "2024-05-01", "2024-05-01", "skifter")]
