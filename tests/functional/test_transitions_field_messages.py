"""Every per-field message of the transitions API is in the reader's language: Danish by default, English with
Accept-Language: en — the schemas' own texts (lengths, choices, control characters, days, types), the nested date
and level, the list's filters and the lead times. A message the catalogue lacks would stay Danish on an English
answer; tests/unit/test_catalogue.py holds the catalogue to every marked text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.accounts import Account, make_role_accounts
from tracker.models.vocab import SourceKind
from tracker.registry.facts import DAY_RANGE_MESSAGE, FIRST_DAY, LAST_DAY

DANISH_WORDS = ("Skal", "skal", "Må ", "Teksten", "Datoen", "Mangler", "Højst", "Forkert", "tegn", "ligge")
ENGLISH = "en"
HINT = (
    "Write e.g. '1. marts 2023', 'Q2 2024', 'ultimo 2023', 'efteråret 2024' (the source's Danish words) or 2024-04-01."
)


@pytest.fixture
def coordinator(session: Session) -> Account:
    account = make_role_accounts(session)["coordinator"]
    session.commit()
    return account


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for inner in value:
            yield from _leaves(inner, path)
    else:
        yield path, str(value)


BODIES: list[tuple[dict[str, Any], dict[str, str]]] = [
    (
        {"kind": "protocol", "title": "", "description": 5, "category": "panic"},
        {
            "title": "Must have 1–200 characters.",
            "description": "Wrong type: must be text.",
            "category": "Must be one of: plan_for_change, prevent_or_fix, stay_informed",
        },
    ),
    (
        {
            "kind": "protocol",
            "title": "a\x01b",
            "replaced_by": "a\nb",
            "act_by": "1899-01-01",
            "what_to_do": "x" * 5001,
        },
        {
            "title": "The text contains an invalid control character.",
            "replaced_by": "Must be a single line (no line breaks or tabs).",
            "act_by": "The date must lie between 1900-01-01 and 2100-12-31.",
            "what_to_do": "Must have 0–5000 characters.",
        },
    ),
    (
        {"kind": "protocol", "title": "ok", "who_must_act": ["staff"] * 6},
        {"who_must_act": "At most 5 values."},
    ),
    (
        {
            "kind": "protocol",
            "title": "ok",
            "date": {"earliest": "2027-13-01", "precision": "hour", "source": {"kind": "oracle", "url": "ftp://x"}},
            "required_loa": {"value": "super"},
        },
        {
            "date.earliest": "Must be a valid date (YYYY-MM-DD).",
            "date.precision": "Must be one of: day, week, month, quarter, half, season, year, unknown",
            "date.source.kind": "Must be one of: " + ", ".join(SourceKind),
            "date.source.url": "Must be a valid http(s) address.",
            "required_loa.value": "Must be one of: lav, betydelig, hoej, ukendt",
        },
    ),
    (
        {"kind": "protocol", "title": "ok", "date": {"earliest": "2027-06-01", "latest": "2027-01-01"}},
        {"date.latest": "Must be the same day as or later than the first day."},
    ),
    (
        {"kind": "protocol", "title": "ok", "date": {"text": "2101-01-01"}},
        {"date.text": HINT},
    ),
    (
        {"kind": "protocol", "title": "ok", "date": {"latest": "2027-01-01", "earliest": None}},
        {"date.earliest": "Missing."},
    ),
]


@pytest.mark.parametrize(("body", "expected"), BODIES)
def test_transition_field_messages_are_english_when_asked_and_danish_by_default(
    client: FlaskClient, coordinator: Account, body: dict[str, Any], expected: dict[str, str]
) -> None:
    url = "/api/v1/solutions/aula/transitions"
    english = client.post(url, json=body, headers={**coordinator.bearer, "Accept-Language": ENGLISH})
    assert english.status_code == 422, english.get_json()
    details = dict(_leaves(english.get_json()["error"]["details"]))
    for field, message in expected.items():
        assert details.get(field) == message, (field, details)
    assert not [(f, m) for f, m in details.items() if any(w in m for w in DANISH_WORDS)], details

    danish = client.post(url, json=body, headers=coordinator.bearer)
    assert danish.status_code == 422
    danish_details = dict(_leaves(danish.get_json()["error"]["details"]))
    assert set(danish_details) == set(details)
    assert all(danish_details[f] != details[f] for f in expected), "Danish first, English only when asked"


def test_the_lists_filters_and_the_lead_times_answer_in_english_too(client: FlaskClient, coordinator: Account) -> None:
    en = {"Accept-Language": ENGLISH}
    resp = client.get("/api/v1/transitions?after=2027-02-01&before=2027-01-01", headers=en)
    assert resp.status_code == 422
    assert resp.get_json()["error"]["details"] == {"after": ["after must lie before before."]}
    resp = client.put("/api/v1/transition-lead-times/protocol", json={"days": -1}, headers={**coordinator.bearer, **en})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["details"] == {"days": ["Must be a whole number between 0 and 3650."]}
    danish = client.put("/api/v1/transition-lead-times/protocol", json={"days": 4000}, headers=coordinator.bearer)
    assert danish.get_json()["error"]["details"] == {"days": ["Skal være et heltal mellem 0 og 3650."]}


def test_the_day_range_message_names_the_range_the_registry_accepts() -> None:
    assert FIRST_DAY.isoformat() in DAY_RANGE_MESSAGE and LAST_DAY.isoformat() in DAY_RANGE_MESSAGE
