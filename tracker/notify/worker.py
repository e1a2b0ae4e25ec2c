"""The mail worker: write due digests, then the shared leased outbox (``tracker.outbox``) on ``mail_message``.

Claims are leases as for webhooks (``tracker.outbox.lease``). A claim composes its mails in its own
transaction; several sender threads (``MAIL_CONCURRENCY``) each keep one SMTP connection open for all their
mails (``transport.Connection``), and outcomes are recorded in batches, each its own committed transaction, so
a killed ``tracker notify`` loses nothing: its leases lapse and the next run sends the rest. A mail that was
sent is never claimed again, and every mail keeps its Message-ID, so a retry is recognisable. A mail to a user
who has turned mail off (or was deactivated) since it was queued is cancelled, not sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message
from typing import Any

from flask import Flask
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, joinedload

from tracker.clock import DANISH_TIME, utcnow
from tracker.db import Database, get_db
from tracker.models import ChangeEvent, MailAttempt, MailMessage, MailPreference
from tracker.notify import action_reminders, digests, notices, transport
from tracker.notify.compose import compose
from tracker.notify.preferences import DEFAULTS
from tracker.outbox import loop, schedule
from tracker.outbox.lease import claim as claim_rows
from tracker.outbox.lease import holder_id
from tracker.outbox.loop import Clock
from tracker.outbox.queues import MAIL
from tracker.outbox.wake import Waker, waker_for

log = logging.getLogger(__name__)

RETRY_SCHEDULE = MAIL.schedule


@dataclass(frozen=True)
class Claimed:
    """A claimed mail, composed in the claim's transaction."""

    mail_id: int
    address: str
    message: Message | None  # None: nothing to send any more (user off or inactive) → cancelled
    token: str

    @property
    def row_id(self) -> int:
        """The outbox row (for the shared loop)."""
        return self.mail_id


@dataclass
class RunReport:
    """What one run did."""

    digests: int = 0
    reminders: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0


def next_delay(failures: int) -> timedelta | None:
    """The wait after the ``failures``-th failed attempt; None when the schedule is used up."""
    return schedule.next_delay(MAIL, failures)


def _compose_all(
    app: Flask, session: Session, mails: list[MailMessage], now: datetime, bodies: dict[Any, Any]
) -> list[Message | None]:
    """Every claimed mail composed, with the preferences and events of the whole batch read at once."""
    preferences = {
        p.user_id: p for p in session.scalars(select(MailPreference).where(MailPreference.user_id.in_(_users(mails))))
    }
    wanted = {event_id for mail in mails if mail.kind != notices.KIND for event_id in mail.event_ids or []}
    events = {e.id: e for e in session.scalars(select(ChangeEvent).where(ChangeEvent.id.in_(wanted)))}
    composed: list[Message | None] = []
    with app.test_request_context("/"):
        for mail in mails:
            user, row = mail.user, preferences.get(mail.user_id)
            mode = row.mode if row is not None else DEFAULTS["mode"]
            language = row.language if row is not None else DEFAULTS["language"]
            if not user.is_active or mode == "off":
                composed.append(None)
            elif mail.kind == notices.KIND:
                composed.append(notices.compose_notice(session, mail, user, language, now))
            else:
                listed = [events[i] for i in sorted(set(mail.event_ids or [])) if i in events]
                # Only a digest lists the reader's overdue actions (one query per mail: not for the others).
                overdue = (
                    action_reminders.overdue_for(session, user, now.astimezone(DANISH_TIME).date())
                    if mail.kind in ("daily", "weekly")
                    else []
                )
                composed.append(compose(mail, user, listed, language, now, bodies, overdue) if listed else None)
    return composed


def _users(mails: Iterable[MailMessage]) -> set[int]:
    return {m.user_id for m in mails}


def claim(
    app: Flask,
    db: Database,
    *,
    token: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    bodies: dict[Any, Any] | None = None,
) -> list[Claimed]:
    """Take up to ``limit`` due mails and compose them; committed before anything is sent.

    ``bodies`` (one per run) keeps each rendering per language and list of changes for all its readers.
    """
    with db.unit_of_work() as session:
        if not claim_rows(session, MAIL, token=token, now=now, limit=limit, lease=lease):
            return []
        mails = list(
            session.scalars(
                select(MailMessage)
                .where(MailMessage.claimed_by == token)
                .options(joinedload(MailMessage.user))
                .order_by(MailMessage.id)
            )
        )
        messages = _compose_all(app, session, mails, now, {} if bodies is None else bodies)
        return [Claimed(m.id, m.user.email, msg, token) for m, msg in zip(mails, messages, strict=True)]


def record_many(db: Database, results: list[tuple[Claimed, transport.Result]], *, now: datetime) -> dict[int, str]:
    """Record attempts (and cancellations) in one transaction; returns each mail's new state by id."""
    states: dict[int, str] = {}
    with db.unit_of_work() as session:
        attempts = [
            {"mail_id": item.mail_id, "attempted_at": now, "address": item.address, "error": result.error}
            for item, result in results
            if not result.cancelled
        ]
        if attempts:  # write first (SQLite: take the write lock before reading)
            session.execute(insert(MailAttempt), attempts)
        # The mails sent (most of them): one UPDATE, as ``_apply`` records a success (whoever holds the lease now:
        # the mail went out), without loading them.
        sent = [item.mail_id for item, result in results if result.ok]
        if sent:
            done = session.scalars(
                update(MailMessage)
                .where(MailMessage.id.in_(sent))
                .values(
                    state="sent",
                    sent_at=now,
                    last_error=None,
                    attempts=MailMessage.attempts + 1,
                    claimed_by=None,
                    claimed_until=None,
                )
                .returning(MailMessage.id)
                .execution_options(synchronize_session=False)
            )
            states.update(dict.fromkeys(done, "sent"))
        rest = [(item, result) for item, result in results if not result.ok]
        ids = [item.mail_id for item, _ in rest]
        mails = {m.id: m for m in session.scalars(select(MailMessage).where(MailMessage.id.in_(ids)))} if ids else {}
        for item, result in rest:
            mail = mails.get(item.mail_id)
            if mail is not None:
                states[item.mail_id] = _apply(mail, item, result, now)
    return states


def record(db: Database, item: Claimed, result: transport.Result | None, *, now: datetime) -> str:
    """Record one attempt (None: a cancellation) and schedule what follows; returns the mail's new state."""
    states = record_many(db, [(item, result or transport.CANCELLED)], now=now)
    return states.get(item.mail_id, "deleted")


def _apply(mail: MailMessage, item: Claimed, result: transport.Result, now: datetime) -> str:
    if mail.claimed_by != item.token and not result.ok:
        return mail.state  # our lease lapsed; another run owns the row now
    mail.claimed_by = None
    mail.claimed_until = None
    if result.cancelled:
        mail.state = "cancelled"
        return mail.state
    mail.attempts += 1
    if result.ok:
        mail.state = "sent"
        mail.sent_at = now
        mail.last_error = None
        return mail.state
    mail.last_error = result.error
    delay = None if result.permanent else next_delay(mail.attempts)
    if delay is None:
        mail.state = "failed"
    else:
        mail.next_attempt_at = now + delay
    return mail.state


class MailChannel:
    """The mail outbox for ``tracker.outbox.loop``: one SMTP connection per sender thread."""

    queue = MAIL

    def __init__(self, app: Flask) -> None:
        """Read the settings once for the run (an unusable ``MAIL_URL`` raises here, before anything is claimed)."""
        cfg = app.config
        self.app = app
        self.db = get_db(app)
        self.target = transport.parse_target(str(cfg.get("MAIL_URL") or ""), app.instance_path)
        self.timeout = float(cfg["MAIL_TIMEOUT"])
        self.lease = timedelta(seconds=float(cfg["MAIL_CLAIM_SECONDS"]) or 2 * self.timeout + 30)
        self.concurrency = max(1, int(cfg.get("MAIL_CONCURRENCY") or 4))
        self.batch = max(1, int(cfg["MAIL_BATCH_SIZE"]))
        # Whole batches are claimed (and composed) at once and sent in parallel: two out at a time, the next one
        # claimed once a whole batch's room is free while the other is still being sent. Each claim has a fixed
        # cost (the lease, the batch's users, preferences and events), and sending is faster than composing: a
        # claim at half a batch's room made three times as many claims of a third the size (mail row: 0.54–0.71
        # of plain smtplib on SQLite; a whole batch: 0.76–0.94).
        self.in_flight = 2 * self.batch
        self.claim_min = self.batch
        # Outcomes are written at the latest every 0.2 s (loop.RECORD_EVERY), together: a killed worker re-sends
        # at most those (at-least-once, same Message-ID), and PostgreSQL is not asked for a commit per mail.
        self.record_batch = self.batch
        self.stop_seconds = self.timeout
        self.bodies: dict[Any, Any] = {}  # renderings of this run, shared by every reader of the same changes

    def claim(self, token: str, now: datetime, limit: int) -> list[Claimed]:
        """Claim and compose due mails (``claim``)."""
        return claim(self.app, self.db, token=token, now=now, limit=limit, lease=self.lease, bodies=self.bodies)

    def open(self) -> transport.Connection:
        """One SMTP connection per sender thread, opened at its first mail."""
        return transport.Connection(self.target, timeout=self.timeout)

    def close(self, resource: transport.Connection) -> None:
        """QUIT."""
        resource.close()

    def send(self, item: Claimed, resource: transport.Connection) -> transport.Result:
        """Send one mail, or cancel it when there is nothing to send any more."""
        if item.message is None:
            return transport.CANCELLED
        result = resource.send(item.message)
        if not result.ok:
            log.warning("mail %s to user address failed: %s", item.mail_id, result.error)
        return result

    def record(self, results: list[tuple[Claimed, transport.Result]], now: datetime) -> dict[int, str]:
        """Write the outcomes (``record_many``)."""
        return record_many(self.db, results, now=now)

    def urgent(self, outcome: transport.Result) -> bool:
        """Nothing in mail needs writing before the next claim."""
        return False


def run_once(
    app: Flask,
    *,
    clock: Clock = utcnow,
    holder: str | None = None,
    stop: threading.Event | None = None,
    waker: Waker | None = None,
) -> RunReport:
    """Write the digests that are due, then send every mail due now, ``MAIL_CONCURRENCY`` at a time."""
    channel = MailChannel(app)
    report = RunReport()
    with get_db(app).unit_of_work() as session:
        report.digests = digests.queue_digests(session, clock())
        report.reminders = action_reminders.queue_reminders(session, clock())
    done = loop.run_once(
        channel,
        holder=holder or holder_id(),
        clock=clock,
        stop=stop,
        poll=float(app.config["MAIL_INTERVAL_SECONDS"]),
        waker=waker,
    )
    report.claimed, report.sent, report.failed, report.cancelled = (
        done.claimed,
        done.succeeded,
        done.failed,
        done.cancelled,
    )
    return report


def scheduled_run(app: Flask, stop: threading.Event | None = None, waker: Waker | None = None) -> None:
    """The scheduler job ``send_mail`` (and one round of ``serve``)."""
    report = run_once(app, stop=stop, waker=waker)
    if report.claimed or report.digests:
        log.info("mail: %s digests written, %s sent, %s failed", report.digests, report.sent, report.failed)


def serve(app: Flask, stop: threading.Event, *, interval: float | None = None, waker: Waker | None = None) -> None:
    """Send until ``stop`` is set: a round every ``interval`` seconds, or at once when woken (PostgreSQL)."""
    pause = float(interval if interval is not None else app.config["MAIL_INTERVAL_SECONDS"])
    waker = waker or waker_for(app, MAIL.name)
    loop.serve(lambda s, w: scheduled_run(app, s, w), stop, interval=pause, waker=waker, name="mail")
