"""IdPs, portfolio entries, readiness rows and the overviews as JSON-ready dicts (the API's shapes).

The exports flatten the same readiness rows (``exports.readiness_table``), so the API, the page, CSV and XLSX
always list the same solutions in the same order with the same verdicts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for

from tracker.models import Idp, IdpChange, Municipality, PortfolioEntry, Solution
from tracker.municipalities.actions import action_dict
from tracker.municipalities.lockout import Period
from tracker.municipalities.overview import MunicipalityVerdict, NationalPicture, Popular, Upcoming
from tracker.municipalities.readiness import LOA_OF_RANK, Readiness, ReadinessRow, Status
from tracker.municipalities.requirements import SolutionFacts, TransitionRef
from tracker.vocabulary import READINESS_LABELS


def solution_ref(solution: Solution) -> dict[str, Any]:
    """A solution named inside another object."""
    return {
        "slug": solution.slug,
        "name": solution.name,
        "url": url_for("web.solution", slug=solution.slug, _external=True),
    }


def municipality_ref(municipality: Municipality) -> dict[str, Any]:
    """A municipality named inside another object."""
    return {"code": municipality.code, "name": municipality.name}


def idp_dict(idp: Idp) -> dict[str, Any]:
    """An IdP as the API shows it."""
    return {
        "id": idp.id,
        "name": idp.name,
        "user_group": idp.user_group,
        "notified_loa": idp.notified_loa,
        "broker": idp.broker,
        "is_primary": idp.is_primary,
        "created_at": idp.created_at,
        "updated_at": idp.updated_at,
    }


def idp_ref(idp: Idp | None) -> dict[str, Any] | None:
    """An IdP named inside another object (None: no IdP)."""
    if idp is None:
        return None
    return {"id": idp.id, "name": idp.name, "user_group": idp.user_group, "notified_loa": idp.notified_loa}


def requirement_ref(facts: SolutionFacts | None) -> dict[str, Any] | None:
    """The solution or broker whose requirement drives a readiness row."""
    return None if facts is None else {"slug": facts.slug, "name": facts.name}


def portfolio_entry_dict(entry: PortfolioEntry) -> dict[str, Any]:
    """A portfolio entry: the solution, the IdPs whose staff use it (empty: the primary IdP), a note.

    ``idp`` is the first of them, kept for clients of the one-IdP shape.
    """
    return {
        "solution": solution_ref(entry.solution),
        "idps": [idp_ref(i) for i in entry.idps],
        "idp": idp_ref(entry.idps[0]) if entry.idps else None,
        "note": entry.note,
        "added_at": entry.created_at,
    }


def switch_dict(solution: Solution) -> dict[str, Any]:
    """The switch-date interval, without provenance."""
    return {
        "earliest": solution.switch_earliest_on,
        "latest": solution.switch_latest_on,
        "precision": solution.switch_precision,
        "text": solution.switch_text,
        "state": solution.switch_state,
        "status": solution.switch_status,
    }


def idp_change_dict(change: IdpChange) -> dict[str, Any]:
    """A planned change of an IdP or its staff group, as the API shows it."""
    return {
        "id": change.id,
        "idp": idp_ref(change.idp),
        "kind": change.kind,
        "effective_on": change.effective_on,
        "notified_loa": change.notified_loa,
        "target_idp": idp_ref(change.target_idp),
        "destination": change.destination,
        "note": change.note,
        "created_at": change.created_at,
    }


def period_dict(period: Period) -> dict[str, Any]:
    """A lock-out period: from (None: before any known day) until the first day staff are let in again (None)."""
    return {
        "from": period.start,
        "until": period.end,
        "required_loa": LOA_OF_RANK.get(period.required),
        "idp_loa": LOA_OF_RANK.get(period.have),
        "requirement_from": period.source or None,
    }


def transition_to_act_dict(t: TransitionRef) -> dict[str, Any]:
    """A transition that asks the municipality or its local IdP to act, with its act-by day."""
    return {
        "id": t.id,
        "solution": {"slug": t.solution_slug, "name": t.solution_name},
        "kind": t.kind,
        "title": t.title,
        "earliest": t.earliest_on,
        "latest": t.latest_on,
        "state": t.state,
        "required_loa": t.required_loa,
        "act_by": t.act_by_on,
        "act_by_derived": t.act_by_derived,
        "who_must_act": list(t.who_must_act),
        "what_to_do": t.what_to_do,
        "category": t.category,
        "major": t.major,
    }


def readiness_row_dict(row: ReadinessRow) -> dict[str, Any]:
    """One readiness line."""
    verdict = row.assessment
    return {
        "solution": solution_ref(row.solution),
        "status": verdict.status.value,
        "status_text": str(READINESS_LABELS[verdict.status]),
        "reason": None if verdict.reason is None else {"code": verdict.reason.value, "message": verdict.message},
        "message": verdict.message,
        "days_left": verdict.days_left,
        "locked_out_from": verdict.from_day,
        "required_loa": {"value": row.solution.loa_value, "status": row.solution.loa_status},
        "switch_date": switch_dict(row.solution),
        "idp": idp_ref(row.idp),
        "idp_source": row.idp_source,
        "requirement_from": requirement_ref(row.requirement_from),
        "action": action_dict(row.action),
        "stale": row.stale,
        "staff_group": row.group,
        "lockout_periods": [period_dict(p) for p in row.periods],
        "next_lockout": period_dict(row.next_period) if row.next_period else None,
        "transitions_to_act_on": [transition_to_act_dict(t) for t in row.to_act],
    }


def readiness_dict(readiness: Readiness) -> dict[str, Any]:
    """A municipality's readiness: rows by urgency, and totals."""
    return {
        "municipality": municipality_ref(readiness.municipality),
        "today": readiness.today,
        "totals": readiness.totals,
        "items": [readiness_row_dict(r) for r in readiness.rows],
        "transitions_to_act_on": [transition_to_act_dict(t) for t in readiness.to_act],
    }


def _verdict_dict(verdict: MunicipalityVerdict) -> dict[str, Any]:
    assessment = verdict.assessment
    return {
        **municipality_ref(verdict.municipality),
        "idp": idp_ref(verdict.idp),
        "group": verdict.group,
        "from": assessment.from_day,
        "days_left": assessment.days_left,
        "reason": assessment.reason.value if assessment.reason else None,
    }


def national_dict(picture: NationalPicture) -> dict[str, Any]:
    """The national picture: per solution, counts and which municipalities are locked out or at risk."""
    return {
        "today": picture.today,
        "totals": picture.totals,
        "items": [
            {
                "solution": solution_ref(item.solution),
                "required_loa": {"value": item.solution.loa_value, "status": item.solution.loa_status},
                "switch_date": switch_dict(item.solution),
                "users": item.users,
                "groups": len(item.verdicts),
                "counts": item.counts,
                "municipality_counts": item.municipality_counts,
                "locked_out": [_verdict_dict(v) for v in item.having(Status.LOCKED_OUT)],
                "at_risk": [_verdict_dict(v) for v in item.having(Status.AT_RISK)],
                "unknown": [_verdict_dict(v) for v in item.having(Status.UNKNOWN)],
            }
            for item in picture.items
        ],
    }


def upcoming_dict(start: date, until: date, items: list[Upcoming]) -> dict[str, Any]:
    """Upcoming switches within the window."""
    return {
        "from": start,
        "until": until,
        "items": [
            {
                "solution": solution_ref(u.solution),
                "required_loa": {"value": u.solution.loa_value, "status": u.solution.loa_status},
                "switch_date": switch_dict(u.solution),
                "days_until": u.days_until,
            }
            for u in items
        ],
    }


def popular_dict(items: list[Popular], *, with_municipalities: bool) -> dict[str, Any]:
    """The most used solutions; the municipalities themselves only when the caller may see them."""
    out = []
    for item in items:
        row: dict[str, Any] = {"solution": solution_ref(item.solution), "municipalities_count": item.count}
        if with_municipalities:
            row["municipalities"] = [municipality_ref(m) for m in item.municipalities]
        out.append(row)
    return {"items": out, "municipalities_included": with_municipalities}
