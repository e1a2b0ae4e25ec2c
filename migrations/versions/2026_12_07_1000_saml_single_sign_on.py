"""Single sign-on (SAML 2.0, OIOSAML 3): trusted IdPs, outstanding requests, seen assertions; CVR numbers
of municipalities and organisations; the persistent UUID of SSO users; the NSIS level of each session.

Why: municipal staff log in through their own NSIS-notified IdP (via NemLog-in) instead of a password kept
here; the assertion's CVR decides the municipality or organisation and the session keeps the asserted level,
which gates private data and writes. Requests and assertion IDs live in the database so every gunicorn
worker sees them (InResponseTo and replay checks).

Revision ID: saml0001
Revises: 0080
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.db import UTCDateTime

revision = "saml0001"
down_revision = "0080"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saml_idp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("entity_id", sa.String(length=500), nullable=False),
        sa.Column("metadata_xml", sa.Text(), nullable=False),
        sa.Column("metadata_url", sa.String(length=1000), nullable=True),
        sa.Column("allowed_cvrs", sa.JSON(), nullable=False),
        sa.Column("all_municipalities", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saml_idp")),
        sa.UniqueConstraint("entity_id", name=op.f("uq_saml_idp_entity_id")),
    )
    op.create_table(
        "saml_request",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("idp_id", sa.Integer(), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("next_url", sa.String(length=1000), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["idp_id"], ["saml_idp.id"], name=op.f("fk_saml_request_idp_id_saml_idp"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saml_request")),
    )
    with op.batch_alter_table("saml_request") as batch:
        batch.create_index(batch.f("ix_saml_request_idp_id"), ["idp_id"], unique=False)
        batch.create_index(batch.f("ix_saml_request_created_at"), ["created_at"], unique=False)
    op.create_table(
        "saml_assertion_seen",
        sa.Column("assertion_id", sa.String(length=200), nullable=False),
        sa.Column("idp_entity_id", sa.String(length=500), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("assertion_id", name=op.f("pk_saml_assertion_seen")),
    )
    with op.batch_alter_table("saml_assertion_seen") as batch:
        batch.create_index(batch.f("ix_saml_assertion_seen_expires_at"), ["expires_at"], unique=False)
    with op.batch_alter_table("municipality") as batch:
        batch.add_column(sa.Column("cvr", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("cvr_status", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("cvr_source", sa.String(length=1000), nullable=True))
        batch.create_unique_constraint(batch.f("uq_municipality_cvr"), ["cvr"])
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("cvr", sa.String(length=8), nullable=True))
        batch.create_unique_constraint(batch.f("uq_organisation_cvr"), ["cvr"])
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("saml_uuid", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("cvr", sa.String(length=8), nullable=True))
        batch.create_unique_constraint(batch.f("uq_user_saml_uuid"), ["saml_uuid"])
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(sa.Column("nsis_level", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("saml_idp_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("saml_name_id", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("saml_name_id_format", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("saml_session_index", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("not_on_or_after", UTCDateTime(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_user_session_saml_idp_id_saml_idp"), "saml_idp", ["saml_idp_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index(batch.f("ix_user_session_saml_idp_id"), ["saml_idp_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_index(batch.f("ix_user_session_saml_idp_id"))
        batch.drop_constraint(batch.f("fk_user_session_saml_idp_id_saml_idp"), type_="foreignkey")
        for column in (
            "not_on_or_after",
            "saml_session_index",
            "saml_name_id_format",
            "saml_name_id",
            "saml_idp_id",
            "nsis_level",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("user") as batch:
        batch.drop_constraint(batch.f("uq_user_saml_uuid"), type_="unique")
        batch.drop_column("cvr")
        batch.drop_column("saml_uuid")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_constraint(batch.f("uq_organisation_cvr"), type_="unique")
        batch.drop_column("cvr")
    with op.batch_alter_table("municipality") as batch:
        batch.drop_constraint(batch.f("uq_municipality_cvr"), type_="unique")
        for column in ("cvr_source", "cvr_status", "cvr"):
            batch.drop_column(column)
    op.drop_table("saml_assertion_seen")
    op.drop_table("saml_request")
    op.drop_table("saml_idp")
