"""Item 4: odd input is a clear 4xx, never a 500 (lone surrogates, impossible Host headers, XML entity
attacks in XLSX, over-long URLs answered as JSON on the API)."""

from __future__ import annotations

import io
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy.orm import Session

from tests.support.accounts import bearer
from tests.support.municipalities import user_with_token

SURROGATE_JSON = '"IdP \\ud800 x"'  # a JSON escape that decodes to a lone surrogate


@pytest.fixture
def kk(session: Session) -> dict[str, str]:
    _, token = user_with_token(session, "surrogat@kk.dk", "municipality", "101")
    session.commit()
    return bearer(token)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/municipalities/101/idps", '{"name": %s, "notified_loa": "betydelig"}'),
        ("/api/v1/municipalities/101/portfolio", '{"solution": %s}'),
        ("/api/v1/subscriptions", '{"url": "https://example.org/hook", "description": %s}'),
    ],
)
def test_lone_surrogates_are_a_4xx(client: FlaskClient, kk: dict[str, str], path: str, body: str) -> None:
    resp = client.post(path, data=body % SURROGATE_JSON, headers={**kk, "Content-Type": "application/json"})
    assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["message"]


@pytest.mark.parametrize("path", ["/", "/loesninger/aula", "/login", "/api/v1/solutions"])
def test_a_host_header_with_a_64_character_label_is_a_4xx(client: FlaskClient, path: str) -> None:
    resp = client.get(path, headers={"Host": "a" * 64 + ".example"})
    assert 400 <= resp.status_code < 500


def test_a_long_url_on_the_api_is_a_json_414(client: FlaskClient) -> None:
    resp = client.get("/api/v1/solutions?q=" + "x" * 5000)
    assert resp.status_code == 414 and resp.get_json()["error"]["code"] == "uri_too_long"


def _xlsx_with_doctype() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Aula"])  # type: ignore[union-attr]  # a new workbook always has a sheet
    plain = io.BytesIO()
    workbook.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                doctype = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                head, sep, rest = data.partition(b"?>")
                data = head + sep + doctype + rest if sep else doctype + data
            dst.writestr(info, data)
    return out.getvalue()


def test_an_xlsx_with_a_doctype_is_refused(app: Flask, client: FlaskClient, kk: dict[str, str]) -> None:
    resp = client.post(
        "/api/v1/municipalities/101/portfolio/import",
        data={"file": (io.BytesIO(_xlsx_with_doctype()), "liste.xlsx")},
        headers=kk,
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "DOCTYPE" in resp.get_json()["error"]["message"]


def test_an_id_beyond_the_databases_integers_is_a_404(app: Flask, client: FlaskClient, kk: dict[str, str]) -> None:
    """An id past 2**31 - 1 is no row: PostgreSQL refuses to compare it with an integer column (a 500 before)."""
    huge = 2**31 * 10**12
    assert client.delete(f"/api/v1/municipalities/101/idp-changes/{huge}", headers=kk).status_code == 404
    # Every integer in a route is bounded the same way, pages included.
    unbounded = [
        r.rule for r in app.url_map.iter_rules() if "<int:" in r.rule or ("<int(" in r.rule and "max=" not in r.rule)
    ]
    assert unbounded == []
