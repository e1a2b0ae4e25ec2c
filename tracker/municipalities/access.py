"""Who may see and edit a municipality's IdPs, portfolio and readiness: its own users, coordinators, admins.

Every route (API, pages, exports) asks here, so the rule lives in one place (``permissions.can_see_municipality``).
"""

from __future__ import annotations

from tracker.auth.permissions import can_see_municipality, is_coordinator, require_role, require_user
from tracker.errors import Forbidden
from tracker.http_cache import MunicipalityState
from tracker.models import Municipality, User
from tracker.models.vocab import Role


def require_municipality_access(user: User | None, municipality: Municipality | MunicipalityState) -> User:
    """The user if they may see and edit M's private data; 401 when anonymous, 403 otherwise."""
    user = require_user(user)
    if not can_see_municipality(user, municipality.id):
        raise Forbidden(
            f"Du har ikke adgang til IdP'er, portefølje og parathed for {municipality.name}. "
            "Kun kommunens egne brugere og KL's koordinatorer har det."
        )
    return user


def require_coordinator(user: User | None) -> User:
    """Coordinators and admins only (the national picture); 401 when anonymous, 403 otherwise."""
    return require_role(user, Role.COORDINATOR, Role.ADMIN)


def sees_who_uses_what(user: User | None) -> bool:
    """Which municipalities use a solution is private to coordinators."""
    return is_coordinator(user)
