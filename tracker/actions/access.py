"""Who may see and change a municipality's actions: that municipality's own users, nobody else.

KL's coordinators see counts only (``queries.national_counts``), never an action, its note or its owner;
vendors and anonymous callers see nothing. Every action route, page, feed, calendar, export and webhook asks
here, so the rule can move into the shared permission layer (``tracker.auth.permissions``) in one step.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth.permissions import PRIVATE_EVENT_TYPES, may, may_receive_event, require
from tracker.broadcast.feed_tokens import hash_token, token_is_valid
from tracker.errors import Forbidden
from tracker.http_cache.stamps import MunicipalityState
from tracker.models import FeedToken, Municipality, User

ACTION = "municipality.actions"  # the policy table's row (tracker.auth.policies)
__all__ = [
    "ACTION",
    "PRIVATE_EVENT_TYPES",
    "actions_token_owner",
    "may_receive_event",
    "require_actions_access",
    "sees_actions",
]


def sees_actions(user: User | None, municipality_id: int) -> bool:
    """Whether the user may read and change the municipality's actions (active users of that municipality)."""
    return user is not None and user.is_active and may(user, ACTION, municipality_id)


def require_actions_access(
    user: User | None, municipality: Municipality | MunicipalityState, *, web: bool = False
) -> User:
    """The user if they may work on M's actions; 401 when anonymous, 403 for everyone else."""
    user = require(user, ACTION, municipality, web=web)
    if not user.is_active:
        raise Forbidden("actions.user_deactivated")
    return user


def actions_token_owner(session: Session, municipality: Municipality, plain: str | None) -> User | None:
    """The user behind a municipality's feed token, if it is valid and its creator may see M's actions.

    A feed token made by a coordinator opens M's calendar of switches, never its actions."""
    if not plain or not token_is_valid(session, municipality.id, plain):
        return None
    row = session.scalar(select(FeedToken).where(FeedToken.token_hash == hash_token(plain)))
    creator = session.get(User, row.created_by_id) if row is not None and row.created_by_id is not None else None
    return creator if creator is not None and sees_actions(creator, municipality.id) else None
