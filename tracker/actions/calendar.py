"""The municipality's private calendar of action due days: one all-day event per open action with a due day.

The UID never changes (``action-<id>@<host of TRACKER_BASE_URL>``); SEQUENCE is the action's version, so every
change (status, owner, due day) updates the same entry. A closed action stays in the file as CANCELLED, so
calendars remove it rather than keep a stale reminder. Danish, as every calendar of the service.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from icalendar import Calendar, Event

from tracker.actions.views import ActionList
from tracker.broadcast.alarms import add_reminders
from tracker.broadcast.calendars import uid_domain
from tracker.models import Municipality


def uid_for(action_id: int, domain: str) -> str:
    """The permanent UID of an action's due day."""
    return f"action-{action_id}@{domain}"


def render(municipality: Municipality, listed: ActionList, *, base_url: str | None = None) -> bytes:
    """The calendar file of M's actions' due days."""
    cal = Calendar()
    cal.add("prodid", "-//TU-tracker//Handlinger//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"TU-tracker: handlinger for {municipality.name}")
    domain = uid_domain(base_url)
    with force_locale("da"):
        for item in listed.items:
            a = item.action
            if a.due_on is None:
                continue
            event = Event()
            event.add("uid", uid_for(a.id, domain))
            event.add("sequence", a.version)
            event.add("dtstamp", a.updated_at)
            event.add("last-modified", a.updated_at)
            event.add("dtstart", a.due_on)
            event.add("dtend", a.due_on + timedelta(days=1))
            event.add("summary", f"Frist: {item.title}")
            lines = [
                f"Løsning: {item.solution_name or '–'}",
                f"Brugergruppe: {item.group or '–'}",
                f"Ansvarlig: {item.owner or 'ingen'}",
                f"Status: {item.status_label}",
            ]
            event.add("description", "\n".join(lines))
            event.add("transp", "TRANSPARENT")
            event.add("categories", ["TU-tracker", "Handling"])
            closed = a.status in ("done", "not_relevant")
            event.add("status", "CANCELLED" if closed else "CONFIRMED")
            if not closed:
                add_reminders(event, [(days, f"Om {days} dage: frist for {item.title}") for days in (7,)])
            cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
