"""What an SSO session may do: its NSIS level gates private data and writes; the 1 January 2027 move to the
region takes the municipality's private data away at once; single logout from either side ends the session."""

from __future__ import annotations

import re

import requests
from sqlalchemy import select

from tests.support.saml import KBH_CVR, REGION_CVR, UNMAPPED_CVR, SsoWorld, person
from tests.support.saml_idp import query_of
from tracker.models import AuditEntry, User, UserSession

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _csrf(browser: requests.Session, world: SsoWorld, path: str = "/") -> str:
    found = CSRF.search(browser.get(world.url + path, timeout=30).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def _sessions(world: SsoWorld, uuid: str) -> list[UserSession]:
    with world.unit_of_work() as s:
        user = s.scalars(select(User).where(User.saml_uuid == uuid)).one()
        rows = list(s.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)))
        s.expunge_all()
        return rows


def test_a_low_login_sees_public_pages_and_gets_a_clear_403_elsewhere(world: SsoWorld) -> None:
    who = person(KBH_CVR, loa="Low")
    browser, answer = world.login(who)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/")
    assert [r.nsis_level for r in _sessions(world, who.uuid)] == ["lav"]
    assert browser.get(world.url + "/", timeout=30).status_code == 200
    assert browser.get(world.url + "/loesninger/aula", timeout=30).status_code == 200
    private = browser.get(world.url + "/kommuner/101", allow_redirects=False, timeout=30)
    assert private.status_code == 403 and "sikringsniveau Lav" in private.text
    english = browser.get(world.url + "/kommuner/101?lang=en", allow_redirects=False, timeout=30)
    assert english.status_code == 403 and "assurance level Low" in english.text
    browser.get(world.url + "/?lang=da", timeout=30)  # back to Danish for the rest
    api = browser.get(world.url + "/api/v1/municipalities/101/idps", headers={"Accept": "application/json"}, timeout=30)
    assert api.status_code == 403 and api.json()["error"]["details"]["reason"] == "nsis_level"
    token = _csrf(browser, world, "/loesninger/aula")
    write = browser.post(world.url + "/konto/tokens", data={"csrf_token": token, "name": "x"}, timeout=30)
    assert write.status_code == 403 and "sikringsniveau Lav" in write.text
    assert browser.get(world.url + "/konto", allow_redirects=False, timeout=30).status_code == 403
    with world.unit_of_work() as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.action == "authz.denied").order_by(AuditEntry.id.desc()))
        assert denied.first().details["reason"] == "nsis_level"  # type: ignore[union-attr]
    out = browser.post(world.url + "/logout", data={"csrf_token": token}, allow_redirects=False, timeout=30)
    assert out.status_code == 200 and out.headers["Refresh"].split("url=", 1)[1].startswith(world.idp.base_url)
    assert browser.get(world.url + "/kommuner/101", allow_redirects=False, timeout=30).status_code == 302


def test_a_high_login_reaches_private_data(world: SsoWorld) -> None:
    browser, answer = world.login(person(KBH_CVR, loa="High"))
    assert answer.status_code == 302
    assert browser.get(world.url + "/kommuner/101", timeout=30).status_code == 200


def test_moving_to_the_region_on_1_january_2027_loses_the_municipality_at_once(world: SsoWorld) -> None:
    """Staff of a health task move to the region: the IdP now asserts the region's CVR for the same person."""
    who = person(KBH_CVR)
    before, _ = world.login(who)
    assert before.get(world.url + "/kommuner/101", timeout=30).status_code == 200
    who.cvr = REGION_CVR
    after, answer = world.login(who)
    assert answer.status_code == 302
    # The old session ended with the move; the new one is the region's and sees no municipality's private data.
    assert before.get(world.url + "/kommuner/101", allow_redirects=False, timeout=30).status_code == 302
    assert after.get(world.url + "/kommuner/101", allow_redirects=False, timeout=30).status_code == 403
    with world.unit_of_work() as s:
        user = s.scalars(select(User).where(User.saml_uuid == who.uuid)).one()
        assert user.role == "vendor" and user.municipality_id is None and user.cvr == REGION_CVR


def test_a_cvr_that_no_longer_binds_ends_the_old_sessions_and_creates_nothing(world: SsoWorld) -> None:
    who = person(KBH_CVR)
    before, _ = world.login(who)
    assert before.get(world.url + "/kommuner/101", timeout=30).status_code == 200
    counts = world.counts()
    who.cvr = UNMAPPED_CVR
    _browser, answer = world.login(who)
    assert answer.status_code == 403
    assert before.get(world.url + "/kommuner/101", allow_redirects=False, timeout=30).status_code == 302
    users, sessions, seen = world.counts()
    assert (users, sessions, seen) == counts
    assert all(r.ended_at is not None for r in _sessions(world, who.uuid))


def test_sp_initiated_single_logout(world: SsoWorld) -> None:
    who = person(KBH_CVR)
    browser, _ = world.login(who)
    token = _csrf(browser, world, "/kommuner/101")
    out = browser.post(world.url + "/logout", data={"csrf_token": token}, allow_redirects=False, timeout=30)
    assert out.status_code == 200 and "Du er logget ud" in out.text
    refresh = out.headers["Refresh"].split("url=", 1)[1]
    assert refresh.startswith(world.idp.base_url + "/slo?")
    query = query_of(refresh)
    assert query["SigAlg"].endswith("rsa-sha256") and query["Signature"]
    assert all(r.ended_at is not None for r in _sessions(world, who.uuid))
    back = browser.get(refresh, allow_redirects=False, timeout=30)  # the IdP answers
    assert back.status_code == 302 and back.headers["Location"].startswith(world.url + "/saml/slo?SAMLResponse=")
    done = browser.get(back.headers["Location"], allow_redirects=False, timeout=30)
    assert done.status_code == 302
    assert world.idp.logout_requests[-1].name_id.text == who.uuid
    assert browser.get(world.url + "/kommuner/101", allow_redirects=False, timeout=30).status_code == 302


def test_idp_initiated_single_logout_ends_the_server_side_session(world: SsoWorld) -> None:
    who = person(KBH_CVR)
    browser, _ = world.login(who)
    assert browser.get(world.url + "/kommuner/101", timeout=30).status_code == 200
    answer = browser.get(world.idp.logout_url(who), allow_redirects=False, timeout=30)
    assert answer.status_code == 302 and answer.headers["Location"].startswith(world.idp.base_url + "/slo?")
    assert query_of(answer.headers["Location"])["SigAlg"].endswith("rsa-sha256")
    assert all(r.ended_at is not None for r in _sessions(world, who.uuid))
    assert browser.get(world.url + "/kommuner/101", allow_redirects=False, timeout=30).status_code == 302


def test_an_unsigned_or_sha1_logout_request_from_the_idp_ends_nothing(world: SsoWorld) -> None:
    who = person(KBH_CVR)
    browser, _ = world.login(who)
    unsigned = requests.get(world.idp.logout_url(who, sign=False), allow_redirects=False, timeout=30)
    assert unsigned.status_code == 403
    sha1 = requests.get(
        world.idp.logout_url(who, sigalg="http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
        allow_redirects=False,
        timeout=30,
    )
    assert sha1.status_code == 403 and "SHA-1" in sha1.text
    assert browser.get(world.url + "/kommuner/101", timeout=30).status_code == 200
