"""The webhook delivery worker: the shared leased outbox (``tracker.outbox``) on the ``delivery`` table.

Claims are leases (``claimed_by``/``claimed_until``, see ``tracker.outbox.lease``); each claim and each batch
of recorded outcomes (``outcomes``) is its own committed transaction, so a killed worker loses nothing: its
leases lapse and another worker takes the rows again (the receiver may then see a ``webhook-id`` twice, which
is the at-least-once contract). Each sender thread keeps one pinned HTTP session, so connections to a
receiver that keeps them open are reused (every request is still resolved and checked against the SSRF
policy). A 410 Gone from a subscription's receiver stops the rest of the claimed rows of that subscription at
once: they come back unsent and their claims are released. The clock is injectable so tests can step through
the retry schedule without waiting; the ``webhook-timestamp`` header always carries the real time.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

import requests
from flask import Flask
from sqlalchemy import select

from tracker.broadcast.outcomes import Claimed, record, record_many, release
from tracker.broadcast.sender import Outcome, SendSettings, encode_body, send
from tracker.broadcast.ssrf import policy_from_config
from tracker.broadcast.transport import pinned_session
from tracker.clock import utcnow
from tracker.db import get_db
from tracker.models import Delivery, Subscription
from tracker.outbox import lease, loop
from tracker.outbox.loop import Clock, RunReport
from tracker.outbox.queues import WEBHOOKS
from tracker.outbox.wake import Waker, waker_for

log = logging.getLogger(__name__)
__all__ = ["Claimed", "RunReport", "claim", "record", "record_many", "release", "run_once", "serve"]
holder_id = lease.holder_id


def lease_for(config: Any) -> timedelta:
    """How long a claim lasts: long enough for a full attempt, short enough to recover from a crash quickly."""
    configured = int(config.get("WEBHOOK_CLAIM_SECONDS") or 0)
    if configured > 0:
        return timedelta(seconds=configured)
    return timedelta(seconds=2 * (config["WEBHOOK_CONNECT_TIMEOUT"] + config["WEBHOOK_READ_TIMEOUT"]) + 30)


def claim(app: Flask, *, token: str, now: datetime, limit: int, lease_time: timedelta) -> list[Claimed]:
    """Take up to ``limit`` due deliveries of active subscriptions; committed before anything is sent."""
    with get_db(app).unit_of_work() as session:
        if not lease.claim(session, WEBHOOKS, token=token, now=now, limit=limit, lease=lease_time):
            return []
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
            claimed.append(Claimed(row.id, row.subscription_id, row.message_id, row.url, body, signing_secrets, token))
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


class WebhookChannel:
    """The webhook outbox for ``tracker.outbox.loop``: one per run (it remembers receivers that said 410)."""

    queue = WEBHOOKS

    def __init__(self, app: Flask) -> None:
        """Read the settings once for the run."""
        cfg = app.config
        self.app = app
        self.db = get_db(app)
        self.concurrency = max(1, int(cfg["WEBHOOK_CONCURRENCY"]))
        self.batch = max(1, int(cfg["WEBHOOK_BATCH_SIZE"]))
        self.record_batch = max(1, int(cfg.get("WEBHOOK_RECORD_BATCH_SIZE") or 100))
        self.stop_seconds = float(cfg.get("WEBHOOK_STOP_SECONDS") or 5.0)
        self.settings = settings_of(app)
        self.lease = lease_for(cfg)
        self.disable_after = timedelta(hours=float(cfg.get("WEBHOOK_DISABLE_AFTER_HOURS", 72)))
        self._gone: set[int] = set()  # subscriptions whose receiver answered 410 during this run
        self._lock = threading.Lock()

    def claim(self, token: str, now: datetime, limit: int) -> list[Claimed]:
        """Claim due deliveries (``claim``)."""
        return claim(self.app, token=token, now=now, limit=limit, lease_time=self.lease)

    def open(self) -> requests.Session:
        """One pinned HTTP session per sender thread."""
        return pinned_session(self.settings.policy, self.settings.user_agent)

    def close(self, resource: requests.Session) -> None:
        """Close a sender's session."""
        resource.close()

    def send(self, item: Claimed, resource: requests.Session) -> Outcome | None:
        """POST one delivery; None when its subscription's receiver said 410 in this run."""
        with self._lock:
            if item.subscription_id in self._gone:
                return None
        try:
            outcome = send(item.url, item.message_id, item.body, item.secrets, self.settings, resource)
        except Exception as exc:  # a sender bug must not lose the delivery
            outcome = Outcome(False, None, 0, f"Intern fejl under afsendelse: {type(exc).__name__}")
        if outcome.gone:
            with self._lock:
                self._gone.add(item.subscription_id)
        return outcome

    def record(self, results: list[tuple[Claimed, Outcome]], now: datetime) -> dict[int, str]:
        """Write the outcomes (``outcomes.record_many``)."""
        states = record_many(self.db, results, now=now, disable_after=self.disable_after)
        for item, outcome in results:
            if states.get(item.delivery_id) == "failed":
                log.info("delivery %s gave up: %s", item.delivery_id, outcome.error)
        return states

    def urgent(self, outcome: Outcome) -> bool:
        """A 410 switches the subscription off before anything more is claimed."""
        return outcome.gone


def run_once(
    app: Flask,
    *,
    clock: Clock = utcnow,
    holder: str | None = None,
    stop: threading.Event | None = None,
    poll: float | None = None,
    waker: Waker | None = None,
) -> RunReport:
    """Send every delivery that is due now; returns when nothing due is left and nothing is in flight.

    At most ``WEBHOOK_CONCURRENCY`` requests run at once; rows that became due meanwhile are looked for every
    ``poll`` seconds (or when the waker says so). When ``stop`` is set, requests in flight get
    ``WEBHOOK_STOP_SECONDS`` to finish, then their claims are released.
    """
    return loop.run_once(
        WebhookChannel(app),
        holder=holder or holder_id(),
        clock=clock,
        stop=stop,
        poll=float(poll if poll is not None else app.config["DELIVERY_INTERVAL_SECONDS"]),
        waker=waker,
    )


def scheduled_run(app: Flask, stop: threading.Event | None = None, waker: Waker | None = None) -> None:
    """The scheduler job ``deliver_webhooks`` (and one round of ``serve``)."""
    report = run_once(app, stop=stop, waker=waker)
    if report.claimed:
        log.info("webhooks: %s sent, %s failed", report.succeeded, report.failed)


def serve(app: Flask, stop: threading.Event, *, interval: float | None = None, waker: Waker | None = None) -> None:
    """Deliver until ``stop`` is set: a round every ``interval`` seconds, or at once when woken (PostgreSQL)."""
    pause = float(interval if interval is not None else app.config["DELIVERY_INTERVAL_SECONDS"])
    loop.serve(
        lambda s, w: scheduled_run(app, s, w),
        stop,
        interval=pause,
        waker=waker or waker_for(app, WEBHOOKS.name),
        name="delivery",
    )
