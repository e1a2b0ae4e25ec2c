"""Who may do and see what: one place decides, and every route, service, the outbox and the event log ask here.

The rules are the table in ``tracker.auth.policies`` (role × action × ownership × state); this module reads it:

- ``may(user, action, obj)``: a yes or no (menus, filters, mail recipients);
- ``require(user, action, obj)``: the user, or 401 when anonymous, 403 when the role (or ownership) does not
  allow it, 409 when the object's state does not;
- ``require_state``: the state part alone, once the object's row is locked and re-read;
- ``role_may``/``holders``: the same table for a role rather than a user (a role being given, SQL recipient lists);
- ``own_municipality_id``/``own_organisation_id``: whom a user speaks for (labels, provenance);
- the NSIS level of a single sign-on session: ``level_suffices`` — below Substantial a session counts as
  anonymous (public pages only) and is refused with a clear 403 elsewhere (``tracker.auth.guard.level_guard``
  applies it to every request before any view runs).

Routes declare their action with ``tracker.auth.protect.requires``; nothing outside these three modules
compares roles (``tests/unit/auth/test_policy_layer.py`` scans the code).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from tracker.auth.policies import ANY, MUNICIPALITY_ROLES, ORGANISATION_ROLES, POLICIES, Policy, _l
from tracker.errors import Conflict, Forbidden, Unauthorized
from tracker.i18n import translated
from tracker.models import User
from tracker.models.vocab import LOA_RANK, Loa, Role

# A municipality's private data and every write need a login at least this strong (NSIS Betydelig).
PRIVATE_MIN_LOA = Loa.BETYDELIG

# The words of a refusal where the policy has none of its own: the pages' and the API's/services'.
LOGIN_WEB = _l("Log ind for at fortsætte.")
LOGIN_API = _l("Du skal logge ind eller sende et API-token.")
REFUSED_WEB = _l("Din rolle giver ikke adgang til denne side eller handling.")
REFUSED_API = _l("Din rolle giver ikke adgang til denne handling.")


def policy(action: str) -> Policy:
    """The policy of an action (KeyError for an action the table does not know: a programming error)."""
    return POLICIES[action]


def _role(user: User) -> Role | None:
    try:
        return Role(user.role)
    except ValueError:
        return None


class _Some:
    """The object of ``may(user, action)`` without one: "to some object", the role part alone."""

    def __repr__(self) -> str:
        return "SOME"


# Passing None is not the same: a missing object (no municipality, no solution) passes only an "any" ownership.
SOME: Any = _Some()


def _allowed(user: User | None, rule: Policy, obj: Any) -> tuple[bool, bool]:
    """(role allowed, object allowed) under ``rule``; for ``SOME`` the object part is the role part."""
    if rule.public:
        return True, True
    if user is None:
        return False, False
    if rule.any_user:
        return True, True
    role = _role(user)
    ownership = rule.allow.get(role) if role is not None else None
    if ownership is None:
        return False, False
    if obj is SOME or ownership is ANY:
        return True, True
    return True, obj is not None and ownership(user, obj)


def may(user: User | None, action: str, obj: Any = SOME, *, check_state: bool = True) -> bool:
    """Whether ``user`` may do ``action`` (to ``obj``, in its current state); without ``obj``: to some object."""
    rule = policy(action)
    _role_ok, ok = _allowed(user, rule, obj)
    if not ok:
        return False
    return not (check_state and _has_state(obj) and rule.state is not None and not rule.state(obj))


def _has_state(obj: Any) -> bool:
    return obj is not SOME and obj is not None


def require(
    user: User | None,
    action: str,
    obj: Any = SOME,
    *,
    web: bool = False,
    check_state: bool = True,
    details: dict[str, Any] | None = None,
) -> User:
    """The user if they may do ``action`` (to ``obj``); 401 when anonymous, 403 when not allowed, 409 by state.

    ``web``: the pages' words for the defaults (log in to continue); else the API's (log in or send a token).
    ``check_state=False`` leaves the state to a later call, made once the object's row is locked.
    """
    rule = policy(action)
    if rule.public and user is not None:
        return user
    if user is None:
        raise Unauthorized(translated(LOGIN_WEB if web else LOGIN_API))
    role_ok, object_ok = _allowed(user, rule, obj)
    if not role_ok:
        raise Forbidden(translated(rule.refusal or (REFUSED_WEB if web else REFUSED_API)), details)
    if not object_ok:
        others = rule.others
        if callable(others):
            others = others(obj)
        raise Forbidden(translated(others or rule.refusal or (REFUSED_WEB if web else REFUSED_API)), details)
    if check_state and _has_state(obj) and rule.state is not None and not rule.state(obj):
        raise Conflict(rule.state.conflict(obj), {"state": getattr(obj, "state", None)})
    return user


def role_may(role: str | Role, action: str) -> bool:
    """Whether a role may do ``action`` to some object (a user's new role, a role asked about in a form)."""
    rule = policy(action)
    if rule.public or rule.any_user:
        return True
    try:
        return Role(role) in rule.allow
    except ValueError:
        return False


def holders(action: str) -> ColumnElement[bool]:
    """SQL: the users whose role may do ``action`` to some object (recipients, owners, the last admin)."""
    return User.role.in_(sorted(r.value for r in Role if role_may(r, action)))


def require_state(action: str, obj: Any) -> None:
    """409 unless ``obj``'s state allows ``action`` (after its row was locked and re-read)."""
    rule = policy(action)
    if rule.state is not None and not rule.state(obj):
        raise Conflict(rule.state.conflict(obj), {"state": getattr(obj, "state", None)})


def require_user(user: User | None) -> User:
    """The user, or 401 when anonymous."""
    return require(user, "account")


def own_municipality_id(user: User | None) -> int | None:
    """The municipality a municipality user belongs to (None for everyone else)."""
    if user is None or _role(user) not in MUNICIPALITY_ROLES:
        return None
    return user.municipality_id


def own_organisation_id(user: User | None) -> int | None:
    """The organisation an organisation's user (a vendor's or a service provider's) speaks for (None for others)."""
    if user is None or _role(user) not in ORGANISATION_ROLES:
        return None
    return user.organisation_id


def role_belongs_to_organisation(role: str | Role) -> bool:
    """Whether a user of this role must belong to an organisation (a vendor's or service provider's user)."""
    return role in ORGANISATION_ROLES


def role_belongs_to_municipality(role: str | Role) -> bool:
    """Whether a user of this role must belong to a municipality."""
    return role in MUNICIPALITY_ROLES


# A municipality's own events that only its own users may receive (webhooks, event log): its actions (issue 27).
PRIVATE_EVENT_TYPES = ("action.updated",)


def may_receive_event(user: User | None, event_type: str, municipality_id: int | None) -> bool:
    """Whether an event may reach this user; a municipality's actions' events only its own active users."""
    if event_type not in PRIVATE_EVENT_TYPES:
        return True
    return (
        municipality_id is not None
        and user is not None
        and user.is_active
        and may(user, "municipality.actions", municipality_id)
    )


def level_suffices(session_loa: str | None) -> bool:
    """Whether a login session's NSIS level allows more than public pages.

    ``None`` is a password login (with TOTP where the role requires it): it keeps its role's rules. A single
    sign-on session carries the level its IdP asserted and needs Substantial or High.
    """
    if session_loa is None:
        return True
    return session_loa in LOA_RANK and LOA_RANK[Loa(session_loa)] >= LOA_RANK[PRIVATE_MIN_LOA]
