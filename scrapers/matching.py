"""The one matcher every source uses: text units → observations.

``scrapers.pagetext`` turns HTML into units (re-exported here). A *unit* is
the smallest piece of a page a fact can be read from: a sentence of a
paragraph, a list item, a heading, or a table row (kept together with its
header cells). Within one unit we look for known solution names, date
expressions and assurance levels; a unit that names a solution and carries a
date (or a level) yields one observation per (solution, field). Each date or
level goes to the nearest name, preferring names in its own clause ("FMK i
2023, og Aula i 2024"); names joined by "og"/"," share it ("FMK og Aula
skifter …"); each solution then keeps its nearest date and level.

Only solutions the caller knows are reported, except in "name rows" (tables
whose first cell names the solution, like the launch-dates table), where an
unknown name is reported with ``solution_slug`` None so a coordinator sees it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from scrapers.base import LEVEL_PRECISION, Observation, SolutionRef
from scrapers.dates import DateMatch, find_date_matches, parse_date
from scrapers.levels import find_levels, parse_level
from scrapers.pagetext import Unit, clean, extract_units, main_text, page_date

# The unit helpers are part of the matcher's public face (sources and the app use them from here).
__all__ = [
    "EVIDENCE_LIMIT",
    "Mention",
    "SolutionMatcher",
    "Unit",
    "evidence",
    "extract_units",
    "main_text",
    "observe",
    "page_date",
]

EVIDENCE_LIMIT = 300

# Where one clause ends and another (possibly about another solution) begins.
_CLAUSE = re.compile(
    r";|,\s*(?:og|men|mens|samt|hvorimod|hvorefter|and|but|while|whereas)\s|\s(?:mens|hvorimod|while|whereas)\s",
    re.IGNORECASE,
)
_JOINER = re.compile(r"\s*(?:,|og|samt|eller|and|or|&)?\s*(?:og\s+|and\s+)?", re.IGNORECASE)
_DATE_HEADER = re.compile(r"dato|date|tidspunkt|hvornår|frist|skift|when|deadline", re.IGNORECASE)
_LEVEL_HEADER = re.compile(r"niveau|level|loa|sikring|assurance", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A solution name found in text."""

    slug: str
    text: str
    start: int
    end: int


class SolutionMatcher:
    """Finds known solution names and aliases: case-insensitive, whole words, longest alias first."""

    def __init__(self, solutions: Sequence[SolutionRef]) -> None:
        self._slugs: dict[str, str] = {}
        for ref in solutions:
            for name in ref.names:
                self._slugs.setdefault(clean(name).lower(), ref.slug)
        aliases = sorted(self._slugs, key=len, reverse=True)
        body = "|".join(r"\s+".join(re.escape(w) for w in a.split()) for a in aliases)
        # Not inside a host name or e-mail address ("www.sundhed.dk" is a link, not a mention).
        self._pattern = re.compile(rf"(?<![\w.@])(?:{body})(?!\w|\.\w)", re.IGNORECASE) if aliases else None

    def find(self, text: str) -> list[Mention]:
        """All mentions in ``text`` in order."""
        if self._pattern is None:
            return []
        return [Mention(self._slugs[clean(m.group(0)).lower()], m.group(0), m.start(), m.end())
                for m in self._pattern.finditer(text)]  # fmt: skip


def evidence(text: str, lo: int = 0, hi: int = 0, limit: int = EVIDENCE_LIMIT) -> str:
    """``text`` trimmed to ``limit`` characters, keeping the span lo..hi in view."""
    if len(text) <= limit:
        return text
    width = limit - 2  # room for an ellipsis at each end
    hi = min(hi, lo + width)
    start = max(0, min(lo - (width - (hi - lo)) // 2, len(text) - width))
    end = start + width
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


class _Spanned(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


_T = TypeVar("_T", bound=_Spanned)


def _groups(text: str, mentions: Sequence[Mention]) -> list[list[Mention]]:
    """Mentions joined only by "og", "," etc. ("FMK og Aula skifter …") share what follows."""
    groups: list[list[Mention]] = []
    for m in mentions:
        if groups and _JOINER.fullmatch(text[groups[-1][-1].end : m.start]):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def _assign(text: str, groups: Sequence[list[Mention]], items: Sequence[_T]) -> dict[str, tuple[Mention, _T]]:
    """Give each date/level to the nearest group of names, then keep each solution's nearest item.

    Nearness is (crosses a clause boundary, characters between, name after item),
    so in "FMK følger i 2023, og KMD Nexus i 2. halvår 2023" each name gets its own date.
    """
    cuts = [m.start() for m in _CLAUSE.finditer(text)]

    def cost(group: list[Mention], item: _T) -> tuple[bool, int, bool]:
        lo, hi = sorted((group[-1].end, item.start) if item.start >= group[0].start else (item.end, group[0].start))
        return any(lo <= c < hi for c in cuts), max(0, hi - lo), item.start < group[0].start

    best: dict[str, tuple[tuple[bool, int, bool], Mention, _T]] = {}
    for item in items:
        group = min(groups, key=lambda g: cost(g, item))
        c = cost(group, item)
        for m in group:
            if m.slug not in best or c < best[m.slug][0]:
                best[m.slug] = (c, m, item)
    return {slug: (m, item) for slug, (_, m, item) in best.items()}


@dataclass(frozen=True)
class _Where:
    """Everything an observation needs besides the fact itself."""

    source: str
    slug: str | None
    solution_text: str
    evidence: str
    url: str

    def date(self, match: DateMatch) -> Observation:
        iv = match.interval
        return Observation(
            self.source,
            self.slug,
            self.solution_text,
            "switch_date",
            iv.earliest.isoformat(),
            iv.latest.isoformat(),
            iv.precision,
            self.evidence,
            self.url,
        )

    def level(self, level: str) -> Observation:
        return Observation(
            self.source,
            self.slug,
            self.solution_text,
            "required_loa",
            level,
            None,
            LEVEL_PRECISION,
            self.evidence,
            self.url,
        )


def _prose(unit: Unit, matcher: SolutionMatcher, ctx: date | None, source: str, url: str) -> list[Observation]:
    text = unit.text
    mentions = matcher.find(text)
    if not mentions:
        return []
    groups = _groups(text, mentions)
    dates = _assign(text, groups, find_date_matches(text, context_date=ctx))
    levels = _assign(text, groups, find_levels(text))
    out: list[Observation] = []
    for slug in dict.fromkeys(m.slug for m in mentions):
        if slug in dates:
            m, d = dates[slug]
            ev = evidence(text, min(m.start, d.start), max(m.end, d.end))
            out.append(_Where(source, slug, m.text, ev, url).date(d))
        if slug in levels:
            m, lv = levels[slug]
            ev = evidence(text, min(m.start, lv.start), max(m.end, lv.end))
            out.append(_Where(source, slug, m.text, ev, url).level(lv.level))
    return out


def _first_date(cells: Iterable[str], ctx: date | None) -> DateMatch | None:
    for cell in cells:
        whole = parse_date(cell, context_date=ctx)
        if whole is not None:
            return DateMatch(0, len(cell), whole)
        found = find_date_matches(cell, context_date=ctx)
        if found:
            return found[0]
    return None


def _first_level(pairs: Iterable[tuple[str, str]]) -> str | None:
    for header, cell in pairs:
        level = parse_level(cell)
        found = find_levels(f"{header}: {cell}")
        if level or found:
            return level or found[0].level
    return None


def _name_row(unit: Unit, matcher: SolutionMatcher, ctx: date | None, source: str, url: str) -> list[Observation]:
    name = unit.cells[0][1]
    mentions = matcher.find(name)
    rest = unit.cells[1:]
    dated = [v for h, v in rest if _DATE_HEADER.search(h)]
    levelled = [(h, v) for h, v in rest if _LEVEL_HEADER.search(h)]
    if not dated and not levelled:  # no usable header: read the other cells as prose
        dated = [v for _, v in rest]
        levelled = [("", " | ".join(dated))]
    where = _Where(source, mentions[0].slug if mentions else None, name, evidence(unit.text), url)
    out: list[Observation] = []
    match = _first_date(dated, ctx)
    if match is not None:
        out.append(where.date(match))
    level = _first_level(levelled)
    if level is not None:
        out.append(where.level(level))
    return out


def observe(
    units: Sequence[Unit],
    solutions: Sequence[SolutionRef],
    *,
    source: str,
    url: str,
    context_date: date | None = None,
    name_rows: bool = False,
) -> list[Observation]:
    """Observations from ``units``; ``context_date`` supplies the year for year-less dates.

    With ``name_rows`` a table row's first cell is taken as the solution's name
    (reported with slug None when the name is unknown).
    """
    matcher = SolutionMatcher(solutions)
    out: list[Observation] = []
    for unit in units:
        if name_rows and unit.kind == "row" and unit.cells and unit.cells[0][1]:
            found = _name_row(unit, matcher, context_date, source, url)
        else:
            found = _prose(unit, matcher, context_date, source, url)
        out += [o for o in found if o not in out]
    return out
