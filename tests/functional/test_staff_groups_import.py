"""Importing a portfolio with an IdP column: each row names the staff group (IdP name or user group)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer
from tests.support.municipalities import fresh_client, idp, solution, user_with_token
from tracker.clock import today_in_denmark
from tracker.models import ChangeEvent
from tracker.models.municipalities import portfolio_entry_idp

URL = "/api/v1/municipalities/101/portfolio/import"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return fresh_client(app)


@pytest.fixture
def kk(session: Session) -> dict[str, str]:
    _, token = user_with_token(session, "it@kk.dk", "municipality", "101")
    idp(session, "101", "Administration", "betydelig", group="administration")
    idp(session, "101", "Skole-IdP", "lav", primary=False, group="skoler")
    solution(session, "x-aula", loa="betydelig", earliest=today_in_denmark() + timedelta(days=30), name="Aula-test")
    session.commit()
    return bearer(token)


def _upload(client: FlaskClient, headers: dict[str, str], name: str, data: bytes) -> object:
    return client.post(
        URL, data={"file": (io.BytesIO(data), name)}, headers=headers, content_type="multipart/form-data"
    )


def test_an_idp_column_gives_one_row_per_staff_group(client: FlaskClient, session: Session, kk: dict[str, str]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for row in (("Løsning", "Brugergruppe"), ("Aula-test", "Administration"), ("Aula-test", "skoler"), ("FMK", "")):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    resp = _upload(client, kk, "portefølje.xlsx", buffer.getvalue())
    assert resp.status_code == 200, resp.get_json()  # type: ignore[attr-defined]
    items = client.get("/api/v1/municipalities/101/readiness", headers=kk).get_json()["items"]
    aula = {r["idp"]["name"]: r["status"] for r in items if r["solution"]["slug"] == "x-aula"}
    assert aula == {"Administration": "ok", "Skole-IdP": "at_risk"}
    portfolio = client.get("/api/v1/municipalities/101/portfolio", headers=kk).get_json()["items"]
    fmk = next(e for e in portfolio if e["solution"]["slug"] == "fmk")
    assert fmk["idps"] == []  # no IdP named: the primary


def test_an_unknown_idp_refuses_the_file_and_stores_nothing(
    client: FlaskClient, session: Session, kk: dict[str, str]
) -> None:
    events = session.scalar(select(func.count()).select_from(ChangeEvent))
    data = "Løsning;IdP\nAula-test;Administration\nFMK;Rådhuset\n".encode()
    resp = _upload(client, kk, "portefølje.csv", data)
    assert resp.status_code == 422  # type: ignore[attr-defined]
    message = resp.get_json()["error"]["message"]  # type: ignore[attr-defined]
    assert message == "Række 3: kommunen har ingen IdP med navnet eller brugergruppen 'Rådhuset'."
    session.expire_all()
    assert client.get("/api/v1/municipalities/101/portfolio", headers=kk).get_json()["total"] == 0
    assert session.scalar(select(func.count()).select_from(portfolio_entry_idp)) == 0
    assert session.scalar(select(func.count()).select_from(ChangeEvent)) == events


def test_confirming_the_preview_keeps_the_staff_group_column(app: Flask, session: Session, kk: dict[str, str]) -> None:
    """Through the page: preview (dry run), then "Importér N løsninger" — the same rows as a direct import."""
    import re

    from tests.support.municipalities import log_in
    from tracker.models import User

    user = session.scalar(select(User).where(User.email == "it@kk.dk"))
    assert user is not None
    browser = fresh_client(app)
    log_in(browser, user)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get("/kommuner/101").get_data(as_text=True))
    assert token
    csv = "Løsning;Brugergruppe\nAula-test;skoler\nAula-test;Administration\nFMK;\n".encode()
    data = {"csrf_token": token.group(1), "file": (io.BytesIO(csv), "liste.csv"), "dry_run": "y"}
    preview = browser.post("/kommuner/101/portefoelje/import", data=data, content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "intet er gemt" in html
    assert "brugergrupper: Administration, Skole-IdP" in html or "brugergrupper: Skole-IdP, Administration" in html
    assert client_portfolio(browser) == {}, "a preview stores nothing"
    form = html[html.index('action="/kommuner/101/portefoelje/import/bekraeft"') :]
    form = form[: form.index("</form>")]
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]+)">', form)
    confirmed = browser.post("/kommuner/101/portefoelje/import/bekraeft", data=_multi(fields))
    assert confirmed.status_code in (302, 303)
    items = browser.get("/api/v1/municipalities/101/readiness").get_json()["items"]
    aula = {r["idp"]["name"]: r["status"] for r in items if r["solution"]["slug"] == "x-aula"}
    assert aula == {"Administration": "ok", "Skole-IdP": "at_risk"}, "the schools are not shown as ready"
    assert client_portfolio(browser) == {"x-aula": ["Administration", "Skole-IdP"], "fmk": []}
    # A forged confirmation naming another municipality's IdP stores nothing.
    other = idp(session, "147", "Frederiksbergs IdP", "hoej")
    session.commit()
    token_only = [f for f in fields if f[0] == "csrf_token"]
    forged = browser.post(
        "/kommuner/101/portefoelje/import/bekraeft",
        data=_multi([*token_only, ("slug", "sundhed-dk"), ("idp", f"sundhed-dk:{other.id}")]),
    )
    assert forged.status_code == 422
    assert "sundhed-dk" not in client_portfolio(browser)


def _multi(fields: list[tuple[str, str]]) -> object:
    from werkzeug.datastructures import MultiDict

    return MultiDict(fields)


def client_portfolio(browser: FlaskClient) -> dict[str, list[str]]:
    entries = browser.get("/api/v1/municipalities/101/portfolio").get_json()["items"]
    return {e["solution"]["slug"]: sorted(i["name"] for i in e["idps"]) for e in entries}
