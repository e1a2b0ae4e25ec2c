"""Proposals for review; watched sources, scrape runs and page snapshots.

Why: facts from vendors, municipalities and scrapers must be reviewed before they go out, and every scrape run recorded.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 17:14:08.728048
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("etag", sa.String(length=300), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("healthy", sa.Boolean(), nullable=False),
        sa.Column("health_reason", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_findings", sa.Integer(), nullable=True),
        sa.Column("auto_accept_unknown", sa.Boolean(), nullable=False),
        sa.Column("last_run_at", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("last_success_at", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", tracker.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("key", name=op.f("uq_source_key")),
    )
    op.create_table(
        "scrape_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("started_at", tracker.db.UTCDateTime(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("bytes", sa.Integer(), nullable=True),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("proposals", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_scrape_run_source_id_source"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scrape_run")),
    )
    with op.batch_alter_table("scrape_run", schema=None) as batch_op:
        batch_op.create_index("ix_scrape_run_source_id_started_at", ["source_id", "started_at"], unique=False)

    op.create_table(
        "page_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("reviewed_at", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("fetched_at", tracker.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["scrape_run.id"],
            name=op.f("fk_page_snapshot_run_id_scrape_run"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_page_snapshot_source_id_source"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_snapshot")),
    )
    with op.batch_alter_table("page_snapshot", schema=None) as batch_op:
        batch_op.create_index("ix_page_snapshot_source_id_url_id", ["source_id", "url", "id"], unique=False)

    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("proposer_label", sa.String(length=200), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("source_kind", sa.String(length=20), nullable=True),
        sa.Column("source_url", sa.String(length=1000), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", tracker.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("state IN ('pending', 'accepted', 'rejected', 'stale')", name=op.f("ck_proposal_state")),
        sa.ForeignKeyConstraint(["event_id"], ["change_event.id"], name=op.f("fk_proposal_event_id_change_event")),
        sa.ForeignKeyConstraint(["proposer_id"], ["user.id"], name=op.f("fk_proposal_proposer_id_user")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["user.id"], name=op.f("fk_proposal_reviewed_by_id_user")),
        sa.ForeignKeyConstraint(
            ["solution_id"],
            ["solution.id"],
            name=op.f("fk_proposal_solution_id_solution"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_proposal_dedupe_key")),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_proposer_id"), ["proposer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_solution_id"), ["solution_id"], unique=False)
        batch_op.create_index("ix_proposal_state_created_at", ["state", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_proposal_state_created_at")
        batch_op.drop_index(batch_op.f("ix_proposal_solution_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_proposer_id"))

    op.drop_table("proposal")
    with op.batch_alter_table("page_snapshot", schema=None) as batch_op:
        batch_op.drop_index("ix_page_snapshot_source_id_url_id")

    op.drop_table("page_snapshot")
    with op.batch_alter_table("scrape_run", schema=None) as batch_op:
        batch_op.drop_index("ix_scrape_run_source_id_started_at")

    op.drop_table("scrape_run")
    op.drop_table("source")
