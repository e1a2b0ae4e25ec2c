"""Actions as the page, the API and the exports show them: each with what to do (the readiness row's sentence),
its subject's names, whether it is overdue or unread, and the list's progress summary.

``load`` brings M's actions in line with the registry first (``sync``), so the first look at the list
materialises them and every look shows what the registry says now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from tracker.actions import queries, sync
from tracker.actions.services import owner_label
from tracker.actions.texts import STATUS_LABELS, danish
from tracker.models import Action, Municipality, User
from tracker.municipalities.actions import action_text
from tracker.municipalities.readiness import ReadinessRow, municipality_readiness


@dataclass(frozen=True)
class ActionView:
    """One action with the words around it."""

    action: Action
    title: str
    solution_name: str | None
    solution_slug: str | None
    group: str | None
    overdue: bool
    unread: bool

    @property
    def owner(self) -> str | None:
        """The owner's name or team."""
        return owner_label(self.action)

    @property
    def status_label(self) -> str:
        """The status in the reader's language."""
        return str(STATUS_LABELS[self.action.status])


@dataclass(frozen=True)
class ActionList:
    """M's actions (filtered), the summary of all of them, and today."""

    items: list[ActionView]
    summary: dict[str, int]
    day: date


def _title(action: Action, row: ReadinessRow | None) -> str:
    if row is not None:
        return action_text(row.action)
    return danish("Rækken kræver ikke længere handling")


def load(
    session: Session,
    municipality: Municipality,
    user: User,
    *,
    day: date | None = None,
    filters: queries.Filters = queries.NO_FILTERS,
) -> ActionList:
    """M's actions, synced with the registry, as views (overdue first), with the summary of all of M's actions."""
    day = day or sync.today()
    readiness = municipality_readiness(session, municipality, today=day)
    sync.sync_wanted(session, municipality, "readiness", sync.wanted_from_readiness(readiness.rows, day))
    rows = {sync.readiness_key(r.solution.id, r.idp.id if r.idp else None): r for r in readiness.rows}
    everything = queries.list_actions(session, municipality, user, day)
    chosen = (
        queries.list_actions(session, municipality, user, day, filters) if filters != queries.NO_FILTERS else everything
    )
    seen = queries.seen_versions(session, user, [a.id for a in chosen])
    return ActionList(
        [view(a, rows.get(a.subject_key), day, seen.get(a.id, 0)) for a in chosen],
        queries.summary(everything, day),
        day,
    )


def view(action: Action, row: ReadinessRow | None, day: date, seen_version: int) -> ActionView:
    """One action's view."""
    solution = action.solution
    group = None
    if action.idp is not None:
        group = action.idp.user_group or action.idp.name
    return ActionView(
        action=action,
        title=_title(action, row) if action.open_in_registry else danish("Rækken kræver ikke længere handling"),
        solution_name=solution.name if solution else None,
        solution_slug=solution.slug if solution else None,
        group=group,
        overdue=queries.is_overdue(action, day),
        unread=seen_version < action.version,
    )


def load_one(
    session: Session, municipality: Municipality, user: User, action: Action, *, day: date | None = None
) -> ActionView:
    """One action's view (its row looked up in M's readiness for the sentence)."""
    day = day or sync.today()
    readiness = municipality_readiness(session, municipality, today=day)
    rows = {sync.readiness_key(r.solution.id, r.idp.id if r.idp else None): r for r in readiness.rows}
    seen = queries.seen_versions(session, user, [action.id])
    return view(action, rows.get(action.subject_key), day, seen.get(action.id, 0))
