"""Marshmallow schemas shared by the API blueprints: errors, paging, solutions, municipalities."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from tracker.api.paging import PageSchema
from tracker.models.vocab import Confidence, Loa, Precision, SolutionKind, SourceKind, SwitchState


class ErrorBodySchema(Schema):
    """The inside of an error."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorSchema(Schema):
    """Every error: ``{"error": {"code", "message", "details"}}``."""

    error = fields.Nested(ErrorBodySchema, required=True)


class OrganisationRefSchema(Schema):
    """An organisation as a reference inside another object."""

    slug = fields.String(required=True)
    name = fields.String(required=True)


def Enum(values: type[Any], **kwargs: Any) -> fields.String:  # noqa: N802 - reads like a field class
    """A response field from a closed vocabulary: documented as an enum (generated clients get its values)."""
    return fields.String(validate=validate.OneOf([v.value for v in values]), **kwargs)


class ProvenanceSchema(Schema):
    """Where a tracked fact came from."""

    kind = Enum(SourceKind, allow_none=True)
    url = fields.String(allow_none=True)
    evidence = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)


class RequiredLoaSchema(Schema):
    """Tracked fact: the required NSIS level."""

    value = Enum(Loa, required=True)
    status = Enum(Confidence, required=True)
    source = fields.Nested(ProvenanceSchema, required=True)


class SwitchDateSchema(Schema):
    """Tracked fact: the switch date as an interval."""

    earliest = fields.Date(allow_none=True)
    latest = fields.Date(allow_none=True)
    precision = Enum(Precision, required=True)
    text = fields.String(allow_none=True)
    state = Enum(SwitchState, required=True)
    status = Enum(Confidence, required=True)
    source = fields.Nested(ProvenanceSchema, required=True)


class LinkSchema(Schema):
    """A link about the solution."""

    title = fields.String()
    url = fields.String()


class SolutionSchema(Schema):
    """A solution as the API shows it."""

    slug = fields.String(required=True)
    name = fields.String(required=True)
    aliases = fields.List(fields.String(), required=True)
    description = fields.String(allow_none=True)
    kind = Enum(SolutionKind, required=True)
    service_provider = fields.Nested(OrganisationRefSchema, allow_none=True)
    vendor = fields.Nested(OrganisationRefSchema, allow_none=True)
    broker = fields.String(allow_none=True)
    brokers = fields.List(
        fields.String(), required=True, metadata={"description": "Slugs of the brokers staff reach it through"}
    )
    links = fields.List(fields.Nested(LinkSchema), required=True)
    required_loa = fields.Nested(RequiredLoaSchema, required=True)
    switch_date = fields.Nested(SwitchDateSchema, required=True)
    version = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)
    url = fields.String(required=True)


class SolutionPageSchema(PageSchema):
    """A page of solutions."""

    items = fields.List(fields.Nested(SolutionSchema), required=True)


class MunicipalitySchema(Schema):
    """A municipality: official 3-digit code, name, region; a region change ahead with its date and source."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    region = fields.String(required=True)
    next_region = fields.String(allow_none=True, metadata={"description": "The region from next_region_on"})
    next_region_on = fields.Date(allow_none=True)
    next_region_source_url = fields.String(allow_none=True)
    url = fields.String(required=True)


class MunicipalityListSchema(Schema):
    """All municipalities."""

    items = fields.List(fields.Nested(MunicipalitySchema), required=True)
    total = fields.Integer(required=True)
