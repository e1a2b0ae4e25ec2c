"""Bad input to ``tracker scrape --file``: a run record with a clear reason, never a crash, the registry unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.ingest import registry_state, scraper_proposals
from tracker.models import ScrapeRun

REAL = Path(__file__).resolve().parents[1] / "scrapers" / "real_pages"
SEB_URL = "https://services.nsi.dk/Services/SEB"


def _huge(tmp_path: Path) -> Path:
    path = tmp_path / "huge.html"
    body = "<p>SEB skifter 24. april 2023.</p>" * (21 * 1024 * 1024 // 34)
    path.write_text(f"<html><body><main>{body}</main></body></html>", encoding="utf-8")
    return path


def _binary(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_bytes(bytes(range(256)) * 400)
    return path


def _broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.html"
    nested = "<div><span><b>" * 5000
    path.write_text(f"<html><body><main><p>SEB skifter <table><tr><td>{nested} 24. april 2023</p></i>", "utf-8")
    return path


def _english(tmp_path: Path) -> Path:
    path = tmp_path / "english.html"
    text = (
        "<h1>SEB</h1><p>From 24 April 2023 all services that use SEB must switch to the new metadata. "
        "This is the page in English and it is not the one we read for facts, so the facts are not taken from it.</p>"
    )
    path.write_text(f"<html lang='en'><body><main>{text}</main></body></html>", "utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "outcome", "reason"),
    [
        (_huge, "rejected", "at most 5 MB"),
        (_binary, "rejected", "afvist"),
        (_broken, "ok", None),
        (_english, "ok", "engelsk"),
    ],
    ids=["20 MB", "binary", "broken HTML", "English"],
)
def test_bad_input_leaves_a_run_record_and_the_registry_unchanged(
    runner: FlaskCliRunner, session: Session, tmp_path: Path, make, outcome: str, reason: str | None
) -> None:
    before = registry_state(session)
    path = make(tmp_path)
    result = runner.invoke(args=["tracker", "scrape", "watch", "--file", str(path), "--url", SEB_URL, "--json"])
    assert "Traceback" not in result.output
    assert result.exit_code == (1 if outcome == "rejected" else 0), result.output
    [summary] = json.loads(result.output)
    assert summary["outcome"] == outcome
    if reason:
        assert reason in (summary["error"] or "")
    session.expire_all()
    (run,) = session.scalars(select(ScrapeRun)).all()
    assert run.outcome == outcome
    if outcome == "rejected" or reason == "engelsk":
        assert scraper_proposals(session) == []
    assert registry_state(session) == before
    dry = runner.invoke(args=["tracker", "scrape", "watch", "--file", str(path), "--dry-run", "--json"])
    assert "Traceback" not in dry.output


def test_dry_run_of_a_real_page_with_its_url_keeps_the_contract(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["tracker", "scrape", "watch", "--file", str(REAL / "services-nsi-seb.html"), "--url", SEB_URL,
              "--dry-run", "--json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (obs,) = json.loads(result.output)
    assert (obs["solution_slug"], obs["field"], obs["value"], obs["url"]) == (
        "seb",
        "switch_date",
        "2023-04-24",
        SEB_URL,
    )
    assert obs["cue"] and "24. april 2023" in obs["evidence"]


def test_the_review_queue_shows_each_finding_s_cue_beside_its_evidence(
    runner: FlaskCliRunner, session: Session, client: FlaskClient, tmp_path: Path
) -> None:
    from tests.support.accounts import make_user
    from tests.support.ingest import log_in

    path = tmp_path / "plan.html"
    path.write_text(
        "<html lang='da'><body><main><h1>Tidsplan</h1><h2>Beskedfordeler</h2>"
        "<p>Den nye version er klar til test. Opgaven har deadline 1. marts 2027.</p></main></body></html>",
        encoding="utf-8",
    )
    result = runner.invoke(args=["tracker", "scrape", "watch", "--file", str(path), "--json"])
    assert result.exit_code == 0, result.output
    (proposal,) = scraper_proposals(session)  # the subject comes from the section heading
    assert proposal.solution.slug == "beskedfordeler"
    assert proposal.cue == "deadline" and "Opgaven har deadline 1. marts 2027." in (proposal.evidence or "")
    coordinator = make_user(session, "k-cue@example.dk", "coordinator")
    session.commit()
    log_in(client, coordinator)
    html = client.get("/forslag").get_data(as_text=True)
    assert "Opgaven har deadline 1. marts 2027." in html
    assert "Signalord: deadline" in html
    assert "Cue: deadline" in client.get("/forslag?lang=en").get_data(as_text=True)
