"""The one matcher every source uses: text units → observations.

``scrapers.pagetext`` turns HTML into units (re-exported here). A *unit* is
the smallest piece of a page a fact can be read from: a sentence of a
paragraph, a list item, a heading, or a table row (kept together with its
header cells). ``scrapers.facts`` reads the facts by meaning (cue words,
subjects from the heading or lead sentence); this module finds the names.

Names and aliases are compiled once per registry state into one word-sequence
index (first word → the aliases starting with it, longest first), so finding
names costs one pass over the page's words however many solutions there are.
Matching is case-insensitive and whole-word; a name inside a host name, an
e-mail address or a URL path ("www.sundhed.dk", "helpdesk@serviceplatformen.dk")
is a link, not a mention.

Only solutions the caller knows are reported, except in "name rows" (tables
whose first cell names the solution, like the launch-dates table), where an
unknown name is reported with ``solution_slug`` None so a coordinator sees it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from scrapers.base import Observation, SolutionRef
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
    "matcher_for",
    "observe",
    "page_date",
]

EVIDENCE_LIMIT = 300

# A word: letters/digits, joined by inner dots or hyphens ("virk.dk", "NemLog-in", "KMD-NEXUS").
_WORD = re.compile(r"[^\W_]+(?:[.\-][^\W_]+)*")


@dataclass(frozen=True)
class Mention:
    """A solution name found in text."""

    slug: str
    text: str
    start: int
    end: int


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(clean(text)))


class SolutionMatcher:
    """Finds known solution names and aliases: case-insensitive, whole words, longest alias first."""

    def __init__(self, solutions: Sequence[SolutionRef]) -> None:
        seen: dict[tuple[str, ...], str] = {}
        for ref in solutions:
            for name in ref.names:
                words = _words(name)
                if words:
                    seen.setdefault(words, ref.slug)
        self._index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for words, slug in seen.items():
            self._index.setdefault(words[0], []).append((words, slug))
        for entries in self._index.values():
            entries.sort(key=lambda e: len(e[0]), reverse=True)

    def find(self, text: str) -> list[Mention]:
        """All mentions in ``text`` in order."""
        if not self._index:
            return []
        tokens = [(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
        out: list[Mention] = []
        i = 0
        while i < len(tokens):
            word, start, _ = tokens[i]
            entries = self._index.get(word)
            if entries is None or (start and text[start - 1] in "@/.\\"):
                i += 1
                continue
            for words, slug in entries:
                n = len(words)
                if i + n <= len(tokens) and all(tokens[i + k][0] == words[k] for k in range(1, n)):
                    end = tokens[i + n - 1][2]
                    out.append(Mention(slug, text[start:end], start, end))
                    i += n
                    break
            else:
                i += 1
        return out


_CACHE: dict[int, tuple[tuple[SolutionRef, ...], SolutionMatcher]] = {}
_CACHE_LOCK = threading.Lock()
# The sequence last asked for (kept alive, so its id is not reused) and its matcher.
_LAST: tuple[Sequence[SolutionRef], int, SolutionMatcher] | None = None


def matcher_for(solutions: Sequence[SolutionRef]) -> SolutionMatcher:
    """The compiled matcher of this registry state, built once and reused while the state is unchanged.

    The state is the whole sequence of refs (slugs, names, aliases): any edit to the registry is a new
    state and compiles anew; the same state, from the same list or a fresh one, reuses the matcher. The
    caller passes a new sequence for a new state (the same list object, unchanged in length, is taken as
    the same state without hashing it).
    """
    last = _LAST
    if last is not None and last[0] is solutions and last[1] == len(solutions):
        return last[2]  # the same sequence again (every page of a run): no hashing of 10,000 refs
    state = solutions if isinstance(solutions, tuple) else tuple(solutions)
    key = hash(state)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        # Same 64-bit hash and length is taken as the same state (comparing 10,000 refs costs more than a parse).
        if cached is not None and len(cached[0]) == len(state):
            _remember(solutions, cached[1])
            return cached[1]
    matcher = SolutionMatcher(state)
    with _CACHE_LOCK:
        if len(_CACHE) >= 8:
            _CACHE.clear()
        _CACHE[key] = (state, matcher)
    _remember(solutions, matcher)
    return matcher


def _remember(solutions: Sequence[SolutionRef], matcher: SolutionMatcher) -> None:
    global _LAST
    _LAST = (solutions, len(solutions), matcher)


def evidence(text: str, lo: int = 0, hi: int = 0, limit: int = EVIDENCE_LIMIT) -> str:
    """``text`` trimmed to ``limit`` characters, keeping the span lo..hi in view."""
    if len(text) <= limit:
        return text
    width = limit - 2  # room for an ellipsis at each end
    hi = min(hi, lo + width)
    start = max(0, min(lo - (width - (hi - lo)) // 2, len(text) - width))
    end = start + width
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


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
    from scrapers.facts import read_facts  # facts imports this module's helpers

    return read_facts(
        units, matcher_for(solutions), source=source, url=url, context_date=context_date, name_rows=name_rows
    )
