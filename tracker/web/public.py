"""Public pages: the overview of all solutions and one solution's page with its history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from marshmallow import ValidationError as MarshmallowError

from tracker.auth.protect import requires
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.errors import ValidationError
from tracker.http_cache import PUBLIC_PAGE, CachedResponse, Stamp, serve_cached, weak_etag
from tracker.inputs import SolutionQuerySchema
from tracker.municipalities.requirements import SolutionFacts
from tracker.registry import queries, transitions
from tracker.web import transition_format
from tracker.web.layout import sort_args

bp = Blueprint("web", __name__)

PAGE_SIZE = 100


def _shared_page_allowed() -> bool:
    """Whether this request may get (and fill) the page shared by all anonymous visitors.

    A logged-in user's page names them and carries a CSRF token; a page with flashed messages belongs to one
    visitor (and showing it must consume them). Both are always rendered afresh.
    """
    return not current_user.is_authenticated and "_flashes" not in session


# The overview's filters: each one's name in words (None: the query parameter's own name) and what to write when
# its value can't be understood.
FILTERS: dict[str, tuple[LazyString | None, LazyString]] = {
    "loa": (_l("Sikringsniveau"), _l("Vælg et af sikringsniveauerne på listen.")),
    "kind": (_l("Type"), _l("Vælg en af typerne på listen.")),
    "vendor": (None, _l("Skriv 1–80 tegn.")),
    "switch_after": (_l("Skifter efter"), _l('Skriv en dato som ÅÅÅÅ-MM-DD, og en dato før "Skifter før".')),
    "switch_before": (_l("Skifter før"), _l("Skriv en dato som ÅÅÅÅ-MM-DD.")),
    "q": (_l("Søg"), _l("Skriv 1–200 tegn.")),
    "offset": (None, _l("Skriv et helt tal fra 0.")),
    "limit": (None, _l("Skriv et helt tal fra 1.")),
}


def _filter_problem(name: str) -> str:
    """'Sikringsniveau: Vælg et af sikringsniveauerne på listen.' for a filter whose value can't be understood."""
    words, problem = FILTERS.get(name, (None, _l("Værdien kunne ikke forstås.")))
    return f"{words or name}: {problem}"


def _load_filters(raw: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The valid filters, and a Danish explanation per filter that could not be understood (then left out)."""
    try:
        return SolutionQuerySchema().load(raw), {}
    except MarshmallowError as exc:
        bad = [name for name in exc.normalized_messages() if name in raw] or list(raw)
        problems = {name: _filter_problem(name) for name in bad}
        try:
            args = SolutionQuerySchema().load({k: v for k, v in raw.items() if k not in problems})
        except MarshmallowError:
            args = SolutionQuerySchema().load({})
        return args, problems


def _render_index(raw: dict[str, str]) -> tuple[str, int]:
    """The overview for the filters ``raw``: a filter that can't be understood keeps the form, is explained in
    Danish and left out (422, never cached); ``?sort=&retning=`` orders the table."""
    args, problems = _load_filters(raw)
    limit, offset = PAGE_SIZE, args.pop("offset")
    args.pop("limit")
    order, direction = sort_args(queries.SOLUTION_ORDERS, "switch")
    solutions, total = queries.list_solutions(
        get_session(),
        queries.SolutionFilter(**args),
        limit=limit,
        offset=offset,
        order=order,
        descending=direction == "desc",
    )
    error = ValidationError(str(_l("Filtrene kunne ikke forstås.")), problems) if problems else None
    upcoming = transitions.next_transitions(get_session(), [s.id for s in solutions], today_in_denmark())
    html = render_template(
        "index.html",
        solutions=solutions,
        next_transitions=upcoming,
        total=total,
        offset=offset,
        limit=limit,
        filters=raw,
        problems=problems,
        error=error,
        error_field_prefix="f-",
        sort=order,
        direction=direction,
    )
    return html, error.status if error else 200


@bp.get("/")
@requires("public")
def index() -> tuple[str, int] | Response:
    """The registry by switch date, with the list filters of the API as a plain GET form.

    Anonymous visitors share one rendering per (filters, language, host) while the registry is unchanged;
    only the body is cached, so cookies (``?lang=``) and the security headers are set per response as usual.
    """
    raw = {k: v for k, v in request.args.items() if v and k in SolutionQuerySchema().fields}
    if not _shared_page_allowed() or _load_filters(raw)[1]:
        return _render_index(raw)
    # Choosing the locale first also remembers ``?lang=`` in the visitor's session, as rendering would.
    key: tuple[Any, ...] = (
        "web.index",
        request.host_url,
        str(get_locale()),
        today_in_denmark(),  # each solution's next transition moves on with the day
        tuple(sorted(raw.items())),
        sort_args(queries.SOLUTION_ORDERS, "switch"),
    )

    def render(stamp: Stamp) -> CachedResponse:
        return CachedResponse(_render_index(raw)[0].encode(), "text/html", weak_etag("p", (key, stamp)))

    return serve_cached(get_session(), key, render, policy=PUBLIC_PAGE)


@bp.get("/loesninger/<string:slug>")
@requires("public")
def solution(slug: str) -> str:
    """One solution: both facts with confidence and source, and its history."""
    session = get_session()
    item = queries.get_solution(session, slug)
    history = queries.solution_history(session, item)
    today = today_in_denmark()
    stale = SolutionFacts.of(item).stale(today)
    placed = transition_format.timeline(transitions.transitions_for(session, [item.id])[item.id], today)
    return render_template("solution.html", solution=item, history=history, stale=stale, placed=placed)
