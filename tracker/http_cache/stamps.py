"""Validators and stamps: ETags that name a key and a state, and the one-query checks of whether a rendering holds."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, func, select, true
from sqlalchemy.orm import Session

from tracker.models import ChangeEvent, Municipality


def digest(value: Hashable, length: int = 24) -> str:
    """A short hex digest of a cache key (or of a key and a stamp): equal keys, equal digests."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:length]


def weak_etag(prefix: str, value: Hashable) -> str:
    """A weak ETag naming ``value`` (typically ``(key, stamp)``): never reused for another key or state."""
    return f'W/"{prefix}{digest(value)}"'


@dataclass(frozen=True)
class Validators:
    """What a conditional GET of a document compares: an ETag (unquoted) and a Last-Modified instant."""

    etag: str
    last_modified: datetime | None


# --- Stamps: what tells a worker that what it rendered still holds -------------------------------------------

# (id, occurred_at) of the newest event. The instant matters: SQLite reuses the id of a rolled-back
# insert, so the id alone could name two different states.
Stamp = tuple[int, str]


# Built once and run as Core (not ORM): this runs on every cached read, where the ORM's per-call statement
# building and result setup cost four times the query itself (measured by tests/benchmarks).
_events = ChangeEvent.__table__.c
_NEWEST_EVENT = select(_events.id, _events.occurred_at).order_by(_events.id.desc()).limit(1)


def registry_stamp(session: Session) -> Stamp:
    """The newest change event's id and instant ((0, "") when there is none): one primary-key lookup."""
    row = session.connection().execute(_NEWEST_EVENT).first()  # Core: the ORM's execute costs more than the query
    return (0, "") if row is None else _stamp(row[0], row[1])


def _stamp(event_id: int | None, occurred_at: datetime | str | None) -> Stamp:
    """A stamp from the newest event's id and instant as a row gives them (an instant may come as text)."""
    if event_id is None:
        return (0, "")
    instant = occurred_at if isinstance(occurred_at, str) else occurred_at.isoformat() if occurred_at else ""
    return (int(event_id), instant)


def selection_validators(session: Session, where: ColumnElement[bool], *, scope: str, extra: str = "") -> Validators:
    """A document's validators, keyed by the newest event of its selection (and ``extra``, e.g. a portfolio)."""
    row = session.execute(
        select(ChangeEvent.id, ChangeEvent.occurred_at).where(where).order_by(ChangeEvent.id.desc()).limit(1)
    ).first()
    latest_id, latest_at = (row[0], row[1]) if row else (0, None)
    tag = hashlib.sha256(f"{scope}|{latest_id}|{extra}".encode()).hexdigest()[:16]
    return Validators(etag=f"e{latest_id}-{tag}", last_modified=latest_at)


# What readiness reads besides the registry: M's IdPs and portfolio (their edits append an event only when a
# verdict changes). Every flush that writes one raises ``municipality.data_version`` (``municipalities.data_version``,
# an SQL increment), so the caches of what readiness shows key on that beside the stamp (it replaced a
# per-request digest of all of M's rows: most of a hit's cost).
_municipality = Municipality.__table__.c
# The sum only grows (each edit adds one somewhere); the count guards a municipality added or removed.
_NATIONAL = select(func.coalesce(func.sum(_municipality.data_version), 0), func.count())
_NEWEST = _NEWEST_EVENT.subquery()
# M by code with the newest change event: a cached private answer's whole check in one round trip. A join
# on the one-row subquery, not two scalar subqueries: measurably cheaper per request on PostgreSQL.
_STATE = (
    select(
        _municipality.id,
        _municipality.code,
        _municipality.name,
        _municipality.data_version,
        _NEWEST.c.id,
        _NEWEST.c.occurred_at,
    )
    .select_from(Municipality.__table__.outerjoin(_NEWEST, true()))
    .where(_municipality.code == bindparam("code"))
)


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


def municipality_state(session: Session, code: str) -> MunicipalityState | None:
    """M (by its official 3-digit code) with the registry stamp and its fingerprint, in one query; None if no M."""
    # Core on the connection: the ORM layer around a plain select cost as much as the query (profiled).
    row = session.connection().execute(_STATE, {"code": code}).first()
    if row is None:
        return None
    mid, mcode, name, version, event_id, event_at = row
    return MunicipalityState(int(mid), str(mcode), str(name), _stamp(event_id, event_at), f"v{version or 0}")
