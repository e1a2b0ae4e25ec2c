"""The routes the speed targets measure, driven over HTTP (throughput, latency) and in-process (SQL statements).

A route that does not exist yet answers 404 and is reported as missing; it never stops the bench.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from tests.benchmarks import load
from tests.benchmarks.server import Server
from tests.benchmarks.sqlcount import bench_app, count_request
from tests.benchmarks.synthetic import BenchData
from tracker.db import get_db

REFERENCE = "healthz"


@dataclass(frozen=True)
class Route:
    """One measured route: what to GET, with which headers, what it should answer, and its target."""

    key: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200
    min_ratio: float | None = 0.5  # of /healthz throughput; None for the reference itself
    conditional_on: str | None = None  # send If-None-Match with the ETag of this route's 200
    load: bool = True  # driven under load; False: only its statements and warm in-process time are measured
    max_warm_ms: float | None = None  # target for the warm in-process request (the second one)


# What every real client sends (browsers, feed readers, calendar apps, requests): large cached bodies are
# then served gzip-compressed, as they would be to them.
CLIENT = {"Accept-Encoding": "gzip"}


def routes_for(data: BenchData) -> list[Route]:
    """The eight measured routes on a built registry, with their targets, and the national picture."""
    slug, code = data.solution_slug, data.municipality_code
    bearer = {**CLIENT, "Authorization": f"Bearer {data.api_token}"}
    return [
        Route(REFERENCE, "/healthz", headers=CLIENT, min_ratio=None),
        Route("solutions_list", "/api/v1/solutions?limit=100", headers=CLIENT),
        Route("solution_detail", f"/api/v1/solutions/{slug}", headers=CLIENT),
        Route(
            "conditional_304",
            f"/api/v1/solutions/{slug}",
            headers=CLIENT,
            expect=304,
            min_ratio=0.8,
            conditional_on="solution_detail",
        ),
        Route("feed_atom", "/feeds/changes.atom", headers=CLIENT),
        Route(
            "calendar_ics",
            f"/calendar/municipalities/{code}.ics?token={data.feed_token}",
            headers=CLIENT,
            min_ratio=0.6,
        ),
        Route("readiness", f"/api/v1/municipalities/{code}/readiness", headers=bearer, min_ratio=0.6),
        Route("index", "/", headers=CLIENT),
        # Transitions (issue 22): five per synthetic solution.
        Route("transitions_list", "/api/v1/transitions?limit=100", headers=CLIENT, min_ratio=None, load=False),
        Route(
            "solution_transitions",
            f"/api/v1/solutions/{slug}/transitions",
            headers=CLIENT,
            min_ratio=None,
            load=False,
        ),
        Route("solution_page", f"/loesninger/{slug}", headers=CLIENT, min_ratio=None, load=False),
        Route(
            "national",
            "/api/v1/national",
            headers=bearer,  # the bench user is a coordinator
            min_ratio=None,
            load=False,
            max_warm_ms=100.0,
        ),
    ]


def shown(path: str) -> str:
    """The path as reports show it: a private token is not printed or stored."""
    head, sep, _token = path.partition("token=")
    return head + sep + ("…" if sep else "")


def _status_note(status: int, expect: int) -> str | None:
    """Why a route is not measured, or None when it answers as expected."""
    if status == expect:
        return None
    if status == 404:
        return "missing (404)"
    return f"answers {status}, expected {expect}"


def _preflight(server: Server, routes: list[Route]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    """GET each route once: status, size, ETag; the headers to drive it with (If-None-Match from its ETag)."""
    results: dict[str, dict[str, Any]] = {}
    headers: dict[str, dict[str, str]] = {}
    etags: dict[str, str] = {}
    for route in routes:
        hdrs = dict(route.headers)
        if route.conditional_on:
            etag = etags.get(route.conditional_on)
            if etag is None:
                results[route.key] = {
                    "path": shown(route.path),
                    "status": None,
                    "note": f"{route.conditional_on} sent no ETag",
                }
                continue
            hdrs["If-None-Match"] = etag
        status, resp_headers, body = load.fetch(server.base_url + route.path, hdrs)
        if "etag" in resp_headers:
            etags[route.key] = resp_headers["etag"]
        results[route.key] = {
            "path": shown(route.path),
            "status": status,
            "bytes": len(body),  # as sent: compressed when the route sends gzip
            "content_encoding": resp_headers.get("content-encoding"),
            "content_type": resp_headers.get("content-type"),
            "etag": resp_headers.get("etag"),
            "note": _status_note(status, route.expect),
        }
        headers[route.key] = hdrs
    return results, headers


def _aggregate(parts: list[load.LoadResult]) -> dict[str, Any]:
    """Several slices of one route as one: total requests over total time; request-weighted percentiles."""
    requests = sum(p.requests for p in parts)
    seconds = sum(p.seconds for p in parts)
    weight = requests or 1
    return {
        "tool": parts[0].tool,
        "requests": requests,
        "seconds": round(seconds, 2),
        "errors": sum(p.errors for p in parts),
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        **{
            f"{pct}_ms": round(sum(getattr(p, f"{pct}_ms") * p.requests for p in parts) / weight, 2)
            for pct in ("p50", "p95", "p99")
        },
    }


def _drain(server: Server, *, quiet_ms: float = 50.0, limit_s: float = 30.0) -> None:
    """Wait until the server answers /healthz promptly twice in a row: the queue left by the last slice is gone."""
    deadline = time.monotonic() + limit_s
    prompt = 0
    while prompt < 2 and time.monotonic() < deadline:
        started = time.perf_counter()
        load.fetch(server.base_url + "/healthz")
        prompt = prompt + 1 if (time.perf_counter() - started) * 1000 < quiet_ms else 0


def measure_http(
    server: Server,
    routes: list[Route],
    *,
    seconds: float,
    warmup: float,
    connections: int,
    wrk: str | None,
    rounds: int = 3,
) -> dict[str, dict[str, Any]]:
    """Drive every route that answers as expected, each slice between two /healthz slices.

    The machine may be busy with other work, so a route's ratio is taken against the /healthz slices just
    before and after it (the median over ``rounds``); its requests/s is its total over all slices.
    """
    routes = [r for r in routes if r.load]
    results, headers = _preflight(server, routes)
    runnable = [r for r in routes if r.key in headers and results[r.key]["note"] is None]
    for route in runnable:  # fill each worker's caches and connection pool before timing
        load.drive(server.base_url + route.path, headers[route.key], seconds=warmup, connections=connections, wrk=wrk)
        _drain(server)
    slice_seconds = max(1.0, seconds / rounds)
    reference = next((r for r in runnable if r.key == REFERENCE), None)
    others = [r for r in runnable if r.key != REFERENCE]

    cpu: dict[str, float] = {r.key: 0.0 for r in runnable}

    def _drive(route: Route, length: float = slice_seconds) -> load.LoadResult:
        cpu_before = server.worker_cpu_seconds()
        result = load.drive(
            server.base_url + route.path, headers[route.key], seconds=length, connections=connections, wrk=wrk
        )
        cpu[route.key] += server.worker_cpu_seconds() - cpu_before
        # A slow route leaves requests queued in the workers after the generator stops; the next slice
        # must not pay for them.
        _drain(server)
        return result

    runs: dict[str, list[load.LoadResult]] = {r.key: [] for r in runnable}
    ratios: dict[str, list[float]] = {r.key: [] for r in others}
    for _ in range(rounds):
        before = _drive(reference) if reference else None
        if before:
            runs[REFERENCE].append(before)
        for route in others:
            result = _drive(route)
            runs[route.key].append(result)
            after = _drive(reference) if reference else None
            if before and after:
                runs[REFERENCE].append(after)
                base = (before.rps + after.rps) / 2
                ratios[route.key].append(result.rps / base if base else 0.0)
                before = after
    slow = set()
    for route in others:  # a route slower than its slices completed too few requests to measure: one long slice
        if sum(p.requests for p in runs[route.key]) < 2 * connections:
            slow.add(route.key)
            runs[route.key].append(_drive(route, max(8.0, 2 * slice_seconds)))
    for key, parts in runs.items():
        results[key].update(_aggregate(parts))
        results[key]["rps_slices"] = [round(p.rps, 1) for p in parts]
        if results[key]["requests"]:
            # The workers' own CPU per request: what throughput would be on an otherwise idle machine.
            results[key]["cpu_ms_per_request"] = round(cpu[key] / results[key]["requests"] * 1000, 3)
    reference_cpu = results.get(REFERENCE, {}).get("cpu_ms_per_request")
    for route in routes:
        entry = results[route.key]
        if route.key == REFERENCE and "rps" in entry:
            entry["ratio"] = 1.0
        elif route.key in slow and results.get(REFERENCE, {}).get("rps") and "rps" in entry:
            entry["ratio"] = round(entry["rps"] / results[REFERENCE]["rps"], 3)  # against the run's /healthz
        elif ratios.get(route.key):
            entry["ratio"] = round(statistics.median(ratios[route.key]), 3)
            entry["ratio_rounds"] = [round(r, 3) for r in ratios[route.key]]
        if reference_cpu and entry.get("cpu_ms_per_request"):
            entry["cpu_ratio"] = round(reference_cpu / entry["cpu_ms_per_request"], 3)
        entry["min_ratio"] = route.min_ratio
        if route.min_ratio is not None:
            entry["pass"] = bool(entry.get("ratio", 0) >= route.min_ratio and not entry.get("errors"))
    return results


def measure_statements(database_url: str, data: BenchData) -> dict[str, dict[str, Any]]:
    """Queries per request for each route on a cold app (first request) and a warm one (second request)."""
    # One request per route on another app first: what a first request writes once (an API token's last
    # use, once a minute) is then written, and the counting app still starts with empty caches.
    primer = bench_app(database_url, SERVER_NAME="127.0.0.1")
    for route in routes_for(data):
        primer.test_client().get(route.path, headers=route.headers).close()
    get_db(primer).engine.dispose()
    # "Warm" is the second request with every cache filled; the token cache must outlast a cold request that
    # takes seconds (the national picture's first computation), or its expiry would count as the route's.
    app = bench_app(database_url, SERVER_NAME="127.0.0.1", AUTH_CACHE_SECONDS=600)
    counts: dict[str, dict[str, Any]] = {}
    etags: dict[str, str] = {}
    for route in routes_for(data):
        hdrs = dict(route.headers)
        if route.conditional_on:
            if route.conditional_on not in etags:
                counts[route.key] = {"note": f"{route.conditional_on} sent no ETag"}
                continue
            hdrs["If-None-Match"] = etags[route.conditional_on]
        cold = count_request(app, route.path, hdrs)
        started = time.perf_counter()
        warm = count_request(app, route.path, hdrs)
        warm_ms = (time.perf_counter() - started) * 1000
        if route.key == "solution_detail":
            response = app.test_client().get(route.path, headers=hdrs)
            if response.headers.get("ETag"):
                etags[route.key] = response.headers["ETag"]
        counts[route.key] = {
            "status": cold.status,
            "cold": cold.count,
            "warm": warm.count,
            "queries_cold": list(cold.queries),
            "warm_ms": round(warm_ms, 2),
            "max_warm_ms": route.max_warm_ms,
            "note": _status_note(cold.status, route.expect),
        }
    get_db(app).engine.dispose()
    return counts


def compare_statements(small: dict[str, dict[str, Any]], large: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per route: counts at 1× and 10×, and whether they stay constant (a growing count is an N+1)."""
    table: dict[str, dict[str, Any]] = {}
    for key, big in large.items():
        little = small.get(key, {})
        if big.get("note") or little.get("note") or "cold" not in big:
            table[key] = {"note": big.get("note") or little.get("note") or "not measured"}
            continue
        constant = little["cold"] == big["cold"] and little["warm"] == big["warm"]
        entry: dict[str, Any] = {
            "x1_cold": little["cold"],
            "x10_cold": big["cold"],
            "x1_warm": little["warm"],
            "x10_warm": big["warm"],
            "constant": constant,
            "x10_warm_ms": big.get("warm_ms"),
            "max_warm_ms": big.get("max_warm_ms"),
        }
        if not constant:
            entry["queries_x10"] = big["queries_cold"][:50]
        table[key] = entry
    return table
