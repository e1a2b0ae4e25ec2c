"""Who may do and see what: one place decides, and every route, service, the outbox and the event log ask here.

- roles: ``require_user``, ``require_role``, ``is_coordinator``;
- vendor ownership: ``owns_solution`` (a vendor's organisation is the solution's vendor), ``provides_solution``
  (it is the service provider), ``speaks_for`` (either), ``can_report_on``, ``may_propose_for``;
- a municipality's private data (IdPs, portfolio, readiness, its own events): ``can_see_municipality``,
  ``own_municipality_id``;
- the NSIS level of a single sign-on session: ``level_suffices`` — below Substantial a session counts as
  anonymous (public pages only) and is refused with a clear 403 elsewhere (``tracker.auth.guard.level_guard``
  applies it to every request before any view runs).
"""

from __future__ import annotations

from tracker.errors import Forbidden, Unauthorized
from tracker.models import Solution, User
from tracker.models.vocab import LOA_RANK, Loa, Role

# A municipality's private data and every write need a login at least this strong (NSIS Betydelig).
PRIVATE_MIN_LOA = Loa.BETYDELIG


def require_user(user: User | None) -> User:
    """The user, or 401 when anonymous."""
    if user is None:
        raise Unauthorized("Du skal logge ind eller sende et API-token.")
    return user


def require_role(user: User | None, *roles: Role) -> User:
    """The user if their role is one of ``roles``; else 401/403."""
    user = require_user(user)
    if user.role not in roles:
        raise Forbidden("Din rolle giver ikke adgang til denne handling.")
    return user


def is_coordinator(user: User | None) -> bool:
    """Coordinators and admins maintain the registry."""
    return user is not None and user.role in (Role.COORDINATOR, Role.ADMIN)


def owns_solution(user: User | None, solution: Solution) -> bool:
    """A vendor user whose organisation is the solution's vendor."""
    return (
        user is not None
        and user.role == Role.VENDOR
        and user.organisation_id is not None
        and solution.vendor_id == user.organisation_id
    )


def provides_solution(user: User | None, solution: Solution) -> bool:
    """A user of the solution's service provider: the authority that decides its level."""
    return (
        user is not None
        and user.role == Role.VENDOR
        and user.organisation_id is not None
        and solution.service_provider_id == user.organisation_id
    )


def speaks_for(user: User | None, solution: Solution) -> bool:
    """A user of the organisation that builds the solution or of the one that provides it."""
    return owns_solution(user, solution) or provides_solution(user, solution)


def can_report_on(user: User | None, solution: Solution) -> bool:
    """Coordinators on any solution; organisations' users on the solutions they build or provide."""
    return is_coordinator(user) or speaks_for(user, solution)


def may_propose_for(user: User, solution: Solution) -> bool:
    """Organisations propose changes to the solutions they build or provide only; other roles, to any."""
    return user.role != Role.VENDOR or speaks_for(user, solution)


def own_municipality_id(user: User | None) -> int | None:
    """The municipality a municipality user belongs to (None for everyone else)."""
    if user is None or user.role != Role.MUNICIPALITY:
        return None
    return user.municipality_id


def can_see_municipality(user: User | None, municipality_id: int) -> bool:
    """A municipality's IdPs, portfolio, readiness and own events: its own users and coordinators only."""
    if is_coordinator(user):
        return True
    own = own_municipality_id(user)
    return own is not None and own == municipality_id


def can_answer_inquiry(user: User | None, solution: Solution) -> bool:
    """Inquiries are answered by the solution's vendor or service provider (their users), or coordinators."""
    return can_report_on(user, solution)


def can_ask_inquiry(user: User | None) -> bool:
    """Municipalities ask (and join) for themselves; coordinators ask on behalf of all."""
    return user is not None and (is_coordinator(user) or user.role == Role.MUNICIPALITY)


def level_suffices(session_loa: str | None) -> bool:
    """Whether a login session's NSIS level allows more than public pages.

    ``None`` is a password login (with TOTP where the role requires it): it keeps its role's rules. A single
    sign-on session carries the level its IdP asserted and needs Substantial or High.
    """
    if session_loa is None:
        return True
    return session_loa in LOA_RANK and LOA_RANK[Loa(session_loa)] >= LOA_RANK[PRIVATE_MIN_LOA]
