"""Saved page → parser → observations → proposals: shape, deduplication, status, and the auto-accept policy."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scrapers.base import Observation
from tests.support.ingest import page, registry_state, scraper_proposals, source_row
from tracker.ingest import services
from tracker.ingest.proposals import dedupe_key, observation_changes, solution_refs
from tracker.ingest.targets import ScrapeSettings, targets_for
from tracker.models import ChangeEvent, Proposal, Solution
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

SETTINGS = ScrapeSettings()
ARTICLE_URL = (
    "https://digst.dk/nyheder/nyhedsarkiv/2022/maj/danske-virksomheder-kan-faa-mitid-erhverv-fra-oktober-2022/"
)


def _import(session: Session, key: str, name: str, url: str | None = None) -> services.ScrapeRun:
    target = targets_for(key, SETTINGS)[0]
    return services.import_file(session, target, page(name).decode(), SETTINGS, url)


def _solution(session: Session, slug: str) -> Solution:
    found = session.scalar(select(Solution).where(Solution.slug == slug))
    assert found is not None
    return found


def _by_slug(proposals: list[Proposal]) -> dict[tuple[str, str], Proposal]:
    out = {}
    for p in proposals:
        field = "switch_date" if "switch_earliest_on" in p.changes else "required_loa"
        out[(p.solution.slug, field)] = p
    return out


def test_refs_hold_names_and_aliases_of_every_solution(session: Session) -> None:
    refs = {r.slug: r.names for r in solution_refs(session)}
    assert refs["kmd-nexus"] == ("KMD Nexus", "KMD-NEXUS", "Nexus")
    assert "Fælles Medicinkort" in refs["fmk"]
    assert {"fmk", "aula", "kmd-nexus", "virk-dk", "sundhed-dk", "serviceplatformen", "os2valghalla"} <= set(refs)


def test_launch_page_becomes_pending_proposals_for_coordinators(session: Session) -> None:
    before = registry_state(session)
    run = _import(session, "digst_launch", "digst_launch.html")
    assert run.outcome == "ok"
    assert run.findings == 11
    # FMK's level equals the registry (betydelig): 10 of 11 findings are new (Digital Post is in the
    # day-one registry).
    assert run.proposals == 10
    assert ("digital-post", "switch_date") in _by_slug(scraper_proposals(session, "digst_launch"))
    proposals = _by_slug(scraper_proposals(session, "digst_launch"))
    assert ("fmk", "required_loa") not in proposals
    nexus = proposals[("kmd-nexus", "switch_date")]
    assert nexus.state == "pending"
    assert nexus.origin == "scraper" and nexus.source_kind == "scraper" and nexus.proposer_id is None
    assert nexus.proposer_label == "Scraper digst_launch"
    assert nexus.changes == {
        "switch_earliest_on": "2024-04-01",
        "switch_latest_on": "2024-06-30",
        "switch_precision": "quarter",
        "switch_text": "Q2 2024",
        "switch_status": "confirmed",
        "switch_source_kind": "scraper",
        "switch_source_url": "https://digst.dk/it-loesninger/nemlog-in/lanceringsdatoer-for-nemlog-in/",
        "switch_evidence": "Løsning: KMD Nexus | Skæringsdato: Q2 2024 | Sikringsniveau: Substantial",
    }
    assert nexus.base_version == _solution(session, "kmd-nexus").version
    assert proposals[("sundhed-dk", "required_loa")].changes["loa_value"] == "hoej"
    assert proposals[("serviceplatformen", "switch_date")].changes["switch_text"] == "den 23. maj 2023"
    # Proposals only: the registry itself is exactly as before.
    assert registry_state(session) == before


def test_a_repeated_finding_adds_nothing(session: Session) -> None:
    first = _import(session, "digst_launch", "digst_launch.html")
    count = len(scraper_proposals(session))
    second = _import(session, "digst_launch", "digst_launch.html")
    assert first.proposals == 10
    assert second.outcome == "ok" and second.findings == 11 and second.proposals == 0
    assert len(scraper_proposals(session)) == count


def test_a_rejected_finding_is_not_proposed_again(session: Session) -> None:
    _import(session, "digst_launch", "digst_launch.html")
    for proposal in scraper_proposals(session):
        proposal.state, proposal.review_reason = "rejected", "Forkert læst."
    session.flush()
    again = _import(session, "digst_launch", "digst_launch.html")
    assert again.proposals == 0
    assert {p.state for p in scraper_proposals(session)} == {"rejected"}


def test_a_finding_equal_to_the_registry_adds_nothing(session: Session) -> None:
    nexus = _solution(session, "kmd-nexus")
    update_solution(session, nexus, {"switch_earliest_on": date(2024, 4, 1), "switch_latest_on": date(2024, 6, 30),
                                     "switch_precision": "quarter"}, actor=SYSTEM)  # fmt: skip
    _import(session, "digst_launch", "digst_launch.html")
    keys = _by_slug(scraper_proposals(session))
    assert ("kmd-nexus", "switch_date") not in keys
    assert ("kmd-nexus", "required_loa") in keys


def test_a_changed_value_is_a_new_proposal(session: Session) -> None:
    _import(session, "digst_launch", "digst_launch.html")
    html = page("digst_launch.html").decode().replace("Q2 2024", "Q3 2024")
    target = targets_for("digst_launch", SETTINGS)[0]
    run = services.import_file(session, target, html, SETTINGS)
    assert run.proposals == 1
    newest = scraper_proposals(session)[-1]
    assert newest.changes["switch_earliest_on"] == "2024-07-01" and newest.changes["switch_text"] == "Q3 2024"


def test_news_article_findings_name_the_article_and_level(session: Session) -> None:
    run = _import(session, "digst_news", "digst_news_article.html", ARTICLE_URL)
    assert run.outcome == "ok"
    proposals = _by_slug(scraper_proposals(session, "digst_news"))
    nexus = proposals[("kmd-nexus", "switch_date")]
    assert nexus.changes["switch_earliest_on"] == "2023-07-01" and nexus.changes["switch_precision"] == "half"
    assert nexus.source_url == ARTICLE_URL
    # The rule that read it and the kind of transition its date belongs to travel with the proposal.
    assert (nexus.cue, nexus.rule_id, nexus.transition_kind) == ("skifte", "skifter", "loa")
    level = proposals[("sundhed-dk", "required_loa")]
    assert level.changes["loa_value"] == "betydelig" and (level.rule_id, level.transition_kind) == ("kraever", "loa")


def test_watched_pages_propose_expected_not_confirmed(session: Session) -> None:
    settings = ScrapeSettings(watch_urls=("https://digitaliseringskataloget.dk/oces",))
    target = targets_for("watch", settings)[0]
    services.import_file(session, target, page("watch_page.html").decode(), settings)
    proposals = _by_slug(scraper_proposals(session, target.key))
    assert proposals[("fmk", "switch_date")].changes["switch_status"] == "expected"
    assert proposals[("fmk", "switch_date")].changes["switch_text"] == "uge 43"


def test_auto_accept_fills_only_unknown_facts(session: Session) -> None:
    virk = _solution(session, "virk-dk")
    # virk.dk's date is known (a fixture value, not a real-world claim): the page's "ultimo 2023" must wait.
    update_solution(session, virk, {"switch_earliest_on": date(2030, 1, 1), "switch_latest_on": date(2030, 1, 1),
                                    "switch_precision": "day", "switch_status": "confirmed",
                                    "switch_source_kind": "coordinator", "switch_evidence": "Testdata"},
                    actor=SYSTEM)  # fmt: skip
    target = targets_for("digst_launch", SETTINGS)[0]
    source = services.ensure_source(session, target)
    source.auto_accept_unknown = True
    session.flush()
    virk_before = registry_state(session)["virk-dk"]
    run = _import(session, "digst_launch", "digst_launch.html")
    assert run.outcome == "ok"
    proposals = _by_slug(scraper_proposals(session, "digst_launch"))

    nexus = _solution(session, "kmd-nexus")
    assert nexus.loa_value == "betydelig" and nexus.loa_status == "expected"  # filled, but nobody confirmed it
    assert nexus.loa_source_kind == "scraper" and nexus.loa_recorded_by == "Scraper digst_launch"
    assert (nexus.switch_earliest_on, nexus.switch_latest_on) == (date(2024, 4, 1), date(2024, 6, 30))
    accepted = proposals[("kmd-nexus", "required_loa")]
    assert accepted.state == "accepted" and accepted.event_id is not None
    event = session.get(ChangeEvent, accepted.event_id)
    assert event is not None and event.actor_label == "Scraper digst_launch"

    # A known fact is never overwritten: its proposal waits for a coordinator.
    assert proposals[("virk-dk", "switch_date")].state == "pending"
    assert registry_state(session)["virk-dk"]["switch_earliest_on"] == virk_before["switch_earliest_on"]
    # virk's unknown level is filled, so its version moved on; its date proposal still applies as shown.
    assert _solution(session, "virk-dk").loa_value == "betydelig"


def test_auto_accept_leaves_an_awaited_decision_alone(session: Session) -> None:
    target = targets_for("digst_news", SETTINGS)[0]
    services.ensure_source(session, target).auto_accept_unknown = True
    session.flush()
    _import(session, "digst_news", "digst_news.html")
    aula = _solution(session, "aula")
    assert (aula.loa_value, aula.loa_status) == ("ukendt", "awaiting_decision")  # KL's "afventer" stands
    proposals = _by_slug(scraper_proposals(session, "digst_news"))
    assert proposals[("aula", "required_loa")].state == "pending"
    assert proposals[("aula", "switch_date")].state == "accepted"  # its date was entirely unknown


def test_auto_accept_is_off_by_default(session: Session) -> None:
    before = registry_state(session)
    _import(session, "digst_launch", "digst_launch.html")
    assert source_row(session, "digst_launch").auto_accept_unknown is False
    assert registry_state(session) == before


def _obs(**kw: str | None) -> Observation:
    values: dict[str, str | None] = {
        "source": "digst_launch", "solution_slug": "fmk", "solution_text": "FMK", "field": "switch_date",
        "value": "2023-10-23", "latest": "2023-10-29", "precision": "week", "evidence": "FMK skifter i uge 43.",
        "url": "https://digst.dk/x",
    }  # fmt: skip
    values.update(kw)
    return Observation(**values)  # type: ignore[arg-type]  # the overrides are untyped on purpose


def test_dedupe_key_names_the_fact_not_the_wording() -> None:
    a = _obs()
    assert dedupe_key("digst_launch", a) == dedupe_key("digst_launch", _obs(evidence="Andre ord om FMK i uge 43."))
    assert dedupe_key("digst_launch", a) != dedupe_key("digst_news", a)
    assert dedupe_key("digst_launch", a) != dedupe_key("digst_launch", _obs(latest="2023-10-30"))
    assert len(dedupe_key("digst_launch", a)) == 64


@pytest.mark.parametrize(
    ("obs", "expected"),
    [
        (_obs(), {"switch_text": "uge 43", "switch_precision": "week", "switch_latest_on": "2023-10-29"}),
        (
            _obs(field="required_loa", value="hoej", latest=None, precision="exact", evidence="NSIS Høj"),
            {"loa_value": "hoej", "loa_status": "confirmed", "loa_source_kind": "scraper"},
        ),
        # Words not found again in the evidence: the interval itself stands in.
        (_obs(evidence="FMK"), {"switch_text": "2023-10-23 – 2023-10-29"}),
    ],
)
def test_observation_changes(obs: Observation, expected: dict[str, str]) -> None:
    changes = observation_changes(obs, status="confirmed")
    assert expected.items() <= changes.items()
    assert all(isinstance(v, str) for v in changes.values())  # JSON-safe
