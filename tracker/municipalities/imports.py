"""Bulk import of a portfolio from a CSV or XLSX file of solution names, with a report of what did not match.

The name column is the one headed like "Løsning" / "Navn" / "name"; without such a header, the first column
and every row. An optional column headed "IdP" / "Brugergruppe" names the IdP (by its name or user group)
whose staff use the solution; a solution on several rows with different IdPs is used by each of them (an IdP
the municipality does not have refuses the file). Names match a solution's name, slug or aliases, ignoring
case and spacing; names that match nothing get up to three suggestions (``suggest``: a rapidfuzz index built
once per registry state, so matching costs milliseconds inside the import's transaction). A file holds at most
``MAX_ROWS`` names (a header row does not count). Bad files are refused with a Danish 4xx and nothing is stored.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import AppError, ValidationError
from tracker.models import Idp, Municipality, Solution
from tracker.municipalities import queries, services
from tracker.municipalities.suggest import Candidate, name_index, normalise
from tracker.registry.actors import Actor

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000  # names per file; a header row does not count
TOO_MANY = (
    f"Filen har mere end {MAX_ROWS} navne (højst {MAX_ROWS} pr. fil; en overskriftsrække tæller ikke med). Del den op."
)
MAX_NAME_LEN = 300
NAME_HEADERS = {
    "løsning", "løsninger", "loesning", "losning", "løsningsnavn", "tu-løsning", "it-løsning", "it-system",
    "system", "systemnavn", "navn", "name", "solution", "solutions", "slug",
}  # fmt: skip
IDP_HEADERS = {"idp", "idp'en", "idp-navn", "brugergruppe", "gruppe", "personalegruppe", "user_group", "user group"}
_XLSX_MAGIC = b"PK\x03\x04"


class PayloadTooLarge(AppError):
    """The uploaded file is bigger than we read."""

    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    """The uploaded file is neither CSV nor XLSX."""

    status = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class ImportedName:
    """A name as it stood in the file, with its row number (1 = the first row of the file)."""

    text: str
    row: int
    idps: tuple[str, ...] = ()


@dataclass
class ImportReport:
    """What an import did: added, already there, and names it could not match (with suggestions)."""

    rows: int
    dry_run: bool
    added: list[tuple[ImportedName, Solution]] = field(default_factory=list)
    already: list[tuple[ImportedName, Solution]] = field(default_factory=list)
    unmatched: list[tuple[ImportedName, list[Solution]]] = field(default_factory=list)
    # Per solution id, the IdPs (staff groups) the file names for it: the preview carries them to its confirmation.
    idps: dict[int, list[Idp]] = field(default_factory=dict)

    def confirmed(self) -> list[tuple[Solution, list[Idp]]]:
        """What confirming a preview must send: each solution to add, and each one there that gains staff groups."""
        widened = [s for _, s in self.already if self.idps.get(s.id)]
        return [(s, self.idps.get(s.id, [])) for s in [*(s for _, s in self.added), *widened]]


def uploaded_file(upload: Any) -> tuple[str, bytes]:
    """An uploaded file (werkzeug's ``FileStorage``) as the importers take it: its name ("" when none) and its
    bytes, one more than ``MAX_BYTES`` at the most, so a file over the limit is refused rather than cut."""
    return upload.filename or "", upload.stream.read(MAX_BYTES + 1)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; Danish Excel often saves CSV as Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _too_many() -> AppError:
    return PayloadTooLarge(TOO_MANY)


TooMany = Callable[[], AppError]


def header_delimiter(text: str) -> str | None:
    """The delimiter of a file whose first line is a header of plain words: ';' (Danish Excel), ',' or a tab."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def csv_rows(
    data: bytes, *, limit: int = MAX_ROWS, too_many: TooMany = _too_many, by_header: bool = False
) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a CSV file (UTF-8 with or without BOM, else Windows-1252), each with its line number
    (1 = the first line). The delimiter is sniffed or, ``by_header``, read off the header line. More than
    ``limit`` rows after a header row: ``too_many()``."""
    text = _decode(data)
    if "\x00" in text:
        raise UnsupportedMediaType("municipalities.import_not_csv")
    if by_header:
        reader = csv.reader(io.StringIO(text), delimiter=header_delimiter(text) or ";")
    else:
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        except csv.Error:
            dialect = csv.excel  # one column, or nothing to tell the delimiter by
        reader = csv.reader(io.StringIO(text), dialect)
    rows: list[tuple[int, list[str]]] = []
    ended = 0  # the line the previous row ended on (a quoted cell may span lines)
    try:
        for row in reader:
            start, ended = ended + 1, reader.line_num
            if any(cell.strip() for cell in row):
                if len(rows) > limit:  # room for a header row; the rest are counted after it is found
                    raise too_many()
                rows.append((start, row))
    except csv.Error as exc:
        raise ValidationError("municipalities.import_csv_unreadable", {"file": str(exc)}) from exc
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    return [row for _, row in csv_rows(data)]


# A portfolio sheet unpacks to well under a megabyte; a "zip bomb" unpacks to gigabytes before openpyxl's
# row limit is ever reached (it reads the shared-strings table whole).
MAX_XLSX_UNPACKED_BYTES = 25 * 1024 * 1024


def _check_unpacked_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValidationError("municipalities.import_xlsx_unreadable", {"file": str(exc)}) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise PayloadTooLarge("municipalities.import_xlsx_unpacks_too_large")
    _refuse_doctypes(data)


def _refuse_doctypes(data: bytes) -> None:
    """No XML part of a workbook has a DOCTYPE: one that does is an entity attack (billion laughs, XXE).

    openpyxl parses with defusedxml where it can, but not in every path; refusing up front covers them all.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(info) as member:
                head = member.read(MAX_XLSX_UNPACKED_BYTES).upper()
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise ValidationError(
                    "municipalities.import_xlsx_has_doctype",
                    {"file": info.filename[:100]},
                )


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: a date (or a date-time at midnight, as Excel stores days) as ÅÅÅÅ-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def xlsx_rows(
    data: bytes, *, limit: int = MAX_ROWS, too_many: TooMany = _too_many, max_col: int = 30
) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a workbook's first sheet as text, each with its row number; unpacked size and XML
    (no DOCTYPE, no entities) checked before openpyxl reads it, read-only. More than ``limit`` rows after a
    header row: ``too_many()``."""
    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError("municipalities.import_xlsx_unreadable", {"file": str(exc)}) from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(max_col=max_col, values_only=True), start=1):
            row = [cell_text(v) for v in values]
            if any(cell.strip() for cell in row):
                if len(rows) > limit:  # room for a header row; the rest are counted after it is found
                    raise too_many()
                rows.append((number, row))
        return rows
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError) as exc:
        raise ValidationError("municipalities.import_xlsx_unreadable", {"file": str(exc)}) from exc
    finally:
        workbook.close()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    return [row for _, row in xlsx_rows(data)]


def read_names(filename: str, data: bytes) -> list[ImportedName]:
    """The solution names in a CSV or XLSX file, deduplicated, in file order."""
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge("municipalities.import_file_too_large", value=MAX_BYTES // 1000000)
    if not data.strip():
        raise ValidationError("municipalities.import_file_empty", {"file": "Filen indeholder ingen løsningsnavne."})
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(_XLSX_MAGIC):
        rows = _xlsx_rows(data)
    elif extension in {"xlsx", "xlsm"}:
        raise ValidationError("municipalities.import_xlsx_unreadable", {"file": "Ikke en XLSX-fil."})
    elif extension in {"csv", "txt", ""}:
        rows = _csv_rows(data)
    else:
        raise UnsupportedMediaType(
            "municipalities.import_file_type_unsupported", {"file": "CSV eller XLSX."}, extension=extension
        )
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    column, start, idp_column = 0, 0, None
    if rows:
        headers = [normalise(cell) for cell in rows[0]]
        found = next((i for i, h in enumerate(headers) if h in NAME_HEADERS), None)
        if found is not None:
            column, start = found, 1
            idp_column = next((i for i, h in enumerate(headers) if h in IDP_HEADERS), None)
    if len(rows) - start > MAX_ROWS:
        raise PayloadTooLarge(TOO_MANY)
    names: dict[str, ImportedName] = {}
    for number, row in enumerate(rows[start:], start=start + 1):
        text = row[column].strip() if column < len(row) else ""
        key = normalise(text)
        if not key:
            continue
        idp = row[idp_column].strip()[:MAX_NAME_LEN] if idp_column is not None and idp_column < len(row) else ""
        first = names.setdefault(key, ImportedName(text[:MAX_NAME_LEN], number))
        if idp and normalise(idp) not in {normalise(i) for i in first.idps}:
            names[key] = ImportedName(first.text, first.row, (*first.idps, idp))
    if not names:
        raise ValidationError("municipalities.import_no_solution_names", {"file": "Ingen navne fundet."})
    return list(names.values())


def _idps_named(session: Session, municipality: Municipality, names: list[ImportedName]) -> dict[str, list[Idp]]:
    """The IdPs each name's IdP column names (by IdP name or user group); one unknown refuses the file (422)."""
    if not any(name.idps for name in names):
        return {}
    index: dict[str, Idp] = {}
    idps = queries.list_idps(session, municipality)
    for idp in idps:
        if idp.user_group:
            index.setdefault(normalise(idp.user_group), idp)
    for idp in idps:
        index[normalise(idp.name)] = idp
    result: dict[str, list[Idp]] = {}
    for name in names:
        for text in name.idps:
            found = index.get(normalise(text))
            if found is None:
                raise ValidationError(
                    "municipalities.import_row_idp_unknown", {"file": "Ukendt IdP."}, row=name.row, text=text
                )
            if found not in result.setdefault(name.text, []):
                result[name.text].append(found)
    return result


def match(session: Session, names: list[ImportedName]) -> tuple[list[tuple[ImportedName, Solution]], list[Any]]:
    """Matched names with their solution; unmatched names with up to three suggested solutions.

    The matching runs in memory on the name index (built only when the registry's solutions changed); the
    session then loads only the solutions that matched or were suggested, in one query.
    """
    index = name_index(session)
    found: list[tuple[ImportedName, Candidate]] = []
    missing: list[tuple[ImportedName, list[Candidate]]] = []
    for name in names:
        candidate = index.find(name.text)
        if candidate is not None:
            found.append((name, candidate))
        else:
            missing.append((name, index.suggest(name.text)))
    wanted = {c.id for _, c in found} | {c.id for _, cs in missing for c in cs}
    solutions = {s.id: s for s in session.scalars(select(Solution).where(Solution.id.in_(wanted)))} if wanted else {}
    matched = [(name, solutions[c.id]) for name, c in found if c.id in solutions]
    unmatched = [(name, [solutions[c.id] for c in cs if c.id in solutions]) for name, cs in missing]
    return matched, unmatched


def import_portfolio(
    session: Session,
    municipality: Municipality,
    filename: str,
    data: bytes,
    *,
    actor: Actor,
    dry_run: bool = False,
) -> ImportReport:
    """Read the file, match the names and add what matched to M's portfolio (unless ``dry_run``)."""
    names = read_names(filename, data)
    idps = _idps_named(session, municipality, names)
    matched, unmatched = match(session, names)
    report = ImportReport(rows=len(names), dry_run=dry_run, unmatched=unmatched)
    unique: dict[int, tuple[ImportedName, Solution]] = {}
    idps_by_solution = report.idps
    for name, solution in matched:
        unique.setdefault(solution.id, (name, solution))
        for idp in idps.get(name.text, []):
            if idp not in idps_by_solution.setdefault(solution.id, []):
                idps_by_solution[solution.id].append(idp)
    if dry_run:
        present = {e.solution_id for e in queries.list_portfolio(session, municipality)}
        for name, solution in unique.values():
            (report.already if solution.id in present else report.added).append((name, solution))
        return report
    added, _already = services.add_many(
        session, municipality, [s for _, s in unique.values()], actor=actor, idps=idps_by_solution
    )
    added_ids = {s.id for s in added}
    for name, solution in unique.values():
        (report.added if solution.id in added_ids else report.already).append((name, solution))
    return report


def confirm_import(
    session: Session, municipality: Municipality, slugs: list[str], *, actor: Actor, idps: list[str] | None = None
) -> tuple[list[Solution], list[Solution]]:
    """Add what a dry run showed (by slug, so the file need not be chosen again); (added, already there).

    ``idps`` are the preview's staff groups as ``"<slug>:<IdP id>"``, so a confirmed import gives each solution
    the IdPs the file named, as a direct import does (none: the primary IdP). An IdP that is not M's refuses the
    confirmation (422). Slugs that no longer name a solution are left out: the registry may have changed since
    the preview.
    """
    if len(slugs) > MAX_ROWS or len(idps or []) > MAX_ROWS * 5:
        raise ValidationError("municipalities.import_too_many_solutions", {"slug": f"Højst {MAX_ROWS}."})
    wanted = sorted(set(slugs))
    found = list(session.scalars(select(Solution).where(Solution.slug.in_(wanted)).order_by(Solution.name)))
    own = {idp.id: idp for idp in queries.list_idps(session, municipality)}
    by_slug: dict[str, list[Idp]] = {}
    for pair in idps or []:
        slug, _sep, idp_id = pair.rpartition(":")
        idp = own.get(int(idp_id)) if idp_id.isdigit() else None
        if idp is None:
            message = "Forhåndsvisningen nævner en IdP, kommunen ikke har. Importér filen igen."
            raise ValidationError(message, {"idp": pair[:100]})
        if idp not in by_slug.setdefault(slug, []):
            by_slug[slug].append(idp)
    named = {s.id: by_slug[s.slug] for s in found if s.slug in by_slug}
    return services.add_many(session, municipality, found, actor=actor, idps=named)
