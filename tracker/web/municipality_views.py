"""Municipality pages: the list, M's own page (IdPs, portfolio, readiness), the national picture, upcoming switches.

M's page is for M's own users and coordinators; anyone else is sent to log in (anonymous) or refused (403).
Forms post back here with a CSRF token; an invalid form comes back with its errors (4xx, nothing stored).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth import current_db_user
from tracker.auth.permissions import can_see_municipality, is_coordinator
from tracker.db import get_session
from tracker.errors import AppError, Forbidden, Unauthorized
from tracker.models import Municipality
from tracker.municipalities import imports, overview, plans, queries, readiness, services
from tracker.municipalities.access import require_coordinator, require_municipality_access, sees_who_uses_what
from tracker.municipalities.actions import action_text
from tracker.municipalities.names import official_name
from tracker.registry.actors import Actor
from tracker.web import timeline
from tracker.web.guards import send_anonymous_to_login, web_user
from tracker.web.municipality_forms import (
    ButtonForm,
    IdpChangeForm,
    IdpForm,
    ImportForm,
    PortfolioAddForm,
    PortfolioIdpForm,
    chosen_idps,
    group_choices,
)
from tracker.web.pdf import html_to_pdf

bp = Blueprint("kommuner", __name__)
send_anonymous_to_login(bp)

Page = str | tuple[str, int]


def _mine(code: str) -> tuple[Municipality, Actor]:
    """M, for its own users and coordinators (anonymous: to the login page; others: 403)."""
    user = web_user()
    municipality = queries.get_municipality(get_session(), code)
    return municipality, Actor.of(require_municipality_access(user, municipality))


def _page(municipality: Municipality, status: int = 200, **forms: Any) -> Page:
    """M's page, with the given forms (carrying the person's input and errors) in place of empty ones."""
    session = get_session()
    idps = queries.list_idps(session, municipality)
    add_form = forms.pop("add_form", None) or PortfolioAddForm(formdata=None)
    add_form.fill(queries.solutions_not_in_portfolio(session, municipality), idps)
    entry_forms = []
    for entry in queries.list_portfolio(session, municipality):
        form = PortfolioIdpForm(formdata=None, prefix=f"e{entry.id}", idp_ids=[str(i.id) for i in entry.idps])
        form.idp_ids.choices = group_choices(idps)
        entry_forms.append((entry, form))
    failed_idp: tuple[int, IdpForm] | None = forms.pop("failed_idp", None)
    idp_forms = [
        (
            i,
            failed_idp[1]
            if failed_idp and failed_idp[0] == i.id
            else IdpForm(formdata=None, obj=i, prefix=f"idp{i.id}"),
        )
        for i in idps
    ]
    state = readiness.municipality_readiness(session, municipality)
    change_form = forms.pop("change_form", None) or IdpChangeForm(formdata=None, prefix="plan")
    change_form.fill(idps)
    html = render_template(
        "municipalities/page.html",
        municipality=municipality,
        readiness=state,
        action_text=action_text,
        lockout_charts=timeline.lockout_charts(state.today, state.rows),
        planned_changes=plans.list_changes(session, municipality),
        change_form=change_form,
        # One mark per solution, however many staff groups use it.
        timeline=timeline.build(
            state.today, dict.fromkeys((r.solution.switch_earliest_on, r.solution.name) for r in state.rows)
        ),
        idp_forms=idp_forms,
        entry_forms=entry_forms,
        new_idp_form=forms.pop("new_idp_form", None) or IdpForm(formdata=None, prefix="new"),
        add_form=add_form,
        import_form=forms.pop("import_form", None) or ImportForm(formdata=None),
        button=ButtonForm(formdata=None),
        **forms,
    )
    return html, status


def _failed(municipality: Municipality, exc: AppError, **forms: Any) -> Page:
    """Show the page again with what went wrong; the 4xx status rolls the request back."""
    if isinstance(exc, Forbidden | Unauthorized):
        raise exc
    return _page(municipality, exc.status, error=exc, **forms)


def _back(municipality: Municipality, anchor: str) -> BaseResponse:
    return redirect(url_for("kommuner.page", code=municipality.code, _anchor=anchor), code=303)


@bp.get("/kommuner")
def index() -> str:
    """The 98 municipalities; a logged-in municipality user finds their own at the top."""
    user = current_db_user()
    own = user.municipality if user is not None and user.municipality_id else None
    municipalities = queries.list_municipalities(get_session())
    if user is not None and not is_coordinator(user):  # logged in: only what this user may open
        municipalities = [m for m in municipalities if can_see_municipality(user, m.id)]
    return render_template(
        "municipalities/index.html", municipalities=municipalities, own=own, restricted=user is not None
    )


@bp.get("/kommuner/<string:code>")
def page(code: str) -> Page:
    """M's IdPs, portfolio and readiness (who gets locked out, when), with exports."""
    municipality, _actor = _mine(code)
    return _page(municipality)


def _report_html(code: str) -> str:
    municipality, _actor = _mine(code)
    state = readiness.municipality_readiness(get_session(), municipality)
    picture = timeline.build(state.today, ((r.solution.switch_earliest_on, r.solution.name) for r in state.rows))
    return render_template(
        "municipalities/report.html",
        municipality=municipality,
        official=official_name(municipality),
        readiness=state,
        todo=[r for r in state.rows if r.assessment.status != "ok"],
        lockouts=timeline.next_lockouts(state.rows),
        timeline=picture,
        action_text=action_text,
    )


@bp.get("/kommuner/<string:code>/rapport")
def report(code: str) -> str:
    """Rapport til ledelsen: M's readiness in brief, what to do and the sources, printable on A4."""
    return _report_html(code)


@bp.get("/kommuner/<string:code>/rapport.pdf")
def report_pdf(code: str) -> Response:
    """The same report as an A4 PDF (WeasyPrint)."""
    pdf = html_to_pdf(_report_html(code), base_url=request.host_url)
    headers = {"Content-Disposition": f'inline; filename="rapport-{code}.pdf"', "Cache-Control": "private, no-store"}
    return Response(pdf, mimetype="application/pdf", headers=headers)


@bp.post("/kommuner/<string:code>/idps")
def create_idp(code: str) -> Page | BaseResponse:
    """Add an IdP."""
    municipality, actor = _mine(code)
    form = IdpForm(prefix="new")
    if not form.validate_on_submit():
        return _page(municipality, 422, new_idp_form=form)
    try:
        idp = services.create_idp(get_session(), municipality, form.values(), actor=actor)
    except AppError as exc:
        return _failed(municipality, exc, new_idp_form=form)
    flash(_("IdP'en %(name)s er tilføjet.", name=idp.name), "info")
    return _back(municipality, "idps")


@bp.post("/kommuner/<string:code>/idps/<int:idp_id>")
def update_idp(code: str, idp_id: int) -> Page | BaseResponse:
    """Change an IdP."""
    municipality, actor = _mine(code)
    session = get_session()
    idp = queries.get_idp(session, municipality, idp_id)
    form = IdpForm(prefix=f"idp{idp_id}")
    if not form.validate_on_submit():
        return _page(municipality, 422, failed_idp=(idp_id, form))
    try:
        services.update_idp(session, idp, form.values(), actor=actor)
    except AppError as exc:
        return _failed(municipality, exc, failed_idp=(idp_id, form))
    flash(_("IdP'en %(name)s er gemt.", name=idp.name), "info")
    return _back(municipality, "idps")


@bp.post("/kommuner/<string:code>/idps/<int:idp_id>/slet")
def delete_idp(code: str, idp_id: int) -> Page | BaseResponse:
    """Remove an IdP."""
    municipality, actor = _mine(code)
    session = get_session()
    idp = queries.get_idp(session, municipality, idp_id)
    if not ButtonForm().validate_on_submit():
        return _page(municipality, 400, error=AppError(_("Formularen er udløbet. Prøv igen.")))
    name = idp.name
    services.delete_idp(session, idp, actor=actor)
    flash(_("IdP'en %(name)s er slettet.", name=name), "info")
    return _back(municipality, "idps")


@bp.post("/kommuner/<string:code>/planlagte-aendringer")
def create_change(code: str) -> Page | BaseResponse:
    """Plan a dated change of an IdP or its staff group."""
    municipality, actor = _mine(code)
    session = get_session()
    form = IdpChangeForm(prefix="plan")
    form.fill(queries.list_idps(session, municipality))
    if not form.validate_on_submit():
        return _page(municipality, 422, change_form=form)
    try:
        plans.create_change(session, municipality, form.values(), actor=actor)
    except AppError as exc:
        for name, problem in exc.details.items():  # the service's words beside the fields they concern
            if hasattr(form, name):
                getattr(form, name).errors = [str(problem)]
        return _failed(municipality, exc, change_form=form)
    flash(_("Den planlagte ændring er gemt."), "info")
    return _back(municipality, "planlagt")


@bp.post("/kommuner/<string:code>/planlagte-aendringer/<int:change_id>/slet")
def delete_change(code: str, change_id: int) -> Page | BaseResponse:
    """Remove a planned change."""
    municipality, actor = _mine(code)
    session = get_session()
    change = plans.get_change(session, municipality, change_id)
    if not ButtonForm().validate_on_submit():
        return _page(municipality, 400, error=AppError(_("Formularen er udløbet. Prøv igen.")))
    plans.delete_change(session, change, actor=actor)
    flash(_("Den planlagte ændring er slettet."), "info")
    return _back(municipality, "planlagt")


@bp.post("/kommuner/<string:code>/portefoelje")
def add_solution(code: str) -> Page | BaseResponse:
    """Add a solution to the portfolio."""
    municipality, actor = _mine(code)
    session = get_session()
    form = PortfolioAddForm()
    form.fill(queries.solutions_not_in_portfolio(session, municipality), queries.list_idps(session, municipality))
    if not form.validate_on_submit():
        return _page(municipality, 422, add_form=form)
    try:
        entry = services.add_to_portfolio(
            session, municipality, form.solution.data, actor=actor, idp_ids=chosen_idps(form.idp_ids.data)
        )
    except AppError as exc:
        return _failed(municipality, exc, add_form=form)
    flash(_("%(name)s er tilføjet porteføljen.", name=entry.solution.name), "info")
    return _back(municipality, "parathed")


@bp.post("/kommuner/<string:code>/portefoelje/<string:slug>")
def set_solution_idp(code: str, slug: str) -> Page | BaseResponse:
    """Choose the IdP staff use for one solution."""
    municipality, actor = _mine(code)
    session = get_session()
    entry = queries.get_portfolio_entry(session, municipality, slug)
    form = PortfolioIdpForm(prefix=f"e{entry.id}")
    form.idp_ids.choices = group_choices(queries.list_idps(session, municipality))
    if not form.validate_on_submit():
        return _page(municipality, 422, error=AppError(_("Vælg en af kommunens IdP'er.")))
    try:
        services.update_portfolio_entry(session, entry, {"idp_ids": chosen_idps(form.idp_ids.data)}, actor=actor)
    except AppError as exc:
        return _failed(municipality, exc)
    flash(_("IdP for %(name)s er gemt.", name=entry.solution.name), "info")
    return _back(municipality, "portefoelje")


@bp.post("/kommuner/<string:code>/portefoelje/<string:slug>/fjern")
def remove_solution(code: str, slug: str) -> Page | BaseResponse:
    """Remove a solution from the portfolio."""
    municipality, actor = _mine(code)
    session = get_session()
    entry = queries.get_portfolio_entry(session, municipality, slug)
    if not ButtonForm().validate_on_submit():
        return _page(municipality, 400, error=AppError(_("Formularen er udløbet. Prøv igen.")))
    name = entry.solution.name
    services.remove_from_portfolio(session, entry, actor=actor)
    flash(_("%(name)s er fjernet fra porteføljen.", name=name), "info")
    return _back(municipality, "portefoelje")


@bp.post("/kommuner/<string:code>/portefoelje/import")
def import_portfolio(code: str) -> Page:
    """Import solution names from a file; the page shows what was added and what could not be matched."""
    municipality, actor = _mine(code)
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(municipality, 422, import_form=form)
    upload = form.file.data
    try:
        report = imports.import_portfolio(
            get_session(),
            municipality,
            upload.filename or "",
            upload.stream.read(imports.MAX_BYTES + 1),
            actor=actor,
            dry_run=bool(form.dry_run.data),
        )
    except AppError as exc:
        return _failed(municipality, exc, import_form=form)
    return _page(municipality, import_report=report)


@bp.get("/landsoverblik")
def national() -> str:
    """For coordinators: per solution, which municipalities are locked out or at risk, and from when."""
    require_coordinator(web_user())
    only_risk = request.args.get("kun_risiko") == "1"
    picture = overview.national_picture(get_session(), only_risk=only_risk)
    return render_template("municipalities/national.html", picture=picture, only_risk=only_risk)


@bp.get("/kommende-skift")
def upcoming() -> str:
    """For everyone: switches in the next 12 months, and the most used solutions."""
    session = get_session()
    start, until, items = overview.upcoming_switches(session)
    with_names = sees_who_uses_what(current_db_user())
    popular = overview.popular_solutions(session, limit=20, with_municipalities=with_names)
    picture = timeline.build(start, ((u.solution.switch_earliest_on, u.solution.name) for u in items))
    return render_template(
        "municipalities/upcoming.html",
        start=start,
        until=until,
        items=items,
        popular=popular,
        with_names=with_names,
        timeline=picture,
    )


@bp.post("/kommuner/<string:code>/portefoelje/import/bekraeft")
def confirm_import(code: str) -> Page | BaseResponse:
    """After a dry run: add what it showed, without choosing the file again."""
    municipality, actor = _mine(code)
    if not ButtonForm().validate_on_submit():
        return _page(municipality, 400, error=AppError(_("Formularen er udløbet. Prøv igen.")))
    try:
        added, already = imports.confirm_import(
            get_session(),
            municipality,
            request.form.getlist("slug"),
            actor=actor,
            idps=request.form.getlist("idp"),
        )
    except AppError as exc:
        return _failed(municipality, exc)
    flash(
        _("%(added)s tilføjet, %(already)s fandtes allerede.", added=len(added), already=len(already)),
        "info",
    )
    return _back(municipality, "portefoelje")
