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
from tracker.models import ChangeEvent
from tracker.models.municipalities import portfolio_entry_idp
from tracker.vocabulary import today_in_denmark

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
