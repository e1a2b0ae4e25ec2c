"""Inquiries at a scale far beyond reality: N questions on one solution, each followed by many municipalities.

Prints the median time of the list (first page, both orders), the solution's summary and the solution page,
each as a ratio against /healthz on the same app in the same run (speed is relative, never asserted).
``python -m tests.benchmarks.inquiries_scale [N]`` (SQLite in a temporary folder).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from tests.support.apps import make_test_app
from tracker.clock import utcnow
from tracker.db import get_db, make_engine
from tracker.inquiries import queries
from tracker.migrate import upgrade
from tracker.models import Inquiry, InquiryFollower, Municipality, Solution, User
from tracker.seed import seed


def _median_ms(fn: Callable[[], object], repeat: int = 15) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(n: int) -> None:
    """Build the data, then time the reads."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        rng = random.Random(15)
        with sessionmaker(bind=engine)() as session:
            seed(session)
            session.flush()
            nexus = session.scalars(select(Solution).where(Solution.slug == "kmd-nexus")).one()
            municipalities = list(session.scalars(select(Municipality.id)))
            users = [User(email=f"u{m}@bench.dk", role="municipality", municipality_id=m) for m in municipalities]
            session.add_all(users)
            session.flush()
            now = utcnow()
            for i in range(n):
                state = rng.choice(("open", "open", "asked", "answered", "closed"))
                inquiry = Inquiry(
                    solution_id=nexus.id,
                    question=f"Spørgsmål {i}",
                    state=state,
                    asker_label="Bench Kommune",
                    created_at=now - timedelta(minutes=i),
                )
                session.add(inquiry)
                session.flush()
                chosen = rng.sample(users, rng.randint(1, 40))
                inquiry.waiting = len(chosen)  # one user per municipality here
                for user in chosen:
                    session.add(
                        InquiryFollower(inquiry_id=inquiry.id, user_id=user.id, municipality_id=user.municipality_id)
                    )
            session.commit()
            followers = session.query(InquiryFollower).count()
        engine.dispose()
        app = make_test_app(url, SERVER_NAME=None)
        client = app.test_client()
        with app.app_context(), get_db(app).sessionmaker() as session:
            nexus = session.scalars(select(Solution).where(Solution.slug == "kmd-nexus")).one()
            figures = {
                "list by waiting (50)": _median_ms(lambda: queries.list_inquiries(session, limit=50)),
                "list oldest unanswered (50)": _median_ms(
                    lambda: queries.list_inquiries(session, oldest_unanswered_first=True, limit=50)
                ),
                "summary": _median_ms(lambda: queries.summary(session, nexus)),
            }
        base = _median_ms(lambda: client.get("/healthz"))
        figures["GET /loesninger/kmd-nexus"] = _median_ms(lambda: client.get("/loesninger/kmd-nexus"))
        figures["GET /api/v1/inquiries"] = _median_ms(lambda: client.get("/api/v1/inquiries"))
        print(f"{n} inquiries, {followers} followers; /healthz {base:.2f} ms")
        for name, ms in figures.items():
            print(f"  {name:32} {ms:8.2f} ms  {ms / base:6.1f}× /healthz")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
