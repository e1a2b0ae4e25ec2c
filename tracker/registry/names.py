"""Solution names: their URL slugs and look-alikes.

Slugs come from python-slugify (text-unidecode transliterates other scripts: "電子カルテ" → ``dian-zi-karute``)
with the Danish spellings æ → ae, ø → oe, å → aa; a name with no letters or digits to spell still gets a
slug (``loesning-`` and a digest of the name), never an empty one. A name that mixes scripts inside one word —
"Аula" with a Cyrillic А — is refused: it reads as a name it is not. A name whose look-alike form (each
Cyrillic or Greek letter that looks Latin read as that Latin letter, case and spacing ignored) equals another
solution's name is refused as well, naming that solution.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from slugify import slugify as _slugify

MAX_SLUG = 80
DANISH = [["æ", "ae"], ["Æ", "Ae"], ["ø", "oe"], ["Ø", "Oe"], ["å", "aa"], ["Å", "Aa"]]
# Scripts whose letters are mistaken for one another (Unicode's confusables, the common part of them).
LOOK_ALIKE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})
_HOMOGLYPHS = str.maketrans(
    # Cyrillic
    "АВЕКМНОРСТУХаеорсухіјѕԁԛԝһӏІЈЅ"
    # Greek
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαβεικνορτυχ",
    "ABEKMHOPCTYXaeopcyxijsdqwhlIJSABEZHIKMNOPTYXaBeikvopTuX",
)


def slugify(text: str) -> str:
    """A URL slug from a name: lower-case ASCII letters, digits and hyphens, Danish letters spelt out, other
    scripts transliterated; never empty."""
    slug = _slugify(text, replacements=DANISH, max_length=MAX_SLUG)
    if slug:
        return slug
    digest = hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:8]
    return f"loesning-{digest}"


def _script(char: str) -> str | None:
    """The script a letter belongs to, by its Unicode name's first word (None: not a letter)."""
    if not char.isalpha():
        return None
    return unicodedata.name(char, "").split(" ", 1)[0] or None


def mixed_word(name: str) -> str | None:
    """The first word of ``name`` that mixes look-alike scripts (Latin with Cyrillic or Greek), else None."""
    for word in re.findall(r"\w+", name):
        scripts = {_script(c) for c in word} & LOOK_ALIKE_SCRIPTS
        if len(scripts) > 1:
            return word
    return None


def skeleton(name: str) -> str:
    """The form a reader sees: look-alike letters read as Latin, accents, case and spacing ignored."""
    plain = unicodedata.normalize("NFKC", name).translate(_HOMOGLYPHS)
    return re.sub(r"\s+", " ", plain).strip().casefold()


def look_alike(name: str, others: Iterable[str]) -> str | None:
    """Another name that reads the same as ``name`` but is spelt differently (a homoglyph twin), else None."""
    own = skeleton(name)
    for other in others:
        if other != name and skeleton(other) == own and other.casefold() != name.casefold():
            return other
    return None
