"""Reads for the sources page and ``/api/v1/sources``: each source's health, last run and counts.

Reads never create rows: a configured source that has not run yet is shown from the configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from tracker.errors import NotFound
from tracker.ingest.proposals import ORIGIN, scraper_actor
from tracker.ingest.snapshots import has_previous_snapshot
from tracker.ingest.targets import WATCH_PREFIX, ScrapeSettings, Target, all_targets
from tracker.models import PageSnapshot, Proposal, ScrapeRun, Source

RECENT_RUNS = 20


@dataclass
class SourceCounts:
    """Totals over a source's life."""

    runs: int = 0
    failed_runs: int = 0
    proposals: int = 0
    pending_proposals: int = 0
    pending_page_changes: int = 0


@dataclass
class SourceInfo:
    """A source as people see it: identity, health, last run, counts."""

    key: str
    name: str
    url: str
    kind: str  # scraper | watch
    active: bool
    healthy: bool = True
    health_reason: str | None = None
    consecutive_failures: int = 0
    last_findings: int | None = None
    auto_accept_unknown: bool = False
    last_run_at: datetime | None = None
    last_success_at: datetime | None = None
    last_run: ScrapeRun | None = None
    counts: SourceCounts = field(default_factory=SourceCounts)
    source_id: int | None = None
    recent_runs: list[ScrapeRun] = field(default_factory=list)


def _kind(key: str) -> str:
    return "watch" if key.startswith(WATCH_PREFIX) else "scraper"


def _from_target(target: Target) -> SourceInfo:
    return SourceInfo(key=target.key, name=target.name, url=target.url, kind=_kind(target.key), active=True)


def _from_row(row: Source, active: bool) -> SourceInfo:
    return SourceInfo(
        key=row.key,
        name=row.name,
        url=row.url,
        kind=_kind(row.key),
        active=active,
        healthy=row.healthy,
        health_reason=row.health_reason,
        consecutive_failures=row.consecutive_failures or 0,
        last_findings=row.last_findings,
        auto_accept_unknown=row.auto_accept_unknown,
        last_run_at=row.last_run_at,
        last_success_at=row.last_success_at,
        source_id=row.id,
    )


def _fill(session: Session, infos: Sequence[SourceInfo]) -> None:
    """Attach last runs and counts to the infos that have rows, in a fixed number of queries."""
    ids = [i.source_id for i in infos if i.source_id is not None]
    if not ids:
        return
    latest = select(func.max(ScrapeRun.id)).where(ScrapeRun.source_id.in_(ids)).group_by(ScrapeRun.source_id)
    last_runs = {r.source_id: r for r in session.scalars(select(ScrapeRun).where(ScrapeRun.id.in_(latest)))}
    failed = func.sum(case((ScrapeRun.outcome.in_(("failed", "rejected")), 1), else_=0))
    totals = {
        sid: (int(n or 0), int(f or 0), int(p or 0))
        for sid, n, f, p in session.execute(
            select(ScrapeRun.source_id, func.count(ScrapeRun.id), failed, func.sum(ScrapeRun.proposals))
            .where(ScrapeRun.source_id.in_(ids))
            .group_by(ScrapeRun.source_id)
        ).all()
    }
    pending = dict(
        session.execute(
            select(Proposal.proposer_label, func.count(Proposal.id))
            .where(Proposal.origin == ORIGIN, Proposal.state == "pending")
            .group_by(Proposal.proposer_label)
        ).all()
    )
    changes = dict(
        session.execute(
            select(PageSnapshot.source_id, func.count(PageSnapshot.id))
            .where(PageSnapshot.source_id.in_(ids), PageSnapshot.reviewed_at.is_(None), has_previous_snapshot())
            .group_by(PageSnapshot.source_id)
        ).all()
    )
    for info in infos:
        if info.source_id is None:
            continue
        runs, failures, proposals = totals.get(info.source_id, (0, 0, 0))
        info.last_run = last_runs.get(info.source_id)
        info.counts = SourceCounts(
            runs=runs,
            failed_runs=failures,
            proposals=proposals,
            pending_proposals=int(pending.get(scraper_actor(info.key).label, 0)),
            pending_page_changes=int(changes.get(info.source_id, 0)),
        )


def list_sources(session: Session, settings: ScrapeSettings) -> list[SourceInfo]:
    """Every configured source (run or not) and every recorded one, configured first, then by key."""
    rows = {row.key: row for row in session.scalars(select(Source))}
    configured = all_targets(settings)
    infos = [_from_row(rows.pop(t.key), True) if t.key in rows else _from_target(t) for t in configured]
    infos += [_from_row(row, False) for _, row in sorted(rows.items())]
    _fill(session, infos)
    return infos


def get_source(session: Session, key: str, settings: ScrapeSettings, *, runs: int = RECENT_RUNS) -> SourceInfo:
    """One source with its recent runs, newest first; NotFound for a key that is neither recorded nor configured."""
    row = session.scalar(select(Source).where(Source.key == key))
    configured = {t.key: t for t in all_targets(settings)}
    if row is None and key not in configured:
        raise NotFound("ingest.source_not_found", key=key)
    info = _from_row(row, key in configured) if row is not None else _from_target(configured[key])
    _fill(session, [info])
    if row is not None:
        info.recent_runs = list(
            session.scalars(
                select(ScrapeRun).where(ScrapeRun.source_id == row.id).order_by(ScrapeRun.id.desc()).limit(runs)
            )
        )
    return info
