"""Learning from the queue (issue 24, item 7): the queue shows a finding's rule and sentence; a coordinator's
one-click "not a fact" rejects it and counts against its rule; /kilder shows each rule's figures; a rule
coordinators mostly reject never has its findings applied unseen."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.ingest import csrf_token, log_in, scraper_proposals
from tracker.ingest import services
from tracker.ingest.rule_stats import MISLEADING_AFTER, misleading_rules, rule_stats
from tracker.ingest.targets import ScrapeSettings, targets_for
from tracker.models import Proposal

REAL = Path(__file__).parents[1] / "scrapers" / "real_pages_2"
URL = "https://digst.dk/it-loesninger/naeste-generation-digital-post/for-myndigheder-og-it-leverandoerer/tidsplan/"


def _findings(session: Session) -> list[Proposal]:
    """The real Digital Post timetable, read as a watched page: two proposals of the rule "skal"."""
    settings = ScrapeSettings(watch_urls=(URL,))
    target = targets_for("watch", settings)[0]
    html = (REAL / "digst-digital-post-tidsplan.html").read_text(encoding="utf-8")
    services.import_file(session, target, html, settings, url=URL)
    session.commit()
    return scraper_proposals(session, target.key)


def test_the_queue_shows_the_rule_and_a_one_click_not_a_fact_counts_against_it(
    client: FlaskClient, session: Session
) -> None:
    found = _findings(session)
    assert {(p.solution.slug, p.rule_id, p.transition_kind) for p in found} == {
        ("digital-post", "skal", "login"),
        ("digital-post", "skal", "protocol"),  # "… i MeMo-format": a format, i.e. a protocol change
    }
    coordinator = make_user(session, "k-rules@example.dk", "coordinator")
    municipality = make_user(session, "m-rules@example.dk", "municipality", municipality="101")
    session.commit()
    log_in(client, coordinator)
    queue = client.get("/forslag").get_data(as_text=True)
    assert "<code>skal</code>" in queue and "skal pege på den nye Digital Post-løsning" in queue
    assert "Ikke et faktum" in queue
    first = found[0]
    token = csrf_token(client, f"/forslag/{first.id}")
    # A municipality may not judge findings.
    log_in(client, municipality)
    assert client.post(f"/forslag/{first.id}/ikke-et-faktum", data={"csrf_token": token}).status_code == 403
    log_in(client, coordinator)
    answer = client.post(f"/forslag/{first.id}/ikke-et-faktum", data={"csrf_token": token})
    assert answer.status_code == 302
    session.expire_all()
    rejected = session.get(Proposal, first.id)
    assert rejected is not None and (rejected.state, rejected.not_a_fact) == ("rejected", True)
    # Twice is a conflict, not a second count.
    assert client.post(f"/forslag/{first.id}/ikke-et-faktum", data={"csrf_token": token}).status_code == 409
    stats = {s.rule_id: s for s in rule_stats(session)}
    assert (stats["skal"].not_a_fact, stats["skal"].pending, stats["skal"].accepted) == (1, 1, 0)
    page = client.get("/kilder").get_data(as_text=True)
    assert 'id="regel-skal"' in page and "Afsender- og modtagersystemer skal pege på" in page


def test_a_rule_mostly_rejected_as_no_fact_is_misleading(session: Session) -> None:
    found = _findings(session)
    assert "skal" not in misleading_rules(session)
    template = found[0]
    for i in range(MISLEADING_AFTER):
        session.add(
            Proposal(
                solution_id=template.solution_id, origin="scraper", proposer_label="Scraper test", changes={},
                base_version=1, state="rejected", not_a_fact=True, rule_id="skal", dedupe_key=f"test-{i}",
            )
        )  # fmt: skip
    session.commit()
    assert "skal" in misleading_rules(session)
