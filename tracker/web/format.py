"""How facts read to a person, for the templates: the shared vocabulary (``tracker.vocabulary``) re-exported."""

from __future__ import annotations

from tracker.vocabulary import (
    CONFIDENCE_LABELS,
    KIND_LABELS,
    LOA_LABELS,
    MONTHS_DA,
    MONTHS_EN,
    STATE_LABELS,
    format_day,
    format_switch,
)

__all__ = [
    "CONFIDENCE_LABELS",
    "KIND_LABELS",
    "LOA_LABELS",
    "MONTHS_DA",
    "MONTHS_EN",
    "STATE_LABELS",
    "format_day",
    "format_switch",
]
