"""iCalendar subscriptions (icalendar): one all-day event per solution switch, with reminders.

The UID of a switch never changes (``solution-<id>-switch@<host of TRACKER_BASE_URL>``) and its SEQUENCE
is the number of the solution's change events (in a municipality's calendar also that municipality's
readiness events for it), so any change of what the entry says (date, level, text, readiness) updates the
same calendar entry, with DTSTAMP/LAST-MODIFIED the time of the newest such change.
The event spans the whole interval (first to last possible day). Everything that
goes into the file is derived from stored data — no 'now' — so the same data gives the same bytes.

A municipality's calendar also has (readiness over time) one event per lock-out period of each (solution,
staff group) — UID ``lockout-<municipality>-<solution>-<IdP>-<first day>@host``, SEQUENCE the municipality's
``data_version`` plus the solution's, so any change of M's IdPs, plans or portfolio or of the solution raises
it — and one event per act-by day of a broker's transition (behind the portfolio) that asks M or its local IdP
to act (UID ``transition-<id>-act-by-m<municipality>@host``, SEQUENCE the transition's version); the portfolio's
own transitions have their events from ``transition_calendar``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask_babel import force_locale
from icalendar import Calendar, Event, vDuration
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tracker.broadcast.alarms import add_reminders
from tracker.broadcast.feeds import EPOCH
from tracker.broadcast.transition_calendar import add_transitions
from tracker.clock import DANISH_TIME
from tracker.models import ChangeEvent, Solution, Transition
from tracker.municipalities.actions import action_text
from tracker.municipalities.lockout import Period
from tracker.municipalities.readiness import LOA_OF_RANK, Readiness, ReadinessRow, Status, binding_row
from tracker.municipalities.requirements import TransitionRef
from tracker.registry.facts import FIRST_DAY, LAST_DAY
from tracker.vocabulary import CONFIDENCE_LABELS, LOA_LABELS, READINESS_LABELS, STATE_LABELS, danish_day

REMINDER_DAYS = (30, 7)
SWITCH_EVENT = "solution.switch_date.changed"
CREATED_EVENT = "solution.created"
REFRESH = timedelta(hours=6)


def uid_for(solution_id: int, domain: str = "tu-tracker") -> str:
    """The permanent UID of a solution's switch, in the service's own domain."""
    return f"solution-{solution_id}-switch@{domain}"


def uid_domain(base_url: str | None) -> str:
    """The host of ``TRACKER_BASE_URL`` (UIDs must be globally unique: RFC 5545 suggests the host)."""
    host = urlsplit(base_url or "").hostname
    return host or "tu-tracker"


def dated_solutions(session: Session, solution_ids: Sequence[int] | None = None) -> list[Solution]:
    """Solutions with a known first switch day (optionally only these), by date then name.

    Days outside the registry's range (stored before inputs were checked) are left out: one such value must
    not make the calendar unreadable for everyone.
    """
    stmt = select(Solution).where(
        Solution.switch_earliest_on.is_not(None),
        Solution.switch_earliest_on.between(FIRST_DAY, LAST_DAY),
        or_(Solution.switch_latest_on.is_(None), Solution.switch_latest_on.between(FIRST_DAY, LAST_DAY)),
    )
    if solution_ids is not None:
        stmt = stmt.where(Solution.id.in_(list(solution_ids)))
    return list(session.scalars(stmt.order_by(Solution.switch_earliest_on, Solution.name, Solution.id)))


@dataclass(frozen=True)
class SwitchHistory:
    """Per solution: how often its switch date changed (SEQUENCE) and when last (DTSTAMP)."""

    sequence: int
    last_changed_at: datetime | None


def switch_histories(
    session: Session, solution_ids: Sequence[int], municipality_id: int | None = None
) -> dict[int, SwitchHistory]:
    """One query for all solutions' SEQUENCE numbers: every change of what their entries say.

    The solution's own events (date, level, name, text) and, for a municipality's calendar, that
    municipality's readiness events for it; never another municipality's.
    """
    if not solution_ids:
        return {}
    scope: ColumnElement[bool] = ChangeEvent.municipality_id.is_(None)
    if municipality_id is not None:
        scope = or_(scope, ChangeEvent.municipality_id == municipality_id)
    rows = session.execute(
        select(ChangeEvent.solution_id, func.count(), func.max(ChangeEvent.occurred_at))
        # Creation is version 0 of the entry; every change after it counts.
        # A transition's events change its own entries (their SEQUENCE is its version), not the switch's.
        .where(
            ChangeEvent.solution_id.in_(list(solution_ids)),
            scope,
            ChangeEvent.type != CREATED_EVENT,
            ChangeEvent.type.not_like("transition.%"),
        )
        .group_by(ChangeEvent.solution_id)
    ).all()
    # max() over a TypeDecorator column comes back raw on SQLite; normalise through the model's type.
    result: dict[int, SwitchHistory] = {}
    for solution_id, count, last in rows:
        if solution_id is None:
            continue
        if isinstance(last, str):
            last = datetime.fromisoformat(last)
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=EPOCH.tzinfo)
        result[solution_id] = SwitchHistory(int(count), last)
    return result


def _label(labels: dict[str, object], value: str | None) -> str:
    return str(labels.get(value or "", value or "ukendt"))


def describe_switch(solution: Solution, page_url: str) -> str:
    """The event's description: required level with confidence and source, and the date's own source."""
    lines = [
        f"Krævet sikringsniveau: {_label(LOA_LABELS, solution.loa_value)} "
        f"({_label(CONFIDENCE_LABELS, solution.loa_status)})"
        + (f", kilde: {solution.loa_source_url}" if solution.loa_source_url else ""),
        f"Skæringsdato: {_label(STATE_LABELS, solution.switch_state)}, "
        f"{_label(CONFIDENCE_LABELS, solution.switch_status)}"
        + (f" («{solution.switch_text}»)" if solution.switch_text else "")
        + (f", kilde: {solution.switch_source_url}" if solution.switch_source_url else ""),
    ]
    if solution.switch_latest_on and solution.switch_latest_on != solution.switch_earliest_on:
        assert solution.switch_earliest_on is not None
        lines.append(
            f"Skiftet sker tidligst {danish_day(solution.switch_earliest_on)} "
            f"og senest {danish_day(solution.switch_latest_on)}."
        )
    lines.append(f"Se mere: {page_url}")
    return "\n".join(lines)


def readiness_text(row: ReadinessRow) -> str:
    """What the switch means for this municipality's staff, without 'days left' (the file must not age)."""
    verdict = row.assessment
    idp = f" (IdP: {row.idp.name}, anmeldt {_label(LOA_LABELS, row.idp.notified_loa)})" if row.idp else ""
    if verdict.status is Status.AT_RISK and verdict.from_day:
        return f"Jeres medarbejdere lukkes ude fra {danish_day(verdict.from_day)}{idp}."
    if verdict.status is Status.LOCKED_OUT:
        since = f" siden {danish_day(verdict.from_day)}" if verdict.from_day else ""
        return f"Jeres medarbejdere er lukket ude{since}{idp}."
    if verdict.status is Status.OK:
        return f"Jeres IdP opfylder kravet{idp}."
    return f"Parathed ukendt: {verdict.message}"


def readiness_lines(rows: Sequence[ReadinessRow]) -> str:
    """One line per staff group (IdP) using the solution, each with what to do now."""
    with force_locale("da"):
        return "\n".join(f"{readiness_text(row)} Gør nu: {action_text(row.action)}." for row in rows)


def _event_days(solution: Solution, readiness: Sequence[ReadinessRow]) -> tuple[date, date]:
    """First and last day of a solution's event: in a municipality's calendar the day its requirement binds
    there (a broker's earlier day included, as the readiness text says), else the solution's own switch."""
    binding = binding_row(readiness)
    day = binding.binding_on if binding is not None else None
    own_first, own_last = solution.switch_earliest_on, solution.switch_latest_on
    if day is None or day == own_first:
        assert own_first is not None
        return own_first, max(own_last or own_first, own_first)
    last = binding.binding_last if binding is not None else None
    return day, max(last or day, day)


def _vevent(
    solution: Solution,
    history: SwitchHistory | None,
    page_url: str,
    readiness: Sequence[ReadinessRow],
    domain: str = "tu-tracker",
) -> Event:
    earliest, latest = _event_days(solution, readiness)
    stamp = (history.last_changed_at if history else None) or solution.switch_recorded_at or solution.created_at
    sequence = history.sequence if history else 0
    worst = readiness[0] if readiness else None  # rows come most urgent first
    if worst is not None and worst.assessment.status is Status.LOCKED_OUT:
        # Passing the switch day turns 'at risk' into 'locked out' without any event: the entry's text
        # changes, so its SEQUENCE and stamp move too (once, at the start of that day).
        sequence += 1
        if worst.assessment.from_day:
            passed = datetime.combine(worst.assessment.from_day, time(), tzinfo=DANISH_TIME)
            stamp = max(stamp, passed)
    event = Event()
    event.add("uid", uid_for(solution.id, domain))
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("dtstart", earliest)
    event.add("dtend", latest + timedelta(days=1))
    summary = f"Skæringsdato: {solution.name} ({_label(LOA_LABELS, solution.loa_value)})"
    description = describe_switch(solution, page_url)
    if readiness:
        worst = readiness[0]  # rows come most urgent first
        if worst.assessment.status in (Status.AT_RISK, Status.LOCKED_OUT):
            summary += f" — {READINESS_LABELS[worst.assessment.status]}"
        description = readiness_lines(readiness) + "\n" + description
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", page_url)
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["TU-tracker"])
    if solution.switch_state == "cancelled":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED" if solution.switch_status == "confirmed" else "TENTATIVE")
    add_reminders(
        event, [(days, f"Om {days} dage: {solution.name} skifter login/sikringsniveau.") for days in REMINDER_DAYS]
    )
    return event


def _lockout_vevent(
    row: ReadinessRow,
    period: Period,
    municipality_id: int,
    sequence: int,
    stamp: datetime,
    page_url: str,
    domain: str,
) -> Event:
    """One lock-out period of a (solution, staff group) as an all-day event over its days (one day if open)."""
    assert period.start is not None and row.idp is not None
    group = row.group or row.idp.name
    event = Event()
    event.add("uid", f"lockout-{municipality_id}-{row.solution.id}-{row.idp.id}-{period.start.isoformat()}@{domain}")
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("dtstart", period.start)
    event.add("dtend", period.end if period.end is not None else period.start + timedelta(days=1))
    required = _label(LOA_LABELS, LOA_OF_RANK.get(period.required))
    have = _label(LOA_LABELS, LOA_OF_RANK.get(period.have)) if period.have in LOA_OF_RANK else "ingen IdP"
    until = f" til og med {danish_day(period.end - timedelta(days=1))}" if period.end else " (ingen slutdato kendt)"
    event.add("summary", f"Lukket ude: {group} — {row.solution.name}")
    event.add(
        "description",
        f"Medarbejdergruppen {group} (IdP {row.idp.name}) er lukket ude af {row.solution.name} fra "
        f"{danish_day(period.start)}{until}: krævet {required}, anmeldt {have}.\nSe mere: {page_url}",
    )
    event.add("url", page_url)
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["TU-tracker", "Lukkeperiode"])
    event.add("status", "TENTATIVE" if row.solution.switch_status != "confirmed" else "CONFIRMED")
    add_reminders(
        event, [(days, f"Om {days} dage lukkes {group} ude af {row.solution.name}.") for days in REMINDER_DAYS]
    )
    return event


def _act_by_vevent(t: TransitionRef, municipality_id: int, url: str | None, domain: str) -> Event:
    """The day a transition asks the municipality or its local IdP to have acted by."""
    assert t.act_by_on is not None
    event = Event()
    event.add("uid", f"transition-{t.id}-act-by-m{municipality_id}@{domain}")
    event.add("sequence", t.version)
    stamp = t.updated_at or EPOCH
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("dtstart", t.act_by_on)
    event.add("dtend", t.act_by_on + timedelta(days=1))
    derived = " (beregnet ud fra en standardfrist)" if t.act_by_derived else ""
    event.add("summary", f"Handl senest: {t.title} ({t.solution_name})")
    lines = [f"Senest {danish_day(t.act_by_on)}{derived} skal kommunen eller dens IdP have handlet: {t.title}."]
    if t.what_to_do:
        lines.append(t.what_to_do)
    if url:
        lines.append(f"Se mere: {url}")
        event.add("url", url)
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["TU-tracker", "Handl senest"])
    add_reminders(event, [(days, f"Om {days} dage: frist for {t.title}.") for days in REMINDER_DAYS])
    return event


def _in_range(day: date | None) -> bool:
    return day is None or FIRST_DAY <= day <= LAST_DAY


def render(
    session: Session,
    solutions: Sequence[Solution],
    *,
    name: str,
    description: str,
    page_url: Callable[[Solution], str],
    readiness: Readiness | None = None,
    base_url: str | None = None,
    transitions: Sequence[Transition] = (),
    solution_url: Callable[[str], str] | None = None,
) -> bytes:
    """The calendar file for the given solutions (with a municipality's readiness when given), and the given
    transitions' events (``transition_calendar``)."""
    cal = Calendar()
    cal.add("prodid", "-//TU-tracker//TU-tracker//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", description)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # An RFC 5545 duration ("PT6H"); icalendar writes an unknown X- property's timedelta as "6:00:00".
    cal["x-published-ttl"] = vDuration(REFRESH)
    municipality_id = readiness.municipality.id if readiness is not None else None
    histories = switch_histories(session, [s.id for s in solutions], municipality_id)
    rows: dict[int, list[ReadinessRow]] = {}
    for row in readiness.rows if readiness is not None else []:
        rows.setdefault(row.solution.id, []).append(row)
    domain = uid_domain(base_url)
    for solution in solutions:
        cal.add_component(
            _vevent(solution, histories.get(solution.id), page_url(solution), rows.get(solution.id, []), domain)
        )
    add_transitions(cal, transitions, lambda t: page_url(t.solution), domain)
    if readiness is not None:
        version = readiness.municipality.data_version or 0
        for row in readiness.rows:
            history = histories.get(row.solution.id)
            stamp = (history.last_changed_at if history else None) or row.solution.created_at
            sequence = version + (history.sequence if history else 0)
            for period in row.periods:
                if period.start is not None and _in_range(period.start) and _in_range(period.end):
                    cal.add_component(
                        _lockout_vevent(
                            row, period, readiness.municipality.id, sequence, stamp, page_url(row.solution), domain
                        )
                    )
        # Act-by days the transitions' own events do not already give: those of brokers behind the portfolio.
        # (An NSIS login transition is the solution's switch entry, with its reminders: no event of its own.)
        shown = {t.id for t in transitions}
        for t in readiness.to_act:
            if t.act_by_on is not None and _in_range(t.act_by_on) and not t.nsis_login and t.id not in shown:
                url = solution_url(t.solution_slug) if solution_url else None
                cal.add_component(_act_by_vevent(t, readiness.municipality.id, url, domain))
    data: bytes = cal.to_ical()
    return data
