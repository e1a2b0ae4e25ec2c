"""Feeds and calendars over HTTP: /feeds/… (Atom, RSS) and /calendar/… (iCalendar), with 304 on no change.

A municipality's feed and calendar are private: they need the municipality's feed token (``?token=…``, made
on the municipality's token page) or a logged-in user of the municipality or a coordinator. The token is
checked before anything is taken from the cache, and a private document's cache key holds its municipality.

Rendered documents are kept in the per-worker response cache (``tracker.http_cache``) for as long as the newest
change event stays the same: feed readers and calendar clients poll, the registry changes a few times a day.
What a document shows without a change event (a municipality's IdPs and portfolio, the calendar day, the
host the links name) is part of its key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_

from tracker.auth import current_db_user
from tracker.auth.permissions import may
from tracker.auth.protect import requires
from tracker.broadcast import calendars, feed_tokens, feeds
from tracker.broadcast.subscriptions import SLUG_RE, normalised_code
from tracker.broadcast.transition_calendar import calendar_transitions
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.errors import Forbidden, NotFound, ValidationError
from tracker.http_cache import (
    PRIVATE_DOCUMENT,
    PUBLIC_DOCUMENT,
    MunicipalityState,
    Stamp,
    Validators,
    digest,
    municipality_state,
    selection_validators,
    serve_document,
)
from tracker.links import absolute
from tracker.models import ChangeEvent, Municipality, Solution
from tracker.models.vocab import TransitionCategory, TransitionKind
from tracker.municipalities.names import genitive, official_name
from tracker.municipalities.readiness import municipality_readiness
from tracker.registry import queries

bp = Blueprint("broadcast", __name__)

MIMETYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "ics": "text/calendar",
}


def solution_url(slug: str) -> str:
    """The public page of a solution."""
    return absolute(url_for("web.solution", slug=slug))


def _event_link(event: ChangeEvent) -> str:
    slug = ((event.data or {}).get("solution") or {}).get("slug")
    return solution_url(slug) if slug else absolute(url_for("web.index"))


def _serve(
    key: Hashable,
    make_validators: Callable[[], Validators],
    build: Callable[[], bytes],
    kind: str,
    *,
    private: bool,
    filename: str,
    stamp: Stamp | None = None,
) -> Response:
    """A feed or calendar through the response cache, with 304 on no change (``http_cache.serve_document``)."""
    return serve_document(
        get_session(),
        key,
        make_validators,
        build,
        MIMETYPES[kind],
        policy=PRIVATE_DOCUMENT if private else PUBLIC_DOCUMENT,
        filename=filename,
        headers={"Referrer-Policy": "no-referrer"} if private else None,  # the token is in the URL
        stamp=stamp,
    )


def _private_state(code: str) -> MunicipalityState:
    """M's cache check (one query) if the request carries M's valid token or comes from M's user/a coordinator."""
    session = get_session()
    state = municipality_state(session, normalised_code(code))
    if state is None:
        raise NotFound("municipalities.municipality_not_found", code=code[:10])
    token = request.args.get("token")
    if token:
        if feed_tokens.token_is_valid(session, state.id, token):
            return state
        raise Forbidden("web.feed_token_invalid")
    if may(current_db_user(), "municipality.private", state.id):
        return state
    raise Forbidden(
        _(
            "%(whose)s feed og kalender er private. Brug adressen med kommunens token (?token=…).",
            whose=genitive(state.name),
        )
    )


def transition_filters() -> feeds.TransitionFilters:
    """``?kind=&category=&major=`` of a feed or calendar: only transitions of that kind, category, weight."""
    kind, category, major = (request.args.get(k) for k in ("kind", "category", "major"))
    problems = {}
    if kind is not None and kind not in tuple(TransitionKind):
        problems["kind"] = _("Skal være en af: %(values)s.", values=", ".join(TransitionKind))
    if category is not None and category not in tuple(TransitionCategory):
        problems["category"] = _("Skal være en af: %(values)s.", values=", ".join(TransitionCategory))
    if major is not None and major not in ("true", "false"):
        problems["major"] = _("Skal være true eller false.")
    if problems:
        raise ValidationError(_("Nogle felter er ugyldige."), problems)
    return feeds.TransitionFilters(kind, category, None if major is None else major == "true")


def _feed(
    make_info: Callable[[], tuple[ColumnElement[bool], feeds.FeedInfo]],
    fmt: str,
    *,
    scope: str,
    key: Hashable = (),
    extra: str = "",
    private: bool = False,
    stamp: Stamp | None = None,
) -> Response:
    """A feed, cached per URL and host (plus ``key``); ``make_info`` runs only on a miss (it may 404).

    A caller that has read the registry stamp already (with M's state) passes it in.
    """
    session = get_session()
    where_info: list[tuple[ColumnElement[bool], feeds.FeedInfo]] = []

    filters = transition_filters()

    def selection() -> tuple[ColumnElement[bool], feeds.FeedInfo]:
        if not where_info:
            where, info = make_info()
            where_info.append((and_(where, feeds.transition_events(filters)) if filters else where, info))
        return where_info[0]

    def make_validators() -> Validators:
        return selection_validators(session, selection()[0], scope=f"{scope}.{fmt}", extra=extra)

    def build() -> bytes:
        where, info = selection()
        return feeds.render(info, feeds.recent_events(session, where), _event_link, fmt)

    # The links name the host (when no canonical base is set); of the query string only the filters count.
    cache_key = ("broadcast.feed", request.path, request.host_url, key, filters)
    return _serve(
        cache_key,
        make_validators,
        build,
        fmt,
        private=private,
        filename=f"{scope}.{fmt}",
        stamp=None if filters else stamp,
    )


@bp.get("/feeds/changes.atom", defaults={"fmt": "atom"})
@bp.get("/feeds/changes.rss", defaults={"fmt": "rss"})
@requires("public")
def changes(fmt: str) -> Response:
    """Every accepted change to the registry, newest first."""

    def make_info() -> tuple[ColumnElement[bool], feeds.FeedInfo]:
        return feeds.public_events(), feeds.FeedInfo(
            feed_id="tag:tu-tracker,2026:feed/changes",
            title="TU-tracker: alle ændringer",
            subtitle="Ændringer af TU-løsningers skæringsdato og krævede sikringsniveau, med kilde.",
            self_url=absolute(request.path),
            alternate_url=absolute(url_for("web.index")),
        )

    return _feed(make_info, fmt, scope="changes")


@bp.get("/feeds/solutions/<string:slug>.atom", defaults={"fmt": "atom"})
@bp.get("/feeds/solutions/<string:slug>.rss", defaults={"fmt": "rss"})
@requires("public")
def solution_feed(slug: str, fmt: str) -> Response:
    """One solution's changes."""
    if not SLUG_RE.match(slug):
        raise NotFound("registry.solution_not_found", slug=slug[:80])

    def make_info() -> tuple[ColumnElement[bool], feeds.FeedInfo]:
        # Only on a miss: a hit was rendered for this slug at this stamp, so the solution still exists.
        solution: Solution = queries.get_solution(get_session(), slug)
        return feeds.solution_events(solution), feeds.FeedInfo(
            feed_id=f"tag:tu-tracker,2026:feed/solution/{solution.id}",
            title=f"TU-tracker: {solution.name}",
            subtitle=f"Ændringer af {solution.name}s skæringsdato og krævede sikringsniveau.",
            self_url=absolute(request.path),
            alternate_url=solution_url(solution.slug),
        )

    return _feed(make_info, fmt, scope=f"solution-{slug}")


@bp.get("/feeds/municipalities/<string:code>.atom", defaults={"fmt": "atom"})
@bp.get("/feeds/municipalities/<string:code>.rss", defaults={"fmt": "rss"})
@requires("municipality.feed")
def municipality_feed(code: str, fmt: str) -> Response:
    """A municipality's private feed: its portfolio's changes and its own readiness changes."""
    state = _private_state(code)  # before the cache: nothing private without the right token
    token = request.args.get("token") or ""

    def make_info() -> tuple[ColumnElement[bool], feeds.FeedInfo]:
        session = get_session()
        municipality = session.get(Municipality, state.id)
        assert municipality is not None  # read in this transaction a moment ago
        return feeds.municipality_events(municipality, feeds.portfolio_ids(session, municipality)), feeds.FeedInfo(
            feed_id=f"tag:tu-tracker,2026:feed/municipality/{municipality.code}",
            title=f"TU-tracker: {official_name(municipality)}",
            subtitle=f"Ændringer for løsningerne i {municipality.name}s portefølje og kommunens parathed.",
            # rel=self must be the address the reader subscribed to, token included, or it stops working.
            self_url=absolute(request.path + (f"?{urlencode({'token': token})}" if token else "")),
            alternate_url=absolute(url_for("web.index")),
        )

    # The portfolio changes without a change event: M's fingerprint (read with M and the stamp in one query)
    # is part of the key and of the ETag. The token too, since the body names it (rel=self): one token's feed
    # is never served to another's holder.
    return _feed(
        make_info,
        fmt,
        scope=f"municipality-{state.code}",
        key=(state.id, state.name, state.fingerprint, hashlib.sha256(token.encode()).hexdigest()),
        extra=state.fingerprint,
        private=True,
        stamp=state.stamp,
    )


@bp.get("/calendar/solutions.ics")
@requires("public")
def solutions_calendar() -> Response:
    """Every known switch as an all-day event, with reminders 30 and 7 days ahead."""
    session = get_session()
    filters = transition_filters()

    def make_validators() -> Validators:
        return selection_validators(session, feeds.public_events(), scope="calendar-solutions", extra=repr(filters))

    def build() -> bytes:
        # Narrowed to transitions (?kind=…), the calendar holds only their events.
        return calendars.render(
            session,
            [] if filters else calendars.dated_solutions(session),
            name="TU-tracker: skæringsdatoer",
            description="Hvornår TU-løsningerne skifter login og krævet sikringsniveau.",
            page_url=lambda s: solution_url(s.slug),
            base_url=current_app.config.get("BASE_URL"),
            transitions=calendar_transitions(
                session, kind=filters.kind, category=filters.category, major=filters.major
            ),
        )

    key = ("broadcast.calendar", request.path, request.host_url, filters)
    return _serve(key, make_validators, build, "ics", private=False, filename="tu-tracker.ics")


@bp.get("/calendar/municipalities/<string:code>.ics")
@requires("municipality.feed")
def municipality_calendar(code: str) -> Response:
    """The switches of a municipality's portfolio, each with what it means for the municipality's staff."""
    state = _private_state(code)  # before the cache: nothing private without the right token
    session = get_session()
    # Readiness moves with IdPs, the portfolio and the calendar day, not only with events: all are in the key,
    # and the ETag is the key's hash, so a client that is current gets its 304 without a render. The stamp and
    # the fingerprint came with M in one query.
    today = today_in_denmark()
    stamp = state.stamp
    key = (
        "broadcast.calendar",
        state.id,
        state.name,
        today.isoformat(),
        request.host_url,
        stamp,
        state.fingerprint,
    )
    validators = Validators(etag="c" + digest(key), last_modified=None)

    def build() -> bytes:
        municipality = session.get(Municipality, state.id)
        assert municipality is not None  # read in this transaction a moment ago
        readiness = municipality_readiness(session, municipality, today=today)
        solution_ids = sorted({row.solution.id for row in readiness.rows})
        return calendars.render(
            session,
            calendars.dated_solutions(session, solution_ids),
            name=f"TU-tracker: {official_name(municipality)}",
            description=f"Skæringsdatoer for løsningerne i {municipality.name}s portefølje og hvad de betyder for jer.",
            page_url=lambda s: solution_url(s.slug),
            readiness=readiness,
            base_url=current_app.config.get("BASE_URL"),
            transitions=calendar_transitions(session, solution_ids),
            solution_url=solution_url,
        )

    return _serve(
        key,
        lambda: validators,
        build,
        "ics",
        private=True,
        filename=f"tu-tracker-{state.code}.ics",
        stamp=stamp,
    )
