"""A person's changes to actions: validated as a whole (nothing is stored when anything is wrong), recorded in
the history, marked read for the person who made them, and announced as ``action.updated`` to the
municipality's own subscribers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.events import emit_updated, owner_label
from tracker.actions.sync import record
from tracker.auth.permissions import may
from tracker.clock import utcnow
from tracker.errors import NotFound, ValidationError
from tracker.models import Action, ActionRead, Municipality, User
from tracker.models.actions import ACTION_STATUSES
from tracker.vocabulary import ACTION_STATUS_LABELS

NEEDS_REASON = ("not_relevant", "blocked")
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)
MAX_NOTE, MAX_REASON, MAX_TEAM = 5000, 1000, 200
MAX_ID = 2**31 - 1  # the databases' integer ids
FIELDS = ("status", "status_reason", "owner_user_id", "owner_team", "due_on", "note")
DEFAULT = "default"  # due_on: back to the act-by day


def _text(value: Any, limit: int, field: str, errors: dict[str, str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors[field] = _("Skal være tekst.")
        return None
    value = value.strip()
    if len(value) > limit:
        errors[field] = _("Højst %(num)d tegn.", num=limit)
        return None
    return value or None


def _owner(session: Session, municipality: Municipality, user_id: Any, errors: dict[str, str]) -> User | None:
    if user_id is None:
        return None
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        errors["owner"] = _("Ansvarlig skal være en bruger (id) eller et team.")
        return None
    user = session.get(User, user_id) if 0 < user_id <= MAX_ID else None  # beyond the column: no such user
    if user is None or not may(user, "municipality.action_owner", municipality):
        errors["owner"] = _("Den ansvarlige skal være en bruger i %(name)s.", name=municipality.name)
        return None
    if not user.is_active:
        errors["owner"] = _("Brugeren er deaktiveret og kan ikke være ansvarlig.")
        return None
    return user


def clean(session: Session, action: Action, values: dict[str, Any]) -> dict[str, Any]:
    """The requested changes checked against the action; every problem at once as a Danish 422."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in values:
        if name not in FIELDS:
            errors[name] = _("Ukendt felt.")
    status = values.get("status", action.status)
    if "status" in values:
        if status not in ACTION_STATUSES:
            errors["status"] = _("Ukendt status. Tilladt: %(allowed)s.", allowed=", ".join(ACTION_STATUSES))
        else:
            out["status"] = status
    reason = _text(values.get("status_reason"), MAX_REASON, "status_reason", errors)
    if status in NEEDS_REASON:
        kept = action.status_reason if status == action.status and "status_reason" not in values else None
        if not (reason or kept):
            errors["status_reason"] = _(
                "Skriv en begrundelse, når status er '%(status)s'.", status=ACTION_STATUS_LABELS[status]
            )
        elif reason:
            out["status_reason"] = reason
    elif "status" in values:
        out["status_reason"] = None
    if "owner_user_id" in values and "owner_team" in values and values["owner_user_id"] and values["owner_team"]:
        errors["owner"] = _("Vælg enten en bruger eller et team som ansvarlig, ikke begge.")
    if "owner_user_id" in values:
        owner = _owner(session, action.municipality, values["owner_user_id"], errors)
        out["owner_user_id"] = owner.id if owner else None
        if owner is not None:
            out["owner_team"] = None
    if "owner_team" in values:
        team = _text(values["owner_team"], MAX_TEAM, "owner_team", errors)
        out["owner_team"] = team
        if team is not None:
            out["owner_user_id"] = None
    if "due_on" in values:
        due = values["due_on"]
        if due is None or due == DEFAULT:
            out["due_on"], out["due_is_default"] = action.act_by_on, True
        elif not isinstance(due, date):
            errors["due_on"] = _("Skal være en gyldig dato (ÅÅÅÅ-MM-DD).")
        elif not FIRST_DAY <= due <= LAST_DAY:
            errors["due_on"] = _("Fristen skal ligge mellem år 1900 og 2100.")
        elif action.act_by_on is not None and due > action.act_by_on:
            errors["due_on"] = _(
                "Fristen kan ikke ligge efter handlingsdatoen %(day)s; vælg den eller en tidligere dag.",
                day=action.act_by_on.isoformat(),
            )
        else:
            out["due_on"], out["due_is_default"] = due, due == action.act_by_on
    if "note" in values:
        out["note"] = _text(values["note"], MAX_NOTE, "note", errors)
    if errors:
        raise ValidationError(_("Handlingen blev ikke gemt: ret de markerede felter."), errors)
    return out


def _shown(action: Action, field: str) -> Any:
    if field == "due_on":
        return action.due_on.isoformat() if action.due_on else None
    return getattr(action, field)


def update_action(session: Session, action: Action, values: dict[str, Any], *, user: User) -> Action:
    """Apply a person's change (validated first); history, read mark and event. No change: nothing written."""
    clean_values = clean(session, action, values)
    changes: dict[str, Any] = {}
    before_owner = owner_label(action)
    for field, value in clean_values.items():
        before = _shown(action, field)
        setattr(action, field, value)
        after = _shown(action, field)
        if before != after and field not in ("owner_user_id", "owner_team", "due_is_default"):
            changes[field] = [before, after]
    if "status" in changes:
        action.reopened_reason = None
        action.closed_by_registry = False
    session.flush()
    session.refresh(action, ["owner"])
    after_owner = owner_label(action)
    if before_owner != after_owner:
        changes["owner"] = [before_owner, after_owner]
    if not changes:
        return action
    record(session, action, changes, actor_id=user.id, actor_label=user.label)
    mark_read(session, action, user)
    emit_updated(session, action, changes, actor=user)
    session.flush()
    return action


def bulk_update(
    session: Session, municipality: Municipality, ids: Sequence[int], values: dict[str, Any], *, user: User
) -> list[Action]:
    """The same change to several of M's actions; all or nothing (the first refusal refuses the lot)."""
    actions = list(
        session.scalars(select(Action).where(Action.municipality_id == municipality.id, Action.id.in_(list(ids))))
    )
    if not ids or len(actions) != len(set(ids)):
        raise ValidationError(_("Vælg en eller flere af kommunens handlinger."), {"ids": _("Ukendt handling.")})
    for action in actions:
        clean(session, action, values)  # every action checked before any changes
    return [update_action(session, action, values, user=user) for action in actions]


def mark_read(session: Session, action: Action, user: User) -> None:
    """The user has seen this version of the action."""
    row = session.get(ActionRead, (action.id, user.id))
    if row is None:
        session.add(ActionRead(action_id=action.id, user_id=user.id, seen_version=action.version, seen_at=utcnow()))
    elif row.seen_version != action.version:
        row.seen_version, row.seen_at = action.version, utcnow()


def get_action(session: Session, municipality: Municipality, action_id: int) -> Action:
    """One of M's actions (another municipality's is 'not found')."""
    action = session.scalar(select(Action).where(Action.id == action_id, Action.municipality_id == municipality.id))
    if action is None:
        raise NotFound(_("Handlingen findes ikke."))
    return action
