"""Impact preview: which municipalities' rows a registry change *would* move into or out of danger.

Before a coordinator accepts a proposal or saves an edit, the page lists the (municipality, solution, IdP)
rows whose status would change to or from ``at_risk``/``locked_out``. Nothing is written: the rows of the
solution (and of the solutions behind it, when it is a broker) are computed twice, with its facts and broker
links as they are and as the change would make them, in a fixed number of queries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tracker.clock import today_in_denmark
from tracker.models import Idp, Municipality, Solution
from tracker.municipalities import requirements
from tracker.municipalities.readiness import Status
from tracker.municipalities.readiness_events import affected_entries, rows_with
from tracker.registry.brokers import broker_edges, dependants

DANGER = (Status.AT_RISK, Status.LOCKED_OUT)
_FACT_FIELDS = {
    "loa_value",
    "loa_status",
    "switch_earliest_on",
    "switch_latest_on",
    "switch_state",
    "switch_status",
    "name",
}


@dataclass(frozen=True)
class Move:
    """One row whose status the change would move into or out of danger."""

    municipality: Municipality
    solution: Solution
    idp: Idp | None
    before: Status
    after: Status

    @property
    def worse(self) -> bool:
        """Into danger (or from at risk to locked out)."""
        order = {Status.OK: 0, Status.UNKNOWN: 1, Status.AT_RISK: 2, Status.LOCKED_OUT: 3}
        return order[self.after] > order[self.before]


@dataclass(frozen=True)
class Impact:
    """The moves, most serious first, and how many municipalities and rows each way."""

    moves: list[Move]

    @property
    def worse(self) -> list[Move]:
        return [m for m in self.moves if m.worse]

    @property
    def better(self) -> list[Move]:
        return [m for m in self.moves if not m.worse]

    @property
    def summary(self) -> dict[str, int]:
        """Municipalities and rows moving into danger, and out of it."""
        return {
            "municipalities_worse": len({m.municipality.id for m in self.worse}),
            "rows_worse": len(self.worse),
            "municipalities_better": len({m.municipality.id for m in self.better}),
            "rows_better": len(self.better),
        }


def _with(facts: requirements.SolutionFacts, changes: Mapping[str, Any]) -> requirements.SolutionFacts:
    return dataclasses.replace(facts, **{f: v for f, v in changes.items() if f in _FACT_FIELDS})


def impact_of(
    session: Session,
    solution: Solution,
    changes: Mapping[str, Any],
    *,
    brokers: Sequence[Solution] | None = None,
    today: date | None = None,
) -> Impact:
    """What ``update_solution(solution, changes)`` would do to readiness, without doing it.

    ``brokers``: the solution's brokers as the change would leave them, already resolved and checked by the
    caller (``registry.brokers.resolve``); None leaves its broker links as they are.
    """
    day = today or today_in_denmark()
    edges = broker_edges(session)
    edges_after = edges if brokers is None else {**edges, solution.id: [b.id for b in brokers]}
    solution_ids = frozenset(
        {
            solution.id,
            *dependants(edges, solution.id),
            *dependants(edges_after, solution.id),
        }
    )
    entries, idps = affected_entries(session, solution_ids)
    own = requirements.SolutionFacts.of(solution)
    before = rows_with(session, entries, idps, edges, own, day)
    after = rows_with(session, entries, idps, edges_after, _with(own, changes), day)
    municipalities = {e.municipality_id: e.municipality for e in entries}
    moves = []
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            continue
        was, becomes = old.assessment.status, new.assessment.status
        if was != becomes and (was in DANGER or becomes in DANGER):
            moves.append(Move(municipalities[key[0]], old.solution, old.idp, was, becomes))
    moves.sort(key=lambda m: (not m.worse, m.municipality.name, m.solution.name, m.idp.name if m.idp else ""))
    return Impact(moves)


def impact_dict(impact: Impact) -> dict[str, Any]:
    """The impact as the API shows it."""
    return {
        **impact.summary,
        "moves": [
            {
                "municipality": {"code": m.municipality.code, "name": m.municipality.name},
                "solution": {"slug": m.solution.slug, "name": m.solution.name},
                "idp": None if m.idp is None else {"id": m.idp.id, "name": m.idp.name, "user_group": m.idp.user_group},
                "before": m.before.value,
                "after": m.after.value,
            }
            for m in impact.moves
        ],
    }
