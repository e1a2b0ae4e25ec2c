"""How people appear in public inquiry and assessment views: as their municipality (by its official name) or
organisation, never by name or e-mail address. Elsewhere (review, events) ``tracker.auth.display.public_actor``
labels a user with their role; here the asker speaks for the municipality itself ("Københavns Kommune spørger").
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracker.auth.permissions import own_municipality_id, own_organisation_id
from tracker.models import Municipality, Organisation, Solution, User
from tracker.models.vocab import SourceKind
from tracker.municipalities.names import official_name
from tracker.registry.actors import Actor

KL_LABEL = "KL"


def municipality_label(municipality: Municipality) -> str:
    """'Københavns Kommune', 'Aarhus Kommune': the official name."""
    return official_name(municipality)


def public_actor(session: Session, user: User) -> str:
    """A user as the public may see them: their municipality, their organisation, or KL for coordinators."""
    municipality_id, organisation_id = own_municipality_id(user), own_organisation_id(user)
    if municipality_id is not None:
        municipality = session.get(Municipality, municipality_id)
        if municipality is not None:
            return municipality_label(municipality)
    if organisation_id is not None:
        organisation = session.get(Organisation, organisation_id)
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
    organisation_id = own_organisation_id(user)
    if organisation_id is not None:
        if organisation_id == solution.service_provider_id:
            return SourceKind.AUTHORITY.value
        return SourceKind.VENDOR.value
    return SourceKind.COORDINATOR.value
