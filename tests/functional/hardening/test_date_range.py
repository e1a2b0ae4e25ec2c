"""Item 2: days outside 1900-01-01 … 2100-12-31 are refused (422) in every input; calendars survive old values."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from scrapers.base import Observation
from tests.support.accounts import Account, client_for, make_role_accounts
from tests.support.forms import form_fields
from tracker.errors import ValidationError
from tracker.ingest.proposals import propose
from tracker.ingest.targets import ScrapeSettings, targets_for
from tracker.models import Solution
from tracker.registry.actors import SYSTEM
from tracker.registry.facts import day_problem
from tracker.registry.queries import get_solution
from tracker.registry.services import update_solution
from tracker.review.services import create_proposal

OUT_OF_RANGE = ("9999-12-31", "1899-12-31", "2101-01-01", "0001-01-01")


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    return make_role_accounts(session)


def test_the_one_rule() -> None:
    assert day_problem(date(1900, 1, 1)) is None and day_problem(date(2100, 12, 31)) is None
    assert day_problem(date(9999, 12, 31)) == "Datoen skal ligge mellem 1900-01-01 og 2100-12-31."
    assert day_problem(date(1899, 12, 31))


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_api_patch_and_proposal_refuse_out_of_range_days(
    app: Flask, session: Session, accounts: dict[str, Account], day: str
) -> None:
    client = app.test_client()
    coordinator, vendor = accounts["coordinator"], accounts["vendor_owner"]
    etag = client.get("/api/v1/solutions/aula").headers["ETag"]
    body = {"switch_date": {"earliest": day, "latest": day}}
    resp = client.patch("/api/v1/solutions/aula", json=body, headers={**coordinator.bearer, "If-Match": etag})
    assert resp.status_code == 422, resp.get_json()
    assert "1900-01-01" in str(resp.get_json()["error"])
    proposal = client.post(
        "/api/v1/proposals",
        json={**body, "solution": "kmd-nexus", "evidence": "KMD driftsstatus"},
        headers=vendor.bearer,
    )
    assert proposal.status_code == 422, proposal.get_json()
    assert client.get("/api/v1/solutions", query_string={"switch_after": day}).status_code == 422


def test_services_refuse_out_of_range_days(session: Session, accounts: dict[str, Account]) -> None:
    far = date(9999, 12, 31)
    with pytest.raises(ValidationError):
        update_solution(
            session, get_solution(session, "aula"), {"switch_earliest_on": far, "switch_latest_on": far}, actor=SYSTEM
        )
    with pytest.raises(ValidationError):
        create_proposal(
            session,
            proposer=accounts["vendor_owner"].user,
            solution=get_solution(session, "kmd-nexus"),
            changes={"switch_earliest_on": far, "switch_latest_on": far},
            evidence="x",
        )


def test_edit_form_refuses_out_of_range_days(app: Flask, accounts: dict[str, Account]) -> None:
    client, _ = client_for(app, accounts["coordinator"])
    form = form_fields(client.get("/loesninger/aula/rediger").get_data(as_text=True))
    form.update(switch_text="31. december 9999", switch_status="expected", reason="test")
    resp = client.post("/loesninger/aula/rediger", data=form)
    # Refused by the parser today, by the range rule in review.changes.switch_from_text if a parser accepts it.
    assert resp.status_code == 422, resp.status_code
    assert "9999" not in client.get("/api/v1/solutions/aula").get_data(as_text=True)


def test_a_scraped_observation_out_of_range_is_not_proposed(session: Session) -> None:
    target = targets_for("digst_launch", ScrapeSettings())[0]
    obs = Observation(
        source="digst_launch",
        solution_slug="kmd-nexus",
        solution_text="KMD Nexus",
        field="switch_date",
        value="9999-12-31",
        latest="9999-12-31",
        precision="day",
        evidence="Lancering 31.12.9999",
        url="https://digst.dk/x",
    )
    assert propose(session, target, [obs]).added == 0


def test_calendars_survive_a_stored_out_of_range_day(app: Flask, session: Session) -> None:
    # A value stored before the rule (the database itself accepts it).
    session.execute(
        update(Solution)
        .where(Solution.slug == "aula")
        .values(switch_earliest_on=date(9999, 12, 31), switch_latest_on=date(9999, 12, 31))
    )
    session.commit()
    client = app.test_client()
    assert client.get("/calendar/solutions.ics").status_code == 200
    assert client.get("/calendar/municipalities/101.ics").status_code in (200, 403)
