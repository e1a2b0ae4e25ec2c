"""Editing in the browser without JavaScript: forms with CSRF, conflicts shown, proposals, review, admin pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import Account, client_for, make_role_accounts
from tests.support.forms import form_fields
from tracker.models import AuditEntry, ChangeEvent, Organisation, Proposal, Solution, User


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    return make_role_accounts(session)


def _state(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(ChangeEvent)),
        session.scalar(select(func.count()).select_from(Proposal)),
        session.scalar(select(func.count()).select_from(User)),
        tuple(session.execute(select(Solution.slug, Solution.version).order_by(Solution.slug)).all()),
    )


def test_coordinator_edits_a_switch_date_and_sees_it_in_history(app: Flask, accounts: dict[str, Account]) -> None:
    client, _ = client_for(app, accounts["coordinator"])
    page = client.get("/loesninger/aula")
    assert "Rediger løsningen" in page.get_data(as_text=True)
    form = form_fields(client.get("/loesninger/aula/rediger").get_data(as_text=True))
    assert form["name"] == "Aula" and form["loa_status"] == "awaiting_decision"
    form.update(
        switch_text="ultimo 2025",
        switch_status="expected",
        switch_source_kind="coordinator",
        switch_evidence="KL's vurdering",
        reason="Møde med KOMBIT",
    )
    resp = client.post("/loesninger/aula/rediger", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    html = client.get("/loesninger/aula").get_data(as_text=True)
    assert "1. oktober 2025 – 31. december 2025 (ultimo 2025)" in html
    assert "Skæringsdato ændret" in html and "Møde med KOMBIT" in html
    assert accounts["coordinator"].user.email in html
    assert '<span class="badge badge-warning conf conf-expected">Forventet (KL)</span>' in html
    assert "KL-koordinator" in html  # the source kind in words


def test_a_concurrent_change_is_shown_not_overwritten(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    alice, _ = client_for(app, accounts["coordinator"])
    bob, _ = client_for(app, accounts["admin"])
    alice_form = form_fields(alice.get("/loesninger/fmk/rediger").get_data(as_text=True))
    bob_form = form_fields(bob.get("/loesninger/fmk/rediger").get_data(as_text=True))
    assert (
        alice.post("/loesninger/fmk/rediger", data={**alice_form, "broker": "SEB", "reason": "Alice"}).status_code
        == 302
    )
    state = _state(session)
    resp = bob.post("/loesninger/fmk/rediger", data={**bob_form, "switch_text": "Q1 2026", "reason": "Bob"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "Løsningen er ændret, mens du redigerede" in html
    assert "SEB" in html and "Alice" in html  # what changed meanwhile, by whom, why
    assert 'value="Q1 2026"' in html  # Bob's input kept
    assert _state(session) == state
    again = form_fields(html)
    assert bob.post("/loesninger/fmk/rediger", data=again).status_code == 302
    solution = session.scalars(select(Solution).where(Solution.slug == "fmk")).one()
    session.refresh(solution)
    assert solution.broker == "SEB" and solution.switch_text == "Q1 2026"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"switch_text": "31. februar 2023"}, "kunne ikke forstås"),
        ({"name": "x" * 201}, "200"),
        ({"loa_value": "super"}, "Not a valid choice"),
        ({"loa_source_url": "ftp://x"}, "http(s)"),
        ({"loa_source_url": "javascript://example.com/%0aalert(1)"}, "http(s)"),
        ({"name": "A\x01B"}, "kontroltegn"),
        ({"name": "Aula\nX"}, "kontroltegn"),
        ({"version": "abc"}, "version"),
    ],
)
def test_bad_form_input_is_a_4xx_with_a_message_and_stores_nothing(
    app: Flask, session: Session, accounts: dict[str, Account], changes: dict[str, str], message: str
) -> None:
    client, _ = client_for(app, accounts["coordinator"])
    form = form_fields(client.get("/loesninger/aula/rediger").get_data(as_text=True))
    state = _state(session)
    resp = client.post("/loesninger/aula/rediger", data={**form, **changes})
    assert 400 <= resp.status_code < 500
    assert message in resp.get_data(as_text=True)
    assert _state(session) == state


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/loesninger/aula/rediger", {"name": "Uden CSRF"}),
        ("/loesninger/ny", {"name": "Uden CSRF"}),
        ("/admin/brugere", {"email": "x@example.dk", "role": "coordinator"}),
        ("/admin/organisationer", {"slug": "x", "name": "X", "kind": "vendor"}),
    ],
)
def test_missing_csrf_token_is_400_and_stores_nothing(
    app: Flask, session: Session, accounts: dict[str, Account], path: str, data: dict[str, str]
) -> None:
    client, _ = client_for(app, accounts["admin"])
    state = _state(session)
    resp = client.post(path, data=data)
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True) or "forstås" in resp.get_data(as_text=True)
    assert _state(session) == state


def test_missing_csrf_on_proposal_and_login(app: Flask, session: Session, accounts: dict[str, Account]) -> None:
    vendor, _ = client_for(app, accounts["vendor_owner"])
    state = _state(session)
    assert vendor.post("/loesninger/kmd-nexus/foreslaa", data={"loa_value": "hoej"}).status_code == 400
    anonymous = app.test_client()
    assert anonymous.post("/login", data={"email": "a@example.dk", "password": "x"}).status_code == 400
    assert _state(session) == state


def test_coordinator_creates_a_solution_in_the_ui(app: Flask, accounts: dict[str, Account]) -> None:
    client, _ = client_for(app, accounts["coordinator"])
    form = form_fields(client.get("/loesninger/ny").get_data(as_text=True))
    form.update(
        name="Sygesikring Online",
        kind="faellesoffentlig",
        switch_text="medio 2026",
        switch_status="expected",
        aliases="SSO, Sygesikringen",
    )
    resp = client.post("/loesninger/ny", data=form)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/loesninger/sygesikring-online")
    html = client.get("/loesninger/sygesikring-online").get_data(as_text=True)
    assert "Sygesikring Online" in html and "medio 2026" in html and "SSO, Sygesikringen" in html


def _propose(client: FlaskClient, slug: str, **fields: str) -> Any:
    form = form_fields(client.get(f"/loesninger/{slug}/foreslaa").get_data(as_text=True))
    return client.post(f"/loesninger/{slug}/foreslaa", data={**form, **fields})


def test_vendor_proposes_coordinator_reviews_vendor_sees_outcome(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    vendor, _ = client_for(app, accounts["vendor_owner"])
    assert "Foreslå en ændring" in vendor.get("/loesninger/kmd-nexus").get_data(as_text=True)
    resp = _propose(
        vendor,
        "kmd-nexus",
        loa_value="betydelig",
        switch_text="Q2 2026",
        evidence="KMD's driftsmeddelelse 12/2025",
        source_url="https://kmd.example/drift",
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/mine-forslag")
    mine = vendor.get("/mine-forslag").get_data(as_text=True)
    assert "Afventer gennemsyn" in mine and "KMD&#39;s driftsmeddelelse" in mine

    coordinator, token = client_for(app, accounts["coordinator"])
    queue = coordinator.get("/forslag").get_data(as_text=True)
    assert "KMD Nexus" in queue and "Betydelig" in queue and "1. april 2026" in queue
    assert "Indberettet" in queue and "Indberettet af leverandør" not in queue  # the stamped confidence, in words
    proposal = session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()
    assert proposal is not None
    resp = coordinator.post(f"/forslag/{proposal.id}/godkend", data={"csrf_token": token, "note": "Tjekket"})
    assert resp.status_code == 302
    assert "Godkendt" in vendor.get("/mine-forslag").get_data(as_text=True)
    history = vendor.get("/loesninger/kmd-nexus").get_data(as_text=True)
    assert "Tjekket" in history and f"forslag #{proposal.id}" in history


def test_rejection_needs_a_reason_which_the_municipality_sees(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    municipality, _ = client_for(app, accounts["municipality"])
    no_evidence = _propose(municipality, "aula", loa_value="betydelig")
    assert no_evidence.status_code == 422 and "belæg" in no_evidence.get_data(as_text=True)
    assert (
        _propose(
            municipality,
            "aula",
            loa_value="betydelig",
            loa_status="confirmed",
            evidence="Login krævede MitID Erhverv betydelig den 3. marts",
        ).status_code
        == 302
    )
    proposal = session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()
    assert proposal is not None and proposal.origin == "municipality"
    coordinator, token = client_for(app, accounts["coordinator"])
    empty = coordinator.post(f"/forslag/{proposal.id}/afvis", data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 422
    assert (
        coordinator.post(
            f"/forslag/{proposal.id}/afvis", data={"csrf_token": token, "reason": "KOMBIT har ikke besluttet endnu."}
        ).status_code
        == 302
    )
    mine = municipality.get("/mine-forslag").get_data(as_text=True)
    assert "Afvist" in mine and "KOMBIT har ikke besluttet endnu." in mine


def test_stale_proposal_asks_for_confirmation_in_the_ui(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    vendor, _ = client_for(app, accounts["vendor_owner"])
    assert _propose(vendor, "kmd-nexus", loa_value="hoej", evidence="x").status_code == 302
    proposal = session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()
    assert proposal is not None
    coordinator, token = client_for(app, accounts["coordinator"])
    form = form_fields(coordinator.get("/loesninger/kmd-nexus/rediger").get_data(as_text=True))
    assert coordinator.post("/loesninger/kmd-nexus/rediger", data={**form, "broker": "NemLog-in"}).status_code == 302
    detail = coordinator.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    assert "Forældet" in detail and "confirm_stale" in detail
    refused = coordinator.post(f"/forslag/{proposal.id}/godkend", data={"csrf_token": token})
    assert refused.status_code == 409 and "bekræft" in refused.get_data(as_text=True)
    ok = coordinator.post(f"/forslag/{proposal.id}/godkend", data={"csrf_token": token, "confirm_stale": "y"})
    assert ok.status_code == 302


def test_trusting_a_vendor_in_the_ui_accepts_its_proposals_at_once(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    coordinator, token = client_for(app, accounts["coordinator"])
    kmd = session.scalars(select(Organisation).where(Organisation.slug == "kmd")).one()
    assert "Gør betroet" in coordinator.get("/admin/organisationer").get_data(as_text=True)
    assert (
        coordinator.post(
            f"/admin/organisationer/{kmd.id}/betroet", data={"csrf_token": token, "trusted": "y"}
        ).status_code
        == 302
    )
    vendor, _ = client_for(app, accounts["vendor_owner"])
    assert "ændringen gælder med det samme" in vendor.get("/loesninger/kmd-nexus/foreslaa").get_data(as_text=True)
    assert _propose(vendor, "kmd-nexus", loa_value="betydelig", evidence="Driftsinfo").status_code == 302
    solution = session.scalars(select(Solution).where(Solution.slug == "kmd-nexus")).one()
    session.refresh(solution)
    assert solution.loa_value == "betydelig" and solution.loa_status == "reported"
    assert session.scalar(select(func.count()).where(AuditEntry.action == "organisation.trust")) == 1


def test_admin_creates_a_user_whose_one_time_password_is_shown_once(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    admin, token = client_for(app, accounts["admin"])
    resp = admin.post(
        "/admin/brugere",
        data={
            "csrf_token": token,
            "email": "ny@kommune.dk",
            "name": "Ny",
            "role": "municipality",
            "organisation": "",
            "municipality": "751",
        },
    )
    assert resp.status_code == 201 and resp.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="one-time-password">([^<]+)<', resp.get_data(as_text=True))
    assert password
    assert password.group(1) not in admin.get("/admin/brugere").get_data(as_text=True)
    user = session.scalars(select(User).where(User.email == "ny@kommune.dk")).one()
    assert user.municipality is not None and user.municipality.code == "751"
    bad = admin.post(
        "/admin/brugere",
        data={
            "csrf_token": token,
            "email": "ikke-en-adresse",
            "role": "vendor",
            "organisation": "",
            "municipality": "",
        },
    )
    assert bad.status_code == 422 and "Ugyldig e-mailadresse" in bad.get_data(as_text=True)


def test_deactivation_and_password_reset_end_the_users_sessions(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    victim = accounts["vendor_owner"]
    logged_in, _ = client_for(app, victim)
    assert logged_in.get("/mine-forslag").status_code == 200
    admin, token = client_for(app, accounts["admin"])
    reset = admin.post(f"/admin/brugere/{victim.user.id}/nulstil-adgangskode", data={"csrf_token": token})
    assert reset.status_code == 200 and 'id="one-time-password"' in reset.get_data(as_text=True)
    assert logged_in.get("/mine-forslag").status_code == 302  # sent to login: the old session is gone
    assert admin.post(f"/admin/brugere/{victim.user.id}/deaktiver", data={"csrf_token": token}).status_code == 302
    assert app.test_client().get("/api/v1/proposals", headers=victim.bearer).status_code == 401
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(victim.user.id))))
    assert {"user.reset_password", "user.deactivate"} <= actions


def test_role_change_in_the_ui(app: Flask, session: Session, accounts: dict[str, Account]) -> None:
    admin, token = client_for(app, accounts["admin"])
    target = accounts["municipality"].user
    resp = admin.post(
        f"/admin/brugere/{target.id}/rolle",
        data={"csrf_token": token, "role": "vendor", "organisation": "", "municipality": ""},
    )
    assert resp.status_code == 422 and "organisation" in resp.get_data(as_text=True)
    resp = admin.post(
        f"/admin/brugere/{target.id}/rolle",
        data={"csrf_token": token, "role": "vendor", "organisation": "kmd", "municipality": ""},
    )
    assert resp.status_code == 302
    session.refresh(target)
    assert target.role == "vendor" and target.organisation is not None and target.organisation.slug == "kmd"


def test_english_is_available(app: Flask, accounts: dict[str, Account]) -> None:
    client = app.test_client()
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Solutions: switch date and required assurance level" in html
    assert "Switch date" in html and "Required assurance level" in html and "Log in" in html
    assert "Log ind" not in html
    login = client.get("/login").get_data(as_text=True)  # the choice is remembered
    assert "<h1>Log in</h1>" in login and "Password" in login
    coordinator, _ = client_for(app, accounts["coordinator"])
    coordinator.get("/?lang=en")
    assert "<h1>Proposals to review</h1>" in coordinator.get("/forslag").get_data(as_text=True)
    page = coordinator.get("/loesninger/aula").get_data(as_text=True)
    assert "Awaiting decision" in page and "Edit the solution" in page and "History" in page
    danish = app.test_client().get("/?lang=da").get_data(as_text=True)
    assert "TU-løsninger: skæringsdato og krævet sikringsniveau" in danish


def test_the_account_page_creates_a_token_shown_once(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    client, token = client_for(app, accounts["municipality"])
    resp = client.post("/konto/tokens", data={"csrf_token": token, "name": "Kommunens CMDB"})
    assert resp.status_code == 201 and resp.headers["Cache-Control"] == "no-store"
    plain = re.search(r'id="new-token">([^<]+)<', resp.get_data(as_text=True))
    assert plain and plain.group(1).startswith("tut_")
    page = client.get("/konto").get_data(as_text=True)
    assert "Kommunens CMDB" in page and plain.group(1) not in page
    assert (
        app.test_client().get("/api/v1/tokens", headers={"Authorization": f"Bearer {plain.group(1)}"}).status_code
        == 200
    )
