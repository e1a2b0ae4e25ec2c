"""Matching imported names to solutions, and suggestions for the names that match nothing.

The index (every solution's normalised name, slug and aliases) is built once per state of the registry's
solutions — their count and newest ``updated_at``, one indexed query — and kept per process, so an import
costs a dictionary lookup per name and, for a name that matches nothing, one rapidfuzz scan (C++) over the
index instead of difflib over the whole registry: the import's write transaction no longer waits seconds per
unmatched name.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from tracker.models import Solution
from tracker.registry.queries import solutions_state

SUGGESTIONS = 3
CUTOFF = 70.0  # rapidfuzz's 0–100 similarity (Indel ratio): below this a "suggestion" is noise


_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Case- and spacing-insensitive form of a name."""
    return _SPACES.sub(" ", text).strip().casefold()


@dataclass(frozen=True)
class Candidate:
    """A solution as the import needs it: id, slug and name."""

    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class NameIndex:
    """Normalised name/slug/alias → solution, and the keys in a list for rapidfuzz."""

    state: tuple[int, str]  # count of solutions; newest update and sum of versions
    by_key: dict[str, Candidate]
    keys: list[str]

    def find(self, text: str) -> Candidate | None:
        """The solution a name, slug or alias names exactly (ignoring case and spacing)."""
        return self.by_key.get(normalise(text))

    def suggest(self, text: str, limit: int = SUGGESTIONS) -> list[Candidate]:
        """Up to ``limit`` different solutions whose names are closest to ``text``."""
        found: list[Candidate] = []
        # The keys are normalised already; plain Indel similarity (bit-parallel) over 30,000 keys takes
        # milliseconds, where WRatio's several passes per key took a third of a second.
        for key, _score, _index in process.extract(
            normalise(text), self.keys, scorer=fuzz.ratio, processor=None, limit=limit * 3, score_cutoff=CUTOFF
        ):
            candidate = self.by_key[key]
            if candidate not in found:
                found.append(candidate)
        return found[:limit]


_cache: dict[str, NameIndex] = {}
_lock = threading.Lock()


def _build(session: Session, state: tuple[int, str]) -> NameIndex:
    rows = session.execute(select(Solution.id, Solution.slug, Solution.name, Solution.aliases).order_by(Solution.id))
    by_key: dict[str, Candidate] = {}
    candidates = []
    for row in rows:
        candidate = Candidate(row.id, row.slug, row.name)
        candidates.append(candidate)
        for alias in row.aliases or []:
            if isinstance(alias, str) and alias.strip():
                by_key.setdefault(normalise(alias), candidate)
    for candidate in candidates:  # names and slugs win over aliases on a clash
        by_key[normalise(candidate.slug)] = candidate
        by_key[normalise(candidate.name)] = candidate
    return NameIndex(state, by_key, list(by_key))


def name_index(session: Session) -> NameIndex:
    """The index for the registry as it is now: built again only when the solutions changed."""
    bind = session.get_bind()
    key = str(bind.engine.url if isinstance(bind, Connection) else bind.url)
    state = solutions_state(session)
    with _lock:
        current = _cache.get(key)
        if current is not None and current.state == state:
            return current
    built = _build(session, state)
    with _lock:
        _cache[key] = built
    return built


def look_up(session: Session, text: str) -> tuple[Candidate | None, list[Candidate]]:
    """The solution ``text`` names (name, slug or alias, ignoring case and spacing), else up to three suggestions."""
    index = name_index(session)
    found = index.find(text)
    return (found, []) if found is not None else (None, index.suggest(text))
