"""Danish/English date expressions → intervals: a table of real-world wordings, negatives and properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrapers.dates import PRECISIONS, DateInterval, find_dates, parse_date

D = date
CTX = D(2023, 5, 1)  # the page date for year-less expressions

# (text, context date, earliest, latest, precision)
CASES: list[tuple[str, date | None, date, date, str]] = [
    # exact days
    ("31. oktober 2023", None, D(2023, 10, 31), D(2023, 10, 31), "day"),
    ("d. 1. marts 2023", None, D(2023, 3, 1), D(2023, 3, 1), "day"),
    ("den 24. oktober 2022", None, D(2022, 10, 24), D(2022, 10, 24), "day"),
    ("04. maj 2021", None, D(2021, 5, 4), D(2021, 5, 4), "day"),
    ("22 februar 2023", None, D(2023, 2, 22), D(2023, 2, 22), "day"),
    ("31 august 2023", None, D(2023, 8, 31), D(2023, 8, 31), "day"),
    ("12-05-2022", None, D(2022, 5, 12), D(2022, 5, 12), "day"),
    ("14.01.2020", None, D(2020, 1, 14), D(2020, 1, 14), "day"),
    ("19/03/2025", None, D(2025, 3, 19), D(2025, 3, 19), "day"),
    ("22/8-2016", None, D(2016, 8, 22), D(2016, 8, 22), "day"),
    ("(06-07-2023)", None, D(2023, 7, 6), D(2023, 7, 6), "day"),
    ("2023-05-12", None, D(2023, 5, 12), D(2023, 5, 12), "day"),
    ("pr. d. 1. marts 2023", None, D(2023, 3, 1), D(2023, 3, 1), "day"),
    ("senest 1. marts 2023", None, D(2023, 3, 1), D(2023, 3, 1), "day"),
    ("fra den 10. juli 2024", None, D(2024, 7, 10), D(2024, 7, 10), "day"),
    ("Den 20. februar 2024", None, D(2024, 2, 20), D(2024, 2, 20), "day"),
    ("fredag den 24. august 2023", None, D(2023, 8, 24), D(2023, 8, 24), "day"),
    ("29. februar 2024", None, D(2024, 2, 29), D(2024, 2, 29), "day"),
    ("3. september 2020", None, D(2020, 9, 3), D(2020, 9, 3), "day"),
    ("1. okt. 2023", None, D(2023, 10, 1), D(2023, 10, 1), "day"),
    ("1.okt. 2023", None, D(2023, 10, 1), D(2023, 10, 1), "day"),
    ("24 April 2023", None, D(2023, 4, 24), D(2023, 4, 24), "day"),
    ("April 24, 2023", None, D(2023, 4, 24), D(2023, 4, 24), "day"),
    ("January 5th, 2024", None, D(2024, 1, 5), D(2024, 1, 5), "day"),
    # days without a year take the context year
    ("31/10", CTX, D(2023, 10, 31), D(2023, 10, 31), "day"),
    ("27/6", CTX, D(2023, 6, 27), D(2023, 6, 27), "day"),
    ("Den 17. oktober", CTX, D(2023, 10, 17), D(2023, 10, 17), "day"),
    ("efter den 30. maj", CTX, D(2023, 5, 31), D(2023, 5, 31), "day"),
    ("Efter den 30. juni.", CTX, D(2023, 7, 1), D(2023, 7, 1), "day"),
    # months
    ("oktober 2022", None, D(2022, 10, 1), D(2022, 10, 31), "month"),
    ("pr. november 2024", None, D(2024, 11, 1), D(2024, 11, 30), "month"),
    ("okt. 2023", None, D(2023, 10, 1), D(2023, 10, 31), "month"),
    ("May '24", None, D(2024, 5, 1), D(2024, 5, 31), "month"),
    ("februar 2024", None, D(2024, 2, 1), D(2024, 2, 29), "month"),
    ("i juni 2023", None, D(2023, 6, 1), D(2023, 6, 30), "month"),
    ("September 2021", None, D(2021, 9, 1), D(2021, 9, 30), "month"),
    # parts of a month: 1–10, 11–20, 21–end
    ("ultimo november 2021", None, D(2021, 11, 21), D(2021, 11, 30), "month"),
    ("primo marts 2019", None, D(2019, 3, 1), D(2019, 3, 10), "month"),
    ("medio marts 2025", None, D(2025, 3, 11), D(2025, 3, 20), "month"),
    ("ultimo februar 2023", None, D(2023, 2, 21), D(2023, 2, 28), "month"),
    ("i starten af maj 2024", None, D(2024, 5, 1), D(2024, 5, 10), "month"),
    ("i slutningen af juni 2024", None, D(2024, 6, 21), D(2024, 6, 30), "month"),
    ("ultimo oktober", CTX, D(2023, 10, 21), D(2023, 10, 31), "month"),
    # parts of a year: Q1, May–August, Q4
    ("primo 2024", None, D(2024, 1, 1), D(2024, 3, 31), "quarter"),
    ("medio 2024", None, D(2024, 5, 1), D(2024, 8, 31), "quarter"),
    ("ultimo 2023", None, D(2023, 10, 1), D(2023, 12, 31), "quarter"),
    ("i starten af 2023", None, D(2023, 1, 1), D(2023, 3, 31), "quarter"),
    ("i slutningen af 2022", None, D(2022, 10, 1), D(2022, 12, 31), "quarter"),
    ("udgangen af 2023", None, D(2023, 10, 1), D(2023, 12, 31), "quarter"),
    ("mid-2024", None, D(2024, 5, 1), D(2024, 8, 31), "quarter"),
    ("early 2025", None, D(2025, 1, 1), D(2025, 3, 31), "quarter"),
    # seasons
    ("efteråret 2022", None, D(2022, 9, 1), D(2022, 11, 30), "season"),
    ("foråret 2021", None, D(2021, 3, 1), D(2021, 5, 31), "season"),
    ("sommeren 2022", None, D(2022, 6, 1), D(2022, 8, 31), "season"),
    ("vinteren 2023", None, D(2023, 12, 1), D(2024, 2, 29), "season"),
    ("vinteren 2022/23", None, D(2022, 12, 1), D(2023, 2, 28), "season"),
    ("efterår 2023", None, D(2023, 9, 1), D(2023, 11, 30), "season"),
    ("forsommeren 2005", None, D(2005, 5, 1), D(2005, 6, 30), "season"),
    ("I efteråret", CTX, D(2023, 9, 1), D(2023, 11, 30), "season"),
    ("autumn 2024", None, D(2024, 9, 1), D(2024, 11, 30), "season"),
    # quarters
    ("Q2 2021", None, D(2021, 4, 1), D(2021, 6, 30), "quarter"),
    ("Q4 2022", None, D(2022, 10, 1), D(2022, 12, 31), "quarter"),
    ("2. kvartal 2024", None, D(2024, 4, 1), D(2024, 6, 30), "quarter"),
    ("fjerde kvartal 2023", None, D(2023, 10, 1), D(2023, 12, 31), "quarter"),
    ("Q1/2024", None, D(2024, 1, 1), D(2024, 3, 31), "quarter"),
    ("2024-Q3", None, D(2024, 7, 1), D(2024, 9, 30), "quarter"),
    # halves
    ("1. halvår 2023", None, D(2023, 1, 1), D(2023, 6, 30), "half"),
    ("2. halvår 2023", None, D(2023, 7, 1), D(2023, 12, 31), "half"),
    ("første halvår 2024", None, D(2024, 1, 1), D(2024, 6, 30), "half"),
    ("H2 2022", None, D(2022, 7, 1), D(2022, 12, 31), "half"),
    ("first half of 2023", None, D(2023, 1, 1), D(2023, 6, 30), "half"),
    # ISO weeks
    ("uge 8", CTX, D(2023, 2, 20), D(2023, 2, 26), "week"),
    ("uge 43 2022", None, D(2022, 10, 24), D(2022, 10, 30), "week"),
    ("uge 1 2021", None, D(2021, 1, 4), D(2021, 1, 10), "week"),
    ("uge 53 2020", None, D(2020, 12, 28), D(2021, 1, 3), "week"),
    ("week 10, 2024", None, D(2024, 3, 4), D(2024, 3, 10), "week"),
    # years
    ("I løbet af 2022", None, D(2022, 1, 1), D(2022, 12, 31), "year"),
    ("i 2023", None, D(2023, 1, 1), D(2023, 12, 31), "year"),
    ("2023", None, D(2023, 1, 1), D(2023, 12, 31), "year"),
    ("senest 2024", None, D(2024, 1, 1), D(2024, 12, 31), "year"),
    ("I løbet af 2021-2022", None, D(2021, 1, 1), D(2022, 12, 31), "year"),
    ("2021-23", None, D(2021, 1, 1), D(2023, 12, 31), "year"),
    ("fra 2019 til 2021", None, D(2019, 1, 1), D(2021, 12, 31), "year"),
    # ranges and lists
    ("24.-25. august 2023", None, D(2023, 8, 24), D(2023, 8, 25), "day"),
    ("24. - 25. august 2023", None, D(2023, 8, 24), D(2023, 8, 25), "day"),
    ("den 24. - 25. august", CTX, D(2023, 8, 24), D(2023, 8, 25), "day"),
    ("3. og 24. april 2023", None, D(2023, 4, 3), D(2023, 4, 24), "day"),
    ("3. (Test) og 24. april 2023 (Produktion)", None, D(2023, 4, 3), D(2023, 4, 24), "day"),
    ("fra oktober 2022 og frem mod juni 2023", None, D(2022, 10, 1), D(2023, 6, 30), "month"),
    ("mellem 1. marts 2023 og 1. juni 2023", None, D(2023, 3, 1), D(2023, 6, 1), "day"),
    ("marts 2023 – maj 2023", None, D(2023, 3, 1), D(2023, 5, 31), "month"),
    ("fra 1. marts 2023 til Q2 2023", None, D(2023, 3, 1), D(2023, 6, 30), "quarter"),
]

NOT_DATES = [
    "version 2023.05",
    "v. 2.0.2a",
    "version 2.1.2023",
    "33 92 52 00",
    "+45 72 30 30 00",
    "CVR 34051178",
    "CVR-nr. 34 05 11 78",
    "kl. 20.00",
    "kl. 9.00-15.00",
    "31. februar 2023",
    "32-01-2022",
    "30-02-2023",
    "29. februar 2023",
    "12.13.2022",
    "uge 54 2022",
    "uge 53 2021",
    "24/7",
    "24.-24. august 2023",  # a range must run forwards: one day written as a range is not read as that day
    "25.-24. august 2023",
    "ingen dato her",
    "",
]


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 70


@pytest.mark.parametrize(("text", "ctx", "earliest", "latest", "precision"), CASES)
def test_parse_date(text: str, ctx: date | None, earliest: date, latest: date, precision: str) -> None:
    assert parse_date(text, context_date=ctx) == DateInterval(earliest, latest, precision, text)


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_a_date(text: str) -> None:
    assert parse_date(text, context_date=CTX) is None
    assert find_dates(text, context_date=CTX) == []


def test_parse_date_reads_one_whole_expression_not_prose() -> None:
    assert parse_date("FMK skifter 1. marts 2023") is None
    assert parse_date("1. marts 2023 eller senere") is None
    assert [d.earliest for d in find_dates("FMK skifter 1. marts 2023")] == [D(2023, 3, 1)]


@pytest.mark.parametrize("text", ["31/10", "Den 17. oktober", "uge 8", "ultimo oktober", "I efteråret", "1. halvår"])
def test_year_less_expressions_need_a_context(text: str) -> None:
    assert parse_date(text) is None
    assert find_dates(text) == []
    assert parse_date(text, context_date=CTX) is not None


def _found(text: str, ctx: date | None = CTX) -> list[tuple[date, date, str, str]]:
    return [(d.earliest, d.latest, d.precision, d.text) for d in find_dates(text, context_date=ctx)]


def test_find_dates_in_prose_keeps_the_words() -> None:
    text = (
        "MitID Erhverv rulles ud fra oktober 2022 og frem mod juni 2023, og store virksomheder "
        "og offentlige myndigheder kommer med i starten af 2023."
    )
    assert _found(text) == [
        (D(2022, 10, 1), D(2023, 6, 30), "month", "fra oktober 2022 og frem mod juni 2023"),
        (D(2023, 1, 1), D(2023, 3, 31), "quarter", "i starten af 2023"),
    ]


def test_find_dates_gives_both_days_of_a_list() -> None:
    text = "SEB skifter metadata 3. (Test) og 24. april 2023 (Produktion)."
    words = "3. (Test) og 24. april 2023"
    assert _found(text) == [
        (D(2023, 4, 3), D(2023, 4, 3), "day", words),
        (D(2023, 4, 24), D(2023, 4, 24), "day", words),
    ]


def test_clock_times_are_not_dates_and_join_a_span() -> None:
    text = "fredag den 24. august kl. 20.00 til lørdag den 25. august kl. 06.00"
    assert _found(text) == [
        (D(2023, 8, 24), D(2023, 8, 25), "day", "den 24. august kl. 20.00 til lørdag den 25. august"),
    ]


def test_law_references_yield_only_their_dates() -> None:
    text = "Lov nr. 783 af 04. maj 2021 blev til LBK nr 333 af 19/03/2025."
    assert [d.earliest for d in find_dates(text)] == [D(2021, 5, 4), D(2025, 3, 19)]


def test_release_notes_and_closing_days() -> None:
    assert _found("Release 10. april") == [(D(2023, 4, 10), D(2023, 4, 10), "day", "10. april")]
    assert _found("NemID lukker 31/10. Support døgnet rundt 24/7.") == [
        (D(2023, 10, 31), D(2023, 10, 31), "day", "31/10")
    ]


def test_prose_negatives() -> None:
    assert find_dates("EG WinPLC version 2023.05 og NSIS v. 2.0.2a samt version 2.1.2023", context_date=CTX) == []
    assert find_dates("Ring 33 92 52 00 eller +45 72 30 30 00, CVR 34051178.", context_date=CTX) == []
    assert find_dates("God sommer! Vi ses kl. 9.00.", context_date=CTX) == []


def test_an_impossible_date_is_not_reread_as_a_month() -> None:
    assert find_dates("Skiftet sker 31. februar 2023.") == []


def test_quarters_sharing_one_year_are_one_span() -> None:
    assert _found("Q1 og delvist i Q2 2021") == [(D(2021, 1, 1), D(2021, 6, 30), "quarter", "Q1 og delvist i Q2 2021")]
    assert _found("Q1 og senere 2021") == []


DA_MONTHS = [
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
]  # fmt: skip
TOKENS = [
    *DA_MONTHS, "okt.", "May", "April", "1.", "3", "24.", "31", "2023", "2022/23", "-", "–", "/", "og", "fra",
    "til", "frem mod", "uge", "53", "Q2", "Q5", "ultimo", "primo", "medio", "i starten af", "vinteren",
    "efteråret", "kvartal", "halvår", "2.", "den", "d.", "kl.", "20.00", "version", "v.", "'24", "12-05-2022",
    "29", "02", "(Test)", ",", "mellem", "I løbet af", "i", "1999", "2099", "00", "99",
]  # fmt: skip
dates_1900_2099 = st.dates(min_value=D(1900, 1, 1), max_value=D(2099, 12, 31))


@given(
    st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join) | st.text(max_size=60),
    st.none() | dates_1900_2099,
)
def test_every_interval_is_ordered_and_valid(text: str, ctx: date | None) -> None:
    found = find_dates(text, context_date=ctx)
    whole = parse_date(text, context_date=ctx)
    for interval in [*found, *([whole] if whole else [])]:
        assert interval.earliest <= interval.latest
        assert interval.precision in PRECISIONS
    for interval in found:
        assert interval.text in " ".join(text.split())


@given(dates_1900_2099)
def test_numeric_and_written_days_round_trip(d: date) -> None:
    for text in (
        f"{d.day}. {DA_MONTHS[d.month - 1]} {d.year}",
        f"{d:%d-%m-%Y}",
        f"{d:%d.%m.%Y}",
        f"{d:%d/%m/%Y}",
    ):
        assert parse_date(text) == DateInterval(d, d, "day", text)
        assert [(i.earliest, i.latest, i.precision) for i in find_dates(f"Skiftet sker {text}.")] == [(d, d, "day")]


@given(dates_1900_2099)
def test_a_month_contains_its_days(d: date) -> None:
    interval = parse_date(f"{DA_MONTHS[d.month - 1]} {d.year}")
    assert interval is not None
    assert interval.precision == "month"
    assert interval.earliest <= d <= interval.latest
    assert interval.earliest.day == 1


# Failure classes seen on real text: two-digit and missing years read by the page's date, spans, typos.
REAL_CLASSES: list[tuple[str, date | None, date, date]] = [
    ("Golive er d. 24/10-22", D(2022, 10, 1), D(2022, 10, 24), D(2022, 10, 24)),
    ("Gældende fra 1/12 2015", None, D(2015, 12, 1), D(2015, 12, 1)),
    ("i april måned", D(2022, 1, 5), D(2022, 4, 1), D(2022, 4, 30)),
    ("overgangen til december", D(2022, 1, 5), D(2022, 12, 1), D(2022, 12, 31)),
    ("fra den 30. april til den 30. maj 2025", None, D(2025, 4, 30), D(2025, 5, 30)),
    # "2021 ud" is "through 2021": by its last day (the shared phrases; not the whole year)
    ("forventet 2021 ud", None, D(2021, 12, 31), D(2021, 12, 31)),
    ("I løbet at 2023", None, D(2023, 1, 1), D(2023, 12, 31)),
    ("første halvdel af 2024", None, D(2024, 1, 1), D(2024, 6, 30)),
    ("i første kvartal af 2024", D(2023, 5, 1), D(2024, 1, 1), D(2024, 3, 31)),
    ("i maj-juni 2024", D(2023, 5, 1), D(2024, 5, 1), D(2024, 6, 30)),
    ("mellem 1. og 15. marts 2024", None, D(2024, 3, 1), D(2024, 3, 15)),
    ("24.-25.10.2022", None, D(2022, 10, 24), D(2022, 10, 25)),
    ("fra årsskiftet 2023/24", None, D(2023, 12, 1), D(2024, 1, 31)),
    ("næste år", D(2023, 5, 1), D(2024, 1, 1), D(2024, 12, 31)),
    ("1. juli 2024 kl. 12", None, D(2024, 7, 1), D(2024, 7, 1)),
    # the last quarter or half of a named year; one month or another
    ("i sidste kvartal af 2024", None, D(2024, 10, 1), D(2024, 12, 31)),
    ("sidste halvår 2025", None, D(2025, 7, 1), D(2025, 12, 31)),
    ("forventes i maj eller juni 2024", None, D(2024, 5, 1), D(2024, 6, 30)),
    # the turn of the year and a season without a year: the next one after the page's date
    ("Skiftet sker ved årsskiftet.", D(2024, 3, 15), D(2024, 12, 1), D(2025, 1, 31)),
    ("Skiftet sker ved årsskiftet.", D(2024, 1, 10), D(2023, 12, 1), D(2024, 1, 31)),
    ("inden årsskiftet", D(2024, 3, 15), D(2024, 12, 1), D(2024, 12, 31)),
    ("efter nytår", D(2024, 11, 2), D(2025, 1, 1), D(2025, 1, 31)),
    ("Løsningen kræver MitID Erhverv til sommer", D(2024, 3, 15), D(2024, 6, 1), D(2024, 8, 31)),
    ("til sommer", D(2024, 9, 1), D(2025, 6, 1), D(2025, 8, 31)),
]


@pytest.mark.parametrize(
    "text", ["I sidste kvartal så vi flere logins", "i sidste halvår", "til sommerhuset", "ved årsskiftet"]
)
def test_relative_words_without_an_anchor_are_not_dates(text: str) -> None:
    """ "sidste kvartal" alone is the one before the page's (unknown here), and a year-less turn needs a page date."""
    assert find_dates(text, context_date=None) == []
    if text != "ved årsskiftet":
        assert find_dates(text, context_date=D(2024, 3, 15)) == []


@pytest.mark.parametrize(("text", "ctx", "earliest", "latest"), REAL_CLASSES)
def test_real_failure_classes(text: str, ctx: date | None, earliest: date, latest: date) -> None:
    (found,) = find_dates(text, context_date=ctx)
    assert (found.earliest, found.latest) == (earliest, latest)


def test_service_windows_and_requirement_numbers_are_not_dates() -> None:
    assert find_dates("Kravet 3.2.3-6< indeholder ikke krav om 24/4 support.", context_date=CTX) == []
    assert find_dates("Support døgnet rundt 24/7 og 1/2 time svartid.", context_date=CTX) == []


@pytest.mark.parametrize(
    ("text", "ctx", "earliest", "latest"),
    [
        # "2021 ud": through 2021, by its last day
        ("NemID og MitID kører i paralleldrift - forventet 2021 ud.", None, D(2021, 12, 31), D(2021, 12, 31)),
        ("Det skal være på plats 2024 ud", None, D(2024, 12, 31), D(2024, 12, 31)),
        # both years of "i løbet af 2021 og 2022"
        ("Alle skal i løbet af 2021 og 2022 have MitID", None, D(2021, 1, 1), D(2022, 12, 31)),
        # "første kvartal næste år", "andet halvår næste år": the page's next year
        ("forsinket indtil engang i første kvartal næste år", D(2021, 11, 25), D(2022, 1, 1), D(2022, 3, 31)),
        ("i andet halvår næste år", D(2023, 2, 1), D(2024, 7, 1), D(2024, 12, 31)),
        ("i første kvartal i år", D(2023, 2, 1), D(2023, 1, 1), D(2023, 3, 31)),
        # a year-less range "til og med" is one range, in the page's year
        ("fra den 26. november til og med den 29. november", D(2021, 10, 1), D(2021, 11, 26), D(2021, 11, 29)),
        ("fra den 26. til og med den 29. november", D(2021, 10, 1), D(2021, 11, 26), D(2021, 11, 29)),
        ("fra 30. april til og med 2. maj 2025", None, D(2025, 4, 30), D(2025, 5, 2)),
        # a postponement "fra A til B" is B; "2023-2" is the second half
        ("Skubbet fra 2023-1 til 2023-2", None, D(2023, 7, 1), D(2023, 12, 31)),
        ("Skiftet er udskudt fra 1. marts til 1. september 2024", None, D(2024, 9, 1), D(2024, 9, 1)),
    ],
)
def test_issue_24_date_classes(text: str, ctx: date | None, earliest: date, latest: date) -> None:
    (found,) = find_dates(text, context_date=ctx)
    assert (found.earliest, found.latest) == (earliest, latest)


@pytest.mark.parametrize("text", ["siden april 2022", "siden den 30. juni 2023", "since May 2024"])
def test_parse_date_reads_what_find_dates_finds_after_siden(text: str) -> None:
    (found,) = find_dates(text)
    parsed = parse_date(text)
    assert parsed is not None and (parsed.earliest, parsed.latest) == (found.earliest, found.latest)


# Issue 24, item 5: the remaining classes — "sidst i"/"først på" a year or month, a year named by the page's date
# ("i slutningen af året", "i begyndelsen af næste år"), "efter sommerferien", "til og med", several expressions
# making up one phrase.
REMAINING = [
    ("sidst i 2021", None, D(2021, 10, 1), D(2021, 12, 31), "quarter"),
    ("sidst i marts 2023", None, D(2023, 3, 21), D(2023, 3, 31), "month"),
    ("først i april 2023", None, D(2023, 4, 1), D(2023, 4, 10), "month"),
    ("sidst på året 2023", None, D(2023, 10, 1), D(2023, 12, 31), "quarter"),
    ("først på året", D(2022, 5, 12), D(2022, 1, 1), D(2022, 3, 31), "quarter"),
    ("i slutningen af året", D(2022, 5, 12), D(2022, 10, 1), D(2022, 12, 31), "quarter"),
    ("i begyndelsen af næste år", D(2022, 5, 12), D(2023, 1, 1), D(2023, 3, 31), "quarter"),
    ("i starten af det nye år", D(2022, 11, 2), D(2023, 1, 1), D(2023, 3, 31), "quarter"),
    ("efter sommerferien 2023", None, D(2023, 8, 1), D(2023, 8, 31), "month"),
    ("efter sommerferien", D(2022, 10, 1), D(2023, 8, 1), D(2023, 8, 31), "month"),
    ("til og med 31. december 2024", None, D(2024, 12, 31), D(2024, 12, 31), "day"),
    ("i slutningen af 2023 eller starten af 2024", None, D(2023, 10, 1), D(2024, 3, 31), "quarter"),
    ("ult. 2023", None, D(2023, 10, 1), D(2023, 12, 31), "quarter"),
    ("ultimo i år", D(2023, 3, 15), D(2023, 10, 1), D(2023, 12, 31), "quarter"),
    ("i marts måned 2024", D(2023, 3, 15), D(2024, 3, 1), D(2024, 3, 31), "month"),
    ("2024-03-01T10:00", None, D(2024, 3, 1), D(2024, 3, 1), "day"),
    ("i næste måned", D(2023, 12, 15), D(2024, 1, 1), D(2024, 1, 31), "month"),
    ("i uge 10-12", D(2023, 3, 15), D(2023, 3, 6), D(2023, 3, 26), "week"),
    ("uge 10 og 11", D(2023, 3, 15), D(2023, 3, 6), D(2023, 3, 19), "week"),
    ("inden sommerferien 2024", None, D(2024, 6, 1), D(2024, 6, 30), "month"),
    ("1. og 2. kvartal 2024", None, D(2024, 1, 1), D(2024, 6, 30), "quarter"),
    ("sommeren '24", D(2023, 3, 15), D(2024, 6, 1), D(2024, 8, 31), "season"),
    ("i 2024 eller 2025", None, D(2024, 1, 1), D(2025, 12, 31), "year"),
]


@pytest.mark.parametrize(("text", "ctx", "earliest", "latest", "precision"), REMAINING)
def test_remaining_classes_parse_and_are_found(
    text: str, ctx: date | None, earliest: date, latest: date, precision: str
) -> None:
    got = parse_date(text, context_date=ctx)
    assert got is not None and (got.earliest, got.latest, got.precision) == (earliest, latest, precision)
    found = find_dates(text, context_date=ctx)
    assert (min(f.earliest for f in found), max(f.latest for f in found)) == (earliest, latest)


def test_not_until_a_year_is_the_year() -> None:
    # "det sker først i 2022": after a verb, "først" means "not until", not "early in".
    [found] = find_dates("NemID medarbejdersignatur bliver til MitID Erhverv, men det sker først i 2022.")
    assert (found.earliest, found.latest) == (D(2022, 1, 1), D(2022, 12, 31))
