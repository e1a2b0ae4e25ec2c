"""GET /api/v1/sources and the sources pages: health for everyone, page diffs and actions for coordinators only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.ingest import (
    LAUNCH_PATH,
    csrf_token,
    log_in,
    page,
    serve_robots,
    settings_for,
    snapshots_of,
    source_row,
)
from tracker.auth.tokens import create_token
from tracker.ingest import services
from tracker.ingest.snapshots import pending_page_changes
from tracker.ingest.targets import ScrapeSettings, targets_for, watch_key
from tracker.models import AuditEntry, PageSnapshot, User

HTML = "text/html; charset=utf-8"
WATCHED = "https://digitaliseringskataloget.dk/oces"


@pytest.fixture
def changed_page(session: Session) -> Iterator[PageSnapshot]:
    """A watched page recorded twice with different text: one page change awaiting review."""
    settings = ScrapeSettings(watch_urls=(WATCHED,))
    target = targets_for("watch", settings)[0]
    services.import_file(session, target, page("watch_page.html").decode(), settings)
    services.import_file(session, target, page("watch_page_changed.html").decode(), settings)
    session.commit()
    yield snapshots_of(session, target.key)[-1]


@pytest.fixture
def failing_launch(httpserver: HTTPServer, session: Session) -> Iterator[None]:
    """digst_launch recorded as unhealthy (a garbage page)."""
    serve_robots(httpserver)
    httpserver.expect_request(LAUNCH_PATH).respond_with_data(page("garbage.html"), content_type=HTML)
    settings = settings_for(httpserver)
    services.run_scrape(session, "digst_launch", settings.fetcher(), settings=settings)
    session.commit()
    yield
    httpserver.clear()


def _users(session: Session) -> dict[str, User]:
    users = {
        "coordinator": make_user(session, "k-views@example.dk", "coordinator"),
        "admin": make_user(session, "a-views@example.dk", "admin"),
        "vendor": make_user(session, "v-views@example.dk", "vendor", organisation="kmd"),
        "municipality": make_user(session, "m-views@example.dk", "municipality", municipality="101"),
    }
    session.commit()
    return users


def test_api_lists_every_configured_source_even_before_it_ran(client: FlaskClient) -> None:
    body = client.get("/api/v1/sources").get_json()
    keys = [item["key"] for item in body["items"]]
    assert keys[:3] == ["digst_launch", "digst_news", "mitid_erhverv_news"]
    assert any(key.startswith("watch-") for key in keys)
    launch = body["items"][0]
    assert launch["healthy"] is True and launch["last_run"] is None and launch["counts"]["runs"] == 0
    assert launch["kind"] == "scraper" and launch["active"] is True
    assert launch["html_url"].endswith("/kilder/digst_launch")
    assert body["total"] == len(keys) and body["unhealthy"] == 0


def test_api_shows_an_unhealthy_source_with_its_reason_and_last_run(client: FlaskClient, failing_launch: None) -> None:
    body = client.get("/api/v1/sources").get_json()
    launch = next(item for item in body["items"] if item["key"] == "digst_launch")
    assert launch["healthy"] is False and "afvist" in launch["health_reason"]
    assert launch["last_run"]["outcome"] == "rejected" and launch["last_run"]["http_status"] == 200
    assert launch["counts"] == {
        "runs": 1, "failed_runs": 1, "proposals": 0, "pending_proposals": 0, "pending_page_changes": 0,
    }  # fmt: skip
    assert body["unhealthy"] >= 1

    detail = client.get("/api/v1/sources/digst_launch").get_json()
    assert [run["outcome"] for run in detail["recent_runs"]] == ["rejected"]
    assert detail["healthy"] is False


def test_api_source_detail_counts_proposals_and_page_changes(client: FlaskClient, changed_page: PageSnapshot) -> None:
    detail = client.get(f"/api/v1/sources/{watch_key(WATCHED)}").get_json()
    assert detail["kind"] == "watch"
    assert detail["counts"]["pending_page_changes"] == 1
    assert detail["counts"]["proposals"] == detail["counts"]["pending_proposals"] == 4
    assert [run["outcome"] for run in detail["recent_runs"]] == ["ok", "ok"]


def test_api_unknown_source_is_a_404_in_the_error_shape(client: FlaskClient) -> None:
    resp = client.get("/api/v1/sources/findes-ikke")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"
    assert "findes-ikke" in resp.get_json()["error"]["message"]


def test_api_operations_are_documented(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/sources"] and "get" in paths["/api/v1/sources/{key}"]


def test_sources_page_is_public_and_shows_health(client: FlaskClient, failing_launch: None) -> None:
    html = client.get("/kilder").get_data(as_text=True)
    assert "Kilder og deres sundhed" in html and "Usund" in html and "afvist" in html
    assert "Sideændringer til gennemsyn</h2>" not in html  # diffs are for coordinators
    detail = client.get("/kilder/digst_launch")
    assert detail.status_code == 200 and "Afvist" in detail.get_data(as_text=True)
    assert client.get("/kilder/findes-ikke").status_code == 404


def test_coordinators_see_the_highlighted_diff(
    client: FlaskClient, session: Session, changed_page: PageSnapshot
) -> None:
    anonymous = client.get(f"/kilder/{watch_key(WATCHED)}").get_data(as_text=True)
    assert "uge 45" not in anonymous
    users = _users(session)
    log_in(client, users["coordinator"])
    for path in ("/kilder", f"/kilder/{watch_key(WATCHED)}"):
        html = client.get(path).get_data(as_text=True)
        assert '<mark class="hl-solution" title="løsning">FMK</mark>' in html
        assert '<mark class="hl-date" title="dato">uge 45</mark>' in html
        assert '<li class="removed">' in html and '<li class="added">' in html
        assert f"/kilder/aendringer/{changed_page.id}/gennemset" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), ("vendor", 403), ("municipality", 403), ("coordinator", 302), ("admin", 302)],
)
def test_marking_a_page_change_reviewed_is_for_coordinators(
    client: FlaskClient, session: Session, changed_page: PageSnapshot, role: str | None, status: int
) -> None:
    users = _users(session)
    log_in(client, users[role or "coordinator"])
    token = csrf_token(client, "/kilder")  # the token belongs to the browser session, not to the login
    if role is None:
        log_in(client, None)
    resp = client.post(f"/kilder/aendringer/{changed_page.id}/gennemset", data={"csrf_token": token, "next": "/kilder"})
    assert resp.status_code == status
    session.expire_all()
    reviewed = session.get(PageSnapshot, changed_page.id)
    assert reviewed is not None
    if status == 302:
        assert resp.headers["Location"].endswith("/kilder")
        assert reviewed.reviewed_at is not None
        assert pending_page_changes(session) == []
        assert session.query(AuditEntry).filter_by(action="page_change.reviewed").count() == 1
    else:
        assert reviewed.reviewed_at is None


def test_marking_reviewed_without_csrf_is_refused(
    client: FlaskClient, session: Session, changed_page: PageSnapshot
) -> None:
    log_in(client, _users(session)["coordinator"])
    resp = client.post(f"/kilder/aendringer/{changed_page.id}/gennemset", data={})
    assert resp.status_code == 400
    session.expire_all()
    snapshot = session.get(PageSnapshot, changed_page.id)
    assert snapshot is not None and snapshot.reviewed_at is None


def test_marking_reviewed_ignores_an_offsite_next_and_404s_unknown_changes(
    client: FlaskClient, session: Session, changed_page: PageSnapshot
) -> None:
    log_in(client, _users(session)["coordinator"])
    token = csrf_token(client, "/kilder")
    resp = client.post(f"/kilder/aendringer/{changed_page.id}/gennemset",
                       data={"csrf_token": token, "next": "//evil.example/"})  # fmt: skip
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/kilder")
    assert client.post("/kilder/aendringer/999999/gennemset", data={"csrf_token": token}).status_code == 404


def test_a_bearer_token_does_not_replace_the_csrf_token_on_forms(
    client: FlaskClient, session: Session, changed_page: PageSnapshot
) -> None:
    user = _users(session)["coordinator"]
    _, plain = create_token(session, user, "t")
    session.commit()
    resp = client.post(f"/kilder/aendringer/{changed_page.id}/gennemset", headers={"Authorization": f"Bearer {plain}"})
    assert resp.status_code == 400


@pytest.mark.parametrize(
    ("role", "status"),
    [("vendor", 403), ("municipality", 403), ("coordinator", 302), ("admin", 302)],
)
def test_resetting_health_is_for_coordinators(
    client: FlaskClient, session: Session, failing_launch: None, role: str, status: int
) -> None:
    log_in(client, _users(session)[role])
    token = csrf_token(client, "/kilder")
    resp = client.post("/kilder/digst_launch/nulstil", data={"csrf_token": token})
    assert resp.status_code == status
    assert source_row(session, "digst_launch").healthy is (status == 302)


def test_resetting_health_anonymously_or_without_csrf_is_refused(
    client: FlaskClient, session: Session, failing_launch: None
) -> None:
    assert client.post("/kilder/digst_launch/nulstil", data={}).status_code == 400  # CSRF first
    log_in(client, _users(session)["coordinator"])
    assert client.post("/kilder/digst_launch/nulstil", data={}).status_code == 400
    token = csrf_token(client, "/kilder")
    assert client.post("/kilder/findes-ikke/nulstil", data={"csrf_token": token}).status_code == 404
    assert source_row(session, "digst_launch").healthy is False


def test_review_queue_shows_page_changes_until_reviewed(
    client: FlaskClient, session: Session, changed_page: PageSnapshot
) -> None:
    log_in(client, _users(session)["coordinator"])
    queue_url = "/forslag"
    html = client.get(queue_url).get_data(as_text=True)
    assert "Ændrede kildesider (1)" in html
    assert '<mark class="hl-date" title="dato">uge 45</mark>' in html
    token = csrf_token(client, queue_url)
    resp = client.post(f"/kilder/aendringer/{changed_page.id}/gennemset", data={"csrf_token": token, "next": queue_url})
    assert resp.status_code == 302
    assert "Ændrede kildesider" not in client.get(queue_url).get_data(as_text=True)


def test_a_failed_run_under_the_threshold_is_never_shown_as_healthy(
    httpserver: HTTPServer, client: FlaskClient, session: Session
) -> None:
    """One failed fetch leaves the source healthy (a blip), but the page must not say "Sund" beside "Fejlede"."""
    serve_robots(httpserver)
    httpserver.expect_request(LAUNCH_PATH).respond_with_data("nede", status=500)
    settings = settings_for(httpserver)
    services.run_scrape(session, "digst_launch", settings.fetcher(), settings=settings)
    session.commit()
    html = client.get("/kilder").get_data(as_text=True)
    row = html[html.index("/kilder/digst_launch") :]
    row = row[: row.index("</tr>")]
    assert "Fejlede" in row, row
    assert ">Sund<" not in row and "Fejlede seneste kørsel" in row
    detail = client.get("/kilder/digst_launch").get_data(as_text=True)
    assert ">Sund<" not in detail and "Fejlede seneste kørsel" in detail
    english = client.get("/kilder?lang=en").get_data(as_text=True)
    assert "The last run failed" in english
    httpserver.clear()
