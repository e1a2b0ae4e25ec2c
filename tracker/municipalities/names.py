"""A municipality's official name, as it stands in its own letterhead: "<name> Kommune", with the exceptions
the law itself names ("Københavns Kommune", "Bornholms Regionskommune"). The names are data, not grammar:
Danish municipality names do not take a genitive -s by rule ("Odense Kommune", "Aarhus Kommune")."""

from __future__ import annotations

from flask_babel import gettext

from tracker.models import Municipality

# Municipality code → official name, where it is not "<name> Kommune".
OFFICIAL_NAMES = {"101": "Københavns Kommune", "400": "Bornholms Regionskommune"}


def official_name(municipality: Municipality) -> str:
    """ "Københavns Kommune", "Odense Kommune", "Bornholms Regionskommune"."""
    return OFFICIAL_NAMES.get(municipality.code, f"{municipality.name} Kommune")


def genitive(name: str) -> str:
    """The possessive of a name, through the catalogue: Danish adds -s, or an apostrophe after s, x and z
    ("Odenses", "Aarhus'"); English says "Odense's", "Aarhus's"."""
    if name[-1:].lower() in ("s", "x", "z"):
        return gettext("%(name)s'", name=name)
    return gettext("%(name)ss", name=name)
