"""Cached readiness responses (JSON, CSV, XLSX) of one municipality, per worker.

Readiness depends on more than the registry's change events: on M's IdPs and portfolio (whose edits only
append an event when a verdict changes), on today's date in Denmark (days left) and on the host asked
(absolute URLs). So the cache key holds all of those besides the registry stamp that ``serve_cached`` checks.
The caller must have checked that the user may see M *before* calling here: the cache does not know users.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response, request
from flask_babel import get_locale
from sqlalchemy.orm import Session

from tracker.clock import today_in_denmark
from tracker.http_cache import (
    PRIVATE_DATA,
    PRIVATE_DOWNLOAD,
    CachedResponse,
    MunicipalityState,
    Stamp,
    json_body,
    serve_cached,
    weak_etag,
)
from tracker.models import Municipality
from tracker.municipalities import exports, readiness
from tracker.municipalities.serialize import readiness_dict


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _iso_transition(transition: dict[str, Any]) -> None:
    for field in ("earliest", "latest", "act_by"):
        transition[field] = _iso(transition[field])


def readiness_json(result: readiness.Readiness) -> dict[str, Any]:
    """``readiness_dict`` as ``ReadinessSchema`` dumps it (dates as ISO strings), without a schema dump per row.

    The dicts already have exactly the schema's keys (tests compare the two), so only dates need converting.
    """
    data = readiness_dict(result)
    data["today"] = _iso(result.today)
    for item in data["items"]:
        item["locked_out_from"] = _iso(item["locked_out_from"])
        switch = item["switch_date"]
        switch["earliest"], switch["latest"] = _iso(switch["earliest"]), _iso(switch["latest"])
        for period in (*item["lockout_periods"], *([item["next_lockout"]] if item["next_lockout"] else [])):
            period["from"], period["until"] = _iso(period["from"]), _iso(period["until"])
        for transition in item["transitions_to_act_on"]:
            _iso_transition(transition)
    for transition in data["transitions_to_act_on"]:
        _iso_transition(transition)
    return data


def _serve(
    session: Session,
    state: MunicipalityState,
    kind: str,
    body: Callable[[readiness.Readiness], tuple[bytes, str]],
    policy: str,
) -> tuple[Response, date]:
    """Serve M's readiness in one shape from the cache, rendering it on a miss; also today's date.

    ``state`` (M, the registry stamp and M's fingerprint, read in one query) is all a hit needs.
    """
    today = today_in_denmark()
    key = (
        "api.readiness",
        kind,
        state.code,
        request.host_url,
        today.isoformat(),
        str(get_locale()),  # the action sentences are in the user's language
        state.fingerprint,
    )

    def render(stamp: Stamp) -> CachedResponse:
        municipality = session.get(Municipality, state.id)
        assert municipality is not None  # read in this transaction a moment ago
        data, mimetype = body(readiness.municipality_readiness(session, municipality, today=today))
        return CachedResponse(data, mimetype, weak_etag("r", (key, stamp)))

    return serve_cached(session, key, render, policy=policy, stamp=state.stamp), today


def serve_readiness(session: Session, municipality: MunicipalityState) -> Response:
    """M's readiness as the API's JSON (``ReadinessSchema``), with an ETag; If-None-Match gives a 304."""

    def body(result: readiness.Readiness) -> tuple[bytes, str]:
        return json_body(readiness_json(result)), "application/json"

    return _serve(session, municipality, "json", body, PRIVATE_DATA)[0]


def serve_export(session: Session, municipality: MunicipalityState, extension: str) -> Response:
    """M's readiness as a CSV or XLSX download (``extension`` 'csv' or 'xlsx'), cached like the JSON."""

    def body(result: readiness.Readiness) -> tuple[bytes, str]:
        table = exports.readiness_table(result)
        if extension == "csv":
            return exports.to_csv(table), exports.CSV_MIMETYPE
        summary = exports.readiness_summary(result)
        return exports.to_xlsx(table, title="Parathed", summary=summary), exports.XLSX_MIMETYPE

    response, today = _serve(session, municipality, extension, body, PRIVATE_DOWNLOAD)
    if response.status_code == 200:
        name = exports.filename(f"parathed-{municipality.code}", today, extension)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
