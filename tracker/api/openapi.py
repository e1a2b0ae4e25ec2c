"""What the OpenAPI document says beyond the routes: an operationId for every operation, and the payloads
that leave without a route (webhook bodies, change events) as named schemas.

The operationId is made from the method and the path, so every route any blueprint adds gets a stable,
unique one without anyone remembering to write it: GET /api/v1/solutions/{slug}/history is
``get_solutions_by_slug_history``; a view may still set its own with ``@blp.doc(operationId=…)``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from apispec import APISpec, BasePlugin
from flask import Flask
from marshmallow import Schema, fields, validate

from tracker.inputs import LINE_PATTERN
from tracker.models.vocab import TransitionCategory, TransitionKind
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


class FieldRulesPlugin(BasePlugin):
    """A request schema's rules between its fields, in its component: JSON Schema keywords (``allOf`` of
    ``anyOf``, OpenAPI 3.0 has no ``if``/``then``) a marshmallow class names in ``DOCUMENT_RULES``, inherited by
    its subclasses. apispec writes a component from the fields alone; this adds what one field says of another,
    so a client (and schemathesis) knows the rule before the API's 422 says it."""

    def schema_helper(self, name: str, definition: dict[str, Any], **kwargs: Any) -> dict[str, Any] | None:
        """The class's ``DOCUMENT_RULES`` (a copy), if it has any."""
        schema = kwargs.get("schema")
        rules = getattr(schema if isinstance(schema, type) else type(schema), "DOCUMENT_RULES", None)
        return copy.deepcopy(rules) if rules else None


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


class WebhookDataSchema(Schema):
    """``data`` of a change event's webhook body: the event, with the solution (and municipality) it is about."""

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


class PayloadIdpSchema(Schema):
    """The IdP (staff group) a readiness row is about."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    user_group = fields.String(allow_none=True)


class PayloadActionSchema(Schema):
    """What the municipality should do now: a code and its sentence (Danish)."""

    code = fields.String(required=True)
    text = fields.String(required=True)


class BulkReadinessRowSchema(Schema):
    """One (solution, IdP) row of a bulk readiness change: the fields a single-row event has, with its change."""

    solution = fields.Nested(PayloadSolutionSchema, required=True)
    idp = fields.Nested(PayloadIdpSchema, allow_none=True, metadata={"description": "null: no IdP chosen"})
    message = fields.String(allow_none=True)
    requirement_from = fields.Nested(PayloadSolutionSchema, allow_none=True)
    action = fields.Nested(PayloadActionSchema, allow_none=True)
    stale = fields.Boolean()
    changes = fields.Dict(keys=fields.String(), values=fields.Nested(ChangeSchema), required=True)


class ReadinessDataSchema(WebhookDataSchema):
    """``data`` of ``municipality.readiness.changed``: one (solution, IdP) row's verdict moved — or, in bulk,
    several rows of one municipality (``rows``, ``count``; the single-row fields are then absent)."""

    message = fields.String(allow_none=True, metadata={"description": "What the verdict means, in Danish"})
    idp = fields.Nested(PayloadIdpSchema, allow_none=True)
    requirement_from = fields.Nested(PayloadSolutionSchema, allow_none=True)
    action = fields.Nested(PayloadActionSchema, allow_none=True)
    stale = fields.Boolean()
    rows = fields.List(
        fields.Nested(BulkReadinessRowSchema),
        metadata={"description": "Only on a bulk municipality.readiness.changed. " + BULK_SHAPE},
    )
    count = fields.Integer(metadata={"description": "Only on a bulk change: how many rows `rows` holds."})


class PayloadOwnActionSchema(Schema):
    """A municipality's action as ``action.updated`` carries it (never its note)."""

    id = fields.Integer(required=True)
    subject = fields.Dict(required=True, metadata={"description": "{kind: readiness|transition, key}"})
    status = fields.String(
        required=True, validate=validate.OneOf(["new", "in_progress", "done", "not_relevant", "blocked"])
    )
    owner = fields.String(allow_none=True)
    due = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})


class ActionDataSchema(WebhookDataSchema):
    """``data`` of ``action.updated``: one of the municipality's own actions changed (sent only to that
    municipality's own users' subscriptions)."""

    action = fields.Nested(PayloadOwnActionSchema, required=True)


class PayloadInquirySchema(Schema):
    """The question as it stands after the event (public: who asked as a municipality, never a person)."""

    id = fields.Integer(required=True)
    question = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(["open", "asked", "answered", "closed"]))
    waiting = fields.Integer(required=True)
    asker = fields.String(allow_none=True)
    answer = fields.String(allow_none=True)
    answer_source_url = fields.String(allow_none=True)
    proposal_id = fields.Integer(allow_none=True)
    asked_note = fields.String(allow_none=True)
    close_reason = fields.String(allow_none=True)


class InquiryDataSchema(WebhookDataSchema):
    """``data`` of ``inquiry.*``: the question with its answer or reason."""

    inquiry = fields.Nested(PayloadInquirySchema, required=True)


class PayloadTransitionSchema(Schema):
    """The transition an event is about, as it stands after the event (subscribers filter on these)."""

    id = fields.Integer(required=True, metadata={"description": "GET /api/v1/transitions/{id}"})
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in TransitionKind]))
    title = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf([c.value for c in TransitionCategory]))
    major = fields.Boolean(required=True)
    act_by = fields.String(allow_none=True, metadata={"description": "The act-by day, YYYY-MM-DD"})
    earliest = fields.String(allow_none=True, metadata={"description": "The earliest day, YYYY-MM-DD"})
    nsis_login = fields.Boolean(required=True, metadata={"description": "The solution's NSIS login transition"})


class TransitionDataSchema(WebhookDataSchema):
    """``data`` of ``transition.*``: the change (``changes`` named as in the transitions API: date.earliest,
    act_by, required_loa.value, …) and the transition it is about."""

    transition = fields.Nested(PayloadTransitionSchema, required=True)


class TestDataSchema(Schema):
    """``data`` of ``subscription.test``: which subscription was pinged (no change event)."""

    subscription_id = fields.Integer(required=True)
    message = fields.String(required=True)


SOLUTION_EVENT_TYPES = tuple(t for t in EVENT_TYPES if t.startswith("solution."))
INQUIRY_EVENT_TYPES = tuple(t for t in EVENT_TYPES if t.startswith("inquiry."))
TRANSITION_EVENT_TYPES = tuple(t for t in EVENT_TYPES if t.startswith("transition."))
READINESS_EVENT_TYPES = ("municipality.readiness.changed",)
ACTION_EVENT_TYPES = ("action.updated",)
TEST_EVENT_TYPES = ("subscription.test",)


def _payload(name: str, types: tuple[str, ...], data: type[Schema]) -> type[Schema]:
    """A webhook body schema whose ``type`` is one of ``types`` and whose ``data`` is ``data``."""
    return Schema.from_dict(
        {
            "type": fields.String(required=True, validate=validate.OneOf(types)),
            "timestamp": fields.String(required=True, metadata={"description": "When it happened, ISO 8601 UTC ('Z')"}),
            "data": fields.Nested(data, required=True),
        },
        name=name,
    )


# One body schema per kind of event, each named in the document; WebhookPayload is their union, told apart by
# ``type`` (the discriminator). Every type a delivery can carry appears in exactly one of them.
PAYLOADS: dict[str, tuple[tuple[str, ...], type[Schema]]] = {
    "SolutionEventPayload": (SOLUTION_EVENT_TYPES, WebhookDataSchema),
    "ReadinessEventPayload": (READINESS_EVENT_TYPES, ReadinessDataSchema),
    "InquiryEventPayload": (INQUIRY_EVENT_TYPES, InquiryDataSchema),
    "TransitionEventPayload": (TRANSITION_EVENT_TYPES, TransitionDataSchema),
    "ActionEventPayload": (ACTION_EVENT_TYPES, ActionDataSchema),
    "TestEventPayload": (TEST_EVENT_TYPES, TestDataSchema),
}


def payload_types() -> list[str]:
    """Every ``type`` a webhook body may have, as documented."""
    return [t for types, _data in PAYLOADS.values() for t in types]


def add_components(spec: APISpec) -> None:
    """Name the payloads that leave without a route: one schema per kind of webhook body, and their union."""
    if "WebhookPayload" in spec.components.schemas:
        return
    mapping = {}
    for name, (types, data) in PAYLOADS.items():
        spec.components.schema(name, schema=_payload(name, types, data))
        mapping.update(dict.fromkeys(types, f"#/components/schemas/{name}"))
    spec.components.schema(
        "WebhookPayload",
        component={
            "description": "The body of every webhook request (Standard Webhooks: signed with webhook-id, "
            "webhook-timestamp and webhook-signature), one schema per kind of event, told apart by 'type'.",
            "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in PAYLOADS],
            "discriminator": {"propertyName": "type", "mapping": mapping},
        },
    )


def nullable_ref(self: Any, field: Any, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """A nullable nested object as ``allOf: [ref], nullable: true`` (OpenAPI 3.0), which generated clients read
    as the model or null. apispec writes ``anyOf: [{type: object, nullable}, ref]``, whose first branch, any
    object at all, is what clients then take: the nested model's fields were lost to them."""
    branches = ret.get("anyOf")
    if not isinstance(branches, list) or len(branches) != 2 or {"type": "object", "nullable": True} not in branches:
        return {}
    ref = next((branch for branch in branches if "$ref" in branch), None)
    if ref is None:
        return {}
    del ret["anyOf"]
    return {"allOf": [ref], "nullable": True}


# Operations anyone may call without a token: the public reads (their answers show only public data; a token
# may show more, never less). Every other operation needs ``Authorization: Bearer``.
PUBLIC_READS = frozenset({
    "api_solutions.SolutionList", "api_solutions.SolutionItem", "api_solutions.SolutionHistory",
    "api_overview.RegistryCsv", "api_overview.RegistryXlsx", "api_overview.UpcomingSwitches",
    "api_overview.PopularSolutions", "api_municipalities.MunicipalityList", "api_municipalities.MunicipalityItem",
    "api_sources.SourceList", "api_sources.SourceItem", "api_events.EventLog", "api_inquiries.InquiryList",
    "api_inquiries.InquiryItem", "api_inquiries.SolutionInquiries", "api_inquiries.RiskAssessments",
    "api_transitions.TransitionList", "api_transitions.SolutionTransitions", "api_transitions.TransitionItem",
    "api_transitions.TransitionHistory", "api_transitions.LeadTimes",
})  # fmt: skip
_RULE_ARGUMENT = re.compile(r"<(?:[^<>]*:)?([^<>:]+)>")


# What a path's names can be, where the route's converter says only "a string": a slug, a municipality code
# (3 digits, or 4 with a leading 0), a source's key (one line). Anything else is a 404, never a refusal of input —
# but a NUL is refused before routing, so the document says which characters a name is made of.
PATH_NAMES: dict[str, dict[str, Any]] = {
    "slug": {"pattern": "^[a-z0-9][a-z0-9-]{0,79}$", "maxLength": 80},
    "code": {"pattern": "^0?[0-9]{3}$"},
    "key": {"pattern": LINE_PATTERN, "minLength": 1, "maxLength": 200},
}


def document_path_names(paths: dict[str, dict[str, Any]]) -> None:
    """State the shape of every path name whose route converter is a plain string (``PATH_NAMES``)."""
    for item in paths.values():
        operations = [item, *(op for op in item.values() if isinstance(op, dict))]
        for holder in operations:
            for parameter in holder.get("parameters") or []:
                if not isinstance(parameter, dict) or parameter.get("in") != "path":
                    continue
                rule = PATH_NAMES.get(str(parameter.get("name")))
                schema = parameter.get("schema")
                if rule and isinstance(schema, dict) and schema.get("type") == "string" and "pattern" not in schema:
                    schema.pop("minLength", None)
                    schema.update(rule)


def document_security(app: Flask, spec: APISpec) -> None:
    """``security: []`` on the public reads, ``bearerAuth`` on every other operation (once routes exist); the
    shape of every plain-string path name (``document_path_names``)."""
    paths: dict[str, dict[str, Any]] = spec._paths  # apispec keeps the paths here until the document is built
    document_path_names(paths)
    for rule in app.url_map.iter_rules():
        operations = paths.get(_RULE_ARGUMENT.sub(r"{\1}", rule.rule))
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict) or method.upper() not in (rule.methods or set()):
                continue
            public = rule.endpoint in PUBLIC_READS and method in ("get", "head")
            operation["security"] = [] if public else [{"bearerAuth": []}]
