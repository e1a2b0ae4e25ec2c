"""At the edge, over real HTTP (the test client builds its own environ and hides what a socket sends): an
impossible Host header is a 400 on every route (``/healthz`` and the error page included), deeply nested JSON a
400, public data readable from another origin (never with credentials, never private routes), and every page
and API answer says its language in ``Content-Language``."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.support.apps import make_test_app, serving
from tests.support.fresh import migrate_and_seed

BAD_HOSTS = [
    "a" * 64 + ".example.dk",  # a label over 63 characters
    "foo..bar",  # an empty label
    "xn--zz.example",  # an xn-- label that is no punycode
    "[::1",  # an unclosed IPv6 literal
    "tu-tracker.example.dk:80x",  # a port that is no number
    "tu-tracker.example.dk" + ".abc" * 70,  # longer than 253 characters
    "tøj.example.dk",  # raw UTF-8: clients send xn-- labels
]
GOOD_HOSTS = ["localhost", "127.0.0.1:8000", "tu-tracker.example.dk.", "[::1]:8000", "xn--tj-lka.example.dk"]
ROUTES = ["/healthz", "/", "/loesninger/aula", "/api/v1/solutions", "/findes-ikke", "/static/findes-ikke.css"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The app behind a real HTTP server on loopback, on its own migrated and seeded SQLite database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('edge') / 'edge.db'}"
    migrate_and_seed(url)
    app = make_test_app(url, SERVER_NAME=None)
    with serving(app) as base:
        parts = urlsplit(base)
        assert parts.hostname and parts.port
        yield parts.hostname, parts.port


def _send(
    server: tuple[str, int], method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request exactly as given (Host too), over a fresh connection."""
    connection = http.client.HTTPConnection(*server, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value.encode("utf-8"))
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_an_impossible_host_is_a_400_on_every_route(server: tuple[str, int], host: str) -> None:
    for path in ROUTES:
        status, headers, body = _send(server, "GET", path, {"Host": host})
        assert status == 400, (host, path, status, body[:200])
        if path.startswith("/api/"):
            error = json.loads(body)["error"]
            assert error["code"] == "bad_request" and "Host-headeren" in error["message"]
        else:
            assert headers["content-type"].startswith("text/html") and b"Host-headeren" in body
        assert headers["content-language"] == "da"
    status, _, body = _send(server, "GET", "/api/v1/solutions", {"Host": host, "Accept-Language": "en"})
    assert status == 400 and "Host header" in json.loads(body)["error"]["message"]


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_possible_hosts_are_answered(server: tuple[str, int], host: str) -> None:
    for path in ("/healthz", "/", "/api/v1/solutions"):
        status, _, _ = _send(server, "GET", path, {"Host": host})
        assert status == 200, (host, path)


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(server: tuple[str, int], depth: int) -> None:
    for path in ("/api/v1/solutions/aula/inquiries", "/api/v1/proposals", "/api/v1/solutions"):
        for body in (b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth, b"[" * depth):
            status, headers, answer = _send(
                server, "POST", path, {"Host": "localhost", "Content-Type": "application/json"}, body
            )
            assert status == 400, (path, depth, status, answer[:200])
            assert "indlejret for dybt" in json.loads(answer)["error"]["message"]
            assert headers["content-language"] == "da"


def test_a_body_over_the_size_limit_is_a_json_413(server: tuple[str, int]) -> None:
    """A body past MAX_CONTENT_LENGTH is refused by its Content-Length, in Danish, before anything is read or stored."""
    body = b'{"question": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    for path in ("/api/v1/solutions/aula/inquiries", "/api/v1/proposals"):
        try:
            status, headers, answer = _send(
                server, "POST", path, {"Host": "localhost", "Content-Type": "application/json"}, body
            )
        except (BrokenPipeError, ConnectionResetError):
            pytest.fail(f"{path}: the server closed the connection instead of answering 413")
        assert status == 413, (path, status, answer[:200])
        assert json.loads(answer)["error"]["message"] and headers["content-language"] == "da"


def test_json_nesting_within_the_limit_reaches_validation(server: tuple[str, int]) -> None:
    body = json.dumps({"question": [[["x"]]]}).encode()
    status, _, _ = _send(
        server,
        "POST",
        "/api/v1/solutions/aula/inquiries",
        {"Host": "localhost", "Content-Type": "application/json"},
        body,
    )
    assert status in (401, 422)  # refused for its content or the missing token, not for its nesting
    brackets_in_text = json.dumps({"question": "[" * 500}).encode()
    status, _, _ = _send(
        server,
        "POST",
        "/api/v1/solutions/aula/inquiries",
        {"Host": "localhost", "Content-Type": "application/json"},
        brackets_in_text,
    )
    assert status in (401, 422), "brackets inside a string are text, not nesting"


PUBLIC_READS = [
    "/",
    "/loesninger/aula",
    "/api/v1/solutions",
    "/api/v1/solutions/aula",
    "/api/v1/openapi.json",
    "/feeds/changes.atom",
    "/feeds/changes.rss",
    "/calendar/solutions.ics",
    "/api/v1/events",
]
PRIVATE_ROUTES = [
    "/konto",
    "/api/v1/account/notifications",
    "/kommuner/101",
    "/api/v1/municipalities/101/readiness",
    "/api/v1/municipalities/101/portfolio",
    "/calendar/municipalities/101.ics?token=x",
    "/feeds/municipalities/101.atom?token=x",
    "/api/v1/proposals",
]
ORIGIN = {"Host": "localhost", "Origin": "https://dashboard.example.org"}


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_public_data_is_readable_from_any_origin_without_credentials(server: tuple[str, int], path: str) -> None:
    status, headers, _ = _send(server, "GET", path, ORIGIN)
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in headers
    assert "ETag" in headers.get("access-control-expose-headers", "")
    preflight, headers, _ = _send(
        server,
        "OPTIONS",
        path,
        {**ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"},
    )
    assert preflight in (200, 204) and headers["access-control-allow-origin"] == "*"
    assert "GET" in headers["access-control-allow-methods"] and "POST" not in headers["access-control-allow-methods"]
    # With credentials the answer may be personal: no CORS at all.
    _, headers, _ = _send(server, "GET", path, {**ORIGIN, "Authorization": "Bearer nope"})
    assert "access-control-allow-origin" not in headers
    _, headers, _ = _send(server, "GET", path, {**ORIGIN, "Cookie": "session=abc"})
    assert "access-control-allow-origin" not in headers


@pytest.mark.parametrize("path", PRIVATE_ROUTES)
def test_private_routes_and_writes_get_no_cors(server: tuple[str, int], path: str) -> None:
    _, headers, _ = _send(server, "GET", path, ORIGIN)
    assert "access-control-allow-origin" not in headers
    _, headers, _ = _send(server, "OPTIONS", path, {**ORIGIN, "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in headers
    _, headers, _ = _send(server, "OPTIONS", "/api/v1/solutions", {**ORIGIN, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in headers, "a write is never allowed cross-origin"


@pytest.mark.parametrize(
    ("path", "extra", "language"),
    [
        ("/", {}, "da"),
        ("/", {"Accept-Language": "en-GB,en;q=0.9"}, "en"),
        ("/loesninger/aula?lang=en", {}, "en"),
        ("/kommende-skift", {}, "da"),
        ("/findes-ikke", {"Accept-Language": "en"}, "en"),
        ("/api/v1/solutions", {}, "da"),
        ("/api/v1/solutions/aula", {"Accept-Language": "en"}, "en"),
        ("/api/v1/solutions/findes-ikke", {}, "da"),
        ("/api/v1/proposals", {"Accept-Language": "en"}, "en"),
        ("/healthz", {}, "da"),
    ],
)
def test_pages_and_api_answers_say_their_language(
    server: tuple[str, int], path: str, extra: dict[str, str], language: str
) -> None:
    status, headers, _ = _send(server, "GET", path, {"Host": "localhost", **extra})
    assert status < 500
    assert headers["content-language"] == language, (path, status)
