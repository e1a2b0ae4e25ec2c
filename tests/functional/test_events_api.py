"""GET /api/v1/events: the catch-up cursor — stable ascending order, paging by next_after, and readiness
events only for the municipality's own users and coordinators."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer, make_user
from tests.support.broadcast import solution_by_slug, token_for
from tracker.models import ChangeEvent, Municipality
from tracker.municipalities import services as municipality_services
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

READINESS = "municipality.readiness.changed"


def _latest_id(session: Session) -> int:
    return session.scalar(select(ChangeEvent.id).order_by(ChangeEvent.id.desc()).limit(1)) or 0


def test_paging_through_the_log_sees_every_public_event_once_in_order(client: FlaskClient, session: Session) -> None:
    start = _latest_id(session)
    aula = solution_by_slug(session, "aula")
    for day in range(1, 8):
        update_solution(session, aula, {"switch_earliest_on": date(2030, 1, day)}, actor=SYSTEM)
    session.commit()
    seen: list[int] = []
    cursor = start
    for _page in range(10):  # 7 events in pages of 3: the empty page comes fourth; ten is a bound, not a guess
        body = client.get(f"/api/v1/events?after={cursor}&limit=3").get_json()
        if not body["items"]:
            assert body["next_after"] == cursor
            break
        seen += [e["id"] for e in body["items"]]
        cursor = body["next_after"]
    else:
        pytest.fail("paging never reached an empty page")
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 7
    first = client.get(f"/api/v1/events?after={start}&limit=1").get_json()["items"][0]
    assert first["type"] == "solution.switch_date.changed" and first["solution"]["slug"] == "aula"
    assert first["changes"]["switch_date.earliest"]["after"] == "2030-01-01"


@pytest.mark.parametrize("query", ["after=-1", "limit=0", "limit=501", "after=abc"])
def test_bad_cursor_is_a_clear_422(client: FlaskClient, query: str) -> None:
    resp = client.get(f"/api/v1/events?{query}")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "validation_error"


def test_readiness_events_are_visible_only_to_their_municipality_and_coordinators(
    client: FlaskClient, session: Session
) -> None:
    start = _latest_id(session)
    kbh = session.scalar(select(Municipality).where(Municipality.code == "101"))
    assert kbh is not None
    municipality_services.create_idp(
        session, kbh, {"name": "KK IdP", "notified_loa": "lav", "is_primary": True}, actor=SYSTEM
    )
    update_solution(
        session,
        solution_by_slug(session, "aula"),
        {"loa_value": "hoej", "switch_earliest_on": date(2031, 1, 1), "switch_state": "planned"},
        actor=SYSTEM,
    )
    municipality_services.add_to_portfolio(session, kbh, "aula", actor=SYSTEM)
    tokens = {
        "own": token_for(session, make_user(session, "ev@kk.dk", "municipality", municipality="101")),
        "other": token_for(session, make_user(session, "ev@aarhus.dk", "municipality", municipality="751")),
        "coordinator": token_for(session, make_user(session, "ev@kl.dk", "coordinator")),
        "vendor": token_for(session, make_user(session, "ev@kmd.dk", "vendor", organisation="kmd")),
    }
    session.commit()

    def types(headers: dict[str, str]) -> list[str]:
        body = client.get(f"/api/v1/events?after={start}&limit=500", headers=headers).get_json()
        return [e["type"] for e in body["items"]]

    assert READINESS in types(bearer(tokens["own"]))
    assert READINESS in types(bearer(tokens["coordinator"]))
    for headers in ({}, bearer(tokens["other"]), bearer(tokens["vendor"])):
        seen = types(headers)
        assert READINESS not in seen and "solution.required_loa.changed" in seen
    assert client.get("/api/v1/events", headers=bearer("tut_wrong")).status_code == 401
