"""Actions follow the registry, never silently.

``follow_municipalities`` materialises one action per readiness row (and per transition of the portfolio) that
asks a municipality to act and brings existing ones in line with what the registry now says, writing a history
line (and an ``action.updated`` event, and a notice to the owner) for every change it makes:

- a due day that was the default follows the act-by day; a day set by hand stays, unless the act-by day moved
  before it (then it moves to the act-by day, and says so);
- a stricter requirement or another day reopens a ``done`` action with the reason;
- a row that no longer asks to act closes an open action as ``not_relevant`` with the reason (and reopens it if
  the row asks again).

It is set-based: one call for any number of municipalities costs a fixed number of statements (their readiness
in one go, their actions in one query, one insert of the new actions, one update of the changed ones, one
insert of history lines, one insert of events, one of owners' notices).

It runs where things change, never where they are read: ``on_change_events`` (a receiver of
``signals.change_event_appended`` and ``change_events_appended``) for every municipality a change can reach —
its own readiness change, or a registry change of a solution its portfolio uses (directly or as a broker) — and
``scheduled_follow`` (the scheduler's ``follow_actions`` job) for what the passing days move (a switch day
reached, a staff group that has left). Reading the list, the page or the API writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from flask import Flask
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from tracker import signals
from tracker.actions import texts
from tracker.actions.events import updated_fields
from tracker.clock import today_in_denmark, utcnow
from tracker.db import get_db
from tracker.models import Action, ActionChange, ChangeEvent, Municipality, PortfolioEntry, Transition
from tracker.models.vocab import LOA_RANK, Loa, SwitchState, WhoMustAct
from tracker.municipalities.readiness import (
    FRESH_READINESS,
    ActionCode,
    Readiness,
    ReadinessRow,
    Status,
    readiness_of,
)
from tracker.municipalities.requirements import TransitionRef
from tracker.registry.brokers import broker_edges, reachable
from tracker.registry.events import append_events
from tracker.registry.transitions import transitions_for

log = logging.getLogger(__name__)
OPEN_STATUSES = ("new", "in_progress", "blocked")
# The basic fields that change which requirements reach a municipality's staff (the broker graph).
ROUTE_FIELDS = frozenset({"kind", "broker", "brokers"})


@dataclass(frozen=True)
class Wanted:
    """What one subject asks of the municipality now."""

    key: str
    kind: str
    code: str
    level: str | None
    act_by: date | None
    solution_id: int | None = None
    idp_id: int | None = None
    transition_id: int | None = None


def readiness_key(solution_id: int, idp_id: int | None) -> str:
    """The subject key of a readiness row."""
    return f"readiness:{solution_id}:{idp_id or 0}"


def row_act_by(row: ReadinessRow, day: date) -> date | None:
    """A row's default due day: the day staff are (or will be) locked out; for an unknown verdict, the
    solution's switch when it still lies ahead."""
    if row.assessment.from_day is not None:
        return row.assessment.from_day
    earliest = row.solution.switch_earliest_on
    if row.assessment.status is Status.UNKNOWN and earliest is not None and earliest > day:
        return earliest
    return None


def wanted_from_readiness(rows: list[ReadinessRow], day: date) -> dict[str, Wanted]:
    """One wanted action per row whose ``action`` asks the municipality to do something."""
    wanted = {}
    for row in rows:
        if row.action.code is ActionCode.NONE:
            continue
        key = readiness_key(row.solution.id, row.idp.id if row.idp else None)
        level = row.required_level if row.required_level in LOA_RANK_KEYS else None
        wanted[key] = Wanted(
            key=key,
            kind="readiness",
            code=row.action.code.value,
            level=level,
            act_by=row_act_by(row, day),
            solution_id=row.solution.id,
            idp_id=row.idp.id if row.idp else None,
        )
    return wanted


LOA_RANK_KEYS = {loa.value for loa in LOA_RANK}


def _rank(level: str | None) -> int:
    return LOA_RANK[Loa(level)] if level in LOA_RANK_KEYS else 0


def record(
    session: Session,
    action: Action,
    changes: dict[str, Any],
    *,
    actor_id: int | None,
    actor_label: str,
    reason: str | None = None,
) -> ActionChange:
    """One history line; raises the action's version (its ETag, and what makes it unread)."""
    now = utcnow()
    action.version = (action.version or 0) + 1
    action.updated_at = now
    change = ActionChange(
        action_id=action.id,
        actor_id=actor_id,
        actor_label=actor_label,
        occurred_at=now,
        changes=changes,
        reason=reason,
    )
    session.add(change)
    return change


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def follow(action: Action, want: Wanted) -> tuple[dict[str, Any], list[str]]:
    """Bring one existing action in line with what its subject asks now; returns the changes and reasons."""
    changes: dict[str, Any] = {}
    reasons: list[str] = []
    reopen: list[str] = []
    if _rank(want.level) > _rank(action.basis_level) and action.basis_level is not None:
        reopen.append(texts.stricter_reason(action.basis_level, want.level))
    if want.act_by != action.act_by_on:
        reopen.append(texts.new_date_reason(action.act_by_on, want.act_by))
        changes["act_by_on"] = [_day(action.act_by_on), _day(want.act_by)]
    if want.level != action.basis_level:
        changes["basis_level"] = [action.basis_level, want.level]
    if want.code != action.code:
        changes["code"] = [action.code, want.code]
    if not action.open_in_registry:
        changes["open_in_registry"] = [False, True]
        if action.status == "not_relevant" and action.closed_by_registry:
            changes["status"] = [action.status, "new"]
            changes["status_reason"] = [action.status_reason, None]
            reasons.append(texts.asked_again_reason())
    elif action.status == "done" and reopen:
        changes["status"] = ["done", "new"]
        changes["reopened_reason"] = [action.reopened_reason, " ".join(reopen)]
    reasons.extend(reopen)
    new_due = action.due_on
    if action.due_is_default or action.due_on is None:
        new_due = want.act_by
    elif want.act_by is not None and action.due_on > want.act_by:
        new_due = want.act_by  # the act-by day moved before the day set by hand
        changes["due_is_default"] = [False, True]
    if new_due != action.due_on:
        changes["due_on"] = [_day(action.due_on), _day(new_due)]
    return changes, reasons


@dataclass
class Plan:
    """What following the registry will write: new actions, and changed ones with their changes and note."""

    new: list[dict[str, Any]]
    changed: list[tuple[Action, dict[str, Any], str | None, bool]]  # action, changes, note, told (event, notice)


def _new_row(municipality_id: int, kind: str, key: str, want: Wanted, now: datetime) -> dict[str, Any]:
    return {
        "municipality_id": municipality_id,
        "subject_kind": kind,
        "subject_key": key,
        "solution_id": want.solution_id,
        "idp_id": want.idp_id,
        "transition_id": want.transition_id,
        "code": want.code,
        "basis_level": want.level,
        "act_by_on": want.act_by,
        "open_in_registry": True,
        "status": "new",
        "closed_by_registry": False,
        "due_on": want.act_by,
        "due_is_default": True,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def plan_wanted(
    plan: Plan,
    municipality_id: int,
    kind: str,
    existing: dict[str, Action],
    wanted: dict[str, Wanted],
    *,
    reason: str | None = None,
    closing: dict[str, str] | None = None,
    now: datetime,
) -> None:
    """Add to ``plan`` what makes M's ``kind`` actions (``existing``, by key) match ``wanted``: new ones, followed
    ones, and closed ones — a subject that no longer asks closes its open action as ``not_relevant`` with the
    reason ``closing`` gives for its key (a cancelled transition), else "no longer asks"."""
    existing = dict(existing)
    for key, want in wanted.items():
        action = existing.pop(key, None)
        if action is None:
            plan.new.append(_new_row(municipality_id, kind, key, want, now))
            continue
        changes, reasons = follow(action, want)
        if not changes:
            continue
        note = " ".join([*reasons, reason] if reason else reasons) or None
        told = bool(reasons) or bool({"status", "due_on"} & changes.keys())
        plan.changed.append((action, {**changes, "_subject": (want.solution_id, want.idp_id)}, note, told))
    for action in existing.values():
        if not action.open_in_registry:
            continue
        why = (closing or {}).get(action.subject_key) or texts.no_longer_asked_reason()
        changes = {"open_in_registry": [True, False]}
        if action.status in OPEN_STATUSES:
            changes["status"] = [action.status, "not_relevant"]
            changes["status_reason"] = [action.status_reason, why]
        note = why + (f" {reason}" if reason and reason not in why else "")
        plan.changed.append((action, changes, note, "status" in changes))


FOLLOWED = (
    "code",
    "basis_level",
    "act_by_on",
    "open_in_registry",
    "status",
    "status_reason",
    "reopened_reason",
    "closed_by_registry",
    "due_on",
    "due_is_default",
    "solution_id",
    "idp_id",
    "version",
    "updated_at",
)


def _after(action: Action, changes: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The action's followed columns after ``changes`` (a new version)."""
    values = {field: getattr(action, field) for field in FOLLOWED}
    for field, pair in changes.items():
        if field == "_subject":
            values["solution_id"], values["idp_id"] = pair
        elif field in ("act_by_on", "due_on"):
            values[field] = date.fromisoformat(pair[1]) if pair[1] else None
        else:
            values[field] = pair[1]
    if "status" in changes:
        values["closed_by_registry"] = changes["status"][1] == "not_relevant"
    values["version"] = (action.version or 0) + 1
    values["updated_at"] = now
    return values


def write_plan(session: Session, plan: Plan, now: datetime) -> list[Action]:
    """Write a plan in a fixed number of statements; returns the changed actions (at their new versions)."""
    if plan.new:  # one executemany of plain rows (no ORM objects: an import makes a thousand at once)
        session.execute(insert(cast(Table, Action.__table__)), plan.new)
    if not plan.changed:
        return []
    table = cast(Table, Action.__table__)
    rows = []
    for action, changes, _note, _told in plan.changed:
        values = _after(action, changes, now)
        rows.append({"b_id": action.id, **values})
        for field, value in values.items():
            set_committed_value(action, field, value)
    session.execute(
        update(table).where(table.c.id == bindparam("b_id")).values({f: bindparam(f) for f in FOLLOWED}),
        rows,
    )
    session.execute(
        insert(ActionChange),
        [
            {
                "action_id": action.id,
                "actor_id": None,
                "actor_label": texts.REGISTRY_LABEL,
                "occurred_at": now,
                "changes": {k: v for k, v in changes.items() if k != "_subject"},
                "reason": note,
            }
            for action, changes, note, _told in plan.changed
        ],
    )
    told = [(action, changes, note) for action, changes, note, told in plan.changed if told]
    if told:
        append_events(
            session,
            [
                updated_fields(action, {k: v for k, v in changes.items() if k != "_subject"}, actor=None, reason=note)
                for action, changes, note in told
            ],
        )
        signals.actions_followed_registry.send(tuple(action for action, _c, _n in told), session=session)
    return [action for action, _c, _n, _t in plan.changed]


def sync_wanted(
    session: Session,
    municipality: Municipality,
    kind: str,
    wanted: dict[str, Wanted],
    *,
    reason: str | None = None,
    closing: dict[str, str] | None = None,
) -> list[Action]:
    """Create, follow and close M's ``kind`` actions so that they match ``wanted``; returns changed actions."""
    existing = {
        a.subject_key: a
        for a in session.scalars(
            select(Action).where(Action.municipality_id == municipality.id, Action.subject_kind == kind)
        )
    }
    now = utcnow()
    plan = Plan([], [])
    plan_wanted(plan, municipality.id, kind, existing, wanted, reason=reason, closing=closing, now=now)
    return write_plan(session, plan, now)


ACTING = {WhoMustAct.MUNICIPALITIES.value, WhoMustAct.LOCAL_IDP_OPERATORS.value}


def transition_key(transition_id: int) -> str:
    """The subject key of a transition."""
    return f"transition:{transition_id}"


def acting_transitions(
    session: Session, used: dict[int, set[int]], edges: dict[int, list[int]]
) -> dict[int, list[Transition]]:
    """Per municipality (by the solutions of its portfolio, ``used``): the transitions of those solutions and of
    the brokers staff reach them through that ask municipalities or local IdP operators to act (cancelled
    included; the NSIS login transition is the readiness rows' subject, so it is left out). One query."""
    reach = {m: set(sols).union(*(reachable(edges, s) for s in sols)) for m, sols in used.items() if sols}
    if not reach:
        return {}
    found = transitions_for(session, set().union(*reach.values()))
    acting = {
        sid: [t for t in rows if not t.nsis_login and ACTING & set(t.who_must_act or ())] for sid, rows in found.items()
    }
    return {m: [t for sid in sorted(ids) for t in acting.get(sid, [])] for m, ids in reach.items()}


def acting_in(readiness: Readiness) -> list[TransitionRef]:
    """M's transitions to act on, from the requirement chains its readiness read (its portfolio's solutions and
    the brokers behind them): those that ask municipalities or local IdP operators, cancelled ones included, the
    NSIS login transition left out (the readiness rows are its actions). No query."""
    found: dict[int, TransitionRef] = {}
    for solution_id in sorted(readiness.solution_ids):
        for facts in readiness.chains.get(solution_id, ()):
            for t in facts.transitions:
                if not t.nsis_login and ACTING & set(t.who_must_act or ()):
                    found.setdefault(t.id, t)
    return list(found.values())


def portfolio_transitions(session: Session, municipality: Municipality) -> list[Transition]:
    """M's transitions to act on (``acting_transitions`` for one municipality)."""
    used = set(
        session.scalars(select(PortfolioEntry.solution_id).where(PortfolioEntry.municipality_id == municipality.id))
    )
    return acting_transitions(session, {municipality.id: used}, broker_edges(session)).get(municipality.id, [])


def wanted_from_transitions(
    transitions: Sequence[Transition | TransitionRef],
) -> tuple[dict[str, Wanted], dict[str, str]]:
    """One wanted action per transition that is not cancelled; the cancelled ones' keys with their reason."""
    wanted: dict[str, Wanted] = {}
    cancelled: dict[str, str] = {}
    for t in transitions:
        key = transition_key(t.id)
        if t.state == SwitchState.CANCELLED.value:
            cancelled[key] = texts.cancelled_reason(t.title)
            continue
        wanted[key] = Wanted(
            key=key,
            kind="transition",
            code=t.kind,
            level=t.required_loa,
            act_by=t.act_by_on or t.earliest_on,
            solution_id=t.solution_id,
            transition_id=t.id,
        )
    return wanted, cancelled


def follow_municipalities(
    session: Session,
    municipality_ids: Iterable[int],
    *,
    day: date | None = None,
    reasons: Mapping[int, str | None] | None = None,
) -> list[Action]:
    """Bring the municipalities' actions in line with their readiness rows on ``day`` and their portfolios'
    transitions now (idempotent; ``reasons``: the note each municipality's changes carry). A fixed number of
    statements however many municipalities and actions."""
    ids = sorted(set(municipality_ids))
    if not ids:
        return []
    day = day or today_in_denmark()
    reasons = reasons or {}
    fresh = {mid: r for mid, r in (session.info.get(FRESH_READINESS) or {}).items() if r.today == day}
    readiness = fresh | readiness_of(session, set(ids) - set(fresh), today=day)
    transitions = {mid: acting_in(found) for mid, found in readiness.items()}
    existing: dict[tuple[int, str], dict[str, Action]] = {}
    for action in session.scalars(
        select(Action)
        .where(Action.municipality_id.in_(ids))
        .options(joinedload(Action.owner), joinedload(Action.solution))
    ):
        existing.setdefault((action.municipality_id, action.subject_kind), {})[action.subject_key] = action
    now = utcnow()
    plan = Plan([], [])
    for municipality_id in ids:
        if municipality_id not in readiness:
            continue
        reason = reasons.get(municipality_id)
        rows = wanted_from_readiness(readiness[municipality_id].rows, day)
        mine = existing.get((municipality_id, "readiness"), {})
        plan_wanted(plan, municipality_id, "readiness", mine, rows, reason=reason, now=now)
        wanted, cancelled = wanted_from_transitions(transitions.get(municipality_id, []))
        mine = existing.get((municipality_id, "transition"), {})
        plan_wanted(plan, municipality_id, "transition", mine, wanted, reason=reason, closing=cancelled, now=now)
    return write_plan(session, plan, now)


def sync_municipality(
    session: Session,
    municipality: Municipality,
    *,
    day: date | None = None,
    reason: str | None = None,
) -> list[Action]:
    """Bring M's actions in line with its readiness rows on ``day`` and its portfolio's transitions now."""
    return follow_municipalities(session, [municipality.id], day=day, reasons={municipality.id: reason})


def concerned(session: Session, solution_ids: Iterable[int]) -> list[int]:
    """The municipalities whose portfolio uses one of the solutions, or a solution that reaches one as a broker
    (two queries, however many municipalities)."""
    wanted = set(solution_ids)
    if not wanted:
        return []
    edges = broker_edges(session)
    behind = wanted | {s for s in edges if wanted & reachable(edges, s)}
    return list(
        session.scalars(select(PortfolioEntry.municipality_id).where(PortfolioEntry.solution_id.in_(behind)).distinct())
    )


def on_change_event(event: ChangeEvent, *, session: Session, **_: Any) -> None:
    """The receiver of ``signals.change_event_appended``: ``on_change_events`` for one event."""
    on_change_events((event,), session=session)


def on_change_events(events: Sequence[ChangeEvent], *, session: Session, **_: Any) -> None:
    """The receiver of ``signals.change_events_appended`` (and, through ``on_change_event``, of
    ``change_event_appended``): follow the registry in every municipality the changes can reach, in one go.

    A municipality's own event (readiness) reaches that municipality; a registry change of a solution (or of one
    of its transitions) reaches every municipality whose portfolio uses the solution or a solution behind it (a
    broker's change reaches the solutions behind it). Actions' own events are ignored, and so are a solution's
    edits that no action follows (a name, a description, links)."""
    reasons: dict[int, str | None] = {}
    by_solution: dict[int, str | None] = {}
    for event in events:
        if event.type.startswith("action."):
            continue
        if event.type == "solution.updated" and not set(event.changes or {}) & ROUTE_FIELDS:
            continue
        if event.municipality_id is not None:
            reasons.setdefault(event.municipality_id, event.reason)
        elif event.solution_id is not None:
            by_solution.setdefault(event.solution_id, event.reason)
    if by_solution:
        reason = next(iter(by_solution.values()))
        for municipality_id in concerned(session, by_solution):
            reasons.setdefault(municipality_id, reason)
    if reasons:
        follow_municipalities(session, reasons, reasons=reasons)


def scheduled_follow(app: Flask) -> None:
    """The scheduler job ``follow_actions``: what the passing days move, in every municipality with a
    portfolio (a switch day reached, a staff group that has left, a planned change that took effect)."""
    with get_db(app).unit_of_work() as session:
        ids = set(session.scalars(select(PortfolioEntry.municipality_id).distinct()))
        ids |= set(session.scalars(select(Action.municipality_id).distinct()))
        changed = follow_municipalities(session, ids)
    if changed:
        log.info("actions: %s followed the registry", len(changed))
