"""In a real browser: a municipality asks about KMD Nexus, another joins, KMD answers, and the answer shows on
the solution page — with plain forms.

Each run makes its own users and question text (the live server's database is shared and committed).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_editing_browser import log_in
from tracker.auth.users import create_user

pytestmark = pytest.mark.browser


def _context(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def second_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """Another municipality's browser."""
    yield from _context(browser, live_server)


@pytest.fixture
def vendor_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """KMD's browser."""
    yield from _context(browser, live_server)


@pytest.fixture
def people(live_server: LiveServer) -> dict[str, tuple[str, str]]:
    """A user in København (101), one in Aarhus (751) and one at KMD (the vendor of KMD Nexus in the starter data)."""
    tag = uuid.uuid4().hex[:8]
    result = {}
    with live_server.unit_of_work() as session:
        for key, role, binding in (
            ("kbh", "municipality", {"municipality": "101"}),
            ("aarhus", "municipality", {"municipality": "751"}),
            ("kmd", "vendor", {"organisation": "kmd"}),
        ):
            email = f"{key}-{tag}@example.dk"
            user, password = create_user(session, email=email, role=role, **binding)
            user.must_change_password = False  # accounts in use (the first login is tested elsewhere)
            result[key] = (email, password)
    result["tag"] = (tag, "")
    return result


def test_ask_join_answer_and_see_it_on_the_solution_page(
    page: Any, second_page: Any, vendor_page: Any, people: dict[str, tuple[str, str]]
) -> None:
    tag = people["tag"][0]
    question = f"Hvornår kræver KMD Nexus NSIS betydelig for hjemmeplejen (sag {tag})?"

    log_in(page, *people["kbh"], start="/konto")
    page.goto("/loesninger/kmd-nexus")
    page.get_by_role("link", name="Stil et spørgsmål eller tilslut jer et").click()
    page.get_by_label("Jeres spørgsmål").fill(question)
    page.get_by_role("button", name="Stil spørgsmålet").click()
    page.wait_for_url(re.compile(r".*/spoergsmaal/[0-9]+$"))
    detail = page.url
    assert page.locator(".inquiry-waiting").inner_text() == "1 kommune venter"

    log_in(second_page, *people["aarhus"], start="/konto")
    second_page.goto(detail)
    second_page.get_by_role("button", name="Vi venter også på svaret").click()
    second_page.get_by_text("I venter nu også på svaret.").wait_for()
    assert second_page.locator(".inquiry-waiting").inner_text() == "2 kommuner venter"

    log_in(vendor_page, *people["kmd"], start="/konto")
    vendor_page.goto(detail)
    answer = f"Fra 1. marts 2027 kræves betydelig (svar {tag})."
    vendor_page.get_by_label("Svar", exact=True).fill(answer)
    vendor_page.get_by_role("button", name="Send svaret").click()
    vendor_page.get_by_text("Tak for svaret.").wait_for()
    assert vendor_page.locator(".inquiry-state").inner_text() == "Besvaret"

    page.goto("/loesninger/kmd-nexus")
    item = page.locator("li.inquiry", has_text=question)
    assert answer in item.inner_text() and "Svar fra KMD" in item.inner_text()
    assert "Besvaret" in item.inner_text()
