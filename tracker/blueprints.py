"""Every blueprint of the app in one list, in registration order: the JSON API under /api/v1, then the pages.

HTML pages and the feed/calendar documents live in ``tracker.web``, JSON in ``tracker.api``, the rules they
apply in the feature folders. A new blueprint is one more row here. The order is the OpenAPI document's order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask


@dataclass(frozen=True)
class ApiRoute:
    """One API blueprint: where it is mounted, whether it skips CSRF (bearer-token APIs do) and its path parameters."""

    blueprint: Any  # a flask_smorest.Blueprint
    prefix: str
    csrf_exempt: bool
    parameters: list[dict[str, Any]] = field(default_factory=list)


def api_routes() -> list[ApiRoute]:
    """The API's blueprints (imported here, when the app is built, never at import time)."""
    from tracker.api import (
        actions,
        events,
        feed_tokens,
        inquiries,
        municipalities,
        municipality_data,
        notifications,
        overview,
        proposals,
        solutions,
        sources,
        subscriptions,
        tokens,
        transition_proposals,
        transitions,
    )

    # Bearer-token APIs: CSRF does not apply (writes refuse the login cookie, see tracker.auth.api_user).
    return [
        ApiRoute(solutions.blp, "/api/v1/solutions", csrf_exempt=True),
        ApiRoute(municipalities.blp, "/api/v1/municipalities", csrf_exempt=False),
        ApiRoute(
            municipality_data.blp,
            "/api/v1/municipalities",
            csrf_exempt=True,
            parameters=[municipality_data.CODE_PARAMETER],
        ),
        ApiRoute(
            actions.blp, "/api/v1/municipalities", csrf_exempt=True, parameters=[municipality_data.CODE_PARAMETER]
        ),  # a municipality's own actions
        ApiRoute(actions.national_blp, "/api/v1", csrf_exempt=True),  # KL's counts of the municipalities' actions
        ApiRoute(overview.blp, "/api/v1", csrf_exempt=True),
        ApiRoute(subscriptions.blp, "/api/v1/subscriptions", csrf_exempt=True),
        ApiRoute(events.blp, "/api/v1/events", csrf_exempt=True),
        ApiRoute(sources.blp, "/api/v1/sources", csrf_exempt=False),
        ApiRoute(proposals.blp, "/api/v1/proposals", csrf_exempt=True),
        ApiRoute(tokens.blp, "/api/v1/tokens", csrf_exempt=True),
        ApiRoute(feed_tokens.blp, "/api/v1/municipalities", csrf_exempt=True),  # private feed addresses
        ApiRoute(inquiries.blp, "/api/v1", csrf_exempt=True),  # inquiries, risk assessments
        ApiRoute(notifications.blp, "/api/v1/account/notifications", csrf_exempt=True),
        ApiRoute(transitions.blp, "/api/v1", csrf_exempt=True),  # transitions, lead times
        ApiRoute(transition_proposals.blp, "/api/v1", csrf_exempt=True),  # proposals of transitions
    ]


def web_blueprints() -> list[Blueprint]:
    """The HTML pages and the feed/calendar documents."""
    from tracker.web import (
        about,
        action_views,
        admin_views,
        assessment_views,
        auth_views,
        broadcast_pages,
        edit_views,
        feed_views,
        health,
        inquiry_views,
        mail_views,
        municipality_views,
        plan_import_views,  # noqa: F401 - adds the planned-changes import to municipality_views.bp
        public,
        review_views,
        saml_admin,
        saml_views,
        sources,
        totp_views,  # noqa: F401 - adds the second-factor routes to auth_views.bp
        transition_proposal_views,
    )

    return [
        public.bp,
        health.bp,
        auth_views.bp,
        saml_views.bp,
        saml_admin.bp,
        edit_views.bp,
        transition_proposal_views.bp,
        review_views.bp,
        admin_views.bp,
        sources.bp,
        feed_views.bp,
        broadcast_pages.bp,
        municipality_views.bp,
        action_views.bp,
        inquiry_views.bp,
        assessment_views.bp,
        mail_views.bp,
        about.bp,
    ]


def register_all(app: Flask, api: Any) -> None:
    """Register every blueprint: the API's on ``api`` (a flask-smorest ``Api``), then the pages on ``app``."""
    from tracker.security import csrf

    for route in api_routes():
        if route.csrf_exempt:
            csrf.exempt(route.blueprint)
        if route.parameters:
            api.register_blueprint(route.blueprint, url_prefix=route.prefix, parameters=route.parameters)
        else:
            api.register_blueprint(route.blueprint, url_prefix=route.prefix)
    for blueprint in web_blueprints():
        app.register_blueprint(blueprint)
