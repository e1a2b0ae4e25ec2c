"""Guards in the request parsing, before any route: an impossible Host header and JSON nested too deep.

A Host header that is no host name (a label over 63 characters, an empty label as in ``foo..bar``, a broken
``xn--`` label) makes werkzeug fail while it builds URLs — in the route, and again in the error page — so it
is refused as plain WSGI, before Flask routes, with a page or JSON body that needs no URL building. JSON
nested deeper than ``MAX_JSON_DEPTH`` is refused before anything parses it (Python's parser would hit its
recursion limit: a 500); no document of this API nests more than a few levels.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Request, Response

MAX_JSON_DEPTH = 32
MAX_HOST_LENGTH = 253
_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)\Z")
_PORT = re.compile(r"[0-9]{1,5}\Z")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = frozenset(b"[]{}")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _valid_name(name: str) -> bool:
    """A DNS name (RFC 1123 labels, optional trailing dot) whose ``xn--`` labels decode."""
    if not name or len(name.rstrip(".")) > MAX_HOST_LENGTH:
        return False
    labels = name[:-1].split(".") if name.endswith(".") else name.split(".")
    for label in labels:
        if not _LABEL.match(label):
            return False
        if label[:4].lower() == "xn--":
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                return False
    return True


def valid_host(host: str) -> bool:
    """Whether a Host header value is ``name[:port]`` or ``[IPv6][:port]`` (what URL building can use)."""
    if not host.isascii():
        return False  # clients send internationalised names as xn-- labels
    if host.startswith("["):
        literal, bracket, rest = host[1:].partition("]")
        if not bracket or (rest and not (rest.startswith(":") and _PORT.match(rest[1:]))):
            return False
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return False
        return True
    name, colon, port = host.rpartition(":") if ":" in host else (host, "", "")
    if colon and not _PORT.match(port):
        return False
    return _valid_name(name)


def _language(request: Request) -> str:
    """``?lang=`` first, then the browser's preference; Danish by default (as ``i18n.select_locale``)."""
    chosen = request.args.get("lang")
    if chosen in ("da", "en"):
        return chosen
    return request.accept_languages.best_match(["da", "en"], default="da") or "da"


def bad_host_response(app: Flask, environ: dict[str, Any]) -> Response:
    """400 for an impossible Host: JSON on the API (or when JSON is preferred), else a page without links."""
    request = Request(environ)
    language = _language(request)
    with app.app_context(), force_locale(language):
        message = _("Host-headeren er ikke et gyldigt værtsnavn.")
        title = _("Forespørgslen kunne ikke forstås.")
    wants_json = request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )
    if wants_json:
        body = json.dumps({"error": {"code": "bad_request", "message": message, "details": {}}}, ensure_ascii=False)
        response = Response(body, status=400, mimetype="application/json")
    else:
        page = (
            f'<!doctype html>\n<html lang="{language}">\n<head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"</head>\n<body><main><h1>{escape(title)}</h1><p>{escape(message)}</p></main></body>\n</html>\n"
        )
        response = Response(page, status=400, mimetype="text/html")
    response.headers["Content-Language"] = language
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class HostGuard:
    """WSGI middleware: a request whose Host header is no host name gets a 400 before the app sees it."""

    def __init__(self, app: Flask, wsgi_app: WsgiApp) -> None:
        """Wrap ``wsgi_app`` (the Flask app's own, inside any proxy fix so a forwarded host is checked too)."""
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer 400 for an impossible Host, else pass the request on."""
        host = environ.get("HTTP_HOST")
        if host is not None and not valid_host(host):
            return bad_host_response(self.app, environ)(environ, start_response)
        return self.wsgi_app(environ, start_response)


def json_depth(body: bytes) -> int:
    """How deep arrays and objects nest in a JSON text (strings, which may hold brackets, are skipped)."""
    skeleton = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in skeleton:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def init_app(app: Flask) -> None:
    """Put the Host guard in front of the app's WSGI callable."""
    app.wsgi_app = HostGuard(app, app.wsgi_app)  # type: ignore[method-assign]  # Flask's documented way to wrap its WSGI app
