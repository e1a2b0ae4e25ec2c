"""Migration dp0001: on PostgreSQL (14 and later, with lz4 built in) webhook payloads are compressed with lz4 —
a delivery stored before and one stored after read back the same; down again, the default method; on SQLite it
changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.databases import fresh_database
from tracker.db import make_engine
from tracker.migrate import downgrade, upgrade

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
NOW = "2026-12-07 22:30:00"
# Large enough to be compressed (and stored out of line): a bulk event's rows.
PAYLOAD = {
    "type": "municipality.readiness.changed",
    "data": {"rows": [{"n": i, "text": "række " * 20} for i in range(400)]},
}
DELIVERY = (
    "INSERT INTO delivery (subscription_id, event_id, message_id, event_type, payload, state, attempts, "
    "next_attempt_at, created_at) VALUES (1, NULL, :m, 'municipality.readiness.changed', :p, 'pending', 0, :n, :n)"
)


def _method(conn: object) -> str | None:
    return conn.execute(  # type: ignore[attr-defined]
        text("SELECT attcompression FROM pg_attribute WHERE attrelid = 'delivery'::regclass AND attname = 'payload'")
    ).scalar_one()


def _has_lz4(conn: object) -> bool:
    return bool(
        conn.execute(text("SELECT current_setting('server_version_num')::int >= 140000")).scalar_one()  # type: ignore[attr-defined]
    )


@pytest.mark.parametrize("kind", KINDS)
def test_payloads_are_lz4_compressed_on_postgresql(kind: str, tmp_path: Path) -> None:
    with fresh_database(tmp_path, kind) as url:
        engine = make_engine(url)
        upgrade(engine, "pt0001")
        with engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO "user" (id, email, role, is_active, session_nonce, created_at, '
                    "must_change_password) VALUES (1, 'k@kl.dk', 'coordinator', true, '', :n, false)"
                ),
                {"n": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO subscription (id, owner_id, url, secret, event_types, solution_ids, active, "
                    "created_at) VALUES (1, 1, 'https://example.org/hook', 'x', '[]', '[]', true, :n)"
                ),
                {"n": NOW},
            )
            conn.execute(text(DELIVERY), {"m": "msg_before", "p": json.dumps(PAYLOAD), "n": NOW})
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(text(DELIVERY), {"m": "msg_after", "p": json.dumps(PAYLOAD), "n": NOW})
            stored = conn.execute(text("SELECT payload FROM delivery ORDER BY id")).scalars().all()
            assert [json.loads(p) if isinstance(p, str) else p for p in stored] == [PAYLOAD, PAYLOAD]
            if kind == "postgresql" and _has_lz4(conn):
                assert _method(conn) == "l"
                used = conn.execute(
                    text("SELECT pg_column_compression(payload) FROM delivery WHERE message_id = 'msg_after'")
                ).scalar_one()
                assert used == "lz4"
        downgrade(engine, "pt0001")
        with engine.begin() as conn:
            if kind == "postgresql" and _has_lz4(conn):
                assert _method(conn) == "p"
            assert conn.execute(text("SELECT count(*) FROM delivery")).scalar_one() == 2
        engine.dispose()
