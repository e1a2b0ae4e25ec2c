"""The editable fields of a solution, grouped by tracked fact, and their JSON-safe snapshots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tracker.models import Solution

LOA_FIELDS = ("loa_value", "loa_status", "loa_source_kind", "loa_source_url", "loa_evidence")
SWITCH_FIELDS = (
    "switch_earliest_on",
    "switch_latest_on",
    "switch_precision",
    "switch_text",
    "switch_state",
    "switch_status",
    "switch_source_kind",
    "switch_source_url",
    "switch_evidence",
)
BASIC_FIELDS = (
    "name",
    "aliases",
    "description",
    "kind",
    "broker",
    "brokers",
    "links",
    "service_provider_id",
    "vendor_id",
)
EDITABLE_FIELDS = BASIC_FIELDS + LOA_FIELDS + SWITCH_FIELDS


def json_value(value: Any) -> Any:
    """A value as history stores it: dates and instants as ISO strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(solution: Solution, fields: tuple[str, ...] = EDITABLE_FIELDS) -> dict[str, Any]:
    """The current values of the given fields, JSON-safe."""
    return {name: json_value(getattr(solution, name)) for name in fields}
