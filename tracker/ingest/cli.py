"""``tracker scrape [SOURCE…] [--file PATH] [--dry-run] [--json]`` and ``tracker scrape --list``.

``--dry-run --json`` prints the observation contract of SPEC §5 exactly (one object per finding, the
solution slug resolved from the registry's names and aliases) and writes nothing. Without ``--dry-run``
each page is run as the scheduler runs it: the run is recorded and findings become proposals. The exit
status is 1 when a page could not be read, so cron and CI notice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from scrapers import SOURCES
from tracker.db import get_db
from tracker.errors import NotFound
from tracker.ingest import services
from tracker.ingest.targets import ScrapeSettings, Target, all_targets
from tracker.models import ScrapeRun


def _settings() -> ScrapeSettings:
    return ScrapeSettings.from_config(current_app.config)


def _resolve(keys: tuple[str, ...], settings: ScrapeSettings) -> list[Target]:
    try:
        return services.targets_of(keys, settings) if keys else all_targets(settings)
    except NotFound as exc:
        raise click.BadParameter(exc.message, param_hint="SOURCE") from exc


def _run_dict(target: Target, run: ScrapeRun) -> dict[str, Any]:
    return {
        "source": target.key,
        "url": target.fetch_url,
        "outcome": run.outcome,
        "http_status": run.http_status,
        "bytes": run.bytes,
        "findings": run.findings,
        "proposals": run.proposals,
        "duration_ms": run.duration_ms,
        "error": run.error,
    }


def _list(settings: ScrapeSettings, as_json: bool) -> None:
    groups: dict[str, list[Target]] = {}
    for target in all_targets(settings):
        groups.setdefault(target.source.key, []).append(target)
    if as_json:
        listing = [
            {
                "source": key,
                "name": SOURCES[key].name,
                "pages": [{"key": t.key, "name": t.name, "url": t.fetch_url} for t in targets],
            }
            for key, targets in groups.items()
        ]
        click.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    for key, targets in groups.items():
        click.echo(f"{key}\t{SOURCES[key].name}")
        for target in targets:
            click.echo(f"  {target.fetch_url}" if target.key == key else f"  {target.key}\t{target.fetch_url}")


def _echo_observations(observations: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(observations, ensure_ascii=False, indent=2))
        return
    for o in observations:
        latest = f"–{o['latest']}" if o["latest"] and o["latest"] != o["value"] else ""
        click.echo(f"{o['source']}\t{o['solution_slug'] or '?'}\t{o['field']}\t{o['value']}{latest}\t{o['evidence']}")


def _file_mode(keys: tuple[str, ...], path: Path, url: str | None, dry_run: bool, as_json: bool) -> None:
    settings = _settings()
    if len(keys) != 1:
        raise click.UsageError("--file needs exactly one SOURCE: the source the saved page comes from.")
    try:
        target = services.file_target(keys[0], settings)
    except NotFound as exc:
        raise click.BadParameter(exc.message, param_hint="SOURCE") from exc
    html = path.read_bytes().decode("utf-8", errors="replace")
    db = get_db()
    if dry_run:
        with db.unit_of_work() as session:
            result = services.parse_file(session, target, html, url)
            session.rollback()  # a dry run writes nothing, not even by accident
        if result.error:
            raise click.ClickException(f"{target.key}: {result.error}")
        _echo_observations([o.to_dict() for o in result.observations], as_json)
        return
    with db.unit_of_work() as session:
        run = services.import_file(session, target, html, settings, url)
        summary = _run_dict(target, run)
    _echo_runs([summary], as_json)


def _echo_runs(summaries: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summaries, ensure_ascii=False, indent=2))
    else:
        for s in summaries:
            line = f"{s['source']}: {s['outcome']} (HTTP {s['http_status'] or '–'}), {s['findings']} fund, "
            click.echo(line + f"{s['proposals']} nye forslag" + (f" — {s['error']}" if s["error"] else ""))
    if any(s["outcome"] in ("failed", "rejected") for s in summaries):
        raise click.exceptions.Exit(1)


@click.command("scrape")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("--file", "file_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Parse this saved page as if fetched from the source's URL.")  # fmt: skip
@click.option("--url", default=None, help="With --file: the URL the saved page came from (default: the source's).")
@click.option("--dry-run", is_flag=True, help="Print the observations; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (observations with --dry-run, else run summaries).")
@click.option("--list", "list_sources", is_flag=True, help="Name the sources and their pages.")
@with_appcontext
def scrape_command(
    sources: tuple[str, ...], file_path: Path | None, url: str | None, dry_run: bool, as_json: bool, list_sources: bool
) -> None:
    """Run scrapers now: all sources, or the SOURCEs named (see --list)."""
    settings = _settings()
    if list_sources:
        _list(settings, as_json)
        return
    if file_path is not None:
        _file_mode(sources, file_path, url, dry_run, as_json)
        return
    if url is not None:
        raise click.UsageError("--url only goes with --file.")
    targets = _resolve(sources, settings)
    fetcher = settings.fetcher()
    db = get_db()
    if dry_run:
        observations: list[dict[str, Any]] = []
        with db.unit_of_work() as session:
            try:
                for key in dict.fromkeys(sources or tuple(t.source.key for t in targets)):
                    found = services.observe_source(session, key, fetcher, settings)
                    observations += [o.to_dict() for o in found]
            except services.ScrapeFailed as exc:
                raise click.ClickException(str(exc)) from exc
            finally:
                session.rollback()
        _echo_observations(observations, as_json)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the LocalProxy stub does not declare its unwrapping method
    summaries = []
    for target in targets:
        run_id = services.run_in_own_transactions(app, target, fetcher, settings)
        with db.unit_of_work() as session:
            run = session.get(ScrapeRun, run_id)
            assert run is not None  # just committed
            summaries.append(_run_dict(target, run))
    _echo_runs(summaries, as_json)
