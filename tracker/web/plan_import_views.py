"""The planned IdP and staff-group changes from a file, on M's page: upload (a preview, nothing stored), then
"Importér" (the preview's rows sent back, checked again, all or nothing). Routes on ``municipality_views.bp``."""

from __future__ import annotations

from flask import flash, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.protect import requires
from tracker.db import get_session
from tracker.errors import AppError
from tracker.models import Municipality
from tracker.municipalities import plan_imports
from tracker.web.municipality_forms import ButtonForm, PlanImportForm
from tracker.web.municipality_views import Page, _back, _failed, _from_upload, _mine, _page, bp


def _shown(municipality: Municipality, report: plan_imports.PlanReport) -> Page:
    """M's page with the report at the top: 422 (with the refusal in the error summary) when a row is wrong."""
    if report.valid:
        return _page(municipality, plan_report=report)
    return _page(municipality, 422, plan_report=report, error=report.refusal())


@bp.post("/kommuner/<string:code>/planlagte-aendringer/import")
@requires("municipality.private")
def preview_plan(code: str) -> Page:
    """Read a file of planned changes and show what importing it would add, change and remove, and every row's
    problem; nothing is stored."""
    return _from_upload(code, PlanImportForm(), "plan_import_form", plan_imports.import_plan, _shown, dry_run=True)


@bp.post("/kommuner/<string:code>/planlagte-aendringer/import/bekraeft")
@requires("municipality.private")
def import_plan(code: str) -> Page | BaseResponse:
    """After the preview: make the plan what the file said, without choosing the file again. The rows are
    checked again; a plan changed since the preview is refused (409), so nobody's change is removed unseen."""
    municipality, actor = _mine(code)
    if not ButtonForm().validate_on_submit():
        return _page(municipality, 400, error=AppError(_("Formularen er udløbet. Prøv igen.")))
    try:
        rows = plan_imports.rows_from_form(request.form.getlist("row"))
        report = plan_imports.run(
            get_session(), municipality, rows, actor=actor, dry_run=False, expected_state=request.form.get("state", "")
        )
    except AppError as exc:
        return _failed(municipality, exc)
    if not report.valid:
        return _shown(municipality, report)
    flash(
        _(
            "De planlagte ændringer er importeret: %(added)s tilføjet, %(changed)s ændret, %(removed)s fjernet.",
            added=len(report.added),
            changed=len(report.changed),
            removed=len(report.removed),
        ),
        "info",
    )
    return _back(municipality, "planlagt")
