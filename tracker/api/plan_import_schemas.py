"""Schemas of ``POST /api/v1/municipalities/{code}/idp-changes/import``: the file, and what importing it does."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from tracker.api.municipality_schemas import IdpChangeSchema, IdpRefSchema


class PlanFileSchema(Schema):
    """A CSV or XLSX file with the columns ``…/idp-changes.csv`` writes (a header row first)."""

    file = Upload(
        required=True,
        metadata={
            "description": "CSV (UTF-8 with or without BOM; ';' or ',') or XLSX; header row 'Fra dato', 'IdP', "
            "'Brugergruppe', 'Ændring', 'Nyt niveau', 'Ny IdP', 'Hvortil', 'Bemærkning'; at most 500 rows after it"
        },
    )


class PlanImportQuerySchema(Schema):
    """Preview without saving."""

    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "Only say what the import would do (200, even with errors)"}
    )


class PlannedRowSchema(Schema):
    """A row of the file as it will be stored (``line``: its number in the file, 1 = the header row)."""

    line = fields.Integer(required=True)
    id = fields.Integer(allow_none=True, required=True, metadata={"description": "The stored change (null: new)"})
    idp = fields.Nested(IdpRefSchema, required=True)
    kind = fields.String(required=True, metadata={"enum": ["loa", "retire", "move", "leave"]})
    effective_on = fields.Date(required=True)
    notified_loa = fields.String(allow_none=True, required=True)
    target_idp = fields.Nested(IdpRefSchema, allow_none=True, required=True)
    destination = fields.String(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)
    before = fields.Nested(
        IdpChangeSchema, allow_none=True, required=True, metadata={"description": "For a changed row: as stored"}
    )


class RowErrorSchema(Schema):
    """A problem of one row: its number in the file, the column (the export's header; null: the row) and why."""

    line = fields.Integer(required=True)
    column = fields.String(allow_none=True, required=True)
    message = fields.String(required=True)


class PlanImportReportSchema(Schema):
    """What importing the file did (or, with ``dry_run``, would do) to the municipality's planned changes."""

    rows = fields.Integer(required=True, metadata={"description": "Rows read after the header row"})
    dry_run = fields.Boolean(required=True)
    valid = fields.Boolean(required=True, metadata={"description": "No row has a problem"})
    applied = fields.Boolean(required=True, metadata={"description": "The plan was stored as the file says"})
    added = fields.List(fields.Nested(PlannedRowSchema), required=True)
    changed = fields.List(fields.Nested(PlannedRowSchema), required=True)
    removed = fields.List(fields.Nested(IdpChangeSchema), required=True)
    unchanged = fields.Integer(required=True)
    errors = fields.List(fields.Nested(RowErrorSchema), required=True)
