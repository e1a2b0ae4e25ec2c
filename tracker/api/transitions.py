"""/api/v1/transitions and /api/v1/solutions/{slug}/transitions: every dated change a solution goes through.

Reads are public; writes take a coordinator's or admin's bearer token (policy ``solution.edit``, as solution
edits). PATCH needs
``If-Match`` with the ETag from GET (``"t<version>"``): 428 without, 412 when stale. Vendors, municipalities and
coordinators propose new transitions and changes at ``…/transitions/proposals`` and ``/transitions/{id}/proposals``
(``tracker.api.transition_proposals``), reviewed under ``/api/v1/proposals``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask import Response, jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from tracker.api import solution_writes as writes
from tracker.api.paging import finish_page
from tracker.api.serialize import event_dict
from tracker.api.solutions import HistorySchema
from tracker.api.transition_schemas import (
    LeadTimeInSchema,
    LeadTimeListSchema,
    LeadTimeSchema,
    TransitionCreateSchema,
    TransitionListSchema,
    TransitionPageSchema,
    TransitionPatchSchema,
    TransitionQuerySchema,
    TransitionSchema,
)
from tracker.auth.display import public_label
from tracker.auth.protect import acting_user, requires
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.errors import PreconditionFailed, ValidationError
from tracker.http_cache import CachedResponse, Stamp, json_body, serve_cached
from tracker.i18n import translated as _
from tracker.models import Solution, Transition
from tracker.models.vocab import TransitionKind
from tracker.registry import queries
from tracker.registry import transition_writes as tw
from tracker.registry import transitions as tq
from tracker.registry.actors import Actor
from tracker.review import editing
from tracker.review.changes import flatten

blp = Blueprint(
    "api_transitions", __name__, description="Overgange: hver dateret ændring en løsning gennemgår (issue 22)."
)
VERSION_TAG = re.compile(r"t([0-9]{1,9})")
# The solution columns flatten() gives → the transition's own fields.
_FROM_SOLUTION = {column: field for field, column in tq.NSIS_MIRROR.items()}
# The fields the registry's checks name (a transition's columns; an NSIS login transition's solution columns) →
# the names this API takes them by, so a 422 names what the client sent ("date.status", not "status").
_API_NAMES = {
    "earliest_on": "date.earliest",
    "latest_on": "date.latest",
    "precision": "date.precision",
    "text": "date.text",
    "state": "date.state",
    "status": "date.status",
    "source_kind": "date.source.kind",
    "source_url": "date.source.url",
    "evidence": "date.source.evidence",
    "act_by_on": "act_by",
    "loa_status": "required_loa.status",
    "loa_source_kind": "required_loa.source.kind",
    "loa_source_url": "required_loa.source.url",
    "loa_evidence": "required_loa.source.evidence",
    "replaced_by_solution_id": "replaced_by",
}
_API_NAMES.update({column: _API_NAMES[field] for field, column in tq.NSIS_MIRROR.items() if field in _API_NAMES})
_API_NAMES["loa_value"] = "required_loa"


@contextmanager
def api_field_names() -> Iterator[None]:
    """A 422 from the registry's checks names its fields as this API does (``_API_NAMES``)."""
    try:
        yield
    except ValidationError as exc:
        exc.details = {_API_NAMES.get(field, field): words for field, words in exc.details.items()}
        raise


def _ref(solution: Solution | None) -> dict[str, str] | None:
    return None if solution is None else {"slug": solution.slug, "name": solution.name}


def _source(t: Transition, prefix: str, by: str | None, at: Any) -> dict[str, Any]:
    return {
        "kind": getattr(t, f"{prefix}source_kind"),
        "url": getattr(t, f"{prefix}source_url"),
        "evidence": getattr(t, f"{prefix}evidence"),
        "recorded_by": public_label(by, object_session(t)) or None,
        "recorded_at": at,
    }


def transition_dict(t: Transition) -> dict[str, Any]:
    """A transition as the API, exports and feeds show it."""
    loa = None
    if t.required_loa is not None:
        loa = {
            "value": t.required_loa,
            "status": t.loa_status,
            "source": _source(t, "loa_", t.loa_recorded_by, t.loa_recorded_at),
        }
    return {
        "id": t.id,
        "solution": _ref(t.solution),
        "kind": t.kind,
        "title": t.title,
        "description": t.description,
        "date": {
            "earliest": t.earliest_on,
            "latest": t.latest_on,
            "precision": t.precision,
            "text": t.text,
            "state": t.state,
            "status": t.status,
            "source": _source(t, "", t.recorded_by, t.recorded_at),
        },
        "act_by": t.act_by_on,
        "act_by_derived": t.act_by_derived,
        "required_loa": loa,
        "category": t.category,
        "major": t.major,
        "who_must_act": list(t.who_must_act or []),
        "what_to_do": t.what_to_do,
        "replaced_by": _ref(t.replaced_by),
        "nsis_login": t.nsis_login,
        "version": t.version,
        "updated_at": t.updated_at,
        "url": url_for("api_transitions.TransitionItem", transition_id=t.id, _external=True),
    }


def fields_from(session: Session, data: dict[str, Any], today: date) -> dict[str, Any]:
    """The nested API shape → ``transition_writes`` fields (dates in words read as a solution's are)."""
    data = dict(data)
    nested = {}
    if "date" in data:
        nested["switch_date"] = data.pop("date")
    if "required_loa" in data:
        nested["required_loa"] = data.pop("required_loa")
    try:
        flat = flatten(session, nested, today=today)
    except ValidationError as exc:  # name the fields as this API does
        exc.details = {k.replace("switch_date.", "date.", 1): v for k, v in exc.details.items()}
        raise
    result = {_FROM_SOLUTION[k]: v for k, v in flat.items()}
    if "act_by" in data:
        result["act_by_on"] = data.pop("act_by")
    if "replaced_by" in data:
        slug = data.pop("replaced_by")
        replaced = None if slug is None else session.scalar(select(Solution.id).where(Solution.slug == slug))
        if slug is not None and replaced is None:
            raise ValidationError(_("Nogle felter er ugyldige."), {"replaced_by": _("Ukendt løsning.")})
        result["replaced_by_solution_id"] = replaced
    result.update(data)
    return result


def _response(t: Transition, status: int) -> Response:
    resp = jsonify(TransitionSchema().dump(transition_dict(t)))
    resp.status_code = status
    resp.headers["ETag"] = f'"t{t.version}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _if_match_versions() -> set[int] | None:
    if not request.headers.get("If-Match"):
        raise writes.PreconditionRequired(
            _('Send If-Match med ETag\'en fra GET (fx "t3"), så ingen ændring overskrives ubemærket.')
        )
    if request.if_match.star_tag:
        return None
    versions = {int(m.group(1)) for tag in request.if_match.as_set() if (m := VERSION_TAG.fullmatch(str(tag)))}
    if not versions:
        raise PreconditionFailed(_("If-Match svarer ikke til nogen version af overgangen. Hent den igen."))
    return versions


def _render_page(args: dict[str, Any], stamp: Stamp) -> CachedResponse:
    """One page of the list as JSON, with a weak ETag naming the registry state it shows (every change of a
    transition appends an event, so the state names its transitions too)."""
    limit, offset, order = args.pop("limit"), args.pop("offset"), args.pop("order")
    items, total = tq.list_transitions(
        get_session(), tq.TransitionFilter(**args), limit=limit, offset=offset, order=order
    )
    page = {"items": [transition_dict(t) for t in items], "total": total, "limit": limit, "offset": offset}
    headers = finish_page(page)
    body = json_body(TransitionPageSchema().dump(page))
    return CachedResponse(body, "application/json", f'W/"t{stamp[0]}"', headers=tuple(headers.items()))


def _render_solution_list(slug: str, stamp: Stamp) -> CachedResponse:
    """A solution's transitions as JSON (a 404, not cached, when there is no such solution)."""
    session = get_session()
    solution = queries.get_solution(session, slug)
    rows = tq.transitions_for(session, [solution.id])[solution.id]
    body = json_body(TransitionListSchema().dump({"items": [transition_dict(t) for t in rows]}))
    return CachedResponse(body, "application/json", f'W/"s{stamp[0]}"')


@blp.route("/transitions")
class TransitionList(MethodView):
    """Every transition of every solution."""

    @blp.arguments(TransitionQuerySchema, location="query")
    @blp.response(200, TransitionPageSchema)
    @blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match")
    @requires("public")
    def get(self, args: dict[str, Any]) -> Response:
        """List transitions with filters (kind, category, major, solution, state, after, before, act_by_before,
        q) and paging; ``order=act_by`` sorts by the act-by day. Sends an ETag; If-None-Match gives a 304."""
        key = ("api.transitions", request.host_url, tuple(sorted(args.items())))
        return serve_cached(get_session(), key, lambda stamp: _render_page(dict(args), stamp))


@blp.route("/solutions/<string:slug>/transitions")
class SolutionTransitions(MethodView):
    """One solution's transitions."""

    @blp.response(200, TransitionListSchema)
    @blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match")
    @blp.alt_response(404, schema="Error", description="No such solution")
    @requires("public")
    def get(self, slug: str) -> Response:
        """The solution's transitions by earliest day (unknown last), cancelled ones included. Sends an ETag."""
        key = ("api.solution_transitions", request.host_url, slug)
        return serve_cached(get_session(), key, lambda stamp: _render_solution_list(slug, stamp))

    @blp.arguments(TransitionCreateSchema)
    @blp.response(201, TransitionSchema)
    @writes.documented(blp, 401, 403, 404, 422)
    @requires("solution.edit")
    def post(self, data: dict[str, Any], slug: str) -> Response:
        """Add a transition (coordinators, admins; bearer token). Sends its ETag and Location."""
        user = acting_user()
        session = get_session()
        solution = editing.lock_solution(session, slug)
        data = dict(data)
        reason = data.pop("reason", None)
        fields = fields_from(session, data, today_in_denmark())
        with api_field_names():
            t = tw.create_transition(session, solution, fields, actor=Actor.of(user), reason=reason)
        resp = _response(t, 201)
        resp.headers["Location"] = url_for("api_transitions.TransitionItem", transition_id=t.id, _external=True)
        return resp


@blp.route("/transitions/<int(max=2147483647):transition_id>")
class TransitionItem(MethodView):
    """One transition."""

    @blp.response(200, TransitionSchema)
    @blp.alt_response(404, schema="Error", description="No such transition")
    @requires("public")
    def get(self, transition_id: int) -> Response:
        """One transition; its ETag is what PATCH's If-Match names."""
        resp = _response(tq.get_transition(get_session(), transition_id), 200)
        resp.headers["Cache-Control"] = "no-cache"
        return resp

    @blp.arguments(TransitionPatchSchema)
    @blp.response(200, TransitionSchema)
    @blp.doc(parameters=[{**writes.IF_MATCH_PARAMETER, "description": 'The ETag from GET (e.g. "t3").'}])
    @writes.documented(blp, 401, 403, 404, 412, 422, 428)
    @requires("solution.edit")
    def patch(self, data: dict[str, Any], transition_id: int) -> Response:
        """Change what is sent, in the shape GET returns; needs If-Match with the ETag from GET (412/428)."""
        user = acting_user()
        versions = _if_match_versions()
        session = get_session()
        t = tq.get_transition(session, transition_id)
        editing.lock_solution(session, t.solution.slug)
        data = dict(data)
        reason = data.pop("reason", None)
        changes = fields_from(session, data, today_in_denmark())
        with api_field_names():
            tw.update_transition(session, t, changes, actor=Actor.of(user), reason=reason, accepted_versions=versions)
        return _response(t, 200)


@blp.route("/transitions/<int(max=2147483647):transition_id>/history")
class TransitionHistory(MethodView):
    """A transition's history."""

    @blp.response(200, HistorySchema)
    @blp.alt_response(404, schema="Error", description="No such transition")
    @requires("public")
    def get(self, transition_id: int) -> dict[str, Any]:
        """Every change, newest first; an NSIS login transition's include its solution's date and level changes."""
        session = get_session()
        t = tq.get_transition(session, transition_id)
        return {"items": [event_dict(e) for e in tq.transition_history(session, t)]}


@blp.route("/transition-lead-times")
class LeadTimes(MethodView):
    """Lead time per kind: how long before the earliest day the derived act-by day lies."""

    @blp.response(200, LeadTimeListSchema)
    @requires("public")
    def get(self) -> dict[str, Any]:
        """Days per kind."""
        return {"items": [{"kind": k, "days": d} for k, d in tq.lead_times(get_session()).items()]}


@blp.route(
    "/transition-lead-times/<string:kind>",
    parameters=[{"in": "path", "name": "kind", "schema": {"type": "string", "enum": list(TransitionKind)}}],
)
class LeadTimeItem(MethodView):
    """One kind's lead time."""

    @blp.arguments(LeadTimeInSchema)
    @blp.response(200, LeadTimeSchema)
    @writes.documented(blp, 401, 403, 422)
    @requires("solution.edit")
    def put(self, data: dict[str, Any], kind: str) -> dict[str, Any]:
        """Set a kind's lead time (coordinators, admins); derived act-by days of that kind move with it."""
        user = acting_user()
        tw.set_lead_time(get_session(), kind, data["days"], actor=Actor.of(user))
        return {"kind": kind, "days": data["days"]}
