"""How each rule of the cue table (``scrapers.rules``) fares in the review queue: accepted, "not a fact", other.

A coordinator's one-click "not a fact" (``tracker.review.services.reject_not_a_fact``) counts against the rule
that read the finding; /kilder shows the figures, so a rule that misleads is visible, and a rule coordinators
mostly reject (``misleading_rules``) never has its findings applied without review.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scrapers.rules import RULES, Rule
from tracker.models import Proposal

# A rule is misleading once at least this many of its findings were "not a fact", and more than were accepted.
MISLEADING_AFTER = 3


@dataclass(frozen=True)
class RuleStats:
    """One rule with its review figures."""

    rule: Rule | None  # None: a rule id no longer in the table (its old proposals still count)
    rule_id: str
    accepted: int = 0
    not_a_fact: int = 0
    rejected_other: int = 0
    pending: int = 0

    @property
    def misleading(self) -> bool:
        return self.not_a_fact >= MISLEADING_AFTER and self.not_a_fact > self.accepted


def _counts(session: Session) -> dict[str, dict[str, int]]:
    rows = session.execute(
        select(Proposal.rule_id, Proposal.state, Proposal.not_a_fact, func.count())
        .where(Proposal.rule_id.is_not(None))
        .group_by(Proposal.rule_id, Proposal.state, Proposal.not_a_fact)
    ).all()
    out: dict[str, dict[str, int]] = {}
    for rule_id, state, not_a_fact, n in rows:
        if rule_id is None:
            continue
        bucket = out.setdefault(rule_id, {})
        if state == "accepted":
            key = "accepted"
        elif state == "rejected":
            key = "not_a_fact" if not_a_fact else "rejected_other"
        else:
            key = "pending"
        bucket[key] = bucket.get(key, 0) + n
    return out


def rule_stats(session: Session) -> list[RuleStats]:
    """Every rule of the table in its order, then any retired rule id that still has proposals; one statement."""
    counts = _counts(session)
    out = [RuleStats(r, r.id, **counts.pop(r.id, {})) for r in RULES]
    out += [RuleStats(None, rule_id, **c) for rule_id, c in sorted(counts.items())]
    return out


def misleading_rules(session: Session) -> frozenset[str]:
    """The ids of the rules coordinators mostly reject as no fact."""
    return frozenset(s.rule_id for s in rule_stats(session) if s.misleading)
