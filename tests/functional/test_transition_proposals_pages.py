"""Proposing a transition in the browser without JavaScript: "Foreslå ny overgang" and "Foreslå ændring" on the
solution page's timeline for those allowed, the form (filled with the transition as it is; only what differs is
proposed), the review queue's diff (old → new per field) with the source, accept and reject by form."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import Account, client_for, make_role_accounts
from tests.support.forms import form_fields
from tracker.inquiries import services as inquiry_services
from tracker.models import ChangeEvent, Proposal, Solution, Transition
from tracker.registry.actors import SYSTEM
from tracker.registry.transition_writes import create_transition

FORM = "form.transition-proposal"


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    return make_role_accounts(session)


@pytest.fixture
def certificate(session: Session) -> Transition:
    nexus = session.scalar(select(Solution).where(Solution.slug == "kmd-nexus"))
    assert nexus is not None
    t = create_transition(
        session,
        nexus,
        {
            "kind": "certificate",
            "title": "Nye systemcertifikater",
            "earliest_on": date(2027, 9, 1),
            "latest_on": date(2027, 9, 1),
            "precision": "day",
            "state": "planned",
            "status": "expected",
            "category": "prevent_or_fix",
        },
        actor=SYSTEM,
    )
    session.commit()
    return t


def _counts(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Proposal)) or 0,
        session.scalar(select(func.count()).select_from(Transition)) or 0,
        session.scalar(select(func.count()).select_from(ChangeEvent)) or 0,
    )


def _links(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [str(a["href"]) for a in soup.select("#transitions-h ~ * a, section a") if "foreslaa" in str(a["href"])]


def test_the_timeline_offers_proposing_to_those_allowed(
    app: Flask, accounts: dict[str, Account], certificate: Transition
) -> None:
    change = f"/loesninger/kmd-nexus/overgange/{certificate.id}/foreslaa"
    for role in ("municipality", "vendor_owner", "coordinator"):
        client, _ = client_for(app, accounts[role])
        html = client.get("/loesninger/kmd-nexus").get_data(as_text=True)
        assert change in html and "/loesninger/kmd-nexus/overgange/foreslaa" in html, role
        assert "Foreslå ny overgang" in html and "Foreslå ændring" in html
    for account in (None, accounts["vendor_other"]):
        client, _ = client_for(app, account)
        html = client.get("/loesninger/kmd-nexus").get_data(as_text=True)
        assert "overgange/foreslaa" not in html and f"overgange/{certificate.id}/foreslaa" not in html
    anonymous, _ = client_for(app, None)
    assert anonymous.get(change).status_code == 302  # to the login page
    other, _ = client_for(app, accounts["vendor_other"])
    assert other.get(change).status_code == 403
    assert other.get("/loesninger/kmd-nexus/overgange/foreslaa").status_code == 403
    # A transition of another solution is not found under this one.
    municipality, _ = client_for(app, accounts["municipality"])
    assert municipality.get(f"/loesninger/aula/overgange/{certificate.id}/foreslaa").status_code == 404


def test_a_municipality_proposes_a_change_and_a_coordinator_accepts_it_by_form(
    app: Flask, accounts: dict[str, Account], certificate: Transition, session: Session
) -> None:
    municipality, _ = client_for(app, accounts["municipality"])
    url = f"/loesninger/kmd-nexus/overgange/{certificate.id}/foreslaa"
    form = form_fields(municipality.get(url).get_data(as_text=True), FORM)
    assert form["title"] == "Nye systemcertifikater" and form["date_text"] == "2027-09-01"
    assert form["kind"] == "certificate" and form["state"] == "planned" and form["act_by"] == ""
    before = _counts(session)
    untouched = municipality.post(url, data={**form, "source_url": "https://www.kmd.dk/c"})
    assert untouched.status_code == 422
    assert "Forslaget indeholder ingen ændringer." in untouched.get_data(as_text=True)
    no_source = municipality.post(url, data={**form, "date_text": "december 2027"})
    assert no_source.status_code == 422 and "skal have en kilde" in no_source.get_data(as_text=True)
    assert _counts(session) == before
    form.update(
        date_text="december 2027",
        act_by="2027-11-15",
        what_to_do="Bestil nye certifikater.",
        who_must_act=["municipalities"],
        source_url="https://www.kmd.dk/nexus/certifikater",
        evidence="Certifikaterne skiftes i december 2027.",
    )
    sent = municipality.post(url, data=form)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/mine-forslag")
    mine = municipality.get("/mine-forslag").get_data(as_text=True)
    assert "Ændring af overgangen" in mine and "Nye systemcertifikater" in mine
    proposal = session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()
    assert proposal is not None and proposal.target == "transition" and proposal.transition_id == certificate.id
    assert set(proposal.changes) >= {"earliest_on", "latest_on", "act_by_on", "what_to_do", "who_must_act"}
    assert "title" not in proposal.changes and "kind" not in proposal.changes  # untouched: not proposed

    coordinator, token = client_for(app, accounts["coordinator"])
    queue = coordinator.get("/forslag").get_data(as_text=True)
    card = BeautifulSoup(queue, "html.parser").select_one(f'a[href="/forslag/{proposal.id}"]')
    assert card is not None
    detail = coordinator.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    soup = BeautifulSoup(detail, "html.parser")
    rows = {
        r.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in r.find_all("td")]
        for r in soup.select("table.diff tbody tr")
    }
    assert rows["Første dag"] == ["1. september 2027", "1. december 2027"]
    assert rows["Sidste dag"] == ["1. september 2027", "31. december 2027"]
    assert rows["Handl senest"][1] == "15. november 2027"
    assert rows["Skal handle"] == ["–", "kommunerne"]
    assert rows["Kilde (dato)"][1] == "Kommune"
    assert "https://www.kmd.dk/nexus/certifikater" in detail and "Certifikaterne skiftes i december 2027." in detail
    accepted = coordinator.post(f"/forslag/{proposal.id}/godkend", data={"csrf_token": token, "note": "Tjekket"})
    assert accepted.status_code == 302
    session.expire_all()
    t = session.get(Transition, certificate.id)
    assert t is not None and t.version == 2 and t.act_by_on is not None and t.act_by_on.isoformat() == "2027-11-15"
    assert t.source_kind == "municipality" and t.source_url == "https://www.kmd.dk/nexus/certifikater"
    page = coordinator.get("/loesninger/kmd-nexus").get_data(as_text=True)
    assert "1. december 2027 – 31. december 2027 (december 2027)" in page
    after = coordinator.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    assert "Godkendt" in after and "Før" in after and "Efter" in after


def test_a_vendor_proposes_a_new_transition_and_a_coordinator_rejects_it(
    app: Flask, accounts: dict[str, Account], session: Session
) -> None:
    vendor, _ = client_for(app, accounts["vendor_owner"])
    url = "/loesninger/kmd-nexus/overgange/foreslaa"
    form = form_fields(vendor.get(url).get_data(as_text=True), FORM)
    assert form["state"] == "unknown" and form["category"] == "stay_informed" and "cancel" not in form
    before = _counts(session)
    form.update(kind="loa", title="Krav om betydelig", date_text="2028", source_url="https://www.kmd.dk/nexus/nsis")
    refused = vendor.post(url, data=form)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "skal angive det krævede sikringsniveau" in html and 'aria-invalid="true"' in html
    form.update(act_by="2029-01-01", required_loa="betydelig")
    late = vendor.post(url, data=form)
    assert late.status_code == 422 and "Handlingsfristen ligger efter" in late.get_data(as_text=True)
    bad_day = vendor.post(url, data={**form, "act_by": "1. marts"})
    assert bad_day.status_code == 422 and "ÅÅÅÅ-MM-DD" in bad_day.get_data(as_text=True)
    assert _counts(session) == before
    form.update(act_by="")
    assert vendor.post(url, data=form).status_code == 302
    proposal = session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()
    assert proposal is not None and proposal.transition_base_version is None and proposal.origin == "vendor"
    coordinator, token = client_for(app, accounts["coordinator"])
    detail = coordinator.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    assert "Ny overgang:" in detail and "Krav om betydelig" in detail
    rejected = coordinator.post(
        f"/forslag/{proposal.id}/afvis", data={"csrf_token": token, "reason": "Ingen kilde siger 2028."}
    )
    assert rejected.status_code == 302
    assert _counts(session) == (before[0] + 1, before[1], before[2])  # the proposal only; no transition, no event
    mine = vendor.get("/mine-forslag").get_data(as_text=True)
    assert "Ingen kilde siger 2028." in mine


def test_cancelling_by_form(
    app: Flask, accounts: dict[str, Account], certificate: Transition, session: Session
) -> None:
    vendor, _ = client_for(app, accounts["vendor_owner"])
    url = f"/loesninger/kmd-nexus/overgange/{certificate.id}/foreslaa"
    form: dict[str, Any] = form_fields(vendor.get(url).get_data(as_text=True), FORM)
    form.update(cancel="y", evidence="Skiftet er opgivet.")
    assert vendor.post(url, data=form).status_code == 302
    proposal = session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()
    assert proposal is not None and proposal.changes["state"] == "cancelled"


def _inquiry(session: Session, asker: Account) -> int:
    nexus = session.scalar(select(Solution).where(Solution.slug == "kmd-nexus"))
    assert nexus is not None
    inquiry = inquiry_services.ask(
        session,
        user=asker.user,
        solution=nexus,
        question="Hvornår skifter Nexus systemcertifikater?",
        daily_limit=10,
        force=True,
    )
    session.commit()
    return inquiry.id


def test_an_inquirys_answer_proposes_a_transition_by_form(
    app: Flask, accounts: dict[str, Account], certificate: Transition, session: Session
) -> None:
    inquiry_id = _inquiry(session, accounts["municipality"])
    vendor, _ = client_for(app, accounts["vendor_owner"])
    url = f"/spoergsmaal/{inquiry_id}/svar"
    page = vendor.get(f"/spoergsmaal/{inquiry_id}").get_data(as_text=True)
    assert "Foreslå også en overgang" in page and f"Ændring af «{certificate.title}»" in page
    form = form_fields(page, f'form[action="{url}"]')
    assert form["transition"] == "" and form["proposal-kind"] == "" and form["proposal-state"] == ""
    before = _counts(session)
    # A new transition needs a kind and a title: refused, nothing stored, the answer kept.
    answer = {"answer": "Vi skifter i oktober 2027.", "transition": "ny", "proposal-date_text": "oktober 2027"}
    refused = vendor.post(url, data={**form, **answer})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="proposal-title-error"' in html and 'id="proposal-kind-error"' in html
    assert "Vi skifter i oktober 2027." in html and 'value="oktober 2027"' in html
    assert _counts(session) == before
    form.update(
        answer="Vi skifter certifikaterne i oktober 2027.",
        source_url="https://www.kmd.dk/nexus/certifikater",
        transition=str(certificate.id),
        **{"proposal-date_text": "oktober 2027"},
    )
    answered = vendor.post(url, data=form)
    assert answered.status_code == 302, answered.get_data(as_text=True)[:3000]
    session.expire_all()
    proposal = session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()
    assert proposal is not None and proposal.transition_id == certificate.id and proposal.origin == "vendor"
    assert proposal.evidence == "Vi skifter certifikaterne i oktober 2027."
    assert proposal.changes["earliest_on"] == "2027-10-01" and proposal.changes["latest_on"] == "2027-10-31"
    # Only what was filled in: the title, kind and category stay as they are.
    assert not {"title", "kind", "category", "major", "who_must_act"} & set(proposal.changes)
    detail = vendor.get(f"/spoergsmaal/{inquiry_id}").get_data(as_text=True)
    assert "Vi skifter certifikaterne i oktober 2027." in detail
