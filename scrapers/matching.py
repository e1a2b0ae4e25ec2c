"""The one matcher every source uses: HTML → text units → observations.

A *unit* is the smallest piece of a page a fact can be read from: a sentence of
a paragraph, a list item, a heading, or a table row (kept together with its
header cells). Within one unit we look for known solution names, date
expressions and assurance levels; a unit that names a solution and carries a
date (or a level) yields one observation per (solution, field). The date or
level nearest to the solution's name wins when a unit has several.

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

from bs4 import BeautifulSoup, Tag
from bs4.element import CData, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

from scrapers.base import LEVEL_PRECISION, LayoutChanged, Observation, SolutionRef
from scrapers.dates import DateMatch, find_date_matches, parse_date
from scrapers.levels import find_levels, parse_level

EVIDENCE_LIMIT = 300

_SKIP = {
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg",
    "iframe", "button", "select", "head", "title", "meta", "link", "object", "canvas",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {
    "p", "div", "section", "article", "main", "blockquote", "figure", "figcaption", "address",
    "details", "summary", "dl", "dt", "dd", "pre", "body", "html", "center", "fieldset", "hgroup",
}  # fmt: skip
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction, CData)
# Abbreviations after which a full stop does not end a Danish sentence.
_ABBREVIATIONS = {
    "d", "pr", "kl", "nr", "bl.a", "f.eks", "ca", "jf", "mv", "m.m", "evt", "inkl", "ekskl", "hhv",
    "dvs", "osv", "etc", "vedr", "tlf", "st", "stk", "v", "ver", "okt", "nov", "dec", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "mht", "iht", "e.g", "i.e", "no", "vs", "dr",
    "hr", "fr", "p.t", "ift", "iflg",
}  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“(]?[A-ZÆØÅ0-9])")
_DATE_LINE_PREFIX = re.compile(
    r"^(?:nyhed,?\s*)?(?:(?:denne\s+side\s+er\s+)?(?:senest|sidst)\s+(?:opdateret|redigeret)|"
    r"offentliggjort|publiceret|opdateret|udgivet|published|updated)(?:\s+den)?\s*:?\s*",
    re.IGNORECASE,
)
_HTML_TAG = re.compile(r"<(?:html|body|main|div|p|h1|table|ul|article)\b", re.IGNORECASE)
_DATE_HEADER = re.compile(r"dato|date|tidspunkt|hvornår|frist|skift|when|deadline", re.IGNORECASE)
_LEVEL_HEADER = re.compile(r"niveau|level|loa|sikring|assurance", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """One piece of a page's main text. ``cells`` holds (header, value) pairs for table rows."""

    text: str
    kind: str  # "heading" | "sentence" | "item" | "row"
    cells: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Mention:
    """A solution name found in text."""

    slug: str
    text: str
    start: int
    end: int


def clean(text: str) -> str:
    """Collapse whitespace (incl. no-break spaces) and drop soft hyphens and zero-width characters."""
    return " ".join(re.sub("[\u00ad\u200b\u200c\u200d\ufeff]", "", text).split())


def parse_html(html: str) -> BeautifulSoup:
    """Parse HTML leniently; never raises on junk (falls back to the stdlib parser)."""
    try:
        return BeautifulSoup(html, "lxml")
    except Exception:  # lxml rejects some junk outright; the stdlib parser takes anything
        return BeautifulSoup(html, "html.parser")


def main_element(soup: BeautifulSoup) -> Tag:
    """The element holding the page's main content (main → role=main → article → body)."""
    for selector in ("main", "[role=main]", "article", "#content", "#main", "body"):
        found = soup.select_one(selector)
        if found is not None:
            return found
    return soup


def load_main(html: str, *, source: str, url: str) -> Tag:
    """The main element of ``html``; LayoutChanged when ``html`` is not an HTML page at all."""
    if "\x00" in html or not _HTML_TAG.search(html):
        raise LayoutChanged(f"{source}: {url} did not return an HTML page")
    return main_element(parse_html(html))


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, not at "d. 1. marts", "kl. 20.00" or "bl.a. Aula"."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        words = text[start : m.start()].split()
        last = words[-1].lower().rstrip(".") if words else ""
        if last in _ABBREVIATIONS or re.fullmatch(r"\d{1,2}", last):
            continue
        out.append(text[start : m.end()].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _hidden(el: Tag) -> bool:
    style = str(el.get("style") or "").replace(" ", "").lower()
    return el.has_attr("hidden") or el.get("aria-hidden") == "true" or "display:none" in style


class _Walker:
    """Collects units in document order; inline text is buffered until a block boundary."""

    def __init__(self) -> None:
        self.units: list[Unit] = []
        self.buffer: list[str] = []
        self.kind = "sentence"

    def flush(self) -> None:
        text = clean("".join(self.buffer))
        self.buffer = []
        if not text:
            return
        pieces = split_sentences(text) if self.kind == "sentence" else [text]
        self.units += [Unit(p, self.kind) for p in pieces]

    def block(self, el: Tag, kind: str) -> None:
        self.flush()
        saved, self.kind = self.kind, kind
        self.walk(el)
        self.flush()
        self.kind = saved

    def walk(self, el: Tag) -> None:
        for child in el.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, _NOT_TEXT):
                    self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in _SKIP or _hidden(child):
                continue
            if child.name == "br":
                self.flush()
            elif child.name == "table":
                self.flush()
                self.units += _table_units(child)
            elif child.name in ("ul", "ol"):
                self.flush()
                for item in child.find_all("li", recursive=False):
                    self.block(item, "item")
            elif child.name in _HEADINGS:
                self.block(child, "heading")
            elif child.name == "li":
                self.block(child, "item")
            elif child.name in _BLOCKS:
                self.block(child, self.kind)
            else:  # inline element: its text joins the running sentence
                self.walk(child)


def _table_units(table: Tag) -> list[Unit]:
    units: list[Unit] = []
    header: list[str] = []
    caption = table.find("caption")
    if isinstance(caption, Tag):
        units.append(Unit(clean(caption.get_text(" ")), "heading"))
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue  # a row of a nested table
        cells = [c for c in row.find_all(["td", "th"], recursive=False) if isinstance(c, Tag)]
        texts = [clean(c.get_text(" ")) for c in cells]
        if not any(texts):
            continue
        if not header and (all(c.name == "th" for c in cells) or row.find_parent("thead") is not None):
            header = texts
            units.append(Unit(" | ".join(texts), "heading"))
            continue
        names = header if len(header) == len(texts) else [""] * len(texts)
        pairs = tuple(zip(names, texts, strict=True))
        text = " | ".join(f"{h}: {t}" if h else t for h, t in pairs if t)
        units.append(Unit(text, "row", pairs))
    return units


def extract_units(root: Tag) -> list[Unit]:
    """Units of ``root`` in document order, skipping navigation, scripts and hidden elements."""
    walker = _Walker()
    walker.block(root, "sentence")
    return walker.units


def main_text(html: str) -> str:
    """The readable main text of a page, one unit (sentence, list item, table row) per line."""
    return "\n".join(u.text for u in extract_units(main_element(parse_html(html))))


def page_date(root: Tag, units: Sequence[Unit]) -> date | None:
    """The page's own date: a ``<time datetime>`` or an early unit that is only a date ("12-05-2022")."""
    time_tag = root.find("time", attrs={"datetime": True})
    if isinstance(time_tag, Tag):
        try:
            return date.fromisoformat(str(time_tag["datetime"])[:10])
        except ValueError:
            pass  # a malformed attribute; fall back to the visible text
    for unit in units[:8]:
        interval = parse_date(_DATE_LINE_PREFIX.sub("", unit.text.split(" · ")[0]))
        if interval is not None and interval.precision == "day":
            return interval.earliest
    return None


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


def _nearest(mentions: Sequence[Mention], items: Sequence[_T]) -> tuple[Mention, _T]:
    def distance(pair: tuple[Mention, _T]) -> tuple[int, int]:
        m, f = pair
        gap = max(0, f.start - m.end, m.start - f.end)
        return gap, 0 if f.start >= m.start else 1  # on a tie, prefer what follows the name

    return min(((m, f) for m in mentions for f in items), key=distance)


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
        return Observation(self.source, self.slug, self.solution_text, "switch_date", iv.earliest.isoformat(),
                           iv.latest.isoformat(), iv.precision, self.evidence, self.url)  # fmt: skip

    def level(self, level: str) -> Observation:
        return Observation(self.source, self.slug, self.solution_text, "required_loa", level, None,
                           LEVEL_PRECISION, self.evidence, self.url)  # fmt: skip


def _prose(unit: Unit, matcher: SolutionMatcher, ctx: date | None, source: str, url: str) -> list[Observation]:
    mentions = matcher.find(unit.text)
    if not mentions:
        return []
    dates = find_date_matches(unit.text, context_date=ctx)
    levels = find_levels(unit.text)
    out: list[Observation] = []
    for slug in dict.fromkeys(m.slug for m in mentions):
        own = [m for m in mentions if m.slug == slug]
        if dates:
            m, d = _nearest(own, dates)
            ev = evidence(unit.text, min(m.start, d.start), max(m.end, d.end))
            out.append(_Where(source, slug, m.text, ev, url).date(d))
        if levels:
            m, lv = _nearest(own, levels)
            ev = evidence(unit.text, min(m.start, lv.start), max(m.end, lv.end))
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
