"""The subscription pages: create (secret shown once), test ping, rotate, switch off/on, delete, redeliver,
the delivery log, and a municipality's private feed addresses — each with its role and ownership checks."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.broadcast import log_in
from tracker.models import Delivery, FeedToken, Subscription, User

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(client: FlaskClient, url: str = "/abonnementer") -> str:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    match = CSRF.search(page.get_data(as_text=True))
    assert match is not None
    return match.group(1)


@pytest.fixture
def kbh_user(session: Session) -> User:
    """A Copenhagen municipality user."""
    user = make_user(session, "web@kk.dk", "municipality", municipality="101")
    session.commit()
    return user


def _create(client: FlaskClient, **form: object) -> tuple[int, str]:
    data = {"csrf_token": _csrf(client), "url": "https://1.1.1.1/hook", "description": "SIEM", **form}
    resp = client.post("/abonnementer", data=data)
    return resp.status_code, resp.get_data(as_text=True)


def test_create_shows_the_secret_once_and_lists_the_subscription(
    client: FlaskClient, session: Session, kbh_user: User
) -> None:
    log_in(client, kbh_user)
    status, html = _create(client, event_types=["solution.switch_date.changed"], municipality="101")
    assert status == 201
    secret = re.search(r"whsec_[A-Za-z0-9+/=]+", html)
    assert secret is not None
    session.expire_all()
    [sub] = session.scalars(select(Subscription).where(Subscription.owner_id == kbh_user.id)).all()
    assert sub.event_types == ["solution.switch_date.changed"] and sub.municipality_id == kbh_user.municipality_id
    detail = client.get(f"/abonnementer/{sub.id}")
    assert detail.status_code == 200 and "whsec_" not in detail.get_data(as_text=True)
    assert detail.headers["Cache-Control"] == "no-store"
    assert "https://1.1.1.1/hook" in client.get("/abonnementer").get_data(as_text=True)


def test_a_forbidden_url_is_refused_in_the_form_with_the_reason(
    client: FlaskClient, session: Session, kbh_user: User
) -> None:
    log_in(client, kbh_user)
    status, html = _create(client, url="https://169.254.169.254/latest/meta-data/")
    assert status == 422
    assert "ikke offentlig" in html
    assert session.scalar(select(Subscription).where(Subscription.owner_id == kbh_user.id)) is None


def test_buttons_test_rotate_switch_redeliver_delete(client: FlaskClient, session: Session, kbh_user: User) -> None:
    log_in(client, kbh_user)
    _create(client)
    sub = session.scalar(select(Subscription).where(Subscription.owner_id == kbh_user.id))
    assert sub is not None
    sub_id = sub.id
    base = f"/abonnementer/{sub_id}"
    token = _csrf(client, base)
    assert client.post(f"{base}/test", data={"csrf_token": token}).status_code == 302
    delivery = session.scalar(select(Delivery).where(Delivery.subscription_id == sub.id))
    assert delivery is not None and delivery.event_type == "subscription.test"
    log = client.get(base).get_data(as_text=True)
    assert delivery.message_id in log
    rotated = client.post(f"{base}/hemmelighed", data={"csrf_token": token})
    assert rotated.status_code == 200 and "whsec_" in rotated.get_data(as_text=True)
    assert client.post(f"{base}/leveringer/{delivery.id}/gensend", data={"csrf_token": token}).status_code == 302
    assert client.post(f"{base}/aktiv", data={"csrf_token": token, "active": "0"}).status_code == 302
    session.expire_all()
    assert session.scalar(select(Subscription.active).where(Subscription.id == sub_id)) is False
    assert "Slå til igen" in client.get(base).get_data(as_text=True)
    assert client.post(f"{base}/aktiv", data={"csrf_token": token, "active": "1"}).status_code == 302
    assert client.post(f"{base}/slet", data={"csrf_token": token}).status_code == 302
    session.expire_all()
    assert session.scalar(select(Subscription.id).where(Subscription.id == sub_id)) is None


def test_without_csrf_token_nothing_happens(client: FlaskClient, session: Session, kbh_user: User) -> None:
    log_in(client, kbh_user)
    resp = client.post("/abonnementer", data={"url": "https://1.1.1.1/hook"})
    assert resp.status_code == 400
    assert session.scalar(select(Subscription).where(Subscription.owner_id == kbh_user.id)) is None


def test_other_users_get_404_vendors_403_and_anonymous_the_login(
    client: FlaskClient, session: Session, kbh_user: User
) -> None:
    log_in(client, kbh_user)
    _create(client)
    sub = session.scalar(select(Subscription).where(Subscription.owner_id == kbh_user.id))
    assert sub is not None
    other = make_user(session, "web@aarhus.dk", "municipality", municipality="751")
    vendor = make_user(session, "web@kmd.dk", "vendor", organisation="kmd")
    session.commit()
    log_in(client, other)
    token = _csrf(client)
    assert client.get(f"/abonnementer/{sub.id}").status_code == 404
    for action in ("test", "hemmelighed", "slet"):
        assert client.post(f"/abonnementer/{sub.id}/{action}", data={"csrf_token": token}).status_code == 404
    log_in(client, vendor)
    assert client.get("/abonnementer").status_code == 403
    client.post("/logout")
    with client.session_transaction() as flask_session:
        flask_session.clear()
    anonymous = client.get("/abonnementer")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    session.expire_all()
    assert session.get(Subscription, sub.id) is not None


def test_private_feed_addresses_are_shown_once_and_can_be_revoked(
    client: FlaskClient, session: Session, kbh_user: User
) -> None:
    log_in(client, kbh_user)
    page = "/abonnementer/kommuner/101/feeds"
    token = _csrf(client, page)
    created = client.post(page, data={"csrf_token": token})
    assert created.status_code == 303  # POST-redirect-GET: reloading the page makes no second token
    html = client.get(created.headers["Location"]).get_data(as_text=True)
    plain = re.search(r"token=(ftk_[A-Za-z0-9_-]+)", html)
    assert plain is not None
    assert client.get(f"/feeds/municipalities/101.atom?token={plain.group(1)}").status_code == 200
    listing = client.get(page).get_data(as_text=True)
    assert plain.group(1) not in listing, "never shown again"
    row = session.scalar(select(FeedToken).where(FeedToken.municipality_id == kbh_user.municipality_id))
    assert row is not None and row.token_hash != plain.group(1)
    assert client.post(f"{page}/{row.id}/tilbagekald", data={"csrf_token": token}).status_code == 302
    assert client.get(f"/feeds/municipalities/101.atom?token={plain.group(1)}").status_code == 403
    other = make_user(session, "feeds@aarhus.dk", "municipality", municipality="751")
    session.commit()
    log_in(client, other)
    assert client.get(page).status_code == 403
    assert client.post(page, data={"csrf_token": _csrf(client)}).status_code == 403
