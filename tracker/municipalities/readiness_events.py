"""``municipality.readiness.changed``: one event per (solution, IdP) row whose verdict really changed.

Every write that can move a verdict takes a snapshot first and emits after, in the same transaction: the
municipality's IdP and portfolio writes (``snapshot_municipality``) and registry changes of a solution, which
also reach the solutions that list it as a broker (``snapshot_for_solution``). Both cost a fixed number of
queries however many municipalities or rows they cover.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from tracker.models import ChangeEvent, Idp, Municipality, PortfolioEntry, Solution
from tracker.municipalities import requirements
from tracker.municipalities.actions import action_dict
from tracker.municipalities.readiness import (
    ReadinessRow,
    choose_idps,
    municipality_readiness,
    row_for,
    today_in_denmark,
)
from tracker.registry.actors import Actor
from tracker.registry.events import append_event

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


def _emit(
    session: Session,
    municipality: Municipality,
    before: ReadinessRow | None,
    after: ReadinessRow | None,
    *,
    actor: Actor,
    reason: str | None,
) -> ChangeEvent:
    row = after or before
    assert row is not None
    idp = {"id": row.idp.id, "name": row.idp.name, "user_group": row.idp.user_group} if row.idp else None
    message = after.assessment.message if after else "Løsningen er fjernet fra kommunens portefølje."
    driver = row.requirement_from
    requirement = {"slug": driver.slug, "name": driver.name} if driver else None
    return append_event(
        session,
        type=EVENT_TYPE,
        actor=actor,
        municipality=municipality,
        solution=row.solution,
        changes={"readiness": {"before": row_json(before), "after": row_json(after)}},
        data={
            "message": message,
            "idp": idp,
            "requirement_from": requirement,
            "action": action_dict(after.action) if after else None,
            "stale": after.stale if after else False,
        },
        reason=reason,
    )


def _emit_all(
    session: Session,
    municipalities: dict[int, Municipality],
    before: dict[RowKey, ReadinessRow],
    after: dict[RowKey, ReadinessRow],
    *,
    actor: Actor,
    reason: str | None,
) -> list[ChangeEvent]:
    events = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[0], k[1], k[2] or 0)):
        old, new = before.get(key), after.get(key)
        if _compared(old) != _compared(new):
            events.append(_emit(session, municipalities[key[0]], old, new, actor=actor, reason=reason))
    return events


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
    session: Session, snapshot: MunicipalitySnapshot, *, actor: Actor, reason: str | None = None
) -> list[ChangeEvent]:
    """One event per (solution, IdP) row of M whose verdict changed (added and removed rows included)."""
    session.flush()
    _, now = _rows(session, snapshot.municipality, snapshot.today)
    municipality = {snapshot.municipality.id: snapshot.municipality}
    return _emit_all(session, municipality, snapshot.rows, now, actor=actor, reason=reason)


@dataclass(frozen=True)
class SolutionSnapshot:
    """The rows of every municipality whose readiness a registry change of ``solution`` can move."""

    solution: Solution
    today: date
    solution_ids: frozenset[int]
    rows: dict[RowKey, ReadinessRow]


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


def _affected_rows(
    session: Session, solution_ids: frozenset[int], today: date
) -> tuple[dict[int, Municipality], dict[RowKey, ReadinessRow]]:
    """Rows of every portfolio entry of the given solutions, in every municipality (a fixed number of queries)."""
    entries, idps = affected_entries(session, solution_ids)
    if not entries:
        return {}, {}
    municipalities = {e.municipality_id: e.municipality for e in entries}
    chains = requirements.chains(session, {e.solution.id: e.solution for e in entries}.values())
    rows: dict[RowKey, ReadinessRow] = {}
    for entry in entries:
        for choice in choose_idps(entry.idps, idps.get(entry.municipality_id, [])):
            row = row_for(entry.solution, chains[entry.solution.id], choice, today)
            rows[(entry.municipality_id, *row.key)] = row
    return municipalities, rows


# The fields of a solution that a readiness row shows or depends on (others never move a verdict or an action).
READINESS_FIELDS = frozenset(
    {
        "name",
        "loa_value",
        "loa_status",
        "switch_earliest_on",
        "switch_latest_on",
        "switch_state",
        "switch_status",
        "service_provider_id",
        "brokers",
    }
)


def snapshot_for_solution(
    session: Session, solution: Solution, *, today: date | None = None, fields: Iterable[str] | None = None
) -> SolutionSnapshot | None:
    """Before ``update_solution`` applies its changes: the rows of the solution and of those behind it as broker.

    None (and no query) when none of the changing ``fields`` is one readiness depends on.
    """
    if fields is not None and not READINESS_FIELDS & set(fields):
        return None
    solution_ids = frozenset({solution.id, *requirements.dependants(requirements.broker_edges(session), solution.id)})
    day = today or today_in_denmark()
    _, rows = _affected_rows(session, solution_ids, day)
    return SolutionSnapshot(solution, day, solution_ids, rows)


def emit_changes(
    session: Session, snapshot: SolutionSnapshot | None, *, actor: Actor, reason: str | None = None
) -> list[ChangeEvent]:
    """After a registry change: one event per municipality row whose verdict changed."""
    if snapshot is None:
        return []
    session.flush()
    solution_ids = frozenset(
        {*snapshot.solution_ids, *requirements.dependants(requirements.broker_edges(session), snapshot.solution.id)}
    )
    municipalities, after = _affected_rows(session, solution_ids, snapshot.today)
    if not after and not snapshot.rows:
        return []
    return _emit_all(session, municipalities, snapshot.rows, after, actor=actor, reason=reason)
