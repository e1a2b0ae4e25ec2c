"""Proposals of transitions: ``proposal.target``, ``proposal.transition_id`` and ``proposal.transition_base_version``.

Why (issue 22, item 1): vendors, municipalities, coordinators and an inquiry's answer propose a new transition
or a change to an existing one, reviewed as the solution's facts are. ``target`` says what a proposal changes
(``solution``: its ``changes`` are the solution's fields, as before; ``transition``: the transition's fields);
``transition_id`` names the transition a change is proposed to (null: a new transition) and
``transition_base_version`` the version it was made against (a later change makes it stale). Existing rows are
proposals of solutions (the server default); the downgrade deletes transition proposals first, since the older
schema cannot say what they change.

Revision ID: pt0001
Revises: mf0001
Create Date: 2026-12-07 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "pt0001"
down_revision = "mf0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposal") as batch:
        batch.add_column(sa.Column("target", sa.String(length=12), nullable=False, server_default="solution"))
        batch.add_column(sa.Column("transition_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("transition_base_version", sa.Integer(), nullable=True))
        batch.create_check_constraint(batch.f("ck_proposal_target"), "target IN ('solution', 'transition')")
        batch.create_foreign_key(
            batch.f("fk_proposal_transition_id_transition"),
            "transition",
            ["transition_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(batch.f("ix_proposal_transition_id"), ["transition_id"])


def downgrade() -> None:
    # An inquiry may name a transition proposal; the older schema keeps only proposals of solutions.
    op.execute(
        sa.text(
            "UPDATE inquiry SET proposal_id = NULL WHERE proposal_id IN "
            "(SELECT id FROM proposal WHERE target = 'transition')"
        )
    )
    op.execute(sa.text("DELETE FROM proposal WHERE target = 'transition'"))
    with op.batch_alter_table("proposal") as batch:
        batch.drop_index(batch.f("ix_proposal_transition_id"))
        batch.drop_constraint(batch.f("fk_proposal_transition_id_transition"), type_="foreignkey")
        batch.drop_constraint(batch.f("ck_proposal_target"), type_="check")
        batch.drop_column("transition_base_version")
        batch.drop_column("transition_id")
        batch.drop_column("target")
