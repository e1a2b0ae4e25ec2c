"""Permission declared where a request enters: ``@requires(action)`` on every view (warehouse's
``@view_config(permission=…)``, indico's ``_checkProtection``).

The decorator names the view's action in the policy table and checks its role part before the view runs:
anonymous → 401 (the pages' blueprints turn that into the login page), a role the action does not allow → 403,
in the words the policy gives (or the face's default: the pages' or the API's). The object part (whose
solution, which municipality, which state) is checked by the view or service with ``permissions.require`` once
the object is loaded, under the same action.

Put ``@requires`` directly above the ``def`` (below ``@bp.route``/``@blp.arguments``), so a request is parsed
as before and then refused. ``policy_of`` tells which action a route names (the test over ``app.url_map``
fails for a route with none); ``ENDPOINT_POLICIES`` names those of routes defined by libraries (static files,
the OpenAPI document). Public routes say so: ``@requires("public")``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, g, request

from tracker.auth import api_user, current_db_user
from tracker.auth.permissions import may, policy, require
from tracker.errors import Unauthorized
from tracker.models import User

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Routes whose view functions are not ours to decorate.
ENDPOINT_POLICIES: dict[str, str] = {
    "static": "public",
    "api-docs.openapi_json": "public",
    "favicon": "public",
    "metrics": "operations.metrics",
}


def request_user() -> User | None:
    """The user behind this request as the face reads it: the API counts only a token for writes."""
    if request.path.startswith("/api/"):
        return api_user(write=request.method not in SAFE_METHODS)
    return current_db_user()


def check(action: str) -> User | None:
    """The role part of ``action`` for the current request: 401/403 unless allowed; returns the user."""
    rule = policy(action)
    if rule.public:
        return None
    web = not request.path.startswith("/api/")
    # A refusal that names the object (e.g. the municipality) is said once the object is loaded: here, login only.
    deferred = rule.refusal is None and callable(rule.others)
    user = require(request_user(), "account" if deferred else action, web=web)
    g.policy_user = user
    return user


def requires(action: str, **methods: str) -> Callable[[F], F]:
    """Declare (and check) the view's action; ``methods`` names another action per HTTP method (``post=…``)."""
    for name in (action, *methods.values()):
        policy(name)  # an unknown action fails when the module is imported, not when a request comes
    table = {m.upper(): a for m, a in methods.items()}

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            check(table.get(request.method, action))
            return view(*args, **kwargs)

        guarded.policy = action  # type: ignore[attr-defined]  # read by policy_of and the route test
        guarded.policy_methods = table  # type: ignore[attr-defined]  # likewise
        return guarded  # type: ignore[return-value]  # same signature as ``view``

    return decorate


def acting_user() -> User:
    """The user the view's ``@requires`` let in; in a view without one (the route test flags it), the logged-in
    user or 401."""
    user: User | None = g.get("policy_user")
    if user is None:
        user = require(request_user(), "account", web=not request.path.startswith("/api/"))
    return user


def policy_of(app: Flask, endpoint: str, method: str) -> str | None:
    """The action a route names for ``method`` (None: it names none)."""
    if endpoint in ENDPOINT_POLICIES:
        return ENDPOINT_POLICIES[endpoint]
    view = app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        name = "get" if method == "HEAD" else method.lower()
        view = getattr(view_class, name, None)
    if view is None:
        return None
    table: dict[str, str] = getattr(view, "policy_methods", {})
    return table.get(method, getattr(view, "policy", None))


def init_app(app: Flask) -> None:
    """Let templates ask the same question: ``{% if may("solution.edit") %}``, ``may("inquiry.answer", i)``,
    ``may("user.manage", user=nav_user)``."""

    @app.context_processor
    def _may() -> dict[str, Any]:
        def template_may(action: str, *obj: Any, user: User | None = None) -> bool:
            """``user``: the one a template shows (the menu's logged-in user), else the request's. Without an
            object: to some object (a None object is one that is missing)."""
            if user is None:
                try:
                    user = current_db_user()
                except Unauthorized:
                    return False
            return may(user, action, *obj[:1])

        return {"may": template_may}
