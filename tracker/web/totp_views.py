"""The second factor in the browser: the code step of a login, and setting up TOTP with recovery codes."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth import totp
from tracker.auth.login import throttle_state
from tracker.auth.protect import acting_user, requires
from tracker.clock import timestamp, utcnow
from tracker.db import get_db, get_session, writer_transaction
from tracker.errors import AppError
from tracker.models import LoginAttempt, User
from tracker.web.auth_views import _after_login, _policy, _start_session, bp
from tracker.web.forms import CodeForm

# How long the password step of a login stays valid while the code is asked for.
PENDING_SECONDS = 300
NO_STORE = {"Cache-Control": "no-store"}


def _pending_user() -> User | None:
    pending = session.get("pending_login")
    if not isinstance(pending, dict) or timestamp() - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = get_session().get(User, int(pending.get("user_id", 0)))
    if user is None or not user.is_active or user.session_nonce != pending.get("nonce"):
        return None
    return user


@bp.route("/login/kode", methods=["GET", "POST"])
@requires("public")
def login_code() -> BaseResponse | tuple[str, int, dict[str, str]]:
    """The second step of a login: a code from the authenticator app (or a recovery code)."""
    user = _pending_user()
    if user is None:
        session.pop("pending_login", None)
        flash(_("Log ind igen: koden skal indtastes inden for 5 minutter."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/login_code.html", form=form), status, NO_STORE
    key, user_id = f"totp:{user.email}", user.id
    get_session().rollback()
    # Wrong codes are counted per account on their own key: a right password must not reset their count.
    with get_db().unit_of_work() as attempts:
        wait = throttle_state(attempts, key, None, _policy())
        row = attempts.get(User, user_id)
        ok = not wait and row is not None and totp.verify(attempts, row, form.code.data)
        if not wait:
            attempts.add(LoginAttempt(email=key, remote_addr=request.remote_addr, succeeded=ok, attempted_at=utcnow()))
    if wait:
        error = _("For mange forkerte koder. Prøv igen om %(minutes)s minutter.", minutes=max(1, (wait + 59) // 60))
        return render_template("auth/login_code.html", form=form, error=error), 429, {"Retry-After": str(wait)}
    if not ok:
        error = _("Koden passer ikke eller er brugt før.")
        return render_template("auth/login_code.html", form=form, error=error), 401, NO_STORE
    # The request's transaction was rolled back above; the login that follows writes (its session row), so it
    # takes the write lock up front: after a parallel request's commit a deferred one would fail (SQLite).
    writer_transaction(get_session())
    user = get_session().get(User, user_id)
    assert user is not None
    next_url = session.get("pending_next")
    _start_session(user, second_factor=True)
    return _after_login(user, next_url if isinstance(next_url, str) else None)


@bp.get("/konto/totp")
@requires("account")
def totp_setup() -> tuple[str, int, dict[str, str]]:
    """Set up the second factor: the secret for the authenticator app and a field for its first code."""
    user = acting_user()
    if totp.enabled(user):
        return render_template("auth/totp_setup.html", enabled=True, form=None), 200, NO_STORE
    secret = totp.begin_enrolment(get_session(), user)
    page = render_template(
        "auth/totp_setup.html",
        enabled=False,
        secret=secret,
        uri=totp.provisioning_uri(user),
        form=CodeForm(formdata=None),
        required=totp.required_for(user),
    )
    return page, 200, NO_STORE


@bp.post("/konto/totp")
@requires("account")
def totp_confirm() -> Response | tuple[str, int, dict[str, str]]:
    """Confirm the first code: the second factor is on, this session counts as passed, recovery codes shown once."""
    user = acting_user()
    form = CodeForm()
    error: str | None = None
    if form.validate_on_submit():
        try:
            codes = totp.confirm_enrolment(get_session(), user, form.code.data)
        except AppError as exc:
            error = exc.message
        else:
            row = getattr(current_user, "row", None)
            if row is not None:
                row.second_factor = True
            page = render_template("auth/totp_setup.html", enabled=True, codes=codes, form=None)
            return page, 201, NO_STORE
    page = render_template(
        "auth/totp_setup.html",
        enabled=False,
        secret=user.totp_secret,
        uri=totp.provisioning_uri(user) if user.totp_secret else "",
        form=form,
        error=error or _("Skriv koden fra appen."),
        required=totp.required_for(user),
    )
    return page, 422, NO_STORE
