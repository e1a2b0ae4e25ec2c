"""Marshmallow schemas of a municipality's IdPs, portfolio, readiness, and the national overviews."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from tracker.inputs import DAY_PATTERN, LINE_PATTERN, TEXT_PATTERN
from tracker.models.municipalities import IdpChangeKind
from tracker.models.vocab import Loa
from tracker.municipalities.readiness import ActionCode, Reason, Status

_LOA = validate.OneOf([v.value for v in Loa])


class SolutionRefSchema(Schema):
    """A solution named inside another object."""

    slug = fields.String(required=True)
    name = fields.String(required=True)
    url = fields.String(required=True)


class MunicipalityRefSchema(Schema):
    """A municipality named inside another object."""

    code = fields.String(required=True)
    name = fields.String(required=True)


class IdpSchema(Schema):
    """A municipality's identity provider, notified (anmeldt) at one NSIS level."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    user_group = fields.String(allow_none=True, metadata={"description": "Fx 'administration' eller 'skoler'."})
    notified_loa = fields.String(required=True, validate=_LOA)
    broker = fields.String(allow_none=True)
    is_primary = fields.Boolean(required=True, metadata={"description": "Den IdP medarbejderne bruger som standard."})
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class IdpListSchema(Schema):
    """A municipality's IdPs, primary first."""

    items = fields.List(fields.Nested(IdpSchema), required=True)
    total = fields.Integer(required=True)


class IdpPatchSchema(Schema):
    """Fields of an IdP to change."""

    name = fields.String(validate=validate.Length(min=1, max=200), metadata={"pattern": LINE_PATTERN})
    user_group = fields.String(allow_none=True, validate=validate.Length(max=200), metadata={"pattern": LINE_PATTERN})
    notified_loa = fields.String(validate=_LOA)
    broker = fields.String(allow_none=True, validate=validate.Length(max=80), metadata={"pattern": LINE_PATTERN})
    is_primary = fields.Boolean()


class IdpCreateSchema(IdpPatchSchema):
    """A new IdP: a name is required; the level is 'ukendt' unless given."""

    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"example": "Administration AD FS", "pattern": LINE_PATTERN},
    )


class IdpRefSchema(Schema):
    """An IdP named inside another object."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    user_group = fields.String(allow_none=True, required=True)
    notified_loa = fields.String(required=True)


class PortfolioEntrySchema(Schema):
    """A solution the municipality uses; ``idps`` empty means its staff use the primary IdP."""

    solution = fields.Nested(SolutionRefSchema, required=True)
    idps = fields.List(
        fields.Nested(IdpRefSchema), required=True, metadata={"description": "The IdPs whose staff use it"}
    )
    idp = fields.Nested(
        IdpRefSchema, allow_none=True, required=True, metadata={"description": "The first of idps (one-IdP shape)"}
    )
    note = fields.String(allow_none=True)
    added_at = fields.DateTime(required=True)


class PortfolioListSchema(Schema):
    """A municipality's portfolio, by solution name."""

    items = fields.List(fields.Nested(PortfolioEntrySchema), required=True)
    total = fields.Integer(required=True)


_ID = validate.Range(min=1, max=2**31 - 1, error="Skal være et IdP-id.")  # a row id (``queries.is_id``)


class PortfolioPatchSchema(Schema):
    """Change the IdPs whose staff use the solution (empty: the primary IdP) or the note."""

    idp_ids = fields.List(
        fields.Integer(strict=True, validate=_ID),
        validate=validate.Length(max=20),
        metadata={"description": "The IdPs (each serving a user group) whose staff use the solution"},
    )
    idp_id = fields.Integer(
        allow_none=True,
        strict=True,
        validate=_ID,
        metadata={"description": "Shorthand for idp_ids with one id (null: [])"},
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=2000), metadata={"pattern": TEXT_PATTERN})


class PortfolioAddSchema(PortfolioPatchSchema):
    """Add a solution, by slug, to the portfolio."""

    solution = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"description": "Slug", "example": "aula", "pattern": "^[a-z0-9][a-z0-9-]{0,79}$"},
    )


class ImportFileSchema(Schema):
    """A CSV or XLSX file with a column of solution names (header 'Løsning', 'Navn' or 'name', or none)."""

    file = Upload(required=True)


class ImportQuerySchema(Schema):
    """Preview without saving."""

    dry_run = fields.Boolean(load_default=False)


class ImportedSchema(Schema):
    """A name from the file and the solution it matched."""

    name = fields.String(required=True)
    row = fields.Integer(required=True)
    solution = fields.Nested(SolutionRefSchema, required=True)


class UnmatchedSchema(Schema):
    """A name that matched no solution, with suggestions."""

    name = fields.String(required=True)
    row = fields.Integer(required=True)
    suggestions = fields.List(fields.Nested(SolutionRefSchema), required=True)


class ImportReportSchema(Schema):
    """What the import did."""

    rows = fields.Integer(required=True, metadata={"description": "Distinct names read from the file."})
    dry_run = fields.Boolean(required=True)
    added = fields.List(fields.Nested(ImportedSchema), required=True)
    already = fields.List(fields.Nested(ImportedSchema), required=True)
    unmatched = fields.List(fields.Nested(UnmatchedSchema), required=True)


class ReasonSchema(Schema):
    """Why a status is unknown."""

    code = fields.String(required=True, validate=validate.OneOf([r.value for r in Reason]))
    message = fields.String(required=True)


class LevelSchema(Schema):
    """A required level and how sure it is."""

    value = fields.String(required=True)
    status = fields.String(required=True)


class SwitchRefSchema(Schema):
    """The switch-date interval (without its provenance)."""

    earliest = fields.Date(allow_none=True, required=True)
    latest = fields.Date(allow_none=True, required=True)
    precision = fields.String(required=True)
    text = fields.String(allow_none=True, required=True)
    state = fields.String(required=True)
    status = fields.String(required=True)


class RequirementRefSchema(Schema):
    """A solution or broker named as the source of a requirement."""

    slug = fields.String(required=True)
    name = fields.String(required=True)


class ActionSchema(Schema):
    """What to do now about a row."""

    code = fields.String(required=True, validate=validate.OneOf([c.value for c in ActionCode]))
    text = fields.String(required=True)


class LockoutPeriodSchema(Schema):
    """A run of days on which the staff group's IdP is notified below the level required."""

    from_ = fields.Date(
        allow_none=True,
        required=True,
        attribute="from",
        data_key="from",
        metadata={"description": "First day locked out (null: since before any known day)"},
    )
    until = fields.Date(
        allow_none=True,
        required=True,
        metadata={"description": "First day no longer locked out (null: no end known)"},
    )
    required_loa = fields.String(required=True, metadata={"description": "Level required on the first day"})
    idp_loa = fields.String(
        allow_none=True, required=True, metadata={"description": "Level notified on the first day (null: no IdP)"}
    )
    requirement_from = fields.String(
        allow_none=True, required=True, metadata={"description": "Slug of the solution or broker requiring it"}
    )


class IdpChangeSchema(Schema):
    """A planned change of an IdP or of the staff group it serves."""

    id = fields.Integer(required=True)
    idp = fields.Nested(IdpRefSchema, required=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf([k.value for k in IdpChangeKind]),
        metadata={"description": "loa (new notified level) | retire | move (to target_idp) | leave (the municipality)"},
    )
    effective_on = fields.Date(required=True)
    notified_loa = fields.String(allow_none=True, required=True)
    target_idp = fields.Nested(IdpRefSchema, allow_none=True, required=True)
    destination = fields.String(allow_none=True, required=True, metadata={"example": "Region Østdanmark"})
    note = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)


class IdpChangeListSchema(Schema):
    """A municipality's planned IdP and staff-group changes, by day."""

    items = fields.List(fields.Nested(IdpChangeSchema), required=True)
    total = fields.Integer(required=True)


class IdpChangeCreateSchema(Schema):
    """A new planned change; the service checks it against the IdP's other changes (Danish 422)."""

    idp_id = fields.Integer(
        required=True, strict=True, validate=_ID, metadata={"description": "One of the municipality's IdPs"}
    )
    kind = fields.String(
        required=True,
        metadata={"description": "loa | retire | move | leave", "enum": ["loa", "retire", "move", "leave"]},
    )
    effective_on = fields.Date(
        required=True, metadata={"description": "1900-01-01 … 2100-12-31", "pattern": DAY_PATTERN}
    )
    notified_loa = fields.String(
        allow_none=True,
        metadata={
            "description": "For loa (and only for loa): lav | betydelig | hoej",
            "enum": ["lav", "betydelig", "hoej", None],
        },
    )
    target_idp_id = fields.Integer(
        allow_none=True,
        strict=True,
        validate=_ID,
        metadata={"description": "For move (and only for move): another of the municipality's IdPs"},
    )
    destination = fields.String(
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"pattern": LINE_PATTERN, "description": "For leave (and only for leave): who takes the group"},
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=2000), metadata={"pattern": TEXT_PATTERN})


class SolutionNameSchema(Schema):
    """A solution by slug and name."""

    slug = fields.String(required=True)
    name = fields.String(required=True)


class TransitionToActSchema(Schema):
    """A transition of a solution in the portfolio (or of a broker behind it) that asks the municipality or its
    local IdP to act; ``act_by`` is the day to have acted by (``act_by_derived``: from a lead time per kind)."""

    id = fields.Integer(required=True)
    solution = fields.Nested(SolutionNameSchema, required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    earliest = fields.Date(allow_none=True, required=True)
    latest = fields.Date(allow_none=True, required=True)
    state = fields.String(required=True)
    required_loa = fields.String(allow_none=True, required=True)
    act_by = fields.Date(allow_none=True, required=True)
    act_by_derived = fields.Boolean(required=True)
    who_must_act = fields.List(fields.String(), required=True)
    what_to_do = fields.String(allow_none=True, required=True)
    category = fields.String(required=True)
    major = fields.Boolean(required=True)


class ReadinessRowSchema(Schema):
    """One (solution, IdP) of the portfolio: ok / at_risk / locked_out / unknown, from which day, what to do."""

    solution = fields.Nested(SolutionRefSchema, required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))
    status_text = fields.String(required=True)
    reason = fields.Nested(ReasonSchema, allow_none=True, required=True)
    message = fields.String(required=True)
    days_left = fields.Integer(allow_none=True, required=True)
    locked_out_from = fields.Date(allow_none=True, required=True)
    required_loa = fields.Nested(LevelSchema, required=True)
    switch_date = fields.Nested(SwitchRefSchema, required=True)
    idp = fields.Nested(IdpRefSchema, allow_none=True, required=True)
    idp_source = fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "portfolio | primary | only | moved (the staff group moved to this IdP by a planned "
            "change) | null (no IdP)"
        },
    )
    requirement_from = fields.Nested(
        RequirementRefSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The solution or broker whose requirement drives the row"},
    )
    action = fields.Nested(ActionSchema, required=True)
    stale = fields.Boolean(
        required=True,
        metadata={
            "description": (
                "A planned switch, or the planned loa transition that drives the row, whose latest day has passed:"
                " to be confirmed"
            )
        },
    )
    staff_group = fields.String(
        allow_none=True, required=True, metadata={"description": "The IdP's user group, else its name (null: no IdP)"}
    )
    lockout_periods = fields.List(
        fields.Nested(LockoutPeriodSchema),
        required=True,
        metadata={"description": "Every run of days the group is locked out, in order (planned changes included)"},
    )
    next_lockout = fields.Nested(
        LockoutPeriodSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The period under way today, else the next one; null: none ahead"},
    )
    transitions_to_act_on = fields.List(
        fields.Nested(TransitionToActSchema),
        required=True,
        metadata={"description": "Transitions of the solution and its brokers that ask the municipality to act"},
    )


class StatusTotalsSchema(Schema):
    """Rows (solution, IdP) per status; ``total`` rows, ``solutions`` distinct solutions, ``stale`` rows."""

    ok = fields.Integer(required=True)
    at_risk = fields.Integer(required=True)
    locked_out = fields.Integer(required=True)
    unknown_ = fields.Integer(required=True, attribute="unknown", data_key="unknown")
    total = fields.Integer(required=True)
    solutions = fields.Integer(required=True)
    stale = fields.Integer(required=True)


class ReadinessSchema(Schema):
    """A municipality's readiness, most urgent first, with totals."""

    municipality = fields.Nested(MunicipalityRefSchema, required=True)
    today = fields.Date(required=True)
    totals = fields.Nested(StatusTotalsSchema, required=True)
    items = fields.List(fields.Nested(ReadinessRowSchema), required=True)
    transitions_to_act_on = fields.List(
        fields.Nested(TransitionToActSchema),
        required=True,
        metadata={"description": "Every transition in the portfolio that asks the municipality or its IdP to act"},
    )


class VerdictSchema(MunicipalityRefSchema):
    """One municipality's verdict for a solution and one staff group (IdP)."""

    idp = fields.Nested(IdpRefSchema, allow_none=True, required=True)
    group = fields.String(allow_none=True, required=True, metadata={"description": "User group, else IdP name"})
    from_ = fields.Date(allow_none=True, required=True, attribute="from", data_key="from")
    days_left = fields.Integer(allow_none=True, required=True)
    reason = fields.String(allow_none=True, required=True)


class CountsSchema(Schema):
    """Municipalities per status."""

    ok = fields.Integer(required=True)
    at_risk = fields.Integer(required=True)
    locked_out = fields.Integer(required=True)
    unknown_ = fields.Integer(required=True, attribute="unknown", data_key="unknown")


class SolutionRiskSchema(Schema):
    """One solution across the country."""

    solution = fields.Nested(SolutionRefSchema, required=True)
    required_loa = fields.Nested(LevelSchema, required=True)
    switch_date = fields.Nested(SwitchRefSchema, required=True)
    users = fields.Integer(required=True, metadata={"description": "Municipalities using it"})
    groups = fields.Integer(required=True, metadata={"description": "Staff groups (municipality, IdP) using it"})
    counts = fields.Nested(CountsSchema, required=True, metadata={"description": "Staff groups per status"})
    municipality_counts = fields.Nested(CountsSchema, required=True, metadata={"description": "Per status"})
    locked_out = fields.List(fields.Nested(VerdictSchema), required=True)
    at_risk = fields.List(fields.Nested(VerdictSchema), required=True)
    unknown_ = fields.List(fields.Nested(VerdictSchema), required=True, attribute="unknown", data_key="unknown")


class NationalTotalsSchema(CountsSchema):
    """Portfolio entries per status in the whole country."""

    municipalities = fields.Integer(required=True)
    solutions = fields.Integer(required=True)


class NationalSchema(Schema):
    """The national picture, most urgent solution first."""

    today = fields.Date(required=True)
    totals = fields.Nested(NationalTotalsSchema, required=True)
    items = fields.List(fields.Nested(SolutionRiskSchema), required=True)


class NationalQuerySchema(Schema):
    """Only solutions where someone is at risk or locked out."""

    only_risk = fields.Boolean(load_default=False)


class UpcomingQuerySchema(Schema):
    """The window ahead, in months."""

    months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=60))


class UpcomingItemSchema(Schema):
    """A switch ahead."""

    solution = fields.Nested(SolutionRefSchema, required=True)
    required_loa = fields.Nested(LevelSchema, required=True)
    switch_date = fields.Nested(SwitchRefSchema, required=True)
    days_until = fields.Integer(required=True)


class UpcomingSchema(Schema):
    """Switches that may happen within the window, by earliest day."""

    from_ = fields.Date(required=True, attribute="from", data_key="from")
    until = fields.Date(required=True)
    items = fields.List(fields.Nested(UpcomingItemSchema), required=True)


class PopularQuerySchema(Schema):
    """How many solutions to list."""

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class PopularItemSchema(Schema):
    """A solution and how many municipalities use it (which ones: coordinators only)."""

    solution = fields.Nested(SolutionRefSchema, required=True)
    municipalities_count = fields.Integer(required=True)
    municipalities = fields.List(fields.Nested(MunicipalityRefSchema))


class PopularSchema(Schema):
    """The most used solutions."""

    items = fields.List(fields.Nested(PopularItemSchema), required=True)
    municipalities_included = fields.Boolean(required=True)
