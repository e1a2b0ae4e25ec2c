"""/api/v1/municipalities/{code}/actions — a municipality's actions: list (filters as the page), one action with
its history, PATCH with If-Match, CSV/XLSX. Private to the municipality's own users (``actions.access``):
anonymous callers 401, everyone else 403, coordinators included (KL sees counts only).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request
from flask.views import MethodView
from flask_babel import force_locale
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from tracker.actions import exports, national, queries, services, views
from tracker.actions.access import ACTION, require_actions_access
from tracker.api import actions_cache
from tracker.api.municipality_data import BINARY, SECURITY, TEXT
from tracker.api.paging import PageSchema, finish_page
from tracker.api.solution_writes import IF_MATCH_PARAMETER, PreconditionRequired
from tracker.auth import api_user
from tracker.auth.protect import requires
from tracker.db import get_session
from tracker.errors import PreconditionFailed
from tracker.http_cache import PRIVATE_DATA, PRIVATE_DOWNLOAD, MunicipalityState, json_body
from tracker.inputs import DAY_PATTERN, LINE_PATTERN, TEXT_PATTERN
from tracker.models import Action, Municipality, User
from tracker.models.actions import ACTION_STATUSES
from tracker.municipalities import queries as municipality_queries

blp = Blueprint(
    "api_actions",
    __name__,
    description="En kommunes handlinger: ansvarlig, status og frist for hver række, der beder kommunen handle — "
    "kun for kommunens egne brugere.",
)
ACTION_TAG = re.compile(r"a([0-9]{1,9})")
LIST_PAGE = 100  # actions per page unless ?limit= says otherwise (as the page's)
# The list's owner filter: 'me', 'none', a user id, or a team's name (one line).
OWNER_FILTER = "^(me|none|[0-9]{1,9}|team:[^\\u0000-\\u001f\\u007f\\u0085\\u2028\\u2029]{1,200})$"


def own_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Declare the operation's policy (M's actions: M's own users only) and document its refusals."""
    view = requires(ACTION)(view)
    view = blp.alt_response(401, schema="Error", description="Not logged in / no valid token")(view)
    view = blp.alt_response(403, schema="Error", description="Not one of this municipality's own users")(view)
    view = blp.alt_response(404, schema="Error", description="No such municipality or action")(view)
    return blp.doc(security=SECURITY)(view)


class TaskQuerySchema(Schema):
    """The list's filters (as the page's)."""

    status = fields.List(fields.String(validate=validate.OneOf(ACTION_STATUSES)), load_default=list)
    owner = fields.String(
        load_default=None,
        validate=validate.Regexp(OWNER_FILTER, error="Skal være 'me', 'none', et bruger-id eller 'team:<navn>'."),
        metadata={"description": "'me', 'none', a user id, or 'team:<name>'", "pattern": OWNER_FILTER},
    )
    due_before = fields.Date(load_default=None)
    due_after = fields.Date(load_default=None)
    overdue = fields.Boolean(load_default=False)
    unread = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=LIST_PAGE, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class TaskOwnerSchema(Schema):
    """The owner: a user of the municipality, or a named team."""

    user_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)
    team = fields.String(allow_none=True)


class TaskSubjectSchema(Schema):
    """What the action responds to: a readiness row (solution, staff group) or a transition."""

    kind = fields.String(required=True, validate=validate.OneOf(("readiness", "transition")))
    key = fields.String(required=True)
    solution = fields.Dict(allow_none=True)
    group = fields.String(allow_none=True)
    transition_id = fields.Integer(allow_none=True)


class TaskChangeSchema(Schema):
    """One line of an action's history."""

    at = fields.DateTime(required=True)
    by = fields.String(required=True)
    changes = fields.Dict(required=True)
    reason = fields.String(allow_none=True)


class TaskSchema(Schema):
    """One action."""

    id = fields.Integer(required=True)
    subject = fields.Nested(TaskSubjectSchema, required=True)
    code = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "What to do, in the reader's language"})
    status = fields.String(required=True, validate=validate.OneOf(ACTION_STATUSES))
    status_label = fields.String(required=True)
    status_reason = fields.String(allow_none=True)
    reopened_reason = fields.String(allow_none=True)
    owner = fields.Nested(TaskOwnerSchema, allow_none=True)
    due = fields.Date(allow_none=True)
    due_is_default = fields.Boolean(required=True)
    act_by = fields.Date(allow_none=True)
    open_in_registry = fields.Boolean(required=True)
    overdue = fields.Boolean(required=True)
    unread = fields.Boolean(required=True)
    note = fields.String(allow_none=True)
    version = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)
    history = fields.List(fields.Nested(TaskChangeSchema))


class TaskSummarySchema(Schema):
    """Progress over all of the municipality's actions."""

    total = fields.Integer(required=True)
    done = fields.Integer(required=True)
    open = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    in_progress = fields.Integer(required=True)
    not_relevant = fields.Integer(required=True)


class TaskListSchema(PageSchema):
    """A page of the municipality's actions, overdue first (``total``: how many the filters select)."""

    items = fields.List(fields.Nested(TaskSchema), required=True)
    summary = fields.Nested(TaskSummarySchema, required=True)


class TaskPatchSchema(Schema):
    """What may change; fields not sent stay as they are."""

    status = fields.String(validate=validate.OneOf(ACTION_STATUSES))
    status_reason = fields.String(
        allow_none=True,
        metadata={
            "description": "Required for not_relevant, blocked (unless the action keeps its reason)",
            "pattern": TEXT_PATTERN,
            "maxLength": services.MAX_REASON,
        },
    )
    owner_user_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "An active user of this municipality who may own actions; not with owner_team",
            "minimum": 1,
            "maximum": services.MAX_ID,
        },
    )
    owner_team = fields.String(
        allow_none=True, validate=validate.Length(max=services.MAX_TEAM), metadata={"pattern": LINE_PATTERN}
    )
    due = fields.Date(
        allow_none=True,
        metadata={"description": "On or before act_by; null: back to act_by", "pattern": DAY_PATTERN},
    )
    note = fields.String(
        allow_none=True, validate=validate.Length(max=services.MAX_NOTE), metadata={"pattern": TEXT_PATTERN}
    )


def action_dict(item: views.ActionView, history: list[Any] | None = None) -> dict[str, Any]:
    """The API shape of one action."""
    a = item.action
    owner = None
    if a.owner is not None:
        owner = {"user_id": a.owner.id, "name": a.owner.name or a.owner.email, "team": None}
    elif a.owner_team:
        owner = {"user_id": None, "name": None, "team": a.owner_team}
    data: dict[str, Any] = {
        "id": a.id,
        "subject": {
            "kind": a.subject_kind,
            "key": a.subject_key,
            "solution": {"slug": item.solution_slug, "name": item.solution_name} if item.solution_slug else None,
            "group": item.group,
            "transition_id": a.transition_id,
        },
        "code": a.code,
        "text": item.title,
        "status": a.status,
        "status_label": item.status_label,
        "status_reason": a.status_reason,
        "reopened_reason": a.reopened_reason,
        "owner": owner,
        "due": a.due_on,
        "due_is_default": a.due_is_default,
        "act_by": a.act_by_on,
        "open_in_registry": a.open_in_registry,
        "overdue": item.overdue,
        "unread": item.unread,
        "note": a.note,
        "version": a.version,
        "updated_at": a.updated_at,
    }
    if history is not None:
        data["history"] = [
            {"at": h.occurred_at, "by": h.actor_label, "changes": h.changes, "reason": h.reason} for h in history
        ]
    return data


def _caller(code: str, *, write: bool = False) -> tuple[Municipality, User]:
    """M and the caller, if the caller may work on M's actions (anonymous: 401; anyone else: 403)."""
    user = api_user(write=write)
    municipality = municipality_queries.get_municipality(get_session(), code)
    return municipality, require_actions_access(user, municipality)


def _cached_caller(code: str) -> tuple[Session, MunicipalityState, User]:
    """M's cache check (the registry stamp and M's fingerprint, one query) and the caller, once the caller is known
    to be one of M's own users (anonymous: 401; anyone else: 403)."""
    user = api_user(write=False)
    session = get_session()
    state = municipality_queries.get_state(session, code)
    return session, state, require_actions_access(user, state)


def _municipality(state: MunicipalityState) -> Municipality:
    found = get_session().get(Municipality, state.id)
    assert found is not None  # its state was read in this transaction a moment ago
    return found


def _export(code: str, extension: str, write: Callable[[views.ActionList], bytes], mimetype: str) -> Response:
    """Every one of M's actions as a download, through the response cache (never kept by the browser)."""
    session, state, user = _cached_caller(code)

    def render() -> actions_cache.Rendered:
        with force_locale("da"):
            return write(views.load(session, _municipality(state), user)), mimetype, {}

    resp = actions_cache.serve(session, state, user, extension, render, policy=PRIVATE_DOWNLOAD)
    if resp.status_code == 200:
        resp.headers["Content-Disposition"] = f'attachment; filename="handlinger-{state.code}.{extension}"'
    return resp


def _item_response(municipality: Municipality, user: User, action: Action) -> Response:
    session = get_session()
    item = views.load_one(session, municipality, user, action)
    services.mark_read(session, action, user)
    resp = jsonify(TaskSchema().dump(action_dict(item, queries.history(session, action))))
    resp.headers["ETag"] = f'"a{action.version}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _filters(args: dict[str, Any]) -> queries.Filters:
    return queries.Filters(
        statuses=tuple(args["status"]),
        owner=args["owner"],
        due_before=args["due_before"],
        due_after=args["due_after"],
        overdue=args["overdue"],
        unread=args["unread"],
    )


@blp.route("/<string:code>/actions")
class ActionList(MethodView):
    """M's actions."""

    @blp.arguments(TaskQuerySchema, location="query")
    @blp.response(200, TaskListSchema)
    @own_only
    def get(self, args: dict[str, Any], code: str) -> Response:
        """M's actions (one per readiness row that asks M to act), overdue first, filtered as asked, a page at a
        time (``limit``/``offset``, ``has_more`` and a ``Link`` rel=next); ``total`` counts what the filters
        select, the summary all of M's actions."""
        session, state, user = _cached_caller(code)

        def render() -> actions_cache.Rendered:
            listed = views.load_page(
                session, _municipality(state), user, filters=_filters(args), limit=args["limit"], offset=args["offset"]
            )
            body: dict[str, Any] = {
                "items": [action_dict(i) for i in listed.items],
                "total": listed.total,
                "limit": args["limit"],
                "offset": args["offset"],
                "summary": listed.summary,
            }
            headers = finish_page(body)
            return json_body(TaskListSchema().dump(body)), "application/json", headers

        return actions_cache.serve(session, state, user, "json", render, policy=PRIVATE_DATA)


def _if_match(action: Action) -> None:
    """428 without If-Match, 412 unless it names the action's current version (or '*')."""
    if not request.headers.get("If-Match"):
        raise PreconditionRequired("api.action_if_match_required")
    if request.if_match.star_tag:
        return
    for tag in request.if_match.as_set():
        match = ACTION_TAG.fullmatch(tag) if isinstance(tag, str) else None
        if match and int(match.group(1)) == action.version:
            return
    raise PreconditionFailed("api.action_changed_meanwhile")


@blp.route("/<string:code>/actions/<int(max=2147483647):action_id>")
class ActionItem(MethodView):
    """One of M's actions."""

    @blp.response(200, TaskSchema)
    @own_only
    def get(self, code: str, action_id: int) -> Response:
        """One action with its history; sends an ETag for PATCH's If-Match, and marks it read for the caller."""
        municipality, user = _caller(code)
        return _item_response(municipality, user, services.get_action(get_session(), municipality, action_id))

    @blp.arguments(TaskPatchSchema)
    @blp.response(200, TaskSchema)
    @blp.alt_response(400, schema="Error", description="Malformed request body")
    @blp.alt_response(412, schema="Error", description="If-Match does not match the current version")
    @blp.alt_response(422, schema="Error", description="Refused input (Danish message, nothing stored)")
    @blp.alt_response(428, schema="Error", description="If-Match is required (send the ETag from GET)")
    @blp.doc(parameters=[IF_MATCH_PARAMETER])
    @own_only
    def patch(self, args: dict[str, Any], code: str, action_id: int) -> Response:
        """Change status (with a reason for not_relevant and blocked), owner, due day or note."""
        municipality, user = _caller(code, write=True)
        session = get_session()
        action = services.get_action(session, municipality, action_id)
        _if_match(action)
        values = dict(args)
        if "due" in values:
            values["due_on"] = values.pop("due")
        services.update_action(session, action, values, user=user)
        return _item_response(municipality, user, action)


@blp.route("/<string:code>/actions.csv")
class ActionsCsv(MethodView):
    """M's actions as CSV."""

    @blp.response(200, TEXT, content_type=exports.CSV_MIMETYPE, description="Semicolon-separated, UTF-8 with BOM")
    @own_only
    def get(self, code: str) -> Response:
        """Every action: what, solution, staff group, owner, status, due day (overdue first)."""
        return _export(code, "csv", exports.to_csv, exports.CSV_MIMETYPE)


@blp.route("/<string:code>/actions.xlsx")
class ActionsXlsx(MethodView):
    """M's actions as XLSX."""

    @blp.response(200, BINARY, content_type=exports.XLSX_MIMETYPE, description="Excel workbook")
    @own_only
    def get(self, code: str) -> Response:
        """Every action as a workbook, with a progress sheet."""
        return _export(code, "xlsx", exports.to_xlsx, exports.XLSX_MIMETYPE)


class TransitionProgressSchema(Schema):
    """One transition's progress over the municipalities: counts only."""

    transition = fields.Dict(required=True, metadata={"description": "{id, title, kind, act_by}"})
    done = fields.Integer(required=True)
    in_progress = fields.Integer(required=True)
    not_started = fields.Integer(required=True)
    not_affected = fields.Integer(required=True)


class NationalActionsSchema(Schema):
    """KL's national view of the municipalities' actions."""

    items = fields.List(fields.Nested(TransitionProgressSchema), required=True)


national_blp = Blueprint(
    "api_national_actions",
    __name__,
    description="KL's landsoverblik over kommunernes handlinger: kun tal, aldrig noter eller ansvarlige.",
)


@national_blp.route("/national/actions")
class NationalActions(MethodView):
    """KL's national view of actions."""

    @national_blp.response(200, NationalActionsSchema)
    @national_blp.alt_response(401, schema="Error", description="Not logged in / no valid token")
    @national_blp.alt_response(403, schema="Error", description="Coordinators and admins only")
    @national_blp.doc(security=SECURITY)
    @requires("national.read")
    def get(self) -> Response:
        """Per transition that asks municipalities or local IdP operators to act: how many municipalities are
        done, in progress, not started or not affected. Counts only, never a note or an owner."""
        items = [
            {
                "transition": {
                    "id": p.transition.id,
                    "title": p.transition.title,
                    "kind": p.transition.kind,
                    "act_by": p.transition.act_by_on.isoformat() if p.transition.act_by_on else None,
                },
                "done": p.done,
                "in_progress": p.in_progress,
                "not_started": p.not_started,
                "not_affected": p.not_affected,
            }
            for p in national.national_progress(get_session())
        ]
        resp = jsonify(NationalActionsSchema().dump({"items": items}))
        resp.headers["Cache-Control"] = "private, no-store"
        return resp
