"""Feeds and calendars over HTTP: /feeds/… (Atom, RSS) and /calendar/… (iCalendar), with 304 on no change.

A municipality's feed and calendar are private: they need the municipality's feed token (``?token=…``, made
on the municipality's token page) or a logged-in user of the municipality or a coordinator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request, url_for
from sqlalchemy import ColumnElement

from tracker.auth import current_db_user
from tracker.auth.permissions import can_see_municipality
from tracker.broadcast import calendars, feed_tokens, feeds
from tracker.broadcast.subscriptions import SLUG_RE, municipality_by_code
from tracker.db import get_session
from tracker.errors import Forbidden, NotFound
from tracker.models import ChangeEvent, Municipality, Solution
from tracker.municipalities.readiness import municipality_readiness
from tracker.registry import queries

bp = Blueprint("broadcast", __name__)

MIMETYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "ics": "text/calendar",
}


def absolute(path: str) -> str:
    """An absolute URL on the canonical base (``TRACKER_BASE_URL``), whatever Host the request came with."""
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    return f"{base}{path}" if base else request.host_url.rstrip("/") + path


def solution_url(slug: str) -> str:
    """The public page of a solution."""
    return absolute(url_for("web.solution", slug=slug))


def _event_link(event: ChangeEvent) -> str:
    slug = ((event.data or {}).get("solution") or {}).get("slug")
    return solution_url(slug) if slug else absolute(url_for("web.index"))


def _conditional(
    validators: feeds.Validators, build: Callable[[], bytes], kind: str, *, private: bool, filename: str
) -> Response:
    """Answer 304 when the client's copy is current; otherwise build the document."""
    headers = {
        "ETag": f'"{validators.etag}"',
        "Cache-Control": "private, no-cache" if private else "public, no-cache",
    }
    if private:
        headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    last_modified = validators.last_modified.replace(microsecond=0) if validators.last_modified else None
    if request.if_none_match:
        fresh = request.if_none_match.contains_weak(validators.etag)
    else:
        since = request.if_modified_since
        fresh = last_modified is not None and since is not None and last_modified <= since
    if fresh:
        resp = Response(status=304, headers=headers)
    else:
        resp = Response(build(), mimetype=MIMETYPES[kind], headers=headers)
        resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if last_modified is not None:
        resp.last_modified = last_modified
    return resp


def _private_municipality(code: str) -> Municipality:
    """The municipality if the request carries its valid token or comes from one of its users/a coordinator."""
    session = get_session()
    municipality = municipality_by_code(session, code)
    if municipality is None:
        raise NotFound(f"Der findes ingen kommune med kode '{code[:10]}'.")
    token = request.args.get("token")
    if token:
        if feed_tokens.token_is_valid(session, municipality, token):
            return municipality
        raise Forbidden(
            "Tokenet i feed-adressen er ugyldigt eller tilbagekaldt. Bed en bruger i kommunen om en ny adresse "
            "fra siden 'Private feeds og kalender'."
        )
    if can_see_municipality(current_db_user(), municipality.id):
        return municipality
    raise Forbidden(f"{municipality.name}s feed og kalender er private. Brug adressen med kommunens token (?token=…).")


def _feed(
    where: ColumnElement[bool], info: feeds.FeedInfo, fmt: str, *, scope: str, extra: str = "", private: bool = False
) -> Response:
    session = get_session()
    validators = feeds.validators(session, where, scope=f"{scope}.{fmt}", extra=extra)

    def build() -> bytes:
        return feeds.render(info, feeds.recent_events(session, where), _event_link, fmt)

    return _conditional(validators, build, fmt, private=private, filename=f"{scope}.{fmt}")


@bp.get("/feeds/changes.atom", defaults={"fmt": "atom"})
@bp.get("/feeds/changes.rss", defaults={"fmt": "rss"})
def changes(fmt: str) -> Response:
    """Every accepted change to the registry, newest first."""
    info = feeds.FeedInfo(
        feed_id="tag:tu-tracker,2026:feed/changes",
        title="TU-tracker: alle ændringer",
        subtitle="Ændringer af TU-løsningers skæringsdato og krævede sikringsniveau, med kilde.",
        self_url=absolute(request.path),
        alternate_url=absolute(url_for("web.index")),
    )
    return _feed(feeds.public_events(), info, fmt, scope="changes")


@bp.get("/feeds/solutions/<string:slug>.atom", defaults={"fmt": "atom"})
@bp.get("/feeds/solutions/<string:slug>.rss", defaults={"fmt": "rss"})
def solution_feed(slug: str, fmt: str) -> Response:
    """One solution's changes."""
    if not SLUG_RE.match(slug):
        raise NotFound(f"Der findes ingen løsning med slug '{slug[:80]}'.")
    solution: Solution = queries.get_solution(get_session(), slug)
    info = feeds.FeedInfo(
        feed_id=f"tag:tu-tracker,2026:feed/solution/{solution.id}",
        title=f"TU-tracker: {solution.name}",
        subtitle=f"Ændringer af {solution.name}s skæringsdato og krævede sikringsniveau.",
        self_url=absolute(request.path),
        alternate_url=solution_url(solution.slug),
    )
    return _feed(feeds.solution_events(solution), info, fmt, scope=f"solution-{solution.slug}")


@bp.get("/feeds/municipalities/<string:code>.atom", defaults={"fmt": "atom"})
@bp.get("/feeds/municipalities/<string:code>.rss", defaults={"fmt": "rss"})
def municipality_feed(code: str, fmt: str) -> Response:
    """A municipality's private feed: its portfolio's changes and its own readiness changes."""
    municipality = _private_municipality(code)
    ids = feeds.portfolio_ids(get_session(), municipality)
    info = feeds.FeedInfo(
        feed_id=f"tag:tu-tracker,2026:feed/municipality/{municipality.code}",
        title=f"TU-tracker: {municipality.name} Kommune",
        subtitle=f"Ændringer for løsningerne i {municipality.name}s portefølje og kommunens parathed.",
        self_url=absolute(request.path),
        alternate_url=absolute(url_for("web.index")),
    )
    return _feed(
        feeds.municipality_events(municipality, ids),
        info,
        fmt,
        scope=f"municipality-{municipality.code}",
        extra=",".join(map(str, ids)),
        private=True,
    )


@bp.get("/calendar/solutions.ics")
def solutions_calendar() -> Response:
    """Every known switch as an all-day event, with reminders 30 and 7 days ahead."""
    session = get_session()
    validators = feeds.validators(session, feeds.public_events(), scope="calendar-solutions")

    def build() -> bytes:
        return calendars.render(
            session,
            calendars.dated_solutions(session),
            name="TU-tracker: skæringsdatoer",
            description="Hvornår TU-løsningerne skifter login og krævet sikringsniveau.",
            page_url=lambda s: solution_url(s.slug),
        )

    return _conditional(validators, build, "ics", private=False, filename="tu-tracker.ics")


@bp.get("/calendar/municipalities/<string:code>.ics")
def municipality_calendar(code: str) -> Response:
    """The switches of a municipality's portfolio, each with what it means for the municipality's staff."""
    municipality = _private_municipality(code)
    session = get_session()
    readiness = municipality_readiness(session, municipality)
    body = calendars.render(
        session,
        calendars.dated_solutions(session, [row.solution.id for row in readiness.rows]),
        name=f"TU-tracker: {municipality.name} Kommune",
        description=f"Skæringsdatoer for løsningerne i {municipality.name}s portefølje og hvad de betyder for jer.",
        page_url=lambda s: solution_url(s.slug),
        readiness=readiness,
    )
    # Readiness moves with IdPs, the portfolio and the calendar day, not only with events: hash the file.
    validators = feeds.Validators(etag="c" + hashlib.sha256(body).hexdigest()[:24], last_modified=None)
    return _conditional(validators, lambda: body, "ics", private=True, filename=f"tu-tracker-{municipality.code}.ics")
