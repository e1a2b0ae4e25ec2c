"""The shared vocabulary's labels: one table, a label for every value of every closed vocabulary, and the pages,
feeds and mail reading the same tables (one ``TRANSITION_KIND_LABELS``, not a page's own copy)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest
from flask import Flask
from flask_babel import force_locale

from tracker import vocabulary
from tracker.models.actions import ACTION_STATUSES
from tracker.models.inquiries import INQUIRY_STATES
from tracker.models.review import PROPOSAL_STATES
from tracker.models.vocab import (
    Confidence,
    Loa,
    OrganisationKind,
    Precision,
    Role,
    SolutionKind,
    SourceKind,
    SwitchState,
    TransitionCategory,
    TransitionKind,
    WhoMustAct,
)
from tracker.municipalities.readiness import Status
from tracker.web.format import LABEL_GLOBALS

VALUES: list[tuple[Mapping[str, object], Iterable[str]]] = [
    (vocabulary.LOA_LABELS, Loa),
    (vocabulary.CONFIDENCE_LABELS, Confidence),
    (vocabulary.STATE_LABELS, SwitchState),
    (vocabulary.KIND_LABELS, SolutionKind),
    (vocabulary.PRECISION_LABELS, Precision),
    (vocabulary.SOURCE_LABELS, SourceKind),
    (vocabulary.SOURCE_KIND_LABELS, SourceKind),
    (vocabulary.TRANSITION_KIND_LABELS, TransitionKind),
    (vocabulary.TRANSITION_CATEGORY_LABELS, TransitionCategory),
    (vocabulary.WHO_MUST_ACT_LABELS, WhoMustAct),
    (vocabulary.ROLE_LABELS, Role),
    (vocabulary.ORG_KIND_LABELS, OrganisationKind),
    (vocabulary.INQUIRY_STATE_LABELS, INQUIRY_STATES),
    (vocabulary.READINESS_LABELS, Status),
    (vocabulary.ACTION_STATUS_LABELS, ACTION_STATUSES),
    (vocabulary.PROPOSAL_STATE_LABELS, PROPOSAL_STATES),
]


@pytest.mark.parametrize(("labels", "values"), VALUES)
def test_every_value_has_a_label_and_every_label_a_value(labels: Mapping[str, object], values: Iterable[str]) -> None:
    assert set(labels) == {str(v) for v in values}


def test_one_row_a_value() -> None:
    keys = [(name, value) for name, value, _ in vocabulary.TERMS]
    assert len(keys) == len(set(keys))


def test_the_pages_read_the_vocabularys_own_tables(app: Flask) -> None:
    """Every label table is one template global under its own name, the very table the feeds and mail read —
    also after the blueprints that used to install copies of their own are registered."""
    assert set(LABEL_GLOBALS) >= {"TRANSITION_KIND_LABELS", "LOA_LABELS", "SOURCE_LABELS", "EVENT_LABELS"}
    for name, table in LABEL_GLOBALS.items():
        assert app.jinja_env.globals[name] is table, name
    assert app.jinja_env.globals["TRANSITION_KIND_LABELS"] is vocabulary.TRANSITION_KIND_LABELS


def test_labels_are_danish_with_english_through_the_catalogue(app: Flask) -> None:
    with app.test_request_context():
        assert vocabulary.label(vocabulary.TRANSITION_KIND_LABELS, "login") == "Nyt login"
        assert vocabulary.label(vocabulary.TRANSITION_KIND_LABELS, "teleport") == "teleport"
        assert vocabulary.label(vocabulary.TRANSITION_KIND_LABELS, None) == ""
        with force_locale("en"):
            assert vocabulary.label(vocabulary.TRANSITION_KIND_LABELS, "login") == "New login"
            assert str(vocabulary.ACTION_STATUS_LABELS["in_progress"]) == "In progress"
