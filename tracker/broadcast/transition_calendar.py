"""Transitions in the iCalendar subscriptions: one all-day event per dated transition, one for its act-by day.

UIDs never change (``transition-<id>@<host>``, ``transition-<id>-act-by@<host>``); SEQUENCE is the transition's
version minus one (the version is raised on every change: its date, its text, a lead time that moved its
act-by day), DTSTAMP/LAST-MODIFIED its last change, so the same data gives the same bytes. An NSIS login
transition gets no events of its own: it is the solution's switch entry (``calendars``), with its reminders,
and the calendars of the registry as it was read the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta

from flask_babel import force_locale
from icalendar import Calendar, Event
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from tracker.broadcast.alarms import add_reminders
from tracker.models import Transition
from tracker.registry.facts import FIRST_DAY, LAST_DAY
from tracker.vocabulary import (
    CONFIDENCE_LABELS,
    STATE_LABELS,
    TRANSITION_CATEGORY_LABELS,
    TRANSITION_KIND_LABELS,
    WHO_MUST_ACT_LABELS,
    label,
)

ACT_BY_REMINDER_DAYS = (14,)


def uid_for(transition_id: int, domain: str, *, act_by: bool = False) -> str:
    """The permanent UID of a transition's event (or of its act-by day)."""
    return f"transition-{transition_id}{'-act-by' if act_by else ''}@{domain}"


def _in_range(column: InstrumentedAttribute[date | None]) -> ColumnElement[bool]:
    return column.between(FIRST_DAY, LAST_DAY)


def calendar_transitions(
    session: Session,
    solution_ids: Sequence[int] | None = None,
    *,
    kind: str | None = None,
    category: str | None = None,
    major: bool | None = None,
) -> list[Transition]:
    """Transitions with a known day or act-by day (optionally of these solutions and filtered), in one query."""
    dated = and_(
        Transition.earliest_on.is_not(None),
        _in_range(Transition.earliest_on),
        or_(Transition.latest_on.is_(None), _in_range(Transition.latest_on)),
    )
    stmt = select(Transition).where(
        Transition.nsis_login.is_(False),
        or_(dated, and_(Transition.act_by_on.is_not(None), _in_range(Transition.act_by_on))),
    )
    if solution_ids is not None:
        stmt = stmt.where(Transition.solution_id.in_(list(solution_ids)))
    if kind:
        stmt = stmt.where(Transition.kind == kind)
    if category:
        stmt = stmt.where(Transition.category == category)
    if major is not None:
        stmt = stmt.where(Transition.major.is_(major))
    stmt = stmt.options(joinedload(Transition.solution)).order_by(Transition.earliest_on, Transition.id)
    return list(session.scalars(stmt))


def _description(t: Transition, page_url: str) -> str:
    lines = [
        f"{label(TRANSITION_KIND_LABELS, t.kind)} · {label(TRANSITION_CATEGORY_LABELS, t.category)}"
        + (" · STOR ÆNDRING" if t.major else ""),
        f"Status: {label(STATE_LABELS, t.state)}, {label(CONFIDENCE_LABELS, t.status)}"
        + (f" («{t.text}»)" if t.text else "")
        + (f", kilde: {t.source_url}" if t.source_url else ""),
    ]
    if t.who_must_act:
        lines.append("Skal handle: " + ", ".join(label(WHO_MUST_ACT_LABELS, w) for w in t.who_must_act))
    if t.what_to_do:
        lines.append(f"Gør: {t.what_to_do}")
    if t.description:
        lines.append(t.description)
    lines.append(f"Se mere: {page_url}")
    return "\n".join(lines)


def _event(t: Transition, uid: str, start: date, end: date, summary: str, description: str, url: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", max(t.version - 1, 0))
    event.add("dtstamp", t.updated_at)
    event.add("last-modified", t.updated_at)
    event.add("dtstart", start)
    event.add("dtend", end + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["TU-tracker", t.kind])
    if t.state == "cancelled":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED" if t.status == "confirmed" else "TENTATIVE")
    return event


def add_transitions(
    cal: Calendar, transitions: Iterable[Transition], page_url: Callable[[Transition], str], domain: str
) -> None:
    """Add each transition's events (Danish, as the rest of the shared calendar)."""
    with force_locale("da"):
        for t in transitions:
            if t.nsis_login:
                continue
            url = page_url(t)
            text = _description(t, url)
            name = t.solution.name
            if t.earliest_on is not None and FIRST_DAY <= t.earliest_on <= LAST_DAY:
                last = max(t.latest_on or t.earliest_on, t.earliest_on)
                cal.add_component(
                    _event(t, uid_for(t.id, domain), t.earliest_on, last, f"{name}: {t.title}", text, url)
                )
            if t.act_by_on is not None and FIRST_DAY <= t.act_by_on <= LAST_DAY:
                event = _event(
                    t,
                    uid_for(t.id, domain, act_by=True),
                    t.act_by_on,
                    t.act_by_on,
                    f"Handl senest: {name}: {t.title}",
                    ("Afledt handlingsfrist. " if t.act_by_derived else "") + text,
                    url,
                )
                reminder = f"handl senest for {name}: {t.title}."
                add_reminders(event, [(days, f"Om {days} dage: {reminder}") for days in ACT_BY_REMINDER_DAYS])
                cal.add_component(event)
