"""Cross-origin reads of public data: a dashboard on another origin may read the registry, feeds and calendars.

Only anonymous GET/HEAD requests (and their preflights) of the endpoints whose anonymous answer is the same
for everyone (``http_cache.policy.PUBLIC_ENDPOINTS``) get ``Access-Control-Allow-Origin: *``. The wildcard
never admits credentials (browsers send no cookie or ``Authorization`` with it), and a request that carries
either gets no CORS headers at all: private routes (a municipality's data, accounts, tokens) never do.
"""

from __future__ import annotations

from flask import Flask, Response, request

from tracker.http_cache.policy import PUBLIC_ENDPOINTS

READ_METHODS = frozenset({"GET", "HEAD"})
# What a cross-origin script may read besides the simple headers: paging, revalidation and the language.
EXPOSED = "ETag, Link, Content-Language, Last-Modified"
# Request headers a preflight may ask for: conditional requests and a language.
ALLOWED_HEADERS = "If-None-Match, If-Modified-Since, Accept-Language"
PREFLIGHT_MAX_AGE = "86400"


def _credentials_sent() -> bool:
    """Any cookie or ``Authorization``: the answer may be personal, so it is not shared across origins."""
    return "Authorization" in request.headers or "Cookie" in request.headers


def public_read() -> bool:
    """Whether this request is an anonymous read (or its preflight) of public data."""
    if request.endpoint not in PUBLIC_ENDPOINTS or _credentials_sent():
        return False
    if request.method == "OPTIONS":
        return request.headers.get("Access-Control-Request-Method", "").upper() in READ_METHODS
    return request.method in READ_METHODS


def add_headers(response: Response) -> Response:
    """Add the CORS headers to an anonymous public read from another origin (and answer its preflight)."""
    # Always on a public read, not only when an Origin is sent: a shared cache may hand this very response to a
    # cross-origin reader later (the value is constant, so no ``Vary: Origin`` is needed).
    if not public_read():
        return response
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    else:
        headers["Access-Control-Expose-Headers"] = EXPOSED
    return response


def init_app(app: Flask) -> None:
    """Register the after-request hook."""

    @app.after_request
    def _cors(response: Response) -> Response:
        return add_headers(response)
