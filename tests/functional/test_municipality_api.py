"""The municipality API: IdPs and portfolio (CRUD), readiness, the national picture, upcoming, popular."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer
from tests.support.municipalities import fresh_client, idp, log_in, municipality, seeded, solution, use, user_with_token
from tracker.clock import today_in_denmark
from tracker.models import Idp, PortfolioEntry
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

TODAY = today_in_denmark()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Each request in its own app context (see ``FreshContextClient``)."""
    return fresh_client(app)


@pytest.fixture
def kk(session: Session) -> dict[str, str]:
    """A København user's token header."""
    _, token = user_with_token(session, "it@kk.dk", "municipality", "101")
    session.commit()
    return bearer(token)


@pytest.fixture
def coordinator(session: Session) -> dict[str, str]:
    """A coordinator's token header."""
    _, token = user_with_token(session, "koordinator@kl.dk", "coordinator")
    session.commit()
    return bearer(token)


def test_idp_lifecycle(client: FlaskClient, session: Session, kk: dict[str, str]) -> None:
    resp = client.post(
        "/api/v1/municipalities/101/idps",
        json={
            "name": "KK AD FS",
            "user_group": "administration",
            "notified_loa": "betydelig",
            "broker": "NemLog-in",
            "is_primary": True,
        },
        headers=kk,
    )
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert created == {**created, "name": "KK AD FS", "notified_loa": "betydelig", "is_primary": True}

    schools = client.post("/api/v1/municipalities/101/idps", json={"name": "Skoler"}, headers=kk).get_json()
    assert schools["notified_loa"] == "ukendt" and schools["is_primary"] is False

    listed = client.get("/api/v1/municipalities/101/idps", headers=kk).get_json()
    assert [i["name"] for i in listed["items"]] == ["KK AD FS", "Skoler"] and listed["total"] == 2

    resp = client.patch(
        f"/api/v1/municipalities/101/idps/{schools['id']}",
        json={"notified_loa": "hoej", "is_primary": True},
        headers=kk,
    )
    assert resp.status_code == 200 and resp.get_json()["notified_loa"] == "hoej"
    first = client.get(f"/api/v1/municipalities/101/idps/{created['id']}", headers=kk).get_json()
    assert first["is_primary"] is False  # only one primary

    assert client.delete(f"/api/v1/municipalities/101/idps/{schools['id']}", headers=kk).status_code == 204
    assert client.get(f"/api/v1/municipalities/101/idps/{schools['id']}", headers=kk).status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": ""}, 422, "name"),
        ({"name": "x", "notified_loa": "middel"}, 422, "notified_loa"),
        ({"user_group": "skoler"}, 422, "name"),
        ({"name": "x" * 201}, 422, "name"),
        ({"name": "x", "is_primary": "ja"}, 422, "is_primary"),
    ],
)
def test_bad_idp_input_is_a_danish_422(
    client: FlaskClient, session: Session, kk: dict[str, str], body: dict[str, object], status: int, field: str
) -> None:
    resp = client.post("/api/v1/municipalities/101/idps", json=body, headers=kk)
    assert resp.status_code == status
    assert field in resp.get_json()["error"]["details"]
    assert session.scalar(select(Idp).where(Idp.municipality_id == municipality(session, "101").id)) is None


def test_duplicate_idp_name_is_409(client: FlaskClient, kk: dict[str, str]) -> None:
    assert client.post("/api/v1/municipalities/101/idps", json={"name": "AD"}, headers=kk).status_code == 201
    resp = client.post("/api/v1/municipalities/101/idps", json={"name": "ad"}, headers=kk)
    assert resp.status_code == 409 and "allerede en IdP" in resp.get_json()["error"]["message"]


def test_another_municipalitys_idp_is_not_found_through_ours(
    client: FlaskClient, session: Session, kk: dict[str, str]
) -> None:
    aarhus_idp = idp(session, "751", "Aarhus IdP", "lav")
    session.commit()
    for method in ("get", "patch", "delete"):
        resp = getattr(client, method)(f"/api/v1/municipalities/101/idps/{aarhus_idp.id}", json={}, headers=kk)
        assert resp.status_code == 404, method
    session.refresh(aarhus_idp)
    assert aarhus_idp.name == "Aarhus IdP"
    # nor can it be named for one of our portfolio entries
    resp = client.post(
        "/api/v1/municipalities/101/portfolio", json={"solution": "aula", "idp_id": aarhus_idp.id}, headers=kk
    )
    assert resp.status_code == 422 and "idp_id" in resp.get_json()["error"]["details"]


def test_portfolio_lifecycle(client: FlaskClient, session: Session, kk: dict[str, str]) -> None:
    schools = client.post(
        "/api/v1/municipalities/101/idps", json={"name": "Skoler", "notified_loa": "betydelig"}, headers=kk
    ).get_json()
    resp = client.post(
        "/api/v1/municipalities/101/portfolio", json={"solution": "aula", "idp_id": schools["id"]}, headers=kk
    )
    assert resp.status_code == 201
    ref = {"id": schools["id"], "name": "Skoler", "user_group": None, "notified_loa": "betydelig"}
    assert resp.get_json()["idp"] == ref and resp.get_json()["idps"] == [ref]
    assert client.post("/api/v1/municipalities/101/portfolio", json={"solution": "fmk"}, headers=kk).status_code == 201

    again = client.post("/api/v1/municipalities/101/portfolio", json={"solution": "aula"}, headers=kk)
    assert again.status_code == 409
    unknown = client.post("/api/v1/municipalities/101/portfolio", json={"solution": "findes-ikke"}, headers=kk)
    assert unknown.status_code == 422 and "findes-ikke" in unknown.get_json()["error"]["message"]

    items = client.get("/api/v1/municipalities/101/portfolio", headers=kk).get_json()["items"]
    assert [i["solution"]["slug"] for i in items] == ["aula", "fmk"]  # by name: "Aula" < "FMK – …"

    resp = client.patch(
        "/api/v1/municipalities/101/portfolio/aula", json={"idp_id": None, "note": "Via Unilogin"}, headers=kk
    )
    assert resp.status_code == 200 and resp.get_json()["idp"] is None and resp.get_json()["note"] == "Via Unilogin"

    assert client.delete("/api/v1/municipalities/101/portfolio/aula", headers=kk).status_code == 204
    assert client.delete("/api/v1/municipalities/101/portfolio/aula", headers=kk).status_code == 404
    entries = session.scalars(
        select(PortfolioEntry).where(PortfolioEntry.municipality_id == municipality(session, "101").id)
    ).all()
    assert [e.solution.slug for e in entries] == ["fmk"]


def test_api_writes_need_a_token_not_the_login_cookie(client: FlaskClient, session: Session) -> None:
    user, _ = user_with_token(session, "cookie@kk.dk", "municipality", "101")
    session.commit()
    log_in(client, user)
    assert client.get("/api/v1/municipalities/101/idps").status_code == 200  # reads may ride the cookie
    resp = client.post("/api/v1/municipalities/101/idps", json={"name": "CSRF"})
    assert resp.status_code == 401
    assert session.scalar(select(Idp).where(Idp.name == "CSRF")) is None


def test_readiness_rows_totals_and_order(client: FlaskClient, session: Session, kk: dict[str, str]) -> None:
    soon, later = TODAY + timedelta(days=10), TODAY + timedelta(days=100)
    solution(session, "x-locked", loa="hoej", earliest=TODAY - timedelta(days=5))
    solution(session, "x-later", loa="hoej", earliest=later, latest=later + timedelta(days=60))
    solution(session, "x-soon", loa="hoej", earliest=soon)
    solution(session, "x-nodate", loa="hoej")
    solution(session, "x-ok", loa="lav", earliest=soon)
    admin = idp(session, "101", "Administration", "betydelig")
    for slug in ("x-ok", "x-nodate", "x-later", "x-soon", "x-locked", "aula"):
        use(session, "101", slug, via=admin if slug == "x-ok" else None)
    session.commit()

    body = client.get("/api/v1/municipalities/101/readiness", headers=kk).get_json()
    # x-locked's planned switch ended five days ago: locked out, and flagged stale (to be confirmed).
    assert body["totals"] == {
        "ok": 1,
        "at_risk": 2,
        "locked_out": 1,
        "unknown": 2,
        "total": 6,
        "solutions": 6,
        "stale": 1,
    }
    assert body["today"] == TODAY.isoformat()
    rows = {r["solution"]["slug"]: r for r in body["items"]}
    assert [r["solution"]["slug"] for r in body["items"]] == [
        "x-locked",
        "x-soon",
        "x-later",
        "aula",
        "x-nodate",
        "x-ok",
    ]
    assert [r["status"] for r in body["items"]] == ["locked_out", "at_risk", "at_risk", "unknown", "unknown", "ok"]
    assert rows["x-soon"]["days_left"] == 10 and rows["x-soon"]["locked_out_from"] == soon.isoformat()
    assert (
        rows["x-later"]["days_left"] == 100
        and rows["x-later"]["switch_date"]["latest"] == (later + timedelta(days=60)).isoformat()
    )
    assert rows["x-nodate"]["reason"]["code"] == "switch_date_unknown"
    assert rows["aula"]["reason"]["code"] == "required_loa_unknown"
    assert rows["x-ok"]["idp"]["name"] == "Administration" and rows["x-ok"]["idp_source"] == "portfolio"
    assert rows["x-soon"]["idp_source"] == "primary"
    assert "10 dage tilbage" in rows["x-soon"]["message"]


def test_national_picture_for_coordinators(
    client: FlaskClient, session: Session, coordinator: dict[str, str], kk: dict[str, str]
) -> None:
    day = TODAY + timedelta(days=40)
    solution(session, "x-national", loa="hoej", earliest=day, name="Landsløsning")
    idp(session, "101", "KK", "betydelig")
    idp(session, "751", "Aarhus", "hoej")
    idp(session, "461", "Odense", "lav")
    idp(session, "147", "Frederiksberg", "ukendt")
    for code in ("101", "751", "461", "147"):
        use(session, code, "x-national")
    session.commit()

    body = client.get("/api/v1/national", headers=coordinator).get_json()
    item = next(i for i in body["items"] if i["solution"]["slug"] == "x-national")
    assert item["users"] == 4
    assert item["counts"] == {"ok": 1, "at_risk": 2, "locked_out": 0, "unknown": 1}
    assert [(v["code"], v["from"], v["days_left"]) for v in item["at_risk"]] == [
        ("101", day.isoformat(), 40),
        ("461", day.isoformat(), 40),
    ]
    assert [(v["code"], v["reason"]) for v in item["unknown"]] == [("147", "idp_loa_unknown")]
    assert body["items"][0]["solution"]["slug"] == "x-national"  # the only solution anyone is at risk with
    only = client.get("/api/v1/national?only_risk=true", headers=coordinator).get_json()
    assert [i["solution"]["slug"] for i in only["items"]] == ["x-national"]

    assert client.get("/api/v1/national", headers=kk).status_code == 403
    assert client.get("/api/v1/national").status_code == 401


def test_upcoming_switches_in_the_next_twelve_months(client: FlaskClient, session: Session) -> None:
    solution(session, "x-next-month", loa="hoej", earliest=TODAY + timedelta(days=30))
    solution(session, "x-in-two-years", loa="hoej", earliest=TODAY + timedelta(days=730))
    solution(
        session, "x-window-open", loa="hoej", earliest=TODAY - timedelta(days=10), latest=TODAY + timedelta(days=20)
    )
    solution(session, "x-switched", loa="hoej", earliest=TODAY + timedelta(days=5), state="switched")
    solution(session, "x-cancelled", loa="hoej", earliest=TODAY + timedelta(days=5), state="cancelled")
    solution(session, "x-past", loa="hoej", earliest=TODAY - timedelta(days=30))
    session.commit()
    body = client.get("/api/v1/upcoming").get_json()
    slugs = [i["solution"]["slug"] for i in body["items"]]
    assert slugs == ["x-window-open", "x-next-month"]
    assert [i["days_until"] for i in body["items"]] == [0, 30]
    assert body["from"] == TODAY.isoformat()
    longer = client.get("/api/v1/upcoming?months=36").get_json()
    assert "x-in-two-years" in [i["solution"]["slug"] for i in longer["items"]]
    assert client.get("/api/v1/upcoming?months=0").status_code == 422


def test_popular_counts_for_all_names_for_coordinators(
    client: FlaskClient, session: Session, coordinator: dict[str, str], kk: dict[str, str]
) -> None:
    for code in ("101", "751", "461"):
        use(session, code, "fmk")
    use(session, "101", "aula")
    session.commit()
    public = client.get("/api/v1/popular").get_json()
    assert public["municipalities_included"] is False
    assert [(i["solution"]["slug"], i["municipalities_count"]) for i in public["items"]] == [("fmk", 3), ("aula", 1)]
    assert all("municipalities" not in i for i in public["items"])
    assert client.get("/api/v1/popular", headers=kk).get_json()["municipalities_included"] is False
    full = client.get("/api/v1/popular", headers=coordinator).get_json()
    assert [m["code"] for m in full["items"][0]["municipalities"]] == ["751", "101", "461"]  # Aarhus, København, Odense


def test_registry_change_through_the_service_shows_in_readiness(
    client: FlaskClient, session: Session, kk: dict[str, str]
) -> None:
    idp(session, "101", "KK", "betydelig")
    use(session, "101", "aula")
    session.commit()
    assert client.get("/api/v1/municipalities/101/readiness", headers=kk).get_json()["items"][0]["status"] == "unknown"
    update_solution(
        session,
        seeded(session, "aula"),
        {"loa_value": "hoej", "switch_earliest_on": TODAY, "switch_latest_on": TODAY},
        actor=SYSTEM,
    )
    session.commit()
    row = client.get("/api/v1/municipalities/101/readiness", headers=kk).get_json()["items"][0]
    assert (row["status"], row["locked_out_from"]) == ("locked_out", TODAY.isoformat())


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/municipalities/101/idps/2731181874",  # beyond a 32-bit id: PostgreSQL would refuse to compare
        "/api/v1/municipalities/1%000/idps",  # NUL: PostgreSQL refuses it in text
        "/api/v1/municipalities/abc/readiness",
        "/api/v1/municipalities/101/portfolio/a%00b",
    ],
)
def test_ids_and_codes_that_cannot_exist_are_404_on_every_database(
    client: FlaskClient, kk: dict[str, str], url: str
) -> None:
    method = "patch" if "/portfolio/" in url else "get"
    resp = getattr(client, method)(url, json={}, headers=kk)
    # A NUL may be refused before routing (400); either way a clear 4xx, never a database error.
    assert resp.status_code in ({400, 404} if "%00" in url else {404}), resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Null\x00byte"},
        {"name": "Lodret\x0btabulator"},
        {"name": "OK", "broker": "a\x00"},
    ],
)
def test_control_characters_are_refused(client: FlaskClient, kk: dict[str, str], body: dict[str, str]) -> None:
    resp = client.post("/api/v1/municipalities/101/idps", json=body, headers=kk)
    assert resp.status_code == 422


def test_bad_references_in_portfolio_bodies_are_422(client: FlaskClient, kk: dict[str, str]) -> None:
    for body in ({"solution": "aula", "idp_id": 2731181874}, {"solution": "au\x00la"}, {"solution": "Aula"}):
        resp = client.post("/api/v1/municipalities/101/portfolio", json=body, headers=kk)
        assert resp.status_code == 422, body
    resp = client.post("/api/v1/municipalities/101/portfolio", json={"solution": "aula", "note": "a\x00"}, headers=kk)
    assert resp.status_code == 422


def test_registry_export_refuses_nul_in_filters(client: FlaskClient) -> None:
    assert client.get("/api/v1/solutions.csv?q=a%00b").status_code in {400, 422}
