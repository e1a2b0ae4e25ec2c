"""Administration of users and organisations; every action is written to the audit trail in its transaction.

Services check the caller's role themselves as well (defence in depth): a route that forgets is still safe.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tracker.auth import audit, token_cache
from tracker.auth.passwords import generate_password, hash_password, password_problem, user_inputs, verify_password
from tracker.auth.permissions import (
    holders,
    require,
    role_belongs_to_municipality,
    role_belongs_to_organisation,
    role_may,
)
from tracker.auth.users import create_user, resolve_binding
from tracker.clock import utcnow
from tracker.errors import Conflict, NotFound, ValidationError
from tracker.models import FeedToken, Organisation, Subscription, User
from tracker.models.vocab import OrganisationKind

ORG_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,78}[a-z0-9]$|^[a-z0-9]$")


def get_user(session: Session, user_id: int) -> User:
    """A user by id, or 404."""
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise NotFound("auth.user_not_found")
    return user


def list_users(session: Session) -> list[User]:
    """Every user, active first, by e-mail."""
    return list(session.scalars(select(User).order_by(User.is_active.desc(), User.email)))


def admin_create_user(
    session: Session,
    *,
    admin: User,
    email: str,
    role: str,
    organisation: str | None,
    municipality: str | None,
    name: str | None,
    remote_addr: str | None = None,
) -> tuple[User, str]:
    """Create a user with a one-time password (returned once, never stored in the clear)."""
    require(admin, "user.manage")
    user, password = create_user(
        session,
        email=email,
        role=role,
        organisation=organisation or None,
        municipality=municipality or None,
        name=name or None,
    )
    audit.record(
        session,
        "user.create",
        actor=admin,
        object_type="user",
        object_id=user.id,
        details={"email": user.email, "role": user.role, "organisation": organisation, "municipality": municipality},
        remote_addr=remote_addr,
    )
    return user, password


def _active_admins(session: Session) -> int:
    return (
        session.scalar(select(func.count()).select_from(User).where(holders("user.manage"), User.is_active.is_(True)))
        or 0
    )


def set_active(session: Session, *, admin: User, user: User, active: bool, remote_addr: str | None = None) -> None:
    """Deactivate (ends sessions and tokens at once) or reactivate a user. Admins cannot lock themselves out."""
    require(admin, "user.manage")
    if not active and user.id == admin.id and user.is_active:
        raise Conflict("auth.self_not_deactivated")
    apply_active(session, user=user, active=active, actor=admin, remote_addr=remote_addr)


def apply_active(
    session: Session,
    *,
    user: User,
    active: bool,
    actor: User | None,
    actor_label: str | None = None,
    remote_addr: str | None = None,
) -> None:
    """Switch a user on or off (the admin page and ``tracker users deactivate``; callers check who may).

    Deactivation also switches off the user's webhook subscriptions and revokes the feed/calendar tokens they
    created: what they set up must not go on sending a municipality's events to an address nobody answers for.
    Reactivating gives neither back; the user switches them on again themselves.
    """
    if user.is_active == active:
        return
    if not active and role_may(user.role, "user.manage") and _active_admins(session) <= 1:
        raise Conflict("auth.last_admin_not_deactivated")
    user.is_active = active
    token_cache.forget_all()  # this worker at once; the others within AUTH_CACHE_SECONDS
    # A new nonce ends every existing login session of the user.
    user.session_nonce = secrets.token_hex(8)
    ended: dict[str, int] = {}
    if not active:
        now = utcnow()
        subs = session.execute(
            update(Subscription)
            .where(Subscription.owner_id == user.id, Subscription.active.is_(True))
            .values(active=False, disabled_reason="Slået fra, fordi ejerens konto er deaktiveret.")
            .execution_options(synchronize_session="fetch")
        )
        feeds = session.execute(
            update(FeedToken)
            .where(FeedToken.created_by_id == user.id, FeedToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )
        ended = {"subscriptions_disabled": subs.rowcount or 0, "feed_tokens_revoked": feeds.rowcount or 0}  # type: ignore[attr-defined]  # rowcount is on the CursorResult the stub types as Result
    audit.record(
        session,
        "user.activate" if active else "user.deactivate",
        actor=actor,
        actor_label=actor_label,
        object_type="user",
        object_id=user.id,
        details={"email": user.email, **ended},
        remote_addr=remote_addr,
    )
    session.flush()


def reset_password(session: Session, *, admin: User, user: User, remote_addr: str | None = None) -> str:
    """Give the user a new one-time password; old sessions end. Returns the password to show once."""
    require(admin, "user.manage")
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_nonce = secrets.token_hex(8)
    audit.record(
        session,
        "user.reset_password",
        actor=admin,
        object_type="user",
        object_id=user.id,
        details={"email": user.email},
        remote_addr=remote_addr,
    )
    return password


def change_role(
    session: Session,
    *,
    admin: User,
    user: User,
    role: str,
    organisation: str | None = None,
    municipality: str | None = None,
    remote_addr: str | None = None,
) -> None:
    """Change a user's role and binding (vendors need an organisation, municipality users a municipality)."""
    require(admin, "user.manage")
    org, mun, problems = resolve_binding(session, role, organisation, municipality)
    if problems:
        raise ValidationError("auth.role_not_changed", problems)
    # The last active user who may manage users keeps a role that may.
    demoted = role_may(user.role, "user.manage") and not role_may(role, "user.manage")
    if demoted and user.is_active and _active_admins(session) <= 1:
        raise Conflict("auth.last_admin_role_kept")
    before = {"role": user.role, "organisation_id": user.organisation_id, "municipality_id": user.municipality_id}
    user.role = role
    token_cache.forget_all()  # remembered tokens carry the old role
    user.organisation_id = org.id if org is not None and role_belongs_to_organisation(role) else None
    user.municipality_id = mun.id if mun is not None and role_belongs_to_municipality(role) else None
    after = {"role": user.role, "organisation_id": user.organisation_id, "municipality_id": user.municipality_id}
    if before != after:
        audit.record(
            session,
            "user.change_role",
            actor=admin,
            object_type="user",
            object_id=user.id,
            details={"email": user.email, "before": before, "after": after},
            remote_addr=remote_addr,
        )
    session.flush()


def change_own_password(
    session: Session, *, user: User, current: str, new: str, remote_addr: str | None = None
) -> None:
    """A user replaces their (one-time) password; other sessions end."""
    if not verify_password(user.password_hash, current):
        raise ValidationError("auth.current_password_wrong", {"current": "Forkert adgangskode."})
    _replace_password(session, user, new, "Den nye adgangskode skal være en anden end den nuværende.", remote_addr)


def set_first_password(session: Session, *, user: User, new: str, remote_addr: str | None = None) -> None:
    """Replace a one-time password right after logging in with it (the login proved the current one)."""
    if not user.must_change_password:
        raise Conflict("auth.first_password_already_set")
    _replace_password(
        session, user, new, "Den nye adgangskode skal være en anden end engangsadgangskoden.", remote_addr
    )


def _replace_password(session: Session, user: User, new: str, same: str, remote_addr: str | None) -> None:
    """Set the user's own new password (``same`` refuses the one they have); their other sessions end."""
    if verify_password(user.password_hash, new):
        raise ValidationError(same, {"new": same})
    problem = password_problem(new, password_user_inputs(user))
    if problem:
        raise ValidationError(problem, {"new": problem})
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.session_nonce = secrets.token_hex(8)
    audit.record(
        session, "user.change_password", actor=user, object_type="user", object_id=user.id, remote_addr=remote_addr
    )


def password_user_inputs(user: User) -> tuple[str, ...]:
    """The user's own words zxcvbn must not accept a password built from (e-mail, name, municipality, org)."""
    return user_inputs(
        user.email,
        user.name,
        user.municipality.name if user.municipality is not None else None,
        user.organisation.name if user.organisation is not None else None,
        user.organisation.slug if user.organisation is not None else None,
    )


def list_organisations(session: Session) -> list[Organisation]:
    """Every organisation by name."""
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    """An organisation by id, or 404."""
    org = session.get(Organisation, organisation_id) if 0 < organisation_id < 2**31 else None
    if org is None:
        raise NotFound("auth.organisation_not_found")
    return org


def create_organisation(
    session: Session,
    *,
    actor: User,
    slug: str,
    name: str,
    kind: str,
    url: str | None = None,
    remote_addr: str | None = None,
) -> Organisation:
    """Create an organisation (coordinators and admins)."""
    require(actor, "organisation.manage")
    slug, name = slug.strip().lower(), name.strip()
    problems: dict[str, str] = {}
    if not ORG_SLUG_RE.fullmatch(slug):
        problems["slug"] = "Kun små bogstaver a-z, tal og bindestreg (højst 80 tegn)."
    if not name or len(name) > 200:
        problems["name"] = "Navnet skal have 1–200 tegn."
    if kind not in tuple(OrganisationKind):
        problems["kind"] = f"Skal være en af: {', '.join(OrganisationKind)}."
    if url and (len(url) > 500 or not url.startswith(("https://", "http://"))):
        problems["url"] = "Skal være en http(s)-adresse på højst 500 tegn."
    if problems:
        raise ValidationError("auth.organisation_not_created", problems)
    if session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise Conflict("auth.organisation_slug_taken", {"slug": "Findes allerede."}, slug=slug)
    org = Organisation(slug=slug, name=name, kind=kind, url=url or None, trusted=False)
    session.add(org)
    session.flush()
    audit.record(
        session,
        "organisation.create",
        actor=actor,
        object_type="organisation",
        object_id=org.id,
        details={"slug": slug, "name": name, "kind": kind},
        remote_addr=remote_addr,
    )
    return org


def set_trusted(
    session: Session, *, actor: User, organisation: Organisation, trusted: bool, remote_addr: str | None = None
) -> None:
    """Mark a vendor organisation trusted (its proposals are accepted at once, as 'reported') or not."""
    require(actor, "organisation.manage")
    if trusted and organisation.kind != OrganisationKind.VENDOR:
        raise ValidationError("auth.only_suppliers_trusted", {"trusted": "Kun leverandører."})
    if organisation.trusted == trusted:
        return
    organisation.trusted = trusted
    audit.record(
        session,
        "organisation.trust" if trusted else "organisation.untrust",
        actor=actor,
        object_type="organisation",
        object_id=organisation.id,
        details={"slug": organisation.slug},
        remote_addr=remote_addr,
    )
