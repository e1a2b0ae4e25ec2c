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


# Danish endings a name takes in running text. Definite -en/-et (-n/-t after a vowel), genitive -s/-ens/-ets,
# plural -er/-erne/-e/-ne (only on names of five letters or more: "virker" is a verb, not "Virk" in the plural).
# A hyphen starts a compound ("NemLog-in-løsningen", "FMK-kortet"): the name before it is the name.
_DEFINITE = ("en", "et", "ens", "ets", "s")
_AFTER_VOWEL = ("n", "t", "ns", "ts")
_PLURAL = ("erne", "ernes", "er", "ers", "ne", "e")
_VOWELS = set("aeiouyæøå")


def _stems(written: str) -> list[int]:
    """Where a written word may end its name: before a hyphen, or before a Danish ending; longest first."""
    cuts = [j for j, ch in enumerate(written) if ch == "-" and j > 0]
    lower = written.lower()
    for ending in (*_DEFINITE, *_AFTER_VOWEL, *_PLURAL):
        if len(lower) > len(ending) + 1 and lower.endswith(ending):
            cuts.append(len(written) - len(ending))
    return sorted(set(cuts), reverse=True)


def _inflected(written: str, name: str, capital: bool) -> int:
    """The length of ``name`` when ``written`` is it with a Danish ending or as a compound's first part, else 0.

    The name's letters must be there (a name spelt with a capital, ``capital``, keeps one: "virket" is no
    "Virk"), and the rest must be an ending the name can take — never just
    more letters ("Nexusserver" is no "Nexus").
    """
    n = len(name)
    lower = written.lower()
    if len(written) <= n or lower[:n] != name:
        return 0
    head, rest = written[:n], lower[n:]
    if rest.startswith("-") and len(rest) > 1:
        return n
    if capital and not any(c.isupper() for c in head):
        return 0
    if rest in _DEFINITE or (rest in _AFTER_VOWEL and name[-1] in _VOWELS):
        return n
    if rest in _PLURAL and n >= 5 and not (rest[0] == "e" and name[-1] == "e"):
        return n
    return 0


class SolutionMatcher:
    """Finds known solution names and aliases: case-insensitive, whole words, longest alias first."""

    def __init__(self, solutions: Sequence[SolutionRef]) -> None:
        seen: dict[tuple[str, ...], tuple[str, bool]] = {}
        for ref in solutions:
            for name in ref.names:
                written = _WORD.findall(clean(name))
                if written:
                    seen.setdefault(tuple(w.lower() for w in written), (ref.slug, written[-1] != written[-1].lower()))
        # first word → (words, slug, whether the last word is spelt with a capital), longest first
        self._index: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}
        for words, (slug, capital) in seen.items():
            self._index.setdefault(words[0], []).append((words, slug, capital))
        for entries in self._index.values():
            entries.sort(key=lambda e: len(e[0]), reverse=True)

    def find(self, text: str) -> list[Mention]:
        """All mentions in ``text`` in order; a name's last word may carry a Danish ending (see ``_stems``)."""
        if not self._index:
            return []
        tokens = [(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
        out: list[Mention] = []
        i = 0
        while i < len(tokens):
            start = tokens[i][1]
            if start and text[start - 1] in "@/.\\":
                i += 1
                continue
            found = self._at(text, tokens, i)
            if found is None:
                i += 1
                continue
            slug, n, end = found
            out.append(Mention(slug, text[start:end], start, end))
            i += n
        return out

    def _at(self, text: str, tokens: list[tuple[str, int, int]], i: int) -> tuple[str, int, int] | None:
        """The longest name starting at token ``i``: (slug, tokens used, end offset), or None."""
        word, start, stop = tokens[i]
        entries = self._index.get(word)
        if entries is not None:
            for words, slug, capital in entries:
                n = len(words)
                if n == 1:
                    return slug, 1, stop
                if i + n > len(tokens) or not all(tokens[i + k][0] == words[k] for k in range(1, n - 1)):
                    continue
                last, lstart, lstop = tokens[i + n - 1]
                if last == words[-1]:
                    return slug, n, lstop
                cut = _inflected(text[lstart:lstop], words[-1], capital)
                if cut:
                    return slug, n, lstart + cut
        # The word itself is an inflected one-word name ("Ordblindetesten", "NemLog-ins", "NemLog-in-løsningen").
        for cut in _stems(text[start:stop]):
            for words, slug, capital in self._index.get(word[:cut], ()):
                if len(words) == 1 and _inflected(text[start:stop], words[0], capital) == cut:
                    return slug, 1, start + cut
        return None


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
