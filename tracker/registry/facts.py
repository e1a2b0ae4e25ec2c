"""The editable fields of a solution, grouped by tracked fact, and their JSON-safe snapshots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from tracker.error_messages import N_
from tracker.models import Organisation, Solution

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

# Every day the registry accepts, from any input (API, forms, proposals, scraped observations): a switch date
# outside this range is a typo or a placeholder (9999-12-31), and calendars and clients cannot represent it.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
# Marked for the catalogue as written (the days are FIRST_DAY and LAST_DAY; tests/unit/test_catalogue.py checks).
DAY_RANGE_MESSAGE = N_("Datoen skal ligge mellem 1900-01-01 og 2100-12-31.")


def day_problem(value: object) -> str | None:
    """Why a value is not an acceptable day (in Danish, a msgid of the catalogue: ``translated`` words it in the
    reader's language), or None. The one range rule for every input."""
    if isinstance(value, datetime) or not isinstance(value, date):
        return N_("Skal være en dato.")
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


# How events and webhooks name changed fields: the API's own names (``switch_date.earliest``), never columns.
API_FIELD_NAMES = {
    "loa_value": "required_loa.value",
    "loa_status": "required_loa.status",
    "loa_source_kind": "required_loa.source.kind",
    "loa_source_url": "required_loa.source.url",
    "loa_evidence": "required_loa.source.evidence",
    "switch_earliest_on": "switch_date.earliest",
    "switch_latest_on": "switch_date.latest",
    "switch_precision": "switch_date.precision",
    "switch_text": "switch_date.text",
    "switch_state": "switch_date.state",
    "switch_status": "switch_date.status",
    "switch_source_kind": "switch_date.source.kind",
    "switch_source_url": "switch_date.source.url",
    "switch_evidence": "switch_date.source.evidence",
    "service_provider_id": "service_provider.slug",
    "vendor_id": "vendor.slug",
    # A transition's own columns (transition.* events), named as /api/v1/transitions names them.
    "earliest_on": "date.earliest",
    "latest_on": "date.latest",
    "precision": "date.precision",
    "text": "date.text",
    "state": "date.state",
    "status": "date.status",
    "source_kind": "date.source.kind",
    "source_url": "date.source.url",
    "evidence": "date.source.evidence",
    "act_by_on": "act_by",
    "required_loa": "required_loa.value",
    "replaced_by_solution_id": "replaced_by.id",
}
_ORG_FIELDS = {"service_provider_id", "vendor_id"}


def api_changes(changes: dict[str, Any], org_slug: Any = None) -> dict[str, Any]:
    """Stored changes (column names) as the API names them; organisation ids become slugs via ``org_slug``.

    History stays as stored (append-only; feeds and calendars read it with column names); only what leaves
    through the API, the event log and webhooks is renamed here.
    """
    result: dict[str, Any] = {}
    for field, change in changes.items():
        if field in _ORG_FIELDS and isinstance(change, dict) and org_slug is not None:
            change = {k: org_slug(v) if isinstance(v, int) else v for k, v in change.items()}
        result[API_FIELD_NAMES.get(field, field)] = change
    return result


def org_slugs(session: Any) -> Callable[[int], str | None]:
    """Organisation id → slug (for ``api_changes``), looked up in the given session."""

    def slug(org_id: int) -> str | None:
        org = session.get(Organisation, org_id) if session is not None else None
        return org.slug if org is not None else None

    return slug
