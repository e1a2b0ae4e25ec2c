"""How people appear in public inquiry and assessment views: as their municipality (by its official name) or
organisation, never by name or e-mail address. Elsewhere (review, events) ``tracker.auth.display.public_actor``
labels a user with their role; here the asker speaks for the municipality itself ("Københavns Kommune spørger").
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracker.models import Municipality, Organisation, Solution, User
from tracker.models.vocab import Role, SourceKind
from tracker.municipalities.names import official_name
from tracker.registry.actors import Actor

KL_LABEL = "KL"


def municipality_label(municipality: Municipality) -> str:
    """'Københavns Kommune', 'Aarhus Kommune': the official name."""
    return official_name(municipality)


def public_actor(session: Session, user: User) -> str:
    """A user as the public may see them: their municipality, their organisation, or KL for coordinators."""
    if user.role == Role.MUNICIPALITY and user.municipality_id is not None:
        municipality = session.get(Municipality, user.municipality_id)
        if municipality is not None:
            return municipality_label(municipality)
    if user.role == Role.VENDOR and user.organisation_id is not None:
        organisation = session.get(Organisation, user.organisation_id)
        if organisation is not None:
            return organisation.name
    return KL_LABEL


def public_actor_of(session: Session, user: User) -> Actor:
    """An event's actor: the user's id (kept private) under the public label."""
    return Actor(
        label=public_actor(session, user),
        user_id=user.id,
        role=user.role,
        organisation_id=user.organisation_id,
        municipality_id=user.municipality_id,
    )


def source_kind_of(user: User, solution: Solution) -> str:
    """The source kind of an answer: the service provider is the authority, the vendor reports, KL coordinates."""
    if user.role == Role.VENDOR and user.organisation_id is not None:
        if user.organisation_id == solution.service_provider_id:
            return SourceKind.AUTHORITY.value
        return SourceKind.VENDOR.value
    return SourceKind.COORDINATOR.value
