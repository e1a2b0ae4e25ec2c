"""E-mail: notification preferences per user, the mail outbox and its attempts.

Why: people are told by e-mail (immediately or in daily/weekly digests); mail leaves through an outbox like
webhooks, so nothing is lost and nothing is sent twice.

Revision ID: 0040
Revises: 0050
Create Date: 2026-12-02 14:50:20.461199
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.db

revision = "0040"
down_revision = "0050"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("event_ids", sa.JSON(), nullable=False),
        sa.Column("period_start", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("period_end", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", tracker.db.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("claimed_until", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", tracker.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_mail_message_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_message")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mail_message_message_id")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_mail_message_user_id_key")),
    )
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.create_index("ix_mail_message_state_next_attempt_at", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_message_user_id"), ["user_id"], unique=False)

    op.create_table(
        "mail_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=12), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("updated_at", tracker.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("language IN ('da', 'en')", name=op.f("ck_mail_preference_language")),
        sa.CheckConstraint("mode IN ('immediate', 'daily', 'weekly', 'off')", name=op.f("ck_mail_preference_mode")),
        sa.CheckConstraint("scope IN ('portfolio', 'all')", name=op.f("ck_mail_preference_scope")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_mail_preference_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_mail_preference")),
    )
    op.create_table(
        "mail_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", tracker.db.UTCDateTime(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mail_id"], ["mail_message.id"], name=op.f("fk_mail_attempt_mail_id_mail_message"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attempt")),
    )
    with op.batch_alter_table("mail_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_attempt_mail_id"), ["mail_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mail_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_attempt_mail_id"))

    op.drop_table("mail_attempt")
    op.drop_table("mail_preference")
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_message_user_id"))
        batch_op.drop_index("ix_mail_message_state_next_attempt_at")

    op.drop_table("mail_message")
