"""``mail_preference.alerts``: the work alerts a coordinator asked for (new proposals; source changes and health).

Why: coordinators review proposals and watch the scraped pages; waiting for a daily digest of registry changes
tells them neither. Existing rows get no alerts (an empty list), so nobody is mailed without asking.

Revision ID: 0080
Revises: 0040
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0080"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mail_preference") as batch:
        batch.add_column(sa.Column("alerts", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("mail_preference") as batch:
        batch.drop_column("alerts")
