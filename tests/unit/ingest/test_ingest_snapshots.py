"""Page watching: a snapshot only when the text changed, a readable highlighted diff, and the review notice."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from scrapers import SOURCES
from scrapers.base import SolutionRef
from scrapers.matching import SolutionMatcher
from tests.support.accounts import make_user
from tests.support.ingest import page
from tracker.ingest import snapshots
from tracker.ingest.services import ensure_source
from tracker.ingest.snapshots import diff_lines, highlight, pending_page_changes, record_snapshot
from tracker.ingest.targets import ScrapeSettings, targets_for
from tracker.models import AuditEntry, PageSnapshot, Source

REFS = [SolutionRef("fmk", ("FMK", "Fælles Medicinkort")), SolutionRef("aula", ("Aula",))]
WHEN = datetime(2023, 6, 1, 8, 0, tzinfo=UTC)
URL = "https://digitaliseringskataloget.dk/oces"


def _text(name: str) -> str:
    return SOURCES["watch"].main_text(page(name).decode())


def _source(session: Session) -> Source:
    target = targets_for("watch", ScrapeSettings(watch_urls=(URL,)))[0]
    return ensure_source(session, target)


def test_the_watched_page_change_is_one_sentence_out_and_one_in() -> None:
    lines = diff_lines(_text("watch_page.html"), _text("watch_page_changed.html"), REFS, date(2023, 6, 9))
    # Script, cookie banner and footer changes are not part of the main text, so they are no change.
    assert [(line.op, line.text) for line in lines] == [("-", "FMK skifter i uge 43."), ("+", "FMK skifter i uge 45.")]
    added = lines[1]
    assert [(s.text, s.kind) for s in added.segments] == [
        ("FMK", "solution"), (" skifter i ", None), ("uge 45", "date"), (".", None),
    ]  # fmt: skip


def test_highlight_marks_levels_and_leaves_plain_text_whole() -> None:
    segments = highlight("Aula kræver sikringsniveau Betydelig fra primo 2024.", SolutionMatcher(REFS), None)
    kinds = {s.text: s.kind for s in segments if s.kind}
    assert kinds == {"Aula": "solution", "sikringsniveau Betydelig": "level", "primo 2024": "date"}
    assert "".join(s.text for s in segments) == "Aula kræver sikringsniveau Betydelig fra primo 2024."
    assert highlight("Intet at se her.", SolutionMatcher(REFS), None) == (snapshots.Segment("Intet at se her."),)


def test_an_unchanged_page_stores_no_second_snapshot(session: Session) -> None:
    source = _source(session)
    first = record_snapshot(session, source, url=URL, text=_text("watch_page.html"), run_id=None, fetched_at=WHEN)
    again = record_snapshot(session, source, url=URL, text=_text("watch_page.html"), run_id=None, fetched_at=WHEN)
    assert first is not None and again is None
    assert pending_page_changes(session, source_id=source.id) == []  # a baseline is not a change


def test_a_changed_page_is_one_pending_change_until_reviewed(session: Session) -> None:
    source = _source(session)
    record_snapshot(session, source, url=URL, text=_text("watch_page.html"), run_id=None, fetched_at=WHEN)
    changed = record_snapshot(
        session, source, url=URL, text=_text("watch_page_changed.html"), run_id=None, fetched_at=WHEN
    )
    assert changed is not None
    pending = pending_page_changes(session, source_id=source.id)
    assert [c.id for c in pending] == [changed.id]
    change = pending[0]
    assert (change.added, change.removed, change.source_key, change.url) == (1, 1, source.key, URL)
    assert snapshots.count_pending_page_changes(session, source_id=source.id) == 1
    assert snapshots.latest_page_change(session, source.id) == change

    coordinator = make_user(session, "k-snap@example.dk", "coordinator")
    snapshots.mark_page_change_reviewed(session, changed.id, user=coordinator)
    reviewed_at = changed.reviewed_at
    snapshots.mark_page_change_reviewed(session, changed.id, user=coordinator)  # idempotent
    assert changed.reviewed_at == reviewed_at is not None
    assert pending_page_changes(session, source_id=source.id) == []
    latest = snapshots.latest_page_change(session, source.id)
    assert latest is not None and latest.reviewed_at is not None  # still shown on the source page
    audits = session.query(AuditEntry).filter_by(action="page_change.reviewed", object_id=str(changed.id)).all()
    assert len(audits) == 1 and audits[0].actor_id == coordinator.id


def test_pages_are_diffed_per_url(session: Session) -> None:
    source = _source(session)
    record_snapshot(session, source, url=URL, text="A", run_id=None, fetched_at=WHEN)
    record_snapshot(session, source, url=URL + "/b", text="B", run_id=None, fetched_at=WHEN)
    assert pending_page_changes(session, source_id=source.id) == []  # two baselines, no change
    record_snapshot(session, source, url=URL + "/b", text="B2", run_id=None, fetched_at=WHEN)
    [change] = pending_page_changes(session, source_id=source.id)
    assert [(line.op, line.text) for line in change.lines] == [("-", "B"), ("+", "B2")]
    assert session.query(PageSnapshot).filter_by(source_id=source.id).count() == 3
