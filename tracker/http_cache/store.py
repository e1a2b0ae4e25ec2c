"""The per-worker response cache and the responses served from it (ETag only, or ETag and Last-Modified).

A cached body of some size is also kept gzip-compressed (made once, on the first client that asks for it):
clients that send ``Accept-Encoding: gzip`` — browsers, feed readers, calendar apps, ``requests`` — get the
compressed bytes with a weak ETag and ``Vary: Accept-Encoding``; the others get the body as it is.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

from flask import Flask, Response, current_app, request
from flask_babel import get_locale
from sqlalchemy.orm import Session
from werkzeug.http import unquote_etag

from tracker.clock import today_in_denmark
from tracker.http_cache.policy import REGISTRY, cache_control
from tracker.http_cache.stamps import MunicipalityState, Stamp, Validators, registry_stamp

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
# Bounds the keys too: many tiny bodies (empty searches) must not grow the cache past its byte budget.
DEFAULT_MAX_ENTRIES = 4096
# Smaller bodies are sent as they are: compressing them saves less than it costs.
COMPRESS_MIN_BYTES = 8 * 1024


@dataclass(frozen=True)
class CachedResponse:
    """A rendered response body with its media type, ETag and any headers that belong to the body (``Link``)."""

    body: bytes
    mimetype: str
    etag: str
    headers: tuple[tuple[str, str], ...] = field(default=(), kw_only=True)

    @property
    def compressible(self) -> bool:
        """Whether the body is large enough to be sent gzip-compressed to clients that accept it."""
        return len(self.body) >= COMPRESS_MIN_BYTES

    @cached_property
    def gzipped(self) -> bytes:
        """The body gzip-compressed, made once per cached rendering (mtime 0: the same bytes every time)."""
        return gzip.compress(self.body, compresslevel=6, mtime=0)


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _weak(etag: str) -> str:
    return etag if etag.startswith("W/") else f"W/{etag}"


def encode(response: Response, cached: CachedResponse) -> Response:
    """Send ``cached``'s body gzip-compressed when it is large and the client accepts it (200s only).

    The compressed bytes are another representation of the same content, so the ETag becomes weak (as nginx
    does), and every answer of a compressible body says ``Vary: Accept-Encoding`` for caches on the way.
    """
    if not cached.compressible:
        return response
    response.vary.add("Accept-Encoding")
    if response.status_code != 200 or not _accepts_gzip():
        return response
    response.set_data(cached.gzipped)
    response.headers["Content-Encoding"] = "gzip"
    if etag := response.headers.get("ETag"):
        response.headers["ETag"] = _weak(etag)
    return response


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


_SERVED = "tracker.served_cached"


def served_cached() -> bool:
    """Whether this request's answer went through ``respond``: a body rendered whole (headers included) before.

    After-request hooks that would rework a body (``api.paging``) leave such an answer alone.
    """
    return bool(request.environ.get(_SERVED))


def respond(cached: CachedResponse, *, policy: str = REGISTRY) -> Response:
    """The cached body with its ETag, or a bodiless 304 when the request's If-None-Match already has it."""
    request.environ[_SERVED] = True  # the request's own, not ``g`` (an app context may outlive a request)
    tag, _is_weak = unquote_etag(cached.etag)
    headers = {"ETag": cached.etag, "Cache-Control": cache_control(policy)}
    if tag is not None and request.if_none_match.contains_weak(tag):
        return encode(Response(status=304, headers=headers), cached)
    return encode(Response(cached.body, mimetype=cached.mimetype, headers=[*headers.items(), *cached.headers]), cached)


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

    validators: Validators | None = field(default=None, kw_only=True)


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
        resp = conditional(cached.validators, lambda: body, mimetype, policy=policy, filename=filename, headers=headers)
        return encode(resp, cached)
    validators = make_validators()
    made: list[CachedDocument] = []

    def build_and_keep() -> bytes:
        made.append(CachedDocument(build(), mimetype, f'"{validators.etag}"', validators=validators))
        cache.put(stamp, key, made[0])
        return made[0].body

    resp = conditional(validators, build_and_keep, mimetype, policy=policy, filename=filename, headers=headers)
    return encode(resp, made[0]) if made else resp


def private_key(name: str, state: MunicipalityState, user_id: int, *more: Hashable) -> tuple[Hashable, ...]:
    """The key of M's private answer ``name`` for one user in this request: M, the URL, host, language, today
    in Denmark (overdue, verdicts), the user and M's fingerprint, then ``more`` (what else the answer reads).
    The registry stamp is the cache's own (``serve_cached``)."""
    return (
        name,
        state.code,
        request.full_path,
        request.host_url,
        str(get_locale()),
        today_in_denmark().isoformat(),
        user_id,
        state.fingerprint,  # M's own fields, IdPs, planned changes and portfolio; its actions append change events
        *more,
    )
