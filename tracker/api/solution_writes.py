"""Writes to /api/v1/solutions: create (POST) and change (PATCH with If-Match), for coordinators and admins.

Lost updates are impossible: PATCH requires ``If-Match`` with the ETag from GET (``"v<version>"``); a
missing header is 428, a stale one 412, checked with the row locked. Writes take only a bearer token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, jsonify, request, url_for
from flask_smorest import Blueprint

from tracker.api.schemas import SolutionSchema
from tracker.api.serialize import solution_dict
from tracker.auth.protect import acting_user
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.errors import AppError, PreconditionFailed
from tracker.models import Solution
from tracker.municipalities.impact import impact_dict, impact_of
from tracker.registry import queries
from tracker.registry.services import checked_brokers
from tracker.review import editing
from tracker.review.changes import flatten

F = TypeVar("F", bound=Callable[..., Any])
VERSION_TAG = re.compile(r"v([0-9]{1,9})")

ERROR_DESCRIPTIONS = {
    401: "No valid bearer token (API writes take only a bearer token)",
    403: "Your role may not do this",
    404: "No such solution or proposal",
    409: "Conflicts with the current state (duplicate slug, already reviewed, stale proposal)",
    412: "If-Match does not match the current version: someone changed it meanwhile",
    422: "Invalid input (unknown level, unreadable or impossible date, too long, wrong type)",
    428: "If-Match is required (send the ETag from GET)",
}
IF_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": 'The ETag from GET (e.g. "v3"). Required: without it the answer is 428.',
}


class PreconditionRequired(AppError):
    """A change without If-Match could overwrite someone else's change unseen."""

    status = 428
    code = "precondition_required"


def documented(blp: Blueprint, *statuses: int, if_match: bool = False) -> Callable[[F], F]:
    """Document a write: bearer auth, its error responses (schema 'Error') and, for PATCH, If-Match."""

    def decorate(view: F) -> F:
        for status in statuses:
            view = blp.alt_response(status, schema="Error", description=ERROR_DESCRIPTIONS[status])(view)
        doc: dict[str, Any] = {"security": [{"bearerAuth": []}]}
        if if_match:
            doc["parameters"] = [IF_MATCH_PARAMETER]
        decorated: F = blp.doc(**doc)(view)
        return decorated

    return decorate


def _solution_response(solution: Solution, status: int) -> Response:
    resp = jsonify(SolutionSchema().dump(solution_dict(solution)))
    resp.status_code = status
    resp.headers["ETag"] = f'"v{solution.version}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _if_match_versions() -> set[int] | None:
    """The versions If-Match accepts (None for '*'); 428 when absent, 412 when it names no version."""
    if not request.headers.get("If-Match"):
        raise PreconditionRequired("api.solution_if_match_required")
    if request.if_match.star_tag:
        return None
    versions = set()
    for tag in request.if_match.as_set():
        match = VERSION_TAG.fullmatch(tag) if isinstance(tag, str) else None
        if match:
            versions.add(int(match.group(1)))
    if not versions:
        raise PreconditionFailed("api.if_match_no_version")
    return versions


def create(data: dict[str, Any]) -> Response:
    """POST /solutions: a coordinator creates a solution; ``solution.created`` records every given field."""
    user = acting_user()
    session = get_session()
    data = dict(data)
    slug, name, reason = data.pop("slug", None), data.pop("name"), data.pop("reason", None)
    fields = flatten(session, data, today=today_in_denmark())
    solution = editing.new_solution(session, editor=user, slug=slug, name=name, fields=fields, reason=reason)
    resp = _solution_response(solution, 201)
    resp.headers["Location"] = url_for("api_solutions.SolutionItem", slug=solution.slug, _external=True)
    return resp


def patch(data: dict[str, Any], slug: str) -> Response:
    """PATCH /solutions/{slug}: change what was sent, if the solution is still the version If-Match names."""
    user = acting_user()
    versions = _if_match_versions()
    session = get_session()
    data = dict(data)
    reason = data.pop("reason", None)
    changes = flatten(session, data, today=today_in_denmark())
    solution, _events = editing.edit_solution(
        session, editor=user, slug=slug, changes=changes, reason=reason, accepted_versions=versions
    )
    return _solution_response(solution, 200)


def impact(data: dict[str, Any], slug: str) -> dict[str, Any]:
    """POST /solutions/{slug}/impact: what PATCH with this body would do to readiness (nothing is written)."""
    # the role was checked by the route's @requires("solution.impact")
    session = get_session()
    solution = queries.get_solution(session, slug)
    data = dict(data)
    data.pop("reason", None)
    changes = flatten(session, data, today=today_in_denmark())
    new_brokers = checked_brokers(session, solution, changes)
    return impact_dict(impact_of(session, solution, changes, brokers=new_brokers))
