"""Who may see and edit a municipality's IdPs, portfolio and readiness: its own users, coordinators, admins.

Every route (API, pages, exports) asks here; the rule is the policy table's ``municipality.private``.
"""

from __future__ import annotations

from tracker.auth.permissions import may, require
from tracker.http_cache import MunicipalityState
from tracker.models import Municipality, User


def require_municipality_access(user: User | None, municipality: Municipality | MunicipalityState) -> User:
    """The user if they may see and edit M's private data; 401 when anonymous, 403 otherwise."""
    return require(user, "municipality.private", municipality)


def require_coordinator(user: User | None) -> User:
    """Coordinators and admins only (the national picture); 401 when anonymous, 403 otherwise."""
    return require(user, "national.read")


def sees_who_uses_what(user: User | None) -> bool:
    """Which municipalities use a solution is private to coordinators."""
    return may(user, "solution.see_users")
