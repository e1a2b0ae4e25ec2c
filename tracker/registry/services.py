"""Writes to the registry. Every change bumps the solution's version and appends change events.

Services take the session, only flush, and never read request globals (house rule 3).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import signals
from tracker.clock import utcnow
from tracker.errors import Conflict, PreconditionFailed, ValidationError
from tracker.i18n import translated as _
from tracker.models import ChangeEvent, Organisation, Solution
from tracker.models.vocab import Confidence, Loa, Precision, SolutionKind, SourceKind, SwitchState
from tracker.registry import brokers, names
from tracker.registry.actors import Actor
from tracker.registry.events import append_event, gathering
from tracker.registry.facts import BASIC_FIELDS, EDITABLE_FIELDS, LOA_FIELDS, SWITCH_FIELDS, day_problem, json_value
from tracker.registry.names import slugify
from tracker.registry.transition_mirror import sync_nsis_login

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,78}[a-z0-9]$|^[a-z0-9]$")

_VOCAB: dict[str, tuple[str, ...]] = {
    "kind": tuple(SolutionKind),
    "loa_value": tuple(Loa),
    "loa_status": tuple(Confidence),
    "switch_status": tuple(Confidence),
    "switch_state": tuple(SwitchState),
    "switch_precision": tuple(Precision),
    "loa_source_kind": tuple(SourceKind),
    "switch_source_kind": tuple(SourceKind),
}
_MAX_LEN = {
    "name": 200,
    "broker": 80,
    "switch_text": 200,
    "loa_source_url": 1000,
    "switch_source_url": 1000,
    "description": 5000,
    "loa_evidence": 5000,
    "switch_evidence": 5000,
}


def check_name(session: Session, name: str, solution: Solution | None = None) -> None:
    """Refuse a name that mixes look-alike scripts in a word (422) or reads as another solution's name (409)."""
    if (word := names.mixed_word(name)) is not None:
        raise ValidationError(
            _("Navnet blander skriftsystemer i ét ord (fx et kyrillisk eller græsk bogstav i et latinsk navn)."),
            {"name": _("'%(word)s' blander bogstaver fra flere skriftsystemer.", word=word)},
        )
    others = session.scalars(select(Solution.name).where(Solution.id != (solution.id if solution else -1)))
    if (twin := names.look_alike(name, others)) is not None:
        raise Conflict(
            _("Navnet kan forveksles med '%(twin)s', som allerede findes.", twin=twin),
            {"name": _("Ligner et andet navn.")},
        )


def _validate(changes: dict[str, Any]) -> None:
    """Check each value against its vocabulary, type and length; collect every problem at once."""
    problems: dict[str, str] = {}
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            problems[field] = "Feltet kan ikke ændres."
            continue
        if field in _VOCAB and value is not None and value not in _VOCAB[field]:
            problems[field] = f"Skal være en af: {', '.join(_VOCAB[field])}."
        elif field in _MAX_LEN and isinstance(value, str) and len(value) > _MAX_LEN[field]:
            problems[field] = f"Højst {_MAX_LEN[field]} tegn."
        elif field in {"switch_earliest_on", "switch_latest_on"} and value is not None and day_problem(value):
            problems[field] = day_problem(value) or ""
        elif field == "name" and not (isinstance(value, str) and value.strip()):
            problems[field] = "Navnet må ikke være tomt."
        elif field in {
            "kind",
            "loa_value",
            "loa_status",
            "switch_state",
            "switch_status",
            "switch_precision",
        } and (value is None):
            problems[field] = "Må ikke være tomt."
    if problems:
        raise ValidationError("registry.fields_invalid", problems)


NO_SOURCE = "Bekræftet kræver en kilde: angiv kildens adresse eller belægget (hvad, hvor og hvornår)."


def _check_provenance(solution: Solution | None, changes: dict[str, Any]) -> None:
    """'confirmed' only with a source URL or evidence, checked on the fact as it will be after the change.

    Only facts the change touches are checked, so an old confirmed fact without a source does not block an
    unrelated edit; touching it (its status or its source) must leave it with one.
    """
    problems: dict[str, str] = {}
    for prefix in ("loa", "switch"):
        names = [f"{prefix}_status", f"{prefix}_source_url", f"{prefix}_evidence"]
        if not changes.keys() & set(names):
            continue

        def after(field: str) -> Any:
            return changes[field] if field in changes else (getattr(solution, field) if solution else None)

        if after(f"{prefix}_status") == Confidence.CONFIRMED and not (
            (after(f"{prefix}_source_url") or "").strip() or (after(f"{prefix}_evidence") or "").strip()
        ):
            problems[f"{prefix}_status"] = NO_SOURCE
    if problems:
        raise ValidationError(NO_SOURCE, problems)


def validate_changes(solution: Solution | None, changes: dict[str, Any]) -> None:
    """Check changes by ``update_solution``'s rules without applying them (proposals, forms, pre-checks).

    With a solution, the switch interval is checked as it would be after the change, so a caller can
    refuse bad input before anything is written (and before autoflush could meet a CHECK constraint).
    """
    _validate(changes)
    _check_provenance(solution, changes)

    def after(field: str) -> Any:
        if field in changes:
            return changes[field]
        return getattr(solution, field) if solution is not None else None

    earliest, latest = after("switch_earliest_on"), after("switch_latest_on")
    if earliest and latest and earliest > latest:
        raise ValidationError(
            "registry.switch_date_range_reversed",
            {"switch_latest_on": _("Skal være samme dag som eller senere end første dag.")},
        )


def checked_brokers(session: Session, solution: Solution, changes: dict[str, Any]) -> list[Solution] | None:
    """``validate_changes``, and the brokers the change would leave the solution with (None: not changed).

    For what-if callers (impact previews): everything ``update_solution`` would refuse is refused here too.
    """
    validate_changes(solution, changes)
    return brokers.resolve(session, solution, changes["brokers"]) if "brokers" in changes else None


def _check_interval(solution: Solution) -> None:
    earliest, latest = solution.switch_earliest_on, solution.switch_latest_on
    if earliest and latest and earliest > latest:
        raise ValidationError(
            "registry.switch_date_range_reversed",
            {"switch_latest_on": _("Skal være samme dag som eller senere end første dag.")},
        )


def _event_type_for(fields: set[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Group changed fields into events: one per tracked fact, the rest as solution.updated."""
    groups: list[tuple[str, tuple[str, ...]]] = []
    if fields & set(SWITCH_FIELDS):
        groups.append(("solution.switch_date.changed", SWITCH_FIELDS))
    if fields & set(LOA_FIELDS):
        groups.append(("solution.required_loa.changed", LOA_FIELDS))
    if fields & set(BASIC_FIELDS):
        groups.append(("solution.updated", BASIC_FIELDS))
    return groups


def create_solution(
    session: Session,
    *,
    actor: Actor,
    slug: str | None,
    name: str,
    fields: dict[str, Any] | None = None,
    reason: str | None = None,
) -> Solution:
    """Create a solution (facts unknown unless given) and append ``solution.created``."""
    fields = dict(fields or {})
    check_name(session, name)
    slug = slug or slugify(name)
    if not SLUG_RE.fullmatch(slug):  # fullmatch: "$" alone would let "aula\n" through
        raise ValidationError("registry.slug_invalid", {"slug": "Kun små bogstaver a-z, tal og bindestreg."})
    if session.scalar(select(Solution.id).where(Solution.slug == slug)) is not None:
        raise Conflict("registry.solution_slug_taken", {"slug": "Findes allerede."}, slug=slug)
    _validate({"name": name, **fields})
    _check_provenance(None, fields)
    solution = Solution(slug=slug, name=name.strip(), aliases=[], links=[], version=1)
    now = utcnow()
    given_brokers = "brokers" in fields
    if given_brokers:
        solution.broker_solutions = brokers.resolve(session, None, fields.pop("brokers"))
    for field, value in fields.items():
        setattr(solution, field, value)
    if fields.keys() & set(LOA_FIELDS):
        solution.loa_recorded_by, solution.loa_recorded_at = actor.label, now
    if fields.keys() & set(SWITCH_FIELDS):
        solution.switch_recorded_by, solution.switch_recorded_at = actor.label, now
    _check_interval(solution)
    session.add(solution)
    session.flush()
    after = {f: json_value(getattr(solution, f)) for f in ("name", *fields, *(["brokers"] if given_brokers else []))}
    append_event(
        session,
        type="solution.created",
        actor=actor,
        solution=solution,
        changes={f: {"before": None, "after": v} for f, v in after.items()},
        source_kind=fields.get("loa_source_kind") or fields.get("switch_source_kind"),
        source_url=fields.get("loa_source_url") or fields.get("switch_source_url"),
        reason=reason,
    )
    sync_nsis_login(session, solution)  # its NSIS login transition, once it has a fact
    return solution


@gathering
def update_solution(
    session: Session,
    solution: Solution,
    changes: dict[str, Any],
    *,
    actor: Actor,
    reason: str | None = None,
    expected_version: int | None = None,
) -> list[ChangeEvent]:
    """Apply field changes; append one event per tracked fact that changed. No-op changes add nothing."""
    if expected_version is not None and expected_version != solution.version:
        raise PreconditionFailed(
            "registry.solution_changed_meanwhile",
            {"current_version": solution.version},
        )
    _validate(changes)
    if "brokers" in changes:
        changes = {**changes, "brokers": brokers.clean_slugs(changes["brokers"])}
    changed = {f: v for f, v in changes.items() if json_value(getattr(solution, f)) != json_value(v)}
    if not changed:
        return []
    _check_provenance(solution, changed)
    if "name" in changed:
        check_name(session, str(changed["name"]), solution)
    new_brokers = brokers.resolve(session, solution, changed["brokers"]) if "brokers" in changed else None
    before = {f: json_value(getattr(solution, f)) for f in changed}
    # e.g. municipalities' readiness verdicts: each receiver remembers, and returns what to do after the change
    after_change = [after for _, after in signals.solution_changing.send(solution, session=session)]
    now = utcnow()
    for field, value in changed.items():
        if field == "brokers":
            solution.broker_solutions = new_brokers or []
        else:
            setattr(solution, field, value)
    _check_interval(solution)
    if changed.keys() & set(LOA_FIELDS):
        solution.loa_recorded_by, solution.loa_recorded_at = actor.label, now
    if changed.keys() & set(SWITCH_FIELDS):
        solution.switch_recorded_by, solution.switch_recorded_at = actor.label, now
    solution.version += 1
    solution.updated_at = now
    session.flush()
    events = []
    for event_type, group in _event_type_for(set(changed)):
        fields = [f for f in group if f in changed]
        prefix = "loa" if group is LOA_FIELDS else "switch" if group is SWITCH_FIELDS else None
        events.append(
            append_event(
                session,
                type=event_type,
                actor=actor,
                solution=solution,
                changes={f: {"before": before[f], "after": json_value(changed[f])} for f in fields},
                source_kind=getattr(solution, f"{prefix}_source_kind") if prefix else None,
                source_url=getattr(solution, f"{prefix}_source_url") if prefix else None,
                reason=reason,
            )
        )
    if changed.keys() & {*LOA_FIELDS, *SWITCH_FIELDS}:
        sync_nsis_login(session, solution)  # its NSIS login transition follows the columns
    for callback in after_change:
        callback(actor, reason)
    return events


def organisation_by_slug(session: Session, slug: str | None) -> Organisation | None:
    """Resolve an organisation slug (None stays None); unknown slugs are a validation error."""
    if slug is None:
        return None
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise ValidationError("registry.organisation_unknown", {"organisation": "Findes ikke."}, slug=slug)
    return org
