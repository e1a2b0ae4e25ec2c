"""End to end against a real HTTP server on 127.0.0.1 serving the saved pages: 200, 304, 404, 500, a timeout,
garbage, a changed layout, news articles and watched pages. Each gives the right run record, health and
proposals, and the registry is never altered by a failing run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from tests.support.ingest import (
    ARTICLE_PATH,
    LAUNCH_PATH,
    MITID_PATH,
    NEWS_PATH,
    base_url,
    page,
    registry_state,
    runs,
    scraper_proposals,
    serve_robots,
    settings_for,
    snapshots_of,
    source_row,
)
from tracker.ingest import services
from tracker.ingest.snapshots import pending_page_changes
from tracker.ingest.targets import ScrapeSettings, watch_key

HTML = "text/html; charset=utf-8"
LAST_MODIFIED = "Tue, 14 Mar 2023 08:00:00 GMT"


def _run(session: Session, key: str, settings: ScrapeSettings) -> services.ScrapeRun:
    return services.run_scrape(session, key, settings.fetcher(), settings=settings)


@pytest.fixture
def site(httpserver: HTTPServer) -> Iterator[HTTPServer]:
    """The local stand-in for digst.dk and friends, with a permissive robots.txt."""
    serve_robots(httpserver)
    yield httpserver
    httpserver.clear()


def test_200_then_304_sends_the_conditional_request_and_adds_nothing(site: HTTPServer, session: Session) -> None:
    settings = settings_for(site)
    site.expect_oneshot_request(LAUNCH_PATH).respond_with_data(
        page("digst_launch.html"), content_type=HTML, headers={"ETag": '"v1"', "Last-Modified": LAST_MODIFIED}
    )
    site.expect_request(LAUNCH_PATH, headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    before = registry_state(session)

    first = _run(session, "digst_launch", settings)
    # 11 findings: "Brugere af Nexus skal logge på med … Betydelig" is no longer read (the level's subject must be
    # the solution itself); it made no proposal of its own.
    assert (first.outcome, first.http_status, first.findings, first.proposals) == ("ok", 200, 11, 10)
    assert first.bytes == len(page("digst_launch.html")) and first.duration_ms is not None
    source = source_row(session, "digst_launch")
    assert (source.etag, source.last_modified, source.healthy) == ('"v1"', LAST_MODIFIED, True)
    proposals, snaps = len(scraper_proposals(session)), len(snapshots_of(session, "digst_launch"))
    assert snaps == 1

    second = _run(session, "digst_launch", settings)
    assert (second.outcome, second.http_status, second.findings, second.proposals) == ("not_modified", 304, 0, 0)
    page_requests = [req for req, _ in site.log if req.path == LAUNCH_PATH]
    assert len(page_requests) == 2
    assert "If-None-Match" not in page_requests[0].headers
    assert page_requests[1].headers["If-None-Match"] == '"v1"'
    assert page_requests[1].headers["If-Modified-Since"] == LAST_MODIFIED
    assert page_requests[1].headers["User-Agent"] == settings.user_agent
    assert len(scraper_proposals(session)) == proposals
    assert len(snapshots_of(session, "digst_launch")) == snaps
    assert registry_state(session) == before  # proposals wait for review; nothing was applied
    assert source_row(session, "digst_launch").healthy


def test_an_unchanged_page_without_etag_adds_nothing_the_second_time(site: HTTPServer, session: Session) -> None:
    settings = settings_for(site)
    site.expect_request(LAUNCH_PATH).respond_with_data(page("digst_launch.html"), content_type=HTML)
    first = _run(session, "digst_launch", settings)
    second = _run(session, "digst_launch", settings)
    assert (first.proposals, second.outcome, second.findings, second.proposals) == (10, "ok", 11, 0)
    assert len(snapshots_of(session, "digst_launch")) == 1
    assert pending_page_changes(session) == []


@pytest.mark.parametrize(
    ("status", "tries"),
    [(404, 1), (500, 2)],  # 5xx is retried (max_tries 2), 404 is not
)
def test_http_errors_fail_the_run_and_alert_after_repeated_failures(
    site: HTTPServer, session: Session, status: int, tries: int
) -> None:
    settings = settings_for(site)
    site.expect_oneshot_request(LAUNCH_PATH).respond_with_data(page("digst_launch.html"), content_type=HTML)
    _run(session, "digst_launch", settings)
    site.expect_request(LAUNCH_PATH).respond_with_data("fejl", status=status)
    before, proposals = registry_state(session), len(scraper_proposals(session))

    for n in (1, 2, 3):
        run = _run(session, "digst_launch", settings)
        assert (run.outcome, run.http_status, run.findings, run.proposals) == ("failed", status, 0, 0)
        assert f"HTTP {status}" in (run.error or "")
        source = source_row(session, "digst_launch")
        assert source.consecutive_failures == n and source.healthy is (n < 3)
    assert "3 mislykkede kørsler i træk" in (source.health_reason or "")
    assert len([r for r, _ in site.log if r.path == LAUNCH_PATH]) == 1 + 3 * tries
    assert registry_state(session) == before and len(scraper_proposals(session)) == proposals
    assert len(snapshots_of(session, "digst_launch")) == 1


def test_a_timeout_fails_the_run(site: HTTPServer, session: Session) -> None:
    settings = settings_for(site, read_timeout=0.3)
    answer = threading.Event()  # the page answers only once the run has given up on it

    def slow(request: Request) -> Response:
        answer.wait(30)
        return Response(page("digst_launch.html"), content_type=HTML)

    site.expect_request(LAUNCH_PATH).respond_with_handler(slow)
    before = registry_state(session)
    try:
        run = _run(session, "digst_launch", settings)
    finally:
        answer.set()
    assert (run.outcome, run.http_status, run.proposals) == ("failed", None, 0)
    assert "timed out" in (run.error or "")
    source = source_row(session, "digst_launch")
    assert source.consecutive_failures == 1 and source.healthy  # one slow answer is no alarm yet
    assert registry_state(session) == before


def test_garbage_is_rejected_and_stored_nowhere(site: HTTPServer, session: Session) -> None:
    settings = settings_for(site)
    site.expect_request(LAUNCH_PATH).respond_with_data(page("garbage.html"), content_type="text/html")
    before = registry_state(session)
    run = _run(session, "digst_launch", settings)
    assert (run.outcome, run.http_status, run.findings, run.proposals) == ("rejected", 200, 0, 0)
    source = source_row(session, "digst_launch")
    assert not source.healthy and "afvist" in (source.health_reason or "")
    assert snapshots_of(session, "digst_launch") == []  # junk must never look like a page change
    assert scraper_proposals(session) == [] and registry_state(session) == before


def test_a_changed_layout_is_rejected_alerted_and_shown_as_a_page_change(site: HTTPServer, session: Session) -> None:
    settings = settings_for(site)
    site.expect_oneshot_request(LAUNCH_PATH).respond_with_data(
        page("digst_launch.html"), content_type=HTML, headers={"ETag": '"v1"'}
    )
    site.expect_request(LAUNCH_PATH).respond_with_data(
        page("digst_launch_layout_changed.html"), content_type=HTML, headers={"ETag": '"v2"'}
    )
    assert _run(session, "digst_launch", settings).outcome == "ok"
    before, proposals = registry_state(session), len(scraper_proposals(session))

    run = _run(session, "digst_launch", settings)
    assert (run.outcome, run.http_status, run.findings, run.proposals) == ("rejected", 200, 0, 0)
    source = source_row(session, "digst_launch")
    # Read by meaning, the redesigned page holds no facts: the empty result after 12 is the alert.
    assert not source.healthy and "ingen fund" in (source.health_reason or "")
    assert source.etag == '"v1"'  # the redesigned page is fetched in full next time, not skipped by a 304
    assert registry_state(session) == before and len(scraper_proposals(session)) == proposals
    [change] = pending_page_changes(session)
    assert change.source_key == "digst_launch" and change.removed > 0
    # The next run asks with the last good ETag; the server still has the new page: still rejected.
    again = _run(session, "digst_launch", settings)
    assert again.outcome == "rejected"
    assert [r for r, _ in site.log if r.path == LAUNCH_PATH][-1].headers["If-None-Match"] == '"v1"'
    assert len(pending_page_changes(session)) == 1  # the same new text is not a second change


def test_robots_txt_forbidding_the_page_fails_without_fetching_it(httpserver: HTTPServer, session: Session) -> None:
    serve_robots(httpserver, "User-agent: *\nDisallow: /it-loesninger/\n")
    httpserver.expect_request(LAUNCH_PATH).respond_with_data(page("digst_launch.html"), content_type=HTML)
    run = _run(session, "digst_launch", settings_for(httpserver))
    assert run.outcome == "failed" and "robots.txt" in (run.error or "")
    assert [r.path for r, _ in httpserver.log] == ["/robots.txt"]


def test_news_archive_and_its_articles(site: HTTPServer, session: Session) -> None:
    settings = settings_for(site, max_articles=3)
    site.expect_request(NEWS_PATH).respond_with_data(page("digst_news.html"), content_type=HTML)
    site.expect_request(ARTICLE_PATH).respond_with_data(page("digst_news_article.html"), content_type=HTML)
    site.expect_request("/nyheder/nyhedsarkiv/2023/februar/aula-og-nsis/").respond_with_data(
        page("digst_news_article.html").replace(b"<h1>", b"<p>").replace(b"</h1>", b"</p>"), content_type=HTML
    )  # an article without its H1 is still read by meaning
    site.expect_request("/nyheder/nyhedsarkiv/2023/april/nemlog-in-driftsstatus/").respond_with_data(
        "findes ikke", status=404
    )
    run = _run(session, "digst_news", settings)
    assert run.outcome == "ok", run.error
    assert "1 af 3 artikler kunne ikke læses" in (run.error or "")
    paths = [r.path for r, _ in site.log]
    # Relevant items only (NemLog-in/MitID Erhverv/NSIS), the first three: the strategy item is skipped and
    # the fourth relevant one is beyond the limit.
    assert "/nyheder/nyhedsarkiv/2023/marts/ny-strategi-for-digital-velfaerd/" not in paths
    assert "/nyheder/nyhedsarkiv/2023/oktober/sundhed-dk-skifter-login/" not in paths
    assert paths.count(ARTICLE_PATH) == 1
    article_url = base_url(site) + ARTICLE_PATH
    by_url = {(p.solution.slug, p.source_url) for p in scraper_proposals(session, "digst_news")}
    assert ("virk-dk", article_url) in by_url  # "Virk.dk åbner … den 24. oktober" read from the article itself
    assert ("aula", base_url(site) + "/nyheder/nyhedsarkiv/2023/februar/aula-og-nsis/") in by_url  # from the archive
    # Every page that answered is watched, even one whose findings could not be read.
    snapped = {s.url for s in snapshots_of(session, "digst_news")}
    assert snapped == {
        base_url(site) + NEWS_PATH,
        article_url,
        base_url(site) + "/nyheder/nyhedsarkiv/2023/februar/aula-og-nsis/",
    }


def test_news_articles_all_failing_is_a_rejected_run(site: HTTPServer, session: Session) -> None:
    settings = settings_for(site, max_articles=2)
    site.expect_request(MITID_PATH).respond_with_data(page("mitid_erhverv_news.html"), content_type=HTML)
    before = registry_state(session)
    run = _run(session, "mitid_erhverv_news", settings)  # no article is served: every one is a 500
    assert run.outcome == "rejected" and "ingen af 2 artikler" in (run.error or "")
    assert scraper_proposals(session) == [] and registry_state(session) == before


def test_a_watched_page_that_changes_gives_one_readable_diff(site: HTTPServer, session: Session) -> None:
    url = "https://digitaliseringskataloget.dk/udskiftning-af-oces2"
    settings = settings_for(site, watch_urls=(url,))
    key = watch_key(url)
    site.expect_oneshot_request("/udskiftning-af-oces2").respond_with_data(page("watch_page.html"), content_type=HTML)
    site.expect_oneshot_request("/udskiftning-af-oces2").respond_with_data(page("watch_page.html"), content_type=HTML)
    site.expect_request("/udskiftning-af-oces2").respond_with_data(page("watch_page_changed.html"), content_type=HTML)

    assert _run(session, "watch", settings).outcome == "ok"
    assert _run(session, "watch", settings).outcome == "ok"
    assert pending_page_changes(session) == []  # unchanged page: no diff
    third = _run(session, "watch", settings)
    assert third.outcome == "ok" and third.proposals == 1  # "uge 45" is a new finding for FMK
    [change] = pending_page_changes(session)
    assert change.source_key == key
    assert [(line.op, line.text) for line in change.lines] == [
        ("-", "FMK skifter i uge 43."),
        ("+", "FMK skifter i uge 45."),
    ]
    assert len(snapshots_of(session, key)) == 2
    assert _run(session, key, settings).outcome == "ok"  # the same page again: still one change
    assert len(pending_page_changes(session)) == 1


def test_zero_findings_on_a_page_that_had_some_is_rejected(site: HTTPServer, session: Session) -> None:
    url = "https://aulainfo.dk/tag/login/"
    settings = settings_for(site, watch_urls=(url,))
    site.expect_oneshot_request("/tag/login/").respond_with_data(page("watch_page.html"), content_type=HTML)
    emptied = page("watch_page.html").replace(b"FMK", b"Systemet").replace(b"Aula", b"Portalen")
    emptied = emptied.replace(b"Serviceplatformen", b"Platformen")
    site.expect_request("/tag/login/").respond_with_data(emptied, content_type=HTML)
    assert _run(session, "watch", settings).findings == 3
    before, proposals = registry_state(session), len(scraper_proposals(session))
    run = _run(session, "watch", settings)
    assert (run.outcome, run.findings) == ("rejected", 0)
    source = source_row(session, watch_key(url))
    assert not source.healthy and "ingen fund" in (source.health_reason or "")
    assert registry_state(session) == before and len(scraper_proposals(session)) == proposals
    assert len(pending_page_changes(session)) == 1  # coordinators see what disappeared


def test_the_scheduled_job_commits_its_runs(site: HTTPServer, app: Flask, session: Session,
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setitem(app.config, "SCRAPE_BASE_URL", base_url(site))
    monkeypatch.setitem(app.config, "SCRAPE_BACKOFF_SECONDS", 0.0)
    monkeypatch.setitem(app.config, "SCRAPE_WATCH_URLS", "https://a.example/p1,https://a.example/p2")
    site.expect_request("/p1").respond_with_data(page("watch_page.html"), content_type=HTML)
    site.expect_request("/p2").respond_with_data("nej", status=404)
    services.scheduled_scrape(app, "watch")
    one, two = watch_key("https://a.example/p1"), watch_key("https://a.example/p2")
    outcomes = {key: [r.outcome for r in runs(session, key)] for key in (one, two)}
    assert outcomes == {one: ["ok"], two: ["failed"]}
