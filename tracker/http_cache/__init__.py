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
- ``private_key`` — the key of one user's private answer about M (URL, host, language, day, user, M's fingerprint);
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

from tracker.http_cache.policy import (
    LIVE_ENDPOINTS,
    NO_STORE,
    PERSONAL,
    PRIVATE_DATA,
    PRIVATE_DOCUMENT,
    PRIVATE_DOWNLOAD,
    PUBLIC_DOCUMENT,
    PUBLIC_ENDPOINTS,
    PUBLIC_PAGE,
    REGISTRY,
    cache_control,
    decide,
    init_app,
)
from tracker.http_cache.stamps import (
    MunicipalityState,
    Stamp,
    Validators,
    digest,
    municipality_state,
    national_fingerprint,
    registry_stamp,
    selection_validators,
    weak_etag,
)
from tracker.http_cache.store import (
    CachedDocument,
    CachedResponse,
    ResponseCache,
    conditional,
    json_body,
    private_key,
    respond,
    response_cache,
    serve_cached,
    serve_document,
    served_cached,
)

__all__ = [
    "LIVE_ENDPOINTS",
    "NO_STORE",
    "PERSONAL",
    "PRIVATE_DATA",
    "PRIVATE_DOCUMENT",
    "PRIVATE_DOWNLOAD",
    "PUBLIC_DOCUMENT",
    "PUBLIC_ENDPOINTS",
    "PUBLIC_PAGE",
    "REGISTRY",
    "CachedDocument",
    "CachedResponse",
    "MunicipalityState",
    "ResponseCache",
    "Stamp",
    "Validators",
    "cache_control",
    "conditional",
    "decide",
    "digest",
    "init_app",
    "json_body",
    "municipality_state",
    "national_fingerprint",
    "private_key",
    "registry_stamp",
    "respond",
    "response_cache",
    "selection_validators",
    "serve_cached",
    "serve_document",
    "served_cached",
    "weak_etag",
]
