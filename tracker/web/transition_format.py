"""Transitions on the pages: the date as a person says it, each one's place (past or ahead).

The solution page shows a solution's transitions as a timeline, the ones ahead first (the next one at the top)
and the past ones after them, muted; the overview and "Kommende skift" show the next ones. Their labels (kind,
category, who must act) are the shared vocabulary's (``tracker.vocabulary``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Flask
from flask_babel import lazy_gettext as _l

from tracker.models import Transition
from tracker.registry.transitions import is_done
from tracker.vocabulary import format_day


def transition_date(t: Transition) -> str:
    """The day, the period in the source's own words, or unknown (with the source's words if it has some)."""
    if t.earliest_on is None:
        return str(_l("Ukendt")) + (f" ({t.text})" if t.text else "")
    if t.precision == "day" or t.latest_on in (None, t.earliest_on):
        return format_day(t.earliest_on)
    words = f" ({t.text})" if t.text else ""
    return f"{format_day(t.earliest_on)} – {format_day(t.latest_on)}{words}"


@dataclass(frozen=True)
class Placed:
    """A transition with its place on the timeline."""

    transition: Transition
    past: bool


def timeline(transitions: list[Transition], today: date) -> list[Placed]:
    """The ones ahead first (by day, unknown last, as given), then the past ones, the latest first."""
    ahead = [Placed(t, False) for t in transitions if not is_done(t, today)]
    past = [Placed(t, True) for t in transitions if is_done(t, today)]
    past.sort(key=lambda p: p.transition.latest_on or p.transition.earliest_on or date.min, reverse=True)
    return ahead + past


def init_app(app: Flask) -> None:
    """The filter templates use."""
    app.jinja_env.filters["transition_date"] = transition_date
