"""Page watching, as changedetection.io does it: keep each page's main text when it changes, diff it.

A snapshot is stored only when the text differs from the page's previous snapshot (by content hash), so an
unchanged page adds nothing. A snapshot with a predecessor is a *page change*: coordinators see its diff —
removed and added sentences, list items and table rows, with the solutions, dates and levels found in
them highlighted — until one of them marks it reviewed. The first snapshot of a page is the baseline,
not a change.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import Exists

from scrapers.base import SolutionRef
from scrapers.dates import find_date_matches
from scrapers.levels import find_levels
from scrapers.matching import SolutionMatcher, matcher_for
from tracker.auth import audit
from tracker.clock import utcnow
from tracker.errors import NotFound
from tracker.ingest.proposals import solution_refs
from tracker.models import PageSnapshot, Source, User

DEFAULT_LIMIT = 50


def text_hash(text: str) -> str:
    """The content hash of a page's main text."""
    return hashlib.sha256(text.encode()).hexdigest()


def record_snapshot(
    session: Session, source: Source, *, url: str, text: str, run_id: int | None, fetched_at: datetime
) -> PageSnapshot | None:
    """Store the page's main text if it differs from its latest snapshot; None when unchanged."""
    digest = text_hash(text)
    latest = session.scalar(
        select(PageSnapshot.content_hash)
        .where(PageSnapshot.source_id == source.id, PageSnapshot.url == url)
        .order_by(PageSnapshot.id.desc())
        .limit(1)
    )
    if latest == digest:
        return None
    snapshot = PageSnapshot(
        source_id=source.id, run_id=run_id, url=url[:1000], text=text, content_hash=digest, fetched_at=fetched_at
    )
    session.add(snapshot)
    session.flush()
    return snapshot


@dataclass(frozen=True)
class Segment:
    """A piece of a changed line; ``kind`` is solution|date|level when it is highlighted, else None."""

    text: str
    kind: str | None = None


@dataclass(frozen=True)
class DiffLine:
    """A removed ("-") or added ("+") sentence, item or row."""

    op: str
    text: str
    segments: tuple[Segment, ...]

    @property
    def added(self) -> bool:
        """Whether the line was added (else removed)."""
        return self.op == "+"


@dataclass(frozen=True)
class PageChange:
    """One change of one watched page: the snapshot, its predecessor's time and the readable diff."""

    id: int
    source_key: str
    source_name: str
    url: str
    fetched_at: datetime
    previous_fetched_at: datetime
    reviewed_at: datetime | None
    lines: tuple[DiffLine, ...]

    @property
    def added(self) -> int:
        """How many lines were added."""
        return sum(1 for line in self.lines if line.added)

    @property
    def removed(self) -> int:
        """How many lines were removed."""
        return sum(1 for line in self.lines if not line.added)


def highlight(text: str, matcher: SolutionMatcher, context: date | None) -> tuple[Segment, ...]:
    """Split ``text`` into plain and highlighted pieces (solution names, date expressions, levels)."""
    spans = [(m.start, m.end, "solution") for m in matcher.find(text)]
    spans += [(m.start, m.end, "date") for m in find_date_matches(text, context_date=context)]
    spans += [(m.start, m.end, "level") for m in find_levels(text)]
    segments: list[Segment] = []
    pos = 0
    for start, end, kind in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if start < pos:
            continue  # overlaps a span already highlighted
        if start > pos:
            segments.append(Segment(text[pos:start]))
        segments.append(Segment(text[start:end], kind))
        pos = end
    if pos < len(text):
        segments.append(Segment(text[pos:]))
    return tuple(segments)


def diff_lines(old: str, new: str, refs: Sequence[SolutionRef], context: date | None = None) -> tuple[DiffLine, ...]:
    """Removed and added lines between two main texts, in page order, highlighted."""
    matcher = matcher_for(refs)  # compiled once per registry state
    before, after = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    opcodes = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        lines += [DiffLine("-", t, highlight(t, matcher, context)) for t in before[i1:i2]]
        lines += [DiffLine("+", t, highlight(t, matcher, context)) for t in after[j1:j2]]
    return tuple(lines)


def has_previous_snapshot() -> Exists:
    """SQL condition: the snapshot has a predecessor for the same page (so it is a change, not a baseline)."""
    earlier = aliased(PageSnapshot)
    return exists().where(
        earlier.source_id == PageSnapshot.source_id, earlier.url == PageSnapshot.url, earlier.id < PageSnapshot.id
    )


def is_page_change(session: Session, snapshot: PageSnapshot) -> bool:
    """Whether the snapshot changed a page already watched (the first snapshot of a page is no change)."""
    return _previous(session, snapshot) is not None


def _previous(session: Session, snapshot: PageSnapshot) -> PageSnapshot | None:
    return session.scalar(
        select(PageSnapshot)
        .where(
            PageSnapshot.source_id == snapshot.source_id,
            PageSnapshot.url == snapshot.url,
            PageSnapshot.id < snapshot.id,
        )
        .order_by(PageSnapshot.id.desc())
        .limit(1)
    )


def _changes(session: Session, rows: Sequence[tuple[PageSnapshot, Source]]) -> list[PageChange]:
    refs = solution_refs(session) if rows else []
    out: list[PageChange] = []
    for snapshot, source in rows:
        previous = _previous(session, snapshot)
        if previous is None:
            continue
        out.append(
            PageChange(
                id=snapshot.id,
                source_key=source.key,
                source_name=source.name,
                url=snapshot.url,
                fetched_at=snapshot.fetched_at,
                previous_fetched_at=previous.fetched_at,
                reviewed_at=snapshot.reviewed_at,
                lines=diff_lines(previous.text, snapshot.text, refs, snapshot.fetched_at.date()),
            )
        )
    return out


def pending_page_changes(
    session: Session, *, source_id: int | None = None, limit: int = DEFAULT_LIMIT
) -> list[PageChange]:
    """Page changes no coordinator has marked reviewed yet, newest first (for the review queue)."""
    stmt = (
        select(PageSnapshot, Source)
        .join(Source, Source.id == PageSnapshot.source_id)
        .where(PageSnapshot.reviewed_at.is_(None), has_previous_snapshot())
        .order_by(PageSnapshot.id.desc())
        .limit(limit)
    )
    if source_id is not None:
        stmt = stmt.where(PageSnapshot.source_id == source_id)
    return _changes(session, [(snap, src) for snap, src in session.execute(stmt).all()])


def count_pending_page_changes(session: Session, *, source_id: int | None = None) -> int:
    """How many page changes wait for review (all sources, or one)."""
    stmt = select(func.count(PageSnapshot.id)).where(
        PageSnapshot.reviewed_at.is_(None),
        has_previous_snapshot(),
    )
    if source_id is not None:
        stmt = stmt.where(PageSnapshot.source_id == source_id)
    return int(session.scalar(stmt) or 0)


def latest_page_change(session: Session, source_id: int) -> PageChange | None:
    """The most recent change of any of the source's pages, reviewed or not."""
    stmt = (
        select(PageSnapshot, Source)
        .join(Source, Source.id == PageSnapshot.source_id)
        .where(PageSnapshot.source_id == source_id, has_previous_snapshot())
        .order_by(PageSnapshot.id.desc())
        .limit(1)
    )
    found = _changes(session, [(snap, src) for snap, src in session.execute(stmt).all()])
    return found[0] if found else None


def source_page_changes(session: Session, source_id: int) -> tuple[PageChange | None, list[PageChange]]:
    """A source page's view: its latest change (reviewed or not) and the other changes awaiting review."""
    latest = latest_page_change(session, source_id)
    others = [c for c in pending_page_changes(session, source_id=source_id) if latest is None or c.id != latest.id]
    return latest, others


def mark_page_change_reviewed(session: Session, snapshot_id: int, *, user: User) -> PageSnapshot:
    """Mark a page change as looked at (idempotent: the first review time stays); audited."""
    snapshot = session.get(PageSnapshot, snapshot_id)
    if snapshot is None:
        raise NotFound("ingest.snapshot_not_found", snapshot_id=snapshot_id)
    if snapshot.reviewed_at is None:
        snapshot.reviewed_at = utcnow()
        audit.record(
            session, "page_change.reviewed", actor=user, object_type="page_snapshot", object_id=snapshot.id,
            details={"url": snapshot.url, "source_id": snapshot.source_id},
        )  # fmt: skip
    session.flush()
    return snapshot
