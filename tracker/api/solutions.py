"""/api/v1/solutions — list with filters, one solution, its history."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tracker.api.schemas import SolutionPageSchema, SolutionQuerySchema, SolutionSchema
from tracker.api.serialize import event_dict, solution_dict
from tracker.db import get_session
from tracker.registry import queries

blp = Blueprint("api_solutions", __name__, description="TU-løsninger: krævet sikringsniveau og skæringsdato.")


class EventSchema(Schema):
    """One change event."""

    id = fields.Integer(required=True)
    type = fields.String(required=True)
    occurred_at = fields.DateTime(required=True)
    solution = fields.Dict(allow_none=True)
    municipality = fields.Dict(allow_none=True)
    changes = fields.Dict(required=True)
    actor = fields.String(required=True)
    source = fields.Dict(required=True)
    reason = fields.String(allow_none=True)


class HistorySchema(Schema):
    """A solution's history, newest first."""

    items = fields.List(fields.Nested(EventSchema), required=True)


def etag_for(solution_version: int) -> str:
    """The strong ETag of a solution version (used by If-Match on PATCH)."""
    return f'"v{solution_version}"'


@blp.route("")
class SolutionList(MethodView):
    """The registry."""

    @blp.arguments(SolutionQuerySchema, location="query")
    @blp.response(200, SolutionPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List solutions by switch date, with filters and paging."""
        limit, offset = args.pop("limit"), args.pop("offset")
        items, total = queries.list_solutions(get_session(), queries.SolutionFilter(**args), limit=limit, offset=offset)
        return {"items": [solution_dict(s) for s in items], "total": total, "limit": limit, "offset": offset}


@blp.route("/<string:slug>")
class SolutionItem(MethodView):
    """One solution."""

    @blp.response(200, SolutionSchema)
    @blp.alt_response(404, schema="Error", description="No such solution")
    def get(self, slug: str) -> Response:
        """One solution with both tracked facts and their sources. Sends an ETag for If-Match."""
        solution = queries.get_solution(get_session(), slug)
        resp = jsonify(SolutionSchema().dump(solution_dict(solution)))
        resp.headers["ETag"] = etag_for(solution.version)
        resp.headers["Cache-Control"] = "no-cache"
        if request.if_none_match.contains(f"v{solution.version}"):
            return Response(status=304, headers={"ETag": etag_for(solution.version)})
        return resp


@blp.route("/<string:slug>/history")
class SolutionHistory(MethodView):
    """A solution's history."""

    @blp.response(200, HistorySchema)
    @blp.alt_response(404, schema="Error", description="No such solution")
    def get(self, slug: str) -> dict[str, Any]:
        """Every change: who, when, what (before/after), from which source, why. Newest first."""
        session = get_session()
        solution = queries.get_solution(session, slug)
        return {"items": [event_dict(e) for e in queries.solution_history(session, solution)]}
