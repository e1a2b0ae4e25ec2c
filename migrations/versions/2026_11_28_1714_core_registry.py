"""Core registry: organisations, solutions with their tracked facts, municipalities, IdPs, portfolios, users, the change-event log, scheduler bookkeeping.

Why: the foundation every capability stands on (SPEC §3); change_event is made append-only by triggers so history cannot be rewritten even by a buggy caller.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 17:14:07.236593
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER change_event_no_update BEFORE UPDATE ON change_event "
    "BEGIN SELECT RAISE(ABORT, 'change_event is append-only'); END",
    "CREATE TRIGGER change_event_no_delete BEFORE DELETE ON change_event "
    "BEGIN SELECT RAISE(ABORT, 'change_event is append-only'); END",
]
APPEND_ONLY_PG = [
    "CREATE FUNCTION change_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'change_event is append-only'; END $$",
    "CREATE TRIGGER change_event_no_update_delete BEFORE UPDATE OR DELETE ON change_event "
    "FOR EACH ROW EXECUTE FUNCTION change_event_append_only()",
]


def _append_only() -> None:
    """History is append-only (house rule 7): refuse UPDATE and DELETE on change_event in the database itself."""
    statements = APPEND_ONLY_PG if op.get_bind().dialect.name == "postgresql" else APPEND_ONLY_SQLITE
    for statement in statements:
        op.execute(statement)


def _drop_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS change_event_no_update_delete ON change_event")
        op.execute("DROP FUNCTION IF EXISTS change_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS change_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS change_event_no_delete")


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=80), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("started_at", tracker.db.UTCDateTime(), nullable=False),
        sa.Column("finished_at", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
    )
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_run_job_id"), ["job_id"], unique=False)

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", tracker.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_email_attempted_at", ["email", "attempted_at"], unique=False)

    op.create_table(
        "municipality",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("created_at", tracker.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
        sa.UniqueConstraint("code", name=op.f("uq_municipality_code")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("created_at", tracker.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('authority', 'vendor', 'kl', 'kombit', 'other')", name=op.f("ck_organisation_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisation_slug")),
    )
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("expires_at", tracker.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lease")),
    )
    op.create_table(
        "idp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("user_group", sa.String(length=200), nullable=True),
        sa.Column("notified_loa", sa.String(length=12), nullable=False),
        sa.Column("broker", sa.String(length=80), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_at", tracker.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", tracker.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("notified_loa IN ('lav', 'betydelig', 'hoej', 'ukendt')", name=op.f("ck_idp_notified_loa")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_idp_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idp")),
        sa.UniqueConstraint("municipality_id", "name", name=op.f("uq_idp_municipality_id_name")),
    )
    with op.batch_alter_table("idp", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idp_municipality_id"), ["municipality_id"], unique=False)

    op.create_table(
        "solution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("service_provider_id", sa.Integer(), nullable=True),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("broker", sa.String(length=80), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("loa_value", sa.String(length=12), nullable=False),
        sa.Column("loa_status", sa.String(length=20), nullable=False),
        sa.Column("loa_source_kind", sa.String(length=20), nullable=True),
        sa.Column("loa_source_url", sa.String(length=1000), nullable=True),
        sa.Column("loa_evidence", sa.Text(), nullable=True),
        sa.Column("loa_recorded_by", sa.String(length=200), nullable=True),
        sa.Column("loa_recorded_at", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("switch_earliest_on", sa.Date(), nullable=True),
        sa.Column("switch_latest_on", sa.Date(), nullable=True),
        sa.Column("switch_precision", sa.String(length=12), nullable=False),
        sa.Column("switch_text", sa.String(length=200), nullable=True),
        sa.Column("switch_state", sa.String(length=12), nullable=False),
        sa.Column("switch_status", sa.String(length=20), nullable=False),
        sa.Column("switch_source_kind", sa.String(length=20), nullable=True),
        sa.Column("switch_source_url", sa.String(length=1000), nullable=True),
        sa.Column("switch_evidence", sa.Text(), nullable=True),
        sa.Column("switch_recorded_by", sa.String(length=200), nullable=True),
        sa.Column("switch_recorded_at", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", tracker.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", tracker.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('faellesoffentlig', 'faelleskommunal', 'leverandoer', 'andet')",
            name=op.f("ck_solution_kind"),
        ),
        sa.CheckConstraint(
            "loa_source_kind IS NULL OR loa_source_kind IN ('authority', 'scraper', 'coordinator', 'vendor', 'municipality')",
            name=op.f("ck_solution_loa_source_kind"),
        ),
        sa.CheckConstraint(
            "loa_status IN ('confirmed', 'reported', 'expected', 'awaiting_decision', 'unknown')",
            name=op.f("ck_solution_loa_status"),
        ),
        sa.CheckConstraint("loa_value IN ('lav', 'betydelig', 'hoej', 'ukendt')", name=op.f("ck_solution_loa_value")),
        sa.CheckConstraint(
            "switch_precision IN ('day', 'week', 'month', 'quarter', 'half', 'season', 'year', 'unknown')",
            name=op.f("ck_solution_switch_precision"),
        ),
        sa.CheckConstraint(
            "switch_source_kind IS NULL OR switch_source_kind IN ('authority', 'scraper', 'coordinator', 'vendor', 'municipality')",
            name=op.f("ck_solution_switch_source_kind"),
        ),
        sa.CheckConstraint(
            "switch_state IN ('planned', 'switched', 'postponed', 'cancelled', 'unknown')",
            name=op.f("ck_solution_switch_state"),
        ),
        sa.CheckConstraint(
            "switch_status IN ('confirmed', 'reported', 'expected', 'awaiting_decision', 'unknown')",
            name=op.f("ck_solution_switch_status"),
        ),
        sa.CheckConstraint(
            "switch_earliest_on IS NULL OR switch_latest_on IS NULL OR switch_earliest_on <= switch_latest_on",
            name=op.f("ck_solution_switch_interval"),
        ),
        sa.ForeignKeyConstraint(
            ["service_provider_id"],
            ["organisation.id"],
            name=op.f("fk_solution_service_provider_id_organisation"),
        ),
        sa.ForeignKeyConstraint(["vendor_id"], ["organisation.id"], name=op.f("fk_solution_vendor_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_solution")),
        sa.UniqueConstraint("slug", name=op.f("uq_solution_slug")),
    )
    with op.batch_alter_table("solution", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_solution_loa_value"), ["loa_value"], unique=False)
        batch_op.create_index(batch_op.f("ix_solution_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_solution_service_provider_id"), ["service_provider_id"], unique=False)
        batch_op.create_index("ix_solution_switch_earliest_on_name", ["switch_earliest_on", "name"], unique=False)
        batch_op.create_index(batch_op.f("ix_solution_vendor_id"), ["vendor_id"], unique=False)

    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("session_nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", tracker.db.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", tracker.db.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "role <> 'municipality' OR municipality_id IS NOT NULL",
            name=op.f("ck_user_municipality_user_has_municipality"),
        ),
        sa.CheckConstraint(
            "role <> 'vendor' OR organisation_id IS NOT NULL", name=op.f("ck_user_vendor_has_organisation")
        ),
        sa.CheckConstraint("role IN ('admin', 'coordinator', 'vendor', 'municipality')", name=op.f("ck_user_role")),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_user_municipality_id_municipality")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_user_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", tracker.db.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", tracker.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", tracker.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_api_token_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=True),
        sa.Column("object_id", sa.String(length=80), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", tracker.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_audit_entry_actor_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)

    op.create_table(
        "change_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("solution_id", sa.Integer(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=True),
        sa.Column("source_url", sa.String(length=1000), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("occurred_at", tracker.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_change_event_actor_id_user")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_change_event_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(["solution_id"], ["solution.id"], name=op.f("fk_change_event_solution_id_solution")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_event")),
    )
    with op.batch_alter_table("change_event", schema=None) as batch_op:
        batch_op.create_index("ix_change_event_municipality_id_id", ["municipality_id", "id"], unique=False)
        batch_op.create_index("ix_change_event_solution_id_id", ["solution_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_event_type"), ["type"], unique=False)

    op.create_table(
        "portfolio_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("idp_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", tracker.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idp_id"], ["idp.id"], name=op.f("fk_portfolio_entry_idp_id_idp"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_portfolio_entry_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["solution_id"],
            ["solution.id"],
            name=op.f("fk_portfolio_entry_solution_id_solution"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_entry")),
        sa.UniqueConstraint(
            "municipality_id", "solution_id", name=op.f("uq_portfolio_entry_municipality_id_solution_id")
        ),
    )
    with op.batch_alter_table("portfolio_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolio_entry_idp_id"), ["idp_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_portfolio_entry_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_portfolio_entry_solution_id"), ["solution_id"], unique=False)

    _append_only()


def downgrade() -> None:
    _drop_append_only()
    with op.batch_alter_table("portfolio_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_entry_solution_id"))
        batch_op.drop_index(batch_op.f("ix_portfolio_entry_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_portfolio_entry_idp_id"))

    op.drop_table("portfolio_entry")
    with op.batch_alter_table("change_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_event_type"))
        batch_op.drop_index("ix_change_event_solution_id_id")
        batch_op.drop_index("ix_change_event_municipality_id_id")

    op.drop_table("change_event")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_user_municipality_id"))

    op.drop_table("user")
    with op.batch_alter_table("solution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_solution_vendor_id"))
        batch_op.drop_index("ix_solution_switch_earliest_on_name")
        batch_op.drop_index(batch_op.f("ix_solution_service_provider_id"))
        batch_op.drop_index(batch_op.f("ix_solution_name"))
        batch_op.drop_index(batch_op.f("ix_solution_loa_value"))

    op.drop_table("solution")
    with op.batch_alter_table("idp", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idp_municipality_id"))

    op.drop_table("idp")
    op.drop_table("scheduler_lease")
    op.drop_table("organisation")
    op.drop_table("municipality")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_email_attempted_at")

    op.drop_table("login_attempt")
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_run_job_id"))

    op.drop_table("job_run")
