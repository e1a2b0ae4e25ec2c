"""Transitions: every dated change a solution goes through (issue 22), and the lead time per kind.

Why: the registry held one switch date and one level per solution, so what comes next (OIOSAML 4, the end of
Context Handler 1, the identity wallet, the 2027 region merger) could not be written down. Each solution that
has an NSIS login fact (a switch date, a known level, or a switch state or confidence other than unknown) gets
its *NSIS login transition*: a ``loa`` transition when its level is known, else ``login``, mirroring its
``switch_*``/``loa_*`` columns, which stay as they are (the canonical ``switch_date``/``required_loa``). Its
act-by day is derived from the earliest day by the kind's lead time. Downgrading drops both tables; the
solutions' own columns were never touched, so ``switch_date`` and ``required_loa`` are unchanged both ways.

Revision ID: tr0001
Revises: saml0001
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

from tracker.db import UTCDateTime

revision = "tr0001"
down_revision = "saml0001"
branch_labels = None
depends_on = None

KINDS = ("login", "loa", "protocol", "certificate", "broker_version", "wallet", "decommission", "organisation")
LEAD_DAYS = {
    "login": 90,
    "loa": 90,
    "protocol": 180,
    "certificate": 60,
    "broker_version": 180,
    "wallet": 180,
    "decommission": 90,
    "organisation": 30,
}
NSIS_TITLE = "Login med NemLog-in/MitID Erhverv og NSIS-sikringsniveau"
NSIS_WHAT = "Sørg for, at den lokale IdP (eller MitID Erhverv) er anmeldt på mindst det krævede sikringsniveau."


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


SWITCH_STATES = ("planned", "switched", "postponed", "cancelled", "unknown")
CONFIDENCES = ("confirmed", "reported", "expected", "awaiting_decision", "unknown")
PRECISIONS = ("day", "week", "month", "quarter", "half", "season", "year", "unknown")
LOAS = ("lav", "betydelig", "hoej", "ukendt")
SOURCE_KINDS = ("authority", "scraper", "coordinator", "vendor", "municipality", "risk_assessment")
CATEGORIES = ("plan_for_change", "prevent_or_fix", "stay_informed")


def upgrade() -> None:
    op.create_table(
        "transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("earliest_on", sa.Date(), nullable=True),
        sa.Column("latest_on", sa.Date(), nullable=True),
        sa.Column("precision", sa.String(length=12), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=True),
        sa.Column("source_url", sa.String(length=1000), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=True),
        sa.Column("act_by_on", sa.Date(), nullable=True),
        sa.Column("act_by_derived", sa.Boolean(), nullable=False),
        sa.Column("required_loa", sa.String(length=12), nullable=True),
        sa.Column("loa_status", sa.String(length=20), nullable=False),
        sa.Column("loa_source_kind", sa.String(length=20), nullable=True),
        sa.Column("loa_source_url", sa.String(length=1000), nullable=True),
        sa.Column("loa_evidence", sa.Text(), nullable=True),
        sa.Column("loa_recorded_by", sa.String(length=200), nullable=True),
        sa.Column("loa_recorded_at", UTCDateTime(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("major", sa.Boolean(), nullable=False),
        sa.Column("who_must_act", sa.JSON(), nullable=False),
        sa.Column("what_to_do", sa.Text(), nullable=True),
        sa.Column("replaced_by_solution_id", sa.Integer(), nullable=True),
        sa.Column("nsis_login", sa.Boolean(), nullable=False),
        sa.Column("starter_key", sa.String(length=80), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"kind IN ({_in(KINDS)})", name=op.f("ck_transition_kind")),
        sa.CheckConstraint(f"category IN ({_in(CATEGORIES)})", name=op.f("ck_transition_category")),
        sa.CheckConstraint(f"state IN ({_in(SWITCH_STATES)})", name=op.f("ck_transition_state")),
        sa.CheckConstraint(f"status IN ({_in(CONFIDENCES)})", name=op.f("ck_transition_status")),
        sa.CheckConstraint(f"precision IN ({_in(PRECISIONS)})", name=op.f("ck_transition_precision")),
        sa.CheckConstraint(
            f"required_loa IS NULL OR required_loa IN ({_in(LOAS)})", name=op.f("ck_transition_required_loa")
        ),
        sa.CheckConstraint(f"loa_status IN ({_in(CONFIDENCES)})", name=op.f("ck_transition_loa_status")),
        sa.CheckConstraint(
            f"source_kind IS NULL OR source_kind IN ({_in(SOURCE_KINDS)})", name=op.f("ck_transition_source_kind")
        ),
        sa.CheckConstraint(
            f"loa_source_kind IS NULL OR loa_source_kind IN ({_in(SOURCE_KINDS)})",
            name=op.f("ck_transition_loa_source_kind"),
        ),
        sa.CheckConstraint(
            "earliest_on IS NULL OR latest_on IS NULL OR earliest_on <= latest_on", name=op.f("ck_transition_interval")
        ),
        sa.ForeignKeyConstraint(
            ["solution_id"], ["solution.id"], name=op.f("fk_transition_solution_id_solution"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_solution_id"],
            ["solution.id"],
            name=op.f("fk_transition_replaced_by_solution_id_solution"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transition")),
        sa.UniqueConstraint("starter_key", name=op.f("uq_transition_starter_key")),
    )
    with op.batch_alter_table("transition") as batch:
        batch.create_index("ix_transition_solution_id_earliest_on", ["solution_id", "earliest_on"], unique=False)
        batch.create_index("ix_transition_act_by_on", ["act_by_on"], unique=False)
        batch.create_index("ix_transition_earliest_on", ["earliest_on"], unique=False)
        batch.create_index(batch.f("ix_transition_replaced_by_solution_id"), ["replaced_by_solution_id"], unique=False)
        batch.create_index(
            "uq_transition_nsis_login",
            ["solution_id"],
            unique=True,
            sqlite_where=sa.text("nsis_login"),
            postgresql_where=sa.text("nsis_login"),
        )
    lead = op.create_table(
        "transition_lead_time",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"kind IN ({_in(KINDS)})", name=op.f("ck_transition_lead_time_kind")),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_transition_lead_time")),
    )
    now = datetime.now(UTC)
    op.bulk_insert(lead, [{"kind": k, "days": d, "updated_by": None, "updated_at": now} for k, d in LEAD_DAYS.items()])
    _mirror_nsis_login(now)


def _mirror_nsis_login(now: datetime) -> None:
    """Each solution's NSIS login switch becomes its ``login``/``loa`` transition (its columns stay as they are)."""
    conn = op.get_bind()
    solution = sa.table(
        "solution",
        sa.column("id", sa.Integer()),
        *(sa.column(c, sa.String()) for c in ("loa_value", "loa_status", "loa_source_kind", "loa_source_url")),
        sa.column("loa_evidence", sa.Text()),
        sa.column("loa_recorded_by", sa.String()),
        sa.column("loa_recorded_at", UTCDateTime()),
        sa.column("switch_earliest_on", sa.Date()),
        sa.column("switch_latest_on", sa.Date()),
        *(
            sa.column(c, sa.String())
            for c in (
                "switch_precision",
                "switch_text",
                "switch_state",
                "switch_status",
                "switch_source_kind",
                "switch_source_url",
                "switch_evidence",
                "switch_recorded_by",
            )
        ),
        sa.column("switch_recorded_at", UTCDateTime()),
    )
    transition = sa.table(
        "transition",
        *(sa.column(c.name, c.type) for c in _transition_columns()),
    )
    rows = []
    for s in conn.execute(sa.select(solution).order_by(solution.c.id)).mappings():
        has_fact = (
            s["switch_earliest_on"] is not None
            or s["switch_latest_on"] is not None
            or s["loa_value"] != "ukendt"
            or s["switch_state"] != "unknown"
            or s["switch_status"] != "unknown"
            or s["loa_status"] != "unknown"
        )
        if not has_fact:
            continue
        kind = "loa" if s["loa_value"] != "ukendt" else "login"
        earliest = s["switch_earliest_on"]
        rows.append(
            {
                "solution_id": s["id"],
                "kind": kind,
                "title": NSIS_TITLE,
                "description": None,
                "earliest_on": earliest,
                "latest_on": s["switch_latest_on"],
                "precision": s["switch_precision"],
                "text": s["switch_text"],
                "state": s["switch_state"],
                "status": s["switch_status"],
                "source_kind": s["switch_source_kind"],
                "source_url": s["switch_source_url"],
                "evidence": s["switch_evidence"],
                "recorded_by": s["switch_recorded_by"],
                "recorded_at": s["switch_recorded_at"],
                "act_by_on": earliest - timedelta(days=LEAD_DAYS[kind]) if earliest else None,
                "act_by_derived": earliest is not None,
                "required_loa": s["loa_value"],
                "loa_status": s["loa_status"],
                "loa_source_kind": s["loa_source_kind"],
                "loa_source_url": s["loa_source_url"],
                "loa_evidence": s["loa_evidence"],
                "loa_recorded_by": s["loa_recorded_by"],
                "loa_recorded_at": s["loa_recorded_at"],
                "category": "plan_for_change",
                "major": True,
                "who_must_act": ["municipalities", "local_idp_operators"],
                "what_to_do": NSIS_WHAT,
                "replaced_by_solution_id": None,
                "nsis_login": True,
                "starter_key": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        op.bulk_insert(transition, rows)


_COLUMN_NAMES = (
    "solution_id kind title description earliest_on latest_on precision text state status source_kind "
    "source_url evidence recorded_by recorded_at act_by_on act_by_derived required_loa loa_status "
    "loa_source_kind loa_source_url loa_evidence loa_recorded_by loa_recorded_at category major who_must_act "
    "what_to_do replaced_by_solution_id nsis_login starter_key version created_at updated_at"
)


def _transition_columns() -> list[sa.Column[Any]]:
    types: dict[str, Any] = {
        "earliest_on": sa.Date(),
        "latest_on": sa.Date(),
        "act_by_on": sa.Date(),
        "recorded_at": UTCDateTime(),
        "loa_recorded_at": UTCDateTime(),
        "created_at": UTCDateTime(),
        "updated_at": UTCDateTime(),
        "act_by_derived": sa.Boolean(),
        "major": sa.Boolean(),
        "nsis_login": sa.Boolean(),
        "who_must_act": sa.JSON(),
        "solution_id": sa.Integer(),
        "replaced_by_solution_id": sa.Integer(),
        "version": sa.Integer(),
    }
    return [sa.Column(n, types.get(n, sa.String())) for n in _COLUMN_NAMES.split()]


def downgrade() -> None:
    op.drop_table("transition_lead_time")
    with op.batch_alter_table("transition") as batch:
        batch.drop_index("uq_transition_nsis_login")
        batch.drop_index(batch.f("ix_transition_replaced_by_solution_id"))
        batch.drop_index("ix_transition_earliest_on")
        batch.drop_index("ix_transition_act_by_on")
        batch.drop_index("ix_transition_solution_id_earliest_on")
    op.drop_table("transition")
