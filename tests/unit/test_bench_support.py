"""The bench's own helpers at tiny scale, so ``make bench`` cannot rot between runs.

The statement counter, the synthetic builder (real migrations, real seed, Core bulk inserts) and the
1×/10× comparison are what the bench's verdicts rest on; each is checked here on a real database.
"""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.benchmarks.routes import compare_statements, routes_for
from tests.benchmarks.sqlcount import bench_app, count_request, count_statements
from tests.benchmarks.synthetic import Scale, build_registry
from tracker.db import make_engine
from tracker.migrate import upgrade
from tracker.models import Idp, IdpChange, Solution
from tracker.starter_data import SOLUTIONS

TINY = Scale(solutions=20, portfolio_size=5, events=60, subscriptions=3, vendors=2)


def test_statement_counter_counts_queries_only_while_listening(fresh_db: str) -> None:
    engine = make_engine(fresh_db)
    upgrade(engine)
    with count_statements(engine) as log, engine.begin() as conn:
        conn.execute(text("SELECT 1"))
        conn.execute(select(func.count()).select_from(Solution))
    with engine.connect() as conn:  # after the block: not recorded
        conn.execute(text("SELECT 2"))
    engine.dispose()
    assert log.count == 2
    assert log.queries[0] == "SELECT 1"
    assert "FROM solution" in log.queries[1]
    assert len(log.statements) >= log.count  # BEGIN/COMMIT are seen but not counted


def test_synthetic_registry_builds_and_serves_at_tiny_scale(fresh_db: str) -> None:
    engine = make_engine(fresh_db)
    data = build_registry(engine, fresh_db, TINY)
    with Session(engine) as session:
        primaries = session.scalar(select(func.count()).select_from(Idp).where(Idp.is_primary.is_(True)))
        planned = session.scalar(select(func.count()).select_from(IdpChange))
    engine.dispose()
    assert data.counts["solutions"] == TINY.solutions + len(SOLUTIONS)
    assert data.counts["municipalities"] == 98
    assert data.counts["idps"] == 2 * 98 and primaries == 98
    assert planned is not None and planned >= 98  # dated IdP changes (readiness over time) in every municipality
    assert data.counts["portfolio_entries"] == 98 * TINY.portfolio_size
    assert data.counts["change_events"] >= TINY.events
    assert data.counts["subscriptions"] == TINY.subscriptions

    app = bench_app(fresh_db, SERVER_NAME="127.0.0.1")
    detail = f"/api/v1/solutions/{data.solution_slug}"
    cold, warm = count_request(app, detail), count_request(app, detail)
    assert cold.status == warm.status == 200
    assert 1 <= warm.count <= cold.count
    # The bench's coordinator token authenticates (a bad one is refused with 401).
    readiness = next(r for r in routes_for(data) if r.key == "readiness")
    bad = count_request(app, readiness.path, {"Authorization": "Bearer tut_not-a-token"})
    assert bad.status == 401
    assert count_request(app, readiness.path, readiness.headers).status != 401


def test_compare_flags_counts_that_grow_with_the_data() -> None:
    small = {"a": {"cold": 3, "warm": 1, "queries_cold": ["q"] * 3}, "b": {"cold": 2, "warm": 2, "queries_cold": []}}
    large = {"a": {"cold": 3, "warm": 1, "queries_cold": ["q"] * 3}, "b": {"cold": 9, "warm": 9, "queries_cold": []}}
    table = compare_statements(small, large)
    assert table["a"]["constant"] is True
    assert table["b"]["constant"] is False and "queries_x10" in table["b"]
