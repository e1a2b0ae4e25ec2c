"""Readiness (SPEC §4): which of M's solutions will lock out M's staff, and from which day.

For municipality M and each solution S in its portfolio the IdP is the portfolio entry's own IdP, else M's
primary IdP, else M's only IdP. Then:

- ``ok`` — the IdP's notified level ≥ S's required level;
- ``at_risk`` — below, and the switch (its *earliest* possible day) lies ahead: N days left;
- ``locked_out`` — below, and the switch has happened (earliest day ≤ today, or the state says ``switched``);
- ``unknown`` — the required level, the IdP's level, the IdP itself or (when below) the date is unknown.

``assess`` is pure, so the API, the page, the exports, the national picture and the change events all share
one definition. ``today`` is injectable everywhere; by default it is today's date in Denmark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tracker.models import ChangeEvent, Idp, Municipality, PortfolioEntry, Solution
from tracker.models.vocab import LOA_RANK, Loa, SwitchState
from tracker.registry.actors import Actor
from tracker.registry.events import append_event
from tracker.vocabulary import danish_day, today_in_denmark

EVENT_TYPE = "municipality.readiness.changed"


class Status(StrEnum):
    """A readiness status, in order of urgency."""

    LOCKED_OUT = "locked_out"
    AT_RISK = "at_risk"
    UNKNOWN = "unknown"
    OK = "ok"


class Reason(StrEnum):
    """Why a readiness status is ``unknown``."""

    NO_IDP = "no_idp"
    REQUIRED_LOA_UNKNOWN = "required_loa_unknown"
    IDP_LOA_UNKNOWN = "idp_loa_unknown"
    SWITCH_DATE_UNKNOWN = "switch_date_unknown"


REASON_TEXT = {
    Reason.NO_IDP: "Der er ingen IdP for løsningen: vælg en IdP til løsningen, eller markér en IdP som primær.",
    Reason.REQUIRED_LOA_UNKNOWN: "Løsningens krævede sikringsniveau er ukendt.",
    Reason.IDP_LOA_UNKNOWN: "IdP'ens anmeldte sikringsniveau er ukendt.",
    Reason.SWITCH_DATE_UNKNOWN: "IdP'ens niveau er lavere end krævet, men skæringsdatoen er ukendt.",
}
STATUS_TEXT = {
    Status.OK: "Klar",
    Status.AT_RISK: "I fare",
    Status.LOCKED_OUT: "Lukket ude",
    Status.UNKNOWN: "Ukendt",
}
_URGENCY = {Status.LOCKED_OUT: 0, Status.AT_RISK: 1, Status.UNKNOWN: 2, Status.OK: 3}
# A cancelled switch will not happen, and a postponed one whose old day has passed has no day yet.
_NO_SWITCH_YET = {SwitchState.POSTPONED.value, SwitchState.CANCELLED.value}


@dataclass(frozen=True)
class SolutionFacts:
    """The three facts of a solution that readiness depends on."""

    loa_value: str
    switch_earliest_on: date | None
    switch_state: str

    @classmethod
    def of(cls, solution: Solution) -> SolutionFacts:
        """The solution's facts as they are now (a copy: later edits do not change it)."""
        return cls(solution.loa_value, solution.switch_earliest_on, solution.switch_state)


@dataclass(frozen=True)
class Assessment:
    """One readiness verdict: status, the reason when unknown, and the day and days left when it bites."""

    status: Status
    reason: Reason | None = None
    days_left: int | None = None
    from_day: date | None = None

    def as_json(self) -> dict[str, Any]:
        """The before/after shape of a readiness event."""
        return {
            "status": self.status.value,
            "days_left": self.days_left,
            "reason": self.reason.value if self.reason else None,
            "from": self.from_day.isoformat() if self.from_day else None,
        }

    @property
    def message(self) -> str:
        """One Danish sentence: what the status means for the staff."""
        if self.status is Status.AT_RISK and self.from_day is not None:
            days = "1 dag" if self.days_left == 1 else f"{self.days_left} dage"
            return f"Medarbejderne lukkes ude fra {danish_day(self.from_day)}, {days} tilbage."
        if self.status is Status.LOCKED_OUT:
            if self.from_day is not None:
                return f"Medarbejderne er lukket ude siden {danish_day(self.from_day)}."
            return "Løsningen har skiftet; medarbejderne er lukket ude."
        if self.status is Status.UNKNOWN and self.reason is not None:
            return REASON_TEXT[self.reason]
        return "IdP'ens niveau opfylder løsningens krav."


def assess(facts: SolutionFacts, idp_loa: str | None, today: date) -> Assessment:
    """The readiness of one solution for staff logging in through an IdP at ``idp_loa`` (None: no IdP)."""
    if idp_loa is None:
        return Assessment(Status.UNKNOWN, Reason.NO_IDP)
    required = LOA_RANK.get(Loa(facts.loa_value)) if facts.loa_value in tuple(Loa) else None
    if required is None:
        return Assessment(Status.UNKNOWN, Reason.REQUIRED_LOA_UNKNOWN)
    have = LOA_RANK.get(Loa(idp_loa)) if idp_loa in tuple(Loa) else None
    if have is None:
        return Assessment(Status.UNKNOWN, Reason.IDP_LOA_UNKNOWN)
    if have >= required:
        return Assessment(Status.OK)
    earliest, state = facts.switch_earliest_on, facts.switch_state
    if state == SwitchState.SWITCHED:
        return Assessment(Status.LOCKED_OUT, days_left=0, from_day=earliest if earliest and earliest <= today else None)
    if earliest is None or state == SwitchState.CANCELLED:
        return Assessment(Status.UNKNOWN, Reason.SWITCH_DATE_UNKNOWN)
    if earliest > today:
        return Assessment(Status.AT_RISK, days_left=(earliest - today).days, from_day=earliest)
    if state in _NO_SWITCH_YET:
        return Assessment(Status.UNKNOWN, Reason.SWITCH_DATE_UNKNOWN)
    return Assessment(Status.LOCKED_OUT, days_left=0, from_day=earliest)


@dataclass(frozen=True)
class IdpChoice:
    """The IdP staff use for a solution and why that one: ``portfolio`` (named), ``primary`` or ``only``."""

    idp: Idp | None
    source: str | None


def choose_idp(entry_idp_id: int | None, idps: Sequence[Idp]) -> IdpChoice:
    """The entry's own IdP, else the primary IdP, else the only IdP, else none."""
    if entry_idp_id is not None:
        named = next((i for i in idps if i.id == entry_idp_id), None)
        if named is not None:
            return IdpChoice(named, "portfolio")
    primary = next((i for i in idps if i.is_primary), None)
    if primary is not None:
        return IdpChoice(primary, "primary")
    if len(idps) == 1:
        return IdpChoice(idps[0], "only")
    return IdpChoice(None, None)


@dataclass(frozen=True)
class ReadinessRow:
    """One line of a municipality's readiness: the solution, the IdP used, and the verdict."""

    solution: Solution
    idp: Idp | None
    idp_source: str | None
    assessment: Assessment

    @property
    def sort_key(self) -> tuple[int, int, str, str]:
        """Locked out first, then at risk by days left, then unknown, then ok; by name within each."""
        days = self.assessment.days_left if self.assessment.status is Status.AT_RISK else 0
        return (_URGENCY[self.assessment.status], days or 0, self.solution.name.casefold(), self.solution.slug)


@dataclass(frozen=True)
class Readiness:
    """A municipality's readiness: rows sorted by urgency, and totals per status."""

    municipality: Municipality
    today: date
    rows: list[ReadinessRow]

    @property
    def totals(self) -> dict[str, int]:
        """How many solutions per status, and in all."""
        counts = {status.value: 0 for status in Status}
        for row in self.rows:
            counts[row.assessment.status.value] += 1
        counts["total"] = len(self.rows)
        return counts


def rows_for(
    entries: Iterable[PortfolioEntry], idps: Sequence[Idp], today: date, facts: SolutionFacts | None = None
) -> list[ReadinessRow]:
    """Readiness rows for portfolio entries of one municipality (``facts`` overrides the solution's own)."""
    rows = []
    for entry in entries:
        choice = choose_idp(entry.idp_id, idps)
        verdict = assess(
            facts or SolutionFacts.of(entry.solution), choice.idp.notified_loa if choice.idp else None, today
        )
        rows.append(ReadinessRow(entry.solution, choice.idp, choice.source, verdict))
    return sorted(rows, key=lambda r: r.sort_key)


def municipality_readiness(session: Session, municipality: Municipality, *, today: date | None = None) -> Readiness:
    """M's readiness for every solution in its portfolio, most urgent first (two queries)."""
    entries = session.scalars(
        select(PortfolioEntry)
        .where(PortfolioEntry.municipality_id == municipality.id)
        .options(joinedload(PortfolioEntry.solution))
    ).all()
    idps = session.scalars(select(Idp).where(Idp.municipality_id == municipality.id).order_by(Idp.id)).all()
    day = today or today_in_denmark()
    return Readiness(municipality, day, rows_for(entries, idps, day))


# --- change events -----------------------------------------------------------------------------------------


def _emit(
    session: Session,
    *,
    municipality: Municipality,
    solution: Solution,
    before: Assessment | None,
    after: Assessment | None,
    actor: Actor,
    reason: str | None,
) -> ChangeEvent:
    return append_event(
        session,
        type=EVENT_TYPE,
        actor=actor,
        municipality=municipality,
        solution=solution,
        changes={
            "readiness": {
                "before": before.as_json() if before else None,
                "after": after.as_json() if after else None,
            }
        },
        data={"message": after.message if after else "Løsningen er fjernet fra kommunens portefølje."},
        reason=reason,
    )


def _changed(before: Assessment | None, after: Assessment | None) -> bool:
    return (before.as_json() if before else None) != (after.as_json() if after else None)


@dataclass(frozen=True)
class MunicipalitySnapshot:
    """M's verdicts per solution before a change to its IdPs or portfolio."""

    municipality: Municipality
    today: date
    verdicts: dict[int, tuple[Solution, Assessment]]


def snapshot_municipality(
    session: Session, municipality: Municipality, *, today: date | None = None
) -> MunicipalitySnapshot:
    """Take M's verdicts now, to compare with after the change (``emit_municipality_changes``)."""
    readiness = municipality_readiness(session, municipality, today=today)
    verdicts = {row.solution.id: (row.solution, row.assessment) for row in readiness.rows}
    return MunicipalitySnapshot(municipality, readiness.today, verdicts)


def emit_municipality_changes(
    session: Session, snapshot: MunicipalitySnapshot, *, actor: Actor, reason: str | None = None
) -> list[ChangeEvent]:
    """One event per solution whose verdict for M changed (added and removed solutions included)."""
    session.flush()
    now = snapshot_municipality(session, snapshot.municipality, today=snapshot.today).verdicts
    events = []
    for solution_id in sorted(snapshot.verdicts.keys() | now.keys()):
        old, new = snapshot.verdicts.get(solution_id), now.get(solution_id)
        pair = new or old
        before, after = (old[1] if old else None), (new[1] if new else None)
        if pair is not None and _changed(before, after):
            solution = pair[0]
            events.append(
                _emit(
                    session,
                    municipality=snapshot.municipality,
                    solution=solution,
                    before=before,
                    after=after,
                    actor=actor,
                    reason=reason,
                )
            )
    return events


@dataclass(frozen=True)
class SolutionSnapshot:
    """A solution's readiness facts before a registry change (no query: the IdPs and portfolio don't change)."""

    solution: Solution
    before: SolutionFacts
    today: date


def snapshot_for_solution(session: Session, solution: Solution, *, today: date | None = None) -> SolutionSnapshot:
    """Remember the facts readiness depends on, before ``update_solution`` applies its changes."""
    return SolutionSnapshot(solution, SolutionFacts.of(solution), today or today_in_denmark())


def watch_solution(session: Session, solution: Solution) -> Callable[[Actor, str | None], list[ChangeEvent]]:
    """The registry's hook (``registry.hooks.on_solution_change``): snapshot now, emit the verdicts' events after."""
    snapshot = snapshot_for_solution(session, solution)
    return lambda actor, reason: emit_changes(session, snapshot, actor=actor, reason=reason)


def emit_changes(
    session: Session, snapshot: SolutionSnapshot, *, actor: Actor, reason: str | None = None
) -> list[ChangeEvent]:
    """After a registry change: one event per municipality whose verdict for the solution changed.

    Two queries however many municipalities use the solution: their portfolio entries, then their IdPs.
    """
    after_facts = SolutionFacts.of(snapshot.solution)
    if after_facts == snapshot.before:
        return []
    entries = session.execute(
        select(PortfolioEntry.idp_id, Municipality)
        .join(Municipality, Municipality.id == PortfolioEntry.municipality_id)
        .where(PortfolioEntry.solution_id == snapshot.solution.id)
        .order_by(Municipality.code)
    ).all()
    if not entries:
        return []
    idps_by_municipality: dict[int, list[Idp]] = {}
    for idp in session.scalars(select(Idp).where(Idp.municipality_id.in_([m.id for _, m in entries])).order_by(Idp.id)):
        idps_by_municipality.setdefault(idp.municipality_id, []).append(idp)
    events = []
    for idp_id, municipality in entries:
        choice = choose_idp(idp_id, idps_by_municipality.get(municipality.id, []))
        loa = choice.idp.notified_loa if choice.idp else None
        before = assess(snapshot.before, loa, snapshot.today)
        after = assess(after_facts, loa, snapshot.today)
        if _changed(before, after):
            events.append(
                _emit(
                    session,
                    municipality=municipality,
                    solution=snapshot.solution,
                    before=before,
                    after=after,
                    actor=actor,
                    reason=reason,
                )
            )
    return events
