"""Word lists and calendar arithmetic behind ``scrapers.dates``.

Kept apart so that ``dates.py`` reads as the list of recognised expressions.

Period conventions (documented once, here):

* Parts of a month — primo / "i starten af" = days 1–10, medio / "i midten af" =
  days 11–20, ultimo / "i slutningen af" / "udgangen af" = day 21 to month end.
  Precision ``month``: the wording is month-grained even though the interval is narrower.
* Parts of a year — primo = 1 Jan–31 Mar (Q1), medio = 1 May–31 Aug (four months
  centred on 1 July), ultimo = 1 Oct–31 Dec (Q4). Precision ``quarter``.
* Seasons — forår 1 Mar–31 May, sommer 1 Jun–31 Aug, efterår 1 Sep–30 Nov,
  vinter 1 Dec–end of Feb of the *next* year ("vinteren 2023" = Dec 2023–Feb 2024),
  forsommer 1 May–30 Jun, sensommer 1 Aug–30 Sep. Precision ``season``.
* Halves — 1 Jan–30 Jun and 1 Jul–31 Dec (``half``); quarters as usual (``quarter``);
  weeks are ISO 8601 weeks, Monday–Sunday (``week``).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

Span = tuple[date, date, str]

DA_MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "okt": 10, "nov": 11, "dec": 12,
}  # fmt: skip
EN_MONTHS = {
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7,
    "october": 10, "oct": 10,
}  # fmt: skip
MONTHS = {**DA_MONTHS, **EN_MONTHS}
ABBREVIATIONS = {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "oct", "nov", "dec"}

SEASONS = {
    "forår": "spring", "foråret": "spring", "spring": "spring",
    "sommer": "summer", "sommeren": "summer", "summer": "summer",
    "efterår": "autumn", "efteråret": "autumn", "høsten": "autumn", "autumn": "autumn", "fall": "autumn",
    "vinter": "winter", "vinteren": "winter", "winter": "winter",
    "forsommer": "early_summer", "forsommeren": "early_summer",
    "sensommer": "late_summer", "sensommeren": "late_summer",
}  # fmt: skip
# Only the definite Danish forms ("i efteråret") refer to a season of a known year
# without naming it; bare "sommer" is too often just a word ("god sommer").
YEARLESS_SEASONS = {"foråret", "sommeren", "efteråret", "vinteren", "forsommeren", "sensommeren"}
# (first month, number of months)
_SEASON_MONTHS = {
    "spring": (3, 3), "summer": (6, 3), "autumn": (9, 3), "winter": (12, 3),
    "early_summer": (5, 2), "late_summer": (8, 2),
}  # fmt: skip

ORDINALS = {
    "første": 1, "first": 1, "andet": 2, "anden": 2, "second": 2, "tredje": 3, "third": 3,
    "fjerde": 4, "fourth": 4,
}  # fmt: skip

# "sidste kvartal", "last half": the last one of the year.
LAST_WORDS = {"sidste", "last"}

PRIMO = 0
MEDIO = 1
ULTIMO = 2


def modifier_part(word: str) -> int:
    """Map a start/middle/end wording ("primo", "i slutningen af", "mid-") to PRIMO/MEDIO/ULTIMO."""
    w = word.lower()
    if any(k in w for k in ("primo", "start", "begynd", "early", "beginning", "først")):
        return PRIMO
    if any(k in w for k in ("medio", "midt", "midten", "mid")):
        return MEDIO
    return ULTIMO


def month_number(word: str) -> int:
    """Month number of a Danish or English month name or abbreviation (trailing dot allowed)."""
    return MONTHS[word.lower().rstrip(".")]


def last_day(year: int, month: int) -> date:
    """The last day of the month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    """(year, month) moved ``n`` months forward."""
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def months_span(year: int, month: int, count: int, precision: str) -> Span:
    """``count`` whole months starting at year/month."""
    end_year, end_month = add_months(year, month, count - 1)
    return date(year, month, 1), last_day(end_year, end_month), precision


def month_part(year: int, month: int, part: int) -> Span:
    """Days 1–10, 11–20 or 21–end of a month."""
    start = (1, 11, 21)[part]
    end = last_day(year, month) if part == ULTIMO else date(year, month, start + 9)
    return date(year, month, start), end, "month"


def year_part(year: int, part: int) -> Span:
    """Q1, May–August or Q4 of a year (see module docstring)."""
    first, count = ((1, 3), (5, 4), (10, 3))[part]
    return months_span(year, first, count, "quarter")


def season(year: int, name: str) -> Span:
    """The season ``name`` (any key of SEASONS) of ``year``."""
    first, count = _SEASON_MONTHS[SEASONS[name.lower()]]
    return months_span(year, first, count, "season")


def iso_week(year: int, week: int) -> Span:
    """Monday–Sunday of ISO week ``week`` of ``year``; ValueError if the week does not exist."""
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6), "week"
