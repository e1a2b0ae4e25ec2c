"""Schemas of /api/v1/transitions: the transition as GET shows it, what POST/PATCH take, the list's filters.

The date and the level have the shapes of a solution's ``switch_date`` and ``required_loa`` (the same schemas),
so a client that reads a solution reads a transition.
"""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tracker.api.edit_schemas import Length, OneOf, RequiredLoaInSchema, SwitchDateInSchema, Text, Url, _length
from tracker.api.paging import PageSchema
from tracker.api.schemas import Enum, ProvenanceSchema, SwitchDateSchema
from tracker.error_messages import N_
from tracker.inputs import LINE_PATTERN, NONBLANK_TEXT_PATTERN, Day, PageQuerySchema
from tracker.models.vocab import Confidence, Loa, SwitchState, TransitionCategory, TransitionKind, WhoMustAct


class TransitionSolutionSchema(Schema):
    """A solution named inside another object."""

    slug = fields.String(required=True)
    name = fields.String(required=True)


class TransitionLoaSchema(Schema):
    """The level a ``loa`` transition requires (null on other kinds unless given)."""

    value = Enum(Loa, required=True)
    status = Enum(Confidence, required=True)
    source = fields.Nested(ProvenanceSchema, required=True)


class TransitionSchema(Schema):
    """A transition as the API shows it."""

    id = fields.Integer(required=True)
    solution = fields.Nested(TransitionSolutionSchema, required=True)
    kind = Enum(TransitionKind, required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True)
    date = fields.Nested(SwitchDateSchema, required=True, metadata={"description": "As a solution's switch_date"})
    act_by = fields.Date(
        allow_none=True, required=True, metadata={"description": "The day those affected must have acted by"}
    )
    act_by_derived = fields.Boolean(
        required=True, metadata={"description": "True: derived from the earliest day by the kind's lead time"}
    )
    required_loa = fields.Nested(TransitionLoaSchema, allow_none=True, required=True)
    category = Enum(TransitionCategory, required=True)
    major = fields.Boolean(required=True)
    who_must_act = fields.List(Enum(WhoMustAct), required=True)
    what_to_do = fields.String(allow_none=True)
    replaced_by = fields.Nested(TransitionSolutionSchema, allow_none=True, required=True)
    nsis_login = fields.Boolean(
        required=True,
        metadata={"description": "The solution's NSIS login transition: its date and level are the solution's"},
    )
    version = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)
    url = fields.String(required=True)


class TransitionListSchema(Schema):
    """A solution's transitions, by earliest day (unknown last)."""

    items = fields.List(fields.Nested(TransitionSchema), required=True)


class TransitionPageSchema(PageSchema):
    """A page of transitions."""

    items = fields.List(fields.Nested(TransitionSchema), required=True)


class TransitionQuerySchema(PageQuerySchema):
    """Filters of ``GET /api/v1/transitions``."""

    kind = fields.String(validate=OneOf([v.value for v in TransitionKind]))
    category = fields.String(validate=OneOf([v.value for v in TransitionCategory]))
    major = fields.Boolean()
    solution = fields.String(
        validate=Length(min=1, max=80),
        metadata={"description": "Solution slug", "pattern": "^[a-z0-9][a-z0-9-]{0,79}$"},
    )
    state = fields.String(validate=OneOf([v.value for v in SwitchState]))
    after = Day(metadata={"description": "Latest day on or after"})
    before = Day(metadata={"description": "Earliest day on or before"})
    act_by_before = Day(metadata={"description": "Act-by day on or before"})
    order = fields.String(load_default="date", validate=OneOf(["date", "act_by"]))
    q = fields.String(validate=Length(min=1, max=200), metadata={"pattern": LINE_PATTERN})

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        after, before = data.get("after"), data.get("before")
        if after and before and after > before:
            raise ValidationError(N_("after skal ligge før before."), "after")


# A 'loa' transition names the level it requires: the document says so of a new one (the body has both), a change
# is checked against the stored kind and level too (``registry.transitions.validate``).
LEVELS = [v.value for v in Loa if v != Loa.UKENDT]
_NEEDS_LEVEL = {
    "description": "A transition of kind 'loa' names the level it requires: required_loa.value lav, betydelig or hoej",
    "anyOf": [
        {"properties": {"kind": {"not": {"enum": [TransitionKind.LOA.value]}}}},
        {
            "required": ["required_loa"],
            "properties": {"required_loa": {"required": ["value"], "properties": {"value": {"enum": LEVELS}}}},
        },
    ],
}
# A change that sends kind 'loa' and a level sends one of the three (whether one is needed at all is the
# recorded level's business).
_LEVEL_SENT = {
    "description": "Kind 'loa' sent with required_loa.value: the value is lav, betydelig or hoej",
    "anyOf": [
        {"properties": {"kind": {"not": {"enum": [TransitionKind.LOA.value]}}}},
        {"properties": {"required_loa": {"properties": {"value": {"enum": LEVELS}}}}},
    ],
}
# Only a closing names its replacement (absent on every other kind; without kind, the recorded kind decides).
_CLOSING_REPLACEMENT = {
    "description": "Only a transition of kind 'decommission' names a replacement (replaced_by)",
    "anyOf": [
        {"properties": {"kind": {"enum": [TransitionKind.DECOMMISSION.value]}}},
        {"not": {"required": ["replaced_by"]}},
    ],
}


def _confirmed_has_source(status_of: str) -> dict[str, Any]:
    """A new transition's date or level sent as 'confirmed' names its source: an address, or words that say
    something (a change is checked with the source it records)."""
    has_source = {
        "required": ["source"],
        "properties": {
            "source": {
                "anyOf": [
                    {"required": ["url"], "properties": {"url": {"type": "string"}}},
                    {"required": ["evidence"], "properties": {"evidence": {"pattern": NONBLANK_TEXT_PATTERN}}},
                ]
            }
        },
    }
    return {
        "description": f"{status_of}.status 'confirmed' needs {status_of}.source.url or {status_of}.source.evidence",
        "properties": {
            status_of: {
                "anyOf": [{"properties": {"status": {"not": {"enum": [Confidence.CONFIRMED.value]}}}}, has_source]
            }
        },
    }


# An answer's transition is a change to ``transition`` (an id), or new: then it has a kind and a title, and a
# level if its kind is 'loa'.
_A_CHANGE = {"required": ["transition"], "properties": {"transition": {"type": "integer"}}}
_NEW_NEEDS_KIND_AND_TITLE = {
    "description": "Without 'transition' (a new transition): kind and title",
    "anyOf": [_A_CHANGE, {"required": ["kind", "title"]}],
}


class TransitionPatchSchema(Schema):
    """A change to a transition: only the fields sent are changed (the shape GET returns)."""

    DOCUMENT_RULES: ClassVar[dict[str, Any]] = {"allOf": [_LEVEL_SENT, _CLOSING_REPLACEMENT]}

    kind = fields.String(
        validate=OneOf([v.value for v in TransitionKind]),
        metadata={
            "description": "An NSIS login transition's kind (nsis_login: true) follows its solution's level and "
            "cannot be changed (422); kind 'loa' needs a level (required_loa, sent or recorded)"
        },
    )
    title = Text(multiline=False, validate=_length(200, 1))
    description = Text(allow_none=True, validate=_length(5000))
    date = fields.Nested(SwitchDateInSchema, metadata={"description": "As a solution's switch_date"})
    act_by = Day(allow_none=True, metadata={"description": "As the source states it; null: derived"})
    required_loa = fields.Nested(RequiredLoaInSchema)
    category = fields.String(validate=OneOf([v.value for v in TransitionCategory]))
    major = fields.Boolean()
    who_must_act = fields.List(
        fields.String(validate=OneOf([v.value for v in WhoMustAct])),
        validate=validate.Length(max=5, error=N_("Højst 5 værdier.")),
    )
    what_to_do = Text(allow_none=True, validate=_length(5000))
    replaced_by = Text(
        multiline=False,
        allow_none=True,
        validate=_length(80, 1),
        metadata={
            "description": "Solution slug: a known solution, only on kind 'decommission' (sent or recorded), and "
            "closing no ring of replacements"
        },
    )
    reason = Text(allow_none=True, validate=_length(2000), metadata={"description": "Why (shown in history)"})


class TransitionCreateSchema(TransitionPatchSchema):
    """A new transition of the solution in the path."""

    DOCUMENT_RULES: ClassVar[dict[str, Any]] = {
        "allOf": [
            _NEEDS_LEVEL,
            _CLOSING_REPLACEMENT,
            _confirmed_has_source("date"),
            _confirmed_has_source("required_loa"),
        ]
    }

    kind = fields.String(
        required=True,
        validate=OneOf([v.value for v in TransitionKind]),
        metadata={"description": "Kind 'loa' needs required_loa.value; only 'decommission' names replaced_by"},
    )
    title = Text(multiline=False, required=True, validate=_length(200, 1))


class LeadTimeSchema(Schema):
    """Days between a transition's earliest day and its derived act-by day, for one kind."""

    kind = Enum(TransitionKind, required=True)
    days = fields.Integer(
        required=True, validate=validate.Range(min=0, max=3650, error=N_("Skal være et heltal mellem 0 og 3650."))
    )


class LeadTimeListSchema(Schema):
    """The lead time of every kind."""

    items = fields.List(fields.Nested(LeadTimeSchema), required=True)


class LeadTimeInSchema(Schema):
    """A new lead time for a kind."""

    days = fields.Integer(
        required=True, validate=validate.Range(min=0, max=3650, error=N_("Skal være et heltal mellem 0 og 3650."))
    )


class _ProposalSource(Schema):
    """Where a proposal's words come from: the source's address and/or its own words (at least one)."""

    evidence = Text(
        allow_none=True, validate=_length(5000), metadata={"description": "The source's own words (a quote)"}
    )
    source_url = Url(allow_none=True, metadata={"description": "The source's address"})

    @validates_schema
    def _a_source(self, data: dict[str, Any], **_: Any) -> None:
        if not (data.get("evidence") or "").strip() and not data.get("source_url"):
            raise ValidationError(
                N_("Angiv kildens adresse (source_url) og/eller et citat af den (evidence)."), "source_url"
            )


class TransitionProposalNewSchema(TransitionCreateSchema, _ProposalSource):
    """A proposed new transition of the solution in the path, in the shape GET returns, with its source."""

    # The proposal's source is the date's and the level's, so a 'confirmed' one needs no source of its own.
    DOCUMENT_RULES: ClassVar[dict[str, Any]] = {"allOf": [_NEEDS_LEVEL, _CLOSING_REPLACEMENT]}

    class Meta:
        exclude = ("reason",)


class TransitionProposalChangeSchema(TransitionPatchSchema, _ProposalSource):
    """A proposed change to the transition in the path: only the fields sent (the shape GET returns), or
    ``cancel``; with its source."""

    class Meta:
        exclude = ("reason",)

    cancel = fields.Boolean(metadata={"description": "true: the transition will not happen (its state: cancelled)"})


class AnswerTransitionProposalSchema(TransitionPatchSchema):
    """A transition proposed with an inquiry's answer (the answer and its address are the source): a change to
    ``transition`` (an id of the inquiry's solution), or with no ``transition`` a new one (``kind`` and ``title``
    required)."""

    DOCUMENT_RULES: ClassVar[dict[str, Any]] = {
        "allOf": [
            _LEVEL_SENT,
            _CLOSING_REPLACEMENT,
            _NEW_NEEDS_KIND_AND_TITLE,
            {
                "description": "A new transition (no 'transition') of kind 'loa' names the level it requires",
                "anyOf": [_A_CHANGE, *_NEEDS_LEVEL["anyOf"]],
            },
        ]
    }

    class Meta:
        exclude = ("reason",)

    transition = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=2**31 - 1, error=N_("Ukendt overgang.")),
        metadata={"description": "The transition to change; absent or null: a new transition"},
    )
    cancel = fields.Boolean(metadata={"description": "true: the transition will not happen (its state: cancelled)"})

    @validates_schema
    def _new_needs_kind_and_title(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("transition") is None:
            missing = {f: [N_("Skal udfyldes.")] for f in ("kind", "title") if not data.get(f)}
            if missing:
                raise ValidationError(missing)
