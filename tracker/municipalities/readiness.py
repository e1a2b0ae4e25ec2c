"""Readiness (SPEC §4): which of M's solutions will lock out M's staff, and from which day.

For municipality M, each solution S in its portfolio and each IdP whose staff use S (the IdPs the portfolio
entry names, else M's primary IdP, else M's only IdP) there is one row. S's requirements are its own and those
of the brokers staff reach it through (``requirements.chain``); each is assessed, and the most urgent verdict
drives the row (``requirement_from``; ``requirement``: the dated step that drives it). What a solution requires
on a day has one definition, ``requirement_steps``: its switch's level from the switch's earliest day, then each
``loa`` transition's level from its earliest day (a later step replaces an earlier one; the NSIS login
transition is the switch itself). Today's verdict (``judge``) and the lock-out periods both read those steps.
For one requirement, at the level the IdP is notified *today*:

- ``ok`` — the step in force today (if any) is met, and no step ahead asks for more;
- ``at_risk`` — a step above the IdP's level lies ahead (its *earliest* possible day): N days left;
- ``locked_out`` — the step in force today is above it (since the first day of that run; the state
  ``switched`` without a day: since always);
- ``unknown`` — the required level, the IdP's level, the IdP itself or (when below and no step says more) the
  date is unknown.

Every row says what to do now (``action``) and whether a fact it rests on is stale (a ``planned`` switch whose
latest day has passed). ``assess`` is pure, so the API, the page, the exports, the national picture and the
change events all share one definition. ``today`` is injectable everywhere; by default it is today's date in Denmark.

Over time (SPEC §8): an IdP can have planned changes (a new notified level from a date, retired from a date) and
its staff group can move to another of M's IdPs or leave M from a date (``IdpChange``). On ``today`` a row is for
the IdP the group logs in through that day (a group that moved is a row of the IdP it moved to; a group that left
has no rows), assessed at the level notified that day. Each row also carries its lock-out periods
(``lockout.lockout_periods`` over the requirement steps of the solution and its brokers and the group's dated
states) and the next one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from tracker.clock import today_in_denmark
from tracker.models import Idp, Municipality, PortfolioEntry, Solution
from tracker.models.vocab import LOA_RANK, Confidence, Loa, SwitchState
from tracker.municipalities.lockout import (
    DAWN,
    NO_IDP,
    IdpPlan,
    Period,
    PlannedChange,
    RequirementStep,
    group_state,
    group_steps,
    lockout_periods,
    next_period,
)
from tracker.municipalities.requirements import Chain, SolutionFacts, TransitionRef, chains
from tracker.vocabulary import format_day, in_readers_language


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


# Words through the catalogue: the reader's language in a request, Danish elsewhere (events, the worker).
REASON_TEXT = {
    Reason.NO_IDP: _l("Der er ingen IdP for løsningen: vælg en IdP til løsningen, eller markér en IdP som primær."),
    Reason.REQUIRED_LOA_UNKNOWN: _l("Løsningens krævede sikringsniveau er ukendt."),
    Reason.IDP_LOA_UNKNOWN: _l("IdP'ens anmeldte sikringsniveau er ukendt."),
    Reason.SWITCH_DATE_UNKNOWN: _l("IdP'ens niveau er lavere end krævet, men skæringsdatoen er ukendt."),
}
# ``session.info`` key: readiness just computed after a municipality's own change, by municipality id, while its
# readiness event is being sent (``readiness_events.emit_municipality_changes``), so that a receiver following
# the change (the actions) need not compute it again.
FRESH_READINESS = "tracker.readiness.fresh"
_URGENCY = {Status.LOCKED_OUT: 0, Status.AT_RISK: 1, Status.UNKNOWN: 2, Status.OK: 3}
# A cancelled switch will not happen, and a postponed one whose old day has passed has no day yet.
_NO_SWITCH_YET = {SwitchState.POSTPONED.value, SwitchState.CANCELLED.value}


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
        """One sentence (the reader's language; Danish outside a request): what the status means for the staff."""
        return in_readers_language(self._message)

    def _message(self) -> str:
        if self.status is Status.AT_RISK and self.from_day is not None:
            return ngettext(
                "Medarbejderne lukkes ude fra %(day)s, %(num)d dag tilbage.",
                "Medarbejderne lukkes ude fra %(day)s, %(num)d dage tilbage.",
                self.days_left or 0,
                day=format_day(self.from_day),
            )
        if self.status is Status.LOCKED_OUT:
            if self.from_day is not None:
                return gettext("Medarbejderne er lukket ude siden %(day)s.", day=format_day(self.from_day))
            return gettext("Løsningen har skiftet; medarbejderne er lukket ude.")
        if self.status is Status.UNKNOWN and self.reason is not None:
            return str(REASON_TEXT[self.reason])
        return gettext("IdP'ens niveau opfylder løsningens krav.")


@dataclass(frozen=True)
class Verdict:
    """A requirement's verdict and the requirement step that drives it (None: no dated step does: ``ok`` or
    ``unknown``), with the level that step requires."""

    assessment: Assessment
    step: RequirementStep | None = None

    @property
    def rank(self) -> int | None:
        """The rank of the level that drives the verdict (None: no dated step)."""
        return self.step.rank if self.step is not None else None


def _binding(steps: Sequence[RequirementStep], have: int, today: date) -> Verdict | None:
    """What one source's dated steps say for staff at rank ``have``: locked out when the step in force on
    ``today`` is above it (since the first step of that run), else at risk from the first later step above it
    (None: neither). A later step replaces an earlier one (so a lowered level lets staff in again)."""
    ordered = sorted(steps, key=lambda s: s.on or DAWN)  # stable: on one day the later-listed step wins
    in_force = {step.on or DAWN: step for step in ordered}  # each day's step: the last listed that day
    past = [step for on, step in in_force.items() if on <= today]
    run: RequirementStep | None = None  # the first step of the run above ``have`` that reaches today
    for step in past:
        run = (run or step) if _above(step, have) else None
    if run is not None:
        return Verdict(Assessment(Status.LOCKED_OUT, days_left=0, from_day=run.on), past[-1])
    for on, step in in_force.items():
        if on > today and _above(step, have):
            return Verdict(Assessment(Status.AT_RISK, days_left=(on - today).days, from_day=on), step)
    return None


def _above(step: RequirementStep, have: int) -> bool:
    return step.rank is not None and step.rank > have


def judge(facts: SolutionFacts, idp_loa: str | None, today: date) -> Verdict:
    """The readiness of one solution (or broker) for staff logging in through an IdP at ``idp_loa`` (None: no
    IdP), read from its dated requirement steps (``requirement_steps``: its switch and its ``loa`` transitions),
    the same steps the lock-out periods read.

    A step above the IdP's level in force on ``today`` locks staff out; one ahead puts them at risk. When no step
    is in force, the solution's own level stands undated: unknown when it is unknown, or when it is above the
    IdP's level and its switch has no day (none known, cancelled, or postponed past its day)."""
    if idp_loa is None:
        return Verdict(Assessment(Status.UNKNOWN, Reason.NO_IDP))
    steps = requirement_steps((facts,), today)
    required = _rank_of(facts.loa_value)
    if required is None and not steps:
        return Verdict(Assessment(Status.UNKNOWN, Reason.REQUIRED_LOA_UNKNOWN))
    have = _rank_of(idp_loa)
    if have is None:
        return Verdict(Assessment(Status.UNKNOWN, Reason.IDP_LOA_UNKNOWN))
    binding = _binding(steps, have, today)
    if binding is not None:
        return binding
    if not any((s.on or DAWN) <= today for s in steps):
        if required is None:
            return Verdict(Assessment(Status.UNKNOWN, Reason.REQUIRED_LOA_UNKNOWN))
        if required > have:
            return Verdict(Assessment(Status.UNKNOWN, Reason.SWITCH_DATE_UNKNOWN))
    return Verdict(Assessment(Status.OK))


def assess(facts: SolutionFacts, idp_loa: str | None, today: date) -> Assessment:
    """``judge``'s verdict alone."""
    return judge(facts, idp_loa, today).assessment


def _rank(loa: str) -> int:
    return LOA_RANK.get(Loa(loa), 0) if loa in tuple(Loa) else 0


def _urgency(verdict: Assessment) -> tuple[int, int]:
    return (_URGENCY[verdict.status], verdict.days_left or 0 if verdict.status is Status.AT_RISK else 0)


def _strictness(verdict: Verdict, facts: SolutionFacts) -> int:
    return verdict.rank if verdict.rank is not None else _rank(facts.loa_value)


def judge_chain(chain: Chain, idp_loa: str | None, today: date) -> tuple[Verdict, SolutionFacts]:
    """The verdict of a solution's requirements (own first, then brokers') and the requirement that drives it.

    The most urgent verdict wins: a broker whose requirement binds earlier than the solution's drives the row.
    A broker whose level is unknown adds no requirement (it passes the solution's through). Among equals
    the strictest requirement is named, then the solution's own.
    """
    best: tuple[Verdict, SolutionFacts] | None = None
    for position, facts in enumerate(chain):
        verdict = judge(facts, idp_loa, today)
        if position and verdict.assessment.reason is Reason.REQUIRED_LOA_UNKNOWN:
            continue
        if best is None:
            best = (verdict, facts)
            continue
        key, best_key = _urgency(verdict.assessment), _urgency(best[0].assessment)
        if key < best_key or (key == best_key and _strictness(verdict, facts) > _strictness(*best)):
            best = (verdict, facts)
    assert best is not None  # the solution's own facts always count
    return best


def assess_chain(chain: Chain, idp_loa: str | None, today: date) -> tuple[Assessment, SolutionFacts]:
    """``judge_chain``'s verdict and the solution or broker that drives it."""
    verdict, driver = judge_chain(chain, idp_loa, today)
    return verdict.assessment, driver


class ActionCode(StrEnum):
    """What the municipality should do now about one row."""

    NONE = "none"
    NOTIFY_IDP = "notify_idp"
    USE_MITID_ERHVERV = "use_mitid_erhverv"
    CHOOSE_IDP = "choose_idp"
    RECORD_IDP_LEVEL = "record_idp_level"
    AWAIT_DECISION = "await_decision"
    CONTACT_PROVIDER = "contact_provider"


@dataclass(frozen=True)
class Action:
    """An action's code and what its sentence names (``actions.action_text`` words it in the user's language)."""

    code: ActionCode
    idp: str | None = None
    group: str | None = None
    level: str | None = None
    by: date | None = None
    provider: str | None = None


def action_for(verdict: Assessment, driver: SolutionFacts, idp: Idp | None, level: str | None = None) -> Action:
    """What to do now, given the verdict, the requirement that drives it (``level``: the level its driving step
    requires, else the driver's own) and the IdP of the row."""
    provider = driver.provider or driver.name
    level = level or driver.loa_value
    if verdict.status is Status.OK:
        return Action(ActionCode.NONE)
    if verdict.status is Status.AT_RISK and idp is not None and verdict.from_day is not None:
        return Action(ActionCode.NOTIFY_IDP, idp=idp.name, level=level, by=verdict.from_day - timedelta(days=1))
    if verdict.status is Status.LOCKED_OUT and idp is not None:
        return Action(ActionCode.USE_MITID_ERHVERV, idp=idp.name, group=idp.user_group or idp.name, level=level)
    if verdict.reason is Reason.NO_IDP:
        return Action(ActionCode.CHOOSE_IDP)
    if verdict.reason is Reason.IDP_LOA_UNKNOWN and idp is not None:
        return Action(ActionCode.RECORD_IDP_LEVEL, idp=idp.name)
    awaiting = Confidence.AWAITING_DECISION.value in (driver.loa_status, driver.switch_status)
    return Action(ActionCode.AWAIT_DECISION if awaiting else ActionCode.CONTACT_PROVIDER, provider=provider)


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


def choose_idps(entry_idps: Sequence[Idp], idps: Sequence[Idp]) -> list[IdpChoice]:
    """The IdPs a portfolio entry names (one row each), else the one ``choose_idp`` falls back to."""
    if entry_idps:
        return [IdpChoice(idp, "portfolio") for idp in sorted(entry_idps, key=lambda i: i.id)]
    return [choose_idp(None, idps)]


def _rank_of(loa: str | None) -> int | None:
    return LOA_RANK.get(Loa(loa)) if loa in tuple(Loa) else None


LOA_OF_RANK = {rank: loa.value for loa, rank in LOA_RANK.items()}


def plans_from(idp: Idp) -> tuple[dict[int, IdpPlan], dict[int, Idp]]:
    """The planned changes of ``idp`` and of every IdP its staff group moves to (as pure data), and those IdPs."""
    plans: dict[int, IdpPlan] = {}
    found: dict[int, Idp] = {}
    todo = [idp]
    while todo:
        current = todo.pop()
        if current.id in plans:
            continue
        found[current.id] = current
        changes = tuple(
            PlannedChange(c.kind, c.effective_on, _rank_of(c.notified_loa), c.target_idp_id) for c in current.changes
        )
        plans[current.id] = IdpPlan(current.id, _rank_of(current.notified_loa), changes)
        todo.extend(c.target_idp for c in current.changes if c.target_idp is not None)
    return plans, found


def _level_of(rank: int | None) -> str | None:
    """A group's rank as the level ``assess`` reads: None for no IdP (retired), ``ukendt`` when unknown."""
    if rank == NO_IDP:
        return None
    return LOA_OF_RANK.get(rank, Loa.UKENDT.value) if rank is not None else Loa.UKENDT.value


def _step(
    rank: int | None,
    earliest: date | None,
    state: str,
    source: str,
    today: date,
    latest: date | None = None,
    transition: int | None = None,
) -> RequirementStep | None:
    """One requirement step of a switch or ``loa`` transition: a cancelled one, or one without a day (a postponed
    one whose day has passed), adds none; a switched one binds from its day, since always when that is unknown
    or (against its state) still ahead."""
    if rank is None or state == SwitchState.CANCELLED:
        return None
    if state == SwitchState.SWITCHED:
        on = earliest if earliest is not None and earliest <= today else None
        return RequirementStep(on, rank, source, latest, transition)
    dated = earliest is not None and not (state == SwitchState.POSTPONED and earliest <= today)
    return RequirementStep(earliest, rank, source, latest, transition) if dated else None


def requirement_steps(chain: Chain, today: date) -> list[RequirementStep]:
    """What the solution and its brokers require on each day, as dated steps: each one's level from its switch's
    earliest day, then each ``loa`` transition's level from its earliest day (a later step of one solution
    replaces its earlier one). The NSIS login transition is the switch itself and is not counted twice.

    The one definition of a requirement over time: the lock-out periods and today's verdict (``judge``) both
    read it."""
    steps = []
    for facts in chain:
        own = _step(
            _rank_of(facts.loa_value),
            facts.switch_earliest_on,
            facts.switch_state,
            facts.slug,
            today,
            facts.switch_latest_on,
        )
        steps.append(own)
        for t in facts.transitions:
            if t.kind == "loa" and not t.nsis_login:
                steps.append(
                    _step(_rank_of(t.required_loa), t.earliest_on, t.state, facts.slug, today, t.latest_on, t.id)
                )
    return [s for s in steps if s is not None]


def to_act_on(chain: Chain, today: date) -> tuple[TransitionRef, ...]:
    """The transitions of a solution and its brokers that ask the municipality or its local IdP to act and are
    not done by ``today``, by act-by day (none last), then earliest day."""
    found = {t.id: t for facts in chain for t in facts.transitions if t.asks_municipality and not t.done(today)}
    return tuple(sorted(found.values(), key=lambda t: (t.act_by_on or date.max, t.earliest_on or date.max, t.id)))


def choices_on(entry_idps: Sequence[Idp], idps: Sequence[Idp], today: date) -> list[IdpChoice]:
    """``choose_idps`` as the staff groups stand on ``today``: a group that moved is a choice of the IdP it moved
    to (``moved``), a group that left has none; one choice per IdP."""
    out: dict[int | None, IdpChoice] = {}
    for choice in choose_idps(entry_idps, idps):
        idp = choice.idp
        if idp is None or not idp.changes:
            out.setdefault(idp.id if idp else None, choice)
            continue
        plans, found = plans_from(idp)
        state = group_state(plans, idp.id, today)
        if not state.present:
            continue
        if state.idp_id is None or state.idp_id == idp.id:
            out.setdefault(idp.id, choice)
        else:
            out.setdefault(state.idp_id, IdpChoice(found[state.idp_id], "moved"))
    return list(out.values())


@dataclass(frozen=True)
class ReadinessRow:
    """One line of a municipality's readiness: the solution, one IdP whose staff use it, the verdict, what to do."""

    solution: Solution
    idp: Idp | None
    idp_source: str | None
    assessment: Assessment
    requirement_from: SolutionFacts | None = None
    action: Action = Action(ActionCode.NONE)
    stale: bool = False
    # Over time: the runs of days the group is locked out, and the one under way or next from today.
    periods: tuple[Period, ...] = ()
    next_period: Period | None = None
    # The transitions of the solution and its brokers that ask M or its local IdP to act, by act-by day.
    to_act: tuple[TransitionRef, ...] = ()
    # The dated requirement step that drives the verdict (the switch or a ``loa`` transition of
    # ``requirement_from``); None when none does (``ok``, ``unknown``).
    requirement: RequirementStep | None = None

    @property
    def required_level(self) -> str | None:
        """The level the driving requirement asks for: its driving step's, else the driver's own."""
        if self.requirement is not None and self.requirement.rank in LOA_OF_RANK:
            return LOA_OF_RANK[self.requirement.rank]
        return self.requirement_from.loa_value if self.requirement_from is not None else None

    @property
    def binding_last(self) -> date | None:
        """The last day the binding requirement may take effect (its source's words), when it binds on
        ``binding_on``."""
        step = self.requirement
        if step is not None and step.on is not None and step.on == self.binding_on:
            return step.latest
        driver = self.requirement_from
        return driver.switch_latest_on if driver is not None and driver.switch_earliest_on == self.binding_on else None

    @property
    def group(self) -> str | None:
        """The staff group of the row: the IdP's user group, else its name."""
        return (self.idp.user_group or self.idp.name) if self.idp else None

    @property
    def key(self) -> tuple[int, int | None]:
        """What identifies the row within M: (solution, IdP)."""
        return (self.solution.id, self.idp.id if self.idp else None)

    @property
    def binding_on(self) -> date | None:
        """The day this row binds: the verdict's day when staff are (or will be) locked out — the day of the
        requirement that drives the row, a broker's when it binds earlier — else the solution's own switch."""
        if self.assessment.from_day is not None:
            return self.assessment.from_day
        return self.solution.switch_earliest_on

    @property
    def sort_key(self) -> tuple[int, int, str, str, str]:
        """Locked out first, then at risk by days left, then unknown, then ok; by name, then IdP, within each."""
        days = self.assessment.days_left if self.assessment.status is Status.AT_RISK else 0
        idp = self.idp.name.casefold() if self.idp else ""
        return (_URGENCY[self.assessment.status], days or 0, self.solution.name.casefold(), self.solution.slug, idp)


@dataclass(frozen=True)
class Readiness:
    """A municipality's readiness: rows sorted by urgency, and totals per status."""

    municipality: Municipality
    today: date
    rows: list[ReadinessRow]
    # The solutions of the portfolio (a group that has left has no rows, its entry stays), and each one's
    # requirement chain (its own facts and transitions, then its brokers').
    solution_ids: frozenset[int] = frozenset()
    chains: Mapping[int, Chain] = field(default_factory=dict, hash=False, compare=False)

    @property
    def totals(self) -> dict[str, int]:
        """How many rows per status and in all, how many solutions, and how many rows rest on a stale fact."""
        counts = {status.value: 0 for status in Status}
        for row in self.rows:
            counts[row.assessment.status.value] += 1
        counts["total"] = len(self.rows)
        counts["solutions"] = len({row.solution.id for row in self.rows})
        counts["stale"] = sum(1 for row in self.rows if row.stale)
        return counts

    @property
    def to_act(self) -> list[TransitionRef]:
        """Every transition in the portfolio that asks M or its local IdP to act, once, by act-by day."""
        found = {t.id: t for row in self.rows for t in row.to_act}
        return sorted(found.values(), key=lambda t: (t.act_by_on or date.max, t.earliest_on or date.max, t.id))


def binding_row(rows: Sequence[ReadinessRow]) -> ReadinessRow | None:
    """Of one solution's rows in a municipality, the one that binds first: the one home of the binding date
    that the page, the export, the feed and the calendar all show (its ``binding_on``)."""
    dated = [row for row in rows if row.binding_on is not None]
    return min(dated, key=lambda row: (row.binding_on, row.sort_key)) if dated else None


def _step_stale(chain: Chain, step: RequirementStep | None, today: date) -> bool:
    """Whether the step that decides the verdict comes from a ``loa`` transition that needs confirming."""
    if step is None or step.transition is None:
        return False
    return any(t.id == step.transition and t.stale(today) for facts in chain for t in facts.transitions)


def row_for(solution: Solution, chain: Chain, choice: IdpChoice, today: date) -> ReadinessRow:
    """One (solution, IdP) row from the solution's requirement chain, at the IdP's level on ``today``."""
    idp = choice.idp
    periods: list[Period] = []
    level = idp.notified_loa if idp else None
    if idp is not None:
        plans, _ = plans_from(idp)
        initial, steps = group_steps(plans, idp.id)
        if idp.changes:
            level = _level_of(group_state(plans, idp.id, today).rank)
        periods = lockout_periods(requirement_steps(chain, today), initial, steps)
    judged, driver = judge_chain(chain, level, today)
    verdict, step = judged.assessment, judged.step
    stale = chain[0].stale(today) or driver.stale(today) or _step_stale(chain, step, today)
    required = LOA_OF_RANK.get(step.rank) if step is not None and step.rank is not None else None
    return ReadinessRow(
        solution,
        idp,
        choice.source,
        verdict,
        driver,
        action_for(verdict, driver, idp, required),
        stale,
        tuple(periods),
        next_period(periods, today),
        to_act_on(chain, today),
        step,
    )


def rows_for(
    entries: Iterable[PortfolioEntry],
    idps: Sequence[Idp],
    today: date,
    requirement_chains: Mapping[int, Chain] | None = None,
) -> list[ReadinessRow]:
    """Readiness rows for portfolio entries of one municipality (no chains: each solution's own facts only)."""
    rows = []
    for entry in entries:
        chain = (requirement_chains or {}).get(entry.solution.id) or (SolutionFacts.of(entry.solution),)
        for choice in choices_on(entry.idps, idps, today):
            rows.append(row_for(entry.solution, chain, choice, today))
    return sorted(rows, key=lambda r: r.sort_key)


def municipality_readiness(
    session: Session,
    municipality: Municipality,
    *,
    today: date | None = None,
    solution_ids: Iterable[int] | None = None,
) -> Readiness:
    """M's readiness for every (solution, IdP) of its portfolio, most urgent first (a fixed number of queries).

    With ``solution_ids``, only those solutions' rows (each row is the same as in the whole readiness: a row
    depends on its own entry, chain and IdPs only) — what a page of M's actions needs to word its rows.
    """
    stmt = select(PortfolioEntry).where(PortfolioEntry.municipality_id == municipality.id)
    if solution_ids is not None:
        stmt = stmt.where(PortfolioEntry.solution_id.in_(sorted(set(solution_ids))))
    entries = session.scalars(
        stmt.options(
            joinedload(PortfolioEntry.solution).joinedload(Solution.service_provider),
            selectinload(PortfolioEntry.idps),
        )
    ).all()
    idps = session.scalars(select(Idp).where(Idp.municipality_id == municipality.id).order_by(Idp.id)).all()
    day = today or today_in_denmark()
    found = chains(session, [e.solution for e in entries])
    return Readiness(
        municipality, day, rows_for(entries, idps, day, found), frozenset(e.solution_id for e in entries), found
    )


def readiness_of(
    session: Session, municipality_ids: Iterable[int], *, today: date | None = None
) -> dict[int, Readiness]:
    """``municipality_readiness`` of several municipalities at once, by id: a fixed number of queries however
    many municipalities (their IdPs with planned changes, their portfolios, one set of requirement chains)."""
    ids = sorted(set(municipality_ids))
    if not ids:
        return {}
    day = today or today_in_denmark()
    municipalities = list(session.scalars(select(Municipality).where(Municipality.id.in_(ids))))
    idps: dict[int, list[Idp]] = {}
    for idp in session.scalars(
        select(Idp).where(Idp.municipality_id.in_(ids)).order_by(Idp.id).options(selectinload(Idp.changes))
    ):
        idps.setdefault(idp.municipality_id, []).append(idp)
    entries: dict[int, list[PortfolioEntry]] = {}
    for entry in session.scalars(
        select(PortfolioEntry)
        .where(PortfolioEntry.municipality_id.in_(ids))
        .options(
            joinedload(PortfolioEntry.solution).joinedload(Solution.service_provider),
            selectinload(PortfolioEntry.idps),
        )
    ):
        entries.setdefault(entry.municipality_id, []).append(entry)
    solutions = {e.solution.id: e.solution for found in entries.values() for e in found}
    requirement_chains = chains(session, solutions.values())
    return {
        m.id: Readiness(
            m,
            day,
            rows_for(entries.get(m.id, []), idps.get(m.id, []), day, requirement_chains),
            frozenset(e.solution_id for e in entries.get(m.id, [])),
            requirement_chains,
        )
        for m in municipalities
    }
