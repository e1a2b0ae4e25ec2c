"""Reads of proposals: the review queue with filters, one proposal, and its diff against the current values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from tracker.auth.display import public_actor
from tracker.errors import NotFound
from tracker.models import ChangeEvent, Proposal, Solution, Transition, User
from tracker.registry.facts import EDITABLE_FIELDS, json_value
from tracker.registry.transitions import EDITABLE_FIELDS as TRANSITION_FIELDS

# 'open' is what a reviewer works through: pending and stale together.
STATE_FILTERS = ("open", "pending", "stale", "accepted", "rejected")
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class ProposalFilter:
    """Filters of the proposal list."""

    state: str | None = None
    solution: str | None = None
    proposer_id: int | None = None


@dataclass(frozen=True)
class FieldDiff:
    """One proposed field: what the registry says now and what the proposal says."""

    field: str
    current: Any
    proposed: Any

    @property
    def changes(self) -> bool:
        """Whether accepting would change this field."""
        return bool(self.current != self.proposed)


def is_stale(proposal: Proposal) -> bool:
    """Marked stale, or pending against a version the solution has since left behind."""
    if proposal.state == "stale":
        return True
    if proposal.state != "pending":
        return False
    if proposal.target == "transition":  # a change goes stale when its transition changes; a new one never
        changed = proposal.transition
        return proposal.transition_base_version is not None and (
            changed is None or proposal.transition_base_version != changed.version
        )
    return proposal.base_version != proposal.solution.version


def effective_state(proposal: Proposal) -> str:
    """The state a person should see: a pending proposal overtaken by a change reads as stale."""
    return "stale" if is_stale(proposal) else proposal.state


def _filtered(flt: ProposalFilter) -> Select[Any]:
    stmt = select(Proposal).join(Solution, Proposal.solution_id == Solution.id)
    stmt = stmt.outerjoin(Transition, Proposal.transition_id == Transition.id)
    solution_moved = and_(Proposal.target == "solution", Proposal.base_version != Solution.version)
    transition_moved = and_(
        Proposal.transition_base_version.is_not(None), Proposal.transition_base_version != Transition.version
    )
    overtaken = and_(Proposal.state == "pending", or_(solution_moved, transition_moved))
    if flt.state == "open":
        stmt = stmt.where(Proposal.state.in_(("pending", "stale")))
    elif flt.state == "pending":
        stmt = stmt.where(
            Proposal.state == "pending",
            or_(Proposal.target != "solution", Proposal.base_version == Solution.version),
            or_(Proposal.transition_base_version.is_(None), Proposal.transition_base_version == Transition.version),
        )
    elif flt.state == "stale":
        stmt = stmt.where(or_(Proposal.state == "stale", overtaken))
    elif flt.state:
        stmt = stmt.where(Proposal.state == flt.state)
    if flt.solution:
        stmt = stmt.where(Solution.slug == flt.solution)
    if flt.proposer_id is not None:
        stmt = stmt.where(Proposal.proposer_id == flt.proposer_id)
    return stmt


def list_proposals(
    session: Session, flt: ProposalFilter, *, limit: int = 100, offset: int = 0, newest_first: bool = False
) -> tuple[list[Proposal], int]:
    """Proposals oldest first (a queue) or newest first (one's own), with the total before paging."""
    stmt = _filtered(flt)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.options(joinedload(Proposal.solution), joinedload(Proposal.proposer))
        .order_by(*((Proposal.id.desc(),) if newest_first else (Proposal.created_at, Proposal.id)))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def get_proposal(session: Session, proposal_id: int) -> Proposal:
    """One proposal by id, or a 404."""
    proposal = session.get(Proposal, proposal_id) if 0 < proposal_id <= MAX_ID else None
    if proposal is None:
        raise NotFound("review.proposal_not_found", proposal_id=proposal_id)
    return proposal


def diff(proposal: Proposal) -> list[FieldDiff]:
    """Each proposed field beside the current value (the solution's, or the transition's: none for a new one),
    in the registry's field order."""
    current: Solution | Transition | None = proposal.solution
    fields: tuple[str, ...] = EDITABLE_FIELDS
    if proposal.target == "transition":
        current = None if proposal.transition_base_version is None else proposal.transition
        fields = TRANSITION_FIELDS
    order = {name: i for i, name in enumerate(fields)}
    return [
        FieldDiff(field, json_value(getattr(current, field, None)), value)
        for field, value in sorted(proposal.changes.items(), key=lambda item: order.get(item[0], len(order)))
    ]


def accepted_diff(session: Session, proposal: Proposal) -> list[FieldDiff] | None:
    """For an accepted proposal: each field's value before acceptance beside what it became (from the change
    event it made); None when not accepted or without an event (then ``diff`` against today is all there is)."""
    if proposal.state != "accepted" or proposal.event_id is None:
        return None
    event = session.get(ChangeEvent, proposal.event_id)
    if event is None:
        return None
    made: dict[str, Any] = dict(event.changes or {})
    if proposal.target == "transition":
        # A change of a transition may be two events (its date, the rest), written together with one reason.
        for more in session.scalars(
            select(ChangeEvent)
            .where(
                ChangeEvent.id > event.id,
                ChangeEvent.solution_id == event.solution_id,
                ChangeEvent.actor_label == event.actor_label,
                ChangeEvent.reason == event.reason,
            )
            .order_by(ChangeEvent.id)
            .limit(3)
        ):
            made.update(more.changes or {})
    return [
        FieldDiff(d.field, made[d.field].get("before"), made[d.field].get("after"))
        if isinstance(made.get(d.field), dict)
        else FieldDiff(d.field, d.proposed, d.proposed)
        for d in diff(proposal)
    ]


def reviewer_label(session: Session, proposal: Proposal) -> str | None:
    """Who reviewed the proposal, by role (None while open or when accepted automatically)."""
    if proposal.reviewed_by_id is None:
        return None
    user = session.get(User, proposal.reviewed_by_id)
    return public_actor(user) if user is not None else None


def events_since(session: Session, solution: Solution, after_event_id: int) -> list[ChangeEvent]:
    """The solution's changes after a given event, oldest first: 'what changed meanwhile'."""
    return list(
        session.scalars(
            select(ChangeEvent)
            .where(ChangeEvent.solution_id == solution.id, ChangeEvent.id > after_event_id)
            .order_by(ChangeEvent.id)
        )
    )


def last_event_id(session: Session, solution: Solution) -> int:
    """The id of the solution's latest change event (0 if none)."""
    return int(session.scalar(select(func.max(ChangeEvent.id)).where(ChangeEvent.solution_id == solution.id)) or 0)
