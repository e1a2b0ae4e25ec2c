"""What a solution demands of an IdP: its own requirement and those of the brokers staff reach it through.

A solution lists brokers (solutions of kind ``broker``: NemLog-in, Context Handler, Unilogin Broker …); a broker
may itself sit behind another broker, so the requirements of a solution are its own facts followed by those of
every broker it reaches (the transitive closure of the registry's broker graph, ``registry.brokers``, which
refuses cycles). Loading them costs two queries
however many solutions are asked for: all broker links, then the brokers reached. ``chains`` also attaches each
one's transitions (``TransitionRef``; one more query): ``loa`` transitions are requirement steps of readiness over
time, and those that ask the municipality or its local IdP to act are listed with their act-by day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, String, cast, or_, select
from sqlalchemy.orm import Session, joinedload

from tracker.models import Solution, Transition
from tracker.models.vocab import SwitchState, WhoMustAct
from tracker.registry.brokers import broker_edges, reachable

# Who must act, when a transition concerns the municipality itself (its IT staff or its local IdP's operator).
MUNICIPAL_ACTORS = frozenset({WhoMustAct.MUNICIPALITIES.value, WhoMustAct.LOCAL_IDP_OPERATORS.value})


@dataclass(frozen=True)
class TransitionRef:
    """What readiness needs of one transition of a solution (or broker): when, which level, who acts by when."""

    id: int
    solution_slug: str
    solution_name: str
    kind: str
    title: str
    earliest_on: date | None
    latest_on: date | None
    state: str
    required_loa: str | None
    act_by_on: date | None
    act_by_derived: bool
    who_must_act: tuple[str, ...]
    what_to_do: str | None
    category: str
    major: bool
    nsis_login: bool
    version: int = 1
    updated_at: datetime | None = None
    solution_id: int = 0

    @classmethod
    def of(cls, transition: Transition | Row[*tuple[Any, ...]], solution: Solution) -> TransitionRef:
        """A copy of the transition's facts (from the model, or a row of its columns)."""
        return cls(
            id=transition.id,
            solution_slug=solution.slug,
            solution_name=solution.name,
            kind=transition.kind,
            title=transition.title,
            earliest_on=transition.earliest_on,
            latest_on=transition.latest_on,
            state=transition.state,
            required_loa=transition.required_loa,
            act_by_on=transition.act_by_on,
            act_by_derived=bool(transition.act_by_derived),
            who_must_act=tuple(transition.who_must_act or ()),
            what_to_do=transition.what_to_do,
            category=transition.category,
            major=bool(transition.major),
            nsis_login=bool(transition.nsis_login),
            version=transition.version or 1,
            updated_at=transition.updated_at,
            solution_id=transition.solution_id,
        )

    @property
    def asks_municipality(self) -> bool:
        """Whether the municipality or its local IdP's operator must act."""
        return bool(MUNICIPAL_ACTORS.intersection(self.who_must_act))

    def stale(self, today: date) -> bool:
        """A ``planned`` transition whose latest possible day has passed: the fact needs confirming."""
        last = self.latest_on or self.earliest_on
        return self.state == SwitchState.PLANNED.value and last is not None and last < today

    def done(self, today: date) -> bool:
        """Switched, cancelled, or its latest possible day has passed (as ``registry.transitions.is_done``)."""
        if self.state in (SwitchState.SWITCHED.value, SwitchState.CANCELLED.value):
            return True
        last = self.latest_on or self.earliest_on
        return last is not None and last < today


@dataclass(frozen=True)
class SolutionFacts:
    """The facts of one solution (or broker) that readiness depends on, and what names it."""

    loa_value: str
    switch_earliest_on: date | None
    switch_state: str
    slug: str = ""
    name: str = ""
    loa_status: str = "unknown"
    switch_status: str = "unknown"
    switch_latest_on: date | None = None
    provider: str | None = None
    # Its transitions (filled by ``chains``; ``of`` alone leaves them out), by earliest day.
    transitions: tuple[TransitionRef, ...] = ()

    @classmethod
    def of(cls, solution: Solution) -> SolutionFacts:
        """The solution's facts as they are now (a copy: later edits do not change it)."""
        provider = (
            solution.service_provider.name if solution.service_provider_id and solution.service_provider else None
        )
        return cls(
            loa_value=solution.loa_value,
            switch_earliest_on=solution.switch_earliest_on,
            switch_state=solution.switch_state,
            slug=solution.slug,
            name=solution.name,
            loa_status=solution.loa_status,
            switch_status=solution.switch_status,
            switch_latest_on=solution.switch_latest_on,
            provider=provider,
        )

    def stale(self, today: date) -> bool:
        """A ``planned`` switch whose latest possible day has passed: the fact needs confirming."""
        last = self.switch_latest_on or self.switch_earliest_on
        return self.switch_state == SwitchState.PLANNED.value and last is not None and last < today


# A solution's requirements: its own facts first, then its brokers' (by slug).
Chain = tuple[SolutionFacts, ...]


def transition_refs(session: Session, solutions: Mapping[int, Solution]) -> dict[int, list[TransitionRef]]:
    """The transitions readiness reads, per solution id, in one statement of plain columns (no ORM objects):
    ``loa`` transitions (requirement steps) and those whose ``who_must_act`` names the municipality or its local
    IdP's operators (the list to act on), by earliest day (unknown last)."""
    if not solutions:
        return {}
    who = cast(Transition.who_must_act, String)
    columns = (
        Transition.id,
        Transition.solution_id,
        Transition.kind,
        Transition.title,
        Transition.earliest_on,
        Transition.latest_on,
        Transition.state,
        Transition.required_loa,
        Transition.act_by_on,
        Transition.act_by_derived,
        Transition.who_must_act,
        Transition.what_to_do,
        Transition.category,
        Transition.major,
        Transition.nsis_login,
        Transition.version,
        Transition.updated_at,
    )
    stmt = (
        select(*columns)
        .where(
            Transition.solution_id.in_(list(solutions)),
            or_(Transition.kind == "loa", *(who.like(f'%"{actor}"%') for actor in sorted(MUNICIPAL_ACTORS))),
        )
        .order_by(Transition.earliest_on.asc().nulls_last(), Transition.id)
    )
    found: dict[int, list[TransitionRef]] = {}
    for row in session.execute(stmt):
        solution = solutions[row.solution_id]
        found.setdefault(row.solution_id, []).append(TransitionRef.of(row, solution))
    return found


def chains(
    session: Session,
    solutions: Iterable[Solution],
    *,
    edges: Mapping[int, Iterable[int]] | None = None,
) -> dict[int, Chain]:
    """Each solution's requirement chain, by solution id (two queries at most, a third for the transitions,
    which today's verdicts read as much as the lock-out periods do)."""
    solutions = list(solutions)
    links = broker_edges(session) if edges is None else edges
    reach = {s.id: reachable(links, s.id) - {s.id} for s in solutions}
    wanted = set().union(*reach.values()) if reach else set()
    everyone: dict[int, Solution] = {s.id: s for s in solutions}
    if wanted:
        for broker in session.scalars(
            select(Solution).where(Solution.id.in_(wanted)).options(joinedload(Solution.service_provider))
        ):
            everyone[broker.id] = broker
    found = transition_refs(session, everyone)
    facts = {
        i: replace(SolutionFacts.of(solution), transitions=tuple(found.get(i, ()))) for i, solution in everyone.items()
    }
    return {
        s.id: (
            facts[s.id],
            *sorted((facts[b] for b in reach[s.id] if b in wanted and b in facts), key=lambda f: f.slug),
        )
        for s in solutions
    }


def chain_with(chain: Chain, own: SolutionFacts) -> Chain:
    """The chain with the solution's own facts replaced (what-if: an edit not yet saved)."""
    return (own, *chain[1:])
