"""``action.transition_id`` references ``transition.id`` (an action on a transition goes with it).

Why: actions were built before the transition table landed (ac0001), so the column was a plain integer; now
the database keeps it honest. Existing rows name existing transitions (the sync only writes those); any that
do not are cleared first so the constraint can be created.

Revision ID: ac0003
Revises: ac0002
Create Date: 2026-12-07 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ac0003"
down_revision = "ac0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM action WHERE transition_id IS NOT NULL AND transition_id NOT IN (SELECT id FROM transition)"
        )
    )
    with op.batch_alter_table("action") as batch:
        batch.create_foreign_key(
            batch.f("fk_action_transition_id_transition"), "transition", ["transition_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("action") as batch:
        batch.drop_constraint(batch.f("fk_action_transition_id_transition"), type_="foreignkey")
