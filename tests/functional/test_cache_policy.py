"""Cache-Control and Vary, route by route: anonymous public GETs may be kept by a shared cache; nothing personal
is ever ``public``; a response that shows a secret is ``no-store``.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer, make_user
from tests.support.broadcast import log_in, token_for
from tracker.broadcast import feed_tokens
from tracker.http_cache import PUBLIC_ENDPOINTS
from tracker.models import Municipality, User

PUBLIC = re.compile(r"^public, max-age=(\d+), stale-while-revalidate=(\d+)$")
PUBLIC_URLS = [
    "/",
    "/?loa=hoej",
    "/loesninger/aula",
    "/kommuner",
    "/kommende-skift",
    "/kilder",
    "/feeds/changes.atom",
    "/feeds/changes.rss",
    "/feeds/solutions/aula.atom",
    "/calendar/solutions.ics",
    "/api/v1/solutions",
    "/api/v1/solutions?limit=5",
    "/api/v1/solutions/aula",
    "/api/v1/solutions/aula/history",
    "/api/v1/upcoming",
    "/api/v1/popular",
    "/api/v1/municipalities",
    "/api/v1/municipalities/101",
    "/api/v1/sources",
    "/api/v1/events",
    "/api/v1/openapi.json",
]


@pytest.fixture
def coordinator(session: Session) -> User:
    """A coordinator (sees everything, has a token and a login)."""
    user = make_user(session, "cache-policy@kl.dk", "coordinator")
    session.commit()
    return user


def _is_private(cache_control: str) -> bool:
    return "public" not in cache_control and ("private" in cache_control or "no-store" in cache_control)


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_an_anonymous_public_get_may_be_kept_by_a_shared_cache(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    match = PUBLIC.match(response.headers.get("Cache-Control", ""))
    assert match, f"{url}: {response.headers.get('Cache-Control')}"
    assert int(match.group(1)) > 0 and int(match.group(2)) > 0
    vary = {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
    assert {"cookie", "authorization"} <= vary, f"{url}: Vary {vary}"
    assert "Set-Cookie" not in response.headers, url


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_the_same_urls_are_private_with_a_token_or_a_login(
    app: Flask, session: Session, coordinator: User, url: str
) -> None:
    with_token = app.test_client().get(url, headers=bearer(token_for(session, coordinator)))
    assert _is_private(with_token.headers.get("Cache-Control", "")), f"{url}: {with_token.headers}"
    logged_in = app.test_client()
    log_in(logged_in, coordinator)
    answer = logged_in.get(url)
    assert _is_private(answer.headers.get("Cache-Control", "")), f"{url}: {answer.headers.get('Cache-Control')}"


def test_a_language_choice_in_the_url_is_not_shared(client: FlaskClient) -> None:
    response = client.get("/?lang=en")  # remembered in the visitor's session cookie
    assert _is_private(response.headers["Cache-Control"])


def test_personal_answers_are_private_or_no_store(session: Session, coordinator: User) -> None:
    kbh = make_user(session, "cache-kbh@kk.dk", "municipality", municipality="101")
    municipality = session.scalar(select(Municipality).where(Municipality.code == "101"))
    assert municipality is not None
    _, feed = feed_tokens.create_token(session, kbh, municipality)
    token = token_for(session, kbh)
    session.commit()
    from flask import current_app

    client = current_app.test_client()
    personal = [
        ("/api/v1/municipalities/101/readiness", bearer(token)),
        ("/api/v1/municipalities/101/readiness.csv", bearer(token)),
        ("/api/v1/municipalities/101/idps", bearer(token)),
        ("/api/v1/municipalities/101/portfolio", bearer(token)),
        ("/api/v1/national", bearer(token_for(session, coordinator))),
        ("/api/v1/subscriptions", bearer(token)),
        ("/api/v1/tokens", bearer(token)),
        ("/api/v1/proposals", bearer(token)),
        (f"/calendar/municipalities/101.ics?token={feed}", {}),
        (f"/feeds/municipalities/101.atom?token={feed}", {}),
    ]
    for url, headers in personal:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        assert _is_private(response.headers.get("Cache-Control", "")), (url, response.headers.get("Cache-Control"))
        if url.startswith("/api/"):
            assert "authorization" in response.headers.get("Vary", "").lower(), url
    refused = ["/api/v1/municipalities/101/readiness", "/calendar/municipalities/101.ics?token=ftk_nope", "/konto"]
    for url in refused:  # anonymous: 401/403/redirect, never something a cache keeps for everyone
        response = client.get(url)
        assert response.status_code in (302, 401, 403), url
        assert _is_private(response.headers.get("Cache-Control", "")), url


def test_live_answers_are_not_stored(client: FlaskClient) -> None:
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"


def test_responses_that_show_a_secret_are_no_store(session: Session, coordinator: User) -> None:
    from flask import current_app

    client = current_app.test_client()
    token = token_for(session, coordinator)
    session.commit()
    created = client.post("/api/v1/tokens", json={"name": "policy"}, headers=bearer(token))
    assert created.status_code == 201 and created.get_json()["token"].startswith("tut_")
    assert created.headers["Cache-Control"] == "no-store"
    sub = client.post("/api/v1/subscriptions", json={"url": "https://1.1.1.1/hook"}, headers=bearer(token))
    assert sub.status_code == 201 and sub.get_json()["secret"].startswith("whsec_")
    assert sub.headers["Cache-Control"] == "no-store"
    rotated = client.post(f"/api/v1/subscriptions/{sub.get_json()['id']}/rotate-secret", headers=bearer(token))
    assert rotated.status_code == 200 and rotated.get_json()["secret"].startswith("whsec_")
    assert rotated.headers["Cache-Control"] == "no-store"


def test_no_other_get_route_answers_public(app: Flask, client: FlaskClient) -> None:
    """Every GET route without parameters that is not listed as public stays private for anonymous callers."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.arguments or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        response = client.get(rule.rule)
        assert "public" not in response.headers.get("Cache-Control", ""), rule.rule
        checked += 1
    assert checked >= 10
