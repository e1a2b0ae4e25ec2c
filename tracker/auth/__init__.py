"""Authentication: Flask-Login sessions for the UI, bearer tokens for the API; roles and permissions."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, Response, current_app, g, request
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user

from tracker.auth import audit
from tracker.auth.guard import account_guard, level_guard, level_refusal
from tracker.auth.sessions import SessionPolicy, live_session
from tracker.auth.tokens import user_for_token
from tracker.db import get_session
from tracker.errors import Forbidden, Unauthorized, error_response, wants_json
from tracker.models import User, UserSession

log = logging.getLogger(__name__)
login_manager = LoginManager()


class SessionUser(UserMixin):
    """Flask-Login's view of a user: the row, the nonce that changes on password reset, the server session."""

    def __init__(self, user: User, sid: str, row: UserSession | None = None) -> None:
        """Wrap a user row and the random id of its server-side session."""
        self.user = user
        self.sid = sid
        self.row = row

    def get_id(self) -> str:
        """What the cookie keeps: user id, nonce (a reset or deactivation ends old sessions) and session id."""
        return f"{self.user.id}:{self.user.session_nonce}:{self.sid}"


def session_policy() -> SessionPolicy:
    """The configured idle and absolute session lifetimes."""
    config = current_app.config
    return SessionPolicy(
        idle=timedelta(seconds=int(config.get("SESSION_IDLE_TIMEOUT_SECONDS", 8 * 3600))),
        max_age=timedelta(seconds=int(config.get("SESSION_MAX_AGE_SECONDS", 7 * 86400))),
    )


def _load_user(session_id: str) -> SessionUser | None:
    user_id, nonce, sid = [*session_id.split(":"), "", ""][:3]
    if not user_id.isdigit() or not sid or len(user_id) > 10:
        return None
    db = get_session()
    user = db.get(User, int(user_id))
    if user is None or not user.is_active or user.session_nonce != nonce:
        return None
    row = live_session(db, user.id, sid, session_policy())
    if row is None:
        return None
    return SessionUser(user, sid, row)


def current_db_user() -> User | None:
    """The user behind this request: a bearer token if one is sent, else the login session."""
    if "auth_user" in g:
        cached: User | None = g.auth_user
        return cached
    user: User | None = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("auth.authorization_header_malformed")
        user = user_for_token(get_session(), token.strip())
        if user is None:
            raise Unauthorized("auth.api_token_invalid")
    elif current_user.is_authenticated:
        user = current_user.user
    g.auth_user = user
    return user


def api_user(*, write: bool) -> User | None:
    """The user of an API request. Writes count only a bearer token, never the login cookie.

    The API is exempt from CSRF because it is meant for tokens; honouring the cookie on a write would let
    any web page make a logged-in coordinator's browser change the registry.
    """
    if write and not request.headers.get("Authorization"):
        if current_user.is_authenticated:
            raise Unauthorized("auth.api_token_required")
        return None
    return current_db_user()


def audit_denial(exc: Forbidden) -> Response:
    """Every refusal is logged with who tried what, then answered as usual (403)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the LocalProxy stub does not declare its unwrapping method
    user: User | None = g.get("auth_user")
    if user is None and current_user.is_authenticated:
        user = current_user.user
    # Read who it was before the rollback below expires the row (reloading it would open a new transaction).
    actor_id, actor_label = (user.id, user.label) if user is not None else (None, "anonym")
    session = g.get("db_session")
    if session is not None:
        # The request's own work is void; end its transaction first so the audit write cannot wait on it.
        session.rollback()
    try:
        audit.record_in_own_transaction(
            app,
            "authz.denied",
            actor_id=actor_id,
            actor_label=actor_label,
            object_type=str(exc.details.get("object_type") or "") or None,
            object_id=exc.details.get("solution") or exc.details.get("object_id"),
            details={
                "method": request.method,
                "path": request.path[:300],
                "message": exc.message,
                **{k: v for k, v in exc.details.items() if isinstance(v, str | int | bool)},
            },
            remote_addr=request.remote_addr,
        )
    except Exception:
        log.exception("could not write authz.denied audit entry")
    return error_response(exc.status, exc.code, exc.message, exc.details)


def init_app(app: Flask) -> None:
    """Set up Flask-Login and the audit of refusals."""
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.anonymous_user = AnonymousUserMixin
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log ind for at fortsætte."
    # More specific than the AppError handler in tracker.errors, so Flask picks this one for 403s.
    app.register_error_handler(Forbidden, audit_denial)

    @app.before_request
    def _forget_cached_user() -> None:
        # Each request finds its own user, CSRF token and language. In production every request has a fresh
        # ``g`` anyway; where an app context spans requests (tests, scripts), what an earlier request cached
        # for another visitor (our user, Flask-Login's, Flask-WTF's token, Flask-Babel's locale) must not leak.
        for cached in ("auth_user", "_login_user", app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), "_flask_babel"):
            g.pop(cached, None)

    app.before_request(account_guard)
    app.before_request(level_guard)

    def _unauthorized(exc: Unauthorized) -> Response:
        # A session whose NSIS level is too low is logged in: it is refused (403, audited), not sent to log in.
        refusal = level_refusal()
        if refusal is not None:
            return audit_denial(refusal)
        response = error_response(exc.status, exc.code, exc.message, exc.details)
        if wants_json():
            response.headers["WWW-Authenticate"] = 'Bearer realm="tu-tracker"'
        return response

    app.register_error_handler(Unauthorized, _unauthorized)
