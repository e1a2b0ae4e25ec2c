"""Does a transition event match a narrowing by kind, category and weight? The one home of that question.

Webhook subscriptions (``subscription.transition_filter``) and mail preferences (``mail_preference.transition_*``)
narrow ``transition.*`` events to chosen kinds, categories and, optionally, major changes only; every other event
type passes untouched. Feeds (``?kind=&category=&major=``) ask the same question in SQL and hold only the
transition events that match. The match reads the transition as the event recorded it (``data.transition``: kind,
category, major), never today's registry, so a past event is judged as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_

from tracker.models import ChangeEvent

TRANSITION_EVENT_PREFIX = "transition."


@dataclass(frozen=True)
class TransitionFilter:
    """Chosen kinds and categories (empty: any) and a weight (``major`` True/False; None: any)."""

    kinds: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    major: bool | None = None

    @classmethod
    def of(
        cls, kinds: Iterable[str] | None = (), categories: Iterable[str] | None = (), major: bool | None = None
    ) -> TransitionFilter:
        """A filter from lists as they are stored (None or empty: no narrowing on that)."""
        return cls(frozenset(kinds or ()), frozenset(categories or ()), major)

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> TransitionFilter:
        """A subscription's stored filter ``{"kinds", "categories", "major"}`` (None: no narrowing)."""
        value = value or {}
        return cls.of(value.get("kinds"), value.get("categories"), value.get("major"))

    def __bool__(self) -> bool:
        """Whether anything narrows."""
        return bool(self.kinds or self.categories or self.major is not None)

    def matches(self, transition: Mapping[str, Any]) -> bool:
        """Whether a transition (as an event recorded it: kind, category, major) is one of those wanted."""
        if self.kinds and transition.get("kind") not in self.kinds:
            return False
        if self.categories and transition.get("category") not in self.categories:
            return False
        return self.major is None or bool(transition.get("major")) == self.major

    def events(self) -> ColumnElement[bool]:
        """The same question in SQL, for feeds: ``transition.*`` events whose transition matches (only those)."""
        transition = ChangeEvent.data["transition"]
        conditions = [ChangeEvent.type.like(f"{TRANSITION_EVENT_PREFIX}%")]
        if self.kinds:
            conditions.append(transition["kind"].as_string().in_(sorted(self.kinds)))
        if self.categories:
            conditions.append(transition["category"].as_string().in_(sorted(self.categories)))
        if self.major is not None:
            conditions.append(transition["major"].as_boolean().is_(self.major))
        return and_(*conditions)

    def lets_through(self, event: ChangeEvent) -> bool:
        """Whether the event passes: any event that is not about a transition does; a transition event when its
        transition matches."""
        if not self or not event.type.startswith(TRANSITION_EVENT_PREFIX):
            return True
        return self.matches((event.data or {}).get("transition") or {})


EVERYTHING = TransitionFilter()
