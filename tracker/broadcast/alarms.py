"""Reminders in calendar events: one DISPLAY alarm per number of days before the event, each with its words."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from icalendar import Alarm, Event


def add_reminders(event: Event, reminders: Iterable[tuple[int, str]]) -> None:
    """Add to ``event`` one alarm per ``(days before its start, what it says)``."""
    for days, text in reminders:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(days=-days))
        alarm.add("description", text)
        event.add_component(alarm)
