"""Words for a transition's kind, category and who must act — Danish first, English through the catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "login": _l("Nyt login"),
    "loa": _l("Krav om sikringsniveau"),
    "protocol": _l("Protokol"),
    "certificate": _l("Certifikat"),
    "broker_version": _l("Brokerversion"),
    "wallet": _l("Identitetstegnebog"),
    "decommission": _l("Lukning"),
    "organisation": _l("Organisation"),
}
CATEGORY_LABELS = {
    "plan_for_change": _l("Planlæg ændringen"),
    "prevent_or_fix": _l("Forebyg eller ret"),
    "stay_informed": _l("Til orientering"),
}
WHO_LABELS = {
    "municipalities": _l("kommunerne"),
    "local_idp_operators": _l("driftere af lokale IdP'er"),
    "service_provider": _l("tjenesteudbyderen"),
    "vendor": _l("leverandøren"),
    "staff": _l("medarbejderne"),
}


def label(labels: dict[str, object], value: str | None) -> str:
    """The label of a value (the value itself when it has none)."""
    return str(labels.get(value or "", value or ""))
