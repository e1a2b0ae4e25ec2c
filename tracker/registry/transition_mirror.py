"""A solution's NSIS login transition, kept equal to its ``switch_*``/``loa_*`` columns.

``registry.services`` calls ``sync_nsis_login`` after every create or change of a solution's facts; the solution
columns stay canonical (``switch_date``/``required_loa`` everywhere), the transition is their view among the
other transitions. The mirror is created once the solution has an NSIS login fact and is never deleted (its
history stays readable); it announces nothing itself: ``solution.switch_date.changed`` and
``solution.required_loa.changed`` are its events.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.clock import utcnow
from tracker.models import Solution, Transition
from tracker.models.vocab import Loa, TransitionCategory, TransitionKind, WhoMustAct
from tracker.registry.transitions import NSIS_MIRROR, NSIS_TITLE, NSIS_WHAT, derived_act_by, lead_times


def has_nsis_fact(solution: Solution) -> bool:
    """Whether the solution says anything about its NSIS login switch (a day, a level, a state, a confidence)."""
    return (
        solution.switch_earliest_on is not None
        or solution.switch_latest_on is not None
        or solution.loa_value != Loa.UKENDT
        or solution.switch_state != "unknown"
        or solution.switch_status != "unknown"
        or solution.loa_status != "unknown"
    )


def nsis_kind(solution: Solution) -> str:
    """``loa`` when the solution's level is known, else ``login``."""
    return TransitionKind.LOA.value if solution.loa_value != Loa.UKENDT else TransitionKind.LOGIN.value


def mirrored_values(solution: Solution, lead: dict[str, int], current: Transition | None) -> dict[str, Any]:
    """The mirror's fields as the solution's columns say them (act-by derived unless a coordinator stated it)."""
    values: dict[str, Any] = {field: getattr(solution, column) for field, column in NSIS_MIRROR.items()}
    values["kind"] = nsis_kind(solution)
    if current is None or current.act_by_derived or current.act_by_on is None:
        values["act_by_on"] = derived_act_by(solution.switch_earliest_on, lead[values["kind"]])
        values["act_by_derived"] = values["act_by_on"] is not None
    return values


def sync_nsis_login(session: Session, solution: Solution) -> Transition | None:
    """Create or update the solution's NSIS login transition from its columns; returns it (None: no fact yet)."""
    mirror = session.scalar(
        select(Transition).where(Transition.solution_id == solution.id, Transition.nsis_login.is_(True))
    )
    if mirror is None and not has_nsis_fact(solution):
        return None
    values = mirrored_values(solution, lead_times(session), mirror)
    now = utcnow()
    if mirror is None:
        mirror = Transition(
            solution_id=solution.id,
            title=NSIS_TITLE,
            category=TransitionCategory.PLAN_FOR_CHANGE.value,
            major=True,
            who_must_act=[WhoMustAct.MUNICIPALITIES.value, WhoMustAct.LOCAL_IDP_OPERATORS.value],
            what_to_do=NSIS_WHAT,
            nsis_login=True,
            version=1,
            created_at=now,
            updated_at=now,
            **values,
        )
        session.add(mirror)
        session.flush()
        return mirror
    changed = {k: v for k, v in values.items() if getattr(mirror, k) != v}
    if changed:
        for field, value in changed.items():
            setattr(mirror, field, value)
        mirror.version += 1
        mirror.updated_at = now
        session.flush()
    return mirror
