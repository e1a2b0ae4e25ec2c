"""HTML → text units: the page's main content as sentences, list items, headings and table rows.

Navigation, header, footer, scripts, styles, forms and hidden elements are
skipped. A paragraph is split into sentences (not at "d. 1. marts",
"kl. 20.00", "bl.a."); a list item, a heading and a table row are one unit
each, and a row keeps its header cells as (header, value) pairs. A
description list (``<dl>``: term, description) is a row of its own, its terms
as headers. A list item keeps the sentence that introduced its list
("Følgende løsninger skifter på disse datoer:") as ``intro``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bs4 import BeautifulSoup, Tag
from bs4.element import CData, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

from scrapers._vocab import MONTHS
from scrapers.base import PageRefused
from scrapers.dates import parse_date

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
# A page with none of these tags is not HTML (a PDF, an error string, binary junk).
_HTML_TAG = re.compile(r"<(?:html|body|main|div|p|h1|table|ul|article)\b", re.IGNORECASE)
# The most a page may hold (characters); the fetcher refuses larger bodies too (scrapers.http.MAX_BYTES).
MAX_PAGE_CHARS = 5 * 1024 * 1024
_DA_WORDS = frozenset(
    "og er til det af på med ikke som den kan skal fra har vil der eller også hvis når".split()  # noqa: SIM905 - one line of words reads better than a list literal
)
_EN_WORDS = frozenset(
    "the and is to of with not can this that are will from have be or also if when".split()  # noqa: SIM905 - one line of words reads better than a list literal
)


@dataclass(frozen=True)
class Unit:
    """One piece of a page's main text. ``cells`` holds (header, value) pairs for table rows."""

    text: str
    kind: str  # "heading" | "sentence" | "item" | "row"
    cells: tuple[tuple[str, str], ...] = ()
    # The paragraph or list item the unit belongs to (sentences of one block share it) and the
    # text of the section heading above it: where a fact's subject may be named.
    block: int = -1
    heading: str = ""
    # For a list item: the sentence right before its list when that ends with a colon, else "".
    intro: str = ""
    # The page's first top-level heading (its ``<h1>``), when the unit comes after it.
    title: str = ""


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
    """The main element of ``html``; PageRefused (a LayoutChanged) when ``html`` is not a page we read."""
    if len(html) > MAX_PAGE_CHARS:
        raise PageRefused(f"{source}: {url} is {len(html) // (1024 * 1024)} MB; at most 5 MB is read")
    if "\x00" in html or not _HTML_TAG.search(html):
        raise PageRefused(f"{source}: {url} did not return an HTML page")
    return main_element(parse_html(html))


def language(text: str) -> str:
    """ "da", "en" or "" (too little text to tell), from the commonest small words of ``text``."""
    words = text[:20000].lower().split()
    da = sum(w in _DA_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    if da + en < 5:
        return ""
    return "en" if en > 2 * da else "da"


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, not at "d. 1. marts", "kl. 20.00" or "bl.a. Aula"."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        words = text[start : m.start()].split()
        last = words[-1].lower().rstrip(".") if words else ""
        following = text[m.end() :].split(maxsplit=1)[0].lower().rstrip(".,") if text[m.end() :].strip() else ""
        ordinal = re.fullmatch(r"\d{1,2}", last) and (following in MONTHS or following.startswith("("))
        if last in _ABBREVIATIONS or ordinal:
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
        self.blocks = 0
        self.block_id = 0
        self.in_item = 0
        self.heading = ""
        self.intro = ""
        self.title = ""

    def flush(self) -> None:
        text = clean("".join(self.buffer))
        self.buffer = []
        if not text:
            return
        pieces = split_sentences(text) if self.kind == "sentence" else [text]
        if self.kind == "heading":
            self.heading = text
        intro = self.intro if self.kind == "item" else ""
        self.units += [
            Unit(p, self.kind, block=self.block_id, heading=self.heading, intro=intro, title=self.title) for p in pieces
        ]

    def block(self, el: Tag, kind: str) -> None:
        self.flush()
        saved, self.kind = self.kind, kind
        saved_block, nested = self.block_id, self.in_item > 0
        if not nested:  # a paragraph inside a list item belongs to the item's block
            self.blocks += 1
            self.block_id = self.blocks
        self.in_item += kind == "item"
        self.walk(el)
        self.flush()
        self.in_item -= kind == "item"
        self.kind, self.block_id = saved, saved_block

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
                self.units += [
                    Unit(u.text, u.kind, u.cells, block=self.blocks + 1, heading=self.heading)
                    for u in _table_units(child)
                ]
                self.blocks += 1
            elif child.name in ("ul", "ol"):
                self.flush()
                last = self.units[-1] if self.units else None
                saved_intro = self.intro
                self.intro = last.text if last and last.kind != "row" and last.text.endswith(":") else ""
                for item in child.find_all("li", recursive=False):
                    self.block(item, "item")
                self.intro = saved_intro
            elif child.name == "dl" and (record := _description_row(child)) is not None:
                self.flush()
                self.blocks += 1
                self.units.append(
                    Unit(record.text, "row", record.cells, block=self.blocks, heading=self.heading, title=self.title)
                )
            elif child.name in _HEADINGS:
                self.block(child, "heading")
                if child.name == "h1" and not self.title:
                    self.title = self.heading
            elif child.name == "li":
                self.block(child, "item")
            elif child.name in _BLOCKS:
                self.block(child, self.kind)
            else:  # inline element: its text joins the running sentence
                self.walk(child)


def _description_row(dl: Tag) -> Unit | None:
    """A description list as one row, its terms as headers ("Løsning: SEB | Skæringsdato: 15. april 2024").

    None when it is not a list of term–description pairs (then it is read as text).
    """
    pairs: list[tuple[str, str]] = []
    for child in dl.find_all(["dt", "dd"], recursive=False):
        text = clean(child.get_text(" "))
        if child.name == "dt":
            pairs.append((text, ""))
        elif pairs and text:
            term, value = pairs[-1]
            pairs[-1] = (term, f"{value} {text}".strip())
    pairs = [(term, value) for term, value in pairs if value]
    if len(pairs) < 2:
        return None
    return Unit(" | ".join(f"{h}: {t}" if h else t for h, t in pairs), "row", tuple(pairs))


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
    try:
        walker.block(root, "sentence")
    except RecursionError:
        raise PageRefused("the page nests its elements too deeply to be read") from None
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
