"""Security headers and CSRF; the after-request hook that runs the request's one commit (``db.commit_request``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import request_guards
from tracker.db import commit_request
from tracker.errors import error_response
from tracker.i18n import current_language
from tracker.request_guards import MAX_JSON_DEPTH

csrf = CSRFProtect()
# Pages and API answers say which language their words are in (the negotiated one: ?lang=, then the browser's).
LANGUAGE_TAGGED = frozenset({"text/html", "application/json"})

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    """CSRF on every form (the bearer-token API is exempt per blueprint), headers on every response."""
    csrf.init_app(app)
    request_guards.init_app(app)  # inside ProxyFix (wrapped next): a forwarded Host is checked as well
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
        if response.mimetype in LANGUAGE_TAGGED:
            headers.setdefault("Content-Language", current_language())
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def _bad_text(value: str) -> str | None:
    """What makes ``value`` unusable: "nul" (PostgreSQL cannot store it), "surrogate" (a lone surrogate: no
    encoder takes it), or None. Neither is ever meant by a person."""
    if "\x00" in value:
        return "nul"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "surrogate"
    return None


def _bad_request_words(kinds: set[str | None]) -> str:
    """The refusal of a query, path or form with a NUL or a lone surrogate (the NUL is named first)."""
    if "nul" in kinds:
        return _("Forespørgslen indeholder et NUL-tegn (U+0000), som ikke kan bruges.")
    return _("Forespørgslen indeholder et enligt surrogat-tegn (U+D800–U+DFFF), som ikke kan bruges.")


def _bad_text_words(kind: str) -> str:
    """The refusal of one JSON field with a NUL or a lone surrogate."""
    if kind == "nul":
        return _("Teksten indeholder et NUL-tegn (U+0000), som ikke kan gemmes.")
    return _("Teksten indeholder et enligt surrogat-tegn (U+D800–U+DFFF), som ikke kan gemmes.")


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


def refuse_bad_request_shape(app: Flask) -> Response | None:
    """Refuse up front what would otherwise fail deep inside: a too long URL (JSON 414 on the API, as on pages),
        JSON nested too deep to parse, NUL bytes and lone surrogates in the path, query, form or JSON body (an
    impossible Host header never gets this far: ``request_guards.HostGuard``)."""
    raw_uri = request.environ.get("RAW_URI") or request.full_path
    if len(raw_uri) > int(app.config.get("MAX_URL_LENGTH", 4094)):
        return error_response(414, "uri_too_long", "Adressen er for lang. Brug færre eller kortere parametre.")
    values = [*request.args.keys(), *request.args.values(), *request.form.values(), request.path]
    kinds = {_bad_text(value) for value in values} - {None}
    if kinds:
        return error_response(400, "bad_request", _bad_request_words(kinds))
    if request.is_json:  # also without a Content-Length (chunked): webargs would parse the body all the same
        if request_guards.json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
            message = _("JSON-dokumentet er indlejret for dybt (højst %(depth)s niveauer).", depth=MAX_JSON_DEPTH)
            return error_response(400, "bad_request", message)
        problems: dict[str, str] = {}
        for field, value in _json_strings(request.get_json(silent=True)):
            kind = _bad_text(value)
            if kind is not None and problems.get(field) != "nul":
                problems[field] = kind
        if problems:
            bad = sorted(problems)
            details = {field: _bad_text_words(problems[field]) for field in bad}
            message = _("Nogle felter er ugyldige: %(fields)s", fields=", ".join(bad))
            return error_response(422, "validation_error", message, details)
    return None
