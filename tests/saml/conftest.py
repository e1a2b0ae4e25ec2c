"""Fixtures of the single sign-on tests: one served app and loopback IdP per module (tests commit for real)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.databases import fresh_database
from tests.support.saml import SsoWorld, require_xmlsec, sso_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SsoWorld]:
    """The app with SP keys on 127.0.0.1, a fresh database, and the IdP it trusts."""
    require_xmlsec()
    directory = tmp_path_factory.mktemp("sso")
    with fresh_database(directory) as url, sso_world(directory, url) as served:
        yield served
