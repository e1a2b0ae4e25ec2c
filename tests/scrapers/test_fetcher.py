"""scrapers.http against a real HTTP server on 127.0.0.1 (pytest-httpserver)."""

from __future__ import annotations

import hashlib
import re
import socket
import threading

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from scrapers.base import FetchError, RobotsDisallowedError
from scrapers.http import DEFAULT_USER_AGENT, Fetcher

HTML = "<html><body><main><h1>Lanceringsdatoer</h1><p>FMK skifter 1. marts 2023.</p></main></body></html>"


class Sleeps:
    """Records the back-off sleeps instead of sleeping, so retry tests are fast and exact."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def _robots(server: HTTPServer, body: str | None = None, status: int = 200) -> None:
    if body is None:
        server.expect_request("/robots.txt").respond_with_data("not found", status=404)
    else:
        server.expect_request("/robots.txt").respond_with_data(body, status=status, content_type="text/plain")


def _paths(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


def _fetcher(**kwargs: object) -> Fetcher:
    kwargs.setdefault("timeout", (2.0, 2.0))
    return Fetcher(DEFAULT_USER_AGENT, **kwargs)  # type: ignore[arg-type]  # any Fetcher option passes through


def test_user_agent_names_the_service_and_a_contact(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_request("/page").respond_with_data(HTML, content_type="text/html; charset=utf-8")
    page = _fetcher().fetch(httpserver.url_for("/page"))
    assert page.status == 200
    assert page.text == HTML
    assert page.content_hash == hashlib.sha256(HTML.encode()).hexdigest()
    for request, _ in httpserver.log:
        assert request.headers["User-Agent"] == DEFAULT_USER_AGENT
    assert re.match(r"^\S+/\d+\.\d+ \(.+; .+@.+\)", DEFAULT_USER_AGENT)


def test_etag_then_304_with_conditional_headers(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    seen: list[dict[str, str | None]] = []

    def handler(request: Request) -> Response:
        seen.append({"inm": request.headers.get("If-None-Match"), "ims": request.headers.get("If-Modified-Since")})
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        headers = {"ETag": '"v1"', "Last-Modified": "Fri, 12 May 2023 08:00:00 GMT"}
        return Response(HTML, status=200, headers=headers, content_type="text/html")

    httpserver.expect_request("/page").respond_with_handler(handler)
    fetcher = _fetcher()
    first = fetcher.fetch(httpserver.url_for("/page"))
    assert (first.status, first.etag, first.last_modified) == (200, '"v1"', "Fri, 12 May 2023 08:00:00 GMT")
    second = fetcher.fetch(httpserver.url_for("/page"), etag=first.etag, last_modified=first.last_modified)
    assert (second.status, second.text, second.content_hash, second.etag) == (304, "", None, '"v1"')
    assert seen == [{"inm": None, "ims": None}, {"inm": '"v1"', "ims": "Fri, 12 May 2023 08:00:00 GMT"}]
    assert _paths(httpserver).count("/robots.txt") == 1  # cached per host for the run


def test_404_is_a_fetch_error_without_retry(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    sleeps = Sleeps()
    with pytest.raises(FetchError, match="HTTP 404") as caught:
        _fetcher(sleep=sleeps).fetch(httpserver.url_for("/gone"))
    assert caught.value.status == 404
    assert _paths(httpserver).count("/gone") == 1
    assert sleeps.calls == []


def test_500_is_retried_with_backoff_then_fails(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_request("/flaky").respond_with_data("down", status=500)
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"HTTP 500 .* after 3 tries") as caught:
        _fetcher(sleep=sleeps, backoff=0.5, max_tries=3).fetch(httpserver.url_for("/flaky"))
    assert caught.value.status == 500
    assert _paths(httpserver).count("/flaky") == 3
    assert sleeps.calls == [0.5, 1.0]


def test_503_then_200_recovers(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_oneshot_request("/page").respond_with_data("busy", status=503)
    httpserver.expect_oneshot_request("/page").respond_with_data(HTML, content_type="text/html")
    page = _fetcher(sleep=Sleeps()).fetch(httpserver.url_for("/page"))
    assert page.status == 200
    assert page.text == HTML


def test_429_retry_after_is_honoured_and_capped(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_oneshot_request("/page").respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_oneshot_request("/page").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )
    httpserver.expect_oneshot_request("/page").respond_with_data(HTML, content_type="text/html")
    sleeps = Sleeps()
    page = _fetcher(sleep=sleeps, backoff=0.5, max_sleep=60.0).fetch(httpserver.url_for("/page"))
    assert page.status == 200
    assert sleeps.calls == [7.0, 60.0]


def test_real_sleep_is_bounded_by_max_sleep(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_oneshot_request("/page").respond_with_data("later", status=429, headers={"Retry-After": "30"})
    httpserver.expect_oneshot_request("/page").respond_with_data(HTML, content_type="text/html")
    # Retry-After asks for 30 s; the real sleep is capped at 0.05 s, so the fetch returns long before the
    # 20 s this test is willing to wait (a bound on a hang, not a measurement).
    done: list[int] = []
    worker = threading.Thread(
        target=lambda: done.append(_fetcher(max_sleep=0.05).fetch(httpserver.url_for("/page")).status)
    )
    worker.start()
    worker.join(20)
    assert done == [200]


def test_read_timeout_fails_fast_without_retry(httpserver: HTTPServer) -> None:
    _robots(httpserver)

    arrived: list[str] = []

    answer = threading.Event()  # the page answers only once the fetcher has given up on it

    def slow(request: Request) -> Response:
        arrived.append(request.path)
        answer.wait(30)
        return Response(HTML)

    httpserver.expect_request("/slow").respond_with_handler(slow)
    try:
        with pytest.raises(FetchError, match="timed out") as caught:
            _fetcher(timeout=(1.0, 0.2), sleep=Sleeps()).fetch(httpserver.url_for("/slow"))
    finally:
        answer.set()
    assert caught.value.timed_out
    assert arrived == ["/slow"]  # one request: a timeout is not retried


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_is_retried_then_a_fetch_error() -> None:
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{_closed_port()}/page"
    with pytest.raises(FetchError, match="could not connect"):
        Fetcher(sleep=sleeps, respect_robots=False, timeout=(1.0, 1.0)).fetch(url)
    assert sleeps.calls == [1.0, 2.0]


def test_unreachable_robots_disallows_everything() -> None:
    with pytest.raises(RobotsDisallowedError):
        Fetcher(sleep=Sleeps(), timeout=(1.0, 1.0)).fetch(f"http://127.0.0.1:{_closed_port()}/page")


def test_robots_disallow_means_no_request(httpserver: HTTPServer) -> None:
    _robots(httpserver, "User-agent: *\nDisallow: /private/\n")
    httpserver.expect_request("/private/page").respond_with_data(HTML)
    httpserver.expect_request("/public").respond_with_data(HTML)
    fetcher = _fetcher()
    with pytest.raises(RobotsDisallowedError):
        fetcher.fetch(httpserver.url_for("/private/page"))
    assert fetcher.fetch(httpserver.url_for("/public")).status == 200
    assert "/private/page" not in _paths(httpserver)


def test_robots_rules_for_our_agent(httpserver: HTTPServer) -> None:
    _robots(httpserver, "User-agent: TU-tracker\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    httpserver.expect_request("/page").respond_with_data(HTML)
    with pytest.raises(RobotsDisallowedError):
        _fetcher().fetch(httpserver.url_for("/page"))
    assert _paths(httpserver) == ["/robots.txt"]


def test_robots_server_error_disallows_everything(httpserver: HTTPServer) -> None:
    _robots(httpserver, "oops", status=503)
    httpserver.expect_request("/page").respond_with_data(HTML)
    with pytest.raises(RobotsDisallowedError):
        _fetcher().fetch(httpserver.url_for("/page"))
    assert "/page" not in _paths(httpserver)


def test_same_site_redirect_is_followed_other_host_is_refused(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(HTML, content_type="text/html")
    here = httpserver.url_for("/new")
    # Same server, other host name: a different site as far as redirects go.
    other = here.replace("localhost", "127.0.0.1") if "localhost" in here else here.replace("127.0.0.1", "localhost")
    httpserver.expect_request("/away").respond_with_data("", status=302, headers={"Location": other})
    page = _fetcher().fetch(httpserver.url_for("/old"))
    assert (page.status, page.url) == (200, httpserver.url_for("/new"))
    with pytest.raises(FetchError, match="another site"):
        _fetcher().fetch(httpserver.url_for("/away"))
    assert _paths(httpserver).count("/new") == 1


def test_redirect_loops_are_bounded(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="redirects"):
        _fetcher(max_redirects=2).fetch(httpserver.url_for("/loop"))
    assert _paths(httpserver).count("/loop") == 3


def test_oversized_body_is_refused(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_request("/big").respond_with_data("x" * 5000)
    with pytest.raises(FetchError, match="limit"):
        _fetcher(max_bytes=1000).fetch(httpserver.url_for("/big"))


def test_charset_from_meta_when_header_has_none(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    body = '<html><head><meta charset="iso-8859-1"></head><body><p>Sikringsniveau Høj</p></body></html>'
    httpserver.expect_request("/latin").respond_with_data(body.encode("iso-8859-1"), content_type="text/html")
    assert "Sikringsniveau Høj" in _fetcher().fetch(httpserver.url_for("/latin")).text
