"""Scrape runs: fetch → parse → record the run, page snapshots, proposals and the source's health.

The path of a finding (ARCHITECTURE.md): scheduler job → ``scrapers`` fetch + parse (no DB) → here,
observations become deduplicated proposals → a coordinator (or a source's auto-accept policy) accepts.

Rules kept here:

* Every run is recorded (start, duration, HTTP status, bytes, findings, proposals, outcome, error),
  whatever happens; a failing or rejected run writes no proposal and touches no solution.
* 304 Not Modified → outcome ``not_modified``, nothing new. ETag/Last-Modified/content hash are stored
  only from a successful run, so a rejected page is fetched and judged again next time.
* Health: ``SCRAPE_UNHEALTHY_AFTER_FAILURES`` failed runs in a row, a layout change (``LayoutChanged``),
  or a page yielding nothing where the last good run had findings → unhealthy with a reason, run
  ``rejected``. A successful or unchanged run makes the source healthy again.
* A scheduled run holds no transaction while it waits on the network: one short transaction reads the
  source's state, the fetch runs outside, a second transaction records everything at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scrapers.base import Observation, SolutionRef
from scrapers.http import Fetcher
from tracker import signals
from tracker.auth import audit
from tracker.db import get_db
from tracker.errors import NotFound
from tracker.ingest.fetch import FetchResult, fetch_target, parse_saved_page
from tracker.ingest.news import RunNews
from tracker.ingest.proposals import propose, solution_refs
from tracker.ingest.snapshots import is_page_change, record_snapshot
from tracker.ingest.targets import ScrapeSettings, Target, known_keys, targets_for
from tracker.models import ScrapeRun, Source, User
from tracker.registry.queries import solutions_state

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plan:
    """What the network phase needs, read from the database beforehand."""

    target: Target
    source_id: int
    etag: str | None
    last_modified: str | None
    refs: tuple[SolutionRef, ...]


def resolve_targets(key: str, settings: ScrapeSettings) -> list[Target]:
    """The targets behind ``key``; NotFound naming the known keys otherwise."""
    try:
        return targets_for(key, settings)
    except KeyError:
        raise NotFound(
            "ingest.source_unknown", {"source": key}, key=key, known_keys=", ".join(known_keys(settings))
        ) from None


def ensure_source(session: Session, target: Target) -> Source:
    """The target's ``source`` row, created on first use (name and URL follow the code)."""
    row = session.scalar(select(Source).where(Source.key == target.key))
    if row is None:
        try:
            with session.begin_nested():
                row = Source(key=target.key, name=target.name, url=target.url, healthy=True, consecutive_failures=0)
                session.add(row)
        except IntegrityError:  # created by a concurrent run in the meantime
            row = session.scalars(select(Source).where(Source.key == target.key)).one()
    if (row.name, row.url) != (target.name, target.url):
        row.name, row.url = target.name, target.url
    session.flush()
    return row


def prepare(session: Session, target: Target, refs: tuple[SolutionRef, ...] | None = None) -> Plan:
    """Read (and on first use create) the target's state; the registry's solution names unless a run that
    covers several targets read them once already (``refs``): at 10,000 solutions, reading them for every
    target was two thirds of a run."""
    row = ensure_source(session, target)
    return Plan(target, row.id, row.etag, row.last_modified, refs if refs is not None else names_of(session))


_names_cache: dict[str, tuple[tuple[int, str], tuple[SolutionRef, ...]]] = {}
_names_lock = threading.Lock()


def names_of(session: Session) -> tuple[SolutionRef, ...]:
    """The registry's solution names for one run (``proposals.solution_refs``).

    Kept per process for the registry's state (``solutions_state``: one aggregate query): at 10,000 solutions
    reading and building every name was most of a short run, and the scheduler's runs mostly find the names as
    they were."""
    bind = session.get_bind()
    key = str(bind.engine.url)
    state = solutions_state(session)
    with _names_lock:
        cached = _names_cache.get(key)
    if cached is not None and cached[0] == state:
        return cached[1]
    refs = tuple(solution_refs(session))
    with _names_lock:
        _names_cache[key] = (state, refs)
    return refs


def _healthy(source: Source, result: FetchResult) -> None:
    source.healthy, source.health_reason, source.consecutive_failures = True, None, 0
    source.last_success_at = result.started_at


def _unhealthy(source: Source, reason: str) -> None:
    source.consecutive_failures = (source.consecutive_failures or 0) + 1
    source.healthy, source.health_reason = False, reason


def _gate(source: Source, result: FetchResult) -> None:
    """A page that used to yield findings and now yields none is an alert, never an empty update."""
    if result.outcome == "ok" and not result.observations and (source.last_findings or 0) > 0:
        result.fail(
            "rejected",
            f"Siden gav ingen fund, men gav {source.last_findings} ved sidste vellykkede kørsel. "
            "Intet blev opdateret; se sidens ændringer.",
        )


def record(
    session: Session, plan: Plan, result: FetchResult, settings: ScrapeSettings, *, from_file: bool = False
) -> ScrapeRun:
    """Write the run record, changed page snapshots, proposals (successful runs only) and health."""
    # The first statement writes: it serialises concurrent recorders of one source (a row lock on
    # PostgreSQL; on SQLite it takes the write lock before any read, so no read snapshot must upgrade).
    session.execute(update(Source).where(Source.id == plan.source_id).values(last_run_at=result.started_at))
    source = session.get(Source, plan.source_id, populate_existing=True)
    if source is None:
        raise NotFound("ingest.source_gone", key=plan.target.key)
    found = len(result.observations)
    was_healthy = source.healthy is not False
    pending = 0
    changed: list[int] = []
    _gate(source, result)
    unknown = sorted({o.solution_text for o in result.observations if o.solution_slug is None})
    if unknown:
        # Not proposals (there is no solution to attach them to), but a coordinator should know.
        result.notes.append("Fund om løsninger, registret ikke kender: " + ", ".join(unknown))
    run = ScrapeRun(
        source_id=source.id,
        started_at=result.started_at,
        duration_ms=result.duration_ms,
        http_status=result.http_status,
        bytes=result.bytes,
        findings=found,
        proposals=0,
        outcome=result.outcome,
        error=result.message,
    )
    session.add(run)
    session.flush()
    if result.outcome in ("ok", "rejected"):
        # Even a rejected page is kept: its diff shows coordinators what the site changed.
        for page in result.pages:
            snapshot = record_snapshot(
                session, source, url=page.url, text=page.text, run_id=run.id, fetched_at=result.started_at
            )
            if snapshot is not None and is_page_change(session, snapshot):
                changed.append(snapshot.id)
    if result.outcome == "ok":
        proposed = propose(session, plan.target, result.observations, auto_accept=source.auto_accept_unknown)
        run.proposals, pending = proposed.added, proposed.pending
        _healthy(source, result)
        source.last_findings = found
        if not from_file:
            source.etag, source.last_modified = result.etag, result.last_modified
            source.content_hash = result.content_hash
    elif result.outcome == "not_modified":
        _healthy(source, result)
        source.etag = result.etag or source.etag
        source.last_modified = result.last_modified or source.last_modified
    elif result.outcome == "rejected":
        _unhealthy(source, result.error or "Kørslen blev afvist.")
    else:
        failures = (source.consecutive_failures or 0) + 1
        source.consecutive_failures = failures
        if failures >= settings.unhealthy_after:
            source.healthy = False
            source.health_reason = f"{failures} mislykkede kørsler i træk. Seneste fejl: {result.error}"
    session.flush()
    news = RunNews(pending, tuple(changed), was_healthy and not source.healthy)
    if news:
        signals.scrape_run_finished.send(run, session=session, source=source, news=news)
    return run


def _fetch(plan: Plan, fetcher: Fetcher, settings: ScrapeSettings) -> FetchResult:
    return fetch_target(
        plan.target,
        fetcher,
        plan.refs,
        etag=plan.etag,
        last_modified=plan.last_modified,
        max_articles=settings.max_articles,
    )


def run_target(
    session: Session,
    target: Target,
    fetcher: Fetcher,
    settings: ScrapeSettings,
    refs: tuple[SolutionRef, ...] | None = None,
) -> ScrapeRun:
    """One run of one target in the caller's session (flushes only)."""
    plan = prepare(session, target, refs)
    return record(session, plan, _fetch(plan, fetcher, settings), settings)


def run_source(
    session: Session, source_key: str, fetcher: Fetcher, settings: ScrapeSettings | None = None
) -> list[ScrapeRun]:
    """One run of each target behind ``source_key`` (``watch`` has one per watched page)."""
    settings = settings or ScrapeSettings()
    refs = names_of(session)  # once for every page of the source
    return [run_target(session, target, fetcher, settings, refs) for target in resolve_targets(source_key, settings)]


def run_scrape(
    session: Session,
    source_key: str,
    fetcher: Fetcher,
    base_url_override: str | None = None,
    *,
    settings: ScrapeSettings | None = None,
) -> ScrapeRun:
    """One run of a single-page source (or one watched page's key) in the caller's session; flushes only."""
    settings = settings or ScrapeSettings()
    if base_url_override:
        settings = replace(settings, base_url=base_url_override)
    targets = resolve_targets(source_key, settings)
    if len(targets) != 1:
        raise ValueError(f"{source_key} has {len(targets)} pages; use run_source or a watched page's key")
    return run_target(session, targets[0], fetcher, settings)


def run_in_own_transactions(
    app: Flask,
    target: Target,
    fetcher: Fetcher,
    settings: ScrapeSettings,
    refs: tuple[SolutionRef, ...] | None = None,
) -> int:
    """Read state, fetch without a transaction, record in a second one; returns the run's id."""
    db = get_db(app)
    with db.unit_of_work() as session:
        plan = prepare(session, target, refs)
    result = _fetch(plan, fetcher, settings)
    with db.unit_of_work() as session:
        return record(session, plan, result, settings).id


def scheduled_scrape(app: Flask, source_key: str) -> None:
    """The scheduler's job ``scrape:<key>``: run every target of the source, each in its own transactions."""
    settings = ScrapeSettings.from_config(app.config)
    fetcher = settings.fetcher()
    broken: list[str] = []
    with get_db(app).sessionmaker() as session:
        refs = names_of(session)  # once per run, not once per page
    for target in resolve_targets(source_key, settings):
        try:
            run_in_own_transactions(app, target, fetcher, settings, refs)
        except Exception:  # one target's database trouble must not starve the other pages
            log.exception("recording the scrape of %s failed", target.key)
            broken.append(target.key)
    if broken:
        raise RuntimeError(f"could not record scrape runs of {', '.join(broken)}")


def observe_source(session: Session, source_key: str, fetcher: Fetcher, settings: ScrapeSettings) -> list[Observation]:
    """Fetch and parse every page of the source and return the observations, writing nothing (dry run)."""
    refs = names_of(session)
    found: list[Observation] = []
    for target in resolve_targets(source_key, settings):
        # No conditional headers: a dry run must always see the page itself.
        result = fetch_target(target, fetcher, refs, max_articles=settings.max_articles)
        if result.error:
            raise ScrapeFailed(target.key, result.error)
        found += [o for o in result.observations if o not in found]
    return found


class ScrapeFailed(Exception):
    """A dry run could not read a page: fetch failure or layout change, in words for the operator."""

    def __init__(self, key: str, message: str) -> None:
        """Name the target and what went wrong."""
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def file_target(source_key: str, settings: ScrapeSettings) -> Target:
    """The target a saved page of ``source_key`` stands for (a watch source's first watched page)."""
    return resolve_targets(source_key, settings)[0]


def parse_file(session: Session, target: Target, html: str, url: str | None = None) -> FetchResult:
    """Parse a saved page as if fetched from ``url`` (default: the target's URL); writes nothing."""
    return parse_saved_page(target, html, url or target.fetch_url, solution_refs(session))


def import_file(
    session: Session, target: Target, html: str, settings: ScrapeSettings, url: str | None = None
) -> ScrapeRun:
    """Record a run from a saved page, as if fetched: proposals, snapshots, health (no HTTP state)."""
    plan = prepare(session, target)
    result = parse_saved_page(target, html, url or target.fetch_url, plan.refs)
    return record(session, plan, result, settings, from_file=True)


def reset_health(session: Session, source_key: str, *, user: User) -> Source:
    """A coordinator accepts the source's current state: healthy again, and an empty page is now normal."""
    source = session.scalar(select(Source).where(Source.key == source_key))
    if source is None:
        raise NotFound("ingest.source_not_found", key=source_key)
    before = {"healthy": source.healthy, "reason": source.health_reason, "last_findings": source.last_findings}
    source.healthy, source.health_reason, source.consecutive_failures = True, None, 0
    source.last_findings = None
    audit.record(session, "source.health_reset", actor=user, object_type="source", object_id=source.key,
                 details={"before": before})  # fmt: skip
    session.flush()
    return source


def targets_of(keys: Sequence[str], settings: ScrapeSettings) -> list[Target]:
    """The targets of several keys, each once, in the order given."""
    seen: dict[str, Target] = {}
    for key in keys:
        for target in resolve_targets(key, settings):
            seen.setdefault(target.key, target)
    return list(seen.values())
