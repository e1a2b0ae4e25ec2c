"""The routes issue #7 measures, driven over HTTP (throughput, latency) and in-process (SQL statements).

A route that does not exist yet answers 404 and is reported as missing; it never stops the bench.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.benchmarks import load
from tests.benchmarks.server import Server
from tests.benchmarks.sqlcount import bench_app, count_request
from tests.benchmarks.synthetic import BenchData

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


def routes_for(data: BenchData) -> list[Route]:
    """The eight routes of issue #7 on a built registry."""
    slug, code = data.solution_slug, data.municipality_code
    return [
        Route(REFERENCE, "/healthz", min_ratio=None),
        Route("solutions_list", "/api/v1/solutions?limit=100"),
        Route("solution_detail", f"/api/v1/solutions/{slug}"),
        Route("conditional_304", f"/api/v1/solutions/{slug}", expect=304, min_ratio=0.8, conditional_on="solution_detail"),
        Route("feed_atom", "/feeds/changes.atom"),
        Route("calendar_ics", f"/calendar/municipalities/{code}.ics?token={data.feed_token}"),
        Route(
            "readiness",
            f"/api/v1/municipalities/{code}/readiness",
            headers={"Authorization": f"Bearer {data.api_token}"},
        ),
        Route("index", "/"),
    ]


def _status_note(status: int, expect: int) -> str | None:
    """Why a route is not measured, or None when it answers as expected."""
    if status == expect:
        return None
    if status == 404:
        return "missing (404)"
    return f"answers {status}, expected {expect}"


def measure_http(
    server: Server, routes: list[Route], *, seconds: float, warmup: float, connections: int, wrk: str | None
) -> dict[str, dict[str, Any]]:
    """Preflight each route once, warm it up, then drive it; /healthz first and last (the mean is the reference)."""
    results: dict[str, dict[str, Any]] = {}
    headers: dict[str, dict[str, str]] = {}
    etags: dict[str, str] = {}
    for route in routes:
        hdrs = dict(route.headers)
        if route.conditional_on:
            etag = etags.get(route.conditional_on)
            if etag is None:
                results[route.key] = {"path": route.path, "note": f"{route.conditional_on} sent no ETag", "status": None}
                continue
            hdrs["If-None-Match"] = etag
        status, resp_headers, body = load.fetch(server.base_url + route.path, hdrs)
        if "etag" in resp_headers:
            etags[route.key] = resp_headers["etag"]
        results[route.key] = {
            "path": route.path,
            "status": status,
            "bytes": len(body),
            "content_type": resp_headers.get("content-type"),
            "etag": resp_headers.get("etag"),
            "note": _status_note(status, route.expect),
        }
        headers[route.key] = hdrs
    runnable = [r for r in routes if r.key in headers and results[r.key]["note"] is None]
    for route in runnable:  # fill each worker's caches and connection pool before timing
        load.drive(server.base_url + route.path, headers[route.key], seconds=warmup, connections=connections, wrk=wrk)
    reference_runs = []
    order = [r for r in runnable if r.key == REFERENCE] + [r for r in runnable if r.key != REFERENCE]
    order += [r for r in runnable if r.key == REFERENCE]
    for route in order:
        result = load.drive(
            server.base_url + route.path, headers[route.key], seconds=seconds, connections=connections, wrk=wrk
        )
        if route.key == REFERENCE:
            reference_runs.append(result.rps)
        results[route.key].update(result.as_dict())
    reference = sum(reference_runs) / len(reference_runs) if reference_runs else 0.0
    if reference_runs:
        results[REFERENCE]["rps"] = round(reference, 1)
        results[REFERENCE]["rps_runs"] = [round(r, 1) for r in reference_runs]
    for route in routes:
        entry = results[route.key]
        if reference and "rps" in entry:
            entry["ratio"] = round(entry["rps"] / reference, 3)
        entry["min_ratio"] = route.min_ratio
        if route.min_ratio is not None:
            entry["pass"] = bool(entry.get("ratio", 0) >= route.min_ratio and not entry.get("errors"))
    return results


def measure_statements(database_url: str, data: BenchData) -> dict[str, dict[str, Any]]:
    """Queries per request for each route on a cold app (first request) and a warm one (second request)."""
    app = bench_app(database_url, SERVER_NAME="127.0.0.1")
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
        warm = count_request(app, route.path, hdrs)
        if route.key == "solution_detail":
            response = app.test_client().get(route.path, headers=hdrs)
            if response.headers.get("ETag"):
                etags[route.key] = response.headers["ETag"]
        counts[route.key] = {
            "status": cold.status,
            "cold": cold.count,
            "warm": warm.count,
            "queries_cold": list(cold.queries),
            "note": _status_note(cold.status, route.expect),
        }
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
        }
        if not constant:
            entry["queries_x10"] = big["queries_cold"][:50]
        table[key] = entry
    return table
