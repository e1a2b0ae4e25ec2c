"""The response cache's stamp names a state by the newest event's id *and* instant: SQLite hands the id of a
rolled-back event to the next one, so the id alone would serve the rolled-back state's rendering for the new one
(mutant H12). On PostgreSQL the sequence never reuses an id; the test holds there too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.broadcast import Clock
from tests.support.municipalities import seeded
from tracker.clock import clock_set_to
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

T = datetime(2040, 3, 6, 10, 0, tzinfo=UTC)


def _text(client: FlaskClient) -> str:
    resp = client.get("/api/v1/solutions/aula")
    assert resp.status_code == 200
    return str(resp.get_json()["switch_date"]["text"])


def test_a_rolled_back_change_never_stands_for_the_next_one(client: FlaskClient, session: Session) -> None:
    aula = seeded(session, "aula")
    _text(client)
    with clock_set_to(Clock(T)):
        undone = session.begin_nested()
        [first] = update_solution(session, aula, {"switch_text": "forår 2031"}, actor=SYSTEM)
        assert _text(client) == "forår 2031"  # rendered and cached at a state about to be rolled back
        undone.rollback()
    with clock_set_to(Clock(T + timedelta(seconds=5))):
        [second] = update_solution(session, aula, {"switch_text": "efterår 2031"}, actor=SYSTEM)
        session.commit()
    assert _text(client) == "efterår 2031"
    assert second.id >= first.id  # SQLite: the same id again
