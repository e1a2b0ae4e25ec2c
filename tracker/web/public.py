"""Public pages: the overview of all solutions and one solution's page with its history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from marshmallow import ValidationError as MarshmallowError

from tracker.api.schemas import SolutionQuerySchema
from tracker.db import get_session
from tracker.errors import ValidationError
from tracker.http_cache import PUBLIC_PAGE, CachedResponse, Stamp, serve_cached, weak_etag
from tracker.registry import queries

bp = Blueprint("web", __name__)

PAGE_SIZE = 100


def _shared_page_allowed() -> bool:
    """Whether this request may get (and fill) the page shared by all anonymous visitors.

    A logged-in user's page names them and carries a CSRF token; a page with flashed messages belongs to one
    visitor (and showing it must consume them). Both are always rendered afresh.
    """
    return not current_user.is_authenticated and "_flashes" not in session


def _render_index(raw: dict[str, str]) -> str:
    """The overview page for the filters ``raw`` (validated here: bad filters are a 400, never cached)."""
    try:
        args = SolutionQuerySchema().load(raw)
    except MarshmallowError as exc:
        raise ValidationError("Filtrene kunne ikke forstås.", exc.normalized_messages()) from exc
    limit, offset = PAGE_SIZE, args.pop("offset")
    args.pop("limit")
    solutions, total = queries.list_solutions(get_session(), queries.SolutionFilter(**args), limit=limit, offset=offset)
    return render_template("index.html", solutions=solutions, total=total, offset=offset, limit=limit, filters=raw)


@bp.get("/")
def index() -> str | Response:
    """The registry by switch date, with the list filters of the API as a plain GET form.

    Anonymous visitors share one rendering per (filters, language, host) while the registry is unchanged;
    only the body is cached, so cookies (``?lang=``) and the security headers are set per response as usual.
    """
    raw = {k: v for k, v in request.args.items() if v and k in SolutionQuerySchema().fields}
    if not _shared_page_allowed():
        return _render_index(raw)
    # Choosing the locale first also remembers ``?lang=`` in the visitor's session, as rendering would.
    key: tuple[Any, ...] = ("web.index", request.host_url, str(get_locale()), tuple(sorted(raw.items())))

    def render(stamp: Stamp) -> CachedResponse:
        return CachedResponse(_render_index(raw).encode(), "text/html", weak_etag("p", (key, stamp)))

    return serve_cached(get_session(), key, render, policy=PUBLIC_PAGE)


@bp.get("/loesninger/<string:slug>")
def solution(slug: str) -> str:
    """One solution: both facts with confidence and source, and its history."""
    session = get_session()
    item = queries.get_solution(session, slug)
    history = queries.solution_history(session, item)
    return render_template("solution.html", solution=item, history=history)
