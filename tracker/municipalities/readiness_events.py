"""``municipality.readiness.changed``: what changed in one municipality's readiness, as one event per change.

One (solution, IdP) row whose verdict really changed is one event about that solution. A change that moves
several rows of a municipality at once (an import, an IdP or a broker change) is one event for that
municipality carrying every row (``data.rows``, ``data.count``; see ``BULK_SHAPE``), not one event per row: a
100-row import is one webhook delivery and one line-per-row mail, not a hundred of each. Municipalities'
readiness is private to each, so a broker change reaching several municipalities is one event per municipality.

Every write that can move a verdict takes a snapshot first and emits after, in the same transaction: the
municipality's IdP and portfolio writes (``snapshot_municipality``) and registry changes of a solution, which
also reach the solutions that list it as a broker (``watch_solution``). Both cost a fixed number of
queries however many municipalities or rows they cover.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from tracker.clock import today_in_denmark
from tracker.models import ChangeEvent, Idp, Municipality, PortfolioEntry, Solution
from tracker.municipalities import requirements
from tracker.municipalities.actions import action_dict
from tracker.municipalities.readiness import (
    FRESH_READINESS,
    ReadinessRow,
    choices_on,
    municipality_readiness,
    requirement_steps,
    row_for,
)
from tracker.registry.actors import Actor
from tracker.registry.brokers import broker_edges, dependants
from tracker.registry.events import append_events

EVENT_TYPE = "municipality.readiness.changed"
RowKey = tuple[int, int, int | None]  # (municipality, solution, IdP)


def row_json(row: ReadinessRow | None) -> dict[str, Any] | None:
    """The before/after shape of a readiness event (the verdict)."""
    return None if row is None else row.assessment.as_json()


def _compared(row: ReadinessRow | None) -> Any:
    """What counts as a real change: the verdict, or the requirement that drives it."""
    if row is None:
        return None
    return (row.assessment.as_json(), row.requirement_from.slug if row.requirement_from else None)


BULK_SHAPE = (
    "Several rows of one municipality changed together: `solution` is null, `changes` is empty, and "
    "`rows` lists each changed (solution, IdP) row as {solution, idp, message, requirement_from, action, stale, "
    "changes: {readiness: {before, after}}}; `count` is the number of rows."
)


def lockout_json(row: ReadinessRow | None) -> dict[str, Any] | None:
    """The row's lock-out period under way or next (``from``; ``until`` the first day let in again), or None."""
    period = row.next_period if row is not None else None
    if period is None:
        return None
    return {
        "from": period.start.isoformat() if period.start else None,
        "until": period.end.isoformat() if period.end else None,
    }


def _compared_over_time(row: ReadinessRow | None) -> Any:
    """The verdict and the next lock-out period: what a planned IdP or staff-group change can move."""
    return (_compared(row), lockout_json(row))


def _row_data(before: ReadinessRow | None, after: ReadinessRow | None) -> dict[str, Any]:
    """One changed row: what a single-row event says in ``data`` (its ``changes`` beside it)."""
    row = after or before
    assert row is not None
    idp = {"id": row.idp.id, "name": row.idp.name, "user_group": row.idp.user_group} if row.idp else None
    driver = row.requirement_from
    return {
        "message": after.assessment.message if after else "Løsningen er fjernet fra kommunens portefølje.",
        "idp": idp,
        "requirement_from": {"slug": driver.slug, "name": driver.name} if driver else None,
        "action": action_dict(after.action) if after else None,
        "stale": after.stale if after else False,
        "next_lockout": lockout_json(after),
    }


def _event_fields(
    municipality: Municipality,
    changed: list[tuple[ReadinessRow | None, ReadinessRow | None]],
    *,
    actor: Actor,
    reason: str | None,
    over_time: bool = False,
) -> dict[str, Any]:
    """The keywords of one municipality's readiness event (``append_events``)."""

    def changes(before: ReadinessRow | None, after: ReadinessRow | None) -> dict[str, Any]:
        out = {"readiness": {"before": row_json(before), "after": row_json(after)}}
        if over_time and lockout_json(before) != lockout_json(after):
            out["next_lockout"] = {"before": lockout_json(before), "after": lockout_json(after)}
        return out

    if len(changed) == 1:
        before, after = changed[0]
        row = after or before
        assert row is not None
        return {
            "type": EVENT_TYPE,
            "actor": actor,
            "municipality": municipality,
            "solution": row.solution,
            "changes": changes(before, after),
            "data": _row_data(before, after),
            "reason": reason,
        }
    rows = []
    for before, after in changed:
        row = after or before
        assert row is not None
        rows.append(
            {
                "solution": {"slug": row.solution.slug, "name": row.solution.name},
                **_row_data(before, after),
                "changes": changes(before, after),
            }
        )
    return {
        "type": EVENT_TYPE,
        "actor": actor,
        "municipality": municipality,
        "changes": {},
        "data": {"rows": rows, "count": len(rows)},
        "reason": reason,
    }


def _emit_all(
    session: Session,
    municipalities: dict[int, Municipality],
    before: dict[RowKey, ReadinessRow],
    after: dict[RowKey, ReadinessRow],
    *,
    actor: Actor,
    reason: str | None,
    over_time: bool = False,
) -> list[ChangeEvent]:
    """One event per municipality with changed rows (a single row keeps the single-row shape), appended together
    (one insert, one ``change_events_appended``). ``over_time``:
    a row whose next lock-out period moved counts as changed too (planned IdP and staff-group changes)."""
    compared = _compared_over_time if over_time else _compared
    changed: dict[int, list[tuple[ReadinessRow | None, ReadinessRow | None]]] = {}
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[0], k[1], k[2] or 0)):
        old, new = before.get(key), after.get(key)
        if compared(old) != compared(new):
            changed.setdefault(key[0], []).append((old, new))
    return append_events(
        session,
        [
            _event_fields(municipalities[mid], rows, actor=actor, reason=reason, over_time=over_time)
            for mid, rows in sorted(changed.items())
        ],
    )


def expand(event: ChangeEvent) -> list[ChangeEvent]:
    """A bulk readiness event as single-row events (unsaved, same id and time), for words per row; any other
    event as itself."""
    rows = (event.data or {}).get("rows") if event.type == EVENT_TYPE else None
    if not rows:
        return [event]
    municipality = (event.data or {}).get("municipality")
    return [
        ChangeEvent(
            id=event.id,
            type=event.type,
            municipality_id=event.municipality_id,
            changes=row.get("changes") or {},
            data={k: v for k, v in row.items() if k != "changes"} | {"municipality": municipality},
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            source_kind=event.source_kind,
            source_url=event.source_url,
            reason=event.reason,
            occurred_at=event.occurred_at,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class MunicipalitySnapshot:
    """M's rows before a change to its IdPs or portfolio."""

    municipality: Municipality
    today: date
    rows: dict[RowKey, ReadinessRow]


def _rows(session: Session, municipality: Municipality, today: date | None) -> tuple[date, dict[RowKey, ReadinessRow]]:
    result = municipality_readiness(session, municipality, today=today)
    return result.today, {(municipality.id, *row.key): row for row in result.rows}


def snapshot_municipality(
    session: Session, municipality: Municipality, *, today: date | None = None
) -> MunicipalitySnapshot:
    """Take M's rows now, to compare with after the change (``emit_municipality_changes``)."""
    day, rows = _rows(session, municipality, today)
    return MunicipalitySnapshot(municipality, day, rows)


def emit_municipality_changes(
    session: Session,
    snapshot: MunicipalitySnapshot,
    *,
    actor: Actor,
    reason: str | None = None,
    over_time: bool = False,
) -> list[ChangeEvent]:
    """One event per (solution, IdP) row of M whose verdict changed (added and removed rows included); with
    ``over_time`` also each row whose next lock-out period moved."""
    session.flush()
    result = municipality_readiness(session, snapshot.municipality, today=snapshot.today)
    now = {(snapshot.municipality.id, *row.key): row for row in result.rows}
    municipality = {snapshot.municipality.id: snapshot.municipality}
    session.info[FRESH_READINESS] = {snapshot.municipality.id: result}  # what the event's receivers may reuse
    try:
        return _emit_all(session, municipality, snapshot.rows, now, actor=actor, reason=reason, over_time=over_time)
    finally:
        session.info.pop(FRESH_READINESS, None)


def affected_entries(
    session: Session, solution_ids: frozenset[int]
) -> tuple[list[PortfolioEntry], dict[int, list[Idp]]]:
    """Every portfolio entry of the given solutions, and the IdPs of their municipalities (three queries)."""
    entries = list(
        session.scalars(
            select(PortfolioEntry)
            .where(PortfolioEntry.solution_id.in_(solution_ids))
            .options(
                joinedload(PortfolioEntry.solution).joinedload(Solution.service_provider),
                joinedload(PortfolioEntry.municipality),
                selectinload(PortfolioEntry.idps),
            )
        )
    )
    idps: dict[int, list[Idp]] = {}
    if entries:
        municipality_ids = {e.municipality_id for e in entries}
        for idp in session.scalars(select(Idp).where(Idp.municipality_id.in_(municipality_ids)).order_by(Idp.id)):
            idps.setdefault(idp.municipality_id, []).append(idp)
    return entries, idps


def rows_with(
    session: Session,
    entries: list[PortfolioEntry],
    idps: dict[int, list[Idp]],
    edges: dict[int, list[int]],
    own: requirements.SolutionFacts,
    today: date,
    *,
    own_transitions: tuple[requirements.TransitionRef, ...] | None = None,
) -> dict[RowKey, ReadinessRow]:
    """The entries' rows with the broker links ``edges`` and the changed solution's facts ``own`` (what-if too).

    Every solution's and broker's transitions are read (the verdicts read the ``loa`` ones); the changed
    solution keeps the transitions stored unless ``own_transitions`` says what they were or become."""
    solutions = {e.solution.id: e.solution for e in entries}.values()
    chains = requirements.chains(session, solutions, edges=edges)

    def changed(stored: requirements.SolutionFacts) -> requirements.SolutionFacts:
        return replace(own, transitions=stored.transitions if own_transitions is None else own_transitions)

    rows: dict[RowKey, ReadinessRow] = {}
    for entry in entries:
        chain = tuple(changed(f) if f.slug == own.slug else f for f in chains[entry.solution.id])
        for choice in choices_on(entry.idps, idps.get(entry.municipality_id, []), today):
            row = row_for(entry.solution, chain, choice, today)
            rows[(entry.municipality_id, *row.key)] = row
    return rows


def _own_transitions(session: Session, solution: Solution) -> tuple[requirements.TransitionRef, ...]:
    """The solution's transitions as readiness reads them (one query)."""
    return tuple(requirements.transition_refs(session, {solution.id: solution}).get(solution.id, ()))


def watch_solution(
    solution: Solution, *, session: Session, transitions: bool = False, **_: Any
) -> Callable[[Actor, str | None], list[ChangeEvent]]:
    """The receiver of ``signals.solution_changing``: remember, then emit per changed row.

    Before the change only the solution's own facts and broker links are remembered (no query). After it,
    nothing is read unless one of them changed; then the rows of the solution and of every solution behind it
    (as a broker, before or after) are computed with the old and the new facts — a fixed number of queries
    however many municipalities use them.

    ``transitions``: the change is to one of the solution's transitions (``registry.transition_writes``). Its
    transitions are remembered too (one query), and when its requirement steps (``loa`` transitions) moved, the
    rows are compared over time: a row counts as changed when its verdict or its next lock-out period moved.
    """
    before_facts = requirements.SolutionFacts.of(solution)
    before_brokers = sorted(b.id for b in solution.broker_solutions)
    before_own = _own_transitions(session, solution) if transitions else ()
    today = today_in_denmark()

    def after(actor: Actor, reason: str | None) -> list[ChangeEvent]:
        after_facts = requirements.SolutionFacts.of(solution)
        after_brokers = sorted(b.id for b in solution.broker_solutions)
        after_own = _own_transitions(session, solution) if transitions else ()
        old_facts = replace(before_facts, transitions=before_own)
        new_facts = replace(after_facts, transitions=after_own)
        steps_moved = transitions and requirement_steps((old_facts,), today) != requirement_steps((new_facts,), today)
        if after_facts == before_facts and after_brokers == before_brokers and not steps_moved:
            return []
        session.flush()
        edges_after = broker_edges(session)
        edges_before = {**edges_after, solution.id: before_brokers}
        solution_ids = frozenset(
            {
                solution.id,
                *dependants(edges_after, solution.id),
                *dependants(edges_before, solution.id),
            }
        )
        entries, idps = affected_entries(session, solution_ids)
        if not entries:
            return []
        old_own, new_own = (before_own, after_own) if transitions else (None, None)
        old = rows_with(session, entries, idps, edges_before, old_facts, today, own_transitions=old_own)
        new = rows_with(session, entries, idps, edges_after, new_facts, today, own_transitions=new_own)
        municipalities = {e.municipality_id: e.municipality for e in entries}
        return _emit_all(session, municipalities, old, new, actor=actor, reason=reason, over_time=transitions)

    return after
