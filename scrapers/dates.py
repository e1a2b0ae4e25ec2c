"""Danish (and some English) date and period expressions, parsed into intervals.

A switch date is rarely a day: "ultimo 2023", "Q2 2024", "efteråret 2022". Every
expression becomes a ``DateInterval`` (earliest day, latest day, precision, the
original words). Period conventions (primo/medio/ultimo, seasons, halves) are
documented in ``scrapers._vocab``.

Choices worth knowing:

* Year-less expressions ("Den 17. oktober", "31/10", "uge 8") take the year of
  ``context_date`` (the page's own date); without a context they yield nothing.
* "3. og 24. april 2023": ``find_dates`` returns both days; ``parse_date`` returns
  the span 3–24 April with precision ``day`` (each end is an exact day).
* Day ranges ("24.-25. august 2023") are one interval with precision ``day``.
  "fra oktober 2022 og frem mod juni 2023" and "A – B" become one span with the
  coarser precision of the two ends.
* A bare year counts in running text only after a cue word ("i 2023",
  "I løbet af 2022", "senest 2024"), so "version 2023.05" is never a date.
* Impossible dates ("31. februar 2023", "32-01-2022") yield nothing, and they are
  not re-read as something shorter (no "februar 2023" out of "31. februar 2023").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from scrapers import _vocab as v
from scrapers._date_patterns import _YEAR, PATTERNS, NoDateError

PRECISIONS = ("day", "week", "month", "quarter", "season", "half", "year", "unknown")


@dataclass(frozen=True)
class DateInterval:
    """A calendar interval read from text; ``text`` holds the words it was read from."""

    earliest: date
    latest: date
    precision: str
    text: str

    def __post_init__(self) -> None:
        if self.earliest > self.latest or self.precision not in PRECISIONS:
            raise ValueError(f"invalid interval {self!r}")


@dataclass(frozen=True)
class DateMatch:
    """A ``DateInterval`` together with where it was found in the scanned text."""

    start: int
    end: int
    interval: DateInterval


_BARE_YEAR = re.compile(rf"{_YEAR}", re.IGNORECASE)
_VERSION_BEFORE = re.compile(r"(?:\bv|\bver|\bversion|\bversionen)\.?\s*$", re.IGNORECASE)
_WEEKDAY = (
    r"(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)"
)
# "A – B", "A kl. 20.00 til lørdag B"
_RANGE_GAP = re.compile(
    r"(?:\s*(?:kl\.?|klokken|at)\s*\d{1,2}(?:[.:]\d\d)?)?"
    rf"\s*(?:[-–—]|til\s+og\s+med|til|to|until|(?:og\s+)?frem\s+(?:mod|til))\s*(?:{_WEEKDAY}\s+)?",
    re.IGNORECASE,
)
# "Efter den 30. juni" is read strictly: the day after.
_AFTER_BEFORE = re.compile(r"(?:^|(?<=\W))(?:efter|after)\s*$", re.IGNORECASE)
_BETWEEN_GAP = re.compile(r"\s*(?:og|and)\s*", re.IGNORECASE)
_FROM_BEFORE = re.compile(r"(?:^|(?<=\W))(?P<cue>fra|from|mellem|between|i\s+perioden)\s*$", re.IGNORECASE)
# "Skubbet fra 2023-1 til 2023-2", "udskudt fra 1. marts til 1. september": a postponement, whose date is the new one.
_MOVED_BEFORE = re.compile(
    r"(?<!\w)(?:skubbe[st]?|skubbet|udskyde[st]?|udskudt|udsat|udsættes|flytte[st]?|flyttet|rykke[st]?|rykket|"
    r"forsinke[st]?|forsinket|postponed|moved|delayed)(?:\s+\w+){0,2}\s+(?:fra|from)\s*$",
    re.IGNORECASE,
)
_ORDER = {p: i for i, p in enumerate(PRECISIONS)}


@dataclass
class _Cand:
    start: int
    end: int
    spans: list[v.Span] | None  # None: looked like a date but is not one


def _candidates(text: str, ctx: date | None) -> list[_Cand]:
    found: list[_Cand] = []
    for pattern, build in PATTERNS:
        for m in pattern.finditer(text):
            spans: list[v.Span] | None
            try:
                spans = build(m, ctx)
            except (NoDateError, ValueError, KeyError):
                spans = None
            if text[m.start()].isdigit() and _VERSION_BEFORE.search(text, max(0, m.start() - 12), m.start()):
                spans = None
            found.append(_Cand(m.start(), m.end(), spans))
    # Leftmost, then longest wins; an invalid candidate still claims its words so
    # "31. februar 2023" is not re-read as "februar 2023".
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    chosen: list[_Cand] = []
    for cand in found:
        if not chosen or cand.start >= chosen[-1].end:
            chosen.append(cand)
    return [_moved(text, _after(text, c), ctx) for c in _merge_ranges(text, [c for c in chosen if c.spans])]


_LAST_GAP = re.compile(r"(?:\btil\b|\bto\b|–|—|-)(?!.*(?:\btil\b|\bto\b|–|—|-))", re.IGNORECASE | re.DOTALL)


def _moved(text: str, cand: _Cand, ctx: date | None) -> _Cand:
    """A range read as one expression after "udskudt fra" ("fra 1. marts til 1. september 2024") is B."""
    spans = cand.spans or []
    if len(spans) != 1 or not _MOVED_BEFORE.search(text, max(0, cand.start - 40), cand.start):
        return cand
    inner = text[cand.start : cand.end]
    cut = _LAST_GAP.search(inner)
    if cut is None:
        return cand
    tail = inner[cut.end() :].strip()
    found = _candidates(tail, ctx) if tail else []
    if len(found) == 1 and found[0].spans and len(found[0].spans) == 1:
        return _Cand(cand.start, cand.end, found[0].spans)
    return cand


def _after(text: str, cand: _Cand) -> _Cand:
    """A single day right after "efter" moves one day on: "Efter den 30. juni" is 1 July."""
    spans = cand.spans or []
    single_day = len(spans) == 1 and spans[0][2] == "day" and spans[0][0] == spans[0][1]
    if single_day and _AFTER_BEFORE.search(text, max(0, cand.start - 8), cand.start):
        day = spans[0][0] + timedelta(days=1)
        return _Cand(cand.start, cand.end, [(day, day, "day")])
    return cand


def _merge_ranges(text: str, cands: list[_Cand]) -> list[_Cand]:
    """Join "fra A til B", "A – B", "mellem A og B" into one span."""
    out: list[_Cand] = []
    for cand in cands:
        prev = out[-1] if out else None
        if prev is not None and prev.spans and cand.spans and len(prev.spans) == 1 and len(cand.spans) == 1:
            gap = text[prev.end : cand.start]
            before = _FROM_BEFORE.search(text, 0, prev.start)
            is_between = before is not None and before.group("cue").lower() in ("mellem", "between")
            joined = _RANGE_GAP.fullmatch(gap) or (is_between and _BETWEEN_GAP.fullmatch(gap))
            (a0, a1, ap), (b0, b1, bp) = prev.spans[0], cand.spans[0]
            if joined and before is not None and _MOVED_BEFORE.search(text, max(0, prev.start - 40), prev.start):
                out[-1] = _Cand(before.start("cue"), cand.end, cand.spans)
                continue
            if joined and a0 <= b1:
                precision = max(ap, bp, key=_ORDER.__getitem__)
                start = before.start("cue") if before else prev.start
                out[-1] = _Cand(start, cand.end, [(min(a0, b0), max(a1, b1), precision)])
                continue
        out.append(cand)
    return out


def find_date_matches(text: str, *, context_date: date | None = None) -> list[DateMatch]:
    """All date expressions in running text, with their positions, in text order."""
    matches: list[DateMatch] = []
    for cand in _candidates(text, context_date):
        words = " ".join(text[cand.start : cand.end].split())
        for first, last, precision in cand.spans or ():
            matches.append(DateMatch(cand.start, cand.end, DateInterval(first, last, precision, words)))
    return matches


def find_dates(text: str, *, context_date: date | None = None) -> list[DateInterval]:
    """All date expressions inside running prose; ``text`` of each is the words matched."""
    return [m.interval for m in find_date_matches(text, context_date=context_date)]


_LEADING = re.compile(
    r"^(?:pr\.|per|d\.|den|fra(?:\s+og\s+med)?|til\s+og\s+med|t\.o\.m\.|indtil|siden|since|i\s+løbet\s+a[ft]|senere\s+i|tidligere\s+i|helt\s+til|inden\s+for|"
    r"i|senest|inden|efter|tidligst|forventet(?:vis)?|forventeligt|mellem|between|"
    r"ca\.|cirka|omkring|ved|by|from|on|in|until|til|frem\s+(?:mod|til)|around|approx\.|the|"
    r"mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?:\s+|(?<=\.)(?=\d))",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"(?:\s*\([^()]*\)|[\s.,;:!?]|\s*(?:kl\.?|klokken)\s*\d{1,2}(?:[.:]\d\d)?(?:\s*[-–]\s*\d{1,2}(?:[.:]\d\d)?)?|"
    r"T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)+$",
    re.IGNORECASE,
)


def _parse_whole(text: str, ctx: date | None) -> list[v.Span] | None:
    if _BARE_YEAR.fullmatch(text):
        return [v.months_span(int(text), 1, 12, "year")]
    cands = _candidates(text, ctx)
    if len(cands) == 1 and cands[0].start == 0 and cands[0].end == len(text):
        return cands[0].spans
    return None


def parse_date(text: str, *, context_date: date | None = None) -> DateInterval | None:
    """Parse ``text`` as one date expression; leading words like "pr.", "den", "fra", "senest" are tolerated.

    Returns None when the text is not (only) a date expression, names an
    impossible date, or needs a year and ``context_date`` is None.
    """
    original = " ".join(text.split())
    rest = original
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    rest = base = _TRAILING.sub("", rest)
    while rest:
        spans = _parse_whole(rest, context_date)
        if spans and rest != base and len(spans) == 1:
            spans = _after(base, _Cand(len(base) - len(rest), len(base), spans)).spans or spans
        if spans:
            first = min(s[0] for s in spans)
            last = max(s[1] for s in spans)
            precision = spans[0][2] if len(spans) == 1 else "day"
            return DateInterval(first, last, precision, original)
        stripped = _LEADING.sub("", rest, count=1)
        if stripped == rest:
            break
        rest = stripped
    return _joined(base, context_date, original)


# What may stand between the dates of one phrase that is read as their span ("i slutningen af 2023 eller starten af
# 2024", "3. (test) og 24. april 2023").
_JOINING = re.compile(
    r"(?:[\s,;/()–—-]|\b(?:og|eller|samt|til|i|fra|senest|inden|mellem|hhv|henholdsvis|evt|eventuelt|alternativt|"
    r"and|or|to|in|from)\b|\.)*",
    re.IGNORECASE,
)


def _joined(text: str, ctx: date | None, original: str) -> DateInterval | None:
    """Several date expressions making up the whole phrase: their span, at the coarsest precision of them.

    So ``parse_date`` reads every phrase ``find_dates`` reads, as the span of what it finds.
    """
    matches = find_date_matches(text, context_date=ctx)
    if len(matches) < 2:
        return None
    pos = 0
    for m in sorted(matches, key=lambda m: m.start):
        if m.start > pos and not _JOINING.fullmatch(text, pos, m.start):
            return None
        pos = max(pos, m.end)
    if pos < len(text) and not _JOINING.fullmatch(text, pos):
        return None
    first = min(m.interval.earliest for m in matches)
    last = max(m.interval.latest for m in matches)
    precision = max((m.interval.precision for m in matches), key=_ORDER.__getitem__)
    return DateInterval(first, last, precision, original)
