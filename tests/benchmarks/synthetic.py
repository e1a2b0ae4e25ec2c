"""A synthetic registry far larger than reality, built fast with SQLAlchemy Core bulk inserts.

The schema comes from the real migrations and the 98 municipalities from the real seed; everything else
(solutions, vendors, IdPs, portfolios, change events, webhook subscriptions) is generated from a fixed
random seed, so two runs build the same registry. Names say "Syntetisk" so no one mistakes them for facts.
"""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from tests.benchmarks.server import ENCRYPTION_KEYS
from tracker import crypto
from tracker.auth.tokens import create_token
from tracker.auth.users import create_user
from tracker.db import Base
from tracker.migrate import upgrade
from tracker.models import (
    ChangeEvent,
    FeedToken,
    Idp,
    IdpChange,
    Municipality,
    Organisation,
    PortfolioEntry,
    Solution,
    Subscription,
    Transition,
    User,
)
from tracker.models.municipalities import portfolio_entry_idp
from tracker.models.solutions import solution_broker
from tracker.seed import seed

LOAS = ("lav", "betydelig", "hoej", "ukendt")
CONFIDENCES = ("confirmed", "reported", "expected", "awaiting_decision", "unknown")
KINDS = ("faellesoffentlig", "faelleskommunal", "leverandoer", "andet")
BROKERS = ("NemLog-in", "KOMBIT Context Handler", "STIL Unilogin", "SEB", None)
# precision → how many days the interval spans after its earliest day
PRECISION_SPAN = {"day": 0, "week": 6, "month": 29, "quarter": 90, "half": 181, "season": 91, "year": 364}
EVENT_MIX = (
    ("solution.switch_date.changed", 45),
    ("solution.required_loa.changed", 35),
    ("solution.updated", 15),
    ("municipality.readiness.changed", 5),
)
CHUNK = 10_000
BENCH_USER = "bench-coordinator@tu-tracker.local"


@dataclass(frozen=True)
class Scale:
    """How big the synthetic registry is; ``FULL`` is the size the speed targets name."""

    solutions: int = 10_000
    portfolio_size: int = 300
    events: int = 200_000
    subscriptions: int = 1_000
    vendors: int = 200
    transitions_per_solution: int = 5

    def times(self, factor: float) -> Scale:
        """This scale multiplied by ``factor`` (at least one of each)."""
        return Scale(
            solutions=max(1, round(self.solutions * factor)),
            portfolio_size=max(1, round(self.portfolio_size * factor)),
            events=max(1, round(self.events * factor)),
            subscriptions=max(1, round(self.subscriptions * factor)),
            vendors=max(1, round(self.vendors * factor)),
            transitions_per_solution=self.transitions_per_solution,
        )


FULL = Scale()


@dataclass
class BenchData:
    """What the benchmarks need to know about a built registry."""

    url: str
    scale: Scale
    solution_slug: str
    municipality_code: str
    api_token: str
    feed_token: str
    latest_event_id: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _chunks(rows: Sequence[dict[str, Any]], size: int = CHUNK) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _bulk(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """executemany in chunks: one INSERT compiled once, many parameter sets."""
    for chunk in _chunks(rows):
        conn.execute(insert(table), list(chunk))


def _interval(rng: random.Random) -> dict[str, Any]:
    """A switch interval with a precision and the words a source might have used."""
    precision = rng.choice([*PRECISION_SPAN, "unknown"])
    if precision == "unknown":
        return {
            "switch_earliest_on": None,
            "switch_latest_on": None,
            "switch_precision": "unknown",
            "switch_text": None,
            "switch_state": "unknown",
        }
    earliest = date(2022, 10, 24) + timedelta(days=rng.randrange(0, 5 * 365))
    latest = earliest + timedelta(days=PRECISION_SPAN[precision])
    state = "switched" if latest < date.today() else rng.choice(("planned", "planned", "postponed"))
    return {
        "switch_earliest_on": earliest,
        "switch_latest_on": latest,
        "switch_precision": precision,
        "switch_text": f"syntetisk {precision} {earliest.year}",
        "switch_state": state,
    }


def _solution_rows(
    rng: random.Random, scale: Scale, versions: list[int], vendor_ids: list[int], provider_ids: list[int]
) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    rows = []
    for i in range(scale.solutions):
        loa = rng.choice(LOAS)
        rows.append(
            {
                "slug": f"bench-{i:05d}",
                "name": f"Syntetisk løsning {i:05d}",
                "aliases": [f"SYN{i:05d}"],
                "description": f"Syntetisk løsning nr. {i} til belastningstest.",
                "kind": rng.choice(KINDS),
                "service_provider_id": rng.choice(provider_ids) if provider_ids else None,
                "vendor_id": rng.choice(vendor_ids) if rng.random() < 0.8 else None,
                "broker": rng.choice(BROKERS),
                "links": [{"title": "Syntetisk kilde", "url": f"https://example.invalid/loesning/{i}"}],
                "loa_value": loa,
                "loa_status": "unknown" if loa == "ukendt" else rng.choice(CONFIDENCES[:4]),
                "loa_source_kind": None if loa == "ukendt" else "coordinator",
                "loa_recorded_by": "bench",
                "loa_recorded_at": now,
                **_interval(rng),
                "switch_status": rng.choice(CONFIDENCES),
                "switch_source_kind": "scraper",
                "switch_source_url": f"https://example.invalid/kilde/{i}",
                "switch_recorded_by": "bench",
                "switch_recorded_at": now,
                "version": versions[i],
                "created_at": now - timedelta(days=900),
                "updated_at": now,
            }
        )
    return rows


def _event_rows(
    rng: random.Random,
    plan: Sequence[int],
    solutions: Sequence[tuple[int, str, str]],
    municipalities: Sequence[tuple[int, str, str]],
) -> Iterable[dict[str, Any]]:
    """One ``solution.created`` per solution first, then the planned mix, oldest first."""
    types = [t for t, weight in EVENT_MIX for _ in range(weight)]
    start = datetime(2022, 6, 1, tzinfo=UTC)
    step = (datetime.now(UTC) - timedelta(days=1) - start) / max(1, len(plan))
    for n, index in enumerate(plan):
        sid, slug, name = solutions[index]
        etype = "solution.created" if n < len(solutions) else rng.choice(types)
        data: dict[str, Any] = {"solution": {"slug": slug, "name": name}}
        municipality_id = None
        if etype == "municipality.readiness.changed":
            mid, code, mname = rng.choice(municipalities)
            municipality_id = mid
            data["municipality"] = {"code": code, "name": mname}
            changes: dict[str, Any] = {
                "readiness": {"before": "ok", "after": rng.choice(("at_risk", "locked_out", "unknown"))}
            }
        elif etype == "solution.required_loa.changed":
            changes = {"loa_value": {"before": rng.choice(LOAS), "after": rng.choice(LOAS)}}
        elif etype == "solution.updated":
            changes = {"description": {"before": "før", "after": f"efter {n}"}}
        else:
            day = (date(2023, 1, 1) + timedelta(days=rng.randrange(0, 1500))).isoformat()
            changes = {"switch_earliest_on": {"before": None, "after": day}, "switch_precision": {"after": "day"}}
        yield {
            "type": etype,
            "solution_id": sid,
            "municipality_id": municipality_id,
            "changes": changes,
            "data": data,
            "actor_label": "bench (syntetisk)",
            "source_kind": "scraper",
            "source_url": f"https://example.invalid/kilde/{index}",
            "reason": None,
            "occurred_at": start + step * n,
        }


def _event_plan(rng: random.Random, scale: Scale) -> list[int]:
    """Which synthetic solution each event belongs to: one creation each, then a skewed random mix."""
    plan = list(range(scale.solutions))
    # A few solutions change very often (like Aula), most rarely: the history route sees both.
    weights = [1.0 / (1 + (i % 97)) for i in range(scale.solutions)]
    plan += rng.choices(range(scale.solutions), weights=weights, k=max(0, scale.events - scale.solutions))
    return plan


def _table(model: type[Base]) -> Table:
    """The model's table, as Core's bulk ``insert`` wants it."""
    return cast(Table, model.__table__)


Row3 = tuple[int, str, str]  # (id, slug or code, name)


def _solutions(conn: Connection, rng: random.Random, scale: Scale, plan: list[int]) -> list[Row3]:
    """Synthetic vendors and solutions (versions matching their planned events); returns (id, slug, name)."""
    vendors = [
        {"slug": f"bench-vendor-{v:03d}", "name": f"Syntetisk leverandør {v:03d}", "kind": "vendor"}
        for v in range(scale.vendors)
    ]
    _bulk(conn, _table(Organisation), vendors)
    vendor_ids = list(conn.scalars(select(Organisation.id).where(Organisation.kind == "vendor")))
    provider_ids = list(conn.scalars(select(Organisation.id).where(Organisation.kind != "vendor")))
    versions = [1] * scale.solutions
    for index in plan[scale.solutions :]:
        versions[index] += 1
    _bulk(conn, _table(Solution), _solution_rows(rng, scale, versions, vendor_ids, provider_ids))
    query = (
        select(Solution.id, Solution.slug, Solution.name).where(Solution.slug.like("bench-%")).order_by(Solution.slug)
    )
    return [(int(i), str(slug), str(name)) for i, slug, name in conn.execute(query)]


TRANSITION_KINDS = ("protocol", "certificate", "broker_version", "wallet", "decommission", "organisation")
CATEGORIES = ("plan_for_change", "prevent_or_fix", "stay_informed")


def _transition_rows(rng: random.Random, scale: Scale, solutions: Sequence[Row3]) -> list[dict[str, Any]]:
    """``scale.transitions_per_solution`` dated transitions per synthetic solution (some undated, some past)."""
    now = datetime.now(UTC)
    rows = []
    for solution_id, slug, _name in solutions:
        for n in range(scale.transitions_per_solution):
            interval = _interval(rng)
            kind = rng.choice(TRANSITION_KINDS)
            earliest = interval["switch_earliest_on"]
            act_by = earliest - timedelta(days=90) if earliest else None
            rows.append(
                {
                    "solution_id": solution_id,
                    "kind": kind,
                    "title": f"Syntetisk overgang {n} af {slug}",
                    "earliest_on": earliest,
                    "latest_on": interval["switch_latest_on"],
                    "precision": interval["switch_precision"],
                    "text": interval["switch_text"],
                    "state": interval["switch_state"],
                    "status": rng.choice(CONFIDENCES[1:]),
                    "act_by_on": act_by,
                    "act_by_derived": act_by is not None,
                    "loa_status": "unknown",
                    "category": rng.choice(CATEGORIES),
                    "major": rng.random() < 0.2,
                    "who_must_act": ["municipalities"],
                    "nsis_login": False,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return rows


def _municipal(conn: Connection, rng: random.Random, scale: Scale) -> list[Row3]:
    """Two IdPs per municipality and a portfolio of ``scale.portfolio_size`` solutions; returns (id, code, name)."""
    municipalities = [
        (int(i), str(code), str(name))
        for i, code, name in conn.execute(select(Municipality.id, Municipality.code, Municipality.name))
    ]
    _bulk(conn, _table(Idp), _idp_rows(rng, municipalities))
    idps = {
        (int(mid), bool(primary)): int(iid)
        for iid, mid, primary in conn.execute(select(Idp.id, Idp.municipality_id, Idp.is_primary))
    }
    _bulk(conn, _table(IdpChange), _idp_change_rows(idps))
    all_solution_ids = list(conn.scalars(select(Solution.id)))
    # Every portfolio holds a few of the real solutions reached through a login broker (Aula through Unilogin
    # …), as every real municipality's does, a dated one first: the shape of a readiness and a calendar (a
    # broker to read, a switch to show) is then the same at 1× and 10×.
    brokered = list(
        conn.scalars(
            select(Solution.id)
            .where(Solution.id.in_(select(solution_broker.c.solution_id)))
            .order_by(Solution.switch_earliest_on.is_(None), Solution.id)
        )
    )
    size = min(scale.portfolio_size, len(all_solution_ids))
    common = brokered[: max(1, size // 10)]
    taken = set(common)
    others = [sid for sid in all_solution_ids if sid not in taken]
    portfolio = []
    secondary: set[tuple[int, int]] = set()
    for mid, _code, _name in municipalities:
        for sid in [*common, *rng.sample(others, size - len(common))]:
            if rng.random() < 0.15:  # some staff log in through the schools' IdP
                secondary.add((mid, sid))
            portfolio.append({"municipality_id": mid, "solution_id": sid})
    _bulk(conn, _table(PortfolioEntry), portfolio)
    links = [
        {"portfolio_entry_id": eid, "idp_id": idps[(mid, False)]}
        for eid, mid, sid in conn.execute(
            select(PortfolioEntry.id, PortfolioEntry.municipality_id, PortfolioEntry.solution_id)
        )
        if (mid, sid) in secondary
    ]
    _bulk(conn, portfolio_entry_idp, links)
    return municipalities


def _counts(conn: Connection) -> dict[str, int]:
    models: tuple[tuple[str, type[Base]], ...] = (
        ("solutions", Solution),
        ("municipalities", Municipality),
        ("idps", Idp),
        ("portfolio_entries", PortfolioEntry),
        ("change_events", ChangeEvent),
        ("subscriptions", Subscription),
        ("organisations", Organisation),
        ("transitions", Transition),
    )
    return {name: int(conn.scalar(select(func.count()).select_from(model)) or 0) for name, model in models}


def build_registry(engine: Engine, url: str, scale: Scale = FULL, *, seed_value: int = 7) -> BenchData:
    """Migrate, seed, then bulk-insert the synthetic registry; returns what the benchmarks need."""
    rng = random.Random(seed_value)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    crypto.configure(crypto.keys_from_config(ENCRYPTION_KEYS, ""))  # subscription secrets are encrypted at rest
    upgrade(engine)
    with Session(engine) as session:
        seed(session)
        user, _ = create_user(session, email=BENCH_USER, role="coordinator", name="Bench-koordinator")
        _, api_token = create_token(session, user, "bench")
        session.commit()
        user_id = user.id
    seconds["migrate_seed"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    plan = _event_plan(rng, scale)
    with engine.begin() as conn:
        solutions = _solutions(conn, rng, scale, plan)
        _bulk(conn, _table(Transition), _transition_rows(rng, scale, solutions))
        municipalities = _municipal(conn, rng, scale)
    seconds["solutions_portfolios"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    with engine.begin() as conn:
        _bulk(conn, _table(ChangeEvent), list(_event_rows(rng, plan, solutions, municipalities)))
    seconds["events"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    municipality_code = min(code for _mid, code, _name in municipalities)
    with engine.begin() as conn:
        _bulk(conn, _table(Subscription), _subscription_rows(scale, user_id))
        latest = int(conn.scalar(select(func.max(ChangeEvent.id))) or 0)
        counts = _counts(conn)
    feed_token = _create_feed_token(engine, municipality_code, user_id)
    if engine.dialect.name == "postgresql":
        # What autovacuum would have done long before a real registry grew this big.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    seconds["subscriptions_tokens"] = time.perf_counter() - t0
    return BenchData(
        url=url,
        scale=scale,
        solution_slug=f"bench-{scale.solutions // 2:05d}",
        municipality_code=municipality_code,
        api_token=api_token,
        feed_token=feed_token,
        latest_event_id=latest,
        counts=counts,
        seconds={k: round(v, 2) for k, v in seconds.items()},
    )


def _idp_change_rows(idps: dict[tuple[int, bool], int]) -> list[dict[str, Any]]:
    """Dated IdP changes (readiness over time): every schools' IdP is raised to Betydelig on a day, and in every
    third municipality the schools' group then moves to the administration's IdP and its IdP is retired."""
    rows: list[dict[str, Any]] = []
    for mid in sorted({m for m, _primary in idps}):
        admin, schools = idps.get((mid, True)), idps.get((mid, False))
        if admin is None or schools is None:
            continue
        base = {"municipality_id": mid, "idp_id": schools, "notified_loa": None, "target_idp_id": None}
        rows.append({**base, "kind": "loa", "effective_on": date(2027, 8, 1), "notified_loa": "betydelig"})
        if mid % 3 == 0:  # every row has the same keys: one executemany
            rows.append({**base, "kind": "move", "effective_on": date(2028, 1, 1), "target_idp_id": admin})
            rows.append({**base, "kind": "retire", "effective_on": date(2028, 1, 1)})
    return rows


def _idp_rows(rng: random.Random, municipalities: Sequence[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """Two IdPs per municipality: the administration's (primary) and the schools'."""
    rows = []
    for mid, _code, name in municipalities:
        rows.append(
            {
                "municipality_id": mid,
                "name": f"{name} AD FS",
                "user_group": "Administration",
                "is_primary": True,
                "notified_loa": rng.choice(LOAS[:3]),
                "broker": "NemLog-in",
            }
        )
        rows.append(
            {
                "municipality_id": mid,
                "name": f"{name} skole-IdP",
                "user_group": "Skoler og B&U",
                "is_primary": False,
                "notified_loa": rng.choice(LOAS),
                "broker": "STIL Unilogin",
            }
        )
    return rows


def _subscription_rows(scale: Scale, user_id: int) -> list[dict[str, Any]]:
    """Inactive subscriptions to a closed loopback port: present in the tables, silent on every change."""
    return [
        {
            "owner_id": user_id,
            "url": f"http://127.0.0.1:9/hook/{i}",
            "description": f"syntetisk abonnement {i}",
            "secret": "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode(),  # as Standard Webhooks
            "event_types": [],
            "solution_ids": [],
            "active": False,
        }
        for i in range(scale.subscriptions)
    ]


def _create_feed_token(engine: Engine, municipality_code: str, user_id: int) -> str:
    """A private feed/calendar token for one municipality: through the broadcast service when it exists,
    else stored directly as the SHA-256 hex of the plain token (what ``FeedToken.token_hash`` holds)."""
    with Session(engine) as session:
        municipality = session.scalar(select(Municipality).where(Municipality.code == municipality_code))
        user = session.get(User, user_id)
        assert municipality is not None and user is not None
        try:
            from tracker.broadcast.feed_tokens import create_token as create_feed_token
        except ImportError:
            plain = "ftk_" + secrets.token_urlsafe(32)
            session.add(
                FeedToken(
                    municipality_id=municipality.id,
                    token_hash=hashlib.sha256(plain.encode()).hexdigest(),
                    created_by_id=user_id,
                )
            )
        else:
            _row, plain = create_feed_token(session, user, municipality)
        session.commit()
    return plain
