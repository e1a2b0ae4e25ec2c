"""Proposing transitions: a new transition of a solution, or a change to one, reviewed as the solution's facts are.

Who may: ``transition.propose`` (vendors for the solutions they build or provide, municipalities' users and
coordinators for any). Every proposal names its source (an address and/or the source's words); it is checked by
the very rules a direct write applies (``transition_writes.prepare_new`` / ``prepare_change``: act-by after the
latest day, ``loa`` without a level, a replacement cycle, days outside 1900–2100, unknown kinds …), so a
proposal that could never be accepted is a 422 and nothing is stored. The touched facts (the date, the level)
carry the proposer's word as a proposal of the solution's facts does (``services.PROPOSER_WORD``); a trusted
vendor's proposal is accepted at once (``services.submit``). An inquiry's answer proposes through here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from tracker.auth.permissions import may, require
from tracker.errors import NotFound, ValidationError
from tracker.i18n import translated as _
from tracker.models import Proposal, Solution, Transition, User
from tracker.models.vocab import Role
from tracker.registry.transition_writes import prepare_change, prepare_new
from tracker.registry.transitions import DATE_FIELDS, LOA_FIELDS
from tracker.review import transition_changes
from tracker.review.services import MAX_EVIDENCE, PROPOSER_WORD, record, reporter_kind, stamp_fact


@dataclass(frozen=True)
class ProposedTransition:
    """A transition proposed alongside something else (an inquiry's answer): the transition a change names
    (None: a new one) and the proposed fields, as ``transition_writes`` takes them."""

    transition_id: int | None
    fields: dict[str, Any] = field(default_factory=dict)


# Each fact of a transition: the prefix of its provenance fields, and the fields that make it.
_FACTS = {"": DATE_FIELDS, "loa_": LOA_FIELDS}
# The fields whose value (not provenance) says the fact is known: then it is at least 'reported'.
_KNOWN = {"": ("earliest_on",), "loa_": ("required_loa",)}


def _touched(fields: dict[str, Any], *, new: bool) -> list[str]:
    """The facts a proposal speaks to: the date always for a new transition, the level when it names one."""
    return [prefix for prefix, names in _FACTS.items() if (new and prefix == "") or fields.keys() & set(names)]


def with_provenance(
    proposer: User, fields: dict[str, Any], evidence: str | None, source_url: str | None, *, authority: bool, new: bool
) -> dict[str, Any]:
    """Stamp each fact the proposal touches with its source: whose word it is (a vendor's is 'reported', the
    service provider's the authority's 'confirmed'), the address and the quote when the fields name none."""
    result = dict(fields)
    role = Role(proposer.role)
    for prefix in _touched(fields, new=new):
        if PROPOSER_WORD.get((role, authority)) is None:
            # A transition's fact names whose word it is even when its value is unknown.
            result.setdefault(f"{prefix}source_kind", reporter_kind(role))
        known = any(result.get(f) not in (None, "ukendt") for f in _KNOWN[prefix])
        stamp_fact(result, prefix, role, authority=authority, new_value=known, evidence=evidence, source_url=source_url)
    return result


def create_transition_proposal(
    session: Session,
    *,
    proposer: User,
    solution: Solution,
    transition: Transition | None,
    fields: dict[str, Any],
    evidence: str | None,
    source_url: str | None,
) -> Proposal:
    """Record a proposal of a new transition (``transition`` None) or of a change to ``transition``, with its
    source; checked as a direct write would be. A trusted vendor's is accepted at once."""
    require(proposer, "transition.propose", solution, details={"solution": solution.slug})
    if transition is not None and transition.solution_id != solution.id:
        raise NotFound(_("Der findes ingen overgang med id %(id)s.", id=transition.id))
    evidence = (evidence or "").strip() or None
    source_url = (source_url or "").strip() or None
    if evidence and len(evidence) > MAX_EVIDENCE:
        raise ValidationError("review.evidence_too_long", {"evidence": _("For lang.")}, max_evidence=MAX_EVIDENCE)
    if not evidence and not source_url:
        raise ValidationError(
            "review.transition_source_missing", {"source_url": _("Mangler."), "evidence": _("Mangler.")}
        )
    if not fields:
        raise ValidationError("review.proposal_empty", {"changes": _("Tomt.")})
    new = transition is None
    authority = may(proposer, "fact.decide", solution)
    stamped = with_provenance(proposer, fields, evidence, source_url, authority=authority, new=new)
    if transition is None:
        prepare_new(session, solution, stamped)
    elif not prepare_change(session, transition, stamped):
        raise ValidationError("review.transition_changes_nothing", {"changes": _("Ingen forskel.")})
    return record(
        session,
        proposer,
        solution,
        target="transition",
        transition_id=None if transition is None else transition.id,
        transition_base_version=None if transition is None else transition.version,
        transition_kind=stamped.get("kind") or (None if transition is None else transition.kind),
        changes=transition_changes.to_json(stamped),
        evidence=evidence,
        source_kind=stamped.get("source_kind") or stamped.get("loa_source_kind") or _reporter(proposer, authority),
        source_url=source_url,
    )


def _reporter(proposer: User, authority: bool) -> str:
    """Whose word a proposal is, when it touches neither the date nor the level (a title, what to do …)."""
    word = PROPOSER_WORD.get((Role(proposer.role), authority))
    return word[0].value if word is not None else reporter_kind(Role(proposer.role))
