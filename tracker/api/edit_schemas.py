"""Input schemas of the API's writes: the nested shape GET returns, validated with Danish messages.

Every string is checked for characters no database takes (NUL, lone surrogates), so odd input is a 422
and never a 500. Unknown fields are refused (marshmallow's default), wrong JSON types too.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tracker.api.paging import PageSchema
from tracker.error_messages import N_
from tracker.i18n import translated
from tracker.inputs import (
    CONTROL_CHARS,
    LINE_BREAKS,
    LINE_PATTERN,
    MSG_TYPE,
    NONBLANK_LINE_PATTERN,
    NONBLANK_TEXT_PATTERN,
    TEXT_PATTERN,
    Day,
)
from tracker.models.vocab import Confidence, Loa, Precision, SolutionKind, SourceKind, SwitchState, TransitionKind
from tracker.registry.services import SLUG_RE
from tracker.review.queries import STATE_FILTERS


class OneOf(validate.OneOf):
    """marshmallow's ``OneOf``, worded through the catalogue when it fails (the reader's language)."""

    def _format_error(self, value: Any) -> str:
        return translated("Skal være en af: %(values)s.", values=self.choices_text)


class Length(validate.Length):
    """marshmallow's ``Length`` for text, worded through the catalogue when it fails (the reader's language)."""

    def _format_error(self, value: Any, message: str) -> str:
        return translated("Skal have %(min)s–%(max)s tegn.", min=self.min or 0, max=self.max)


def _one_of(values: type[Any]) -> validate.OneOf:
    return OneOf([v.value for v in values])


def _length(maximum: int, minimum: int | None = None) -> validate.Length:
    return Length(min=minimum, max=maximum)


class Text(fields.String):
    """A string a database can store: no control characters (NUL …), no lone surrogates.

    ``multiline=False`` (names, slugs, dates in words) also refuses line breaks and tabs.
    """

    def __init__(self, *args: Any, multiline: bool = True, says_something: bool = False, **kwargs: Any) -> None:
        """A string field with Danish messages; ``says_something``: the API strips it and refuses what is left
        empty, so the document's pattern asks for one character that is not white space."""
        kwargs.setdefault("error_messages", MSG_TYPE)
        self.multiline = multiline
        rules = kwargs.get("validate")
        if not any(
            isinstance(r, validate.Regexp | validate.OneOf) for r in (rules if isinstance(rules, list) else [rules])
        ):
            # The document says which characters are refused (a Regexp or a choice states its own rule).
            if says_something:
                pattern = NONBLANK_TEXT_PATTERN if multiline else NONBLANK_LINE_PATTERN
            else:
                pattern = TEXT_PATTERN if multiline else LINE_PATTERN
            kwargs["metadata"] = {"pattern": pattern, **kwargs.get("metadata", {})}
        super().__init__(*args, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if CONTROL_CHARS.search(text):
            raise ValidationError(translated("Teksten indeholder et ugyldigt kontroltegn."))
        if not self.multiline and LINE_BREAKS.search(text):
            raise ValidationError(translated("Må kun være én linje (ingen linjeskift eller tabulatorer)."))
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValidationError(translated("Teksten indeholder ugyldige tegn.")) from exc
        return text


# What marshmallow's URL check accepts, as the document states it: http(s), a host name with a top-level
# domain (labels of letters, digits and inner hyphens), an optional port, then no spaces or control characters.
URL_PATTERN = (
    "^https?://([A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?\\.){1,5}[A-Za-z]{2,6}(:[0-9]{1,5})?"
    "(/|[/?][^\\s\\u0000-\\u001f\\u007f\\u0085\\u00a0\\u2028\\u2029]+)?$"
)


def Url(**kwargs: Any) -> fields.Url:  # noqa: N802 - reads like the field class it builds
    """An http(s) address of at most 1000 characters."""
    metadata = {"pattern": URL_PATTERN, **kwargs.pop("metadata", {})}
    return fields.Url(
        schemes={"http", "https"},
        validate=_length(1000),
        error_messages={**MSG_TYPE, "invalid": N_("Skal være en gyldig http(s)-adresse.")},
        metadata=metadata,
        **kwargs,
    )


def Choice(values: type[Any], **kwargs: Any) -> Text:  # noqa: N802 - reads like a field class
    """One value of a vocabulary."""
    return Text(validate=_one_of(values), multiline=False, **kwargs)


class SourceInSchema(Schema):
    """Where a fact came from."""

    kind = Choice(SourceKind, allow_none=True)
    url = Url(allow_none=True)
    evidence = Text(allow_none=True, validate=_length(5000))


class RequiredLoaInSchema(Schema):
    """Required level: value, confidence and source (each optional on PATCH)."""

    value = Choice(Loa)
    status = Choice(Confidence)
    source = fields.Nested(SourceInSchema)


class SwitchDateInSchema(Schema):
    """Switch date: Danish words in ``text`` ("Q2 2024", "ultimo 2023", "1. marts 2023") or explicit days."""

    text = Text(
        multiline=False,
        allow_none=True,
        validate=_length(200),
        metadata={
            "description": "Fx '1. marts 2023', 'Q2 2024', 'ultimo 2023', 'efteråret 2024' eller "
            "2024-04-01. Læses når 'earliest' ikke er givet; tom/null: ukendt."
        },
    )
    earliest = Day(allow_none=True, metadata={"description": "The first possible day; needed when latest is sent"})
    latest = Day(
        allow_none=True,
        metadata={"description": "The last possible day: on or after earliest (absent: the same day as earliest)"},
    )
    precision = Choice(
        Precision, metadata={"description": "Needed when latest is after earliest (a period); a single day: day"}
    )
    state = Choice(SwitchState)
    status = Choice(Confidence)
    source = fields.Nested(SourceInSchema)


class LinkInSchema(Schema):
    """A link about the solution."""

    title = Text(multiline=False, validate=_length(200))
    url = Url(required=True)


class SolutionPatchSchema(Schema):
    """A change to a solution: only the fields sent are changed."""

    name = Text(multiline=False, validate=_length(200, 1))
    aliases = fields.List(Text(multiline=False, validate=_length(200, 1)), validate=validate.Length(max=50))
    description = Text(allow_none=True, validate=_length(5000))
    kind = Choice(SolutionKind)
    broker = Text(multiline=False, allow_none=True, validate=_length(80))
    brokers = fields.List(
        Text(multiline=False, validate=_length(80, 1)),
        validate=validate.Length(max=20),
        metadata={"description": "Slugs of broker solutions (kind 'broker') staff reach it through"},
    )
    links = fields.List(fields.Nested(LinkInSchema), validate=validate.Length(max=20))
    vendor = Text(
        multiline=False, allow_none=True, validate=_length(80, 1), metadata={"description": "Organisation slug"}
    )
    service_provider = Text(
        multiline=False, allow_none=True, validate=_length(80, 1), metadata={"description": "Organisation slug"}
    )
    required_loa = fields.Nested(RequiredLoaInSchema)
    switch_date = fields.Nested(SwitchDateInSchema)
    reason = Text(allow_none=True, validate=_length(2000), metadata={"description": "Why (shown in history)"})


class SolutionCreateSchema(SolutionPatchSchema):
    """A new solution; the slug is made from the name when not given."""

    slug = Text(
        multiline=False,
        validate=validate.Regexp(SLUG_RE, error=N_("Kun små bogstaver a-z, tal og bindestreg (højst 80).")),
    )
    name = Text(multiline=False, required=True, validate=_length(200, 1))


class ProposalCreateSchema(Schema):
    """A proposed change to one solution's tracked facts, with evidence: required_loa and/or switch_date, and at
    least one value that differs from what the registry records (otherwise a 422 names ``changes``)."""

    solution = Text(multiline=False, required=True, validate=_length(80, 1), metadata={"description": "Solution slug"})
    required_loa = fields.Nested(RequiredLoaInSchema)
    switch_date = fields.Nested(SwitchDateInSchema)
    evidence = Text(allow_none=True, validate=_length(5000))
    source_url = Url(allow_none=True)

    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("required_loa") and not data.get("switch_date"):
            raise ValidationError(N_("Foreslå en ændring af 'required_loa' og/eller 'switch_date'."), "required_loa")


class ProposalQuerySchema(Schema):
    """Filters of the proposal list."""

    state = Text(multiline=False, validate=OneOf(STATE_FILTERS))
    solution = Text(multiline=False, validate=_length(80, 1))
    mine = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class AcceptSchema(Schema):
    """Accept a proposal; a stale one needs ``confirm_stale``."""

    confirm_stale = fields.Boolean(load_default=False)
    reason = Text(allow_none=True, validate=_length(2000))


class RejectSchema(Schema):
    """Reject a proposal with a reason the proposer sees."""

    reason = Text(required=True, validate=_length(2000, 1))


class ProposalTransitionSchema(Schema):
    """The transition a proposal is about: the one a change names, or the new one (its id once accepted)."""

    id = fields.Integer(
        allow_none=True, required=True, metadata={"description": "null: a new transition not yet accepted"}
    )
    new = fields.Boolean(required=True, metadata={"description": "true: a proposal of a new transition"})
    kind = fields.String(allow_none=True, required=True, validate=validate.OneOf([k.value for k in TransitionKind]))
    title = fields.String(allow_none=True, required=True)
    base_version = fields.Integer(
        allow_none=True, required=True, metadata={"description": "The transition's version the change was made against"}
    )
    current_version = fields.Integer(allow_none=True, required=True)
    url = fields.String(allow_none=True, required=True)


class ProposalSchema(Schema):
    """A proposal with its diff against the current values."""

    id = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"description": "pending | stale | accepted | rejected"})
    origin = fields.String(required=True)
    solution = fields.Dict(required=True)
    proposer = fields.String(required=True)
    changes = fields.Dict(required=True)
    diff = fields.List(fields.Dict(), required=True)
    evidence = fields.String(allow_none=True)
    source = fields.Dict(required=True)
    base_version = fields.Integer(required=True)
    current_version = fields.Integer(required=True)
    review_reason = fields.String(allow_none=True)
    reviewed_by = fields.String(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)
    event_id = fields.Integer(allow_none=True)
    target = fields.String(
        required=True,
        validate=validate.OneOf(["solution", "transition"]),
        metadata={
            "description": "solution: changes are the solution's fields; transition: a transition's (see transition)"
        },
    )
    transition = fields.Nested(ProposalTransitionSchema, allow_none=True, required=True)


class ProposalPageSchema(PageSchema):
    """A page of proposals."""

    items = fields.List(fields.Nested(ProposalSchema), required=True)


class TokenSchema(Schema):
    """An API token as its owner sees it (never the token itself, except once at creation)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    token = fields.String(metadata={"description": "Only in the response that created it"})


class TokenListSchema(Schema):
    """One's own tokens."""

    items = fields.List(fields.Nested(TokenSchema), required=True)


class TokenCreateSchema(Schema):
    """Name a new token."""

    name = Text(multiline=False, required=True, validate=_length(100, 1))
