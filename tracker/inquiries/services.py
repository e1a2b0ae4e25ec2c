"""Inquiries: ask once, answered for all 98. Ask, join, mark as asked, answer (optionally proposing a fact), close.

Every step (``inquiry.created``, ``.asked``, ``.answered``, ``.closed``) is a change event on the solution, so
the event log, the solution's feed, the webhooks and mail carry it, written in the same transaction as the step.
Services take the session, only flush, and check the caller's role themselves (house rule 3).
"""

from __future__ import annotations

import re
from datetime import timedelta
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.auth.permissions import may, own_municipality_id, require, require_state
from tracker.clock import utcnow
from tracker.errors import AppError, Conflict, ValidationError
from tracker.i18n import translated as _
from tracker.inputs import CONTROL_CHARS
from tracker.inquiries.public import public_actor, public_actor_of, source_kind_of
from tracker.models import Inquiry, InquiryFollower, Proposal, Solution, Transition, User
from tracker.registry.events import append_event
from tracker.review.services import create_proposal
from tracker.review.transition_proposals import ProposedTransition, create_transition_proposal

MAX_QUESTION = 2000
MAX_ANSWER = 10000
MAX_NOTE = 2000
UNANSWERED = ("open", "asked")
SIMILARITY = 0.6  # how alike two questions must be (0–1) before the asker is offered to join instead


class TooManyInquiries(AppError):
    """The per-user daily limit of new questions is reached."""

    status = 429
    code = "too_many_requests"


class SimilarInquiry(Conflict):
    """An open question on the same solution looks the same: join it instead (or send ``force``)."""

    code = "similar_inquiry"


def _text(value: str | None, *, field: str, maximum: int, missing: str) -> str:
    """Stripped text, or a 422 in Danish: empty, too long, control characters."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(missing, {field: _("Skal udfyldes.")})
    if len(text) > maximum:
        raise ValidationError(
            _("Teksten må højst have %(max)s tegn (den har %(n)s).", max=maximum, n=len(text)),
            {field: _("For lang.")},
        )
    if CONTROL_CHARS.search(text):
        raise ValidationError(_("Teksten indeholder et ugyldigt kontroltegn."), {field: _("Ugyldigt tegn.")})
    return text


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 2}


def similarity(a: str, b: str) -> float:
    """How alike two questions read (0–1): the better of word overlap and character similarity."""
    wa, wb = _words(a), _words(b)
    overlap = len(wa & wb) / len(wa | wb) if wa and wb else 0.0
    return max(overlap, SequenceMatcher(None, a.lower(), b.lower()).ratio())


def similar_open(session: Session, solution: Solution, question: str) -> list[Inquiry]:
    """Unanswered questions on the same solution that read like this one, most alike first."""
    candidates = session.scalars(
        select(Inquiry).where(Inquiry.solution_id == solution.id, Inquiry.state.in_(UNANSWERED)).limit(500)
    ).all()
    scored = [(similarity(question, c.question), c) for c in candidates]
    return [c for score, c in sorted(scored, key=lambda sc: (-sc[0], sc[1].id)) if score >= SIMILARITY]


def waiting(session: Session, inquiry: Inquiry) -> int:
    """How many municipalities wait for the answer (distinct municipalities among the followers)."""
    return int(inquiry.waiting or 0)


def _count_waiting(session: Session, inquiry: Inquiry) -> int:
    count = session.scalar(
        select(func.count(func.distinct(InquiryFollower.municipality_id))).where(
            InquiryFollower.inquiry_id == inquiry.id
        )
    )
    return int(count or 0)


def _inquiry_data(session: Session, inquiry: Inquiry) -> dict[str, Any]:
    return {
        "inquiry": {
            "id": inquiry.id,
            "question": inquiry.question,
            "state": inquiry.state,
            "waiting": waiting(session, inquiry),
            "asker": inquiry.asker_label,
            "answer": inquiry.answer,
            "answer_source_url": inquiry.answer_source_url,
            "proposal_id": inquiry.proposal_id,
            "asked_note": inquiry.asked_note,
            "close_reason": inquiry.close_reason,
        }
    }


def _follow(session: Session, inquiry: Inquiry, user: User) -> bool:
    """Add the user as a follower; False if they already follow."""
    exists = session.scalar(
        select(InquiryFollower.id).where(InquiryFollower.inquiry_id == inquiry.id, InquiryFollower.user_id == user.id)
    )
    if exists is not None:
        return False
    try:
        # A savepoint: a double click racing itself meets the unique constraint, and that is "already joined".
        with session.begin_nested():
            session.add(InquiryFollower(inquiry_id=inquiry.id, user_id=user.id, municipality_id=user.municipality_id))
    except IntegrityError:
        return False
    inquiry.waiting = _count_waiting(session, inquiry)
    session.flush()
    return True


def ask(
    session: Session, *, user: User | None, solution: Solution, question: str | None, daily_limit: int, force: bool
) -> Inquiry:
    """A new question (municipality users, coordinators). A similar open one is offered instead (409)."""
    user = require(user, "inquiry.ask", solution, details={"solution": solution.slug})
    text = _text(question, field="question", maximum=MAX_QUESTION, missing=_("Skriv et spørgsmål."))
    since = utcnow() - timedelta(days=1)
    asked_today = session.scalar(select(func.count()).where(Inquiry.asker_id == user.id, Inquiry.created_at >= since))
    if (asked_today or 0) >= daily_limit:
        raise TooManyInquiries(
            _("Du har stillet %(n)s spørgsmål det seneste døgn, som er grænsen. Prøv igen i morgen.", n=daily_limit)
        )
    if not force and (similar := similar_open(session, solution, text)):
        raise SimilarInquiry(
            _("Der findes allerede et lignende spørgsmål om %(name)s. Tilslut jer det i stedet.", name=solution.name),
            {"similar": [{"id": s.id, "question": s.question[:300], "state": s.state} for s in similar[:5]]},
        )
    now = utcnow()
    inquiry = Inquiry(
        solution_id=solution.id,
        question=text,
        state="open",
        waiting=0,
        asker_id=user.id,
        asker_municipality_id=own_municipality_id(user),
        asker_label=public_actor(session, user),
        created_at=now,
    )
    session.add(inquiry)
    session.flush()
    if own_municipality_id(user) is not None:  # a municipality waits for its own question's answer
        _follow(session, inquiry, user)
    append_event(
        session,
        type="inquiry.created",
        actor=public_actor_of(session, user),
        solution=solution,
        changes={"state": {"before": None, "after": "open"}, "question": {"before": None, "after": text}},
        data=_inquiry_data(session, inquiry),
    )
    return inquiry


def _lock(session: Session, inquiry: Inquiry) -> None:
    """Lock the inquiry's row (PostgreSQL) and re-read it, so two people cannot both answer or close it."""
    session.execute(select(Inquiry.id).where(Inquiry.id == inquiry.id).with_for_update())
    session.refresh(inquiry)


def join(session: Session, *, user: User | None, inquiry: Inquiry) -> bool:
    """A municipality's user joins the wait (idempotent: True only the first time)."""
    user = require(user, "inquiry.join", inquiry, check_state=False, details={"object_id": inquiry.id})
    _lock(session, inquiry)  # joins one at a time, so the waiting count counts every one of them
    require_state("inquiry.join", inquiry)
    return _follow(session, inquiry, user)


def mark_asked(session: Session, *, user: User | None, inquiry: Inquiry, note: str | None) -> Inquiry:
    """A coordinator records that KL has put the question to the vendor/service provider."""
    missing = _("Skriv hvem der er spurgt og hvornår.")
    return _coordinator_step(
        session, user, inquiry, "inquiry.mark_asked", "asked", field="note", text=note, missing=missing
    )


# What each coordinator's step writes: the state it leaves, the column of its text, the column of its time.
_STEPS = {"asked": ("asked_note", "asked_at"), "closed": ("close_reason", "closed_at")}


def _coordinator_step(
    session: Session,
    user: User | None,
    inquiry: Inquiry,
    action: str,
    state: str,
    *,
    field: str,
    text: str | None,
    missing: str,
) -> Inquiry:
    """Take ``action`` (the permission layer's name) to ``state`` with the coordinator's ``text`` (the form's
    ``field``; ``missing`` says it must be written). Those waiting hear of the step."""
    user = require(user, action, inquiry, check_state=False, details={"object_id": inquiry.id})
    words = _text(text, field=field, maximum=MAX_NOTE, missing=missing)
    _lock(session, inquiry)
    require_state(action, inquiry)
    before = inquiry.state
    column, stamp = _STEPS[state]
    inquiry.state = state
    setattr(inquiry, column, words)
    setattr(inquiry, stamp, utcnow())
    session.flush()
    _state_event(session, inquiry, user, f"inquiry.{state}", before, {column: {"before": None, "after": words}})
    return inquiry


def _state_event(
    session: Session, inquiry: Inquiry, user: User, type: str, before: str, changes: dict[str, Any]
) -> None:
    """A coordinator's step on an inquiry as a change event: those waiting hear of it (feeds, webhooks, mail)."""
    append_event(
        session,
        type=type,
        actor=public_actor_of(session, user),
        solution=inquiry.solution,
        changes={"state": {"before": before, "after": inquiry.state}, **changes},
        source_kind=source_kind_of(user, inquiry.solution),
        data=_inquiry_data(session, inquiry),
    )


def answer(
    session: Session,
    *,
    user: User | None,
    inquiry: Inquiry,
    text: str | None,
    source_url: str | None,
    propose: dict[str, Any] | None = None,
    propose_transition: ProposedTransition | None = None,
) -> Inquiry:
    """The vendor's or service provider's answer (or a coordinator's); a proposed fact (``propose``: the
    solution's level or switch date) or transition (``propose_transition``: a new one or a change to one of the
    solution's) becomes a proposal with the answer as its evidence, reviewed as every other."""
    solution = inquiry.solution
    details = {"solution": solution.slug, "object_id": inquiry.id}
    user = require(user, "inquiry.answer", inquiry, check_state=False, details=details)
    body = _text(text, field="answer", maximum=MAX_ANSWER, missing=_("Skriv et svar."))
    _lock(session, inquiry)
    require_state("inquiry.answer", inquiry)  # I3: an answered inquiry is not answered again
    if propose and propose_transition is not None:
        raise ValidationError("inquiries.only_one_proposal", {"propose_transition": _("Foreslå én ting ad gangen.")})
    if propose or propose_transition is not None:
        field = "propose" if propose else "propose_transition"
        if not may(user, "solution.report", solution):
            raise ValidationError(
                _("Kun løsningens leverandør eller tjenesteudbyder og KL's koordinatorer kan foreslå en ændring."),
                {field: _("Ikke tilladt for jeres organisation.")},
            )
        proposal = _proposal(session, user, solution, propose, propose_transition, body[:5000], source_url)
        inquiry.proposal_id = proposal.id
    before = inquiry.state
    inquiry.state = "answered"
    inquiry.answer = body
    inquiry.answer_source_url = source_url or None
    inquiry.answered_by_id = user.id
    inquiry.answerer_label = public_actor(session, user)
    inquiry.answered_at = utcnow()
    session.flush()
    append_event(
        session,
        type="inquiry.answered",
        actor=public_actor_of(session, user),
        solution=solution,
        changes={"state": {"before": before, "after": "answered"}, "answer": {"before": None, "after": body}},
        source_kind=source_kind_of(user, solution),
        source_url=inquiry.answer_source_url,
        data=_inquiry_data(session, inquiry),
    )
    return inquiry


def _proposal(
    session: Session,
    user: User,
    solution: Solution,
    propose: dict[str, Any] | None,
    transition: ProposedTransition | None,
    evidence: str,
    source_url: str | None,
) -> Proposal:
    """The answer's proposal: of the solution's facts, or of one of its transitions (the same services as a
    proposal made on its own)."""
    if transition is None:
        return create_proposal(
            session, proposer=user, solution=solution, changes=propose or {}, evidence=evidence, source_url=source_url
        )
    target = None
    if transition.transition_id is not None:
        target = session.get(Transition, transition.transition_id)
        if target is None or target.solution_id != solution.id:
            raise ValidationError(
                _("Nogle felter er ugyldige."),
                {"propose_transition.transition": _("Løsningen har ingen overgang med dette id.")},
            )
    return create_transition_proposal(
        session,
        proposer=user,
        solution=solution,
        transition=target,
        fields=transition.fields,
        evidence=evidence,
        source_url=source_url,
    )


def close(session: Session, *, user: User | None, inquiry: Inquiry, reason: str | None) -> Inquiry:
    """A coordinator closes a question (duplicate, out of scope, answered elsewhere), with a reason."""
    missing = _("Skriv hvorfor spørgsmålet lukkes.")
    return _coordinator_step(
        session, user, inquiry, "inquiry.close", "closed", field="reason", text=reason, missing=missing
    )
