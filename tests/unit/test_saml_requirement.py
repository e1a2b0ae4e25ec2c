"""Without Debian's xmlsec1 the single sign-on tests skip with the reason, and fail under TRACKER_REQUIRE_SAML."""

from __future__ import annotations

import pytest

from tests.support.saml import require_xmlsec


def test_without_xmlsec1_the_saml_tests_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("TRACKER_REQUIRE_SAML", raising=False)
    with pytest.raises(pytest.skip.Exception, match="xmlsec1"):
        require_xmlsec()


def test_under_tracker_require_saml_they_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.setenv("TRACKER_REQUIRE_SAML", "1")
    with pytest.raises(pytest.fail.Exception, match="TRACKER_REQUIRE_SAML"):
        require_xmlsec()
