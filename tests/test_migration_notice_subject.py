"""Migration ho0001 on both databases: existing notices get their subject in typed columns, read from their keys
once; a key naming a row that is gone leaves the column empty; and back down."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.databases import fresh_database
from tracker.db import make_engine
from tracker.migrate import downgrade, upgrade

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
NOW = "2026-12-07 10:00:00"
COLUMNS = (
    "notice, proposal_id, decision, scrape_run_id, new_proposals, changed_pages, became_unhealthy, action_id, due_on"
)


@pytest.mark.parametrize("kind", KINDS)
def test_notice_keys_become_typed_columns(kind: str, tmp_path: Path) -> None:
    with fresh_database(tmp_path, kind) as url:
        engine = make_engine(url)
        upgrade(engine, "fa0001")
        with engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO "user" (id, email, role, is_active, session_nonce, created_at, must_change_password) '
                    "VALUES (1, 'k@kl.example.dk', 'coordinator', true, '', :n, false)"
                ),
                {"n": NOW},
            )
            mail = (
                "INSERT INTO mail_message (id, user_id, key, kind, message_id, event_ids, state, attempts, "
                "next_attempt_at, created_at) VALUES (:id, 1, :key, :kind, :mid, '[]', 'pending', 0, :n, :n)"
            )
            for number, key, kind_ in (
                (1, "proposal:999:rejected", "notice"),  # the proposal is gone: no id, the decision kept
                (2, "proposal-new:998", "notice"),
                (3, "run:997:p2:c1:u1", "notice"),
                (4, "action-due:996:2027-01-05", "notice"),
                (5, "daily:2026-12-07", "daily"),  # not a notice: untouched
            ):
                conn.execute(text(mail), {"id": number, "key": key, "kind": kind_, "mid": f"<{number}@t>", "n": NOW})
        upgrade(engine)
        with engine.connect() as conn:
            found = conn.execute(text(f"SELECT {COLUMNS} FROM mail_message ORDER BY id"))
            # SQLite hands a raw DATE back as text, PostgreSQL as a date; booleans as 1 or True.
            rows = [(*r[:-1], None if r[-1] is None else str(r[-1])) for r in found]
        assert rows == [
            ("proposal_decided", None, "rejected", None, None, None, None, None, None),
            ("proposal_created", None, None, None, None, None, None, None, None),
            ("run_recorded", None, None, None, 2, 1, True, None, None),
            ("action_due", None, None, None, None, None, None, None, "2027-01-05"),
            (None, None, None, None, None, None, None, None, None),
        ]
        downgrade(engine, "fa0001")
        with engine.connect() as conn:
            keys = [r[0] for r in conn.execute(text("SELECT key FROM mail_message ORDER BY id"))]
        assert keys[2] == "run:997:p2:c1:u1"  # the key still holds everything
        engine.dispose()
