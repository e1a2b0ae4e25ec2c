"""Who may see and change a municipality's actions: that municipality's own users, nobody else.

KL's coordinators see counts only (``queries.national_counts``), never an action, its note or its owner;
vendors and anonymous callers see nothing. Every action route, page, feed, calendar, export and webhook asks
here, so the rule can move into the shared permission layer (``tracker.auth.permissions``) in one step.
"""

from __future__ import annotations

from tracker.auth.permissions import own_municipality_id, require_user
from tracker.errors import Forbidden
from tracker.models import Municipality, User

PRIVATE_EVENT_TYPES = ("action.updated",)


def sees_actions(user: User | None, municipality_id: int) -> bool:
    """Whether the user may read and change the municipality's actions (active users of that municipality)."""
    own = own_municipality_id(user)
    return user is not None and user.is_active and own is not None and own == municipality_id


def require_actions_access(user: User | None, municipality: Municipality) -> User:
    """The user if they may work on M's actions; 401 when anonymous, 403 for everyone else."""
    user = require_user(user)
    if not sees_actions(user, municipality.id):
        raise Forbidden(
            f"Handlingerne for {municipality.name} er kommunens egne. Kun kommunens egne brugere har adgang til dem."
        )
    return user


def may_receive_event(user: User | None, event_type: str, municipality_id: int | None) -> bool:
    """Whether a municipality's private event (``action.updated``) may reach this user (webhook, event log)."""
    if event_type not in PRIVATE_EVENT_TYPES:
        return True
    return municipality_id is not None and sees_actions(user, municipality_id)
