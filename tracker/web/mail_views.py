"""E-mail pages: the mail preference form on /konto, one-click unsubscribe (RFC 8058), failing addresses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.auth.protect import acting_user, requires
from tracker.db import get_session
from tracker.errors import AppError, ValidationError
from tracker.models import MailAttempt, MailMessage, User
from tracker.notify import preferences
from tracker.security import csrf
from tracker.web.auth_views import account_page
from tracker.web.guards import send_anonymous_to_login

bp = Blueprint("mail_web", __name__)
send_anonymous_to_login(bp)

Page = tuple[str, int, dict[str, str]]
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


@bp.post("/konto/mail")
@requires("account")
def update_preference() -> Response | Page:
    """Change one's mail preference from the account page."""
    user = acting_user()
    data: dict[str, Any] = {name: request.form[name] for name in ("mode", "scope", "language") if name in request.form}
    if "action_reminder_days" in request.form:  # empty: no reminders
        days = request.form["action_reminder_days"].strip()
        data["action_reminder_days"] = int(days) if days.isdigit() else (days or None)
    if "alerts_shown" in request.form:  # the alert boxes were on the form: none ticked means none wanted
        data["alerts"] = request.form.getlist("alerts")
    if "transitions_shown" in request.form:  # the transition boxes were on the form: none ticked means all
        data["transition_kinds"] = request.form.getlist("transition_kinds")
        data["transition_categories"] = request.form.getlist("transition_categories")
        data["transition_major_only"] = "transition_major_only" in request.form
    try:
        preferences.set_preference(get_session(), user, data, remote_addr=request.remote_addr)
    except ValidationError as exc:
        wanted = {**preferences.preference_of(get_session(), user), **data}
        errors = exc.details.get("fields", {})
        return account_page(exc.status, mail_preference=wanted, mail_errors=errors)
    flash(_("Dine mailindstillinger er gemt."), "info")
    return redirect(url_for("auth.account") + "#mail-h")  # type: ignore[return-value]  # redirect() is typed as werkzeug's Response, the base of flask's


@bp.get("/afmeld/<string:token>")
@requires("public")
def unsubscribe(token: str) -> Page:
    """The link in every mail: confirm with one button (a GET never changes anything)."""
    try:
        preferences.user_of_token(get_session(), token)
    except AppError as exc:
        return render_template("mail/unsubscribe.html", error=exc.message), exc.status, NO_STORE
    return render_template("mail/unsubscribe.html", token=token, done=False), 200, NO_STORE


@bp.post("/afmeld/<string:token>")
@csrf.exempt
@requires("public")
def unsubscribe_post(token: str) -> Page:
    """One-click unsubscribe (``List-Unsubscribe=One-Click``, also the button): mode ``off``, no login."""
    try:
        preferences.unsubscribe(get_session(), token, remote_addr=request.remote_addr)
    except AppError as exc:
        return render_template("mail/unsubscribe.html", error=exc.message), exc.status, NO_STORE
    return render_template("mail/unsubscribe.html", done=True), 200, NO_STORE


@bp.get("/admin/mail")
@requires("mail.admin")
def failing_addresses() -> Page:
    """Admins: addresses whose mail fails (retrying or given up), with the latest error."""
    session = get_session()
    rows = session.execute(
        select(
            User.email,
            MailMessage.state,
            func.count(MailMessage.id),
            func.max(MailMessage.attempts),
            func.max(MailMessage.next_attempt_at),
        )
        .join(User, User.id == MailMessage.user_id)
        .where((MailMessage.state == "failed") | ((MailMessage.state == "pending") & (MailMessage.attempts > 0)))
        .group_by(User.email, MailMessage.state)
        .order_by(User.email)
    ).all()
    last_errors = dict(
        session.execute(
            select(MailAttempt.address, MailAttempt.error)
            .where(MailAttempt.error.is_not(None))
            .order_by(MailAttempt.id)
        ).all()
    )
    failing = [
        {
            "email": email,
            "state": state,
            "count": count,
            "attempts": attempts,
            "next": nxt,
            "error": last_errors.get(email),
        }
        for email, state, count, attempts, nxt in rows
    ]
    return render_template("mail/failing.html", failing=failing), 200, NO_STORE
