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
    "links",
    "service_provider_id",
    "vendor_id",
)
EDITABLE_FIELDS = BASIC_FIELDS + LOA_FIELDS + SWITCH_FIELDS

# Every day the registry accepts, from any input (API, forms, proposals, scraped observations): a switch date
# outside this range is a typo or a placeholder (9999-12-31), and calendars and clients cannot represent it.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
DAY_RANGE_MESSAGE = f"Datoen skal ligge mellem {FIRST_DAY.isoformat()} og {LAST_DAY.isoformat()}."


def day_problem(value: object) -> str | None:
    """Why a value is not an acceptable day (in Danish), or None. The one range rule for every input."""
    if isinstance(value, datetime) or not isinstance(value, date):
        return "Skal være en dato."
    if not FIRST_DAY <= value <= LAST_DAY:
        return DAY_RANGE_MESSAGE
    return None


def json_value(value: Any) -> Any:
    """A value as history stores it: dates and instants as ISO strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(solution: Solution, fields: tuple[str, ...] = EDITABLE_FIELDS) -> dict[str, Any]:
    """The current values of the given fields, JSON-safe."""
    return {name: json_value(getattr(solution, name)) for name in fields}
