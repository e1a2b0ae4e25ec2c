"""Impact preview: before a change is saved or a proposal accepted, which municipalities' staff groups
would move to at_risk/locked_out, or back — and nothing is written by asking."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import Account, csrf_token, log_in, make_role_accounts
from tests.support.forms import form_fields
from tests.support.municipalities import fresh_client, idp, solution, use
from tracker.clock import today_in_denmark
from tracker.models import ChangeEvent, Proposal, Solution
from tracker.review.services import create_proposal

DAY = today_in_denmark() + timedelta(days=40)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return fresh_client(app)


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    return make_role_accounts(session)


@pytest.fixture
def country(session: Session) -> None:
    """København: administration at Betydelig, schools at Lav, both use x-portal; Aarhus at Høj; Odense at Lav."""
    solution(session, "x-portal", loa="lav", earliest=DAY, name="Portal-test")
    admin = idp(session, "101", "Administration", "betydelig", group="administration")
    schools = idp(session, "101", "Skoler", "lav", primary=False, group="skoler")
    use(session, "101", "x-portal", groups=[admin, schools])
    idp(session, "751", "Aarhus IdP", "hoej")
    use(session, "751", "x-portal")
    idp(session, "461", "Odense IdP", "lav")
    use(session, "461", "x-portal")
    session.commit()


def _written(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(ChangeEvent)),
        session.scalar(select(Solution.version).where(Solution.slug == "x-portal")),
    )


def test_the_api_says_which_municipalities_and_rows_would_move(
    client: FlaskClient, session: Session, accounts: dict[str, Account], country: None
) -> None:
    before = _written(session)
    url = "/api/v1/solutions/x-portal/impact"
    body = {"required_loa": {"value": "betydelig"}}
    resp = client.post(url, json=body, headers=accounts["coordinator"].bearer)
    assert resp.status_code == 200, resp.get_json()
    impact = resp.get_json()
    moves = {(m["municipality"]["code"], m["idp"]["name"]): (m["before"], m["after"]) for m in impact["moves"]}
    assert moves == {("101", "Skoler"): ("ok", "at_risk"), ("461", "Odense IdP"): ("ok", "at_risk")}
    assert (impact["municipalities_worse"], impact["rows_worse"], impact["rows_better"]) == (2, 2, 0)
    assert _written(session) == before  # asking writes nothing

    # And back: raised first, then the preview of lowering it again names the same rows, moving out.
    client.patch(
        "/api/v1/solutions/x-portal",
        json=body,
        headers={
            **accounts["coordinator"].bearer,
            "If-Match": client.get("/api/v1/solutions/x-portal").headers["ETag"],
        },
    )
    back = client.post(url, json={"required_loa": {"value": "lav"}}, headers=accounts["coordinator"].bearer).get_json()
    assert (back["rows_worse"], back["rows_better"], back["municipalities_better"]) == (0, 2, 2)

    # Only coordinators ask; bad input is a Danish 422.
    assert client.post(url, json=body, headers=accounts["municipality"].bearer).status_code == 403
    bad = client.post(url, json={"switch_date": {"text": "engang"}}, headers=accounts["coordinator"].bearer)
    assert bad.status_code == 422


def test_the_proposal_page_and_the_edit_form_show_the_impact(
    client: FlaskClient, session: Session, accounts: dict[str, Account], country: None
) -> None:
    portal = session.scalar(select(Solution).where(Solution.slug == "x-portal"))
    assert portal is not None
    proposal = create_proposal(
        session,
        proposer=accounts["municipality"].user,
        solution=portal,
        changes={"loa_value": "hoej"},
        evidence="Leverandørens nyhedsbrev siger Høj.",
    )
    session.commit()
    log_in(client, accounts["coordinator"].user)
    html = client.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    assert "Virkning for kommunerne" in html
    # København's two groups and Odense; Aarhus' IdP at Høj stays ok.
    assert "2 kommuner (3 rækker) kommer i fare eller lukkes ude" in html
    assert 'data-municipality="461"' in html and 'data-municipality="751"' not in html

    before = _written(session)
    form = client.get("/loesninger/x-portal/rediger").get_data(as_text=True)
    assert "Vis virkning for kommunerne" in form
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Proposal)) == 1
    fields = form_fields(form)
    fields.update(
        {"loa_value": "betydelig", "preview": "1", "csrf_token": csrf_token(client, "/loesninger/x-portal/rediger")}
    )
    resp = client.post("/loesninger/x-portal/rediger", data=fields)
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "2 kommuner (2 rækker) kommer i fare eller lukkes ude" in page
    assert _written(session) == before


def test_stale_facts_are_at_the_top_of_the_coordinators_queue(
    client: FlaskClient, session: Session, accounts: dict[str, Account]
) -> None:
    past = today_in_denmark() - timedelta(days=330)
    solution(session, "x-forsinket", loa="hoej", earliest=past, name="Forsinket-test")
    session.commit()
    log_in(client, accounts["coordinator"].user)
    html = client.get("/forslag").get_data(as_text=True)
    top = html.index('class="stale-facts"')
    assert top < html.index('id="main-content"') + 400 and 'data-solution="x-forsinket"' in html[top:]


def test_the_national_picture_counts_staff_groups(
    client: FlaskClient, session: Session, accounts: dict[str, Account], country: None
) -> None:
    body = client.get("/api/v1/national", headers=accounts["coordinator"].bearer).get_json()
    item = next(i for i in body["items"] if i["solution"]["slug"] == "x-portal")
    assert (item["users"], item["groups"]) == (3, 4)
    client.patch(
        "/api/v1/solutions/x-portal",
        json={"required_loa": {"value": "betydelig"}},
        headers={
            **accounts["coordinator"].bearer,
            "If-Match": client.get("/api/v1/solutions/x-portal").headers["ETag"],
        },
    )
    body = client.get("/api/v1/national", headers=accounts["coordinator"].bearer).get_json()
    item = next(i for i in body["items"] if i["solution"]["slug"] == "x-portal")
    assert item["counts"]["at_risk"] == 2 and item["municipality_counts"]["at_risk"] == 2
    assert {(v["code"], v["group"]) for v in item["at_risk"]} == {("101", "skoler"), ("461", "Odense IdP")}
    log_in(client, accounts["coordinator"].user)
    html = client.get("/landsoverblik").get_data(as_text=True)
    assert "1 kommuner: skoler lukkes ude af Portal-test fra" in html


SOURCE = "https://broker.example.dk/nsis"


def _broker(client: FlaskClient, coordinator: Account, slug: str, loa: str) -> None:
    body = {
        "slug": slug,
        "name": f"Broker {slug}",
        "kind": "broker",
        "required_loa": {"value": loa, "status": "confirmed", "source": {"url": SOURCE}},
        "switch_date": {"text": DAY.isoformat(), "state": "planned", "status": "confirmed", "source": {"url": SOURCE}},
    }
    resp = client.post("/api/v1/solutions", json=body, headers=coordinator.bearer)
    assert resp.status_code == 201, resp.get_json()


def _brokers_of(session: Session, slug: str) -> list[str]:
    session.expire_all()
    found = session.scalar(select(Solution).where(Solution.slug == slug))
    assert found is not None
    return found.brokers


def test_listing_a_broker_is_previewed_and_edited_in_the_form(
    client: FlaskClient, session: Session, accounts: dict[str, Account], country: None
) -> None:
    coordinator = accounts["coordinator"]
    _broker(client, coordinator, "x-strict", "hoej")
    _broker(client, coordinator, "x-mild", "lav")
    before = _written(session)

    # The API: listing the strict broker puts every group below Høj at risk (Aarhus' Høj IdP stays ok).
    url = "/api/v1/solutions/x-portal/impact"
    impact = client.post(url, json={"brokers": ["x-strict"]}, headers=coordinator.bearer).get_json()
    moves = {(m["municipality"]["code"], m["idp"]["name"]): (m["before"], m["after"]) for m in impact["moves"]}
    assert moves == {
        ("101", "Administration"): ("ok", "at_risk"),
        ("101", "Skoler"): ("ok", "at_risk"),
        ("461", "Odense IdP"): ("ok", "at_risk"),
    }
    mild = client.post(url, json={"brokers": ["x-mild"]}, headers=coordinator.bearer).get_json()
    assert mild["moves"] == []
    # What saving would refuse, the preview refuses too, in Danish: a solution that is not a broker, or itself.
    for wrong in (["x-portal"], ["x-nowhere"]):
        bad = client.post(url, json={"brokers": wrong}, headers=coordinator.bearer)
        assert bad.status_code == 422, bad.get_json()
        assert bad.get_json()["error"]["details"]["brokers"]
    assert _written(session) == before

    # The edit form: a checkbox per broker (not the solution itself), preview, save, and clear again.
    log_in(client, coordinator.user)
    page = client.get("/loesninger/x-portal/rediger").get_data(as_text=True)
    fields = form_fields(page)
    assert 'value="x-strict"' in page and 'value="x-mild"' in page and 'name="brokers" value="x-portal"' not in page
    assert "brokers" not in fields  # none checked yet
    token = csrf_token(client, "/loesninger/x-portal/rediger")
    fields.update({"brokers": ["x-strict", "x-mild"], "preview": "1", "csrf_token": token})
    preview = client.post("/loesninger/x-portal/rediger", data=fields)
    assert preview.status_code == 200
    assert "2 kommuner (3 rækker) kommer i fare eller lukkes ude" in preview.get_data(as_text=True)
    assert _written(session) == before

    fields.pop("preview")
    saved = client.post("/loesninger/x-portal/rediger", data=fields)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    assert _brokers_of(session, "x-portal") == ["x-mild", "x-strict"]

    again = form_fields(client.get("/loesninger/x-portal/rediger").get_data(as_text=True))
    assert sorted(again["brokers"]) == ["x-mild", "x-strict"]  # both boxes come back checked
    again.pop("brokers")
    again["csrf_token"] = token
    assert client.post("/loesninger/x-portal/rediger", data=again).status_code == 302
    assert _brokers_of(session, "x-portal") == []
