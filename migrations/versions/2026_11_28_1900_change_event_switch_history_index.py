"""Index change_event on (solution_id, type, occurred_at) for the calendars' switch histories.

Why: a calendar's SEQUENCE/DTSTAMP query counts one event type per solution; with only ix_change_event_type
SQLite read every event of that type (~90k rows on a 200k-event registry, 46-172 ms per calendar). This
index answers it from the index alone. Created with op.create_index (no batch table copy), so the
append-only triggers the core migration installs on change_event survive on SQLite.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 19:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_change_event_solution_id_type_occurred_at",
        "change_event",
        ["solution_id", "type", "occurred_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_change_event_solution_id_type_occurred_at", table_name="change_event")
