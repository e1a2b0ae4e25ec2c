"""In-process profiles of slow routes: cProfile over repeated test-client requests, plus SQL time per statement.

Printed for every route that misses its target, so the report shows *why*, not only *that*.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import event

from tests.benchmarks.sqlcount import bench_app
from tracker.db import get_db


def profile_route(
    database_url: str, path: str, headers: Mapping[str, str] | None = None, *, requests: int = 30, top: int = 18
) -> dict[str, Any]:
    """Profile ``requests`` GETs of ``path`` (after one warm-up): wall time, SQL time and the hottest functions."""
    app = bench_app(database_url, SERVER_NAME="127.0.0.1")
    client = app.test_client()
    client.get(path, headers=dict(headers or {})).close()
    sql_time: dict[str, float] = defaultdict(float)
    started_at: dict[int, float] = {}

    def _before(conn: Any, _cursor: Any, _statement: str, _params: Any, _context: Any, _many: bool) -> None:
        started_at[id(conn)] = time.perf_counter()

    def _after(conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        begun = started_at.pop(id(conn), None)
        if begun is not None:
            sql_time[" ".join(statement.split())[:160]] += time.perf_counter() - begun

    engine = get_db(app).engine
    event.listen(engine, "before_cursor_execute", _before)
    event.listen(engine, "after_cursor_execute", _after)
    profiler = cProfile.Profile()
    wall = time.perf_counter()
    try:
        profiler.enable()
        for _ in range(requests):
            client.get(path, headers=dict(headers or {})).close()
        profiler.disable()
    finally:
        wall = time.perf_counter() - wall
        event.remove(engine, "before_cursor_execute", _before)
        event.remove(engine, "after_cursor_execute", _after)
        engine.dispose()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    text = out.getvalue()
    body = text[text.find("ncalls") :] if "ncalls" in text else text
    per_request_ms = wall / requests * 1000
    sql_ms = sum(sql_time.values()) / requests * 1000
    statements = sorted(sql_time.items(), key=lambda kv: kv[1], reverse=True)[:5]
    return {
        "path": path.partition("token=")[0] + ("token=…" if "token=" in path else ""),
        "requests": requests,
        "ms_per_request": round(per_request_ms, 2),
        "sql_ms_per_request": round(sql_ms, 2),
        "slowest_statements_ms_per_request": [[s, round(t / requests * 1000, 2)] for s, t in statements],
        "cprofile_cumulative": body.rstrip(),
    }
