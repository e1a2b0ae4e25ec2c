"""POST /api/v1/municipalities/{code}/portfolio/import: add what matched, report the rest with suggestions."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer
from tests.support.municipalities import fresh_client, municipality, use, user_with_token
from tracker.models import PortfolioEntry

URL = "/api/v1/municipalities/101/portfolio/import"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Each request in its own app context (see ``FreshContextClient``)."""
    return fresh_client(app)


@pytest.fixture
def kk(session: Session) -> dict[str, str]:
    """A København user's token header."""
    _, token = user_with_token(session, "it@kk.dk", "municipality", "101")
    session.commit()
    return bearer(token)


def _portfolio(session: Session) -> list[str]:
    session.expire_all()
    entries = session.scalars(
        select(PortfolioEntry).where(PortfolioEntry.municipality_id == municipality(session, "101").id)
    ).all()
    return sorted(e.solution.slug for e in entries)


def _upload(client: FlaskClient, headers: dict[str, str], name: str, data: bytes, query: str = "") -> object:
    return client.post(
        URL + query, data={"file": (io.BytesIO(data), name)}, headers=headers, content_type="multipart/form-data"
    )


def test_csv_import_adds_matches_and_reports_the_rest(
    client: FlaskClient, session: Session, kk: dict[str, str]
) -> None:
    use(session, "101", "fmk")
    session.commit()
    data = "Løsning;Bemærkning\nAula;skoler\nFMK Online;\nKMD-NEXUS;\nNexsus;stavefejl\nvirk.dk;\nAula;igen\n"
    resp = _upload(client, kk, "portefølje.csv", data.encode())
    assert resp.status_code == 200, resp.get_json()
    report = resp.get_json()
    assert report["rows"] == 5 and report["dry_run"] is False
    assert [(a["name"], a["solution"]["slug"]) for a in report["added"]] == [
        ("Aula", "aula"),
        ("KMD-NEXUS", "kmd-nexus"),
        ("virk.dk", "virk-dk"),
    ]
    assert [(a["name"], a["solution"]["slug"]) for a in report["already"]] == [("FMK Online", "fmk")]
    [unmatched] = report["unmatched"]
    assert unmatched["name"] == "Nexsus" and unmatched["row"] == 5
    assert unmatched["suggestions"][0]["slug"] == "kmd-nexus"
    assert _portfolio(session) == ["aula", "fmk", "kmd-nexus", "virk-dk"]

    again = _upload(client, kk, "portefølje.csv", data.encode()).get_json()
    assert again["added"] == [] and len(again["already"]) == 4


def test_xlsx_import_and_dry_run(client: FlaskClient, session: Session, kk: dict[str, str]) -> None:
    workbook = Workbook()
    for row in (["Navn"], ["Serviceplatformen"], ["OS2valghalla"]):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = _upload(client, kk, "liste.xlsx", buffer.getvalue(), "?dry_run=true").get_json()
    assert preview["dry_run"] is True
    assert [a["solution"]["slug"] for a in preview["added"]] == ["serviceplatformen", "os2valghalla"]
    assert _portfolio(session) == []  # a preview stores nothing
    real = _upload(client, kk, "liste.xlsx", buffer.getvalue()).get_json()
    assert len(real["added"]) == 2
    assert _portfolio(session) == ["os2valghalla", "serviceplatformen"]


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("tom.csv", b"", 422),
        ("rapport.pdf", b"%PDF-1.7", 415),
        ("stor.csv", b"Aula\n" * 250_000, 413),
        ("ødelagt.xlsx", b"PK\x03\x04garbage", 422),
    ],
)
def test_bad_files_get_a_danish_4xx_and_store_nothing(
    client: FlaskClient, session: Session, kk: dict[str, str], name: str, data: bytes, status: int
) -> None:
    resp = _upload(client, kk, name, data)
    assert resp.status_code == status
    assert resp.get_json()["error"]["message"]
    assert _portfolio(session) == []


def test_missing_file_is_422(client: FlaskClient, kk: dict[str, str]) -> None:
    resp = client.post(URL, data={}, headers=kk, content_type="multipart/form-data")
    assert resp.status_code == 422 and "file" in resp.get_json()["error"]["details"]


def test_request_over_the_size_limit_is_413(client: FlaskClient, kk: dict[str, str]) -> None:
    resp = _upload(client, kk, "kæmpe.csv", b"x" * (3 * 1024 * 1024))
    assert resp.status_code == 413


def _zip_bomb() -> bytes:
    """A small .xlsx-shaped zip whose shared-strings part unpacks to 40 MB of one repeated character."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", "a" * (40 * 1024 * 1024))
    return buffer.getvalue()


def test_an_xlsx_that_unpacks_to_a_huge_size_is_refused_before_reading(
    client: FlaskClient, session: Session, kk: dict[str, str]
) -> None:
    bomb = _zip_bomb()
    assert len(bomb) < 1024 * 1024  # passes the upload size limit
    resp = _upload(client, kk, "bombe.xlsx", bomb)
    assert resp.status_code == 413
    assert "udpakket" in resp.get_json()["error"]["message"]
    assert _portfolio(session) == []
