"""A solution's shared risk assessments: the list for everyone, the form for coordinators (no JavaScript)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.auth import current_db_user
from tracker.auth.permissions import may
from tracker.auth.protect import acting_user, requires
from tracker.db import get_session
from tracker.errors import AppError
from tracker.inquiries import assessments, queries
from tracker.models import Solution
from tracker.models.inquiries import ASSESSED_LEVELS
from tracker.registry import queries as registry_queries
from tracker.web.format import LOA_LABELS
from tracker.web.forms import PlainForm, _choices, _source_url

bp = Blueprint("assessments", __name__)
_REQUIRED = _l("Skal udfyldes.")


class AssessmentForm(PlainForm):
    """Who assessed, for whom, when, and what they concluded."""

    by = StringField(
        _l("Lavet af (kommunekode, fx 751, eller organisationens slug, fx kombit)"),
        validators=[DataRequired(_REQUIRED), Length(max=80)],
    )
    on_behalf_of = StringField(
        _l("På vegne af ('all' for alle kommuner, ellers kommunekoder adskilt af komma)"),
        default="all",
        validators=[DataRequired(_REQUIRED), Length(max=1000)],
    )
    assessed_on = DateField(_l("Vurderet den (ÅÅÅÅ-MM-DD)"), validators=[DataRequired(_l("Skal være en gyldig dato."))])
    concluded_loa = SelectField(_l("Konkluderet sikringsniveau"), choices=_choices(LOA_LABELS, list(ASSESSED_LEVELS)))
    document_url = _source_url()
    note = TextAreaField(_l("Bemærkning (valgfri)"), validators=[Optional(), Length(max=assessments.MAX_NOTE)])
    propose = BooleanField(_l("Foreslå niveauet som løsningens krævede niveau (en koordinator gennemgår forslaget)"))


def _page(
    solution: Solution, form: AssessmentForm, status: int = 200, form_error: str | None = None
) -> tuple[str, int]:
    try:
        user = current_db_user()
    except AppError:
        user = None
    page = render_template(
        "inquiries/assessments.html",
        solution=solution,
        items=queries.risk_assessments(get_session(), solution),
        form=form,
        may_record=may(user, "risk_assessment.record"),
        form_error=form_error,
    )
    return page, status


@bp.route("/loesninger/<string:slug>/risikovurderinger", methods=["GET", "POST"])
@requires("public", post="risk_assessment.record")
def index(slug: str) -> tuple[str, int] | Response:
    """The solution's shared risk assessments; coordinators record a new one."""
    session = get_session()
    solution = registry_queries.get_solution(session, slug)
    form = AssessmentForm()
    if not form.is_submitted():
        return _page(solution, form)
    user = acting_user()
    if not form.validate_on_submit():
        return _page(solution, form, 422)
    raw = (form.on_behalf_of.data or "").strip()
    on_behalf_of = "all" if raw.lower() == "all" else [c.strip() for c in raw.split(",") if c.strip()]
    try:
        assessments.record(
            session,
            user=user,
            solution=solution,
            by=form.by.data.strip(),
            on_behalf_of=on_behalf_of,
            assessed_on=form.assessed_on.data,
            concluded_loa=form.concluded_loa.data,
            document_url=form.document_url.data or None,
            note=form.note.data,
            propose=bool(form.propose.data),
        )
    except AppError as exc:
        return _page(solution, form, exc.status, form_error=exc.message)
    flash(_("Risikovurderingen er registreret."), "info")
    return redirect(url_for("web.solution", slug=slug))  # type: ignore[return-value]  # redirect() is typed as werkzeug's Response, the base of flask's
