"""Public pages: the overview of all solutions and one solution's page with its history."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from marshmallow import ValidationError as MarshmallowError

from tracker.api.schemas import SolutionQuerySchema
from tracker.db import get_session
from tracker.errors import ValidationError
from tracker.registry import queries

bp = Blueprint("web", __name__)

PAGE_SIZE = 100


@bp.get("/")
def index() -> str:
    """The registry by switch date, with the list filters of the API as a plain GET form."""
    raw = {k: v for k, v in request.args.items() if v and k in SolutionQuerySchema().fields}
    try:
        args = SolutionQuerySchema().load(raw)
    except MarshmallowError as exc:
        raise ValidationError("Filtrene kunne ikke forstås.", exc.normalized_messages()) from exc
    limit, offset = PAGE_SIZE, args.pop("offset")
    args.pop("limit")
    solutions, total = queries.list_solutions(get_session(), queries.SolutionFilter(**args), limit=limit, offset=offset)
    return render_template("index.html", solutions=solutions, total=total, offset=offset, limit=limit, filters=raw)


@bp.get("/loesninger/<string:slug>")
def solution(slug: str) -> str:
    """One solution: both facts with confidence and source, and its history."""
    session = get_session()
    item = queries.get_solution(session, slug)
    history = queries.solution_history(session, item)
    return render_template("solution.html", solution=item, history=history)
