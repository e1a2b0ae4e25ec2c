"""KL's national view of actions: per transition that asks municipalities or local IdP operators to act, how
many municipalities are done, in progress, not started or not affected — counts only, never a municipality's
note, owner or even which municipality is where (those stay the municipality's own).

- not affected: the transition is outside the municipality's portfolio (neither a solution it uses nor a
  broker behind one), or the municipality closed it as not relevant;
- done: its action is ``done``; in progress: ``in_progress`` or ``blocked``;
- not started: ``new``, or no action yet (the registry's follow-up has not reached it yet).

A fixed number of queries however many municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.sync import ACTING, transition_key
from tracker.models import Action, Municipality, PortfolioEntry, Transition
from tracker.models.vocab import SwitchState
from tracker.municipalities.requirements import broker_edges, reachable


@dataclass(frozen=True)
class TransitionProgress:
    """One transition's counts over all municipalities."""

    transition: Transition
    done: int
    in_progress: int
    not_started: int
    not_affected: int

    @property
    def affected(self) -> int:
        """The municipalities the transition asks to act."""
        return self.done + self.in_progress + self.not_started


def national_progress(session: Session) -> list[TransitionProgress]:
    """Every open transition that asks municipalities or local IdP operators to act, by act-by day."""
    transitions = [
        t
        for t in session.scalars(
            select(Transition).where(Transition.nsis_login.is_(False), Transition.state != SwitchState.CANCELLED.value)
        )
        if ACTING & set(t.who_must_act or ())
    ]
    municipalities = list(session.scalars(select(Municipality.id)))
    used: dict[int, set[int]] = {m: set() for m in municipalities}
    for municipality_id, solution_id in session.execute(
        select(PortfolioEntry.municipality_id, PortfolioEntry.solution_id)
    ):
        used.setdefault(municipality_id, set()).add(solution_id)
    edges = broker_edges(session)
    reach_cache: dict[int, set[int]] = {}

    def reach(solution_id: int) -> set[int]:
        if solution_id not in reach_cache:
            reach_cache[solution_id] = {solution_id} | reachable(edges, solution_id)
        return reach_cache[solution_id]

    scope = {m: set().union(*(reach(s) for s in sols)) if sols else set() for m, sols in used.items()}
    statuses = {
        (municipality_id, key): status
        for municipality_id, key, status in session.execute(
            select(Action.municipality_id, Action.subject_key, Action.status).where(Action.subject_kind == "transition")
        )
    }
    result = []
    for t in sorted(transitions, key=lambda t: (t.act_by_on is None, t.act_by_on, t.id)):
        counts = {"done": 0, "in_progress": 0, "not_started": 0, "not_affected": 0}
        key = transition_key(t.id)
        for municipality_id in municipalities:
            if t.solution_id not in scope.get(municipality_id, set()):
                counts["not_affected"] += 1
                continue
            status = statuses.get((municipality_id, key), "new")
            if status == "done":
                counts["done"] += 1
            elif status in ("in_progress", "blocked"):
                counts["in_progress"] += 1
            elif status == "not_relevant":
                counts["not_affected"] += 1
            else:
                counts["not_started"] += 1
        result.append(TransitionProgress(t, **counts))
    return result
