"""Mail notices of kind ``action_registry``: the registry reopened, closed or moved an action, and its owner hears.

Why (issue 27, "actions follow the registry, never silently"): a done action reopened because a requirement
rose, or one closed because a transition was cancelled, was only visible to whoever next opened the list; its
owner now gets a notice at once. Only the notice vocabulary's check widens; no data changes. The downgrade
removes such notices first (the narrower check would refuse them).

Revision ID: ac0002
Revises: tr0002
Create Date: 2026-12-07 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ac0002"
down_revision = "tr0002"
branch_labels = None
depends_on = None

BEFORE = "notice IN ('proposal_decided', 'proposal_created', 'run_recorded', 'action_due')"
AFTER = "notice IN ('proposal_decided', 'proposal_created', 'run_recorded', 'action_due', 'action_registry')"


def upgrade() -> None:
    with op.batch_alter_table("mail_message") as batch:
        batch.drop_constraint(batch.f("ck_mail_message_notice"), type_="check")
        batch.create_check_constraint(batch.f("ck_mail_message_notice"), AFTER)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM mail_message WHERE notice = 'action_registry'"))
    with op.batch_alter_table("mail_message") as batch:
        batch.drop_constraint(batch.f("ck_mail_message_notice"), type_="check")
        batch.create_check_constraint(batch.f("ck_mail_message_notice"), BEFORE)
