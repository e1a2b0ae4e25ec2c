"""Behind a proxy the client's own address counts (login throttling), and access logs never carry feed tokens."""

from __future__ import annotations

import datetime

from flask import request
from gunicorn.glogging import Logger

from tests.support.apps import make_test_app
from tracker.cli import ACCESS_LOG_FORMAT


def _remote_addr(database_url: str, hops: int) -> str:
    app = make_test_app(database_url, PROXY_HOPS=hops)
    seen: list[str] = []

    @app.get("/_whoami")
    def whoami() -> str:
        seen.append(str(request.remote_addr))
        return "ok"

    app.test_client().get(
        "/_whoami", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    return seen[0]


def test_forwarded_for_is_trusted_only_with_configured_proxy_hops(database_url: str) -> None:
    assert _remote_addr(database_url, 0) == "10.0.0.2"  # a client cannot claim another address
    assert _remote_addr(database_url, 1) == "203.0.113.7"  # the proxy's word for the client counts


def test_access_log_format_leaves_out_the_query_string() -> None:
    class Resp:
        status = "200 OK"
        sent = 10
        headers: tuple[tuple[str, str], ...] = ()

    class Req:
        headers: tuple[tuple[str, str], ...] = ()

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/feeds/municipalities/101.atom?token=ftk_secret",
        "PATH_INFO": "/feeds/municipalities/101.atom",
        "QUERY_STRING": "token=ftk_secret",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    # gunicorn's own atom builder, as its access logger uses it with our format.
    atoms = Logger.__new__(Logger).atoms(Resp(), Req(), environ, datetime.timedelta(seconds=0.01))
    line = ACCESS_LOG_FORMAT % atoms
    assert '"GET /feeds/municipalities/101.atom"' in line
    assert "ftk_secret" not in line and "token=" not in line
    assert "%(r)s" not in ACCESS_LOG_FORMAT  # the raw request line would carry the query


def test_a_busy_database_is_a_503_with_retry_after_not_a_500(database_url: str) -> None:
    from sqlalchemy.exc import OperationalError

    app = make_test_app(database_url)

    @app.get("/_busy")
    def busy() -> str:
        raise OperationalError("UPDATE x", {}, Exception("database is locked"))

    resp = app.test_client().get("/_busy", headers={"Accept": "application/json"})
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "1"
    assert resp.get_json()["error"]["code"] == "unavailable"
