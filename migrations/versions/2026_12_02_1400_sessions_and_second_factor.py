"""Server-side login sessions; one-time passwords that must be changed; TOTP second factor with recovery codes.

Why: a signed cookie alone cannot be ended by logging out (a replayed cookie still
worked), so every login gets a ``user_session`` row that logout ends and that idles out and ages out. Users
who were given a one-time password must choose their own at first login; coordinators and admins need a
second factor. Existing users keep their passwords (``must_change_password`` false): nobody is locked out.

Revision ID: 0010
Revises: 0021
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.db

revision = "0010"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("second_factor", sa.Boolean(), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.Column("created_at", tracker.db.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", tracker.db.UTCDateTime(), nullable=False),
        sa.Column("ended_at", tracker.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_session_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"], unique=False)
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("totp_secret", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", tracker.db.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recovery_codes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("recovery_codes")
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_secret")
        batch.drop_column("must_change_password")
    op.drop_index(op.f("ix_user_session_user_id"), table_name="user_session")
    op.drop_table("user_session")
