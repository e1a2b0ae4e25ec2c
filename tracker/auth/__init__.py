"""Authentication: Flask-Login sessions for the UI, bearer tokens for the API; roles and permissions."""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user

from tracker.db import get_session
from tracker.errors import Unauthorized
from tracker.models import User
from tracker.registry.actors import Actor

login_manager = LoginManager()


class SessionUser(UserMixin):
    """Flask-Login's view of a user: the row plus a session id that changes on password reset."""

    def __init__(self, user: User) -> None:
        """Wrap a user row."""
        self.user = user

    def get_id(self) -> str:
        """The session id: user id and nonce, so a reset or deactivation ends old sessions."""
        return f"{self.user.id}:{self.user.session_nonce}"


def _load_user(session_id: str) -> SessionUser | None:
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.is_active or user.session_nonce != nonce:
        return None
    return SessionUser(user)


def current_db_user() -> User | None:
    """The user behind this request: a bearer token if one is sent, else the login session."""
    if "auth_user" in g:
        cached: User | None = g.auth_user
        return cached
    user: User | None = None
    header = request.headers.get("Authorization", "")
    if header:
        from tracker.auth.tokens import user_for_token

        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Authorization-headeren skal have formen 'Bearer <token>'.")
        user = user_for_token(get_session(), token.strip())
        if user is None:
            raise Unauthorized("Ugyldigt eller tilbagekaldt API-token.")
    elif current_user.is_authenticated:
        user = current_user.user
    g.auth_user = user
    return user


def current_actor() -> Actor | None:
    """The current user as an ``Actor`` for services, or None when anonymous."""
    user = current_db_user()
    return Actor.of(user) if user is not None else None


def init_app(app: Flask) -> None:
    """Set up Flask-Login."""
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.anonymous_user = AnonymousUserMixin
    login_manager.login_view = "web.login"
    login_manager.login_message = "Log ind for at fortsætte."
