"""Who may see a page: the logged-in user with a given role; anonymous visitors are sent to the login page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth import audit_denial, current_db_user
from tracker.auth.guard import level_refusal
from tracker.errors import Forbidden, Unauthorized, error_response
from tracker.models import User
from tracker.models.vocab import Role

COORDINATORS = (Role.COORDINATOR, Role.ADMIN)


def web_user(*roles: Role) -> User:
    """The logged-in user (with one of ``roles`` if given); else 401 (→ login page) or 403."""
    user = current_db_user()
    if user is None:
        raise Unauthorized(_("Log ind for at fortsætte."))
    if roles and user.role not in roles:
        raise Forbidden(_("Din rolle giver ikke adgang til denne side eller handling."))
    return user


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
    if user.role == Role.MUNICIPALITY and user.municipality is not None:
        return url_for("kommuner.page", code=user.municipality.code)
    return url_for("web.index")
