"""Errors as the API contract says: ``{"error": {"code", "message", "details"}}`` — never a trace.

HTML requests get a Danish error page instead; both come from the same exceptions.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error a person can act on, with an HTTP status and a stable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict[str, Any] | None = None, *, status: int | None = None) -> None:
        """Say what went wrong in words a person understands; ``details`` names fields."""
        super().__init__(message)
        self.message = message
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
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "too_many_requests",
}

_DANISH = {
    400: "Forespørgslen kunne ikke forstås.",
    401: "Du skal logge ind.",
    403: "Du har ikke adgang til dette.",
    404: "Siden findes ikke.",
    405: "Metoden er ikke tilladt her.",
    409: "Ændringen strider mod den nuværende tilstand.",
    413: "Forespørgslen er for stor.",
    422: "Oplysningerne kunne ikke godkendes.",
    429: "For mange forsøg. Prøv igen senere.",
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
    return flat


def init_app(app: Flask) -> None:
    """Register the handlers that turn every error into the contract's shape."""

    @app.errorhandler(AppError)
    def _app_error(exc: AppError) -> Response:
        resp = error_response(exc.status, exc.code, exc.message, exc.details)
        if exc.status == 401 and wants_json():
            resp.headers["WWW-Authenticate"] = 'Bearer realm="tu-tracker"'
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        details = _smorest_details(exc)
        if status == 422 and details:
            message = "Nogle felter er ugyldige: " + ", ".join(sorted(details))
        elif status in _DANISH and not wants_json():
            message = _DANISH[status]
        else:
            message = exc.description or _DANISH.get(status, "Fejl.")
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
