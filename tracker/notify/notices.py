"""Personal notices by mail: what happened to something of yours, or to your work, that is not a public change.

- The outcome of your proposal (accepted, or rejected with the coordinator's reason): ``proposal:<id>:<state>``.
- A coordinator's work alerts, if asked for (``alerts`` in the mail preference): a new proposal from a person
  (``proposal-new:<id>``, alert ``proposals``), and what a scrape run brought — proposals left for review
  (alert ``proposals``), changed pages and a source turning unhealthy (alert ``sources``):
  ``run:<id>:p<pending>:c<changed>:u<0|1>``.

A notice is a mail row of kind ``notice``, written in the transaction of what it tells (receivers of the review's
and the ingest's signals) and sent by the mail worker like any other, with a stable Message-ID. It goes out at once
whatever the user's rhythm (it is about one thing to act on), never to a user who turned mail off, never to
the person who caused it.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.message import Message
from typing import Any

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.ingest.news import RunNews
from tracker.ingest.snapshots import is_page_change
from tracker.models import MailMessage, MailPreference, PageSnapshot, Proposal, ScrapeRun, Source, User
from tracker.models.vocab import Role
from tracker.notify import action_reminders
from tracker.notify.compose import link, render
from tracker.notify.preferences import preference_of
from tracker.notify.recipients import message_id_for
from tracker.outbox import wake
from tracker.outbox.queues import MAIL

KIND = "notice"
_RUN_KEY = re.compile(r"run:(\d+):p(\d+):c(\d+):u([01])")


def _add(session: Session, user: User, key: str) -> None:
    session.add(
        MailMessage(
            user_id=user.id,
            key=key[:60],
            kind=KIND,
            message_id=message_id_for(user.id, key[:60]),
            event_ids=[],
            next_attempt_at=utcnow(),
        )
    )
    wake.announce(session, MAIL.name)


def _alerted(session: Session, wanted: set[str], exclude_id: int | None = None) -> list[User]:
    """The active coordinators (and admins) whose mail is on and who asked for any of ``wanted``."""
    rows = session.execute(
        select(User, MailPreference)
        .join(MailPreference, MailPreference.user_id == User.id)
        .where(User.is_active.is_(True), User.role.in_([Role.COORDINATOR, Role.ADMIN]), MailPreference.mode != "off")
        .order_by(User.id)
    ).all()
    return [u for u, p in rows if u.id != exclude_id and wanted & set(p.alerts or [])]


def proposal_decided(proposal: Proposal, *, session: Session, **_: Any) -> None:
    """Tell the proposer that a coordinator accepted or rejected their proposal (``signals.proposal_decided``)."""
    proposer = session.get(User, proposal.proposer_id) if proposal.proposer_id is not None else None
    if proposer is None or not proposer.is_active or proposer.id == proposal.reviewed_by_id:
        return
    if preference_of(session, proposer)["mode"] == "off":
        return
    _add(session, proposer, f"proposal:{proposal.id}:{proposal.state}")
    session.flush()


def proposal_created(proposal: Proposal, *, session: Session, **_: Any) -> None:
    """Alert the coordinators who asked of a person's new proposal (``signals.proposal_created``)."""
    for user in _alerted(session, {"proposals"}, exclude_id=proposal.proposer_id):
        _add(session, user, f"proposal-new:{proposal.id}")
    session.flush()


def run_recorded(run: ScrapeRun, *, session: Session, source: Source, news: RunNews, **_: Any) -> None:
    """Alert the coordinators who asked of what a scrape run brought (``signals.scrape_run_finished``)."""
    wanted = ({"proposals"} if news.proposals else set()) | (
        {"sources"} if news.changed_pages or news.became_unhealthy else set()
    )
    key = f"run:{run.id}:p{news.proposals}:c{len(news.changed_pages)}:u{int(news.became_unhealthy)}"
    for user in _alerted(session, wanted):
        _add(session, user, key)
    session.flush()


def compose_notice(session: Session, mail: MailMessage, user: User, language: str, now: datetime) -> Message | None:
    """The notice's message; None when what it is about has gone (it is then not sent)."""
    kind = mail.key.partition(":")[0]
    with force_locale(language):
        built = {
            "proposal": _decision,
            "proposal-new": _new_proposal,
            "run": _run,
            action_reminders.PREFIX: action_reminders.compose,
        }.get(kind, _nothing)(session, mail, user)
        if built is None:
            return None
        subject, template, context = built
        return render(mail, user, template, subject, language, now, **context)


Built = tuple[str, str, dict[str, Any]] | None


def _nothing(_session: Session, _mail: MailMessage, _user: User) -> Built:
    return None


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _decision(session: Session, mail: MailMessage, user: User) -> Built:
    _kind, number, state = [*mail.key.split(":"), "", ""][:3]
    pid = _number(number)
    proposal = session.get(Proposal, pid) if pid is not None else None
    if proposal is None or proposal.proposer_id != user.id or state not in ("accepted", "rejected"):
        return None
    name = proposal.solution.name
    if state == "accepted":
        subject = _("TU-tracker: dit forslag til %(name)s er godkendt", name=name)
    else:
        subject = _("TU-tracker: dit forslag til %(name)s er afvist", name=name)
    context = {
        "proposal": proposal,
        "state": state,
        "solution_url": link("web.solution", slug=proposal.solution.slug),
        "proposal_url": link("review.detail", proposal_id=proposal.id),
    }
    return subject, "proposal", context


def _new_proposal(session: Session, mail: MailMessage, _user: User) -> Built:
    pid = _number(mail.key.partition(":")[2])
    proposal = session.get(Proposal, pid) if pid is not None else None
    if proposal is None or proposal.state not in ("pending", "stale"):
        return None  # decided meanwhile: nothing left to do
    name = proposal.solution.name
    subject = _("TU-tracker: nyt forslag til %(name)s fra %(who)s", name=name, who=proposal.proposer_label)
    url = link("review.detail", proposal_id=proposal.id)
    lines: list[tuple[str, str | None]] = [(_("Forslag #%(id)s venter på gennemsyn.", id=proposal.id), url)]
    if proposal.evidence:
        lines.append((_("Belæg: %(evidence)s", evidence=proposal.evidence[:500]), None))
    return subject, "alert", {"lines": lines, "reason": _("Du får denne mail, fordi du har bedt om arbejdsbeskeder.")}


def _run(session: Session, mail: MailMessage, _user: User) -> Built:
    match = _RUN_KEY.fullmatch(mail.key)
    run = session.get(ScrapeRun, int(match.group(1))) if match else None
    if match is None or run is None:
        return None
    source = session.get(Source, run.source_id)
    if source is None:
        return None
    pending, changed, unhealthy = int(match.group(2)), int(match.group(3)), match.group(4) == "1"
    lines: list[tuple[str, str | None]] = []
    if pending:
        text = ngettext(
            "%(num)d nyt forslag fra kilden venter på gennemsyn.",
            "%(num)d nye forslag fra kilden venter på gennemsyn.",
            pending,
        )
        lines.append((text, link("review.queue")))
    if changed:
        snapshots = session.scalars(select(PageSnapshot).where(PageSnapshot.run_id == run.id).order_by(PageSnapshot.id))
        for snapshot in snapshots:
            if is_page_change(session, snapshot):
                text = _("Siden har ændret sig: %(url)s", url=snapshot.url)
                lines.append((text, link("sources.detail", key=source.key)))
    if unhealthy:
        text = _("Kilden er ikke længere sund: %(reason)s", reason=source.health_reason or "")
        lines.append((text, link("sources.detail", key=source.key)))
    subject = _("TU-tracker: nyt fra kilden %(name)s", name=source.name)
    return subject, "alert", {"lines": lines, "reason": _("Du får denne mail, fordi du har bedt om arbejdsbeskeder.")}
