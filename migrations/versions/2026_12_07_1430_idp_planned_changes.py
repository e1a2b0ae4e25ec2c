"""Planned changes of a municipality's IdPs and staff groups: a new notified level from a date, retirement,
a staff group moving to another IdP of the municipality or leaving it (the 2027 health-task transfer).

Why: readiness gives lock-out periods over time, not only today's verdict (issue 22 item 3); the municipality's
side must be dated too. A new table only: nothing existing changes, and downgrading drops it.

Revision ID: tl0001
Revises: tr0001
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.db import UTCDateTime

revision = "tl0001"
down_revision = "tr0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idp_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("idp_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("notified_loa", sa.String(length=12), nullable=True),
        sa.Column("target_idp_id", sa.Integer(), nullable=True),
        sa.Column("destination", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('loa', 'retire', 'move', 'leave')", name=op.f("ck_idp_change_kind")),
        sa.CheckConstraint(
            "notified_loa IS NULL OR notified_loa IN ('lav', 'betydelig', 'hoej', 'ukendt')",
            name=op.f("ck_idp_change_notified_loa"),
        ),
        sa.ForeignKeyConstraint(["idp_id"], ["idp.id"], name=op.f("fk_idp_change_idp_id_idp"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_idp_change_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_idp_id"], ["idp.id"], name=op.f("fk_idp_change_target_idp_id_idp"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idp_change")),
        sa.UniqueConstraint("idp_id", "kind", "effective_on", name=op.f("uq_idp_change_idp_id_kind_effective_on")),
    )
    with op.batch_alter_table("idp_change") as batch:
        batch.create_index(batch.f("ix_idp_change_idp_id"), ["idp_id"], unique=False)
        batch.create_index(batch.f("ix_idp_change_municipality_id"), ["municipality_id"], unique=False)
        batch.create_index(batch.f("ix_idp_change_target_idp_id"), ["target_idp_id"], unique=False)


def downgrade() -> None:
    op.drop_table("idp_change")
