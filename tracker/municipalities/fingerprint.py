"""A municipality's IdPs and portfolio as one fingerprint: what readiness reads besides the registry.

Readiness changes with M's IdPs and portfolio, whose edits only append a change event when a verdict changes;
every per-worker cache of something readiness shows (the readiness API and exports, the private calendar)
keys on this fingerprint beside the registry stamp.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, bindparam, cast, func, literal, select
from sqlalchemy.orm import Session

from tracker.models import ChangeEvent, Idp, Municipality, PortfolioEntry
from tracker.registry.cache import Stamp

_idp, _entry = Idp.__table__.c, PortfolioEntry.__table__.c
_municipality, _events = Municipality.__table__.c, ChangeEvent.__table__.c
_SEP = literal(":")


def _aggregate(table_column_rows: Any, where: Any) -> Any:
    """One scalar subquery: every row of M as a ``:``-joined token, all tokens ``;``-joined (order immaterial)."""
    return select(func.aggregate_strings(table_column_rows, ";")).where(where).scalar_subquery()


def _fingerprint_statement() -> Any:
    """Everything of M's IdPs and portfolio that readiness shows, as two strings in one query.

    Exact, not a checksum: each portfolio token is (id, solution, IdP chosen) and each IdP token is (id, level,
    primary, updated_at). Every IdP write sets ``updated_at`` (services.create_idp/update_idp); a deleted IdP
    drops its token and nulls the entries that named it; a removed or added entry drops or adds its token.
    A different string order only costs a miss, never a wrong answer.
    """
    entry_token = (
        cast(_entry.id, String)
        + _SEP
        + cast(_entry.solution_id, String)
        + _SEP
        + func.coalesce(cast(_entry.idp_id, String), "-")
    )
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
    )


# Built once: building it per request cost more than running it (tests/benchmarks profile).
_FINGERPRINT = _fingerprint_statement()


def _national_statement() -> Any:
    """Every municipality's IdPs and portfolio as two strings (the same tokens, ids are unique country-wide)."""
    everything: Any = literal(True)
    return select(
        _aggregate(cast(_entry.id, String) + _SEP + cast(_entry.solution_id, String) + _SEP
                   + func.coalesce(cast(_entry.idp_id, String), "-"), everything),
        _aggregate(cast(_idp.id, String) + _SEP + _idp.notified_loa + _SEP + cast(_idp.is_primary, String) + _SEP
                   + cast(_idp.updated_at, String), everything),
    )  # fmt: skip


_NATIONAL = _national_statement()


def national_fingerprint(session: Session) -> str:
    """A digest of every IdP and portfolio entry in the country: the national picture's key beside the stamp.

    One query over some 30,000 short rows, a few milliseconds where computing the picture takes seconds;
    exact like ``portfolio_fingerprint``.
    """
    entries, idps = session.connection().execute(_NATIONAL).one()
    return _digest(entries, idps)


def _digest(entries: str | None, idps: str | None) -> str:
    return hashlib.sha256(f"{entries or ''}|{idps or ''}".encode()).hexdigest()


def portfolio_fingerprint(session: Session, municipality_id: int) -> str:
    """A digest of M's IdPs and portfolio as readiness sees them: changes whenever any of them changes."""
    entries, idps = session.execute(_FINGERPRINT, {"municipality_id": municipality_id}).one()
    return _digest(entries, idps)


@dataclass(frozen=True)
class MunicipalityState:
    """What a cached private answer about M is keyed on: M itself, the registry stamp and M's fingerprint."""

    id: int
    code: str
    name: str
    stamp: Stamp
    fingerprint: str


def _state_statement() -> Any:
    """M by code, the newest change event and M's IdPs and portfolio, in one statement (one round trip)."""
    newest = select(_events.id, _events.occurred_at).order_by(_events.id.desc()).limit(1).subquery()
    outer_id: Any = _municipality.id
    return (
        select(
            _municipality.id,
            _municipality.code,
            _municipality.name,
            select(newest.c.id).scalar_subquery(),
            select(newest.c.occurred_at).scalar_subquery(),
            _aggregate(
                cast(_entry.id, String) + _SEP + cast(_entry.solution_id, String) + _SEP
                + func.coalesce(cast(_entry.idp_id, String), "-"),
                _entry.municipality_id == outer_id,
            ),
            _aggregate(
                cast(_idp.id, String) + _SEP + _idp.notified_loa + _SEP + cast(_idp.is_primary, String) + _SEP
                + cast(_idp.updated_at, String),
                _idp.municipality_id == outer_id,
            ),
        )
        .where(_municipality.code == bindparam("code"))
    )  # fmt: skip


_STATE = _state_statement()


def municipality_state(session: Session, code: str) -> MunicipalityState | None:
    """M (by its official 3-digit code) with the registry stamp and its fingerprint; None when no such M.

    The per-worker caches of readiness and the private calendar check this one row before anything else.
    """
    # Core on the connection: the ORM layer around a plain select cost as much as the query (profiled).
    row = session.connection().execute(_STATE, {"code": code}).first()
    if row is None:
        return None
    mid, mcode, name, event_id, event_at, entries, idps = row
    stamp: Stamp = (0, "") if event_id is None else (int(event_id), _instant(event_at))
    return MunicipalityState(int(mid), str(mcode), str(name), stamp, _digest(entries, idps))


def _instant(value: Any) -> str:
    """The stamp's instant as ``registry_stamp`` writes it (a scalar subquery may bypass the column's type)."""
    if isinstance(value, str):
        return value
    return str(value.isoformat())
