"""Writes of transitions: create, change (If-Match version), lead times. Each change appends its events.

Events (``registry.events``): ``transition.created``; ``transition.date_changed`` when the date, its provenance
or the act-by day changed; ``transition.cancelled`` when the state became ``cancelled``; ``transition.updated``
for everything else. Every event's ``data.transition`` names the transition (id, kind, category, major, title,
act-by day), so feeds, webhooks and calendars filter without another read.

A change to an NSIS login transition's date or level is a change of its solution's ``switch_date`` or
``required_loa``: it goes through ``services.update_solution`` (its events, readiness, the mirror's sync). Any other
write sends ``signals.solution_changing`` with ``transitions=True`` around it, so a ``loa`` transition created,
re-dated, re-levelled or cancelled is one ``municipality.readiness.changed`` per municipality whose readiness moved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import signals
from tracker.clock import utcnow
from tracker.errors import PreconditionFailed, ValidationError
from tracker.i18n import translated as _
from tracker.models import ChangeEvent, Solution, Transition, TransitionLeadTime
from tracker.models.vocab import Confidence, Precision, SwitchState, TransitionCategory, TransitionKind
from tracker.registry import services
from tracker.registry.actors import Actor
from tracker.registry.events import append_event, gathering
from tracker.registry.facts import json_value
from tracker.registry.transition_mirror import sync_nsis_login
from tracker.registry.transitions import (
    ACT_FIELDS,
    BASIC_FIELDS,
    DATE_FIELDS,
    EDITABLE_FIELDS,
    LOA_FIELDS,
    NSIS_MIRROR,
    derived_act_by,
    lead_times,
    validate,
)

DEFAULTS: dict[str, Any] = {
    "description": None,
    "earliest_on": None,
    "latest_on": None,
    "precision": Precision.UNKNOWN.value,
    "text": None,
    "state": SwitchState.UNKNOWN.value,
    "status": Confidence.UNKNOWN.value,
    "source_kind": None,
    "source_url": None,
    "evidence": None,
    "act_by_on": None,
    "act_by_derived": False,
    "required_loa": None,
    "loa_status": Confidence.UNKNOWN.value,
    "loa_source_kind": None,
    "loa_source_url": None,
    "loa_evidence": None,
    "category": TransitionCategory.STAY_INFORMED.value,
    "major": False,
    "who_must_act": [],
    "what_to_do": None,
    "replaced_by_solution_id": None,
}


def transition_ref(transition: Transition) -> dict[str, Any]:
    """What an event says about its transition (consumers filter on kind, category, major)."""
    return {
        "id": transition.id,
        "kind": transition.kind,
        "title": transition.title,
        "category": transition.category,
        "major": transition.major,
        "act_by": json_value(transition.act_by_on),
        "earliest": json_value(transition.earliest_on),
        "nsis_login": transition.nsis_login,
    }


def _derive_act_by(after: dict[str, Any], given: set[str], lead: dict[str, int]) -> None:
    """An act-by day given is stated; none given (or null) is derived from the earliest day by the kind's lead."""
    if "act_by_on" in given and after.get("act_by_on") is not None:
        after["act_by_derived"] = False
        return
    if "act_by_on" in given or after.get("act_by_derived") or after.get("act_by_on") is None:
        after["act_by_on"] = derived_act_by(after.get("earliest_on"), lead[after["kind"]])
        after["act_by_derived"] = after["act_by_on"] is not None


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS) - {"act_by_derived"})
    if unknown:
        raise ValidationError(_("Nogle felter er ugyldige."), {f: _("Feltet kan ikke ændres.") for f in unknown})
    if "kind" in fields and fields["kind"] not in tuple(TransitionKind):
        raise ValidationError(
            _("Ukendt type af overgang."),
            {"kind": _("Skal være en af: %(values)s.", values=", ".join(TransitionKind))},
        )


def prepare_new(session: Session, solution: Solution, fields: dict[str, Any]) -> dict[str, Any]:
    """Every field a new transition would have (act-by derived as it would be), checked by the rules of
    ``transitions.validate``: a Danish 422 when they refuse it. Nothing is written (proposals check with it)."""
    _check_fields(fields)
    after = {**DEFAULTS, **fields}
    after.setdefault("kind", None)
    after.setdefault("title", None)
    if after["kind"] is not None:
        _derive_act_by(after, set(fields), lead_times(session))
    validate(session, solution, after)
    return after


def _mirrored(transition: Transition, changes: dict[str, Any]) -> dict[str, Any]:
    """An NSIS login transition's changed date and level, as the solution's fields they mirror (its kind is
    fixed: it follows the solution's level)."""
    if "kind" in changes and changes["kind"] != transition.kind:
        raise ValidationError(
            _("NSIS-login-overgangens type følger løsningens sikringsniveau og kan ikke ændres."),
            {"kind": _("Kan ikke ændres her.")},
        )
    mirrored = {NSIS_MIRROR[f]: v for f, v in changes.items() if f in NSIS_MIRROR}
    if mirrored and mirrored.get("loa_value", transition.solution.loa_value) is None:
        mirrored["loa_value"] = "ukendt"
    return mirrored


def prepare_change(session: Session, transition: Transition, changes: dict[str, Any]) -> set[str]:
    """The fields a change would change, checked by the rules ``update_transition`` applies (an NSIS login
    transition's date and level also as a change of its solution): a Danish 422 when they refuse it. Nothing is
    written (proposals check with it)."""
    _check_fields(changes)
    solution = transition.solution
    if transition.nsis_login:
        mirrored = _mirrored(transition, changes)
        if mirrored:
            services.validate_changes(solution, mirrored)
    current = {f: getattr(transition, f) for f in EDITABLE_FIELDS}
    after = {**current, **changes}
    _derive_act_by(after, set(changes), lead_times(session))
    changed = {f for f in EDITABLE_FIELDS if json_value(after[f]) != json_value(current[f])}
    if changed:
        validate(session, solution, after, transition_id=transition.id, touched=changed)
    return changed


@gathering
def create_transition(
    session: Session,
    solution: Solution,
    fields: dict[str, Any],
    *,
    actor: Actor,
    reason: str | None = None,
    starter_key: str | None = None,
    source: tuple[str | None, str | None] | None = None,
) -> Transition:
    """Create a transition of a solution (validated first; nothing written on a 422); appends its event.

    ``source``: the event's source (kind, URL) when it is not the transition's date source (a proposal's)."""
    after = prepare_new(session, solution, fields)
    readiness = _watch_readiness(session, solution)
    now = utcnow()
    transition = Transition(solution_id=solution.id, nsis_login=False, starter_key=starter_key, version=1, **after)
    transition.title = str(after["title"]).strip()
    transition.created_at = transition.updated_at = now
    if fields.keys() & set(DATE_FIELDS):
        transition.recorded_by, transition.recorded_at = actor.label, now
    if fields.keys() & set(LOA_FIELDS):
        transition.loa_recorded_by, transition.loa_recorded_at = actor.label, now
    session.add(transition)
    session.flush()
    shown = {f: json_value(getattr(transition, f)) for f in ("kind", "title", *fields, *ACT_FIELDS)}
    transition.__dict__["_created_event"] = append_event(
        session,
        type="transition.created",
        actor=actor,
        solution=solution,
        changes={f: {"before": None, "after": v} for f, v in shown.items()},
        source_kind=source[0] if source else transition.source_kind,
        source_url=source[1] if source else transition.source_url,
        reason=reason,
        data={"transition": transition_ref(transition)},
    )
    for callback in readiness:
        callback(actor, reason)
    return transition


def _watch_readiness(session: Session, solution: Solution) -> list[Callable[[Actor, str | None], Any]]:
    """Before a transition of ``solution`` is written: the receivers of ``signals.solution_changing`` (readiness
    over time: a ``loa`` transition is a requirement step) remember, and their callbacks run after the write."""
    return [after for _, after in signals.solution_changing.send(solution, session=session, transitions=True)]


def _event_groups(changed: set[str], state_after: str) -> list[tuple[str, tuple[str, ...]]]:
    groups: list[tuple[str, tuple[str, ...]]] = []
    date_fields = (*DATE_FIELDS, *ACT_FIELDS)
    if changed & set(date_fields):
        kind = (
            "transition.cancelled" if "state" in changed and state_after == "cancelled" else "transition.date_changed"
        )
        groups.append((kind, date_fields))
    if changed & {*BASIC_FIELDS, *LOA_FIELDS}:
        groups.append(("transition.updated", (*BASIC_FIELDS, *LOA_FIELDS)))
    return groups


@gathering
def update_transition(
    session: Session,
    transition: Transition,
    changes: dict[str, Any],
    *,
    actor: Actor,
    reason: str | None = None,
    accepted_versions: set[int] | None = None,
    source: tuple[str | None, str | None] | None = None,
) -> list[ChangeEvent]:
    """Apply changes if the transition is still a version ``accepted_versions`` names (None: any); its events.

    ``source``: the events' source (kind, URL) when it is not the transition's date source (a proposal's)."""
    if accepted_versions is not None and transition.version not in accepted_versions:
        raise PreconditionFailed(
            _("Overgangen er ændret af en anden i mellemtiden. Hent den igen og gentag ændringen."),
            {"current_version": transition.version},
        )
    _check_fields(changes)
    solution = transition.solution
    events: list[ChangeEvent] = []
    if transition.nsis_login:
        mirrored = _mirrored(transition, changes)
        if mirrored:
            events += services.update_solution(session, solution, mirrored, actor=actor, reason=reason)
            sync_nsis_login(session, solution)
        changes = {f: v for f, v in changes.items() if f not in NSIS_MIRROR}
    current = {f: getattr(transition, f) for f in EDITABLE_FIELDS}
    after = {**current, **changes}
    _derive_act_by(after, set(changes), lead_times(session))
    changed = {f for f in EDITABLE_FIELDS if json_value(after[f]) != json_value(current[f])}
    if not changed:
        return events
    validate(session, solution, after, transition_id=transition.id, touched=changed)
    # The NSIS login transition's level and date are the solution's, whose change has told readiness already.
    readiness = [] if transition.nsis_login else _watch_readiness(session, solution)
    before = {f: json_value(current[f]) for f in changed}
    now = utcnow()
    for field in changed:
        setattr(transition, field, after[field])
    if changed & set(DATE_FIELDS):
        transition.recorded_by, transition.recorded_at = actor.label, now
    if changed & set(LOA_FIELDS):
        transition.loa_recorded_by, transition.loa_recorded_at = actor.label, now
    transition.version += 1
    transition.updated_at = now
    session.flush()
    for event_type, group in _event_groups(changed, transition.state):
        fields = [f for f in group if f in changed]
        events.append(
            append_event(
                session,
                type=event_type,
                actor=actor,
                solution=solution,
                changes={f: {"before": before[f], "after": json_value(after[f])} for f in fields},
                source_kind=source[0] if source else transition.source_kind,
                source_url=source[1] if source else transition.source_url,
                reason=reason,
                data={"transition": transition_ref(transition)},
            )
        )
    for callback in readiness:
        callback(actor, reason)
    return events


@gathering
def set_lead_time(session: Session, kind: str, days: int, *, actor: Actor) -> int:
    """Change a kind's lead time; every derived act-by day of that kind follows. Returns how many moved."""
    if kind not in tuple(TransitionKind):
        raise ValidationError(_("Ukendt type af overgang."), {"kind": _("Ukendt type.")})
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 3650:
        raise ValidationError(_("Nogle felter er ugyldige."), {"days": _("Skal være et heltal mellem 0 og 3650.")})
    row = session.get(TransitionLeadTime, kind)
    now = utcnow()
    if row is None:
        row = TransitionLeadTime(kind=kind, days=days, updated_by=actor.label, updated_at=now)
        session.add(row)
    else:
        row.days, row.updated_by, row.updated_at = days, actor.label, now
    session.flush()
    moved = 0
    rows = session.scalars(
        select(Transition).where(
            Transition.kind == kind, Transition.act_by_derived.is_(True), Transition.earliest_on.is_not(None)
        )
    ).all()
    for transition in rows:
        day = derived_act_by(transition.earliest_on, days)
        if day == transition.act_by_on:
            continue
        before = json_value(transition.act_by_on)
        transition.act_by_on = day
        transition.version += 1
        transition.updated_at = now
        session.flush()
        append_event(
            session,
            type="transition.date_changed",
            actor=actor,
            solution=transition.solution,
            changes={"act_by_on": {"before": before, "after": json_value(day)}},
            reason=f"Varslingstiden for {kind} er nu {days} dage.",  # history keeps Danish
            data={"transition": transition_ref(transition)},
        )
        moved += 1
    return moved


# Proposals carry the solution's switch fields; a scraper's finding names the kind of transition its date is.
NSIS_KINDS = (TransitionKind.LOGIN.value, TransitionKind.LOA.value)
_KIND_TITLES = {
    "protocol": "Protokolskift",
    "certificate": "Certifikatskift",
    "broker_version": "Ny brokerversion",
    "wallet": "Identitetstegnebog",
    "decommission": "Lukning",
    "organisation": "Organisationsændring",
}


def create_from_switch_fields(
    session: Session,
    solution: Solution,
    kind: str,
    changes: dict[str, Any],
    *,
    actor: Actor,
    reason: str | None,
    title: str | None = None,
) -> Transition:
    """A transition of ``kind`` from a proposal's switch-date fields (``switch_*``): a date that is not the
    solution's NSIS login switch (a certificate, a protocol …) becomes its own transition, never the switch date."""
    from_solution = {column: field for field, column in NSIS_MIRROR.items()}
    fields = {from_solution[k]: v for k, v in changes.items() if k.startswith("switch_") and k in from_solution}
    fields.pop("recorded_by", None)
    fields.pop("recorded_at", None)
    fields["kind"] = kind
    fields["title"] = title or _KIND_TITLES.get(kind, kind)
    return create_transition(session, solution, fields, actor=actor, reason=reason)


def created_event(transition: Transition) -> ChangeEvent | None:
    """The ``transition.created`` event of a transition created in this session (None otherwise)."""
    event: ChangeEvent | None = transition.__dict__.get("_created_event")
    return event
