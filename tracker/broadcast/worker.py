"""The delivery worker: claim due outbox rows, send them with bounded concurrency, record every attempt.

Claims are leases (``claimed_by``/``claimed_until``): PostgreSQL takes rows with ``FOR UPDATE SKIP LOCKED`` so
parallel workers never pick the same row; SQLite claims with one atomic ``UPDATE … WHERE claimed_until IS NULL
OR claimed_until < now``. Each claim and each recorded outcome is its own committed transaction, so a killed
worker loses nothing: its leases lapse and another worker takes the rows again (the receiver may then see a
``webhook-id`` twice, which is the at-least-once contract). The clock is injectable so tests can step through
the retry schedule without waiting; the ``webhook-timestamp`` header always carries the real time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from tracker.auth import audit
from tracker.broadcast.sender import Outcome, SendSettings, encode_body, next_delay, send
from tracker.broadcast.ssrf import policy_from_config
from tracker.db import Database, get_db, utcnow
from tracker.models import Delivery, DeliveryAttempt, Subscription, User

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
SYSTEM_LABEL = "TU-tracker (system)"


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
        rows = session.execute(
            select(Delivery, Subscription)
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .where(Delivery.claimed_by == token)
            .order_by(Delivery.id)
        ).all()
        claimed = []
        for delivery, sub in rows:
            signing_secrets = [sub.secret]
            if sub.previous_secret and sub.previous_secret_expires_at and sub.previous_secret_expires_at > now:
                signing_secrets.append(sub.previous_secret)
            claimed.append(
                Claimed(
                    delivery_id=delivery.id,
                    subscription_id=sub.id,
                    message_id=delivery.message_id,
                    url=sub.url,
                    body=encode_body(delivery.payload),
                    secrets=signing_secrets,
                    token=token,
                )
            )
        return claimed


def _disable(session: Any, sub: Subscription, reason: str, now: datetime) -> None:
    """Stop sending to a subscription; the reason is the owner's notice on the subscription page."""
    sub.active = False
    sub.disabled_reason = reason
    audit.record(
        session,
        "subscription.disabled",
        actor=None,
        actor_label=SYSTEM_LABEL,
        object_type="subscription",
        object_id=sub.id,
        details={"reason": reason, "owner_id": sub.owner_id},
        occurred_at=now,
    )
    log.warning("webhook subscription %s (owner %s) disabled: %s", sub.id, sub.owner_id, reason)


def record(db: Database, claimed: Claimed, outcome: Outcome, *, now: datetime, disable_after: timedelta) -> str:
    """Record one attempt and schedule what follows; returns the delivery's new state."""
    with db.unit_of_work() as session:
        # Write before reading: on SQLite a transaction that reads first cannot later take the write lock
        # once another worker has committed (SQLITE_BUSY_SNAPSHOT); writing first waits for the lock instead.
        session.add(
            DeliveryAttempt(
                delivery_id=claimed.delivery_id,
                attempted_at=now,
                status_code=outcome.status_code,
                latency_ms=outcome.latency_ms,
                error=outcome.error,
            )
        )
        try:
            session.flush()
        except IntegrityError:  # the subscription was deleted meanwhile (its deliveries cascade)
            session.rollback()
            return "deleted"
        delivery = session.get(Delivery, claimed.delivery_id)
        if delivery is None:
            return "deleted"
        sub = delivery.subscription
        ours = delivery.claimed_by == claimed.token
        if not ours and not outcome.ok:
            # Our lease lapsed and another worker owns the row now: leave its schedule alone.
            return delivery.state
        delivery.attempts += 1
        delivery.last_status = outcome.status_code
        delivery.claimed_by = None
        delivery.claimed_until = None
        if outcome.ok:
            delivery.state = "succeeded"
            delivery.delivered_at = now
            delivery.last_error = None
            sub.failing_since = None
            return delivery.state
        delivery.last_error = outcome.error
        if outcome.gone:
            delivery.state = "failed"
            _disable(
                session,
                sub,
                f"Modtageren svarede 410 Gone {now:%Y-%m-%d %H:%M} UTC; abonnementet er derfor deaktiveret.",
                now,
            )
            return delivery.state
        if sub.failing_since is None:
            sub.failing_since = now
        elif sub.active and now - sub.failing_since >= disable_after:
            hours = int(disable_after.total_seconds() // 3600)
            _disable(
                session,
                sub,
                f"Leveringer er fejlet uafbrudt siden {sub.failing_since:%Y-%m-%d %H:%M} UTC (over {hours} timer); "
                f"abonnementet er deaktiveret. Seneste fejl: {outcome.error}",
                now,
            )
        delay = next_delay(delivery.attempts, outcome.retry_after)
        if delay is None:
            delivery.state = "failed"
        else:
            delivery.next_attempt_at = now + delay
        return delivery.state


def settings_of(app: Flask) -> SendSettings:
    """The sender's settings from the app's configuration."""
    cfg = app.config
    return SendSettings(
        policy=policy_from_config(cfg),
        connect_timeout=float(cfg["WEBHOOK_CONNECT_TIMEOUT"]),
        read_timeout=float(cfg["WEBHOOK_READ_TIMEOUT"]),
        user_agent=str(cfg.get("WEBHOOK_USER_AGENT") or "TU-tracker-Webhooks/1.0"),
    )


def run_once(app: Flask, *, clock: Clock = utcnow, holder: str | None = None) -> RunReport:
    """Send every delivery that is due now; returns when nothing due is left and nothing is in flight.

    At most ``WEBHOOK_CONCURRENCY`` requests run at once, and rows are claimed only when a sender is free,
    so a claimed row starts at once and one slow receiver holds up one thread, never the rest.
    """
    cfg = app.config
    db = get_db(app)
    settings = settings_of(app)
    concurrency = max(1, int(cfg["WEBHOOK_CONCURRENCY"]))
    batch = max(1, int(cfg["WEBHOOK_BATCH_SIZE"]))
    lease = lease_for(cfg)
    disable_after = timedelta(hours=float(cfg.get("WEBHOOK_DISABLE_AFTER_HOURS", 72)))
    holder = holder or holder_id()
    report = RunReport()
    in_flight: dict[Future[Outcome], Claimed] = {}
    exhausted = False
    rounds = 0
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="webhook") as pool:
        while True:
            free = concurrency - len(in_flight)
            if not exhausted and free > 0 and (not in_flight or free >= max(1, concurrency // 4)):
                rounds += 1
                token = f"{holder}:{rounds}"
                claimed = claim(db, token=token, now=clock(), limit=min(batch, free), lease=lease)
                exhausted = not claimed
                report.claimed += len(claimed)
                for item in claimed:
                    future = pool.submit(send, item.url, item.message_id, item.body, item.secrets, settings)
                    in_flight[future] = item
            if not in_flight:
                break
            done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for future in done:
                item = in_flight.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # a sender bug must not lose the delivery
                    log.exception("sending delivery %s failed unexpectedly", item.delivery_id)
                    outcome = Outcome(False, None, 0, f"Intern fejl under afsendelse: {type(exc).__name__}")
                _record_safely(db, item, outcome, report, clock=clock, disable_after=disable_after)
    return report


def _record_safely(
    db: Database, item: Claimed, outcome: Outcome, report: RunReport, *, clock: Clock, disable_after: timedelta
) -> None:
    """Record one outcome; a database hiccup leaves the lease to lapse (the row is retried), never crashes."""
    try:
        state = record(db, item, outcome, now=clock(), disable_after=disable_after)
    except Exception:  # the lease expires and the delivery is taken again
        log.exception("could not record the outcome of delivery %s", item.delivery_id)
        return
    if outcome.ok:
        report.succeeded += 1
    else:
        report.failed += 1
    if not outcome.ok and state == "failed":
        log.info("delivery %s gave up: %s", item.delivery_id, outcome.error)


def scheduled_run(app: Flask) -> None:
    """The scheduler job ``deliver_webhooks``."""
    report = run_once(app)
    if report.claimed:
        log.info("webhooks: %s sent, %s failed", report.succeeded, report.failed)


def serve(app: Flask, stop: threading.Event, *, interval: float | None = None) -> None:
    """Deliver until ``stop`` is set, polling for due rows every ``interval`` seconds."""
    pause = float(interval if interval is not None else app.config["DELIVERY_INTERVAL_SECONDS"])
    while not stop.is_set():
        try:
            scheduled_run(app)
        except Exception:  # keep serving; the next round retries
            log.exception("delivery round failed")
        stop.wait(pause)
