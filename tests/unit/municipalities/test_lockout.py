"""Lock-out periods as a pure function of dated steps: examples, then properties against a day-by-day oracle."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from tracker.municipalities.lockout import (
    DAWN,
    NO_IDP,
    GroupState,
    GroupStep,
    IdpPlan,
    Period,
    PlannedChange,
    RequirementStep,
    group_state,
    group_steps,
    locked,
    lockout_periods,
    next_period,
    required_on,
    state_on,
)

LAV, BETYDELIG, HOEJ = 2, 3, 4
D = date(2027, 1, 1)


def test_a_raise_before_the_switch_leaves_no_period_and_one_after_closes_it() -> None:
    need = [RequirementStep(date(2027, 3, 1), BETYDELIG, "aula")]
    here = GroupState(LAV)
    assert lockout_periods(need, here, []) == [Period(date(2027, 3, 1), None, BETYDELIG, LAV, "aula")]
    raised_early = [GroupStep(date(2027, 2, 1), GroupState(BETYDELIG))]
    assert lockout_periods(need, here, raised_early) == []
    raised_late = [GroupStep(date(2027, 5, 1), GroupState(BETYDELIG))]
    assert lockout_periods(need, here, raised_late) == [
        Period(date(2027, 3, 1), date(2027, 5, 1), BETYDELIG, LAV, "aula")
    ]


def test_the_strictest_source_binds_and_a_later_step_of_a_source_replaces_its_earlier_one() -> None:
    steps = [
        RequirementStep(date(2027, 1, 1), BETYDELIG, "solution"),
        RequirementStep(date(2027, 6, 1), HOEJ, "broker"),
        RequirementStep(date(2028, 1, 1), LAV, "broker"),
    ]
    assert required_on(steps, date(2026, 12, 31)) == (None, "")
    assert required_on(steps, date(2027, 2, 1)) == (BETYDELIG, "solution")
    assert required_on(steps, date(2027, 7, 1)) == (HOEJ, "broker")
    assert required_on(steps, date(2028, 2, 1)) == (BETYDELIG, "solution")
    periods = lockout_periods(steps, GroupState(BETYDELIG), [])
    assert periods == [Period(date(2027, 6, 1), date(2028, 1, 1), HOEJ, BETYDELIG, "broker")]


def test_a_switch_without_a_day_binds_since_always_and_leaving_ends_the_period() -> None:
    need = [RequirementStep(None, BETYDELIG, "fmk")]
    steps = [GroupStep(D, GroupState(None, present=False))]
    assert lockout_periods(need, GroupState(LAV), steps) == [Period(None, D, BETYDELIG, LAV, "fmk")]


def test_unknown_levels_never_lock_out_and_no_idp_always_does() -> None:
    need = [RequirementStep(D, LAV, "x")]
    assert lockout_periods(need, GroupState(None), []) == []
    assert lockout_periods([RequirementStep(D, None, "x")], GroupState(LAV), []) == []
    assert lockout_periods(need, GroupState(NO_IDP), []) == [Period(D, None, LAV, NO_IDP, "x")]


def test_next_period_is_the_one_under_way_else_the_first_ahead() -> None:
    periods = [Period(None, date(2026, 1, 1), 3, 2, "a"), Period(date(2027, 1, 1), date(2027, 2, 1), 3, 2, "a")]
    assert next_period(periods, date(2025, 6, 1)) == periods[0]
    assert next_period(periods, date(2026, 6, 1)) == periods[1]
    assert next_period(periods, date(2027, 1, 31)) == periods[1]
    assert next_period(periods, date(2027, 2, 1)) is None


def test_group_states_follow_moves_and_a_leave_beats_everything() -> None:
    plans = {
        1: IdpPlan(1, LAV, (PlannedChange("loa", date(2027, 2, 1), BETYDELIG), PlannedChange("move", D, target=2))),
        2: IdpPlan(2, HOEJ, (PlannedChange("retire", date(2028, 1, 1)),)),
        3: IdpPlan(3, LAV, (PlannedChange("leave", D), PlannedChange("move", D, target=2))),
        4: IdpPlan(4, LAV, (PlannedChange("move", D, target=5),)),
        5: IdpPlan(5, LAV, (PlannedChange("move", D, target=4),)),
    }
    assert group_state(plans, 1, date(2026, 12, 31)) == GroupState(LAV, True, 1)
    assert group_state(plans, 1, D) == GroupState(HOEJ, True, 2)  # moved before its own raise
    assert group_state(plans, 1, date(2028, 1, 1)) == GroupState(NO_IDP, True, None)
    assert group_state(plans, 3, D) == GroupState(None, False, None)
    assert group_state(plans, 4, D).rank is None  # a loop is an unknown level, not a crash
    initial, steps = group_steps(plans, 1)
    assert initial == GroupState(LAV, True, 1)
    assert [s.on for s in steps] == [D, date(2027, 2, 1), date(2028, 1, 1)]


# --- Properties: the periods are exactly the locked-out days, as maximal disjoint runs -----------------------

FIRST = date(2026, 1, 1)
SPAN = 120
days = st.integers(min_value=0, max_value=SPAN).map(lambda n: FIRST + timedelta(days=n))
ranks = st.one_of(st.none(), st.integers(min_value=0, max_value=4))
requirement_steps = st.lists(
    st.builds(RequirementStep, st.one_of(st.none(), days), ranks, st.sampled_from(["a", "b", "c"])), max_size=6
)
states = st.builds(GroupState, ranks, st.booleans())
group_step_lists = st.lists(st.builds(GroupStep, days, states), max_size=6, unique_by=lambda s: s.on)


def _oracle(requirements: list[RequirementStep], initial: GroupState, steps: list[GroupStep], day: date) -> bool:
    return locked(required_on(requirements, day)[0], state_on(initial, steps, day))


@given(requirement_steps, states, group_step_lists)
def test_periods_are_exactly_the_locked_days(
    requirements: list[RequirementStep], initial: GroupState, steps: list[GroupStep]
) -> None:
    periods = lockout_periods(requirements, initial, steps)
    for offset in range(-2, SPAN + 3):
        day = FIRST + timedelta(days=offset)
        inside = [p for p in periods if p.contains(day)]
        assert len(inside) <= 1
        assert bool(inside) == _oracle(requirements, initial, steps, day), day
    # Before every input date the state is the one of "always".
    assert any(p.contains(DAWN) for p in periods) == _oracle(requirements, initial, steps, DAWN)


@given(requirement_steps, states, group_step_lists)
def test_periods_are_ordered_disjoint_non_empty_and_maximal(
    requirements: list[RequirementStep], initial: GroupState, steps: list[GroupStep]
) -> None:
    periods = lockout_periods(requirements, initial, steps)
    for period in periods:
        assert period.start is None or period.end is None or period.start < period.end
        assert period.required > period.have
    for before, after in pairwise(periods):
        assert before.end is not None and after.start is not None
        assert before.end < after.start  # a gap between two periods (else they would be one)
        assert not _oracle(requirements, initial, steps, before.end)


@given(requirement_steps, states, group_step_lists, days)
def test_next_period_is_never_over_and_nothing_ahead_is_skipped(
    requirements: list[RequirementStep], initial: GroupState, steps: list[GroupStep], today: date
) -> None:
    periods = lockout_periods(requirements, initial, steps)
    found = next_period(periods, today)
    if found is None:
        assert not any(_oracle(requirements, initial, steps, today + timedelta(days=n)) for n in range(SPAN + 2))
    else:
        assert found.end is None or found.end > today
        first_locked = next(
            (
                today + timedelta(days=n)
                for n in range(SPAN + 2)
                if _oracle(requirements, initial, steps, today + timedelta(days=n))
            ),
            None,
        )
        assert first_locked is not None and found.contains(first_locked)


# --- The steps of a staff group say exactly what ``group_state`` says on every day ---------------------------

KINDS = st.sampled_from(["loa", "retire", "move", "leave"])


@st.composite
def plan_graphs(draw: st.DrawFn) -> dict[int, IdpPlan]:
    ids = list(range(1, draw(st.integers(min_value=1, max_value=4)) + 1))
    plans = {}
    for idp_id in ids:
        changes = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            kind = draw(KINDS)
            on = draw(days)
            if kind == "loa":
                changes.append(PlannedChange(kind, on, rank=draw(st.one_of(st.none(), st.integers(2, 4)))))
            elif kind == "move":
                changes.append(PlannedChange(kind, on, target=draw(st.sampled_from([*ids, 99]))))
            else:
                changes.append(PlannedChange(kind, on))
        plans[idp_id] = IdpPlan(idp_id, draw(st.one_of(st.none(), st.integers(2, 4))), tuple(changes))
    return plans


@given(plan_graphs())
def test_group_steps_agree_with_group_state_on_every_day(plans: dict[int, IdpPlan]) -> None:
    for idp_id in plans:
        initial, steps = group_steps(plans, idp_id)
        for offset in range(-1, SPAN + 2):
            day = FIRST + timedelta(days=offset)
            assert state_on(initial, steps, day) == group_state(plans, idp_id, day), (idp_id, day)
