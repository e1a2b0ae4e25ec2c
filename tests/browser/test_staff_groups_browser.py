"""In a real browser, the issue's two-group case: a municipality with an IdP for the administration (Betydelig,
primary) and one for the schools (Lav) imports a file naming both for one solution, sees two readiness rows
(ok and at risk, each saying what to do) and downloads the export with both rows."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.conftest import LiveServer
from tracker.auth.users import create_user
from tracker.clock import today_in_denmark
from tracker.models import Municipality
from tracker.municipalities import services
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution
from tracker.vocabulary import danish_day

pytestmark = pytest.mark.browser

SWITCH_DAY = today_in_denmark() + timedelta(days=45)


@pytest.fixture
def person(live_server: LiveServer) -> dict[str, str]:
    """A Vejle user; Vejle's two IdPs; a fixture solution (not a real-world claim) at Betydelig from a day ahead."""
    with live_server.unit_of_work() as session:
        user, password = create_user(session, email="it@vejle.dk", role="municipality", municipality="630")
        user.must_change_password = False  # an account in use (the first login is tested elsewhere)
        vejle = session.scalar(select(Municipality).where(Municipality.code == "630"))
        assert vejle is not None
        for values in (
            {"name": "Administration", "user_group": "administration", "notified_loa": "betydelig", "is_primary": True},
            {"name": "Skole-IdP", "user_group": "skoler", "notified_loa": "lav"},
        ):
            services.create_idp(session, vejle, values, actor=SYSTEM)
        create_solution(
            session,
            actor=SYSTEM,
            slug="x-skoleportal",
            name="Skoleportal-test",
            fields={
                "loa_value": "betydelig",
                "loa_status": "confirmed",
                "loa_source_url": "https://skoleportal.example.dk/nsis",
                "switch_earliest_on": SWITCH_DAY,
                "switch_latest_on": SWITCH_DAY,
                "switch_precision": "day",
                "switch_state": "planned",
            },
        )
    return {"email": "it@vejle.dk", "password": password}


def test_two_staff_groups_import_readiness_and_export(
    page: Any, live_server: LiveServer, person: dict[str, str], tmp_path: Path
) -> None:
    page.goto("/kommuner/630")
    page.get_by_label("E-mail").fill(person["email"])
    page.get_by_label("Adgangskode").fill(person["password"])
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/kommuner/630")

    upload = tmp_path / "portefølje.csv"
    upload.write_text("Løsning;Brugergruppe\nSkoleportal-test;administration\nSkoleportal-test;skoler\n", "utf-8")
    form = page.locator("#import")
    form.locator("input[type=file]").set_input_files(str(upload))
    form.get_by_role("button", name="Importér").click()
    page.wait_for_selector('tr.readiness-row[data-solution="x-skoleportal"]')

    rows = page.locator('tr.readiness-row[data-solution="x-skoleportal"]')
    assert rows.count() == 2
    by_idp = {rows.nth(i).get_attribute("data-idp"): rows.nth(i) for i in range(2)}
    assert by_idp["Administration"].get_attribute("data-status") == "ok"
    assert "Intet at gøre" in by_idp["Administration"].locator("td.action").inner_text()
    schools = by_idp["Skole-IdP"]
    assert schools.get_attribute("data-status") == "at_risk"
    by = danish_day(SWITCH_DAY - timedelta(days=1))
    assert schools.locator("td.action").inner_text() == f"Anmeld IdP'en 'Skole-IdP' på Betydelig senest {by}"
    assert rows.nth(0).get_attribute("data-idp") == "Skole-IdP"  # the urgent row first

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()  # readiness's; the planned changes have theirs
    text = Path(download.value.path()).read_text("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    mine = [dict(zip(header, line, strict=True)) for line in lines if line[1] == "x-skoleportal"]
    assert [(r["IdP"], r["Brugergruppe"], r["Status"]) for r in mine] == [
        ("Skole-IdP", "skoler", "I fare"),
        ("Administration", "administration", "Klar"),
    ]
    assert mine[0]["Gør nu"].startswith("Anmeld IdP'en 'Skole-IdP' på Betydelig")
    assert mine[0]["Krævet sikringsniveau"] == "Betydelig"
