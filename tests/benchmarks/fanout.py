"""Webhook fan-out: from one accepted change to its delivery at 1,000 local receivers, a few slow or dead.

The receivers are one asyncio thread in this process listening on loopback ports: most answer at once,
some after a delay, some accept and never answer (the sender's read timeout), and some ports are closed
(connection refused). The delivery worker is the real one (``tracker deliver``) in its own process; the
change is the real ``registry.services.update_solution`` in a unit of work, so the outbox rows are written
exactly as in production. Time starts when that transaction has committed.
"""

from __future__ import annotations

import asyncio
import cProfile
import functools
import importlib.util
import io
import pstats
import random
import signal
import subprocess
import sys
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from tests.benchmarks.server import ROOT, free_port, server_env
from tests.benchmarks.sqlcount import bench_app
from tracker.db import Database, get_db
from tracker.models import Delivery, DeliveryAttempt, Solution, Subscription

RESPONSE = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def available() -> str | None:
    """None when the delivery worker exists, else why the fan-out cannot be measured."""
    if importlib.util.find_spec("tracker.broadcast.worker") is None:
        return "not available (tracker.broadcast.worker does not exist yet)"
    return None


@dataclass
class Receivers:
    """Loopback webhook receivers: arrivals per path, with the monotonic time of the first one."""

    slow_delay: float = 1.0
    arrivals: dict[str, float] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)  # every arrival, repeats included
    duplicates: int = 0
    signed: int = 0
    ports: dict[str, int] = field(default_factory=dict)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _hold: list[asyncio.StreamWriter] = field(default_factory=list)
    _servers: list[asyncio.Server] = field(default_factory=list)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, mode: str) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
            await reader.readexactly(int(headers.get("content-length", "0")))
            if mode == "blackhole":  # accept, read, never answer: the sender's read timeout decides
                self._hold.append(writer)
                return
            now = time.monotonic()
            self.times.append(now)
            if path in self.arrivals:
                self.duplicates += 1
            else:
                self.arrivals[path] = now
            self.signed += headers.get("webhook-signature", "").startswith("v1,")
            if mode == "slow":
                await asyncio.sleep(self.slow_delay)
            writer.write(RESPONSE)
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, IndexError, ValueError):
            pass
        if mode != "blackhole":
            writer.close()

    def start(self) -> None:
        """Listen on three loopback ports (fast, slow, blackhole) and reserve a closed one (dead)."""
        loop = self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=loop.run_forever, daemon=True)
        self._thread.start()

        async def _listen() -> None:
            for mode in ("fast", "slow", "blackhole"):
                server = await asyncio.start_server(
                    functools.partial(self._handle, mode=mode), "127.0.0.1", 0, backlog=1024
                )
                self._servers.append(server)
                self.ports[mode] = server.sockets[0].getsockname()[1]

        asyncio.run_coroutine_threadsafe(_listen(), loop).result(10)
        self.ports["dead"] = free_port()  # nothing listens here: connection refused

    def stop(self) -> None:
        """Close the listeners and held connections, then stop the loop and its thread."""
        if self._loop is None:
            return

        async def _close() -> None:
            for writer in self._hold:
                writer.close()
            for server in self._servers:
                server.close()

        with suppress(Exception):
            asyncio.run_coroutine_threadsafe(_close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)


def _plan(total: int, dead_share: float, slow_share: float) -> list[tuple[str, str]]:
    """(mode, path) per subscription: half the dead refuse connections, half hang; a few are slow."""
    dead = round(total * dead_share)
    slow = round(total * slow_share)
    modes = ["dead"] * (dead // 2) + ["blackhole"] * (dead - dead // 2) + ["slow"] * slow
    modes += ["fast"] * (total - len(modes))
    random.Random(5).shuffle(modes)  # dead receivers spread over the claim order, as they would be
    return [(mode, f"/hook/{i}") for i, mode in enumerate(modes)]


def _attempt_latencies(db: Database, event_ids: list[int]) -> dict[str, float | int]:
    """The worker's own record of its first attempts for these events: HTTP time per send, by outcome."""
    with db.unit_of_work() as session:
        rows = session.execute(
            select(DeliveryAttempt.latency_ms, DeliveryAttempt.status_code)
            .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
            .where(Delivery.event_id.in_(event_ids))
        ).all()
    ok = sorted(ms or 0 for ms, status in rows if status is not None and 200 <= status < 300)
    failed = sorted(ms or 0 for ms, status in rows if status is None or not 200 <= status < 300)
    return {
        "attempts": len(rows),
        "ok_p50": ok[len(ok) // 2] if ok else 0,
        "ok_p95": ok[int(len(ok) * 0.95)] if ok else 0,
        "failed": len(failed),
        "failed_max": failed[-1] if failed else 0,
    }


def _histogram(offsets: list[float]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for offset in offsets:
        second = f"{int(offset)}-{int(offset) + 1}s"
        counts[second] = counts.get(second, 0) + 1
    return counts


def run(
    database_url: str,
    workdir: Path,
    *,
    dead_share: float = 0.05,
    slow_share: float = 0.02,
    interval: float = 1.0,
    timeout: float = 30.0,
    worker_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Point every subscription at a receiver, start the worker, make one change, time its fan-out."""
    reason = available()
    if reason:
        return {"note": reason}
    receivers = Receivers()
    receivers.start()
    app = bench_app(database_url)
    db = get_db(app)
    with db.unit_of_work() as session:
        # One change's fan-out is measured: what earlier rows left pending (an import's events to the receivers of
        # an earlier fan-out, the retries of its dead ones) would reach these receivers too, as repeats the
        # baseline never sends. Cancelled, as ``profile_worker`` does.
        session.execute(update(Delivery).where(Delivery.state == "pending").values(state="cancelled"))
        subs = list(session.scalars(select(Subscription.id).order_by(Subscription.id)))
        plan = _plan(len(subs), dead_share, slow_share)
        for sub_id, (mode, path) in zip(subs, plan, strict=True):
            session.execute(
                update(Subscription)
                .where(Subscription.id == sub_id)
                .values(url=f"http://127.0.0.1:{receivers.ports[mode]}{path}", active=True, failing_since=None)
            )
    live = {path for mode, path in plan if mode in ("fast", "slow")}
    env = server_env(
        database_url,
        {
            "TRACKER_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32",
            "TRACKER_WEBHOOK_REQUIRE_HTTPS": "false",
            "TRACKER_ENV": "development",
            **(worker_env or {}),
        },
    )
    log_path = workdir / "worker.log"
    argv = [sys.executable, "-m", "tracker.cli", "deliver", "--interval", str(interval)]
    with log_path.open("wb") as log:
        worker = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        time.sleep(max(2.0, interval * 2))  # let it start and settle into its polling rhythm
        if worker.poll() is not None:
            return {"note": f"worker exited with {worker.returncode}: {log_path.read_text()[-500:]}"}
        from tracker.registry.actors import SYSTEM
        from tracker.registry.services import update_solution

        accepted = time.monotonic()
        with db.unit_of_work() as session:
            solution = session.scalar(select(Solution).where(Solution.slug.like("bench-%")).order_by(Solution.id))
            assert solution is not None
            events = update_solution(
                session, solution, {"switch_text": f"bench fan-out {time.time():.0f}"}, actor=SYSTEM, reason="bench"
            )
        committed = time.monotonic()
        deadline = committed + timeout
        while time.monotonic() < deadline and not live <= receivers.arrivals.keys():
            time.sleep(0.02)
        got = [receivers.arrivals[p] - committed for p in live if p in receivers.arrivals]
        attempts = _attempt_latencies(db, [e.id for e in events])
        got.sort()
        complete = len(got) == len(live)
        return {
            "receivers": len(plan),
            "live": len(live),
            "dead_refused": sum(1 for m, _ in plan if m == "dead"),
            "dead_hanging": sum(1 for m, _ in plan if m == "blackhole"),
            "slow": sum(1 for m, _ in plan if m == "slow"),
            "slow_delay_s": receivers.slow_delay,
            "worker_poll_interval_s": interval,
            "events": len(events),
            "commit_s": round(committed - accepted, 3),
            "delivered_live": len(got),
            "complete": complete,
            "first_s": round(got[0], 3) if got else None,
            "p50_s": round(got[len(got) // 2], 3) if got else None,
            "p95_s": round(got[min(len(got) - 1, int(len(got) * 0.95))], 3) if got else None,
            "last_s": round(got[-1], 3) if got else None,
            "duplicates": receivers.duplicates,
            "signed": receivers.signed,
            # The profile of a slow fan-out: how many live receivers got it in each second after the commit.
            "delivered_per_second": _histogram(got),
            "send_latency_ms": attempts,
            "worker_env": worker_env or {},
            "pass": bool(complete and got and got[-1] <= 5.0),
        }
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=15)
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        receivers.stop()
        get_db(app).engine.dispose()


def profile_worker(database_url: str, *, top: int = 14) -> dict[str, Any]:
    """Why a fan-out is slow: one change to every subscription (all receivers fast), sent by the worker's
    ``run_once`` in this process under cProfile. Claims and records run on the main thread, the HTTP sends
    on the worker's pool threads; main-thread time spent waiting for sends means the sends are the limit."""
    receivers = Receivers()
    receivers.start()
    app = bench_app(
        database_url,
        WEBHOOK_ALLOWED_NETWORKS="127.0.0.1/32",
        WEBHOOK_REQUIRE_HTTPS=False,
    )
    db = get_db(app)
    try:
        with db.unit_of_work() as session:
            session.execute(update(Delivery).where(Delivery.state == "pending").values(state="cancelled"))
            for sub_id in list(session.scalars(select(Subscription.id))):
                session.execute(
                    update(Subscription)
                    .where(Subscription.id == sub_id)
                    .values(url=f"http://127.0.0.1:{receivers.ports['fast']}/profile/{sub_id}", active=True)
                )
        from tracker.broadcast.worker import run_once
        from tracker.registry.actors import SYSTEM
        from tracker.registry.services import update_solution

        with db.unit_of_work() as session:
            solution = session.scalar(select(Solution).where(Solution.slug.like("bench-%")).order_by(Solution.id))
            assert solution is not None
            update_solution(session, solution, {"switch_text": f"bench profil {time.time():.0f}"}, actor=SYSTEM)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        report = run_once(app)
        profiler.disable()
        wall = time.perf_counter() - started
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
        text = out.getvalue()
        return {
            "sent": report.succeeded,
            "failed": report.failed,
            "seconds": round(wall, 2),
            "deliveries_per_second": round(report.succeeded / wall, 1) if wall else None,
            "main_thread_profile": text[text.find("ncalls") :].rstrip(),
        }
    finally:
        receivers.stop()
        db.engine.dispose()
