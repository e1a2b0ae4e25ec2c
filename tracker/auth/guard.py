"""What a logged-in session may do before its account is in order.

A user with a one-time password must choose their own first; a coordinator or admin whose session has not
passed a second factor must set one up (or has not finished logging in). Until then pages lead to that step
and everything else, the API included, is refused with a message saying what to do. Bearer tokens are not
affected: a token is made by a user who is already in order (or by the operator on the command line).

A single sign-on session has no password and needs no TOTP: its IdP asserted the NSIS level. Below Substantial
(``permissions.level_suffices``) the session counts as anonymous for every view: public pages answer as to
anyone, and whatever would ask an anonymous visitor to log in answers 403 saying the login was too weak.
"""

from __future__ import annotations

from flask import g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth import totp
from tracker.auth.permissions import level_suffices
from tracker.errors import Forbidden, error_response, wants_json

# What remains possible: the steps themselves, logging out, static files, health.
_ALWAYS = {"static", "auth.logout", "auth.login", "auth.login_code", "health.healthz"}
_PASSWORD_STEP = {"auth.first_password", "auth.change_password"}
_TOTP_STEP = {"auth.totp_setup", "auth.totp_confirm"}


def pending_step() -> str | None:
    """'password' or 'totp' when the current login session must do that first, else None."""
    if request.headers.get("Authorization") or not current_user.is_authenticated:
        return None
    user = current_user.user
    row = getattr(current_user, "row", None)
    if row is not None and row.nsis_level is not None:
        return None  # single sign-on: no password here, and the IdP's level stands for the second factor
    if user.must_change_password:
        return "password"
    if totp.required_for(user) and (row is None or not row.second_factor):
        return "totp"
    return None


def account_guard() -> BaseResponse | None:
    """Before each request: send a session that must change its password or set up a second factor there."""
    if request.endpoint in _ALWAYS or request.endpoint is None:
        return None
    step = pending_step()
    if step is None:
        return None
    allowed = _PASSWORD_STEP if step == "password" else _TOTP_STEP
    if request.endpoint in allowed:
        return None
    if step == "password":
        message = _("Vælg din egen adgangskode, før du gør andet. Engangsadgangskoden gælder kun første gang.")
        target = url_for("auth.first_password")
    else:
        message = _("Din rolle kræver totrinsbekræftelse. Slå den til, før du kan gøre andet.")
        target = url_for("auth.totp_setup")
    if request.method in ("GET", "HEAD") and not wants_json():
        return redirect(target)
    return error_response(403, "account_action_required", message, {"action": step, "url": target})


def level_guard() -> None:
    """Before each request: a single sign-on session below Substantial is anonymous to every view."""
    if request.headers.get("Authorization") or not current_user.is_authenticated:
        return
    row = getattr(current_user, "row", None)
    if row is not None and not level_suffices(row.nsis_level):
        g.auth_user = None
        g.session_level_too_low = row.nsis_level


def level_refusal() -> Forbidden | None:
    """The 403 for a request that needed a login when the session's level is too low (None: not the case)."""
    level = g.get("session_level_too_low")
    if level is None:
        return None
    # The Danish msgid: the error page translates it (English with ?lang=en).
    return Forbidden(
        "Du er logget ind på sikringsniveau Lav. En kommunes egne oplysninger og alle ændringer kræver "
        "sikringsniveau Betydelig eller Høj: log ud, og log ind igen med et stærkere login.",
        {"reason": "nsis_level", "loa": level, "required": "betydelig"},
    )
