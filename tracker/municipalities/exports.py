"""CSV and XLSX exports of a municipality's readiness and of the registry, for the management meeting.

CSV is written the way Danish Excel opens it: UTF-8 with a byte-order mark and semicolons. Cells that a
spreadsheet would run as a formula (=, +, -, @ …) are prefixed with an apostrophe: names come from vendors.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tracker.clock import DANISH_TIME, today_in_denmark, utcnow
from tracker.models import IdpChange, Solution
from tracker.municipalities.actions import action_text
from tracker.municipalities.lockout import Period
from tracker.municipalities.readiness import Readiness
from tracker.municipalities.requirements import SolutionFacts, TransitionRef
from tracker.vocabulary import (
    CONFIDENCE_LABELS,
    KIND_LABELS,
    LOA_LABELS,
    READINESS_LABELS,
    STATE_LABELS,
    in_danish,
)

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

READINESS_HEADERS = (
    "Løsning",
    "Slug",
    "Status",
    "Dage tilbage",
    "Lukket ude fra",
    "IdP",
    "Brugergruppe",
    "IdP-niveau",
    "Krævet sikringsniveau",
    "Vished (niveau)",
    "Kravet stammer fra",
    "Gør nu",
    "Skæringsdato, første dag",
    "Skæringsdato, sidste dag",
    "Skæringsdato (kildens ord)",
    "Skiftets tilstand",
    "Forklaring",
    "Kilde (niveau)",
    "Kildens ord (niveau)",
    "Kilde (dato)",
    "Kildens ord (dato)",
    # Readiness over time (added at the end: existing columns keep their places).
    "Næste lukkeperiode fra",
    "Næste lukkeperiode til og med",
    "Lukkeperioder",
    "Skift at handle på",
)

REGISTRY_HEADERS = (
    "Slug",
    "Løsning",
    "Type",
    "Tjenesteudbyder",
    "Leverandør",
    "Broker",
    "Brokere",
    "Krævet sikringsniveau",
    "Vished (niveau)",
    "Kilde (niveau)",
    "Kildens ord (niveau)",
    "Skæringsdato, første dag",
    "Skæringsdato, sidste dag",
    "Præcision",
    "Skæringsdato (kildens ord)",
    "Skiftets tilstand",
    "Vished (dato)",
    "Kilde (dato)",
    "Kildens ord (dato)",
    "Version",
    "Opdateret (dansk tid)",
)
STALE_LABEL = "Forældet – skal bekræftes"
PRECISION_DA = {
    "day": "Dag",
    "week": "Uge",
    "month": "Måned",
    "quarter": "Kvartal",
    "half": "Halvår",
    "season": "Årstid",
    "year": "År",
    "unknown": "Ukendt",
}

Table = tuple[Sequence[str], list[list[Any]]]


def _da(labels: Mapping[str, Any], code: str | None) -> str | None:
    """A code's Danish label (the exports are Danish whatever the user's language)."""
    return None if code is None else in_danish(lambda: str(labels.get(code, code)))


def danish_time(instant: datetime | None) -> str | None:
    """An instant in Danish time with its zone: '2026-12-02 15:30 CET'."""
    if instant is None:
        return None
    local = instant.astimezone(DANISH_TIME)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _state(solution: Solution, today: date) -> str | None:
    if SolutionFacts.of(solution).stale(today):
        return STALE_LABEL
    return _da(STATE_LABELS, solution.switch_state)


def readiness_table(readiness: Readiness) -> Table:
    """M's readiness as header and rows: the API's rows, in the API's order, with Danish labels and sources."""
    rows = []
    with force_locale("da"):
        for row in readiness.rows:
            verdict, solution, idp = row.assessment, row.solution, row.idp
            rows.append(
                [
                    solution.name,
                    solution.slug,
                    str(READINESS_LABELS[verdict.status]),
                    verdict.days_left,
                    verdict.from_day,
                    idp.name if idp else None,
                    idp.user_group if idp else None,
                    _da(LOA_LABELS, idp.notified_loa) if idp else None,
                    _da(LOA_LABELS, solution.loa_value),
                    _da(CONFIDENCE_LABELS, solution.loa_status),
                    row.requirement_from.name if row.requirement_from else None,
                    action_text(row.action),
                    solution.switch_earliest_on,
                    solution.switch_latest_on,
                    solution.switch_text,
                    _state(solution, readiness.today),
                    verdict.message,
                    solution.loa_source_url,
                    solution.loa_evidence,
                    solution.switch_source_url,
                    solution.switch_evidence,
                    *_next_period(row.next_period),
                    "; ".join(period_words(p) for p in row.periods) or None,
                    "; ".join(transition_words(t) for t in row.to_act) or None,
                ]
            )
    return READINESS_HEADERS, rows


def _next_period(period: Period | None) -> tuple[date | None, date | None]:
    """The next lock-out period's first and last day (the last None: no end known)."""
    if period is None:
        return (None, None)
    return (period.start, period.end - timedelta(days=1) if period.end else None)


def period_words(period: Period) -> str:
    """A lock-out period in Danish: '2027-03-01 – 2027-04-30' (an open end or start left blank)."""
    last = period.end - timedelta(days=1) if period.end else None
    start = period.start.isoformat() if period.start else ""
    return f"{start} – {last.isoformat() if last else ''}".strip()


def transition_words(t: TransitionRef) -> str:
    """A transition to act on in Danish: 'Title (Solution), senest 2027-02-01 (beregnet)'."""
    by = f"senest {t.act_by_on.isoformat()}" if t.act_by_on else "frist ukendt"
    return f"{t.title} ({t.solution_name}), {by}{' (beregnet)' if t.act_by_derived and t.act_by_on else ''}"


IDP_CHANGE_HEADERS = ("Fra dato", "IdP", "Brugergruppe", "Ændring", "Nyt niveau", "Ny IdP", "Hvortil", "Bemærkning")
IDP_CHANGE_KINDS_DA = {
    "loa": "Nyt anmeldt niveau",
    "retire": "IdP'en nedlægges",
    "move": "Gruppen flytter til en anden IdP",
    "leave": "Gruppen forlader kommunen",
}


def idp_changes_table(changes: Sequence[IdpChange]) -> Table:
    """A municipality's planned IdP and staff-group changes as header and rows (Danish labels), by day."""
    rows = [
        [
            c.effective_on,
            c.idp.name,
            c.idp.user_group,
            IDP_CHANGE_KINDS_DA.get(c.kind, c.kind),
            _da(LOA_LABELS, c.notified_loa),
            c.target_idp.name if c.target_idp else None,
            c.destination,
            c.note,
        ]
        for c in changes
    ]
    return IDP_CHANGE_HEADERS, rows


def registry_table(solutions: Sequence[Solution], *, today: date | None = None) -> Table:
    """The registry as header and rows (the API list's order), with Danish labels, sources and Danish time."""
    day = today or today_in_denmark()
    rows = [
        [
            s.slug,
            s.name,
            _da(KIND_LABELS, s.kind),
            s.service_provider.name if s.service_provider else None,
            s.vendor.name if s.vendor else None,
            s.broker,
            ", ".join(b.name for b in s.broker_solutions) or None,
            _da(LOA_LABELS, s.loa_value),
            _da(CONFIDENCE_LABELS, s.loa_status),
            s.loa_source_url,
            s.loa_evidence,
            s.switch_earliest_on,
            s.switch_latest_on,
            PRECISION_DA.get(s.switch_precision, s.switch_precision),
            s.switch_text,
            _state(s, day),
            _da(CONFIDENCE_LABELS, s.switch_status),
            s.switch_source_url,
            s.switch_evidence,
            s.version,
            danish_time(s.updated_at),
        ]
        for s in solutions
    ]
    return REGISTRY_HEADERS, rows


def _safe(value: Any) -> Any:
    """Neutralise text a spreadsheet would evaluate or cannot hold; instants lose their zone but stay UTC."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters make the workbook unreadable
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def _csv_cell(value: Any) -> str:
    value = _safe(value)
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def to_csv(table: Table) -> bytes:
    """Semicolon-separated UTF-8 with BOM, one header row."""
    headers, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table, *, title: str, summary: list[tuple[str, Any]] | None = None) -> bytes:
    """One sheet with a bold, frozen header row and real date cells; an optional summary sheet after it."""
    headers, rows = table
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(v) for v in row])
    for index, header in enumerate(headers, start=1):
        longest = max([len(str(header))] + [len(str(r[index - 1])) for r in rows if r[index - 1] is not None])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, longest + 2)
        for cell in sheet[get_column_letter(index)][1:]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    if summary:
        extra = workbook.create_sheet("Oversigt")
        for label, value in summary:
            extra.append([label, _safe(value)])
        extra.column_dimensions["A"].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def readiness_summary(readiness: Readiness) -> list[tuple[str, Any]]:
    """The totals sheet of a readiness workbook."""
    totals = readiness.totals
    return [
        ("Kommune", f"{readiness.municipality.name} ({readiness.municipality.code})"),
        ("Opgjort", readiness.today),
        ("Lukket ude", totals["locked_out"]),
        ("I fare", totals["at_risk"]),
        ("Ukendt", totals["unknown"]),
        ("Klar", totals["ok"]),
        ("I alt", totals["total"]),
        ("Løsninger", totals["solutions"]),
        ("Forældede oplysninger", totals["stale"]),
        ("Udskrevet (dansk tid)", danish_time(utcnow())),
    ]


def filename(stem: str, day: date, extension: str) -> str:
    """A download name that sorts by date: 'parathed-101-2026-11-28.xlsx'."""
    return f"{stem}-{day.isoformat()}.{extension}"
