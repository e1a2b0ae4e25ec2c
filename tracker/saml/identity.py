"""Who an assertion says logged in, and what that makes them here.

The persistent professional UUID identifies the person (an account is created at the first login, without a
password, with name and e-mail from the attributes). The CVR decides the rest, at every login: a municipality's
CVR binds them to it; an organisation's CVR (a vendor, KL, a region) to that organisation; a coordinator is
whoever holds the coordinator privilege scoped to KL's CVR. When a login binds a person differently from before
(their staff group moved to the region on 1 January 2027) their other sessions end at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth import audit
from tracker.auth.sessions import end_all_sessions
from tracker.models import Municipality, Organisation, SamlIdp, User
from tracker.models.vocab import Loa, OrganisationKind, Role
from tracker.municipalities.cvr import valid_cvr
from tracker.saml import attributes
from tracker.saml.checks import Reason, Refused


@dataclass(frozen=True)
class Claims:
    """The attributes of one assertion that matter here."""

    uuid: str
    cvr: str
    email: str
    name: str | None
    loa: Loa
    privileges: tuple[attributes.Privilege, ...]


@dataclass(frozen=True)
class Binding:
    """The role an assertion gives, and the municipality or organisation it binds to."""

    role: Role
    municipality: Municipality | None = None
    organisation: Organisation | None = None


def _one(ava: dict[str, list[Any]], name: str) -> str | None:
    values = [str(v).strip() for v in ava.get(name) or [] if str(v).strip()]
    return values[0] if values else None


def read_claims(ava: dict[str, list[Any]], class_ref: str | None, accepted_spec_versions: list[str]) -> Claims:
    """The claims of an assertion's attributes; refuses a wrong specVersion, a missing attribute, a LoA mismatch."""
    spec = _one(ava, attributes.SPEC_VERSION)
    if spec not in accepted_spec_versions:
        raise Refused(Reason.SPEC_VERSION, f"specVersion {spec!r} not in {accepted_spec_versions}")
    missing = sorted(name for name in attributes.REQUIRED if not _one(ava, name))
    if missing:
        raise Refused(Reason.MISSING_ATTRIBUTE, f"missing {', '.join(missing)}")
    loa_name = _one(ava, attributes.LOA) or ""
    loa = attributes.LEVELS.get(loa_name)
    class_level = attributes.level_of_class_ref(class_ref)
    if loa is None or class_level is None or loa != class_level:
        raise Refused(Reason.LOA_MISMATCH, f"LoA attribute {loa_name!r}, AuthnContextClassRef {class_ref!r}")
    privileges: list[attributes.Privilege] = []
    for encoded in ava.get(attributes.PRIVILEGES) or []:
        try:
            privileges += attributes.parse_privileges(str(encoded))
        except ValueError as exc:
            raise Refused(Reason.BAD_PRIVILEGES, str(exc)) from exc
    return Claims(
        uuid=str(_one(ava, attributes.UUID))[:200],
        cvr=str(_one(ava, attributes.CVR)),
        email=str(_one(ava, attributes.EMAIL)).lower()[:254],
        name=(_one(ava, attributes.FULL_NAME) or None),
        loa=loa,
        privileges=tuple(privileges),
    )


def may_vouch(session: Session, idp: SamlIdp, cvr: str) -> bool:
    """Whether this IdP is trusted for staff of this CVR."""
    if cvr in (idp.allowed_cvrs or []):
        return True
    return idp.all_municipalities and session.scalar(select(Municipality.id).where(Municipality.cvr == cvr)) is not None


def kl(session: Session) -> Organisation | None:
    """KL, whose CVR scopes the coordinator privilege (set by an admin under /admin/sso)."""
    return session.scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.KL).order_by(Organisation.id)
    )


def bind(session: Session, idp: SamlIdp, claims: Claims, coordinator_privilege: str) -> Binding:
    """The role and binding the claims give through this IdP; refuses a CVR it may not vouch for or we do not know."""
    if not valid_cvr(claims.cvr):
        raise Refused(Reason.UNKNOWN_CVR, f"CVR {claims.cvr!r} is not a valid CVR number")
    if not may_vouch(session, idp, claims.cvr):
        raise Refused(Reason.CVR_NOT_ALLOWED, f"IdP {idp.entity_id} may not vouch for CVR {claims.cvr}")
    kl_org = kl(session)
    kl_cvr = kl_org.cvr if kl_org is not None else None
    # The privilege counts only scoped to KL's CVR, and only from an IdP trusted to speak for KL.
    if (
        kl_cvr
        and may_vouch(session, idp, kl_cvr)
        and any(p.cvr == kl_cvr and p.value == coordinator_privilege for p in claims.privileges)
    ):
        return Binding(Role.COORDINATOR, organisation=kl_org)
    municipality = session.scalar(select(Municipality).where(Municipality.cvr == claims.cvr))
    if municipality is not None:
        return Binding(Role.MUNICIPALITY, municipality=municipality)
    organisation = session.scalar(select(Organisation).where(Organisation.cvr == claims.cvr))
    if organisation is not None:
        return Binding(Role.VENDOR, organisation=organisation)
    raise Refused(Reason.UNKNOWN_CVR, f"CVR {claims.cvr} is neither a municipality's nor an organisation's")


def check_email(session: Session, claims: Claims) -> None:
    """Refuse a first login whose e-mail already belongs to another account (never linked by e-mail alone)."""
    known = session.scalar(select(User.id).where(User.saml_uuid == claims.uuid))
    other = session.scalar(select(User.id).where(User.email == claims.email))
    if other is not None and other != known and known is None:
        raise Refused(Reason.EMAIL_IN_USE, "another account has this e-mail address")


def provision(
    session: Session, claims: Claims, binding: Binding, *, now: datetime, remote_addr: str | None
) -> tuple[User, bool]:
    """The user for these claims (created at the first login) bound as the assertion says; flushes only.

    Returns the user and whether the binding changed (then every other session of theirs has ended).
    """
    user = session.scalar(select(User).where(User.saml_uuid == claims.uuid))
    municipality_id = binding.municipality.id if binding.municipality else None
    organisation_id = binding.organisation.id if binding.organisation else None
    changed = False
    if user is None:
        user = User(
            email=claims.email,
            name=claims.name,
            role=binding.role,
            municipality_id=municipality_id,
            organisation_id=organisation_id,
            password_hash=None,
            saml_uuid=claims.uuid,
            session_nonce=secrets.token_hex(8),
            must_change_password=False,
        )
        session.add(user)
        session.flush()
        audit.record(session, "user.created_by_sso", actor=user, object_type="user", object_id=user.id)
    else:
        if not user.is_active:
            raise Refused(Reason.INVALID, f"user {user.id} is deactivated")
        before = (user.role, user.municipality_id, user.organisation_id)
        after = (str(binding.role), municipality_id, organisation_id)
        if before != after:
            changed = True
            end_all_sessions(session, user)
            user.role, user.municipality_id, user.organisation_id = after
            audit.record(
                session,
                "user.rebound_by_sso",
                actor=user,
                object_type="user",
                object_id=user.id,
                details={"before": list(before), "after": list(after), "cvr": claims.cvr},
                remote_addr=remote_addr,
            )
        if claims.name:
            user.name = claims.name
        taken = session.scalar(select(User.id).where(User.email == claims.email, User.id != user.id))
        if taken is None:
            user.email = claims.email
    user.cvr = claims.cvr
    user.last_login_at = now
    session.flush()
    return user, changed


def lose_binding(session: Session, uuid: str, cvr: str, *, remote_addr: str | None) -> bool:
    """A known person came with a CVR we cannot bind: their old binding no longer holds, so their sessions end.

    Nothing is created; returns whether such a person existed.
    """
    user = session.scalar(select(User).where(User.saml_uuid == uuid))
    if user is None:
        return False
    end_all_sessions(session, user)
    audit.record(
        session,
        "user.sso_binding_lost",
        actor=user,
        object_type="user",
        object_id=user.id,
        details={"cvr": cvr},
        remote_addr=remote_addr,
    )
    session.flush()
    return True
