"""A solution's brokers: the solutions of kind ``broker`` staff reach it through.

``brokers`` is edited as a list of slugs beside the solution's other basic fields and recorded in its history
(``solution.updated``) like them. Unknown slugs, solutions that are not brokers and cycles are refused with a
Danish 422 before anything is written. The broker graph itself (``broker_edges``, ``reachable``,
``dependants``) lives here, below the features that read it (municipalities' readiness and impact), so the
registry never imports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import ValidationError
from tracker.models import Solution
from tracker.models.solutions import solution_broker
from tracker.models.vocab import SolutionKind

MAX_BROKERS = 20


def broker_edges(session: Session) -> dict[int, list[int]]:
    """Every broker link: solution id → the broker ids it lists (one query; the table is small)."""
    edges: dict[int, list[int]] = {}
    for solution_id, broker_id in session.execute(select(solution_broker.c.solution_id, solution_broker.c.broker_id)):
        edges.setdefault(solution_id, []).append(broker_id)
    return edges


def reachable(edges: Mapping[int, Iterable[int]], start: int) -> set[int]:
    """The brokers reached from ``start`` through any number of links (``start`` itself only on a cycle)."""
    seen: set[int] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(edges.get(node, ()))
    return seen


def dependants(edges: Mapping[int, Iterable[int]], broker_id: int) -> set[int]:
    """The solutions that reach ``broker_id`` through their brokers (whose readiness it can change)."""
    return {solution_id for solution_id in edges if broker_id in reachable(edges, solution_id)}


def clean_slugs(value: Any) -> list[str]:
    """A list of distinct slugs, sorted (the order is immaterial); anything else is a 422."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError("registry.brokers_invalid", {"brokers": "Skal være en liste af løsningers slugs."})
    if len(value) > MAX_BROKERS:
        raise ValidationError("registry.too_many_brokers", {"brokers": f"Højst {MAX_BROKERS}."})
    return sorted({v.strip() for v in value})


def resolve(session: Session, solution: Solution | None, value: Any) -> list[Solution]:
    """The broker solutions the slugs name, checked: each exists, is of kind broker, and no cycle arises."""
    slugs = clean_slugs(value)
    if not slugs:
        return []
    found = {s.slug: s for s in session.scalars(select(Solution).where(Solution.slug.in_(slugs)))}
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise ValidationError(
            "registry.solution_not_found", {"brokers": f"Ukendt: {', '.join(unknown)}."}, slug=unknown[0]
        )
    not_brokers = [s for s in slugs if found[s].kind != SolutionKind.BROKER.value]
    if not_brokers:
        raise ValidationError(
            "registry.not_a_broker",
            {"brokers": f"Ikke en broker: {', '.join(not_brokers)}."},
            name=found[not_brokers[0]].name,
        )
    if solution is not None and solution.id is not None:
        if solution.slug in found:
            raise ValidationError("registry.broker_is_itself", {"brokers": "Kredsløb."})
        edges = broker_edges(session)
        edges[solution.id] = [found[s].id for s in slugs]
        if solution.id in reachable(edges, solution.id):
            raise ValidationError("registry.broker_cycle", {"brokers": "Kredsløb."})
    return [found[s] for s in slugs]
