"""Input rules both faces apply, the pages' forms and the API's schemas, so neither imports the other.

Text a database can store (no control characters; one line where a line is meant), a calendar day in the
registry's range, and the solution list's filters and paging (the front page's GET form is the API's query).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tracker.error_messages import N_
from tracker.models.vocab import Loa, SolutionKind
from tracker.registry.facts import day_problem

# C0 control characters other than tab and line breaks: never meant, and poison for exports and databases.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\t\n\r\u2028\u2029\x85]")
# marshmallow's own messages for our fields, in Danish; msgids of the catalogue, worded in the reader's language
# when the error is shown (``errors``).
MSG_TYPE = {
    "invalid": N_("Forkert type: skal være tekst."),
    "required": N_("Skal udfyldes."),
    "null": N_("Må ikke være tom (null)."),
}
MAX_PAGE = 500
# The same rules as patterns in the OpenAPI document, so a client (and schemathesis) knows them up front.
TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f\\u0085\\u2028\\u2029]*$"
# Text that must say something: besides TEXT_PATTERN, at least one character that is not white space as Python's
# str.strip() sees it (the API strips, then finds nothing in "   ").
_SPACE = "\\u0009-\\u000d\\u0020\\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_TEXT_CHAR = "[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]"
_SAYING_CHAR = "[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f" + _SPACE + "]"
NONBLANK_TEXT_PATTERN = "^" + _TEXT_CHAR + "*" + _SAYING_CHAR + _TEXT_CHAR + "*$"
_LINE_CHAR = "[^\\u0000-\\u001f\\u007f\\u0085\\u2028\\u2029]"
_SAYING_LINE_CHAR = "[^\\u0000-\\u001f\\u007f" + _SPACE + "]"
NONBLANK_LINE_PATTERN = "^" + _LINE_CHAR + "*" + _SAYING_LINE_CHAR + _LINE_CHAR + "*$"
# A day between 1900-01-01 and 2100-12-31 (``registry.facts.day_problem``); impossible days are refused too.
DAY_PATTERN = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def Day(**kwargs: Any) -> fields.Date:  # noqa: N802 - reads like a field class
    """A calendar day as YYYY-MM-DD within the registry's range; impossible days (2023-02-31) are refused."""
    metadata = {"pattern": DAY_PATTERN, **kwargs.pop("metadata", {})}
    return fields.Date(
        validate=validate_day,
        error_messages={**MSG_TYPE, "invalid": N_("Skal være en gyldig dato (ÅÅÅÅ-MM-DD).")},
        metadata=metadata,
        **kwargs,
    )


def validate_day(value: date) -> None:
    """marshmallow's side of ``registry.facts.day_problem``."""
    problem = day_problem(value)
    if problem:
        raise ValidationError(problem)


class PageQuerySchema(Schema):
    """limit/offset paging."""

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class SolutionQuerySchema(PageQuerySchema):
    """Filters of the solution list (SPEC §5)."""

    loa = fields.String(validate=validate.OneOf([v.value for v in Loa]))
    kind = fields.String(validate=validate.OneOf([v.value for v in SolutionKind]))
    vendor = fields.String(validate=validate.Length(min=1, max=80), metadata={"pattern": LINE_PATTERN})
    switch_after = Day()
    switch_before = Day()
    q = fields.String(validate=validate.Length(min=1, max=200), metadata={"pattern": LINE_PATTERN})

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        after, before = data.get("switch_after"), data.get("switch_before")
        if after and before and after > before:
            raise ValidationError(N_("switch_after skal ligge før switch_before."), "switch_after")
