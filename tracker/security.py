"""Security headers and CSRF; the after-request hook that runs the request's one commit (``db.commit_request``)."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.db import commit_request
from tracker.errors import error_response

csrf = CSRFProtect()

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    """CSRF on every form (the bearer-token API is exempt per blueprint), headers on every response."""
    csrf.init_app(app)
    hops = int(app.config.get("PROXY_HOPS", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # Flask's documented way to wrap its WSGI app

    @app.before_request
    def _refuse_nul_bytes() -> Response | None:
        # PostgreSQL cannot store NUL in text, and no person means to send one: refuse it up front, clearly.
        values = [*request.args.values(), *request.form.values(), request.path]
        if any("\x00" in value for value in values):
            return error_response(400, "bad_request", "Forespørgslen indeholder et ugyldigt tegn (NUL).")
        return None

    @app.after_request
    def _commit_and_harden(response: Response) -> Response:
        response = commit_request(response)
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "interest-cohort=()")
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", CSP)
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
