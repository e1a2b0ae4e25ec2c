"""Appending change events — the single source of history, feeds, calendars, webhooks and the event log.

Every event leaves through the outbox in the same transaction (``broadcast.outbox.enqueue``, a receiver of
``tracker.signals.change_event_appended`` connected at app start). ``append_events`` appends many at once (one
insert, one ``change_events_appended``: its receivers cost a fixed number of statements per batch), for a change
that reaches many municipalities.

Event ids must become visible in id order, or a catch-up reader (``/api/v1/events?after=``) could step past an
id whose transaction commits late. SQLite serialises writers already; on PostgreSQL a transaction-scoped
advisory lock, taken before the id is drawn and held until commit, gives the same order.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import Table, insert, text
from sqlalchemy.orm import Session, make_transient_to_detached

from tracker import signals
from tracker.clock import utcnow
from tracker.models import ChangeEvent, Municipality, Solution
from tracker.registry.actors import Actor

P = ParamSpec("P")
R = TypeVar("R")
EVENT_ORDER_LOCK = 0x7475_6576  # 'tuev': any constant unique to the event log

EVENT_TYPES = (
    "solution.created",
    "solution.updated",
    "solution.switch_date.changed",
    "solution.required_loa.changed",
    "municipality.readiness.changed",
    "inquiry.created",  # a question to a solution's vendor/service provider
    "inquiry.asked",  # KL has put it to them
    "inquiry.answered",
    "inquiry.closed",
    "transition.created",  # a dated transition of a solution (issue 22); data.transition names it
    "transition.updated",
    "transition.date_changed",  # its date, the date's provenance or its act-by day
    "transition.cancelled",
    "action.updated",  # a municipality's own action (tracker.actions): its own users' subscriptions only
)


def solution_data(solution: Solution) -> dict[str, Any]:
    """What consumers need to name the solution without another request."""
    return {"solution": {"slug": solution.slug, "name": solution.name}}


def _event(
    *,
    type: str,
    actor: Actor,
    changes: dict[str, Any],
    solution: Solution | None = None,
    municipality: Municipality | None = None,
    source_kind: str | None = None,
    source_url: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> ChangeEvent:
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    payload = dict(data or {})
    if solution is not None:
        payload.update(solution_data(solution))
    if municipality is not None:
        payload["municipality"] = {"code": municipality.code, "name": municipality.name}
    return ChangeEvent(
        type=type,
        solution_id=solution.id if solution is not None else None,
        municipality_id=municipality.id if municipality is not None else None,
        changes=changes,
        data=payload,
        actor_id=actor.user_id,
        actor_label=actor.label,
        source_kind=source_kind,
        source_url=source_url,
        reason=reason,
        occurred_at=utcnow(),
    )


def _lock_order(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_ORDER_LOCK})


def append_event(session: Session, **fields: Any) -> ChangeEvent:
    """Append one event and send ``change_event_appended`` (its outbox rows); flushes so the event has its id.

    Keywords: ``type``, ``actor``, ``changes`` and optionally ``solution``, ``municipality``, ``source_kind``,
    ``source_url``, ``reason``, ``data``."""
    event = _event(**fields)
    _lock_order(session)
    session.add(event)
    session.flush()
    held = session.info.get(_HELD)
    if held is not None:
        held.append(event)
    else:
        signals.change_event_appended.send(event, session=session)
    return event


def append_events(session: Session, items: Sequence[dict[str, Any]]) -> list[ChangeEvent]:
    """Append several events (each a dict of ``append_event``'s keywords) in one insert, ids in list order, and
    send ``change_events_appended`` once with all of them."""
    events = [_event(**fields) for fields in items]
    if not events:
        return []
    _lock_order(session)
    if len(events) > 1 and session.get_bind().dialect.name == "sqlite":
        _insert_in_order(session, events)
    else:  # PostgreSQL: the ORM sends one multi-row INSERT … RETURNING with its ids in list order
        session.add_all(events)
        session.flush()
    held = session.info.get(_HELD)
    if held is not None:
        held.extend(events)
    else:
        signals.change_events_appended.send(tuple(events), session=session)
    return events


_HELD = "tracker.events.held"


@contextmanager
def gathered(session: Session) -> Iterator[None]:
    """Hold back the signals of the events appended inside the block and send them as one
    ``change_events_appended`` at its end (nothing when it raises): one write that appends several events (a
    solution's change, its transition's, the readiness of every municipality using it) is followed once, set-based,
    rather than once per event. Nested blocks send with the outermost."""
    if session.info.get(_HELD) is not None:
        yield
        return
    held: list[ChangeEvent] = []
    session.info[_HELD] = held
    try:
        yield
    finally:
        session.info.pop(_HELD, None)
    if held:
        signals.change_events_appended.send(tuple(held), session=session)


def _insert_in_order(session: Session, events: list[ChangeEvent]) -> None:
    """SQLite: one multi-row INSERT (the ORM sends one per row there, having no way to match RETURNING rows to
    its objects). SQLite inserts the rows of one statement in order, under its one writer lock, each with the next
    rowid, so the returned ids in ascending order are the events' ids in list order."""
    session.flush()
    table = cast(Table, ChangeEvent.__table__)
    columns = [c.key for c in table.c if c.key != "id"]
    ids = sorted(
        session.scalars(insert(table).returning(table.c.id), [{c: getattr(e, c) for c in columns} for e in events])
    )
    assert len(ids) == len(events)
    for event, event_id in zip(events, ids, strict=True):
        event.id = event_id
        make_transient_to_detached(event)
        session.add(event)


def gathering(func: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """A write function (the session first) whose events are sent together at its end (``gathered``)."""

    @functools.wraps(func)
    def wrapper(session: Session, *args: P.args, **kwargs: P.kwargs) -> R:
        with gathered(session):
            return func(session, *args, **kwargs)

    return wrapper
