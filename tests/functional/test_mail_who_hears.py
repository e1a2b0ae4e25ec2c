"""Who is mailed about what: the scope rules of immediate mail and of personal notices, seen in the mail queue.

Each test makes real changes through the services and the API on a migrated database and reads which users got
a mail row (the outbox the mail worker sends from). Written against mutants that survived: a coordinator with the
'portfolio' scope mailed every municipality's private readiness (issue 28, N6), a coordinator told of their own
decision (N12), and the registry rules' ownership checks.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import make_account, make_user
from tests.support.mail import smtp_server, text_part
from tests.support.municipalities import (
    AARHUS,
    COPENHAGEN,
    idp,
    last_event_id,
    seeded,
    solution,
    stored_readiness_events,
    use,
)
from tracker.models import MailMessage, User
from tracker.notify import preferences
from tracker.notify.worker import run_once
from tracker.registry.actors import Actor
from tracker.registry.services import update_solution


def _queued(session: Session, user: User, kind: str) -> list[MailMessage]:
    session.flush()
    session.expire_all()
    return list(session.scalars(select(MailMessage).where(MailMessage.user_id == user.id, MailMessage.kind == kind)))


def _immediate(session: Session, user: User, scope: str = "portfolio") -> User:
    preferences.set_preference(session, user, {"mode": "immediate", "scope": scope})
    return user


def test_a_registry_change_reaches_the_solutions_users_its_vendor_and_coordinators_only(session: Session) -> None:
    nexus = seeded(session, "kmd-nexus")  # built by KMD
    uses_it = _immediate(session, make_user(session, "it@kbh.example.dk", "municipality", municipality=COPENHAGEN))
    does_not = _immediate(session, make_user(session, "it@aarhus.example.dk", "municipality", municipality=AARHUS))
    builder = _immediate(session, make_user(session, "drift@kmd.example.dk", "vendor", organisation="kmd"))
    stranger = _immediate(session, make_user(session, "drift@nc.example.dk", "vendor", organisation="netcompany"))
    coordinator = _immediate(session, make_user(session, "koord@kl.example.dk", "coordinator"))
    use(session, COPENHAGEN, "kmd-nexus")

    update_solution(
        session,
        nexus,
        {"switch_earliest_on": date(2031, 3, 1), "switch_latest_on": date(2031, 3, 1)},
        actor=Actor("KL"),
    )

    assert _queued(session, uses_it, "immediate"), "the municipality using the solution hears of it"
    assert _queued(session, builder, "immediate"), "the solution's own vendor hears of it"
    assert _queued(session, coordinator, "immediate"), "a coordinator's portfolio is the whole registry"
    assert _queued(session, does_not, "immediate") == [], "a municipality not using it is not mailed"
    assert _queued(session, stranger, "immediate") == [], "another organisation's users are not mailed"


def test_a_municipalitys_readiness_reaches_its_own_users_and_coordinators_who_chose_all(session: Session) -> None:
    own = _immediate(session, make_user(session, "it@kbh.example.dk", "municipality", municipality=COPENHAGEN))
    other = _immediate(session, make_user(session, "it@aarhus.example.dk", "municipality", municipality=AARHUS))
    portfolio_scope = _immediate(session, make_user(session, "k1@kl.example.dk", "coordinator"), "portfolio")
    all_scope = _immediate(session, make_user(session, "k2@kl.example.dk", "coordinator"), "all")
    solution(session, "laas-test", loa="hoej", earliest=date(2031, 6, 1))
    idp(session, COPENHAGEN, "Kommunens IdP", "betydelig")
    after = last_event_id(session)

    use(session, COPENHAGEN, "laas-test")  # Copenhagen's staff will be locked out: a readiness change

    [event] = stored_readiness_events(session, after)

    def mailed(user: User) -> bool:  # a waiting immediate mail takes further events (coalescing): look inside
        return any(event.id in (m.event_ids or []) for m in _queued(session, user, "immediate"))

    assert mailed(own), "the municipality's own users hear of its readiness"
    assert mailed(all_scope), "a coordinator who chose 'all' sees every municipality's readiness"
    assert not mailed(other), "another municipality never hears of it: readiness is private"
    assert not mailed(portfolio_scope), (
        "a coordinator with the 'portfolio' scope is not mailed municipalities' readiness"
    )


def _propose(client: FlaskClient, bearer: dict[str, str], slug: str) -> int:
    body = {"solution": slug, "required_loa": {"value": "hoej"}, "evidence": "Set på leverandørens side"}
    resp = client.post("/api/v1/proposals", json=body, headers=bearer)
    assert resp.status_code == 201, resp.get_json()
    return int(resp.get_json()["id"])


def test_nobody_is_told_of_their_own_decision_or_alerted_of_their_own_proposal(
    session: Session, client: FlaskClient
) -> None:
    deciding = make_account(session, "coordinator", "koord@kl.example.dk")
    colleague = make_account(session, "coordinator", "kollega@kl.example.dk")
    vendor = make_account(session, "vendor", "drift@kmd.example.dk", organisation="kmd")
    for account in (deciding, colleague):
        preferences.set_preference(session, account.user, {"alerts": ["proposals"]})
    session.commit()

    own = _propose(client, deciding.bearer, "aula")  # a coordinator's own proposal …
    assert [m.key for m in _queued(session, colleague.user, "notice")] == [f"proposal-new:{own}"]
    assert _queued(session, deciding.user, "notice") == [], "not alerted of one's own proposal"
    accepted = client.post(f"/api/v1/proposals/{own}/accept", json={"reason": "Ok."}, headers=deciding.bearer)
    assert accepted.status_code == 200, accepted.get_json()
    assert _queued(session, deciding.user, "notice") == [], "… decided by themselves: no notice of their own decision"

    # The same decision by someone else is told, so the rule above is about the decider, not coordinators.
    theirs = _propose(client, vendor.bearer, "kmd-nexus")
    rejected = client.post(f"/api/v1/proposals/{theirs}/reject", json={"reason": "Nej."}, headers=deciding.bearer)
    assert rejected.status_code == 200
    assert [m.key for m in _queued(session, vendor.user, "notice")] == [f"proposal:{theirs}:rejected"]


def test_mail_turned_off_silences_work_alerts_and_notices(session: Session, client: FlaskClient) -> None:
    silent = make_account(session, "coordinator", "stille@kl.example.dk")
    vendor = make_account(session, "vendor", "drift@kmd.example.dk", organisation="kmd")
    listening = make_account(session, "coordinator", "lytter@kl.example.dk")
    preferences.set_preference(session, silent.user, {"alerts": ["proposals"], "mode": "off"})
    preferences.set_preference(session, listening.user, {"alerts": ["proposals"]})
    preferences.set_preference(session, vendor.user, {"mode": "off"})
    session.commit()

    proposal = _propose(client, vendor.bearer, "kmd-nexus")
    assert [m.key for m in _queued(session, listening.user, "notice")] == [f"proposal-new:{proposal}"]
    assert _queued(session, silent.user, "notice") == [], "mail off: no work alert"
    rejected = client.post(f"/api/v1/proposals/{proposal}/reject", json={"reason": "Nej."}, headers=silent.bearer)
    assert rejected.status_code == 200
    assert _queued(session, vendor.user, "notice") == [], "mail off: no notice of the outcome"


def test_two_readers_of_one_change_each_get_it_in_their_own_language(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One change read by a Danish and an English reader is rendered once per language (the worker's cache of
    rendered bodies keys on the language: mutant N18)."""
    monkeypatch.setitem(app.config, "BASE_URL", "https://tu-tracker.example.dk")
    monkeypatch.setitem(app.config, "MAIL_FROM", "TU-tracker <tu-tracker@example.dk>")
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5.0)
    nexus = seeded(session, "kmd-nexus")
    danish = make_user(session, "da@kbh.example.dk", "municipality", municipality=COPENHAGEN)
    english = make_user(session, "en@kbh.example.dk", "municipality", municipality=COPENHAGEN)
    preferences.set_preference(session, danish, {"mode": "immediate", "language": "da"})
    preferences.set_preference(session, english, {"mode": "immediate", "language": "en"})
    use(session, COPENHAGEN, "kmd-nexus")
    update_solution(
        session,
        nexus,
        {"switch_earliest_on": date(2031, 4, 2), "switch_latest_on": date(2031, 4, 2)},
        actor=Actor("KL"),
    )
    session.commit()
    with smtp_server() as (inbox, url):
        monkeypatch.setitem(app.config, "MAIL_URL", url)
        run_once(app)
    to = {str(m["To"]): m for m in inbox.messages}
    assert to["en@kbh.example.dk"]["Content-Language"] == "en"
    assert "2 April 2031" in text_part(to["en@kbh.example.dk"])
    assert to["da@kbh.example.dk"]["Content-Language"] == "da"
    assert "2. april 2031" in text_part(to["da@kbh.example.dk"])
