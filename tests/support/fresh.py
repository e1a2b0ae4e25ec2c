"""A fresh database migrated by the real migrations and seeded, for tests that need real commits
(servers in threads, several apps sharing one database as gunicorn workers would)."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from tracker.db import make_engine
from tracker.migrate import upgrade
from tracker.seed import seed


def migrate_and_seed(url: str) -> None:
    """Bring an empty database to the latest schema and load the starter data."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with sessionmaker(bind=engine)() as session:
            seed(session)
            session.commit()
    finally:
        engine.dispose()
