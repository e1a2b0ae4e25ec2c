"""What other features do when a proposal arrives or is decided, without the review importing them.

Filled once at app start (``tracker.create_app`` → ``connect_features``): the mail feature alerts the
coordinators who asked of a new proposal, and tells the proposer the decision. Hooks run with
``(session, proposal)`` in the same transaction, after the proposal is flushed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from tracker.models import Proposal

DecisionHook = Callable[[Session, Proposal], object]

_decision_hooks: list[DecisionHook] = []
_proposal_hooks: list[DecisionHook] = []


def on_proposal(hook: DecisionHook) -> None:
    """Run ``hook`` after every proposal that waits for review (one a person made)."""
    if hook not in _proposal_hooks:
        _proposal_hooks.append(hook)


def proposed(session: Session, proposal: Proposal) -> None:
    """Tell every proposal hook about a new pending ``proposal`` (called by ``review.services``)."""
    for hook in tuple(_proposal_hooks):
        hook(session, proposal)


def on_decision(hook: DecisionHook) -> None:
    """Run ``hook`` after every accepted or rejected proposal (registering the same hook twice keeps one)."""
    if hook not in _decision_hooks:
        _decision_hooks.append(hook)


def decided(session: Session, proposal: Proposal) -> None:
    """Tell every decision hook about ``proposal`` (called by ``review.services``)."""
    for hook in tuple(_decision_hooks):
        hook(session, proposal)
