"""The action history's field names and the registry's reasons for actions, through the message catalogue
(Danish first); an action's status labels are the shared vocabulary's (``ACTION_STATUS_LABELS``).

Reasons the registry writes into an action (why it reopened or closed it) are stored in Danish, as events are:
they are history, written outside any reader's request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from tracker.vocabulary import LOA_LABELS, danish_day, in_danish

FIELD_LABELS = {
    "status": _l("Status"),
    "status_reason": _l("Begrundelse"),
    "owner": _l("Ansvarlig"),
    "due_on": _l("Frist"),
    "note": _l("Note"),
    "reopened_reason": _l("Genåbnet"),
}
REGISTRY_LABEL = "TU-tracker (registeret)"


def danish(msgid: str, **values: Any) -> str:
    """A catalogue message in Danish (stored history), whatever the request's language."""
    return in_danish(lambda: gettext(msgid, **values))


def level_da(code: str | None) -> str:
    """A level's Danish label ('Betydelig'); the code itself when it is no level."""
    label = LOA_LABELS.get(code or "")
    return code or "?" if label is None else in_danish(lambda: str(label))


def stricter_reason(before: str | None, after: str | None) -> str:
    """Why a done action was reopened: the requirement rose."""
    return danish("Kravet er skærpet fra %(before)s til %(after)s.", before=level_da(before), after=level_da(after))


def new_date_reason(before: date | None, after: date | None) -> str:
    """Why a done action was reopened: the day changed."""
    if before is None:
        return danish("Der er kommet en dato: %(after)s.", after=danish_day(after) if after else "")
    if after is None:
        return danish("Datoen er ikke længere kendt (var %(before)s).", before=danish_day(before))
    return danish("Datoen er ændret fra %(before)s til %(after)s.", before=danish_day(before), after=danish_day(after))


def no_longer_asked_reason() -> str:
    """Why the registry closed an open action: the row no longer asks the municipality to act."""
    return danish("Registeret: rækken kræver ikke længere handling fra kommunen.")


def asked_again_reason() -> str:
    """Why the registry reopened an action it had closed."""
    return danish("Registeret: rækken kræver igen handling fra kommunen.")


def cancelled_reason(title: str) -> str:
    """Why an action on a cancelled transition is not relevant."""
    return danish("Skiftet '%(title)s' er aflyst.", title=title)


def no_longer_asked_title() -> str:
    """What a closed action's subject says now, in the reader's language."""
    return gettext("Kræver ikke længere handling")
