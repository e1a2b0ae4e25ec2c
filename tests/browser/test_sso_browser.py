"""The whole single sign-on login in Chromium: the login page's button, the loopback IdP's self-submitting form,
the municipality's page, and single logout through the IdP back to the front page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.databases import fresh_database
from tests.support.saml import KBH_CVR, SsoWorld, person, require_xmlsec, sso_world

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SsoWorld]:
    """The app with SP keys and its trusted IdP, both on 127.0.0.1."""
    require_xmlsec()
    directory = tmp_path_factory.mktemp("sso-browser")
    with fresh_database(directory) as url, sso_world(directory, url) as served:
        yield served


def test_a_municipality_user_logs_in_through_the_idp_and_out_again(browser: Any, world: SsoWorld) -> None:
    context = browser.new_context(base_url=world.url, locale="da-DK")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        world.idp.person = person(KBH_CVR, name="Birgit Browser")
        page.goto("/login")
        page.get_by_role("link", name="Log ind via din organisation (NemLog-in eller lokal IdP)").click()
        page.wait_for_url("**/kommuner/101")
        assert "København" in page.locator("h1").inner_text()
        assert "Du er logget ind som Birgit Browser" in page.content()
        page.get_by_role("button", name="Log ud").click()
        page.wait_for_url(lambda url: "/kommuner/" not in url and "/slo" not in url and "/logout" not in url)
        assert page.url == world.url + "/", page.url
        assert "Du er logget ud" in page.content()
        assert world.idp.logout_requests, "the IdP was told of the logout"
        page.goto("/kommuner/101")
        page.wait_for_url(lambda url: "/login" in url)
    finally:
        context.close()
