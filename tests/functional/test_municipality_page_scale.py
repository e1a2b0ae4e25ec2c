"""The municipality's page costs O(portfolio), not O(registry) (issue 26 item 5).

A solution is added by typing its name (no list of the registry on the page), the portfolio is one form,
long lists are paged, and a repeated visit is served from the response cache, compressed, and still shows
every change at once.
"""

from __future__ import annotations

import gzip
import re
from datetime import timedelta
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.benchmarks.sqlcount import count_statements
from tests.support.municipalities import (
    fresh_client,
    idp,
    last_event_id,
    log_in,
    municipality,
    readiness_events,
    solution,
    use,
    user_with_token,
)
from tracker.clock import today_in_denmark
from tracker.db import get_db
from tracker.models import Action, PortfolioEntry, Solution, User
from tracker.web.municipality_views import PORTFOLIO_PAGE

TODAY = today_in_denmark()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Each request in its own app context."""
    return fresh_client(app)


@pytest.fixture
def kk_user(session: Session) -> User:
    """A København user."""
    user, _ = user_with_token(session, "it@kk.dk", "municipality", "101")
    session.commit()
    return user


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _portfolio(session: Session) -> dict[str, list[int]]:
    session.expire_all()
    entries = session.scalars(
        select(PortfolioEntry).where(PortfolioEntry.municipality_id == municipality(session, "101").id)
    )
    return {e.solution.slug: sorted(i.id for i in e.idps) for e in entries}


def test_the_page_lists_no_solution_outside_the_portfolio(client: FlaskClient, session: Session, kk_user: User) -> None:
    solution(session, "x-not-used", name="Ikke brugt-løsning")
    solution(session, "x-used", name="Brugt-løsning")
    use(session, "101", "x-used")
    session.commit()
    log_in(client, kk_user)
    html = client.get("/kommuner/101").get_data(as_text=True)
    assert "Brugt-løsning" in html
    assert "Ikke brugt-løsning" not in html and "x-not-used" not in html  # no list of the whole registry
    add = re.search(r'<form[^>]*id="add-solution".*?</form>', html, re.S)
    assert add and 'type="text"' in add.group(0) and 'name="solution"' in add.group(0)
    assert html.count("<form") < 12  # one form for the portfolio, not two per entry


def test_a_solution_is_added_by_its_name_alias_or_slug_and_a_typo_gets_suggestions(
    client: FlaskClient, session: Session, kk_user: User
) -> None:
    solution(session, "x-skoleportal", name="Skoleportalen", aliases=["SkolePortal Plus"])
    session.commit()
    log_in(client, kk_user)
    token = _csrf(client.get("/kommuner/101").get_data(as_text=True))
    resp = client.post("/kommuner/101/portefoelje", data={"csrf_token": token, "solution": "  skoleportalen "})
    assert resp.status_code == 303
    assert "x-skoleportal" in _portfolio(session)

    resp = client.post("/kommuner/101/portefoelje", data={"csrf_token": token, "solution": "Skolepotralen"})
    assert resp.status_code == 422
    html = unescape(resp.get_data(as_text=True))
    assert "Ingen løsning hedder 'Skolepotralen'" in html and "'Skoleportalen'" in html
    resp = client.post("/kommuner/101/portefoelje", data={"csrf_token": token, "solution": "skoleportal plus"})
    assert resp.status_code == 409  # the alias names the same solution, which is there already
    assert client.post("/kommuner/101/portefoelje", data={"csrf_token": token, "solution": ""}).status_code == 422


def test_one_form_sets_each_rows_idps_and_removes_the_ticked_ones_in_one_readiness_change(
    client: FlaskClient, session: Session, kk_user: User
) -> None:
    idp(session, "101", "Administration", "hoej")
    schools = idp(session, "101", "Skoler", "lav", primary=False)
    for slug in ("x-a", "x-b", "x-c"):
        solution(session, slug, loa="betydelig", earliest=TODAY + timedelta(days=30))
        use(session, "101", slug)
    session.commit()
    log_in(client, kk_user)
    html = client.get("/kommuner/101").get_data(as_text=True)
    form = re.search(r'<form id="portfolio-form".*?</form>', html, re.S)
    assert form and form.group(0).count('name="entry"') == 3 and form.group(0).count("<form") == 1
    after = last_event_id(session)
    data = {
        "csrf_token": _csrf(html),
        "entry": ["x-a", "x-b", "x-c"],
        "idps-x-a": [str(schools.id)],
        "fjern": ["x-c"],
    }
    resp = client.post("/kommuner/101/portefoelje/gem", data=data)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("#portefoelje")
    assert _portfolio(session) == {"x-a": [schools.id], "x-b": []}
    changes = readiness_events(session, after)
    assert {(e.data or {})["solution"]["slug"] for e in changes} == {"x-a", "x-c"}  # at risk via Skoler; removed
    assert len({e.id for e in changes}) == 1  # one bulk readiness event for the whole form

    other = idp(session, "147", "Frederiksberg IdP", "hoej")
    session.commit()
    bad = {"csrf_token": data["csrf_token"], "entry": ["x-a"], "idps-x-a": [str(other.id)]}
    assert client.post("/kommuner/101/portefoelje/gem", data=bad).status_code == 422
    assert _portfolio(session) == {"x-a": [schools.id], "x-b": []}
    assert client.post("/kommuner/101/portefoelje/gem", data={"entry": ["x-b"], "fjern": ["x-b"]}).status_code == 400


def test_a_long_portfolio_is_paged(client: FlaskClient, session: Session, kk_user: User) -> None:
    for n in range(PORTFOLIO_PAGE + 1):
        solution(session, f"x-many-{n:03d}", name=f"Mange {n:03d}")
        use(session, "101", f"x-many-{n:03d}")
    session.commit()
    log_in(client, kk_user)
    first = client.get("/kommuner/101").get_data(as_text=True)
    second = client.get("/kommuner/101?side=2").get_data(as_text=True)
    assert first.count('name="entry"') == PORTFOLIO_PAGE and second.count('name="entry"') == 1
    assert 'value="x-many-100"' in second and 'value="x-many-100"' not in first
    assert 'href="/kommuner/101?side=2#portefoelje"' in first


def test_a_repeated_visit_comes_from_the_cache_compressed_and_a_change_shows_at_once(
    app: Flask, client: FlaskClient, session: Session, kk_user: User
) -> None:
    idp(session, "101", "KK", "betydelig")
    for n in range(40):  # a page large enough to be sent compressed
        solution(session, f"x-row-{n:02d}", loa="hoej", earliest=TODAY + timedelta(days=10 + n))
        use(session, "101", f"x-row-{n:02d}")
    session.commit()
    log_in(client, kk_user)
    gz = {"Accept-Encoding": "gzip"}
    for path in ("/kommuner/101", "/kommuner/101/rapport"):
        client.get(path, headers=gz)  # the first visit brings M's actions in line (events): the next one renders
        first = client.get(path, headers=gz)
        assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
        assert "private" in first.headers["Cache-Control"]
        engine = get_db(app).engine
        with count_statements(engine) as log:
            again = client.get(path, headers=gz)
        assert again.data == first.data
        assert not [q for q in log.queries if "portfolio_entry" in q or "FROM solution" in q], log.queries
    html = gzip.decompress(client.get("/kommuner/101", headers=gz).data).decode()
    assert "X-ROW-05" in html and "Ny-løsning" not in html

    # A change through another door (the API) shows on the next visit.
    solution(session, "x-new", loa="hoej", earliest=TODAY + timedelta(days=5), name="Ny-løsning")
    session.commit()
    token = user_with_token(session, "api@kk.dk", "municipality", "101")[1]
    session.commit()
    api = app.test_client()
    answer = api.post(
        "/api/v1/municipalities/101/portfolio", json={"solution": "x-new"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert "Ny-løsning" in gzip.decompress(client.get("/kommuner/101", headers=gz).data).decode()


def test_another_session_never_gets_the_first_ones_csrf_token(app: Flask, session: Session, kk_user: User) -> None:
    solution(session, "x-one", name="Eneste")
    use(session, "101", "x-one")
    session.commit()
    first, second = fresh_client(app), fresh_client(app)
    log_in(first, kk_user)
    log_in(second, kk_user)
    one = _csrf(first.get("/kommuner/101").get_data(as_text=True))
    two = _csrf(second.get("/kommuner/101").get_data(as_text=True))
    assert one != two
    assert second.post("/kommuner/101/portefoelje/gem", data={"csrf_token": one, "entry": ["x-one"]}).status_code == 400
    assert second.post("/kommuner/101/portefoelje/gem", data={"csrf_token": two, "entry": ["x-one"]}).status_code == 303


def test_an_action_changed_after_a_cached_visit_shows_on_the_next_one(
    client: FlaskClient, session: Session, kk_user: User
) -> None:
    kk_idp = idp(session, "101", "KK-IdP", "betydelig")
    solution(session, "omsorg", loa="hoej", earliest=TODAY + timedelta(days=60), name="Omsorg")
    use(session, "101", "omsorg", via=kk_idp)
    session.commit()
    log_in(client, kk_user)
    for _ in range(2):  # the first visit makes the row's action; the second comes from the cache
        html = client.get("/kommuner/101").get_data(as_text=True)
        row = re.search(r'<tr class="readiness-row" data-solution="omsorg".*?</tr>', html, re.S)
        assert row and "I gang" not in row.group(0)
    action_id = session.scalar(select(Action.id).where(Action.solution_id == solution_id(session, "omsorg")))
    url = f"/kommuner/101/handlinger/{action_id}"
    resp = client.post(url, data={"csrf_token": _csrf(client.get(url).get_data(as_text=True)), "status": "in_progress"})
    assert resp.status_code == 303
    for _ in range(2):  # the first one shows the flash (rendered fresh); the second would come from the cache
        html = client.get("/kommuner/101").get_data(as_text=True)
        row = re.search(r'<tr class="readiness-row" data-solution="omsorg".*?</tr>', html, re.S)
        assert row and "I gang" in row.group(0)


def solution_id(session: Session, slug: str) -> int:
    """A solution's id by slug."""
    found = session.scalar(select(Solution.id).where(Solution.slug == slug))
    assert found is not None
    return found
