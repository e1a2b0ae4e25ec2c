"""Run bookkeeping and health: every outcome recorded; failures, layout changes and empty pages alert, never write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from scrapers.base import Observation
from tests.support.accounts import make_user
from tests.support.ingest import registry_state, runs, scraper_proposals, source_row
from tracker.errors import NotFound
from tracker.ingest import services
from tracker.ingest.fetch import FetchedPage, FetchResult
from tracker.ingest.targets import ScrapeSettings, targets_for

SETTINGS = ScrapeSettings(unhealthy_after=3)
TARGET = targets_for("digst_launch", SETTINGS)[0]


def _obs(value: str = "betydelig") -> Observation:
    return Observation(
        "digst_launch", "kmd-nexus", "KMD Nexus", "required_loa", value, None, "exact",
        "Løsning: KMD Nexus | Sikringsniveau: Substantial", TARGET.url,
    )  # fmt: skip


def _result(outcome: str = "ok", observations: list[Observation] | None = None, **kw: object) -> FetchResult:
    result = FetchResult(started_at=datetime.now(UTC), outcome=outcome, http_status=200, bytes=100, **kw)  # type: ignore[arg-type]  # any field passes through
    result.observations = list(observations or [])
    return result


def _record(session: Session, result: FetchResult) -> services.ScrapeRun:
    return services.record(session, services.prepare(session, TARGET), result, SETTINGS)


def test_a_good_run_is_healthy_and_stores_conditional_state(session: Session) -> None:
    run = _record(session, _result(observations=[_obs()], etag='"e1"', last_modified="x", content_hash="h"))
    source = source_row(session, "digst_launch")
    assert (run.outcome, run.findings, run.proposals, run.http_status, run.bytes) == ("ok", 1, 1, 200, 100)
    assert source.healthy and source.consecutive_failures == 0 and source.last_findings == 1
    assert (source.etag, source.last_modified, source.content_hash) == ('"e1"', "x", "h")
    assert source.last_run_at == run.started_at == source.last_success_at


def test_failures_make_the_source_unhealthy_after_the_configured_count(session: Session) -> None:
    _record(session, _result(observations=[_obs()], etag='"e1"'))
    before = registry_state(session)
    proposals = len(scraper_proposals(session))
    for n in (1, 2, 3):
        failed = _result()
        failed.http_status = 503
        failed.fail("failed", "Siden kunne ikke hentes: HTTP 503")
        _record(session, failed)
        source = source_row(session, "digst_launch")
        assert source.consecutive_failures == n
        assert source.healthy is (n < 3)
    assert "3 mislykkede kørsler i træk" in (source.health_reason or "")
    assert [r.outcome for r in runs(session, "digst_launch")] == ["ok", "failed", "failed", "failed"]
    assert source.etag == '"e1"'  # the last good state is kept for the next conditional request
    assert registry_state(session) == before and len(scraper_proposals(session)) == proposals

    recovered = _record(session, _result(outcome="not_modified"))
    source = source_row(session, "digst_launch")
    assert recovered.outcome == "not_modified" and source.healthy and source.consecutive_failures == 0
    assert source.health_reason is None


def test_a_layout_change_is_rejected_at_once_and_keeps_the_page_text(session: Session) -> None:
    _record(session, _result(observations=[_obs()]))
    before = registry_state(session)
    result = _result(etag='"new"')
    result.pages.append(FetchedPage(TARGET.fetch_url, "Overblik\nFMK"))
    result.fail("rejected", "Sidens opbygning er ændret, så intet blev opdateret: no H1")
    run = _record(session, result)
    source = source_row(session, "digst_launch")
    assert run.outcome == "rejected" and not source.healthy
    assert "opbygning er ændret" in (source.health_reason or "")
    assert source.etag is None  # the rejected page's ETag is not kept: next time it is fetched and judged again
    assert registry_state(session) == before


def test_a_page_that_suddenly_yields_nothing_is_rejected(session: Session) -> None:
    _record(session, _result(observations=[_obs()]))
    before = registry_state(session)
    run = _record(session, _result(observations=[]))
    source = source_row(session, "digst_launch")
    assert (run.outcome, run.findings, run.proposals) == ("rejected", 0, 0)
    assert not source.healthy and "ingen fund" in (source.health_reason or "")
    assert source.last_findings == 1  # the yardstick stays until a coordinator accepts the new state
    assert registry_state(session) == before

    coordinator = make_user(session, "k-health@example.dk", "coordinator")
    services.reset_health(session, "digst_launch", user=coordinator)
    assert _record(session, _result(observations=[])).outcome == "ok"
    assert source_row(session, "digst_launch").healthy


def test_a_page_that_never_had_findings_may_stay_empty(session: Session) -> None:
    assert _record(session, _result(observations=[])).outcome == "ok"
    assert _record(session, _result(observations=[])).outcome == "ok"
    assert source_row(session, "digst_launch").last_findings == 0


def test_reset_health_of_an_unknown_source_is_a_404(session: Session) -> None:
    coordinator = make_user(session, "k-reset@example.dk", "coordinator")
    with pytest.raises(NotFound):
        services.reset_health(session, "nope", user=coordinator)


def test_source_rows_are_created_on_first_use_with_the_code_s_name_and_url(session: Session) -> None:
    services.prepare(session, TARGET)
    services.prepare(session, TARGET)
    source = source_row(session, "digst_launch")
    assert (source.name, source.url) == (TARGET.name, TARGET.url)
    assert source.healthy and source.consecutive_failures == 0 and not source.auto_accept_unknown


def test_run_scrape_refuses_a_source_with_several_pages(session: Session) -> None:
    settings = ScrapeSettings(watch_urls=("https://a.example/1", "https://a.example/2"))
    with pytest.raises(ValueError, match="2 pages"):
        services.run_scrape(session, "watch", settings.fetcher(), settings=settings)
    with pytest.raises(NotFound):
        services.run_scrape(session, "no-such-source", settings.fetcher(), settings=settings)
