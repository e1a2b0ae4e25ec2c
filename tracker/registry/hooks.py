"""What other features do when the registry changes, without the registry importing them.

Two small hook lists, filled once at app start (``tracker.create_app`` → ``connect_features``):

- event hooks run with ``(session, event)`` after each change event is appended, in the same transaction
  (broadcast's outbox: every event leaves through it);
- solution watchers run with ``(session, solution)`` before a solution's facts change and return a callback
  that runs with ``(actor, reason)`` after the change (municipalities' readiness events).

The dependencies point one way: broadcast and municipalities import the registry, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from tracker.models import ChangeEvent, Solution
from tracker.registry.actors import Actor

EventHook = Callable[[Session, ChangeEvent], object]
AfterChange = Callable[[Actor, str | None], object]
SolutionWatcher = Callable[[Session, Solution], AfterChange]

_event_hooks: list[EventHook] = []
_solution_watchers: list[SolutionWatcher] = []


def on_event(hook: EventHook) -> None:
    """Run ``hook`` after every appended change event (registering the same hook twice keeps one)."""
    if hook not in _event_hooks:
        _event_hooks.append(hook)


def on_solution_change(watcher: SolutionWatcher) -> None:
    """Run ``watcher`` before every change of a solution's facts; its callback runs after the change."""
    if watcher not in _solution_watchers:
        _solution_watchers.append(watcher)


def event_appended(session: Session, event: ChangeEvent) -> None:
    """Tell every event hook about ``event`` (called by ``registry.events.append_event``)."""
    for hook in tuple(_event_hooks):
        hook(session, event)


def solution_changing(session: Session, solution: Solution) -> list[AfterChange]:
    """Tell every watcher that ``solution`` is about to change; returns the callbacks to run after it."""
    return [watcher(session, solution) for watcher in tuple(_solution_watchers)]
