"""Transition events (``transition.*``) in words: the parts of a feed entry's or mail line's title.

Only what the event recorded is said (``data.transition`` as it stood then, and the changes).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from tracker.models import ChangeEvent
from tracker.vocabulary import STATE_LABELS, TRANSITION_KIND_LABELS, format_day, label


def _day(value: Any) -> str:
    try:
        return format_day(date.fromisoformat(str(value)[:10])) if value else _("ukendt")
    except ValueError:
        return str(value)


def _change(changes: dict[str, Any], field: str) -> tuple[Any, Any] | None:
    entry = changes.get(field)
    return (entry.get("before"), entry.get("after")) if isinstance(entry, dict) else None


def transition_parts(event: ChangeEvent) -> list[str]:
    """What happened to the transition, in one or more short phrases."""
    t = (event.data or {}).get("transition") or {}
    ch = event.changes or {}
    name = f"«{t.get('title') or ''}» ({label(TRANSITION_KIND_LABELS, t.get('kind'))})"
    if event.type == "transition.created":
        parts = [_("ny overgang %(name)s", name=name)]
        if earliest := _change(ch, "earliest_on"):
            parts.append(_("dato %(day)s", day=_day(earliest[1])))
        else:
            parts.append(_("dato ukendt"))
        if t.get("act_by"):
            parts.append(_("handl senest %(day)s", day=_day(t.get("act_by"))))
        return parts
    if event.type == "transition.cancelled":
        return [_("overgang %(name)s aflyst", name=name)]
    if event.type == "transition.date_changed":
        parts = []
        if earliest := _change(ch, "earliest_on"):
            parts.append(
                _(
                    "%(name)s: dato flyttet fra %(before)s til %(after)s",
                    name=name,
                    before=_day(earliest[0]),
                    after=_day(earliest[1]),
                )
            )
        if act := _change(ch, "act_by_on"):
            parts.append(_("handl senest %(day)s (før %(before)s)", day=_day(act[1]), before=_day(act[0])))
        if (state := _change(ch, "state")) and not parts:
            parts.append(_("%(name)s: status %(state)s", name=name, state=label(STATE_LABELS, state[1])))
        return parts or [_("%(name)s: datoens kilde opdateret", name=name)]
    return [_("overgang %(name)s opdateret", name=name)]
