"""The municipality pages: IdPs and portfolio edited through forms (CSRF), readiness by urgency, the overviews."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.municipalities import fresh_client, idp, log_in, municipality, solution, use, user_with_token
from tracker.clock import today_in_denmark
from tracker.models import Idp, PortfolioEntry, User

TODAY = today_in_denmark()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Each request in its own app context (see ``FreshContextClient``)."""
    return fresh_client(app)


@pytest.fixture
def kk_user(session: Session) -> User:
    """A København user."""
    user, _ = user_with_token(session, "it@kk.dk", "municipality", "101")
    session.commit()
    return user


def _csrf(client: FlaskClient, url: str = "/kommuner/101") -> str:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _row(html: str, slug: str) -> str:
    found = re.search(rf'<tr class="readiness-row" data-solution="{slug}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, f"no readiness row for {slug}"
    return found.group(0)


def _idps(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(Idp.name).where(Idp.municipality_id == municipality(session, "101").id)))


def test_the_page_shows_readiness_by_urgency_with_totals_and_reasons(
    client: FlaskClient, session: Session, kk_user: User
) -> None:
    soon = TODAY + timedelta(days=20)
    solution(session, "x-soon", loa="hoej", earliest=soon, name="Snart-løsning")
    solution(session, "x-gone", loa="hoej", earliest=TODAY - timedelta(days=3), name="Lukket-løsning")
    idp(session, "101", "KK AD FS", "betydelig")
    for slug in ("fmk", "aula", "x-soon", "x-gone"):
        use(session, "101", slug)
    session.commit()
    log_in(client, kk_user)
    resp = client.get("/kommuner/101")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    order = [m.group(1) for m in re.finditer(r'data-solution="([^"]+)" data-status', html)]
    assert order == ["x-gone", "x-soon", "aula", "fmk"]
    assert 'data-status="at_risk"' in _row(html, "x-soon") and "20 dage tilbage" in _row(html, "x-soon")
    assert "krævede sikringsniveau er ukendt" in _row(html, "aula")
    assert 'data-status="locked_out"' in _row(html, "x-gone")
    assert re.search(r"<strong>1</strong> lukket ude", html) and re.search(r"<strong>4</strong> i alt", html)
    assert "/api/v1/municipalities/101/readiness.xlsx" in html
    export = client.get("/api/v1/municipalities/101/readiness.xlsx")  # the export link works with the login
    assert export.status_code == 200


def test_adding_an_idp_and_a_solution_through_the_forms(client: FlaskClient, session: Session, kk_user: User) -> None:
    log_in(client, kk_user)
    token = _csrf(client)
    resp = client.post(
        "/kommuner/101/idps",
        data={"csrf_token": token, "new-name": "KK AD FS", "new-notified_loa": "betydelig", "new-is_primary": "y"},
    )
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/kommuner/101#idps")
    assert _idps(session) == ["KK AD FS"]

    resp = client.post("/kommuner/101/portefoelje", data={"csrf_token": token, "solution": "fmk", "idp_id": ""})
    assert resp.status_code == 303
    html = client.get("/kommuner/101").get_data(as_text=True)
    assert "er tilføjet porteføljen" in html
    assert 'data-status="ok"' in _row(html, "fmk")  # FMK: Betydelig expected by KL; the IdP is at Betydelig

    idp_id = session.scalar(select(Idp.id).where(Idp.name == "KK AD FS"))
    resp = client.post(
        f"/kommuner/101/idps/{idp_id}",
        data={
            "csrf_token": token,
            f"idp{idp_id}-name": "KK AD FS",
            f"idp{idp_id}-notified_loa": "lav",
            f"idp{idp_id}-is_primary": "y",
        },
    )
    assert resp.status_code == 303
    html = client.get("/kommuner/101").get_data(as_text=True)
    assert "skæringsdatoen er ukendt" in _row(html, "fmk")

    assert client.post("/kommuner/101/portefoelje/fmk/fjern", data={"csrf_token": token}).status_code == 303
    assert client.post(f"/kommuner/101/idps/{idp_id}/slet", data={"csrf_token": token}).status_code == 303
    assert _idps(session) == []


def test_choosing_the_schools_idp_for_one_solution(client: FlaskClient, session: Session, kk_user: User) -> None:
    idp(session, "101", "Administration", "hoej")
    schools = idp(session, "101", "Skoler", "lav", primary=False)
    solution(session, "x-skole", loa="betydelig", earliest=TODAY + timedelta(days=9))
    use(session, "101", "x-skole")
    session.commit()
    log_in(client, kk_user)
    token = _csrf(client)
    entry_id = session.scalar(select(PortfolioEntry.id))
    assert 'data-status="ok"' in _row(client.get("/kommuner/101").get_data(as_text=True), "x-skole")
    resp = client.post(
        "/kommuner/101/portefoelje/x-skole", data={"csrf_token": token, f"e{entry_id}-idp_ids": str(schools.id)}
    )
    assert resp.status_code == 303
    row = _row(client.get("/kommuner/101").get_data(as_text=True), "x-skole")
    assert 'data-status="at_risk"' in row and "Skoler" in row


@pytest.mark.parametrize(
    ("form", "status", "text"),
    [
        ({"new-name": "", "new-notified_loa": "lav"}, 422, "Skal udfyldes."),
        ({"new-name": "KK", "new-notified_loa": "middel"}, 422, "Not a valid choice"),
    ],
)
def test_a_bad_idp_form_comes_back_with_errors_and_stores_nothing(
    client: FlaskClient, session: Session, kk_user: User, form: dict[str, str], status: int, text: str
) -> None:
    log_in(client, kk_user)
    resp = client.post("/kommuner/101/idps", data={"csrf_token": _csrf(client), **form})
    assert resp.status_code == status
    assert text in resp.get_data(as_text=True) or "aria-invalid" in resp.get_data(as_text=True)
    assert _idps(session) == []


def test_a_duplicate_idp_name_is_explained(client: FlaskClient, session: Session, kk_user: User) -> None:
    idp(session, "101", "KK", "lav")
    session.commit()
    log_in(client, kk_user)
    resp = client.post(
        "/kommuner/101/idps", data={"csrf_token": _csrf(client), "new-name": "kk", "new-notified_loa": "lav"}
    )
    assert resp.status_code == 409 and "allerede en IdP" in resp.get_data(as_text=True)
    assert _idps(session) == ["KK"]


def test_a_form_without_csrf_token_is_refused(client: FlaskClient, session: Session, kk_user: User) -> None:
    log_in(client, kk_user)
    resp = client.post("/kommuner/101/idps", data={"new-name": "Uden token", "new-notified_loa": "lav"})
    assert resp.status_code == 400
    assert _idps(session) == []


def test_import_through_the_page_reports_unmatched_names_with_suggestions(
    client: FlaskClient, session: Session, kk_user: User
) -> None:
    log_in(client, kk_user)
    token = _csrf(client)
    data = {"csrf_token": token, "file": (io.BytesIO("Løsning\nAula\nFMK\nNexsus\n".encode()), "liste.csv")}
    resp = client.post("/kommuner/101/portefoelje/import", data=data, content_type="multipart/form-data")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "3 navne læst: 2 tilføjet, 0 fandtes allerede, 1 ikke genkendt." in html
    assert "„Nexsus“" in html and "mente du" in html and "KMD Nexus" in html
    bad = {"csrf_token": token, "file": (io.BytesIO(b"%PDF"), "rapport.pdf")}
    resp = client.post("/kommuner/101/portefoelje/import", data=bad, content_type="multipart/form-data")
    assert resp.status_code == 415 and "kan ikke importeres" in resp.get_data(as_text=True)


def test_overview_pages(client: FlaskClient, session: Session, kk_user: User) -> None:
    solution(session, "x-national", loa="hoej", earliest=TODAY + timedelta(days=60), name="Landsløsning")
    idp(session, "101", "KK", "betydelig")
    use(session, "101", "x-national")
    coordinator, _ = user_with_token(session, "k@kl.dk", "coordinator")
    session.commit()

    listing = client.get("/kommuner").get_data(as_text=True)
    assert listing.count('href="/kommuner/') == 98
    upcoming = client.get("/kommende-skift").get_data(as_text=True)
    assert "Landsløsning" in upcoming and "København" not in upcoming

    log_in(client, coordinator)
    national = client.get("/landsoverblik")
    assert national.status_code == 200
    html = national.get_data(as_text=True)
    assert "Landsløsning" in html and "København" in html and "60 dage" in html
    assert "København" in client.get("/kommende-skift").get_data(as_text=True)  # coordinators see who uses what
    assert client.get("/kommuner/101").status_code == 200


def test_the_page_in_english(client: FlaskClient, session: Session, kk_user: User) -> None:
    solution(session, "x-en", loa="hoej", earliest=TODAY + timedelta(days=5))
    idp(session, "101", "KK", "lav")
    use(session, "101", "x-en")
    session.commit()
    log_in(client, kk_user)
    html = client.get("/kommuner/101?lang=en").get_data(as_text=True)
    assert "Readiness: who is locked out, and when" in html
    assert "Parathed" not in html
