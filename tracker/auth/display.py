"""How a person is shown: in public by role and organisation only, never by name or e-mail (SPEC: privacy).

``public_actor`` is the one home for the public name of a user; every label that history, feeds, calendars,
webhooks, the API and pages show for a person is made here. ``public_label`` turns a stored label into its
public form: history is append-only, and labels written before this rule name people as 'Name <e-mail>', so
they are rewritten when shown, never in the database. Coordinators and admins see who it was
(``label_for_viewer``).
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.models import User
from tracker.models.vocab import Role

_EMAIL_RE = re.compile(r"[^\s<>@(),]+@[^\s<>@(),]+\.[^\s<>@(),]+")
_CACHE_KEY = "public_actor_by_email"


def public_actor(user: User) -> str:
    """The public label of a user: 'KL-koordinator', 'KMD (leverandør)', 'København (kommune)'."""
    if user.role == Role.COORDINATOR:
        return "KL-koordinator"
    if user.role == Role.ADMIN:
        return "TU-tracker-administrator"
    if user.role == Role.VENDOR:
        org = user.organisation
        return f"{org.name} (leverandør)" if org is not None else "Leverandør"
    if user.role == Role.MUNICIPALITY:
        mun = user.municipality
        return f"{mun.name} (kommune)" if mun is not None else "Kommune"
    return "Bruger"


def _user_by_email(session: Session | None, email: str) -> User | None:
    if session is None:
        return None
    cache: dict[str, User | None] = session.info.setdefault(_CACHE_KEY, {})
    key = email.lower()
    if key not in cache:
        cache[key] = session.scalar(select(User).where(func.lower(User.email) == key))
    return cache[key]


def public_label(label: str | None, session: Session | None = None) -> str:
    """A stored label with every person in it replaced by their public label (or 'Bruger' when unknown)."""
    if not label or "@" not in label:
        return label or ""
    for email in dict.fromkeys(_EMAIL_RE.findall(label)):
        user = _user_by_email(session, email)
        if user is not None:
            label = label.replace(user.label, public_actor(user)).replace(user.email, public_actor(user))
        # Whatever is left of the address (an unknown user, a changed name): drop it with its brackets.
        label = re.sub(r"\s*<?" + re.escape(email) + r">?", "", label, flags=re.IGNORECASE)
    return label.strip() or "Bruger"


def label_for_viewer(
    label: str | None, actor_id: int | None, viewer: User | None, session: Session | None = None
) -> str:
    """The public label; coordinators and admins also see the name of the user who acted."""
    shown = public_label(label, session)
    if viewer is None or viewer.role not in (Role.COORDINATOR, Role.ADMIN) or actor_id is None or session is None:
        return shown
    user = session.get(User, actor_id)
    return shown if user is None else f"{shown} · {user.label}"
