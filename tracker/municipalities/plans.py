"""Planned changes of M's IdPs and staff groups (``IdpChange``): check, add, remove — each with readiness events.

A change is dated (1900–2100) and one of: ``loa`` (the IdP is notified at a level from the date), ``retire`` (the
IdP closes), ``move`` (its staff group logs in through another of M's IdPs), ``leave`` (its staff group leaves M,
e.g. to a region on 1 January 2027). Bad input is refused whole, in Danish, before anything is written (422);
a change that exists (same IdP, kind and day) is a conflict (409). Services only flush (house rule 3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from tracker.error_messages import N_
from tracker.errors import NotFound, ValidationError
from tracker.i18n import Said
from tracker.models import Idp, IdpChange, Municipality
from tracker.models.municipalities import IdpChangeKind
from tracker.models.vocab import LOA_RANK
from tracker.municipalities import readiness_events as readiness
from tracker.municipalities.queries import is_id
from tracker.municipalities.services import CONTROL_RE, NOTE_MAX_LEN, _audit, _unique
from tracker.registry.actors import Actor
from tracker.vocabulary import danish_day

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)
FIELDS = ("idp_id", "kind", "effective_on", "notified_loa", "target_idp_id", "destination", "note")
DESTINATION_MAX_LEN = 200
REFUSED = "municipalities.planned_change_not_saved"  # "Den planlagte ændring kunne ikke gemmes."
KIND_TEXT = {
    IdpChangeKind.LOA.value: N_("nyt anmeldt niveau"),
    IdpChangeKind.RETIRE.value: N_("nedlæggelse"),
    IdpChangeKind.MOVE.value: N_("flytning til en anden IdP"),
    IdpChangeKind.LEAVE.value: N_("gruppen forlader kommunen"),
}


class Dated(Protocol):
    """What the order rules read of a planned change: a stored ``IdpChange`` or a file's row (``Planned``)."""

    @property
    def kind(self) -> str:
        """``IdpChangeKind``'s value."""

    @property
    def effective_on(self) -> date:
        """The day it takes effect."""

    @property
    def target_idp(self) -> Idp | None:
        """For a move, the IdP the group moves to."""


class Arriving(Protocol):
    """A planned move into an IdP, as the order rules read it: from which IdP, from which day."""

    @property
    def idp(self) -> Idp:
        """The IdP whose staff group moves."""

    @property
    def effective_on(self) -> date:
        """The day it moves."""


ChangesOf = Callable[[Idp], Sequence[Dated]]
MovesInto = Callable[[Idp], Sequence[Arriving]]


def stored_changes(idp: Idp) -> Sequence[Dated]:
    """An IdP's planned changes as stored (what a single edit is checked against)."""
    return idp.changes


def stored_moves_into(idp: Idp) -> Sequence[Arriving]:
    """The stored moves of other staff groups into the IdP."""
    session = object_session(idp)
    if session is None or idp.id is None:
        return []
    moves = select(IdpChange).where(IdpChange.target_idp_id == idp.id, IdpChange.kind == IdpChangeKind.MOVE.value)
    return list(session.scalars(moves))


def list_changes(session: Session, municipality: Municipality) -> list[IdpChange]:
    """M's planned changes, by day."""
    return list(
        session.scalars(
            select(IdpChange)
            .where(IdpChange.municipality_id == municipality.id)
            .order_by(IdpChange.effective_on, IdpChange.id)
        )
    )


def get_change(session: Session, municipality: Municipality, change_id: int) -> IdpChange:
    """One of M's planned changes (another municipality's or none: 404)."""
    change = session.get(IdpChange, change_id)
    if change is None or change.municipality_id != municipality.id:
        raise NotFound("municipalities.planned_change_not_found", {"id": str(change_id)})
    return change


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _text(value: Any, field: str, limit: int, problems: dict[str, str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems[field] = Said(N_("Skal være tekst."))
        return None
    if CONTROL_RE.search(value):
        problems[field] = Said(N_("Må ikke indeholde styretegn."))
    elif len(value) > limit:
        problems[field] = Said(N_("Højst %(limit)s tegn."), limit=limit)
    return value.strip() or None


def _own_idp(session: Session, municipality: Municipality, value: Any) -> Idp | None:
    if not is_id(value):
        return None
    found = session.get(Idp, value)
    return found if found is not None and found.municipality_id == municipality.id else None


def check(session: Session, municipality: Municipality, values: dict[str, Any]) -> dict[str, Any]:
    """The change's fields, checked against M's IdPs and their other planned changes; every problem at once."""
    clean, problems = check_fields(session, municipality, values)
    if not problems and clean["idp"] is not None and clean["effective_on"] is not None:
        check_order(clean["idp"], str(clean["kind"]), clean["effective_on"], clean["target_idp"], problems)
    if problems:
        raise ValidationError(REFUSED, problems)
    return clean


def check_fields(
    session: Session, municipality: Municipality, values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The change's fields on their own (not yet against other planned changes): the clean values and every
    problem by field (none: the values are good)."""
    problems: dict[str, str] = {}
    for field in sorted(set(values) - set(FIELDS)):
        problems[field] = Said(N_("Feltet kendes ikke."))
    idp = _own_idp(session, municipality, values.get("idp_id"))
    if idp is None:
        problems["idp_id"] = Said(N_("Vælg en af kommunens egne IdP'er."))
    kind = values.get("kind")
    if kind not in tuple(IdpChangeKind):
        problems["kind"] = Said(N_("Skal være en af: %(choices)s."), choices=", ".join(IdpChangeKind))
    day = _day(values.get("effective_on"))
    if day is None:
        problems["effective_on"] = Said(N_("Skal være en gyldig dato (ÅÅÅÅ-MM-DD)."))
    elif not FIRST_DAY <= day <= LAST_DAY:
        problems["effective_on"] = Said(N_("Datoen skal ligge mellem 1900-01-01 og 2100-12-31."))
    level = values.get("notified_loa")
    if kind == IdpChangeKind.LOA:
        if level not in {loa.value for loa in LOA_RANK}:
            problems["notified_loa"] = Said(
                N_("Angiv niveauet IdP'en anmeldes på fra datoen: lav, betydelig eller hoej.")
            )
    elif level is not None:
        problems["notified_loa"] = Said(N_("Kun en ændring af typen 'loa' har et niveau."))
    target = None
    if kind == IdpChangeKind.MOVE:
        target = _own_idp(session, municipality, values.get("target_idp_id"))
        if target is None or (idp is not None and target.id == idp.id):
            problems["target_idp_id"] = Said(N_("Gruppen kan kun flytte til en anden af kommunens egne IdP'er."))
    elif values.get("target_idp_id") is not None:
        problems["target_idp_id"] = Said(N_("Kun en flytning har en mål-IdP."))
    destination = _text(values.get("destination"), "destination", DESTINATION_MAX_LEN, problems)
    if destination and kind != IdpChangeKind.LEAVE:
        problems["destination"] = Said(N_("Kun en ændring af typen 'leave' har en modtager."))
    note = _text(values.get("note"), "note", NOTE_MAX_LEN, problems)
    clean = {
        "idp": idp,
        "kind": kind,
        "effective_on": day,
        "notified_loa": level if kind == IdpChangeKind.LOA else None,
        "target_idp": target,
        "destination": destination,
        "note": note,
    }
    return clean, problems


def check_order(
    idp: Idp,
    kind: str,
    day: date,
    target: Idp | None,
    problems: dict[str, str],
    changes_of: ChangesOf = stored_changes,
    moves_into: MovesInto = stored_moves_into,
) -> None:
    """The change must fit the IdP's other planned changes, the moves of other groups into it (for a retirement
    or leaving) and the target's changes (for a move). ``changes_of`` and ``moves_into`` give them: as stored
    for a single edit, the file's other rows for an import, so the rules hold whichever is planned first."""
    own = changes_of(idp)
    ends = [c for c in own if c.kind in (IdpChangeKind.RETIRE, IdpChangeKind.LEAVE)]
    if kind in (IdpChangeKind.RETIRE, IdpChangeKind.LEAVE):
        same = [c for c in ends if c.kind == kind]
        if same:
            problems["kind"] = Said(
                N_("IdP'en har allerede en planlagt %(kind)s (%(day)s)."),
                kind=Said(KIND_TEXT[kind]),
                day=danish_day(same[0].effective_on),
            )
            return
        later = [c for c in own if c.kind in (IdpChangeKind.LOA, IdpChangeKind.MOVE) and c.effective_on > day]
        if later:
            problems["effective_on"] = Said(
                N_("Datoen ligger før en planlagt %(kind)s den %(day)s; slet eller flyt den først."),
                kind=Said(KIND_TEXT[later[0].kind]),
                day=danish_day(later[0].effective_on),
            )
        arriving = [c for c in moves_into(idp) if c.effective_on >= day]
        if arriving:
            soonest = min(arriving, key=lambda c: c.effective_on)
            problems.setdefault(
                "effective_on",
                Said(
                    N_(
                        "Gruppen fra IdP'en '%(idp)s' flytter hertil den %(day)s; IdP'en må ikke være nedlagt eller "
                        "have forladt kommunen inden da."
                    ),
                    idp=soonest.idp.name,
                    day=danish_day(soonest.effective_on),
                ),
            )
        return
    closing = [c for c in ends if c.effective_on < day or (c.effective_on == day and kind == IdpChangeKind.LOA)]
    if closing:
        first = min(closing, key=lambda c: c.effective_on)
        problems["effective_on"] = Said(
            N_("IdP'en har en planlagt %(kind)s den %(day)s, før denne dato."),
            kind=Said(KIND_TEXT[first.kind]),
            day=danish_day(first.effective_on),
        )
    if kind == IdpChangeKind.MOVE and target is not None:
        gone = [c for c in changes_of(target) if c.kind in (IdpChangeKind.RETIRE, IdpChangeKind.LEAVE)]
        if any(c.effective_on <= day for c in gone):
            problems["target_idp_id"] = Said(
                N_("Mål-IdP'en er nedlagt, eller dens gruppe har forladt kommunen, på datoen.")
            )
        if _moves_into(target, idp.id, changes_of):
            problems["target_idp_id"] = Said(
                N_("Flytningen ville danne en løkke: mål-IdP'ens gruppe flytter selv hertil.")
            )


def _moves_into(start: Idp, idp_id: int, changes_of: ChangesOf) -> bool:
    seen: set[int] = set()
    todo = [start]
    while todo:
        current = todo.pop()
        if current.id in seen:
            continue
        seen.add(current.id)
        for change in changes_of(current):
            if change.target_idp is not None:
                if change.target_idp.id == idp_id:
                    return True
                todo.append(change.target_idp)
    return False


def describe(change: IdpChange) -> str:
    """One Danish line naming the change (audit and event reasons)."""
    text = f"{KIND_TEXT[change.kind]} fra {danish_day(change.effective_on)}"  # Danish: stored in the history
    if change.kind == IdpChangeKind.LOA:
        text += f" ({change.notified_loa})"
    return f"IdP '{change.idp.name}': {text}"


def create_change(session: Session, municipality: Municipality, values: dict[str, Any], *, actor: Actor) -> IdpChange:
    """Add a planned change to one of M's IdPs; readiness events for the rows it moves today."""
    clean = check(session, municipality, values)
    before = readiness.snapshot_municipality(session, municipality)
    idp: Idp = clean.pop("idp")
    target: Idp | None = clean.pop("target_idp")
    change = IdpChange(
        municipality_id=municipality.id, idp_id=idp.id, target_idp_id=target.id if target else None, **clean
    )
    duplicate = "municipalities.planned_change_duplicate"
    with _unique(session, duplicate, {"effective_on": "Findes allerede."}):
        session.add(change)
    session.expire(idp, ["changes"])  # the IdP's list must show the new change to readiness from now on
    _audit(session, actor, "idp_change.created", municipality, change_dict_for_audit(change))
    readiness.emit_municipality_changes(session, before, actor=actor, reason=describe(change), over_time=True)
    return change


def delete_change(session: Session, change: IdpChange, *, actor: Actor) -> None:
    """Remove a planned change."""
    municipality = session.get(Municipality, change.municipality_id)
    assert municipality is not None
    before = readiness.snapshot_municipality(session, municipality)
    reason = f"Planlagt ændring slettet: {describe(change)}"
    _audit(session, actor, "idp_change.deleted", municipality, change_dict_for_audit(change))
    change.idp.changes.remove(change)
    session.delete(change)
    session.flush()
    readiness.emit_municipality_changes(session, before, actor=actor, reason=reason, over_time=True)


def change_dict_for_audit(change: IdpChange) -> dict[str, Any]:
    """The change's facts as plain JSON."""
    return {
        "id": change.id,
        "idp_id": change.idp_id or change.idp.id,
        "kind": change.kind,
        "effective_on": change.effective_on.isoformat(),
        "notified_loa": change.notified_loa,
        "target_idp_id": change.target_idp.id if change.target_idp else None,
        "destination": change.destination,
        "note": change.note,
    }
