"""The migrations are the schema: one head, up → down → up works, and models match them exactly — on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from tests.support.databases import fresh_database
from tracker.db import Base, make_engine
from tracker.migrate import downgrade, heads, upgrade

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def test_single_head() -> None:
    assert len(heads()) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_upgrade_downgrade_upgrade_and_no_model_drift(kind: str, tmp_path: Path) -> None:
    with fresh_database(tmp_path, kind) as url:
        engine = make_engine(url)
        upgrade(engine)
        tables = set(inspect(engine).get_table_names())
        assert {"solution", "change_event", "municipality", "idp", "portfolio_entry", "user"} <= tables
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        engine.dispose()


@pytest.mark.parametrize("kind", KINDS)
def test_change_event_is_append_only_in_the_database(kind: str, tmp_path: Path) -> None:
    with fresh_database(tmp_path, kind) as url:
        engine = make_engine(url)
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO change_event (type, changes, data, actor_label, occurred_at) "
                    "VALUES ('solution.updated', '{}', '{}', 'test', CURRENT_TIMESTAMP)"
                )
            )
        for statement in ("UPDATE change_event SET reason = 'rewritten'", "DELETE FROM change_event"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*), max(reason) FROM change_event")).one() == (1, None)
        engine.dispose()
