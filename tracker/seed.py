"""``tracker seed``: the 98 municipalities, the organisations and the starter solutions. Idempotent.

Seeding never overwrites what is already in the registry: it creates what is missing and updates
municipality names and regions from the shipped list. Regions change: Region Hovedstaden and Region
Sjælland merge into Region Østdanmark on 1 January 2027; the shipped list carries each municipality's
region today and the new one with its effective date, and the seed records the source
(``REGION_MERGER_SOURCE``). ``Municipality.region_on(day)`` gives the region on a day. Each municipality gets its
CVR number from the shipped list (``tracker.municipalities.cvr``) unless it has one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import starter_transitions
from tracker.auth.permissions import holders
from tracker.auth.users import create_user
from tracker.models import Municipality, Organisation, Solution, User
from tracker.models.vocab import Role, SolutionKind
from tracker.municipalities import cvr
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution, update_solution
from tracker.starter_data import ORGANISATIONS, SOLUTIONS

# Where the 2027 merger of Region Hovedstaden and Region Sjælland (into Region Østdanmark) is stated.
REGION_MERGER_SOURCE = "https://en.wikipedia.org/wiki/Capital_Region_of_Denmark"


@dataclass
class SeedReport:
    """What a seed run did."""

    municipalities_created: int = 0
    municipalities_updated: int = 0
    organisations_created: int = 0
    solutions_created: int = 0
    transitions_created: int = 0
    admin_email: str | None = None
    admin_password: str | None = None


def load_municipalities() -> list[dict[str, str]]:
    """The shipped list of the 98 municipalities (code, name, region, next_region, next_region_on)."""
    text = resources.files("tracker.municipalities").joinpath("kommuner.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _municipality_fields(row: dict[str, str]) -> dict[str, Any]:
    """A shipped row as model fields: name, region today, and the region change ahead with its source."""
    next_region = row.get("next_region") or None
    return {
        "name": row["name"],
        "region": row["region"],
        "next_region": next_region,
        "next_region_on": date.fromisoformat(row["next_region_on"]) if next_region else None,
        "next_region_source_url": REGION_MERGER_SOURCE if next_region else None,
    }


def _add_missing_aliases(session: Session, solution: Solution, aliases: list[str]) -> None:
    """Aliases the starter data gained since the solution was seeded (e.g. FMK's "Medicinkortet"); adds only."""
    have = {a.lower() for a in solution.aliases or []}
    missing = [a for a in aliases if a.lower() not in have]
    if missing:
        update_solution(
            session, solution, {"aliases": [*(solution.aliases or []), *missing]}, actor=SYSTEM, reason="Startdata"
        )


def seed(session: Session, *, admin_email: str = "admin@tu-tracker.local") -> SeedReport:
    """Create what is missing; report what was done. The first run creates an admin with a one-time password."""
    report = SeedReport()
    existing = {m.code: m for m in session.scalars(select(Municipality))}
    for row in load_municipalities():
        municipality = existing.get(row["code"])
        shipped = _municipality_fields(row)
        if municipality is None:
            session.add(Municipality(code=row["code"], **shipped))
            report.municipalities_created += 1
        elif any(getattr(municipality, k) != v for k, v in shipped.items()):
            for key, value in shipped.items():
                setattr(municipality, key, value)
            report.municipalities_updated += 1

    session.flush()
    # CVR numbers for single sign-on, as 'reported'; a number an admin corrected is never overwritten.
    cvr.fill_missing(session)

    orgs = {o.slug: o for o in session.scalars(select(Organisation))}
    for data in ORGANISATIONS:
        if data["slug"] not in orgs:
            orgs[data["slug"]] = Organisation(**data)
            session.add(orgs[data["slug"]])
            report.organisations_created += 1
    session.flush()

    known = {s.slug: s for s in session.scalars(select(Solution))}
    created: list[dict[str, Any]] = []
    for data in SOLUTIONS:
        if data["slug"] in known:
            _add_missing_aliases(session, known[data["slug"]], data.get("aliases", []))
            continue
        created.append(data)
        fields = dict(data["fields"])
        for key in ("switch_earliest_on", "switch_latest_on"):
            if isinstance(fields.get(key), str):
                fields[key] = date.fromisoformat(fields[key])
        fields["aliases"] = data.get("aliases", [])
        fields["links"] = data.get("links", [])
        fields["kind"] = data["kind"]
        if data.get("broker"):
            fields["broker"] = data["broker"]
        for role in ("service_provider", "vendor"):
            if data.get(role):
                fields[f"{role}_id"] = orgs[data[role]].id
        create_solution(session, actor=SYSTEM, slug=data["slug"], name=data["name"], fields=fields, reason="Startdata")
        report.solutions_created += 1
    _link_brokers(session, created)
    report.transitions_created = starter_transitions.load(session)

    if not session.scalar(select(func.count()).select_from(User).where(holders("user.manage"))):
        # Made as `tracker users create` makes users: a one-time password that must be changed at first login.
        admin, password = create_user(session, email=admin_email, role=Role.ADMIN, name="Administrator")
        report.admin_email, report.admin_password = admin.email, password
    session.flush()
    return report


def _link_brokers(session: Session, created: list[dict[str, Any]]) -> None:
    """The optional ``brokers`` of each solution just created: slugs of broker solutions.

    After all are created, since a broker may come later in the list; a slug that names no broker solution
    is left out rather than refusing the seed.
    """
    brokers = {s.slug: s for s in session.scalars(select(Solution).where(Solution.kind == SolutionKind.BROKER))}
    for data in created:
        wanted = [slug for slug in data.get("brokers") or [] if slug in brokers and slug != data["slug"]]
        if wanted:
            solution = session.scalars(select(Solution).where(Solution.slug == data["slug"])).one()
            update_solution(session, solution, {"brokers": wanted}, actor=SYSTEM, reason="Startdata")
