"""What other features do after a scrape run is recorded, without the ingest importing them.

Filled once at app start (``tracker.create_app`` → ``connect_features``): the mail feature alerts the
coordinators who asked. Hooks run in the run's transaction with ``(session, source, run, news)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.models import ScrapeRun, Source


@dataclass(frozen=True)
class RunNews:
    """What a run brought that a coordinator acts on: pending proposals, changed pages, lost health."""

    proposals: int
    changed_pages: tuple[int, ...]  # ids of snapshots that changed an already-watched page
    became_unhealthy: bool

    def __bool__(self) -> bool:
        """Whether there is anything to tell."""
        return bool(self.proposals or self.changed_pages or self.became_unhealthy)


RunHook = Callable[[Session, Source, ScrapeRun, RunNews], object]

_run_hooks: list[RunHook] = []


def on_run(hook: RunHook) -> None:
    """Run ``hook`` after every recorded scrape run (registering the same hook twice keeps one)."""
    if hook not in _run_hooks:
        _run_hooks.append(hook)


def run_recorded(session: Session, source: Source, run: ScrapeRun, news: RunNews) -> None:
    """Tell every run hook about ``run`` (called by ``ingest.services.record``)."""
    for hook in tuple(_run_hooks):
        hook(session, source, run, news)
