"""The forms of the municipality page (Flask-WTF: a CSRF token on every one), Danish labels."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from tracker.models import Idp
from tracker.models.vocab import Loa
from tracker.municipalities.plan_imports import MAX_ROWS as MAX_PLAN_ROWS
from tracker.web.format import LOA_LABELS
from tracker.web.forms import options


class IdpForm(FlaskForm):
    """Add or change an IdP."""

    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skal udfyldes.")), Length(max=200)])
    user_group = StringField(_l("Brugergruppe (fx administration, skoler)"), validators=[Optional(), Length(max=200)])
    notified_loa = SelectField(
        _l("Anmeldt sikringsniveau"),
        choices=options((v.value, LOA_LABELS[v.value]) for v in Loa),
        default=Loa.UKENDT.value,
    )
    broker = StringField(_l("Broker (fx NemLog-in)"), validators=[Optional(), Length(max=80)])
    is_primary = BooleanField(_l("Primær IdP (den medarbejderne bruger, når intet andet er valgt)"))

    def values(self) -> dict[str, Any]:
        """The service's input: empty text fields mean 'not given'."""
        return {
            "name": self.name.data,
            "user_group": self.user_group.data or None,
            "notified_loa": self.notified_loa.data,
            "broker": self.broker.data or None,
            "is_primary": bool(self.is_primary.data),
        }


def group_pairs(idps: list[Idp]) -> list[tuple[str, str]]:
    """The IdPs (staff groups) a solution can be used by, as (value, label); none chosen means the primary IdP."""
    choices: list[tuple[str, str]] = []
    for i in idps:
        group = f" – {i.user_group}" if i.user_group else ""
        choices.append((str(i.id), f"{i.name}{group} ({LOA_LABELS.get(i.notified_loa, i.notified_loa)})"))
    return choices


def group_choices(idps: list[Idp]) -> list[Any]:
    """``group_pairs`` as a select field's choices."""
    return options(group_pairs(idps))


def chosen_idps(raw: list[str] | None) -> list[int]:
    """The multiple select's values as IdP ids (none: the primary IdP)."""
    return [int(v) for v in raw or [] if v.isdigit()]


class PortfolioAddForm(FlaskForm):
    """Add a solution to the portfolio: its name (or slug or alias) typed in, not chosen from the whole registry."""

    solution = StringField(
        _l("Løsning"),
        validators=[DataRequired(_l("Skriv løsningens navn.")), Length(max=300)],
        description=_l("Løsningens navn, et andet navn for den eller dens kortnavn fra adressen (fx aula)."),
    )
    idp_ids = SelectMultipleField(
        _l("Medarbejdergrupper (IdP'er); ingen valgt: den primære IdP"), validators=[Optional()]
    )

    def fill(self, idps: list[Idp]) -> None:
        """The choices of this municipality."""
        self.idp_ids.choices = group_choices(idps)


class PortfolioIdpForm(FlaskForm):
    """Choose the IdPs (staff groups) for one solution in the portfolio."""

    idp_ids = SelectMultipleField(_l("IdP'er"), validators=[Optional()])


class ImportForm(FlaskForm):
    """Upload a CSV or XLSX file of solution names."""

    file = FileField(
        _l("Fil (CSV eller XLSX) med en kolonne af løsningsnavne"), validators=[FileRequired(_l("Vælg en fil."))]
    )
    dry_run = BooleanField(_l("Vis kun, hvad der ville ske (gem intet)"))


class PlanImportForm(FlaskForm):
    """Upload a CSV or XLSX file of planned IdP and staff-group changes (the export's columns)."""

    file = FileField(
        _l("Fil (CSV eller XLSX) med de planlagte ændringer"),
        validators=[FileRequired(_l("Vælg en fil."))],
        description=_l(
            "Kolonnerne som i eksporten: Fra dato, IdP, Brugergruppe, Ændring, Nyt niveau, Ny IdP, Hvortil, "
            "Bemærkning. Højst %(limit)s rækker. Filen er hele planen: ændringer, den ikke nævner, fjernes. "
            "Du ser først, hvad der vil ske.",
            limit=MAX_PLAN_ROWS,
        ),
    )


class ButtonForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


CHANGE_KINDS = (
    ("loa", _l("IdP'en anmeldes på et nyt niveau")),
    ("retire", _l("IdP'en nedlægges")),
    ("move", _l("Medarbejdergruppen flytter til en anden af kommunens IdP'er")),
    ("leave", _l("Medarbejdergruppen forlader kommunen (fx til regionen)")),
)


class IdpChangeForm(FlaskForm):
    """Plan a dated change of an IdP or of the staff group it serves (the service checks it, in Danish)."""

    idp_id = SelectField(_l("IdP (medarbejdergruppe)"), validators=[DataRequired(_l("Vælg en IdP."))])
    kind = SelectField(_l("Ændring"), choices=options(CHANGE_KINDS))
    effective_on = StringField(
        _l("Fra dato (ÅÅÅÅ-MM-DD)"), validators=[DataRequired(_l("Skal udfyldes.")), Length(max=10)]
    )
    notified_loa = SelectField(
        _l("Nyt anmeldt niveau (kun ved nyt niveau)"),
        choices=options([("", "–"), *((v.value, LOA_LABELS[v.value]) for v in Loa if v != Loa.UKENDT)]),
        validators=[Optional()],
    )
    target_idp_id = SelectField(_l("Ny IdP (kun ved flytning)"), validators=[Optional()])
    destination = StringField(
        _l("Hvortil (kun når gruppen forlader kommunen, fx Region Østdanmark)"),
        validators=[Optional(), Length(max=200)],
    )
    note = StringField(_l("Bemærkning (valgfri)"), validators=[Optional(), Length(max=2000)])

    def fill(self, idps: list[Idp]) -> None:
        """The municipality's IdPs as choices."""
        choices = [(str(i.id), f"{i.name}" + (f" – {i.user_group}" if i.user_group else "")) for i in idps]
        self.idp_id.choices = options(choices)
        self.target_idp_id.choices = options([("", "–"), *choices])

    def values(self) -> dict[str, Any]:
        """The service's input: empty choices mean 'not given'."""
        return {
            "idp_id": int(self.idp_id.data) if str(self.idp_id.data or "").isdigit() else None,
            "kind": self.kind.data,
            "effective_on": (self.effective_on.data or "").strip(),
            "notified_loa": self.notified_loa.data or None,
            "target_idp_id": int(self.target_idp_id.data) if str(self.target_idp_id.data or "").isdigit() else None,
            "destination": self.destination.data or None,
            "note": self.note.data or None,
        }
