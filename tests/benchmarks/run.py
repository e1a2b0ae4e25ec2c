"""``make bench`` (``python -m tests.benchmarks.run``): speed and scale on a registry far larger than reality.

For SQLite and, when it answers on loopback, PostgreSQL: build the synthetic registry (10,000 solutions,
98 municipalities × 300-solution portfolios and two IdPs, 200,000 change events, 1,000 subscriptions), serve
the real app under gunicorn (2 workers) on 127.0.0.1, drive each route with wrk (or the Python generator),
count SQL statements per request at 1× and 10× data, time the webhook fan-out to 1,000 loopback receivers,
read each worker's peak RSS, and time the scrapers' parse of every saved page. Prints a table with
PASS/FAIL per target on each database (a profile for each miss), adds nginx as a caching
proxy in front of gunicorn (``tests.benchmarks.nginx``) and writes ``bench-results.json``. ``--quick`` runs at
a tenth of the size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.benchmarks import dbs, fanout, load, nginx, parse_bench, report, speed
from tests.benchmarks.profiling import profile_route
from tests.benchmarks.routes import compare_statements, measure_http, measure_statements, routes_for
from tests.benchmarks.server import ROOT, gunicorn
from tests.benchmarks.synthetic import FULL, BenchData, build_registry
from tracker.db import make_engine


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The bench's options; the defaults are what ``make bench`` runs."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data and shorter runs (~2 minutes)")
    parser.add_argument("--seconds", type=float, help="load time per route (default 6, quick 2)")
    parser.add_argument(
        "--rounds", type=int, help="interleaved rounds the load time is split into (default 6, quick 2)"
    )
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--no-fanout", action="store_true", help="skip the webhook fan-out")
    parser.add_argument(
        "--no-speed", action="store_true", help="skip the rows where the work grows (tests.benchmarks.speed)"
    )
    parser.add_argument("--only-speed", action="store_true", help="only build the registry and measure those rows")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--output", default="bench-results.json", help="where to write the JSON results")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (2.0 if args.quick else 6.0)
    args.rounds = args.rounds or (2 if args.quick else 6)
    return args


def _build(kind: str, url: str, scale_factor: float) -> tuple[BenchData, float]:
    engine = make_engine(url)
    started = time.perf_counter()
    try:
        data = build_registry(engine, url, FULL.times(scale_factor))
    finally:
        engine.dispose()
    return data, time.perf_counter() - started


def _profiles(url: str, data: BenchData, http: dict[str, Any]) -> dict[str, Any]:
    """In-process profiles of the routes that missed their throughput target (bounded to ~3 s each)."""
    profiles: dict[str, Any] = {}
    for route in routes_for(data):
        entry = http.get(route.key, {})
        if route.min_ratio is None or entry.get("pass") or entry.get("note") or "rps" not in entry:
            continue
        headers = dict(route.headers)
        if route.conditional_on and http.get(route.conditional_on, {}).get("etag"):
            headers["If-None-Match"] = http[route.conditional_on]["etag"]
        per_request = 1 / max(entry["rps"] / 2, 1e-3)  # two workers shared the load
        requests = int(min(200, max(5, 3 / per_request)))
        profiles[route.key] = profile_route(url, route.path, headers, requests=requests)
    return profiles


def bench_database(kind: str, args: argparse.Namespace, workdir: Path, wrk: str | None) -> dict[str, Any]:
    """Every measurement on one kind of database; a failing part is recorded and the rest goes on."""
    result: dict[str, Any] = {"kind": kind}
    factor = 0.1 if args.quick else 1.0
    with dbs.database(kind, workdir, "x10") as url:
        data, seconds = _build(kind, url, factor)
        result.update(registry=data.counts, build_seconds=round(seconds, 1), build_phases=data.seconds)
        print(f"[{kind}] built {data.counts} in {seconds:.1f} s", flush=True)
        if not args.only_speed:  # everything but the rows where the work grows
            with gunicorn(url, workdir, workers=args.workers) as server:
                result["http"] = measure_http(
                    server,
                    routes_for(data),
                    seconds=args.seconds,
                    warmup=1.0,
                    connections=args.connections,
                    wrk=wrk,
                    rounds=args.rounds,
                )
                result["worker_peak_rss_mb"] = {
                    str(pid): round(mb, 1) for pid, mb in server.worker_peak_rss_mb().items()
                }
                print(f"[{kind}] load done", flush=True)
                # The shared-cache tier in the same run: nginx static, the overview and list through nginx, gunicorn.
                result["nginx"] = nginx.measure(
                    server, workdir, seconds=max(2.0, args.seconds / 2), connections=args.connections, wrk=wrk
                )
                print(f"[{kind}] nginx: {result['nginx'].get('note', 'done')}", flush=True)
            large = measure_statements(url, data)
            with dbs.database(kind, workdir, "x1") as small_url:
                small_data, _ = _build(kind, small_url, factor / 10)
                small = measure_statements(small_url, small_data)
            result["statements"] = compare_statements(small, large)
            result["statement_scales"] = {"x1": small_data.counts, "x10": data.counts}
            print(f"[{kind}] statements counted", flush=True)
            result["profiles"] = _profiles(url, data, result["http"])
            for key, entry in result["statements"].items():  # a miss of the warm-time target: its profile too
                if entry.get("max_warm_ms") and (entry.get("x10_warm_ms") or 0) > entry["max_warm_ms"]:
                    route = next(r for r in routes_for(data) if r.key == key)
                    result["profiles"][key] = profile_route(url, route.path, route.headers, requests=5)
            if not args.no_fanout:
                try:
                    result["fanout"] = fanout.run(url, workdir)
                except Exception as exc:  # the fan-out depends on another team's worker; report, go on
                    result["fanout"] = {"note": f"failed: {type(exc).__name__}: {exc}"}
                    traceback.print_exc()
                print(f"[{kind}] fan-out done", flush=True)
                if not result["fanout"].get("pass") and "note" not in result["fanout"]:
                    try:
                        result["profiles"]["fanout_worker"] = fanout.profile_worker(url)
                    except Exception as exc:
                        result["profiles"]["fanout_worker"] = {"note": f"failed: {type(exc).__name__}: {exc}"}
        if not args.no_speed:
            with dbs.database(kind, workdir, "speed") as fresh_url:
                result["speed"] = speed.run(kind, url, fresh_url, data.municipality_code, workdir)
    return result


def _meta(args: argparse.Namespace, wrk: str | None) -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    return {
        "command": "python -m tests.benchmarks.run " + " ".join(sys.argv[1:]),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": commit.stdout.strip() or None,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_generator": f"wrk ({wrk})" if wrk else "python (threads + http.client)",
        "connections": args.connections,
        "workers": args.workers,
        "seconds_per_route": args.seconds,
        "rounds": args.rounds,
        "quick": args.quick,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the bench, print the report, write the JSON; 0 unless ``--strict`` and a target failed."""
    args = parse_args(argv)
    started = time.monotonic()
    wrk = None if args.python_load else load.ensure_wrk()
    results: dict[str, Any] = {"meta": _meta(args, wrk), "databases": {}}
    workdir = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    try:
        results["scraper_parse"] = (
            [] if args.only_speed else parse_bench.run(repeat=5 if args.quick else 20, scale_solutions=10_000)
        )
        for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
            if kind == "postgresql" and (reason := dbs.postgres_unreachable()):
                results["databases"][kind] = {"kind": kind, "error": f"skipped: {reason}"}
                continue
            try:
                results["databases"][kind] = bench_database(kind, args, workdir, wrk)
            except Exception as exc:
                traceback.print_exc()
                results["databases"][kind] = {"kind": kind, "error": f"{type(exc).__name__}: {exc}"}
        sqlite = results["databases"].get("sqlite")
        results["profiles"] = {}
        for kind, db in results["databases"].items():  # one profile per miss, named by database
            for key, prof in db.pop("profiles", {}).items():
                results["profiles"][key if kind == "sqlite" else f"{kind}:{key}"] = prof
        results["targets"] = []
        if not args.only_speed:
            results["targets"] += report.evaluate(sqlite if sqlite and not sqlite.get("error") else None)
            for kind, db in results["databases"].items():
                if kind != "sqlite":
                    results["targets"] += report.evaluate(db if not db.get("error") else None, label=kind)
            results["targets"] += report.evaluate_parse(results["scraper_parse"])
        for kind, db in results["databases"].items():
            for row in db.get("speed", []):
                label = "" if kind == "sqlite" else f"{kind}: "
                detail = (
                    row.get("error")
                    or f"{row.get('value')} vs baseline {row.get('baseline')} (ratio {row.get('ratio')})"
                )
                results["targets"].append(
                    {"target": label + str(row["row"]), "pass": bool(row["pass"]), "detail": detail}
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["meta"]["seconds"] = round(time.monotonic() - started, 1)
    print(report.render(results))
    for kind, db in results["databases"].items():
        if db.get("speed"):
            print(speed.render(kind, db["speed"]))
    Path(args.output).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output} in {results['meta']['seconds']} s ({results['meta']['command']})")
    failed = [t for t in results["targets"] if not t["pass"]]
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
