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


class TransitionKind(StrEnum):
    """What a dated transition of a solution changes (issue 22)."""

    LOGIN = "login"  # a new login method or broker
    LOA = "loa"  # a required NSIS level takes effect
    PROTOCOL = "protocol"  # e.g. OIOSAML 3 → 4, OIDC
    CERTIFICATE = "certificate"  # e.g. OCES2 → OCES3 system certificates
    BROKER_VERSION = "broker_version"  # e.g. Context Handler 1 → 2
    WALLET = "wallet"  # accepts or requires an identity wallet
    DECOMMISSION = "decommission"  # closes, or is replaced by another solution
    ORGANISATION = "organisation"  # owner or service provider changes


class TransitionCategory(StrEnum):
    """What a transition asks of its readers (as Microsoft 365's Message Center sorts its changes)."""

    PLAN_FOR_CHANGE = "plan_for_change"
    PREVENT_OR_FIX = "prevent_or_fix"
    STAY_INFORMED = "stay_informed"


class WhoMustAct(StrEnum):
    """Who must act on a transition."""

    MUNICIPALITIES = "municipalities"
    LOCAL_IDP_OPERATORS = "local_idp_operators"
    SERVICE_PROVIDER = "service_provider"
    VENDOR = "vendor"
    STAFF = "staff"


class Role(StrEnum):
    """User roles; vendor users belong to an organisation, municipality users to a municipality."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    VENDOR = "vendor"
    MUNICIPALITY = "municipality"


def sql_in(values: type[StrEnum]) -> str:
    """A CHECK-constraint body listing an enum's values."""
    return ", ".join(f"'{v.value}'" for v in values)
