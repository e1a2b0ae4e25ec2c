"""NSIS assurance levels (sikringsniveauer) in Danish and English text → ``lav|betydelig|hoej``.

The level words are ordinary words too ("Lav en bruger", "en betydelig
forbedring", "high availability"), so in running text a word only counts next
to an assurance keyword: "sikringsniveau Betydelig", "NSIS-niveau Høj",
"betydeligt sikringsniveau", "LoA Substantial", ".../nsis/loa/Substantial".
NSIS levels have names, not numbers: in running text a number never makes a
level ("Assurance Level 2/3" is Unilogin's/OIOSAML 2's pre-NSIS scale). Only a
cell read as one level ("sikringsniveau 3", "NSIS niveau 4") maps numbers the
Digst/KOMBIT way (2 = lav, 3 = betydelig, 4 = høj), and never next to
"Assurance Level n", Unilogin, OIOSAML 2 or OCES.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = ("lav", "betydelig", "hoej")

_WORD_LEVEL = {
    "lav": "lav", "lavt": "lav", "low": "lav",
    "betydelig": "betydelig", "betydeligt": "betydelig", "substantial": "betydelig",
    "høj": "hoej", "højt": "hoej", "hoej": "hoej", "hoejt": "hoej", "high": "hoej",
}  # fmt: skip
_NUMBER_LEVEL = {"2": "lav", "3": "betydelig", "4": "hoej"}

_WORDS = "|".join(sorted(_WORD_LEVEL, key=len, reverse=True))
_VALUE = rf"(?P<w>{_WORDS})(?![\w])|(?P<n>[234])(?!\w|[.,]\d)"
_STRONG = (
    r"(?:nsis[-\s]?(?:sikrings)?niveau(?:et)?|nsis[-\s/]?loa|nsis|sikringsniveau(?:et)?|"
    r"sikkerhedsniveau(?:et)?|assurance[-\s]?level|level\s+of\s+assurance|loa|authnlevel)"
)
_LINK = r"\s*(?:[:=/]|\s(?:er|is|på|of|niveau|level)\s|\s)?\s*"
_CONTEXT = re.compile(r"nsis|sikrings|sikkerhedsniveau|assurance|\bloa\b", re.IGNORECASE)

# "sikringsniveau Betydelig", "NSIS 3", "loa/Substantial", "sikringsniveauet er høj"
_AFTER_STRONG = re.compile(rf"(?<![\w])(?P<kw>{_STRONG}){_LINK}(?:{_VALUE})", re.IGNORECASE)
# "betydeligt sikringsniveau", "Substantial assurance level"
_BEFORE_KEYWORD = re.compile(
    rf"(?<![\w])(?P<w>{_WORDS})\s+(?:nsis[-\s]?)?(?:sikringsniveau|sikkerhedsniveau|assurance\s+level|loa)",
    re.IGNORECASE,
)
# "niveau 3", "på niveau Betydelig" — only with context elsewhere in the text.
_AFTER_WEAK = re.compile(rf"(?<![\w])(?:niveau(?:et)?|level){_LINK}(?:{_VALUE})", re.IGNORECASE)
_BARE = re.compile(rf"(?<![\w])(?:{_VALUE})", re.IGNORECASE)

# Words that may surround a level in a table cell without making it prose.
_FILLER = {
    "forventet", "forventeligt", "forventes", "expected", "minimum", "mindst", "min", "kræver", "krav",
    "p.t.", "pt", "nsis", "niveau", "sikringsniveau", "level", "loa", "eller", "højere", "or", "higher",
    "og", "opefter", "and", "above", "er", "is", "på", "at", "bekræftet", "confirmed", "-", "–",
}  # fmt: skip


@dataclass(frozen=True)
class LevelMention:
    """A level found in text: the normalised level and the words it was read from."""

    level: str
    text: str
    start: int
    end: int


def _level_of(m: re.Match[str]) -> str:
    if m.group("w"):
        return _WORD_LEVEL[m.group("w").lower()]
    return _NUMBER_LEVEL[m.group("n")]


_NUMBERED = re.compile(r"nsis|sikringsniveau", re.IGNORECASE)
_PRE_NSIS = re.compile(r"assurance[-\s]?level\s*[1-4]|uni-?login|oiosaml\s*2|oces2?\b", re.IGNORECASE)


def find_levels(text: str, *, assume_context: bool = False) -> list[LevelMention]:
    """All assurance-level mentions in ``text``, in order, without overlaps.

    With ``assume_context`` (the caller knows the text is about assurance, e.g.
    a "Sikringsniveau" table cell) bare level words and "niveau 3" also count;
    bare digits never do.
    """
    weak = assume_context or bool(_CONTEXT.search(text))
    return _find(text, bare_words=assume_context, weak=weak, numbers=False)


def _find(text: str, *, bare_words: bool, weak: bool, numbers: bool = True) -> list[LevelMention]:
    patterns = [_AFTER_STRONG, _BEFORE_KEYWORD]
    if weak:
        patterns.append(_AFTER_WEAK)
    found: list[LevelMention] = []
    for pattern in patterns:
        found += [LevelMention(_level_of(m), m.group(0), m.start(), m.end()) for m in pattern.finditer(text)]
    if bare_words:
        found += [
            LevelMention(_level_of(m), m.group(0), m.start(), m.end()) for m in _BARE.finditer(text) if m.group("w")
        ]
    if not numbers:
        found = [f for f in found if not re.search(r"[234]$", f.text)]
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    result: list[LevelMention] = []
    for mention in found:
        if not result or mention.start >= result[-1].end:
            result.append(mention)
    return result


def parse_level(text: str) -> str | None:
    """Read ``text`` as one level expression ("Betydelig", "NSIS-niveau Høj", "sikringsniveau 3").

    Bare level words count (the caller says this is a level); "niveau 3" only
    with an NSIS/sikrings-/assurance keyword in the text. Returns None for
    prose, for text naming two different levels, or for no level.
    """
    numbers = bool(_NUMBERED.search(text)) and not _PRE_NSIS.search(text)
    mentions = _find(text, bare_words=True, weak=bool(_CONTEXT.search(text)), numbers=numbers)
    levels = {m.level for m in mentions}
    if len(levels) != 1:
        return None
    rest = text
    for m in reversed(mentions):
        rest = rest[: m.start] + " " + rest[m.end :]
    rest = re.sub(r"[()\[\],;:!?\"']", " ", rest)
    if any(word.lower().rstrip(".") not in _FILLER and word.lower() not in _FILLER for word in rest.split()):
        return None
    return levels.pop()
