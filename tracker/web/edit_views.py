"""Coordinators create and edit solutions; vendors and municipalities propose changes.

The edit form carries the version it was made from: if someone else changed the solution meanwhile, the
form comes back (409) showing what they changed, with the person's own input kept.
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth import current_db_user
from tracker.auth.permissions import may, require
from tracker.auth.protect import acting_user, requires
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.errors import AppError, PreconditionFailed
from tracker.models import Solution, User
from tracker.municipalities.impact import impact_of
from tracker.registry import queries
from tracker.registry.services import checked_brokers
from tracker.review import editing
from tracker.review import queries as review_queries
from tracker.review.services import create_proposal
from tracker.web import edit_format
from tracker.web.form_changes import (
    merge_concurrent,
    prepare_proposal_form,
    prepare_solution_form,
    proposal_form_changes,
    show_errors,
    solution_form_changes,
)
from tracker.web.forms import ProposalForm, SolutionForm
from tracker.web.guards import send_anonymous_to_login

bp = Blueprint("edit", __name__)
send_anonymous_to_login(bp)


@bp.record_once
def _template_labels(state: BlueprintSetupState) -> None:
    """Field and vocabulary labels for every template, once the blueprint is registered."""
    if isinstance(state.app, Flask):
        edit_format.init_app(state.app)


Page = str | tuple[str, int]


def _form_page(form: SolutionForm, solution: Solution | None, status: int = 200, **extra: object) -> Page:
    return render_template("edit/solution_form.html", form=form, solution=solution, **extra), status


@bp.route("/loesninger/ny", methods=["GET", "POST"])
@requires("solution.create")
def create() -> Page | BaseResponse:
    """A new solution: facts unknown unless given."""
    user = acting_user()
    session = get_session()
    form = SolutionForm()
    prepare_solution_form(form, session, None)
    if not form.validate_on_submit():
        return _form_page(form, None, 422 if form.is_submitted() else 200)
    try:
        fields = solution_form_changes(form, session, None, today=today_in_denmark())
        solution = editing.new_solution(
            session,
            editor=user,
            slug=form.slug.data or None,
            name=form.name.data,
            fields=fields,
            reason=form.reason.data or None,
        )
    except AppError as exc:
        show_errors(form, exc, "name")
        return _form_page(form, None, exc.status, form_error=exc.message)
    flash(_("Løsningen %(name)s er oprettet.", name=solution.name), "info")
    return redirect(url_for("web.solution", slug=solution.slug))


def _preview(form: SolutionForm, session: Session, solution: Solution) -> Page:
    """The form again, with what saving it would do to the municipalities' readiness; nothing is written."""
    try:
        changes = solution_form_changes(form, session, solution, today=today_in_denmark())
        new_brokers = checked_brokers(session, solution, changes)
    except AppError as exc:
        show_errors(form, exc, "reason")
        return _form_page(form, solution, exc.status, form_error=exc.message)
    return _form_page(form, solution, impact=impact_of(session, solution, changes, brokers=new_brokers))


def _version(raw: str | None) -> int:
    if not raw or not re.fullmatch(r"[0-9]{1,9}", raw):
        raise AppError(_("Formularen mangler den version, den blev udfyldt ud fra. Hent siden igen."))
    return int(raw)


@bp.route("/loesninger/<string:slug>/rediger", methods=["GET", "POST"])
@requires("solution.edit")
def edit(slug: str) -> Page | BaseResponse:
    """Edit a solution's facts, sources and description; a concurrent change is shown, not overwritten."""
    user = acting_user()
    session = get_session()
    solution = queries.get_solution(session, slug)
    form = SolutionForm()
    prepare_solution_form(form, session, solution)
    if not form.is_submitted():
        form.seen_event.data = str(review_queries.last_event_id(session, solution))
        return _form_page(form, solution)
    if not form.validate_on_submit():
        return _form_page(form, solution, 422)
    version = _version(form.version.data)
    if request.form.get("preview"):
        return _preview(form, session, solution)
    try:
        changes = solution_form_changes(form, session, solution, today=today_in_denmark())
        _edited, events = editing.edit_solution(
            session,
            editor=user,
            slug=slug,
            changes=changes,
            reason=form.reason.data or None,
            accepted_versions={version},
        )
    except PreconditionFailed:
        seen = int(form.seen_event.data) if re.fullmatch(r"[0-9]{1,18}", form.seen_event.data or "") else 0
        meanwhile = review_queries.events_since(session, solution, seen)
        merge_concurrent(form, session, solution, meanwhile)
        form.version.data = str(solution.version)
        form.seen_event.data = str(review_queries.last_event_id(session, solution))
        return _form_page(form, solution, 409, meanwhile=meanwhile)
    except AppError as exc:
        show_errors(form, exc, "reason")
        return _form_page(form, solution, exc.status, form_error=exc.message)
    flash(_("Ændringen er gemt.") if events else _("Der var intet at ændre."), "info")
    return redirect(url_for("web.solution", slug=slug))


def _proposer(slug: str) -> tuple[User, Solution]:
    """Vendors only for their own solutions (refused and logged otherwise); municipalities for any."""
    user = acting_user()
    solution = queries.get_solution(get_session(), slug)
    require(user, "solution.propose_form", solution, web=True, details={"solution": slug})
    return user, solution


@bp.route("/loesninger/<string:slug>/foreslaa", methods=["GET", "POST"])
@requires("solution.propose_form")
def propose(slug: str) -> Page | BaseResponse:
    """A vendor's report on its own solution, or a municipality's correction with evidence."""
    user, solution = _proposer(slug)
    form = ProposalForm()
    prepare_proposal_form(form, user)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("edit/proposal_form.html", form=form, solution=solution, user=user), status
    try:
        proposal = create_proposal(
            get_session(),
            proposer=user,
            solution=solution,
            changes=proposal_form_changes(form, today=today_in_denmark()),
            evidence=form.evidence.data,
            source_url=form.source_url.data or None,
        )
    except AppError as exc:
        show_errors(form, exc, "evidence")
        page = render_template(
            "edit/proposal_form.html", form=form, solution=solution, user=user, form_error=exc.message
        )
        return page, exc.status
    if proposal.state == "accepted":
        flash(_("Tak. Jeres organisation er betroet, så ændringen er allerede registreret."), "info")
    else:
        flash(_("Tak. Forslaget er sendt til en koordinator, som gennemgår det."), "info")
    return redirect(url_for("review.mine"))


@bp.app_context_processor
def _edit_links() -> dict[str, object]:
    """Let the solution page offer 'edit' or 'propose' to those who may."""

    def may_propose(solution: Solution) -> bool:
        try:
            user = current_db_user()
        except AppError:
            return False
        return may(user, "solution.propose_form", solution)

    return {"may_propose": may_propose}
