"""Helpers for broadcast tests: real webhook receivers on loopback, a steppable clock, users and subscriptions."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from standardwebhooks import Webhook
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tracker.auth.tokens import create_token
from tracker.broadcast.ssrf import TargetPolicy, parse_networks
from tracker.broadcast.subscriptions import create_subscription
from tracker.models import Solution, Subscription, User
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution

LOOPBACK = TargetPolicy(allowed_networks=parse_networks("127.0.0.0/8,::1/128"), require_https=True)


@dataclass(frozen=True)
class Received:
    """One request a receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def webhook_id(self) -> str:
        """The Standard Webhooks message id."""
        return self.headers["webhook-id"]


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request (hundreds of them would drown the test output)."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Stay quiet."""


Behaviour = Callable[[int, Request, "Receiver"], Response]


def ok(_n: int, _request: Request, _receiver: Receiver) -> Response:
    """Accept everything."""
    return Response("ok", status=200)


class Receiver:
    """A threaded HTTP server on a loopback address that records every request and answers as told."""

    def __init__(self, behaviour: Behaviour = ok, host: str = "127.0.0.1", max_hang: float = 30.0) -> None:
        """Prepare the server; ``behaviour(n, request, receiver)`` answers the n-th request (from 0)."""
        self.behaviour = behaviour
        self.host = host
        self.max_hang = max_hang
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.server: BaseWSGIServer | None = None
        self.thread: threading.Thread | None = None

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        with self.lock:
            n = len(self.received)
            self.received.append(Received(request.path, {k.lower(): v for k, v in request.headers.items()}, body))
        return self.behaviour(n, request, self)(environ, start_response)

    def hang(self) -> Response:
        """Accept the request but answer only when released (or after ``max_hang``)."""
        self.release.wait(self.max_hang)
        return Response("late", status=200)

    def start(self) -> Receiver:
        """Listen on a free port."""
        self.server = make_server(self.host, 0, self._wsgi, threaded=True, request_handler=_QuietHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        """Release hanging requests and stop listening."""
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def port(self) -> int:
        """The port it listens on."""
        assert self.server is not None
        return int(self.server.server_port)

    def url(self, path: str = "/hook") -> str:
        """The URL of a path on this receiver."""
        return f"http://{self.host}:{self.port}{path}"

    def ids(self, path: str | None = None) -> list[str]:
        """The webhook-ids received (optionally on one path), in arrival order."""
        with self.lock:
            return [
                r.webhook_id for r in self.received if "webhook-id" in r.headers and (path is None or r.path == path)
            ]

    def hits(self) -> int:
        """How many requests arrived."""
        with self.lock:
            return len(self.received)


@contextmanager
def receiver(behaviour: Behaviour = ok, host: str = "127.0.0.1", max_hang: float = 30.0) -> Iterator[Receiver]:
    """A running receiver for the duration of a block."""
    server = Receiver(behaviour, host, max_hang).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def receivers(count: int, behaviour: Behaviour = ok, max_hang: float = 30.0) -> Iterator[list[Receiver]]:
    """Many running receivers, stopped in parallel (each stop waits one poll interval)."""
    servers = [Receiver(behaviour, max_hang=max_hang).start() for _ in range(count)]
    try:
        yield servers
    finally:
        stoppers = [threading.Thread(target=server.stop) for server in servers]
        for thread in stoppers:
            thread.start()
        for thread in stoppers:
            thread.join(30)


def verify(secret: str, received: Received) -> dict[str, Any]:
    """Check a request with the reference Standard Webhooks library; returns the parsed body."""
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


# Where every test clock starts unless told otherwise: a fixed instant, so no test depends on the hour or the
# weekday it runs at (a Tuesday, 11:00 Danish time: hours from any digest boundary). It lies after any real
# "now" a test run will see, so rows the app stamped with the real clock (a delivery, a mail) are already due.
FIXED_START = datetime(2040, 3, 6, 10, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves forward instead of sleeping; it never reads the wall clock."""

    def __init__(self, start: datetime | None = None) -> None:
        """Start at ``start``, else at ``FIXED_START``."""
        self.now = start or FIXED_START

    def __call__(self) -> datetime:
        """The current instant."""
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)``."""
        self.now += timedelta(**delta)
        return self.now


def token_for(session: Session, user: User) -> str:
    """A bearer token for the user."""
    return create_token(session, user, "test")[1]


def log_in(client: FlaskClient, user: User) -> None:
    """Give the client a login session for the user, as the login form would (see tests.support.accounts)."""
    from tests.support.accounts import log_in as start

    start(client, user)


def subscribe(session: Session, owner: User, url: str, **filters: Any) -> tuple[Subscription, str]:
    """A subscription to a loopback receiver (loopback allowed by the policy given here)."""
    return create_subscription(session, owner, url=url, policy=LOOPBACK, **filters)


def dated_solution(session: Session, slug: str, earliest: date, latest: date | None = None, **fields: Any) -> Solution:
    """A fixture solution with a switch interval (never a real-world claim)."""
    values: dict[str, Any] = {
        "switch_earliest_on": earliest,
        "switch_latest_on": latest or earliest,
        "switch_precision": "day" if (latest or earliest) == earliest else "month",
        "switch_state": "planned",
        "switch_status": "confirmed",
        "switch_source_kind": "authority",
        "switch_source_url": f"https://example.org/{slug}/dato",
        **fields,
    }
    if values.get("loa_status") == "confirmed":
        values.setdefault("loa_source_url", f"https://example.org/{slug}/niveau")  # confirmed needs a source
    return create_solution(session, actor=SYSTEM, slug=slug, name=slug.upper(), fields=values)


def solution_by_slug(session: Session, slug: str) -> Solution:
    """A solution by slug."""
    found = session.scalar(select(Solution).where(Solution.slug == slug))
    assert found is not None, slug
    return found


def allow_loopback(app: Flask, monkeypatch: Any, **extra: Any) -> None:
    """Let the app deliver to loopback receivers over http, with short timeouts (test configuration)."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
    monkeypatch.setitem(app.config, "WEBHOOK_CONNECT_TIMEOUT", 2.0)
    monkeypatch.setitem(app.config, "WEBHOOK_READ_TIMEOUT", 3.0)
    for key, value in extra.items():
        monkeypatch.setitem(app.config, key, value)
