"""Item 9: 'confirmed' needs a source URL or evidence; vendors' and municipalities' proposals never set it."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.support.accounts import Account, client_for, make_role_accounts
from tests.support.forms import form_fields
from tracker.errors import ValidationError
from tracker.registry.actors import SYSTEM
from tracker.registry.queries import get_solution
from tracker.registry.services import create_solution, update_solution
from tracker.review.services import accept_proposal, create_proposal


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    return make_role_accounts(session)


def test_confirmed_without_a_source_is_refused_in_the_form(app: Flask, accounts: dict[str, Account]) -> None:
    client, _ = client_for(app, accounts["coordinator"])
    form = form_fields(client.get("/loesninger/aula/rediger").get_data(as_text=True))
    form.update(switch_status="confirmed", switch_source_url="", switch_evidence="", reason="Ingen kilde endnu")
    resp = client.post("/loesninger/aula/rediger", data=form)
    assert resp.status_code == 422 and "Bekræftet kræver en kilde" in resp.get_data(as_text=True)
    form.update(switch_evidence="KOMBIT's nyhedsbrev 2. december")
    assert client.post("/loesninger/aula/rediger", data=form).status_code == 302


def test_confirmed_without_a_source_is_refused_in_the_api(app: Flask, accounts: dict[str, Account]) -> None:
    client = app.test_client()
    etag = client.get("/api/v1/solutions/aula").headers["ETag"]
    body = {"required_loa": {"value": "hoej", "status": "confirmed", "source": {"url": None, "evidence": None}}}
    headers = {**accounts["coordinator"].bearer, "If-Match": etag}
    resp = client.patch("/api/v1/solutions/aula", json=body, headers=headers)
    assert resp.status_code == 422, resp.get_json()


def test_services_refuse_confirmed_without_source(session: Session) -> None:
    bare = create_solution(session, actor=SYSTEM, slug="uden-kilde", name="Uden kilde")
    with pytest.raises(ValidationError):
        update_solution(session, bare, {"loa_value": "hoej", "loa_status": "confirmed"}, actor=SYSTEM)
    with pytest.raises(ValidationError):
        create_solution(session, actor=SYSTEM, slug="ny", name="Ny", fields={"switch_status": "confirmed"})
    update_solution(session, bare, {"loa_status": "confirmed", "loa_evidence": "Brev fra KOMBIT"}, actor=SYSTEM)


@pytest.mark.parametrize("role", ["vendor_owner", "municipality"])
def test_vendor_and_municipality_proposals_never_set_confirmed(
    session: Session, accounts: dict[str, Account], role: str
) -> None:
    slug = "kmd-nexus" if role == "vendor_owner" else "aula"
    proposal = create_proposal(
        session,
        proposer=accounts[role].user,
        solution=get_solution(session, slug),
        changes={"loa_value": "hoej", "loa_status": "confirmed"},
        evidence="Login krævede MitID Erhverv høj den 3. marts",
    )
    assert proposal.changes["loa_status"] == "reported"
    proposal.changes = {**proposal.changes, "loa_status": "confirmed"}  # as if stored before the rule
    accept_proposal(session, proposal, reviewer=accounts["coordinator"].user, note="OK")
    assert get_solution(session, slug).loa_status == "reported"
