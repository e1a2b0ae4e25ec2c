"""Reads of inquiries and risk assessments: lists sorted by waiting and age, one inquiry, a solution's summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from tracker.auth.permissions import holders
from tracker.errors import NotFound
from tracker.inquiries.services import UNANSWERED
from tracker.models import ChangeEvent, Inquiry, InquiryFollower, RiskAssessment, Solution, User


@dataclass(frozen=True)
class Row:
    """An inquiry with the number of municipalities waiting for it."""

    inquiry: Inquiry
    waiting: int


@dataclass(frozen=True)
class Summary:
    """A solution's unanswered questions and how many municipalities wait for any of them."""

    open: int
    waiting: int


def list_inquiries(
    session: Session,
    *,
    state: str | None = None,
    solution: Solution | None = None,
    oldest_unanswered_first: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Row], int]:
    """Inquiries with their waiting count: most waited-for first, then oldest; or (coordinators) the oldest
    unanswered first. Returns the page and the total count."""
    stmt = select(Inquiry)
    if state == "open":
        stmt = stmt.where(Inquiry.state.in_(UNANSWERED))
    elif state:
        stmt = stmt.where(Inquiry.state == state)
    if solution is not None:
        stmt = stmt.where(Inquiry.solution_id == solution.id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if oldest_unanswered_first:
        unanswered_last = case((Inquiry.state.in_(UNANSWERED), 0), else_=1)
        order = [unanswered_last, Inquiry.created_at.asc(), Inquiry.id.asc()]
    else:
        order = [Inquiry.waiting.desc(), Inquiry.created_at.asc(), Inquiry.id.asc()]
    rows = session.scalars(
        stmt.options(joinedload(Inquiry.solution)).order_by(*order).limit(limit).offset(offset)
    ).all()
    return [Row(inquiry=r, waiting=int(r.waiting or 0)) for r in rows], int(total)


def get_inquiry(session: Session, inquiry_id: int) -> Inquiry:
    """One inquiry, or a 404 in words."""
    inquiry = session.scalar(select(Inquiry).where(Inquiry.id == inquiry_id).options(joinedload(Inquiry.solution)))
    if inquiry is None:
        raise NotFound("inquiries.inquiry_not_found", inquiry_id=inquiry_id)
    return inquiry


def summary(session: Session, solution: Solution) -> Summary:
    """'3 åbne – 41 kommuner venter': unanswered questions and the distinct municipalities waiting on them."""
    open_count = session.scalar(
        select(func.count()).where(Inquiry.solution_id == solution.id, Inquiry.state.in_(UNANSWERED))
    )
    waiting = session.scalar(
        select(func.count(func.distinct(InquiryFollower.municipality_id)))
        .join(Inquiry, Inquiry.id == InquiryFollower.inquiry_id)
        .where(Inquiry.solution_id == solution.id, Inquiry.state.in_(UNANSWERED))
    )
    return Summary(open=int(open_count or 0), waiting=int(waiting or 0))


def risk_assessments(session: Session, solution: Solution) -> list[RiskAssessment]:
    """A solution's shared risk assessments, newest first."""
    return list(
        session.scalars(
            select(RiskAssessment)
            .where(RiskAssessment.solution_id == solution.id)
            .options(joinedload(RiskAssessment.by_municipality), joinedload(RiskAssessment.by_organisation))
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
        )
    )


# The inquiry events that are mailed (``mail_rule``), named to the mail feature by ``mail_rules``.
MAILED_EVENTS = ("inquiry.created", "inquiry.asked", "inquiry.answered", "inquiry.closed")


def mail_rules(_sender: object, **_: Any) -> dict[str, Callable[[User, str, ChangeEvent, Any], bool]]:
    """The receiver of ``signals.mail_recipients``: each mailed inquiry event and its rule (``mail_rule``)."""
    return dict.fromkeys(MAILED_EVENTS, mail_rule)


def mail_recipients(session: Session, event: ChangeEvent) -> list[User]:
    """Who should get an inquiry event by e-mail (for the mail feature; this module sends nothing).

    ``inquiry.created``: the active users of the solution's vendor and service-provider organisations.
    ``inquiry.asked``, ``inquiry.answered``, ``inquiry.closed``: the active users who asked or joined.
    Other events: nobody.
    """
    inquiry_id = ((event.data or {}).get("inquiry") or {}).get("id")
    inquiry = session.get(Inquiry, inquiry_id) if isinstance(inquiry_id, int) else None
    if inquiry is None:
        return []
    if event.type == "inquiry.created":
        organisations = [o for o in (inquiry.solution.vendor_id, inquiry.solution.service_provider_id) if o]
        stmt = select(User).where(
            holders("mail.inquiry_created"), User.organisation_id.in_(organisations), User.is_active.is_(True)
        )
    elif event.type in ("inquiry.asked", "inquiry.answered", "inquiry.closed"):
        followers = select(InquiryFollower.user_id).where(InquiryFollower.inquiry_id == inquiry.id)
        stmt = select(User).where(or_(User.id.in_(followers), User.id == inquiry.asker_id), User.is_active.is_(True))
    else:
        return []
    return list(session.scalars(stmt.order_by(User.id)))


def mail_rule(user: User, _scope: str, event: ChangeEvent, ctx: Any) -> bool:
    """The e-mail rule of inquiry events (``mail_rules``): the people ``mail_recipients`` names.

    ``ctx`` is the notifier's per-run context (it carries the session); the recipients of one event are looked
    up once per run, however many users are checked.
    """
    memo: dict[int, set[int]] = ctx.__dict__.setdefault("inquiry_recipients", {})
    if event.id not in memo:
        memo[event.id] = {u.id for u in mail_recipients(ctx.session, event)}
    return user.id in memo[event.id]
