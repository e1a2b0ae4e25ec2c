"""Proposal ``rule_id``, ``transition_kind`` and ``not_a_fact``: which rule read a scraper finding, what kind of
transition its date belongs to, and whether a coordinator rejected it as no fact at all.

Why (issue 24, items 3, 4 and 7): the review queue shows the rule next to the sentence it read, a coordinator's
one-click "not a fact" counts against that rule, and /kilder shows each rule's accepted and rejected figures so a
rule that misleads is visible. Nullable (people's proposals and older scraper proposals have no rule); the flag
defaults to false.

Revision ID: fa0001
Revises: ac0001
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "fa0001"
down_revision = "ac0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposal") as batch:
        batch.add_column(sa.Column("rule_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("transition_kind", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("not_a_fact", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_proposal_rule_id", ["rule_id"])


def downgrade() -> None:
    with op.batch_alter_table("proposal") as batch:
        batch.drop_index("ix_proposal_rule_id")
        batch.drop_column("not_a_fact")
        batch.drop_column("transition_kind")
        batch.drop_column("rule_id")
