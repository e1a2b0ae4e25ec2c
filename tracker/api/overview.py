"""/api/v1/national (coordinators), /upcoming and /popular (everyone), /solutions.csv|.xlsx (the registry)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from tracker.api.municipality_data import BINARY, SECURITY, TEXT, download
from tracker.api.municipality_schemas import (
    NationalQuerySchema,
    NationalSchema,
    PopularQuerySchema,
    PopularSchema,
    UpcomingQuerySchema,
    UpcomingSchema,
)
from tracker.auth import current_db_user
from tracker.auth.protect import requires
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.http_cache import (
    PRIVATE_DATA,
    CachedResponse,
    Stamp,
    json_body,
    national_fingerprint,
    serve_cached,
    weak_etag,
)
from tracker.inputs import SolutionQuerySchema
from tracker.municipalities import exports, overview
from tracker.municipalities.access import require_coordinator, sees_who_uses_what
from tracker.municipalities.serialize import national_dict, popular_dict, upcoming_dict
from tracker.registry import queries as registry_queries

blp = Blueprint(
    "api_overview",
    __name__,
    description="Overblik: landsbilledet (koordinatorer), kommende skift, mest brugte løsninger, eksport af registret.",
)
EXPORT_LIMIT = 100_000


class ExportQuerySchema(SolutionQuerySchema):
    """The registry list's filters, without paging (the export holds every matching solution)."""

    class Meta:
        """Paging does not apply to a file."""

        exclude = ("limit", "offset")


@blp.route("/national")
class National(MethodView):
    """Where in the country the risk is."""

    @blp.arguments(NationalQuerySchema, location="query")
    @blp.response(200, NationalSchema)
    @blp.alt_response(401, schema="Error", description="Not logged in / no valid token")
    @blp.alt_response(403, schema="Error", description="Coordinators and admins only")
    @blp.doc(security=SECURITY)
    @requires("national.read")
    def get(self, args: dict[str, Any]) -> Response:
        """Per solution: how many and which municipalities are locked out or at risk, and from when."""
        require_coordinator(current_db_user())  # before the cache: the picture names municipalities
        return serve_national(get_session(), only_risk=args["only_risk"])


def serve_national(session: Session, *, only_risk: bool) -> Response:
    """The national picture as ``NationalSchema`` JSON, cached per worker while nothing it shows changes.

    It moves with the registry (the stamp), every IdP and portfolio entry (the national fingerprint) and the
    day; computing it takes seconds at 98 × 300 entries, a cached copy one query beyond the stamp.
    """
    today = today_in_denmark()
    key = ("api.national", only_risk, today.isoformat(), national_fingerprint(session))

    def render(stamp: Stamp) -> CachedResponse:
        picture = overview.national_picture(session, today=today, only_risk=only_risk)
        body = json_body(NationalSchema().dump(national_dict(picture)))
        return CachedResponse(body, "application/json", weak_etag("n", (key, stamp)))

    return serve_cached(session, key, render, policy=PRIVATE_DATA)


@blp.route("/upcoming")
class UpcomingSwitches(MethodView):
    """Switches ahead."""

    @blp.arguments(UpcomingQuerySchema, location="query")
    @blp.response(200, UpcomingSchema)
    @requires("public")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Solutions whose switch may happen within the next ``months`` (default 12), by earliest day."""
        start, until, items = overview.upcoming_switches(get_session(), months=args["months"])
        return upcoming_dict(start, until, items)


@blp.route("/popular")
class PopularSolutions(MethodView):
    """The most used solutions."""

    @blp.arguments(PopularQuerySchema, location="query")
    @blp.response(200, PopularSchema)
    @requires("public")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Solutions by how many municipalities use them; which municipalities only for coordinators."""
        with_names = sees_who_uses_what(current_db_user())
        items = overview.popular_solutions(get_session(), limit=args["limit"], with_municipalities=with_names)
        return popular_dict(items, with_municipalities=with_names)


def _registry(args: dict[str, Any]) -> exports.Table:
    solutions, _ = registry_queries.list_solutions(
        get_session(), registry_queries.SolutionFilter(**args), limit=EXPORT_LIMIT, offset=0
    )
    return exports.registry_table(solutions)


@blp.route("/solutions.csv")
class RegistryCsv(MethodView):
    """The registry as CSV."""

    @blp.arguments(ExportQuerySchema, location="query")
    @blp.response(200, TEXT, content_type=exports.CSV_MIMETYPE, description="Semicolon-separated, UTF-8 with BOM")
    @requires("public")
    def get(self, args: dict[str, Any]) -> Response:
        """Every solution matching the list filters, in the list's order, as CSV."""
        name = exports.filename("tu-loesninger", today_in_denmark(), "csv")
        return download(exports.to_csv(_registry(args)), exports.CSV_MIMETYPE, name)


@blp.route("/solutions.xlsx")
class RegistryXlsx(MethodView):
    """The registry as XLSX."""

    @blp.arguments(ExportQuerySchema, location="query")
    @blp.response(200, BINARY, content_type=exports.XLSX_MIMETYPE, description="Excel workbook")
    @requires("public")
    def get(self, args: dict[str, Any]) -> Response:
        """Every solution matching the list filters, in the list's order, as an Excel workbook."""
        name = exports.filename("tu-loesninger", today_in_denmark(), "xlsx")
        return download(exports.to_xlsx(_registry(args), title="TU-løsninger"), exports.XLSX_MIMETYPE, name)
