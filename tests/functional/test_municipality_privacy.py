"""A municipality's IdPs, portfolio and readiness: its own users and coordinators only — from every route.

The API operations are taken from the OpenAPI document, so an operation added later is checked too.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer
from tests.support.municipalities import fresh_client, idp, log_in, municipality, use, user_with_token
from tracker.models import ChangeEvent, Idp, PortfolioEntry
from tracker.models.municipalities import portfolio_entry_idp
from tracker.municipalities import plans
from tracker.registry.actors import SYSTEM

SECRET_IDP = "Hemmelig-IdP-KK"
SECRET_GROUP = "skoleportal-kk"
PUBLIC_PRIVATE_EXCEPTIONS = {"/api/v1/municipalities/{code}"}  # name and region are public


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Each request in its own app context (see ``FreshContextClient``)."""
    return fresh_client(app)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """København with a private IdP and portfolio; users of København, Aarhus, a vendor and a coordinator."""
    secret = idp(session, "101", SECRET_IDP, "betydelig", group=SECRET_GROUP)
    use(session, "101", "aula", via=secret)
    # A planned change of the secret IdP (readiness over time): its own operations are private too.
    change = plans.create_change(
        session,
        municipality(session, "101"),
        {"idp_id": secret.id, "kind": "retire", "effective_on": "2030-01-01"},
        actor=SYSTEM,
    )
    kk_user, kk_token = user_with_token(session, "it@kk.dk", "municipality", "101")
    aarhus_user, aarhus_token = user_with_token(session, "it@aarhus.dk", "municipality", "751")
    _, vendor_token = user_with_token(session, "x@kmd.dk", "vendor", organisation="kmd")
    _, coordinator_token = user_with_token(session, "k@kl.dk", "coordinator")
    session.commit()
    return {
        "idp_id": secret.id,
        "change_id": change.id,
        "kk_user": kk_user,
        "kk": bearer(kk_token),
        "aarhus_user": aarhus_user,
        "aarhus": bearer(aarhus_token),
        "vendor": bearer(vendor_token),
        "coordinator": bearer(coordinator_token),
    }


def _private_operations(client: FlaskClient) -> list[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    ops = []
    for path, item in spec["paths"].items():
        private = path.startswith("/api/v1/municipalities/{code}") and path not in PUBLIC_PRIVATE_EXCEPTIONS
        if private or path == "/api/v1/national":
            ops += [(method.upper(), path) for method in item if method in {"get", "post", "patch", "delete", "put"}]
    return ops


def _call(
    client: FlaskClient,
    method: str,
    path: str,
    idp_id: int,
    headers: dict[str, str],
    change_id: int = 1,
    action_id: int = 1,  # an outsider is refused before the action is looked up
) -> Any:
    url = path.replace("{code}", "101").replace("{idp_id}", str(idp_id)).replace("{slug}", "aula")
    url = url.replace("{change_id}", str(change_id))
    url = url.replace("{token_id}", "1")  # a feed token: refused before it is looked up
    url = url.replace("{action_id}", str(action_id))
    kwargs: dict[str, Any] = {"headers": headers}
    if url.endswith("/import"):
        kwargs.update(data={"file": (io.BytesIO(b"FMK\n"), "x.csv")}, content_type="multipart/form-data")
    elif method == "POST" and url.endswith("/idp-changes"):
        kwargs["json"] = {"idp_id": idp_id, "kind": "loa", "effective_on": "2030-02-01", "notified_loa": "hoej"}
    elif method == "POST" and url.endswith("/idps"):
        kwargs["json"] = {"name": "Indtrænger", "notified_loa": "lav"}
    elif method == "POST":
        kwargs["json"] = {"solution": "fmk"}
    elif method == "PATCH" and "/actions/" in url:
        kwargs.update(json={"status": "done"}, headers={**headers, "If-Match": "*"})
    elif method == "PATCH" and "/idps/" in url:
        kwargs["json"] = {"notified_loa": "lav"}
    elif method == "PATCH":
        kwargs["json"] = {"idp_id": None}
    return client.open(url, method=method, **kwargs)


def _state(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    kk = municipality(session, "101").id
    idps = session.execute(select(Idp.name, Idp.notified_loa).where(Idp.municipality_id == kk)).all()
    entries = session.execute(
        select(PortfolioEntry.solution_id, portfolio_entry_idp.c.idp_id)
        .outerjoin(portfolio_entry_idp, portfolio_entry_idp.c.portfolio_entry_id == PortfolioEntry.id)
        .where(PortfolioEntry.municipality_id == kk)
        .order_by(PortfolioEntry.solution_id, portfolio_entry_idp.c.idp_id)
    ).all()
    events = session.scalar(select(func.count(ChangeEvent.id)))
    return tuple(idps), tuple(entries), events


def test_the_check_covers_every_private_operation(client: FlaskClient) -> None:
    ops = set(_private_operations(client))
    assert {
        ("GET", "/api/v1/municipalities/{code}/readiness.xlsx"),
        ("DELETE", "/api/v1/municipalities/{code}/idps/{idp_id}"),
        ("POST", "/api/v1/municipalities/{code}/portfolio/import"),
        ("GET", "/api/v1/national"),
    } <= ops
    assert len(ops) >= 14


@pytest.mark.parametrize("who", ["anonymous", "aarhus", "aarhus_cookie", "vendor"])
def test_outsiders_get_nothing_from_any_api_operation(
    client: FlaskClient, session: Session, world: dict[str, Any], who: str
) -> None:
    headers = {} if who in {"anonymous", "aarhus_cookie"} else world[who]
    if who == "aarhus_cookie":
        log_in(client, world["aarhus_user"])
    before = _state(session)
    for method, path in _private_operations(client):
        resp = _call(client, method, path, world["idp_id"], headers, world["change_id"])
        assert resp.status_code in {401, 403}, (who, method, path, resp.status_code)
        assert SECRET_IDP.encode() not in resp.data and SECRET_GROUP.encode() not in resp.data, (who, method, path)
        assert resp.is_json and resp.get_json()["error"]["code"] in {"unauthorized", "forbidden"}
    assert _state(session) == before


@pytest.mark.parametrize("who", ["kk", "coordinator"])
def test_own_users_and_coordinators_read_everything(client: FlaskClient, world: dict[str, Any], who: str) -> None:
    for method, path in _private_operations(client):
        if method != "GET" or (path == "/api/v1/national" and who == "kk"):
            continue
        if "/actions" in path and who == "coordinator":
            continue  # a municipality's actions are its own: KL sees counts only (test_actions_authz)
        action_id = 1
        if "{action_id}" in path:  # one of KK's own actions (ids differ between databases)
            listed = client.get("/api/v1/municipalities/101/actions", headers=world[who]).get_json()
            action_id = listed["items"][0]["id"]
        resp = _call(client, method, path, world["idp_id"], world[who], world["change_id"], action_id)
        assert resp.status_code == 200, (who, path, resp.status_code)
    body = client.get("/api/v1/municipalities/101/idps", headers=world[who]).get_data(as_text=True)
    assert SECRET_IDP in body


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


PAGE_POSTS = [
    ("/kommuner/101/idps", {"new-name": "Indtrænger", "new-notified_loa": "lav"}),
    ("/kommuner/101/idps/{idp_id}", {"idp{idp_id}-name": "Ændret", "idp{idp_id}-notified_loa": "lav"}),
    ("/kommuner/101/idps/{idp_id}/slet", {}),
    ("/kommuner/101/portefoelje", {"solution": "fmk"}),
    ("/kommuner/101/portefoelje/aula", {}),
    ("/kommuner/101/portefoelje/aula/fjern", {}),
]


def test_pages_send_anonymous_visitors_to_log_in(client: FlaskClient, world: dict[str, Any]) -> None:
    for url in ("/kommuner/101", "/landsoverblik"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], url
        assert SECRET_IDP.encode() not in resp.data


def test_another_municipalitys_user_is_refused_by_every_page(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    log_in(client, world["aarhus_user"])
    own = client.get("/kommuner/751")
    assert own.status_code == 200
    token = _csrf(own.get_data(as_text=True))
    before = _state(session)
    resp = client.get("/kommuner/101")
    assert resp.status_code == 403 and SECRET_IDP.encode() not in resp.data
    assert client.get("/landsoverblik").status_code == 403
    for url, form in PAGE_POSTS:
        data = {k.replace("{idp_id}", str(world["idp_id"])): v for k, v in form.items()}
        resp = client.post(url.replace("{idp_id}", str(world["idp_id"])), data={**data, "csrf_token": token})
        assert resp.status_code == 403, (url, resp.status_code)
        assert SECRET_IDP.encode() not in resp.data
    upload = {"file": (io.BytesIO(b"FMK\n"), "x.csv"), "csrf_token": token}
    resp = client.post("/kommuner/101/portefoelje/import", data=upload, content_type="multipart/form-data")
    assert resp.status_code == 403
    assert _state(session) == before


def test_anonymous_form_posts_change_nothing(client: FlaskClient, session: Session, world: dict[str, Any]) -> None:
    before = _state(session)
    for url, form in PAGE_POSTS:
        resp = client.post(url.replace("{idp_id}", str(world["idp_id"])), data=form)
        assert resp.status_code in {400, 401}, url  # no CSRF token, no login
        assert SECRET_IDP.encode() not in resp.data
    assert _state(session) == before


def test_popular_names_no_municipality_to_outsiders(client: FlaskClient, world: dict[str, Any]) -> None:
    for headers in ({}, world["aarhus"], world["vendor"]):
        body = client.get("/api/v1/popular", headers=headers).get_json()
        assert all("municipalities" not in i for i in body["items"])
    page = client.get("/kommende-skift").get_data(as_text=True)
    assert "København" not in page
