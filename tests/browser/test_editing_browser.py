"""In a real browser: a coordinator changes a switch date and sees it in the history; a vendor proposes, a
coordinator accepts, and the vendor sees it accepted.

Each test makes its own solutions, organisation and users (the live server's database is shared and committed).
The solutions are fixture data for this test database only, not claims about real solutions.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.support.accounts import enrol_totp
from tracker.auth.users import create_user
from tracker.models import Organisation
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(live_server: LiveServer) -> dict[str, str]:
    """A vendor organisation with one solution, an unvendored solution, a coordinator and a vendor user."""
    tag = uuid.uuid4().hex[:8]
    with live_server.unit_of_work() as session:
        org = Organisation(slug=f"leverandoer-{tag}", name=f"Leverandør {tag}", kind="vendor")
        session.add(org)
        session.flush()
        create_solution(
            session,
            actor=SYSTEM,
            slug=f"fagsystem-{tag}",
            name=f"Fagsystem {tag}",
            fields={"vendor_id": org.id, "kind": "leverandoer"},
            reason="Browser-test",
        )
        create_solution(
            session,
            actor=SYSTEM,
            slug=f"portal-{tag}",
            name=f"Portal {tag}",
            fields={"kind": "faellesoffentlig"},
            reason="Browser-test",
        )
        coordinator, coordinator_password = create_user(session, email=f"koord-{tag}@kl.dk", role="coordinator")
        vendor, vendor_password = create_user(
            session, email=f"lev-{tag}@example.dk", role="vendor", organisation=org.slug
        )
        # Accounts in use: passwords chosen, and the coordinator's second factor set up (its codes below).
        coordinator.must_change_password = vendor.must_change_password = False
        codes = enrol_totp(session, coordinator).recovery_codes
    return {
        "tag": tag,
        "vendored": f"fagsystem-{tag}",
        "portal": f"portal-{tag}",
        "coordinator": f"koord-{tag}@kl.dk",
        "coordinator_password": coordinator_password,
        "coordinator_code": codes[0],
        "vendor": f"lev-{tag}@example.dk",
        "vendor_password": vendor_password,
    }


@pytest.fixture
def second_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """Another person's browser: its own context, so its own cookies."""
    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page: Any, email: str, password: str, start: str, code: str | None = None) -> None:
    """Open a page that needs a login, log in on the form it leads to (with a code if given), land back on it."""
    page.goto(start)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    if code is not None:
        enter_code(page, code)
    page.wait_for_url(f"**{start}")


def enter_code(page: Any, code: str) -> None:
    """The second step of a coordinator's login."""
    page.wait_for_url("**/login/kode")
    page.get_by_label("Kode fra godkendelsesappen").fill(code)
    page.get_by_role("button", name="Log ind").click()


def test_coordinator_changes_a_switch_date_and_sees_it_in_history(page: Any, scene: dict[str, str]) -> None:
    slug = scene["portal"]
    page.goto(f"/loesninger/{slug}")
    page.get_by_role("link", name="Log ind").click()
    page.get_by_label("E-mail").fill(scene["coordinator"])
    page.get_by_label("Adgangskode").fill(scene["coordinator_password"])
    page.get_by_role("button", name="Log ind").click()
    enter_code(page, scene["coordinator_code"])
    page.wait_for_url("**/")
    page.goto(f"/loesninger/{slug}")
    page.get_by_role("link", name="Rediger løsningen").click()
    page.wait_for_url(f"**/loesninger/{slug}/rediger")

    page.get_by_label("Skæringsdato (dato eller periode").fill("Q2 2027")
    page.locator("#switch_status").select_option("expected")
    page.locator("#switch_source_kind").select_option("coordinator")
    page.get_by_label("Hvorfor ændres det?").fill("Oplyst på koordinatormøde")
    page.get_by_role("button", name="Gem ændringer").click()
    page.wait_for_url(f"**/loesninger/{slug}")

    assert page.get_by_role("status").first.inner_text() == "Ændringen er gemt."
    fact = page.locator("section[aria-labelledby=switch-h] p.fact").inner_text()
    assert "1. april 2027 – 30. juni 2027 (Q2 2027)" in fact and "Forventet (KL)" in fact
    latest = page.locator("ol.history > li").first
    text = latest.inner_text()
    assert "Skæringsdato ændret" in text
    assert scene["coordinator"] in text and "Oplyst på koordinatormøde" in text and "KL-koordinator" in text
    assert "Q2 2027" in text


def test_vendor_proposes_coordinator_accepts_vendor_sees_it_accepted(
    page: Any, second_page: Any, scene: dict[str, str]
) -> None:
    slug = scene["vendored"]
    vendor = page
    log_in(vendor, scene["vendor"], scene["vendor_password"], f"/loesninger/{slug}/foreslaa")
    vendor.get_by_label("Krævet sikringsniveau").select_option("betydelig")
    vendor.get_by_label("Belæg").fill("Vores driftsmeddelelse af 1. november")
    vendor.get_by_role("button", name="Send forslag").click()
    vendor.wait_for_url("**/mine-forslag")
    card = vendor.locator("article.proposal").first
    assert "Afventer gennemsyn" in card.inner_text() and f"Fagsystem {scene['tag']}" in card.inner_text()

    # The vendor cannot propose for a solution that is not theirs.
    refused = vendor.goto(f"/loesninger/{scene['portal']}/foreslaa")
    assert refused is not None and refused.status == 403

    coordinator = second_page
    log_in(
        coordinator,
        scene["coordinator"],
        scene["coordinator_password"],
        f"/forslag?solution={slug}",
        code=scene["coordinator_code"],
    )
    review = coordinator.locator("article.proposal").first
    text = review.inner_text()
    assert "Betydelig" in text and "Vores driftsmeddelelse af 1. november" in text
    review.get_by_label("Bemærkning").fill("Stemmer med leverandørens side")
    review.get_by_role("button", name="Godkend").click()
    coordinator.wait_for_url("**/forslag")
    assert "er godkendt" in coordinator.get_by_role("status").first.inner_text()

    vendor.goto("/mine-forslag")
    card = vendor.locator("article.proposal").first
    # The reviewer is named by role, never by e-mail.
    assert "Godkendt" in card.inner_text() and "KL-koordinator" in card.inner_text()
    assert scene["coordinator"] not in card.inner_text()
    vendor.goto(f"/loesninger/{slug}")
    level = vendor.locator("section[aria-labelledby=loa-h] p.fact").inner_text()
    assert "Betydelig" in level and "Indberettet" in level
