"""User accounts: create with a one-time password; bound to an organisation or a municipality by role."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth.passwords import generate_password, hash_password
from tracker.auth.permissions import role_belongs_to_municipality, role_belongs_to_organisation
from tracker.errors import Conflict, ValidationError
from tracker.models import Municipality, Organisation, User
from tracker.models.vocab import Role

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")


def resolve_binding(
    session: Session, role: str, organisation: str | None, municipality: str | None
) -> tuple[Organisation | None, Municipality | None, dict[str, str]]:
    """The organisation and municipality a role binds to, with a Danish problem per field when they don't fit."""
    problems: dict[str, str] = {}
    if role not in tuple(Role):
        problems["role"] = f"Skal være en af: {', '.join(Role)}."
    org = session.scalar(select(Organisation).where(Organisation.slug == organisation)) if organisation else None
    if organisation and org is None:
        problems["organisation"] = f"Ukendt organisation '{organisation}'."
    mun = session.scalar(select(Municipality).where(Municipality.code == municipality)) if municipality else None
    if municipality and mun is None:
        problems["municipality"] = f"Ukendt kommunekode '{municipality}'."
    if role_belongs_to_organisation(role) and org is None:
        problems.setdefault("organisation", "En leverandørbruger skal høre til en organisation.")
    if role_belongs_to_municipality(role) and mun is None:
        problems.setdefault("municipality", "En kommunebruger skal høre til en kommune.")
    return org, mun, problems


def create_user(
    session: Session,
    *,
    email: str,
    role: str,
    organisation: str | None = None,
    municipality: str | None = None,
    name: str | None = None,
) -> tuple[User, str]:
    """Create a user with a random one-time password; returns the user and the password."""
    email = email.strip().lower()
    problems: dict[str, str] = {}
    if not EMAIL_RE.match(email):
        problems["email"] = "Ugyldig e-mailadresse."
    org, mun, binding_problems = resolve_binding(session, role, organisation, municipality)
    problems.update(binding_problems)
    if problems:
        raise ValidationError("auth.user_not_created", problems)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("auth.user_email_taken", {"email": "Findes allerede."}, email=email)
    password = generate_password()
    user = User(
        email=email,
        name=name,
        role=role,
        organisation_id=org.id if org else None,
        municipality_id=mun.id if mun else None,
        password_hash=hash_password(password),
        must_change_password=True,
        session_nonce=secrets.token_hex(8),
    )
    session.add(user)
    session.flush()
    return user, password
