"""Cache-Control: each kind of response's header, and the after-request policy applied to every response."""

from __future__ import annotations

from flask import Flask, Response, request, session

# One policy per kind of response (change a policy here, and only here).
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
    "broadcast.changes", "broadcast.solution_feed", "broadcast.solutions_calendar", "static", "favicon",
    "api_solutions.SolutionList", "api_solutions.SolutionItem", "api_solutions.SolutionHistory",
    "api_overview.UpcomingSwitches", "api_overview.PopularSolutions", "api_municipalities.MunicipalityList",
    "api_municipalities.MunicipalityItem", "api_sources.SourceList", "api_sources.SourceItem",
    "api_events.EventLog", "api-docs.openapi_json",
})  # fmt: skip
# Live answers that a cache must never hold: monitoring has to see the state of this very moment.
LIVE_ENDPOINTS = frozenset({"health.healthz", "metrics"})
PUBLIC_STATUSES = frozenset({200, 304})
NO_STORE = "no-store"
IMMUTABLE = "immutable"  # a versioned static file (tracker/web/assets.py): its URL changes with its content
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
    if NO_STORE in current or IMMUTABLE in current:
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
