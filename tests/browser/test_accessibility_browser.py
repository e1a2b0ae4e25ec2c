"""In a real browser, for each role and both languages: axe-core finds no WCAG 2.1 AA violation on any page
family at 1280, 375 and 320 px; on the phone widths no page is wider than the viewport (WCAG 1.4.10 reflow), no
table or box inside it needs a horizontal scroll (rows become cards), and no word breaks inside its letters.

Also: the error summary takes focus, and the municipality page can be walked with the keyboard alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.axe import AXE_JS, broken_words, overflow, run_axe, scrolled_boxes
from tests.browser.conftest import LiveServer, _unavailable
from tests.support.accounts import enrol_totp
from tracker.auth.users import create_user
from tracker.models import Organisation, Source

pytestmark = pytest.mark.browser

WIDTHS = (1280, 375, 320)
PHONES = (375, 320)
MUNICIPALITY = "751"  # Aarhus: this file's own users; other browser tests use Odense

# Every page family, for anonymous visitors. Logged in, the families whose content depends on the role are
# checked again for each role (the others differ only in the menu, which every role's own pages cover).
COMMON = [
    "/",
    "/loesninger/aula",
    "/loesninger/nemlog-in",  # the day-one transitions: ahead, past (muted) and unknown dates
    "/kilder",
    "/kilder/{source}",
    "/kommuner",
    "/kommende-skift",
    "/tilgaengelighed",
    "/privatliv",
    "/loesninger/findes-ikke",
    "/?switch_after=ikke-en-dato",
]
ROLE_COMMON = ["/", "/loesninger/aula", "/kilder/{source}", "/kommuner", "/kommende-skift"]
PAGES = {
    "anonymous": ["/login"],
    "municipality": [
        f"/kommuner/{MUNICIPALITY}",
        f"/kommuner/{MUNICIPALITY}/rapport",
        "/konto",
        "/mine-forslag",
        "/abonnementer",
        "/loesninger/aula/foreslaa",
    ],
    "vendor": ["/mine-forslag", "/konto"],
    "coordinator": [
        "/landsoverblik",
        "/forslag",
        "/loesninger/ny",
        "/loesninger/aula/rediger",
        "/admin/organisationer",
        f"/kommuner/{MUNICIPALITY}",
        "/abonnementer",
    ],
    "admin": ["/admin/brugere", "/admin/sso"],
}


@pytest.fixture(scope="module")
def accounts(live_server: LiveServer) -> dict[str, Any]:
    """One user per role (passwords returned), and a source key for the source page."""
    if not AXE_JS.exists():
        _unavailable(f"axe-core not installed at {AXE_JS} (run npm ci)")
    with live_server.unit_of_work() as session:
        org = Organisation(slug="axe-leverandoer", name="Axe Leverandør", kind="vendor")
        session.add(org)
        session.flush()
        users = {
            "municipality": create_user(
                session, email="axe-kommune@aarhus.dk", role="municipality", municipality=MUNICIPALITY
            ),
            "vendor": create_user(session, email="axe-lev@example.dk", role="vendor", organisation=org.slug),
            "coordinator": create_user(session, email="axe-koordinator@kl.dk", role="coordinator"),
            "admin": create_user(session, email="axe-admin@kl.dk", role="admin"),
        }
        # Accounts in use: passwords chosen; coordinators and admins have their second factor (recovery codes
        # below, one per login).
        codes: dict[str, list[str]] = {}
        for role, (user, _) in users.items():
            user.must_change_password = False
            if role in ("coordinator", "admin"):
                codes[role] = list(enrol_totp(session, user).recovery_codes)
        source = session.scalar(select(Source.key).order_by(Source.key))
    return {
        "users": {role: (u.email, pw, codes.get(role)) for role, (u, pw) in users.items()},
        "source": source,
    }


def log_in(page: Any, email: str, password: str, codes: list[str] | None = None) -> None:
    page.goto("/login?lang=da")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    if codes is not None:
        page.wait_for_url("**/login/kode")
        page.get_by_label("Kode fra godkendelsesappen").fill(codes.pop())
        page.get_by_role("button", name="Log ind").click()
    page.wait_for_load_state()
    assert "/login" not in page.url and "/konto/ny-adgangskode" not in page.url, page.url


@pytest.fixture
def as_role(browser: Any, live_server: LiveServer, accounts: dict[str, Any], request: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    role = request.param
    if role != "anonymous":
        log_in(page, *accounts["users"][role])
    try:
        yield role, page
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("as_role", list(PAGES), indirect=True)
def test_every_page_family_passes_axe_and_reflows(as_role: Any, lang: str, accounts: dict[str, Any]) -> None:
    role, page = as_role
    problems: list[str] = []
    for path in (COMMON if role == "anonymous" else ROLE_COMMON) + PAGES[role]:
        url = path.format(source=accounts["source"])
        url += ("&" if "?" in url else "?") + f"lang={lang}"
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == lang, url
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            problems += [f"{url} @{width}px: {v}" for v in run_axe(page)]
            if width in PHONES:
                if (extra := overflow(page)) > 0:
                    problems.append(f"{url} @{width}px: {extra}px wider than the viewport")
                problems += [f"{url} @{width}px: scrolls sideways: {box}" for box in scrolled_boxes(page)]
                problems += [f"{url} @{width}px: word broken: {word}" for word in broken_words(page)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("as_role", ["municipality"], indirect=True)
def test_the_error_summary_takes_focus_and_links_to_the_field(as_role: Any) -> None:
    _, page = as_role
    page.goto(f"/kommuner/{MUNICIPALITY}")
    page.locator("#new-idp").get_by_role("button", name="Tilføj IdP").click()  # no name: invalid
    page.wait_for_selector("[data-module=error-summary]")
    assert page.title().startswith("Fejl:")
    assert page.evaluate("document.activeElement.dataset.module === 'error-summary'")
    link = page.locator("[data-module=error-summary] a").first
    target = link.get_attribute("href")
    assert target and target.startswith("#new-")
    link.click()
    # DKFDS's error summary moves focus to the field itself (its label scrolled into view), not just the hash.
    assert page.evaluate("document.activeElement.id") == target[1:]


@pytest.mark.parametrize("as_role", ["municipality"], indirect=True)
def test_keyboard_only_walk_through_the_municipality_page(as_role: Any) -> None:
    """Tab from the top reaches the skip link first, then every link, field and button in order, each visibly
    focused; Enter on the skip link moves to the content."""
    _, page = as_role
    page.goto(f"/kommuner/{MUNICIPALITY}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skipnav"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
    focusable = (
        "main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary, "
        'main [tabindex="0"]'
    )
    expected = page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].filter(e => e.checkVisibility() && !e.disabled)
              .map((e, i) => { e.dataset.kb = String(i);
                                  return e.tagName + ' ' + (e.name || e.textContent.trim().slice(0, 30)); })""",
        focusable,
    )
    reached: list[int] = []
    seen_outline = True
    for _ in range(len(expected) + 5):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                 return {inMain: !!e.closest('main'), kb: e.dataset.kb,
                         outline: s.outlineStyle !== 'none' && s.outlineWidth !== '0px'}; }"""
        )
        if not info["inMain"]:
            break
        if info["kb"] is not None:
            reached.append(int(info["kb"]))
        seen_outline = seen_outline and info["outline"]
    missing = [what for i, what in enumerate(expected) if i not in reached]
    assert len(expected) > 10 and not missing, missing
    assert reached == sorted(reached), "focus order does not follow the page order"
    assert seen_outline, "a focused element had no visible focus ring"


@pytest.mark.parametrize("as_role", ["anonymous"], indirect=True)
def test_public_sector_pages_answer_in_both_languages(as_role: Any) -> None:
    _, page = as_role
    for path, da, en in (
        ("/tilgaengelighed", "Tilgængelighedserklæring", "Accessibility statement"),
        ("/privatliv", "Privatliv", "Privacy"),
    ):
        assert page.goto(path + "?lang=da").status == 200
        assert page.get_by_role("heading", level=1).inner_text().replace("\u00ad", "") == da
        assert page.goto(path + "?lang=en").status == 200
        assert page.get_by_role("heading", level=1).inner_text() == en
    assert "Digitaliseringsstyrelsen" in page.goto("/tilgaengelighed?lang=da").text()


def test_the_word_check_sees_a_word_broken_inside_its_letters(browser: Any) -> None:
    """The phone check itself: a long word forced to break anywhere is reported; one that breaks at its soft
    hyphens (and a hyphen is drawn) is not."""
    page = browser.new_page(viewport={"width": 320, "height": 400})
    try:
        page.set_content(
            '<html lang="da"><body><p id="a" style="width:90px;overflow-wrap:anywhere">Tilgængelighedserklæring</p>'
            '<p style="width:150px">Tilgængelig&shy;heds&shy;erklæring</p></body></html>'
        )
        assert broken_words(page) == ["Tilgængelighedserklæring in <p>"]
    finally:
        page.close()
