"""The JSON API under /api/v1, documented by an OpenAPI 3 document generated from the code."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api as SmorestApi

from tracker.api import paging
from tracker.api.openapi import FieldRulesPlugin, OperationIdPlugin, add_components, nullable_ref
from tracker.api.schemas import ErrorSchema


class Api(SmorestApi):
    """flask-smorest with our error shape documented as the default error response."""

    ERROR_SCHEMA = ErrorSchema


def init_app(app: Flask) -> Api:
    """Create the API (its blueprints are registered by ``tracker.blueprints``) and return it."""
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

    spec_kwargs["extra_plugins"] = [OperationIdPlugin(), FieldRulesPlugin()]
    api = Api(app, spec_kwargs=spec_kwargs)
    api.ma_plugin.converter.add_attribute_function(nullable_ref)
    add_components(api.spec)

    paging.init_app(app)
    app.extensions["tracker.api"] = api
    return api
