"""Model → JSON-ready dicts, shared by the API, exports and feeds so every client sees the same shape."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy.orm import object_session

from tracker.auth.display import public_label
from tracker.models import ChangeEvent, Municipality, Organisation, Solution
from tracker.registry.facts import api_changes, org_slugs


def _org(org: Organisation | None) -> dict[str, Any] | None:
    return None if org is None else {"slug": org.slug, "name": org.name}


def solution_dict(solution: Solution) -> dict[str, Any]:
    """A solution with both tracked facts and their provenance."""
    return {
        "slug": solution.slug,
        "name": solution.name,
        "aliases": list(solution.aliases or []),
        "description": solution.description,
        "kind": solution.kind,
        "service_provider": _org(solution.service_provider),
        "vendor": _org(solution.vendor),
        "broker": solution.broker,
        "links": list(solution.links or []),
        "required_loa": {
            "value": solution.loa_value,
            "status": solution.loa_status,
            "source": {
                "kind": solution.loa_source_kind,
                "url": solution.loa_source_url,
                "evidence": solution.loa_evidence,
                "recorded_by": public_label(solution.loa_recorded_by, object_session(solution)) or None,
                "recorded_at": solution.loa_recorded_at,
            },
        },
        "switch_date": {
            "earliest": solution.switch_earliest_on,
            "latest": solution.switch_latest_on,
            "precision": solution.switch_precision,
            "text": solution.switch_text,
            "state": solution.switch_state,
            "status": solution.switch_status,
            "source": {
                "kind": solution.switch_source_kind,
                "url": solution.switch_source_url,
                "evidence": solution.switch_evidence,
                "recorded_by": public_label(solution.switch_recorded_by, object_session(solution)) or None,
                "recorded_at": solution.switch_recorded_at,
            },
        },
        "version": solution.version,
        "updated_at": solution.updated_at,
        "url": url_for("web.solution", slug=solution.slug, _external=True),
    }


def municipality_dict(municipality: Municipality) -> dict[str, Any]:
    """A municipality's public facts."""
    return {
        "code": municipality.code,
        "name": municipality.name,
        "region": municipality.region,
        "next_region": municipality.next_region,
        "next_region_on": municipality.next_region_on,
        "next_region_source_url": municipality.next_region_source_url,
        "url": url_for("api_municipalities.MunicipalityItem", code=municipality.code, _external=True),
    }


def event_dict(event: ChangeEvent) -> dict[str, Any]:
    """A change event as history and the event log show it."""
    return {
        "id": event.id,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "solution": event.data.get("solution"),
        "municipality": event.data.get("municipality"),
        "changes": api_changes(event.changes, org_slugs(object_session(event))),
        "actor": public_label(event.actor_label, object_session(event)),
        "source": {"kind": event.source_kind, "url": event.source_url},
        "reason": event.reason,
    }
