"""The nested API shape → the registry's flat fields, and Danish switch dates through the shared parser."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tracker.errors import ValidationError
from tracker.review.changes import flatten, from_json, switch_from_text, to_json

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("1. marts 2023", date(2023, 3, 1), date(2023, 3, 1), "day"),
        ("ultimo 2023", date(2023, 10, 1), date(2023, 12, 31), "quarter"),
        ("Q2 2024", date(2024, 4, 1), date(2024, 6, 30), "quarter"),
        ("efteråret 2024", date(2024, 9, 1), date(2024, 11, 30), "season"),
        ("2024-04-01", date(2024, 4, 1), date(2024, 4, 1), "day"),
    ],
)
def test_switch_dates_in_danish_words_become_intervals(text: str, earliest: date, latest: date, precision: str) -> None:
    fields = switch_from_text(text, today=TODAY)
    assert fields == {
        "switch_earliest_on": earliest,
        "switch_latest_on": latest,
        "switch_precision": precision,
        "switch_text": text,
    }


@pytest.mark.parametrize("text", ["31. februar 2023", "2023-02-31", "engang til foråret måske", "32-01-2022"])
def test_unreadable_or_impossible_dates_are_a_danish_422(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        switch_from_text(text, today=TODAY)
    assert caught.value.status == 422
    assert "kunne ikke forstås" in caught.value.message
    assert "switch_date.text" in caught.value.details


def test_empty_text_means_unknown() -> None:
    assert switch_from_text("  ", today=TODAY) == {
        "switch_earliest_on": None,
        "switch_latest_on": None,
        "switch_precision": "unknown",
        "switch_text": None,
    }


def test_flatten_maps_the_nested_get_shape(session: Session) -> None:
    data = {
        "name": "Aula",
        "vendor": "kmd",
        "required_loa": {
            "value": "hoej",
            "status": "confirmed",
            "source": {"kind": "authority", "url": "https://example.dk/a", "evidence": "Står der"},
        },
        "switch_date": {
            "text": "Q2 2024",
            "state": "planned",
            "status": "reported",
            "source": {"kind": "vendor", "url": None},
        },
    }
    flat = flatten(session, data, today=TODAY)
    kmd_id = flat.pop("vendor_id")
    assert isinstance(kmd_id, int)
    assert flat == {
        "name": "Aula",
        "loa_value": "hoej",
        "loa_status": "confirmed",
        "loa_source_kind": "authority",
        "loa_source_url": "https://example.dk/a",
        "loa_evidence": "Står der",
        "switch_earliest_on": date(2024, 4, 1),
        "switch_latest_on": date(2024, 6, 30),
        "switch_precision": "quarter",
        "switch_text": "Q2 2024",
        "switch_state": "planned",
        "switch_status": "reported",
        "switch_source_kind": "vendor",
        "switch_source_url": None,
    }


def test_flatten_takes_explicit_days_and_refuses_incoherent_ones(session: Session) -> None:
    flat = flatten(
        session,
        {"switch_date": {"earliest": date(2024, 4, 1), "latest": date(2024, 6, 30), "precision": "quarter"}},
        today=TODAY,
    )
    assert flat["switch_precision"] == "quarter" and flat["switch_text"] is None
    single = flatten(session, {"switch_date": {"earliest": date(2024, 4, 1)}}, today=TODAY)
    assert single["switch_latest_on"] == date(2024, 4, 1) and single["switch_precision"] == "day"
    for bad in (
        {"earliest": date(2024, 6, 1), "latest": date(2024, 4, 1), "precision": "month"},
        {"latest": date(2024, 4, 1)},
        {"earliest": date(2024, 4, 1), "latest": date(2024, 4, 30)},  # a period needs its precision
    ):
        with pytest.raises(ValidationError):
            flatten(session, {"switch_date": bad}, today=TODAY)


def test_unknown_organisation_is_a_422_naming_the_field(session: Session) -> None:
    with pytest.raises(ValidationError) as caught:
        flatten(session, {"service_provider": "no-such-org"}, today=TODAY)
    assert "service_provider" in caught.value.details


def test_proposal_changes_round_trip_through_json() -> None:
    changes = {"switch_earliest_on": date(2024, 4, 1), "switch_latest_on": None, "loa_value": "hoej"}
    stored = to_json(changes)
    assert stored == {"switch_earliest_on": "2024-04-01", "switch_latest_on": None, "loa_value": "hoej"}
    assert from_json(stored) == changes
