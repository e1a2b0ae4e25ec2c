"""NSIS assurance levels in Danish and English → lav|betydelig|hoej, and only in an assurance context."""

from __future__ import annotations

import pytest

from scrapers.levels import find_levels, parse_level

LEVEL_CELLS = [
    ("lav", "lav"),
    ("Lav", "lav"),
    ("Betydelig", "betydelig"),
    ("høj", "hoej"),
    ("Høj", "hoej"),
    ("hoej", "hoej"),
    ("Low", "lav"),
    ("Substantial", "betydelig"),
    ("High", "hoej"),
    ("sikringsniveau 3", "betydelig"),
    ("Sikringsniveau 2", "lav"),
    ("NSIS-niveau Betydelig", "betydelig"),
    ("NSIS niveau 4", "hoej"),
    ("NSIS-sikringsniveau 3 (betydelig)", "betydelig"),
    ("LoA Substantial", "betydelig"),
    ("Betydelig (forventet)", "betydelig"),
    ("Betydelig eller højere", "betydelig"),
    ("mindst betydeligt sikringsniveau", "betydelig"),
    ("Sikringsniveau: niveau 3", "betydelig"),
]


@pytest.mark.parametrize(("text", "level"), LEVEL_CELLS)
def test_parse_level(text: str, level: str) -> None:
    assert parse_level(text) == level


@pytest.mark.parametrize(
    "text",
    [
        "niveau 3",
        "3",
        "Assurance Level 3",
        "Unilogin sikringsniveau 3",
        "Lav en bruger",
        "Betydelig eller høj",
        "Afventer beslutning",
        "",
        "sikringsniveau 1",
        "Highway",
    ],
)
def test_parse_level_refuses(text: str) -> None:
    assert parse_level(text) is None


def _levels(text: str) -> list[tuple[str, str]]:
    return [(m.level, m.text) for m in find_levels(text)]


def test_find_levels_needs_an_assurance_keyword() -> None:
    assert _levels("Lav en ny bruger på niveau 2.") == []
    assert _levels("Det er en betydelig forbedring med høj oppetid.") == []
    assert _levels("high availability at level 4") == []


def test_find_levels_in_prose() -> None:
    assert _levels("FMK kræver sikringsniveau Betydelig, mens Aula kræver højt sikringsniveau.") == [
        ("betydelig", "sikringsniveau Betydelig"),
        ("hoej", "højt sikringsniveau"),
    ]
    # NSIS levels have names; numbers in running text are the pre-NSIS scale
    assert _levels("Kommunens IdP er anmeldt efter NSIS og kræver niveau 3.") == []
    assert _levels("Et barn bliver logget på Aula på Assurance Level 2, og step-up giver Assurance Level 3.") == []
    assert _levels("AuthnContextClassRef https://data.gov.dk/concept/core/nsis/loa/Substantial") == [
        ("betydelig", "nsis/loa/Substantial")
    ]


def test_positions_point_at_the_words() -> None:
    text = "Nexus: NSIS-niveau Høj."
    (mention,) = find_levels(text)
    assert text[mention.start : mention.end] == "NSIS-niveau Høj"
    assert mention.level == "hoej"
