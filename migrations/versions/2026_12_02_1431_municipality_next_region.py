"""Municipality ``next_region``, ``next_region_on``, ``next_region_source_url``: a region change with its date and source.

Why: Region Hovedstaden and Region Sjælland merge on 1 January 2027. A coordinator must see both the
region today and the one from the effective date, with where that is stated; the region stays data.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 14:31:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("municipality") as batch:
        batch.add_column(sa.Column("next_region", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("next_region_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("next_region_source_url", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("municipality") as batch:
        batch.drop_column("next_region_source_url")
        batch.drop_column("next_region_on")
        batch.drop_column("next_region")
