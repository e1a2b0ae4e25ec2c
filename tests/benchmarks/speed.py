"""Where the work grows: mail, change → first delivery, fan-out to 5000, import, the municipality's page, the
report, and scraping — each a row measured beside its baseline in the same run, on each database.

Rows (named so a reader finds them in the report):

- "mail …": mails/s of the real worker (claim, compose, send on reused connections, record) against plain
  ``smtplib`` sending the same messages over one connection to the same aiosmtpd server (≥ 0.5). The server
  runs in a process of its own (in the bench's process it competed with the senders for the GIL), and the two
  are measured in interleaved rounds: the median of the rounds' ratios.
- "change → first delivery …": p50 from the commit of a change to its webhook's arrival, the worker waiting
  (woken by NOTIFY on PostgreSQL, polling every ``POLL`` s on SQLite); baseline: one direct POST.
- "fan-out to 5000 …": the last live delivery of one change to 5,000 receivers, 5 % hanging (5 % refused), by the real
  ``tracker deliver`` against a minimal asyncio client with the same concurrency and timeouts (≤ 1.5×).
- "import …": 1,000 names with 10 % typos at 10,000 solutions (≤ 5 s); baseline: the same without typos.
- "municipality page …" and "report …": bytes sent (gzip) and the warm in-process time against /healthz's.
- "scraping …": per watched page of a run (names, parse, record) at 10,000 solutions against the starter
  registry (≤ 2×).
- "registry change → actions …": one switch-date change reaching N municipalities whose actions are done and
  owned (each reopened with its reason, a history line, an ``action.updated`` event, the owner's notice), at
  N = 5 and N = 50: the SQL statements (the same at both sizes) and the time against /healthz's.
- "municipality page with actions …" and "actions list …": the page and the actions list at 10,000 solutions ×
  300 entries for one of the municipality's own users once its actions are made, warm, against /healthz's.
"""

from __future__ import annotations

import asyncio
import random
import smtplib
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from email import policy
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, insert, select, update

from tests.benchmarks import fanout
from tests.benchmarks.sqlcount import bench_app
from tests.benchmarks.synthetic import BENCH_USER
from tests.support.accounts import log_in, make_user
from tests.support.apps import migrate_and_seed
from tests.support.mail import smtp_server
from tracker.clock import utcnow
from tracker.db import get_db
from tracker.models import ChangeEvent, MailMessage, Municipality, Solution, Subscription, User

POLL = 2.0  # the workers' fallback poll in the latency row (SQLite has no NOTIFY)
MAILS = 300
FANOUT = 5000
IMPORT_ROWS = 1000
PAGES = 20


def _row(
    name: str, value: float, baseline: float, ratio: float, target: str, ok: bool, **detail: Any
) -> dict[str, Any]:
    return {
        "row": name,
        "value": round(value, 4),
        "baseline": round(baseline, 4),
        "ratio": round(ratio, 3),
        "target": target,
        "pass": bool(ok),
        **detail,
    }


@contextmanager
def _app(url: str, **config: Any) -> Iterator[Flask]:
    app = bench_app(url, **config)
    try:
        with app.app_context():
            yield app
    finally:
        get_db(app).engine.dispose()


MAIL_ROUNDS = 7


@contextmanager
def _smtp_sink() -> Iterator[str]:
    """An aiosmtpd server in a process of its own (it takes every mail and keeps none), so that neither the
    worker's threads nor plain ``smtplib`` share their interpreter with the server; its ``smtp://`` URL."""
    import socket
    import subprocess
    import sys

    from tests.support.mail import free_port

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the SMTP sink did not start")
            time.sleep(0.1)
        yield f"smtp://127.0.0.1:{port}"
    finally:
        server.terminate()
        with suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)
        if server.poll() is None:
            server.kill()


def _queue_mails(app: Flask, count: int, tag: str) -> None:
    """``count`` immediate mails due now for the first active user, about the first event."""
    with get_db(app).unit_of_work() as session:
        user = session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id)).first()
        event_id = session.scalar(select(ChangeEvent.id).order_by(ChangeEvent.id))
        assert user is not None and event_id is not None
        now = utcnow()
        session.execute(
            insert(MailMessage),
            [
                {
                    "user_id": user.id,
                    "key": f"bench:{tag}:{i}",
                    "kind": "immediate",
                    "message_id": f"<bench.{tag}.{i}.{now.timestamp():.0f}@bench.local>",
                    "event_ids": [event_id],
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for i in range(count)
            ],
        )


def mail_row(fresh_url: str) -> dict[str, Any]:
    """The worker's mails/s against plain smtplib sending the same messages to the same server, a server in a
    process of its own; ``MAIL_ROUNDS`` interleaved rounds (the order alternates), the median of the rounds' ratios."""
    from tracker.notify.worker import run_once

    # The messages as the worker writes them, to send the same bytes with smtplib (captured once, not timed).
    with smtp_server() as (inbox, url), _app(fresh_url, MAIL_URL=url, MAIL_TIMEOUT=20.0) as app:
        _queue_mails(app, 20, "capture")
        run_once(app)
        captured = [m.as_bytes(policy=policy.SMTP) for m in inbox.messages]  # as sent: CRLF, folded lines
    assert captured, "the worker sent nothing to capture"
    raw = (captured * (MAILS // len(captured) + 1))[:MAILS]
    ours: list[float] = []
    plain: list[float] = []
    sent_all = True
    with _smtp_sink() as url, _app(fresh_url, MAIL_URL=url, MAIL_TIMEOUT=20.0) as app:
        host, port = url.removeprefix("smtp://").split(":")

        def worker(n: int) -> None:
            nonlocal sent_all
            _queue_mails(app, MAILS, f"r{n}")
            started = time.perf_counter()
            report = run_once(app)
            ours.append(report.sent / (time.perf_counter() - started))
            sent_all = sent_all and report.sent == MAILS

        def baseline(_n: int) -> None:
            started = time.perf_counter()
            with smtplib.SMTP(host, int(port), timeout=20) as client:
                for body in raw:
                    client.sendmail("bench@bench.local", ["reader@bench.local"], body)
            plain.append(len(raw) / (time.perf_counter() - started))

        for n in range(MAIL_ROUNDS):
            for step in (worker, baseline) if n % 2 == 0 else (baseline, worker):
                step(n)
    # Each round's worker against the baseline next to it (the machine's load changes between rounds): the
    # median of those ratios; the medians of each side beside it.
    ratios = sorted(o / p for o, p in zip(ours, plain, strict=True))
    ratio = statistics.median(ratios)
    return _row(
        f"mail: {MAILS} mails by the worker vs plain smtplib, server in its own process, "
        f"median of {MAIL_ROUNDS} interleaved rounds (≥ 0.5)",
        statistics.median(ours),
        statistics.median(plain),
        ratio,
        "≥ 0.5",
        sent_all and ratio >= 0.5,
        unit="mails/s",
        rounds={"ours": [round(x, 1) for x in ours], "plain": [round(x, 1) for x in plain]},
        round_ratios=[round(x, 3) for x in ratios],
    )


def _update(app: Flask, note: str) -> None:
    from tracker.registry.actors import SYSTEM
    from tracker.registry.services import update_solution

    with get_db(app).unit_of_work() as session:
        solution = session.scalars(select(Solution).order_by(Solution.id)).first()
        assert solution is not None
        update_solution(session, solution, {"switch_text": note}, actor=SYSTEM)


def latency_row(kind: str, fresh_url: str) -> dict[str, Any]:
    """p50 from commit to the first delivery, with the worker waiting between rounds."""
    from tracker.broadcast import worker
    from tracker.outbox.wake import Waker

    receivers = fanout.Receivers()
    receivers.start()
    config = {"WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32", "WEBHOOK_REQUIRE_HTTPS": False}
    try:
        with _app(fresh_url, **config) as app:
            with get_db(app).unit_of_work() as session:
                session.execute(update(Subscription).values(active=False))
                owner = make_user(session, "bench-latency@tu-tracker.local", "coordinator")
                from tracker.broadcast.ssrf import TargetPolicy, parse_networks
                from tracker.broadcast.subscriptions import create_subscription

                policy = TargetPolicy(allowed_networks=parse_networks("127.0.0.1/32"), require_https=False)
                create_subscription(
                    session, owner, url=f"http://127.0.0.1:{receivers.ports['fast']}/first/0", policy=policy
                )
            direct = _direct_post(receivers.ports["fast"])
            waker = Waker(str(app.config["DATABASE_URL"]), "webhook")
            if waker.active:
                waker.listening.wait(10)
            stop = threading.Event()
            thread = threading.Thread(target=lambda: worker.serve(app, stop, interval=POLL, waker=waker), daemon=True)
            thread.start()
            time.sleep(1.0)  # the first round found nothing: the worker waits
            samples = []
            for n in range(1, 8):
                before = len(receivers.times)
                _update(app, f"latency {n} {time.time():.0f}")
                committed = time.monotonic()
                while len(receivers.times) <= before and time.monotonic() - committed < 30:
                    time.sleep(0.005)
                samples.append(receivers.times[before] - committed if len(receivers.times) > before else 30.0)
                time.sleep(0.3)  # the rest of the change's deliveries, if any, arrive before the next one
                time.sleep(random.Random(n).uniform(0.1, 0.6))  # commits at varying points of the poll
            stop.set()
            thread.join(15)
    finally:
        receivers.stop()
    p50 = statistics.median(samples)
    limit = 1.0 if kind == "postgresql" else POLL
    how = "woken by NOTIFY" if kind == "postgresql" else f"polling every {POLL:g} s (no NOTIFY on SQLite)"
    return _row(
        f"change → first delivery p50, {how} (≤ {limit:g} s)",
        p50,
        direct,
        p50 / direct if direct else 0.0,
        f"p50 ≤ {limit:g} s",
        p50 <= limit,
        unit="s",
        samples=[round(s, 3) for s in samples],
    )


def _direct_post(port: int) -> float:
    """One POST by a minimal client to the same receiver: what the network part of a delivery costs."""
    import http.client

    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("POST", "/direct", body=b"{}", headers={"Content-Type": "application/json"})
    conn.getresponse().read()
    conn.close()
    return time.perf_counter() - started


async def _minimal_client(targets: list[tuple[int, str]], body: bytes, concurrency: int, read_timeout: float) -> None:
    """POST to every target with at most ``concurrency`` in flight, giving up on one after ``read_timeout``."""
    gate = asyncio.Semaphore(concurrency)

    async def post(port: int, path: str) -> None:
        async with gate:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
            except OSError:
                return
            head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            writer.write(head + body)
            with suppress(TimeoutError, OSError):
                await asyncio.wait_for(reader.read(64), read_timeout)
            writer.close()

    await asyncio.gather(*(post(port, path) for port, path in targets))


def fanout_row(big_url: str, workdir: Path) -> dict[str, Any]:
    """The real worker's fan-out to 5,000 (5 % hanging) against a minimal asyncio client."""
    with _app(big_url) as app:
        with get_db(app).unit_of_work() as session:
            template = session.execute(select(Subscription.__table__)).first()
            count = len(session.scalars(select(Subscription.id)).all())
            assert template is not None
            values = {k: v for k, v in template._mapping.items() if k != "id"}
            if count < FANOUT:
                session.execute(insert(Subscription.__table__), [values] * (FANOUT - count))
        read_timeout = float(app.config["WEBHOOK_READ_TIMEOUT"])
        concurrency = int(app.config["WEBHOOK_CONCURRENCY"])
    ours = fanout.run(big_url, workdir, dead_share=0.10, slow_share=0.0, timeout=180.0)
    receivers = fanout.Receivers()
    receivers.start()
    try:
        plan = fanout._plan(FANOUT, 0.10, 0.0)  # as the worker's: 5 % refused, 5 % hanging
        targets = [(receivers.ports[mode], "/base" + path) for mode, path in plan]
        live = {"/base" + path for mode, path in plan if mode == "fast"}
        started = time.monotonic()
        asyncio.run(_minimal_client(targets, b'{"type":"bench"}' * 20, concurrency, read_timeout))
        base = max(receivers.arrivals[p] for p in live) - started
    finally:
        receivers.stop()
    last = ours.get("last_s") or float("inf")
    return _row(
        f"fan-out to {FANOUT} receivers (5 % hanging): last live delivery vs a minimal async client (≤ 1.5×)",
        last,
        base,
        last / base,
        "≤ 1.5×",
        bool(ours.get("complete")) and last / base <= 1.5,
        unit="s",
        worker=ours,
    )


def _typo(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def import_row(big_url: str) -> dict[str, Any]:
    """1,000 names, 10 % with a typo, into a portfolio at 10,000 solutions; baseline: no typos."""
    from tracker.municipalities import imports
    from tracker.registry.actors import Actor

    rng = random.Random(26)
    with _app(big_url) as app:
        timings = []
        with get_db(app).unit_of_work() as session:
            codes = list(session.scalars(select(Municipality.code).order_by(Municipality.code.desc()).limit(2)))
            names = list(
                session.scalars(select(Solution.name).where(Solution.slug.like("bench-%")).order_by(Solution.id))
            )
        size = min(IMPORT_ROWS, len(names) // 2)  # --quick has a tenth of the solutions
        chosen = rng.sample(names, 2 * size)
        files = [chosen[:size], chosen[size:]]
        files[1] = [_typo(n, rng) if i % 10 == 0 else n for i, n in enumerate(files[1])]
        found = 0
        for code, rows in zip(codes, files, strict=True):
            data = ("Løsning\n" + "\n".join(rows)).encode()
            started = time.perf_counter()
            with get_db(app).unit_of_work() as session:
                municipality = session.scalars(select(Municipality).where(Municipality.code == code)).one()
                report = imports.import_portfolio(session, municipality, "bench.csv", data, actor=Actor(label="bench"))
            timings.append(time.perf_counter() - started)
            found = sum(1 for _, suggestions in report.unmatched if suggestions)
    exact, typos = timings
    return _row(
        f"import of {IMPORT_ROWS} names with 10 % typos at 10,000 solutions (≤ 5 s)",
        typos,
        exact,
        typos / exact,
        "≤ 5 s",
        typos <= 5.0,
        unit="s",
        unmatched_with_suggestions=found,
    )


def _warm(client: Any, path: str, headers: dict[str, str]) -> tuple[float, int, int]:
    """Median of warm in-process GETs (after two untimed), with status and bytes sent."""
    for _ in range(2):
        resp = client.get(path, headers=headers)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        resp = client.get(path, headers=headers)
        resp.get_data()
        times.append(time.perf_counter() - started)
    return statistics.median(times), resp.status_code, len(resp.get_data())


def page_rows(big_url: str, code: str) -> list[dict[str, Any]]:
    """The municipality's page and its report, warm, against /healthz; and the page's size."""
    headers = {"Accept-Encoding": "gzip"}
    with _app(big_url) as app:
        client = app.test_client()
        with get_db(app).sessionmaker() as session:
            user = session.scalars(select(User).where(User.email == BENCH_USER)).one()
            log_in(client, user)
            session.commit()
        health, _, _ = _warm(client, "/healthz", headers)
        rows = []
        for label, path, limit in (
            ("municipality page", f"/kommuner/{code}", 300_000),
            ("report", f"/kommuner/{code}/rapport", None),
        ):
            took, status, size = _warm(client, path, headers)
            ratio = health / took
            ok = status == 200 and ratio >= 0.3 and (limit is None or size <= limit)
            size_target = f" and ≤ {limit // 1000} KB" if limit else ""
            rows.append(
                _row(
                    f"{label} at 10,000 solutions × 300 entries, warm (≥ 0.3 of /healthz{size_target})",
                    took,
                    health,
                    ratio,
                    f"≥ 0.3{size_target}",
                    ok,
                    unit="s",
                    status=status,
                    bytes=size,
                )
            )
    return rows


def _scrape_run(url: str, pages: int) -> float:
    """Seconds per watched page of one run: names once, then per page its state, parse and record."""
    from tracker.ingest import services
    from tracker.ingest.fetch import parse_saved_page
    from tracker.ingest.targets import ScrapeSettings

    html = (Path(__file__).resolve().parents[1] / "scrapers" / "pages" / "watch_page.html").read_text("utf-8")
    watch = tuple(f"https://www.digst.dk/bench/side-{i}" for i in range(pages))
    settings = ScrapeSettings(watch_urls=watch)
    with _app(url) as app:
        with get_db(app).unit_of_work() as session:  # the sources exist, as after a first run
            for target in services.resolve_targets("watch", settings):
                services.ensure_source(session, target)
        started = time.perf_counter()
        with get_db(app).unit_of_work() as session:
            refs = services.names_of(session)
            for target in services.resolve_targets("watch", settings):
                plan = services.prepare(session, target, refs)
                services.record(session, plan, parse_saved_page(target, html, target.fetch_url, plan.refs), settings)
        return (time.perf_counter() - started) / pages


def scraping_row(big_url: str, fresh_url: str) -> dict[str, Any]:
    """Per page of a scrape run at 10,000 solutions against the starter registry."""
    _scrape_run(fresh_url, 2)  # warm the imports and the matcher cache path
    small = statistics.median(_scrape_run(fresh_url, PAGES) for _ in range(3))
    large = statistics.median(_scrape_run(big_url, PAGES) for _ in range(3))
    with _app(fresh_url) as app, get_db(app).sessionmaker() as session:
        starter = len(session.scalars(select(Solution.id)).all())
    return _row(
        f"scraping: per page at 10,000 vs {starter} solutions (≤ 2×)",
        large,
        small,
        large / small,
        "≤ 2×",
        large / small <= 2.0,
        unit="s",
    )


ACTION_SIZES = (5, 50)


def _health(app: Flask) -> float:
    took, _, _ = _warm(app.test_client(), "/healthz", {})
    return took


def _actions_world(app: Flask, slug: str, codes: list[str]) -> None:
    """Each municipality: an IdP at Betydelig whose staff use ``slug`` (Høj from a day ahead), its action made by
    the portfolio change, owned and done."""
    from datetime import timedelta

    from tracker.actions import services as action_services
    from tracker.auth.users import create_user
    from tracker.models import Action
    from tracker.municipalities import services as municipality_services
    from tracker.registry.actors import SYSTEM
    from tracker.registry.services import create_solution

    day = utcnow().date() + timedelta(days=120)
    with get_db(app).unit_of_work() as session:
        fields = {
            "loa_value": "hoej",
            "loa_status": "confirmed",
            "loa_evidence": "Bench",
            "switch_earliest_on": day,
            "switch_latest_on": day,
            "switch_precision": "day",
            "switch_state": "planned",
            "switch_status": "confirmed",
            "switch_evidence": "Bench",
        }
        create_solution(session, actor=SYSTEM, slug=slug, name=slug.upper(), fields=fields)
        for code in codes:
            m = session.scalars(select(Municipality).where(Municipality.code == code)).one()
            idp = municipality_services.create_idp(
                session, m, {"name": f"{slug}-{code}", "notified_loa": "betydelig", "is_primary": False}, actor=SYSTEM
            )
            municipality_services.add_to_portfolio(session, m, slug, actor=SYSTEM, idp_ids=[idp.id])
            owner, _ = create_user(session, email=f"{slug}-{code}@bench.local", role="municipality", municipality=code)
            action = session.scalars(
                select(Action).where(Action.municipality_id == m.id, Action.solution.has(slug=slug))
            ).one()
            action_services.update_action(session, action, {"owner_user_id": owner.id, "status": "done"}, user=owner)


def _registry_change(app: Flask, slug: str) -> tuple[int, float]:
    """Move the solution's switch 30 days earlier; its statements and seconds (committed)."""
    from datetime import timedelta

    from tests.benchmarks.sqlcount import count_statements
    from tracker.registry.actors import SYSTEM
    from tracker.registry.services import update_solution

    with count_statements(get_db(app).engine) as log:
        started = time.perf_counter()
        with get_db(app).unit_of_work() as session:
            solution = session.scalars(select(Solution).where(Solution.slug == slug)).one()
            assert solution.switch_earliest_on is not None
            day = solution.switch_earliest_on - timedelta(days=30)
            update_solution(
                session, solution, {"switch_earliest_on": day, "switch_latest_on": day}, actor=SYSTEM, reason="Bench"
            )
        took = time.perf_counter() - started
    return log.count, took


def registry_change_rows(fresh_url: str) -> list[dict[str, Any]]:
    """One switch-date change reaching N municipalities with actions, at two sizes: statements and time."""
    from tracker.models import Action

    with _app(fresh_url) as app:
        with get_db(app).sessionmaker() as session:
            codes = list(session.scalars(select(Municipality.code).order_by(Municipality.code)))
        measured: dict[int, tuple[int, float]] = {}
        skip = 0
        for n in ACTION_SIZES:
            slug = f"bench-actions-{n}"
            _actions_world(app, slug, codes[skip : skip + n])
            skip += n
            measured[n] = _registry_change(app, slug)
            with get_db(app).sessionmaker() as session:
                reopened = session.scalars(
                    select(func.count(Action.id)).where(Action.solution.has(slug=slug), Action.status == "new")
                ).one()
            assert reopened == n, (n, reopened)
        health = _health(app)
    small, large = ACTION_SIZES
    (few, few_s), (many, many_s) = measured[small], measured[large]
    return [
        _row(
            f"registry change → actions of {n} municipalities: {measured[n][0]} statements, seconds vs /healthz",
            measured[n][1],
            health,
            health / measured[n][1],
            f"statements at {large} = at {small}",
            many == few,
            unit="s",
            statements=measured[n][0],
        )
        for n in ACTION_SIZES
    ] + [
        _row(
            f"registry change → actions: {large} vs {small} municipalities, time ratio (statements {many} vs {few})",
            many_s,
            few_s,
            many_s / few_s,
            "statements equal",
            many == few,
            unit="s",
        )
    ]


def actions_page_rows(big_url: str, code: str) -> list[dict[str, Any]]:
    """The municipality's page and its actions list for one of its own users, once its actions are made."""
    from tracker.actions.sync import follow_municipalities
    from tracker.auth.users import create_user
    from tracker.models import Action

    headers = {"Accept-Encoding": "gzip"}
    with _app(big_url) as app:
        with get_db(app).unit_of_work() as session:
            m = session.scalars(select(Municipality).where(Municipality.code == code)).one()
            follow_municipalities(session, [m.id])  # as the hourly job does for data written in bulk
            count = session.scalars(select(func.count(Action.id)).where(Action.municipality_id == m.id)).one()
            own = create_user(session, email=f"bench-own-{code}@bench.local", role="municipality", municipality=code)
            own_id = own[0].id
        client = app.test_client()
        with get_db(app).sessionmaker() as session:
            log_in(client, session.get(User, own_id))
            session.commit()
        health, _, _ = _warm(client, "/healthz", headers)
        rows = []
        for label, path in (
            (f"municipality page with {count} actions", f"/kommuner/{code}"),
            (f"actions list with {count} actions", f"/kommuner/{code}/handlinger"),
        ):
            took, status, size = _warm(client, path, headers)
            ratio = health / took
            rows.append(
                _row(
                    f"{label} at 10,000 solutions × 300 entries, own user, warm (≥ 0.3 of /healthz)",
                    took,
                    health,
                    ratio,
                    "≥ 0.3",
                    status == 200 and count > 0 and ratio >= 0.3,
                    unit="s",
                    status=status,
                    bytes=size,
                )
            )
    return rows


def run(kind: str, big_url: str, fresh_url: str, code: str, workdir: Path) -> list[dict[str, Any]]:
    """Every row on one database; a row that breaks is reported as a failing row, and the rest go on."""
    migrate_and_seed(fresh_url)
    steps: list[tuple[str, Callable[[], list[dict[str, Any]] | dict[str, Any]]]] = [
        ("mail", lambda: mail_row(fresh_url)),
        ("change → first delivery", lambda: latency_row(kind, fresh_url)),
        ("scraping", lambda: scraping_row(big_url, fresh_url)),
        ("municipality page / report", lambda: page_rows(big_url, code)),
        ("import", lambda: import_row(big_url)),
        ("fan-out to 5000", lambda: fanout_row(big_url, workdir)),
        ("registry change → actions", lambda: registry_change_rows(fresh_url)),
        ("municipality page with actions", lambda: actions_page_rows(big_url, code)),
    ]
    rows: list[dict[str, Any]] = []
    for name, step in steps:
        try:
            got = step()
        except Exception as exc:  # report and go on
            import traceback

            traceback.print_exc()
            got = {"row": name, "pass": False, "error": f"{type(exc).__name__}: {exc}"}
        rows.extend(got if isinstance(got, list) else [got])
        print(f"[{kind}] {rows[-1].get('row')}: {'PASS' if rows[-1].get('pass') else 'FAIL'}", flush=True)
    return rows


def render(kind: str, rows: list[dict[str, Any]]) -> str:
    """The rows as a table."""
    lines = [f"\nWhere the work grows ({kind}):", f"{'row':<100} {'value':>10} {'baseline':>10} {'ratio':>7}  result"]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['row']:<100} {'':>10} {'':>10} {'':>7}  FAIL ({r['error'][:80]})")
            continue
        lines.append(
            f"{r['row']:<100} {r['value']:>10} {r['baseline']:>10} {r['ratio']:>7}  {'PASS' if r['pass'] else 'FAIL'}"
        )
    return "\n".join(lines)
