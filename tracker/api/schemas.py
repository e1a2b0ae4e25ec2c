"""Marshmallow schemas shared by the API blueprints: errors, paging, solutions, municipalities."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tracker.models.vocab import Loa, SolutionKind

MAX_PAGE = 500


class ErrorBodySchema(Schema):
    """The inside of an error."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorSchema(Schema):
    """Every error: ``{"error": {"code", "message", "details"}}``."""

    error = fields.Nested(ErrorBodySchema, required=True)


class PageQuerySchema(Schema):
    """limit/offset paging."""

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class SolutionQuerySchema(PageQuerySchema):
    """Filters of the solution list (SPEC §5)."""

    loa = fields.String(validate=validate.OneOf([v.value for v in Loa]))
    kind = fields.String(validate=validate.OneOf([v.value for v in SolutionKind]))
    vendor = fields.String(validate=validate.Length(min=1, max=80))
    switch_after = fields.Date()
    switch_before = fields.Date()
    q = fields.String(validate=validate.Length(min=1, max=200))

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        after, before = data.get("switch_after"), data.get("switch_before")
        if after and before and after > before:
            raise ValidationError("switch_after skal ligge før switch_before.", "switch_after")


class OrganisationRefSchema(Schema):
    """An organisation as a reference inside another object."""

    slug = fields.String(required=True)
    name = fields.String(required=True)


class ProvenanceSchema(Schema):
    """Where a tracked fact came from."""

    kind = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    evidence = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)


class RequiredLoaSchema(Schema):
    """Tracked fact: the required NSIS level."""

    value = fields.String(required=True)
    status = fields.String(required=True)
    source = fields.Nested(ProvenanceSchema, required=True)


class SwitchDateSchema(Schema):
    """Tracked fact: the switch date as an interval."""

    earliest = fields.Date(allow_none=True)
    latest = fields.Date(allow_none=True)
    precision = fields.String(required=True)
    text = fields.String(allow_none=True)
    state = fields.String(required=True)
    status = fields.String(required=True)
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
    kind = fields.String(required=True)
    service_provider = fields.Nested(OrganisationRefSchema, allow_none=True)
    vendor = fields.Nested(OrganisationRefSchema, allow_none=True)
    broker = fields.String(allow_none=True)
    links = fields.List(fields.Nested(LinkSchema), required=True)
    required_loa = fields.Nested(RequiredLoaSchema, required=True)
    switch_date = fields.Nested(SwitchDateSchema, required=True)
    version = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)
    url = fields.String(required=True)


class SolutionPageSchema(Schema):
    """A page of solutions."""

    items = fields.List(fields.Nested(SolutionSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


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
