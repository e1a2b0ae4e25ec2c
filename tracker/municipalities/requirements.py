"""What a solution demands of an IdP: its own requirement and those of the brokers staff reach it through.

A solution lists brokers (solutions of kind ``broker``: NemLog-in, Context Handler, Unilogin Broker …); a broker
may itself sit behind another broker, so the requirements of a solution are its own facts followed by those of
every broker it reaches (the transitive closure of the registry's broker graph, ``registry.brokers``, which
refuses cycles). Loading them costs two queries
however many solutions are asked for: all broker links, then the brokers reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tracker.models import Solution
from tracker.models.vocab import SwitchState
from tracker.registry.brokers import broker_edges, reachable


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


def chains(
    session: Session, solutions: Iterable[Solution], *, edges: Mapping[int, Iterable[int]] | None = None
) -> dict[int, Chain]:
    """Each solution's requirement chain, by solution id (two queries at most)."""
    solutions = list(solutions)
    links = broker_edges(session) if edges is None else edges
    reach = {s.id: reachable(links, s.id) - {s.id} for s in solutions}
    wanted = set().union(*reach.values()) if reach else set()
    brokers: dict[int, SolutionFacts] = {}
    if wanted:
        for broker in session.scalars(
            select(Solution).where(Solution.id.in_(wanted)).options(joinedload(Solution.service_provider))
        ):
            brokers[broker.id] = SolutionFacts.of(broker)
    return {
        s.id: (SolutionFacts.of(s), *sorted((brokers[b] for b in reach[s.id] if b in brokers), key=lambda f: f.slug))
        for s in solutions
    }


def chain_with(chain: Chain, own: SolutionFacts) -> Chain:
    """The chain with the solution's own facts replaced (what-if: an edit not yet saved)."""
    return (own, *chain[1:])
