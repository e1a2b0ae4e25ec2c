"""The catch-up event log: every change event after a cursor, in stable ascending order.

Solution events are public. A municipality's own events (readiness) are visible only to that municipality's
users and to coordinators/admins — the same rule as its feed, calendar and webhooks.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.auth.permissions import PRIVATE_EVENT_TYPES, may, own_municipality_id
from tracker.models import ChangeEvent, User

MAX_LIMIT = 500


def events_after(session: Session, user: User | None, *, after: int, limit: int) -> list[ChangeEvent]:
    """Up to ``limit`` events with id > ``after`` that the user may see, oldest first."""
    stmt = select(ChangeEvent).where(ChangeEvent.id > after)
    own_actions = own_municipality_id(user)
    private = ChangeEvent.type.in_(PRIVATE_EVENT_TYPES)
    if own_actions is None or user is None or not may(user, "municipality.actions", own_actions):
        stmt = stmt.where(~private)  # a municipality's actions: its own users only, coordinators neither
    else:
        stmt = stmt.where(or_(~private, ChangeEvent.municipality_id == own_actions))
    if not may(user, "national.read"):  # coordinators read every municipality's events
        own = own_municipality_id(user)
        if own is not None:
            stmt = stmt.where(or_(ChangeEvent.municipality_id.is_(None), ChangeEvent.municipality_id == own))
        else:
            stmt = stmt.where(ChangeEvent.municipality_id.is_(None))
    return list(session.scalars(stmt.order_by(ChangeEvent.id).limit(max(1, min(limit, MAX_LIMIT)))))
