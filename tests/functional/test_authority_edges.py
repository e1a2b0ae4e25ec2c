"""An organisation that both builds and provides a solution reports on it as its vendor: only a provider that
does not build the solution decides its level as the authority (mutant A28, the policy ``fact.decide``)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import make_account
from tests.support.municipalities import seeded
from tracker.models import Organisation, Proposal
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution


def test_a_provider_that_also_builds_the_solution_is_no_authority(app: Flask, session: Session) -> None:
    nexus = seeded(session, "kmd-nexus")  # KMD builds it
    kmd = session.scalars(select(Organisation).where(Organisation.slug == "kmd")).one()
    update_solution(session, nexus, {"service_provider_id": kmd.id}, actor=SYSTEM)  # … and now provides it too
    vendor = make_account(session, "vendor", "drift@kmd.example.dk", organisation="kmd")
    session.commit()

    evidence = "KMD: Nexus kræver Høj for medarbejdere fra 2028."
    body = {"solution": "kmd-nexus", "required_loa": {"value": "hoej"}, "evidence": evidence}
    resp = app.test_client().post("/api/v1/proposals", json=body, headers=vendor.bearer)
    assert resp.status_code == 201, resp.get_json()
    proposal = session.scalars(select(Proposal).where(Proposal.evidence == evidence)).one()
    assert proposal.source_kind == "vendor"
    assert proposal.changes["loa_source_kind"] == "vendor" and proposal.changes["loa_status"] == "reported"
