"""In a real browser: a municipality user adds an IdP at Betydelig and Aula, sees Aula's readiness line, and
sees it change after a coordinator raises Aula's required level through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.conftest import LiveServer
from tracker.auth.tokens import create_token
from tracker.auth.users import create_user
from tracker.clock import today_in_denmark
from tracker.models import Solution
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution
from tracker.vocabulary import danish_day

pytestmark = pytest.mark.browser

SWITCH_DAY = today_in_denmark() + timedelta(days=100)


@pytest.fixture
def people(live_server: LiveServer) -> dict[str, str]:
    """A Odense user (with a password) and a coordinator (with a token); Aula at Betydelig from a day ahead.

    The facts given to Aula are fixture data for this test's own database, not a claim about the real Aula.
    """
    with live_server.unit_of_work() as session:
        odense, password = create_user(session, email="it@odense.dk", role="municipality", municipality="461")
        odense.must_change_password = False  # an account in use (the first login is tested elsewhere)
        coordinator, _ = create_user(session, email="browser-koordinator@kl.dk", role="coordinator")
        _, token = create_token(session, coordinator, "browser")
        aula = session.scalar(select(Solution).where(Solution.slug == "aula"))
        assert aula is not None
        update_solution(
            session,
            aula,
            {
                "loa_value": "betydelig",
                "loa_status": "expected",
                "switch_earliest_on": SWITCH_DAY,
                "switch_latest_on": SWITCH_DAY,
                "switch_precision": "day",
                "switch_state": "planned",
            },
            actor=SYSTEM,
        )
    return {"email": "it@odense.dk", "password": password, "token": token}


def _aula_row(page: Any) -> Any:
    return page.locator('tr.readiness-row[data-solution="aula"]')


def test_readiness_line_follows_a_coordinators_change(
    page: Any, live_server: LiveServer, people: dict[str, str]
) -> None:
    page.goto("/kommuner/461")  # anonymous: sent to log in, and back here afterwards
    page.get_by_label("E-mail").fill(people["email"])
    page.get_by_label("Adgangskode").fill(people["password"])
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/kommuner/461")
    assert page.get_by_role("heading", name="Odense").count() == 1

    new_idp = page.locator("#new-idp")
    new_idp.get_by_label("Navn").fill("Odense AD FS")
    new_idp.get_by_label("Anmeldt sikringsniveau").select_option("betydelig")
    new_idp.get_by_label("Primær IdP").check()
    new_idp.get_by_role("button", name="Tilføj IdP").click()
    page.wait_for_selector("text=IdP'en Odense AD FS er tilføjet.")

    # The form takes the solution's name as typed (no list of the whole registry; a miss answers with suggestions).
    add = page.locator("#add-solution")
    add.get_by_label("Løsning", exact=True).fill("Aula")
    add.get_by_role("button", name="Tilføj løsning").click()
    page.wait_for_selector("text=Aula er tilføjet porteføljen.")
    row = _aula_row(page)
    assert row.get_attribute("data-status") == "ok"
    assert "Klar" in row.inner_text()

    # The coordinator raises Aula to Høj through the API (If-Match with the ETag, as the API demands).
    auth = {"Authorization": f"Bearer {people['token']}"}
    current = page.request.get("/api/v1/solutions/aula", headers=auth)
    resp = page.request.patch(
        "/api/v1/solutions/aula",
        headers={**auth, "If-Match": current.headers["etag"]},
        data={"required_loa": {"value": "hoej", "status": "confirmed"}, "reason": "Browser-test"},
    )
    assert resp.status == 200, resp.text()

    page.reload()
    row = _aula_row(page)
    assert row.get_attribute("data-status") == "at_risk"
    text = row.inner_text()
    assert "I fare" in text
    assert f"Medarbejderne lukkes ude fra {danish_day(SWITCH_DAY)}, 100 dage tilbage." in text
    assert page.locator("ul.totals li.status-at_risk").inner_text().split() == ["1", "i", "fare"]
