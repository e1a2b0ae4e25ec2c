"""Helpers for municipality tests: users with tokens, logged-in clients, solutions with given facts, IdPs."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.apps import FreshContextClient
from tracker.auth.tokens import create_token
from tracker.auth.users import create_user
from tracker.models import ChangeEvent, Idp, Municipality, Solution, User
from tracker.municipalities import services
from tracker.municipalities.readiness_events import expand
from tracker.registry.actors import SYSTEM, Actor
from tracker.registry.services import create_solution

COPENHAGEN, AARHUS, ODENSE = "101", "751", "461"


def municipality(session: Session, code: str) -> Municipality:
    """A seeded municipality by code."""
    found = session.scalar(select(Municipality).where(Municipality.code == code))
    assert found is not None, code
    return found


def user_with_token(
    session: Session, email: str, role: str, code: str | None = None, *, organisation: str | None = None
) -> tuple[User, str]:
    """A user of the role (bound to a municipality or an organisation as the role needs) and a bearer token."""
    user, _ = create_user(session, email=email, role=role, municipality=code, organisation=organisation)
    _, token = create_token(session, user, "test")
    return user, token


def log_in(client: FlaskClient, user: User) -> None:
    """Give the client a login session for the user, as the login form would (see tests.support.accounts)."""
    from tests.support.accounts import log_in as start

    start(client, user)


def solution(
    session: Session,
    slug: str,
    *,
    loa: str = "ukendt",
    earliest: date | None = None,
    latest: date | None = None,
    state: str | None = None,
    aliases: list[str] | None = None,
    name: str | None = None,
) -> Solution:
    """A solution with the given facts (fixtures only: never real-world claims)."""
    fields: dict[str, Any] = {"loa_value": loa, "loa_status": "confirmed" if loa != "ukendt" else "unknown"}
    if loa != "ukendt":
        fields["loa_evidence"] = "Testdata"  # 'confirmed' needs a source or evidence
    if earliest:
        fields.update(
            switch_earliest_on=earliest,
            switch_latest_on=latest or earliest,
            switch_precision="day" if (latest or earliest) == earliest else "month",
            switch_state=state or "planned",
            switch_status="confirmed",
            switch_evidence="Testdata",
        )
    elif state:
        fields["switch_state"] = state
    if aliases:
        fields["aliases"] = aliases
    return create_solution(session, actor=SYSTEM, slug=slug, name=name or slug.upper(), fields=fields)


def seeded(session: Session, slug: str) -> Solution:
    """A starter solution by slug."""
    found = session.scalar(select(Solution).where(Solution.slug == slug))
    assert found is not None, slug
    return found


def idp(session: Session, code: str, name: str, loa: str, *, primary: bool = True, group: str | None = None) -> Idp:
    """Give a municipality an IdP through the service."""
    values: dict[str, Any] = {"name": name, "notified_loa": loa, "is_primary": primary, "user_group": group}
    return services.create_idp(session, municipality(session, code), values, actor=SYSTEM)


def use(
    session: Session,
    code: str,
    slug: str,
    *,
    via: Idp | None = None,
    groups: list[Idp] | None = None,
    actor: Actor = SYSTEM,
) -> None:
    """Put a solution in a municipality's portfolio (optionally through named IdPs: ``via`` one, ``groups`` many)."""
    ids = [i.id for i in groups] if groups else ([via.id] if via else [])
    services.add_to_portfolio(session, municipality(session, code), slug, actor=actor, idp_ids=ids)


def last_event_id(session: Session) -> int:
    """The newest event id (0 when none), to look only at what a step appended."""
    return session.scalar(select(ChangeEvent.id).order_by(ChangeEvent.id.desc()).limit(1)) or 0


def readiness_events(session: Session, after: int) -> list[ChangeEvent]:
    """Readiness changes appended after an id, oldest first, one per changed row: a bulk event (several rows
    of one municipality changed together) is spelled out as its rows (``readiness_events.expand``)."""
    return [row for event in stored_readiness_events(session, after) for row in expand(event)]


def stored_readiness_events(session: Session, after: int) -> list[ChangeEvent]:
    """The readiness events themselves appended after an id, oldest first (a bulk change is one)."""
    return list(
        session.scalars(
            select(ChangeEvent)
            .where(ChangeEvent.id > after, ChangeEvent.type == "municipality.readiness.changed")
            .order_by(ChangeEvent.id)
        )
    )


def fresh_client(app: Flask) -> FlaskClient:
    """A ``FreshContextClient`` for the app."""
    return FreshContextClient(app, app.response_class, use_cookies=True)
