"""A municipality's IdPs and portfolio as one fingerprint: what readiness reads besides the registry.

Readiness changes with M's IdPs and portfolio, whose edits only append a change event when a verdict changes;
every per-worker cache of something readiness shows (the readiness API and exports, the private calendar)
keys on this fingerprint beside the registry stamp.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import String, bindparam, cast, func, literal, select
from sqlalchemy.orm import Session

from tracker.models import Idp, PortfolioEntry
from tracker.models.municipalities import portfolio_entry_idp

_idp, _entry, _link = Idp.__table__.c, PortfolioEntry.__table__.c, portfolio_entry_idp.c
_SEP = literal(":")


def _aggregate(table_column_rows: Any, where: Any, select_from: Any = None) -> Any:
    """One scalar subquery: every row of M as a ``:``-joined token, all tokens ``;``-joined (order immaterial)."""
    stmt = select(func.aggregate_strings(table_column_rows, ";"))
    if select_from is not None:
        stmt = stmt.select_from(select_from)
    return stmt.where(where).scalar_subquery()


def _fingerprint_statement() -> Any:
    """Everything of M's IdPs and portfolio that readiness shows, as three strings in one query.

    Exact, not a checksum: each portfolio token is (id, solution), each IdP token is (id, level, primary,
    updated_at) and each link token (entry, IdP) names an IdP an entry's staff use. Every IdP write sets
    ``updated_at`` (services.create_idp/update_idp); a deleted IdP drops its token and its links; a removed or
    added entry drops or adds its token.
    A different string order only costs a miss, never a wrong answer.
    """
    entry_token = cast(_entry.id, String) + _SEP + cast(_entry.solution_id, String)
    link_token = cast(_link.portfolio_entry_id, String) + _SEP + cast(_link.idp_id, String)
    idp_token = (
        cast(_idp.id, String)
        + _SEP
        + _idp.notified_loa
        + _SEP
        + cast(_idp.is_primary, String)
        + _SEP
        + cast(_idp.updated_at, String)
    )
    municipality_id: Any = bindparam("municipality_id")
    return select(
        _aggregate(entry_token, _entry.municipality_id == municipality_id),
        _aggregate(idp_token, _idp.municipality_id == municipality_id),
        _aggregate(
            link_token,
            _entry.municipality_id == municipality_id,
            portfolio_entry_idp.join(PortfolioEntry.__table__, _entry.id == _link.portfolio_entry_id),
        ),
    )


# Built once: building it per request cost more than running it (tests/benchmarks profile).
_FINGERPRINT = _fingerprint_statement()


def portfolio_fingerprint(session: Session, municipality_id: int) -> str:
    """A digest of M's IdPs and portfolio as readiness sees them: changes whenever any of them changes."""
    entries, idps, links = session.execute(_FINGERPRINT, {"municipality_id": municipality_id}).one()
    return hashlib.sha256(f"{entries or ''}|{idps or ''}|{links or ''}".encode()).hexdigest()
