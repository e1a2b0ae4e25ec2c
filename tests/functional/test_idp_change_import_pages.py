"""The planned changes from a file on the municipality's page: the upload shows a preview (what is added, changed
and removed, every row's problem; nothing stored), "Importér" stores it as one readiness change; bad files,
a plan changed since the preview, other municipalities and anonymous visitors store nothing."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from tests.support.municipalities import (
    fresh_client,
    idp,
    last_event_id,
    log_in,
    municipality,
    stored_readiness_events,
    use,
    user_with_token,
)
from tests.support.municipalities import solution as make_solution
from tracker.models import ChangeEvent, IdpChange
from tracker.municipalities import plans
from tracker.registry.actors import SYSTEM

HEADER = "Fra dato;IdP;Brugergruppe;Ændring;Nyt niveau;Ny IdP;Hvortil;Bemærkning"
PAGE = "/kommuner/101"
PREVIEW = "/kommuner/101/planlagte-aendringer/import"
CONFIRM = "/kommuner/101/planlagte-aendringer/import/bekraeft"


@pytest.fixture
def people(app: Flask, session: Session) -> dict[str, Any]:
    """København's schools and administration (two groups using a fixture solution), a stored plan, and
    logged-in browsers of a København user and an Aarhus user."""
    admin = idp(session, "101", "Administration", "betydelig", group="administration")
    schools = idp(session, "101", "Skoler", "lav", primary=False, group="skoler")
    make_solution(session, "x-aula", loa="betydelig", earliest=date(2027, 2, 1), name="Aula")
    use(session, "101", "x-aula", groups=[admin, schools])
    gone = plans.create_change(
        session,
        municipality(session, "101"),
        {"idp_id": admin.id, "kind": "retire", "effective_on": "2031-01-01"},
        actor=SYSTEM,
    )
    kk_user, _ = user_with_token(session, "it@kk.dk", "municipality", "101")
    aarhus_user, _ = user_with_token(session, "it@aarhus.dk", "municipality", "751")
    session.commit()
    kk, aarhus = fresh_client(app), fresh_client(app)
    log_in(kk, kk_user)
    log_in(aarhus, aarhus_user)
    return {"kk": kk, "aarhus": aarhus, "gone": gone, "anonymous": fresh_client(app)}


def _token(browser: FlaskClient, url: str = PAGE) -> str:
    soup = BeautifulSoup(browser.get(url).get_data(as_text=True), "html.parser")
    found = soup.select_one('form#plan-import input[name="csrf_token"]') or soup.select_one('input[name="csrf_token"]')
    assert found is not None
    return str(found["value"])


def _preview(browser: FlaskClient, text: str, token: str, name: str = "plan.csv") -> Any:
    data = {"csrf_token": token, "file": (io.BytesIO(("\ufeff" + text).encode()), name)}
    return browser.post(PREVIEW, data=data, content_type="multipart/form-data")


def _confirmation(html: str) -> MultiDict[str, str]:
    form = BeautifulSoup(html, "html.parser").select_one("form#plan-import-confirm")
    assert form is not None, "no Importér form"
    return MultiDict([(str(i["name"]), str(i["value"])) for i in form.select("input[type=hidden]")])


def _stored(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    changes = session.execute(
        select(IdpChange.idp_id, IdpChange.kind, IdpChange.effective_on, IdpChange.notified_loa).order_by(IdpChange.id)
    ).all()
    return tuple(changes), session.scalar(select(func.count()).select_from(ChangeEvent))


def test_the_page_offers_export_and_import(people: dict[str, Any]) -> None:
    html = people["kk"].get(PAGE).get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    form = soup.select_one("form#plan-import")
    assert form is not None and form["enctype"] == "multipart/form-data"
    assert form.select_one('input[type=file][name=file][aria-describedby="file-hint"]') is not None
    assert "Højst 500 rækker" in form.get_text()
    link = soup.find("a", string="Eksportér de planlagte ændringer (CSV)")
    assert link is not None and link["href"] == "/api/v1/municipalities/101/idp-changes.csv"


def test_preview_then_importer_stores_the_file_as_one_readiness_change(
    people: dict[str, Any], session: Session
) -> None:
    browser = people["kk"]
    before = _stored(session)
    text = f"{HEADER}\n2027-03-01;Skoler;skoler;Nyt anmeldt niveau;Betydelig;;;skoler anmeldes\n"
    preview = _preview(browser, text, _token(browser))
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    report = soup.select_one("#plan-import-rapport")
    assert report is not None and "intet er gemt endnu" in report.get_text()
    assert "1 rækker læst: 1 tilføjes, 0 ændres, 1 fjernes, 0 er uændrede." in report.get_text(" ", strip=True)
    added = report.select_one("table.plan-added tr[data-line='2']")
    assert added is not None and "Skoler" in added.get_text() and "Betydelig" in added.get_text()
    removed = report.select_one("table.plan-removed")
    assert removed is not None and "Nedlægges" in removed.get_text() and "Administration" in removed.get_text()
    assert _stored(session) == before  # the preview stored nothing

    after = last_event_id(session)
    done = browser.post(CONFIRM, data=_confirmation(html))
    assert done.status_code == 303 and done.headers["Location"].endswith("/kommuner/101#planlagt")
    changes = plans.list_changes(session, municipality(session, "101"))
    assert [(c.idp.name, c.kind, c.notified_loa, c.note) for c in changes] == [
        ("Skoler", "loa", "betydelig", "skoler anmeldes")
    ]
    assert len(stored_readiness_events(session, after)) == 1  # the schools' period closes: one readiness change
    page = browser.get(PAGE).get_data(as_text=True)
    assert "De planlagte ændringer er importeret: 1 tilføjet, 0 ændret, 1 fjernet." in page

    # The same confirmation again: the plan changed since that preview, so it is refused and nothing moves.
    stored = _stored(session)
    again = browser.post(CONFIRM, data=_confirmation(html))
    assert (
        again.status_code == 409
        and "ændret, siden filen blev vist" in BeautifulSoup(again.data, "html.parser").get_text()
    )
    assert _stored(session) == stored


def test_a_bad_file_shows_every_row_problem_and_no_importer(people: dict[str, Any], session: Session) -> None:
    browser = people["kk"]
    before = _stored(session)
    text = f"{HEADER}\n2027-03-01;Skoler;;loa;Betydelig;;;\n2101-01-01;Rådhuset;;Opgradering;;;;\n"
    resp = _preview(browser, text, _token(browser))
    assert resp.status_code == 422
    soup = BeautifulSoup(resp.get_data(as_text=True), "html.parser")
    assert soup.select_one("form#plan-import-confirm") is None
    summary = soup.select_one(".alert-error")
    assert summary is not None and "Filen er ikke importeret: 3 fejl" in summary.get_text()
    rows = [
        [cell.get_text(" ", strip=True) for cell in tr.select("th, td")]
        for tr in soup.select("table.plan-import-errors tbody tr")
    ]
    assert rows == [
        ["3", "Fra dato", "Datoen skal ligge mellem 1900-01-01 og 2100-12-31."],
        ["3", "IdP", "Kommunen har ingen IdP ved navn 'Rådhuset'."],
        ["3", "Ændring", rows[2][2]],
    ]
    assert rows[2][2].startswith("Ukendt ændring 'Opgradering'. Skriv en af:")
    assert _stored(session) == before

    english = browser.post(
        PREVIEW + "?lang=en",
        data={"csrf_token": _token(browser), "file": (io.BytesIO(text.encode()), "plan.csv")},
        content_type="multipart/form-data",
    )
    assert english.status_code == 422
    text_en = BeautifulSoup(english.get_data(as_text=True), "html.parser").get_text()
    assert "The municipality has no IdP named 'Rådhuset'." in text_en


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("plan.csv", "Navn;Noget\nx;y\n", 422, "Filen mangler kolonnen 'IdP'"),
        ("plan.pdf", "%PDF-1.7", 415, "kan ikke importeres"),
    ],
)
def test_an_unreadable_file_is_a_4xx_page_and_stores_nothing(
    people: dict[str, Any], session: Session, name: str, data: str, status: int, words: str
) -> None:
    browser = people["kk"]
    before = _stored(session)
    resp = _preview(browser, data, _token(browser), name)
    assert resp.status_code == status and words in BeautifulSoup(resp.get_data(as_text=True), "html.parser").get_text()
    assert _stored(session) == before


def test_no_file_chosen_is_a_422(people: dict[str, Any]) -> None:
    browser = people["kk"]
    resp = browser.post(PREVIEW, data={"csrf_token": _token(browser)}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "Vælg en fil." in resp.get_data(as_text=True)


def test_a_forged_confirmation_is_checked_like_a_file(people: dict[str, Any], session: Session) -> None:
    browser = people["kk"]
    token = _token(browser)
    before = _stored(session)
    forged = MultiDict([("csrf_token", token), ("row", '{"line": 2, "cells": ["2027-03-01", "Aarhus-IdP"]}')])
    assert browser.post(CONFIRM, data=forged).status_code == 422
    cells = '["2027-03-01", "Skoler", "", "loa", "Middel", "", "", ""]'
    wrong = MultiDict([("csrf_token", token), ("state", ""), ("row", f'{{"line": 2, "cells": {cells}}}')])
    resp = browser.post(CONFIRM, data=wrong)
    assert resp.status_code in (409, 422)  # the state is not the plan's, or the row is checked: never stored
    assert _stored(session) == before


def test_other_municipalities_and_anonymous_visitors_store_nothing(people: dict[str, Any], session: Session) -> None:
    before = _stored(session)
    text = f"{HEADER}\n2027-03-01;Skoler;;retire;;;;\n"
    aarhus = people["aarhus"]
    token = _token(aarhus, "/kommuner/751")
    assert _preview(aarhus, text, token).status_code == 403
    assert aarhus.post(CONFIRM, data={"csrf_token": token, "row": "{}"}).status_code == 403
    anonymous = people["anonymous"]
    for url in (PREVIEW, CONFIRM):
        resp = anonymous.post(url, data={"file": (io.BytesIO(text.encode()), "plan.csv")})
        assert resp.status_code in {400, 401, 403}, url
    assert _stored(session) == before
