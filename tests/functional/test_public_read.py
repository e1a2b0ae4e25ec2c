"""Public reads: the registry API with filters and paging, municipalities, pages, health and metrics."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker.models import Solution
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution, update_solution


def test_municipalities_lists_exactly_98_with_official_codes(client: FlaskClient) -> None:
    body = client.get("/api/v1/municipalities").get_json()
    assert body["total"] == 98 and len(body["items"]) == 98
    by_code = {m["code"]: m for m in body["items"]}
    assert by_code["101"]["name"] == "København"
    assert by_code["101"]["region"] == "Region Hovedstaden"


@pytest.mark.parametrize("code", ["101", "0101"])
def test_one_municipality_by_code(client: FlaskClient, code: str) -> None:
    resp = client.get(f"/api/v1/municipalities/{code}")
    assert resp.status_code == 200
    assert resp.get_json()["name"] == "København"


def test_unknown_municipality_is_a_readable_404(client: FlaskClient) -> None:
    resp = client.get("/api/v1/municipalities/999")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"
    assert "999" in resp.get_json()["error"]["message"]


def _dated(session: Session, slug: str, earliest: date, latest: date, loa: str = "hoej") -> Solution:
    return create_solution(
        session,
        actor=SYSTEM,
        slug=slug,
        name=slug.upper(),
        fields={
            "switch_earliest_on": earliest,
            "switch_latest_on": latest,
            "switch_precision": "day" if earliest == latest else "month",
            "switch_status": "confirmed",
            "switch_evidence": "Testdata",  # 'confirmed' needs a source or evidence
            "loa_value": loa,
            "loa_status": "confirmed",
            "loa_evidence": "Testdata",
        },
    )


def test_list_is_sorted_by_switch_date_with_unknown_last(client: FlaskClient, session: Session) -> None:
    _dated(session, "late", date(2031, 5, 1), date(2031, 5, 1))
    _dated(session, "early", date(2030, 1, 1), date(2030, 1, 31))
    session.commit()
    items = client.get("/api/v1/solutions?limit=500").get_json()["items"]
    slugs = [i["slug"] for i in items]
    assert slugs.index("early") < slugs.index("late") < slugs.index("fmk")
    early = next(i for i in items if i["slug"] == "early")
    assert early["switch_date"] == {**early["switch_date"], "earliest": "2030-01-01", "latest": "2030-01-31"}


def test_filters(client: FlaskClient, session: Session) -> None:
    _dated(session, "x-high", date(2030, 3, 1), date(2030, 3, 31), loa="hoej")
    _dated(session, "x-low", date(2032, 3, 1), date(2032, 3, 1), loa="lav")
    session.commit()

    def slugs(query: str) -> set[str]:
        resp = client.get(f"/api/v1/solutions?{query}")
        assert resp.status_code == 200, resp.get_json()
        return {i["slug"] for i in resp.get_json()["items"]}

    assert slugs("loa=hoej") == {"x-high"}
    assert slugs("loa=betydelig") == {"fmk", "os2valghalla"}
    assert slugs("switch_after=2031-01-01") == {"x-low"}
    # The day-one registry's switches of 2022–2024 are before 2031 too; the filter is checked above them.
    assert slugs("switch_after=2025-01-01&switch_before=2031-01-01") == {"x-high"}
    assert {"x-high", "unilogin", "context-handler"} <= slugs("switch_before=2031-01-01")
    assert slugs("switch_after=2030-03-15&switch_before=2030-04-01") == {"x-high"}  # interval overlaps
    assert slugs("vendor=kmd") == {"kmd-nexus", "kmd-opus"}
    assert {"aula", "serviceplatformen", "os2valghalla"} <= slugs("kind=faelleskommunal")
    assert "fmk" not in slugs("kind=faelleskommunal")
    assert slugs("kind=broker") == {"nemlog-in", "context-handler", "unilogin", "seb"}
    assert slugs("q=medicin") == {"fmk"}
    assert slugs("q=%25") == set()  # a LIKE wildcard is searched for literally


def test_paging(client: FlaskClient) -> None:
    first = client.get("/api/v1/solutions?limit=3&offset=0").get_json()
    second = client.get("/api/v1/solutions?limit=3&offset=3").get_json()
    assert first["total"] == second["total"] >= 6
    assert len(first["items"]) == 3
    assert not {i["slug"] for i in first["items"]} & {i["slug"] for i in second["items"]}


@pytest.mark.parametrize(
    "query",
    [
        "loa=super",
        "kind=x",
        "limit=0",
        "limit=100000",
        "limit=abc",
        "offset=-1",
        "switch_after=2023-02-31",
        "switch_after=yesterday",
        "switch_after=2024-01-01&switch_before=2023-01-01",
        "q=",
    ],
)
def test_malformed_filters_are_readable_4xx(client: FlaskClient, query: str) -> None:
    resp = client.get(f"/api/v1/solutions?{query}")
    assert 400 <= resp.status_code < 500
    error = resp.get_json()["error"]
    assert error["code"] and error["message"]


def test_solution_detail_with_etag_and_304(client: FlaskClient) -> None:
    resp = client.get("/api/v1/solutions/aula")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["required_loa"]["status"] == "awaiting_decision"
    assert "afventes en AULA beslutning" in body["required_loa"]["source"]["evidence"]
    etag = resp.headers["ETag"]
    assert client.get("/api/v1/solutions/aula", headers={"If-None-Match": etag}).status_code == 304


def test_history_lists_changes_newest_first(client: FlaskClient, session: Session) -> None:
    solution = session.query(Solution).filter_by(slug="kmd-nexus").one()
    update_solution(
        session, solution, {"loa_value": "betydelig", "loa_status": "reported"}, actor=SYSTEM, reason="test"
    )
    session.commit()
    items = client.get("/api/v1/solutions/kmd-nexus/history").get_json()["items"]
    assert items[0]["type"] == "solution.required_loa.changed"
    assert items[0]["changes"]["required_loa.value"] == {"before": "ukendt", "after": "betydelig"}
    assert items[-1]["type"] == "solution.created"


def test_overview_page_renders_registry_in_danish(client: FlaskClient) -> None:
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert '<html lang="da">' in html
    assert "Skæringsdato" in html and "Krævet sikringsniveau" in html
    assert "FMK – Fælles Medicinkort" in html and "Forventet (KL)" in html and "Afventer beslutning" in html
    assert "Content-Security-Policy" in resp.headers


def test_overview_bad_filter_is_a_readable_page(client: FlaskClient) -> None:
    resp = client.get("/?loa=nope", headers={"Accept": "text/html"})
    assert resp.status_code == 422
    assert "Filtrene kunne ikke forstås" in resp.get_data(as_text=True)


def test_solution_page_shows_facts_source_and_history(client: FlaskClient) -> None:
    html = client.get("/loesninger/fmk").get_data(as_text=True)
    assert "Vi forventer niveau betydelig" in html
    assert "Historik" in html and "solution.created" in html
    assert client.get("/loesninger/does-not-exist").status_code == 404


def test_healthz_and_metrics(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    client.get("/api/v1/solutions")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'tracker_http_requests_total{endpoint="/api/v1/solutions",method="GET",status="200"}' in metrics
    assert "tracker_database_up 1.0" in metrics
    assert "tracker_scheduler_leader_lease_valid" in metrics


@pytest.mark.parametrize("url", ["/api/v1/solutions?q=a%00b", "/?q=%00", "/api/v1/solutions?vendor=%00"])
def test_nul_bytes_are_refused_with_a_clear_400(client: FlaskClient, url: str) -> None:
    resp = client.get(url, headers={"Accept": "application/json"})
    assert resp.status_code == 400
    assert "NUL" in resp.get_json()["error"]["message"]


def test_a_wholly_unknown_fact_says_unknown_once(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept-Language": "da"}).get_data(as_text=True)
    row = html.split('href="/loesninger/kmd-nexus"')[1].split("</tr>")[0]
    assert "conf-unknown" not in row  # value and confidence both unknown: one "Ukendt", no second badge
    assert "Ukendt" in row
    aula = html.split('href="/loesninger/aula"')[1].split("</tr>")[0]
    assert "conf-awaiting_decision" in aula  # an unknown value with a known status keeps its badge
