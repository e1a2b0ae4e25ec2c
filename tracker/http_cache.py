"""The HTTP cache, one home for it: policies, validators, stamps, the per-worker response cache, 304s.

One function per concern, used by every route that caches (the solutions API, the readiness API and exports,
the overview page, feeds and calendars):

- ``cache_control(kind)`` — each kind of response's Cache-Control, and ``decide`` — the after-request policy
  that makes anonymous public GETs ``public`` (for nginx in front), keeps the personal private and secrets
  ``no-store``, with ``Vary``;
- ``digest`` / ``weak_etag`` / ``Validators`` — ETags that name a key and a state;
- ``registry_stamp``, ``selection_validators``, ``municipality_state`` (M, stamp and ``data_version`` in one
  query), ``national_fingerprint`` — what tells whether a rendering holds;
- ``ResponseCache`` / ``response_cache`` — the per-worker LRU of rendered bodies;
- ``respond`` / ``serve_cached`` (ETag only) and ``conditional`` / ``serve_document`` (ETag and Last-Modified).

Every write to the registry appends a change event in its own transaction (``registry.services`` →
``registry.events.append_event``), so the newest event is a version stamp of everything the registry's
read paths show: one primary-key lookup tells a worker whether what it rendered before still holds.
Under polling (98 municipalities' systems asking the same questions, changes a few times a day) nearly
every read becomes that lookup plus a dictionary hit, and a matching ``If-None-Match`` a bodiless 304.

Only cache what depends on the registry and the request URL alone: never per-user pages, never anything
that changes without a change event (put such data in the key, or append an event when it changes).
Each gunicorn worker keeps its own cache; the stamp keeps them all correct without talking to each other.
The caller checks who may see something *before* asking here: the cache does not know users.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from flask import Flask, Response, current_app, request, session
from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import Session
from werkzeug.http import unquote_etag

from tracker.models import ChangeEvent, Municipality

# --- Cache-Control: one policy per kind of response (change a policy here, and only here) -----------------

REGISTRY = "registry"  # public JSON of the registry (solutions list and items)
PUBLIC_PAGE = "public-page"  # the overview page shared by anonymous visitors
PUBLIC_DOCUMENT = "public-document"  # public feeds and calendars
PRIVATE_DOCUMENT = "private-document"  # a municipality's feed and calendar (token in the URL)
PRIVATE_DATA = "private-data"  # a municipality's readiness JSON
PRIVATE_DOWNLOAD = "private-download"  # a municipality's readiness exports (CSV, XLSX)

# ``no-cache`` lets clients keep the body but ask every time, so they see a change at once. Private data: a
# shared cache must never keep it; the browser may, but must ask each time (exports: not even keep it).
_CACHE_CONTROL = {
    REGISTRY: "no-cache",
    PUBLIC_PAGE: "private, no-cache",
    PUBLIC_DOCUMENT: "public, no-cache",
    PRIVATE_DOCUMENT: "private, no-cache",
    PRIVATE_DATA: "private, no-cache",
    PRIVATE_DOWNLOAD: "private, no-store",
}


def cache_control(kind: str) -> str:
    """The ``Cache-Control`` header for a kind of response (``REGISTRY``, ``PUBLIC_PAGE``, …)."""
    return _CACHE_CONTROL[kind]


# --- Who may keep a response, and how long: applied to every response after its view ------------------------
# Anonymous GETs of ``PUBLIC_ENDPOINTS``: public with max-age and stale-while-revalidate (nginx in front answers
# the pollers), ``Vary`` so no cache serves them to a token holder or a logged-in visitor. Writes, live answers
# and responses that show a secret (their views say ``no-store``; never weakened): ``no-store``. All else:
# ``private, no-cache``. Anonymous: no ``Authorization``, no session or remember-me cookie, none set.

# Endpoints whose anonymous GET is the same for every anonymous reader (by URL, language and host).
PUBLIC_ENDPOINTS = frozenset({
    "web.index", "web.solution", "kommuner.index", "kommuner.upcoming", "sources.index", "sources.detail",
    "broadcast.changes", "broadcast.solution_feed", "broadcast.solutions_calendar", "static",
    "api_solutions.SolutionList", "api_solutions.SolutionItem", "api_solutions.SolutionHistory",
    "api_overview.UpcomingSwitches", "api_overview.PopularSolutions", "api_municipalities.MunicipalityList",
    "api_municipalities.MunicipalityItem", "api_sources.SourceList", "api_sources.SourceItem",
    "api_events.EventLog", "api-docs.openapi_json",
})  # fmt: skip
# Live answers that a cache must never hold: monitoring has to see the state of this very moment.
LIVE_ENDPOINTS = frozenset({"health.healthz", "metrics"})
PUBLIC_STATUSES = frozenset({200, 304})
NO_STORE = "no-store"
PERSONAL = "private, no-cache"


def _anonymous(app: Flask, response: Response) -> bool:
    """No credentials on the request, and nothing personal (a cookie) on the response."""
    if "Authorization" in request.headers or "Set-Cookie" in response.headers:
        return False
    names = (app.config["SESSION_COOKIE_NAME"], app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    # Flask writes the session cookie after this hook: a session this request changed (``?lang=``, a flash) is
    # about to become a cookie.
    return not any(name in request.cookies for name in names) and not session.modified


def decide(app: Flask, response: Response) -> None:
    """Set ``Cache-Control`` and ``Vary`` on ``response`` by the rules above."""
    headers = response.headers
    current = headers.get("Cache-Control", "")
    endpoint = request.endpoint or ""
    api = request.path.startswith("/api/")
    vary = response.vary
    if api:
        vary.add("Authorization")
    if NO_STORE in current:
        return
    if request.method not in ("GET", "HEAD") or endpoint in LIVE_ENDPOINTS:
        headers["Cache-Control"] = NO_STORE
        return
    if endpoint in PUBLIC_ENDPOINTS:
        # The same URL answers a token holder or a logged-in visitor differently: caches must tell them apart.
        vary.add("Authorization")
        vary.add("Cookie")
        if response.mimetype == "text/html":
            vary.add("Accept-Language")
        if response.status_code in PUBLIC_STATUSES and _anonymous(app, response):
            max_age, stale = int(app.config["PUBLIC_MAX_AGE"]), int(app.config["PUBLIC_STALE_SECONDS"])
            headers["Cache-Control"] = f"public, max-age={max_age}, stale-while-revalidate={stale}"
            return
    elif not api:
        vary.add("Cookie")
    if "private" not in current:
        headers["Cache-Control"] = PERSONAL


def init_app(app: Flask) -> None:
    """Decide every response's caching last (register before ``security``: after-request hooks run in reverse)."""

    @app.after_request
    def _cache_policy(response: Response) -> Response:
        decide(app, response)
        return response


# --- Validators: digests and ETags ---------------------------------------------------------------------------


def digest(value: Hashable, length: int = 24) -> str:
    """A short hex digest of a cache key (or of a key and a stamp): equal keys, equal digests."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:length]


def weak_etag(prefix: str, value: Hashable) -> str:
    """A weak ETag naming ``value`` (typically ``(key, stamp)``): never reused for another key or state."""
    return f'W/"{prefix}{digest(value)}"'


@dataclass(frozen=True)
class Validators:
    """What a conditional GET of a document compares: an ETag (unquoted) and a Last-Modified instant."""

    etag: str
    last_modified: datetime | None


# --- Stamps: what tells a worker that what it rendered still holds -------------------------------------------

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
# Bounds the keys too: many tiny bodies (empty searches) must not grow the cache past its byte budget.
DEFAULT_MAX_ENTRIES = 4096

# (id, occurred_at) of the newest event. The instant matters: SQLite reuses the id of a rolled-back
# insert, so the id alone could name two different states.
Stamp = tuple[int, str]


# Built once and run as Core (not ORM): this runs on every cached read, where the ORM's per-call statement
# building and result setup cost four times the query itself (measured by tests/benchmarks).
_events = ChangeEvent.__table__.c
_NEWEST_EVENT = select(_events.id, _events.occurred_at).order_by(_events.id.desc()).limit(1)


def registry_stamp(session: Session) -> Stamp:
    """The newest change event's id and instant ((0, "") when there is none): one primary-key lookup."""
    row = session.execute(_NEWEST_EVENT).first()
    return (0, "") if row is None else (int(row[0]), row[1].isoformat())


def selection_validators(session: Session, where: ColumnElement[bool], *, scope: str, extra: str = "") -> Validators:
    """A document's validators, keyed by the newest event of its selection (and ``extra``, e.g. a portfolio)."""
    row = session.execute(
        select(ChangeEvent.id, ChangeEvent.occurred_at).where(where).order_by(ChangeEvent.id.desc()).limit(1)
    ).first()
    latest_id, latest_at = (row[0], row[1]) if row else (0, None)
    tag = hashlib.sha256(f"{scope}|{latest_id}|{extra}".encode()).hexdigest()[:16]
    return Validators(etag=f"e{latest_id}-{tag}", last_modified=latest_at)


# What readiness reads besides the registry: M's IdPs and portfolio (their edits append an event only when a
# verdict changes). Every flush that writes one raises ``municipality.data_version`` (``municipalities.data_version``,
# an SQL increment), so the caches of what readiness shows key on that beside the stamp (it replaced a
# per-request digest of all of M's rows: most of a hit's cost).
_municipality = Municipality.__table__.c
# The sum only grows (each edit adds one somewhere); the count guards a municipality added or removed.
_NATIONAL = select(func.coalesce(func.sum(_municipality.data_version), 0), func.count())
_NEWEST = _NEWEST_EVENT.subquery()
# M by code with the newest change event: a cached private answer's whole check in one round trip.
_STATE = select(
    _municipality.id,
    _municipality.code,
    _municipality.name,
    _municipality.data_version,
    select(_NEWEST.c.id).scalar_subquery(),
    select(_NEWEST.c.occurred_at).scalar_subquery(),
).where(_municipality.code == bindparam("code"))


def national_fingerprint(session: Session) -> str:
    """A value that changes whenever any IdP or portfolio entry in the country changes (98 rows, one query)."""
    total, count = session.connection().execute(_NATIONAL).one()
    return f"n{int(total)}:{int(count)}"


@dataclass(frozen=True)
class MunicipalityState:
    """What a cached private answer about M is keyed on: M itself, the registry stamp and M's fingerprint."""

    id: int
    code: str
    name: str
    stamp: Stamp
    fingerprint: str


def municipality_state(session: Session, code: str) -> MunicipalityState | None:
    """M (by its official 3-digit code) with the registry stamp and its fingerprint, in one query; None if no M."""
    # Core on the connection: the ORM layer around a plain select cost as much as the query (profiled).
    row = session.connection().execute(_STATE, {"code": code}).first()
    if row is None:
        return None
    mid, mcode, name, version, event_id, event_at = row
    instant = event_at if isinstance(event_at, str) else event_at.isoformat() if event_at else ""
    stamp: Stamp = (0, "") if event_id is None else (int(event_id), instant)
    return MunicipalityState(int(mid), str(mcode), str(name), stamp, f"v{version or 0}")


# --- The per-worker response cache --------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedResponse:
    """A rendered response body with its media type and ETag."""

    body: bytes
    mimetype: str
    etag: str


class ResponseCache:
    """An LRU of rendered responses bounded by total body size and entry count; an entry holds for its stamp only."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        """An empty cache holding at most ``max_bytes`` of bodies in at most ``max_entries`` entries."""
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Stamp, CachedResponse]] = OrderedDict()
        self._bytes = 0
        # gthread workers serve requests on several threads; sync workers pay almost nothing for the lock.
        self._lock = threading.Lock()

    def get(self, stamp: Stamp, key: Hashable) -> CachedResponse | None:
        """The response cached under ``key`` at ``stamp``; an entry from another stamp is dropped."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] != stamp:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, stamp: Stamp, key: Hashable, response: CachedResponse) -> None:
        """Remember ``response`` under ``key`` for ``stamp``, evicting the least recently used beyond the bound."""
        size = len(response.body)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (stamp, response)
            self._bytes += size
            while self._bytes > self.max_bytes or len(self._entries) > self.max_entries:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        """Forget everything (tests, or after a change made outside the change-event log)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        """How many responses are cached."""
        return len(self._entries)

    def _drop(self, key: Hashable) -> None:
        _stamp, response = self._entries.pop(key)
        self._bytes -= len(response.body)


def response_cache(app: Flask | None = None) -> ResponseCache:
    """The cache of the given (or current) app: one per app, so apps on different databases never share."""
    extensions = (app or current_app).extensions
    cache: ResponseCache | None = extensions.get("tracker.response_cache")
    if cache is None:
        cache = extensions.setdefault("tracker.response_cache", ResponseCache())
    return cache


def respond(cached: CachedResponse, *, policy: str = REGISTRY) -> Response:
    """The cached body with its ETag, or a bodiless 304 when the request's If-None-Match already has it."""
    tag, _weak = unquote_etag(cached.etag)
    headers = {"ETag": cached.etag, "Cache-Control": cache_control(policy)}
    if tag is not None and request.if_none_match.contains_weak(tag):
        return Response(status=304, headers=headers)
    return Response(cached.body, mimetype=cached.mimetype, headers=headers)


def json_body(data: Any) -> bytes:
    """``data`` as the app's JSON response body (the bytes ``jsonify`` would send)."""
    response = cast(Response, current_app.json.response(data))  # typed as the sans-IO base class
    return response.get_data()


def serve_cached(
    session: Session,
    key: Hashable,
    render: Callable[[Stamp], CachedResponse],
    *,
    policy: str = REGISTRY,
    stamp: Stamp | None = None,
) -> Response:
    """The response for ``key`` at the registry's current state: rendered on a miss, else from the cache.

    ``render`` gets the stamp (for ETags that name the state) and may raise an ``AppError`` (a 404), which is
    not cached. ``policy`` names the Cache-Control header (``cache_control``). A caller that has already read
    the stamp (``municipality_state``) passes it in.
    """
    current, cache = stamp if stamp is not None else registry_stamp(session), response_cache()
    cached = cache.get(current, key)
    if cached is None:
        cached = render(current)
        cache.put(current, key, cached)
    return respond(cached, policy=policy)


# --- Documents with Last-Modified (feeds, calendars) ---------------------------------------------------------


@dataclass(frozen=True)
class CachedDocument(CachedResponse):
    """A rendered feed or calendar with the validators it was served with (Last-Modified too)."""

    validators: Validators | None = None


def conditional(
    validators: Validators,
    build: Callable[[], bytes],
    mimetype: str,
    *,
    policy: str,
    filename: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """Answer 304 when the client's copy is current (If-None-Match, else If-Modified-Since); else build it."""
    headers = {"ETag": f'"{validators.etag}"', "Cache-Control": cache_control(policy), **(headers or {})}
    last_modified = validators.last_modified.replace(microsecond=0) if validators.last_modified else None
    if request.if_none_match:
        fresh = request.if_none_match.contains_weak(validators.etag)
    else:
        since = request.if_modified_since
        fresh = last_modified is not None and since is not None and last_modified <= since
    if fresh:
        resp = Response(status=304, headers=headers)
    else:
        resp = Response(build(), mimetype=mimetype, headers=headers)
        resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if last_modified is not None:
        resp.last_modified = last_modified
    return resp


def serve_document(
    session: Session,
    key: Hashable,
    make_validators: Callable[[], Validators],
    build: Callable[[], bytes],
    mimetype: str,
    *,
    policy: str,
    filename: str,
    headers: dict[str, str] | None = None,
    stamp: Stamp | None = None,
) -> Response:
    """``conditional`` over the response cache: a hit needs no query beyond the stamp and no rendering.

    On a miss the validators come first, so a client that is already current gets its 304 without a render.
    A caller that already put the stamp in its key passes it in: one lookup per request, not two.
    """
    stamp, cache = stamp or registry_stamp(session), response_cache()
    cached = cache.get(stamp, key)
    if isinstance(cached, CachedDocument) and cached.validators is not None:
        body = cached.body
        return conditional(cached.validators, lambda: body, mimetype, policy=policy, filename=filename, headers=headers)
    validators = make_validators()

    def build_and_keep() -> bytes:
        body = build()
        cache.put(stamp, key, CachedDocument(body, mimetype, f'"{validators.etag}"', validators))
        return body

    return conditional(validators, build_and_keep, mimetype, policy=policy, filename=filename, headers=headers)
