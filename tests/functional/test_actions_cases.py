"""The transitions issue's cases through actions: the two-IdP case (one solution, two staff groups at different
levels: one action, for the group that must act) and the region case (a home-care group leaves the municipality
for the region on 1 January 2027: from that day its action is closed as not relevant, with the reason)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.municipalities import idp, municipality, solution, use
from tracker.actions.sync import sync_municipality
from tracker.clock import clock_set_to
from tracker.models import Action
from tracker.municipalities import plans
from tracker.registry.actors import SYSTEM


def _sync(session: Session, day: date) -> dict[str, Action]:
    with clock_set_to(lambda: datetime(day.year, day.month, day.day, 9, tzinfo=UTC)):
        sync_municipality(session, municipality(session, "101"))
    session.flush()
    session.expire_all()
    return {
        f"{a.solution.slug}/{a.idp.user_group if a.idp else '-'}": a
        for a in session.scalars(select(Action).where(Action.subject_kind == "readiness"))
        if a.solution
    }


def _two_groups(session: Session) -> dict[str, Any]:
    admin = idp(session, "101", "KK-Administration", "betydelig", group="administration")
    care = idp(session, "101", "KK-Hjemmepleje", "lav", primary=False, group="hjemmepleje")
    solution(session, "x-fmk", loa="betydelig", earliest=date(2027, 3, 1), name="FMK-test")
    use(session, "101", "x-fmk", groups=[admin, care])
    return {"admin": admin, "care": care}


def test_two_idps_one_action_for_the_group_that_must_act(session: Session) -> None:
    _two_groups(session)
    actions = _sync(session, date(2026, 12, 7))
    assert set(actions) == {"x-fmk/hjemmepleje"}
    action = actions["x-fmk/hjemmepleje"]
    assert action.status == "new" and action.due_on == date(2027, 3, 1) and action.basis_level == "betydelig"


def test_a_group_leaving_for_the_region_closes_its_action_from_that_day(session: Session) -> None:
    groups = _two_groups(session)
    assert set(_sync(session, date(2026, 12, 7))) == {"x-fmk/hjemmepleje"}
    plans.create_change(
        session,
        municipality(session, "101"),
        {
            "idp_id": groups["care"].id,
            "kind": "leave",
            "effective_on": date(2027, 1, 1),
            "destination": "Region Østdanmark",
        },
        actor=SYSTEM,
    )
    before = _sync(session, date(2026, 12, 31))["x-fmk/hjemmepleje"]
    assert before.status == "new"  # the row stands until the group leaves (readiness per day, the timeline's rule)
    after = _sync(session, date(2027, 1, 2))["x-fmk/hjemmepleje"]
    assert after.status == "not_relevant" and not after.open_in_registry
    assert after.status_reason == "Registeret: rækken kræver ikke længere handling fra kommunen."
