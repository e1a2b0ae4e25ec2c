"""What the OpenAPI document says beyond the routes: an operationId for every operation, and the payloads
that leave without a route (webhook bodies, change events) as named schemas.

The operationId is made from the method and the path, so every route any blueprint adds gets a stable,
unique one without anyone remembering to write it: GET /api/v1/solutions/{slug}/history is
``get_solutions_by_slug_history``; a view may still set its own with ``@blp.doc(operationId=…)``.
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec, BasePlugin
from marshmallow import Schema, fields, validate

from tracker.municipalities.readiness_events import BULK_SHAPE
from tracker.registry.events import EVENT_TYPES

_PREFIX = re.compile(r"^/api/v\d+/")


def operation_id(method: str, path: str) -> str:
    """``get_solutions_by_slug_history`` for GET /api/v1/solutions/{slug}/history."""
    parts = []
    for part in _PREFIX.sub("", path).strip("/").split("/"):
        if part.startswith("{") and part.endswith("}"):
            parts.append("by_" + part[1:-1])
        elif part:
            parts.append(part)
    name = "_".join([method.lower(), *parts])
    return re.sub(r"[^a-zA-Z0-9_]+", "_", name)


class OperationIdPlugin(BasePlugin):
    """Give every operation an operationId (apispec calls this for each path added)."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any) -> None:
        """Fill in missing operationIds."""
        if path is None or not operations:
            return
        for method, operation in operations.items():
            if isinstance(operation, dict):
                operation.setdefault("operationId", operation_id(method, path))


class ChangeSchema(Schema):
    """One field's change: its value before and after (ISO dates as strings)."""

    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class PayloadSolutionSchema(Schema):
    """The solution an event is about, by slug and name at the time."""

    slug = fields.String(required=True)
    name = fields.String(required=True)


class PayloadMunicipalitySchema(Schema):
    """The municipality an event is about."""

    code = fields.String(required=True)
    name = fields.String(required=True)


class PayloadSourceSchema(Schema):
    """The source of a change."""

    kind = fields.String(allow_none=True)
    url = fields.String(allow_none=True)


class BulkReadinessRowSchema(Schema):
    """One (solution, IdP) row of a bulk readiness change: the fields a single-row event has, with its change."""

    solution = fields.Nested(PayloadSolutionSchema, required=True)
    idp = fields.Dict(allow_none=True, metadata={"description": "id, name, user_group; null: no IdP chosen"})
    message = fields.String(allow_none=True)
    requirement_from = fields.Dict(allow_none=True)
    action = fields.Dict(allow_none=True)
    stale = fields.Boolean()
    changes = fields.Dict(keys=fields.String(), values=fields.Nested(ChangeSchema), required=True)


class WebhookDataSchema(Schema):
    """``data`` of a webhook body: the change event, with the solution (and municipality) it is about."""

    event_id = fields.Integer(required=True, metadata={"description": "The event's id in /api/v1/events"})
    solution = fields.Nested(PayloadSolutionSchema, allow_none=True)
    municipality = fields.Nested(PayloadMunicipalitySchema, allow_none=True)
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ChangeSchema),
        required=True,
        metadata={
            "description": "Per changed field, named as in the API (switch_date.earliest, required_loa.value, "
            "required_loa.source.url, service_provider.slug, name, …): before and after."
        },
    )
    actor = fields.String(required=True, metadata={"description": "Role and organisation, never a person"})
    source = fields.Nested(PayloadSourceSchema, required=True)
    reason = fields.String(allow_none=True)
    rows = fields.List(
        fields.Nested(BulkReadinessRowSchema),
        metadata={"description": "Only on a bulk municipality.readiness.changed. " + BULK_SHAPE},
    )
    count = fields.Integer(metadata={"description": "Only on a bulk change: how many rows `rows` holds."})


class WebhookPayloadSchema(Schema):
    """The body of every webhook request (Standard Webhooks: signed with webhook-id/-timestamp/-signature)."""

    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    timestamp = fields.String(required=True, metadata={"description": "When it happened, ISO 8601 UTC ('Z')"})
    data = fields.Nested(WebhookDataSchema, required=True)


def add_components(spec: APISpec) -> None:
    """Name the payloads that leave without a route."""
    for name, schema in (("WebhookPayload", WebhookPayloadSchema), ("WebhookData", WebhookDataSchema)):
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=schema)
