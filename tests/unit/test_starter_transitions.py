"""The day-one transitions: loaded by the seed once, each with its source; certificate switches are transitions,
not the solutions' NSIS switch date, also in a registry seeded before they moved."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import starter_transitions
from tracker.models import ChangeEvent, Solution, Transition


def _by_key(session: Session) -> dict[str, Transition]:
    return {
        t.starter_key: t
        for t in session.scalars(select(Transition).where(Transition.starter_key.is_not(None)))
        if t.starter_key
    }


def test_every_shipped_transition_is_seeded_with_its_source(session: Session) -> None:
    seeded = _by_key(session)
    assert set(seeded) == set(starter_transitions.TRANSITIONS)
    for key, t in seeded.items():
        assert t.source_url or t.evidence, key
        slug, _fields = starter_transitions.TRANSITIONS[key]
        assert t.solution.slug == slug
    oiosaml4 = seeded["nemlog-in-oiosaml-4"]
    assert (oiosaml4.kind, oiosaml4.earliest_on, oiosaml4.state, oiosaml4.status) == (
        "protocol",
        None,
        "unknown",
        "unknown",
    )
    assert oiosaml4.source_url == "https://digst.dk/it-loesninger/standarder/oiosaml-profiler/"
    assert oiosaml4.act_by_on is None and oiosaml4.major
    ch1 = seeded["context-handler-1-ophoer"]
    assert (ch1.kind, ch1.earliest_on, ch1.solution.slug) == ("broker_version", None, "context-handler")
    assert "endnu ikke fastsat en deadline" in (ch1.evidence or "")
    wallet = seeded["eu-wallet-medlemsstater-2026"]
    assert (wallet.kind, wallet.earliest_on) == ("wallet", date(2026, 12, 24))
    assert seeded["eu-wallet-modtagere-2027"].status == "expected"
    assert seeded["dk-wallet-l48"].earliest_on is None
    health = seeded["sundhedsreform-2027-fmk"]
    assert (health.kind, health.earliest_on, health.category) == ("organisation", date(2027, 1, 1), "plan_for_change")


def test_certificate_switches_are_transitions_and_not_switch_dates(session: Session) -> None:
    seeded = _by_key(session)
    for key in starter_transitions.CERTIFICATE_SWITCHES:
        t = seeded[key]
        assert t.kind == "certificate" and t.state == "switched" and t.status == "confirmed"
        assert t.solution.switch_earliest_on is None, f"{t.solution.slug} still holds a certificate switch"
    assert (seeded["oces3-datafordeleren"].earliest_on, seeded["oces3-datafordeleren"].latest_on) == (
        date(2023, 6, 7),
        date(2023, 10, 31),
    )
    assert seeded["oces3-serviceplatformen"].latest_on == date(2023, 10, 31)


def test_loading_again_adds_nothing_and_moves_an_old_certificate_switch_out(session: Session) -> None:
    assert starter_transitions.load(session) == 0
    old = session.scalars(select(Solution).where(Solution.slug == "datafordeleren")).one()
    # As a registry seeded before this change holds it.
    for key, value in starter_transitions.LEGACY_SWITCHES["datafordeleren"][1].items():
        setattr(old, key, date.fromisoformat(value) if key.endswith("_on") else value)
    session.flush()
    assert starter_transitions.load(session) == 0
    assert old.switch_earliest_on is None and old.switch_state == "unknown" and old.switch_source_url is None
    event = session.scalars(
        select(ChangeEvent).where(ChangeEvent.solution_id == old.id).order_by(ChangeEvent.id.desc())
    ).first()
    assert event is not None and event.type == "solution.switch_date.changed"
    assert "certificate" in (event.reason or "")
    # A switch date someone changed since is left alone.
    old.switch_earliest_on, old.switch_evidence = date(2030, 1, 1), "Noget andet"
    session.flush()
    starter_transitions.load(session)
    assert old.switch_earliest_on == date(2030, 1, 1)
