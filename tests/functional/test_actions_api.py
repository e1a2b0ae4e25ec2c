"""Actions through the API: materialised from readiness, changed with If-Match, refused bad input (Danish 422,
nothing stored), following the registry (reopen with a reason, due day moves), events to the municipality's own
subscribers only, and the CSV/XLSX export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer
from tests.support.broadcast import subscribe
from tests.support.municipalities import fresh_client, idp, municipality, solution, use, user_with_token
from tracker.clock import clock_set_to
from tracker.models import Action, ActionChange, ChangeEvent, Delivery
from tracker.municipalities import queries as municipality_queries
from tracker.municipalities import services as municipality_services
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SWITCH = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    """Every request and service sees 7 December 2026, whatever the wall clock says."""
    with clock_set_to(lambda: NOW):
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Each request in its own app context."""
    return fresh_client(app)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """København: an IdP at Betydelig whose staff use 'omsorg' (Høj from 1 March 2027: at risk) and 'ok-system'
    (Betydelig: nothing to do). Users of København (two), Aarhus, a vendor and a coordinator."""
    admin = idp(session, "101", "KK-IdP", "betydelig", group="Administration")
    solution(session, "omsorg", loa="hoej", earliest=SWITCH, name="Omsorg")
    solution(session, "ok-system", loa="betydelig", earliest=SWITCH, name="OK-system")
    use(session, "101", "omsorg", via=admin)
    use(session, "101", "ok-system", via=admin)
    kk, kk_token = user_with_token(session, "it@kk.dk", "municipality", "101")
    kk2, _ = user_with_token(session, "sikkerhed@kk.dk", "municipality", "101")
    aarhus, aarhus_token = user_with_token(session, "it@aarhus.dk", "municipality", "751")
    _, coordinator_token = user_with_token(session, "k@kl.dk", "coordinator")
    session.commit()
    return {
        "idp": admin,
        "kk_user": kk,
        "kk2": kk2,
        "aarhus_user": aarhus,
        "kk": bearer(kk_token),
        "aarhus": bearer(aarhus_token),
        "coordinator": bearer(coordinator_token),
    }


def _list(client: FlaskClient, world: dict[str, Any], query: str = "") -> dict[str, Any]:
    resp = client.get(f"/api/v1/municipalities/101/actions{query}", headers=world["kk"])
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body: dict[str, Any] = resp.get_json()
    return body


def _omsorg(client: FlaskClient, world: dict[str, Any]) -> dict[str, Any]:
    items = [i for i in _list(client, world)["items"] if i["subject"]["solution"]["slug"] == "omsorg"]
    assert len(items) == 1
    return items[0]


def _patch(client: FlaskClient, world: dict[str, Any], action_id: int, body: dict[str, Any]) -> Any:
    etag = client.get(f"/api/v1/municipalities/101/actions/{action_id}", headers=world["kk"]).headers["ETag"]
    return client.patch(
        f"/api/v1/municipalities/101/actions/{action_id}", json=body, headers={**world["kk"], "If-Match": etag}
    )


def test_a_row_that_asks_to_act_becomes_an_action_with_the_switch_as_due_day(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    body = _list(client, world)
    slugs = [i["subject"]["solution"]["slug"] for i in body["items"]]
    assert "omsorg" in slugs and "ok-system" not in slugs
    item = _omsorg(client, world)
    assert item["status"] == "new" and item["owner"] is None
    assert item["due"] == "2027-03-01" and item["act_by"] == "2027-03-01" and item["due_is_default"]
    assert item["subject"]["group"] == "Administration"
    assert "KK-IdP" in item["text"]
    assert body["summary"]["open"] == body["total"] >= 1
    assert _list(client, world)["total"] == body["total"]  # a second look creates nothing more


def test_patch_needs_if_match_and_records_history_and_event(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    item = _omsorg(client, world)
    url = f"/api/v1/municipalities/101/actions/{item['id']}"
    assert client.patch(url, json={"status": "in_progress"}, headers=world["kk"]).status_code == 428
    stale = client.patch(url, json={"status": "in_progress"}, headers={**world["kk"], "If-Match": '"a999"'})
    assert stale.status_code == 412
    before_events = session.scalar(select(func.count(ChangeEvent.id)))
    resp = _patch(
        client,
        world,
        item["id"],
        {"status": "in_progress", "owner_user_id": world["kk2"].id, "due": "2027-02-01", "note": "Bestil anmeldelse"},
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["status"] == "in_progress" and body["owner"]["user_id"] == world["kk2"].id
    assert body["due"] == "2027-02-01" and not body["due_is_default"] and body["note"] == "Bestil anmeldelse"
    assert resp.headers["ETag"] == f'"a{body["version"]}"'
    last = body["history"][-1]
    assert last["by"].endswith("<it@kk.dk>") or "it@kk.dk" in last["by"]
    assert last["changes"]["status"] == ["new", "in_progress"] and last["changes"]["due_on"] == [
        "2027-03-01",
        "2027-02-01",
    ]
    session.expire_all()
    events = session.scalars(select(ChangeEvent).where(ChangeEvent.type == "action.updated")).all()
    assert session.scalar(select(func.count(ChangeEvent.id))) == before_events + 1
    assert events[-1].municipality_id == municipality(session, "101").id
    assert "note" not in events[-1].changes and "Bestil" not in str(events[-1].data)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"owner_user_id": "aarhus"}, "owner", "København"),
        ({"due": "1899-12-31"}, "due_on", "1900"),
        ({"due": "2101-01-01"}, "due_on", "1900"),
        ({"due": "2027-04-01"}, "due_on", "handlingsdatoen"),
        ({"status": "not_relevant"}, "status_reason", "begrundelse"),
        ({"status": "blocked", "status_reason": "  "}, "status_reason", "begrundelse"),
        ({"status": "done", "owner_user_id": "kk2", "owner_team": "IT-drift"}, "owner", "ikke begge"),
    ],
)
def test_bad_input_is_a_danish_422_and_nothing_is_stored(
    client: FlaskClient, session: Session, world: dict[str, Any], body: dict[str, Any], field: str, words: str
) -> None:
    item = _omsorg(client, world)
    body = {
        k: (world["aarhus_user"].id if v == "aarhus" else world["kk2"].id if v == "kk2" else v) for k, v in body.items()
    }
    changes_before = session.scalar(select(func.count(ActionChange.id)))
    events_before = session.scalar(select(func.count(ChangeEvent.id)))
    resp = _patch(client, world, item["id"], body)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error"
    assert words.casefold() in str(error["details"][field]).casefold(), error
    assert "Handlingen blev ikke gemt" in error["message"]
    session.expire_all()
    action = session.get(Action, item["id"])
    assert action is not None and action.status == "new" and action.owner_user_id is None
    assert action.due_on == SWITCH and action.version == item["version"]
    assert session.scalar(select(func.count(ActionChange.id))) == changes_before
    assert session.scalar(select(func.count(ChangeEvent.id))) == events_before


def test_a_due_date_that_is_not_a_date_is_refused_in_danish(client: FlaskClient, world: dict[str, Any]) -> None:
    item = _omsorg(client, world)
    resp = _patch(client, world, item["id"], {"due": "99999-01-01"})
    assert resp.status_code == 422
    assert "dato" in str(resp.get_json()["error"]).casefold()


def test_a_rising_requirement_reopens_a_done_action_with_the_reason(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    # Omsorg asks Høj of both staff groups; both are marked done, then the switch moves earlier
    item = _omsorg(client, world)
    assert _patch(client, world, item["id"], {"status": "done"}).status_code == 200
    lav = idp(session, "101", "Skole-IdP", "lav", primary=False, group="Skoler")
    municipality_services.update_portfolio_entry(
        session,
        municipality_queries.get_portfolio_entry(session, municipality(session, "101"), "omsorg"),
        {"idp_ids": [world["idp"].id, lav.id]},
        actor=SYSTEM,
    )
    session.commit()
    school = [i for i in _list(client, world)["items"] if i["subject"]["group"] == "Skoler"]
    assert len(school) == 1 and school[0]["status"] == "new"
    assert _patch(client, world, school[0]["id"], {"status": "done"}).status_code == 200
    omsorg = session.scalar(select(Action).where(Action.id == school[0]["id"])).solution
    update_solution(
        session,
        omsorg,
        {"switch_earliest_on": date(2027, 2, 1), "switch_latest_on": date(2027, 2, 1)},
        actor=SYSTEM,
        reason="Udbyderen har fremrykket skiftet",
    )
    session.commit()
    session.expire_all()
    for action_id in (item["id"], school[0]["id"]):
        action = session.get(Action, action_id)
        assert action is not None
        assert action.status == "new", action_id
        assert action.reopened_reason and "1. marts 2027" in action.reopened_reason
        assert "1. februar 2027" in action.reopened_reason
        assert action.due_on == date(2027, 2, 1)  # the default due day followed
    shown = client.get(f"/api/v1/municipalities/101/actions/{item['id']}", headers=world["kk"]).get_json()
    assert shown["reopened_reason"] and shown["history"][-1]["by"] == "TU-tracker (registeret)"
    assert "fremrykket" in shown["history"][-1]["reason"]


def test_a_stricter_level_reopens_done_and_a_hand_set_earlier_due_day_stays(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    lav = idp(session, "101", "Lav-IdP", "lav", primary=False, group="Hjemmepleje")
    solution(session, "pleje", loa="betydelig", earliest=SWITCH, name="Pleje")
    use(session, "101", "pleje", via=lav)
    session.commit()
    item = next(i for i in _list(client, world)["items"] if i["subject"]["solution"]["slug"] == "pleje")
    assert _patch(client, world, item["id"], {"status": "done", "due": "2027-01-15"}).status_code == 200
    pleje = session.get(Action, item["id"]).solution  # type: ignore[union-attr]
    update_solution(session, pleje, {"loa_value": "hoej"}, actor=SYSTEM, reason="Kravet skærpes")
    session.commit()
    session.expire_all()
    action = session.get(Action, item["id"])
    assert action is not None and action.status == "new"
    assert "Betydelig til Høj" in (action.reopened_reason or "")
    assert action.due_on == date(2027, 1, 15) and not action.due_is_default  # set by hand: stays


def test_a_row_that_no_longer_asks_closes_as_not_relevant_and_reopens_when_it_asks_again(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    item = _omsorg(client, world)
    municipality_services.update_idp(session, world["idp"], {"notified_loa": "hoej"}, actor=SYSTEM)
    session.commit()
    session.expire_all()
    action = session.get(Action, item["id"])
    assert action is not None and action.status == "not_relevant" and action.closed_by_registry
    assert "kræver ikke længere" in (action.status_reason or "")
    municipality_services.update_idp(session, world["idp"], {"notified_loa": "betydelig"}, actor=SYSTEM)
    session.commit()
    session.expire_all()
    action = session.get(Action, item["id"])
    assert action is not None and action.status == "new" and action.open_in_registry


def test_filters_and_overdue_first(client: FlaskClient, session: Session, world: dict[str, Any]) -> None:
    solution(session, "gammel", loa="hoej", earliest=date(2025, 1, 1), state="switched", name="Gammel")
    use(session, "101", "gammel", via=world["idp"])
    session.commit()
    body = _list(client, world)
    assert body["items"][0]["subject"]["solution"]["slug"] == "gammel" and body["items"][0]["overdue"]
    assert body["summary"]["overdue"] == 1
    first = _omsorg(client, world)
    _patch(client, world, first["id"], {"owner_team": "IT-drift", "status": "in_progress"})
    assert [i["id"] for i in _list(client, world, "?owner=team:IT-drift")["items"]] == [first["id"]]
    assert [i["id"] for i in _list(client, world, "?status=in_progress")["items"]] == [first["id"]]
    assert all(i["overdue"] for i in _list(client, world, "?overdue=true")["items"])
    assert _list(client, world, "?due_before=2026-01-01")["items"][0]["subject"]["solution"]["slug"] == "gammel"
    assert client.get("/api/v1/municipalities/101/actions?status=bogus", headers=world["kk"]).status_code == 422


@pytest.mark.parametrize("owner", ["²", "١٢", "9999999999", "someone", "team:"])
def test_an_owner_filter_outside_its_documented_shape_is_a_422(
    client: FlaskClient, world: dict[str, Any], owner: str
) -> None:
    """'me', 'none', an id or 'team:<name>' (the document's pattern); a superscript or Arabic-Indic digit passed
    str.isdigit() and then failed int() — a 500 — and a ten-digit id is beyond the databases' integers."""
    resp = client.get(f"/api/v1/municipalities/101/actions?owner={quote(owner)}", headers=world["kk"])
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert "owner" in resp.get_json()["error"]["details"]


def test_unread_until_the_user_opens_it(client: FlaskClient, world: dict[str, Any]) -> None:
    item = _omsorg(client, world)
    assert item["unread"]
    client.get(f"/api/v1/municipalities/101/actions/{item['id']}", headers=world["kk"])
    assert not _omsorg(client, world)["unread"]


def test_action_updated_reaches_only_the_municipalitys_own_subscribers(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    from tracker.models import User

    coordinator = session.scalar(select(User).where(User.email == "k@kl.dk"))
    assert coordinator is not None
    own, _ = subscribe(session, world["kk_user"], "http://127.0.0.1:9/kk")
    other, _ = subscribe(session, world["aarhus_user"], "http://127.0.0.1:9/aarhus")
    kl, _ = subscribe(session, coordinator, "http://127.0.0.1:9/kl")
    session.commit()
    item = _omsorg(client, world)
    assert _patch(client, world, item["id"], {"status": "in_progress"}).status_code == 200
    session.expire_all()
    sent = (
        session.execute(select(Delivery.subscription_id).where(Delivery.event_type == "action.updated")).scalars().all()
    )
    assert sent == [own.id]
    log = {
        who: [e["type"] for e in client.get("/api/v1/events?after=0&limit=500", headers=world[who]).get_json()["items"]]
        for who in ("kk", "aarhus", "coordinator")
    }
    assert "action.updated" in log["kk"]
    assert "action.updated" not in log["aarhus"] and "action.updated" not in log["coordinator"]
    assert other.id != kl.id


def test_exports_carry_owner_status_and_due(client: FlaskClient, world: dict[str, Any]) -> None:
    item = _omsorg(client, world)
    _patch(client, world, item["id"], {"owner_user_id": world["kk2"].id, "status": "in_progress"})
    resp = client.get("/api/v1/municipalities/101/actions.csv", headers=world["kk"])
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    header = rows[0]
    assert {"Handling", "Ansvarlig", "Status", "Frist"} <= set(header)
    row = next(r for r in rows[1:] if r[header.index("Løsning")] == "Omsorg")
    assert row[header.index("Ansvarlig")] == "sikkerhed@kk.dk"
    assert row[header.index("Status")] == "I gang" and row[header.index("Frist")] == "2027-03-01"
    xlsx = client.get("/api/v1/municipalities/101/actions.xlsx", headers=world["kk"])
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Handlinger", "Oversigt"]
    values = [[c.value for c in r] for r in book["Handlinger"].iter_rows()]
    assert any(r[header.index("Ansvarlig")] == "sikkerhed@kk.dk" for r in values[1:])


def test_the_list_is_paged_by_limit_and_offset(client: FlaskClient, session: Session, world: dict[str, Any]) -> None:
    """Pages of one walk the whole list in its order (``has_more`` and ``Link`` rel=next); ``total`` counts
    what the filters select, the summary all of M's actions; a bad limit is a Danish 422."""
    for n in range(4):
        solution(session, f"ekstra-{n}", loa="hoej", earliest=SWITCH, name=f"Ekstra {n}")
        use(session, "101", f"ekstra-{n}", via=world["idp"])
    session.commit()
    whole = _list(client, world)
    assert whole["total"] == len(whole["items"]) == 5 and whole["offset"] == 0 and whole["has_more"] is False
    walked, url = [], "/api/v1/municipalities/101/actions?limit=2"
    while url:
        resp = client.get(url, headers=world["kk"])
        body = resp.get_json()
        assert resp.status_code == 200 and body["total"] == 5 and body["limit"] == 2
        assert body["summary"] == whole["summary"]
        walked += [i["id"] for i in body["items"]]
        link = resp.headers.get("Link")
        assert body["has_more"] is (link is not None)
        url = link.split(">")[0].removeprefix("<").removeprefix("http://localhost") if link else ""
    assert walked == [i["id"] for i in whole["items"]]
    narrowed = _list(client, world, "?status=done&limit=1")
    assert narrowed["total"] == 0 and narrowed["items"] == [] and narrowed["summary"]["total"] == 5
    assert client.get("/api/v1/municipalities/101/actions?limit=0", headers=world["kk"]).status_code == 422
