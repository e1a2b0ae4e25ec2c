"""Change events in words a person understands, in Danish — the titles and summaries of feed entries.

"Aula: skæringsdato flyttet fra 1. marts 2023 til 1. maj 2023 — kilde: …". Only what the event itself records
is said (a past event is never re-read through today's registry). Call inside an app context.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import force_locale

from tracker.models import ChangeEvent
from tracker.vocabulary import CONFIDENCE_LABELS, KIND_LABELS, LOA_LABELS, STATE_LABELS, format_day

FIELD_LABELS = {
    "name": "navn",
    "aliases": "alternative navne",
    "description": "beskrivelse",
    "kind": "type",
    "broker": "broker",
    "brokers": "login-brokere",
    "links": "links",
    "service_provider_id": "tjenesteudbyder",
    "vendor_id": "leverandør",
    "loa_source_url": "kilde for sikringsniveau",
    "loa_evidence": "dokumentation for sikringsniveau",
    "switch_source_url": "kilde for skæringsdato",
    "switch_evidence": "dokumentation for skæringsdato",
}
SOURCE_KIND_LABELS = {
    "authority": "myndighed",
    "scraper": "automatisk indsamlet",
    "coordinator": "KL-koordinator",
    "vendor": "leverandør",
    "municipality": "kommune",
    "risk_assessment": "fælles risikovurdering",
}
READINESS_LABELS = {"ok": "Klar", "at_risk": "I fare", "locked_out": "Lukket ude", "unknown": "Ukendt"}


@dataclass(frozen=True)
class Description:
    """A title (one line) and a summary (with source and reason)."""

    title: str
    summary: str


def _label(labels: dict[str, Any], value: Any) -> str:
    if value is None:
        return "ukendt"
    return str(labels.get(value, value))


def _day(value: Any) -> str:
    if not value:
        return ""
    try:
        return format_day(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _interval(earliest: Any, latest: Any) -> str:
    first, last = _day(earliest), _day(latest)
    if not first:
        return "ukendt"
    return first if not last or last == first else f"{first} – {last}"


def _change(changes: dict[str, Any], field: str) -> tuple[Any, Any] | None:
    entry = changes.get(field)
    if not isinstance(entry, dict):
        return None
    return entry.get("before"), entry.get("after")


def _moved(what: str, before: str | None, after: str | None) -> str:
    if not before or before == "ukendt":
        return f"{what} sat til {after}"
    if not after or after == "ukendt":
        return f"{what} fjernet (var {before}; nu ukendt)"
    return f"{what} flyttet fra {before} til {after}"


def _switch_parts(ch: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    earliest, latest = _change(ch, "switch_earliest_on"), _change(ch, "switch_latest_on")
    text = _change(ch, "switch_text")
    words = f" («{text[1]}»)" if text and text[1] else ""
    if earliest and latest:
        parts.append(
            _moved(
                "skæringsdato",
                _interval(*[c[0] for c in (earliest, latest)]),
                _interval(*[c[1] for c in (earliest, latest)]) + words,
            )
        )
    elif earliest:
        parts.append(_moved("skæringsdato", _day(earliest[0]), _day(earliest[1]) + words))
    elif latest:
        parts.append(_moved("seneste mulige skæringsdag", _day(latest[0]), _day(latest[1]) + words))
    elif text:
        parts.append(f"skæringsdato beskrevet som «{text[1] or ''}»")
    if state := _change(ch, "switch_state"):
        parts.append(f"status ændret fra {_label(STATE_LABELS, state[0])} til {_label(STATE_LABELS, state[1])}")
    if status := _change(ch, "switch_status"):
        if parts and not state:
            parts[-1] += f" ({_label(CONFIDENCE_LABELS, status[1])})"
        else:
            parts.append(
                f"sikkerhed for skæringsdato ændret fra {_label(CONFIDENCE_LABELS, status[0])} "
                f"til {_label(CONFIDENCE_LABELS, status[1])}"
            )
    return parts or ["kilde eller dokumentation for skæringsdatoen opdateret"]


def _loa_parts(ch: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    value, status = _change(ch, "loa_value"), _change(ch, "loa_status")
    if value:
        text = f"krævet sikringsniveau ændret fra {_label(LOA_LABELS, value[0])} til {_label(LOA_LABELS, value[1])}"
        if status:
            text += f" ({_label(CONFIDENCE_LABELS, status[1])})"
        parts.append(text)
    elif status:
        parts.append(
            f"sikkerhed for krævet sikringsniveau ændret fra {_label(CONFIDENCE_LABELS, status[0])} "
            f"til {_label(CONFIDENCE_LABELS, status[1])}"
        )
    return parts or ["kilde eller dokumentation for sikringsniveauet opdateret"]


def _created_parts(ch: dict[str, Any]) -> list[str]:
    parts = ["ny løsning i registret"]
    if (kind := _change(ch, "kind")) and kind[1]:
        parts.append(f"type {_label(KIND_LABELS, kind[1])}")
    if (loa := _change(ch, "loa_value")) and loa[1]:
        parts.append(f"krævet sikringsniveau {_label(LOA_LABELS, loa[1])}")
    earliest, latest = _change(ch, "switch_earliest_on"), _change(ch, "switch_latest_on")
    if earliest and earliest[1]:
        parts.append(f"skæringsdato {_interval(earliest[1], latest[1] if latest else None)}")
    return parts


def _readiness_label(value: Any) -> str:
    status = value.get("status") if isinstance(value, dict) else value
    return "ikke i porteføljen" if status is None else _label(READINESS_LABELS, status)


def _readiness_parts(ch: dict[str, Any], data: dict[str, Any]) -> list[str]:
    solution = (data.get("solution") or {}).get("name")
    subject = f"parathed for {solution}" if solution else "parathed"
    if idp := data.get("idp"):
        subject += f" (IdP '{idp.get('name')}')"
    for key in ("readiness", "status"):
        if change := _change(ch, key):
            text = f"{subject} ændret fra {_readiness_label(change[0])} til {_readiness_label(change[1])}"
            if message := data.get("message"):
                text += f" — {message}"
            if action := data.get("action"):
                text += f" Gør nu: {action.get('text')}."
            return [text]
    return [f"{subject} ændret"]


def _inquiry_parts(event: ChangeEvent) -> list[str]:
    inquiry = (event.data or {}).get("inquiry") or {}
    question = str(inquiry.get("question") or "")[:300]
    if event.type == "inquiry.answered":
        answer = str(inquiry.get("answer") or "")[:1000]
        return [f"spørgsmål #{inquiry.get('id')} besvaret af {event.actor_label}: «{question}» — svar: {answer}"]
    if event.type == "inquiry.asked":
        note = str(inquiry.get("asked_note") or "")[:1000]
        return [f"spørgsmål #{inquiry.get('id')} stillet videre af {event.actor_label}: «{question}» — {note}"]
    if event.type == "inquiry.closed":
        reason = str(inquiry.get("close_reason") or "")[:1000]
        return [f"spørgsmål #{inquiry.get('id')} lukket af {event.actor_label}: «{question}» — begrundelse: {reason}"]
    return [f"nyt spørgsmål #{inquiry.get('id')} fra {event.actor_label}: «{question}»"]


def _source(event: ChangeEvent) -> str:
    if event.source_url:
        kind = SOURCE_KIND_LABELS.get(event.source_kind or "", "")
        return f"{event.source_url} ({kind})" if kind else event.source_url
    if event.source_kind:
        return SOURCE_KIND_LABELS.get(event.source_kind, event.source_kind)
    return ""


def subject_name(event: ChangeEvent) -> str:
    """What the event is about: the solution's (or municipality's) name as it was then."""
    data = event.data or {}
    if event.type.startswith("municipality."):
        return str((data.get("municipality") or {}).get("name") or "Kommune")
    solution = data.get("solution") or {}
    return str(solution.get("name") or solution.get("slug") or "Løsning")


def describe(event: ChangeEvent) -> Description:
    """Title and summary of one event, in Danish whatever the request's language (feeds are shared)."""
    with force_locale("da"):
        ch = event.changes or {}
        if event.type == "solution.switch_date.changed":
            parts = _switch_parts(ch)
        elif event.type == "solution.required_loa.changed":
            parts = _loa_parts(ch)
        elif event.type == "solution.created":
            parts = _created_parts(ch)
        elif event.type == "municipality.readiness.changed":
            parts = _readiness_parts(ch, event.data or {})
        elif event.type.startswith("inquiry."):
            parts = _inquiry_parts(event)
        else:
            fields = [FIELD_LABELS.get(f, f) for f in ch] or ["oplysninger"]
            parts = [f"opdateret: {', '.join(fields)}"]
        title = f"{subject_name(event)}: {'; '.join(parts)}"
    summary = title
    if source := _source(event):
        summary += f" — kilde: {source}"
    if event.reason:
        summary += f". Begrundelse: {event.reason}"
    return Description(title=title, summary=summary)
