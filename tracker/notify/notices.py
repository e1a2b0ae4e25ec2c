"""Personal notices by mail: what happened to something of yours that is not a public change event.

Today: the outcome of your proposal (accepted, or rejected with the coordinator's reason). A notice is a mail
row of kind ``notice`` keyed ``proposal:<id>:<state>``, written in the decision's transaction (the review's
hook) and sent by the mail worker like any other, with a stable Message-ID. It goes out at once whatever the
user's rhythm (it is one answer to one thing they did), but never to a user who turned mail off.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import MailMessage, Proposal, User
from tracker.notify.compose import link, render
from tracker.notify.preferences import preference_of
from tracker.notify.recipients import message_id_for

KIND = "notice"


def proposal_decided(session: Session, proposal: Proposal) -> None:
    """Tell the proposer that a coordinator accepted or rejected their proposal (the review's decision hook)."""
    proposer = session.get(User, proposal.proposer_id) if proposal.proposer_id is not None else None
    if proposer is None or not proposer.is_active or proposer.id == proposal.reviewed_by_id:
        return
    if preference_of(session, proposer)["mode"] == "off":
        return
    key = f"proposal:{proposal.id}:{proposal.state}"
    session.add(
        MailMessage(
            user_id=proposer.id,
            key=key,
            kind=KIND,
            message_id=message_id_for(proposer.id, key),
            event_ids=[],
            next_attempt_at=utcnow(),
        )
    )
    session.flush()


def compose_notice(
    session: Session, mail: MailMessage, user: User, language: str, now: datetime
) -> EmailMessage | None:
    """The notice's message; None when what it is about has gone (it is then not sent)."""
    kind, _sep, rest = mail.key.partition(":")
    if kind != "proposal":
        return None
    number, _sep, state = rest.partition(":")
    proposal = session.get(Proposal, int(number)) if number.isdigit() else None
    if proposal is None or proposal.proposer_id != user.id or state not in ("accepted", "rejected"):
        return None
    name = proposal.solution.name
    with force_locale(language):
        if state == "accepted":
            subject = _("TU-tracker: dit forslag til %(name)s er godkendt", name=name)
        else:
            subject = _("TU-tracker: dit forslag til %(name)s er afvist", name=name)
        return render(
            mail,
            user,
            "proposal",
            subject,
            language,
            now,
            proposal=proposal,
            state=state,
            solution_url=link("web.solution", slug=proposal.solution.slug),
            proposal_url=link("review.detail", proposal_id=proposal.id),
        )
