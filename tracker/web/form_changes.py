"""Between forms and the registry: fill a form from a solution, and read a submitted form as field changes.

Switch dates typed in words are read by the shared parser (via ``review.changes.switch_from_text``); a
field left as it was shown is not re-read, so an untouched form changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.auth.permissions import own_organisation_id
from tracker.errors import AppError
from tracker.models import ChangeEvent, Organisation, Solution, User
from tracker.models.vocab import SolutionKind
from tracker.registry.facts import snapshot
from tracker.review.changes import switch_from_text
from tracker.web.format import CONFIDENCE_LABELS, LOA_LABELS, STATE_LABELS
from tracker.web.forms import ProposalForm, SolutionForm, options

TEXT_FIELDS = ("loa_source_url", "loa_evidence", "switch_source_url", "switch_evidence", "description", "broker")
SELECT_FIELDS = ("kind", "loa_value", "loa_status", "switch_state", "switch_status")
NO_CHANGE = _l("Ingen ændring")
# Where an error reported by a service for a field shows up on the forms.
ERROR_FIELDS = {
    "switch_date.text": "switch_text",
    "switch_earliest_on": "switch_text",
    "switch_latest_on": "switch_text",
    "vendor_id": "vendor",
    "service_provider_id": "service_provider",
    "changes": "evidence",
}


def switch_words(text: str | None, earliest: str | None, latest: str | None) -> str:
    """How a switch date is written in the edit form: the source's words, else the days (ISO)."""
    if text:
        return text
    if not earliest:
        return ""
    if latest in (None, earliest):
        return earliest
    return f"{earliest} – {latest}"


def switch_shown(solution: Solution) -> str:
    """The switch date of a solution as the edit form writes it."""
    values = snapshot(solution, ("switch_text", "switch_earliest_on", "switch_latest_on"))
    return switch_words(values["switch_text"], values["switch_earliest_on"], values["switch_latest_on"])


def organisation_choices(session: Session) -> list[Any]:
    """Organisations for a select, with 'none' first."""
    orgs = session.execute(select(Organisation.slug, Organisation.name).order_by(Organisation.name)).all()
    return options([("", "–"), *((slug, name) for slug, name in orgs)])


def _org_slug(session: Session, org_id: Any) -> str:
    if not isinstance(org_id, int):
        return ""
    return session.scalar(select(Organisation.slug).where(Organisation.id == org_id)) or ""


def form_values(session: Session, values: Mapping[str, Any]) -> dict[str, str]:
    """What the edit form shows for a set of field values (JSON-safe, as ``snapshot`` gives them)."""
    shown = {
        name: str(values.get(name) or "")
        for name in (*TEXT_FIELDS, *SELECT_FIELDS, "name", "loa_source_kind", "switch_source_kind")
    }
    shown["aliases"] = ", ".join(values.get("aliases") or [])
    shown["brokers"] = ", ".join(sorted(values.get("brokers") or []))
    shown["vendor"] = _org_slug(session, values.get("vendor_id"))
    shown["service_provider"] = _org_slug(session, values.get("service_provider_id"))
    shown["switch_text"] = switch_words(
        values.get("switch_text"), values.get("switch_earliest_on"), values.get("switch_latest_on")
    )
    return shown


def broker_choices(session: Session, solution: Solution | None) -> list[Any]:
    """The login brokers a solution can list (every solution of kind broker but itself, and those it lists)."""
    stmt = select(Solution.slug, Solution.name).where(Solution.kind == SolutionKind.BROKER.value)
    if solution is not None:
        listed = [b.id for b in solution.broker_solutions]
        stmt = select(Solution.slug, Solution.name).where(
            or_(Solution.kind == SolutionKind.BROKER.value, Solution.id.in_(listed)), Solution.id != solution.id
        )
    rows = session.execute(stmt.order_by(Solution.name)).all()
    return options([(slug, name) for slug, name in rows])


def _field_text(form: SolutionForm, name: str) -> str:
    """A field's value as ``form_values`` writes it (the broker checkboxes as a sorted, comma-joined list)."""
    if name == "brokers":
        return ", ".join(sorted(form.brokers.data or []))
    return str(form[name].data or "").strip()


def _set_field(form: SolutionForm, name: str, value: str) -> None:
    form[name].data = [v for v in value.split(", ") if v] if name == "brokers" else value


def prepare_solution_form(form: SolutionForm, session: Session, solution: Solution | None) -> None:
    """Fill the selects, and on first display the current values and the version."""
    form.vendor.choices = form.service_provider.choices = organisation_choices(session)
    form.brokers.choices = broker_choices(session, solution)
    if solution is None or form.is_submitted():
        return
    for name, value in form_values(session, snapshot(solution)).items():
        _set_field(form, name, value)
    form.version.data = str(solution.version)


def merge_concurrent(form: SolutionForm, session: Session, solution: Solution, meanwhile: list[ChangeEvent]) -> None:
    """After a conflict: take the others' changes into fields this person left alone; flag fields both changed.

    The values the person started from are the current ones with the changes made meanwhile undone.
    """
    current = snapshot(solution)
    base = dict(current)
    for event in reversed(meanwhile):
        for field, change in (event.changes or {}).items():
            if field in base and isinstance(change, dict):
                base[field] = change.get("before")
    started, now = form_values(session, base), form_values(session, current)
    for name, value in now.items():
        if value == started[name]:
            continue
        if _field_text(form, name) == started[name].strip():
            _set_field(form, name, value)
        else:
            form[name].errors = [
                *list(form[name].errors or []),
                _l("Også ændret af en anden i mellemtiden; nu: %(value)s", value=value or "–"),
            ]


def _org_id(session: Session, slug: str) -> int | None:
    return session.scalar(select(Organisation.id).where(Organisation.slug == slug)) if slug else None


def solution_form_changes(
    form: SolutionForm, session: Session, solution: Solution | None, *, today: date
) -> dict[str, Any]:
    """The submitted form as field changes (for a new solution: every field that has a value)."""
    changes: dict[str, Any] = {name: getattr(form, name).data for name in SELECT_FIELDS}
    for name in TEXT_FIELDS:
        changes[name] = (getattr(form, name).data or "").strip() or None
    changes["loa_source_kind"] = form.loa_source_kind.data or None
    changes["switch_source_kind"] = form.switch_source_kind.data or None
    changes["aliases"] = [a.strip() for a in (form.aliases.data or "").split(",") if a.strip()][:50]
    changes["brokers"] = sorted(form.brokers.data or [])
    changes["vendor_id"] = _org_id(session, form.vendor.data)
    changes["service_provider_id"] = _org_id(session, form.service_provider.data)
    typed = (form.switch_text.data or "").strip()
    if solution is None or typed != switch_shown(solution):
        changes.update(switch_from_text(typed, today=today))
    if solution is not None:
        changes["name"] = form.name.data.strip()
        return changes
    # A new solution records only what was actually given.
    return {k: v for k, v in changes.items() if v not in (None, "", [], "ukendt", "unknown") or k == "kind"}


def prepare_proposal_form(form: ProposalForm, user: User) -> None:
    """Choices with 'no change' first; municipalities also say how sure the level is."""
    form.loa_value.choices = options([("", NO_CHANGE), *LOA_LABELS.items()])
    form.switch_state.choices = options([("", NO_CHANGE), *STATE_LABELS.items()])
    form.loa_status.choices = options([("", NO_CHANGE), *CONFIDENCE_LABELS.items()])
    if own_organisation_id(user) is not None:
        # A vendor's word is recorded as 'reported' whatever is chosen; no need to ask.
        del form.loa_status


def proposal_form_changes(form: ProposalForm, *, today: date) -> dict[str, Any]:
    """Only what the proposer filled in; an empty field means 'no change'."""
    changes: dict[str, Any] = {}
    if form.loa_value.data:
        changes["loa_value"] = form.loa_value.data
    if "loa_status" in form and form.loa_status.data:
        changes["loa_status"] = form.loa_status.data
    typed = (form.switch_text.data or "").strip()
    if typed:
        changes.update(switch_from_text(typed, today=today))
    if form.switch_state.data:
        changes["switch_state"] = form.switch_state.data
    return changes


def show_errors(form: Any, exc: AppError, fallback: str) -> None:
    """Put a service's field problems next to the form fields they concern (or on ``fallback``)."""
    placed = False
    for key, problem in (exc.details or {}).items():
        name = ERROR_FIELDS.get(key, key)
        if name in form:
            form[name].errors = [*list(form[name].errors or []), str(problem)]
            placed = True
    if not placed and fallback in form:
        form[fallback].errors = [*list(form[fallback].errors or []), exc.message]
