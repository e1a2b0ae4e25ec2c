"""/api/v1/transitions: create, read, filter, change with If-Match, history; bad input is a 422 storing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import Account, make_role_accounts
from tracker.models import ChangeEvent, Transition

OIOSAML4 = {
    "kind": "protocol",
    "title": "OIOSAML 4.0.0",
    "date": {
        "earliest": "2027-06-01",
        "latest": "2027-06-30",
        "precision": "month",
        "state": "planned",
        "status": "expected",
        "source": {"kind": "authority", "url": "https://digst.dk/it-loesninger/standarder/oiosaml-profiler/"},
    },
    "category": "plan_for_change",
    "major": True,
    "who_must_act": ["local_idp_operators", "service_provider"],
    "what_to_do": "Opdatér til OIOSAML 4.",
    "reason": "Test",
}


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    return make_role_accounts(session)


def _stored(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Transition)) or 0,
        session.scalar(select(func.count()).select_from(ChangeEvent)) or 0,
    )


def _post(client: FlaskClient, account: Account, body: Any, slug: str = "aula", **headers: str) -> Any:
    return client.post(f"/api/v1/solutions/{slug}/transitions", json=body, headers={**account.bearer, **headers})


def test_create_read_filter_patch_and_history(client: FlaskClient, accounts: dict[str, Account]) -> None:
    coordinator = accounts["coordinator"]
    created = _post(client, coordinator, OIOSAML4)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["kind"] == "protocol" and body["date"]["earliest"] == "2027-06-01"
    assert body["act_by"] == "2026-12-03" and body["act_by_derived"] is True  # 180 days' lead
    assert body["solution"] == {"slug": "aula", "name": "Aula"} and body["required_loa"] is None
    assert created.headers["ETag"] == '"t1"'
    item = client.get(created.headers["Location"])
    assert item.get_json() == body

    listed = client.get("/api/v1/transitions?kind=protocol&major=true&solution=aula").get_json()
    assert [t["id"] for t in listed["items"]] == [body["id"]] and listed["total"] == 1
    assert client.get("/api/v1/transitions?solution=aula&kind=protocol&category=stay_informed").get_json()["total"] == 0
    assert (
        client.get("/api/v1/transitions?solution=aula&kind=protocol&act_by_before=2026-12-02").get_json()["total"] == 0
    )
    assert (
        client.get("/api/v1/transitions?solution=aula&kind=protocol&act_by_before=2026-12-03").get_json()["total"] == 1
    )
    assert client.get("/api/v1/transitions?solution=aula&kind=protocol&after=2027-07-01").get_json()["total"] == 0
    assert client.get("/api/v1/transitions?solution=aula&kind=protocol&before=2027-05-31").get_json()["total"] == 0
    assert client.get("/api/v1/transitions?q=oiosaml%204").get_json()["total"] == 2  # and NemLog-in's
    assert client.get("/api/v1/transitions?kind=protocol&category=stay_informed").get_json()["total"] == 2
    own = client.get("/api/v1/solutions/aula/transitions").get_json()["items"]
    assert body["id"] in [t["id"] for t in own]

    url = f"/api/v1/transitions/{body['id']}"
    assert client.patch(url, json={"title": "x"}, headers=coordinator.bearer).status_code == 428
    stale = client.patch(url, json={"title": "x"}, headers={**coordinator.bearer, "If-Match": '"t9"'})
    assert stale.status_code == 412
    changed = client.patch(
        url,
        json={"date": {"text": "Q3 2027"}, "act_by": "2027-05-01"},
        headers={**coordinator.bearer, "If-Match": '"t1"'},
    )
    assert changed.status_code == 200, changed.get_json()
    got = changed.get_json()
    assert (got["date"]["earliest"], got["date"]["precision"], got["act_by"], got["act_by_derived"]) == (
        "2027-07-01",
        "quarter",
        "2027-05-01",
        False,
    )
    assert changed.headers["ETag"] == '"t2"'
    cancelled = client.patch(
        url, json={"date": {"state": "cancelled"}}, headers={**coordinator.bearer, "If-Match": '"t2"'}
    )
    assert cancelled.status_code == 200
    history = client.get(f"{url}/history").get_json()["items"]
    assert [e["type"] for e in history] == ["transition.cancelled", "transition.date_changed", "transition.created"]


def test_only_editors_write(client: FlaskClient, accounts: dict[str, Account], session: Session) -> None:
    before = _stored(session)
    assert client.post("/api/v1/solutions/aula/transitions", json=OIOSAML4).status_code == 401
    for role in ("vendor_other", "municipality"):
        assert _post(client, accounts[role], OIOSAML4).status_code == 403
    assert _stored(session) == before


BAD = [
    ({**OIOSAML4, "act_by": "2027-07-15"}, "act_by", "Handlingsfristen ligger efter overgangens sidste dag."),
    ({"kind": "loa", "title": "Krav"}, "required_loa", "skal angive det krævede sikringsniveau"),
    ({**OIOSAML4, "date": {"earliest": "1899-12-31"}}, "date", None),
    ({**OIOSAML4, "date": {"text": "2101-01-01"}}, "date.text", None),
    ({"kind": "teleport", "title": "x"}, "kind", "Nogle felter er ugyldige"),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD)
def test_bad_input_is_a_danish_422_and_stores_nothing(
    client: FlaskClient, accounts: dict[str, Account], session: Session, body: Any, field: str, message: str | None
) -> None:
    before = _stored(session)
    resp = _post(client, accounts["coordinator"], body)
    assert resp.status_code == 422, resp.get_json()
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error"
    assert any(key.startswith(field) for key in error["details"]), error
    if message:
        assert message in error["message"]
    assert _stored(session) == before


def test_a_replacement_cycle_is_a_422(client: FlaskClient, accounts: dict[str, Account], session: Session) -> None:
    coordinator = accounts["coordinator"]
    first = {"kind": "decommission", "title": "SkoleIntra lukker", "replaced_by": "aula"}
    assert _post(client, coordinator, first, slug="skoleintra").status_code == 201
    before = _stored(session)
    back = {"kind": "decommission", "title": "Aula lukker", "replaced_by": "skoleintra"}
    resp = _post(client, coordinator, back)
    assert resp.status_code == 422 and "replaced_by" in resp.get_json()["error"]["details"]
    english = _post(client, coordinator, back, **{"Accept-Language": "en"})
    assert "cycle" in english.get_json()["error"]["message"]
    assert _stored(session) == before


def test_english_messages_with_accept_language(client: FlaskClient, accounts: dict[str, Account]) -> None:
    resp = _post(client, accounts["coordinator"], {"kind": "loa", "title": "Krav"}, **{"Accept-Language": "en"})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["message"] == "A transition of kind 'loa' must name the required assurance level."


def test_the_nsis_login_transition_shows_the_solution_facts(client: FlaskClient) -> None:
    fmk = client.get("/api/v1/solutions/fmk").get_json()
    (mirror,) = [t for t in client.get("/api/v1/solutions/fmk/transitions").get_json()["items"] if t["nsis_login"]]
    assert mirror["kind"] == "loa"
    assert mirror["required_loa"]["value"] == fmk["required_loa"]["value"]
    assert mirror["required_loa"]["status"] == fmk["required_loa"]["status"]
    assert {k: mirror["date"][k] for k in ("earliest", "latest", "state")} == {
        k: fmk["switch_date"][k] for k in ("earliest", "latest", "state")
    }


def test_lead_times_are_the_coordinators(client: FlaskClient, accounts: dict[str, Account]) -> None:
    coordinator = accounts["coordinator"]
    created = _post(client, coordinator, OIOSAML4).get_json()
    times = {i["kind"]: i["days"] for i in client.get("/api/v1/transition-lead-times").get_json()["items"]}
    assert times["protocol"] == 180
    assert (
        client.put(
            "/api/v1/transition-lead-times/protocol", json={"days": 30}, headers=accounts["vendor_other"].bearer
        ).status_code
        == 403
    )
    resp = client.put("/api/v1/transition-lead-times/protocol", json={"days": 30}, headers=coordinator.bearer)
    assert resp.status_code == 200
    assert client.get(f"/api/v1/transitions/{created['id']}").get_json()["act_by"] == "2027-05-02"
    assert (
        client.put("/api/v1/transition-lead-times/teleport", json={"days": 3}, headers=coordinator.bearer).status_code
        == 422
    )


def test_every_operation_has_an_operation_id(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/transitions", "/api/v1/solutions/{slug}/transitions", "/api/v1/transitions/{transition_id}"):
        for method, operation in spec["paths"][path].items():
            if method in {"get", "post", "patch"}:
                assert operation.get("operationId"), (path, method)


def test_lists_answer_304_until_a_transition_changes(client: FlaskClient, accounts: dict[str, Account]) -> None:
    first = client.get("/api/v1/transitions?kind=protocol")
    etag = first.headers["ETag"]
    assert client.get("/api/v1/transitions?kind=protocol", headers={"If-None-Match": etag}).status_code == 304
    own = client.get("/api/v1/solutions/aula/transitions").headers["ETag"]
    created = _post(client, accounts["coordinator"], OIOSAML4).get_json()
    again = client.get("/api/v1/transitions?kind=protocol", headers={"If-None-Match": etag})
    assert again.status_code == 200 and created["id"] in [t["id"] for t in again.get_json()["items"]]
    listed = client.get("/api/v1/solutions/aula/transitions", headers={"If-None-Match": own})
    assert listed.status_code == 200 and created["id"] in [t["id"] for t in listed.get_json()["items"]]
    assert client.get("/api/v1/solutions/no-such/transitions").status_code == 404
