"""Single sign-on test harness: the app with SP keys served on 127.0.0.1, the loopback IdP trusted by it,
and a browser-like ``requests`` session that walks the real HTTP flow (SP → IdP → SP).

The SAML tests skip without Debian's ``xmlsec1``, unless ``TRACKER_REQUIRE_SAML=1`` (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from tests.support.apps import make_test_app, migrate_and_seed, serving
from tests.support.saml_idp import Faults, LoopbackIdp, Person, form_fields, loopback_idp
from tests.support.saml_keys import make_pair
from tracker.db import get_db
from tracker.models import Organisation, SamlAssertionSeen, User, UserSession
from tracker.saml import idps

KL_PRIVILEGE = "https://tu-tracker.kl.dk/rettigheder/koordinator"


def require_xmlsec() -> None:
    """Skip without xmlsec1 (fail when TRACKER_REQUIRE_SAML is set)."""
    if shutil.which("xmlsec1"):
        return
    reason = "xmlsec1 (Debian package xmlsec1) is not installed"
    if os.environ.get("TRACKER_REQUIRE_SAML"):
        pytest.fail(reason + " (TRACKER_REQUIRE_SAML is set)")
    pytest.skip(reason)


def cvr_from(prefix: int) -> str:
    """A valid CVR number (modulus 11) built from a 7-digit prefix; the next prefix when none exists."""
    weights = (2, 7, 6, 5, 4, 3, 2)
    while True:
        digits = [int(d) for d in f"{prefix:07d}"]
        check = (-sum(d * w for d, w in zip(digits, weights, strict=True))) % 11
        if check < 10 and digits[0] != 0:
            return f"{prefix:07d}{check}"
        prefix += 1


# Organisations' CVRs in the tests (made up, valid by modulus 11, not a municipality's).
KL_CVR = cvr_from(9100001)
KMD_CVR = cvr_from(9200001)
REGION_CVR = cvr_from(9300001)
NETCOMPANY_CVR = cvr_from(9500001)  # an organisation the test IdP may not vouch for
UNMAPPED_CVR = cvr_from(9400001)  # the IdP may vouch for it, but it is no municipality's or organisation's
KBH_CVR = "64942212"  # Københavns Kommune, from the shipped list
AARHUS_CVR = "55133018"  # Aarhus Kommune, from the shipped list


@dataclass
class SsoWorld:
    """The served app, its base URL, the IdP, and its row id."""

    app: Flask
    url: str
    idp: LoopbackIdp
    idp_id: int
    keys_dir: Path

    def unit_of_work(self) -> Any:
        """A committed transaction on the server's database."""
        return get_db(self.app).unit_of_work()

    def counts(self) -> tuple[int, int, int]:
        """Users, sessions and remembered assertions: what a refusal must not add to."""
        with self.unit_of_work() as s:
            return (
                s.scalar(select(func.count(User.id))) or 0,
                s.scalar(select(func.count(UserSession.id))) or 0,
                s.scalar(select(func.count()).select_from(SamlAssertionSeen)) or 0,
            )

    def login(
        self, person: Person, faults: Faults | None = None, *, browser: requests.Session | None = None
    ) -> tuple[requests.Session, requests.Response]:
        """Walk SP → IdP → SP through real HTTP; returns the browser and the SP's answer to the POST."""
        browser = browser or requests.Session()
        fields = self.idp_answer(person, faults, browser=browser)
        return browser, self.post(browser, fields)

    def idp_answer(self, person: Person, faults: Faults | None = None, *, browser: requests.Session) -> dict[str, str]:
        """Start a login at the SP and let the IdP answer: the form fields it would post back."""
        start = browser.get(f"{self.url}/saml/login?idp={self.idp_id}", allow_redirects=False, timeout=30)
        assert start.status_code == 302, start.text[:500]
        self.idp.person, self.idp.faults = person, faults or Faults()
        form = browser.get(start.headers["Location"], timeout=30)
        assert form.status_code == 200, form.text[:500]
        return form_fields(form.text)

    def post(
        self,
        browser: requests.Session,
        fields: dict[str, str],
        *,
        lang: str | None = None,
        cookies: dict[str, str] | None = None,
    ) -> requests.Response:
        """Post the IdP's answer to the assertion consumer service (as the browser would)."""
        suffix = f"?lang={lang}" if lang else ""
        return browser.post(
            f"{self.url}/saml/acs{suffix}", data=fields, cookies=cookies, allow_redirects=False, timeout=30
        )


def person(cvr: str, *, loa: str = "Substantial", **kwargs: Any) -> Person:
    """A new person (fresh UUID and e-mail) of the organisation with this CVR."""
    ident = uuid.uuid4().hex[:12]
    return Person(uuid=f"urn:uuid:{uuid.uuid4()}", cvr=cvr, email=f"p-{ident}@example.dk", loa=loa, **kwargs)


@contextmanager
def sso_world(directory: Path, database_url: str, **config: Any) -> Iterator[SsoWorld]:
    """The app on a fresh database with SP keys, served; the loopback IdP trusted for the test organisations."""
    keys_dir = directory / "keys"
    signing, encryption = make_pair(keys_dir, "sp-signing"), make_pair(keys_dir, "sp-encryption")
    settings = {
        "SERVER_NAME": None,
        "SAML_SIGNING_KEY": signing.key_file,
        "SAML_SIGNING_CERT": signing.cert_file,
        "SAML_ENCRYPTION_KEY": encryption.key_file,
        "SAML_ENCRYPTION_CERT": encryption.cert_file,
        "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "WEBHOOK_REQUIRE_HTTPS": False,
        "SAML_COORDINATOR_PRIVILEGE": KL_PRIVILEGE,
        **config,
    }
    app = make_test_app(migrate_and_seed(database_url), **settings)
    with serving(app) as url:
        app.config["BASE_URL"] = url
        with loopback_idp(directory / "idp", url + "/saml/metadata") as idp:
            with get_db(app).unit_of_work() as s:
                orgs = {o.slug: o for o in s.scalars(select(Organisation))}
                orgs["kl"].cvr, orgs["kmd"].cvr, orgs["netcompany"].cvr = KL_CVR, KMD_CVR, NETCOMPANY_CVR
                region = Organisation(slug="region-oestdanmark", name="Region Østdanmark", kind="authority",
                                      cvr=REGION_CVR)  # fmt: skip
                s.add(region)
                admin = s.scalar(select(User).where(User.role == "admin"))
                assert admin is not None
                metadata = idps.fetch_metadata(app.config, idp.base_url + "/metadata")
                row = idps.add_idp(
                    s,
                    metadata_xml=metadata,
                    metadata_url=idp.base_url + "/metadata",
                    cvrs=[KL_CVR, KMD_CVR, REGION_CVR, UNMAPPED_CVR],
                    all_municipalities=True,
                    name="Test-IdP",
                    actor=admin,
                )
                idp_id = row.id
            try:
                yield SsoWorld(app=app, url=url, idp=idp, idp_id=idp_id, keys_dir=keys_dir)
            finally:
                get_db(app).engine.dispose()
