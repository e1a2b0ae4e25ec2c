"""The authorization matrix again, with identities that logged in through the IdP (real HTTP, real sessions):
a municipality's private data and writes reach its own users and coordinators only; 0 cross-party reads or writes.

Outsiders: another municipality's user, a vendor, KL staff without the coordinator privilege, the
municipality's own user at NSIS level Low, and anonymous. Every private operation of the OpenAPI document
and every private page and form is tried by each; positive controls show the same requests work for the owner.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from tests.support.municipalities import idp, use
from tests.support.saml import AARHUS_CVR, KBH_CVR, KL_CVR, KL_PRIVILEGE, KMD_CVR, SsoWorld, person
from tracker.models import ChangeEvent, Idp, IdpChange, PortfolioEntry
from tracker.municipalities import plans
from tracker.registry.actors import SYSTEM

SECRET = "Hemmelig-SSO-IdP-KK"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
PAGES = ["/kommuner/101", "/kommuner/101/rapport", "/landsoverblik", "/abonnementer/kommuner/101/feeds"]
PAGE_POSTS = [
    ("/kommuner/101/idps", {"new-name": "Indtrænger", "new-notified_loa": "lav"}),
    ("/kommuner/101/idps/{idp_id}", {"idp{idp_id}-name": "Ændret", "idp{idp_id}-notified_loa": "lav"}),
    ("/kommuner/101/idps/{idp_id}/slet", {}),
    ("/kommuner/101/portefoelje", {"solution": "fmk"}),
    ("/kommuner/101/portefoelje/aula/fjern", {}),
    ("/abonnementer/kommuner/101/feeds", {}),
]
OUTSIDERS = ["aarhus", "vendor", "kl_staff", "kbh_low", "anonymous"]


@pytest.fixture(scope="module")
def browsers(world: SsoWorld) -> dict[str, tuple[requests.Session, str]]:
    """A logged-in browser and its CSRF token per identity; København gets a private IdP and portfolio."""
    with world.unit_of_work() as s:
        secret = idp(s, "101", SECRET, "betydelig", primary=False)
        use(s, "101", "aula", via=secret)
        # A planned change of the secret IdP (readiness over time): its operations are private too.
        plans.create_change(
            s, secret.municipality, {"idp_id": secret.id, "kind": "retire", "effective_on": "2030-01-01"}, actor=SYSTEM
        )
    people = {
        "kbh": person(KBH_CVR),
        "kbh_low": person(KBH_CVR, loa="Low"),
        "aarhus": person(AARHUS_CVR),
        "vendor": person(KMD_CVR),
        "kl_staff": person(KL_CVR),
        "coordinator": person(KL_CVR, privileges={KL_CVR: [KL_PRIVILEGE]}),
    }
    found: dict[str, tuple[requests.Session, str]] = {}
    for name, who in people.items():
        browser, answer = world.login(who)
        assert answer.status_code == 302, (name, answer.text[:300])
        found[name] = (browser, _csrf(browser, world.url + "/"))
    anonymous = requests.Session()
    found["anonymous"] = (anonymous, _csrf(anonymous, world.url + "/login"))
    return found


def _csrf(browser: requests.Session, url: str) -> str:
    match = CSRF.search(browser.get(url, timeout=30).text)
    assert match, url
    return match.group(1)


def _private_operations(world: SsoWorld) -> list[tuple[str, str]]:
    spec = requests.get(world.url + "/api/v1/openapi.json", timeout=30).json()
    ops = []
    for path, item in spec["paths"].items():
        if (
            path.startswith("/api/v1/municipalities/{code}") and path != "/api/v1/municipalities/{code}"
        ) or path == "/api/v1/national":
            ops += [(m.upper(), path) for m in item if m in {"get", "post", "patch", "delete", "put"}]
    return ops


def _body(method: str, url: str, idp_id: int) -> dict[str, Any]:
    """A well-formed body per operation (as the cookie-less matrix sends), so only permission can refuse it."""
    if url.endswith("/import"):
        return {"files": {"file": ("x.csv", b"FMK\n")}}
    if method == "POST" and url.endswith("/idp-changes"):
        return {"json": {"idp_id": idp_id, "kind": "loa", "effective_on": "2030-02-01", "notified_loa": "hoej"}}
    if method == "PATCH" and "/actions/" in url:
        return {"json": {"status": "done"}, "headers": {"If-Match": "*"}}
    if method == "POST" and url.endswith("/idps"):
        return {"json": {"name": "Indtrænger", "notified_loa": "lav"}}
    if method == "POST":
        return {"json": {"solution": "fmk"}}
    if method == "PATCH" and "/idps/" in url:
        return {"json": {"notified_loa": "lav"}}
    if method == "PATCH":
        return {"json": {"idp_id": None}}
    return {}


def _state(world: SsoWorld) -> tuple[Any, ...]:
    with world.unit_of_work() as s:
        return (
            tuple(s.execute(select(Idp.name, Idp.notified_loa).order_by(Idp.id)).all()),
            s.scalar(select(func.count(PortfolioEntry.id))),
            s.scalar(select(func.count(ChangeEvent.id))),
        )


def _url(world: SsoWorld, path: str, idp_id: int, change_id: int, action_id: int = 1) -> str:
    """The operation's URL for København's private objects (an action id of 1: refused before it is looked up)."""
    url = path.replace("{code}", "101").replace("{idp_id}", str(idp_id)).replace("{slug}", "aula")
    url = url.replace("{change_id}", str(change_id)).replace("{action_id}", str(action_id))
    return world.url + url.replace("{token_id}", "1")


def _secret_change_id(world: SsoWorld) -> int:
    with world.unit_of_work() as s:
        return int(s.scalars(select(IdpChange.id)).one())


def _secret_idp_id(world: SsoWorld) -> int:
    with world.unit_of_work() as s:
        return int(s.scalars(select(Idp.id).where(Idp.name == SECRET)).one())


def test_no_outsider_reads_or_writes_a_municipalitys_private_data(
    world: SsoWorld, browsers: dict[str, tuple[requests.Session, str]]
) -> None:
    idp_id, change_id = _secret_idp_id(world), _secret_change_id(world)
    ops = _private_operations(world)
    assert len(ops) >= 14
    crossings: list[tuple[str, str, str, int]] = []
    tried = 0
    before = _state(world)
    for who in OUTSIDERS:
        browser, token = browsers[who]
        for method, path in ops:
            url = _url(world, path, idp_id, change_id)
            body = _body(method, url, idp_id)
            headers = {"X-CSRFToken": token, **body.pop("headers", {})}
            answer = browser.request(method, url, **body, headers=headers, allow_redirects=False, timeout=30)
            tried += 1
            if answer.status_code not in (401, 403) or SECRET in answer.text:
                crossings.append((who, method, path, answer.status_code))
        for page in PAGES:
            answer = browser.get(world.url + page, allow_redirects=False, timeout=30)
            tried += 1
            if answer.status_code not in (302, 401, 403) or SECRET in answer.text:
                crossings.append((who, "GET", page, answer.status_code))
        for url, form in PAGE_POSTS:
            data = {k.replace("{idp_id}", str(idp_id)): v for k, v in form.items()} | {"csrf_token": token}
            answer = browser.post(world.url + url.replace("{idp_id}", str(idp_id)), data=data, allow_redirects=False,
                                  timeout=30)  # fmt: skip
            tried += 1
            if answer.status_code not in (400, 401, 403) or SECRET in answer.text:
                crossings.append((who, "POST", url, answer.status_code))
    print(f"\nSSO authorization matrix: {tried} requests by {len(OUTSIDERS)} outsiders, {len(crossings)} crossings")
    assert crossings == [], crossings
    assert _state(world) == before


@pytest.mark.parametrize("who", ["kbh", "coordinator"])
def test_the_owner_and_coordinators_read_what_outsiders_cannot(
    world: SsoWorld, browsers: dict[str, tuple[requests.Session, str]], who: str
) -> None:
    browser, _token = browsers[who]
    idp_id, change_id = _secret_idp_id(world), _secret_change_id(world)
    actions = browser.get(world.url + "/api/v1/municipalities/101/actions", timeout=30)
    action_id = actions.json()["items"][0]["id"] if who == "kbh" else 1
    for method, path in _private_operations(world):
        if method != "GET" or (path == "/api/v1/national" and who == "kbh"):
            continue
        if "/actions" in path and who == "coordinator":
            continue  # a municipality's actions are its own: KL sees counts only (tests/functional/test_actions_authz)
        url = _url(world, path, idp_id, change_id, action_id)
        assert browser.get(url, timeout=30).status_code == 200, (who, path)
    page = browser.get(world.url + "/kommuner/101", timeout=30)
    assert page.status_code == 200 and SECRET in page.text


def test_the_owner_writes_through_the_pages(world: SsoWorld, browsers: dict[str, tuple[requests.Session, str]]) -> None:
    browser, token = browsers["kbh"]
    before = _state(world)
    answer = browser.post(world.url + "/kommuner/101/portefoelje", data={"solution": "fmk", "csrf_token": token},
                          allow_redirects=False, timeout=30)  # fmt: skip
    assert answer.status_code in (302, 303), answer.text[:300]
    assert _state(world) != before
