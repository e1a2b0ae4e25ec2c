"""Errors as the API contract says: ``{"error": {"code", "message", "details"}}`` — never a trace.

Services raise domain errors: a code from ``tracker.error_messages`` and its parameters, no sentence. The edge
words them through the message catalogue (``DomainError.message``, in the request's language); HTML requests
get a Danish error page, API requests JSON, both from the same exceptions.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from tracker.error_messages import MESSAGES
from tracker.i18n import translated, worded

log = logging.getLogger(__name__)


class DomainError(Exception):
    """What a service refuses, as a code (``"registry.solution_not_found"``) and its parameters.

    The words are looked up only when shown: ``message`` is the catalogue's sentence in the request's language
    (Danish outside a request: jobs, the CLI, stored logs). A text already worded (a form's own message, a
    ``gettext`` result) that is no code passes as it is.
    """

    def __init__(self, reason: str, /, **params: Any) -> None:
        """Name what went wrong by its code; ``params`` fill the sentence's ``%(name)s`` places."""
        super().__init__(reason)
        self.reason = reason
        self.params = params

    @property
    def message(self) -> str:
        """The sentence for a person, in the request's language."""
        sentence = MESSAGES.get(self.reason)
        if sentence is None:
            return self.reason
        return translated(sentence, **self.params)

    def __str__(self) -> str:
        """The worded message (as before codes: logs and composed messages read it)."""
        return self.message


class AppError(DomainError):
    """An error a person can act on, with an HTTP status and a stable API code (``code``, the contract's)."""

    status = 400
    code = "bad_request"

    def __init__(
        self, reason: str, details: dict[str, Any] | None = None, /, *, status: int | None = None, **params: Any
    ) -> None:
        """A code from ``tracker.error_messages`` with its ``params``; ``details`` names fields."""
        super().__init__(reason, **params)
        self.details = details or {}
        if status is not None:
            self.status = status


class NotFound(AppError):
    """The thing asked for does not exist (or is not visible to the caller)."""

    status = 404
    code = "not_found"


class Forbidden(AppError):
    """The caller may not do this."""

    status = 403
    code = "forbidden"


class Unauthorized(AppError):
    """The caller must log in or send a valid token."""

    status = 401
    code = "unauthorized"


class Conflict(AppError):
    """The request conflicts with the current state (duplicate, stale version)."""

    status = 409
    code = "conflict"


class PreconditionFailed(AppError):
    """If-Match did not match: someone changed the thing meanwhile."""

    status = 412
    code = "precondition_failed"


class ValidationError(AppError):
    """The input is not acceptable; ``details`` maps fields to messages."""

    status = 422
    code = "validation_error"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "too_many_requests",
}

_DANISH = {
    400: _l("Forespørgslen kunne ikke forstås."),
    401: _l("Du skal logge ind."),
    403: _l("Du har ikke adgang til dette."),
    404: _l("Siden findes ikke."),
    405: _l("Metoden er ikke tilladt her."),
    406: _l("Svaret kan ikke leveres i det format, der bedes om."),
    409: _l("Ændringen strider mod den nuværende tilstand."),
    413: _l("Forespørgslen er for stor."),
    414: _l("Adressen er for lang."),
    415: _l("Forkert indholdstype: send JSON (Content-Type: application/json)."),
    422: _l("Oplysningerne kunne ikke godkendes."),
    429: _l("For mange forsøg. Prøv igen senere."),
}
# marshmallow's and webargs' own messages (English) in Danish; English with ?lang=en.
_FIELD_MESSAGES = {
    "Missing data for required field.": _l("Skal udfyldes."),
    "Unknown field.": _l("Ukendt felt."),
    "Field may not be null.": _l("Må ikke være tom (null)."),
    "Not a valid string.": _l("Skal være tekst."),
    "Not a valid integer.": _l("Skal være et heltal."),
    "Not a valid number.": _l("Skal være et tal."),
    "Not a valid boolean.": _l("Skal være true eller false."),
    "Not a valid date.": _l("Skal være en gyldig dato (ÅÅÅÅ-MM-DD)."),
    "Not a valid datetime.": _l("Skal være et gyldigt tidspunkt (ISO 8601)."),
    "Not a valid list.": _l("Skal være en liste."),
    "Not a valid mapping type.": _l("Skal være et objekt."),
    "Not a valid URL.": _l("Skal være en gyldig adresse."),
    "Invalid input type.": _l("Forkert type."),
    "Invalid value.": _l("Ugyldig værdi."),
    "Invalid JSON body.": _l("Ugyldig JSON."),
}


def wants_json() -> bool:
    """API paths and clients asking for JSON get JSON errors; browsers get a page."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Response:
    """Build the error in the form the client wants."""
    if wants_json():
        resp = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    else:
        generic = _DANISH.get(status)
        html = render_template("error.html", status=status, message=message, details=details or {}, generic=generic)
        resp = Response(html, mimetype="text/html")
    resp.status_code = status
    return resp


def _danish(value: Any) -> Any:
    """Field messages in the reader's language: marshmallow's English defaults replaced by ours, ours looked up in the
    catalogue (nested as marshmallow nests)."""
    if isinstance(value, str):
        known = _FIELD_MESSAGES.get(value)
        if known is not None:
            return str(known)
        if value.startswith("Must be one of: "):
            return str(_l("Skal være en af: %(choices)s", choices=value.removeprefix("Must be one of: ").rstrip(".")))
        # Our schemas' own Danish messages are msgids of the catalogue (marked N_): the reader's language.
        return translated(value)
    if isinstance(value, list):
        return [_danish(v) for v in value]
    if isinstance(value, dict):
        return {k: _danish(v) for k, v in value.items()}
    return value


def _smorest_details(exc: HTTPException) -> dict[str, Any]:
    """webargs puts field messages in ``exc.data['messages']``; flatten the location level away."""
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, dict):
        return {}
    flat: dict[str, Any] = {}
    locations = {"json", "query", "form", "files", "headers", "path", "view_args"}
    for location_or_field, value in messages.items():
        if location_or_field in locations and isinstance(value, dict):
            flat.update(value)
        else:
            flat[location_or_field] = value
    return {k: _danish(v) for k, v in flat.items()}


def init_app(app: Flask) -> None:
    """Register the handlers that turn every error into the contract's shape."""

    @app.errorhandler(AppError)
    def _app_error(exc: AppError) -> Response:
        details = {
            name: worded(problem) if isinstance(problem, str) else problem for name, problem in exc.details.items()
        }
        resp = error_response(exc.status, exc.code, exc.message, details)
        if exc.status == 401 and wants_json():
            resp.headers["WWW-Authenticate"] = 'Bearer realm="tu-tracker"'
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        details = _smorest_details(exc)
        default = type(exc).description
        if status == 422 and details:
            message = str(_l("Nogle felter er ugyldige: %(fields)s", fields=", ".join(sorted(details))))
        elif status in _DANISH and (not wants_json() or not exc.description or exc.description == default):
            # werkzeug's own descriptions are English; ours say it in Danish (English with ?lang=en).
            message = str(_DANISH[status])
        else:
            message = exc.description or str(_DANISH.get(status, "Fejl."))
        resp = error_response(status, _HTTP_CODES.get(status, "error"), message, details)
        for key, value in exc.get_headers() or []:
            if key.lower() in {"allow", "retry-after"}:
                resp.headers[key] = value
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        if isinstance(exc, OperationalError):
            # Database busy or unreachable: the request may simply be tried again.
            log.warning("database unavailable on %s %s: %s", request.method, request.path, exc.orig)
            resp = error_response(
                503, "unavailable", "Databasen er optaget eller svarer ikke lige nu. Prøv igen om lidt."
            )
            resp.headers["Retry-After"] = "1"
            return resp
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Der skete en uventet fejl. Den er logget; prøv igen om lidt.")
