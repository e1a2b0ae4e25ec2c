"""Exports: a municipality's readiness and the registry, as CSV and XLSX, with the same rows as the API."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.support.accounts import bearer
from tests.support.municipalities import fresh_client, idp, solution, use, user_with_token
from tracker.clock import today_in_denmark

TODAY = today_in_denmark()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Each request in its own app context (see ``FreshContextClient``)."""
    return fresh_client(app)


@pytest.fixture
def kk(session: Session) -> dict[str, str]:
    """København with a varied portfolio, and its user's token header."""
    soon = TODAY + timedelta(days=45)
    solution(session, "x-soon", loa="hoej", earliest=soon, latest=soon + timedelta(days=30))
    solution(session, "x-past", loa="hoej", earliest=TODAY - timedelta(days=100))
    solution(session, "x-fine", loa="lav")
    solution(session, "x-formula", loa="hoej", name='=HYPERLINK("http://evil")')
    admin = idp(session, "101", "Administration", "betydelig")
    idp(session, "101", "Skoler", "hoej", primary=False)
    for slug in ("x-fine", "x-formula", "x-past", "aula", "x-soon", "fmk"):
        use(session, "101", slug, via=admin if slug == "fmk" else None)
    _, token = user_with_token(session, "it@kk.dk", "municipality", "101")
    session.commit()
    return bearer(token)


def _api_rows(client: FlaskClient, headers: dict[str, str]) -> list[tuple[object, ...]]:
    items = client.get("/api/v1/municipalities/101/readiness", headers=headers).get_json()["items"]
    # The exports carry the Danish label of the status (the API's status_text), not its code.
    return [(i["solution"]["slug"], i["status_text"], i["days_left"], i["locked_out_from"]) for i in items]


def test_xlsx_export_holds_the_same_rows_as_the_api(client: FlaskClient, kk: dict[str, str]) -> None:
    resp = client.get("/api/v1/municipalities/101/readiness.xlsx", headers=kk)
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="parathed-101-{TODAY.isoformat()}.xlsx"' in resp.headers["Content-Disposition"]
    assert "no-store" in resp.headers["Cache-Control"]

    workbook = load_workbook(io.BytesIO(resp.data))
    sheet = workbook["Parathed"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    col = {name: header.index(name) for name in ("Slug", "Status", "Dage tilbage", "Lukket ude fra")}

    def day(value: object) -> str | None:
        return value.date().isoformat() if isinstance(value, datetime) else None

    from_xlsx = [
        (r[col["Slug"]], r[col["Status"]], r[col["Dage tilbage"]], day(r[col["Lukket ude fra"]])) for r in rows
    ]
    assert from_xlsx == _api_rows(client, kk)
    assert len(from_xlsx) == 6
    summary = dict(workbook["Oversigt"].iter_rows(values_only=True))
    assert summary["I alt"] == 6 and summary["Lukket ude"] == 1 and summary["I fare"] == 1


def test_csv_export_holds_the_same_rows_as_the_api(client: FlaskClient, kk: dict[str, str]) -> None:
    resp = client.get("/api/v1/municipalities/101/readiness.csv", headers=kk)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    text = resp.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Danish Excel reads UTF-8 only with a BOM
    header, *rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    slug, status, days, since = (header.index(h) for h in ("Slug", "Status", "Dage tilbage", "Lukket ude fra"))
    from_csv = [(r[slug], r[status], int(r[days]) if r[days] else None, r[since] or None) for r in rows]
    assert from_csv == _api_rows(client, kk)


def test_exports_neutralise_spreadsheet_formulas(client: FlaskClient, kk: dict[str, str]) -> None:
    sheet = load_workbook(io.BytesIO(client.get("/api/v1/municipalities/101/readiness.xlsx", headers=kk).data)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil")' in names
    assert all(not str(n).startswith("=") for n in names)
    text = client.get("/api/v1/municipalities/101/readiness.csv", headers=kk).data.decode("utf-8")
    assert "'=HYPERLINK" in text


def test_registry_export_lists_what_the_api_lists(client: FlaskClient, session: Session) -> None:
    solution(session, "x-dated", loa="hoej", earliest=date(2030, 1, 1))
    session.commit()
    api = [i["slug"] for i in client.get("/api/v1/solutions?limit=500").get_json()["items"]]

    workbook = load_workbook(io.BytesIO(client.get("/api/v1/solutions.xlsx").data))
    sheet = workbook.active
    assert sheet.title == "TU-løsninger"
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == api
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "x-dated")
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert row[header.index("Skæringsdato, første dag")].date() == date(2030, 1, 1)

    text = client.get("/api/v1/solutions.csv").data.decode("utf-8-sig")
    assert [r[0] for r in list(csv.reader(io.StringIO(text), delimiter=";"))[1:]] == api


def test_registry_export_takes_the_list_filters(client: FlaskClient) -> None:
    text = client.get("/api/v1/solutions.csv?loa=betydelig").data.decode("utf-8-sig")
    assert sorted(r[0] for r in list(csv.reader(io.StringIO(text), delimiter=";"))[1:]) == ["fmk", "os2valghalla"]
    assert client.get("/api/v1/solutions.xlsx?loa=middel").status_code == 422


def test_control_characters_from_other_sources_do_not_break_the_workbook(
    client: FlaskClient, session: Session, kk: dict[str, str]
) -> None:
    solution(session, "x-control", loa="hoej", name="Tegn\x0bmed\x01styretegn")
    use(session, "101", "x-control")
    session.commit()
    resp = client.get("/api/v1/municipalities/101/readiness.xlsx", headers=kk)
    assert resp.status_code == 200
    names = [r[0] for r in load_workbook(io.BytesIO(resp.data)).active.iter_rows(min_row=2, values_only=True)]
    assert "Tegnmedstyretegn" in names
