"""The mail worker: write due digests, claim due mails, send each over SMTP, record every attempt.

Claims are leases as in the webhook worker (``claimed_by``/``claimed_until``; PostgreSQL ``FOR UPDATE SKIP
LOCKED``, SQLite one atomic ``UPDATE``). The claim and every outcome are their own committed transactions,
so a killed ``tracker notify`` loses nothing: its leases lapse and the next run sends the rest. A mail that
was sent is never claimed again, and every mail keeps its Message-ID, so a retry is recognisable.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from tracker.db import Database, get_db, utcnow
from tracker.models import ChangeEvent, MailAttempt, MailMessage, User
from tracker.notify import digests, notices, transport
from tracker.notify.compose import compose
from tracker.notify.preferences import preference_of

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)


@dataclass(frozen=True)
class Claimed:
    """A claimed mail, composed in the claim's transaction."""

    mail_id: int
    address: str
    message: EmailMessage | None  # None: nothing to send any more (user off or inactive) → cancelled
    token: str


@dataclass
class RunReport:
    """What one run did."""

    digests: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0


def holder_id() -> str:
    """Who holds a claim: host, process and a random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def next_delay(failures: int) -> timedelta | None:
    """The wait after the ``failures``-th failed attempt; None when the schedule is used up."""
    if failures < 1 or failures > len(RETRY_SCHEDULE):
        return None
    return RETRY_SCHEDULE[failures - 1]


def _compose(session: Session, app: Flask, mail: MailMessage, now: datetime) -> EmailMessage | None:
    user = mail.user
    preference = preference_of(session, user)
    if not user.is_active or preference["mode"] == "off":
        return None
    if mail.kind == notices.KIND:
        with app.test_request_context("/"):
            return notices.compose_notice(session, mail, user, preference["language"], now)
    events = list(
        session.scalars(select(ChangeEvent).where(ChangeEvent.id.in_(mail.event_ids)).order_by(ChangeEvent.id))
    )
    if not events:
        return None
    with app.test_request_context("/"):
        return compose(mail, user, events, preference["language"], now)


def claim(app: Flask, db: Database, *, token: str, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Take up to ``limit`` due mails and compose them; committed before anything is sent."""
    with db.unit_of_work() as session:
        candidate = aliased(MailMessage)
        due = (
            select(candidate.id)
            .where(
                candidate.state == "pending",
                candidate.next_attempt_at <= now,
                or_(candidate.claimed_until.is_(None), candidate.claimed_until < now),
            )
            .order_by(candidate.next_attempt_at, candidate.id)
            .limit(limit)
        )
        values = {"claimed_by": token, "claimed_until": now + lease}
        if session.get_bind().dialect.name == "postgresql":
            ids = list(session.scalars(due.with_for_update(skip_locked=True, of=candidate)))
            if not ids:
                return []
            stmt = update(MailMessage).where(MailMessage.id.in_(ids))
        else:
            stmt = update(MailMessage).where(
                MailMessage.id.in_(due.scalar_subquery()),
                or_(MailMessage.claimed_until.is_(None), MailMessage.claimed_until < now),
            )
        session.execute(stmt.values(**values).execution_options(synchronize_session=False))
        mails = session.scalars(select(MailMessage).where(MailMessage.claimed_by == token).order_by(MailMessage.id))
        claimed = []
        for mail in mails:
            user = session.get(User, mail.user_id)
            assert user is not None
            claimed.append(Claimed(mail.id, user.email, _compose(session, app, mail, now), token))
        return claimed


def record(db: Database, item: Claimed, result: transport.Result | None, *, now: datetime) -> str:
    """Record one attempt (or a cancellation) and schedule what follows; returns the mail's new state."""
    with db.unit_of_work() as session:
        if result is not None:  # write first (SQLite: take the write lock before reading)
            session.add(MailAttempt(mail_id=item.mail_id, attempted_at=now, address=item.address, error=result.error))
            session.flush()
        mail = session.get(MailMessage, item.mail_id)
        if mail is None:
            return "deleted"
        if mail.claimed_by != item.token and (result is None or not result.ok):
            return mail.state  # our lease lapsed; another run owns the row now
        mail.claimed_by = None
        mail.claimed_until = None
        if result is None:
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


def run_once(app: Flask, *, clock: Clock = utcnow, holder: str | None = None) -> RunReport:
    """Write the digests that are due, then send every mail due now, one at a time."""
    cfg = app.config
    db = get_db(app)
    target = transport.parse_target(str(cfg.get("MAIL_URL") or ""), app.instance_path)
    timeout = float(cfg["MAIL_TIMEOUT"])
    lease = timedelta(seconds=float(cfg["MAIL_CLAIM_SECONDS"]) or 2 * timeout + 30)
    batch = max(1, int(cfg["MAIL_BATCH_SIZE"]))
    holder = holder or holder_id()
    report = RunReport()
    with db.unit_of_work() as session:
        report.digests = digests.queue_digests(session, clock())
    rounds = 0
    while True:
        rounds += 1
        claimed = claim(app, db, token=f"{holder}:{rounds}", now=clock(), limit=batch, lease=lease)
        if not claimed:
            break
        report.claimed += len(claimed)
        for item in claimed:
            result = transport.send(item.message, target, timeout=timeout) if item.message is not None else None
            try:
                state = record(db, item, result, now=clock())
            except Exception:  # the lease lapses and the mail is taken again
                log.exception("could not record the outcome of mail %s", item.mail_id)
                continue
            if result is None:
                report.cancelled += 1
            elif result.ok:
                report.sent += 1
            else:
                report.failed += 1
                log.warning("mail %s to user address failed (%s): %s", item.mail_id, state, result.error)
    return report


def scheduled_run(app: Flask) -> None:
    """The scheduler job ``send_mail``."""
    report = run_once(app)
    if report.claimed or report.digests:
        log.info("mail: %s digests written, %s sent, %s failed", report.digests, report.sent, report.failed)


def serve(app: Flask, stop: threading.Event, *, interval: float | None = None) -> None:
    """Send until ``stop`` is set, every ``interval`` seconds."""
    pause = float(interval if interval is not None else app.config["MAIL_INTERVAL_SECONDS"])
    while not stop.is_set():
        try:
            scheduled_run(app)
        except Exception:  # keep serving; the next round retries
            log.exception("mail round failed")
        stop.wait(pause)
