"""Two people adding the same solution at the same moment: one wins, the other gets a 409, nothing breaks.

Needs real commits on two connections, and PostgreSQL's row locks to make the second insert wait for the
first (SQLite serialises writers before either can check), so it runs on PostgreSQL.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.support.databases import fresh_database
from tests.support.waiting import lock_waiters, wait_until
from tracker.db import make_engine
from tracker.errors import Conflict
from tracker.migrate import upgrade
from tracker.models import Municipality, PortfolioEntry
from tracker.municipalities import services
from tracker.registry.actors import SYSTEM
from tracker.seed import seed


@pytest.mark.postgres
def test_the_second_of_two_simultaneous_adds_is_a_conflict(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "postgresql") as url:
        engine = make_engine(url)
        upgrade(engine)
        make_session = sessionmaker(bind=engine, expire_on_commit=False)
        with make_session() as setup:
            seed(setup)
            setup.commit()
        first, second = make_session(), make_session()
        try:

            def copenhagen(session: Session) -> Municipality:
                found = session.scalar(select(Municipality).where(Municipality.code == "101"))
                assert found is not None
                return found

            services.add_to_portfolio(first, copenhagen(first), "aula", actor=SYSTEM)  # flushed, not committed
            outcome: dict[str, object] = {}

            def add_again() -> None:
                try:
                    services.add_to_portfolio(second, copenhagen(second), "aula", actor=SYSTEM)
                    outcome["result"] = "added"
                except Conflict as exc:
                    outcome["result"] = exc

            racer = threading.Thread(target=add_again)
            racer.start()
            wait_until(lambda: lock_waiters(engine) >= 1, what="the second insert waits on the first one's row")
            first.commit()
            racer.join(timeout=15)
            assert isinstance(outcome.get("result"), Conflict)
            assert second.execute(text("SELECT 1")).scalar() == 1  # its transaction is still usable
            second.commit()
            with make_session() as check:
                assert len(check.scalars(select(PortfolioEntry)).all()) == 1
        finally:
            first.close()
            second.close()
            engine.dispose()
