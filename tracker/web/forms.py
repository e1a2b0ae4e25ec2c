"""The HTML forms (Flask-WTF, CSRF on every one), labelled in Danish with English translations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) pairs
    SelectChoice = None

from tracker.inputs import CONTROL_CHARS, LINE_BREAKS
from tracker.models.vocab import Confidence, OrganisationKind, Role, SolutionKind, SourceKind, SwitchState
from tracker.web.format import (
    CONFIDENCE_LABELS,
    KIND_LABELS,
    LOA_LABELS,
    ORG_KIND_LABELS,
    ROLE_LABELS,
    SOURCE_LABELS,
    STATE_LABELS,
)

_REQUIRED = _l("Skal udfyldes.")
_URL = _l("Skal være en gyldig http(s)-adresse.")
# WTForms' URL() checks the shape only; "javascript://x.com/%0a…" passes it. Links we render must be http(s).
HTTP_ONLY = Regexp(r"^https?://", flags=re.IGNORECASE, message=_URL)
_CONTROL = _l("Teksten indeholder et ugyldigt kontroltegn.")


class PlainForm(FlaskForm):
    """A form whose text fields refuse control characters and lone surrogates (a 422 beats a 500 later)."""

    def validate(self, extra_validators: Any = None) -> bool:
        """The usual validation, plus the plain-text check on every text field."""
        ok = bool(super().validate(extra_validators))
        for field in self:
            if not isinstance(field.data, str):
                continue
            one_line = not isinstance(field, TextAreaField)
            if not _plain(field.data) or (one_line and LINE_BREAKS.search(field.data)):
                field.errors = [*list(field.errors or []), str(_CONTROL)]
                ok = False
        return ok


def _plain(text: str) -> bool:
    if CONTROL_CHARS.search(text):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def options(pairs: Iterable[tuple[str, object]]) -> list[Any]:
    """Select options in the form the installed WTForms wants (3.3 deprecates plain pairs)."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


def _choices(labels: dict[str, object], values: list[str], *, blank: bool = False) -> list[Any]:
    return options([*([("", "–")] if blank else []), *((value, labels.get(value, value)) for value in values)])


def _source_url() -> URLField:
    return URLField(
        _l("Kildens adresse (URL)"), validators=[Optional(), URL(message=_URL), HTTP_ONLY, Length(max=1000)]
    )


class LoginForm(PlainForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(_REQUIRED), Length(max=254)])
    password = PasswordField(_l("Adgangskode"), validators=[DataRequired(_REQUIRED), Length(max=256)])


class PasswordForm(PlainForm):
    """Change one's own password."""

    current = PasswordField(_l("Nuværende adgangskode"), validators=[DataRequired(_REQUIRED), Length(max=256)])
    new = PasswordField(_l("Ny adgangskode (mindst 12 tegn)"), validators=[DataRequired(_REQUIRED), Length(max=256)])


class FirstPasswordForm(PlainForm):
    """Choose one's own password after logging in with a one-time password."""

    new = PasswordField(_l("Ny adgangskode (mindst 12 tegn)"), validators=[DataRequired(_REQUIRED), Length(max=256)])


class CodeForm(PlainForm):
    """A code from the authenticator app, or one of the recovery codes."""

    code = StringField(
        _l("Kode fra godkendelsesappen (eller en gendannelseskode)"),
        validators=[DataRequired(_REQUIRED), Length(max=40)],
    )


class TokenForm(PlainForm):
    """Name a new API token."""

    name = StringField(_l("Navn på tokenet (fx systemets navn)"), validators=[DataRequired(_REQUIRED), Length(max=100)])


class ActionForm(PlainForm):
    """A button that changes something: only the CSRF token."""


class SolutionForm(PlainForm):
    """A coordinator's edit of a solution; carries the version it was made against."""

    slug = StringField(
        _l("Slug (til adressen; tom: dannes af navnet)"),
        validators=[Optional(), Length(max=80), Regexp(r"^[a-z0-9-]+$", message=_l("Kun a-z, 0-9 og bindestreg."))],
    )
    name = StringField(_l("Navn"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    aliases = StringField(_l("Andre navne (kommasepareret)"), validators=[Optional(), Length(max=2000)])
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), Length(max=5000)])
    kind = SelectField(_l("Type"), choices=_choices(KIND_LABELS, list(SolutionKind)))
    vendor = SelectField(_l("Leverandør"), choices=[], validate_choice=True)
    service_provider = SelectField(_l("Tjenesteudbyder"), choices=[], validate_choice=True)
    broker = StringField(_l("Broker"), validators=[Optional(), Length(max=80)])
    brokers = SelectMultipleField(_l("Login-brokere, som medarbejderne logger ind gennem"), choices=[])

    # A new solution starts unknown: nothing is 'confirmed' (or a level) unless someone chooses it with a source.
    loa_value = SelectField(
        _l("Krævet sikringsniveau"), choices=_choices(LOA_LABELS, list(LOA_LABELS)), default="ukendt"
    )
    loa_status = SelectField(_l("Vished"), choices=_choices(CONFIDENCE_LABELS, list(Confidence)), default="unknown")
    loa_source_kind = SelectField(_l("Kilde"), choices=_choices(SOURCE_LABELS, list(SourceKind), blank=True))
    loa_source_url = _source_url()
    loa_evidence = TextAreaField(_l("Belæg (citat eller hvad I så)"), validators=[Optional(), Length(max=5000)])

    switch_text = StringField(
        _l("Skæringsdato (dato eller periode, fx '1. marts 2023', 'Q2 2024', 'ultimo 2023'; tom: ukendt)"),
        validators=[Optional(), Length(max=200)],
    )
    switch_state = SelectField(
        _l("Status for skiftet"), choices=_choices(STATE_LABELS, list(SwitchState)), default="unknown"
    )
    switch_status = SelectField(_l("Vished"), choices=_choices(CONFIDENCE_LABELS, list(Confidence)), default="unknown")
    switch_source_kind = SelectField(_l("Kilde"), choices=_choices(SOURCE_LABELS, list(SourceKind), blank=True))
    switch_source_url = _source_url()
    switch_evidence = TextAreaField(_l("Belæg (citat eller hvad I så)"), validators=[Optional(), Length(max=5000)])

    reason = TextAreaField(_l("Hvorfor ændres det? (vises i historikken)"), validators=[Optional(), Length(max=2000)])
    version = HiddenField()
    seen_event = HiddenField()


class ProposalForm(PlainForm):
    """A vendor's report or a municipality's correction: only what they want changed."""

    loa_value = SelectField(_l("Krævet sikringsniveau"), choices=[])
    loa_status = SelectField(_l("Hvor sikkert er niveauet?"), choices=[])
    switch_text = StringField(
        _l("Skæringsdato (fx '1. marts 2023', 'Q2 2024'; tom: ingen ændring)"), validators=[Optional(), Length(max=200)]
    )
    switch_state = SelectField(_l("Status for skiftet"), choices=[])
    source_url = _source_url()
    evidence = TextAreaField(_l("Belæg: hvad så I, hvor og hvornår?"), validators=[Optional(), Length(max=5000)])


class AcceptForm(PlainForm):
    """Accept a proposal; a stale one needs the box ticked."""

    confirm_stale = BooleanField(_l("Løsningen er ændret siden forslaget blev lavet – godkend alligevel"))
    note = TextAreaField(_l("Bemærkning (valgfri, vises i historikken)"), validators=[Optional(), Length(max=2000)])


class RejectForm(PlainForm):
    """Reject a proposal with a reason the proposer sees."""

    reason = TextAreaField(
        _l("Begrundelse (forslagsstilleren ser den)"), validators=[DataRequired(_REQUIRED), Length(max=2000)]
    )


class NotAFactForm(PlainForm):
    """One click: a scraper finding is no fact (nothing to fill in; the CSRF token only)."""


class UserCreateForm(PlainForm):
    """An admin creates a user."""

    # The address itself is checked by the user service (one rule for the CLI, the API and this form).
    email = EmailField(_l("E-mail"), validators=[DataRequired(_REQUIRED), Length(max=254)])
    name = StringField(_l("Navn"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Rolle"), choices=_choices(ROLE_LABELS, list(Role)))
    organisation = SelectField(_l("Organisation (leverandører)"), choices=[])
    municipality = StringField(_l("Kommunekode (kommunebrugere, fx 101)"), validators=[Optional(), Length(max=4)])


class RoleForm(PlainForm):
    """An admin changes a user's role and binding."""

    role = SelectField(_l("Rolle"), choices=_choices(ROLE_LABELS, list(Role)))
    organisation = SelectField(_l("Organisation (leverandører)"), choices=[])
    municipality = StringField(_l("Kommunekode (kommunebrugere)"), validators=[Optional(), Length(max=4)])


class OrganisationForm(PlainForm):
    """Create an organisation."""

    slug = StringField(
        _l("Slug"),
        validators=[
            DataRequired(_REQUIRED),
            Length(max=80),
            Regexp(r"^[a-z0-9-]+$", message=_l("Kun a-z, 0-9 og bindestreg.")),
        ],
    )
    name = StringField(_l("Navn"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    kind = SelectField(_l("Type"), choices=_choices(ORG_KIND_LABELS, list(OrganisationKind)))
    url = URLField(_l("Hjemmeside"), validators=[Optional(), URL(message=_URL), HTTP_ONLY, Length(max=500)])


class TrustForm(PlainForm):
    """Mark a vendor organisation trusted or not."""

    trusted = BooleanField(_l("Betroet: forslag godkendes straks som 'indberettet af leverandør'"))


class TransitionFields:
    """A transition's fields as a form asks for them (a proposal of a new one, or of a change, filled with the
    transition as it is): what, when, who acts. Shared by the proposal form and an inquiry's answer."""

    kind = SelectField(_l("Type af overgang"), choices=[])
    title = StringField(_l("Titel"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), Length(max=5000)])
    date_text = StringField(_l("Dato eller periode, som kilden skriver den"), validators=[Optional(), Length(max=200)])
    state = SelectField(_l("Status for overgangen"), choices=_choices(STATE_LABELS, list(SwitchState)))
    act_by = StringField(_l("Handl senest (ÅÅÅÅ-MM-DD)"), validators=[Optional(), Length(max=10)])
    required_loa = SelectField(_l("Krævet sikringsniveau"), choices=[])
    category = SelectField(_l("Kategori"), choices=[])
    major = BooleanField(_l("Stor ændring"))
    who_must_act = SelectMultipleField(_l("Hvem skal handle?"), choices=[])
    what_to_do = TextAreaField(_l("Hvad skal de gøre?"), validators=[Optional(), Length(max=5000)])
    cancel = BooleanField(_l("Overgangen bliver ikke til noget (aflyst)"))


class TransitionProposalForm(PlainForm, TransitionFields):
    """A proposed new transition, or a change to one, with its source. Only what differs from the transition as
    shown is proposed."""

    source_url = _source_url()
    evidence = TextAreaField(_l("Citat fra kilden"), validators=[Optional(), Length(max=5000)])


class AnswerTransitionForm(Form, TransitionFields):
    """The transition an inquiry's answer proposes (inside the answer's form: its CSRF token covers it)."""

    def validate(self, extra_validators: Any = None) -> bool:
        """The usual validation, plus the plain-text check ``PlainForm`` makes."""
        ok = bool(super().validate(extra_validators))
        for field in self:
            if isinstance(field.data, str) and not _plain(field.data):
                field.errors = [*list(field.errors or []), str(_CONTROL)]
                ok = False
        return ok
