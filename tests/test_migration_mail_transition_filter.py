"""Migration mf0001 on both databases: existing mail preferences get the empty transition filter (everything, as
before), a filter can be stored in the typed columns, and back down keeps every other part of the preference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.databases import fresh_database
from tracker.db import make_engine
from tracker.migrate import downgrade, upgrade

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
NOW = "2026-12-07 17:00:00"


def _list(value: object) -> object:
    """A JSON column as the driver gives it (PostgreSQL: parsed; SQLite: text)."""
    return json.loads(value) if isinstance(value, str) else value


@pytest.mark.parametrize("kind", KINDS)
def test_mail_preferences_get_an_empty_transition_filter_and_lose_only_it_going_down(kind: str, tmp_path: Path) -> None:
    with fresh_database(tmp_path, kind) as url:
        engine = make_engine(url)
        upgrade(engine, "ac0003")
        with engine.begin() as conn:
            for number in (1, 2):
                conn.execute(
                    text(
                        'INSERT INTO "user" (id, email, role, is_active, session_nonce, created_at, '
                        "must_change_password) VALUES (:id, :email, 'coordinator', true, '', :n, false)"
                    ),
                    {"id": number, "email": f"k{number}@kl.example.dk", "n": NOW},
                )
            conn.execute(
                text(
                    "INSERT INTO mail_preference (user_id, mode, scope, language, alerts, action_reminder_days, "
                    "updated_at) VALUES (1, 'immediate', 'all', 'en', '[]', 3, :n), "
                    "(2, 'weekly', 'portfolio', 'da', '[]', NULL, :n)"
                ),
                {"n": NOW},
            )
        upgrade(engine)
        select = (
            "SELECT user_id, mode, scope, language, action_reminder_days, transition_kinds, transition_categories, "
            "transition_major_only FROM mail_preference ORDER BY user_id"
        )
        with engine.connect() as conn:
            rows = [(*r[:5], _list(r[5]), _list(r[6]), bool(r[7])) for r in conn.execute(text(select))]
        assert rows == [
            (1, "immediate", "all", "en", 3, [], [], False),
            (2, "weekly", "portfolio", "da", None, [], [], False),
        ]
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE mail_preference SET transition_kinds = :k, transition_categories = :c, "
                    "transition_major_only = true WHERE user_id = 1"
                ),
                {"k": json.dumps(["certificate", "protocol"]), "c": json.dumps(["plan_for_change"])},
            )
        with engine.connect() as conn:
            stored = conn.execute(text(select + " LIMIT 1")).one()
        assert (_list(stored[5]), _list(stored[6]), bool(stored[7])) == (
            ["certificate", "protocol"],
            ["plan_for_change"],
            True,
        )
        downgrade(engine, "ac0003")
        with engine.connect() as conn:
            back = conn.execute(
                text("SELECT user_id, mode, scope, language, action_reminder_days FROM mail_preference ORDER BY 1")
            ).all()
            columns = conn.execute(text("SELECT * FROM mail_preference LIMIT 1")).keys()
        assert [tuple(r) for r in back] == [(1, "immediate", "all", "en", 3), (2, "weekly", "portfolio", "da", None)]
        assert not [c for c in columns if c.startswith("transition_")]
        upgrade(engine)  # and up again
        engine.dispose()
