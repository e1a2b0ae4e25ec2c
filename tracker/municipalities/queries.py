"""Reads of municipalities, their IdPs and portfolios. Lookups that miss raise a Danish 404."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from tracker.errors import NotFound
from tracker.http_cache import MunicipalityState, municipality_state
from tracker.models import Idp, Municipality, PortfolioEntry, Solution

# Inputs that cannot name anything are answered without asking the database: PostgreSQL refuses NUL bytes in
# text and integers beyond 32 bits with an error, where a person should simply hear "not found".
CODE_RE = re.compile(r"0?[0-9]{3}")
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
MAX_ID = 2**31 - 1


def is_slug(text: object) -> bool:
    """Whether the text could be a solution slug at all."""
    return isinstance(text, str) and SLUG_RE.fullmatch(text) is not None


def is_id(value: object) -> bool:
    """Whether the value could be a row id at all (a positive 32-bit integer)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def normalise_code(code: str) -> str:
    """A 4-digit zero-padded code (DAWA style, '0101') means the 3-digit official one."""
    return code[1:] if len(code) == 4 and code.startswith("0") else code


def get_municipality(session: Session, code: str) -> Municipality:
    """A municipality by official code, or a 404 a person understands."""
    found = CODE_RE.fullmatch(code) is not None
    municipality = (
        session.scalar(select(Municipality).where(Municipality.code == normalise_code(code))) if found else None
    )
    if municipality is None:
        raise NotFound("municipalities.municipality_not_found", code=code)
    return municipality


def get_state(session: Session, code: str) -> MunicipalityState:
    """M with the registry stamp and its fingerprint in one query (``get_municipality``'s 404 when none)."""
    state = municipality_state(session, normalise_code(code)) if CODE_RE.fullmatch(code) else None
    if state is None:
        raise NotFound("municipalities.municipality_not_found", code=code)
    return state


def list_municipalities(session: Session) -> list[Municipality]:
    """All municipalities, by code."""
    return list(session.scalars(select(Municipality).order_by(Municipality.code)))


def list_idps(session: Session, municipality: Municipality) -> list[Idp]:
    """M's IdPs, primary first, then in the order they were added."""
    return list(
        session.scalars(
            select(Idp).where(Idp.municipality_id == municipality.id).order_by(Idp.is_primary.desc(), Idp.id)
        )
    )


def get_idp(session: Session, municipality: Municipality, idp_id: int) -> Idp:
    """One of M's IdPs; another municipality's IdP is as missing as one that does not exist."""
    idp = (
        session.scalar(select(Idp).where(Idp.id == idp_id, Idp.municipality_id == municipality.id))
        if is_id(idp_id)
        else None
    )
    if idp is None:
        raise NotFound("municipalities.idp_not_found", idp_id=idp_id)
    return idp


def list_portfolio(session: Session, municipality: Municipality) -> list[PortfolioEntry]:
    """M's portfolio with each solution and named IdP, by solution name."""
    entries = session.scalars(
        select(PortfolioEntry)
        .where(PortfolioEntry.municipality_id == municipality.id)
        .options(joinedload(PortfolioEntry.solution), selectinload(PortfolioEntry.idps))
    ).all()
    return sorted(entries, key=lambda e: (e.solution.name.casefold(), e.solution.slug))


def get_portfolio_entry(session: Session, municipality: Municipality, slug: str) -> PortfolioEntry:
    """M's portfolio entry for a solution slug, or a 404."""
    if not is_slug(slug):
        raise NotFound("municipalities.solution_not_in_portfolio")
    entry = session.scalar(
        select(PortfolioEntry)
        .join(Solution, Solution.id == PortfolioEntry.solution_id)
        .where(PortfolioEntry.municipality_id == municipality.id, Solution.slug == slug)
        .options(joinedload(PortfolioEntry.solution), selectinload(PortfolioEntry.idps))
    )
    if entry is None:
        raise NotFound("municipalities.slug_not_in_portfolio", slug=slug)
    return entry


def solutions_not_in_portfolio(session: Session, municipality: Municipality) -> list[Solution]:
    """The solutions M could add (for the add form), by name."""
    used = select(PortfolioEntry.solution_id).where(PortfolioEntry.municipality_id == municipality.id)
    return list(session.scalars(select(Solution).where(Solution.id.not_in(used)).order_by(Solution.name)))
