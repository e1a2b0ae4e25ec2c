"""Time as a picture: switches per month for the next 12 months, for a server-rendered SVG and its table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import get_locale

from tracker.web.format import MONTHS_DA, MONTHS_EN

MONTHS_SHOWN = 12
BAR_WIDTH, GAP, HEIGHT, TOP, BOTTOM = 40, 10, 120, 18, 40


@dataclass
class Month:
    """One month of the timeline: its label, the solutions switching in it, and the bar's geometry."""

    year: int
    month: int
    label: str
    names: list[str] = field(default_factory=list)
    x: int = 0
    height: int = 0
    short: str = ""  # the month alone, under its bar ("jan"); the year goes on a line below, where it changes
    year_label: str | None = None

    @property
    def count(self) -> int:
        return len(self.names)


@dataclass
class Timeline:
    """The twelve months from ``start``'s month, with the SVG's size."""

    months: list[Month]
    width: int
    height: int = HEIGHT + TOP + BOTTOM
    baseline: int = HEIGHT + TOP

    @property
    def total(self) -> int:
        return sum(m.count for m in self.months)


def _month_names() -> tuple[str, ...]:
    locale = get_locale()
    return MONTHS_EN if locale is not None and locale.language == "en" else MONTHS_DA


def build(start: date, switches: Iterable[tuple[date | None, str]]) -> Timeline:
    """Count ``(first possible day, name)`` per month for the 12 months from ``start``; others are left out."""
    names = _month_names()
    months: list[Month] = []
    year, month = start.year, start.month
    for i in range(MONTHS_SHOWN):
        # Axis labels short enough for their 50-unit slot at any printed size: the month, and the year once.
        months.append(
            Month(
                year,
                month,
                f"{names[month - 1]} {year}",
                x=i * (BAR_WIDTH + GAP) + GAP,
                short=names[month - 1][:3],
                year_label=str(year) if i == 0 or month == 1 else None,
            )
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    index = {(m.year, m.month): m for m in months}
    for day, name in switches:
        if day is not None and (slot := index.get((day.year, day.month))) is not None:
            slot.names.append(name)
    most = max((m.count for m in months), default=0) or 1
    for m in months:
        m.height = round(HEIGHT * m.count / most)
    return Timeline(months, width=MONTHS_SHOWN * (BAR_WIDTH + GAP) + GAP)
