"""A solution used by two staff groups binds on the earlier of their days, and the IdP must be notified the day
before (mutants M9, M4). Aula-like: its own switch is 1 July 2040 at Betydelig, its broker demands Høj from 1 June;
the teachers' IdP is at Betydelig (locked out from 1 June), the administration's at Høj (ready; the solution's own
day stands for it). The private calendar says 1 June, and the readiness API 'notify by 31 May'."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from tests.support.accounts import bearer, make_user
from tests.support.broadcast import dated_solution
from tests.support.municipalities import COPENHAGEN, idp, municipality, use
from tracker.auth.tokens import create_token
from tracker.broadcast import feed_tokens
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

BROKER_DAY, OWN_DAY = date(2040, 6, 1), date(2040, 7, 1)


def test_the_earlier_staff_groups_day_binds_and_the_idp_is_notified_the_day_before(
    client: FlaskClient, session: Session
) -> None:
    broker = dated_solution(session, "x-kontekst", BROKER_DAY, kind="broker", loa_value="hoej", loa_status="confirmed")
    portal = dated_solution(session, "x-skoleportal", OWN_DAY, loa_value="betydelig", loa_status="confirmed")
    update_solution(session, portal, {"brokers": [broker.slug]}, actor=SYSTEM)
    teachers = idp(session, COPENHAGEN, "Lærer-IdP", "betydelig", group="Lærere")
    office = idp(session, COPENHAGEN, "Admin-IdP", "hoej", primary=False, group="Administration")
    use(session, COPENHAGEN, portal.slug, groups=[teachers, office])
    reader = make_user(session, "bind@kk.example.dk", "municipality", municipality=COPENHAGEN)
    _, feed_token = feed_tokens.create_token(session, reader, municipality(session, COPENHAGEN))
    api = bearer(create_token(session, reader, "t")[1])
    session.commit()

    resp = client.get(f"/calendar/municipalities/{COPENHAGEN}.ics?token={feed_token}")
    assert resp.status_code == 200
    [event] = [e for e in Calendar.from_ical(resp.data).walk("VEVENT") if f"solution-{portal.id}-" in str(e["UID"])]
    assert event["DTSTART"].dt == BROKER_DAY, "the teachers are locked out on 1 June: that day binds"

    rows = client.get(f"/api/v1/municipalities/{COPENHAGEN}/readiness", headers=api).get_json()["items"]
    by_idp = {r["idp"]["name"]: r for r in rows if r["solution"]["slug"] == portal.slug}
    assert by_idp["Admin-IdP"]["status"] == "ok"
    teachers_row = by_idp["Lærer-IdP"]
    assert teachers_row["status"] == "at_risk" and teachers_row["action"]["code"] == "notify_idp"
    assert teachers_row["action"]["text"].endswith("senest 31. maj 2040"), teachers_row["action"]["text"]
