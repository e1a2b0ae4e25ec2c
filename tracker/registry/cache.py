"""A per-process cache of rendered read responses, valid while the newest change event stays the same.

Every write to the registry appends a change event in its own transaction (``registry.services`` →
``registry.events.append_event``), so the newest event is a version stamp of everything the registry's
read paths show: one primary-key lookup tells a worker whether what it rendered before still holds.
Under polling (98 municipalities' systems asking the same questions, changes a few times a day) nearly
every read becomes that lookup plus a dictionary hit, and a matching ``If-None-Match`` a bodiless 304.

Only cache what depends on the registry and the request URL alone: never per-user pages, never anything
that changes without a change event (put such data in the key, or append an event when it changes).
Each gunicorn worker keeps its own cache; the stamp keeps them all correct without talking to each other.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, cast

from flask import Flask, Response, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.http import unquote_etag

from tracker.models import ChangeEvent

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


def respond(cached: CachedResponse, *, cache_control: str = "no-cache") -> Response:
    """The cached body with its ETag, or a bodiless 304 when the request's If-None-Match already has it."""
    tag, _weak = unquote_etag(cached.etag)
    headers = {"ETag": cached.etag, "Cache-Control": cache_control}
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
    cache_control: str = "no-cache",
    stamp: Stamp | None = None,
) -> Response:
    """The response for ``key`` at the registry's current state: rendered on a miss, else from the cache.

    A caller that has already read the stamp (in its own one-query check) passes it in.

    ``render`` gets the stamp (for ETags that name the state) and may raise an ``AppError`` (a 404), which is
    not cached. ``no-cache`` lets clients keep the body but ask every time, so they see a change at once.
    """
    current = stamp if stamp is not None else registry_stamp(session)
    cache = response_cache()
    cached = cache.get(current, key)
    if cached is None:
        cached = render(current)
        cache.put(current, key, cached)
    return respond(cached, cache_control=cache_control)
