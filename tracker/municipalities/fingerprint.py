"""What readiness reads besides the registry, as one value: M's ``data_version``, and the country's.

Readiness changes with M's IdPs and portfolio, whose edits only append a change event when a verdict changes;
every per-worker cache of something readiness shows (the readiness API and exports, the private calendar,
the national picture) keys on this beside the registry stamp. Every IdP and portfolio write goes through
``municipalities.services``, which raises ``municipality.data_version`` in the same transaction (as an SQL
increment, so two concurrent edits never leave the same value), so the version changes exactly when what
readiness reads may have changed. (It replaced a digest of all of M's rows computed on every request, which
was most of a cached answer's cost at 300 entries and a scan of the country for the national picture.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from tracker.models import ChangeEvent, Municipality
from tracker.registry.cache import Stamp

_municipality, _events = Municipality.__table__.c, ChangeEvent.__table__.c

# Built once: building statements per request cost more than running them (tests/benchmarks profile).
_VERSION = select(_municipality.data_version).where(_municipality.id == bindparam("municipality_id"))
# The sum only grows (each edit adds one to one municipality); the count guards a municipality added or removed.
_NATIONAL = select(func.coalesce(func.sum(_municipality.data_version), 0), func.count())


def portfolio_fingerprint(session: Session, municipality_id: int) -> str:
    """A value that changes whenever any of M's IdPs or portfolio entries changes."""
    version = session.connection().execute(_VERSION, {"municipality_id": municipality_id}).scalar()
    return f"v{version or 0}"


def national_fingerprint(session: Session) -> str:
    """A value that changes whenever any IdP or portfolio entry in the country changes (98 rows, one query)."""
    total, count = session.connection().execute(_NATIONAL).one()
    return f"n{int(total)}:{int(count)}"


@dataclass(frozen=True)
class MunicipalityState:
    """What a cached private answer about M is keyed on: M itself, the registry stamp and M's fingerprint."""

    id: int
    code: str
    name: str
    stamp: Stamp
    fingerprint: str


def _state_statement() -> Any:
    """M by code, with the newest change event, in one statement (one round trip)."""
    newest = select(_events.id, _events.occurred_at).order_by(_events.id.desc()).limit(1).subquery()
    return select(
        _municipality.id,
        _municipality.code,
        _municipality.name,
        _municipality.data_version,
        select(newest.c.id).scalar_subquery(),
        select(newest.c.occurred_at).scalar_subquery(),
    ).where(_municipality.code == bindparam("code"))


_STATE = _state_statement()


def municipality_state(session: Session, code: str) -> MunicipalityState | None:
    """M (by its official 3-digit code) with the registry stamp and its fingerprint; None when no such M.

    The per-worker caches of readiness and the private calendar check this one row before anything else.
    """
    # Core on the connection: the ORM layer around a plain select cost as much as the query (profiled).
    row = session.connection().execute(_STATE, {"code": code}).first()
    if row is None:
        return None
    (
        mid,
        mcode,
        name,
        version,
        event_id,
        event_at,
    ) = row
    stamp: Stamp = (0, "") if event_id is None else (int(event_id), _instant(event_at))
    return MunicipalityState(int(mid), str(mcode), str(name), stamp, f"v{version or 0}")


def _instant(value: Any) -> str:
    """The stamp's instant as ``registry_stamp`` writes it (a scalar subquery may bypass the column's type)."""
    if isinstance(value, str):
        return value
    return str(value.isoformat())
