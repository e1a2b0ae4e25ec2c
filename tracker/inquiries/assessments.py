"""Shared risk assessments: one municipality or organisation assesses a solution on behalf of all (or some).

Recording one is a coordinator's task. Its concluded level can be proposed as the solution's required level,
with the assessment as the source (source kind ``risk_assessment``); the proposal is reviewed as usual.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth.permissions import require
from tracker.clock import today_in_denmark
from tracker.errors import ValidationError
from tracker.i18n import translated as _
from tracker.inquiries.public import municipality_label
from tracker.models import Municipality, Organisation, RiskAssessment, Solution, User
from tracker.models.inquiries import ASSESSED_LEVELS
from tracker.models.vocab import SourceKind
from tracker.review.services import create_proposal

MAX_NOTE = 2000
CODE_RE = re.compile(r"[0-9]{3}")


def by_label(assessment: RiskAssessment) -> str:
    """Who made the assessment, as the public sees it."""
    if assessment.by_municipality is not None:
        return municipality_label(assessment.by_municipality)
    return assessment.by_organisation.name if assessment.by_organisation is not None else ""


def _made_by(session: Session, by: str) -> tuple[Municipality | None, Organisation | None]:
    if CODE_RE.fullmatch(by):
        municipality = session.scalar(select(Municipality).where(Municipality.code == by))
        if municipality is None:
            raise ValidationError(_("Ukendt kommunekode '%(code)s'.", code=by), {"by": _("Findes ikke.")})
        return municipality, None
    organisation = session.scalar(select(Organisation).where(Organisation.slug == by))
    if organisation is None:
        raise ValidationError(_("Ukendt organisation '%(slug)s'.", slug=by[:80]), {"by": _("Findes ikke.")})
    return None, organisation


def _on_behalf_of(session: Session, value: Any) -> str | list[str]:
    if value == "all":
        return "all"
    if not isinstance(value, list) or not value or not all(isinstance(c, str) for c in value):
        raise ValidationError(
            _("'on_behalf_of' skal være \"all\" eller en liste af kommunekoder."), {"on_behalf_of": _("Ugyldig.")}
        )
    codes = sorted(set(value))
    known = set(session.scalars(select(Municipality.code).where(Municipality.code.in_(codes))))
    if unknown := [c for c in codes if c not in known]:
        raise ValidationError(
            _("Ukendte kommunekoder: %(codes)s.", codes=", ".join(c[:5] for c in unknown[:10])),
            {"on_behalf_of": _("Findes ikke.")},
        )
    return codes


def record(
    session: Session,
    *,
    user: User | None,
    solution: Solution,
    by: str,
    on_behalf_of: Any,
    assessed_on: date,
    concluded_loa: str,
    document_url: str | None = None,
    note: str | None = None,
    propose: bool = False,
) -> RiskAssessment:
    """Record an assessment (coordinators); with ``propose`` its level becomes a pending proposal."""
    user = require(user, "risk_assessment.record", solution, details={"solution": solution.slug})
    if concluded_loa not in ASSESSED_LEVELS:
        raise ValidationError(
            _("Konklusionen skal være et af niveauerne lav, betydelig eller hoej."), {"concluded_loa": _("Ugyldig.")}
        )
    if assessed_on > today_in_denmark():
        raise ValidationError(
            _("En risikovurdering kan ikke være lavet i fremtiden."), {"assessed_on": _("Må ikke ligge efter i dag.")}
        )
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise ValidationError(_("Bemærkningen må højst have %(max)s tegn.", max=MAX_NOTE), {"note": _("For lang.")})
    municipality, organisation = _made_by(session, by)
    assessment = RiskAssessment(
        solution_id=solution.id,
        by_municipality_id=municipality.id if municipality else None,
        by_organisation_id=organisation.id if organisation else None,
        on_behalf_of=_on_behalf_of(session, on_behalf_of),
        assessed_on=assessed_on,
        concluded_loa=concluded_loa,
        document_url=document_url or None,
        note=note,
        recorded_by_id=user.id,
    )
    session.add(assessment)
    session.flush()
    session.refresh(assessment)
    if propose:
        who = "alle kommuner" if assessment.on_behalf_of == "all" else ", ".join(assessment.on_behalf_of)
        evidence = (
            f"Risikovurdering #{assessment.id} af {by_label(assessment)} på vegne af {who}, "
            f"{assessed_on.isoformat()}: {concluded_loa}." + (f" {note}" if note else "")
        )
        proposal = create_proposal(
            session,
            proposer=user,
            solution=solution,
            changes={
                "loa_value": concluded_loa,
                "loa_source_kind": SourceKind.RISK_ASSESSMENT.value,
                "loa_source_url": assessment.document_url,
                "loa_evidence": evidence[:5000],
            },
            evidence=evidence[:5000],
            source_url=assessment.document_url,
        )
        assessment.proposal_id = proposal.id
        session.flush()
    return assessment
