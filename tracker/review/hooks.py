"""What other features do when a coordinator decides a proposal, without the review importing them.

Filled once at app start (``tracker.create_app`` → ``connect_features``): the mail feature tells the proposer.
Hooks run with ``(session, proposal)`` in the decision's transaction, after its state is set and flushed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from tracker.models import Proposal

DecisionHook = Callable[[Session, Proposal], object]

_decision_hooks: list[DecisionHook] = []


def on_decision(hook: DecisionHook) -> None:
    """Run ``hook`` after every accepted or rejected proposal (registering the same hook twice keeps one)."""
    if hook not in _decision_hooks:
        _decision_hooks.append(hook)


def decided(session: Session, proposal: Proposal) -> None:
    """Tell every decision hook about ``proposal`` (called by ``review.services``)."""
    for hook in tuple(_decision_hooks):
        hook(session, proposal)
