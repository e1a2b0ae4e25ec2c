"""Today's verdict reads the same dated requirement steps as the lock-out periods (issue 22 item 3).

A ``loa`` transition (a required NSIS level taking effect on a date) is a requirement step of its solution: the
verdict (``judge_chain``), the action, and the lock-out periods all follow from ``requirement_steps``. Pure: no
database, no clock (every day is explicit). The property test at the end is the oracle: for any chain of
solutions with switches and ``loa`` transitions and any IdP level, the verdict agrees with the periods.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tracker.models import Idp
from tracker.models.vocab import LOA_RANK, Loa
from tracker.municipalities.lockout import GroupState, lockout_periods, next_period
from tracker.municipalities.readiness import (
    LOA_OF_RANK,
    ActionCode,
    Assessment,
    Reason,
    SolutionFacts,
    Status,
    action_for,
    judge_chain,
    requirement_steps,
)
from tracker.municipalities.requirements import TransitionRef

TODAY = date(2026, 12, 7)
RAISE = date(2027, 6, 1)


def transition(
    tid: int,
    slug: str,
    loa: str | None,
    earliest: date | None,
    state: str = "planned",
    *,
    kind: str = "loa",
    nsis_login: bool = False,
    latest: date | None = None,
) -> TransitionRef:
    return TransitionRef(
        id=tid,
        solution_slug=slug,
        solution_name=slug,
        kind=kind,
        title=f"{slug} {tid}",
        earliest_on=earliest,
        latest_on=latest,
        state=state,
        required_loa=loa,
        act_by_on=None,
        act_by_derived=False,
        who_must_act=(),
        what_to_do=None,
        category="plan_for_change",
        major=False,
        nsis_login=nsis_login,
    )


def facts(
    slug: str,
    loa: str,
    earliest: date | None = None,
    state: str = "unknown",
    *transitions: TransitionRef,
) -> SolutionFacts:
    return SolutionFacts(loa, earliest, state, slug=slug, name=slug.upper(), transitions=transitions)


def test_a_future_loa_raise_puts_staff_at_risk_from_its_day_and_asks_for_the_idp_at_hoej_by_then() -> None:
    own = facts("sbsys", "betydelig", None, "unknown", transition(1, "sbsys", "hoej", RAISE, latest=date(2027, 7, 1)))
    judged, driver = judge_chain((own,), "betydelig", TODAY)
    assert judged.assessment == Assessment(Status.AT_RISK, days_left=(RAISE - TODAY).days, from_day=RAISE)
    assert driver.slug == "sbsys"
    assert judged.step is not None and (judged.step.transition, judged.step.latest) == (1, date(2027, 7, 1))
    idp = Idp(name="KK IdP", user_group="administration")
    action = action_for(judged.assessment, driver, idp, LOA_OF_RANK[judged.rank or 0])
    assert (action.code, action.level, action.by) == (ActionCode.NOTIFY_IDP, "hoej", RAISE - timedelta(days=1))


def test_a_loa_raise_in_the_past_locks_staff_out_since_its_day() -> None:
    past = date(2026, 3, 1)
    own = facts("sbsys", "betydelig", date(2024, 1, 1), "switched", transition(1, "sbsys", "hoej", past))
    judged, _ = judge_chain((own,), "betydelig", TODAY)
    assert judged.assessment == Assessment(Status.LOCKED_OUT, days_left=0, from_day=past)
    action = action_for(judged.assessment, own, Idp(name="KK IdP", user_group="skoler"), "hoej")
    assert (action.code, action.level) == (ActionCode.USE_MITID_ERHVERV, "hoej")


def test_a_later_lower_level_replaces_the_earlier_one() -> None:
    # Høj since 2025, lowered to Betydelig in 2026: an IdP at Betydelig is ready today.
    lowered = facts("x", "hoej", date(2025, 1, 1), "switched", transition(1, "x", "betydelig", date(2026, 6, 1)))
    assert judge_chain((lowered,), "betydelig", TODAY)[0].assessment == Assessment(Status.OK)
    # Lowered only in the future: locked out since the switch until then.
    ahead = facts("x", "hoej", date(2025, 1, 1), "switched", transition(1, "x", "betydelig", RAISE))
    assert judge_chain((ahead,), "betydelig", TODAY)[0].assessment == Assessment(
        Status.LOCKED_OUT, days_left=0, from_day=date(2025, 1, 1)
    )
    # A raise and a lowering on one day: the one listed later (as ``transition_refs`` orders them) wins.
    both = facts("x", "betydelig", None, "unknown", transition(1, "x", "hoej", RAISE), transition(2, "x", "lav", RAISE))
    assert judge_chain((both,), "betydelig", TODAY)[0].assessment == Assessment(Status.OK), "same day: the later wins"


def test_a_loa_transition_on_a_broker_drives_the_solutions_row() -> None:
    own = facts("kombit-x", "betydelig", date(2024, 1, 1), "switched")
    broker = facts("context-handler", "betydelig", None, "unknown", transition(7, "context-handler", "hoej", RAISE))
    judged, driver = judge_chain((own, broker), "betydelig", TODAY)
    assert judged.assessment.status is Status.AT_RISK and judged.assessment.from_day == RAISE
    assert driver.slug == "context-handler" and judged.rank == LOA_RANK[Loa.HOEJ]


def test_an_ok_row_stays_ok_when_the_idp_is_at_hoej() -> None:
    own = facts("sbsys", "betydelig", date(2024, 1, 1), "switched", transition(1, "sbsys", "hoej", RAISE))
    broker = facts("nemlog-in", "betydelig", None, "unknown", transition(2, "nemlog-in", "hoej", date(2026, 1, 1)))
    judged, driver = judge_chain((own, broker), "hoej", TODAY)
    assert judged.assessment == Assessment(Status.OK) and driver.slug == "sbsys" and judged.step is None


def test_cancelled_undated_and_postponed_past_steps_add_nothing_and_the_login_mirror_is_not_counted_twice() -> None:
    own = facts(
        "x",
        "betydelig",
        date(2024, 1, 1),
        "switched",
        transition(1, "x", "hoej", RAISE, "cancelled"),
        transition(2, "x", "hoej", None),
        transition(3, "x", "hoej", date(2026, 1, 1), "postponed"),
        transition(4, "x", "hoej", date(2026, 1, 1), nsis_login=True),  # the switch itself (its mirror)
        transition(5, "x", "hoej", date(2026, 1, 1), kind="protocol"),
    )
    assert requirement_steps((own,), TODAY) == requirement_steps(
        (facts("x", "betydelig", date(2024, 1, 1), "switched"),), TODAY
    )
    assert judge_chain((own,), "betydelig", TODAY)[0].assessment == Assessment(Status.OK)
    # A postponed raise whose day still lies ahead binds from that day, as a postponed switch does.
    later = facts("x", "betydelig", None, "unknown", transition(6, "x", "hoej", RAISE, "postponed"))
    assert judge_chain((later,), "betydelig", TODAY)[0].assessment.from_day == RAISE


def test_an_undated_switch_above_the_idp_is_unknown_until_a_dated_step_says_more() -> None:
    undated = facts("x", "hoej", None, "planned")
    assert judge_chain((undated,), "betydelig", TODAY)[0].assessment == Assessment(
        Status.UNKNOWN, Reason.SWITCH_DATE_UNKNOWN
    )
    # A dated raise ahead is more urgent than the unknown day.
    raised = facts("x", "hoej", None, "planned", transition(1, "x", "hoej", RAISE))
    assert judge_chain((raised,), "betydelig", TODAY)[0].assessment.status is Status.AT_RISK
    # A level in force today (a loa transition that took effect) replaces the undated one.
    lowered = facts("x", "hoej", None, "planned", transition(1, "x", "betydelig", date(2026, 1, 1)))
    assert judge_chain((lowered,), "betydelig", TODAY)[0].assessment == Assessment(Status.OK)


# --- The oracle: the verdict agrees with the lock-out periods over the same steps -----------------------------

FIRST = date(2026, 1, 1)
SPAN = 120
days = st.integers(min_value=0, max_value=SPAN).map(lambda n: FIRST + timedelta(days=n))
levels = st.sampled_from(["lav", "betydelig", "hoej", "ukendt"])
states = st.sampled_from(["planned", "switched", "postponed", "cancelled", "unknown"])


@st.composite
def chains(draw: st.DrawFn) -> tuple[SolutionFacts, ...]:
    out = []
    next_id = 1
    for slug in ["own", *draw(st.lists(st.sampled_from(["b1", "b2"]), unique=True, max_size=2))]:
        transitions = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            transitions.append(
                transition(
                    next_id,
                    slug,
                    draw(st.one_of(st.none(), levels)),
                    draw(st.one_of(st.none(), days)),
                    draw(states),
                    nsis_login=draw(st.booleans()),
                )
            )
            next_id += 1
        transitions.sort(key=lambda t: (t.earliest_on or date.max, t.id))  # as ``transition_refs`` orders them
        out.append(facts(slug, draw(levels), draw(st.one_of(st.none(), days)), draw(states), *transitions))
    return tuple(out)


@given(chains(), st.sampled_from(["lav", "betydelig", "hoej"]), days)
def test_the_verdict_agrees_with_the_lockout_periods(
    chain: tuple[SolutionFacts, ...], idp_loa: str, today: date
) -> None:
    have = LOA_RANK[Loa(idp_loa)]
    periods = lockout_periods(requirement_steps(chain, today), GroupState(have), [])
    ahead = next_period(periods, today)
    judged, _ = judge_chain(chain, idp_loa, today)
    verdict = judged.assessment
    locked_today = ahead is not None and ahead.contains(today)
    assert (verdict.status is Status.LOCKED_OUT) == locked_today
    if verdict.status is Status.AT_RISK:
        assert ahead is not None and ahead.start == verdict.from_day
        assert verdict.days_left == (ahead.start - today).days
    if verdict.status in (Status.OK, Status.UNKNOWN):
        assert ahead is None, "a lock-out ahead makes the row at risk"
    if verdict.status is Status.LOCKED_OUT and len(chain) == 1:
        assert ahead is not None and ahead.start == verdict.from_day
    if verdict.status in (Status.LOCKED_OUT, Status.AT_RISK):
        assert judged.rank is not None and judged.rank > have
