"""The municipality page over time: a 24-month drawing per staff group with its table, and the planned-change form.

The drawing is server-rendered SVG (no JavaScript) whose description and table say the same as the bars. The
form plans a change through the same service as the API: bad input comes back with the service's Danish words
beside the field (422) and nothing is stored; a good one is listed and moves the drawing.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.forms import form_fields
from tests.support.municipalities import fresh_client, idp, log_in, solution, use, user_with_token
from tracker.clock import today_in_denmark
from tracker.models import Idp, IdpChange, User
from tracker.vocabulary import danish_day

TODAY = today_in_denmark()
AULA_DAY = TODAY + timedelta(days=60)
RAISE_DAY = TODAY + timedelta(days=90)
PAGE = "/kommuner/101"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return fresh_client(app)


@pytest.fixture
def kk_user(session: Session) -> User:
    user, _ = user_with_token(session, "it@kk.dk", "municipality", "101")
    session.commit()
    return user


@pytest.fixture
def groups(session: Session) -> tuple[Idp, Idp]:
    admin = idp(session, "101", "Administration", "betydelig", group="administration")
    schools = idp(session, "101", "Skoler", "lav", primary=False, group="skoler")
    solution(session, "x-aula", loa="betydelig", earliest=AULA_DAY, name="Aula-test")
    use(session, "101", "x-aula", groups=[admin, schools])
    session.commit()
    return admin, schools


def _figure(html: str, group: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    found = soup.select_one(f'figure.lockout[data-group="{group}"]')
    assert found is not None, f"no drawing for {group}"
    return found


def test_each_staff_group_gets_a_24_month_drawing_with_a_table_and_the_form_plans_a_raise(
    client: FlaskClient, session: Session, kk_user: User, groups: tuple[Idp, Idp]
) -> None:
    log_in(client, kk_user)
    html = client.get(PAGE).get_data(as_text=True)
    schools = _figure(html, "skoler")
    svg = schools.select_one('svg[role="img"]')
    assert svg is not None and svg.get("aria-labelledby")
    assert len(schools.select("line.lockout-grid")) == 24  # one line per month
    assert len(schools.select("rect.lockout-bar")) == 1
    assert f"lukket ude fra {danish_day(AULA_DAY)}, ingen slutdato" in schools.select_one("desc").get_text()
    cells = [td.get_text(" ", strip=True) for td in schools.select("table.lockout-table tbody td")]
    assert cells[0] == f"fra {danish_day(AULA_DAY)}, ingen slutdato"
    # A group without a lock-out period gets a sentence, not an empty drawing.
    admin = BeautifulSoup(html, "html.parser").select_one('p.lockout-none[data-group="administration"]')
    assert admin is not None and "ingen lukkeperioder de næste 24 måneder (1 løsning)" in admin.get_text()
    assert BeautifulSoup(html, "html.parser").select_one('figure.lockout[data-group="administration"]') is None
    assert "<script" not in str(schools)

    # Bad date: the service's Danish words beside the field, a 422, nothing stored.
    data = form_fields(html, "form#new-change")
    schools_idp = groups[1]
    data.update({"plan-idp_id": str(schools_idp.id), "plan-kind": "loa", "plan-effective_on": "1850-01-01"})
    data["plan-notified_loa"] = "betydelig"
    refused = client.post(f"{PAGE}/planlagte-aendringer", data=data)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Datoen skal ligge mellem 1900-01-01 og 2100-12-31." in page
    assert session.scalar(select(func.count()).select_from(IdpChange)) == 0

    data["plan-effective_on"] = RAISE_DAY.isoformat()
    saved = client.post(f"{PAGE}/planlagte-aendringer", data=data)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    html = client.get(PAGE).get_data(as_text=True)
    listed = BeautifulSoup(html, "html.parser").select("table.planned-changes tbody tr")
    assert [row["data-change"] for row in listed] == ["loa"]
    schools = _figure(html, "skoler")
    last = danish_day(RAISE_DAY - timedelta(days=1))
    assert f"{danish_day(AULA_DAY)} til og med {last}" in schools.select_one("desc").get_text()

    # English through the catalogue.
    english = client.get(PAGE + "?lang=en").get_data(as_text=True)
    assert re.search(r"Lock-out periods over the next 24 months", english)

    # Delete through the page's own button.
    delete = BeautifulSoup(html, "html.parser").select_one('table.planned-changes form[method="post"]')
    assert delete is not None
    gone = client.post(str(delete["action"]), data=form_fields(html, 'table.planned-changes form[method="post"]'))
    assert gone.status_code == 303
    assert session.scalar(select(func.count()).select_from(IdpChange)) == 0
