"""Actions: a municipality's owner, status and due day for every readiness row (later: transition) that asks it to act.

Why: the readiness page says what to do, but nowhere could a municipality record who in the house owns it,
whether it is done, or by when (issue 27). Actions are private to the municipality; their history is
append-only (``action_change``); ``action_read`` keeps what each user has seen. Mail preferences gain the
number of days before a due day that the owner is reminded (7 by default, NULL: none).

Revision ID: ac0001
Revises: tl0001
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.db import UTCDateTime

revision = "ac0001"
down_revision = "tl0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(20), nullable=False),
        sa.Column("subject_key", sa.String(80), nullable=False),
        sa.Column("solution_id", sa.Integer(), nullable=True),
        sa.Column("idp_id", sa.Integer(), nullable=True),
        sa.Column("transition_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("basis_level", sa.String(12), nullable=True),
        sa.Column("act_by_on", sa.Date(), nullable=True),
        sa.Column("open_in_registry", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("closed_by_registry", sa.Boolean(), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("reopened_reason", sa.Text(), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("owner_team", sa.String(200), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("due_is_default", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('new', 'in_progress', 'done', 'not_relevant', 'blocked')", name=op.f("ck_action_status")
        ),
        sa.CheckConstraint("subject_kind IN ('readiness', 'transition')", name=op.f("ck_action_subject_kind")),
        sa.CheckConstraint(
            "status NOT IN ('not_relevant', 'blocked') OR status_reason IS NOT NULL",
            name=op.f("ck_action_status_has_reason"),
        ),
        sa.CheckConstraint("owner_user_id IS NULL OR owner_team IS NULL", name=op.f("ck_action_one_owner")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_action_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["solution_id"], ["solution.id"], name=op.f("fk_action_solution_id_solution"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["idp_id"], ["idp.id"], name=op.f("fk_action_idp_id_idp"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["user.id"], name=op.f("fk_action_owner_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
        sa.UniqueConstraint("municipality_id", "subject_key", name=op.f("uq_action_municipality_id_subject_key")),
    )
    for column in ("municipality_id", "solution_id", "idp_id", "transition_id", "owner_user_id"):
        op.create_index(op.f(f"ix_action_{column}"), "action", [column])
    op.create_table(
        "action_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(200), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_change_action_id_action"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_action_change_actor_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_change")),
    )
    op.create_index(op.f("ix_action_change_action_id"), "action_change", ["action_id"])
    op.create_table(
        "action_read",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seen_version", sa.Integer(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_read_action_id_action"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_action_read_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("action_id", "user_id", name=op.f("pk_action_read")),
    )
    op.create_index(op.f("ix_action_read_user_id"), "action_read", ["user_id"])
    with op.batch_alter_table("mail_preference") as batch:
        batch.add_column(sa.Column("action_reminder_days", sa.Integer(), nullable=True, server_default="7"))


def downgrade() -> None:
    with op.batch_alter_table("mail_preference") as batch:
        batch.drop_column("action_reminder_days")
    op.drop_index(op.f("ix_action_read_user_id"), table_name="action_read")
    op.drop_table("action_read")
    op.drop_index(op.f("ix_action_change_action_id"), table_name="action_change")
    op.drop_table("action_change")
    for column in ("municipality_id", "solution_id", "idp_id", "transition_id", "owner_user_id"):
        op.drop_index(op.f(f"ix_action_{column}"), table_name="action")
    op.drop_table("action")
