"""Who did something: a user, or the system itself (seed, scraper policy)."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.auth.display import public_actor
from tracker.models import User


@dataclass(frozen=True)
class Actor:
    """The author of a change, as history records it."""

    label: str
    user_id: int | None = None
    role: str | None = None
    organisation_id: int | None = None
    municipality_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        """The actor for a logged-in user, labelled by role and organisation (never name or e-mail)."""
        return cls(
            label=public_actor(user),
            user_id=user.id,
            role=user.role,
            organisation_id=user.organisation_id,
            municipality_id=user.municipality_id,
        )


SYSTEM = Actor(label="TU-tracker (system)")
