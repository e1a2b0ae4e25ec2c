"""Reads and rules of transitions: every dated change a solution goes through (issue 22).

Public functions (others build on these; the writes are in ``tracker.registry.transition_writes``):

- ``transitions_for(session, solution_ids) -> dict[int, list[Transition]]``: each solution's transitions, the
  cancelled ones included, ordered by earliest day (unknown last); one statement however many solutions.
- ``next_transitions(session, solution_ids, today) -> dict[int, Transition]``: each solution's next transition
  (not cancelled, not done, latest day not before today; unknown dates count as ahead), one statement.
- ``list_transitions(session, TransitionFilter(...), limit=, offset=) -> (items, total)``: the API's list.
- ``upcoming_transitions(session, today, kind=None)``: not done yet, by act-by day ("Kommende skift").
- ``get_transition(session, id) -> Transition`` (404 in Danish), ``transition_history(session, t)``.
- ``lead_times(session) -> dict[kind, days]``; ``derived_act_by(earliest, days)``.
- ``validate(session, solution, after)``: the rules (act-by after the latest day, ``loa`` without a level,
  a replacement cycle, days outside 1900–2100, unknown vocabularies) as a Danish 422; nothing is written.
- ``is_done(t, today)``, ``act_by(t)``: a transition's state as the pages and calendars need it.
- ``stale_transitions(session, today)``: ``planned`` ones whose latest day has passed (to confirm).

A solution's *NSIS login transition* (``nsis_login``) mirrors its ``switch_*``/``loa_*`` columns, which remain
the canonical ``switch_date``/``required_loa`` of the API, pages, feeds, calendars, exports, webhooks and CLI:
``transition_writes.sync_nsis_login`` keeps the mirror after every change of the solution, and a change to the
mirror's date or level goes through ``registry.services.update_solution`` (announced, as always, by
``solution.switch_date.changed``/``solution.required_loa.changed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from tracker.errors import NotFound, ValidationError
from tracker.i18n import translated as _
from tracker.models import ChangeEvent, Solution, Transition, TransitionLeadTime
from tracker.models.vocab import (
    Confidence,
    Loa,
    Precision,
    SourceKind,
    SwitchState,
    TransitionCategory,
    TransitionKind,
    WhoMustAct,
)
from tracker.registry.facts import FIRST_DAY, LAST_DAY, day_problem

# Days between a transition's earliest day and the derived act-by day, until a coordinator changes them.
DEFAULT_LEAD_DAYS = {
    "login": 90,
    "loa": 90,
    "protocol": 180,
    "certificate": 60,
    "broker_version": 180,
    "wallet": 180,
    "decommission": 90,
    "organisation": 30,
}
NSIS_TITLE = "Login med NemLog-in/MitID Erhverv og NSIS-sikringsniveau"
NSIS_WHAT = "Sørg for, at den lokale IdP (eller MitID Erhverv) er anmeldt på mindst det krævede sikringsniveau."

# The columns a transition's date fact and level fact consist of, and the solution columns they mirror.
DATE_FIELDS = (
    "earliest_on",
    "latest_on",
    "precision",
    "text",
    "state",
    "status",
    "source_kind",
    "source_url",
    "evidence",
)
LOA_FIELDS = ("required_loa", "loa_status", "loa_source_kind", "loa_source_url", "loa_evidence")
ACT_FIELDS = ("act_by_on", "act_by_derived")
BASIC_FIELDS = (
    "kind",
    "title",
    "description",
    "category",
    "major",
    "who_must_act",
    "what_to_do",
    "replaced_by_solution_id",
)
EDITABLE_FIELDS = BASIC_FIELDS + DATE_FIELDS + LOA_FIELDS + ACT_FIELDS
NSIS_MIRROR = {
    "earliest_on": "switch_earliest_on",
    "latest_on": "switch_latest_on",
    "precision": "switch_precision",
    "text": "switch_text",
    "state": "switch_state",
    "status": "switch_status",
    "source_kind": "switch_source_kind",
    "source_url": "switch_source_url",
    "evidence": "switch_evidence",
    "recorded_by": "switch_recorded_by",
    "recorded_at": "switch_recorded_at",
    "required_loa": "loa_value",
    "loa_status": "loa_status",
    "loa_source_kind": "loa_source_kind",
    "loa_source_url": "loa_source_url",
    "loa_evidence": "loa_evidence",
    "loa_recorded_by": "loa_recorded_by",
    "loa_recorded_at": "loa_recorded_at",
}

_VOCAB: dict[str, tuple[str, ...]] = {
    "kind": tuple(TransitionKind),
    "category": tuple(TransitionCategory),
    "state": tuple(SwitchState),
    "status": tuple(Confidence),
    "precision": tuple(Precision),
    "required_loa": tuple(Loa),
    "loa_status": tuple(Confidence),
    "source_kind": tuple(SourceKind),
    "loa_source_kind": tuple(SourceKind),
}
_MAX_LEN = {"title": 200, "text": 200, "source_url": 1000, "loa_source_url": 1000}
_LONG = ("description", "what_to_do", "evidence", "loa_evidence")
FIRST, LAST = FIRST_DAY.isoformat(), LAST_DAY.isoformat()
DONE_STATES = (SwitchState.SWITCHED.value, SwitchState.CANCELLED.value)


def _by_day() -> list[Any]:
    return [Transition.earliest_on.asc().nulls_last(), Transition.id]


def transitions_for(session: Session, solution_ids: Iterable[int]) -> dict[int, list[Transition]]:
    """Each solution's transitions (cancelled included), by earliest day, unknown last; one statement."""
    ids = list(set(solution_ids))
    result: dict[int, list[Transition]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = session.scalars(
        select(Transition)
        .where(Transition.solution_id.in_(ids))
        .options(joinedload(Transition.replaced_by))
        .order_by(*_by_day())
    )
    for row in rows:
        result[row.solution_id].append(row)
    return result


def is_done(transition: Transition, today: date) -> bool:
    """Switched, cancelled, or its latest possible day has passed (a stale ``planned`` one included)."""
    if transition.state in DONE_STATES:
        return True
    last = transition.latest_on or transition.earliest_on
    return last is not None and last < today


def stale_transitions(session: Session, today: date, *, limit: int = 100) -> list[Transition]:
    """``planned`` transitions whose latest possible day has passed: facts to confirm, the oldest first (the
    NSIS login transitions left out: they mirror the switch, which ``stale_solutions`` lists)."""
    last = func.coalesce(Transition.latest_on, Transition.earliest_on)
    return list(
        session.scalars(
            select(Transition)
            .options(joinedload(Transition.solution))
            .where(
                Transition.state == SwitchState.PLANNED.value,
                Transition.nsis_login.is_(False),
                last.is_not(None),
                last < today,
            )
            .order_by(last, Transition.id)
            .limit(limit)
        )
    )


def next_transitions(session: Session, solution_ids: Iterable[int], today: date) -> dict[int, Transition]:
    """Each solution's next transition: the first that is not done by ``today`` (dated before undated)."""
    result: dict[int, Transition] = {}
    for solution_id, rows in transitions_for(session, solution_ids).items():
        ahead = [t for t in rows if not is_done(t, today)]
        if ahead:
            result[solution_id] = ahead[0]
    return result


def upcoming_transitions(
    session: Session, today: date, *, kind: str | None = None, limit: int = 200
) -> list[Transition]:
    """Transitions not done by ``today`` (not switched or cancelled, latest day not passed; undated ones too),
    by act-by day (unknown last), then day; optionally of one kind. One statement."""
    last = func.coalesce(Transition.latest_on, Transition.earliest_on)
    stmt = select(Transition).where(Transition.state.not_in(DONE_STATES), or_(last.is_(None), last >= today))
    if kind:
        stmt = stmt.where(Transition.kind == kind)
    return list(
        session.scalars(
            stmt.options(joinedload(Transition.solution), joinedload(Transition.replaced_by))
            .order_by(Transition.act_by_on.asc().nulls_last(), *_by_day())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class TransitionFilter:
    """The filters of ``GET /api/v1/transitions``."""

    kind: str | None = None
    category: str | None = None
    major: bool | None = None
    solution: str | None = None
    state: str | None = None
    after: date | None = None
    before: date | None = None
    act_by_before: date | None = None
    q: str | None = None


def _like(text: str) -> str:
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_transitions(
    session: Session, flt: TransitionFilter, *, limit: int, offset: int, order: str = "date"
) -> tuple[list[Transition], int]:
    """Transitions matching the filters, by earliest day (or ``order="act_by"``), with the total before paging."""
    stmt = select(Transition)
    if flt.kind:
        stmt = stmt.where(Transition.kind == flt.kind)
    if flt.category:
        stmt = stmt.where(Transition.category == flt.category)
    if flt.major is not None:
        stmt = stmt.where(Transition.major.is_(flt.major))
    if flt.state:
        stmt = stmt.where(Transition.state == flt.state)
    if flt.solution:
        stmt = stmt.where(
            Transition.solution_id == select(Solution.id).where(Solution.slug == flt.solution).scalar_subquery()
        )
    if flt.after:
        stmt = stmt.where(func.coalesce(Transition.latest_on, Transition.earliest_on) >= flt.after)
    if flt.before:
        stmt = stmt.where(Transition.earliest_on <= flt.before)
    if flt.act_by_before:
        stmt = stmt.where(Transition.act_by_on <= flt.act_by_before)
    if flt.q:
        pattern = _like(flt.q)
        stmt = stmt.where(
            or_(
                func.lower(Transition.title).like(pattern, escape="\\"),
                func.lower(func.coalesce(Transition.description, "")).like(pattern, escape="\\"),
                func.lower(func.coalesce(Transition.text, "")).like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    ordering = [Transition.act_by_on.asc().nulls_last(), *_by_day()] if order == "act_by" else _by_day()
    rows = session.scalars(
        stmt.options(joinedload(Transition.solution), joinedload(Transition.replaced_by))
        .order_by(*ordering)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def get_transition(session: Session, transition_id: int) -> Transition:
    """One transition, or a 404 a person understands."""
    row = session.scalar(
        select(Transition)
        .where(Transition.id == transition_id)
        .options(joinedload(Transition.solution), joinedload(Transition.replaced_by))
    )
    if row is None:
        raise NotFound(_("Der findes ingen overgang med id %(id)s.", id=transition_id))
    return row


NSIS_EVENT_TYPES = ("solution.switch_date.changed", "solution.required_loa.changed", "solution.created")


def transition_history(session: Session, transition: Transition, *, limit: int = 200) -> list[ChangeEvent]:
    """The transition's change events, newest first; an NSIS login transition's include its solution's date
    and level events (they announce its changes)."""
    own = ChangeEvent.data["transition"]["id"].as_integer() == transition.id
    mine = or_(own, ChangeEvent.type.in_(NSIS_EVENT_TYPES)) if transition.nsis_login else own
    stmt = (
        select(ChangeEvent)
        .where(ChangeEvent.solution_id == transition.solution_id, ChangeEvent.municipality_id.is_(None), mine)
        .order_by(ChangeEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def lead_times(session: Session) -> dict[str, int]:
    """Days of lead time per kind: the coordinators' settings over the defaults."""
    days = dict(DEFAULT_LEAD_DAYS)
    days.update({row.kind: row.days for row in session.scalars(select(TransitionLeadTime))})
    return days


def derived_act_by(earliest: date | None, days: int) -> date | None:
    """The act-by day a lead time gives (None without an earliest day)."""
    return earliest - timedelta(days=days) if earliest is not None else None


def act_by(transition: Transition) -> date | None:
    """The day to have acted by (stated or derived)."""
    return transition.act_by_on


def _field_problems(after: dict[str, Any]) -> dict[str, str]:
    problems: dict[str, str] = {}
    for field, value in after.items():
        if field in _VOCAB and value is not None and value not in _VOCAB[field]:
            problems[field] = _("Skal være en af: %(values)s.", values=", ".join(_VOCAB[field]))
        elif field in _MAX_LEN and isinstance(value, str) and len(value) > _MAX_LEN[field]:
            problems[field] = _("Højst %(n)s tegn.", n=_MAX_LEN[field])
        elif field in _LONG and isinstance(value, str) and len(value) > 5000:
            problems[field] = _("Højst %(n)s tegn.", n=5000)
        elif field in ("earliest_on", "latest_on", "act_by_on") and value is not None and day_problem(value):
            problems[field] = _(
                "Datoen skal ligge mellem %(first)s og %(last)s.", first="1900-01-01", last="2100-12-31"
            )
    if not (isinstance(after.get("title"), str) and after["title"].strip()):
        problems["title"] = _("Titlen må ikke være tom.")
    for field in ("kind", "category", "state", "status", "precision", "loa_status"):
        if after.get(field) is None:
            problems[field] = _("Må ikke være tomt.")
    who = after.get("who_must_act") or []
    if not isinstance(who, list) or any(w not in tuple(WhoMustAct) for w in who):
        problems["who_must_act"] = _("Skal være en liste med: %(values)s.", values=", ".join(WhoMustAct))
    return problems


def validate(
    session: Session,
    solution: Solution,
    after: dict[str, Any],
    *,
    transition_id: int | None = None,
    touched: set[str] | None = None,
) -> None:
    """Check a transition as it would be after a change (every editable field in ``after``); a Danish 422.

    Rules: known vocabularies; days within 1900–2100; earliest ≤ latest; the act-by day not after the latest
    day; a ``loa`` transition names a level; a ``decommission`` replacement is another solution and closes no
    cycle of replacements; ``confirmed`` only with a source (address or evidence), checked on the facts
    ``touched`` (None: all), as a solution's.
    """
    problems = _field_problems(after)
    for status, url, evidence in (
        ("status", "source_url", "evidence"),
        ("loa_status", "loa_source_url", "loa_evidence"),
    ):
        if touched is not None and not touched & {status, url, evidence}:
            continue
        if after.get(status) == Confidence.CONFIRMED and not (
            (after.get(url) or "").strip() or (after.get(evidence) or "").strip()
        ):
            problems[status] = _("Bekræftet kræver en kilde: angiv kildens adresse eller belægget.")
    if problems:
        raise ValidationError(_("Nogle felter er ugyldige."), problems)
    earliest, latest, act = after.get("earliest_on"), after.get("latest_on"), after.get("act_by_on")
    if earliest and latest and earliest > latest:
        raise ValidationError(
            _("Overgangens første dag ligger efter den sidste."),
            {"latest_on": _("Skal være samme dag som eller senere end første dag.")},
        )
    last = latest or earliest
    if act and last and act > last:
        raise ValidationError(
            _("Handlingsfristen ligger efter overgangens sidste dag."),
            {"act_by": _("Skal ligge senest på overgangens sidste dag (%(day)s).", day=last.isoformat())},
        )
    if after.get("kind") == TransitionKind.LOA and after.get("required_loa") in (None, Loa.UKENDT.value):
        raise ValidationError(
            _("En overgang af typen 'loa' skal angive det krævede sikringsniveau."),
            {"required_loa": _("Angiv lav, betydelig eller hoej.")},
        )
    replaced_by = after.get("replaced_by_solution_id")
    if replaced_by is not None:
        if after.get("kind") != TransitionKind.DECOMMISSION:
            raise ValidationError(
                _("Kun en overgang af typen 'decommission' kan angive en afløser."),
                {"replaced_by": _("Kun ved nedlukning.")},
            )
        _check_no_cycle(session, solution.id, replaced_by, transition_id)


def _check_no_cycle(session: Session, solution_id: int, replaced_by: int, transition_id: int | None) -> None:
    """Refuse a replacement that leads back to the solution (A → B → … → A), itself included."""
    edges: dict[int, set[int]] = {}
    rows = session.execute(
        select(Transition.solution_id, Transition.replaced_by_solution_id).where(
            Transition.replaced_by_solution_id.is_not(None),
            Transition.state != SwitchState.CANCELLED.value,
            Transition.id != (transition_id or -1),
        )
    )
    for source, target in rows:
        if target is not None:
            edges.setdefault(source, set()).add(target)
    seen: set[int] = set()
    todo = [replaced_by]
    while todo:
        current = todo.pop()
        if current == solution_id:
            raise ValidationError(
                _("Afløseren ville danne en ring: løsningen ville i sidste ende afløse sig selv."),
                {"replaced_by": _("Giver en ring af afløsere.")},
            )
        if current in seen:
            continue
        seen.add(current)
        todo.extend(edges.get(current, ()))
