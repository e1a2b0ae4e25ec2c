"""What a scrape run brought that a coordinator acts on: the news ``signals.scrape_run_finished`` carries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunNews:
    """What a run brought that a coordinator acts on: pending proposals, changed pages, lost health."""

    proposals: int
    changed_pages: tuple[int, ...]  # ids of snapshots that changed an already-watched page
    became_unhealthy: bool

    def __bool__(self) -> bool:
        """Whether there is anything to tell."""
        return bool(self.proposals or self.changed_pages or self.became_unhealthy)
