"""Actions as the page, the API and the exports show them: each with what to do (the readiness row's sentence,
or the transition's title and what it asks), its subject's names, whether it is overdue or unread, and the
list's progress summary.

Reading writes nothing: the actions are kept in line with the registry where it changes (``sync``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions import queries, sync
from tracker.actions.access import sees_actions
from tracker.actions.services import owner_label
from tracker.actions.texts import no_longer_asked_title
from tracker.clock import today_in_denmark
from tracker.models import Action, Municipality, Transition, User
from tracker.municipalities.actions import action_text
from tracker.municipalities.readiness import Readiness, ReadinessRow, municipality_readiness
from tracker.vocabulary import ACTION_STATUS_LABELS


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
        return str(ACTION_STATUS_LABELS[self.action.status])


@dataclass(frozen=True)
class ActionList:
    """M's actions (filtered), the summary of all of them, and today."""

    items: list[ActionView]
    summary: dict[str, int]
    day: date
    # How many the filters select (``items`` is one page of them when paged), and where the page starts.
    total: int = 0
    offset: int = 0
    limit: int | None = None


def _rows(readiness: Readiness) -> dict[str, ReadinessRow]:
    return {sync.readiness_key(r.solution.id, r.idp.id if r.idp else None): r for r in readiness.rows}


def _transitions(session: Session, actions: Sequence[Action]) -> dict[int, Transition]:
    ids = {a.transition_id for a in actions if a.transition_id is not None}
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(select(Transition).where(Transition.id.in_(ids)))}


def _title(action: Action, row: ReadinessRow | None, transition: Transition | None) -> str:
    if transition is not None:
        return f"{transition.title}: {transition.what_to_do}" if transition.what_to_do else transition.title
    if row is not None and action.open_in_registry:
        return action_text(row.action)
    return no_longer_asked_title()


def _worded_rows(
    session: Session, municipality: Municipality, actions: Sequence[Action], day: date
) -> dict[str, ReadinessRow]:
    """The readiness rows that word these actions (an open readiness action's sentence), computed for their
    solutions only — not M's whole readiness."""
    ids = {a.solution_id for a in actions if a.transition_id is None and a.open_in_registry and a.solution_id}
    if not ids:
        return {}
    return _rows(municipality_readiness(session, municipality, today=day, solution_ids=ids))


def _views(
    session: Session, municipality: Municipality, user: User, chosen: Sequence[Action], day: date
) -> list[ActionView]:
    seen = queries.seen_versions(session, user, [a.id for a in chosen])
    rows, transitions = _worded_rows(session, municipality, chosen, day), _transitions(session, chosen)
    return [
        view(a, rows.get(a.subject_key), transitions.get(a.transition_id or 0), day, seen.get(a.id, 0)) for a in chosen
    ]


def load(
    session: Session,
    municipality: Municipality,
    user: User,
    *,
    day: date | None = None,
    filters: queries.Filters = queries.NO_FILTERS,
) -> ActionList:
    """M's actions as views (overdue first), every one the filters select, with the summary of all of M's
    actions (the exports and the calendar; the list and the API show a page: ``load_page``)."""
    day = day or today_in_denmark()
    chosen = queries.list_actions(session, municipality, user, day, filters)
    items = _views(session, municipality, user, chosen, day)
    return ActionList(items, queries.summary_of(session, municipality, day), day, total=len(items))


def load_page(
    session: Session,
    municipality: Municipality,
    user: User,
    *,
    limit: int,
    offset: int = 0,
    day: date | None = None,
    filters: queries.Filters = queries.NO_FILTERS,
) -> ActionList:
    """One page of ``load``: filtered, ordered and counted in SQL, only the page's rows worded."""
    day = day or today_in_denmark()
    chosen, total = queries.page_of_actions(session, municipality, user, day, filters, limit=limit, offset=offset)
    items = _views(session, municipality, user, chosen, day)
    summary = queries.summary_of(session, municipality, day)
    return ActionList(items, summary, day, total=total, offset=offset, limit=limit)


def view(action: Action, row: ReadinessRow | None, transition: Transition | None, day: date, seen: int) -> ActionView:
    """One action's view."""
    solution = action.solution
    group = None
    if action.idp is not None:
        group = action.idp.user_group or action.idp.name
    return ActionView(
        action=action,
        title=_title(action, row, transition),
        solution_name=solution.name if solution else None,
        solution_slug=solution.slug if solution else None,
        group=group,
        overdue=queries.is_overdue(action, day),
        unread=seen < action.version,
    )


def load_one(
    session: Session, municipality: Municipality, user: User, action: Action, *, day: date | None = None
) -> ActionView:
    """One action's view (its row looked up in M's readiness for the sentence)."""
    day = day or today_in_denmark()
    rows = _worded_rows(session, municipality, [action], day)
    seen = queries.seen_versions(session, user, [action.id])
    transition = _transitions(session, [action]).get(action.transition_id or 0)
    return view(action, rows.get(action.subject_key), transition, day, seen.get(action.id, 0))


def action_marks(
    session: Session, municipality: Municipality, user: User | None, readiness: Readiness
) -> dict[tuple[Any, Any], ActionView] | None:
    """For M's own users: the action of each readiness row by (solution, IdP), and of each transition by
    ("transition", id), as the readiness table, the timeline and the transitions to act on show it (status and
    owner). None for everyone else (coordinators see no owners)."""
    if user is None or not sees_actions(user, municipality.id):
        return None
    rows = _rows(readiness)
    marks: dict[tuple[Any, Any], ActionView] = {}
    for action in queries.actions_by_row(session, municipality).values():
        marks[(action.solution_id or 0, action.idp_id)] = view(
            action, rows.get(action.subject_key), None, readiness.today, action.version
        )
    found = queries.transition_actions(session, municipality)
    transitions = _transitions(session, found)
    for action in found:
        marks[("transition", action.transition_id)] = view(
            action, None, transitions.get(action.transition_id or 0), readiness.today, action.version
        )
    return marks
