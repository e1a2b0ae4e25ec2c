"""Observations → proposals for coordinator review, deduplicated; the per-source auto-accept policy.

Decisions worth knowing:

* One proposal per distinct finding: ``dedupe_key`` = sha256(target key, slug, field, value, latest). A
  repeated finding adds nothing, whatever became of the first (pending, accepted, rejected), and a
  finding equal to the registry's current value adds nothing either.
* Status: a proposal from Digitaliseringsstyrelsen's own pages (``AUTHORITY_SOURCES``) carries status
  ``confirmed`` — it becomes a confirmed fact only when a coordinator accepts it, which is the review
  that makes it so. One from a generic watched page (anyone's site) carries ``expected``.
* Auto-accept (``source.auto_accept_unknown``) applies a finding at once only when it fills a fact that
  is entirely unknown (level ``ukendt`` with status ``unknown``; no switch date with status
  ``unknown``). No human looked at it, so it is recorded as ``expected``, never ``confirmed``. It never
  overwrites a known fact, nor an "awaiting decision" recorded by KL.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scrapers.base import Observation, SolutionRef
from scrapers.dates import find_date_matches
from tracker.clock import today_in_denmark, utcnow
from tracker.errors import AppError
from tracker.ingest.rule_stats import misleading_rules
from tracker.ingest.targets import AUTHORITY_SOURCES, Target
from tracker.models import Proposal, Solution
from tracker.models.vocab import Confidence, Loa, SourceKind, SwitchState
from tracker.registry.actors import Actor
from tracker.registry.services import update_solution, validate_changes
from tracker.review.changes import from_json
from tracker.review.services import mark_stale

log = logging.getLogger(__name__)

ORIGIN = "scraper"
SWITCH_TEXT_LIMIT = 200
AUTO_ACCEPT_REASON = "Automatisk godkendt efter kildens politik: udfylder en ukendt oplysning."


def solution_refs(session: Session) -> list[SolutionRef]:
    """The registry's solutions as the matcher needs them: slug, name and aliases."""
    rows = session.execute(select(Solution.slug, Solution.name, Solution.aliases).order_by(Solution.slug)).all()
    return [
        SolutionRef(slug, tuple(dict.fromkeys(n for n in (name, *(aliases or [])) if n and n.strip())))
        for slug, name, aliases in rows
    ]


def scraper_actor(target_key: str) -> Actor:
    """The system actor a source's automatic changes are recorded under."""
    return Actor(label=f"Scraper {target_key}")


def dedupe_key(target_key: str, obs: Observation) -> str:
    """The identity of a finding: the same fact from the same page is proposed once, ever."""
    parts = (target_key, obs.solution_slug or "", obs.field, obs.value, obs.latest or "")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _date_words(obs: Observation) -> str:
    """The page's own words for the date ("Q2 2024", "uge 43"), found again in the evidence."""
    context = date.fromisoformat(obs.value)  # supplies the year of year-less words like "uge 43"
    for match in find_date_matches(obs.evidence, context_date=context):
        interval = match.interval
        if interval.earliest.isoformat() == obs.value and interval.latest.isoformat() == (obs.latest or obs.value):
            return interval.text[:SWITCH_TEXT_LIMIT]
    return obs.value if obs.latest in (None, obs.value) else f"{obs.value} – {obs.latest}"


def observation_changes(obs: Observation, *, status: str) -> dict[str, Any]:
    """The proposal's ``changes``: flat ``update_solution`` field names, JSON-safe (ISO dates)."""
    if obs.field == "required_loa":
        return {
            "loa_value": obs.value,
            "loa_status": status,
            "loa_source_kind": SourceKind.SCRAPER.value,
            "loa_source_url": obs.url,
            "loa_evidence": obs.evidence,
        }
    return {
        "switch_earliest_on": obs.value,
        "switch_latest_on": obs.latest or obs.value,
        "switch_precision": obs.precision,
        "switch_text": _date_words(obs),
        "switch_status": status,
        "switch_source_kind": SourceKind.SCRAPER.value,
        "switch_source_url": obs.url,
        "switch_evidence": obs.evidence,
    }


def equals_registry(solution: Solution, obs: Observation) -> bool:
    """Whether the registry already holds exactly this value."""
    if obs.field == "required_loa":
        return solution.loa_value == obs.value
    earliest = solution.switch_earliest_on.isoformat() if solution.switch_earliest_on else None
    latest = solution.switch_latest_on.isoformat() if solution.switch_latest_on else earliest
    return earliest == obs.value and latest == (obs.latest or obs.value)


def fills_unknown(solution: Solution, field: str) -> bool:
    """Whether the fact is entirely unknown, so filling it overwrites nothing anyone said."""
    if field == "required_loa":
        return solution.loa_value == Loa.UKENDT and solution.loa_status == Confidence.UNKNOWN
    return (
        solution.switch_earliest_on is None
        and solution.switch_latest_on is None
        and solution.switch_status == Confidence.UNKNOWN
    )


def insert_proposal(
    session: Session,
    solution: Solution,
    *,
    changes: dict[str, Any],
    proposer_label: str,
    evidence: str | None,
    source_url: str | None,
    dedupe: str,
    cue: str | None = None,
    rule_id: str | None = None,
    transition_kind: str | None = None,
) -> Proposal:
    """Add one pending scraper proposal (flushes).

    ``tracker.review.services.create_proposal`` needs a proposing *user* (it checks roles and stamps the
    user's provenance); a scraper has none, so its proposals are inserted here, in the same shape.
    """
    proposal = Proposal(
        solution_id=solution.id,
        origin=ORIGIN,
        proposer_id=None,
        proposer_label=proposer_label[:200],
        changes=changes,
        evidence=evidence,
        cue=(cue or "")[:200] or None,
        rule_id=(rule_id or "")[:40] or None,
        transition_kind=(transition_kind or "")[:20] or None,
        source_kind=SourceKind.SCRAPER.value,
        source_url=(source_url or "")[:1000] or None,
        base_version=solution.version,
        dedupe_key=dedupe,
        state="pending",
    )
    session.add(proposal)
    session.flush()
    return proposal


def _auto_accept(session: Session, proposal: Proposal, solution: Solution, actor: Actor) -> None:
    changes = from_json(proposal.changes)
    latest = changes.get("switch_latest_on")
    if solution.switch_state == SwitchState.UNKNOWN and isinstance(latest, date) and latest >= today_in_denmark():
        # A date ahead announces a planned switch; whether a past one happened is for a person to say.
        changes["switch_state"] = SwitchState.PLANNED.value
    events = update_solution(session, solution, changes, actor=actor, reason=AUTO_ACCEPT_REASON)
    proposal.state = "accepted"
    proposal.reviewed_at = utcnow()
    proposal.review_reason = AUTO_ACCEPT_REASON
    proposal.event_id = events[0].id if events else None
    if events:
        mark_stale(session, solution, except_id=proposal.id)  # the review rule: older pending ones go stale
    session.flush()


class Proposed(NamedTuple):
    """What a run added: every new proposal (auto-accepted ones too), and those left for a coordinator."""

    added: int
    pending: int


def propose(
    session: Session, target: Target, observations: Sequence[Observation], *, auto_accept: bool = False
) -> Proposed:
    """Turn a run's observations into new proposals (or auto-accepted changes); returns how many were added.

    Auto-accepts go first, so the pending proposals of the same run are made against the version they
    produce (and are not born stale). Each proposal is written in its own savepoint: a duplicate inserted
    meanwhile by a concurrent run (the unique ``dedupe_key``) or a value the registry refuses skips that
    finding, never the whole run.
    """
    slugs = {o.solution_slug for o in observations if o.solution_slug}
    solutions = {s.slug: s for s in session.scalars(select(Solution).where(Solution.slug.in_(slugs)))}
    keys = {o: dedupe_key(target.key, o) for o in observations if o.solution_slug in solutions}
    existing = set(session.scalars(select(Proposal.dedupe_key).where(Proposal.dedupe_key.in_(set(keys.values())))))
    status = Confidence.CONFIRMED if target.source.key in AUTHORITY_SOURCES else Confidence.EXPECTED
    actor = scraper_actor(target.key)
    misleading = misleading_rules(session)
    added = pending = 0
    for automatic_pass in (True, False):
        if automatic_pass and not auto_accept:
            continue
        for obs, key in keys.items():
            solution = solutions[obs.solution_slug or ""]
            if key in existing or equals_registry(solution, obs):
                continue
            # A hedged finding, or one of a rule coordinators mostly reject as no fact, is never applied unseen.
            if automatic_pass and (
                not fills_unknown(solution, obs.field) or obs.confidence == "low" or obs.rule in misleading
            ):
                continue
            existing.add(key)
            # No person looked at an automatic change, so it is never recorded as confirmed; nor is a hedged one.
            low = automatic_pass or obs.confidence == "low"
            changes = observation_changes(obs, status=(Confidence.EXPECTED if low else status).value)
            if _add_one(session, solution, obs, changes, key, actor, automatic=automatic_pass):
                added += 1
                pending += not automatic_pass
    return Proposed(added, pending)


def _add_one(
    session: Session,
    solution: Solution,
    obs: Observation,
    changes: dict[str, Any],
    key: str,
    actor: Actor,
    *,
    automatic: bool,
) -> bool:
    try:
        validate_changes(solution, from_json(changes))
        with session.begin_nested():
            proposal = insert_proposal(
                session,
                solution,
                changes=changes,
                proposer_label=actor.label,
                evidence=obs.evidence,
                source_url=obs.url,
                dedupe=key,
                cue=obs.cue,
                rule_id=obs.rule,
                transition_kind=obs.kind,
            )
            if automatic:
                _auto_accept(session, proposal, solution, actor)
    except IntegrityError:
        log.info("finding %s from %s was proposed concurrently; skipped", key[:12], actor.label)
        return False
    except AppError as exc:
        log.warning("finding from %s refused by the registry: %s %s", actor.label, exc.message, exc.details)
        return False
    return True
