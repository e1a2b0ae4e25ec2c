"""Mail preferences narrow transition mail by kind, category and weight (issue 22, item 4).

Why: feeds and webhook subscriptions could already be narrowed to, say, certificate changes or major ones; mail
could not. Three typed columns on ``mail_preference``: ``transition_kinds`` and ``transition_categories`` (lists of
the transition vocabularies; empty: all) and ``transition_major_only`` (false: any weight). Existing preferences
get the empty filter, so they receive what they received before. Downgrading drops the columns (the narrowing is
lost; every other part of the preference stays).

Revision ID: mf0001
Revises: ac0003
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "mf0001"
down_revision = "ac0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mail_preference") as batch:
        batch.add_column(sa.Column("transition_kinds", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("transition_categories", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("transition_major_only", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("mail_preference") as batch:
        batch.drop_column("transition_major_only")
        batch.drop_column("transition_categories")
        batch.drop_column("transition_kinds")
