"""Reading actions: M's list with the page's and the API's filters (overdue first), one action with its history,
the progress summary, and KL's national counts (numbers only, never a note or an owner)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, case, func, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from tracker.auth.permissions import holders
from tracker.models import Action, ActionChange, ActionRead, Municipality, User

OPEN = ("new", "in_progress", "blocked")
CLOSED = ("done", "not_relevant")


def is_overdue(action: Action, day: date) -> bool:
    """Open and past its due day."""
    return action.status in OPEN and action.due_on is not None and action.due_on < day


def sort_key(action: Action, day: date) -> tuple[Any, ...]:
    """Overdue first, then open by due day (undated last), then closed; by id within each."""
    closed = action.status in CLOSED
    return (
        0 if is_overdue(action, day) else 1 if not closed else 2,
        action.due_on or date.max,
        action.id,
    )


@dataclass(frozen=True)
class Filters:
    """The list's filters: status (several), owner ('me', 'none', a user id, 'team:<name>'), due window,
    overdue only, unread only."""

    statuses: tuple[str, ...] = ()
    owner: str | None = None
    due_before: date | None = None
    due_after: date | None = None
    overdue: bool = False
    unread: bool = False


NO_FILTERS = Filters()


def list_actions(
    session: Session, municipality: Municipality, user: User, day: date, filters: Filters = NO_FILTERS
) -> list[Action]:
    """M's actions as the filters select them, overdue first."""
    stmt = _filtered(municipality, user, day, filters).options(
        joinedload(Action.solution), joinedload(Action.idp), joinedload(Action.owner)
    )
    actions = list(session.scalars(stmt))
    return sorted(actions, key=lambda a: sort_key(a, day))


def _overdue_sql(day: date) -> ColumnElement[bool]:
    """``is_overdue`` in SQL."""
    return and_(Action.status.in_(OPEN), Action.due_on.is_not(None), Action.due_on < day)


def _filtered(municipality: Municipality, user: User, day: date, filters: Filters) -> Select[Action]:
    """M's actions as the filters select them, every filter in SQL (unread: the user's seen version is older)."""
    stmt = select(Action).where(Action.municipality_id == municipality.id)
    if filters.statuses:
        stmt = stmt.where(Action.status.in_(filters.statuses))
    if filters.owner == "me":
        stmt = stmt.where(Action.owner_user_id == user.id)
    elif filters.owner == "none":
        stmt = stmt.where(Action.owner_user_id.is_(None), Action.owner_team.is_(None))
    elif filters.owner and filters.owner.startswith("team:"):
        stmt = stmt.where(Action.owner_team == filters.owner.removeprefix("team:"))
    elif filters.owner and filters.owner.isdigit():
        stmt = stmt.where(Action.owner_user_id == int(filters.owner))
    if filters.due_before is not None:
        stmt = stmt.where(Action.due_on <= filters.due_before)
    if filters.due_after is not None:
        stmt = stmt.where(Action.due_on >= filters.due_after)
    if filters.overdue:
        stmt = stmt.where(_overdue_sql(day))
    if filters.unread:
        seen = (
            select(ActionRead.seen_version)
            .where(ActionRead.action_id == Action.id, ActionRead.user_id == user.id)
            .scalar_subquery()
        )
        stmt = stmt.where(func.coalesce(seen, 0) < Action.version)
    return stmt


def page_of_actions(
    session: Session,
    municipality: Municipality,
    user: User,
    day: date,
    filters: Filters = NO_FILTERS,
    *,
    limit: int,
    offset: int = 0,
) -> tuple[list[Action], int]:
    """One page of ``list_actions`` (the same order: ``sort_key`` in SQL) and how many the filters select."""
    stmt = _filtered(municipality, user, day, filters)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rank = case((_overdue_sql(day), 0), (Action.status.in_(CLOSED), 2), else_=1)
    page = session.scalars(
        stmt.order_by(rank, Action.due_on.is_(None), Action.due_on, Action.id)
        .limit(limit)
        .offset(offset)
        .options(joinedload(Action.solution), joinedload(Action.idp), joinedload(Action.owner))
    )
    return list(page), int(total)


def summary_of(session: Session, municipality: Municipality, day: date) -> dict[str, int]:
    """``summary`` of all of M's actions, counted in SQL."""

    def count(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(
        select(
            func.count(Action.id),
            count(Action.status == "done"),
            count(Action.status.in_(OPEN)),
            count(_overdue_sql(day)),
            count(Action.status == "in_progress"),
            count(Action.status == "not_relevant"),
        ).where(Action.municipality_id == municipality.id)
    ).one()
    keys = ("total", "done", "open", "overdue", "in_progress", "not_relevant")
    return {key: int(value) for key, value in zip(keys, row, strict=True)}


def seen_versions(session: Session, user: User, action_ids: Sequence[int]) -> dict[int, int]:
    """Per action, the version the user has seen."""
    if not action_ids:
        return {}
    rows = session.execute(
        select(ActionRead.action_id, ActionRead.seen_version).where(
            ActionRead.user_id == user.id, ActionRead.action_id.in_(list(action_ids))
        )
    )
    return {int(action_id): int(version) for action_id, version in rows}


def history(session: Session, action: Action) -> list[ActionChange]:
    """The action's changes, oldest first."""
    return list(
        session.scalars(select(ActionChange).where(ActionChange.action_id == action.id).order_by(ActionChange.id))
    )


def summary(actions: Sequence[Action], day: date) -> dict[str, int]:
    """Progress: done, open, overdue (of the open), not relevant, and all."""
    return {
        "total": len(actions),
        "done": sum(1 for a in actions if a.status == "done"),
        "open": sum(1 for a in actions if a.status in OPEN),
        "overdue": sum(1 for a in actions if is_overdue(a, day)),
        "in_progress": sum(1 for a in actions if a.status == "in_progress"),
        "not_relevant": sum(1 for a in actions if a.status == "not_relevant"),
    }


def owner_choices(session: Session, municipality: Municipality) -> list[User]:
    """The users who may own M's actions: M's active users, by name."""
    users = session.scalars(
        select(User).where(
            User.municipality_id == municipality.id, holders("municipality.action_owner"), User.is_active
        )
    )
    return sorted(users, key=lambda u: ((u.name or u.email).casefold(), u.id))


def teams(session: Session, municipality: Municipality) -> list[str]:
    """The teams already named as owners in M."""
    return sorted(
        t
        for t in session.scalars(
            select(Action.owner_team)
            .where(Action.municipality_id == municipality.id, Action.owner_team.is_not(None))
            .distinct()
        )
        if t
    )


def actions_by_row(session: Session, municipality: Municipality) -> dict[tuple[int, int | None], Action]:
    """M's readiness actions by (solution, IdP): what the readiness rows show beside each row."""
    found = session.scalars(
        select(Action)
        .where(Action.municipality_id == municipality.id, Action.subject_kind == "readiness")
        .options(joinedload(Action.owner))
    )
    return {(a.solution_id or 0, a.idp_id): a for a in found}


def transition_actions(session: Session, municipality: Municipality) -> list[Action]:
    """M's actions on transitions (with their owners)."""
    return list(
        session.scalars(
            select(Action)
            .where(Action.municipality_id == municipality.id, Action.subject_kind == "transition")
            .options(joinedload(Action.owner), joinedload(Action.solution))
        )
    )


_M, _U = bindparam("municipality_id", type_=Integer), bindparam("user_id", type_=Integer)
# Built once (Core, on the connection): building it for every request cost more than running it.
_FINGERPRINT = select(
    select(func.count(Action.id)).where(Action.municipality_id == _M).scalar_subquery(),
    select(func.max(Action.updated_at)).where(Action.municipality_id == _M).scalar_subquery(),
    select(func.sum(Action.version)).where(Action.municipality_id == _M).scalar_subquery(),
    select(func.count()).select_from(ActionRead).where(ActionRead.user_id == _U).scalar_subquery(),
    select(func.max(ActionRead.seen_at)).where(ActionRead.user_id == _U).scalar_subquery(),
    # A read of a newer version at the same instant (a frozen or coarse clock) still changes the sum.
    select(func.sum(ActionRead.seen_version)).where(ActionRead.user_id == _U).scalar_subquery(),
    select(func.count(User.id)).where(User.municipality_id == _M).scalar_subquery(),
    select(func.max(User.id)).where(User.municipality_id == _M).scalar_subquery(),
)


def list_fingerprint(session: Session, municipality_id: int, user: User) -> tuple[str, ...]:
    """What a cached list of M's actions (the page, the API's list and exports) depends on beyond the registry's
    stamp and M's ``data_version``, in one statement: M's actions (how many, the newest change, their versions),
    what the user has read (how many, when, which versions), and M's users (the owner choices)."""
    row = session.connection().execute(_FINGERPRINT, {"municipality_id": municipality_id, "user_id": user.id}).one()
    return tuple(str(v) for v in row)
