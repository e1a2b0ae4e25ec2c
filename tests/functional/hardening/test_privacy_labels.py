"""Item 8: no person's name or e-mail address in any public view; role and organisation instead.

History is append-only, so labels stored before the rule ('Name <e-mail>') are rewritten when shown.
"""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy.orm import Session

from tests.support.accounts import client_for, make_role_accounts
from tracker.auth.display import public_actor, public_label
from tracker.models import Solution
from tracker.registry.actors import Actor
from tracker.registry.queries import get_solution
from tracker.registry.services import update_solution
from tracker.review.services import accept_proposal, create_proposal


def _vendor_change_accepted(session: Session, accounts: dict) -> Solution:  # type: ignore[type-arg]  # the accounts fixture is a plain dict
    nexus = get_solution(session, "kmd-nexus")
    proposal = create_proposal(
        session,
        solution=nexus,
        proposer=accounts["vendor_owner"].user,
        changes={"switch_earliest_on": date(2031, 2, 3), "switch_latest_on": date(2031, 2, 3)},
        evidence="KMD driftsstatus",
        source_url="https://kmd.example/status",
    )
    accept_proposal(session, proposal, reviewer=accounts["coordinator"].user, note="OK")
    session.commit()
    return nexus


def test_public_views_show_role_and_organisation_never_a_person(app: Flask, session: Session) -> None:
    accounts = make_role_accounts(session)
    _vendor_change_accepted(session, accounts)
    # A label as older code stored it: name and e-mail of the coordinator.
    legacy = Actor(label=accounts["coordinator"].user.label, user_id=accounts["coordinator"].user.id)
    update_solution(session, get_solution(session, "aula"), {"switch_text": "Efterår 2031"}, actor=legacy)
    session.commit()
    anonymous, _ = client_for(app, None)
    people = [a.user for a in accounts.values()]
    for path in (
        "/loesninger/kmd-nexus",
        "/loesninger/aula",
        "/api/v1/solutions/kmd-nexus",
        "/api/v1/solutions/kmd-nexus/history",
        "/api/v1/solutions/aula/history",
        "/api/v1/events",
        "/feeds/changes.atom",
        "/feeds/changes.rss",
    ):
        body = anonymous.get(path).get_data(as_text=True)
        for user in people:
            assert user.email not in body, (path, user.email)
            assert f"{user.name} <" not in body, (path, user.name)
    history = anonymous.get("/api/v1/solutions/kmd-nexus/history").get_json()["items"][0]
    assert history["actor"].startswith("KMD (leverandør) (forslag #")
    assert history["actor"].endswith("godkendt af KL-koordinator)")
    aula = anonymous.get("/api/v1/solutions/aula/history").get_json()["items"][0]
    assert aula["actor"] == "KL-koordinator"
    assert "KL-koordinator" in anonymous.get("/loesninger/aula").get_data(as_text=True)


def test_coordinators_see_who_it_was(app: Flask, session: Session) -> None:
    accounts = make_role_accounts(session)
    _vendor_change_accepted(session, accounts)
    coordinator, _ = client_for(app, accounts["coordinator"])
    page = coordinator.get("/loesninger/kmd-nexus").get_data(as_text=True)
    assert accounts["coordinator"].user.email in page
    vendor, _ = client_for(app, accounts["vendor_other"])
    assert accounts["coordinator"].user.email not in vendor.get("/loesninger/kmd-nexus").get_data(as_text=True)


def test_public_labels_per_role(session: Session) -> None:
    accounts = make_role_accounts(session)
    assert public_actor(accounts["coordinator"].user) == "KL-koordinator"
    assert public_actor(accounts["vendor_owner"].user) == "KMD (leverandør)"
    assert public_actor(accounts["municipality"].user) == "København (kommune)"
    assert public_label("Ukendt Person <nobody@example.org> (forslag #2)", session) == "Ukendt Person (forslag #2)"
    assert public_label("nobody@example.org", None) == "Bruger"
