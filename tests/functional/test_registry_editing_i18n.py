"""English is available: the catalog compiles at start-up and covers the interface text of these pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

import tracker
from tracker.i18n import compile_catalogs

PACKAGE = Path(tracker.__file__).parent
CATALOG = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# The pages of accounts, editing and review, and the shared page frame they sit in.
COVERED = [
    path
    for name in (
        "base.html",
        "index.html",
        "solution.html",
        "error.html",
        "_badges.html",
        "_diff.html",
        "_form.html",
        "_history.html",
        "_nav_account.html",
        "_solution_actions.html",
        "_source.html",
        "auth/*.html",
        "edit/*.html",
        "review/*.html",
        "admin/*.html",
    )
    for path in sorted((PACKAGE / "web" / "templates").glob(name))
]
COVERED_PY = [
    "web/forms.py",
    "vocabulary.py",
    "web/edit_format.py",
    "web/form_changes.py",
    "web/guards.py",
    "web/auth_views.py",
    "web/edit_views.py",
    "web/review_views.py",
    "web/admin_views.py",
]


def _msgids() -> set[str]:
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found: set[str] = set()
    for path in COVERED:
        for _, message, _, _ in extract_from_file(
            "jinja2", str(path), keywords=keywords, options={"extensions": "jinja2.ext.i18n"}
        ):
            found.add(message if isinstance(message, str) else message[0])
    for name in COVERED_PY:
        for _, message, _, _ in extract_from_file("python", str(PACKAGE / name), keywords=keywords):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_interface_text_of_these_pages_has_an_english_translation() -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    # A plural entry (ngettext) is keyed by its singular and translated when every form is.
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0]): m.string if isinstance(m.string, str) else all(m.string)
        for m in catalog
        if m.id
    }
    missing = sorted(m for m in _msgids() if not translated.get(m))
    assert not missing, f"untranslated: {missing}"
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy entries are not used"


def test_catalog_compiles_once_and_again_when_it_changes(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(PACKAGE / "translations", source)
    target = tmp_path / "out"
    assert compile_catalogs(source, target) == ["en"]
    mo = target / "en" / "LC_MESSAGES" / "messages.mo"
    first = mo.stat().st_mtime_ns
    assert compile_catalogs(source, target) == ["en"]
    assert mo.stat().st_mtime_ns == first  # unchanged source: not rebuilt
    po = source / "en" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Log in"', 'msgstr "Sign in"', 1), encoding="utf-8")
    compile_catalogs(source, target)
    assert b"Sign in" in mo.read_bytes()


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({"Accept-Language": "en-GB,en;q=0.9"}, "", "Solutions: switch date and required assurance level"),
        ({"Accept-Language": "da"}, "", "TU-løsninger: skæringsdato og krævet sikringsniveau"),
        ({}, "?lang=en", "Solutions: switch date and required assurance level"),
        ({}, "", "TU-løsninger: skæringsdato og krævet sikringsniveau"),
    ],
)
def test_language_from_browser_or_choice(
    client: FlaskClient, headers: dict[str, str], query: str, expected: str
) -> None:
    html = client.get(f"/{query}", headers=headers).get_data(as_text=True)
    assert f"<h1>{expected}</h1>" in html
