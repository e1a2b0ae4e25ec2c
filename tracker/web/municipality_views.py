"""Municipality pages: the list, M's own page (IdPs, portfolio, readiness), the national picture, upcoming switches.

M's page is for M's own users and coordinators; anyone else is sent to log in (anonymous) or refused (403).
Forms post back here with a CSRF token; an invalid form comes back with its errors (4xx, nothing stored).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask import session as web_session
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from tracker.actions import views as action_views
from tracker.actions.access import sees_actions
from tracker.actions.national import national_progress
from tracker.actions.views import action_marks
from tracker.auth import current_db_user
from tracker.auth.permissions import may
from tracker.auth.protect import acting_user, requires
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.errors import AppError, ValidationError
from tracker.http_cache import PRIVATE_DATA, CachedResponse, Stamp, serve_cached, weak_etag
from tracker.i18n import worded
from tracker.models import Municipality
from tracker.models.vocab import TransitionKind
from tracker.municipalities import imports, overview, plans, queries, readiness, services
from tracker.municipalities.access import require_municipality_access
from tracker.municipalities.actions import action_text
from tracker.municipalities.names import official_name
from tracker.municipalities.suggest import look_up
from tracker.registry import transitions as transition_queries
from tracker.registry.actors import Actor
from tracker.web import timeline
from tracker.web.guards import send_anonymous_to_login
from tracker.web.municipality_forms import (
    ButtonForm,
    IdpChangeForm,
    IdpForm,
    ImportForm,
    PlanImportForm,
    PortfolioAddForm,
    PortfolioIdpForm,
    chosen_idps,
    group_choices,
    group_pairs,
)
from tracker.web.pdf import html_to_pdf
from tracker.web.private_cache import private_page_key

bp = Blueprint("kommuner", __name__)
send_anonymous_to_login(bp)

Page = str | tuple[str, int]
R = TypeVar("R")  # what an importer reports


def _mine(code: str) -> tuple[Municipality, Actor]:
    """M, for its own users and coordinators (anonymous: to the login page; others: 403)."""
    user = acting_user()
    municipality = queries.get_municipality(get_session(), code)
    return municipality, Actor.of(require_municipality_access(user, municipality))


PORTFOLIO_PAGE = 100  # portfolio rows per page of the edit form
READINESS_PAGE = 250  # readiness rows per page (most urgent first); the exports hold every row


@dataclass(frozen=True)
class Pager:
    """One page of a long list: its number (from 1), how many pages, and the rows on it."""

    number: int
    pages: int
    rows: list[Any]
    param: str

    @classmethod
    def of(cls, rows: list[Any], size: int, param: str) -> Pager:
        """The page ``request.args[param]`` asks for (the first when missing or out of range)."""
        pages = max(1, -(-len(rows) // size))
        raw = request.args.get(param, "1")
        number = min(max(int(raw), 1), pages) if raw.isdigit() and len(raw) < 6 else 1
        return cls(number, pages, rows[(number - 1) * size : number * size], param)


def _page(municipality: Municipality, status: int = 200, **forms: Any) -> Page:
    """M's page, with the given forms (carrying the person's input and errors) in place of empty ones.

    It costs O(portfolio), not O(registry): a solution is added by typing its name (no list of the registry),
    the portfolio is one form (IdPs and removal per row), and long portfolios and readiness tables are paged.
    """
    session = get_session()
    idps = queries.list_idps(session, municipality)
    add_form = forms.pop("add_form", None) or PortfolioAddForm(formdata=None)
    add_form.fill(idps)
    portfolio = Pager.of(queries.list_portfolio(session, municipality), PORTFOLIO_PAGE, "side")
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
        readiness_page=Pager.of(state.rows, READINESS_PAGE, "parathed"),
        own_actions=action_marks(session, municipality, current_db_user(), state),
        action_text=action_text,
        lockout_charts=timeline.lockout_charts(state.today, state.rows),
        planned_changes=plans.list_changes(session, municipality),
        change_form=change_form,
        # One mark per solution, however many staff groups use it.
        timeline=timeline.build(
            state.today, dict.fromkeys((r.solution.switch_earliest_on, r.solution.name) for r in state.rows)
        ),
        idp_forms=idp_forms,
        idp_choices=group_pairs(idps),
        portfolio=portfolio,
        new_idp_form=forms.pop("new_idp_form", None) or IdpForm(formdata=None, prefix="new"),
        add_form=add_form,
        import_form=forms.pop("import_form", None) or ImportForm(formdata=None),
        plan_import_form=forms.pop("plan_import_form", None) or PlanImportForm(formdata=None),
        button=ButtonForm(formdata=None),
        **forms,
    )
    return html, status


def _cached(code: str, name: str, render: Callable[[Municipality], str]) -> Response:
    """A GET of one of M's own pages through the response cache, gzip-compressed like readiness.

    The page shows the person (address, menu, the session's CSRF token), M's data and today's verdicts, so the
    key holds the user, the session's CSRF token, the language, host, URL and day beside M's fingerprint and the
    registry stamp (``municipality_state``, one query): a repeated visit is that query and a dictionary hit. A
    page that carries a one-time message (a flash) is rendered and not kept.
    """
    user = acting_user()
    db = get_session()
    state = queries.get_state(db, code)
    require_municipality_access(user, state)
    if "_flashes" in web_session:
        municipality = db.get(Municipality, state.id)
        assert municipality is not None  # read in this transaction a moment ago
        return Response(render(municipality), mimetype="text/html")
    key = private_page_key(name, state, user)

    def make(stamp: Stamp) -> CachedResponse:
        municipality = db.get(Municipality, state.id)
        assert municipality is not None
        body = render(municipality).encode()
        return CachedResponse(body, "text/html", weak_etag("k", (key, stamp)))

    return serve_cached(db, key, make, policy=PRIVATE_DATA, stamp=state.stamp)


def _failed(municipality: Municipality, exc: AppError, **forms: Any) -> Page:
    """Show the page again with what went wrong; the 4xx status rolls the request back."""
    return _page(municipality, exc.status, error=exc, **forms)


def _back(municipality: Municipality, anchor: str) -> BaseResponse:
    return redirect(url_for("kommuner.page", code=municipality.code, _anchor=anchor), code=303)


@bp.get("/kommuner")
@requires("public")
def index() -> str:
    """The 98 municipalities; a logged-in municipality user finds their own at the top."""
    user = current_db_user()
    own = user.municipality if user is not None and user.municipality_id else None
    municipalities = queries.list_municipalities(get_session())
    if user is not None:  # logged in: only what this user may open
        municipalities = [m for m in municipalities if may(user, "municipality.private", m.id)]
    return render_template(
        "municipalities/index.html", municipalities=municipalities, own=own, restricted=user is not None
    )


@bp.get("/kommuner/<string:code>")
@requires("municipality.private")
def page(code: str) -> Response:
    """M's IdPs, portfolio and readiness (who gets locked out, when), with exports."""
    return _cached(code, "kommuner.page", lambda m: str(_page(m)[0]))


def _report_html(municipality: Municipality) -> str:
    state = readiness.municipality_readiness(get_session(), municipality)
    user = current_db_user()
    # Progress counts for everyone who may see the report; who owns what only for M's own users.
    listed = action_views.load(get_session(), municipality, user) if user is not None else None
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
        actions=listed,
        actions_shown=user is not None and sees_actions(user, municipality.id),
    )


@bp.get("/kommuner/<string:code>/rapport")
@requires("municipality.private")
def report(code: str) -> Response:
    """Rapport til ledelsen: M's readiness in brief, what to do and the sources, printable on A4."""
    return _cached(code, "kommuner.report", _report_html)


@bp.get("/kommuner/<string:code>/rapport.pdf")
@requires("municipality.private")
def report_pdf(code: str) -> Response:
    """The same report as an A4 PDF (WeasyPrint)."""
    municipality, _actor = _mine(code)
    pdf = html_to_pdf(_report_html(municipality), base_url=request.host_url)
    headers = {"Content-Disposition": f'inline; filename="rapport-{code}.pdf"', "Cache-Control": "private, no-store"}
    return Response(pdf, mimetype="application/pdf", headers=headers)


@bp.post("/kommuner/<string:code>/idps")
@requires("municipality.private")
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


@bp.post("/kommuner/<string:code>/idps/<int(max=2147483647):idp_id>")
@requires("municipality.private")
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


@bp.post("/kommuner/<string:code>/idps/<int(max=2147483647):idp_id>/slet")
@requires("municipality.private")
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
@requires("municipality.private")
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
                getattr(form, name).errors = [worded(problem) if isinstance(problem, str) else str(problem)]
        return _failed(municipality, exc, change_form=form)
    flash(_("Den planlagte ændring er gemt."), "info")
    return _back(municipality, "planlagt")


@bp.post("/kommuner/<string:code>/planlagte-aendringer/<int(max=2147483647):change_id>/slet")
@requires("municipality.private")
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
@requires("municipality.private")
def add_solution(code: str) -> Page | BaseResponse:
    """Add a solution to the portfolio, named as typed (name, alias or slug); no match: suggestions."""
    municipality, actor = _mine(code)
    session = get_session()
    form = PortfolioAddForm()
    form.fill(queries.list_idps(session, municipality))
    if not form.validate_on_submit():
        return _page(municipality, 422, add_form=form)
    found, suggestions = look_up(session, form.solution.data)
    if found is None:
        text = form.solution.data.strip()
        if suggestions:
            names = ", ".join(f"'{c.name}'" for c in suggestions)
            message = _("Ingen løsning hedder '%(text)s'. Mente du: %(names)s?", text=text, names=names)
        else:
            message = _("Ingen løsning hedder '%(text)s'. Se navnet i registrets liste over løsninger.", text=text)
        form.solution.errors = [message]
        return _failed(municipality, ValidationError(message, {"solution": message}), add_form=form)
    try:
        entry = services.add_to_portfolio(
            session, municipality, found.slug, actor=actor, idp_ids=chosen_idps(form.idp_ids.data)
        )
    except AppError as exc:
        return _failed(municipality, exc, add_form=form)
    flash(_("%(name)s er tilføjet porteføljen.", name=entry.solution.name), "info")
    return _back(municipality, "parathed")


MAX_FORM_ROWS = 1000


@bp.post("/kommuner/<string:code>/portefoelje/gem")
@requires("municipality.private")
def save_portfolio(code: str) -> Page | BaseResponse:
    """The portfolio's one form: each listed row's IdPs, and the rows ticked for removal."""
    municipality, actor = _mine(code)
    if not ButtonForm().validate_on_submit():
        return _page(municipality, 400, error=AppError(_("Formularen er udløbet. Prøv igen.")))
    slugs = request.form.getlist("entry")[:MAX_FORM_ROWS]
    remove = request.form.getlist("fjern")[:MAX_FORM_ROWS]
    wanted = {slug: chosen_idps(request.form.getlist(f"idps-{slug}")) for slug in slugs}
    try:
        changed, removed = services.edit_portfolio(get_session(), municipality, wanted, remove, actor=actor)
    except AppError as exc:
        return _failed(municipality, exc)
    flash(
        _("Porteføljen er gemt: %(changed)s ændret, %(removed)s fjernet.", changed=len(changed), removed=len(removed)),
        "info",
    )
    page = request.args.get("side", "")
    target = url_for("kommuner.page", code=municipality.code, side=page if page.isdigit() else None)
    return redirect(target + "#portefoelje", code=303)


@bp.post("/kommuner/<string:code>/portefoelje/<string:slug>")
@requires("municipality.private")
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
@requires("municipality.private")
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


def _from_upload(
    code: str,
    form: Any,
    form_name: str,
    importer: Callable[..., R],
    show: Callable[[Municipality, R], Page],
    *,
    dry_run: bool,
) -> Page:
    """M's page after a file upload: the form again (422) when it does not validate, the importer's refusal with
    the form, else ``show(M, report)``. ``importer`` is one of the file importers (session, M, file name, bytes,
    ``actor``, ``dry_run``); ``form_name`` is the page's name for ``form``."""
    municipality, actor = _mine(code)
    if not form.validate_on_submit():
        return _page(municipality, 422, **{form_name: form})
    filename, data = imports.uploaded_file(form.file.data)
    try:
        report = importer(get_session(), municipality, filename, data, actor=actor, dry_run=dry_run)
    except AppError as exc:
        return _failed(municipality, exc, **{form_name: form})
    return show(municipality, report)


@bp.post("/kommuner/<string:code>/portefoelje/import")
@requires("municipality.private")
def import_portfolio(code: str) -> Page:
    """Import solution names from a file; the page shows what was added and what could not be matched."""
    form = ImportForm()
    return _from_upload(
        code,
        form,
        "import_form",
        imports.import_portfolio,
        lambda municipality, report: _page(municipality, import_report=report),
        dry_run=bool(form.dry_run.data),
    )


@bp.get("/landsoverblik")
@requires("national.read")
def national() -> str:
    """For coordinators: per solution, which municipalities are locked out or at risk, and from when."""
    only_risk = request.args.get("kun_risiko") == "1"
    picture = overview.national_picture(get_session(), only_risk=only_risk)
    progress = national_progress(get_session())  # counts only: never a municipality's note or owner
    return render_template("municipalities/national.html", picture=picture, only_risk=only_risk, progress=progress)


@bp.get("/kommende-skift")
@requires("public")
def upcoming() -> str:
    """For everyone: switches in the next 12 months, and the most used solutions."""
    session = get_session()
    start, until, items = overview.upcoming_switches(session)
    with_names = may(current_db_user(), "solution.see_users")
    popular = overview.popular_solutions(session, limit=20, with_municipalities=with_names)
    picture = timeline.build(start, ((u.solution.switch_earliest_on, u.solution.name) for u in items))
    kind = request.args.get("kind") or None
    if kind not in (None, *TransitionKind):
        kind = None  # an unknown kind shows them all, as the form offers
    return render_template(
        "municipalities/upcoming.html",
        start=start,
        until=until,
        items=items,
        popular=popular,
        with_names=with_names,
        timeline=picture,
        transitions=transition_queries.upcoming_transitions(session, today_in_denmark(), kind=kind),
        transition_kind=kind,
    )


@bp.post("/kommuner/<string:code>/portefoelje/import/bekraeft")
@requires("municipality.private")
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
