"""In a real browser, a municipality's security officer plans IdP changes from a file: a file with a wrong row
shows every problem with its row number and no "Importér"; the corrected file shows what will be added and
removed, and "Importér" stores it; the exported plan, uploaded again, has nothing to import. axe-core finds no
WCAG 2.1 AA violation on the upload form, the refused preview and the good preview, at 1280 and 320 px (in
Danish, and the preview in English too), and no page is wider than a 320 px phone."""

from __future__ import annotations

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
from tracker.municipalities import plans, services
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution

pytestmark = pytest.mark.browser

CODE = "657"  # Herning: this file's own users and data
SWITCH_DAY = today_in_denmark() + timedelta(days=50)
RAISE_DAY = SWITCH_DAY + timedelta(days=40)
HEADER = "Fra dato;IdP;Brugergruppe;Ændring;Nyt niveau;Ny IdP;Hvortil;Bemærkning"


@pytest.fixture
def officer(live_server: LiveServer) -> dict[str, str]:
    """Herning's security officer; an administration IdP (Betydelig) and a schools IdP (Lav) with a planned
    retirement; a fixture solution (not a real-world claim) demanding Betydelig from a day ahead, used by both."""
    if not AXE_JS.exists():
        _unavailable(f"axe-core not installed at {AXE_JS} (run npm ci)")
    with live_server.unit_of_work() as session:
        user, password = create_user(session, email="sikkerhed@herning.dk", role="municipality", municipality=CODE)
        user.must_change_password = False
        herning = session.scalar(select(Municipality).where(Municipality.code == CODE))
        assert herning is not None
        admin = services.create_idp(
            session,
            herning,
            {"name": "Herning-IdP", "user_group": "administration", "notified_loa": "betydelig", "is_primary": True},
            actor=SYSTEM,
        )
        schools = services.create_idp(
            session, herning, {"name": "Skole-IdP", "user_group": "skoler", "notified_loa": "lav"}, actor=SYSTEM
        )
        create_solution(
            session,
            actor=SYSTEM,
            slug="x-planimport",
            name="Planimport-test",
            fields={
                "loa_value": "betydelig",
                "loa_status": "confirmed",
                "loa_source_url": "https://planimport.example.dk/nsis",
                "switch_earliest_on": SWITCH_DAY,
                "switch_latest_on": SWITCH_DAY,
                "switch_precision": "day",
                "switch_state": "planned",
            },
        )
        services.add_to_portfolio(session, herning, "x-planimport", actor=SYSTEM, idp_ids=[admin.id, schools.id])
        plans.create_change(
            session, herning, {"idp_id": schools.id, "kind": "retire", "effective_on": "2031-08-01"}, actor=SYSTEM
        )
    return {"email": "sikkerhed@herning.dk", "password": password}


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh context that lets axe-core's script in (the site's CSP forbids inline scripts, rightly)."""
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True, accept_downloads=True)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _check(page: Any, where: str, problems: list[str]) -> None:
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{where} @{width}px: {v}" for v in run_axe(page)]
        if width == 320 and (extra := overflow(page)) > 0:
            problems.append(f"{where} @320px: {extra}px wider than the viewport")
    page.set_viewport_size({"width": 1280, "height": 900})


def _upload(page: Any, path: Path) -> None:
    form = page.locator("#plan-import")
    form.get_by_label("Fil (CSV eller XLSX) med de planlagte ændringer").set_input_files(str(path))
    form.get_by_role("button", name="Vis, hvad der vil ske").click()
    page.wait_for_selector("#plan-import-rapport")


def test_a_security_officer_imports_planned_changes_with_a_preview(
    page: Any, live_server: LiveServer, officer: dict[str, str], tmp_path: Path
) -> None:
    problems: list[str] = []
    page.goto(f"/kommuner/{CODE}")
    page.get_by_label("E-mail").fill(officer["email"])
    page.get_by_label("Adgangskode").fill(officer["password"])
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"**/kommuner/{CODE}")
    page.locator("#plan-import").scroll_into_view_if_needed()
    _check(page, "page with the upload (da)", problems)

    # A file with a wrong row: every problem with its row number, nothing stored, no "Importér".
    bad = tmp_path / "plan-med-fejl.csv"
    bad.write_text(
        f"{HEADER}\n{RAISE_DAY.isoformat()};Skole-IdP;skoler;Nyt anmeldt niveau;Betydelig;;;\n"
        "2101-01-01;Rådhus-IdP;;Opgradering;;;;\n",
        "utf-8-sig",
    )
    _upload(page, bad)
    errors = page.locator("table.plan-import-errors tbody tr")
    assert errors.count() == 3
    assert [errors.nth(i).get_attribute("data-line") for i in range(3)] == ["3", "3", "3"]
    assert "Kommunen har ingen IdP ved navn 'Rådhus-IdP'." in errors.nth(1).inner_text()
    assert page.locator("#plan-import-confirm").count() == 0
    assert "Filen er ikke importeret: 3 fejl" in page.locator(".alert-error").inner_text()
    _check(page, "refused preview (da)", problems)

    # The corrected file: the raise is added, the stored retirement (not in the file) removed; then Importér.
    good = tmp_path / "plan.csv"
    good.write_text(
        f"{HEADER}\n{RAISE_DAY.isoformat()};Skole-IdP;skoler;Nyt anmeldt niveau;Betydelig;;;anmeldes efter skiftet\n",
        "utf-8-sig",
    )
    _upload(page, good)
    report = page.locator("#plan-import-rapport")
    assert "1 rækker læst: 1 tilføjes, 0 ændres, 1 fjernes, 0 er uændrede." in report.inner_text()
    assert "Skole-IdP" in report.locator("table.plan-added").inner_text()
    assert "Nedlægges" in report.locator("table.plan-removed").inner_text()
    _check(page, "good preview (da)", problems)
    report.get_by_role("button", name="Importér").click()
    page.wait_for_url(f"**/kommuner/{CODE}#planlagt")
    assert "De planlagte ændringer er importeret: 1 tilføjet, 0 ændret, 1 fjernet." in page.locator("body").inner_text()
    planned = page.locator("table.planned-changes tbody tr")
    assert planned.count() == 1 and planned.first.get_attribute("data-change") == "loa"
    assert "anmeldes efter skiftet" in planned.first.inner_text()

    # Export, upload the export again: nothing to import.
    with page.expect_download() as download:
        page.get_by_role("link", name="Eksportér de planlagte ændringer (CSV)").click()
    exported = tmp_path / "eksport.csv"
    download.value.save_as(exported)
    _upload(page, exported)
    report = page.locator("#plan-import-rapport")
    assert "0 tilføjes, 0 ændres, 0 fjernes, 1 er uændrede." in report.inner_text()
    assert "der er intet at importere" in report.inner_text()
    assert page.locator("#plan-import-confirm").count() == 0

    # The refused preview in English, at both widths.
    page.goto(f"/kommuner/{CODE}?lang=en")
    form = page.locator("#plan-import")
    form.get_by_label("File (CSV or XLSX) with the planned changes").set_input_files(str(bad))
    form.get_by_role("button", name="Show what will happen").click()
    page.wait_for_selector("#plan-import-rapport")
    assert "The municipality has no IdP named 'Rådhus-IdP'." in page.locator("table.plan-import-errors").inner_text()
    _check(page, "refused preview (en)", problems)
    assert problems == []
