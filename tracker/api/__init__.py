"""The JSON API under /api/v1, documented by an OpenAPI 3 document generated from the code."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api as SmorestApi

from tracker.api.schemas import ErrorSchema


class Api(SmorestApi):
    """flask-smorest with our error shape documented as the default error response."""

    ERROR_SCHEMA = ErrorSchema


def init_app(app: Flask) -> Api:
    """Create the API, register its blueprints and return it."""
    app.config.setdefault("API_TITLE", "TU-tracker API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    spec_kwargs: dict[str, Any] = {
        "info": {
            "description": "Fælles register over TU-løsningers sikringsniveau og skæringsdato. "
            'Errors are {"error": {"code", "message", "details"}}.',
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
    api = Api(app, spec_kwargs=spec_kwargs)
    from tracker.api import municipalities, solutions

    api.register_blueprint(solutions.blp, url_prefix="/api/v1/solutions")
    api.register_blueprint(municipalities.blp, url_prefix="/api/v1/municipalities")
    from tracker.api import municipality_data  # IdPs, portfolio, readiness, national, upcoming, exports (issue 6)

    municipality_data.register(api)
    from tracker.api import subscriptions  # webhook subscriptions, deliveries, the event log (issue 5)

    subscriptions.register(api)
    from tracker.api import sources  # scrapers and watched pages: health, runs (issue 4)

    api.register_blueprint(sources.blp, url_prefix="/api/v1/sources")
    from tracker.api import proposals, tokens  # proposals and review, one's own API tokens (issue 3)
    from tracker.security import csrf

    for blueprint, prefix in ((proposals.blp, "/api/v1/proposals"), (tokens.blp, "/api/v1/tokens")):
        api.register_blueprint(blueprint, url_prefix=prefix)
    # Bearer-token APIs: CSRF does not apply (writes refuse the login cookie, see tracker.auth.api_user).
    for blueprint in (solutions.blp, proposals.blp, tokens.blp):
        csrf.exempt(blueprint)
    from tracker.api import notifications  # one's own mail preference (issue 14)

    notifications.register(api)
    app.extensions["tracker.api"] = api
    return api
