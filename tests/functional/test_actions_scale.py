"""What actions cost where the work grows.

- A registry change follows every municipality it reaches in a fixed number of SQL statements: the same count
  whether it reaches 1 or 20 municipalities with actions (each reopened with its reason, a history line, an
  ``action.updated`` event with a webhook delivery, and a notice to its owner).
- Reading never writes: the actions are made where things change (a municipality's portfolio or IdPs, the
  registry), so the list, the page and the API of a municipality nobody has looked at issue no INSERT, UPDATE
  or DELETE, and they show the actions already.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.benchmarks.sqlcount import count_statements
from tests.support.accounts import bearer, log_in
from tests.support.broadcast import subscribe
from tests.support.municipalities import fresh_client, idp, municipality, solution, use, user_with_token
from tracker.actions import services
from tracker.actions.sync import scheduled_follow
from tracker.clock import clock_set_to
from tracker.db import get_db
from tracker.models import Action, ActionChange, ChangeEvent, Delivery, MailMessage, Municipality, Solution
from tracker.municipalities import plans
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SWITCH, EARLIER = date(2027, 3, 1), date(2027, 2, 1)
REASON = "Udbyderen har fremrykket skiftet"


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    """7 December 2026."""
    with clock_set_to(lambda: NOW):
        yield


def _codes(session: Session, n: int, skip: int) -> list[str]:
    return list(session.scalars(select(Municipality.code).order_by(Municipality.code).offset(skip).limit(n)))


def _world(session: Session, slug: str, codes: list[str]) -> None:
    """Each municipality: an IdP at Betydelig whose staff use ``slug`` (Høj from 1 March 2027), its action done
    by an owner, and a webhook subscription of its own."""
    solution(session, slug, loa="hoej", earliest=SWITCH, name=slug.capitalize())
    for code in codes:
        use(session, code, slug, via=idp(session, code, f"IdP-{code}", "betydelig"))
        owner, _ = user_with_token(session, f"it@{slug}-{code}.example.dk", "municipality", code)
        subscribe(session, owner, f"http://127.0.0.1:9/{code}")
        action = session.scalar(
            select(Action).join(Municipality).where(Municipality.code == code, Action.subject_kind == "readiness")
        )
        assert action is not None, code  # made by the portfolio change, not by a read
        services.update_action(session, action, {"owner_user_id": owner.id, "status": "done"}, user=owner)
    session.flush()


def _move_switch(session: Session, slug: str) -> int:
    """Move the switch a month earlier; the statements it took (transaction control not counted)."""
    session.expire_all()
    moved = session.scalar(select(Solution).where(Solution.slug == slug))
    assert moved is not None
    with count_statements(get_db().engine) as log:
        update_solution(
            session, moved, {"switch_earliest_on": EARLIER, "switch_latest_on": EARLIER}, actor=SYSTEM, reason=REASON
        )
        session.flush()
    return log.count


def _followed(session: Session, slug: str, codes: list[str]) -> dict[str, Any]:
    actions = list(
        session.scalars(
            select(Action)
            .join(Municipality)
            .where(Municipality.code.in_(codes), Action.solution.has(slug=slug), Action.subject_kind == "readiness")
        )
    )
    ids = [a.id for a in actions]
    return {
        "actions": actions,
        "history": session.scalar(
            select(func.count(ActionChange.id)).where(ActionChange.action_id.in_(ids), ActionChange.actor_id.is_(None))
        ),
        "events": list(
            session.scalars(
                select(ChangeEvent).where(
                    ChangeEvent.type == "action.updated",
                    ChangeEvent.actor_id.is_(None),
                    ChangeEvent.reason.is_not(None),
                )
            )
        ),
        "notices": session.scalar(
            select(func.count(MailMessage.id)).where(
                MailMessage.notice == "action_registry", MailMessage.action_id.in_(ids)
            )
        ),
    }


def test_one_registry_change_costs_the_same_statements_for_1_and_20_municipalities_with_actions(
    session: Session,
) -> None:
    one, twenty = _codes(session, 1, 0), _codes(session, 20, 1)
    _world(session, "x-alene", one)
    _world(session, "x-mange", twenty)
    alone = _move_switch(session, "x-alene")
    before = _followed(session, "x-alene", one)
    many = _move_switch(session, "x-mange")
    after = _followed(session, "x-mange", twenty)

    assert many == alone, (alone, many)
    # ... and each municipality was followed as the rules say, never silently:
    for found, n in ((before, 1), (after, 20)):
        assert len(found["actions"]) == n
        for action in found["actions"]:
            assert action.status == "new" and action.due_on == EARLIER and action.act_by_on == EARLIER
            assert action.reopened_reason == "Datoen er ændret fra 1. marts 2027 til 1. februar 2027."
    assert before["history"] == 1 and after["history"] == 20
    assert before["notices"] == 1 and after["notices"] == 20
    events = after["events"]
    assert len(events) == 21  # 1 + 20: one per action
    assert {e.reason for e in events} == {f"Datoen er ændret fra 1. marts 2027 til 1. februar 2027. {REASON}"}
    deliveries = list(session.scalars(select(Delivery).where(Delivery.event_id.in_([e.id for e in events]))))
    assert len(deliveries) == 21  # each to its own municipality's subscriber only
    assert all(d.event and d.subscription.owner.municipality_id == d.event.municipality_id for d in deliveries)


def _fresh(session: Session) -> dict[str, Any]:
    """Vejle (630), never looked at: a portfolio whose row asks to act, and a user."""
    kk_idp = idp(session, "630", "Vejle-IdP", "betydelig", group="Administration")
    solution(session, "omsorg", loa="hoej", earliest=SWITCH, name="Omsorg")
    use(session, "630", "omsorg", via=kk_idp)
    user, token = user_with_token(session, "it@vejle.example.dk", "municipality", "630")
    session.commit()
    return {"user": user, "token": token}


WRITES = ("INSERT", "UPDATE", "DELETE")


def _writes(app: Flask, client: FlaskClient, path: str, headers: dict[str, str] | None = None) -> list[str]:
    with count_statements(get_db(app).engine) as log:
        resp = client.get(path, headers=headers or {})
        assert resp.status_code == 200, (path, resp.status_code)
    return [q for q in log.queries if q.lstrip().upper().startswith(WRITES)]


def test_reading_a_fresh_municipalitys_actions_writes_nothing_and_shows_them(app: Flask, session: Session) -> None:
    world = _fresh(session)
    api = fresh_client(app)
    headers = bearer(world["token"])
    assert _writes(app, api, "/api/v1/municipalities/630/actions", headers) == []
    body = api.get("/api/v1/municipalities/630/actions", headers=headers).get_json()
    [item] = [i for i in body["items"] if i["subject"]["solution"]["slug"] == "omsorg"]
    assert item["status"] == "new" and item["due"] == "2027-03-01"
    # The id is stable across reads; reading the one action writes only the reader's read mark.
    again = api.get("/api/v1/municipalities/630/actions", headers=headers).get_json()
    assert [i["id"] for i in again["items"]] == [i["id"] for i in body["items"]]
    one = _writes(app, api, f"/api/v1/municipalities/630/actions/{item['id']}", headers)
    assert one and all("action_read" in q for q in one), one

    web = fresh_client(app)
    log_in(web, world["user"])
    assert _writes(app, web, "/kommuner/630/handlinger") == []
    assert _writes(app, web, "/kommuner/630") == []
    assert "Omsorg" in web.get("/kommuner/630/handlinger").get_data(as_text=True)


def test_the_hourly_job_follows_what_the_passing_days_move(app: Flask, session: Session) -> None:
    """A staff group leaves for the region on 1 January 2027: nobody changes anything or looks, and the
    scheduler's ``follow_actions`` closes its action from that day, with the reason."""
    care = idp(session, "630", "Vejle-Hjemmepleje", "lav", group="hjemmepleje")
    solution(session, "x-fmk", loa="betydelig", earliest=date(2027, 3, 1), name="FMK-test")
    use(session, "630", "x-fmk", via=care)
    plans.create_change(
        session,
        municipality(session, "630"),
        {"idp_id": care.id, "kind": "leave", "effective_on": date(2027, 1, 1), "destination": "Region Syddanmark"},
        actor=SYSTEM,
    )
    session.commit()
    action = session.scalar(select(Action).where(Action.solution.has(slug="x-fmk")))
    assert action is not None and action.status == "new"
    with clock_set_to(lambda: datetime(2026, 12, 31, 9, tzinfo=UTC)):
        scheduled_follow(app)
    session.refresh(action)
    assert action.status == "new"
    with clock_set_to(lambda: datetime(2027, 1, 2, 9, tzinfo=UTC)):
        scheduled_follow(app)
    session.refresh(action)
    assert action.status == "not_relevant" and not action.open_in_registry
    assert action.status_reason == "Registeret: rækken kræver ikke længere handling fra kommunen."
