"""Readiness as SPEC §4 defines it: every status, every unknown reason, interval dates, IdP choice, urgency order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tracker.models import Idp, PortfolioEntry, Solution
from tracker.municipalities.readiness import (
    Assessment,
    Reason,
    SolutionFacts,
    Status,
    assess,
    choose_idp,
    rows_for,
)

TODAY = date(2026, 11, 28)


@dataclass(frozen=True)
class Case:
    """One row of the table: the solution's facts, the IdP's level, and the verdict expected."""

    name: str
    required: str
    idp: str | None
    earliest: date | None
    state: str
    status: Status
    reason: Reason | None = None
    days_left: int | None = None
    from_day: date | None = None


CASES = [
    # ok: the IdP's level meets or beats the requirement — whatever the date.
    Case("equal levels", "betydelig", "betydelig", date(2027, 1, 1), "planned", Status.OK),
    Case("higher IdP", "lav", "hoej", None, "unknown", Status.OK),
    Case("ok even after the switch", "betydelig", "hoej", date(2024, 1, 1), "switched", Status.OK),
    # at_risk: below, switch ahead; days counted to the earliest day.
    Case("at risk", "hoej", "betydelig", date(2027, 3, 1), "planned", Status.AT_RISK, None, 93, date(2027, 3, 1)),
    Case("tomorrow", "betydelig", "lav", date(2026, 11, 29), "planned", Status.AT_RISK, None, 1, date(2026, 11, 29)),
    Case(
        "postponed to a future day",
        "hoej",
        "lav",
        date(2027, 1, 1),
        "postponed",
        Status.AT_RISK,
        None,
        34,
        date(2027, 1, 1),
    ),
    # locked_out: below, and the switch has happened (earliest day ≤ today, or switched).
    Case("switch today", "hoej", "betydelig", TODAY, "planned", Status.LOCKED_OUT, None, 0, TODAY),
    Case(
        "switch in the past", "hoej", "lav", date(2025, 5, 1), "planned", Status.LOCKED_OUT, None, 0, date(2025, 5, 1)
    ),
    Case("state says switched, no date", "hoej", "lav", None, "switched", Status.LOCKED_OUT, None, 0, None),
    Case(
        "state says switched early",
        "hoej",
        "lav",
        date(2026, 1, 1),
        "switched",
        Status.LOCKED_OUT,
        None,
        0,
        date(2026, 1, 1),
    ),
    # unknown, with each reason.
    Case("no IdP", "hoej", None, date(2027, 1, 1), "planned", Status.UNKNOWN, Reason.NO_IDP),
    Case(
        "required unknown",
        "ukendt",
        "betydelig",
        date(2027, 1, 1),
        "planned",
        Status.UNKNOWN,
        Reason.REQUIRED_LOA_UNKNOWN,
    ),
    Case(
        "required unknown, even with a Høj IdP",
        "ukendt",
        "hoej",
        None,
        "unknown",
        Status.UNKNOWN,
        Reason.REQUIRED_LOA_UNKNOWN,
    ),
    Case(
        "IdP level unknown", "betydelig", "ukendt", date(2027, 1, 1), "planned", Status.UNKNOWN, Reason.IDP_LOA_UNKNOWN
    ),
    Case("solution with no date", "hoej", "betydelig", None, "unknown", Status.UNKNOWN, Reason.SWITCH_DATE_UNKNOWN),
    Case("no date, planned", "hoej", "lav", None, "planned", Status.UNKNOWN, Reason.SWITCH_DATE_UNKNOWN),
    Case("cancelled switch", "hoej", "lav", date(2027, 1, 1), "cancelled", Status.UNKNOWN, Reason.SWITCH_DATE_UNKNOWN),
    Case(
        "postponed, old day passed",
        "hoej",
        "lav",
        date(2026, 1, 1),
        "postponed",
        Status.UNKNOWN,
        Reason.SWITCH_DATE_UNKNOWN,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_assess(case: Case) -> None:
    verdict = assess(SolutionFacts(case.required, case.earliest, case.state), case.idp, TODAY)
    assert verdict == Assessment(case.status, case.reason, case.days_left, case.from_day)


def test_every_status_and_every_reason_is_in_the_table() -> None:
    assert {c.status for c in CASES} == set(Status)
    assert {c.reason for c in CASES if c.reason} == set(Reason)


def test_messages_say_when_and_why() -> None:
    at_risk = assess(SolutionFacts("hoej", date(2027, 3, 1), "planned"), "betydelig", TODAY)
    assert at_risk.message == "Medarbejderne lukkes ude fra 1. marts 2027, 93 dage tilbage."
    locked = assess(SolutionFacts("hoej", date(2025, 5, 1), "planned"), "lav", TODAY)
    assert locked.message == "Medarbejderne er lukket ude siden 1. maj 2025."
    unknown = assess(SolutionFacts("ukendt", None, "unknown"), "lav", TODAY)
    assert "krævede sikringsniveau er ukendt" in unknown.message
    assert unknown.as_json() == {"status": "unknown", "days_left": None, "reason": "required_loa_unknown", "from": None}


def _solution(slug: str, loa: str, earliest: date | None, latest: date | None = None) -> Solution:
    return Solution(
        id=hash(slug) % 10_000,
        slug=slug,
        name=slug.capitalize(),
        loa_value=loa,
        switch_earliest_on=earliest,
        switch_latest_on=latest,
        switch_state="planned" if earliest else "unknown",
    )


def test_interval_dates_count_from_the_earliest_day() -> None:
    """'Q2 2027' is 1 April – 30 June: staff may be locked out from 1 April, so days count to then."""
    quarter = _solution("kvartal", "hoej", date(2027, 4, 1), date(2027, 6, 30))
    idp = Idp(id=1, name="AD FS", notified_loa="betydelig", is_primary=True)
    [row] = rows_for([PortfolioEntry(solution=quarter, idps=[])], [idp], TODAY)
    assert row.assessment.from_day == date(2027, 4, 1)
    assert row.assessment.days_left == (date(2027, 4, 1) - TODAY).days
    # An interval that has begun has locked staff out, although its last day is still ahead.
    begun = _solution("begyndt", "hoej", date(2026, 10, 1), date(2026, 12, 31))
    [row] = rows_for([PortfolioEntry(solution=begun, idps=[])], [idp], TODAY)
    assert row.assessment.status is Status.LOCKED_OUT and row.assessment.from_day == date(2026, 10, 1)


def test_municipality_with_two_idps_uses_the_one_the_entry_names() -> None:
    """Administration at Høj (primary); schools at Betydelig. Aula is used through the schools' IdP."""
    admin = Idp(id=1, name="Administration", notified_loa="hoej", is_primary=True)
    schools = Idp(id=2, name="Skoler", user_group="skoler", notified_loa="betydelig", is_primary=False)
    aula = _solution("aula", "hoej", date(2027, 8, 1))
    fmk = _solution("fmk", "hoej", date(2027, 8, 1))
    rows = rows_for(
        [PortfolioEntry(solution=aula, idps=[schools]), PortfolioEntry(solution=fmk, idps=[])], [admin, schools], TODAY
    )
    by_slug = {r.solution.slug: r for r in rows}
    assert by_slug["aula"].idp is schools and by_slug["aula"].idp_source == "portfolio"
    assert by_slug["aula"].assessment.status is Status.AT_RISK
    assert by_slug["fmk"].idp is admin and by_slug["fmk"].idp_source == "primary"
    assert by_slug["fmk"].assessment.status is Status.OK


def test_idp_choice_falls_back_to_primary_then_the_only_one() -> None:
    one = Idp(id=7, name="Eneste", notified_loa="lav", is_primary=False)
    assert choose_idp(None, [one]).idp is one and choose_idp(None, [one]).source == "only"
    two = [one, Idp(id=8, name="Anden", notified_loa="lav", is_primary=False)]
    assert choose_idp(None, two).idp is None  # two IdPs and neither is primary: say so, don't guess
    assert choose_idp(8, two).idp is two[1]
    assert choose_idp(None, []).idp is None
    assert assess(SolutionFacts("lav", None, "unknown"), None, TODAY).reason is Reason.NO_IDP


def test_rows_are_sorted_by_urgency() -> None:
    idp = Idp(id=1, name="IdP", notified_loa="betydelig", is_primary=True)
    solutions = [
        _solution("ok", "lav", None),
        _solution("later", "hoej", date(2027, 6, 1)),
        _solution("unknown", "ukendt", None),
        _solution("sooner", "hoej", date(2027, 1, 1)),
        _solution("locked", "hoej", date(2025, 1, 1)),
    ]
    rows = rows_for([PortfolioEntry(solution=s, idps=[]) for s in solutions], [idp], TODAY)
    assert [r.solution.slug for r in rows] == ["locked", "sooner", "later", "unknown", "ok"]
