"""Every refusal of a login response, each its own test, against the loopback IdP through real HTTP.

Each answers 403 with a Danish page (English with ?lang=en), logs a line naming the reason, and creates
nothing: no user, no session, no remembered assertion.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import requests

from tests.support.saml import KBH_CVR, NETCOMPANY_CVR, UNMAPPED_CVR, SsoWorld, person
from tests.support.saml_idp import SHA1, Faults, Person


def refused(
    world: SsoWorld,
    caplog: pytest.LogCaptureFixture,
    who: Person,
    faults: Faults,
    reason: str,
    danish: str,
    english: str,
) -> None:
    """Log in with the faults; check the 403 page in both languages, the log line, and that nothing was made."""
    before = world.counts()
    caplog.set_level(logging.WARNING, logger="tracker.web.saml_views")
    browser = requests.Session()
    fields = world.idp_answer(who, faults, browser=browser)
    answer = world.post(browser, fields)
    assert answer.status_code == 403, answer.text[:500]
    assert danish in answer.text, answer.text[:1500]
    again = world.post(browser, fields, lang="en")
    assert again.status_code == 403 and english in again.text, again.text[:1500]
    assert f"SAML refused: reason={reason} " in caplog.text, caplog.text[-2000:]
    assert world.counts() == before
    assert browser.get(world.url + "/kommuner/101", allow_redirects=False, timeout=30).status_code == 302


def test_refuses_an_unsigned_response(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    refused(world, caplog, person(KBH_CVR), Faults(sign_response=False), "unsigned_response",
            "var ikke signeret", "was not signed")  # fmt: skip


def test_refuses_an_unsigned_assertion(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    refused(world, caplog, person(KBH_CVR), Faults(sign_assertion=False), "unsigned_assertion",
            "(assertion) var ikke signeret", "(assertion) was not signed")  # fmt: skip


def test_refuses_sha1_signatures(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    refused(world, caplog, person(KBH_CVR), Faults(algorithms=SHA1), "sha1", "SHA-1", "SHA-1")


def test_refuses_a_plaintext_assertion(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    refused(world, caplog, person(KBH_CVR), Faults(encrypt=False), "plaintext_assertion",
            "ikke krypteret", "was not encrypted")  # fmt: skip


def test_refuses_a_plaintext_assertion_beside_the_encrypted_one(
    world: SsoWorld, caplog: pytest.LogCaptureFixture
) -> None:
    refused(world, caplog, person(KBH_CVR), Faults(also_plaintext=True), "plaintext_assertion",
            "ikke krypteret", "was not encrypted")  # fmt: skip


def test_refuses_the_wrong_audience(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    refused(world, caplog, person(KBH_CVR), Faults(audience="https://anden-tjeneste.example/sp"), "wrong_audience",
            "en anden tjeneste", "another service")  # fmt: skip


def test_refuses_the_wrong_destination(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    refused(world, caplog, person(KBH_CVR), Faults(destination="https://anden-tjeneste.example/acs"),
            "wrong_destination", "en anden adresse", "another address")  # fmt: skip


def test_refuses_the_wrong_recipient(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    refused(world, caplog, person(KBH_CVR), Faults(recipient="https://anden-tjeneste.example/acs"),
            "wrong_recipient", "en anden modtageradresse", "another recipient address")  # fmt: skip


def test_refuses_an_expired_assertion(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    # Issued 10 minutes ago with a 5-minute lifetime: 5 minutes past its end, beyond the 3 minutes' skew.
    refused(
        world, caplog, person(KBH_CVR), Faults(shift=timedelta(minutes=-10)), "expired", "er udløbet", "has expired"
    )


def test_refuses_an_assertion_not_yet_valid(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    refused(world, caplog, person(KBH_CVR), Faults(shift=timedelta(minutes=5)), "not_yet_valid",
            "endnu ikke gyldig", "not valid yet")  # fmt: skip


@pytest.mark.parametrize(
    "shift", [timedelta(minutes=-7), timedelta(minutes=2)], ids=["ended-2-min-ago", "starts-in-2-min"]
)
def test_accepts_an_assertion_within_three_minutes_skew(world: SsoWorld, shift: timedelta) -> None:
    _browser, answer = world.login(person(KBH_CVR), Faults(shift=shift))
    assert answer.status_code == 302, answer.text[:500]


def test_refuses_a_replayed_assertion(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="tracker.web.saml_views")
    browser = requests.Session()
    fields = world.idp_answer(person(KBH_CVR), browser=browser)
    # Whoever replays the POST replays the browser's cookie too (the login's own browser check then passes).
    cookie = {"tracker_saml": str(browser.cookies.get("tracker_saml"))}
    assert world.post(browser, fields).status_code == 302
    before = world.counts()
    again = world.post(requests.Session(), fields, cookies=cookie)
    assert again.status_code == 403 and "allerede brugt" in again.text
    english = world.post(requests.Session(), fields, lang="en", cookies=cookie)
    assert english.status_code == 403 and "already been used" in english.text
    assert "SAML refused: reason=replay " in caplog.text
    assert world.counts() == before


def test_refuses_an_unsolicited_response(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    refused(world, caplog, person(KBH_CVR), Faults(in_response_to=""), "unsolicited",
            "ikke på et login, der er startet her", "does not answer a login started here")  # fmt: skip


def test_refuses_an_in_response_to_mismatch(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    refused(world, caplog, person(KBH_CVR), Faults(in_response_to="id-et-andet-login"), "in_response_to_mismatch",
            "hører ikke til det login", "does not belong to the login")  # fmt: skip


def test_refuses_a_response_to_a_login_started_in_another_browser(
    world: SsoWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="tracker.web.saml_views")
    before = world.counts()
    fields = world.idp_answer(person(KBH_CVR), browser=requests.Session())
    answer = world.post(requests.Session(), fields)
    assert answer.status_code == 403 and "hører ikke til det login" in answer.text
    assert "SAML refused: reason=in_response_to_mismatch " in caplog.text
    assert world.counts() == before


def test_refuses_a_cvr_the_idp_may_not_vouch_for(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    danish, english = (
        "må ikke stå inde for brugere fra din organisation",
        "may not vouch for users of your organisation",
    )
    refused(world, caplog, person(NETCOMPANY_CVR), Faults(), "cvr_not_allowed", danish, english)


def test_refuses_an_unknown_cvr(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    danish, english = (
        "hverken en kommunes eller en kendt organisations",
        "neither a municipality's nor a known organisation's",
    )
    refused(world, caplog, person(UNMAPPED_CVR), Faults(), "unknown_cvr", danish, english)


def test_refuses_a_loa_attribute_that_disagrees_with_the_authn_context(
    world: SsoWorld, caplog: pytest.LogCaptureFixture
) -> None:
    who = person(KBH_CVR, loa="High", class_ref_level="Substantial")
    refused(world, caplog, who, Faults(), "loa_mismatch", "modstridende", "contradictory")


def test_refuses_a_spec_version_not_accepted(world: SsoWorld, caplog: pytest.LogCaptureFixture) -> None:
    who = person(KBH_CVR, spec_version="OIO-SAML-4.0")
    refused(world, caplog, who, Faults(), "spec_version", "OIOSAML-version", "OIOSAML version")


def test_accepted_spec_versions_are_configurable(world: SsoWorld) -> None:
    world.app.config["SAML_ACCEPTED_SPEC_VERSIONS"] = ["OIO-SAML-3.0", "OIO-SAML-4.0"]
    try:
        _browser, answer = world.login(person(KBH_CVR, spec_version="OIO-SAML-4.0"))
    finally:
        world.app.config["SAML_ACCEPTED_SPEC_VERSIONS"] = ["OIO-SAML-3.0"]
    assert answer.status_code == 302, answer.text[:500]
