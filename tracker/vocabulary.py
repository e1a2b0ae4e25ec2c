"""The shared vocabulary: how facts read to a person.

Level, confidence, state and kind labels; Danish (and English) month names; a day and a switch interval as a
person says them (what day it is for the users is ``tracker.clock``'s). It sits below every feature (it imports
only the models and Flask-Babel), so the domain, the broadcast documents and the templates (through
``tracker.web.format``) share one wording without the domain importing the web layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask import has_app_context, has_request_context
from flask_babel import force_locale, get_locale, gettext
from flask_babel import lazy_gettext as _l

from tracker.models import Solution

MONTHS_DA = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

LOA_LABELS = {"lav": _l("Lav"), "betydelig": _l("Betydelig"), "hoej": _l("Høj"), "ukendt": _l("Ukendt")}
CONFIDENCE_LABELS = {
    "confirmed": _l("Bekræftet"),
    # Reported by someone (a vendor, a third party quoting an authority), not confirmed by the authority itself:
    # who reported it is the fact's source kind, shown beside it, never part of this label.
    "reported": _l("Indberettet"),
    "expected": _l("Forventet (KL)"),
    "awaiting_decision": _l("Afventer beslutning"),
    "unknown": _l("Ukendt"),
}
STATE_LABELS = {
    "planned": _l("Planlagt"),
    "switched": _l("Skiftet"),
    "postponed": _l("Udskudt"),
    "cancelled": _l("Aflyst"),
    "unknown": _l("Ukendt"),
}
KIND_LABELS = {
    "faellesoffentlig": _l("Fællesoffentlig"),
    "faelleskommunal": _l("Fælleskommunal"),
    "leverandoer": _l("Leverandørløsning"),
    "broker": _l("Login-broker"),
    "andet": _l("Andet"),
}
INQUIRY_STATE_LABELS = {
    "open": _l("Åbent"),
    "asked": _l("Spurgt"),
    "answered": _l("Besvaret"),
    "closed": _l("Lukket"),
}


def _english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def format_day(day: date | None) -> str:
    """'1. marts 2023' (Danish) or '1 March 2023' (English)."""
    if day is None:
        return ""
    if _english():
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day}. {MONTHS_DA[day.month - 1]} {day.year}"


def format_switch(solution: Solution) -> str:
    """The switch date as a person would say it: the day, the source's own words for a period, or unknown."""
    earliest, latest = solution.switch_earliest_on, solution.switch_latest_on
    if earliest is None:
        return str(_l("Ukendt"))
    if solution.switch_precision == "day" or latest in (None, earliest):
        return format_day(earliest)
    words = f" ({solution.switch_text})" if solution.switch_text else ""
    return f"{format_day(earliest)} – {format_day(latest)}{words}"


def danish_day(day: date) -> str:
    """'1. marts 2027', whatever the request's language (for Danish-only texts such as calendars)."""
    return f"{day.day}. {MONTHS_DA[day.month - 1]} {day.year}"


# Words the registry stores in Danish as part of its history (reasons and who-acted labels written by the
# services): said again in the reader's language when shown. The stored text itself never changes.
_STORED_PHRASES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"Startdata"), lambda m: gettext("Startdata")),
    (re.compile(r"Forslag #(\d+) fra (.+)"), lambda m: gettext("Forslag #%(id)s fra %(who)s", id=m[1], who=m[2])),
    (
        re.compile(r"(.+) \(forslag #(\d+), godkendt af (.+)\)"),
        lambda m: gettext("%(who)s (forslag #%(id)s, godkendt af %(reviewer)s)", who=m[1], id=m[2], reviewer=m[3]),
    ),
)


def stored_words(text: str | None) -> str:
    """A stored Danish reason or actor label in the reader's language (unchanged when it is not one we wrote)."""
    if not text or not has_request_context():
        return text or ""
    for pattern, say in _STORED_PHRASES:
        if match := pattern.fullmatch(text):
            return say(match)
    return text


def in_danish(words: Callable[[], str]) -> str:
    """``words()`` (which calls gettext or reads labels) in Danish whatever the reader's language: what the registry
    stores as history, exports, calendars. Outside the app the catalogue's msgids are said, and they are Danish."""
    with force_locale("da"):
        return words()


def in_readers_language(words: Callable[[], str]) -> str:
    """``words()`` (which calls gettext, format_day …) in the request's language; Danish outside a request (events
    written by the worker or the CLI), where there is no reader to ask."""
    if has_request_context() or not has_app_context():
        return words()
    return in_danish(words)
