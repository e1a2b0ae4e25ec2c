"""A scraper finding's transition kind decides where it lands when accepted (issue 24, item 4): a login or level
finding changes the solution's NSIS switch or level, as always; a certificate, protocol, broker-version, wallet or
closing date becomes a transition of that kind and leaves the NSIS switch date alone (transitions' _apply; this
checks it end to end from an observation the reader made)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scrapers.base import Observation
from tests.support.accounts import make_role_accounts
from tracker.ingest.proposals import insert_proposal, observation_changes
from tracker.models import Proposal, Solution, Transition
from tracker.review.services import accept_proposal

URL = "https://digitaliseringskataloget.dk/oces"


def _proposal(session: Session, slug: str, kind: str, value: str, latest: str, key: str) -> Proposal:
    solution = session.scalars(select(Solution).where(Solution.slug == slug)).one()
    said = f"{slug} skifter til OCES3-certifikater den {value}."
    obs = Observation("watch", slug, slug, "switch_date", value, latest, "day", said, URL, "skifter", "skifter", kind)
    return insert_proposal(
        session, solution, changes=observation_changes(obs, status="expected"), proposer_label="Scraper watch",
        evidence=obs.evidence, source_url=URL, dedupe=key, cue=obs.cue, rule_id=obs.rule, transition_kind=obs.kind,
    )  # fmt: skip


def test_a_certificate_date_becomes_a_certificate_transition(session: Session) -> None:
    coordinator = make_role_accounts(session)["coordinator"].user
    proposal = _proposal(session, "serviceplatformen", "certificate", "2097-05-23", "2097-05-23", "k-cert")
    events = accept_proposal(session, proposal, reviewer=coordinator)
    solution = proposal.solution
    assert solution.switch_earliest_on is None  # the NSIS login switch is untouched
    (cert,) = session.scalars(
        select(Transition).where(Transition.solution_id == solution.id, Transition.earliest_on == date(2097, 5, 23))
    ).all()
    assert (cert.kind, cert.latest_on, cert.status) == ("certificate", date(2097, 5, 23), "expected")
    assert cert.source_url == URL and "OCES3" in (cert.evidence or "")
    assert [e.type for e in events] == ["transition.created"] and proposal.event_id == events[0].id


def test_a_login_date_still_changes_the_solutions_switch_date(session: Session) -> None:
    coordinator = make_role_accounts(session)["coordinator"].user
    proposal = _proposal(session, "kmd-nexus", "login", "2027-03-01", "2027-03-01", "k-login")
    accept_proposal(session, proposal, reviewer=coordinator)
    assert proposal.solution.switch_earliest_on == date(2027, 3, 1)
