"""Readiness per staff group: IdPs per portfolio entry, brokers' requirements, what to do, stale facts.

The issue's own case: København has an IdP for the administration (Betydelig, primary) and one for the schools
(Lav). A solution requiring Betydelig from a future day, used by both, gives two rows — ``ok`` and ``at_risk``.
Listing a broker that requires Høj turns the administration's row ``at_risk`` too, naming the broker.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import Account, bearer, make_role_accounts
from tests.support.municipalities import fresh_client, idp, solution, use, user_with_token
from tracker.clock import today_in_denmark
from tracker.models import ChangeEvent, Idp, PortfolioEntry, Solution
from tracker.models.municipalities import portfolio_entry_idp
from tracker.models.solutions import solution_broker
from tracker.vocabulary import danish_day

TODAY = today_in_denmark()
AULA_DAY = TODAY + timedelta(days=60)
BROKER_DAY = TODAY + timedelta(days=90)
READINESS = "/api/v1/municipalities/101/readiness"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return fresh_client(app)


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    return make_role_accounts(session)


@pytest.fixture
def kk(session: Session) -> dict[str, str]:
    _, token = user_with_token(session, "it@kk.dk", "municipality", "101")
    session.commit()
    return bearer(token)


@pytest.fixture
def groups(session: Session) -> tuple[Idp, Idp]:
    admin = idp(session, "101", "Administration", "betydelig", group="administration")
    schools = idp(session, "101", "Skoler", "lav", primary=False, group="skoler")
    solution(session, "x-aula", loa="betydelig", earliest=AULA_DAY, name="Aula-test")
    session.commit()
    return admin, schools


def _rows(client: FlaskClient, headers: dict[str, str], query: str = "") -> dict[str, dict[str, Any]]:
    body = client.get(READINESS + query, headers=headers).get_json()
    return {row["idp"]["name"]: row for row in body["items"]}


def _state(session: Session) -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(ChangeEvent)),
        session.scalar(select(func.count()).select_from(PortfolioEntry)),
        tuple(session.execute(select(portfolio_entry_idp)).all()),
        tuple(session.execute(select(solution_broker)).all()),
        tuple(session.execute(select(Solution.slug, Solution.version).order_by(Solution.slug)).all()),
    )


BROKER_SOURCE = "https://broker.example.dk/nsis"


def _broker(client: FlaskClient, coordinator: Account, slug: str, **extra: Any) -> dict[str, Any]:
    body = {
        "slug": slug,
        "name": f"Broker {slug}",
        "kind": "broker",
        "required_loa": {"value": "hoej", "status": "confirmed", "source": {"url": BROKER_SOURCE}},
        "switch_date": {
            "text": BROKER_DAY.isoformat(),
            "state": "planned",
            "status": "confirmed",
            "source": {"url": BROKER_SOURCE},
        },
        **extra,
    }
    resp = client.post("/api/v1/solutions", json=body, headers=coordinator.bearer)
    assert resp.status_code == 201, resp.get_json()
    data: dict[str, Any] = resp.get_json()
    return data


def _patch(client: FlaskClient, account: Account, slug: str, body: Any) -> Any:
    etag = client.get(f"/api/v1/solutions/{slug}").headers["ETag"]
    return client.patch(f"/api/v1/solutions/{slug}", json=body, headers={**account.bearer, "If-Match": etag})


def test_two_staff_groups_give_two_rows_and_a_broker_drives_the_administration_row(
    client: FlaskClient, session: Session, kk: dict[str, str], accounts: dict[str, Account], groups: tuple[Idp, Idp]
) -> None:
    admin, schools = groups
    added = client.post(
        "/api/v1/municipalities/101/portfolio",
        json={"solution": "x-aula", "idp_ids": [schools.id, admin.id]},
        headers=kk,
    )
    assert added.status_code == 201
    assert [i["name"] for i in added.get_json()["idps"]] == ["Administration", "Skoler"]

    rows = _rows(client, kk)
    assert set(rows) == {"Administration", "Skoler"}
    assert rows["Administration"]["status"] == "ok"
    assert rows["Administration"]["action"] == {"code": "none", "text": "Intet at gøre"}
    assert rows["Skoler"]["status"] == "at_risk" and rows["Skoler"]["days_left"] == 60
    by = danish_day(AULA_DAY - timedelta(days=1))
    assert rows["Skoler"]["action"] == {
        "code": "notify_idp",
        "text": f"Anmeld IdP'en 'Skoler' på Betydelig senest {by}",
    }
    assert rows["Skoler"]["requirement_from"] == {"slug": "x-aula", "name": "Aula-test"}
    body = client.get(READINESS, headers=kk).get_json()
    assert (body["totals"]["total"], body["totals"]["solutions"], body["totals"]["at_risk"]) == (2, 1, 1)
    assert [r["status"] for r in body["items"]] == ["at_risk", "ok"]  # by urgency
    english = _rows(client, kk, "?lang=en")
    assert english["Administration"]["action"]["text"] == "Nothing to do"
    assert english["Skoler"]["action"]["text"].startswith("Notify the IdP 'Skoler' at Substantial by ")
    assert _rows(client, kk, "?lang=da")["Administration"]["action"]["text"] == "Intet at gøre"  # cached per language

    # A broker requiring Høj, later than Aula's own day: the administration row turns at_risk, naming it.
    coordinator = accounts["coordinator"]
    _broker(client, coordinator, "x-broker")
    mark = session.scalar(select(func.max(ChangeEvent.id))) or 0
    resp = _patch(client, coordinator, "x-aula", {"brokers": ["x-broker"]})
    assert resp.status_code == 200 and resp.get_json()["brokers"] == ["x-broker"]
    rows = _rows(client, kk)
    assert rows["Administration"]["status"] == "at_risk"
    assert rows["Administration"]["requirement_from"] == {"slug": "x-broker", "name": "Broker x-broker"}
    assert rows["Administration"]["days_left"] == 90
    assert rows["Administration"]["action"]["text"].startswith("Anmeld IdP'en 'Administration' på Høj senest ")
    # The schools' row is still driven by Aula's own, earlier, day.
    assert rows["Skoler"]["requirement_from"]["slug"] == "x-aula" and rows["Skoler"]["days_left"] == 60

    # Exactly one readiness event: the administration's row, in the same transaction as the change.
    session.expire_all()
    events = session.scalars(
        select(ChangeEvent).where(ChangeEvent.id > mark, ChangeEvent.type == "municipality.readiness.changed")
    ).all()
    assert [(e.data["idp"]["name"], e.changes["readiness"]["after"]["status"]) for e in events] == [
        ("Administration", "at_risk")
    ]
    assert events[0].data["requirement_from"] == {"slug": "x-broker", "name": "Broker x-broker"}
    history = client.get("/api/v1/solutions/x-aula/history").get_json()
    assert any(
        (c.get("changes") or {}).get("brokers") == {"before": [], "after": ["x-broker"]} for c in history["items"]
    )

    # The broker's own change reaches the solutions behind it: Høj → Betydelig puts the administration back.
    mark = session.scalar(select(func.max(ChangeEvent.id))) or 0
    assert _patch(client, coordinator, "x-broker", {"required_loa": {"value": "betydelig"}}).status_code == 200
    assert _rows(client, kk)["Administration"]["status"] == "ok"
    session.expire_all()
    back = session.scalars(
        select(ChangeEvent).where(ChangeEvent.id > mark, ChangeEvent.type == "municipality.readiness.changed")
    ).all()
    assert [(e.solution_id, e.data["idp"]["name"]) for e in back] == [
        (session.scalar(select(Solution.id).where(Solution.slug == "x-aula")), "Administration")
    ]


def test_idp_id_stays_a_one_element_shorthand_and_patch_takes_idp_ids(
    client: FlaskClient, session: Session, kk: dict[str, str], groups: tuple[Idp, Idp]
) -> None:
    admin, schools = groups
    resp = client.post(
        "/api/v1/municipalities/101/portfolio", json={"solution": "x-aula", "idp_id": schools.id}, headers=kk
    )
    assert resp.status_code == 201 and [i["id"] for i in resp.get_json()["idps"]] == [schools.id]
    assert set(_rows(client, kk)) == {"Skoler"}
    url = "/api/v1/municipalities/101/portfolio/x-aula"
    both = client.patch(url, json={"idp_ids": [admin.id, schools.id]}, headers=kk)
    assert both.status_code == 200 and len(both.get_json()["idps"]) == 2
    assert set(_rows(client, kk)) == {"Administration", "Skoler"}
    # Empty: the primary IdP.
    assert client.patch(url, json={"idp_ids": []}, headers=kk).get_json()["idps"] == []
    rows = _rows(client, kk)
    assert set(rows) == {"Administration"} and rows["Administration"]["idp_source"] == "primary"


def test_bad_idps_are_refused_in_danish_and_nothing_is_stored(
    client: FlaskClient, session: Session, kk: dict[str, str], groups: tuple[Idp, Idp]
) -> None:
    admin, _ = groups
    aarhus = idp(session, "751", "Aarhus IdP", "hoej")
    session.commit()
    before = _state(session)
    url = "/api/v1/municipalities/101/portfolio"
    for body in (
        {"solution": "x-aula", "idp_ids": [admin.id, aarhus.id]},  # another municipality's IdP
        {"solution": "x-aula", "idp_ids": [999_999]},  # no such IdP
        {"solution": "x-aula", "idp_ids": ["1"]},  # not an id
        {"solution": "x-aula", "idp_ids": [admin.id], "idp_id": admin.id},  # both shapes at once
    ):
        resp = client.post(url, json=body, headers=kk)
        assert resp.status_code == 422, body
        message = resp.get_json()["error"]["message"]
        assert "idp" in message.lower() or "ugyldig" in message.lower(), message
    resp = client.post(url, json={"solution": "x-aula", "idp_ids": [aarhus.id]}, headers=kk)
    assert f"Kommunen har ingen IdP med id {aarhus.id}." == resp.get_json()["error"]["message"]
    assert _state(session) == before
    use(session, "101", "x-aula")
    session.commit()
    before = _state(session)
    resp = client.patch(url + "/x-aula", json={"idp_ids": [aarhus.id]}, headers=kk)
    assert resp.status_code == 422 and "Kommunen har ingen IdP" in resp.get_json()["error"]["message"]
    assert _state(session) == before


def test_bad_brokers_are_refused_in_danish_and_nothing_is_stored(
    client: FlaskClient, session: Session, accounts: dict[str, Account], groups: tuple[Idp, Idp]
) -> None:
    coordinator = accounts["coordinator"]
    _broker(client, coordinator, "x-b1")
    _broker(client, coordinator, "x-b2", brokers=["x-b1"])
    assert client.get("/api/v1/solutions/x-b2").get_json()["brokers"] == ["x-b1"]
    before = _state(session)
    cases = [
        ("x-aula", ["x-ukendt"], "Der findes ingen løsning med slug 'x-ukendt'."),
        ("x-aula", ["fmk"], "er ikke en login-broker"),
        ("x-b1", ["x-b2"], "kredsløb"),  # b2 already goes through b1
        ("x-b1", ["x-b1"], "sin egen broker"),
        ("x-aula", "x-b1", "ugyldige"),  # not a list
    ]
    for slug, brokers, words in cases:
        resp = _patch(client, coordinator, slug, {"brokers": brokers})
        assert resp.status_code == 422, (slug, brokers, resp.get_json())
        assert words in resp.get_json()["error"]["message"], resp.get_json()
    created = client.post(
        "/api/v1/solutions", json={"name": "Ny", "slug": "x-ny", "brokers": ["fmk"]}, headers=coordinator.bearer
    )
    assert created.status_code == 422 and "login-broker" in created.get_json()["error"]["message"]
    english = _patch(client, coordinator, "x-aula", {"brokers": ["fmk"]})
    assert english.status_code == 422
    assert _state(session) == before


def test_a_planned_switch_whose_last_day_has_passed_is_flagged_stale(
    client: FlaskClient, session: Session, kk: dict[str, str], groups: tuple[Idp, Idp]
) -> None:
    past = TODAY - timedelta(days=330)
    solution(session, "x-gammel", loa="betydelig", earliest=past - timedelta(days=30), latest=past, name="Gammel")
    solution(session, "x-frisk", loa="betydelig", earliest=TODAY + timedelta(days=5), name="Frisk")
    use(session, "101", "x-gammel")
    use(session, "101", "x-frisk")
    session.commit()
    items = {r["solution"]["slug"]: r for r in client.get(READINESS, headers=kk).get_json()["items"]}
    assert items["x-gammel"]["stale"] is True and items["x-frisk"]["stale"] is False
    assert client.get(READINESS, headers=kk).get_json()["totals"]["stale"] == 1
    page = client.get("/loesninger/x-gammel").get_data(as_text=True)
    assert "Forældet – skal bekræftes" in page
    assert "Forældet" not in client.get("/loesninger/x-frisk").get_data(as_text=True)
