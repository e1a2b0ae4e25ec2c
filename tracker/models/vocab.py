"""The domain's closed vocabularies (SPEC §2–3). Values are stored as these strings."""

from __future__ import annotations

from enum import StrEnum


class Loa(StrEnum):
    """NSIS assurance level; ordered lav < betydelig < hoej. ``ukendt`` is a value, not a gap."""

    LAV = "lav"
    BETYDELIG = "betydelig"
    HOEJ = "hoej"
    UKENDT = "ukendt"


LOA_RANK = {Loa.LAV: 2, Loa.BETYDELIG: 3, Loa.HOEJ: 4}


class Confidence(StrEnum):
    """How sure we are of a tracked fact, and on whose word."""

    CONFIRMED = "confirmed"
    REPORTED = "reported"
    EXPECTED = "expected"
    AWAITING_DECISION = "awaiting_decision"
    UNKNOWN = "unknown"


class SwitchState(StrEnum):
    """Where a switch stands."""

    PLANNED = "planned"
    SWITCHED = "switched"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class Precision(StrEnum):
    """How exactly a switch date is known."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    SEASON = "season"
    YEAR = "year"
    UNKNOWN = "unknown"


class SourceKind(StrEnum):
    """Who a fact came from."""

    AUTHORITY = "authority"
    SCRAPER = "scraper"
    COORDINATOR = "coordinator"
    VENDOR = "vendor"
    MUNICIPALITY = "municipality"
    RISK_ASSESSMENT = "risk_assessment"  # a shared risk assessment made on behalf of many


class SolutionKind(StrEnum):
    """What kind of solution it is."""

    FAELLESOFFENTLIG = "faellesoffentlig"
    FAELLESKOMMUNAL = "faelleskommunal"
    LEVERANDOER = "leverandoer"
    BROKER = "broker"
    ANDET = "andet"


class OrganisationKind(StrEnum):
    """What kind of organisation."""

    AUTHORITY = "authority"
    VENDOR = "vendor"
    KL = "kl"
    KOMBIT = "kombit"
    OTHER = "other"


class Role(StrEnum):
    """User roles; vendor users belong to an organisation, municipality users to a municipality."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    VENDOR = "vendor"
    MUNICIPALITY = "municipality"


def sql_in(values: type[StrEnum]) -> str:
    """A CHECK-constraint body listing an enum's values."""
    return ", ".join(f"'{v.value}'" for v in values)
