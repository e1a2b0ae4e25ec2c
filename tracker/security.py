"""Security headers, CSRF, and the one commit per request at the edge."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, request
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.errors import error_response

log = logging.getLogger(__name__)
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
        response = _commit(response)
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


def _commit(response: Response) -> Response:
    """The single commit of a request: only for successful responses; errors roll back."""
    session: Session | None = g.get("db_session")
    if session is None:
        return response
    if response.status_code >= 400:
        session.rollback()
        return response
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        log.info("integrity conflict on %s %s", request.method, request.path)
        return error_response(409, "conflict", "Ændringen strider mod data, der allerede findes. Prøv igen.")
    except OperationalError:
        session.rollback()
        log.exception("database unavailable on %s %s", request.method, request.path)
        return error_response(503, "unavailable", "Databasen svarer ikke lige nu. Prøv igen om lidt.")
    return response
