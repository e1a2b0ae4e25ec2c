"""Personal notices by mail: what happened to something of yours, or to your work, that is not a public change.

- The outcome of your proposal (accepted, or rejected with the coordinator's reason): ``proposal_decided``.
- A coordinator's work alerts, if asked for (``alerts`` in the mail preference): a new proposal from a person
  (``proposal_created``, alert ``proposals``), and what a scrape run brought — proposals left for review
  (alert ``proposals``), changed pages and a source turning unhealthy (alert ``sources``): ``run_recorded``.

What a notice is about is kept in the row's typed columns (``notice``, ``proposal_id``, ``decision``,
``scrape_run_id``, the run's counts). Its key (``proposal:<id>:<state>``, ``proposal-new:<id>``,
``run:<id>:p<pending>:c<changed>:u<0|1>``) only makes it one row per user and thing, and its Message-ID.

A notice is a mail row of kind ``notice``, written in the transaction of what it tells (receivers of the review's
and the ingest's signals) and sent by the mail worker like any other, with a stable Message-ID. It goes out at once
whatever the user's rhythm (it is about one thing to act on), never to a user who turned mail off, never to
the person who caused it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import Message
from typing import Any

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tracker.auth.permissions import holders, may
from tracker.clock import utcnow
from tracker.ingest.news import RunNews
from tracker.ingest.snapshots import is_page_change
from tracker.models import Action, MailMessage, MailPreference, PageSnapshot, Proposal, ScrapeRun, Source, User
from tracker.notify import action_reminders
from tracker.notify.compose import link, render
from tracker.notify.preferences import preference_of
from tracker.notify.recipients import message_id_for
from tracker.outbox import wake
from tracker.outbox.queues import MAIL

KIND = "notice"


def _add(session: Session, user: User, key: str, notice: str, **subject: Any) -> None:
    """One notice row: ``key`` its identity, ``notice`` and ``subject`` (typed columns) what it is about."""
    session.add(
        MailMessage(
            user_id=user.id,
            key=key[:60],
            kind=KIND,
            message_id=message_id_for(user.id, key[:60]),
            event_ids=[],
            next_attempt_at=utcnow(),
            notice=notice,
            **subject,
        )
    )
    wake.announce(session, MAIL.name)


def _alerted(session: Session, wanted: set[str], exclude_id: int | None = None) -> list[User]:
    """The active coordinators (and admins) whose mail is on and who asked for any of ``wanted``."""
    rows = session.execute(
        select(User, MailPreference)
        .join(MailPreference, MailPreference.user_id == User.id)
        .where(User.is_active.is_(True), holders("mail.work_alert"), MailPreference.mode != "off")
        .order_by(User.id)
    ).all()
    return [u for u, p in rows if u.id != exclude_id and wanted & set(p.alerts or [])]


def proposal_decided(proposal: Proposal, *, session: Session, **_: Any) -> None:
    """Tell the proposer that a coordinator accepted or rejected their proposal (``signals.proposal_decided``)."""
    proposer = session.get(User, proposal.proposer_id) if proposal.proposer_id is not None else None
    # N12: nobody is told of a decision they made themselves (the table's mail.decision_notice).
    if proposer is None or not proposer.is_active or not may(proposer, "mail.decision_notice", proposal):
        return
    if preference_of(session, proposer)["mode"] == "off":
        return
    _add(
        session,
        proposer,
        f"proposal:{proposal.id}:{proposal.state}",
        "proposal_decided",
        proposal_id=proposal.id,
        decision=proposal.state,
    )
    session.flush()


def proposal_created(proposal: Proposal, *, session: Session, **_: Any) -> None:
    """Alert the coordinators who asked of a person's new proposal (``signals.proposal_created``)."""
    for user in _alerted(session, {"proposals"}, exclude_id=proposal.proposer_id):
        _add(session, user, f"proposal-new:{proposal.id}", "proposal_created", proposal_id=proposal.id)
    session.flush()


def run_recorded(run: ScrapeRun, *, session: Session, source: Source, news: RunNews, **_: Any) -> None:
    """Alert the coordinators who asked of what a scrape run brought (``signals.scrape_run_finished``)."""
    wanted = ({"proposals"} if news.proposals else set()) | (
        {"sources"} if news.changed_pages or news.became_unhealthy else set()
    )
    key = f"run:{run.id}:p{news.proposals}:c{len(news.changed_pages)}:u{int(news.became_unhealthy)}"
    counts = {
        "new_proposals": news.proposals,
        "changed_pages": len(news.changed_pages),
        "became_unhealthy": bool(news.became_unhealthy),
    }
    for user in _alerted(session, wanted):
        _add(session, user, key, "run_recorded", scrape_run_id=run.id, **counts)
    session.flush()


def actions_followed_registry(actions: Sequence[Action], *, session: Session, **_: Any) -> None:
    """Tell each action's owner that the registry reopened, closed or moved it
    (``signals.actions_followed_registry``): never silently. Not to a deactivated owner, nor one whose mail is
    off; one notice per version of the action. One query and one insert however many actions."""
    owner_ids = {a.owner_user_id for a in actions if a.owner_user_id is not None}
    if not owner_ids:
        return
    owners = {
        user.id: (user, preference)
        for user, preference in session.execute(
            select(User, MailPreference)
            .outerjoin(MailPreference, MailPreference.user_id == User.id)
            .where(User.id.in_(owner_ids))
        )
    }
    now = utcnow()
    rows = []
    for action in actions:
        owner, preference = owners.get(action.owner_user_id or 0, (None, None))
        if owner is None or not owner.is_active or (preference is not None and preference.mode == "off"):
            continue
        key = f"action-registry:{action.id}:{action.version}"[:60]
        rows.append(
            {
                "user_id": owner.id,
                "key": key,
                "kind": KIND,
                "message_id": message_id_for(owner.id, key),
                "event_ids": [],
                "next_attempt_at": now,
                "notice": action_reminders.CHANGED_NOTICE,
                "action_id": action.id,
            }
        )
    if rows:
        session.execute(insert(MailMessage), rows)
        wake.announce(session, MAIL.name)


def compose_notice(session: Session, mail: MailMessage, user: User, language: str, now: datetime) -> Message | None:
    """The notice's message; None when what it is about has gone (it is then not sent)."""
    compose = {
        "proposal_decided": _decision,
        "proposal_created": _new_proposal,
        "run_recorded": _run,
        action_reminders.NOTICE: action_reminders.compose,
        action_reminders.CHANGED_NOTICE: action_reminders.compose_changed,
    }
    with force_locale(language):
        built = compose.get(mail.notice or "", _nothing)(session, mail, user)
        if built is None:
            return None
        subject, template, context = built
        return render(mail, user, template, subject, language, now, **context)


Built = tuple[str, str, dict[str, Any]] | None


def _nothing(_session: Session, _mail: MailMessage, _user: User) -> Built:
    return None


def _decision(session: Session, mail: MailMessage, user: User) -> Built:
    state = mail.decision or ""
    proposal = session.get(Proposal, mail.proposal_id) if mail.proposal_id is not None else None
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
    proposal = session.get(Proposal, mail.proposal_id) if mail.proposal_id is not None else None
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
    run = session.get(ScrapeRun, mail.scrape_run_id) if mail.scrape_run_id is not None else None
    if run is None:
        return None
    source = session.get(Source, run.source_id)
    if source is None:
        return None
    pending, changed, unhealthy = mail.new_proposals or 0, mail.changed_pages or 0, bool(mail.became_unhealthy)
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
