"""What a proposal of a transition changes, and applying it: through ``registry.transition_writes`` like every
other write of a transition (its rules, its ``transition.*`` events, so feeds, webhooks and calendars follow).

A proposal of a transition (``target == "transition"``) stores the transition's own field names
(``earliest_on``, ``act_by_on``, ``required_loa``, ``who_must_act`` …, as ``transition_writes`` takes them) in
``changes``, JSON-safe; ``transition_id`` names the transition a change is proposed to and
``transition_base_version`` the version it was made against (null: a new transition).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import ChangeEvent, Proposal, Solution, Transition
from tracker.models.vocab import Confidence, SourceKind
from tracker.registry.actors import Actor
from tracker.registry.facts import json_value
from tracker.registry.transition_writes import create_transition, created_event, update_transition

DAY_FIELDS = ("earliest_on", "latest_on", "act_by_on")
# A fact's confidence field: the transition's date and its level.
STATUS_FIELDS = ("status", "loa_status")


def is_transition(proposal: Proposal) -> bool:
    """Whether the proposal is of a transition (a new one or a change), not of the solution's facts."""
    return proposal.target == "transition"


def is_new(proposal: Proposal) -> bool:
    """A proposal of a new transition (it names no transition it was made against)."""
    return is_transition(proposal) and proposal.transition_base_version is None


def to_json(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A transition's fields as a proposal stores them (days as ISO strings)."""
    return {field: json_value(value) for field, value in fields.items()}


def from_json(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A proposal's stored fields back as ``transition_writes`` takes them (ISO strings → days)."""
    fields = dict(stored)
    for field in DAY_FIELDS:
        if isinstance(fields.get(field), str):
            fields[field] = date.fromisoformat(fields[field])
    return fields


def lock_transition(session: Session, proposal: Proposal) -> Transition | None:
    """The transition a change is proposed to, its row locked (PostgreSQL) and re-read; None for a new one."""
    if proposal.transition_id is None:
        return None
    return session.scalar(
        select(Transition)
        .where(Transition.id == proposal.transition_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def apply(session: Session, proposal: Proposal, solution: Solution, *, actor: Actor, reason: str) -> list[ChangeEvent]:
    """Create the proposed transition or change the named one; returns the events (none: nothing changed).

    The events carry the proposal's source; a vendor's or a municipality's word is never 'confirmed' (as a
    proposal of the solution's facts) unless it is the service provider's, stamped as the authority's."""
    fields = from_json(proposal.changes)
    if proposal.origin in ("vendor", "municipality"):
        for status in STATUS_FIELDS:
            authority = fields.get(status.replace("status", "source_kind")) == SourceKind.AUTHORITY
            if fields.get(status) == Confidence.CONFIRMED and not authority:
                fields[status] = Confidence.REPORTED.value
    source = (proposal.source_kind, proposal.source_url)
    transition = lock_transition(session, proposal)
    if transition is None:
        created = create_transition(session, solution, fields, actor=actor, reason=reason, source=source)
        proposal.transition_id = created.id
        return [e for e in [created_event(created)] if e is not None]
    return update_transition(session, transition, fields, actor=actor, reason=reason, source=source)


def mark_stale(session: Session, transition_id: int, version: int, *, except_id: int | None = None) -> None:
    """Pending proposals of a change to the transition made against another version become stale."""
    rows = session.scalars(
        select(Proposal).where(
            Proposal.transition_id == transition_id,
            Proposal.state == "pending",
            Proposal.transition_base_version.is_not(None),
            Proposal.transition_base_version != version,
        )
    ).all()
    for row in rows:
        if row.id != except_id:
            row.state = "stale"
    session.flush()
