"""Lock-out periods: the days on which a staff group's IdP is notified below what a solution requires. Pure.

Both sides are dated steps. A solution's requirement is a list of ``RequirementStep`` per source (the solution,
each broker it is reached through, later each ``loa`` transition): a source requires its latest step's level
from that step's day, and the day's requirement is the strictest of the sources. A staff group's side is where
it stands on each day (``GroupState``): the rank its IdP is notified at (``None``: unknown), no IdP at all
(``rank`` 0: retired, nothing to log in with), or gone (it left the municipality: no rows, no lock-out).

``lockout_periods`` turns both into the maximal runs of days where the group is present, both levels are known
and the requirement is above the group's level. Every input date is a breakpoint; nothing looks at the clock.
``IdpPlan`` / ``group_state`` / ``group_steps`` derive a group's states from an IdP's planned changes (a new
level from a date, retired from a date, the group moving to another IdP or leaving from a date).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

# The day before every day the registry accepts (1900–2100): "since before any known day".
DAWN = date.min
NO_IDP = 0  # the rank of "no IdP": below every NSIS level (LOA_RANK starts at 2)


@dataclass(frozen=True)
class RequirementStep:
    """From ``on`` (None: always), ``source`` requires ``rank`` (None: nothing known; its earlier step ends).

    ``latest``: the last day the step may take effect (the source's own words); ``transition``: the ``loa``
    transition it comes from (None: the source's own switch).
    """

    on: date | None
    rank: int | None
    source: str = ""
    latest: date | None = None
    transition: int | None = None


@dataclass(frozen=True)
class GroupState:
    """Where a staff group stands on a day: its IdP's rank (None unknown, 0 no IdP), and whether it is still here."""

    rank: int | None
    present: bool = True
    idp_id: int | None = None


@dataclass(frozen=True)
class GroupStep:
    """From ``on``, the group is in ``state``."""

    on: date
    state: GroupState


@dataclass(frozen=True)
class Period:
    """A run of days ``[start, end)`` of lock-out (start None: since before any known day; end None: open-ended).

    ``required``/``have``/``source``: the requirement, the group's rank and who requires it on the first day.
    """

    start: date | None
    end: date | None
    required: int
    have: int
    source: str

    def contains(self, day: date) -> bool:
        """Whether ``day`` lies in the period."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


def required_on(steps: Iterable[RequirementStep], day: date) -> tuple[int | None, str]:
    """The strictest requirement in force on ``day`` and its source (None, "" when none is known)."""
    latest: dict[str, RequirementStep] = {}
    for step in steps:
        on = step.on or DAWN
        if on <= day:
            have = latest.get(step.source)
            if have is None or (have.on or DAWN) <= on:
                latest[step.source] = step
    best: tuple[int | None, str] = (None, "")
    for source in sorted(latest):
        rank = latest[source].rank
        if rank is not None and (best[0] is None or rank > best[0]):
            best = (rank, source)
    return best


def state_on(initial: GroupState, steps: Sequence[GroupStep], day: date) -> GroupState:
    """The group's state on ``day``: the latest step on or before it, else ``initial``."""
    current = initial
    for step in sorted(steps, key=lambda s: s.on):
        if step.on <= day:
            current = step.state
    return current


def locked(required: int | None, state: GroupState) -> bool:
    """Whether a group in ``state`` is locked out by a requirement of ``required``."""
    return state.present and required is not None and state.rank is not None and required > state.rank


def lockout_periods(
    requirements: Sequence[RequirementStep], initial: GroupState, steps: Sequence[GroupStep]
) -> list[Period]:
    """The maximal runs of days on which the group is locked out, in order."""
    boundaries = sorted({DAWN, *(s.on for s in requirements if s.on), *(s.on for s in steps)})
    periods: list[Period] = []
    open_start: date | None = None
    first: tuple[int, int, str] | None = None
    for day in boundaries:
        required, source = required_on(requirements, day)
        state = state_on(initial, steps, day)
        if locked(required, state):
            if first is None:
                assert required is not None and state.rank is not None
                open_start, first = day, (required, state.rank, source)
        elif first is not None:
            periods.append(Period(None if open_start == DAWN else open_start, day, *first))
            first = None
    if first is not None:
        periods.append(Period(None if open_start == DAWN else open_start, None, *first))
    return periods


def next_period(periods: Sequence[Period], today: date) -> Period | None:
    """The period under way on ``today``, else the first one after it (None: no lock-out ahead)."""
    return next((p for p in periods if p.end is None or p.end > today), None)


# --- A staff group's states from its IdP's planned changes -------------------------------------------------


@dataclass(frozen=True)
class PlannedChange:
    """One planned change (``tracker.models.IdpChangeKind``): kind, day, new rank or target IdP."""

    kind: str
    on: date
    rank: int | None = None
    target: int | None = None


@dataclass(frozen=True)
class IdpPlan:
    """An IdP's rank as notified now (None unknown) and its planned changes."""

    id: int
    rank: int | None
    changes: tuple[PlannedChange, ...] = ()


def group_state(
    plans: Mapping[int, IdpPlan], idp_id: int, day: date, _seen: frozenset[int] = frozenset()
) -> GroupState:
    """Where the staff group of IdP ``idp_id`` stands on ``day``, following its moves to other IdPs.

    On one day a leave beats a move, which beats the IdP's own retirement or level change (a group that moves as
    its IdP closes logs in through the new one). A move into a loop or to an unknown IdP is an unknown level.
    """
    plan = plans.get(idp_id)
    if plan is None or idp_id in _seen:
        return GroupState(None, True, None)
    exits = sorted((c for c in plan.changes if c.kind in ("leave", "move") and c.on <= day), key=_exit_order)
    if exits:
        first = exits[0]
        if first.kind == "leave":
            return GroupState(None, False, None)
        assert first.target is not None
        return group_state(plans, first.target, day, _seen | {idp_id})
    if any(c.kind == "retire" and c.on <= day for c in plan.changes):
        return GroupState(NO_IDP, True, None)
    levels = [c for c in plan.changes if c.kind == "loa" and c.on <= day]
    rank = max(levels, key=lambda c: c.on).rank if levels else plan.rank
    return GroupState(rank, True, idp_id)


def _exit_order(change: PlannedChange) -> tuple[date, int]:
    return (change.on, 0 if change.kind == "leave" else 1)


def _reachable_days(plans: Mapping[int, IdpPlan], idp_id: int) -> set[date]:
    days: set[date] = set()
    seen: set[int] = set()
    todo = [idp_id]
    while todo:
        current = todo.pop()
        if current in seen or current not in plans:
            continue
        seen.add(current)
        for change in plans[current].changes:
            days.add(change.on)
            if change.target is not None:
                todo.append(change.target)
    return days


def group_steps(plans: Mapping[int, IdpPlan], idp_id: int) -> tuple[GroupState, list[GroupStep]]:
    """The group's state before any planned change, and a step on each day its state may change."""
    initial = group_state(plans, idp_id, DAWN)
    steps = [GroupStep(day, group_state(plans, idp_id, day)) for day in sorted(_reachable_days(plans, idp_id))]
    return initial, steps
