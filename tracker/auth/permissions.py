"""Role checks used by every write route: one place decides who may do what."""

from __future__ import annotations

from tracker.errors import Forbidden, Unauthorized
from tracker.models import Solution, User
from tracker.models.vocab import Role


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


def can_report_on(user: User | None, solution: Solution) -> bool:
    """Vendors may report only on solutions whose vendor is their organisation."""
    if user is None:
        return False
    if is_coordinator(user):
        return True
    return user.role == Role.VENDOR and user.organisation_id is not None and solution.vendor_id == user.organisation_id


def can_see_municipality(user: User | None, municipality_id: int) -> bool:
    """A municipality's IdPs, portfolio and readiness: its own users and coordinators only."""
    if user is None:
        return False
    return is_coordinator(user) or (user.role == Role.MUNICIPALITY and user.municipality_id == municipality_id)


def can_answer_inquiry(user: User | None, solution: Solution) -> bool:
    """Inquiries are answered by the solution's vendor or service provider (their users), or coordinators."""
    if user is None:
        return False
    if is_coordinator(user):
        return True
    return (
        user.role == Role.VENDOR
        and user.organisation_id is not None
        and user.organisation_id in (solution.vendor_id, solution.service_provider_id)
    )


def can_ask_inquiry(user: User | None) -> bool:
    """Municipalities ask (and join) for themselves; coordinators ask on behalf of all."""
    return user is not None and (is_coordinator(user) or user.role == Role.MUNICIPALITY)
