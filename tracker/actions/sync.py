"""Actions follow the registry, never silently.

``sync_municipality`` materialises one action per readiness row that asks the municipality to act and brings
existing ones in line with what the registry now says, writing a history line (and an ``action.updated`` event)
for every change it makes:

- a due day that was the default follows the act-by day; a day set by hand stays, unless the act-by day moved
  before it (then it moves to the act-by day, and says so);
- a stricter requirement or another day reopens a ``done`` action with the reason;
- a row that no longer asks to act closes an open action as ``not_relevant`` with the reason (and reopens it if
  the row asks again).

``on_change_event`` (a receiver of ``signals.change_event_appended``) runs it for the municipalities a registry
change can reach: those whose actions exist already; the others materialise on first read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import signals
from tracker.actions import texts
from tracker.actions.events import emit_updated
from tracker.clock import today_in_denmark, utcnow
from tracker.models import Action, ActionChange, ChangeEvent, Municipality, PortfolioEntry, Transition
from tracker.models.vocab import LOA_RANK, Loa, SwitchState, WhoMustAct
from tracker.municipalities.readiness import ActionCode, Readiness, ReadinessRow, Status, municipality_readiness
from tracker.registry.brokers import broker_edges, reachable
from tracker.registry.transitions import transitions_for

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
        driver = row.requirement_from
        level = driver.loa_value if driver is not None and driver.loa_value in LOA_RANK_KEYS else None
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


def _apply(action: Action, changes: dict[str, Any], want: Wanted | None) -> None:
    for field, (_before, after) in changes.items():
        if field in ("act_by_on", "due_on"):
            setattr(action, field, date.fromisoformat(after) if after else None)
        else:
            setattr(action, field, after)
    if "status" in changes:
        action.closed_by_registry = changes["status"][1] == "not_relevant"
    if want is not None:
        action.solution_id, action.idp_id = want.solution_id, want.idp_id


def sync_wanted(
    session: Session,
    municipality: Municipality,
    kind: str,
    wanted: dict[str, Wanted],
    *,
    reason: str | None = None,
    closing: dict[str, str] | None = None,
) -> list[Action]:
    """Create, follow and close ``kind`` actions of M so that they match ``wanted``; returns changed actions.

    A subject that no longer asks closes its open action as ``not_relevant`` with the reason ``closing`` gives
    for its key (a cancelled transition), else "no longer asks"."""
    existing = {
        a.subject_key: a
        for a in session.scalars(
            select(Action).where(Action.municipality_id == municipality.id, Action.subject_kind == kind)
        )
    }
    changed: list[Action] = []
    now = utcnow()
    for key, want in wanted.items():
        action = existing.pop(key, None)
        if action is None:
            action = Action(
                municipality_id=municipality.id,
                subject_kind=kind,
                subject_key=key,
                solution_id=want.solution_id,
                idp_id=want.idp_id,
                transition_id=want.transition_id,
                code=want.code,
                basis_level=want.level,
                act_by_on=want.act_by,
                open_in_registry=True,
                status="new",
                closed_by_registry=False,
                due_on=want.act_by,
                due_is_default=True,
                version=1,
                created_at=now,
                updated_at=now,
            )
            session.add(action)
            continue
        changes, reasons = follow(action, want)
        if not changes:
            continue
        _apply(action, changes, want)
        session.flush()
        note = " ".join([*reasons, reason] if reason else reasons) or None
        record(session, action, changes, actor_id=None, actor_label=texts.REGISTRY_LABEL, reason=note)
        if reasons or {"status", "due_on"} & changes.keys():
            emit_updated(session, action, changes, actor=None, reason=note)
            signals.action_followed_registry.send(action, session=session, changes=changes, reason=note)
        changed.append(action)
    for action in existing.values():
        if not action.open_in_registry:
            continue
        why = (closing or {}).get(action.subject_key) or texts.no_longer_asked_reason()
        changes = {"open_in_registry": [True, False]}
        if action.status in OPEN_STATUSES:
            changes["status"] = [action.status, "not_relevant"]
            changes["status_reason"] = [action.status_reason, why]
        _apply(action, changes, None)
        note = why + (f" {reason}" if reason and reason not in why else "")
        record(session, action, changes, actor_id=None, actor_label=texts.REGISTRY_LABEL, reason=note)
        if "status" in changes:
            emit_updated(session, action, changes, actor=None, reason=note)
            signals.action_followed_registry.send(action, session=session, changes=changes, reason=note)
        changed.append(action)
    session.flush()
    return changed


ACTING = {WhoMustAct.MUNICIPALITIES.value, WhoMustAct.LOCAL_IDP_OPERATORS.value}


def transition_key(transition_id: int) -> str:
    """The subject key of a transition."""
    return f"transition:{transition_id}"


def portfolio_transitions(session: Session, municipality: Municipality) -> list[Transition]:
    """The transitions of M's portfolio's solutions and of the brokers staff reach them through that ask
    municipalities or local IdP operators to act (cancelled included; the NSIS login transition is the
    readiness rows' subject, so it is left out here)."""
    used = list(
        session.scalars(select(PortfolioEntry.solution_id).where(PortfolioEntry.municipality_id == municipality.id))
    )
    if not used:
        return []
    edges = broker_edges(session)
    ids = set(used).union(*(reachable(edges, s) for s in used))
    return [
        t
        for rows in transitions_for(session, ids).values()
        for t in rows
        if not t.nsis_login and ACTING & set(t.who_must_act or ())
    ]


def wanted_from_transitions(transitions: list[Transition]) -> tuple[dict[str, Wanted], dict[str, str]]:
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


def sync_municipality(
    session: Session,
    municipality: Municipality,
    *,
    day: date | None = None,
    reason: str | None = None,
    readiness: Readiness | None = None,
) -> list[Action]:
    """Bring M's actions in line with its readiness rows (``readiness``: computed already for ``day``) and its
    portfolio's transitions now (idempotent)."""
    day = day or today_in_denmark()
    readiness = readiness or municipality_readiness(session, municipality, today=day)
    changed = sync_wanted(session, municipality, "readiness", wanted_from_readiness(readiness.rows, day), reason=reason)
    wanted, cancelled = wanted_from_transitions(portfolio_transitions(session, municipality))
    return changed + sync_wanted(session, municipality, "transition", wanted, reason=reason, closing=cancelled)


def has_actions(session: Session, municipality_id: int) -> bool:
    """Whether M's actions have been materialised (the registry keeps them in line from then on)."""
    return session.scalar(select(Action.id).where(Action.municipality_id == municipality_id).limit(1)) is not None


def concerned(session: Session, solution_id: int) -> list[int]:
    """The municipalities with actions whose portfolio uses the solution, or a solution that reaches it as a
    broker (at most four queries, however many municipalities)."""
    if session.scalar(select(Action.id).limit(1)) is None:
        return []  # no municipality has opened its actions yet: nothing to follow
    edges = broker_edges(session)
    behind = {solution_id} | {s for s in edges if solution_id in reachable(edges, s)}
    return list(
        session.scalars(
            select(PortfolioEntry.municipality_id)
            .where(
                PortfolioEntry.solution_id.in_(behind),
                PortfolioEntry.municipality_id.in_(select(Action.municipality_id).distinct()),
            )
            .distinct()
        )
    )


def on_change_event(event: ChangeEvent, *, session: Session, **_: Any) -> None:
    """The receiver of ``signals.change_event_appended``: re-sync the municipalities the change can reach.

    A municipality's own event (readiness) re-syncs that municipality; a registry change of a solution (or of
    one of its transitions) re-syncs the municipalities whose actions exist and whose portfolio uses the solution
    or a solution behind it (a broker's change reaches the solutions behind it). Actions' own events are ignored.
    """
    if event.type.startswith("action."):
        return
    if event.type == "solution.updated" and not set(event.changes or {}) & ROUTE_FIELDS:
        return  # a name, a description, links: nothing an action follows
    if event.municipality_id is not None:
        ids = [event.municipality_id] if has_actions(session, event.municipality_id) else []
    elif event.solution_id is not None:
        ids = concerned(session, event.solution_id)
    else:
        return
    for municipality_id in sorted(ids):
        municipality = session.get(Municipality, municipality_id)
        if municipality is not None:
            sync_municipality(session, municipality, reason=event.reason)
