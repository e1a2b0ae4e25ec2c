"""Security headers and CSRF; the after-request hook that runs the request's one commit (``db.commit_request``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
    def _refuse_bad_input() -> Response | None:
        return refuse_bad_request_shape(app)

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


def _bad_text(value: str) -> bool:
    """NUL (PostgreSQL cannot store it) or a lone surrogate (no encoder takes it): never meant by a person."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_strings(value: Any, field: str = "body", depth: int = 0) -> Iterator[tuple[str, str]]:
    """Every string in a JSON document (keys too), with the top-level field it sits under."""
    if depth > 50:
        return
    if isinstance(value, str):
        yield field, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key) if depth == 0 else field
            yield name, str(key)
            yield from _json_strings(item, name, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item, field, depth + 1)


def _bad_host(host: str) -> bool:
    """A Host header that cannot be a host name (a label over 63 characters, not IDNA-encodable)."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if name.startswith("["):
        return False
    try:
        name.encode("idna")
    except UnicodeError:
        return True
    return False


def refuse_bad_request_shape(app: Flask) -> Response | None:
    """Refuse up front what would otherwise fail deep inside: a too long URL (JSON 414 on the API, as on pages),
    an impossible Host header, NUL bytes and lone surrogates in the path, query, form or JSON body."""
    raw_uri = request.environ.get("RAW_URI") or request.full_path
    if len(raw_uri) > int(app.config.get("MAX_URL_LENGTH", 4094)):
        return error_response(414, "uri_too_long", "Adressen er for lang. Brug færre eller kortere parametre.")
    if _bad_host(request.host):
        return error_response(400, "bad_request", "Host-headeren er ikke et gyldigt værtsnavn.")
    values = [*request.args.keys(), *request.args.values(), *request.form.values(), request.path]
    if any(_bad_text(value) for value in values):
        return error_response(
            400, "bad_request", "Forespørgslen indeholder et ugyldigt tegn (NUL eller et enligt surrogat-tegn)."
        )
    if request.is_json and request.content_length:
        bad = sorted({field for field, value in _json_strings(request.get_json(silent=True)) if _bad_text(value)})
        if bad:
            problem = "Teksten indeholder et ugyldigt tegn (NUL eller et enligt surrogat-tegn)."
            return error_response(
                422, "validation_error", "Nogle felter er ugyldige: " + ", ".join(bad), dict.fromkeys(bad, problem)
            )
    return None
