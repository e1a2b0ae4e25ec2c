"""The shipped CVR list: 98 distinct, valid (modulus 11) numbers, one for each of the 98 municipalities."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.models import Municipality
from tracker.municipalities.cvr import CVR_SOURCE, normalise_cvr, shipped_cvrs, valid_cvr
from tracker.seed import load_municipalities


def test_the_shipped_list_has_98_distinct_valid_numbers_one_per_municipality() -> None:
    shipped = shipped_cvrs()
    codes = {row["code"] for row in load_municipalities()}
    assert len(codes) == 98 and set(shipped) == codes  # the same 98 kommunekoder, each once
    numbers = list(shipped.values())
    assert len(numbers) == 98 and len(set(numbers)) == 98
    assert all(valid_cvr(n) for n in numbers), [n for n in numbers if not valid_cvr(n)]


def test_the_modulus_11_check() -> None:
    assert valid_cvr("64942212")  # Københavns Kommune
    assert not valid_cvr("64942213") and not valid_cvr("6494221") and not valid_cvr("04942212")
    assert normalise_cvr("DK 64 94 22 12") == "64942212" and normalise_cvr("CVR: 64942212") == "64942212"


def test_the_seed_gives_every_municipality_its_number_as_reported(session: Session) -> None:
    rows = session.execute(select(Municipality.code, Municipality.cvr, Municipality.cvr_status)).all()
    assert len(rows) == 98 and {c: n for c, n, _ in rows} == shipped_cvrs()
    assert {s for _, _, s in rows} == {"reported"}
    assert session.scalar(select(func.count()).where(Municipality.cvr_source == CVR_SOURCE)) == 98
