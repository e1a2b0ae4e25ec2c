"""/api/v1/municipalities/{code}/idps, /portfolio, /readiness — private to M's own users and coordinators.

Anonymous callers get 401, other municipalities' users 403, and neither learns anything else. Reads accept
the login cookie too (the page's export links); writes need a bearer token (the pages have their own forms).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from tracker.api import readiness_cache
from tracker.api.municipality_schemas import (
    IdpChangeCreateSchema,
    IdpChangeListSchema,
    IdpChangeSchema,
    IdpCreateSchema,
    IdpListSchema,
    IdpPatchSchema,
    IdpSchema,
    ImportFileSchema,
    ImportQuerySchema,
    ImportReportSchema,
    PortfolioAddSchema,
    PortfolioEntrySchema,
    PortfolioListSchema,
    PortfolioPatchSchema,
    ReadinessSchema,
)
from tracker.api.plan_import_schemas import PlanFileSchema, PlanImportQuerySchema, PlanImportReportSchema
from tracker.auth import api_user
from tracker.auth.permissions import require_user
from tracker.auth.protect import requires
from tracker.db import get_session
from tracker.http_cache import MunicipalityState
from tracker.models import Municipality
from tracker.municipalities import exports, imports, plan_imports, plans, queries, services
from tracker.municipalities.access import require_municipality_access
from tracker.municipalities.serialize import (
    idp_change_dict,
    idp_dict,
    idp_ref,
    portfolio_entry_dict,
    solution_ref,
)
from tracker.registry.actors import Actor

blp = Blueprint(
    "api_municipality_data",
    __name__,
    description="En kommunes IdP'er, portefølje og parathed — kun for kommunens egne brugere og KL's koordinatorer.",
)
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
T = TypeVar("T")  # a row of M's
K = TypeVar("K")  # its key in the path
BINARY = {"type": "string", "format": "binary"}
# CSV is text: generated clients read it as a string (with "format: binary" openapi-python-client's code crashed).
TEXT = {"type": "string"}
CODE_PARAMETER = {
    "in": "path",
    "name": "code",
    "description": "Officiel kommunekode, 3 cifre (fx 101 for København); 4 cifre med foranstillet 0 accepteres.",
    "schema": {"type": "string", "pattern": "^0?[0-9]{3}$"},
    "example": "101",
}


def private(view: Callable[..., Any]) -> Callable[..., Any]:
    """Declare the operation's policy (M's private data) and document what it can answer besides success."""
    view = requires("municipality.private")(view)
    view = blp.alt_response(401, schema="Error", description="Not logged in / no valid token")(view)
    view = blp.alt_response(403, schema="Error", description="Not this municipality's user or a coordinator")(view)
    view = blp.alt_response(404, schema="Error", description="No such municipality (or IdP, or portfolio entry)")(view)
    return blp.doc(security=SECURITY)(view)


def write(view: Callable[..., Any]) -> Callable[..., Any]:
    """Document what a write can answer besides the private errors: a body that is not JSON at all (400)."""
    return blp.alt_response(400, schema="Error", description="Malformed request body")(private(view))


def _municipality(code: str, *, write: bool = False) -> tuple[Municipality, Actor]:
    """M, if the caller may see (and edit) it, and the caller as an actor (anonymous: 401 before anything else).

    Writes count only a bearer token (``api_user``): the API is exempt from CSRF, so the login cookie must not
    be enough to change anything through it.
    """
    user = require_user(api_user(write=write))
    municipality = queries.get_municipality(get_session(), code)
    return municipality, Actor.of(require_municipality_access(user, municipality))


def _listed(
    code: str, rows: Callable[[Session, Municipality], Sequence[T]], as_dict: Callable[[T], Any]
) -> dict[str, Any]:
    """One of M's lists (``rows``), each row as JSON (``as_dict``), with their number."""
    municipality, _ = _municipality(code)
    items = rows(get_session(), municipality)
    return {"items": [as_dict(item) for item in items], "total": len(items)}


def _one(
    code: str, find: Callable[[Session, Municipality, K], T], key: K, *, write: bool = False
) -> tuple[Session, T, Actor]:
    """One row of M's (``find``: 404 when M has none by ``key``), with the session and the caller as an actor."""
    municipality, actor = _municipality(code, write=write)
    session = get_session()
    return session, find(session, municipality, key), actor


def _readable_state(code: str) -> MunicipalityState:
    """M's cache check (one query) for a read, once the caller is known to be allowed to see M."""
    user = require_user(api_user(write=False))
    state = queries.get_state(get_session(), code)
    require_municipality_access(user, state)
    return state


@blp.route("/<string:code>/idps")
class Idps(MethodView):
    """M's identity providers."""

    @blp.response(200, IdpListSchema)
    @private
    def get(self, code: str) -> dict[str, Any]:
        """M's IdPs, primary first."""
        return _listed(code, queries.list_idps, idp_dict)

    @blp.arguments(IdpCreateSchema)
    @blp.response(201, IdpSchema)
    @blp.alt_response(409, schema="Error", description="An IdP of that name exists")
    @write
    def post(self, args: dict[str, Any], code: str) -> dict[str, Any]:
        """Add an IdP (name, user group, notified level, broker, primary)."""
        municipality, actor = _municipality(code, write=True)
        return idp_dict(services.create_idp(get_session(), municipality, args, actor=actor))


@blp.route("/<string:code>/idps/<int(max=2147483647):idp_id>")
class IdpItem(MethodView):
    """One of M's IdPs."""

    @blp.response(200, IdpSchema)
    @private
    def get(self, code: str, idp_id: int) -> dict[str, Any]:
        """One IdP."""
        _, idp, _ = _one(code, queries.get_idp, idp_id)
        return idp_dict(idp)

    @blp.arguments(IdpPatchSchema)
    @blp.response(200, IdpSchema)
    @blp.alt_response(409, schema="Error", description="An IdP of that name exists")
    @write
    def patch(self, args: dict[str, Any], code: str, idp_id: int) -> dict[str, Any]:
        """Change an IdP; raising or lowering its level updates readiness (and emits events)."""
        session, idp, actor = _one(code, queries.get_idp, idp_id, write=True)
        return idp_dict(services.update_idp(session, idp, args, actor=actor))

    @blp.response(204)
    @write
    def delete(self, code: str, idp_id: int) -> None:
        """Remove an IdP; portfolio entries that named it fall back to the primary IdP."""
        session, idp, actor = _one(code, queries.get_idp, idp_id, write=True)
        services.delete_idp(session, idp, actor=actor)


@blp.route("/<string:code>/idp-changes")
class IdpChanges(MethodView):
    """Planned changes of M's IdPs and staff groups: a new level, retirement, a group moving or leaving."""

    @blp.response(200, IdpChangeListSchema)
    @private
    def get(self, code: str) -> dict[str, Any]:
        """M's planned IdP and staff-group changes, by day."""
        return _listed(code, plans.list_changes, idp_change_dict)

    @blp.arguments(IdpChangeCreateSchema)
    @blp.response(201, IdpChangeSchema)
    @blp.alt_response(409, schema="Error", description="That IdP already has a change of that kind on that day")
    @write
    def post(self, args: dict[str, Any], code: str) -> dict[str, Any]:
        """Plan a change: ``loa`` (notified at ``notified_loa`` from ``effective_on``), ``retire``, ``move`` (the
        group logs in through ``target_idp_id`` from the day) or ``leave`` (the group leaves the municipality)."""
        municipality, actor = _municipality(code, write=True)
        return idp_change_dict(plans.create_change(get_session(), municipality, args, actor=actor))


@blp.route("/<string:code>/idp-changes.csv")
class IdpChangesCsv(MethodView):
    """The planned changes as CSV."""

    @blp.response(200, TEXT, content_type=exports.CSV_MIMETYPE, description="Semicolon-separated, UTF-8 with BOM")
    @private
    def get(self, code: str) -> Response:
        """M's planned IdP and staff-group changes as CSV (Danish headers, by day)."""
        municipality, _ = _municipality(code)
        table = exports.idp_changes_table(plans.list_changes(get_session(), municipality))
        return download(exports.to_csv(table), exports.CSV_MIMETYPE, f"planlagte-aendringer-{municipality.code}.csv")


def plan_report_dict(report: plan_imports.PlanReport) -> dict[str, Any]:
    """What a file of planned changes did (or would do), as JSON; problems worded in the request's language."""

    def row(planned: plan_imports.Planned) -> dict[str, Any]:
        stored = planned.existing
        return {
            "line": planned.line,
            "id": stored.id if stored else None,
            "idp": idp_ref(planned.idp),
            "kind": planned.kind,
            "effective_on": planned.effective_on,
            "notified_loa": planned.notified_loa,
            "target_idp": idp_ref(planned.target_idp),
            "destination": planned.destination,
            "note": planned.note,
            "before": idp_change_dict(stored) if stored and not report.applied else None,
        }

    return {
        "rows": report.rows,
        "dry_run": report.dry_run,
        "valid": report.valid,
        "applied": report.applied,
        "added": [row(p) for p in report.added],
        "changed": [row(p) for p in report.changed],
        "removed": [idp_change_dict(c) for c in report.removed],
        "unchanged": len(report.unchanged),
        "errors": [{"line": p.line, "column": p.column, "message": p.message} for p in report.problems],
    }


@blp.route("/<string:code>/idp-changes/import")
class IdpChangesImport(MethodView):
    """The planned changes from a file: the export's columns, all or nothing."""

    @blp.arguments(PlanImportQuerySchema, location="query")
    @blp.arguments(PlanFileSchema, location="files")
    @blp.response(200, PlanImportReportSchema)
    @blp.alt_response(409, schema="Error", description="The plan was changed by someone else at the same time")
    @blp.alt_response(413, schema="Error", description="File too large, or more than 500 rows")
    @blp.alt_response(415, schema="Error", description="Not a CSV or XLSX file")
    @blp.alt_response(422, schema="Error", description="A row has a problem (details.rows: line, column, message)")
    @write
    def post(self, query: dict[str, Any], files: dict[str, Any], code: str) -> dict[str, Any]:
        """Make M's planned IdP and staff-group changes what a CSV/XLSX file says (the columns of
        ``idp-changes.csv``): rows that are new are added, rows whose change exists with other facts change it,
        stored changes no row names are removed. Every row is checked as a single change is; one problem
        refuses the file (422, every problem with its row number) and nothing is stored. ``dry_run``: only say
        what would happen (200, with ``errors``). The import is one readiness event for the municipality."""
        municipality, actor = _municipality(code, write=True)
        filename, data = imports.uploaded_file(files["file"])
        report = plan_imports.import_plan(
            get_session(), municipality, filename, data, actor=actor, dry_run=query["dry_run"]
        )
        if not report.dry_run and not report.valid:
            raise report.refusal()
        return plan_report_dict(report)


@blp.route("/<string:code>/idp-changes/<int(max=2147483647):change_id>")
class IdpChangeItem(MethodView):
    """One planned change."""

    @blp.response(200, IdpChangeSchema)
    @private
    def get(self, code: str, change_id: int) -> dict[str, Any]:
        """One planned change."""
        _, change, _ = _one(code, plans.get_change, change_id)
        return idp_change_dict(change)

    @blp.response(204)
    @write
    def delete(self, code: str, change_id: int) -> None:
        """Remove a planned change (readiness is recomputed; events for rows whose verdict changes today)."""
        session, change, actor = _one(code, plans.get_change, change_id, write=True)
        plans.delete_change(session, change, actor=actor)


@blp.route("/<string:code>/portfolio")
class Portfolio(MethodView):
    """The solutions M uses."""

    @blp.response(200, PortfolioListSchema)
    @private
    def get(self, code: str) -> dict[str, Any]:
        """M's portfolio, by solution name."""
        return _listed(code, queries.list_portfolio, portfolio_entry_dict)

    @blp.arguments(PortfolioAddSchema)
    @blp.response(201, PortfolioEntrySchema)
    @blp.alt_response(409, schema="Error", description="Already in the portfolio")
    @write
    def post(self, args: dict[str, Any], code: str) -> dict[str, Any]:
        """Add a solution by slug, with the IdPs whose staff use it (``idp_ids``; none: the primary IdP)."""
        municipality, actor = _municipality(code, write=True)
        session = get_session()
        entry = services.add_to_portfolio(
            session,
            municipality,
            args["solution"],
            actor=actor,
            idp_ids=[i.id for i in services.idps_from_input(session, municipality, args) or []],
            note=args.get("note"),
        )
        return portfolio_entry_dict(entry)


@blp.route("/<string:code>/portfolio/<string:slug>")
class PortfolioItem(MethodView):
    """One solution in M's portfolio."""

    @blp.arguments(PortfolioPatchSchema)
    @blp.response(200, PortfolioEntrySchema)
    @write
    def patch(self, args: dict[str, Any], code: str, slug: str) -> dict[str, Any]:
        """Choose the IdPs whose staff use this solution (``idp_ids``; empty: the primary IdP), or the note."""
        session, entry, actor = _one(code, queries.get_portfolio_entry, slug, write=True)
        return portfolio_entry_dict(services.update_portfolio_entry(session, entry, args, actor=actor))

    @blp.response(204)
    @write
    def delete(self, code: str, slug: str) -> None:
        """Remove the solution from the portfolio."""
        session, entry, actor = _one(code, queries.get_portfolio_entry, slug, write=True)
        services.remove_from_portfolio(session, entry, actor=actor)


def import_report_dict(report: imports.ImportReport) -> dict[str, Any]:
    """The import report as JSON."""

    def found(pairs: list[tuple[imports.ImportedName, Any]]) -> list[dict[str, Any]]:
        return [{"name": n.text, "row": n.row, "solution": solution_ref(s)} for n, s in pairs]

    return {
        "rows": report.rows,
        "dry_run": report.dry_run,
        "added": found(report.added),
        "already": found(report.already),
        "unmatched": [
            {"name": n.text, "row": n.row, "suggestions": [solution_ref(s) for s in suggestions]}
            for n, suggestions in report.unmatched
        ],
    }


@blp.route("/<string:code>/portfolio/import")
class PortfolioImport(MethodView):
    """Bulk import from a file."""

    @blp.arguments(ImportQuerySchema, location="query")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(200, ImportReportSchema)
    @blp.alt_response(413, schema="Error", description="File too large")
    @blp.alt_response(415, schema="Error", description="Not a CSV or XLSX file")
    @write
    def post(self, query: dict[str, Any], files: dict[str, Any], code: str) -> dict[str, Any]:
        """Add the solutions named in a CSV/XLSX file; report names it could not match, with suggestions."""
        municipality, actor = _municipality(code, write=True)
        filename, data = imports.uploaded_file(files["file"])
        report = imports.import_portfolio(
            get_session(), municipality, filename, data, actor=actor, dry_run=query["dry_run"]
        )
        return import_report_dict(report)


@blp.route("/<string:code>/readiness")
class ReadinessView(MethodView):
    """Who gets locked out, when."""

    @blp.response(200, ReadinessSchema)
    @blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match")
    @private
    def get(self, code: str) -> Response:
        """M's readiness per solution: ok / at_risk / locked_out / unknown (with reason), most urgent first.

        Sends an ETag; If-None-Match gives a 304.
        """
        state = _readable_state(code)  # who may see M is decided before anything comes from the cache
        return readiness_cache.serve_readiness(get_session(), state)


def download(body: bytes, mimetype: str, name: str) -> Response:
    """A file download that is never cached by shared caches (it is private)."""
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@blp.route("/<string:code>/readiness.csv")
class ReadinessCsv(MethodView):
    """Readiness as CSV."""

    @blp.response(200, TEXT, content_type=exports.CSV_MIMETYPE, description="Semicolon-separated, UTF-8 with BOM")
    @private
    def get(self, code: str) -> Response:
        """The readiness rows of the API as CSV (same rows, same order)."""
        return readiness_cache.serve_export(get_session(), _readable_state(code), "csv")


@blp.route("/<string:code>/readiness.xlsx")
class ReadinessXlsx(MethodView):
    """Readiness as XLSX."""

    @blp.response(200, BINARY, content_type=exports.XLSX_MIMETYPE, description="Excel workbook")
    @private
    def get(self, code: str) -> Response:
        """The readiness rows of the API as an Excel workbook, with a totals sheet."""
        return readiness_cache.serve_export(get_session(), _readable_state(code), "xlsx")
