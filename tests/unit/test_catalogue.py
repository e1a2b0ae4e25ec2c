"""Every interface text the code and templates mark for translation has its English in the catalogue: a new
message written in Danish only would otherwise show in Danish on English pages, mail and API answers."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2] / "tracker"
CATALOG = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "N_": None,
    "translated": None,
}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def _english() -> dict[str, bool]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    found: dict[str, bool] = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found[key] = all(strings)
    return found


def test_every_marked_text_has_its_english() -> None:
    english = _english()
    untranslated = set()
    for filename, line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}}
    ):
        key = message if isinstance(message, str) else message[0]
        if key and not english.get(key):
            untranslated.add(f"{filename}:{line}: {key}")
    assert not untranslated, sorted(untranslated)
