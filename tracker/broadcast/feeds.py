"""Atom and RSS feeds of the change-event log (feedgen): all changes, one solution, one municipality.

Entry ids are stable (``tag:tu-tracker,2026:event/<id>``), so a reader never shows the same change twice.
Which events a feed holds is decided here; its validators (ETag, Last-Modified), keyed by the newest event in
the feed, come from ``tracker.http_cache.selection_validators``, so clients can ask cheaply whether anything is new.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from feedgen.feed import FeedGenerator
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from tracker.broadcast.describe import describe
from tracker.models import ChangeEvent, Municipality, PortfolioEntry, Solution
from tracker.registry.transition_filter import TransitionFilter

FEED_ENTRIES = 50
READINESS_EVENT = "municipality.readiness.changed"
EPOCH = datetime(2022, 10, 24, tzinfo=UTC)  # 'Dag 1': any fixed instant will do for an empty feed


def entry_id(event_id: int) -> str:
    """The permanent id of an event's entry (RFC 4151 tag URI)."""
    return f"tag:tu-tracker,2026:event/{event_id}"


def public_events() -> ColumnElement[bool]:
    """Events anyone may read: everything but a municipality's own (readiness) events."""
    return ChangeEvent.municipality_id.is_(None)


def solution_events(solution: Solution) -> ColumnElement[bool]:
    """One solution's public events."""
    return and_(ChangeEvent.solution_id == solution.id, ChangeEvent.municipality_id.is_(None))


def portfolio_ids(session: Session, municipality: Municipality) -> list[int]:
    """The ids of the solutions in a municipality's portfolio."""
    return sorted(
        session.scalars(select(PortfolioEntry.solution_id).where(PortfolioEntry.municipality_id == municipality.id))
    )


def municipality_events(municipality: Municipality, solution_ids: Sequence[int]) -> ColumnElement[bool]:
    """Public events of the portfolio's solutions, plus the municipality's own readiness events."""
    return or_(
        and_(ChangeEvent.municipality_id.is_(None), ChangeEvent.solution_id.in_(list(solution_ids))),
        and_(ChangeEvent.type == READINESS_EVENT, ChangeEvent.municipality_id == municipality.id),
    )


@dataclass(frozen=True)
class TransitionFilters:
    """A feed's or calendar's narrowing to transitions (``?kind=&category=&major=``); empty: no narrowing."""

    kind: str | None = None
    category: str | None = None
    major: bool | None = None

    def __bool__(self) -> bool:
        """Whether anything narrows."""
        return self.kind is not None or self.category is not None or self.major is not None


def transition_events(filters: TransitionFilters) -> ColumnElement[bool]:
    """``transition.*`` events whose transition (as the event recorded it) matches the filters."""
    kinds = [filters.kind] if filters.kind is not None else []
    categories = [filters.category] if filters.category is not None else []
    return TransitionFilter.of(kinds, categories, filters.major).events()


def recent_events(session: Session, where: ColumnElement[bool], *, limit: int = FEED_ENTRIES) -> list[ChangeEvent]:
    """The newest events of the selection, newest first."""
    return list(session.scalars(select(ChangeEvent).where(where).order_by(ChangeEvent.id.desc()).limit(limit)))


@dataclass(frozen=True)
class FeedInfo:
    """The feed's own identity and links."""

    feed_id: str
    title: str
    subtitle: str
    self_url: str
    alternate_url: str


def rss_description(text: str) -> str:
    """Plain text as RSS ``<description>``, which readers render as HTML: escaped here for HTML, then once more
    for XML by the writer, so a question's ``<img src=…>`` reaches the reader as text, never as markup. (Atom's
    summary is typed ``text`` and needs no such step.) The one place feed text is escaped for HTML."""
    return escape(text, quote=False)


def render(info: FeedInfo, events: Sequence[ChangeEvent], link_for: Callable[[ChangeEvent], str], fmt: str) -> bytes:
    """The feed document, Atom (``fmt='atom'``) or RSS 2.0 (``fmt='rss'``), newest entry first."""
    fg = FeedGenerator()
    fg.id(info.feed_id)
    fg.title(info.title)
    fg.subtitle(info.subtitle)
    fg.language("da")
    fg.author({"name": "TU-tracker"})
    fg.generator("TU-tracker")
    fg.link(href=info.self_url, rel="self", type="application/atom+xml" if fmt == "atom" else "application/rss+xml")
    fg.link(href=info.alternate_url, rel="alternate", type="text/html")
    newest = events[0].occurred_at if events else EPOCH
    fg.updated(newest)
    fg.lastBuildDate(newest)
    for event in events:
        text = describe(event)
        entry = fg.add_entry(order="append")
        entry.id(entry_id(event.id))
        entry.guid(entry_id(event.id), permalink=False)
        entry.title(text.title)
        entry.summary(rss_description(text.summary) if fmt == "rss" else text.summary)
        entry.link(href=link_for(event), rel="alternate", type="text/html")
        entry.published(event.occurred_at)
        entry.updated(event.occurred_at)
        entry.category(term=event.type)
    data: bytes = fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
    return data
