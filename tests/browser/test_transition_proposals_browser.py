"""In a real browser (Chromium, no JavaScript needed by the pages): a vendor proposes a change to a transition from
the solution's timeline, a municipality proposes a new one, a coordinator reviews the diff and accepts; the
pages pass axe (WCAG 2.1 A/AA) and reflow at 1280 and 320 CSS pixels.

Each test makes its own organisation, solution, transition and users (the live server's database is shared and
committed). They are fixture data for this test database only, not claims about real solutions.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from tests.browser.axe import AXE_JS, overflow, run_axe, scrolled_boxes
from tests.browser.conftest import LiveServer, _unavailable
from tests.browser.test_editing_browser import log_in
from tests.support.accounts import enrol_totp
from tracker.auth.users import create_user
from tracker.models import Organisation
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution
from tracker.registry.transition_writes import create_transition

pytestmark = pytest.mark.browser
WIDTHS = (1280, 320)
# The last elements reaching past the viewport's right edge (to say what does not reflow).
_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(-6)
  .map(e => e.tagName.toLowerCase() + ' ' + (e.textContent || '').trim().slice(0, 60))"""


@pytest.fixture
def scene(live_server: LiveServer) -> dict[str, str]:
    """A vendor's solution with one transition, the vendor's user, a municipality's user and a coordinator."""
    if not AXE_JS.exists():
        _unavailable(f"axe-core not installed at {AXE_JS} (run npm ci)")
    tag = uuid.uuid4().hex[:8]
    with live_server.unit_of_work() as session:
        org = Organisation(slug=f"leverandoer-{tag}", name=f"Leverandør {tag}", kind="vendor")
        session.add(org)
        session.flush()
        solution = create_solution(
            session,
            actor=SYSTEM,
            slug=f"fagsystem-{tag}",
            name=f"Fagsystem {tag}",
            fields={"vendor_id": org.id, "kind": "leverandoer"},
            reason="Browser-test",
        )
        transition = create_transition(
            session,
            solution,
            {
                "kind": "certificate",
                "title": f"Nye certifikater {tag}",
                "earliest_on": date(2027, 9, 1),
                "latest_on": date(2027, 9, 1),
                "precision": "day",
                "state": "planned",
                "status": "expected",
            },
            actor=SYSTEM,
        )
        coordinator, coordinator_password = create_user(session, email=f"koord-{tag}@kl.dk", role="coordinator")
        vendor, vendor_password = create_user(
            session, email=f"lev-{tag}@example.dk", role="vendor", organisation=org.slug
        )
        kommune, kommune_password = create_user(
            session, email=f"it-{tag}@kommune.example.dk", role="municipality", municipality="101"
        )
        coordinator.must_change_password = vendor.must_change_password = kommune.must_change_password = False
        codes = enrol_totp(session, coordinator).recovery_codes
        transition_id = transition.id
    return {
        "tag": tag,
        "slug": f"fagsystem-{tag}",
        "transition": str(transition_id),
        "title": f"Nye certifikater {tag}",
        "coordinator": f"koord-{tag}@kl.dk",
        "coordinator_password": coordinator_password,
        "coordinator_code": codes[0],
        "vendor": f"lev-{tag}@example.dk",
        "vendor_password": vendor_password,
        "kommune": f"it-{tag}@kommune.example.dk",
        "kommune_password": kommune_password,
    }


def _context(browser: Any, live_server: LiveServer) -> Any:
    # bypass_csp lets the test load axe-core into the page; the pages themselves need no script.
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def vendor_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = _context(browser, live_server)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def coordinator_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = _context(browser, live_server)
    try:
        yield context.new_page()
    finally:
        context.close()


def _checked(page: Any, where: str) -> list[str]:
    """axe at each width, and at the narrow one no sideways scroll of the page or of a box in it."""
    problems: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{where} @{width}px: {v}" for v in run_axe(page)]
        if width < 1000 and (extra := overflow(page)) > 0:
            wide = page.evaluate(_WIDE)
            problems.append(f"{where} @{width}px: {extra}px wider than the viewport {wide}")
        if width < 1000:
            problems += [f"{where} @{width}px: scrolls sideways: {box}" for box in scrolled_boxes(page)]
    return problems


def test_a_vendor_proposes_a_change_and_a_coordinator_accepts_it(
    vendor_page: Any, coordinator_page: Any, scene: dict[str, str]
) -> None:
    slug, title = scene["slug"], scene["title"]
    vendor = vendor_page
    log_in(vendor, scene["vendor"], scene["vendor_password"], "/mine-forslag")
    vendor.goto(f"/loesninger/{slug}")
    problems = _checked(vendor, "solution page")
    vendor.get_by_role("link", name=f"Foreslå ændring af «{title}»").click()
    vendor.wait_for_url(f"**/loesninger/{slug}/overgange/{scene['transition']}/foreslaa")
    assert vendor.get_by_label("Titel").input_value() == title
    assert vendor.get_by_label("Dato eller periode").input_value() == "2027-09-01"
    problems += _checked(vendor, "change form")

    vendor.get_by_label("Dato eller periode").fill("december 2027")
    vendor.get_by_role("button", name="Send forslag").click()  # no source yet: refused, input kept
    assert "skal have en kilde" in vendor.locator("main").inner_text()
    assert vendor.get_by_label("Dato eller periode").input_value() == "december 2027"
    problems += _checked(vendor, "change form with errors")
    vendor.get_by_label("Kildens adresse").fill("https://www.example.dk/driftsmeddelelse")
    vendor.get_by_label("Citat fra kilden").fill("Certifikaterne skiftes i december 2027.")
    vendor.get_by_label("Kommunerne").check()
    vendor.get_by_role("button", name="Send forslag").click()
    vendor.wait_for_url("**/mine-forslag")
    card = vendor.locator("article.proposal").first
    assert "Afventer gennemsyn" in card.inner_text() and "Ændring af overgangen" in card.inner_text()

    coordinator = coordinator_page
    log_in(
        coordinator,
        scene["coordinator"],
        scene["coordinator_password"],
        f"/forslag?solution={slug}",
        code=scene["coordinator_code"],
    )
    review = coordinator.locator("article.proposal").first
    text = review.inner_text()
    assert title in text and "Certifikaterne skiftes i december 2027." in text
    assert "https://www.example.dk/driftsmeddelelse" in text
    first_day = review.locator("table.diff tr", has_text="Første dag").inner_text()
    assert "1. september 2027" in first_day and "1. december 2027" in first_day
    problems += _checked(coordinator, "review queue")
    review.get_by_label("Bemærkning").fill("Stemmer med leverandørens side")
    review.get_by_role("button", name="Godkend").click()
    coordinator.wait_for_url("**/forslag")
    assert "er godkendt" in coordinator.get_by_role("status").first.inner_text()

    coordinator.goto(f"/loesninger/{slug}")
    item = coordinator.locator(f"#overgang-{scene['transition']}")
    assert "1. december 2027 – 31. december 2027 (december 2027)" in item.inner_text()
    assert "kommunerne" in item.inner_text()
    assert not problems, "\n".join(problems)


def test_a_municipality_proposes_a_new_transition(vendor_page: Any, scene: dict[str, str]) -> None:
    page = vendor_page
    log_in(page, scene["kommune"], scene["kommune_password"], "/mine-forslag")
    page.goto(f"/loesninger/{scene['slug']}")
    page.get_by_role("link", name="Foreslå ny overgang").click()
    page.wait_for_url(f"**/loesninger/{scene['slug']}/overgange/foreslaa")
    problems = _checked(page, "new form")
    page.get_by_label("Type af overgang").select_option("wallet")
    page.get_by_label("Titel").fill("Tager imod EU's identitetstegnebog")
    page.get_by_label("Dato eller periode").fill("ultimo 2027")
    page.get_by_label("Handl senest").fill("2028-03-01")  # after the last day: refused
    page.get_by_label("Kildens adresse").fill("https://www.example.dk/tegnebog")
    page.get_by_role("button", name="Send forslag").click()
    assert "Handlingsfristen ligger efter" in page.locator("main").inner_text()
    problems += _checked(page, "new form with errors")
    page.get_by_label("Handl senest").fill("")
    page.get_by_role("button", name="Send forslag").click()
    page.wait_for_url("**/mine-forslag")
    card = page.locator("article.proposal").first
    assert "Ny overgang:" in card.inner_text() and "Tager imod EU's identitetstegnebog" in card.inner_text()
    problems += _checked(page, "own proposals")
    assert not problems, "\n".join(problems)
