"""How field changes read to a person: field names and values in words, for diffs, history and forms."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from tracker.db import get_session
from tracker.models import Organisation, Solution
from tracker.web.format import (
    CONFIDENCE_LABELS,
    INQUIRY_STATE_LABELS,
    KIND_LABELS,
    LOA_LABELS,
    PRECISION_LABELS,
    SOURCE_LABELS,
    STATE_LABELS,
    TRANSITION_CATEGORY_LABELS,
    TRANSITION_KIND_LABELS,
    WHO_MUST_ACT_LABELS,
    Labels,
    format_day,
)

FIELD_LABELS = {
    "name": _l("Navn"),
    "aliases": _l("Andre navne"),
    "description": _l("Beskrivelse"),
    "kind": _l("Type"),
    "broker": _l("Broker"),
    "brokers": _l("Login-brokere"),
    "links": _l("Links"),
    "service_provider_id": _l("Tjenesteudbyder"),
    "vendor_id": _l("Leverandør"),
    "loa_value": _l("Krævet sikringsniveau"),
    "loa_status": _l("Vished (niveau)"),
    "loa_source_kind": _l("Kilde (niveau)"),
    "loa_source_url": _l("Kildens adresse (niveau)"),
    "loa_evidence": _l("Belæg (niveau)"),
    "switch_earliest_on": _l("Skæringsdato, første dag"),
    "switch_latest_on": _l("Skæringsdato, sidste dag"),
    "switch_precision": _l("Præcision"),
    "switch_text": _l("Skæringsdato med kildens ord"),
    "switch_state": _l("Status for skiftet"),
    "switch_status": _l("Vished (dato)"),
    "switch_source_kind": _l("Kilde (dato)"),
    "switch_source_url": _l("Kildens adresse (dato)"),
    "switch_evidence": _l("Belæg (dato)"),
    # Inquiry events.
    "question": _l("Spørgsmålets tekst"),
    "answer": _l("Svar"),
    "state": _l("Status for spørgsmålet"),
}
_VOCAB = {
    "loa_value": LOA_LABELS,
    "loa_status": CONFIDENCE_LABELS,
    "switch_status": CONFIDENCE_LABELS,
    "switch_state": STATE_LABELS,
    "kind": KIND_LABELS,
    "switch_precision": PRECISION_LABELS,
    "loa_source_kind": SOURCE_LABELS,
    "switch_source_kind": SOURCE_LABELS,
    "state": INQUIRY_STATE_LABELS,  # inquiry events
}


# A transition's fields (in a proposal's diff), as ``transition_writes`` names them.
TRANSITION_FIELD_LABELS = {
    "kind": _l("Type af overgang"),
    "title": _l("Titel"),
    "description": _l("Beskrivelse"),
    "earliest_on": _l("Første dag"),
    "latest_on": _l("Sidste dag"),
    "precision": _l("Præcision"),
    "text": _l("Datoen med kildens ord"),
    "state": _l("Status for overgangen"),
    "status": _l("Vished (dato)"),
    "source_kind": _l("Kilde (dato)"),
    "source_url": _l("Kildens adresse (dato)"),
    "evidence": _l("Belæg (dato)"),
    "act_by_on": _l("Handl senest"),
    "act_by_derived": _l("Handlingsfristen er afledt"),
    "required_loa": _l("Krævet sikringsniveau"),
    "loa_status": _l("Vished (niveau)"),
    "loa_source_kind": _l("Kilde (niveau)"),
    "loa_source_url": _l("Kildens adresse (niveau)"),
    "loa_evidence": _l("Belæg (niveau)"),
    "category": _l("Kategori"),
    "major": _l("Stor ændring"),
    "who_must_act": _l("Skal handle"),
    "what_to_do": _l("Hvad skal gøres"),
    "replaced_by_solution_id": _l("Afløses af"),
}
_TRANSITION_VOCAB = {
    "kind": TRANSITION_KIND_LABELS,
    "precision": PRECISION_LABELS,
    "state": STATE_LABELS,
    "status": CONFIDENCE_LABELS,
    "loa_status": CONFIDENCE_LABELS,
    "source_kind": SOURCE_LABELS,
    "loa_source_kind": SOURCE_LABELS,
    "required_loa": LOA_LABELS,
    "category": TRANSITION_CATEGORY_LABELS,
}


def _in_words(field: str, value: Any, vocabularies: Mapping[str, Labels], days: tuple[str, ...]) -> str | None:
    """A value as every diff says it when it is nothing ('–'), a vocabulary's value or a day; None otherwise."""
    if value is None or value in ("", []):
        return "–"
    if field in vocabularies:
        return str(vocabularies[field].get(value, value))
    if field in days:
        return format_day(value if isinstance(value, date) else date.fromisoformat(str(value)))
    return None


def transition_field_label(field: str) -> str:
    """A transition's field name in words."""
    return str(TRANSITION_FIELD_LABELS.get(field, field))


def transition_field_value(field: str, value: Any) -> str:
    """A transition's field value in words (labels, days, yes/no, who acts, the replacing solution's name)."""
    if (words := _in_words(field, value, _TRANSITION_VOCAB, ("earliest_on", "latest_on", "act_by_on"))) is not None:
        return words
    if isinstance(value, bool):
        return str(_l("Ja") if value else _l("Nej"))
    if field == "who_must_act" and isinstance(value, list):
        return ", ".join(str(WHO_MUST_ACT_LABELS.get(w, w)) for w in value)
    if field == "replaced_by_solution_id" and isinstance(value, int):
        solution = get_session().get(Solution, value)
        return solution.name if solution is not None else f"#{value}"
    return str(value)


def field_label(field: str) -> str:
    """A field's name in words."""
    return str(FIELD_LABELS.get(field, field))


def field_value(field: str, value: Any) -> str:
    """A field's value in words: labels for vocabularies, days in the interface language, '–' for nothing."""
    if (words := _in_words(field, value, _VOCAB, ("switch_earliest_on", "switch_latest_on"))) is not None:
        return words
    if field in ("vendor_id", "service_provider_id") and isinstance(value, int):
        org = get_session().get(Organisation, value)
        return org.name if org is not None else f"#{value}"
    if isinstance(value, list):
        return ", ".join(str(v.get("url", v)) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def init_app(app: Flask) -> None:
    """Make the field names and the helpers available to every template (the vocabularies' labels are
    ``tracker.web.format.LABEL_GLOBALS``, installed by ``tracker.web.init_app``)."""
    app.jinja_env.globals.update(
        FIELD_LABELS=FIELD_LABELS,
        field_label=field_label,
        field_value=field_value,
        transition_field_label=transition_field_label,
        transition_field_value=transition_field_value,
    )
