"""What people send, turned into the registry's flat field changes (the names ``update_solution`` takes).

The API takes the nested shape that GET returns (``required_loa``/``switch_date`` with ``source``); forms
send flat fields. Both end here. Switch dates in words ("Q2 2024", "ultimo 2023", "1. marts 2023") are read
by the one parser the scrapers use too, ``scrapers.dates.parse_date``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scrapers.dates import parse_date
from tracker.error_messages import N_
from tracker.errors import ValidationError
from tracker.i18n import translated
from tracker.models import Organisation
from tracker.models.vocab import Precision
from tracker.registry.facts import LOA_FIELDS, SWITCH_FIELDS, day_problem, json_value

DATE_FIELDS = ("switch_earliest_on", "switch_latest_on")
# Proposals carry only the two tracked facts: who builds or owns a solution is the coordinators' business.
PROPOSABLE_FIELDS = LOA_FIELDS + SWITCH_FIELDS
DATE_HINT = N_("Skriv fx '1. marts 2023', 'Q2 2024', 'ultimo 2023', 'efteråret 2024' eller 2024-04-01.")

_SOURCE_KEYS = {"kind": "source_kind", "url": "source_url", "evidence": "evidence"}
_LOA_KEYS = {"value": "loa_value", "status": "loa_status"}
_SWITCH_KEYS = {"state": "switch_state", "status": "switch_status"}
_BASIC_KEYS = ("name", "aliases", "description", "kind", "broker", "brokers", "links")


def switch_from_text(text: str | None, *, today: date, field: str = "switch_date.text") -> dict[str, Any]:
    """The switch interval read from words or an ISO date; empty text means 'unknown'. 422 if unreadable."""
    if text is None or not text.strip():
        return {
            "switch_earliest_on": None,
            "switch_latest_on": None,
            "switch_precision": Precision.UNKNOWN.value,
            "switch_text": None,
        }
    text = text.strip()
    interval = parse_date(text, context_date=today)
    if interval is None:
        hint = translated(DATE_HINT)
        raise ValidationError("review.switch_date_unreadable", {field: hint}, text=text[:80], date_hint=hint)
    for day in (interval.earliest, interval.latest):
        problem = day_problem(day) if day is not None else None
        if problem:
            raise ValidationError("review.switch_date_not_in_range", {field: translated(problem)})
    return {
        "switch_earliest_on": interval.earliest,
        "switch_latest_on": interval.latest,
        "switch_precision": interval.precision,
        "switch_text": text,
    }


def _switch_interval(data: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The interval part of a nested ``switch_date``: explicit days win; otherwise the words are read."""
    if "earliest" in data:
        earliest = data["earliest"]
        if earliest is None:
            if data.get("latest") is not None:
                raise ValidationError(
                    "review.switch_date_latest_without_earliest", {"switch_date.earliest": translated("Mangler.")}
                )
            return {**switch_from_text(None, today=today), "switch_text": data.get("text")}
        latest = data.get("latest") or earliest
        if latest < earliest:
            raise ValidationError(
                "registry.switch_date_range_reversed",
                {"switch_date.latest": translated("Skal være samme dag som eller senere end første dag.")},
            )
        precision = data.get("precision") or ("day" if latest == earliest else None)
        if precision is None:
            raise ValidationError(
                "review.switch_date_precision_missing", {"switch_date.precision": translated("Mangler.")}
            )
        return {
            "switch_earliest_on": earliest,
            "switch_latest_on": latest,
            "switch_precision": precision,
            "switch_text": data.get("text"),
        }
    if "latest" in data:
        raise ValidationError(
            "review.switch_date_latest_without_earliest", {"switch_date.earliest": translated("Mangler.")}
        )
    if "text" in data:
        # The words decide the precision; a precision sent beside them would only contradict them.
        return switch_from_text(data["text"], today=today)
    if "precision" in data:
        return {"switch_precision": data["precision"]}
    return {}


def _source(prefix: str, data: Mapping[str, Any]) -> dict[str, Any]:
    source = data.get("source") or {}
    return {f"{prefix}_{_SOURCE_KEYS[key]}": value for key, value in source.items() if key in _SOURCE_KEYS}


def organisation_id(session: Session, slug: str | None, field: str) -> int | None:
    """An organisation slug resolved to its id (None stays None); unknown slugs are a 422 naming the field."""
    if slug is None:
        return None
    org_id = session.scalar(select(Organisation.id).where(Organisation.slug == slug))
    if org_id is None:
        raise ValidationError("registry.organisation_unknown", {field: "Findes ikke."}, slug=slug[:80])
    return int(org_id)


def flatten(session: Session, data: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    """The nested API shape (as GET returns it) → ``update_solution`` fields. Only what was sent."""
    changes: dict[str, Any] = {key: data[key] for key in _BASIC_KEYS if key in data}
    for role in ("vendor", "service_provider"):
        if role in data:
            changes[f"{role}_id"] = organisation_id(session, data[role], role)
    loa = data.get("required_loa") or {}
    changes.update({_LOA_KEYS[k]: v for k, v in loa.items() if k in _LOA_KEYS})
    changes.update(_source("loa", loa))
    switch = data.get("switch_date") or {}
    changes.update(_switch_interval(switch, today))
    changes.update({_SWITCH_KEYS[k]: v for k, v in switch.items() if k in _SWITCH_KEYS})
    changes.update(_source("switch", switch))
    return changes


def to_json(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Changes as a proposal stores them: JSON-safe (dates as ISO strings)."""
    return {field: json_value(value) for field, value in changes.items()}


def from_json(changes: Mapping[str, Any]) -> dict[str, Any]:
    """A proposal's stored changes back as the registry takes them (ISO strings → dates)."""
    result = dict(changes)
    for field in DATE_FIELDS:
        if isinstance(result.get(field), str):
            result[field] = date.fromisoformat(result[field])
    return result
