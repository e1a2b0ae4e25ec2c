"""The API's actions list and exports through the response cache: a repeated read is a hit (304 on a matching
If-None-Match), and every change a reader could see is seen at once — an action's change by anyone, the reader's
own reads, M's IdPs (``data_version``, no change event), the registry, the day — while one user's cached answer
is never served to another user, and never to another municipality."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer
from tests.support.municipalities import fresh_client, idp, solution, use, user_with_token
from tracker.clock import clock_set_to
from tracker.http_cache import response_cache
from tracker.models import Solution
from tracker.municipalities import services as municipality_services
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SWITCH = date(2027, 3, 1)
LIST = "/api/v1/municipalities/{code}/actions"


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    """Every request and service sees 7 December 2026 (the same instant: stamps must not rely on the clock)."""
    with clock_set_to(lambda: NOW):
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Each request in its own app context."""
    return fresh_client(app)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """København and Aarhus each use 'omsorg' (Høj from 1 March 2027) through an IdP at Betydelig: one action
    each. Two users of København, one of Aarhus, a coordinator."""
    solution(session, "omsorg", loa="hoej", earliest=SWITCH, name="Omsorg")
    kk_idp = idp(session, "101", "KK-IdP", "betydelig", group="Administration")
    aarhus_idp = idp(session, "751", "Aarhus-IdP", "betydelig", group="Borgerservice")
    use(session, "101", "omsorg", via=kk_idp)
    use(session, "751", "omsorg", via=aarhus_idp)
    kk, kk_token = user_with_token(session, "it@kk.dk", "municipality", "101")
    kk2, kk2_token = user_with_token(session, "sikkerhed@kk.dk", "municipality", "101")
    _, aarhus_token = user_with_token(session, "it@aarhus.dk", "municipality", "751")
    _, coordinator_token = user_with_token(session, "k@kl.dk", "coordinator")
    session.commit()
    return {
        "kk_idp": kk_idp,
        "kk_user": kk,
        "kk2_user": kk2,
        "kk": bearer(kk_token),
        "kk2": bearer(kk2_token),
        "aarhus": bearer(aarhus_token),
        "coordinator": bearer(coordinator_token),
    }


def _get(client: FlaskClient, headers: dict[str, str], code: str = "101", query: str = "") -> Any:
    resp = client.get(LIST.format(code=code) + query, headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp


def _item(client: FlaskClient, headers: dict[str, str], code: str = "101") -> dict[str, Any]:
    items: list[dict[str, Any]] = _get(client, headers, code).get_json()["items"]
    assert len(items) == 1
    return items[0]


def _patch(client: FlaskClient, headers: dict[str, str], action_id: int, body: dict[str, Any]) -> None:
    url = LIST.format(code="101") + f"/{action_id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    resp = client.patch(url, json=body, headers={**headers, "If-Match": etag})
    assert resp.status_code == 200, resp.get_data(as_text=True)


def test_a_repeated_read_is_served_from_the_cache_with_its_etag(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    first = _get(client, world["kk"])
    assert first.headers["Cache-Control"] == "private, no-cache"
    cached = len(response_cache(app))
    again = _get(client, world["kk"])
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert len(response_cache(app)) == cached  # a hit, nothing new rendered
    fresh = client.get(LIST.format(code="101"), headers={**world["kk"], "If-None-Match": first.headers["ETag"]})
    assert fresh.status_code == 304 and not fresh.get_data()
    paged = _get(client, world["kk"], query="?limit=1&offset=0")
    assert paged.get_json()["has_more"] is False and "Link" not in paged.headers


def test_an_action_changed_by_another_user_is_seen_at_once(client: FlaskClient, world: dict[str, Any]) -> None:
    item = _item(client, world["kk"])
    assert item["status"] == "new" and item["owner"] is None
    _patch(client, world["kk2"], item["id"], {"status": "in_progress", "owner_user_id": world["kk2_user"].id})
    seen = _item(client, world["kk"])
    assert seen["status"] == "in_progress" and seen["owner"]["user_id"] == world["kk2_user"].id
    _patch(client, world["kk2"], item["id"], {"status": "blocked", "status_reason": "Venter på leverandøren"})
    assert _item(client, world["kk"])["status"] == "blocked"  # the same instant, another change: seen too


def test_the_readers_own_reads_are_seen_at_once(client: FlaskClient, world: dict[str, Any]) -> None:
    """Unread until opened; a newer version is unread again, and read once opened — all at the same instant."""
    item = _item(client, world["kk"])
    assert item["unread"]
    url = LIST.format(code="101") + f"/{item['id']}"
    client.get(url, headers=world["kk"])
    assert not _item(client, world["kk"])["unread"]
    _patch(client, world["kk2"], item["id"], {"note": "Ny note"})
    assert _item(client, world["kk"])["unread"]
    client.get(url, headers=world["kk"])
    assert not _item(client, world["kk"])["unread"]
    assert _item(client, world["kk2"])["unread"] is False  # kk2 made (and saw) the change


def test_an_idp_change_without_a_change_event_is_seen_at_once(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    """Renaming the IdP's staff group changes no verdict (no change event): M's ``data_version`` says it."""
    assert _item(client, world["kk"])["subject"]["group"] == "Administration"
    rows = _export_rows(client, world["kk"])
    assert rows[1][rows[0].index("Brugergruppe")] == "Administration"
    municipality_services.update_idp(session, world["kk_idp"], {"user_group": "Hjemmeplejen"}, actor=SYSTEM)
    session.commit()
    assert _item(client, world["kk"])["subject"]["group"] == "Hjemmeplejen"
    rows = _export_rows(client, world["kk"])
    assert rows[1][rows[0].index("Brugergruppe")] == "Hjemmeplejen"


def test_a_registry_change_is_seen_at_once(client: FlaskClient, session: Session, world: dict[str, Any]) -> None:
    assert _item(client, world["kk"])["subject"]["solution"]["name"] == "Omsorg"
    omsorg = session.scalars(select(Solution).where(Solution.slug == "omsorg")).one()
    update_solution(session, omsorg, {"name": "Omsorgssystemet"}, actor=SYSTEM)
    session.commit()
    assert _item(client, world["kk"])["subject"]["solution"]["name"] == "Omsorgssystemet"


def test_a_new_day_is_seen(client: FlaskClient, world: dict[str, Any]) -> None:
    item = _item(client, world["kk"])
    assert not item["overdue"]
    _patch(client, world["kk"], item["id"], {"due": "2026-12-07"})
    assert not _item(client, world["kk"])["overdue"]
    with clock_set_to(lambda: NOW + timedelta(days=1)):
        assert _item(client, world["kk"])["overdue"]


def test_one_users_cached_answer_never_reaches_another_user_or_municipality(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    kk = _get(client, world["kk"]).get_json()
    kk_csv = client.get("/api/v1/municipalities/101/actions.csv", headers=world["kk"])
    assert kk_csv.status_code == 200
    # Another municipality's user: refused on København's list and exports, however warm the cache is.
    for path in ("", ".csv", ".xlsx"):
        assert client.get(LIST.format(code="101") + path, headers=world["aarhus"]).status_code == 403
        assert client.get(LIST.format(code="101") + path, headers=world["coordinator"]).status_code == 403
        assert client.get(LIST.format(code="101") + path).status_code == 401
    # ... and its own list is its own: Aarhus's action, Aarhus's staff group.
    aarhus = _item(client, world["aarhus"], code="751")
    assert aarhus["subject"]["group"] == "Borgerservice" and aarhus["id"] != kk["items"][0]["id"]
    assert b"Borgerservice" not in kk_csv.get_data()
    assert b"Administration" not in _export(client, world["aarhus"], "751")
    # The same municipality's other user gets an answer of their own (their reads), not the first user's.
    client.get(LIST.format(code="101") + f"/{kk['items'][0]['id']}", headers=world["kk2"])
    assert _item(client, world["kk2"])["unread"] is False
    assert _item(client, world["kk"])["unread"] is True


def test_the_exports_follow_a_change_and_stay_private(client: FlaskClient, world: dict[str, Any]) -> None:
    item = _item(client, world["kk"])
    first = client.get("/api/v1/municipalities/101/actions.csv", headers=world["kk"])
    assert first.headers["Cache-Control"] == "private, no-store"
    assert first.headers["Content-Disposition"] == 'attachment; filename="handlinger-101.csv"'
    _patch(client, world["kk"], item["id"], {"status": "in_progress"})
    rows = _export_rows(client, world["kk"])
    assert rows[1][rows[0].index("Status")] == "I gang"
    xlsx = client.get("/api/v1/municipalities/101/actions.xlsx", headers=world["kk"])
    assert xlsx.status_code == 200 and xlsx.headers["Cache-Control"] == "private, no-store"
    assert xlsx.headers["Content-Disposition"] == 'attachment; filename="handlinger-101.xlsx"'


def _export(client: FlaskClient, headers: dict[str, str], code: str = "101") -> bytes:
    resp = client.get(f"/api/v1/municipalities/{code}/actions.csv", headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return bytes(resp.get_data())


def _export_rows(client: FlaskClient, headers: dict[str, str]) -> list[list[str]]:
    text = _export(client, headers).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))
