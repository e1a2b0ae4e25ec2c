"""/api/v1/solutions — list with filters, one solution, its history."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker.api import solution_writes as writes
from tracker.api.edit_schemas import SolutionCreateSchema, SolutionPatchSchema
from tracker.api.paging import finish_page
from tracker.api.schemas import SolutionPageSchema, SolutionSchema
from tracker.api.serialize import event_dict, solution_dict
from tracker.auth.protect import requires
from tracker.db import get_session
from tracker.http_cache import CachedResponse, Stamp, json_body, serve_cached
from tracker.inputs import SolutionQuerySchema
from tracker.registry import queries
from tracker.registry.events import EVENT_TYPES

blp = Blueprint("api_solutions", __name__, description="TU-løsninger: krævet sikringsniveau og skæringsdato.")


class EventSchema(Schema):
    """One change event."""

    id = fields.Integer(required=True)
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    occurred_at = fields.DateTime(required=True)
    solution = fields.Dict(allow_none=True)
    municipality = fields.Dict(allow_none=True)
    changes = fields.Dict(
        required=True,
        metadata={"description": "Per changed field, by its API name (switch_date.earliest, required_loa.value, …)"},
    )
    actor = fields.String(required=True, metadata={"description": "Role and organisation, never a person"})
    source = fields.Dict(required=True)
    reason = fields.String(allow_none=True)


class HistorySchema(Schema):
    """A solution's history, newest first."""

    items = fields.List(fields.Nested(EventSchema), required=True)


def etag_for(solution_version: int) -> str:
    """The strong ETag of a solution version (used by If-Match on PATCH)."""
    return f'"v{solution_version}"'


def _render_page(args: dict[str, Any], stamp: Stamp) -> CachedResponse:
    """One page of the list as JSON, with a weak ETag naming the registry state it shows."""
    limit, offset = args.pop("limit"), args.pop("offset")
    items, total = queries.list_solutions(get_session(), queries.SolutionFilter(**args), limit=limit, offset=offset)
    page = {"items": [solution_dict(s) for s in items], "total": total, "limit": limit, "offset": offset}
    headers = finish_page(page)  # kept with the body: a hit is not parsed again to add them
    body = json_body(SolutionPageSchema().dump(page))
    return CachedResponse(body, "application/json", f'W/"e{stamp[0]}"', headers=tuple(headers.items()))


def _render_solution(slug: str) -> CachedResponse:
    """One solution as JSON, with its version as the strong ETag that If-Match checks."""
    solution = queries.get_solution(get_session(), slug)
    return CachedResponse(
        json_body(SolutionSchema().dump(solution_dict(solution))), "application/json", etag_for(solution.version)
    )


@blp.route("")
class SolutionList(MethodView):
    """The registry."""

    @blp.arguments(SolutionQuerySchema, location="query")
    @blp.response(200, SolutionPageSchema)
    @blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match")
    @requires("public")
    def get(self, args: dict[str, Any]) -> Response:
        """List solutions by switch date, with filters and paging. Sends an ETag; If-None-Match gives a 304."""
        # Absolute URLs in the body depend on the host asked, so it is part of the key.
        key = ("api.solutions", request.host_url, tuple(sorted(args.items())))
        return serve_cached(get_session(), key, lambda stamp: _render_page(dict(args), stamp))

    @blp.arguments(SolutionCreateSchema)
    @blp.response(201, SolutionSchema)
    @writes.documented(blp, 401, 403, 409, 422)
    @requires("solution.create")
    def post(self, data: dict[str, Any]) -> Response:
        """Create a solution (coordinators, admins; bearer token). Sends its ETag and Location."""
        return writes.create(data)


@blp.route("/<string:slug>")
class SolutionItem(MethodView):
    """One solution."""

    @blp.response(200, SolutionSchema)
    @blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match")
    @blp.alt_response(404, schema="Error", description="No such solution")
    @requires("public")
    def get(self, slug: str) -> Response:
        """One solution with both tracked facts and their sources. Sends an ETag for If-Match and If-None-Match."""
        key = ("api.solution", request.host_url, slug)
        return serve_cached(get_session(), key, lambda _stamp: _render_solution(slug))

    @blp.arguments(SolutionPatchSchema)
    @blp.response(200, SolutionSchema)
    @writes.documented(blp, 401, 403, 404, 412, 422, 428, if_match=True)
    @requires("solution.edit")
    def patch(self, data: dict[str, Any], slug: str) -> Response:
        """Change what is sent, in the shape GET returns; needs If-Match with the ETag from GET (412/428)."""
        return writes.patch(data, slug)


@blp.route("/<string:slug>/history")
class SolutionHistory(MethodView):
    """A solution's history."""

    @blp.response(200, HistorySchema)
    @blp.alt_response(404, schema="Error", description="No such solution")
    @requires("public")
    def get(self, slug: str) -> dict[str, Any]:
        """Every change: who, when, what (before/after), from which source, why. Newest first."""
        session = get_session()
        solution = queries.get_solution(session, slug)
        return {"items": [event_dict(e) for e in queries.solution_history(session, solution)]}


class ImpactMoveSchema(Schema):
    """One (municipality, solution, IdP) row the change would move into or out of danger."""

    municipality = fields.Dict(required=True)
    solution = fields.Dict(required=True)
    idp = fields.Dict(allow_none=True, required=True)
    before = fields.String(required=True)
    after = fields.String(required=True)


class ImpactSchema(Schema):
    """What a change would do to the municipalities' readiness; nothing is stored."""

    municipalities_worse = fields.Integer(required=True)
    rows_worse = fields.Integer(required=True)
    municipalities_better = fields.Integer(required=True)
    rows_better = fields.Integer(required=True)
    moves = fields.List(fields.Nested(ImpactMoveSchema), required=True)


@blp.route("/<string:slug>/impact")
class SolutionImpact(MethodView):
    """Impact preview of a change (coordinators): which rows would move to at_risk/locked_out, or back."""

    @blp.arguments(SolutionPatchSchema)
    @blp.response(200, ImpactSchema)
    @writes.documented(blp, 401, 403, 404, 422)
    @requires("solution.impact")
    def post(self, data: dict[str, Any], slug: str) -> dict[str, Any]:
        """The change as PATCH takes it; answers which municipalities' rows would move. Stores nothing."""
        return writes.impact(data, slug)
