"""Who may keep a response, and for how long: ``Cache-Control`` and ``Vary`` for every response, in one place.

Three kinds of answer:

* **Public** — an anonymous ``GET`` of a page, feed, calendar, API list or document that is the same for every
  anonymous reader (``PUBLIC_ENDPOINTS``): ``public, max-age=PUBLIC_MAX_AGE,
  stale-while-revalidate=PUBLIC_STALE_SECONDS``, so a shared cache in front of gunicorn (nginx, see the
  README) answers the many pollers and the app sees one request per URL per window. ``Vary`` names what the
  answer depends on, so a cache never serves it to a logged-in visitor or a token holder.
* **Secret** — a response that shows a secret (a new webhook secret, API token or feed token), every write,
  and live operational answers (``/healthz``, ``/metrics``): ``no-store``. Views that show a secret set it
  themselves; this module never weakens it.
* **Personal** — everything else: ``private, no-cache`` (the browser may keep it but must ask each time;
  ETags make that a bodiless 304), with ``Vary: Authorization`` on the API and ``Vary: Cookie`` on pages.

A request is anonymous when it carries no ``Authorization`` header and neither the session nor the
remember-me cookie, and its response sets no cookie.
"""

from __future__ import annotations

from flask import Flask, Response, request, session

# Endpoints whose anonymous GET is the same for every anonymous reader (by URL, language and host).
PUBLIC_ENDPOINTS = frozenset(
    {
        "web.index",
        "web.solution",
        "kommuner.index",
        "kommuner.upcoming",
        "sources.index",
        "sources.detail",
        "broadcast.changes",
        "broadcast.solution_feed",
        "broadcast.solutions_calendar",
        "api_solutions.SolutionList",
        "api_solutions.SolutionItem",
        "api_solutions.SolutionHistory",
        "api_overview.UpcomingSwitches",
        "api_overview.PopularSolutions",
        "api_municipalities.MunicipalityList",
        "api_municipalities.MunicipalityItem",
        "api_sources.SourceList",
        "api_sources.SourceItem",
        "api_events.EventLog",
        "api-docs.openapi_json",
        "static",
    }
)
# Live answers that a cache must never hold: monitoring has to see the state of this very moment.
LIVE_ENDPOINTS = frozenset({"health.healthz", "metrics"})
PUBLIC_STATUSES = frozenset({200, 304})
NO_STORE = "no-store"
PERSONAL = "private, no-cache"


def public_value(max_age: int, stale: int) -> str:
    """The ``Cache-Control`` of a public answer."""
    return f"public, max-age={max_age}, stale-while-revalidate={stale}"


def _anonymous(app: Flask, response: Response) -> bool:
    """No credentials on the request, and nothing personal (a cookie) on the response."""
    if "Authorization" in request.headers or "Set-Cookie" in response.headers:
        return False
    cookies = request.cookies
    if (
        app.config["SESSION_COOKIE_NAME"] in cookies
        or app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies
    ):
        return False
    # Flask writes the session cookie after this hook: a session changed by this request (``?lang=``, a flash)
    # is about to become a cookie.
    return not session.modified


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
            max_age = int(app.config.get("PUBLIC_MAX_AGE", 60))
            stale = int(app.config.get("PUBLIC_STALE_SECONDS", 120))
            headers["Cache-Control"] = public_value(max_age, stale)
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
