""" "Vores handlinger": a municipality's actions — list with filters (overdue first), bulk changes, one action
with its history and form, and the private calendar of due days. Plain forms (no JavaScript needed), DKFDS
markup, Danish first. For the municipality's own users only (``tracker.actions.access``): anonymous visitors
are sent to log in, everyone else (KL's coordinators included) is refused.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask import session as web_session
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from tracker.actions import calendar, queries, services, views
from tracker.actions.access import ACTION, actions_token_owner, require_actions_access
from tracker.actions.texts import FIELD_LABELS
from tracker.auth import current_db_user
from tracker.auth.protect import requires
from tracker.clock import DANISH_TIME
from tracker.db import get_session
from tracker.errors import AppError, Forbidden, Unauthorized, ValidationError
from tracker.http_cache import PRIVATE_DATA, CachedResponse, Stamp, serve_cached, weak_etag
from tracker.models import ActionChange, Municipality, User
from tracker.models.actions import ACTION_STATUSES
from tracker.municipalities import queries as municipality_queries
from tracker.vocabulary import ACTION_STATUS_LABELS
from tracker.web.guards import send_anonymous_to_login, web_user
from tracker.web.private_cache import private_page_key

bp = Blueprint("handlinger", __name__)
send_anonymous_to_login(bp)

Page = str | tuple[str, int]
FIELD_PREFIX = "f-"
LIST_PAGE = 100  # actions per page of the list (as the portfolio's); the exports and the calendar hold every one
PAGE_PARAM = "side"


def _mine(code: str) -> tuple[Municipality, User]:
    """M and the user, if the user is one of M's own (anonymous: to the login page; others: 403)."""
    user = web_user()
    municipality = municipality_queries.get_municipality(get_session(), code)
    return municipality, require_actions_access(user, municipality, web=True)


def _day(text: str | None, errors: dict[str, str], field: str) -> date | str | None:
    """A date field of a form: '' is none, a bad date an error (the service checks the range)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = _("Skal være en gyldig dato (ÅÅÅÅ-MM-DD).")
        return text


def form_values(form: MultiDict[str, str], *, bulk: bool = False) -> dict[str, Any]:
    """The service's values from a posted form; in bulk, an empty field means 'leave as it is'."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    status = form.get("status", "")
    if status:
        values["status"] = status
    if form.get("status_reason", "").strip() or (status and not bulk):
        values["status_reason"] = form.get("status_reason") or None
    owner, team = form.get("owner", ""), form.get("owner_team", "").strip()
    if team:
        values["owner_team"] = team
    elif owner == "none" or (owner == "" and not bulk):
        values["owner_user_id"], values["owner_team"] = None, None
    elif owner.startswith("team:"):
        values["owner_team"] = owner.removeprefix("team:")
    elif owner.isdigit():
        values["owner_user_id"] = int(owner)
    elif owner:
        errors["owner"] = _("Ukendt ansvarlig.")
    due = _day(form.get("due"), errors, "due_on")
    if due is not None or not bulk:
        values["due_on"] = due if due is not None else services.DEFAULT
    if not bulk:
        values["note"] = form.get("note") or None
    if errors:
        raise ValidationError(_("Handlingen blev ikke gemt: ret de markerede felter."), errors)
    return values


def _filters(args: MultiDict[str, str]) -> tuple[queries.Filters, dict[str, Any]]:
    errors: dict[str, str] = {}
    statuses = tuple(s for s in args.getlist("status") if s in ACTION_STATUSES)
    due_before = _day(args.get("due_before"), errors, "due_before")
    filters = queries.Filters(
        statuses=statuses,
        owner=args.get("owner") or None,
        due_before=due_before if isinstance(due_before, date) else None,
        overdue=args.get("overdue") == "1",
        unread=args.get("unread") == "1",
    )
    shown = {
        "status": statuses,
        "owner": args.get("owner", ""),
        "due_before": args.get("due_before", ""),
        "overdue": filters.overdue,
        "unread": filters.unread,
    }
    return filters, shown


def _page_number() -> int:
    raw = request.args.get(PAGE_PARAM, "1")
    return max(int(raw), 1) if raw.isdigit() and len(raw) < 6 else 1


def _with_filters(base: str, **override: str) -> str:
    """``base`` with this request's query kept whole (every status ticked, the owner, the due day, the page)."""
    args = request.args.to_dict(flat=False)
    args.update({name: [value] for name, value in override.items()})
    return f"{base}?{urlencode(args, doseq=True)}" if args else base


def _page_links(code: str, pages: int) -> list[tuple[int, str]]:
    """Each page's address, the filters kept."""
    base = url_for("handlinger.list_page", code=code)
    return [(n, _with_filters(base, **{PAGE_PARAM: str(n)}) + "#handlinger") for n in range(1, pages + 1)]


def _list_page(municipality: Municipality, user: User, status: int = 200, **extra: Any) -> Page:
    session = get_session()
    filters, shown = _filters(request.args)
    number = _page_number()
    listed = views.load_page(
        session, municipality, user, filters=filters, limit=LIST_PAGE, offset=(number - 1) * LIST_PAGE
    )
    pages = max(1, -(-listed.total // LIST_PAGE))
    if number > pages:  # past the end (the list got shorter): the last page
        number = pages
        listed = views.load_page(
            session, municipality, user, filters=filters, limit=LIST_PAGE, offset=(number - 1) * LIST_PAGE
        )
    html = render_template(
        "actions/list.html",
        municipality=municipality,
        listed=listed,
        pager={"number": number, "pages": pages, "links": _page_links(municipality.code, pages) if pages > 1 else []},
        shown=shown,
        statuses=[(s, ACTION_STATUS_LABELS[s]) for s in ACTION_STATUSES],
        users=queries.owner_choices(session, municipality),
        teams=queries.teams(session, municipality),
        me=user,
        bulk_action=_with_filters(url_for("handlinger.bulk_change", code=municipality.code)),
        error_field_prefix=FIELD_PREFIX,
        **extra,
    )
    return html, status


def _municipality(municipality_id: int) -> Municipality:
    found = get_session().get(Municipality, municipality_id)
    assert found is not None  # its state was read in this transaction a moment ago
    return found


@bp.get("/kommuner/<string:code>/handlinger")
@requires(ACTION)
def list_page(code: str) -> Page | Response:
    """Vores handlinger: filters (status, owner, due), overdue first, progress, bulk changes, exports.

    Served from the response cache (gzip-compressed) as M's page is: the key holds the user, the session's CSRF
    token, the language, host, URL and day, M's fingerprint and the registry stamp (an action's change appends
    an event), and what the list reads besides (M's actions, the user's reads, M's users). A page with a
    one-time message (a flash) is rendered and not kept."""
    session = get_session()
    state = municipality_queries.get_state(session, code)
    user = require_actions_access(web_user(), state, web=True)
    if "_flashes" in web_session:
        return _list_page(_municipality(state.id), user)
    key = private_page_key("handlinger.list", state, user, queries.list_fingerprint(session, state.id, user))

    def make(stamp: Stamp) -> CachedResponse:
        page = _list_page(_municipality(state.id), user)
        html = page[0] if isinstance(page, tuple) else page
        return CachedResponse(html.encode(), "text/html", weak_etag("h", (key, stamp)))

    return serve_cached(session, key, make, policy=PRIVATE_DATA, stamp=state.stamp)


@bp.post("/kommuner/<string:code>/handlinger")
@requires(ACTION)
def bulk_change(code: str) -> Page | BaseResponse:
    """The same change to the chosen actions; all or nothing."""
    municipality, user = _mine(code)
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    try:
        values = form_values(request.form, bulk=True)
        if not values:
            raise ValidationError(_("Vælg, hvad der skal ændres."), {"status": _("Vælg en ændring.")})
        changed = services.bulk_update(get_session(), municipality, ids, values, user=user)
    except (Forbidden, Unauthorized):
        raise
    except AppError as exc:
        return _list_page(municipality, user, exc.status, error=exc, posted=request.form)
    flash(_("%(num)d handlinger er ændret.", num=len(changed)), "success")
    return redirect(_with_filters(url_for("handlinger.list_page", code=municipality.code)), code=303)


def history_lines(changes: list[ActionChange]) -> list[dict[str, Any]]:
    """The history newest first, in words: Danish time, who, 'field: before → after', why."""
    lines = []
    for change in reversed(changes):
        parts = []
        for field, (before, after) in (change.changes or {}).items():
            if field not in FIELD_LABELS:
                continue  # the registry's bookkeeping (act-by, level, open) is said by the reason
            if field == "status":
                before, after = ACTION_STATUS_LABELS.get(before, before), ACTION_STATUS_LABELS.get(after, after)
            parts.append(
                (str(FIELD_LABELS[field]), before if before is not None else "–", after if after is not None else "–")
            )
        lines.append(
            {
                "iso": change.occurred_at.isoformat(),
                "when": change.occurred_at.astimezone(DANISH_TIME).strftime("%Y-%m-%d %H:%M"),
                "by": change.actor_label,
                "parts": parts,
                "reason": change.reason,
            }
        )
    return lines


def _item_page(municipality: Municipality, user: User, action_id: int, status: int = 200, **extra: Any) -> Page:
    session = get_session()
    action = services.get_action(session, municipality, action_id)
    item = views.load_one(session, municipality, user, action)
    services.mark_read(session, action, user)
    html = render_template(
        "actions/item.html",
        municipality=municipality,
        item=item,
        history=history_lines(queries.history(session, action)),
        statuses=[(s, ACTION_STATUS_LABELS[s]) for s in ACTION_STATUSES],
        users=queries.owner_choices(session, municipality),
        teams=queries.teams(session, municipality),
        error_field_prefix=FIELD_PREFIX,
        **extra,
    )
    return html, status


@bp.get("/kommuner/<string:code>/handlinger/<int(max=2147483647):action_id>")
@requires(ACTION)
def item_page(code: str, action_id: int) -> Page:
    """One action: what to do, its form and its history (marked read)."""
    municipality, user = _mine(code)
    return _item_page(municipality, user, action_id)


@bp.post("/kommuner/<string:code>/handlinger/<int(max=2147483647):action_id>")
@requires(ACTION)
def save(code: str, action_id: int) -> Page | BaseResponse:
    """Save status, reason, owner, due day and note; a refusal shows the form again with the errors (422)."""
    municipality, user = _mine(code)
    session = get_session()
    action = services.get_action(session, municipality, action_id)
    try:
        services.update_action(session, action, form_values(request.form), user=user)
    except (Forbidden, Unauthorized):
        raise
    except AppError as exc:
        return _item_page(municipality, user, action_id, exc.status, error=exc, posted=request.form)
    flash(_("Handlingen er gemt."), "success")
    return redirect(url_for("handlinger.item_page", code=municipality.code, action_id=action.id), code=303)


@bp.get("/kommuner/<string:code>/handlinger.ics")
@requires("public")  # the feed token (or M's own login) is checked in the view
def calendar_file(code: str) -> Response:
    """The municipality's private calendar of due days: one event per open action with a due day (stable UID,
    SEQUENCE = the action's version). A feed token made by one of M's own users (``?token=``) or M's own
    logged-in user; nobody else."""
    session = get_session()
    municipality = municipality_queries.get_municipality(session, code)
    owner = actions_token_owner(session, municipality, request.args.get("token"))
    user = owner or current_db_user()
    if owner is None and user is None and request.args.get("token"):
        raise Forbidden(_("Kalender-adressen er ikke gyldig for kommunens handlinger."))
    user = require_actions_access(user, municipality)
    listed = views.load(session, municipality, user)
    body = calendar.render(municipality, listed, base_url=current_app.config.get("BASE_URL"))
    resp = Response(body, mimetype="text/calendar")
    resp.headers["Content-Disposition"] = f'inline; filename="handlinger-{municipality.code}.ics"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
