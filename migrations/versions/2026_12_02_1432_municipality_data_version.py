"""``municipality.data_version``: raised by every write to a municipality's IdPs or portfolio.

Why: readiness, the private calendar and the national picture are cached per worker while nothing they show
changes; IdP and portfolio edits append no change event unless a verdict changes, so the caches keyed on a
digest of all of M's rows, computed on every request (the largest part of a cached answer at 300 entries,
and seconds-long work across the country). One counter on the municipality row, raised in the same
transaction as the edit, says the same thing in one column.

Revision ID: 0070
Revises: 0030 (main's head when merged; first written on 0005)
Create Date: 2026-12-02 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0070"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("municipality") as batch:
        batch.add_column(sa.Column("data_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; a batch copy of municipality would cascade-delete its IdPs
        # and portfolio entries (foreign keys are on).
        op.execute("ALTER TABLE municipality DROP COLUMN data_version")
        return
    op.drop_column("municipality", "data_version")
