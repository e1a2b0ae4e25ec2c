"""Webhook subscriptions filter transition events by kind, category and weight (issue 22, item 4).

Why: a subscriber who only cares about, say, major certificate changes should not receive every transition.
``subscription.transition_filter`` (JSON, null: no narrowing) holds ``{"kinds": [...], "categories": [...],
"major": true|false|null}``; it narrows ``transition.*`` events only (the others follow ``event_types`` as
before). Downgrading drops the column (the filters are lost; the subscriptions stay).

Revision ID: tr0002
Revises: ho0001
Create Date: 2026-12-07 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "tr0002"
down_revision = "ho0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscription") as batch:
        batch.add_column(sa.Column("transition_filter", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscription") as batch:
        batch.drop_column("transition_filter")
