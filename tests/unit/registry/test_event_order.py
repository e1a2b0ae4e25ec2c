"""Event ids become visible in id order, so the catch-up cursor never steps past a late commit (PostgreSQL)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from tests.support.databases import fresh_database
from tests.support.waiting import lock_waiters, wait_until
from tracker.db import make_engine
from tracker.migrate import upgrade
from tracker.models import ChangeEvent, Solution
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution, update_solution
from tracker.seed import seed


@pytest.mark.postgres
def test_a_second_writer_waits_until_the_first_event_commits(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "postgresql") as url:
        engine = make_engine(url)
        upgrade(engine)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        with factory() as s:
            seed(s)
            create_solution(s, actor=SYSTEM, slug="order-a", name="A")
            create_solution(s, actor=SYSTEM, slug="order-b", name="B")
            s.commit()

        first = factory()
        a = first.scalar(select(Solution).where(Solution.slug == "order-a"))
        assert a is not None
        update_solution(first, a, {"broker": "first"}, actor=SYSTEM)  # holds the event lock, not committed

        second_done = threading.Event()

        def second_writer() -> None:
            with factory() as s:
                b = s.scalar(select(Solution).where(Solution.slug == "order-b"))
                assert b is not None
                update_solution(s, b, {"broker": "second"}, actor=SYSTEM)
                s.commit()
            second_done.set()

        thread = threading.Thread(target=second_writer)
        thread.start()
        wait_until(lambda: lock_waiters(engine) >= 1, what="the second writer waits on the event-order lock")
        assert not second_done.is_set(), "the second writer drew an event id while the first was uncommitted"
        first.commit()
        first.close()
        thread.join(timeout=10)
        assert second_done.is_set()

        with factory() as s:
            events = s.scalars(
                select(ChangeEvent)
                .join(Solution, Solution.id == ChangeEvent.solution_id)
                .where(ChangeEvent.type == "solution.updated", Solution.slug.in_(["order-a", "order-b"]))
                .order_by(ChangeEvent.id)
            )
            assert [e.changes["broker"]["after"] for e in events] == ["first", "second"]
        engine.dispose()
