"""Login, logout and one's own account (password, API tokens) — Flask-Login sessions, argon2, throttling."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth import SessionUser, admin, audit, sessions, tokens, totp
from tracker.auth.login import ThrottlePolicy, attempt_login
from tracker.auth.protect import acting_user, requires
from tracker.clock import timestamp
from tracker.db import get_db, get_session
from tracker.errors import AppError
from tracker.models import User
from tracker.models.vocab import TransitionCategory, TransitionKind
from tracker.notify.preferences import preference_of
from tracker.saml import logout as saml_logout
from tracker.vocabulary import TRANSITION_CATEGORY_LABELS, TRANSITION_KIND_LABELS
from tracker.web.forms import ActionForm, FirstPasswordForm, LoginForm, PasswordForm, TokenForm
from tracker.web.guards import landing_url, safe_next, send_anonymous_to_login, web_user

bp = Blueprint("auth", __name__)
send_anonymous_to_login(bp)


def _policy() -> ThrottlePolicy:
    config = current_app.config
    return ThrottlePolicy(
        max_failures=int(config.get("LOGIN_MAX_FAILURES", 10)),
        window=timedelta(seconds=int(config.get("LOGIN_WINDOW_SECONDS", 900))),
    )


def _start_session(user: User, *, second_factor: bool) -> None:
    """A fresh session on login (no fixation), kept on the server, with only the chosen language carried over."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    row, sid = sessions.start_session(get_session(), user, second_factor=second_factor, remote_addr=request.remote_addr)
    login_user(SessionUser(user, sid, row))


def _after_login(user: User, next_url: str | None) -> BaseResponse:
    """Where a completed login leads: the forced steps first, then where the user was going."""
    flash(_("Du er logget ind som %(who)s.", who=user.label), "info")
    if user.must_change_password:
        return redirect(url_for("auth.first_password"))
    if totp.required_for(user) and not totp.enabled(user):
        return redirect(url_for("auth.totp_setup"))
    return redirect(next_url or landing_url(user))


@bp.route("/login", methods=["GET", "POST"])
@requires("public")
def login() -> BaseResponse | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """The login form; the attempt is recorded in its own transaction so throttling counts every failure."""
    form = LoginForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form, next=safe_next(request.args.get("next"))), status
    # End any read transaction of this request first: the attempt must be committed whatever follows.
    get_session().rollback()
    with get_db().unit_of_work() as attempts:
        outcome = attempt_login(
            attempts,
            email=form.email.data,
            password=form.password.data,
            remote_addr=request.remote_addr,
            policy=_policy(),
        )
        user_id = outcome.user.id if outcome.user is not None else None
    if outcome.throttled:
        message = _(
            "For mange mislykkede forsøg. Prøv igen om %(minutes)s minutter.",
            minutes=max(1, (outcome.retry_after + 59) // 60),
        )
        page = render_template("auth/login.html", form=form, error=message, next=safe_next(request.args.get("next")))
        return page, 429, {"Retry-After": str(outcome.retry_after)}
    if user_id is None:
        page = render_template(
            "auth/login.html",
            form=form,
            error=_("Forkert e-mail eller adgangskode."),
            next=safe_next(request.args.get("next")),
        )
        return page, 401, {}
    user = get_session().get(User, user_id)
    assert user is not None  # just committed
    next_url = safe_next(request.args.get("next"))
    if totp.enabled(user):
        # The password was right; the login completes only with the second factor (login_code).
        session.clear()
        session["pending_login"] = {"user_id": user.id, "nonce": user.session_nonce, "at": int(timestamp())}
        if next_url:
            session["pending_next"] = next_url
        return redirect(url_for("auth.login_code"))
    _start_session(user, second_factor=False)
    return _after_login(user, next_url)


@bp.post("/logout")
@requires("session.end")
def logout() -> BaseResponse:
    """Log out (a POST with CSRF token, so no other site can log you out).

    A single sign-on session ends here first, then the browser goes on to the IdP with a signed LogoutRequest
    (single logout), which answers at /saml/slo.
    """
    # Any logged-in session may log out, also one whose NSIS level lets it see public pages only.
    user = current_user.user if current_user.is_authenticated else web_user()
    audit.record(
        get_session(), "auth.logout", actor=user, object_type="user", object_id=user.id, remote_addr=request.remote_addr
    )
    row = getattr(current_user, "row", None)
    if row is not None:
        sessions.end_session(get_session(), row)  # a replayed cookie no longer works
    idp_logout = (
        saml_logout.logout_request_url(get_session(), current_app.config, row) if row and row.nsis_level else None
    )
    logout_user()
    session.clear()
    if idp_logout:
        # On to the IdP by a page that refreshes (not a redirect of this form post: CSP form-action 'self'
        # would stop the browser following it to another origin), with a link for whoever stays.
        page = render_template("auth/saml_logout.html", idp_logout=idp_logout)
        return Response(page, headers={"Refresh": f"0; url={idp_logout}", "Cache-Control": "no-store"})
    flash(_("Du er logget ud."), "info")
    return redirect(url_for("web.index"))


def account_page(status: int = 200, **extra: object) -> tuple[str, int, dict[str, str]]:
    user = acting_user()
    page = render_template(
        "auth/account.html",
        user=user,
        tokens=tokens.list_tokens(get_session(), user),
        password_form=extra.pop("password_form", None) or PasswordForm(formdata=None),
        token_form=extra.pop("token_form", None) or TokenForm(formdata=None),
        action_form=ActionForm(),
        mail_preference=extra.pop("mail_preference", None) or preference_of(get_session(), user),
        transition_choices={
            "transition_kinds": [(value, TRANSITION_KIND_LABELS[value]) for value in TransitionKind],
            "transition_categories": [(value, TRANSITION_CATEGORY_LABELS[value]) for value in TransitionCategory],
        },
        **extra,
    )
    # A page that may show a new token once must not be kept by any cache.
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/konto")
@requires("account")
def account() -> tuple[str, int, dict[str, str]]:
    """One's own account: change the password, manage API tokens."""
    return account_page()


@bp.post("/konto/adgangskode")
@requires("account")
def change_password() -> BaseResponse | tuple[str, int, dict[str, str]]:
    """Replace one's password; other sessions end, this one continues."""
    user = acting_user()
    form = PasswordForm()
    if not form.validate_on_submit():
        return account_page(422, password_form=form)
    try:
        admin.change_own_password(
            get_session(), user=user, current=form.current.data, new=form.new.data, remote_addr=request.remote_addr
        )
    except AppError as exc:
        form.new.errors = [exc.message]
        return account_page(exc.status, password_form=form)
    _renew_after_password_change(user)
    flash(_("Adgangskoden er ændret."), "info")
    return redirect(url_for("auth.account"))


def _renew_after_password_change(user: User) -> None:
    """The nonce changed (other sessions end): keep this session under its new id."""
    login_user(SessionUser(user, current_user.sid, getattr(current_user, "row", None)))


@bp.route("/konto/ny-adgangskode", methods=["GET", "POST"])
@requires("account")
def first_password() -> BaseResponse | tuple[str, int, dict[str, str]]:
    """After logging in with a one-time password: choose one's own before anything else."""
    user = acting_user()
    form = FirstPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            admin.set_first_password(get_session(), user=user, new=form.new.data, remote_addr=request.remote_addr)
        except AppError as exc:
            form.new.errors = [exc.message]
            status = exc.status
        else:
            _renew_after_password_change(user)
            flash(_("Adgangskoden er ændret."), "info")
            return _after_login_steps(user)
    elif request.method == "POST":
        status = 422
    page = render_template("auth/first_password.html", form=form, must=user.must_change_password)
    return page, status, {"Cache-Control": "no-store"}


def _after_login_steps(user: User) -> BaseResponse:
    if totp.required_for(user) and not totp.enabled(user):
        return redirect(url_for("auth.totp_setup"))
    return redirect(landing_url(user))


@bp.post("/konto/tokens")
@requires("account")
def create_token() -> tuple[str, int, dict[str, str]]:
    """Create an API token; it is shown on this response only."""
    user = acting_user()
    form = TokenForm()
    if not form.validate_on_submit():
        return account_page(422, token_form=form)
    row, plain = tokens.issue_token(get_session(), user, form.name.data, remote_addr=request.remote_addr)
    return account_page(201, new_token=plain, new_token_name=row.name)


@bp.post("/konto/tokens/<int(max=2147483647):token_id>/tilbagekald")
@requires("account")
def revoke_token(token_id: int) -> BaseResponse:
    """Revoke one of one's own tokens (another user's token is 'not found')."""
    user = acting_user()
    tokens.revoke_own_token(get_session(), user, token_id, remote_addr=request.remote_addr)
    flash(_("Tokenet er tilbagekaldt."), "info")
    return redirect(url_for("auth.account"))
