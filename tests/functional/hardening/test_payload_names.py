"""Item 12: events and webhooks name changed fields as the API does (``switch_date.earliest``,
``required_loa.value``, ``service_provider.slug``), never by column; stored history keeps its columns
(feeds and calendars describe it as before)."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.broadcast.outbox import event_payload
from tracker.models import Organisation
from tracker.registry.actors import SYSTEM
from tracker.registry.queries import get_solution
from tracker.registry.services import update_solution


def test_event_log_and_webhook_use_api_names(client: FlaskClient, session: Session) -> None:
    kmd = session.scalars(select(Organisation).where(Organisation.slug == "kmd")).one()
    aula = get_solution(session, "aula")
    events = update_solution(
        session,
        aula,
        {
            "switch_earliest_on": date(2034, 1, 2),
            "switch_latest_on": date(2034, 1, 2),
            "loa_value": "hoej",
            "loa_status": "expected",
            "service_provider_id": kmd.id,
        },
        actor=SYSTEM,
    )
    session.commit()
    payloads = [event_payload(e)["data"]["changes"] for e in events]
    merged = {k: v for p in payloads for k, v in p.items()}
    assert merged["switch_date.earliest"]["after"] == "2034-01-02"
    assert merged["required_loa.value"]["after"] == "hoej"
    assert merged["service_provider.slug"]["after"] == "kmd"
    assert not any(k.endswith(("_on", "_id")) or k.startswith("loa_") for k in merged)
    log = client.get("/api/v1/events?limit=500").get_json()["items"]
    names = {k for item in log for k in item["changes"]}
    assert "switch_date.earliest" in names and "switch_earliest_on" not in names
    assert "Aula: skæringsdato" in client.get("/feeds/changes.atom").get_data(as_text=True)
