"""``tracker scrape``: the SPEC §5 observation contract from a saved page, listing, runs that write proposals."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session

from tests.support.apps import migrate_and_seed
from tests.support.databases import fresh_database
from tests.support.ingest import (
    LAUNCH_PATH,
    PAGES,
    base_url,
    registry_state,
    runs,
    scraper_proposals,
    serve_robots,
)

CONTRACT_KEYS = {"source", "solution_slug", "solution_text", "field", "value", "latest", "precision", "evidence", "url"}
LAUNCH_URL = "https://digst.dk/it-loesninger/nemlog-in/lanceringsdatoer-for-nemlog-in/"
# The console script installed beside the Python that runs the tests (any venv), else the one on PATH.
TRACKER = shutil.which("tracker", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))


def _check_contract(observations: list[dict[str, object]]) -> None:
    for o in observations:
        assert CONTRACT_KEYS <= set(o) <= CONTRACT_KEYS | {"cue", "rule", "kind", "confidence"}, o
        assert o["field"] in ("switch_date", "required_loa")
        if o["field"] == "required_loa":
            assert o["value"] in ("lav", "betydelig", "hoej") and o["latest"] is None
        else:
            assert len(str(o["value"])) == 10 and str(o["value"])[4] == "-"
            assert o["latest"] is None or str(o["latest"]) >= str(o["value"])


def _launch_by_slug(observations: list[dict[str, object]]) -> dict[tuple[object, object], dict[str, object]]:
    return {(o["solution_slug"], o["field"]): o for o in observations}


def test_dry_run_json_prints_the_contract_with_slugs_resolved(runner: FlaskCliRunner, session: Session) -> None:
    before = registry_state(session)
    result = runner.invoke(
        args=["tracker", "scrape", "digst_launch", "--file", str(PAGES / "digst_launch.html"), "--dry-run", "--json"]
    )
    assert result.exit_code == 0, result.output
    observations = json.loads(result.output)
    _check_contract(observations)
    assert len(observations) == 11
    by = _launch_by_slug(observations)
    assert by[("kmd-nexus", "switch_date")] == {
        "source": "digst_launch",
        "solution_slug": "kmd-nexus",
        "solution_text": "KMD Nexus",
        "field": "switch_date",
        "value": "2024-04-01",
        "latest": "2024-06-30",
        "precision": "quarter",
        "evidence": "Løsning: KMD Nexus | Skæringsdato: Q2 2024 | Sikringsniveau: Substantial",
        "url": LAUNCH_URL,
        "cue": "Skæringsdato",  # why it is a switch date: the column it stands in
        "rule": "tabel",  # the rule of scrapers.rules that read it
        "kind": "loa",  # a row with a level column: the date the level takes effect
        "confidence": "",
    }
    assert by[("fmk", "required_loa")]["value"] == "betydelig"
    assert by[("digital-post", "switch_date")]["solution_text"] == "Digital Post"  # in the day-one registry
    # A dry run writes nothing: no run, no proposal, no snapshot, no registry change.
    assert runs(session, "digst_launch") == [] and scraper_proposals(session) == []
    assert registry_state(session) == before


def test_dry_run_resolves_aliases_added_to_the_registry(runner: FlaskCliRunner, session: Session) -> None:
    from sqlalchemy import select

    from tracker.models import Solution
    from tracker.registry.actors import SYSTEM
    from tracker.registry.services import update_solution

    post = session.scalars(select(Solution).where(Solution.slug == "digital-post")).one()
    update_solution(session, post, {"name": "Digital Post (ny)", "aliases": []}, actor=SYSTEM)
    session.commit()
    args = ["tracker", "scrape", "digst_launch", "--file", str(PAGES / "digst_launch.html"), "--dry-run", "--json"]
    # unknown to the registry: reported with slug null
    assert (None, "required_loa") in _launch_by_slug(json.loads(runner.invoke(args=args).output))
    update_solution(session, post, {"aliases": ["Digital Post"]}, actor=SYSTEM)
    session.commit()
    assert ("digital-post", "required_loa") in _launch_by_slug(json.loads(runner.invoke(args=args).output))


def test_dry_run_of_an_article_with_its_url(runner: FlaskCliRunner) -> None:
    url = "https://digst.dk/nyheder/nyhedsarkiv/2022/maj/danske-virksomheder-kan-faa-mitid-erhverv-fra-oktober-2022/"
    result = runner.invoke(
        args=["tracker", "scrape", "digst_news", "--file", str(PAGES / "digst_news_article.html"),
              "--url", url, "--dry-run", "--json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    observations = json.loads(result.output)
    _check_contract(observations)
    assert {o["url"] for o in observations} == {url}
    assert ("kmd-nexus", "switch_date") in _launch_by_slug(observations)


def test_dry_run_of_a_broken_page_says_why_and_fails(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["tracker", "scrape", "digst_launch", "--file", str(PAGES / "garbage.html"), "--dry-run", "--json"]
    )
    assert result.exit_code == 1
    assert "afvist" in result.output and "Traceback" not in result.output


def test_dry_run_text_output(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["tracker", "scrape", "watch", "--file", str(PAGES / "watch_page.html"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "fmk\tswitch_date\t2023-10-23–2023-10-29\tFMK skifter i uge 43." in result.output


def test_list_names_the_sources(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["tracker", "scrape", "--list"])
    assert result.exit_code == 0
    names = [line.split("\t")[0] for line in result.output.splitlines() if not line.startswith(" ")]
    assert names == ["digst_launch", "digst_news", "mitid_erhverv_news", "watch"]
    assert "https://digst.dk/tilsyn/nsis" in result.output
    listing = json.loads(runner.invoke(args=["tracker", "scrape", "--list", "--json"]).output)
    assert [s["source"] for s in listing] == names and len(listing[3]["pages"]) > 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "Ukendt kilde 'nope'"),
        (["--file", str(PAGES / "digst_launch.html")], "--file needs exactly one SOURCE"),
        (["digst_launch", "digst_news", "--file", str(PAGES / "digst_launch.html")], "exactly one SOURCE"),
        (["digst_launch", "--file", "/does/not/exist.html"], "does not exist"),
        (["digst_launch", "--url", "https://x.example/"], "--url only goes with --file"),
    ],
)
def test_bad_arguments_are_usage_errors(runner: FlaskCliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(args=["tracker", "scrape", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_file_without_dry_run_records_a_run_and_writes_proposals(runner: FlaskCliRunner, session: Session) -> None:
    before = registry_state(session)
    result = runner.invoke(args=["tracker", "scrape", "digst_launch", "--file", str(PAGES / "digst_launch.html"),
                                 "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    [summary] = json.loads(result.output)
    # 11 findings, all of solutions in the day-one registry; FMK's level equals the registry's already
    # and Digital Post's two are new.
    assert (summary["outcome"], summary["findings"], summary["proposals"]) == ("ok", 11, 10)
    assert len(scraper_proposals(session, "digst_launch")) == 10
    assert registry_state(session) == before
    again = runner.invoke(args=["tracker", "scrape", "digst_launch", "--file", str(PAGES / "digst_launch.html")])
    assert "ok (HTTP –), 11 fund, 0 nye forslag" in again.output


def test_scrape_fetches_from_the_configured_base_url(
    runner: FlaskCliRunner, app: Flask, session: Session, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_robots(httpserver)
    httpserver.expect_request(LAUNCH_PATH).respond_with_data(
        (PAGES / "digst_launch.html").read_bytes(), content_type="text/html"
    )
    monkeypatch.setitem(app.config, "SCRAPE_BASE_URL", base_url(httpserver))
    result = runner.invoke(args=["tracker", "scrape", "digst_launch", "--json"])
    assert result.exit_code == 0, result.output
    [summary] = json.loads(result.output)
    assert (summary["outcome"], summary["http_status"], summary["proposals"]) == ("ok", 200, 10)
    assert summary["url"] == base_url(httpserver) + LAUNCH_PATH

    dry = runner.invoke(args=["tracker", "scrape", "digst_launch", "--dry-run", "--json"])
    assert dry.exit_code == 0 and len(json.loads(dry.output)) == 11
    assert len(runs(session, "digst_launch")) == 1  # the dry run recorded nothing

    httpserver.clear()
    serve_robots(httpserver)
    httpserver.expect_request(LAUNCH_PATH).respond_with_data("weg", status=404)
    failed = runner.invoke(args=["tracker", "scrape", "digst_launch"])
    assert failed.exit_code == 1 and "failed (HTTP 404)" in failed.output
    dry_failed = runner.invoke(args=["tracker", "scrape", "digst_launch", "--dry-run"])
    assert dry_failed.exit_code == 1 and "HTTP 404" in dry_failed.output


@pytest.mark.slow
def test_the_installed_console_script_prints_the_contract(tmp_path: Path) -> None:
    """The real ``tracker`` executable on a fresh, migrated and seeded database."""
    assert TRACKER is not None, "the tracker console script is not installed (pip install -e .)"
    with fresh_database(tmp_path) as url:
        migrate_and_seed(url)
        env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_ENV": "development", "TRACKER_SECRET_KEY": "t"}
        done = subprocess.run(
            [TRACKER, "scrape", "digst_launch", "--file", str(PAGES / "digst_launch.html"), "--dry-run", "--json"],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        observations = json.loads(done.stdout)
        _check_contract(observations)
        assert _launch_by_slug(observations)[("kmd-nexus", "switch_date")]["value"] == "2024-04-01"
        assert _launch_by_slug(observations)[("virk-dk", "required_loa")]["solution_text"] == "virk.dk"
