"""Inquiries (ask once, answered for all 98), their followers, shared risk assessments; source kind ``risk_assessment``.

Why: a municipality that lacks a date can only wait alone, and a risk assessment made for all is recorded
nowhere. Tables for both; and a tracked fact may now name a shared risk assessment as its source, so the two
source-kind CHECK constraints of ``solution`` are replaced (the batch copy touches only that table).

Revision ID: 0050
Revises: 0070 (re-chained after merging main; originally 0005)
Create Date: 2026-12-02 14:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.db import UTCDateTime

revision = "0050"
down_revision = "0070"
branch_labels = None
depends_on = None

_OLD = "'authority', 'scraper', 'coordinator', 'vendor', 'municipality'"
_NEW = _OLD + ", 'risk_assessment'"


def _source_kinds(kinds: str) -> None:
    with op.batch_alter_table("solution") as batch:
        for fact in ("loa", "switch"):
            batch.drop_constraint(op.f(f"ck_solution_{fact}_source_kind"), type_="check")
            batch.create_check_constraint(
                f"{fact}_source_kind", f"{fact}_source_kind IS NULL OR {fact}_source_kind IN ({kinds})"
            )


def upgrade() -> None:
    op.create_table(
        "inquiry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.Integer(), nullable=True),
        sa.Column("asker_municipality_id", sa.Integer(), nullable=True),
        sa.Column("asker_label", sa.String(length=200), nullable=False),
        sa.Column("asked_note", sa.Text(), nullable=True),
        sa.Column("asked_at", UTCDateTime(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answer_source_url", sa.String(length=1000), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answerer_label", sa.String(length=200), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("state IN ('open', 'asked', 'answered', 'closed')", name=op.f("ck_inquiry_state")),
        sa.ForeignKeyConstraint(["answered_by_id"], ["user.id"], name=op.f("fk_inquiry_answered_by_id_user")),
        sa.ForeignKeyConstraint(["asker_id"], ["user.id"], name=op.f("fk_inquiry_asker_id_user")),
        sa.ForeignKeyConstraint(
            ["asker_municipality_id"],
            ["municipality.id"],
            name=op.f("fk_inquiry_asker_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], name=op.f("fk_inquiry_proposal_id_proposal")),
        sa.ForeignKeyConstraint(
            ["solution_id"], ["solution.id"], name=op.f("fk_inquiry_solution_id_solution"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry")),
    )
    op.create_index("ix_inquiry_solution_id_state", "inquiry", ["solution_id", "state"])
    op.create_index("ix_inquiry_state_created_at", "inquiry", ["state", "created_at"])
    op.create_index("ix_inquiry_asker_id_created_at", "inquiry", ["asker_id", "created_at"])
    op.create_index("ix_inquiry_waiting_created_at", "inquiry", ["waiting", "created_at"])
    op.create_table(
        "inquiry_follower",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"], ["inquiry.id"], name=op.f("fk_inquiry_follower_inquiry_id_inquiry"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_inquiry_follower_municipality_id_municipality")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_inquiry_follower_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_follower")),
        sa.UniqueConstraint("inquiry_id", "user_id", name=op.f("uq_inquiry_follower_inquiry_id_user_id")),
    )
    op.create_index(op.f("ix_inquiry_follower_inquiry_id"), "inquiry_follower", ["inquiry_id"])
    op.create_index(op.f("ix_inquiry_follower_user_id"), "inquiry_follower", ["user_id"])
    op.create_index(op.f("ix_inquiry_follower_municipality_id"), "inquiry_follower", ["municipality_id"])
    op.create_table(
        "risk_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("by_municipality_id", sa.Integer(), nullable=True),
        sa.Column("by_organisation_id", sa.Integer(), nullable=True),
        sa.Column("on_behalf_of", sa.JSON(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("concluded_loa", sa.String(length=12), nullable=False),
        sa.Column("document_url", sa.String(length=1000), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "concluded_loa IN ('lav', 'betydelig', 'hoej')", name=op.f("ck_risk_assessment_concluded_loa")
        ),
        sa.CheckConstraint(
            "by_municipality_id IS NOT NULL OR by_organisation_id IS NOT NULL",
            name=op.f("ck_risk_assessment_made_by_someone"),
        ),
        sa.ForeignKeyConstraint(
            ["by_municipality_id"], ["municipality.id"], name=op.f("fk_risk_assessment_by_municipality_id_municipality")
        ),
        sa.ForeignKeyConstraint(
            ["by_organisation_id"], ["organisation.id"], name=op.f("fk_risk_assessment_by_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], name=op.f("fk_risk_assessment_proposal_id_proposal")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"], name=op.f("fk_risk_assessment_recorded_by_id_user")),
        sa.ForeignKeyConstraint(
            ["solution_id"], ["solution.id"], name=op.f("fk_risk_assessment_solution_id_solution"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessment")),
    )
    op.create_index("ix_risk_assessment_solution_id_assessed_on", "risk_assessment", ["solution_id", "assessed_on"])
    _source_kinds(_NEW)


def downgrade() -> None:
    # A fact whose source was a risk assessment keeps its value; its source kind falls back to the coordinator's.
    op.execute("UPDATE solution SET loa_source_kind = 'coordinator' WHERE loa_source_kind = 'risk_assessment'")
    op.execute("UPDATE solution SET switch_source_kind = 'coordinator' WHERE switch_source_kind = 'risk_assessment'")
    _source_kinds(_OLD)
    op.drop_index("ix_risk_assessment_solution_id_assessed_on", table_name="risk_assessment")
    op.drop_table("risk_assessment")
    op.drop_index(op.f("ix_inquiry_follower_municipality_id"), table_name="inquiry_follower")
    op.drop_index(op.f("ix_inquiry_follower_user_id"), table_name="inquiry_follower")
    op.drop_index(op.f("ix_inquiry_follower_inquiry_id"), table_name="inquiry_follower")
    op.drop_table("inquiry_follower")
    op.drop_index("ix_inquiry_waiting_created_at", table_name="inquiry")
    op.drop_index("ix_inquiry_asker_id_created_at", table_name="inquiry")
    op.drop_index("ix_inquiry_state_created_at", table_name="inquiry")
    op.drop_index("ix_inquiry_solution_id_state", table_name="inquiry")
    op.drop_table("inquiry")
