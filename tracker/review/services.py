"""Proposals: vendors report on their own solutions, municipalities correct with evidence, coordinators review.

Accepting a proposal is the only way a vendor's or a municipality's word reaches the registry, and it goes
through ``registry.services.update_solution`` like every other change (change events, outbox). A proposal is
made against a solution version; if the solution changed since, it is stale and needs re-confirmation.
Services take the session, only flush, and check the caller's role themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker import signals
from tracker.auth.display import public_actor
from tracker.auth.permissions import may, require, require_state
from tracker.clock import utcnow
from tracker.errors import Conflict, ValidationError
from tracker.models import ChangeEvent, Organisation, Proposal, Solution, User
from tracker.models.vocab import Confidence, Role, SourceKind
from tracker.registry.actors import Actor
from tracker.registry.facts import LOA_FIELDS, SWITCH_FIELDS, json_value
from tracker.registry.services import update_solution, validate_changes
from tracker.registry.transition_writes import NSIS_KINDS, create_from_switch_fields, created_event
from tracker.review import transition_changes
from tracker.review.changes import PROPOSABLE_FIELDS, from_json, to_json

MAX_REASON = 2000
MAX_EVIDENCE = 5000
ORIGIN = {
    Role.VENDOR: "vendor",
    Role.MUNICIPALITY: "municipality",
    Role.COORDINATOR: "coordinator",
    Role.ADMIN: "coordinator",
}


class StaleProposal(Conflict):
    """The solution changed after the proposal was made: look at the difference again and confirm."""

    code = "stale_proposal"


def _facts_touched(changes: dict[str, Any]) -> list[str]:
    prefixes = []
    if changes.keys() & set(LOA_FIELDS):
        prefixes.append("loa")
    if changes.keys() & set(SWITCH_FIELDS):
        prefixes.append("switch")
    return prefixes


# The fields that are a fact's value (not its source or evidence), per fact.
_VALUE_FIELDS = {"loa": ("loa_value",), "switch": ("switch_earliest_on", "switch_latest_on", "switch_state")}
REPORTER = {Role.VENDOR: SourceKind.VENDOR, Role.MUNICIPALITY: SourceKind.MUNICIPALITY}
# What a proposer's word on a fact is, by role and whether they are the authority that decides it (a
# solution's service provider that does not build it): the source kind, and the status it is given
# (None: a 'confirmed' it claims becomes 'reported'). Coordinators' proposals keep what they state.
PROPOSER_WORD: dict[tuple[Role, bool], tuple[SourceKind, Confidence | None]] = {
    (Role.VENDOR, True): (SourceKind.AUTHORITY, Confidence.CONFIRMED),
    (Role.VENDOR, False): (SourceKind.VENDOR, Confidence.REPORTED),
    (Role.MUNICIPALITY, False): (SourceKind.MUNICIPALITY, None),
}


def _values_changed(solution: Solution, changes: dict[str, Any]) -> list[str]:
    """The facts whose value (not only source or evidence) the changes move to a known one."""
    return [
        prefix
        for prefix, fields in _VALUE_FIELDS.items()
        if any(
            f in changes
            and changes[f] not in (None, "ukendt", "unknown")
            and json_value(changes[f]) != json_value(getattr(solution, f))
            for f in fields
        )
    ]


def reporter_kind(role: Role) -> str:
    """The source kind of a proposer's own report: a vendor's, a municipality's, else a coordinator's."""
    return REPORTER.get(role, SourceKind.COORDINATOR).value


def stamp_fact(
    fields: dict[str, Any],
    prefix: str,
    role: Role,
    *,
    authority: bool,
    new_value: bool,
    evidence: str | None,
    source_url: str | None,
) -> None:
    """Stamp one fact a proposal touches (its fields named ``prefix`` + source_kind, status, …) with where it came
    from, in place: the proposer's word by role and ``authority`` (``PROPOSER_WORD``); a ``new_value`` without a
    stated status 'reported'; the proposal's quote and address where the fields name none. Solutions' and
    transitions' proposals both stamp through here."""
    word = PROPOSER_WORD.get((role, authority))
    if word is not None:
        kind, status = word
        fields[f"{prefix}source_kind"] = kind.value
        if status is not None:
            fields[f"{prefix}status"] = status.value
        elif fields.get(f"{prefix}status") == Confidence.CONFIRMED:
            # Only a coordinator, from the authority's own word, may call a fact confirmed.
            fields[f"{prefix}status"] = Confidence.REPORTED.value
    if new_value and f"{prefix}status" not in fields:
        # A new value never inherits the old value's confidence ("Afventer beslutning" beside a level just
        # answered): without a stated one it is what someone reported, by whom the source kind says.
        fields[f"{prefix}status"] = Confidence.REPORTED.value
        fields.setdefault(f"{prefix}source_kind", reporter_kind(role))
    if evidence and not fields.get(f"{prefix}evidence"):
        fields[f"{prefix}evidence"] = evidence
    if source_url and not fields.get(f"{prefix}source_url"):
        fields[f"{prefix}source_url"] = source_url


def _with_provenance(
    role: str,
    changes: dict[str, Any],
    evidence: str | None,
    source_url: str | None,
    *,
    authority: bool = False,
    solution: Solution | None = None,
) -> dict[str, Any]:
    """Stamp each touched fact with where it came from: a vendor's word is 'reported' by the vendor; the
    service provider's (``authority``) is 'confirmed' by the authority that decides it."""
    result = dict(changes)
    changed = _values_changed(solution, changes) if solution is not None else []
    for prefix in _facts_touched(changes):
        stamp_fact(
            result,
            f"{prefix}_",
            Role(role),
            authority=authority,
            new_value=prefix in changed,
            evidence=evidence,
            source_url=source_url,
        )
    return result


def create_proposal(
    session: Session,
    *,
    proposer: User,
    solution: Solution,
    changes: dict[str, Any],
    evidence: str | None = None,
    source_url: str | None = None,
) -> Proposal:
    """Record a proposal; a trusted vendor's is accepted at once. Vendors only for their own solutions."""
    require(proposer, "solution.propose", solution, details={"solution": solution.slug})
    evidence = (evidence or "").strip() or None
    if evidence and len(evidence) > MAX_EVIDENCE:
        raise ValidationError("review.evidence_too_long", {"evidence": "For langt."}, max_evidence=MAX_EVIDENCE)
    extra = sorted(set(changes) - set(PROPOSABLE_FIELDS))
    if extra:
        raise ValidationError("review.proposal_field_not_allowed", dict.fromkeys(extra, "Kan ikke foreslås."))
    if not changes:
        raise ValidationError("review.proposal_empty", {"changes": "Tomt."})
    authority = may(proposer, "fact.decide", solution)
    changes = _with_provenance(proposer.role, changes, evidence, source_url, authority=authority, solution=solution)
    if not may(proposer, "proposal.without_evidence") and not any(
        changes.get(f"{p}_evidence") for p in _facts_touched(changes)
    ):
        raise ValidationError("review.evidence_required", {"evidence": "Mangler."})
    validate_changes(solution, changes)
    if all(json_value(getattr(solution, f)) == json_value(v) for f, v in changes.items()):
        raise ValidationError("review.proposal_changes_nothing", {"changes": "Ingen forskel."})
    prefixes = _facts_touched(changes)
    return record(
        session,
        proposer,
        solution,
        changes=to_json(changes),
        evidence=evidence or changes.get(f"{prefixes[0]}_evidence"),
        source_kind=changes.get(f"{prefixes[0]}_source_kind"),
        source_url=source_url or changes.get(f"{prefixes[0]}_source_url"),
    )


def record(session: Session, proposer: User, solution: Solution, **proposed: Any) -> Proposal:
    """Store ``proposer``'s proposal on ``solution`` (``proposed``: what it proposes and its source), pending
    against the solution's version, and submit it (``submit``)."""
    proposal = Proposal(
        solution_id=solution.id,
        origin=ORIGIN[Role(proposer.role)],
        proposer_id=proposer.id,
        proposer_label=public_actor(proposer)[:200],
        base_version=solution.version,
        state="pending",
        created_at=utcnow(),
        **proposed,
    )
    session.add(proposal)
    session.flush()
    submit(session, proposal, proposer, solution)
    return proposal


def submit(session: Session, proposal: Proposal, proposer: User, solution: Solution) -> None:
    """A proposal just recorded: a trusted vendor's is accepted at once, any other waits for review (and the
    coordinators hear of it)."""
    organisation = session.get(Organisation, proposer.organisation_id) if proposer.organisation_id else None
    if organisation is not None and may(proposer, "proposal.accepted_at_once", organisation):
        _apply(
            session,
            proposal,
            solution,
            actor=Actor.of(proposer),
            reviewer_id=None,
            review_reason="Accepteret automatisk: betroet leverandør.",
        )
    else:
        signals.proposal_created.send(proposal, session=session)


def _lock(session: Session, proposal: Proposal) -> Solution:
    """Lock proposal and solution rows (PostgreSQL) so two reviewers cannot both act on one proposal."""
    session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())
    session.refresh(proposal)
    solution = session.scalar(
        select(Solution)
        .where(Solution.id == proposal.solution_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert solution is not None  # the foreign key guarantees it
    return solution


def _open_or_conflict(proposal: Proposal) -> None:
    require_state("proposal.review", proposal)


def _event_reason(proposal: Proposal, note: str | None) -> str:
    reason = f"Forslag #{proposal.id} fra {proposal.proposer_label}"
    if proposal.evidence:
        reason += f": {proposal.evidence[:500]}"
    if note:
        reason += f" — {note}"
    return reason


def _apply(
    session: Session,
    proposal: Proposal,
    solution: Solution,
    *,
    actor: Actor,
    reviewer_id: int | None,
    review_reason: str | None,
    note: str | None = None,
) -> list[ChangeEvent]:
    reason = _event_reason(proposal, note)
    if transition_changes.is_transition(proposal):
        events = transition_changes.apply(session, proposal, solution, actor=actor, reason=reason)
    else:
        events = _apply_to_solution(session, proposal, solution, actor=actor, reason=reason)
    proposal.state = "accepted"
    proposal.reviewed_by_id = reviewer_id
    proposal.reviewed_at = utcnow()
    proposal.review_reason = review_reason
    proposal.event_id = events[0].id if events else None
    if events:
        mark_stale(session, solution, except_id=proposal.id)
        changed = proposal.transition if transition_changes.is_transition(proposal) else None
        if changed is not None:
            transition_changes.mark_stale(session, changed.id, changed.version, except_id=proposal.id)
    session.flush()
    return events


def _apply_to_solution(
    session: Session, proposal: Proposal, solution: Solution, *, actor: Actor, reason: str
) -> list[ChangeEvent]:
    changes = from_json(proposal.changes)
    if proposal.origin in ("vendor", "municipality"):
        # Stored before the rule, or by any other path: a vendor's or municipality's word is never 'confirmed' —
        # unless it is the authority's (the service provider's), which ``_with_provenance`` stamped by role.
        for prefix in _facts_touched(changes):
            authority = changes.get(f"{prefix}_source_kind") == SourceKind.AUTHORITY
            if changes.get(f"{prefix}_status") == Confidence.CONFIRMED and not authority:
                changes[f"{prefix}_status"] = Confidence.REPORTED.value
    kind = proposal.transition_kind
    if kind and kind not in NSIS_KINDS and not changes.keys() & set(LOA_FIELDS):
        # A date of another kind (a certificate, a protocol …) is its own transition, not the NSIS switch date.
        transition = create_from_switch_fields(session, solution, kind, changes, actor=actor, reason=reason)
        return [e for e in [created_event(transition)] if e is not None]
    return update_solution(session, solution, changes, actor=actor, reason=reason)


def accept_proposal(
    session: Session, proposal: Proposal, *, reviewer: User, confirm_stale: bool = False, note: str | None = None
) -> list[ChangeEvent]:
    """Accept: the changes go through ``update_solution`` (a transition's through ``transition_writes``) with
    actor, source and reason. Coordinators only."""
    require(reviewer, "proposal.review", proposal, check_state=False)
    if note is not None and len(note) > MAX_REASON:
        raise ValidationError("review.reason_too_long", {"reason": "For lang."}, max_reason=MAX_REASON)
    solution = _lock(session, proposal)
    _open_or_conflict(proposal)
    transition = transition_changes.lock_transition(session, proposal)
    if transition is not None and not confirm_stale:
        if proposal.state == "stale" or proposal.transition_base_version != transition.version:
            raise StaleProposal(
                "review.transition_changed_meanwhile",
                {
                    "base_version": proposal.transition_base_version,
                    "current_version": transition.version,
                    "confirm_stale": True,
                },
                id=proposal.id,
                base=proposal.transition_base_version,
                current=transition.version,
            )
    elif (
        not transition_changes.is_transition(proposal)
        and (proposal.state == "stale" or proposal.base_version != solution.version)
        and not confirm_stale
    ):
        raise StaleProposal(
            "review.solution_changed_since_proposal",
            {"base_version": proposal.base_version, "current_version": solution.version, "confirm_stale": True},
            id=proposal.id,
        )
    reviewer_actor = Actor.of(reviewer)
    label = f"{proposal.proposer_label[:90]} (forslag #{proposal.id}, godkendt af {reviewer_actor.label[:70]})"
    actor = Actor(
        label=label[:200],
        user_id=reviewer.id,
        role=reviewer_actor.role,
        organisation_id=reviewer_actor.organisation_id,
        municipality_id=reviewer_actor.municipality_id,
    )
    events = _apply(session, proposal, solution, actor=actor, reviewer_id=reviewer.id, review_reason=note, note=note)
    signals.proposal_decided.send(proposal, session=session)
    return events


def reject_proposal(session: Session, proposal: Proposal, *, reviewer: User, reason: str) -> None:
    """Reject with a reason the proposer sees. Coordinators only."""
    require(reviewer, "proposal.review", proposal, check_state=False)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("review.reason_required", {"reason": "Mangler."})
    if len(reason) > MAX_REASON:
        raise ValidationError("review.reason_too_long", {"reason": "For lang."}, max_reason=MAX_REASON)
    _lock(session, proposal)
    _open_or_conflict(proposal)
    proposal.state = "rejected"
    proposal.review_reason = reason
    proposal.reviewed_by_id = reviewer.id
    proposal.reviewed_at = utcnow()
    session.flush()
    signals.proposal_decided.send(proposal, session=session)


NOT_A_FACT_REASON = "Ikke et faktum: siden siger ikke dette om løsningen."


def reject_not_a_fact(session: Session, proposal: Proposal, *, reviewer: User) -> None:
    """One click: reject a scraper finding as no fact at all; it counts against the rule that read it.

    Coordinators only; the reason is fixed (the proposer is a scraper, and the rule's figures on /kilder say
    the rest).
    """
    require(reviewer, "proposal.review", proposal, check_state=False)
    _lock(session, proposal)
    require_state("proposal.review", proposal)
    proposal.state = "rejected"
    proposal.not_a_fact = True
    proposal.review_reason = NOT_A_FACT_REASON
    proposal.reviewed_by_id = reviewer.id
    proposal.reviewed_at = utcnow()
    session.flush()
    signals.proposal_decided.send(proposal, session=session)


def mark_stale(session: Session, solution: Solution, *, except_id: int | None = None) -> int:
    """Pending proposals made against an older version of the solution become stale; returns how many."""
    stmt = (
        update(Proposal)
        .where(
            Proposal.solution_id == solution.id,
            Proposal.target == "solution",  # a transition's proposal goes stale when its transition changes
            Proposal.state == "pending",
            Proposal.base_version != solution.version,
        )
        .values(state="stale")
        .execution_options(synchronize_session="fetch")
    )
    if except_id is not None:
        stmt = stmt.where(Proposal.id != except_id)
    result = session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


def visible_to(user: User, proposal: Proposal) -> bool:
    """Coordinators see every proposal; others only their own."""
    return may(user, "proposal.read", proposal)
