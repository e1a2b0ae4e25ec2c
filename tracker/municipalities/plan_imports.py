"""Planned IdP and staff-group changes from a CSV or XLSX file: the export's columns read back, so a file exported
from ``…/idp-changes.csv``, edited and imported again changes only what was edited (export → import is an
identity).

The file is the municipality's whole plan: each row is a planned change (``plans``), identified by its IdP, kind
and day; a row whose change exists with other facts (level, target IdP, destination, note) changes it, a row
that is new adds it, and a stored change no row names is removed. Every row is checked as a single edit is
(``plans.check_fields``, then ``plans.check_order`` against the file's other rows, as they will stand), and
every problem is reported with the row's number and a sentence (Danish; English with Accept-Language: en).
One problem refuses the whole file: nothing is stored. A good file is written in one transaction and is one
readiness change for the municipality (``readiness_events``: one bulk event with every row that moved), as the
portfolio import is. The file is read as the portfolio import reads one (``imports``: size limits, UTF-8 with
or without BOM, ';' or ',' as the header line shows, XLSX read-only with its XML checked first); it holds at
most ``MAX_ROWS`` changes (the header row does not count). Services only flush (house rule 4).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tracker.error_messages import N_
from tracker.errors import AppError, Conflict, ValidationError
from tracker.i18n import Said, worded
from tracker.models import Idp, IdpChange, Municipality
from tracker.models.municipalities import IdpChangeKind
from tracker.municipalities import imports, plans, queries
from tracker.municipalities import readiness_events as readiness
from tracker.municipalities.exports import IDP_CHANGE_HEADERS, IDP_CHANGE_KINDS_DA
from tracker.municipalities.imports import PayloadTooLarge, UnsupportedMediaType
from tracker.municipalities.services import _audit, _unique
from tracker.municipalities.suggest import normalise
from tracker.registry.actors import Actor

MAX_ROWS = 500  # planned changes per file; the header row does not count
# The export's columns, in its order, as the fields they hold.
COLUMNS = ("effective_on", "idp", "user_group", "kind", "notified_loa", "target_idp", "destination", "note")
COLUMN_HEADER = dict(zip(COLUMNS, IDP_CHANGE_HEADERS, strict=True))
HEADERS = {
    **{normalise(header): name for name, header in COLUMN_HEADER.items()},
    **dict.fromkeys(("dato", "fra", "effective_on", "date", "from"), "effective_on"),
    **dict.fromkeys(("idp'en", "idp-navn", "idp navn", "idp_name"), "idp"),
    **dict.fromkeys(("medarbejdergruppe", "gruppe", "user_group", "user group", "staff group"), "user_group"),
    **dict.fromkeys(("aendring", "type", "kind", "change"), "kind"),
    **dict.fromkeys(("niveau", "anmeldt niveau", "notified_loa", "level", "new level"), "notified_loa"),
    **dict.fromkeys(("mål-idp", "target_idp", "target idp", "new idp"), "target_idp"),
    **dict.fromkeys(("modtager", "destination"), "destination"),
    **dict.fromkeys(("bemaerkning", "note", "notes"), "note"),
}
REQUIRED = ("effective_on", "kind")
# A kind as the export writes it, its code, or the words of the page's form and of the problems.
KINDS = {
    **{normalise(text): kind for kind, text in IDP_CHANGE_KINDS_DA.items()},
    **{normalise(text): kind for kind, text in plans.KIND_TEXT.items()},
    **{kind.value: kind.value for kind in IdpChangeKind},
    "nyt niveau": "loa",
    "nedlægges": "retire",
    "flytning": "move",
    "flytter": "move",
    "forlader kommunen": "leave",
}
KIND_CHOICES = ", ".join(f"'{text}'" for text in IDP_CHANGE_KINDS_DA.values())
# The NSIS levels as the export writes them (Danish labels) or as the API does (codes); English too.
LEVELS = {
    "lav": "lav",
    "low": "lav",
    "betydelig": "betydelig",
    "substantial": "betydelig",
    "høj": "hoej",
    "hoej": "hoej",
    "high": "hoej",
}
# Days as the export writes them (ÅÅÅÅ-MM-DD), as Danish Excel saves them again (DD-MM-ÅÅÅÅ) and as people
# type them (DD.MM.ÅÅÅÅ, DD/MM/ÅÅÅÅ); a date-time at midnight is a day. Never a two-digit year: no guessing.
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")
_DANISH_DAY = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})")
# Where a single edit's problem (by the API's field) stands in the file (by the export's column).
FIELD_COLUMN = {
    "idp_id": COLUMN_HEADER["idp"],
    "kind": COLUMN_HEADER["kind"],
    "effective_on": COLUMN_HEADER["effective_on"],
    "notified_loa": COLUMN_HEADER["notified_loa"],
    "target_idp_id": COLUMN_HEADER["target_idp"],
    "destination": COLUMN_HEADER["destination"],
    "note": COLUMN_HEADER["note"],
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _too_many() -> AppError:
    return PayloadTooLarge("municipalities.planned_changes_row_limit", {"file": f"Højst {MAX_ROWS}."}, limit=MAX_ROWS)


@dataclass(frozen=True)
class RawRow:
    """A row as the file says it: its number in the file (1 = the header row) and its cells by ``COLUMNS``."""

    line: int
    cells: tuple[str, ...]

    def get(self, name: str) -> str:
        """The cell of a column ('' when the file has no such column)."""
        return self.cells[COLUMNS.index(name)]

    def as_json(self) -> str:
        """The row for the preview's confirmation (a hidden field), read back by ``rows_from_form``."""
        return json.dumps({"line": self.line, "cells": list(self.cells)}, ensure_ascii=False)


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with a row: its number, the column (the export's header; None: the whole row) and why."""

    line: int
    column: str | None
    problem: str

    @property
    def message(self) -> str:
        """The sentence in the request's language."""
        return worded(self.problem)


@dataclass
class Planned:
    """A good row as it would be stored; ``existing`` is the stored change with the same IdP, kind and day."""

    line: int
    idp: Idp
    kind: str
    effective_on: date
    notified_loa: str | None
    target_idp: Idp | None
    destination: str | None
    note: str | None
    existing: IdpChange | None = None

    @property
    def key(self) -> tuple[int, str, date]:
        """What identifies a planned change: its IdP, kind and day (the table's unique constraint)."""
        return (self.idp.id, self.kind, self.effective_on)

    def differs(self) -> bool:
        """Whether the stored change with this key says something else (level, target, destination, note)."""
        stored = self.existing
        assert stored is not None
        target = stored.target_idp.id if stored.target_idp else None
        mine = (self.notified_loa, self.target_idp.id if self.target_idp else None, self.destination, self.note)
        return mine != (stored.notified_loa, target, stored.destination, stored.note)


@dataclass
class PlanReport:
    """What importing the file does (or, in a preview, would do) to the municipality's planned changes."""

    rows: int
    dry_run: bool
    state: str  # the stored plan the report was computed against (a preview's confirmation must find it)
    raw: list[RawRow] = field(default_factory=list)
    added: list[Planned] = field(default_factory=list)
    changed: list[Planned] = field(default_factory=list)
    unchanged: list[Planned] = field(default_factory=list)
    removed: list[IdpChange] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    applied: bool = False

    @property
    def valid(self) -> bool:
        """Whether the file can be imported (no row has a problem)."""
        return not self.problems

    @property
    def changes(self) -> int:
        """How many planned changes the import adds, changes or removes."""
        return len(self.added) + len(self.changed) + len(self.removed)

    def refusal(self) -> ValidationError:
        """The 422 that refuses the file: every row's problem in ``details.rows``, worded for the request."""
        rows = [{"line": p.line, "column": p.column, "message": p.message} for p in self.problems]
        return ValidationError(
            "municipalities.planned_changes_import_refused", {"rows": rows}, count=len(self.problems)
        )


def _clean(cell: str) -> str:
    """A cell as the export wrote it: trimmed, and without the apostrophe that kept a spreadsheet from running
    text that starts like a formula."""
    text = cell.strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(_FORMULA_STARTS):
        return text[1:]
    return text


def _header(cells: list[str]) -> dict[int, str]:
    """The file's columns by position (the first of each kind counts); a missing required one refuses the file."""
    found: dict[int, str] = {}
    for position, cell in enumerate(cells):
        name = HEADERS.get(normalise(cell))
        if name is not None and name not in found.values():
            found[position] = name
    missing = [name for name in REQUIRED if name not in found.values()]
    if not {"idp", "user_group"} & set(found.values()):
        missing.insert(0, "idp")
    if missing:
        headers = "; ".join(IDP_CHANGE_HEADERS)
        raise ValidationError(
            "municipalities.planned_changes_header_missing",
            {"file": f"Mangler '{COLUMN_HEADER[missing[0]]}'."},
            column=COLUMN_HEADER[missing[0]],
            headers=headers,
        )
    return found


def read_rows(filename: str, data: bytes) -> list[RawRow]:
    """The rows of a CSV or XLSX file of planned changes (a header row first), each with its number in the file."""
    if len(data) > imports.MAX_BYTES:
        raise PayloadTooLarge("municipalities.import_file_too_large", value=imports.MAX_BYTES // 1000000)
    if not data.strip():
        raise ValidationError("municipalities.import_file_empty", {"file": "Filen er tom."})
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(imports._XLSX_MAGIC):
        rows = imports.xlsx_rows(data, limit=MAX_ROWS, too_many=_too_many, max_col=len(COLUMNS) + 20)
    elif extension in {"xlsx", "xlsm"}:
        raise ValidationError("municipalities.import_xlsx_unreadable", {"file": "Ikke en XLSX-fil."})
    elif extension in {"csv", "txt", ""}:
        rows = imports.csv_rows(data, limit=MAX_ROWS, too_many=_too_many, by_header=True)
    else:
        raise UnsupportedMediaType(
            "municipalities.import_file_type_unsupported", {"file": "CSV eller XLSX."}, extension=extension
        )
    if not rows:
        raise ValidationError("municipalities.import_file_empty", {"file": "Filen er tom."})
    columns = _header(rows[0][1])
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise _too_many()
    if not body:
        raise ValidationError("municipalities.planned_changes_file_empty", {"file": "Ingen rækker."})
    result = []
    for line, cells in body:
        by_name = {name: _clean(cells[i]) if i < len(cells) else "" for i, name in columns.items()}
        result.append(RawRow(line, tuple(by_name.get(name, "") for name in COLUMNS)))
    return result


def rows_from_form(values: list[str]) -> list[RawRow]:
    """The rows a preview sent back with its confirmation (``RawRow.as_json``); unreadable ones refuse it (422)."""
    if len(values) > MAX_ROWS:
        raise _too_many()
    rows = []
    for value in values:
        try:
            parsed = json.loads(value)
            line, cells = parsed["line"], parsed["cells"]
        except (ValueError, TypeError, KeyError) as exc:
            raise ValidationError("municipalities.planned_changes_unreadable", {"row": value[:100]}) from exc
        if (
            not isinstance(line, int)
            or isinstance(line, bool)
            or not 1 < line <= 10**7
            or not isinstance(cells, list)
            or len(cells) != len(COLUMNS)
            or not all(isinstance(cell, str) and len(cell) <= 5000 for cell in cells)
        ):
            raise ValidationError("municipalities.planned_changes_unreadable", {"row": value[:100]})
        rows.append(RawRow(line, tuple(cell.strip() for cell in cells)))
    if not rows:
        raise ValidationError("municipalities.planned_changes_unreadable", {"row": "Ingen rækker."})
    return rows


def parse_day(text: str) -> date | None:
    """A day as ÅÅÅÅ-MM-DD (a time of 00:00 allowed) or DD-MM-ÅÅÅÅ (also with '.' or '/'); None if not a day."""
    iso = _ISO_DAY.fullmatch(text)
    danish = _DANISH_DAY.fullmatch(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if danish:
            return date(int(danish[3]), int(danish[2]), int(danish[1]))
    except ValueError:
        return None
    return None


@dataclass
class _Index:
    """M's IdPs by name and by user group (normalised)."""

    names: dict[str, Idp]
    groups: dict[str, list[Idp]]

    @classmethod
    def of(cls, idps: list[Idp]) -> _Index:
        groups: dict[str, list[Idp]] = {}
        for idp in idps:
            if idp.user_group:
                groups.setdefault(normalise(idp.user_group), []).append(idp)
        return cls({normalise(idp.name): idp for idp in idps}, groups)

    def idp(self, row: RawRow, problems: dict[str, str]) -> Idp | None:
        """The row's IdP, by its name or, without one, by its user group (which must then be the IdP's)."""
        name, group = row.get("idp"), row.get("user_group")
        if name:
            found = self.names.get(normalise(name))
            if found is None:
                problems[COLUMN_HEADER["idp"]] = Said(N_("Kommunen har ingen IdP ved navn '%(name)s'."), name=name)
            elif group and normalise(found.user_group or "") != normalise(group):
                problems[COLUMN_HEADER["user_group"]] = Said(
                    N_("IdP'en '%(idp)s' betjener brugergruppen '%(own)s', ikke '%(group)s'."),
                    idp=found.name,
                    own=found.user_group or "–",
                    group=group,
                )
            return found
        if not group:
            problems[COLUMN_HEADER["idp"]] = Said(N_("Angiv IdP'en (eller dens brugergruppe)."))
            return None
        serving = self.groups.get(normalise(group), [])
        if not serving:
            problems[COLUMN_HEADER["user_group"]] = Said(
                N_("Kommunen har ingen IdP for brugergruppen '%(group)s'."), group=group
            )
            return None
        if len(serving) > 1:
            problems[COLUMN_HEADER["user_group"]] = Said(
                N_("Flere af kommunens IdP'er betjener brugergruppen '%(group)s'; skriv IdP'ens navn."), group=group
            )
            return None
        return serving[0]


def _values(row: RawRow, index: _Index, problems: dict[str, str]) -> dict[str, Any]:
    """The row as a single edit's input (``plans.FIELDS``), with the file's own problems by column."""
    idp = index.idp(row, problems)
    kind_text = row.get("kind")
    kind = KINDS.get(normalise(kind_text))
    if not kind_text:
        problems[COLUMN_HEADER["kind"]] = Said(N_("Angiv ændringen: %(choices)s."), choices=KIND_CHOICES)
    elif kind is None:
        problems[COLUMN_HEADER["kind"]] = Said(
            N_("Ukendt ændring '%(text)s'. Skriv en af: %(choices)s."), text=kind_text, choices=KIND_CHOICES
        )
    day_text = row.get("effective_on")
    day = parse_day(day_text)
    if not day_text:
        problems[COLUMN_HEADER["effective_on"]] = Said(N_("Angiv dagen, ændringen gælder fra (ÅÅÅÅ-MM-DD)."))
    elif day is None:
        problems[COLUMN_HEADER["effective_on"]] = Said(
            N_("'%(text)s' er ikke en dato. Skriv den som ÅÅÅÅ-MM-DD, fx 2027-01-01."), text=day_text
        )
    level_text = row.get("notified_loa")
    level = LEVELS.get(normalise(level_text)) if level_text else None
    if level_text and level is None:
        problems[COLUMN_HEADER["notified_loa"]] = Said(
            N_("'%(text)s' er ikke et NSIS-sikringsniveau. Skriv Lav, Betydelig eller Høj."), text=level_text
        )
    target_text = row.get("target_idp")
    target = index.names.get(normalise(target_text)) if target_text else None
    if target_text and target is None:
        problems[COLUMN_HEADER["target_idp"]] = Said(
            N_("Kommunen har ingen IdP ved navn '%(name)s'."), name=target_text
        )
    return {
        "idp_id": idp.id if idp else None,
        "kind": kind or kind_text,
        "effective_on": day,
        "notified_loa": level or (level_text or None),
        "target_idp_id": target.id if target else None,
        "destination": row.get("destination") or None,
        "note": row.get("note") or None,
    }


def state_of(changes: list[IdpChange]) -> str:
    """A digest of the stored plan: a preview's confirmation is refused if the plan changed meanwhile."""
    facts = sorted(
        (c.id, c.idp_id, c.kind, c.effective_on.isoformat(), c.notified_loa, c.target_idp_id, c.destination, c.note)
        for c in changes
    )
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:20]


def plan(session: Session, municipality: Municipality, rows: list[RawRow], *, dry_run: bool) -> PlanReport:
    """Check every row (as a single edit, then against the file's other rows) and compare with the stored plan."""
    stored = plans.list_changes(session, municipality)
    report = PlanReport(rows=len(rows), dry_run=dry_run, state=state_of(stored), raw=rows)
    index = _Index.of(queries.list_idps(session, municipality))
    good: list[Planned] = []
    seen: dict[tuple[int, str, date], int] = {}
    for row in rows:
        problems: dict[str, str] = {}
        values = _values(row, index, problems)
        clean, field_problems = plans.check_fields(session, municipality, values)
        if COLUMN_HEADER["user_group"] in problems:
            field_problems.pop("idp_id", None)  # the staff group already says why there is no IdP
        if COLUMN_HEADER["kind"] in problems:  # which fields a change may have depends on a kind it does not have
            for name in ("notified_loa", "target_idp_id", "destination"):
                field_problems.pop(name, None)
        for name, problem in field_problems.items():
            problems.setdefault(FIELD_COLUMN.get(name, name), problem)
        if not problems:
            planned = Planned(
                row.line,
                clean["idp"],
                str(clean["kind"]),
                clean["effective_on"],
                clean["notified_loa"],
                clean["target_idp"],
                clean["destination"],
                clean["note"],
            )
            first = seen.setdefault(planned.key, row.line)
            if first != row.line:
                problems[COLUMN_HEADER["effective_on"]] = Said(
                    N_("Samme IdP, ændring og dato som række %(line)s."), line=first
                )
            else:
                good.append(planned)
        report.problems += [RowProblem(row.line, column, problem) for column, problem in problems.items()]
    by_idp: dict[int, list[Planned]] = {}
    for planned in good:
        by_idp.setdefault(planned.idp.id, []).append(planned)
    for planned in good:
        problems = {}

        def others(idp: Idp, me: Planned = planned) -> list[Planned]:
            return [p for p in by_idp.get(idp.id, []) if p is not me]

        def arriving(idp: Idp, me: Planned = planned) -> list[Planned]:
            return [p for p in good if p is not me and p.kind == IdpChangeKind.MOVE and p.target_idp is idp]

        plans.check_order(
            planned.idp, planned.kind, planned.effective_on, planned.target_idp, problems, others, arriving
        )
        report.problems += [RowProblem(planned.line, FIELD_COLUMN[k], v) for k, v in problems.items()]
    order = {header: i for i, header in enumerate(IDP_CHANGE_HEADERS)}
    report.problems.sort(key=lambda p: (p.line, order.get(p.column or "", len(order))))
    _compare(report, good, stored)
    return report


def _compare(report: PlanReport, good: list[Planned], stored: list[IdpChange]) -> None:
    by_key = {(c.idp_id, c.kind, c.effective_on): c for c in stored}
    wanted = set()
    for planned in good:
        wanted.add(planned.key)
        planned.existing = by_key.get(planned.key)
        if planned.existing is None:
            report.added.append(planned)
        elif planned.differs():
            report.changed.append(planned)
        else:
            report.unchanged.append(planned)
    report.removed = [c for key, c in by_key.items() if key not in wanted]


def _apply(session: Session, municipality: Municipality, report: PlanReport, *, actor: Actor) -> None:
    """Write the report's changes in one flush; one readiness comparison (so one bulk event at most)."""
    before = readiness.snapshot_municipality(session, municipality)
    changed = [plans.change_dict_for_audit(p.existing) for p in report.changed if p.existing]
    created = [
        IdpChange(
            municipality_id=municipality.id,
            idp_id=planned.idp.id,
            kind=planned.kind,
            effective_on=planned.effective_on,
            notified_loa=planned.notified_loa,
            target_idp_id=planned.target_idp.id if planned.target_idp else None,
            destination=planned.destination,
            note=planned.note,
        )
        for planned in report.added
    ]
    with _unique(session, "municipalities.planned_changes_changed_meanwhile", {}):
        for change in report.removed:
            change.idp.changes.remove(change)
            session.delete(change)
        for planned in report.changed:
            stored = planned.existing
            assert stored is not None
            stored.notified_loa, stored.target_idp = planned.notified_loa, planned.target_idp
            stored.destination, stored.note = planned.destination, planned.note
        session.add_all(created)
        session.flush()
    for idp in queries.list_idps(session, municipality):
        session.expire(idp, ["changes"])  # readiness must see the new plan from now on
    details = {
        "added": [plans.change_dict_for_audit(c) for c in created],
        "changed": [
            {"before": before_, "after": plans.change_dict_for_audit(p.existing)}
            for before_, p in zip(changed, report.changed, strict=True)
            if p.existing
        ],
        "removed": [plans.change_dict_for_audit(c) for c in report.removed],
    }
    _audit(session, actor, "idp_change.imported", municipality, details)
    reason = (
        f"Planlagte ændringer importeret fra fil: {len(report.added)} tilføjet, {len(report.changed)} ændret, "
        f"{len(report.removed)} fjernet"
    )
    readiness.emit_municipality_changes(session, before, actor=actor, reason=reason, over_time=True)
    report.applied = True


def run(
    session: Session,
    municipality: Municipality,
    rows: list[RawRow],
    *,
    actor: Actor,
    dry_run: bool,
    expected_state: str | None = None,
) -> PlanReport:
    """Check the rows and, unless ``dry_run`` or a row has a problem, make the stored plan what they say.

    ``expected_state``: a preview's confirmation; a plan changed since the preview is a 409 (nothing stored).
    """
    report = plan(session, municipality, rows, dry_run=dry_run)
    if expected_state is not None and expected_state != report.state:
        raise Conflict("municipalities.planned_changes_changed_since", {"state": "Ændret."})
    if not dry_run and report.valid and report.changes:
        _apply(session, municipality, report, actor=actor)
    return report


def import_plan(
    session: Session, municipality: Municipality, filename: str, data: bytes, *, actor: Actor, dry_run: bool = False
) -> PlanReport:
    """Read the file and import it (``run``); a file the reader refuses is a 4xx before anything is compared."""
    return run(session, municipality, read_rows(filename, data), actor=actor, dry_run=dry_run)
