"""How facts read to a person, for the templates: the shared vocabulary (``tracker.vocabulary``) re-exported.

Every label table here is also a template global under its own name (``LABEL_GLOBALS``, installed by
``tracker.web.init_app``), so a page reads ``TRANSITION_KIND_LABELS`` from the one table the feeds and mail read.
"""

from __future__ import annotations

from tracker.vocabulary import (
    ACTION_STATUS_LABELS,
    CONFIDENCE_LABELS,
    EVENT_LABELS,
    INQUIRY_STATE_LABELS,
    KIND_LABELS,
    LOA_LABELS,
    MONTHS_DA,
    MONTHS_EN,
    ORG_KIND_LABELS,
    ORIGIN_LABELS,
    PRECISION_LABELS,
    PROPOSAL_STATE_LABELS,
    ROLE_LABELS,
    SOURCE_LABELS,
    STATE_LABELS,
    TRANSITION_CATEGORY_LABELS,
    TRANSITION_KIND_LABELS,
    WHO_MUST_ACT_LABELS,
    Labels,
    format_day,
    format_switch,
)

__all__ = [
    "ACTION_STATUS_LABELS",
    "CONFIDENCE_LABELS",
    "EVENT_LABELS",
    "INQUIRY_STATE_LABELS",
    "KIND_LABELS",
    "LABEL_GLOBALS",
    "LOA_LABELS",
    "MONTHS_DA",
    "MONTHS_EN",
    "ORG_KIND_LABELS",
    "ORIGIN_LABELS",
    "PRECISION_LABELS",
    "PROPOSAL_STATE_LABELS",
    "ROLE_LABELS",
    "SOURCE_LABELS",
    "STATE_LABELS",
    "TRANSITION_CATEGORY_LABELS",
    "TRANSITION_KIND_LABELS",
    "WHO_MUST_ACT_LABELS",
    "Labels",
    "format_day",
    "format_switch",
]

LABEL_GLOBALS: dict[str, Labels] = {name: globals()[name] for name in __all__ if name.endswith("_LABELS")}
