"""Time as a picture: switches per month for the next 12 months, and each staff group's lock-out periods over the
next 24 months — both for a server-rendered SVG and its table (no JavaScript)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import get_locale

from tracker.models import Idp
from tracker.municipalities.readiness import LOA_OF_RANK, ReadinessRow
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


# --- Lock-out periods per staff group, the next 24 months (readiness over time) ---------------------------

LOCKOUT_MONTHS = 24
MONTH_WIDTH, LABEL_WIDTH, LANE_HEIGHT, LANE_GAP, AXIS_HEIGHT = 30, 170, 18, 8, 40


@dataclass
class Bar:
    """One lock-out period clipped to the window: its days and the rectangle that draws it."""

    start: date | None
    end: date | None  # first day no longer locked out; None: no end known
    required: str | None
    have: str | None
    x: int = 0
    width: int = 0
    clipped_left: bool = False
    clipped_right: bool = False

    @property
    def last(self) -> date | None:
        """The last day locked out (None: no end known)."""
        return self.end - timedelta(days=1) if self.end else None


@dataclass
class Lane:
    """One solution of a staff group: its bars in the window, and every period (for the table)."""

    name: str
    slug: str
    y: int
    bars: list[Bar]
    periods: list[Bar]
    solution_id: int = 0  # with the chart's IdP: the row whose action (issue 27) the chart shows beside it


@dataclass
class GroupChart:
    """One staff group's 24 months: a lane per solution it uses."""

    key: str
    name: str
    idp: str
    lanes: list[Lane]
    width: int
    height: int
    months: list[Month]
    baseline: int
    today_x: int = 0
    idp_id: int = 0
    more: int = 0  # solutions with a lock-out period in the window beyond the lanes drawn (see the export)
    clear: int = 0  # solutions of the group without a lock-out period in the window

    @property
    def locked_lanes(self) -> int:
        return sum(1 for lane in self.lanes if lane.bars)


def _month_start(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


LANES_SHOWN = 30  # a page stays readable (and small) with 300 solutions per group: the export has them all


def lockout_charts(today: date, rows: Iterable[ReadinessRow], *, max_lanes: int = LANES_SHOWN) -> list[GroupChart]:
    """Per staff group (IdP), a lane for each solution that locks it out in the 24 months from ``today``'s
    month (the soonest ``max_lanes``; ``more`` counts the rest, ``clear`` the solutions without one)."""
    names = _month_names()
    start, end = _month_start(today, 0), _month_start(today, LOCKOUT_MONTHS)
    span = (end - start).days
    months = []
    for i in range(LOCKOUT_MONTHS):
        first = _month_start(today, i)
        months.append(
            Month(
                first.year,
                first.month,
                f"{names[first.month - 1]} {first.year}",
                x=LABEL_WIDTH + i * MONTH_WIDTH,
                short=names[first.month - 1][:1].upper() + names[first.month - 1][1:3],
                year_label=str(first.year) if i == 0 or first.month == 1 else None,
            )
        )
    scale = LOCKOUT_MONTHS * MONTH_WIDTH / span

    def x_of(day: date) -> int:
        return LABEL_WIDTH + round((day - start).days * scale)

    groups: dict[int, tuple[Idp, list[Lane]]] = {}
    for row in sorted(rows, key=lambda r: (r.group or "", r.solution.name.casefold())):
        if row.idp is None:
            continue
        _idp, lanes = groups.setdefault(row.idp.id, (row.idp, []))
        periods, bars = [], []
        for p in row.periods:
            bar = Bar(p.start, p.end, _loa_name(p.required), _loa_name(p.have))
            periods.append(bar)
            first = max(p.start or start, start)
            last = min(p.end or end, end)
            if first < last:
                bars.append(
                    Bar(
                        p.start,
                        p.end,
                        bar.required,
                        bar.have,
                        x=x_of(first),
                        width=max(x_of(last) - x_of(first), 2),
                        clipped_left=(p.start or start) < start,
                        clipped_right=p.end is None or p.end > end,
                    )
                )
        lanes.append(Lane(row.solution.name, row.solution.slug, 0, bars, periods, solution_id=row.solution.id))
    charts = []
    for idp_id, (idp, every) in groups.items():
        locked = sorted((lane for lane in every if lane.bars), key=lambda lane: lane.bars[0].x)
        lanes = locked[:max_lanes]
        for i, lane in enumerate(lanes):
            lane.y = i * (LANE_HEIGHT + LANE_GAP) + LANE_GAP
        baseline = len(lanes) * (LANE_HEIGHT + LANE_GAP) + LANE_GAP
        charts.append(
            GroupChart(
                key=f"g{idp_id}",
                name=idp.user_group or idp.name,
                idp=idp.name,
                lanes=lanes,
                width=LABEL_WIDTH + LOCKOUT_MONTHS * MONTH_WIDTH + 10,
                height=baseline + AXIS_HEIGHT,
                months=months,
                baseline=baseline,
                today_x=x_of(today),
                idp_id=idp_id,
                more=len(locked) - len(lanes),
                clear=len(every) - len(locked),
            )
        )
    return charts


def _loa_name(rank: int | None) -> str | None:
    return LOA_OF_RANK.get(rank) if rank is not None else None


def next_lockouts(rows: Iterable[ReadinessRow]) -> list[tuple[ReadinessRow, Bar]]:
    """Each row's lock-out period under way or next, soonest first (one without a start day first of all)."""
    found = [
        (row, Bar(p.start, p.end, _loa_name(p.required), _loa_name(p.have)))
        for row in rows
        if (p := row.next_period) is not None
    ]
    return sorted(found, key=lambda pair: (pair[1].start or date.min, pair[0].solution.name.casefold()))
