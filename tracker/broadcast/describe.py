"""Change events in words a person understands — the titles and summaries of feed entries and mail lines.

"Aula: skæringsdato flyttet fra 1. marts 2023 til 1. maj 2023 — kilde: …". Only what the event itself records
is said (a past event is never re-read through today's registry). Danish by default (feeds are shared); a
mail to an English reader asks for English. Free text the event carries (reasons, questions, answers, a
readiness action) stays as it was written. Call inside an app context.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.broadcast.transition_text import transition_parts
from tracker.models import ChangeEvent
from tracker.vocabulary import (
    CONFIDENCE_LABELS,
    KIND_LABELS,
    LOA_LABELS,
    READINESS_LABELS,
    SOURCE_KIND_LABELS,
    STATE_LABELS,
    format_day,
)

FIELD_LABELS = {
    "name": _l("navn"),
    "aliases": _l("alternative navne"),
    "description": _l("beskrivelse"),
    "kind": _l("type"),
    "broker": _l("broker"),
    "brokers": _l("login-brokere"),
    "links": _l("links"),
    "service_provider_id": _l("tjenesteudbyder"),
    "vendor_id": _l("leverandør"),
    "loa_source_url": _l("kilde for sikringsniveau"),
    "loa_evidence": _l("dokumentation for sikringsniveau"),
    "switch_source_url": _l("kilde for skæringsdato"),
    "switch_evidence": _l("dokumentation for skæringsdato"),
}
BULK_DETAILS = 50  # rows of a bulk readiness event spelled out in its summary (the payload has them all)


@dataclass(frozen=True)
class Description:
    """A title (one line) and a summary (with source and reason)."""

    title: str
    summary: str


def _label(labels: dict[str, Any], value: Any) -> str:
    if value is None:
        return _("ukendt")
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
        return _("ukendt")
    return first if not last or last == first else f"{first} – {last}"


def _change(changes: dict[str, Any], field: str) -> tuple[Any, Any] | None:
    entry = changes.get(field)
    if not isinstance(entry, dict):
        return None
    return entry.get("before"), entry.get("after")


def _moved(what: str, before: str | None, after: str | None) -> str:
    unknown = _("ukendt")
    if not before or before == unknown:
        return _("%(what)s sat til %(after)s", what=what, after=after)
    if not after or after == unknown:
        return _("%(what)s fjernet (var %(before)s; nu ukendt)", what=what, before=before)
    return _("%(what)s flyttet fra %(before)s til %(after)s", what=what, before=before, after=after)


def _switch_parts(ch: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    earliest, latest = _change(ch, "switch_earliest_on"), _change(ch, "switch_latest_on")
    text = _change(ch, "switch_text")
    words = f" («{text[1]}»)" if text and text[1] else ""
    if earliest and latest:
        parts.append(
            _moved(
                _("skæringsdato"),
                _interval(*[c[0] for c in (earliest, latest)]),
                _interval(*[c[1] for c in (earliest, latest)]) + words,
            )
        )
    elif earliest:
        parts.append(_moved(_("skæringsdato"), _day(earliest[0]), _day(earliest[1]) + words))
    elif latest:
        parts.append(_moved(_("seneste mulige skæringsdag"), _day(latest[0]), _day(latest[1]) + words))
    elif text:
        parts.append(_("skæringsdato beskrevet som «%(text)s»", text=text[1] or ""))
    if state := _change(ch, "switch_state"):
        before, after = _label(STATE_LABELS, state[0]), _label(STATE_LABELS, state[1])
        parts.append(_("status ændret fra %(before)s til %(after)s", before=before, after=after))
    if status := _change(ch, "switch_status"):
        if parts and not state:
            parts[-1] += f" ({_label(CONFIDENCE_LABELS, status[1])})"
        else:
            before, after = _label(CONFIDENCE_LABELS, status[0]), _label(CONFIDENCE_LABELS, status[1])
            parts.append(_("vished for skæringsdato ændret fra %(before)s til %(after)s", before=before, after=after))
    return parts or [_("kilde eller dokumentation for skæringsdatoen opdateret")]


def _loa_parts(ch: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    value, status = _change(ch, "loa_value"), _change(ch, "loa_status")
    if value:
        before, after = _label(LOA_LABELS, value[0]), _label(LOA_LABELS, value[1])
        text = _("krævet sikringsniveau ændret fra %(before)s til %(after)s", before=before, after=after)
        if status:
            text += f" ({_label(CONFIDENCE_LABELS, status[1])})"
        parts.append(text)
    elif status:
        before, after = _label(CONFIDENCE_LABELS, status[0]), _label(CONFIDENCE_LABELS, status[1])
        parts.append(
            _("vished for krævet sikringsniveau ændret fra %(before)s til %(after)s", before=before, after=after)
        )
    return parts or [_("kilde eller dokumentation for sikringsniveauet opdateret")]


def _created_parts(ch: dict[str, Any]) -> list[str]:
    parts = [_("ny løsning i registret")]
    if (kind := _change(ch, "kind")) and kind[1]:
        parts.append(_("type %(kind)s", kind=_label(KIND_LABELS, kind[1])))
    if (loa := _change(ch, "loa_value")) and loa[1]:
        parts.append(_("krævet sikringsniveau %(level)s", level=_label(LOA_LABELS, loa[1])))
    earliest, latest = _change(ch, "switch_earliest_on"), _change(ch, "switch_latest_on")
    if earliest and earliest[1]:
        parts.append(_("skæringsdato %(when)s", when=_interval(earliest[1], latest[1] if latest else None)))
    return parts


def _readiness_label(value: Any) -> str:
    status = value.get("status") if isinstance(value, dict) else value
    return _("ikke i porteføljen") if status is None else _label(READINESS_LABELS, status)


def _readiness_parts(ch: dict[str, Any], data: dict[str, Any]) -> list[str]:
    solution = (data.get("solution") or {}).get("name")
    subject = _("parathed for %(name)s", name=solution) if solution else _("parathed")
    if idp := data.get("idp"):
        subject += f" (IdP '{idp.get('name')}')"
    for key in ("readiness", "status"):
        if change := _change(ch, key):
            before, after = _readiness_label(change[0]), _readiness_label(change[1])
            if before != after:
                text = _("%(what)s ændret fra %(before)s til %(after)s", what=subject, before=before, after=after)
            else:
                # The verdict stayed; its day (or what drives it) moved: say that, not "from X to X".
                old_day, new_day = (_day(v.get("from")) if isinstance(v, dict) else "" for v in change)
                if old_day and new_day and old_day != new_day:
                    text = _(
                        "%(what)s stadig %(status)s; dagen flyttet fra %(before)s til %(after)s",
                        what=subject,
                        status=after,
                        before=old_day,
                        after=new_day,
                    )
                else:
                    text = _("%(what)s stadig %(status)s", what=subject, status=after)
            if message := data.get("message"):
                text += f" — {message}"
            if action := data.get("action"):
                text = (
                    full_stop(text) + " " + _("Gør nu: %(action)s.", action=str(action.get("text") or "").rstrip("."))
                )
            if lockout := _lockout_sentence(data.get("next_lockout"), change[1]) or _lockout_gone(ch):
                text = full_stop(text) + " " + lockout
            return [text]
    return [_("%(what)s ændret", what=subject)]


def _lockout_sentence(lockout: Any, after: Any) -> str:
    """The next lock-out period, when it says more than the verdict's day: it ends, or starts on another day."""
    if not isinstance(lockout, dict):
        return ""
    start, until = lockout.get("from"), lockout.get("until")
    verdict_day = after.get("from") if isinstance(after, dict) else None
    if until is None and start == verdict_day:
        return ""
    if until is not None:
        last = _day((date.fromisoformat(str(until)[:10]) - timedelta(days=1)).isoformat())
        if start:
            return _("Næste lukkeperiode: %(start)s til og med %(last)s.", start=_day(start), last=last)
        return _("Lukket ude til og med %(last)s.", last=last)
    return _("Næste lukkeperiode: fra %(start)s.", start=_day(start)) if start else ""


def _lockout_gone(ch: dict[str, Any]) -> str:
    """When the change took the next lock-out period away (e.g. a cancelled ``loa`` transition): say so."""
    moved = _change(ch, "next_lockout")
    if not moved or not isinstance(moved[0], dict) or moved[1]:
        return ""
    if start := moved[0].get("from"):
        return _("Ingen lukkeperiode forude længere (den næste var fra %(start)s).", start=_day(start))
    return _("Ingen lukkeperiode længere.")


def full_stop(text: str) -> str:
    """The text as a finished sentence: a full stop added unless it already ends one (no "Betydelig..")."""
    text = text.rstrip()
    return text if not text or text.endswith((".", "!", "?", "…")) else text + "."


def _inquiry_parts(event: ChangeEvent) -> list[str]:
    inquiry = (event.data or {}).get("inquiry") or {}
    question = str(inquiry.get("question") or "")[:300]
    values = {"id": inquiry.get("id"), "who": event.actor_label, "question": question}
    if event.type == "inquiry.answered":
        answer = str(inquiry.get("answer") or "")[:1000]
        return [_("spørgsmål #%(id)s besvaret af %(who)s: «%(question)s» — svar: %(answer)s", answer=answer, **values)]
    if event.type == "inquiry.asked":
        note = str(inquiry.get("asked_note") or "")[:1000]
        return [_("spørgsmål #%(id)s stillet videre af %(who)s: «%(question)s» — %(note)s", note=note, **values)]
    if event.type == "inquiry.closed":
        reason = str(inquiry.get("close_reason") or "")[:1000]
        return [
            _("spørgsmål #%(id)s lukket af %(who)s: «%(question)s» — begrundelse: %(reason)s", reason=reason, **values)
        ]
    return [_("nyt spørgsmål #%(id)s fra %(who)s: «%(question)s»", **values)]


def _source(event: ChangeEvent) -> str:
    if event.source_url:
        kind = str(SOURCE_KIND_LABELS.get(event.source_kind or "", ""))
        return f"{event.source_url} ({kind})" if kind else event.source_url
    if event.source_kind:
        return str(SOURCE_KIND_LABELS.get(event.source_kind, event.source_kind))
    return ""


def subject_name(event: ChangeEvent) -> str:
    """What the event is about: the solution's (or municipality's) name as it was then."""
    data = event.data or {}
    if event.type.startswith("municipality."):
        return str((data.get("municipality") or {}).get("name") or "Kommune")
    solution = data.get("solution") or {}
    return str(solution.get("name") or solution.get("slug") or "Løsning")


def describe(event: ChangeEvent, language: str = "da") -> Description:
    """Title and summary of one event, in Danish whatever the request's language (feeds are shared), unless
    another ``language`` is asked for (a reader's mail)."""
    with force_locale(language):
        ch = event.changes or {}
        details: list[str] = []
        if event.type == "solution.switch_date.changed":
            parts = _switch_parts(ch)
        elif event.type == "solution.required_loa.changed":
            parts = _loa_parts(ch)
        elif event.type == "solution.created":
            parts = _created_parts(ch)
        elif event.type == "municipality.readiness.changed" and (rows := (event.data or {}).get("rows")):
            # One event for many rows (an import, a broker change): counted in the title, each in the summary.
            parts = [ngettext("parathed ændret for %(num)d række", "parathed ændret for %(num)d rækker", len(rows))]
            details = [p for row in rows[:BULK_DETAILS] for p in _readiness_parts(row.get("changes") or {}, row)]
            if len(rows) > BULK_DETAILS:
                details.append(_("og %(num)d flere", num=len(rows) - BULK_DETAILS))
        elif event.type == "municipality.readiness.changed":
            parts = _readiness_parts(ch, event.data or {})
        elif event.type.startswith("inquiry."):
            parts = _inquiry_parts(event)
        elif event.type.startswith("transition."):
            parts = transition_parts(event)
        else:
            fields = [str(FIELD_LABELS.get(f, f)) for f in ch] or [_("oplysninger")]
            parts = [_("opdateret: %(fields)s", fields=", ".join(fields))]
        title = f"{subject_name(event)}: {'; '.join(parts)}"
        summary = title + (" — " + "; ".join(details) if details else "")
        if source := _source(event):
            summary += " — " + _("kilde: %(source)s", source=source)
        if event.reason:
            summary = full_stop(summary) + " " + _("Begrundelse: %(reason)s", reason=event.reason)
    return Description(title=title, summary=summary)
