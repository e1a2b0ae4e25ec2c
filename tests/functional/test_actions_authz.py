"""The authorization matrix of actions: every action route (API operations from the OpenAPI document, pages,
exports and calendar from the URL map), for every role — the municipality's own users only. Coordinators,
admins, vendors, other municipalities (token or cookie) and anonymous callers read nothing and change nothing;
``action.updated`` reaches no one else's webhook or event log.

Routes are discovered, so an action route added later is checked too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import CSRF_RE, bearer
from tests.support.municipalities import fresh_client, idp, log_in, municipality, solution, use, user_with_token
from tracker.actions.sync import sync_municipality
from tracker.clock import clock_set_to
from tracker.models import Action, ActionChange, ActionRead, ChangeEvent

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SECRET_NOTE = "Hemmelig-note-KK"
SECRET_TEAM = "Hemmeligt-team-KK"
NATIONAL = "/api/v1/national/actions"  # KL's counts: coordinators and admins only (checked below)
OUTSIDERS = ("anonymous", "aarhus", "aarhus_cookie", "vendor", "coordinator", "admin", "admin_cookie")


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    """7 December 2026 for every request."""
    with clock_set_to(lambda: NOW):
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Each request in its own app context."""
    return fresh_client(app)


@pytest.fixture
def world(app: Flask, session: Session) -> dict[str, Any]:
    """København with one action (a secret note and team); users of every role."""
    kk_idp = idp(session, "101", "KK-IdP", "betydelig", group="Administration")
    solution(session, "omsorg", loa="hoej", earliest=date(2027, 3, 1), name="Omsorg")
    use(session, "101", "omsorg", via=kk_idp)
    sync_municipality(session, municipality(session, "101"))
    action = session.scalars(select(Action)).one()
    action.note, action.owner_team = SECRET_NOTE, SECRET_TEAM
    users = {}
    tokens = {}
    for who, role, code, org in [
        ("kk", "municipality", "101", None),
        ("aarhus", "municipality", "751", None),
        ("vendor", "vendor", None, "kmd"),
        ("coordinator", "coordinator", None, None),
        ("admin", "admin", None, None),
    ]:
        users[who], token = user_with_token(session, f"{who}@authz.dk", role, code, organisation=org)
        tokens[who] = bearer(token)
    session.commit()
    return {"action_id": action.id, "users": users, "tokens": tokens}


def api_operations(client: FlaskClient) -> list[tuple[str, str]]:
    """Every API operation on actions, from the OpenAPI document."""
    spec = client.get("/api/v1/openapi.json").get_json()
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        if "/actions" in path and path != NATIONAL
        for method in item
        if method in {"get", "post", "patch", "delete", "put"}
    ]


def page_routes(app: Flask) -> list[tuple[str, str]]:
    """Every page, export and calendar route on actions, from the URL map."""
    found = []
    for rule in app.url_map.iter_rules():
        if "handling" in rule.rule and not rule.rule.startswith("/api/"):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((method, rule.rule))
    return found


def _url(path: str, action_id: int) -> str:
    return (
        path.replace("{code}", "101")
        .replace("<code>", "101")
        .replace("<string:code>", "101")
        .replace("{action_id}", str(action_id))
        .replace("<int(max=2147483647):action_id>", str(action_id))
    )


def _state(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    action = session.scalars(select(Action)).one()
    return (
        action.status,
        action.note,
        action.owner_team,
        action.due_on,
        action.version,
        session.scalar(select(func.count(ActionChange.id))),
        session.scalar(select(func.count(ActionRead.action_id))),
        session.scalar(select(func.count(ChangeEvent.id)).where(ChangeEvent.type == "action.updated")),
    )


def _as(client: FlaskClient, world: dict[str, Any], who: str) -> dict[str, str]:
    if who.endswith("_cookie"):
        log_in(client, world["users"][who.removesuffix("_cookie")])
        return {}
    return world["tokens"].get(who, {})


def test_the_matrix_covers_every_action_route(app: Flask, client: FlaskClient) -> None:
    ops = set(api_operations(client))
    assert {
        ("GET", "/api/v1/municipalities/{code}/actions"),
        ("GET", "/api/v1/municipalities/{code}/actions/{action_id}"),
        ("PATCH", "/api/v1/municipalities/{code}/actions/{action_id}"),
        ("GET", "/api/v1/municipalities/{code}/actions.csv"),
        ("GET", "/api/v1/municipalities/{code}/actions.xlsx"),
    } <= ops


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_read_and_change_nothing_through_the_api(
    client: FlaskClient, session: Session, world: dict[str, Any], who: str
) -> None:
    headers = _as(client, world, who)
    before = _state(session)
    for method, path in api_operations(client):
        url = _url(path, world["action_id"])
        kwargs: dict[str, Any] = {"headers": {**headers, "If-Match": "*"}}
        if method == "PATCH":
            kwargs["json"] = {"status": "done", "note": "overskrevet"}
        resp = client.open(url, method=method, **kwargs)
        assert resp.status_code in {401, 403}, (who, method, path, resp.status_code)
        assert SECRET_NOTE.encode() not in resp.data and SECRET_TEAM.encode() not in resp.data
        expected = "unauthorized" if who == "anonymous" else None
        code = resp.get_json()["error"]["code"]
        assert code in {"unauthorized", "forbidden"} and (expected is None or code == expected), (who, path, code)
    assert _state(session) == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_read_and_change_nothing_through_pages(
    app: Flask, client: FlaskClient, session: Session, world: dict[str, Any], who: str
) -> None:
    headers = _as(client, world, who)
    html = client.get("/login").get_data(as_text=True)
    csrf = CSRF_RE.search(html)
    before = _state(session)
    routes = page_routes(app)
    for method, rule in routes:
        url = _url(rule, world["action_id"])
        data = {
            "csrf_token": csrf.group(1) if csrf else "",
            "status": "done",
            "note": "x",
            "ids": str(world["action_id"]),
        }
        resp = client.open(url, method=method, headers=headers, data=data if method == "POST" else None)
        assert resp.status_code in {302, 401, 403, 404}, (who, method, rule, resp.status_code)
        if resp.status_code == 302:
            assert "/login" in resp.headers["Location"], (who, rule)
        assert SECRET_NOTE.encode() not in resp.data and SECRET_TEAM.encode() not in resp.data, (who, rule)
    assert _state(session) == before


def test_the_own_municipality_reads_every_route_and_sees_its_note(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    for method, path in api_operations(client):
        if method == "GET":
            resp = client.get(_url(path, world["action_id"]), headers=world["tokens"]["kk"])
            assert resp.status_code == 200, (path, resp.status_code)
    body = client.get("/api/v1/municipalities/101/actions", headers=world["tokens"]["kk"]).get_data(as_text=True)
    assert SECRET_NOTE in body and SECRET_TEAM in body
    log_in(client, world["users"]["kk"])
    for method, rule in page_routes(app):
        if method == "GET":
            resp = client.get(_url(rule, world["action_id"]))
            assert resp.status_code == 200, (rule, resp.status_code)


def test_another_municipalitys_action_id_is_not_found_even_for_its_own_url(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    # Aarhus asks for København's action under Aarhus's own code: no such action there.
    resp = client.get(f"/api/v1/municipalities/751/actions/{world['action_id']}", headers=world["tokens"]["aarhus"])
    assert resp.status_code == 404
    resp = client.patch(
        f"/api/v1/municipalities/751/actions/{world['action_id']}",
        json={"status": "done"},
        headers={**world["tokens"]["aarhus"], "If-Match": "*"},
    )
    assert resp.status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_kl_sees_the_municipality_page_but_no_action_owner_or_note(
    client: FlaskClient, world: dict[str, Any], who: str
) -> None:
    log_in(client, world["users"][who])
    html = client.get("/kommuner/101").get_data(as_text=True)
    assert "Omsorg" in html  # the readiness row itself is theirs to see
    assert SECRET_TEAM not in html and SECRET_NOTE not in html and "Vores handling" not in html


@pytest.mark.parametrize("who", ["anonymous", "kk", "aarhus", "vendor", "coordinator", "admin"])
def test_the_national_view_gives_kl_counts_only(
    app: Flask, client: FlaskClient, session: Session, world: dict[str, Any], who: str
) -> None:
    from tests.support.municipalities import seeded
    from tracker.registry.actors import SYSTEM
    from tracker.registry.transition_writes import create_transition

    omsorg = seeded(session, "omsorg")
    create_transition(
        session,
        omsorg,
        {
            "kind": "protocol",
            "title": "Omsorg skifter protokol",
            "who_must_act": ["municipalities"],
            "earliest_on": date(2027, 9, 1),
            "latest_on": date(2027, 9, 1),
            "precision": "day",
            "state": "planned",
            "act_by_on": date(2027, 6, 1),
        },
        actor=SYSTEM,
    )
    sync_municipality(session, municipality(session, "101"))
    mine = session.scalars(select(Action).where(Action.subject_kind == "transition")).one()
    mine.status, mine.note, mine.owner_team = "in_progress", SECRET_NOTE, SECRET_TEAM
    session.commit()
    headers = world["tokens"].get(who, {})
    api = client.get(NATIONAL, headers=headers)
    if who in ("coordinator", "admin"):
        assert api.status_code == 200
        [row] = [r for r in api.get_json()["items"] if r["transition"]["title"] == "Omsorg skifter protokol"]
        assert (row["in_progress"], row["done"], row["not_started"]) == (1, 0, 0)
        assert row["not_affected"] == 97
        log_in(client, world["users"][who])
        page = client.get("/landsoverblik").get_data(as_text=True)
        assert "Omsorg skifter protokol" in page
        bodies = api.data + page.encode()
        assert SECRET_NOTE.encode() not in bodies and SECRET_TEAM.encode() not in bodies
        assert "København".encode() not in api.data and b"K\\u00f8benhavn" not in api.data  # not even who
    else:
        assert api.status_code == (401 if who == "anonymous" else 403)


def test_no_feed_and_no_event_log_carries_an_action_to_kl_or_another_municipality(
    app: Flask, client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    headers = {**world["tokens"]["kk"], "If-Match": "*"}
    url = f"/api/v1/municipalities/101/actions/{world['action_id']}"
    assert client.patch(url, json={"status": "in_progress"}, headers=headers).status_code == 200
    for who in ("coordinator", "admin", "aarhus", "vendor"):
        log = client.get("/api/v1/events?after=0&limit=500", headers=world["tokens"][who]).get_json()["items"]
        assert "action.updated" not in {e["type"] for e in log}, who
    own = client.get("/api/v1/events?after=0&limit=500", headers=world["tokens"]["kk"]).get_json()["items"]
    assert "action.updated" in {e["type"] for e in own}
    for who in ("coordinator", "kk"):
        fresh = fresh_client(app)
        log_in(fresh, world["users"][who])
        for feed in ("/feeds/municipalities/101.atom", "/feeds/changes.atom", "/calendar/municipalities/101.ics"):
            resp = fresh.get(feed)
            assert resp.status_code == 200, (who, feed, resp.status_code)
            body = resp.data
            assert b"action.updated" not in body and SECRET_TEAM.encode() not in body, (who, feed)
