"""A ``loa`` transition moves readiness (issue 22, item 3 B): creating, re-dating, re-levelling or cancelling one is
a ``municipality.readiness.changed`` event for each municipality whose readiness moved, and for no other.

Real database (migrated), the transition services, the municipality's private feed read by feedparser and the
event log API. Dates are relative to today in Denmark, which the readiness computation reads.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.benchmarks.sqlcount import count_statements
from tests.support.broadcast import subscribe
from tests.support.municipalities import (
    AARHUS,
    COPENHAGEN,
    ODENSE,
    fresh_client,
    idp,
    last_event_id,
    log_in,
    municipality,
    solution,
    stored_readiness_events,
    use,
    user_with_token,
)
from tracker.broadcast import feed_tokens
from tracker.clock import today_in_denmark
from tracker.db import get_db
from tracker.models import ChangeEvent, Delivery, MailMessage, Municipality, Solution, Transition
from tracker.notify import preferences
from tracker.registry.actors import SYSTEM, Actor
from tracker.registry.services import create_solution, update_solution
from tracker.registry.transition_writes import create_transition, update_transition
from tracker.vocabulary import danish_day

TODAY = today_in_denmark()  # readiness reads today's date in Denmark; every date below is relative to it
RAISE = TODAY + timedelta(days=200)
LATER = TODAY + timedelta(days=260)
KL = Actor(label="KL-koordinator")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return fresh_client(app)


@pytest.fixture
def sbsys(session: Session) -> Solution:
    """A solution requiring Betydelig today, used by Copenhagen (IdP at Betydelig: a raise to Høj would lock its
    staff out) and Odense (IdP at Høj: never locked out); Aarhus has an IdP but not the solution."""
    found = solution(session, "x-sbsys", loa="betydelig", name="SBSYS-test")
    idp(session, COPENHAGEN, "KK IdP", "betydelig")
    idp(session, ODENSE, "Odense IdP", "hoej")
    idp(session, AARHUS, "Aarhus IdP", "betydelig")
    use(session, COPENHAGEN, "x-sbsys")
    use(session, ODENSE, "x-sbsys")
    session.commit()
    return found


def _raise_to_hoej(session: Session, sbsys: Solution) -> Transition:
    transition = create_transition(
        session,
        sbsys,
        {
            "kind": "loa",
            "title": "Krav om Høj",
            "earliest_on": RAISE,
            "latest_on": RAISE,
            "precision": "day",
            "required_loa": "hoej",
            "loa_status": "expected",
            "category": "plan_for_change",
            "major": True,
        },
        actor=KL,
    )
    session.commit()
    return transition


def _readiness_after(session: Session, after: int) -> dict[str, ChangeEvent]:
    """The readiness events appended after ``after``, by municipality code (at most one each)."""
    events = stored_readiness_events(session, after)
    by_code = {str(e.data["municipality"]["code"]): e for e in events}
    assert len(by_code) == len(events), "one event per municipality"
    return by_code


def _next_lockout(event: ChangeEvent) -> tuple[Any, Any]:
    change = event.changes["next_lockout"]
    return change["before"], change["after"]


def test_a_loa_transition_is_a_readiness_event_for_the_municipality_it_locks_out_and_no_other(
    session: Session, client: FlaskClient, sbsys: Solution
) -> None:
    kk_user, kk_token = user_with_token(session, "it@kk.example.dk", "municipality", COPENHAGEN)
    _, aarhus_token = user_with_token(session, "it@aarhus.example.dk", "municipality", AARHUS)
    _, feed_token = feed_tokens.create_token(session, kk_user, municipality(session, COPENHAGEN))
    # Narrowed to wallet transitions: the loa transition's own mail is not wanted, its readiness event is.
    preferences.set_preference(session, kk_user, {"mode": "immediate", "transition_kinds": ["wallet"]})
    hook, _ = subscribe(
        session, kk_user, "http://127.0.0.1:9/hook", event_types=["municipality.readiness.changed"], municipality="101"
    )
    session.commit()
    start = last_event_id(session)

    transition = _raise_to_hoej(session, sbsys)
    found = _readiness_after(session, start)
    assert set(found) == {COPENHAGEN}, "Odense's IdP is at Høj already; Aarhus does not use the solution"
    event = found[COPENHAGEN]
    assert event.data["solution"]["slug"] == "x-sbsys"
    assert event.data["next_lockout"] == {"from": RAISE.isoformat(), "until": None}
    assert _next_lockout(event) == (None, {"from": RAISE.isoformat(), "until": None})
    # Today's verdict reads the same dated requirement steps as the period: at risk from the raise's day.
    assert event.changes["readiness"] == {
        "before": {"status": "ok", "days_left": None, "reason": None, "from": None},
        "after": {"status": "at_risk", "days_left": 200, "reason": None, "from": RAISE.isoformat()},
    }
    assert event.data["requirement_from"] == {"slug": "x-sbsys", "name": "SBSYS-test"}
    assert event.data["action"] == {
        "code": "notify_idp",
        "text": f"Anmeld IdP'en 'KK IdP' på Høj senest {danish_day(RAISE - timedelta(days=1))}",
    }
    # Through the one fan-out: a webhook delivery and the immediate mail of Copenhagen's user are queued.
    session.expire_all()
    deliveries = session.scalars(select(Delivery.event_id).where(Delivery.subscription_id == hook.id)).all()
    assert list(deliveries) == [event.id]
    mails = session.scalars(select(MailMessage.event_ids).where(MailMessage.user_id == kk_user.id)).all()
    assert [ids for ids in mails if ids] == [[event.id]], "a readiness event is never narrowed by the filter"

    # The municipality's private feed (a real reader's parser) names the lock-out period.
    resp = client.get(f"/feeds/municipalities/{COPENHAGEN}.atom?token={feed_token}")
    assert resp.status_code == 200
    feed = feedparser.parse(resp.data)
    assert not feed.bozo, feed.get("bozo_exception")
    newest = feed.entries[0]
    assert newest.tags[0].term == "municipality.readiness.changed"
    # The verdict's own day is the period's start, so the title names it once.
    assert "ændret fra Klar til I fare" in newest.title
    assert f"Medarbejderne lukkes ude fra {danish_day(RAISE)}, 200 dage tilbage" in newest.title

    # The event log: Copenhagen's users see it, Aarhus's do not (a municipality's readiness is its own).
    mine = client.get(f"/api/v1/events?after={start}", headers={"Authorization": f"Bearer {kk_token}"})
    assert mine.status_code == 200
    assert [e["type"] for e in mine.get_json()["items"]] == ["transition.created", "municipality.readiness.changed"]
    theirs = client.get(f"/api/v1/events?after={start}", headers={"Authorization": f"Bearer {aarhus_token}"})
    assert [e["type"] for e in theirs.get_json()["items"]] == ["transition.created"]

    # Re-dated: the period moves, one event again.
    mark = last_event_id(session)
    update_transition(session, transition, {"earliest_on": LATER, "latest_on": LATER}, actor=KL)
    session.commit()
    found = _readiness_after(session, mark)
    assert set(found) == {COPENHAGEN}
    assert _next_lockout(found[COPENHAGEN]) == (
        {"from": RAISE.isoformat(), "until": None},
        {"from": LATER.isoformat(), "until": None},
    )
    assert found[COPENHAGEN].changes["readiness"]["after"]["from"] == LATER.isoformat()
    assert found[COPENHAGEN].changes["readiness"]["after"]["days_left"] == 260

    # Cancelled: the reverse, worded so a reader sees the period is gone.
    mark = last_event_id(session)
    update_transition(session, transition, {"state": "cancelled"}, actor=KL)
    session.commit()
    found = _readiness_after(session, mark)
    assert set(found) == {COPENHAGEN}
    assert _next_lockout(found[COPENHAGEN]) == ({"from": LATER.isoformat(), "until": None}, None)
    assert found[COPENHAGEN].data["next_lockout"] is None
    assert found[COPENHAGEN].changes["readiness"]["after"]["status"] == "ok", "a cancelled raise binds no more"
    newest = feedparser.parse(client.get(f"/feeds/municipalities/{COPENHAGEN}.atom?token={feed_token}").data)
    assert f"Ingen lukkeperiode forude længere (den næste var fra {danish_day(LATER)})" in newest.entries[0].title


def test_changing_the_level_moves_readiness_and_other_changes_do_not(session: Session, sbsys: Solution) -> None:
    transition = _raise_to_hoej(session, sbsys)

    # Down to what Copenhagen's IdP is notified at: no lock-out any more.
    mark = last_event_id(session)
    update_transition(session, transition, {"required_loa": "betydelig"}, actor=KL)
    session.commit()
    found = _readiness_after(session, mark)
    assert set(found) == {COPENHAGEN}
    assert _next_lockout(found[COPENHAGEN]) == ({"from": RAISE.isoformat(), "until": None}, None)

    # And back up: the period returns.
    mark = last_event_id(session)
    update_transition(session, transition, {"required_loa": "hoej"}, actor=KL)
    session.commit()
    assert _next_lockout(_readiness_after(session, mark)[COPENHAGEN]) == (
        None,
        {"from": RAISE.isoformat(), "until": None},
    )

    # What readiness does not read moves nothing: the title, the category, and a transition of another kind.
    mark = last_event_id(session)
    update_transition(session, transition, {"title": "Krav om Høj (NSIS)", "category": "prevent_or_fix"}, actor=KL)
    create_transition(
        session,
        sbsys,
        {"kind": "protocol", "title": "OIOSAML 4", "earliest_on": RAISE, "who_must_act": ["municipalities"]},
        actor=KL,
    )
    session.commit()
    assert _readiness_after(session, mark) == {}
    assert last_event_id(session) > mark, "the transitions' own events were appended"


def test_a_brokers_loa_transition_reaches_the_municipalities_using_solutions_behind_it(
    session: Session, sbsys: Solution
) -> None:
    broker = create_solution(
        session,
        actor=SYSTEM,
        slug="x-kontekst",
        name="Kontekst-test",
        fields={"kind": "broker", "loa_value": "betydelig", "loa_status": "confirmed", "loa_evidence": "Testdata"},
    )
    update_solution(session, sbsys, {"brokers": [broker.slug]}, actor=SYSTEM)
    session.commit()
    mark = last_event_id(session)
    create_transition(
        session,
        broker,
        {"kind": "loa", "title": "Kontekst kræver Høj", "earliest_on": RAISE, "required_loa": "hoej"},
        actor=KL,
    )
    session.commit()
    found = _readiness_after(session, mark)
    assert set(found) == {COPENHAGEN}, "nobody has the broker itself; Copenhagen reaches it through SBSYS"
    assert found[COPENHAGEN].data["solution"]["slug"] == "x-sbsys"
    assert _next_lockout(found[COPENHAGEN]) == (None, {"from": RAISE.isoformat(), "until": None})
    # The broker's raise drives the row's verdict too, and is named as its requirement.
    assert found[COPENHAGEN].changes["readiness"]["after"]["status"] == "at_risk"
    assert found[COPENHAGEN].data["requirement_from"] == {"slug": "x-kontekst", "name": "Kontekst-test"}


def test_the_statements_a_loa_transition_costs_do_not_grow_with_the_municipalities_it_reaches(
    app: Flask, session: Session
) -> None:
    codes = list(session.scalars(select(Municipality.code).order_by(Municipality.code).limit(12)))
    for code in codes:
        idp(session, code, f"IdP {code}", "betydelig")
    costs: dict[int, int] = {}  # statements, by the number of municipalities reached
    for count in (3, 12):
        used = solution(session, f"x-scale-{count}", loa="betydelig")
        for code in codes[:count]:
            use(session, code, used.slug)
        session.commit()
        mark = last_event_id(session)
        with count_statements(get_db(app).engine) as log:
            create_transition(
                session,
                used,
                {"kind": "loa", "title": "Høj", "earliest_on": RAISE, "required_loa": "hoej"},
                actor=KL,
            )
            session.flush()
        session.commit()
        assert len(_readiness_after(session, mark)) == count
        costs[count] = len(log.queries)
    assert costs[3] == costs[12], costs


def test_a_planned_raise_whose_last_day_has_passed_is_stale_until_confirmed(
    client: FlaskClient, session: Session, sbsys: Solution
) -> None:
    """The row's requirement comes from a ``loa`` transition still 'planned' after its latest day: the row is
    flagged to be confirmed (like a planned switch), and the coordinators' queue lists the transition; once it is
    recorded as switched the flag goes."""
    past = TODAY - timedelta(days=10)
    raised = _raise_to_hoej(session, sbsys)
    update_transition(session, raised, {"earliest_on": past, "latest_on": past, "state": "planned"}, actor=KL)
    session.commit()
    _, token = user_with_token(session, "stale@kk.dk", "municipality", COPENHAGEN)
    coordinator, _ = user_with_token(session, "stale@kl.dk", "coordinator")
    session.commit()

    def row() -> dict[str, Any]:
        found = client.get(
            f"/api/v1/municipalities/{COPENHAGEN}/readiness", headers={"Authorization": f"Bearer {token}"}
        )
        assert found.status_code == 200, found.get_json()
        rows = [r for r in found.get_json()["items"] if r["solution"]["slug"] == "x-sbsys"]
        assert len(rows) == 1, rows
        return dict(rows[0])

    first = row()
    assert first["status"] == "locked_out" and first["stale"] is True, first
    web = fresh_client(client.application)
    log_in(web, coordinator)
    queue = web.get("/forslag").get_data(as_text=True)
    assert f'data-transition="{raised.id}"' in queue and "SBSYS-test: Krav om Høj" in queue
    assert "Transitions to be confirmed" in web.get("/forslag?lang=en").get_data(as_text=True)

    update_transition(session, raised, {"state": "switched"}, actor=KL)
    session.commit()
    assert row()["stale"] is False
    assert f'data-transition="{raised.id}"' not in web.get("/forslag").get_data(as_text=True)
