"""A municipality's actions as CSV and XLSX (Danish, as the readiness exports): what, solution, staff group,
owner, status, due day — overdue first — and a progress sheet."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from tracker.actions.views import ActionList
from tracker.municipalities import exports as base

CSV_MIMETYPE = base.CSV_MIMETYPE
XLSX_MIMETYPE = base.XLSX_MIMETYPE
HEADERS = (
    "Handling",
    "Løsning",
    "Brugergruppe",
    "Ansvarlig",
    "Status",
    "Begrundelse",
    "Frist",
    "Overskredet",
    "Handlingsdato (registeret)",
    "Note",
    "Id",
)


def table(listed: ActionList) -> base.Table:
    """The rows of the export, in the list's order."""
    rows: list[list[Any]] = []
    with force_locale("da"):
        for item in listed.items:
            a = item.action
            rows.append(
                [
                    item.title,
                    item.solution_name,
                    item.group,
                    item.owner,
                    item.status_label,
                    a.status_reason or a.reopened_reason,
                    a.due_on,
                    "Ja" if item.overdue else "Nej",
                    a.act_by_on,
                    a.note,
                    a.id,
                ]
            )
    return HEADERS, rows


def summary(listed: ActionList) -> list[tuple[str, Any]]:
    """The progress sheet."""
    s = listed.summary
    return [
        ("Opgjort", listed.day),
        ("Færdige", s["done"]),
        ("Åbne", s["open"]),
        ("Heraf overskredet", s["overdue"]),
        ("Ikke relevante", s["not_relevant"]),
        ("I alt", s["total"]),
    ]


def to_csv(listed: ActionList) -> bytes:
    """Semicolon-separated UTF-8 with BOM (formula-safe cells, as every export)."""
    return base.to_csv(table(listed))


def to_xlsx(listed: ActionList) -> bytes:
    """A workbook: the actions, then the progress sheet."""
    return base.to_xlsx(table(listed), title="Handlinger", summary=summary(listed))
