"""The HTTP cache, one home for it: policies, validators, stamps, the per-worker response cache, 304s.

One function per concern, used by every route that caches (the solutions API, the readiness API and exports,
the overview page, feeds and calendars):

- ``cache_control(kind)`` — the Cache-Control header of each kind of response (``REGISTRY``, ``PRIVATE_DATA``…);
- ``digest`` / ``weak_etag`` / ``Validators`` — ETags that name a key and a state;
- ``registry_stamp``, ``selection_validators``, ``portfolio_fingerprint`` — what tells whether a rendering holds;
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

from flask import Flask, Response, current_app, request
from sqlalchemy import ColumnElement, String, bindparam, func, literal, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session
from werkzeug.http import unquote_etag

from tracker.models import ChangeEvent, Idp, PortfolioEntry

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


# A municipality's IdPs and portfolio as one fingerprint: what readiness reads besides the registry. Their edits
# only append a change event when a verdict changes, so every cache of something readiness shows (the readiness
# API and exports, the private calendar) keys on this fingerprint beside the registry stamp.
_idp, _entry = Idp.__table__.c, PortfolioEntry.__table__.c
_SEP = literal(":")


def _aggregate(table_column_rows: Any, where: Any) -> Any:
    """One scalar subquery: every row of M as a ``:``-joined token, all tokens ``;``-joined (order immaterial)."""
    return select(func.aggregate_strings(table_column_rows, ";")).where(where).scalar_subquery()


def _fingerprint_statement() -> Any:
    """Everything of M's IdPs and portfolio that readiness shows, as two strings in one query.

    Exact, not a checksum: each portfolio token is (id, solution, IdP chosen) and each IdP token is (id, level,
    primary, updated_at). Every IdP write sets ``updated_at`` (services.create_idp/update_idp); a deleted IdP
    drops its token and nulls the entries that named it; a removed or added entry drops or adds its token.
    A different string order only costs a miss, never a wrong answer.
    """
    entry_token = (
        sql_cast(_entry.id, String)
        + _SEP
        + sql_cast(_entry.solution_id, String)
        + _SEP
        + func.coalesce(sql_cast(_entry.idp_id, String), "-")
    )
    idp_token = (
        sql_cast(_idp.id, String)
        + _SEP
        + _idp.notified_loa
        + _SEP
        + sql_cast(_idp.is_primary, String)
        + _SEP
        + sql_cast(_idp.updated_at, String)
    )
    municipality_id: Any = bindparam("municipality_id")
    return select(
        _aggregate(entry_token, _entry.municipality_id == municipality_id),
        _aggregate(idp_token, _idp.municipality_id == municipality_id),
    )


# Built once: building it per request cost more than running it (tests/benchmarks profile).
_FINGERPRINT = _fingerprint_statement()


def portfolio_fingerprint(session: Session, municipality_id: int) -> str:
    """A digest of M's IdPs and portfolio as readiness sees them: changes whenever any of them changes."""
    entries, idps = session.execute(_FINGERPRINT, {"municipality_id": municipality_id}).one()
    return hashlib.sha256(f"{entries or ''}|{idps or ''}".encode()).hexdigest()


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
) -> Response:
    """The response for ``key`` at the registry's current state: rendered on a miss, else from the cache.

    ``render`` gets the stamp (for ETags that name the state) and may raise an ``AppError`` (a 404), which is
    not cached. ``policy`` names the Cache-Control header (``cache_control``).
    """
    stamp, cache = registry_stamp(session), response_cache()
    cached = cache.get(stamp, key)
    if cached is None:
        cached = render(stamp)
        cache.put(stamp, key, cached)
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
