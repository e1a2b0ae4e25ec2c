"""What an action's change tells the outside: the ``action.updated`` event, and the owner as it is shown.

Both the people's edits (``services``) and the registry's follow-ups (``sync``) emit it, so it lives below both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tracker.actions import texts
from tracker.models import Action, User
from tracker.registry.actors import SYSTEM, Actor
from tracker.registry.events import append_event


def owner_label(action: Action) -> str | None:
    """The owner as the municipality sees it: the person's name (or e-mail), or the team."""
    if action.owner is not None:
        return action.owner.name or action.owner.email
    if action.owner_team:
        return texts.danish("Team: %(team)s", team=action.owner_team)
    return None


def action_ref(action: Action) -> dict[str, Any]:
    """What an ``action.updated`` event says about the action (never its note)."""
    return {
        "id": action.id,
        "subject": {"kind": action.subject_kind, "key": action.subject_key},
        "status": action.status,
        "owner": owner_label(action),
        "due": action.due_on.isoformat() if action.due_on else None,
    }


def updated_fields(
    action: Action, changes: dict[str, Any], *, actor: User | None, reason: str | None = None
) -> dict[str, Any]:
    """The keywords of ``action.updated`` for one change (``append_event``/``append_events``)."""
    shown = {f: {"before": b, "after": a} for f, (b, a) in changes.items() if f != "note" and f in PUBLIC_FIELDS}
    return {
        "type": "action.updated",
        "actor": Actor.of(actor) if actor is not None else SYSTEM,
        "changes": shown,
        "municipality": action.municipality,
        "solution": action.solution,
        "reason": reason,
        "data": {"action": action_ref(action)},
    }


def emit_updated(
    session: Session, action: Action, changes: dict[str, Any], *, actor: User | None, reason: str | None = None
) -> None:
    """``action.updated`` for the municipality's own subscribers (``access.may_receive_event``)."""
    append_event(session, **updated_fields(action, changes, actor=actor, reason=reason))


PUBLIC_FIELDS = ("status", "status_reason", "owner", "due_on", "reopened_reason")
