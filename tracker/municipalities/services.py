"""Writes to a municipality's IdPs and portfolio. Each write appends readiness events for what it changed.

Services take the session, only flush, and never read request globals (house rule 3). Every write takes M's
readiness before, applies the change, and emits ``municipality.readiness.changed`` for each solution whose
verdict changed — in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, selectinload

from tracker.auth import audit
from tracker.clock import utcnow
from tracker.errors import Conflict, ValidationError
from tracker.models import Idp, IdpChange, Municipality, PortfolioEntry, Solution
from tracker.models.municipalities import portfolio_entry_idp
from tracker.models.vocab import Loa
from tracker.municipalities import readiness_events as readiness
from tracker.municipalities.queries import is_id, is_slug
from tracker.registry.actors import Actor

IDP_FIELDS = ("name", "user_group", "notified_loa", "broker", "is_primary")
# Control characters (NUL, vertical tab …) are never meant; they break exports and PostgreSQL refuses NUL.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_IDP_MAX_LEN = {"name": 200, "user_group": 200, "broker": 80}
NOTE_MAX_LEN = 2000


def _audit(session: Session, actor: Actor, action: str, municipality: Municipality, details: dict[str, Any]) -> None:
    """IdP and portfolio edits are not registry changes, but who changed what must still be on record."""
    audit.record(
        session,
        action,
        actor=None,
        actor_id=actor.user_id,
        actor_label=actor.label,
        object_type="municipality",
        object_id=municipality.code,
        details=details,
    )


@contextmanager
def _unique(session: Session, message: str, details: dict[str, str]) -> Iterator[None]:
    """Two people can pass the existence check at once; the unique constraint decides, and the loser gets a 409.

    The write runs in a savepoint so that only it is undone and the request can still answer (and render).
    """
    try:
        with session.begin_nested():
            yield
    except IntegrityError as exc:
        raise Conflict(message, details) from exc


def _clean_idp_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Check and tidy IdP fields; every problem reported at once, in Danish."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for field, value in values.items():
        if field not in IDP_FIELDS:
            problems[field] = "Feltet kendes ikke."
            continue
        if field in _IDP_MAX_LEN:
            if value is not None and not isinstance(value, str):
                problems[field] = "Skal være tekst."
                continue
            text = value.strip() if isinstance(value, str) else None
            if field == "name" and not text:
                problems[field] = "Navnet må ikke være tomt."
            elif text and CONTROL_RE.search(text):
                problems[field] = "Må ikke indeholde styretegn."
            elif text and len(text) > _IDP_MAX_LEN[field]:
                problems[field] = f"Højst {_IDP_MAX_LEN[field]} tegn."
            clean[field] = text or None
        elif field == "notified_loa":
            if value not in tuple(Loa):
                problems[field] = f"Skal være en af: {', '.join(Loa)}."
            clean[field] = value
        elif field == "is_primary":
            if not isinstance(value, bool):
                problems[field] = "Skal være sand eller falsk."
            clean[field] = value
    if problems:
        raise ValidationError("municipalities.idp_not_saved", problems)
    return clean


def _check_unique_name(session: Session, municipality: Municipality, name: str, exclude_id: int | None) -> None:
    stmt = select(Idp.id).where(Idp.municipality_id == municipality.id, func.lower(Idp.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Idp.id != exclude_id)
    if session.scalar(stmt) is not None:
        raise Conflict(_duplicate_idp(name), {"name": "Findes allerede."})


def _duplicate_idp(name: str) -> str:
    return f"Kommunen har allerede en IdP med navnet '{name}'."


def _make_only_primary(session: Session, idp: Idp) -> None:
    """At most one primary IdP per municipality: choosing one unsets the others."""
    for other in session.scalars(
        select(Idp).where(Idp.municipality_id == idp.municipality_id, Idp.id != idp.id, Idp.is_primary.is_(True))
    ):
        other.is_primary = False


def create_idp(session: Session, municipality: Municipality, values: dict[str, Any], *, actor: Actor) -> Idp:
    """Add an IdP to M (``name`` required; level ``ukendt`` unless given)."""
    clean = _clean_idp_fields({"notified_loa": Loa.UKENDT.value, "is_primary": False, **values})
    if "name" not in clean:
        raise ValidationError("municipalities.idp_not_saved", {"name": "Navnet skal udfyldes."})
    _check_unique_name(session, municipality, clean["name"], None)
    before = readiness.snapshot_municipality(session, municipality)
    now = utcnow()
    idp = Idp(municipality_id=municipality.id, created_at=now, updated_at=now, **clean)
    with _unique(session, _duplicate_idp(clean["name"]), {"name": "Findes allerede."}):
        session.add(idp)
    if idp.is_primary:
        _make_only_primary(session, idp)
    _audit(session, actor, "idp.created", municipality, {"idp_id": idp.id, **clean})
    readiness.emit_municipality_changes(session, before, actor=actor, reason=f"IdP '{idp.name}' oprettet")
    return idp


def update_idp(session: Session, idp: Idp, changes: dict[str, Any], *, actor: Actor) -> Idp:
    """Change an IdP's fields; a no-op change writes nothing."""
    clean = _clean_idp_fields(changes)
    changed = {f: v for f, v in clean.items() if getattr(idp, f) != v}
    if not changed:
        return idp
    municipality = idp.municipality
    if "name" in changed:
        _check_unique_name(session, municipality, changed["name"], idp.id)
    before = readiness.snapshot_municipality(session, municipality)
    previous = {f: getattr(idp, f) for f in changed}
    with _unique(session, _duplicate_idp(str(changed.get("name"))), {"name": "Findes allerede."}):
        for field, value in changed.items():
            setattr(idp, field, value)
        idp.updated_at = utcnow()
        if changed.get("is_primary"):
            _make_only_primary(session, idp)
    _audit(
        session,
        actor,
        "idp.updated",
        municipality,
        {"idp_id": idp.id, "changes": {f: {"before": previous[f], "after": v} for f, v in changed.items()}},
    )
    readiness.emit_municipality_changes(session, before, actor=actor, reason=f"IdP '{idp.name}' ændret")
    return idp


def delete_idp(session: Session, idp: Idp, *, actor: Actor) -> None:
    """Remove an IdP; portfolio entries that named it fall back to the primary IdP."""
    municipality = idp.municipality
    before = readiness.snapshot_municipality(session, municipality)
    # The foreign key would drop these links in the database, but the session's copies must agree now.
    for entry in session.scalars(
        select(PortfolioEntry).join(portfolio_entry_idp).where(portfolio_entry_idp.c.idp_id == idp.id)
    ):
        entry.idps = [i for i in entry.idps if i.id != idp.id]
    # Planned moves of other groups to this IdP go with it (the database would cascade; the session must agree).
    for change in session.scalars(select(IdpChange).where(IdpChange.target_idp_id == idp.id)):
        change.idp.changes.remove(change)
        session.delete(change)
    name = idp.name
    _audit(session, actor, "idp.deleted", municipality, {"idp_id": idp.id, "name": name})
    session.delete(idp)
    session.flush()
    readiness.emit_municipality_changes(session, before, actor=actor, reason=f"IdP '{name}' slettet")


MAX_IDPS_PER_ENTRY = 20


def resolve_idps(session: Session, municipality: Municipality, idp_ids: Any, *, field: str = "idp_ids") -> list[Idp]:
    """The IdPs a portfolio entry names, each one of M's own (an unknown id or another municipality's: 422)."""
    if idp_ids is None:
        return []
    if not isinstance(idp_ids, list | tuple) or not all(is_id(i) for i in idp_ids):
        raise ValidationError("municipalities.idp_invalid", {field: "Skal være en liste af IdP-id'er."})
    if len(idp_ids) > MAX_IDPS_PER_ENTRY:
        raise ValidationError("municipalities.too_many_idps", {field: f"Højst {MAX_IDPS_PER_ENTRY}."})
    wanted = sorted(set(idp_ids))
    found = {
        i.id: i for i in session.scalars(select(Idp).where(Idp.id.in_(wanted), Idp.municipality_id == municipality.id))
    }
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            "municipalities.idp_not_found", {field: "Kommunen har ingen IdP med det id."}, idp_id=missing[0]
        )
    return [found[i] for i in wanted]


def idps_from_input(session: Session, municipality: Municipality, values: dict[str, Any]) -> list[Idp] | None:
    """``idp_ids`` (a list) or its one-element shorthand ``idp_id``; None when neither was sent."""
    if "idp_ids" in values and "idp_id" in values:
        raise ValidationError("municipalities.both_idp_fields_sent", {"idp_id": "Brug idp_ids."})
    if "idp_ids" in values:
        return resolve_idps(session, municipality, values["idp_ids"])
    if "idp_id" in values:
        idp_id = values["idp_id"]
        if idp_id is not None and not is_id(idp_id):
            raise ValidationError("municipalities.idp_invalid", {"idp_id": "Skal være et IdP-id."})
        return resolve_idps(session, municipality, [] if idp_id is None else [idp_id], field="idp_id")
    return None


def _clean_note(note: Any) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str):
        raise ValidationError("municipalities.note_invalid", {"note": "Skal være tekst."})
    if len(note) > NOTE_MAX_LEN:
        raise ValidationError("municipalities.note_too_long", {"note": f"Højst {NOTE_MAX_LEN} tegn."})
    if CONTROL_RE.search(note):
        raise ValidationError("municipalities.note_invalid", {"note": "Må ikke indeholde styretegn."})
    return note.strip() or None


def solution_for_input(session: Session, slug: Any) -> Solution:
    """The solution a request names by slug; an unknown slug is bad input (422), not a missing page."""
    solution = session.scalar(select(Solution).where(Solution.slug == slug)) if is_slug(slug) else None
    if solution is None:
        raise ValidationError("registry.solution_not_found", {"solution": "Findes ikke."}, slug=slug)
    return solution


def add_to_portfolio(
    session: Session,
    municipality: Municipality,
    solution_slug: str,
    *,
    actor: Actor,
    idp_ids: list[int] | None = None,
    note: str | None = None,
) -> PortfolioEntry:
    """Add a solution to M's portfolio, used by the staff of the given IdPs (none: the primary IdP); 409 if there."""
    solution = solution_for_input(session, solution_slug)
    idps = resolve_idps(session, municipality, idp_ids)
    clean_note = _clean_note(note)
    exists = session.scalar(
        select(PortfolioEntry.id).where(
            PortfolioEntry.municipality_id == municipality.id, PortfolioEntry.solution_id == solution.id
        )
    )
    duplicate = f"{solution.name} er allerede i kommunens portefølje."
    if exists is not None:
        raise Conflict(duplicate, {"solution": "Findes allerede."})
    before = readiness.snapshot_municipality(session, municipality)
    entry = PortfolioEntry(
        municipality_id=municipality.id, solution=solution, idps=idps, note=clean_note, created_at=utcnow()
    )
    with _unique(session, duplicate, {"solution": "Findes allerede."}):
        session.add(entry)
    _audit(
        session, actor, "portfolio.added", municipality, {"solution": solution.slug, "idp_ids": [i.id for i in idps]}
    )
    readiness.emit_municipality_changes(session, before, actor=actor, reason=f"{solution.name} tilføjet porteføljen")
    return entry


def add_many(
    session: Session,
    municipality: Municipality,
    solutions: Iterable[Solution],
    *,
    actor: Actor,
    idps: dict[int, list[Idp]] | None = None,
) -> tuple[list[Solution], list[Solution]]:
    """Add several solutions at once (bulk import); returns (added, already there). One readiness comparison.

    ``idps`` names, per solution id, the IdPs whose staff use it; for a solution already there they are added
    to the IdPs its entry names.
    """
    named = idps or {}
    present = {
        e.solution_id: e
        for e in session.scalars(select(PortfolioEntry).where(PortfolioEntry.municipality_id == municipality.id))
    }
    added: list[Solution] = []
    already: list[Solution] = []
    widened: list[str] = []
    solutions = list(solutions)
    # Only the solutions added or given more IdPs can change a row: the rows of the others are not read now.
    touched = {s.id for s in solutions if s.id not in present or named.get(s.id)}
    before = readiness.snapshot_municipality(session, municipality, solution_ids=touched)
    now = utcnow()
    with _unique(session, "Porteføljen blev ændret af en anden samtidig. Prøv igen.", {}):
        for solution in solutions:
            wanted = named.get(solution.id, [])
            entry = present.get(solution.id)
            if entry is not None:
                already.append(solution)
                extra = [i for i in wanted if i not in entry.idps]
                if extra:
                    entry.idps = sorted([*entry.idps, *extra], key=lambda i: i.id)
                    widened.append(solution.slug)
                continue
            entry = PortfolioEntry(municipality_id=municipality.id, solution=solution, idps=wanted, created_at=now)
            present[solution.id] = entry
            session.add(entry)
            added.append(solution)
    if added or widened:
        details = {"added": [s.slug for s in added], "idps_added": widened}
        _audit(session, actor, "portfolio.imported", municipality, details)
        readiness.emit_municipality_changes(session, before, actor=actor, reason="Portefølje importeret fra fil")
    return added, already


def update_portfolio_entry(
    session: Session, entry: PortfolioEntry, changes: dict[str, Any], *, actor: Actor
) -> PortfolioEntry:
    """Change which IdPs' staff use the solution (``idp_ids``; empty: the primary) and/or the note."""
    municipality = entry.municipality
    unknown = set(changes) - {"idp_ids", "idp_id", "note"}
    if unknown:
        raise ValidationError("municipalities.fields_unknown", dict.fromkeys(sorted(unknown), "Feltet kendes ikke."))
    idps = idps_from_input(session, municipality, changes)
    note = _clean_note(changes["note"]) if "note" in changes else entry.note
    idps_changed = idps is not None and [i.id for i in idps] != [i.id for i in entry.idps]
    if not idps_changed and note == entry.note:
        return entry
    before = readiness.snapshot_municipality(session, municipality)
    details: dict[str, Any] = {"solution": entry.solution.slug}
    if idps_changed and idps is not None:
        entry.idps = idps
        details["idp_ids"] = [i.id for i in idps]
    if note != entry.note:
        entry.note = note
        details["note"] = note
    session.flush()
    _audit(session, actor, "portfolio.updated", municipality, details)
    readiness.emit_municipality_changes(session, before, actor=actor, reason=f"IdP for {entry.solution.name} ændret")
    return entry


def edit_portfolio(
    session: Session,
    municipality: Municipality,
    idps_by_slug: dict[str, list[int]],
    remove: Iterable[str],
    *,
    actor: Actor,
) -> tuple[list[Solution], list[Solution]]:
    """The portfolio page's one form: per listed solution its IdPs (ids; empty: the primary), and which to remove.

    One readiness comparison and one audit record for the whole form; returns (changed, removed). A slug no
    longer in the portfolio (removed meanwhile) is skipped; an IdP that is not M's refuses the form (422).
    """
    entries = {
        e.solution.slug: e
        for e in session.scalars(
            select(PortfolioEntry)
            .join(Solution, Solution.id == PortfolioEntry.solution_id)
            .where(PortfolioEntry.municipality_id == municipality.id)
            .options(contains_eager(PortfolioEntry.solution), selectinload(PortfolioEntry.idps))
        )
    }
    gone = [entries[slug] for slug in dict.fromkeys(remove) if slug in entries]
    wanted = {slug: ids for slug, ids in idps_by_slug.items() if slug in entries and entries[slug] not in gone}
    own = {i.id: i for i in session.scalars(select(Idp).where(Idp.municipality_id == municipality.id))}
    for ids in wanted.values():
        if not all(is_id(i) for i in ids) or len(ids) > MAX_IDPS_PER_ENTRY:
            raise ValidationError(
                "municipalities.idp_invalid", {"idp_ids": f"Højst {MAX_IDPS_PER_ENTRY} af kommunens IdP'er."}
            )
        missing = [i for i in ids if i not in own]
        if missing:
            raise ValidationError(
                "municipalities.idp_not_found",
                {"idp_ids": "Kommunen har ingen IdP med det id."},
                idp_id=missing[0],
            )
    changed = {
        slug: sorted(set(ids))
        for slug, ids in wanted.items()
        if sorted(set(ids)) != sorted(i.id for i in entries[slug].idps)
    }
    if not changed and not gone:
        return [], []
    before = readiness.snapshot_municipality(session, municipality)
    for entry in gone:
        session.delete(entry)
    for slug, ids in changed.items():
        entries[slug].idps = [own[i] for i in ids]
    session.flush()
    details = {"removed": [e.solution.slug for e in gone], "idp_ids": changed}
    _audit(session, actor, "portfolio.edited", municipality, details)
    readiness.emit_municipality_changes(session, before, actor=actor, reason="Porteføljen ændret")
    return [entries[slug].solution for slug in changed], [e.solution for e in gone]


def remove_from_portfolio(session: Session, entry: PortfolioEntry, *, actor: Actor) -> None:
    """Remove a solution from M's portfolio."""
    municipality, solution = entry.municipality, entry.solution
    before = readiness.snapshot_municipality(session, municipality)
    session.delete(entry)
    session.flush()
    _audit(session, actor, "portfolio.removed", municipality, {"solution": solution.slug})
    readiness.emit_municipality_changes(session, before, actor=actor, reason=f"{solution.name} fjernet fra porteføljen")
