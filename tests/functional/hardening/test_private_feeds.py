"""Item 14: private feeds keep their token in rel=self; tokens are created and revoked through the API;
webcal:// links on the page; reloading the page after creating one makes no second token."""

from __future__ import annotations

import re

import feedparser
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import client_for, make_account
from tracker.models import FeedToken


def test_tokens_through_the_api(app: Flask, session: Session) -> None:
    kbh = make_account(session, "municipality", "api-feeds@kk.dk", municipality="101")
    aarhus = make_account(session, "municipality", "api-feeds@aarhus.dk", municipality="751")
    session.commit()
    client = app.test_client()
    created = client.post("/api/v1/municipalities/101/feed-tokens", headers=kbh.bearer)
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    body = created.get_json()
    assert body["token"].startswith("ftk_") and body["links"]["webcal"].startswith("webcal://")
    feed = client.get(body["links"]["atom"].replace("http://127.0.0.1:8000", ""))
    assert feed.status_code == 200
    self_link = [link.href for link in feedparser.parse(feed.data).feed.links if link.rel == "self"]
    assert self_link and body["token"] in self_link[0], "rel=self keeps the token"
    listing = client.get("/api/v1/municipalities/101/feed-tokens", headers=kbh.bearer).get_json()["items"]
    assert [t["id"] for t in listing] == [body["id"]] and "token" not in listing[0]
    assert client.get("/api/v1/municipalities/101/feed-tokens", headers=aarhus.bearer).status_code == 403
    assert (
        client.delete(f"/api/v1/municipalities/101/feed-tokens/{body['id']}", headers=aarhus.bearer).status_code == 403
    )
    assert client.delete(f"/api/v1/municipalities/101/feed-tokens/{body['id']}", headers=kbh.bearer).status_code == 204
    assert client.get(body["links"]["atom"].replace("http://127.0.0.1:8000", "")).status_code == 403


def test_the_page_shows_webcal_and_a_reload_makes_no_second_token(app: Flask, session: Session) -> None:
    kbh = make_account(session, "municipality", "page-feeds@kk.dk", municipality="101")
    session.commit()
    client, csrf = client_for(app, kbh)
    page = "/abonnementer/kommuner/101/feeds"
    created = client.post(page, data={"csrf_token": csrf})
    assert created.status_code == 303
    shown = client.get(created.headers["Location"]).get_data(as_text=True)
    assert re.search(r'href="webcal://[^"]+101\.ics\?token=ftk_', shown)
    again = client.get(page).get_data(as_text=True)  # the reload
    assert "token=ftk_" not in again
    count = session.scalar(select(func.count()).select_from(FeedToken).where(FeedToken.created_by_id == kbh.user.id))
    assert count == 1
