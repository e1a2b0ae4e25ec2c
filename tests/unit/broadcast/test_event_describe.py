"""Change events in Danish a person understands (the feeds' titles and summaries)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tracker.broadcast.describe import describe
from tracker.models import ChangeEvent


def _event(type_: str, changes: dict[str, Any], **extra: Any) -> ChangeEvent:
    data = extra.pop("data", {"solution": {"slug": "aula", "name": "Aula"}})
    return ChangeEvent(id=1, type=type_, changes=changes, data=data, actor_label="x", **extra)


def _ch(before: Any, after: Any) -> dict[str, Any]:
    return {"before": before, "after": after}


@pytest.mark.parametrize(
    ("type_", "changes", "title"),
    [
        (
            "solution.switch_date.changed",
            {
                "switch_earliest_on": _ch("2023-03-01", "2023-05-01"),
                "switch_latest_on": _ch("2023-03-01", "2023-05-01"),
            },
            "Aula: skæringsdato flyttet fra 1. marts 2023 til 1. maj 2023",
        ),
        (
            "solution.switch_date.changed",
            {
                "switch_earliest_on": _ch(None, "2024-04-01"),
                "switch_latest_on": _ch(None, "2024-06-30"),
                "switch_text": _ch(None, "Q2 2024"),
                "switch_status": _ch("unknown", "reported"),
            },
            "Aula: skæringsdato sat til 1. april 2024 – 30. juni 2024 («Q2 2024») (Indberettet)",
        ),
        (
            "solution.switch_date.changed",
            {"switch_earliest_on": _ch("2024-04-01", None)},
            "Aula: skæringsdato fjernet (var 1. april 2024; nu ukendt)",
        ),
        (
            "solution.switch_date.changed",
            {"switch_state": _ch("planned", "postponed")},
            "Aula: status ændret fra Planlagt til Udskudt",
        ),
        (
            "solution.required_loa.changed",
            {"loa_value": _ch("ukendt", "betydelig"), "loa_status": _ch("unknown", "expected")},
            "Aula: krævet sikringsniveau ændret fra Ukendt til Betydelig (Forventet (KL))",
        ),
        (
            "solution.required_loa.changed",
            {"loa_status": _ch("expected", "confirmed")},
            "Aula: vished for krævet sikringsniveau ændret fra Forventet (KL) til Bekræftet",
        ),
        (
            "solution.updated",
            {"name": _ch("A", "Aula"), "vendor_id": _ch(None, 3)},
            "Aula: opdateret: navn, leverandør",
        ),
    ],
)
def test_titles(app: Flask, type_: str, changes: dict[str, Any], title: str) -> None:
    assert describe(_event(type_, changes)).title == title


def test_summary_adds_source_and_reason(app: Flask) -> None:
    event = _event(
        "solution.switch_date.changed",
        {"switch_earliest_on": _ch("2023-03-01", "2023-05-01")},
        source_kind="authority",
        source_url="https://example.org/aula",
        reason="Aflyst møde",
    )
    assert describe(event).summary == (
        "Aula: skæringsdato flyttet fra 1. marts 2023 til 1. maj 2023 — kilde: https://example.org/aula (myndighed)."
        " Begrundelse: Aflyst møde"
    )


def test_readiness_event_says_what_it_means(app: Flask) -> None:
    event = _event(
        "municipality.readiness.changed",
        {"readiness": _ch({"status": "ok"}, {"status": "at_risk", "from": "2031-01-01"})},
        data={
            "solution": {"slug": "aula", "name": "Aula"},
            "municipality": {"code": "101", "name": "København"},
            "message": "Medarbejderne lukkes ude fra 1. januar 2031, 30 dage tilbage.",
        },
    )
    assert describe(event).title == (
        "København: parathed for Aula ændret fra Klar til I fare — Medarbejderne lukkes ude fra 1. januar 2031, "
        "30 dage tilbage."
    )


def test_a_readiness_event_where_only_the_day_moved_says_so(app: Flask) -> None:
    event = _event(
        "municipality.readiness.changed",
        {
            "readiness": _ch(
                {"status": "at_risk", "from": "2027-07-01"},
                {"status": "at_risk", "from": "2027-06-01"},
            )
        },
        data={
            "solution": {"slug": "aula", "name": "Aula"},
            "municipality": {"code": "461", "name": "Odense"},
            "message": "Medarbejderne lukkes ude fra 1. juni 2027, 30 dage tilbage.",
            "action": {"code": "notify_idp", "text": "Anmeld IdP'en 'Skole-IdP' på Betydelig senest 31. maj 2027"},
        },
        reason="Context Handler kræver Betydelig.",
    )
    described = describe(event)
    assert "fra I fare til I fare" not in described.title
    assert described.title == (
        "Odense: parathed for Aula stadig I fare; dagen flyttet fra 1. juli 2027 til 1. juni 2027 — Medarbejderne "
        "lukkes ude fra 1. juni 2027, 30 dage tilbage. Gør nu: Anmeld IdP'en 'Skole-IdP' på Betydelig senest "
        "31. maj 2027."
    )
    assert ".." not in described.summary
    assert described.summary.endswith("31. maj 2027. Begrundelse: Context Handler kræver Betydelig.")
    english = describe(event, "en").title
    assert "still" in english and "the day moved from 1 July 2027 to 1 June 2027" in english


def test_a_summary_never_has_a_double_full_stop(app: Flask) -> None:
    event = _event(
        "municipality.readiness.changed",
        {"readiness": _ch({"status": "ok"}, {"status": "locked_out", "from": "2027-06-01"})},
        data={
            "solution": {"slug": "aula", "name": "Aula"},
            "municipality": {"code": "461", "name": "Odense"},
            "message": "Medarbejderne er lukket ude siden 1. juni 2027.",
            "action": {
                "code": "use_mitid_erhverv",
                "text": "Lad gruppen 'Skoler' bruge MitID Erhverv, indtil IdP'en 'Skole-IdP' er anmeldt på Betydelig",
            },
        },
        reason="Ny oplysning",
    )
    summary = describe(event).summary
    assert "Betydelig. Begrundelse: Ny oplysning" in summary and ".." not in summary
