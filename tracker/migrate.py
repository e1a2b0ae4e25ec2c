"""Run Alembic from code: ``tracker db upgrade``, the tests, and the migration checks use this."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic config pointing at our migrations, on a given connection or URL."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _in_one_transaction(engine: Engine, run: Callable[[Connection], None]) -> None:
    """Run migrations in one transaction; on SQLite with foreign keys off while they run, checked at the end.

    SQLite alters a table by copying it (Alembic's batch mode) and dropping the original; with foreign keys on,
    that drop deletes every row that references the table with ON DELETE CASCADE (a copy of ``solution`` would
    empty every portfolio). The pragma only takes effect outside a transaction, so it is set on the raw
    connection before the migration transaction begins, and ``foreign_key_check`` must come back empty before
    it commits.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            run(conn)
        return
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                run(conn)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration left rows whose foreign keys point nowhere: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` in one transaction."""
    _in_one_transaction(engine, lambda conn: command.upgrade(alembic_config(conn), revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to ``revision``."""
    _in_one_transaction(engine, lambda conn: command.downgrade(alembic_config(conn), revision))


def heads() -> list[str]:
    """The head revisions of the migration scripts (there must be exactly one)."""
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())
