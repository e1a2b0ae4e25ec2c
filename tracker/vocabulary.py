"""The shared vocabulary: how facts read to a person.

The labels of every closed vocabulary (levels, confidence, states, kinds, sources, roles, transitions' kinds,
categories and who must act, readiness, action and proposal states, event types) in one table, ``TERMS``;
Danish (and English) month names; a day and a switch interval as a person says them (what day it is for the
users is ``tracker.clock``'s). It sits below every feature (it imports only the models and Flask-Babel), so the
domain, the feeds, the mail, the exports and the templates (through ``tracker.web.format``) share one wording
without the domain importing the web layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date

from flask import has_app_context, has_request_context
from flask_babel import force_locale, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

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

Labels = dict[str, LazyString]

# Every closed vocabulary's words, one row a value: (vocabulary, value, label). A label is the catalogue's Danish
# msgid (English through the catalogue); a vocabulary's rows stand in the order forms and filters offer them.
TERMS: tuple[tuple[str, str, LazyString], ...] = (
    ("loa", "lav", _l("Lav")),
    ("loa", "betydelig", _l("Betydelig")),
    ("loa", "hoej", _l("Høj")),
    ("loa", "ukendt", _l("Ukendt")),
    ("confidence", "confirmed", _l("Bekræftet")),
    # Reported by someone (a vendor, a third party quoting an authority), not confirmed by the authority itself:
    # who reported it is the fact's source kind, shown beside it, never part of this label.
    ("confidence", "reported", _l("Indberettet")),
    ("confidence", "expected", _l("Forventet (KL)")),
    ("confidence", "awaiting_decision", _l("Afventer beslutning")),
    ("confidence", "unknown", _l("Ukendt")),
    ("switch_state", "planned", _l("Planlagt")),
    ("switch_state", "switched", _l("Skiftet")),
    ("switch_state", "postponed", _l("Udskudt")),
    ("switch_state", "cancelled", _l("Aflyst")),
    ("switch_state", "unknown", _l("Ukendt")),
    ("solution_kind", "faellesoffentlig", _l("Fællesoffentlig")),
    ("solution_kind", "faelleskommunal", _l("Fælleskommunal")),
    ("solution_kind", "leverandoer", _l("Leverandørløsning")),
    ("solution_kind", "broker", _l("Login-broker")),
    ("solution_kind", "andet", _l("Andet")),
    ("precision", "day", _l("dag")),
    ("precision", "week", _l("uge")),
    ("precision", "month", _l("måned")),
    ("precision", "quarter", _l("kvartal")),
    ("precision", "half", _l("halvår")),
    ("precision", "season", _l("årstid")),
    ("precision", "year", _l("år")),
    ("precision", "unknown", _l("ukendt")),
    ("source_kind", "authority", _l("Myndighed / tjenesteudbyder")),
    ("source_kind", "coordinator", _l("KL-koordinator")),
    ("source_kind", "vendor", _l("Leverandør")),
    ("source_kind", "municipality", _l("Kommune")),
    ("source_kind", "scraper", _l("Automatisk overvågning")),
    ("source_kind", "risk_assessment", _l("Fælles risikovurdering")),
    # The same, as a feed entry or a mail line says it after "kilde:".
    ("source_kind_in_text", "authority", _l("myndighed")),
    ("source_kind_in_text", "scraper", _l("automatisk indsamlet")),
    ("source_kind_in_text", "coordinator", _l("KL-koordinator")),
    ("source_kind_in_text", "vendor", _l("leverandør")),
    ("source_kind_in_text", "municipality", _l("kommune")),
    ("source_kind_in_text", "risk_assessment", _l("fælles risikovurdering")),
    ("transition_kind", "login", _l("Nyt login")),
    ("transition_kind", "loa", _l("Krav om sikringsniveau")),
    ("transition_kind", "protocol", _l("Protokol")),
    ("transition_kind", "certificate", _l("Certifikat")),
    ("transition_kind", "broker_version", _l("Brokerversion")),
    ("transition_kind", "wallet", _l("Identitetstegnebog")),
    ("transition_kind", "decommission", _l("Lukning")),
    ("transition_kind", "organisation", _l("Organisation")),
    ("transition_category", "plan_for_change", _l("Planlæg ændringen")),
    ("transition_category", "prevent_or_fix", _l("Forebyg eller ret")),
    ("transition_category", "stay_informed", _l("Til orientering")),
    ("who_must_act", "municipalities", _l("kommunerne")),
    ("who_must_act", "local_idp_operators", _l("driftere af lokale IdP'er")),
    ("who_must_act", "service_provider", _l("tjenesteudbyderen")),
    ("who_must_act", "vendor", _l("leverandøren")),
    ("who_must_act", "staff", _l("medarbejderne")),
    ("role", "admin", _l("Administrator")),
    ("role", "coordinator", _l("Koordinator (KL)")),
    ("role", "vendor", _l("Leverandør")),
    ("role", "municipality", _l("Kommune")),
    ("organisation_kind", "authority", _l("Myndighed")),
    ("organisation_kind", "vendor", _l("Leverandør")),
    ("organisation_kind", "kl", _l("KL")),
    ("organisation_kind", "kombit", _l("KOMBIT")),
    ("organisation_kind", "other", _l("Andet")),
    ("inquiry_state", "open", _l("Åbent")),
    ("inquiry_state", "asked", _l("Spurgt")),
    ("inquiry_state", "answered", _l("Besvaret")),
    ("inquiry_state", "closed", _l("Lukket")),
    # A municipality's readiness for a solution (tracker.municipalities.readiness.Status).
    ("readiness", "ok", _l("Klar")),
    ("readiness", "at_risk", _l("I fare")),
    ("readiness", "locked_out", _l("Lukket ude")),
    ("readiness", "unknown", _l("Ukendt")),
    ("action_status", "new", _l("Ikke startet")),
    ("action_status", "in_progress", _l("I gang")),
    ("action_status", "done", _l("Færdig")),
    ("action_status", "not_relevant", _l("Ikke relevant")),
    ("action_status", "blocked", _l("Blokeret")),
    ("proposal_state", "pending", _l("Afventer gennemsyn")),
    ("proposal_state", "stale", _l("Forældet – løsningen er ændret siden")),
    ("proposal_state", "accepted", _l("Godkendt")),
    ("proposal_state", "rejected", _l("Afvist")),
    # Who a proposal came from.
    ("origin", "vendor", _l("Leverandør")),
    ("origin", "municipality", _l("Kommune")),
    ("origin", "coordinator", _l("Koordinator")),
    ("origin", "scraper", _l("Automatisk overvågning")),
    # A change event's type, as a solution's history heads it.
    ("event_type", "solution.created", _l("Oprettet")),
    ("event_type", "solution.updated", _l("Oplysninger ændret")),
    ("event_type", "solution.switch_date.changed", _l("Skæringsdato ændret")),
    ("event_type", "solution.required_loa.changed", _l("Sikringsniveau ændret")),
    ("event_type", "inquiry.created", _l("Nyt spørgsmål")),
    ("event_type", "inquiry.asked", _l("Spørgsmål stillet videre")),
    ("event_type", "inquiry.answered", _l("Spørgsmål besvaret")),
    ("event_type", "inquiry.closed", _l("Spørgsmål lukket")),
)


def labels_of(vocabulary: str) -> Labels:
    """One vocabulary's value → label, in the table's order."""
    return {value: text for name, value, text in TERMS if name == vocabulary}


LOA_LABELS = labels_of("loa")
CONFIDENCE_LABELS = labels_of("confidence")
STATE_LABELS = labels_of("switch_state")
KIND_LABELS = labels_of("solution_kind")
PRECISION_LABELS = labels_of("precision")
SOURCE_LABELS = labels_of("source_kind")
SOURCE_KIND_LABELS = labels_of("source_kind_in_text")
TRANSITION_KIND_LABELS = labels_of("transition_kind")
TRANSITION_CATEGORY_LABELS = labels_of("transition_category")
WHO_MUST_ACT_LABELS = labels_of("who_must_act")
ROLE_LABELS = labels_of("role")
ORG_KIND_LABELS = labels_of("organisation_kind")
INQUIRY_STATE_LABELS = labels_of("inquiry_state")
READINESS_LABELS = labels_of("readiness")
ACTION_STATUS_LABELS = labels_of("action_status")
PROPOSAL_STATE_LABELS = labels_of("proposal_state")
ORIGIN_LABELS = labels_of("origin")
EVENT_LABELS = labels_of("event_type")


def label(labels: Mapping[str, object], value: str | None) -> str:
    """The label of a value (the value itself when it has none)."""
    return str(labels.get(value or "", value or ""))


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
