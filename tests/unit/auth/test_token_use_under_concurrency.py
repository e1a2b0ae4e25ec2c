"""Noting a token's use never fails a read on SQLite, even when another writer committed meanwhile."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from tests.support.databases import sqlite_database
from tracker.auth.tokens import create_token, user_for_token
from tracker.auth.users import create_user
from tracker.clock import utcnow
from tracker.db import Database, make_engine
from tracker.migrate import upgrade
from tracker.models import ApiToken, Municipality
from tracker.seed import seed


def test_a_reader_whose_snapshot_went_stale_still_authenticates(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        db = Database(engine)
        with db.unit_of_work() as s:
            seed(s)
            user, _ = create_user(s, email="reader@example.dk", role="coordinator")
            row, plain = create_token(s, user)
            row.last_used_at = utcnow() - timedelta(hours=1)
            token_id = row.id

        reader = sessionmaker(bind=engine)()
        reader.scalar(select(Municipality.id).limit(1))  # a deferred read transaction holds its snapshot
        with db.unit_of_work() as writer:  # someone else commits a write meanwhile
            writer.execute(update(Municipality).where(Municipality.code == "101").values(name="København"))
            writer.execute(update(ApiToken).where(ApiToken.id == token_id).values(name="touched"))

        found = user_for_token(reader, plain)  # must not raise "database is locked"
        assert found is not None and found.email == "reader@example.dk"
        reader.rollback()
        reader.close()
        engine.dispose()
