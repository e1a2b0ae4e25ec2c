"""The pages' side of logging in: the logged-in user, the login redirect for anonymous visitors, safe return
paths and where a user lands. Who may do what is the policy table's (``tracker.auth.protect.requires``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth import audit_denial, current_db_user
from tracker.auth.guard import level_refusal
from tracker.auth.permissions import own_municipality_id, require
from tracker.errors import Unauthorized, error_response
from tracker.models import User


def web_user() -> User:
    """The logged-in user; else 401 (→ login page). Which role may do what: ``@requires`` on the view."""
    return require(current_db_user(), "account", web=True)


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to after login; anything else (other hosts, '//x', '/\t/x') is dropped."""
    # Control characters and spaces are refused outright: URL parsers and servers strip them, which turns
    # '/\t/evil.example' into '//evil.example' after this check has passed.
    if not target or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _to_login(exc: Unauthorized) -> BaseResponse:
    """Reading a page while logged out leads to the login form; a refused form post says 401.

    A single sign-on session whose NSIS level is too low is logged in already: it gets the 403 saying so.
    """
    refusal = level_refusal()
    if refusal is not None:
        return audit_denial(refusal)
    if request.method in ("GET", "HEAD"):
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("auth.login", next=target))
    return error_response(401, exc.code, exc.message, exc.details)


def send_anonymous_to_login(bp: Blueprint) -> None:
    """Install the login redirect on one of the page blueprints."""
    bp.register_error_handler(Unauthorized, _to_login)


def landing_url(user: User) -> str:
    """Where a user lands after logging in: a municipality's user on their municipality, others on the overview."""
    if own_municipality_id(user) is not None and user.municipality is not None:
        return url_for("kommuner.page", code=user.municipality.code)
    return url_for("web.index")
