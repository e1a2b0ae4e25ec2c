"""Reminders of actions' due days (issue 27), by mail, and the overdue list of the digest.

- ``queue_reminders`` (the mail worker, each run): the owner of an open action is reminded the chosen number
  of days before its due day (``mail_preference.action_reminder_days``, 7 by default; NULL: none). One mail per
  action per due day — the row's key ``action-due:<id>:<due day>`` is unique per user, so a second run, or a
  parallel one, adds nothing (the row's ``action_id`` and ``due_on`` say what it is about; the key is never
  read); a moved due day is reminded again. Nobody whose mail is off, no deactivated
  owner, nothing for an action that is done, not relevant or has no owner.
- ``compose`` (the mail worker, when sending): the reminder, or nothing when the action was closed, changed
  owner or moved its due day meanwhile (the mail is then cancelled, not sent).
- ``overdue_for``: the overdue open actions a digest reader owns, or that nobody owns in their municipality.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from tracker.actions.access import sees_actions
from tracker.actions.views import load_one
from tracker.clock import DANISH_TIME
from tracker.models import Action, ActionChange, MailMessage, MailPreference, User
from tracker.notify.compose import link
from tracker.notify.recipients import message_id_for
from tracker.outbox import wake
from tracker.outbox.queues import MAIL
from tracker.vocabulary import ACTION_STATUS_LABELS

KIND = "notice"  # sent at once by the mail worker, like the other personal notices
PREFIX = "action-due"
CHANGED_NOTICE = "action_registry"  # the registry reopened, closed or moved the owner's action (``action_id``)
NOTICE = "action_due"  # the row's ``notice``: its subject is ``action_id`` and ``due_on`` (typed columns)
DEFAULT_DAYS = 7
OPEN = ("new", "in_progress", "blocked")


def reminder_key(action: Action) -> str:
    """``action-due:<id>:<due day>``: one reminder per action and due day."""
    assert action.due_on is not None
    return f"{PREFIX}:{action.id}:{action.due_on.isoformat()}"


def _insert(session: Session, values: dict[str, Any]) -> bool:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(MailMessage).values(**values).on_conflict_do_nothing(index_elements=["user_id", "key"])
    return bool(getattr(session.execute(stmt), "rowcount", 0))


def queue_reminders(session: Session, now: datetime) -> int:
    """Write the reminders that are due by ``now`` (Danish date) and not yet written; returns how many."""
    today = now.astimezone(DANISH_TIME).date()
    days = func.coalesce(MailPreference.action_reminder_days, DEFAULT_DAYS)
    rows = session.execute(
        select(Action, days, MailPreference.action_reminder_days.is_(None) & MailPreference.user_id.is_not(None))
        .join(User, User.id == Action.owner_user_id)
        .outerjoin(MailPreference, MailPreference.user_id == User.id)
        .where(
            Action.status.in_(OPEN),
            Action.due_on.is_not(None),
            Action.due_on >= today,
            Action.due_on <= today + timedelta(days=366),
            User.is_active.is_(True),
            User.municipality_id == Action.municipality_id,
            or_(MailPreference.mode.is_(None), MailPreference.mode != "off"),
        )
        .order_by(Action.id)
    ).all()
    written = 0
    for action, lead, switched_off in rows:
        if switched_off or action.due_on is None or action.due_on - timedelta(days=int(lead)) > today:
            continue
        key = reminder_key(action)
        written += _insert(
            session,
            {
                "user_id": action.owner_user_id,
                "key": key,
                "kind": KIND,
                "notice": NOTICE,
                "action_id": action.id,
                "due_on": action.due_on,
                "message_id": message_id_for(action.owner_user_id or 0, key),
                "event_ids": [],
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            },
        )
    if written:
        wake.announce(session, MAIL.name)
    session.flush()
    return written


def compose(session: Session, mail: MailMessage, user: User) -> tuple[str, str, dict[str, Any]] | None:
    """The reminder's subject, template and context; None when it no longer applies (closed, other owner,
    other due day)."""
    action = session.get(Action, mail.action_id) if mail.action_id is not None else None
    if (
        action is None
        or action.status not in OPEN
        or action.owner_user_id != user.id
        or action.due_on is None
        or action.due_on != mail.due_on
    ):
        return None
    item = load_one(session, action.municipality, user, action)
    url = link("handlinger.item_page", code=action.municipality.code, action_id=action.id)
    subject = _("TU-tracker: frist %(day)s for en handling, du er ansvarlig for", day=action.due_on.isoformat())
    lines: list[tuple[str, str | None]] = [
        (item.title, url),
        (_("Løsning: %(name)s", name=item.solution_name or "–"), None),
        (_("Status: %(status)s", status=str(ACTION_STATUS_LABELS[action.status])), None),
        (_("Frist: %(day)s", day=action.due_on.isoformat()), None),
    ]
    reason = _("Du får denne mail, fordi du er ansvarlig for handlingen. Vælg antal dage i dine mailindstillinger.")
    return subject, "alert", {"lines": lines, "reason": reason}


def overdue_for(session: Session, user: User, day: date) -> list[tuple[str, str]]:
    """The digest's overdue list for a municipality's user: (line, link) of the open actions past their due
    day that the user owns or that nobody owns, oldest due day first."""
    if user.municipality_id is None:
        return []
    if not sees_actions(user, user.municipality_id):
        return []
    actions = session.scalars(
        select(Action)
        .where(
            Action.municipality_id == user.municipality_id,
            Action.status.in_(OPEN),
            Action.due_on < day,
            or_(Action.owner_user_id == user.id, Action.owner_user_id.is_(None) & Action.owner_team.is_(None)),
        )
        .options(joinedload(Action.solution), joinedload(Action.municipality))
        .order_by(Action.due_on, Action.id)
        .limit(50)
    ).all()
    return [
        (
            _(
                "%(solution)s: frist %(day)s (%(status)s)",
                solution=a.solution.name if a.solution else "–",
                day=a.due_on.isoformat() if a.due_on else "",
                status=str(ACTION_STATUS_LABELS[a.status]),
            ),
            link("handlinger.item_page", code=a.municipality.code, action_id=a.id),
        )
        for a in actions
    ]


def compose_changed(session: Session, mail: MailMessage, user: User) -> tuple[str, str, dict[str, Any]] | None:
    """The owner's notice that the registry changed their action: what it is now, and why (the history's
    reason). None when the action is gone or no longer theirs."""
    action = session.get(Action, mail.action_id) if mail.action_id is not None else None
    if action is None or action.owner_user_id != user.id:
        return None
    change = session.scalar(
        select(ActionChange)
        .where(ActionChange.action_id == action.id, ActionChange.actor_id.is_(None))
        .order_by(ActionChange.id.desc())
        .limit(1)
    )
    item = load_one(session, action.municipality, user, action)
    url = link("handlinger.item_page", code=action.municipality.code, action_id=action.id)
    subject = _(
        "TU-tracker: registeret har ændret en handling, du er ansvarlig for (%(name)s)", name=item.solution_name or "–"
    )
    lines: list[tuple[str, str | None]] = [(item.title, url)]
    if change is not None and change.reason:
        lines.append((change.reason, None))
    lines.append((_("Status: %(status)s", status=str(ACTION_STATUS_LABELS[action.status])), None))
    if action.due_on is not None:
        lines.append((_("Frist: %(day)s", day=action.due_on.isoformat()), None))
    return subject, "alert", {"lines": lines, "reason": _("Du får denne mail, fordi du er ansvarlig for handlingen.")}
