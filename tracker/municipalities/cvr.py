"""CVR numbers: the modulus-11 check, the shipped municipality list, and an admin's correction.

The list (``kommuner-cvr.csv``: kode, navn, cvr) comes from the table of responsible authorities
(``d_basis_ansvarlig_myndighed``) in the public database script of OS2's GREG project: a third-party
compilation, so its numbers are stored as ``reported`` until an admin confirms or corrects one. A wrong CVR would
send single sign-on logins to the wrong municipality; ``tracker seed`` never overwrites a corrected number.
"""

from __future__ import annotations

import csv
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth import audit
from tracker.errors import Conflict, NotFound, ValidationError
from tracker.models import Municipality, Organisation, User

CVR_SOURCE = "OS2 GREG, databasescript: tabellen d_basis_ansvarlig_myndighed (tredjepartsliste)"
WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def valid_cvr(cvr: str) -> bool:
    """Eight digits, not starting with 0, whose weighted sum (2,7,6,5,4,3,2,1) is divisible by 11."""
    if len(cvr) != 8 or not cvr.isdigit() or cvr[0] == "0":
        return False
    return sum(int(d) * w for d, w in zip(cvr, WEIGHTS, strict=True)) % 11 == 0


def normalise_cvr(raw: str) -> str:
    """A CVR as typed ('DK 29 18 98 46', 'CVR: 29189846') reduced to its digits."""
    text = raw.strip().upper().removeprefix("CVR").strip(" :").removeprefix("DK")
    return "".join(ch for ch in text if not ch.isspace() and ch != "-")


def shipped_cvrs() -> dict[str, str]:
    """Kommunekode → CVR from the shipped list."""
    text = resources.files("tracker.municipalities").joinpath("kommuner-cvr.csv").read_text(encoding="utf-8")
    return {row["kode"]: row["cvr"] for row in csv.DictReader(text.splitlines())}


def fill_missing(session: Session) -> int:
    """Give every municipality without a CVR the shipped one (as ``reported``); returns how many were filled."""
    shipped = shipped_cvrs()
    filled = 0
    for municipality in session.scalars(select(Municipality).where(Municipality.cvr.is_(None))):
        cvr = shipped.get(municipality.code)
        if cvr and session.scalar(select(Municipality.id).where(Municipality.cvr == cvr)) is None:
            municipality.cvr, municipality.cvr_status, municipality.cvr_source = cvr, "reported", CVR_SOURCE
            filled += 1
    session.flush()
    return filled


def _checked(raw: str) -> str:
    cvr = normalise_cvr(raw)
    if not valid_cvr(cvr):
        raise ValidationError("municipalities.cvr_invalid", {"cvr": "Skal være 8 cifre med gyldigt kontrolciffer."})
    return cvr


def _taken(
    session: Session, cvr: str, *, municipality_id: int | None = None, organisation_id: int | None = None
) -> bool:
    m = session.scalar(select(Municipality.id).where(Municipality.cvr == cvr))
    o = session.scalar(select(Organisation.id).where(Organisation.cvr == cvr))
    return (m is not None and m != municipality_id) or (o is not None and o != organisation_id)


def correct_municipality_cvr(session: Session, *, code: str, cvr: str, source: str, actor: User) -> Municipality:
    """An admin's correction (or confirmation) of a municipality's CVR, with its source; audited."""
    municipality = session.scalar(select(Municipality).where(Municipality.code == code.strip()))
    if municipality is None:
        raise NotFound("municipalities.municipality_code_unknown", {"code": "Findes ikke."})
    number = _checked(cvr)
    if not source.strip():
        raise ValidationError("municipalities.cvr_source_missing", {"source": "Skal udfyldes."})
    if _taken(session, number, municipality_id=municipality.id):
        raise Conflict("municipalities.cvr_taken", {"cvr": "Findes allerede."})
    before = municipality.cvr
    municipality.cvr, municipality.cvr_status, municipality.cvr_source = number, "confirmed", source.strip()[:1000]
    audit.record(
        session,
        "municipality.cvr_corrected",
        actor=actor,
        object_type="municipality",
        object_id=municipality.code,
        details={"before": before, "after": number, "source": municipality.cvr_source},
    )
    session.flush()
    return municipality


def set_organisation_cvr(session: Session, *, organisation: Organisation, cvr: str, actor: User) -> Organisation:
    """Set (or clear, with an empty value) an organisation's CVR; audited."""
    number = _checked(cvr) if cvr.strip() else None
    if number is not None and _taken(session, number, organisation_id=organisation.id):
        raise Conflict("municipalities.cvr_taken", {"cvr": "Findes allerede."})
    before = organisation.cvr
    organisation.cvr = number
    audit.record(
        session,
        "organisation.cvr_set",
        actor=actor,
        object_type="organisation",
        object_id=organisation.slug,
        details={"before": before, "after": number},
    )
    session.flush()
    return organisation
