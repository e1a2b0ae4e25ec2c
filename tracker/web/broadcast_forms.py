"""The HTML forms of the subscription pages (Flask-WTF: CSRF on every one), Danish first."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.web.forms import options

EVENT_TYPE_LABELS = {
    "solution.created": _l("Ny løsning"),
    "solution.updated": _l("Løsningens oplysninger ændret"),
    "solution.switch_date.changed": _l("Skæringsdato ændret"),
    "solution.required_loa.changed": _l("Krævet sikringsniveau ændret"),
    "municipality.readiness.changed": _l("Kommunens parathed ændret"),
    "inquiry.created": _l("Nyt spørgsmål til leverandør/tjenesteudbyder"),
    "inquiry.asked": _l("Spørgsmål stillet videre af KL"),
    "inquiry.answered": _l("Spørgsmål besvaret"),
    "inquiry.closed": _l("Spørgsmål lukket"),
}
# Shown in the delivery log only (a test ping is not a filter choice).
DELIVERY_LABELS = {**EVENT_TYPE_LABELS, "subscription.test": _l("Testbesked")}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (no JavaScript, keyboard-friendly)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SubscriptionForm(FlaskForm):
    """A new webhook endpoint with its filters. The URL is checked by the same SSRF rules as every delivery."""

    url = StringField(
        _l("Modtagerens adresse (https://…)"), validators=[DataRequired(_l("Skal udfyldes.")), Length(max=1000)]
    )
    description = StringField(_l("Beskrivelse (valgfri)"), validators=[Optional(), Length(max=200)])
    event_types = MultiCheckboxField(
        _l("Hændelser (ingen valgt: alle)"), choices=options(EVENT_TYPE_LABELS.items()), validators=[Optional()]
    )
    solutions = SelectMultipleField(_l("Kun disse løsninger (ingen valgt: alle)"), choices=[], validators=[Optional()])
    municipality = SelectField(_l("Kommunens portefølje"), choices=[], validators=[Optional()])


class ActivateForm(FlaskForm):
    """Switch a subscription on or off."""

    active = SelectField(choices=options([("1", "on"), ("0", "off")]), validators=[DataRequired()])
