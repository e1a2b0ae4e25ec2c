"""How a person is shown: in public by role and organisation only, never by name or e-mail (SPEC: privacy).

``public_actor`` is the one home for the public name of a user; every label that history, feeds, calendars,
webhooks, the API and pages show for a person is made here. ``public_label`` turns a stored label into its
public form: history is append-only, and labels written before this rule name people as 'Name <e-mail>', so
they are rewritten when shown, never in the database. Coordinators and admins see who it was
(``label_for_viewer``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.auth.permissions import may
from tracker.models import User
from tracker.models.vocab import Role

_EMAIL_RE = re.compile(r"[^\s<>@(),]+@[^\s<>@(),]+\.[^\s<>@(),]+")
_CACHE_KEY = "public_actor_by_email"


_PUBLIC_LABELS: dict[Role, Callable[[User], str]] = {
    Role.COORDINATOR: lambda user: "KL-koordinator",
    Role.ADMIN: lambda user: "TU-tracker-administrator",
    Role.VENDOR: lambda user: f"{user.organisation.name} (leverandør)" if user.organisation else "Leverandør",
    Role.MUNICIPALITY: lambda user: f"{user.municipality.name} (kommune)" if user.municipality else "Kommune",
}


def public_actor(user: User) -> str:
    """The public label of a user: 'KL-koordinator', 'KMD (leverandør)', 'København (kommune)'."""
    try:
        describe = _PUBLIC_LABELS[Role(user.role)]
    except ValueError:
        return "Bruger"
    return describe(user)


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
    if not may(viewer, "actor.identify") or actor_id is None or session is None:
        return shown
    user = session.get(User, actor_id)
    return shown if user is None else f"{shown} · {user.label}"
