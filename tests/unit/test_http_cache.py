"""The read cache keyed by the newest change event: bounded, never stale, and 304s for If-None-Match."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import create_app
from tracker.db import get_db
from tracker.http_cache import CachedResponse, ResponseCache
from tracker.models import Solution
from tracker.registry.actors import SYSTEM
from tracker.registry.services import create_solution, update_solution


def _entry(size: int, etag: str = '"x"') -> CachedResponse:
    return CachedResponse(b"x" * size, "application/json", etag)


def test_an_entry_holds_only_for_the_stamp_it_was_rendered_at() -> None:
    cache = ResponseCache()
    cache.put((7, "t7"), "k", _entry(3))
    assert cache.get((7, "t7"), "k") == _entry(3)
    # Same id, another instant: SQLite reuses a rolled-back id, so the id alone is not enough.
    assert cache.get((7, "t7-again"), "k") is None
    assert len(cache) == 0  # the stale entry is dropped, not kept beside the new state


def test_least_recently_used_entries_go_first_when_bytes_or_entries_run_out() -> None:
    cache = ResponseCache(max_bytes=10, max_entries=3)
    stamp = (1, "t")
    cache.put(stamp, "a", _entry(4))
    cache.put(stamp, "b", _entry(4))
    assert cache.get(stamp, "a") is not None  # a is now the most recently used
    cache.put(stamp, "c", _entry(4))  # 12 bytes > 10: b goes
    assert cache.get(stamp, "b") is None and cache.get(stamp, "a") is not None
    cache.put(stamp, "d", _entry(1))
    cache.put(stamp, "e", _entry(1))  # 4 entries > 3: the oldest goes
    assert len(cache) == 3
    cache.put(stamp, "huge", _entry(11))  # larger than the whole budget: not cached at all
    assert cache.get(stamp, "huge") is None


def test_list_sends_an_etag_and_answers_304_to_it(client: FlaskClient) -> None:
    first = client.get("/api/v1/solutions?limit=5")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    # Anonymous: a shared cache may keep it; clients revalidate with the ETag once it is stale.
    assert etag.startswith('W/"e') and first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get("/api/v1/solutions?limit=5", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    other_page = client.get("/api/v1/solutions?limit=6")
    assert other_page.get_json()["limit"] == 6  # the query string is part of the key


def test_a_change_is_served_at_once_and_old_etags_stop_matching(client: FlaskClient, session: Session) -> None:
    before = client.get("/api/v1/solutions/aula")
    listed = client.get("/api/v1/solutions?limit=500")
    aula = session.scalar(select(Solution).where(Solution.slug == "aula"))
    assert aula is not None
    update_solution(session, aula, {"switch_text": "efterår 2031"}, actor=SYSTEM)
    session.commit()

    after = client.get("/api/v1/solutions/aula", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.get_json()["switch_date"]["text"] == "efterår 2031"
    assert after.headers["ETag"] == f'"v{aula.version}"' != before.headers["ETag"]
    relisted = client.get("/api/v1/solutions?limit=500", headers={"If-None-Match": listed.headers["ETag"]})
    assert relisted.status_code == 200
    texts = {i["slug"]: i["switch_date"]["text"] for i in relisted.get_json()["items"]}
    assert texts["aula"] == "efterår 2031"


def test_a_missing_solution_is_not_cached_as_missing(client: FlaskClient, session: Session) -> None:
    assert client.get("/api/v1/solutions/ny-loesning").status_code == 404
    create_solution(session, actor=SYSTEM, slug="ny-loesning", name="Ny løsning")
    session.commit()
    assert client.get("/api/v1/solutions/ny-loesning").status_code == 200


def test_absolute_urls_follow_the_host_asked(database_url: str) -> None:
    # An app without SERVER_NAME builds absolute URLs from the request's host, so the host is part of the key.
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "SERVER_NAME": None})
    client = app.test_client()
    here = client.get("/api/v1/solutions/fmk", base_url="http://127.0.0.1").get_json()["url"]
    there = client.get("/api/v1/solutions/fmk", base_url="http://tracker.example").get_json()["url"]
    get_db(app).engine.dispose()
    assert here.startswith("http://127.0.0.1/")
    assert there.startswith("http://tracker.example/")
