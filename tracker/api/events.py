"""/api/v1/events — the catch-up cursor over the change-event log."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker.api.paging import has_more_field
from tracker.api.serialize import event_dict
from tracker.api.solutions import EventSchema
from tracker.auth import current_db_user
from tracker.auth.protect import requires
from tracker.broadcast.eventlog import MAX_LIMIT, events_after
from tracker.db import get_session

blp = Blueprint(
    "api_events",
    __name__,
    description="Hændelsesloggen: alle ændringer i stigende, stabil rækkefølge. Hent videre med next_after.",
)


class EventLogQuerySchema(Schema):
    """The cursor: events with an id greater than ``after``."""

    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**62))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_LIMIT))


class EventLogSchema(Schema):
    """A page of the log and the cursor for the next page."""

    items = fields.List(fields.Nested(EventSchema), required=True)
    next_after = fields.Integer(required=True)
    has_more = has_more_field()


@blp.route("")
class EventLog(MethodView):
    """The event log."""

    @blp.arguments(EventLogQuerySchema, location="query")
    @blp.response(200, EventLogSchema)
    @blp.alt_response(401, schema="Error", description="Invalid bearer token")
    @requires("public")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Events after the cursor, oldest first. Solution events are public; a municipality's readiness
        events are shown only to its users and coordinators (send a bearer token)."""
        items = events_after(get_session(), current_db_user(), after=args["after"], limit=args["limit"])
        return {"items": [event_dict(e) for e in items], "next_after": items[-1].id if items else args["after"]}
