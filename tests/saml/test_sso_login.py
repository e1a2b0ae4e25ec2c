"""SP-initiated single sign-on through real HTTP against pysaml2's IdP on loopback: who gets which role."""

from __future__ import annotations

import base64
import zlib

from sqlalchemy import select

from tests.support.saml import KBH_CVR, KL_CVR, KL_PRIVILEGE, KMD_CVR, SsoWorld, person
from tracker.models import Municipality, Organisation, User, UserSession


def _user(world: SsoWorld, uuid: str) -> tuple[User, list[UserSession]]:
    with world.unit_of_work() as s:
        user = s.scalars(select(User).where(User.saml_uuid == uuid)).one()
        rows = list(s.scalars(select(UserSession).where(UserSession.user_id == user.id)))
        s.expunge_all()
        return user, rows


def test_a_municipality_user_is_created_at_first_login_and_sees_their_municipality(world: SsoWorld) -> None:
    who = person(KBH_CVR, name="Karen Kommune")
    browser, answer = world.login(who)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/kommuner/101"), answer.text[:300]
    user, rows = _user(world, who.uuid)
    with world.unit_of_work() as s:
        kbh = s.scalars(select(Municipality).where(Municipality.code == "101")).one()
        assert user.municipality_id == kbh.id
    assert user.role == "municipality" and user.password_hash is None and user.email == who.email
    assert user.name == "Karen Kommune" and user.cvr == KBH_CVR
    assert [r.nsis_level for r in rows] == ["betydelig"] and rows[0].saml_name_id == who.uuid
    page = browser.get(world.url + "/kommuner/101", timeout=30)
    assert page.status_code == 200 and "København" in page.text
    assert browser.get(world.url + "/kommuner/751", timeout=30).status_code == 403


def test_the_request_is_signed_with_rsa_sha256_and_asks_for_a_minimum_level(world: SsoWorld) -> None:
    world.login(person(KBH_CVR))
    query = world.idp.request_queries[-1]
    assert query["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" and query["Signature"]
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"]), -15).decode()
    assert 'Comparison="minimum"' in xml
    assert "https://data.gov.dk/concept/core/nsis/loa/Substantial" in xml
    request = world.idp.requests[-1]
    assert request.assertion_consumer_service_url in (None, world.url + "/saml/acs")


def test_a_kl_coordinator_by_privilege_needs_no_totp(world: SsoWorld) -> None:
    who = person(KL_CVR, privileges={KL_CVR: [KL_PRIVILEGE]})
    browser, answer = world.login(who)
    assert answer.status_code == 302 and "/konto/totp" not in answer.headers["Location"]
    user, rows = _user(world, who.uuid)
    assert user.role == "coordinator" and rows[0].second_factor
    assert browser.get(world.url + "/landsoverblik", timeout=30).status_code == 200
    assert browser.get(world.url + "/kommuner/751", timeout=30).status_code == 200


def test_the_same_privilege_scoped_to_another_cvr_makes_no_coordinator(world: SsoWorld) -> None:
    who = person(KL_CVR, privileges={KMD_CVR: [KL_PRIVILEGE], KBH_CVR: [KL_PRIVILEGE]})
    browser, answer = world.login(who)
    assert answer.status_code == 302
    user, _rows = _user(world, who.uuid)
    with world.unit_of_work() as s:
        kl = s.scalars(select(Organisation).where(Organisation.slug == "kl")).one()
        assert user.role == "vendor" and user.organisation_id == kl.id
    assert browser.get(world.url + "/landsoverblik", timeout=30).status_code == 403


def test_a_vendor_is_bound_to_its_organisation(world: SsoWorld) -> None:
    who = person(KMD_CVR)
    browser, answer = world.login(who)
    assert answer.status_code == 302
    user, _rows = _user(world, who.uuid)
    with world.unit_of_work() as s:
        kmd = s.scalars(select(Organisation).where(Organisation.slug == "kmd")).one()
        assert user.role == "vendor" and user.organisation_id == kmd.id
    assert browser.get(world.url + "/loesninger/kmd-nexus/foreslaa", timeout=30).status_code == 200
    assert browser.get(world.url + "/loesninger/aula/foreslaa", timeout=30).status_code == 403
    assert browser.get(world.url + "/kommuner/101", timeout=30).status_code == 403


def test_a_second_login_finds_the_same_user_by_uuid(world: SsoWorld) -> None:
    who = person(KBH_CVR)
    world.login(who)
    who.email = "ny-" + who.email
    _browser, answer = world.login(who)
    assert answer.status_code == 302
    user, rows = _user(world, who.uuid)
    assert user.email == who.email and len(rows) == 2


def test_the_metadata_names_endpoints_keys_and_attributes(world: SsoWorld) -> None:
    import requests

    body = requests.get(world.url + "/saml/metadata", timeout=30).text
    assert world.url + "/saml/acs" in body and world.url + "/saml/slo" in body
    assert body.count('use="signing"') >= 1 and body.count('use="encryption"') >= 1
    assert "https://data.gov.dk/model/core/eid/professional/cvr" in body
    assert "https://data.gov.dk/model/core/eid/privilegesIntermediate" in body and 'isRequired="true"' in body
