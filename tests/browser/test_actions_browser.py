"""In a real browser, a municipality's security officer works through 'Vores handlinger': assigns an action to a
colleague (one action's form), completes it with the bulk form, and exports the list — with axe-core finding no
WCAG 2.1 AA violation at 1280 and 320 px, in Danish and English, and no page wider than a 320 px phone."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.axe import AXE_JS, overflow, run_axe
from tests.browser.conftest import LiveServer, _unavailable
from tracker.auth.users import create_user
from tracker.clock import today_in_denmark
from tracker.models import Municipality
from tracker.municipalities import services
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution

pytestmark = pytest.mark.browser

CODE = "561"  # Esbjerg: this file's own users and data
SWITCH_DAY = today_in_denmark() + timedelta(days=60)


@pytest.fixture
def officer(live_server: LiveServer) -> dict[str, str]:
    """Esbjerg's security officer and a colleague; an IdP at Betydelig; a fixture solution (not a real-world
    claim) that demands Høj from a day ahead, in the portfolio."""
    if not AXE_JS.exists():
        _unavailable(f"axe-core not installed at {AXE_JS} (run npm ci)")
    with live_server.unit_of_work() as session:
        user, password = create_user(
            session, email="sikkerhed@esbjerg.dk", role="municipality", municipality=CODE, name="Sikkerhedschef"
        )
        user.must_change_password = False
        _colleague, _ = create_user(
            session, email="drift@esbjerg.dk", role="municipality", municipality=CODE, name="Drift Dorte"
        )
        esbjerg = session.scalar(select(Municipality).where(Municipality.code == CODE))
        assert esbjerg is not None
        services.create_idp(
            session,
            esbjerg,
            {"name": "Esbjerg-IdP", "user_group": "administration", "notified_loa": "betydelig", "is_primary": True},
            actor=SYSTEM,
        )
        create_solution(
            session,
            actor=SYSTEM,
            slug="x-handlingstest",
            name="Handlingstest",
            fields={
                "loa_value": "hoej",
                "loa_status": "confirmed",
                "loa_source_url": "https://handlingstest.example.dk/nsis",
                "switch_earliest_on": SWITCH_DAY,
                "switch_latest_on": SWITCH_DAY,
                "switch_precision": "day",
                "switch_state": "planned",
            },
        )
        services.add_to_portfolio(session, esbjerg, "x-handlingstest", actor=SYSTEM)
    return {"email": "sikkerhed@esbjerg.dk", "password": password}


def _check(page: Any, where: str, problems: list[str]) -> None:
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{where} @{width}px: {v}" for v in run_axe(page)]
        if width == 320 and (extra := overflow(page)) > 0:
            problems.append(f"{where} @320px: {extra}px wider than the viewport")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh context that lets axe-core's script in (the site's CSP forbids inline scripts, rightly)."""
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_security_officer_assigns_completes_and_exports(
    page: Any, live_server: LiveServer, officer: dict[str, str]
) -> None:
    problems: list[str] = []
    page.goto(f"/kommuner/{CODE}/handlinger")
    page.get_by_label("E-mail").fill(officer["email"])
    page.get_by_label("Adgangskode").fill(officer["password"])
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"**/kommuner/{CODE}/handlinger")
    assert page.locator("h1").inner_text() == "Vores handlinger"
    _check(page, "list (da)", problems)

    # Assign: open the action, name the colleague, mark it in progress.
    row = page.locator("tr.action-row").filter(has_text="Handlingstest")
    assert row.count() == 1 and row.get_attribute("data-status") == "new"
    row.locator("th a").click()
    page.wait_for_url(f"**/kommuner/{CODE}/handlinger/*")
    _check(page, "item (da)", problems)
    page.get_by_role("combobox", name="Ansvarlig").select_option(label="Drift Dorte")
    page.get_by_role("combobox", name="Status").select_option(label="I gang")
    page.get_by_label("Note").fill("Bestil anmeldelse på Høj hos leverandøren")
    page.get_by_role("button", name="Gem handling").click()
    assert "Handlingen er gemt." in page.locator("body").inner_text()
    assert page.locator("dd.owner").inner_text() == "Drift Dorte"
    assert "I gang" in page.locator("dd.status").inner_text()

    # Complete: tick it in the list and use the bulk form.
    page.goto(f"/kommuner/{CODE}/handlinger")
    row = page.locator("tr.action-row").filter(has_text="Handlingstest")
    row.locator("input[name=ids]").check()
    page.locator("fieldset.bulk").get_by_label("Status").select_option(label="Færdig")
    page.get_by_role("button", name="Ændr valgte").click()
    assert "1 handlinger er ændret." in page.locator("body").inner_text()
    row = page.locator("tr.action-row").filter(has_text="Handlingstest")
    assert row.get_attribute("data-status") == "done" and "Drift Dorte" in row.locator("td.owner").inner_text()

    # The readiness row shows it too.
    page.goto(f"/kommuner/{CODE}")
    mine = page.locator('tr.readiness-row[data-solution="x-handlingstest"] td.own-action')
    assert "Færdig" in mine.inner_text() and "Drift Dorte" in mine.inner_text()

    # Export.
    page.goto(f"/kommuner/{CODE}/handlinger")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = Path(download.value.path()).read_text("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    exported = [dict(zip(header, line, strict=True)) for line in lines if line[1] == "Handlingstest"]
    assert [(r["Ansvarlig"], r["Status"], r["Frist"]) for r in exported] == [
        ("Drift Dorte", "Færdig", SWITCH_DAY.isoformat())
    ]

    # English, both widths, on the list and the action.
    page.goto(f"/kommuner/{CODE}/handlinger?lang=en")
    assert page.locator("h1").inner_text() == "Our actions"
    _check(page, "list (en)", problems)
    page.locator("tr.action-row").filter(has_text="Handlingstest").locator("th a").click()
    page.wait_for_url(f"**/kommuner/{CODE}/handlinger/*")
    assert "Done" in page.locator("dd.status").inner_text()
    _check(page, "item (en)", problems)
    assert problems == []
