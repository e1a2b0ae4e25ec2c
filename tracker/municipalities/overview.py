"""Views across municipalities: the national picture (coordinators), upcoming switches and the most used solutions.

The national picture applies the same ``readiness.row_for`` to every (portfolio entry, IdP) in the country, in a
fixed number of queries (entries with their IdPs, IdPs, municipalities, solutions, brokers), so KL sees exactly
what each municipality sees, staff group by staff group.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from tracker.clock import today_in_denmark
from tracker.models import Idp, Municipality, PortfolioEntry, Solution
from tracker.models.municipalities import portfolio_entry_idp
from tracker.models.vocab import SwitchState
from tracker.municipalities import requirements
from tracker.municipalities.readiness import Assessment, Status, choices_on, row_for


@dataclass(frozen=True)
class MunicipalityVerdict:
    """One municipality's verdict for one solution and one staff group (IdP)."""

    municipality: Municipality
    assessment: Assessment
    idp: Idp | None = None

    @property
    def group(self) -> str | None:
        """The staff group: the IdP's user group, else its name."""
        return None if self.idp is None else self.idp.user_group or self.idp.name


@dataclass
class SolutionRisk:
    """One solution across the country: who uses it, and who is locked out or at risk, from when."""

    solution: Solution
    verdicts: list[MunicipalityVerdict] = field(default_factory=list)

    def having(self, status: Status) -> list[MunicipalityVerdict]:
        """Verdicts of one status, most urgent (earliest day) first, then by municipality name."""
        chosen = [v for v in self.verdicts if v.assessment.status == status]
        return sorted(
            chosen,
            key=lambda v: (v.assessment.from_day or date.max, v.assessment.reason or "", v.municipality.name),
        )

    @property
    def counts(self) -> dict[str, int]:
        """Staff groups (municipality, IdP) per status."""
        counts = {s.value: 0 for s in Status}
        for verdict in self.verdicts:
            counts[verdict.assessment.status.value] += 1
        return counts

    @property
    def municipality_counts(self) -> dict[str, int]:
        """Municipalities per status (one with two groups at risk counts once)."""
        seen: dict[str, set[int]] = {s.value: set() for s in Status}
        for verdict in self.verdicts:
            seen[verdict.assessment.status.value].add(verdict.municipality.id)
        return {status: len(ids) for status, ids in seen.items()}

    def groups(self, status: Status) -> list[tuple[str, date | None, int]]:
        """Per staff group and day: how many municipalities' group has the status ("12: skoler from …")."""
        seen: dict[tuple[str, date | None], set[int]] = {}
        for verdict in self.having(status):
            key = (verdict.group or "", verdict.assessment.from_day)
            seen.setdefault(key, set()).add(verdict.municipality.id)
        lines = [(group, day, len(ids)) for (group, day), ids in seen.items()]
        return sorted(lines, key=lambda line: (-line[2], line[1] or date.max, line[0]))

    @property
    def users(self) -> int:
        """Municipalities using the solution."""
        return len({v.municipality.id for v in self.verdicts})

    @property
    def sort_key(self) -> tuple[int, int, int, str]:
        """Most locked out first; then the soonest at-risk day; then most at risk; then name."""
        at_risk = self.having(Status.AT_RISK)
        soonest = min((v.assessment.days_left or 0 for v in at_risk), default=10**9)
        counts = self.counts
        return (-counts["locked_out"], soonest, -counts["at_risk"], self.solution.name.casefold())


@dataclass(frozen=True)
class NationalPicture:
    """Every used solution with its risk across the country, most urgent first."""

    today: date
    items: list[SolutionRisk]

    @property
    def totals(self) -> dict[str, int]:
        """Staff groups (portfolio entry, IdP) per status across the country, and municipalities with any portfolio."""
        counts = {s.value: 0 for s in Status}
        municipalities: set[int] = set()
        for item in self.items:
            for verdict in item.verdicts:
                counts[verdict.assessment.status.value] += 1
                municipalities.add(verdict.municipality.id)
        counts["municipalities"] = len(municipalities)
        counts["solutions"] = len(self.items)
        return counts


def national_picture(session: Session, *, today: date | None = None, only_risk: bool = False) -> NationalPicture:
    """For every solution in use: how many and which municipalities are at risk or locked out, and when."""
    day = today or today_in_denmark()
    entries = session.scalars(select(PortfolioEntry)).all()
    idps: dict[int, list[Idp]] = {}
    by_id: dict[int, Idp] = {}
    for idp in session.scalars(select(Idp).order_by(Idp.id)):
        idps.setdefault(idp.municipality_id, []).append(idp)
        by_id[idp.id] = idp
    # Every entry's staff groups in one query (a selectin load would take one per 500 entries: 59 in the bench).
    groups: dict[int, list[Idp]] = {}
    links = select(portfolio_entry_idp.c.portfolio_entry_id, portfolio_entry_idp.c.idp_id)
    for entry_id, idp_id in session.execute(links.order_by(portfolio_entry_idp.c.idp_id)):
        groups.setdefault(entry_id, []).append(by_id[idp_id])
    municipalities = {m.id: m for m in session.scalars(select(Municipality))}
    solution_ids = {e.solution_id for e in entries}
    solutions = {
        s.id: s
        for s in session.scalars(
            select(Solution).where(Solution.id.in_(solution_ids)).options(joinedload(Solution.service_provider))
        )
    }
    chains = requirements.chains(session, solutions.values())  # the verdicts read the ``loa`` transitions too
    risks: dict[int, SolutionRisk] = {}
    for entry in entries:
        solution = solutions[entry.solution_id]
        risk = risks.setdefault(solution.id, SolutionRisk(solution))
        for choice in choices_on(groups.get(entry.id, []), idps.get(entry.municipality_id, []), day):
            row = row_for(solution, chains[solution.id], choice, day)
            risk.verdicts.append(MunicipalityVerdict(municipalities[entry.municipality_id], row.assessment, row.idp))
    items = list(risks.values())
    if only_risk:
        items = [i for i in items if i.counts["locked_out"] or i.counts["at_risk"]]
    return NationalPicture(day, sorted(items, key=lambda i: i.sort_key))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of the month when that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Upcoming:
    """A switch that may happen within the window, with the days until its earliest day."""

    solution: Solution
    days_until: int


def upcoming_switches(
    session: Session, *, today: date | None = None, months: int = 12
) -> tuple[date, date, list[Upcoming]]:
    """Switches whose interval reaches into [today, today + months]: not yet switched, not cancelled."""
    start = today or today_in_denmark()
    until = add_months(start, months)
    rows = session.scalars(
        select(Solution)
        .where(
            Solution.switch_earliest_on.is_not(None),
            Solution.switch_earliest_on <= until,
            func.coalesce(Solution.switch_latest_on, Solution.switch_earliest_on) >= start,
            Solution.switch_state.not_in([SwitchState.SWITCHED.value, SwitchState.CANCELLED.value]),
        )
        .options(joinedload(Solution.vendor), joinedload(Solution.service_provider))
        .order_by(Solution.switch_earliest_on, Solution.name)
    ).all()
    items = [Upcoming(s, max(0, (s.switch_earliest_on - start).days)) for s in rows if s.switch_earliest_on]
    return start, until, items


@dataclass(frozen=True)
class Popular:
    """A solution and the municipalities that use it."""

    solution: Solution
    count: int
    municipalities: list[Municipality]


def popular_solutions(session: Session, *, limit: int = 50, with_municipalities: bool = False) -> list[Popular]:
    """The most used solutions by number of municipalities; which ones only when asked (coordinators)."""
    counted = session.execute(
        select(Solution, func.count(PortfolioEntry.id).label("n"))
        .join(PortfolioEntry, PortfolioEntry.solution_id == Solution.id)
        .group_by(Solution.id)
        .order_by(func.count(PortfolioEntry.id).desc(), Solution.name)
        .limit(limit)
    ).all()
    users: dict[int, list[Municipality]] = {}
    if with_municipalities and counted:
        for solution_id, municipality in session.execute(
            select(PortfolioEntry.solution_id, Municipality)
            .join(Municipality, Municipality.id == PortfolioEntry.municipality_id)
            .where(PortfolioEntry.solution_id.in_([s.id for s, _ in counted]))
            .order_by(Municipality.name)
        ):
            users.setdefault(solution_id, []).append(municipality)
    return [Popular(s, int(n), users.get(s.id, [])) for s, n in counted]
