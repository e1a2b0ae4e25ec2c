"""The delivery worker: claim due outbox rows, send them with bounded concurrency, record every attempt.

Claims are leases (``claimed_by``/``claimed_until``): PostgreSQL takes rows with ``FOR UPDATE SKIP LOCKED`` so
parallel workers never pick the same row; SQLite claims with one atomic ``UPDATE … WHERE claimed_until IS NULL
OR claimed_until < now``. Each claim and each batch of recorded outcomes (``outcomes``) is its own
committed transaction, so a killed worker loses nothing: its leases lapse and another worker takes the rows
again (the receiver may then see a ``webhook-id`` twice, which is the at-least-once contract). The clock is
injectable so tests can step through the retry schedule without waiting; the ``webhook-timestamp`` header
always carries the real time.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.orm import aliased

from tracker.broadcast.outcomes import record, record_many, release
from tracker.broadcast.sender import Outcome, SendSettings, encode_body
from tracker.broadcast.senders import Result, SenderPool
from tracker.broadcast.ssrf import policy_from_config
from tracker.db import Database, get_db, utcnow
from tracker.models import Delivery, Subscription, User

log = logging.getLogger(__name__)
__all__ = ["Claimed", "RunReport", "claim", "record", "record_many", "release", "run_once", "serve"]

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery with everything needed to send it, read in the claim's transaction."""

    delivery_id: int
    subscription_id: int
    message_id: str
    url: str
    body: bytes
    secrets: list[str]
    token: str


@dataclass
class RunReport:
    """What one run did."""

    claimed: int = 0
    succeeded: int = 0
    failed: int = 0


def holder_id() -> str:
    """Who holds a claim: host, process and a random part, for the delivery log and debugging."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_for(config: Any) -> timedelta:
    """How long a claim lasts: long enough for a full attempt, short enough to recover from a crash quickly."""
    configured = int(config.get("WEBHOOK_CLAIM_SECONDS") or 0)
    if configured > 0:
        return timedelta(seconds=configured)
    return timedelta(seconds=2 * (config["WEBHOOK_CONNECT_TIMEOUT"] + config["WEBHOOK_READ_TIMEOUT"]) + 30)


def claim(db: Database, *, token: str, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Take up to ``limit`` due deliveries of active subscriptions; committed before anything is sent."""
    with db.unit_of_work() as session:
        candidate = aliased(Delivery)
        due = (
            select(candidate.id)
            .join(Subscription, Subscription.id == candidate.subscription_id)
            # An inactive owner's subscriptions send nothing, even if one was left switched on.
            .join(User, User.id == Subscription.owner_id)
            .where(
                candidate.state == "pending",
                candidate.next_attempt_at <= now,
                or_(candidate.claimed_until.is_(None), candidate.claimed_until < now),
                Subscription.active.is_(True),
                User.is_active.is_(True),
            )
            .order_by(candidate.next_attempt_at, candidate.id)
            .limit(limit)
        )
        claim_values = {"claimed_by": token, "claimed_until": now + lease}
        if session.get_bind().dialect.name == "postgresql":
            ids = list(session.scalars(due.with_for_update(skip_locked=True, of=candidate)))
            if not ids:
                return []
            stmt = update(Delivery).where(Delivery.id.in_(ids))
        else:
            # One statement takes SQLite's write lock first, so the re-check below is atomic.
            stmt = update(Delivery).where(
                Delivery.id.in_(due.scalar_subquery()),
                or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
            )
        session.execute(stmt.values(**claim_values).execution_options(synchronize_session=False))
        # Columns, not entities: loading a thousand ORM objects per fan-out was most of a claim's cost.
        rows = session.execute(
            select(
                Delivery.id,
                Delivery.subscription_id,
                Delivery.message_id,
                Delivery.event_id,
                Delivery.payload,
                Subscription.url,
                Subscription.secret,
                Subscription.previous_secret,
                Subscription.previous_secret_expires_at,
            )
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .where(Delivery.claimed_by == token)
            .order_by(Delivery.id)
        ).all()
        claimed = []
        bodies: dict[int, bytes] = {}  # one event's deliveries share one body: encode it once
        for row in rows:
            signing_secrets = [row.secret]
            if row.previous_secret and row.previous_secret_expires_at and row.previous_secret_expires_at > now:
                signing_secrets.append(row.previous_secret)
            body = bodies.get(row.event_id) if row.event_id is not None else None
            if body is None:
                body = encode_body(row.payload)
                if row.event_id is not None:
                    bodies[row.event_id] = body
            claimed.append(
                Claimed(
                    delivery_id=row.id,
                    subscription_id=row.subscription_id,
                    message_id=row.message_id,
                    url=row.url,
                    body=body,
                    secrets=signing_secrets,
                    token=token,
                )
            )
        return claimed


def settings_of(app: Flask) -> SendSettings:
    """The sender's settings from the app's configuration."""
    cfg = app.config
    return SendSettings(
        policy=policy_from_config(cfg),
        connect_timeout=float(cfg["WEBHOOK_CONNECT_TIMEOUT"]),
        read_timeout=float(cfg["WEBHOOK_READ_TIMEOUT"]),
        user_agent=str(cfg.get("WEBHOOK_USER_AGENT") or "TU-tracker-Webhooks/1.0"),
    )


@dataclass
class _Run:
    """The state of one ``run_once``: what is out with the senders, and outcomes not yet written."""

    app: Flask
    clock: Clock
    report: RunReport
    in_flight: dict[int, Claimed]
    done: list[tuple[Claimed, Outcome]]
    unsent: list[Claimed]
    oldest_done: float = 0.0

    def take(self, result: Result) -> None:
        """Note one sender result (a result of an earlier, released claim is ignored)."""
        if self.in_flight.pop(result.item.delivery_id, None) is None:
            return
        if result.outcome is None:
            self.unsent.append(result.item)
            return
        if not self.done:
            self.oldest_done = time.monotonic()
        self.done.append((result.item, result.outcome))

    def flush(self) -> None:
        """Write the outcomes collected so far in one transaction, and release what was not sent."""
        db, cfg = get_db(self.app), self.app.config
        disable_after = timedelta(hours=float(cfg.get("WEBHOOK_DISABLE_AFTER_HOURS", 72)))
        if self.done:
            batch, self.done = self.done, []
            try:
                states = record_many(db, batch, now=self.clock(), disable_after=disable_after)
            except Exception:  # the leases expire and the deliveries are taken again
                log.exception("could not record %s delivery outcomes", len(batch))
                states = {}
            for item, outcome in batch:
                if item.delivery_id not in states:
                    continue
                if outcome.ok:
                    self.report.succeeded += 1
                else:
                    self.report.failed += 1
                    if states[item.delivery_id] == "failed":
                        log.info("delivery %s gave up: %s", item.delivery_id, outcome.error)
        if self.unsent:
            unsent, self.unsent = self.unsent, []
            try:
                release(db, unsent)
            except Exception:  # the leases expire instead
                log.exception("could not release %s unsent deliveries", len(unsent))


RECORD_EVERY = 0.2  # seconds: the longest an outcome waits to be written with others


def run_once(
    app: Flask,
    *,
    clock: Clock = utcnow,
    holder: str | None = None,
    stop: threading.Event | None = None,
    poll: float | None = None,
) -> RunReport:
    """Send every delivery that is due now; returns when nothing due is left and nothing is in flight.

    At most ``WEBHOOK_CONCURRENCY`` requests run at once and rows are claimed as senders come free, so a
    receiver that hangs holds one sender until the read timeout while claiming and sending go on. Outcomes
    are written ``WEBHOOK_RECORD_BATCH_SIZE`` at a time (at the latest every 0.2 s). While requests are still
    out, rows that became due meanwhile are looked for every ``poll`` seconds. When ``stop`` is set, nothing
    new starts; requests in flight get ``WEBHOOK_STOP_SECONDS`` to finish, then their claims are released.
    """
    cfg = app.config
    db = get_db(app)
    concurrency = max(1, int(cfg["WEBHOOK_CONCURRENCY"]))
    batch = max(1, int(cfg["WEBHOOK_BATCH_SIZE"]))
    record_batch = max(1, int(cfg.get("WEBHOOK_RECORD_BATCH_SIZE") or 100))
    poll = float(poll if poll is not None else cfg["DELIVERY_INTERVAL_SECONDS"])
    lease = lease_for(cfg)
    holder = holder or holder_id()
    stop = stop or threading.Event()
    run = _Run(app, clock, RunReport(), {}, [], [])
    pool = SenderPool(concurrency, settings_of(app))
    capacity = 2 * concurrency  # claimed rows out at once: sending, or queued for the next free sender
    exhausted_at: float | None = None
    rounds = 0
    idle = True
    try:
        while not stop.is_set():
            free = capacity - len(run.in_flight)
            may_claim = exhausted_at is None or time.monotonic() - exhausted_at >= poll
            if free > 0 and may_claim and (idle or not run.in_flight or free >= min(batch, concurrency // 4)):
                rounds += 1
                claimed = claim(db, token=f"{holder}:{rounds}", now=clock(), limit=min(batch, free), lease=lease)
                exhausted_at = None if claimed else time.monotonic()
                run.report.claimed += len(claimed)
                run.in_flight.update((item.delivery_id, item) for item in claimed)
                pool.submit(claimed)
            if not run.in_flight and exhausted_at is not None:
                break
            idle = not _collect(pool, run, timeout=0.05 if free > 0 and exhausted_at is None else RECORD_EVERY)
            due = run.done and (
                len(run.done) >= record_batch
                or not run.in_flight
                or time.monotonic() - run.oldest_done >= RECORD_EVERY
                or any(outcome.gone for _, outcome in run.done)  # switch the subscription off before claiming again
            )
            if due or run.unsent:
                run.flush()
        if stop.is_set():
            pool.stop()
            deadline = time.monotonic() + float(cfg.get("WEBHOOK_STOP_SECONDS") or 5.0)
            while run.in_flight and time.monotonic() < deadline:
                _collect(pool, run, timeout=min(RECORD_EVERY, max(0.01, deadline - time.monotonic())))
            run.unsent.extend(run.in_flight.values())
            run.in_flight.clear()
    finally:
        pool.stop()
        run.flush()
    return run.report


def _collect(pool: SenderPool, run: _Run, *, timeout: float) -> bool:
    """Wait up to ``timeout`` for a sender result, then take every result that is ready; whether any came."""
    try:
        run.take(pool.results.get(timeout=timeout))
    except queue.Empty:
        return False
    while True:
        try:
            run.take(pool.results.get_nowait())
        except queue.Empty:
            return True


def scheduled_run(app: Flask, stop: threading.Event | None = None, poll: float | None = None) -> None:
    """The scheduler job ``deliver_webhooks``."""
    report = run_once(app, stop=stop, poll=poll)
    if report.claimed:
        log.info("webhooks: %s sent, %s failed", report.succeeded, report.failed)


def serve(app: Flask, stop: threading.Event, *, interval: float | None = None) -> None:
    """Deliver until ``stop`` is set, polling for due rows every ``interval`` seconds."""
    pause = float(interval if interval is not None else app.config["DELIVERY_INTERVAL_SECONDS"])
    while not stop.is_set():
        try:
            scheduled_run(app, stop, pause)
        except Exception:  # keep serving; the next round retries
            log.exception("delivery round failed")
        stop.wait(pause)
