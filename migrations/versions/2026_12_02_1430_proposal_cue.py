"""Proposal ``cue``: why a scraper finding is a switch date or a required level ("deadline", "skifter", a column).

Why: a coordinator reviewing a finding needs the reason next to the evidence, and the observation now
carries it. Nullable: proposals made by people, and older scraper proposals, have none.

Revision ID: 0020
Revises: 0005
Create Date: 2026-12-02 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposal") as batch:
        batch.add_column(sa.Column("cue", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("proposal") as batch:
        batch.drop_column("cue")
