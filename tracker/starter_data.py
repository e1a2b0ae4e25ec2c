"""Starter data: organisations and solutions with only facts that have a source. Everything else is unknown.

The data is a table, ``starter_data.toml`` beside this module (read once, at import): the organisations, the
day-one login brokers and the real solutions named in public material (digst.dk, mitid-erhverv.dk, KOMBIT, STIL,
services.nsi.dk, os2, trade press). Every fact that is not unknown carries its source URL and the page's own
words. Status is honest: an authority's own page is ``confirmed``, a third party quoting one ``reported``, KL's
expectation ``expected``; switches that happened in 2022–2024 have ``switch_state`` ``switched``. ``brokers``
lists the slugs of the brokers a solution's users log in through (read by the readiness code when it is there;
ignored otherwise).

The KL webinar Q&A (the municipalities' questions, autumn 2022) is itself a source (``KL_WEBINAR``, named in the
evidence it gives): KL expects FMK at Betydelig; Aula awaits a decision. Never add a date or a level without its
source. The day-one transitions are ``tracker.starter_transitions``.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

KL_WEBINAR = "KL-webinar om NemLog-in3 og MitID Erhverv, spørgsmål og svar (2022)"


def _solution(entry: dict[str, Any]) -> dict[str, Any]:
    """One starter solution as the seed reads it: ``fields`` (its sourced facts) empty, all unknown, unless given."""
    head = ("slug", "name", "kind", "aliases")
    rest = {key: value for key, value in entry.items() if key not in head and key != "fields"}
    return {**{key: entry[key] for key in head}, "fields": entry.get("fields", {}), **rest}


_TABLE = tomllib.loads(resources.files("tracker").joinpath("starter_data.toml").read_text(encoding="utf-8"))
ORGANISATIONS: list[dict[str, Any]] = _TABLE["organisations"]
SOLUTIONS: list[dict[str, Any]] = [_solution(entry) for entry in _TABLE["solution"]]

__all__ = ["KL_WEBINAR", "ORGANISATIONS", "SOLUTIONS"]
