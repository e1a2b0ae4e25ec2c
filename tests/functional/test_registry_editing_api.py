"""Editing the registry through the API: nested shape, ETag/If-Match, Danish dates, bad input, history, proposals."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.support.accounts import Account, log_in, make_role_accounts
from tracker.models import ChangeEvent, Organisation, Proposal, Solution


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    return make_role_accounts(session)


def _state(session: Session) -> tuple[Any, ...]:
    """Everything a refused or bad request must leave as it was."""
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(ChangeEvent)),
        session.scalar(select(func.count()).select_from(Proposal)),
        tuple(session.execute(select(Solution.slug, Solution.version).order_by(Solution.slug)).all()),
    )


def _patch(client: FlaskClient, account: Account, slug: str, body: Any, etag: str | None = "fetch") -> Any:
    headers = dict(account.bearer)
    if etag == "fetch":
        etag = client.get(f"/api/v1/solutions/{slug}").headers["ETag"]
    if etag is not None:
        headers["If-Match"] = etag
    return client.patch(f"/api/v1/solutions/{slug}", json=body, headers=headers)


def test_coordinator_patches_with_the_nested_get_shape_and_history_shows_who_source_why(
    client: FlaskClient, accounts: dict[str, Account]
) -> None:
    coordinator = accounts["coordinator"]
    body = {
        "required_loa": {
            "value": "hoej",
            "status": "confirmed",
            "source": {
                "kind": "authority",
                "url": "https://aulainfo.dk/nsis",
                "evidence": "Aula kræver sikringsniveau Høj fra næste skoleår.",
            },
        },
        "switch_date": {
            "text": "Q2 2024",
            "state": "planned",
            "status": "reported",
            "source": {"kind": "authority", "url": "https://aulainfo.dk/nsis"},
        },
        "reason": "KOMBIT har meldt det ud",
    }
    before = client.get("/api/v1/solutions/aula")
    resp = _patch(client, coordinator, "aula", body, etag=before.headers["ETag"])
    assert resp.status_code == 200, resp.get_json()
    got = resp.get_json()
    assert got["required_loa"]["value"] == "hoej" and got["required_loa"]["status"] == "confirmed"
    assert got["required_loa"]["source"]["recorded_by"] == "KL-koordinator"
    assert got["switch_date"] == {
        **got["switch_date"],
        "earliest": "2024-04-01",
        "latest": "2024-06-30",
        "precision": "quarter",
        "text": "Q2 2024",
        "state": "planned",
    }
    assert resp.headers["ETag"] == f'"v{got["version"]}"' != before.headers["ETag"]
    history = client.get("/api/v1/solutions/aula/history").get_json()["items"]
    by_type = {e["type"]: e for e in history[:2]}
    loa = by_type["solution.required_loa.changed"]
    assert loa["actor"] == "KL-koordinator"
    assert loa["source"] == {"kind": "authority", "url": "https://aulainfo.dk/nsis"}
    assert loa["reason"] == "KOMBIT har meldt det ud"
    assert loa["changes"]["required_loa.value"] == {"before": "ukendt", "after": "hoej"}
    assert by_type["solution.switch_date.changed"]["changes"]["switch_date.earliest"]["after"] == "2024-04-01"


@pytest.mark.parametrize(
    ("words", "earliest", "latest", "precision"),
    [
        ("1. marts 2023", "2023-03-01", "2023-03-01", "day"),
        ("ultimo 2023", "2023-10-01", "2023-12-31", "quarter"),
        ("efteråret 2024", "2024-09-01", "2024-11-30", "season"),
        ("2025-01-15", "2025-01-15", "2025-01-15", "day"),
    ],
)
def test_switch_dates_in_danish_words(
    client: FlaskClient, accounts: dict[str, Account], words: str, earliest: str, latest: str, precision: str
) -> None:
    resp = _patch(client, accounts["coordinator"], "fmk", {"switch_date": {"text": words}})
    assert resp.status_code == 200, resp.get_json()
    switch = resp.get_json()["switch_date"]
    assert (switch["earliest"], switch["latest"], switch["precision"], switch["text"]) == (
        earliest,
        latest,
        precision,
        words,
    )


def test_lost_updates_are_impossible(client: FlaskClient, session: Session, accounts: dict[str, Account]) -> None:
    coordinator, admin = accounts["coordinator"], accounts["admin"]
    etag = client.get("/api/v1/solutions/fmk").headers["ETag"]
    first = _patch(client, coordinator, "fmk", {"broker": "NemLog-in"}, etag=etag)
    assert first.status_code == 200
    state = _state(session)
    second = _patch(client, admin, "fmk", {"broker": "SEB"}, etag=etag)  # made from the same, now old, version
    assert second.status_code == 412
    assert second.get_json()["error"]["code"] == "precondition_failed"
    missing = _patch(client, admin, "fmk", {"broker": "SEB"}, etag=None)
    assert missing.status_code == 428 and missing.get_json()["error"]["code"] == "precondition_required"
    assert _patch(client, admin, "fmk", {"broker": "SEB"}, etag='"garbage"').status_code == 412
    assert _state(session) == state
    assert client.get("/api/v1/solutions/fmk").get_json()["broker"] == "NemLog-in"
    assert _patch(client, admin, "fmk", {"broker": "SEB"}, etag="*").status_code == 200


BAD_BODIES = [
    ({"required_loa": {"value": "super"}}, 422, "required_loa"),
    ({"required_loa": {"status": "rumour"}}, 422, "required_loa"),
    ({"switch_date": {"text": "31. februar 2023"}}, 422, "switch_date.text"),
    ({"switch_date": {"text": "en dag til foråret"}}, 422, "switch_date.text"),
    ({"switch_date": {"earliest": "2023-02-31"}}, 422, "switch_date"),
    ({"switch_date": {"earliest": "2024-05-01", "latest": "2024-04-01", "precision": "month"}}, 422, None),
    ({"name": "x" * 201}, 422, "name"),
    ({"name": "   "}, 422, "name"),
    ({"description": "x" * 5001}, 422, "description"),
    ({"required_loa": {"source": {"evidence": "x" * 5001}}}, 422, "required_loa"),
    ({"required_loa": {"source": {"url": "javascript:alert(1)"}}}, 422, "required_loa"),
    ({"name": 5}, 422, "name"),
    ({"aliases": "Aula"}, 422, "aliases"),
    ({"required_loa": "hoej"}, 422, "required_loa"),
    ({"switch_date": {"text": 2024}}, 422, "switch_date"),
    ({"favourite_colour": "blå"}, 422, "favourite_colour"),
    ({"vendor": "no-such-vendor"}, 422, "vendor"),
    ({"name": "A\x00B"}, 422, "name"),
    ({"name": "Aula\nny linje"}, 422, "name"),
    ({"switch_date": {"text": "Q2 2024\n"}}, 422, "switch_date"),
    ([1, 2, 3], 422, None),
]


@pytest.mark.parametrize(("body", "status", "field"), BAD_BODIES)
def test_bad_input_is_a_clear_4xx_and_stores_nothing(
    client: FlaskClient, session: Session, accounts: dict[str, Account], body: Any, status: int, field: str | None
) -> None:
    state = _state(session)
    resp = _patch(client, accounts["coordinator"], "aula", body)
    assert resp.status_code == status, resp.get_json()
    error = resp.get_json()["error"]
    assert error["message"] and error["code"]
    if field:
        assert field in error["details"], error
    assert _state(session) == state


def test_malformed_json_and_unknown_slug(client: FlaskClient, session: Session, accounts: dict[str, Account]) -> None:
    state = _state(session)
    headers = {**accounts["coordinator"].bearer, "If-Match": "*", "Content-Type": "application/json"}
    assert client.patch("/api/v1/solutions/aula", data="{not json", headers=headers).status_code == 400
    unknown = client.patch("/api/v1/solutions/no-such-thing", json={"broker": "x"}, headers=headers)
    assert unknown.status_code == 404 and "no-such-thing" in unknown.get_json()["error"]["message"]
    assert _state(session) == state


def test_coordinator_creates_a_solution(client: FlaskClient, session: Session, accounts: dict[str, Account]) -> None:
    body = {
        "name": "Nyt Fagsystem",
        "kind": "leverandoer",
        "vendor": "kmd",
        "aliases": ["NF"],
        "switch_date": {"text": "primo 2026", "status": "expected"},
        "reason": "Set i udbud",
    }
    resp = client.post("/api/v1/solutions", json=body, headers=accounts["coordinator"].bearer)
    assert resp.status_code == 201, resp.get_json()
    got = resp.get_json()
    assert got["slug"] == "nyt-fagsystem" and got["vendor"]["slug"] == "kmd"
    assert got["switch_date"]["text"] == "primo 2026" and got["switch_date"]["earliest"] == "2026-01-01"
    assert resp.headers["Location"].endswith("/api/v1/solutions/nyt-fagsystem")
    history = client.get("/api/v1/solutions/nyt-fagsystem/history").get_json()["items"]
    assert history[0]["type"] == "solution.created" and history[0]["reason"] == "Set i udbud"
    again = client.post("/api/v1/solutions", json=body, headers=accounts["coordinator"].bearer)
    assert again.status_code == 409
    bad = client.post(
        "/api/v1/solutions", json={"name": "X", "slug": "Ikke Gyldig"}, headers=accounts["coordinator"].bearer
    )
    assert bad.status_code == 422 and "slug" in bad.get_json()["error"]["details"]
    newline = client.post(
        "/api/v1/solutions", json={"name": "X", "slug": "ab\n"}, headers=accounts["coordinator"].bearer
    )
    assert newline.status_code == 422 and "slug" in newline.get_json()["error"]["details"]


def test_api_writes_refuse_the_login_cookie(app: Flask, session: Session, accounts: dict[str, Account]) -> None:
    client = app.test_client()
    log_in(client, accounts["coordinator"].user)
    state = _state(session)
    resp = client.patch("/api/v1/solutions/aula", json={"broker": "x"}, headers={"If-Match": "*"})
    assert resp.status_code == 401 and "API-token" in resp.get_json()["error"]["message"]
    assert client.post("/api/v1/solutions", json={"name": "Cookie"}).status_code == 401
    assert _state(session) == state
    assert client.get("/api/v1/proposals").status_code == 200  # reading with the cookie is fine


def test_history_cannot_be_edited_through_the_application_or_the_database(
    client: FlaskClient, session: Session, accounts: dict[str, Account]
) -> None:
    headers = accounts["admin"].bearer
    for method in ("put", "patch", "delete", "post"):
        resp = getattr(client, method)("/api/v1/solutions/fmk/history", json={}, headers=headers)
        assert resp.status_code == 405
    event_id = session.scalar(select(func.max(ChangeEvent.id)))
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("UPDATE change_event SET reason = 'rewritten' WHERE id = :id"), {"id": event_id})
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("DELETE FROM change_event WHERE id = :id"), {"id": event_id})


def _propose(client: FlaskClient, account: Account, slug: str = "kmd-nexus", **extra: Any) -> Any:
    body = {"solution": slug, "required_loa": {"value": "betydelig"}, **extra}
    return client.post("/api/v1/proposals", json=body, headers=account.bearer)


def test_vendor_proposes_coordinator_accepts_vendor_sees_it(client: FlaskClient, accounts: dict[str, Account]) -> None:
    vendor, coordinator = accounts["vendor_owner"], accounts["coordinator"]
    resp = _propose(client, vendor, evidence="KMD driftsstatus", source_url="https://kmd.example/status")
    assert resp.status_code == 201, resp.get_json()
    proposal = resp.get_json()
    assert proposal["state"] == "pending" and proposal["origin"] == "vendor"
    assert {"field": "loa_value", "current": "ukendt", "proposed": "betydelig"} in proposal["diff"]
    queue = client.get("/api/v1/proposals?state=open", headers=coordinator.bearer).get_json()
    assert [p["id"] for p in queue["items"]] == [proposal["id"]]
    accepted = client.post(
        f"/api/v1/proposals/{proposal['id']}/accept", json={"reason": "OK"}, headers=coordinator.bearer
    )
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["state"] == "accepted" and accepted.get_json()["event_id"]
    mine = client.get("/api/v1/proposals", headers=vendor.bearer).get_json()["items"]
    assert [(p["id"], p["state"], p["reviewed_by"]) for p in mine] == [(proposal["id"], "accepted", "KL-koordinator")]
    solution = client.get("/api/v1/solutions/kmd-nexus").get_json()
    assert solution["required_loa"]["status"] == "reported"
    assert solution["required_loa"]["source"]["kind"] == "vendor"
    history = client.get("/api/v1/solutions/kmd-nexus/history").get_json()["items"][0]
    assert history["actor"] == f"KMD (leverandør) (forslag #{proposal['id']}, godkendt af KL-koordinator)"
    assert history["source"]["kind"] == "vendor" and "KMD driftsstatus" in history["reason"]


def test_rejection_reason_reaches_the_proposer(client: FlaskClient, accounts: dict[str, Account]) -> None:
    municipality, coordinator = accounts["municipality"], accounts["coordinator"]
    created = _propose(
        client, municipality, slug="aula", evidence="Vi så Aula kræve Betydelig ved login 3. marts"
    ).get_json()
    assert (
        client.post(f"/api/v1/proposals/{created['id']}/reject", json={}, headers=coordinator.bearer).status_code == 422
    )
    resp = client.post(
        f"/api/v1/proposals/{created['id']}/reject", json={"reason": "KOMBIT siger andet."}, headers=coordinator.bearer
    )
    assert resp.status_code == 200
    mine = client.get(f"/api/v1/proposals/{created['id']}", headers=municipality.bearer).get_json()
    assert mine["state"] == "rejected" and mine["review_reason"] == "KOMBIT siger andet."
    again = client.post(f"/api/v1/proposals/{created['id']}/accept", json={}, headers=coordinator.bearer)
    assert again.status_code == 409


def test_stale_proposal_needs_confirmation(client: FlaskClient, accounts: dict[str, Account]) -> None:
    vendor, coordinator = accounts["vendor_owner"], accounts["coordinator"]
    proposal = _propose(client, vendor).get_json()
    assert _patch(client, coordinator, "kmd-nexus", {"broker": "KOMBIT Context Handler"}).status_code == 200
    seen = client.get(f"/api/v1/proposals/{proposal['id']}", headers=vendor.bearer).get_json()
    assert seen["state"] == "stale" and seen["current_version"] > seen["base_version"]
    refused = client.post(f"/api/v1/proposals/{proposal['id']}/accept", json={}, headers=coordinator.bearer)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "stale_proposal"
    ok = client.post(
        f"/api/v1/proposals/{proposal['id']}/accept", json={"confirm_stale": True}, headers=coordinator.bearer
    )
    assert ok.status_code == 200 and ok.get_json()["state"] == "accepted"


def test_trusted_vendor_is_accepted_at_once(
    client: FlaskClient, session: Session, accounts: dict[str, Account]
) -> None:
    session.scalars(select(Organisation).where(Organisation.slug == "kmd")).one().trusted = True
    session.commit()
    resp = _propose(client, accounts["vendor_owner"], switch_date={"text": "Q3 2025", "state": "planned"})
    assert resp.status_code == 201 and resp.get_json()["state"] == "accepted"
    switch = client.get("/api/v1/solutions/kmd-nexus").get_json()["switch_date"]
    assert switch["status"] == "reported" and switch["source"]["kind"] == "vendor"
    assert switch["earliest"] == "2025-07-01"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"solution": "kmd-nexus"}, 422),
        ({"solution": "no-such", "required_loa": {"value": "hoej"}}, 404),
        ({"solution": "kmd-nexus", "required_loa": {"value": "mega"}}, 422),
        ({"solution": "kmd-nexus", "switch_date": {"text": "32. maj 2024"}}, 422),
        ({"solution": "kmd-nexus", "required_loa": {"value": "hoej"}, "evidence": 7}, 422),
    ],
)
def test_bad_proposals_store_nothing(
    client: FlaskClient, session: Session, accounts: dict[str, Account], body: dict[str, Any], status: int
) -> None:
    state = _state(session)
    resp = client.post("/api/v1/proposals", json=body, headers=accounts["vendor_owner"].bearer)
    assert resp.status_code == status, resp.get_json()
    assert _state(session) == state


def test_proposal_list_filters(client: FlaskClient, accounts: dict[str, Account]) -> None:
    coordinator = accounts["coordinator"]
    a = _propose(client, accounts["vendor_owner"]).get_json()
    b = _propose(client, accounts["municipality"], slug="aula", evidence="Set ved login").get_json()

    def ids(query: str) -> list[int]:
        resp = client.get(f"/api/v1/proposals?{query}", headers=coordinator.bearer)
        assert resp.status_code == 200, resp.get_json()
        return [p["id"] for p in resp.get_json()["items"]]

    assert ids("state=pending") == [a["id"], b["id"]]
    assert ids("solution=aula") == [b["id"]]
    assert ids("mine=true") == []
    assert ids("state=accepted") == []
    assert client.get("/api/v1/proposals?state=weird", headers=coordinator.bearer).status_code == 422
    assert client.get("/api/v1/proposals").status_code == 401


def test_api_tokens_listed_created_once_and_revoked(client: FlaskClient, accounts: dict[str, Account]) -> None:
    coordinator = accounts["coordinator"]
    created = client.post("/api/v1/tokens", json={"name": "CI"}, headers=coordinator.bearer)
    assert created.status_code == 201 and created.get_json()["token"].startswith("tut_")
    listed = client.get("/api/v1/tokens", headers=coordinator.bearer).get_json()["items"]
    assert {t["name"] for t in listed} == {"CI", "test"} and all("token" not in t for t in listed)
    assert any(t["last_used_at"] for t in listed)
    new = {"Authorization": f"Bearer {created.get_json()['token']}"}
    assert client.get("/api/v1/tokens", headers=new).status_code == 200
    other = accounts["admin"].bearer
    assert client.delete(f"/api/v1/tokens/{created.get_json()['id']}", headers=other).status_code == 404
    assert client.delete(f"/api/v1/tokens/{created.get_json()['id']}", headers=coordinator.bearer).status_code == 200
    assert client.get("/api/v1/tokens", headers=new).status_code == 401
