"""What to do now, worded: one sentence per readiness row's ``action``, Danish first (English with ``lang=en``).

Outside a request (events, the feed) the sentence is Danish, Flask-Babel's default locale.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import has_request_context
from flask_babel import format_date, get_locale

from tracker.i18n import translated as _
from tracker.municipalities.readiness import Action, ActionCode
from tracker.vocabulary import LOA_LABELS, danish_day, in_readers_language


def _day(day: date | None) -> str:
    if day is None:
        return ""
    if has_request_context() and str(get_locale()) == "en":
        return format_date(day, "d MMMM y")
    return danish_day(day)


def _level(code: str | None) -> str:
    label = LOA_LABELS.get(code or "")
    return code or "" if label is None else in_readers_language(lambda: str(label))


def action_text(action: Action) -> str:
    """The action as one sentence in the current language."""
    level = _level(action.level)
    if action.code is ActionCode.NOTIFY_IDP:
        return _(
            "Anmeld IdP'en '%(idp)s' på %(level)s senest %(day)s", idp=action.idp, level=level, day=_day(action.by)
        )
    if action.code is ActionCode.USE_MITID_ERHVERV:
        return _(
            "Lad gruppen '%(group)s' bruge MitID Erhverv, indtil IdP'en '%(idp)s' er anmeldt på %(level)s",
            group=action.group,
            idp=action.idp,
            level=level,
        )
    if action.code is ActionCode.CHOOSE_IDP:
        return _("Vælg den IdP, medarbejderne bruger til løsningen, eller markér en IdP som primær")
    if action.code is ActionCode.RECORD_IDP_LEVEL:
        return _("Angiv hvilket niveau IdP'en '%(idp)s' er anmeldt på", idp=action.idp)
    if action.code is ActionCode.AWAIT_DECISION:
        return _("Afvent beslutning – tjenesteudbyderen %(provider)s afgør", provider=action.provider)
    if action.code is ActionCode.CONTACT_PROVIDER:
        return _("Kontakt tjenesteudbyderen %(provider)s: kravet er ukendt", provider=action.provider)
    return _("Intet at gøre")


def action_dict(action: Action) -> dict[str, Any]:
    """``{"code", "text"}`` as the API, exports, feed and calendar show it."""
    return {"code": action.code.value, "text": action_text(action)}
