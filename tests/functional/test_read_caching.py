"""The per-worker caches of readiness (private, per municipality) and of the anonymous overview page.

Each test asks once to fill the cache, changes something, and asks again: a stale or shared body fails it.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.accounts import bearer
from tests.support.municipalities import fresh_client, idp, log_in, municipality, seeded, solution, use, user_with_token
from tracker.api.municipality_schemas import ReadinessSchema
from tracker.api.readiness_cache import readiness_json
from tracker.http_cache import response_cache
from tracker.municipalities import readiness, services
from tracker.municipalities.queries import get_portfolio_entry
from tracker.municipalities.serialize import readiness_dict
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

READINESS = "/api/v1/municipalities/{}/readiness"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Each request in its own app context, with cookies; the cache starts empty."""
    response_cache(app).clear()
    return fresh_client(app)


@pytest.fixture
def kk(session: Session) -> dict[str, str]:
    """A København user's token header, with a portfolio of two solutions through one IdP."""
    _, token = user_with_token(session, "it@kk.dk", "municipality", "101")
    idp(session, "101", "KK AD", "betydelig")
    use(session, "101", "aula")
    use(session, "101", "fmk")
    session.commit()
    return bearer(token)


def test_a_repeated_readiness_is_the_same_body_with_an_etag_and_a_304(client: FlaskClient, kk: dict[str, str]) -> None:
    first = client.get(READINESS.format(101), headers=kk)
    second = client.get(READINESS.format(101), headers=kk)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(READINESS.format(101), headers={**kk, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_json_is_what_the_declared_schema_dumps(app: Flask, session: Session, kk: dict[str, str]) -> None:
    with app.test_request_context():
        result = readiness.municipality_readiness(session, municipality(session, "101"))
        assert readiness_json(result) == ReadinessSchema().dump(readiness_dict(result))


def test_a_registry_change_is_served_at_once(client: FlaskClient, session: Session, kk: dict[str, str]) -> None:
    before = client.get(READINESS.format(101), headers=kk)
    update_solution(session, seeded(session, "aula"), {"loa_value": "lav"}, actor=SYSTEM)
    session.commit()
    after = client.get(READINESS.format(101), headers={**kk, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    aula = next(r for r in after.get_json()["items"] if r["solution"]["slug"] == "aula")
    assert aula["required_loa"]["value"] == "lav" and aula["status"] == "ok"


def test_idp_and_portfolio_edits_are_served_at_once(client: FlaskClient, session: Session, kk: dict[str, str]) -> None:
    def body() -> dict:
        resp = client.get(READINESS.format(101), headers=kk)
        assert resp.status_code == 200
        return resp.get_json()

    def idps_used() -> dict[str, str | None]:
        return {r["solution"]["slug"]: (r["idp"] or {}).get("name") for r in body()["items"]}

    assert idps_used() == {"aula": "KK AD", "fmk": "KK AD"}
    kk_municipality = municipality(session, "101")
    # A second IdP named for one entry: readiness shows which IdP, even when no verdict changes.
    other = idp(session, "101", "Skoler", "betydelig", primary=False)
    session.commit()
    assert idps_used() == {"aula": "KK AD", "fmk": "KK AD"}
    entry = get_portfolio_entry(session, kk_municipality, "aula")
    services.update_portfolio_entry(session, entry, {"idp_id": other.id}, actor=SYSTEM)
    session.commit()
    assert idps_used() == {"aula": "Skoler", "fmk": "KK AD"}
    services.update_idp(session, other, {"notified_loa": "hoej"}, actor=SYSTEM)
    session.commit()
    aula = next(r for r in body()["items"] if r["solution"]["slug"] == "aula")
    assert aula["idp"]["notified_loa"] == "hoej"
    services.delete_idp(session, other, actor=SYSTEM)
    session.commit()
    assert idps_used() == {"aula": "KK AD", "fmk": "KK AD"}
    services.remove_from_portfolio(session, get_portfolio_entry(session, kk_municipality, "fmk"), actor=SYSTEM)
    session.commit()
    assert idps_used() == {"aula": "KK AD"}
    solution(session, "x-new", loa="lav")
    use(session, "101", "x-new")
    session.commit()
    assert set(idps_used()) == {"aula", "x-new"}


def test_another_municipality_never_gets_the_cached_body(
    client: FlaskClient, session: Session, kk: dict[str, str]
) -> None:
    _, aarhus_token = user_with_token(session, "it@aarhus.dk", "municipality", "751")
    _, coordinator_token = user_with_token(session, "koordinator@kl.dk", "coordinator")
    session.commit()
    kk_body = client.get(READINESS.format(101), headers=kk)
    # Authorization runs before the cache: Aarhus is refused København's body, even with its ETag.
    refused = client.get(
        READINESS.format(101), headers={**bearer(aarhus_token), "If-None-Match": kk_body.headers["ETag"]}
    )
    assert refused.status_code == 403 and b"KK AD" not in refused.data
    assert client.get(READINESS.format(101)).status_code == 401
    own = client.get(READINESS.format(751), headers=bearer(aarhus_token))
    assert own.status_code == 200 and own.get_json()["municipality"]["code"] == "751"
    assert own.get_json()["items"] == [] and own.headers["ETag"] != kk_body.headers["ETag"]
    assert client.get(READINESS.format(101), headers=bearer(coordinator_token)).data == kk_body.data


def test_exports_are_cached_and_keep_their_download_headers(
    client: FlaskClient, session: Session, kk: dict[str, str]
) -> None:
    for extension in ("csv", "xlsx"):
        first = client.get(f"/api/v1/municipalities/101/readiness.{extension}", headers=kk)
        second = client.get(f"/api/v1/municipalities/101/readiness.{extension}", headers=kk)
        assert first.status_code == second.status_code == 200 and first.data == second.data
        assert second.headers["Content-Disposition"].startswith('attachment; filename="parathed-101-')
        assert second.headers["Cache-Control"] == "private, no-store"
    update_solution(session, seeded(session, "aula"), {"name": "Aula Ny"}, actor=SYSTEM)
    session.commit()
    assert "Aula Ny" in client.get("/api/v1/municipalities/101/readiness.csv", headers=kk).data.decode("utf-8-sig")


def test_the_anonymous_overview_is_shared_and_follows_registry_changes(client: FlaskClient, session: Session) -> None:
    first = client.get("/?q=aula")
    second = client.get("/?q=aula")
    assert first.status_code == second.status_code == 200 and first.data == second.data
    assert "Content-Security-Policy" in second.headers and second.headers["X-Frame-Options"] == "DENY"
    assert client.get("/?q=aula", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    update_solution(session, seeded(session, "aula"), {"name": "Aula Forældreintra"}, actor=SYSTEM)
    session.commit()
    assert "Aula Forældreintra" in client.get("/?q=aula").get_data(as_text=True)


def test_a_logged_in_user_never_gets_the_anonymous_page(app: Flask, client: FlaskClient, session: Session) -> None:
    user, _ = user_with_token(session, "koordinator@kl.dk", "coordinator")
    session.commit()
    anonymous = client.get("/").get_data(as_text=True)
    assert "Log ind" in anonymous and "Log ud" not in anonymous
    logged_in = fresh_client(app)
    log_in(logged_in, user)
    page = logged_in.get("/", headers={"If-None-Match": client.get("/").headers["ETag"]})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Log ud" in text and "csrf_token" in text
    # …and the logged-in page is not shared back with anonymous visitors.
    assert "Log ud" not in client.get("/").get_data(as_text=True)


def test_the_language_choice_is_remembered_and_keys_the_page(client: FlaskClient) -> None:
    danish = client.get("/").get_data(as_text=True)
    english = client.get("/?lang=en")
    assert english.status_code == 200 and "session=" in english.headers.get("Set-Cookie", "")
    assert english.get_data(as_text=True) != danish
    # The cookie remembers English: the next plain request gets the English page, not the cached Danish one.
    assert client.get("/").get_data(as_text=True) == english.get_data(as_text=True)
    assert fresh_client(client.application).get("/").get_data(as_text=True) == danish
