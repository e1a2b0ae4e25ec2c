"""/api/v1/subscriptions: create with a secret shown once, SSRF refusals at registration, the role matrix,
owner-only access (IDOR), rotation, test ping, the delivery log and redelivery."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer, make_user
from tests.support.broadcast import log_in, token_for
from tracker.models import Delivery, Subscription

PUBLIC_URL = "https://1.1.1.1/hook"  # a public address literal: accepted without DNS, never contacted in tests


@pytest.fixture
def tokens(session: Session) -> dict[str, str]:
    """Bearer tokens per role (municipality users of Copenhagen and Aarhus)."""
    users = {
        "coordinator": make_user(session, "k@kl.dk", "coordinator"),
        "admin": make_user(session, "a@kl.dk", "admin"),
        "kbh": make_user(session, "it@kk.dk", "municipality", municipality="101"),
        "aar": make_user(session, "it@aarhus.dk", "municipality", municipality="751"),
        "vendor": make_user(session, "v@kmd.dk", "vendor", organisation="kmd"),
    }
    result = {name: token_for(session, user) for name, user in users.items()}
    session.commit()
    return result


def _create(client: FlaskClient, token: str, **body: Any) -> Any:
    return client.post("/api/v1/subscriptions", json={"url": PUBLIC_URL, **body}, headers=bearer(token))


def _count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Subscription)) or 0


def test_create_returns_the_secret_once_and_never_again(client: FlaskClient, tokens: dict[str, str]) -> None:
    resp = _create(
        client,
        tokens["kbh"],
        description="Vores SIEM",
        event_types=["solution.switch_date.changed"],
        solutions=["aula"],
        municipality="101",
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["secret"].startswith("whsec_")
    assert body["solutions"] == ["aula"] and body["municipality"] == "101" and body["active"] is True
    got = client.get(f"/api/v1/subscriptions/{body['id']}", headers=bearer(tokens["kbh"])).get_json()
    assert "secret" not in got
    listed = client.get("/api/v1/subscriptions", headers=bearer(tokens["kbh"])).get_json()["items"]
    assert [s["id"] for s in listed] == [body["id"]] and "secret" not in listed[0]


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://2130706433/",
        "https://0x7f000001/",
        "http://1.1.1.1/hook",
        "ftp://1.1.1.1/",
        "https://does-not-exist.invalid/",
        "not a url",
    ],
)
def test_forbidden_targets_are_refused_at_registration_with_a_clear_message(
    client: FlaskClient, session: Session, tokens: dict[str, str], url: str
) -> None:
    before = _count(session)
    resp = _create(client, tokens["coordinator"], url=url)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["message"].startswith("Webhook-adressen kan ikke bruges")
    assert error["details"]["url"]
    assert _count(session) == before, "nothing stored"


def test_bad_filters_are_refused_and_nothing_is_stored(
    client: FlaskClient, session: Session, tokens: dict[str, str]
) -> None:
    before = _count(session)
    assert _create(client, tokens["coordinator"], event_types=["solution.deleted"]).status_code == 422
    resp = _create(client, tokens["coordinator"], solutions=["findes-ikke"])
    assert resp.status_code == 422 and "findes-ikke" in resp.get_json()["error"]["details"]["solutions"]
    assert _create(client, tokens["coordinator"], municipality="999").status_code == 422
    assert _create(client, tokens["coordinator"], unknown_field=1).status_code == 422
    assert _count(session) == before


def test_role_matrix(client: FlaskClient, tokens: dict[str, str]) -> None:
    assert client.post("/api/v1/subscriptions", json={"url": PUBLIC_URL}).status_code == 401
    assert client.get("/api/v1/subscriptions").status_code == 401
    assert _create(client, tokens["vendor"]).status_code == 403
    assert client.get("/api/v1/subscriptions", headers=bearer(tokens["vendor"])).status_code == 403
    for role in ("coordinator", "admin", "kbh"):
        assert _create(client, tokens[role]).status_code == 201, role
    assert _create(client, tokens["kbh"], municipality="751").status_code == 403, "only its own portfolio"
    assert _create(client, tokens["coordinator"], municipality="751").status_code == 201


def test_writes_need_a_token_not_the_login_cookie(client: FlaskClient, session: Session) -> None:
    user = make_user(session, "cookie@kl.dk", "coordinator")
    session.commit()
    log_in(client, user)
    assert client.post("/api/v1/subscriptions", json={"url": PUBLIC_URL}).status_code == 401
    assert client.get("/api/v1/subscriptions").status_code == 200, "reads may use the login"


def test_others_cannot_see_or_touch_a_subscription(
    app: Flask, client: FlaskClient, session: Session, tokens: dict[str, str]
) -> None:
    sub = _create(client, tokens["kbh"]).get_json()
    test = client.post(f"/api/v1/subscriptions/{sub['id']}/test", headers=bearer(tokens["kbh"])).get_json()
    base = f"/api/v1/subscriptions/{sub['id']}"
    calls = [
        ("get", base, None),
        ("patch", base, {"description": "overtaget"}),
        ("delete", base, None),
        ("post", f"{base}/test", None),
        ("post", f"{base}/rotate-secret", None),
        ("get", f"{base}/deliveries", None),
        ("post", f"{base}/deliveries/{test['id']}/redeliver", None),
    ]
    for intruder in ("aar", "coordinator", "admin"):
        for method, url, body in calls:
            resp = getattr(client, method)(url, json=body, headers=bearer(tokens[intruder]))
            assert resp.status_code == 404, (intruder, method, url)
    for method, url, body in calls:
        assert getattr(client, method)(url, json=body, headers=bearer(tokens["vendor"])).status_code == 403
        assert getattr(client, method)(url, json=body).status_code == 401
    session.expire_all()
    row = session.get(Subscription, sub["id"])
    assert row is not None and row.description is None
    assert session.scalar(select(func.count()).select_from(Delivery)) == 1


def test_rotate_test_ping_log_and_redeliver(client: FlaskClient, session: Session, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["coordinator"])
    sub = _create(client, tokens["coordinator"]).get_json()
    rotated = client.post(f"/api/v1/subscriptions/{sub['id']}/rotate-secret", headers=headers).get_json()
    assert rotated["secret"] != sub["secret"] and rotated["previous_secret_expires_at"]
    ping = client.post(f"/api/v1/subscriptions/{sub['id']}/test", headers=headers)
    assert ping.status_code == 202
    delivery = ping.get_json()
    assert delivery["event_type"] == "subscription.test" and delivery["state"] == "pending"
    log = client.get(f"/api/v1/subscriptions/{sub['id']}/deliveries?limit=10", headers=headers).get_json()
    assert log["total"] == 1 and log["items"][0]["message_id"] == delivery["message_id"]
    again = client.post(f"/api/v1/subscriptions/{sub['id']}/deliveries/{delivery['id']}/redeliver", headers=headers)
    assert again.status_code == 202 and again.get_json()["message_id"] == delivery["message_id"]
    missing = client.post(f"/api/v1/subscriptions/{sub['id']}/deliveries/999999/redeliver", headers=headers)
    assert missing.status_code == 404


def test_switch_off_and_on_and_delete(client: FlaskClient, session: Session, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["kbh"])
    sub = _create(client, tokens["kbh"]).get_json()
    off = client.patch(f"/api/v1/subscriptions/{sub['id']}", json={"active": False}, headers=headers).get_json()
    assert off["active"] is False and off["disabled_reason"]
    assert client.post(f"/api/v1/subscriptions/{sub['id']}/test", headers=headers).status_code == 409
    on = client.patch(f"/api/v1/subscriptions/{sub['id']}", json={"active": True}, headers=headers).get_json()
    assert on["active"] is True and on["disabled_reason"] is None
    bad = client.patch(f"/api/v1/subscriptions/{sub['id']}", json={"url": "https://10.0.0.1/"}, headers=headers)
    assert bad.status_code == 422
    assert client.delete(f"/api/v1/subscriptions/{sub['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/subscriptions/{sub['id']}", headers=headers).status_code == 404


def test_subscription_filters_decide_what_is_queued(
    client: FlaskClient, session: Session, tokens: dict[str, str]
) -> None:
    """Queued in the change's own transaction: one delivery per matching subscription."""
    from datetime import date

    from tests.support.broadcast import solution_by_slug
    from tracker.registry.actors import SYSTEM
    from tracker.registry.services import update_solution

    ids = {
        name: _create(client, tokens["coordinator"], **body).get_json()["id"]
        for name, body in {
            "all": {},
            "switch_only": {"event_types": ["solution.switch_date.changed"]},
            "loa_only": {"event_types": ["solution.required_loa.changed"]},
            "fmk_only": {"solutions": ["fmk"]},
            "kbh_portfolio": {"municipality": "101"},
        }.items()
    }
    update_solution(session, solution_by_slug(session, "aula"), {"switch_earliest_on": date(2030, 1, 1)}, actor=SYSTEM)
    session.commit()
    queued = set(session.scalars(select(Delivery.subscription_id).where(Delivery.event_type != "subscription.test")))
    assert queued == {ids["all"], ids["switch_only"]}


@pytest.mark.parametrize(
    "body",
    [
        {"description": "SIEM\x00"},
        {"solutions": ["au\x00la"]},
        {"municipality": "1\x001"},
        {"url": "https://1.1.1.1/\x00"},
        {"event_types": ["\x00"]},
    ],
)
def test_nul_and_control_characters_are_a_clear_4xx_on_both_databases(
    client: FlaskClient, session: Session, tokens: dict[str, str], body: dict[str, Any]
) -> None:
    """PostgreSQL refuses NUL in text: it must be caught as bad input, never reach the database as a 500."""
    before = _count(session)
    resp = _create(client, tokens["coordinator"], **body)
    assert resp.status_code == 422, resp.get_json()
    assert _count(session) == before


def test_nul_in_feed_paths_is_a_clear_400(client: FlaskClient) -> None:
    for url in ("/feeds/solutions/%00.atom", "/feeds/municipalities/%00.atom", "/calendar/municipalities/1%001.ics"):
        resp = client.get(url, headers={"Accept": "application/json"})
        assert resp.status_code == 400, url
        assert "NUL" in resp.get_json()["error"]["message"]
