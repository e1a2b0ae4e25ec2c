"""/api/v1/account/notifications — one's own e-mail preference: mode, scope, language, work alerts, reminders and
which transitions are mailed."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from tracker.api.solution_writes import documented
from tracker.auth import api_user
from tracker.auth.permissions import require_user
from tracker.auth.protect import requires
from tracker.db import get_session
from tracker.errors import ValidationError
from tracker.notify import preferences

blp = Blueprint("api_notifications", __name__, description="Dine mailindstillinger.")


class NotificationSchema(ma.Schema):
    """Mode: immediate|daily|weekly|off; scope: portfolio|all; language: da|en; alerts (coordinators): any of
    proposals (new ones to review), sources (pages changed, sources unhealthy), sent at once. Transition mail
    (``transition.*`` events, immediate and in digests) can be narrowed to kinds, categories and major changes;
    empty lists and false: every transition. Other events (readiness, inquiries, a solution's facts) are never
    narrowed."""

    mode = ma.fields.String(metadata={"enum": list(preferences.MODES)})
    scope = ma.fields.String(metadata={"enum": list(preferences.SCOPES)})
    language = ma.fields.String(metadata={"enum": list(preferences.LANGUAGES)})
    alerts = ma.fields.List(ma.fields.String(metadata={"enum": list(preferences.ALERTS)}))
    action_reminder_days = ma.fields.Integer(
        allow_none=True,
        metadata={
            "description": "Days before an action's due day its owner is reminded (0-90; null: never)",
            "minimum": 0,
            "maximum": 90,
        },
    )
    transition_kinds = ma.fields.List(
        ma.fields.String(metadata={"enum": list(preferences.TRANSITION_LISTS["transition_kinds"])}),
        metadata={"description": "Mail transitions of these kinds only (empty: every kind); an unknown one is 422"},
    )
    transition_categories = ma.fields.List(
        ma.fields.String(metadata={"enum": list(preferences.TRANSITION_LISTS["transition_categories"])}),
        metadata={
            "description": "Mail transitions of these categories only (empty: every category); an unknown one is 422"
        },
    )
    transition_major_only = ma.fields.Boolean(
        metadata={"description": "true: mail major transitions only; false (default): any weight"}
    )


@blp.route("")
class Notifications(MethodView):
    """One's own mail preference (default: daily, portfolio)."""

    @blp.response(200, NotificationSchema)
    @documented(blp, 401)
    @requires("account")
    def get(self) -> dict[str, Any]:
        """Your mail preference."""
        user = require_user(api_user(write=False))
        return preferences.preference_of(get_session(), user)

    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": NotificationSchema}}})
    @blp.response(200, NotificationSchema)
    @documented(blp, 401, 422)
    @requires("account")
    def put(self) -> dict[str, Any]:
        """Change your mail preference; fields left out keep their value. Unknown values are 422."""
        user = require_user(api_user(write=True))
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ValidationError(_("Forventede et JSON-objekt med mode og/eller scope."))
        return preferences.set_preference(get_session(), user, data, remote_addr=request.remote_addr, via="api")
