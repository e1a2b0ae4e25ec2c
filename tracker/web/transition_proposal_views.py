"""Proposing a transition from the solution page: "Foreslå ny overgang" and, on each transition of the timeline,
"Foreslå ændring" — a form without JavaScript for whoever ``transition.propose`` lets in (the solution's vendor
or service provider, municipalities' users, coordinators). The proposal goes to the review queue (``/forslag``)
like every other, through ``review.transition_proposals``; a trusted vendor's is accepted at once.

The change form is filled with the transition as it is; only the fields that differ when it is sent are
proposed, so an untouched form proposes nothing (and says so).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.permissions import require
from tracker.auth.protect import acting_user, requires
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.errors import AppError, NotFound, ValidationError
from tracker.models import Solution, Transition, User
from tracker.models.vocab import Loa, SwitchState, TransitionCategory, TransitionKind, WhoMustAct
from tracker.registry import queries
from tracker.registry import transitions as tq
from tracker.review.changes import switch_from_text
from tracker.review.transition_proposals import create_transition_proposal
from tracker.vocabulary import (
    LOA_LABELS,
    STATE_LABELS,
    TRANSITION_CATEGORY_LABELS,
    TRANSITION_KIND_LABELS,
    WHO_MUST_ACT_LABELS,
)
from tracker.web.form_changes import switch_words
from tracker.web.forms import TransitionFields, TransitionProposalForm, options
from tracker.web.guards import send_anonymous_to_login

bp = Blueprint("transition_proposals", __name__)
send_anonymous_to_login(bp)

Page = str | tuple[str, int]
# The solution's switch fields ``switch_from_text`` gives → the transition's.
_FROM_SWITCH = {
    "switch_earliest_on": "earliest_on",
    "switch_latest_on": "latest_on",
    "switch_precision": "precision",
    "switch_text": "text",
}
# Where a service's field problem shows on the form.
_ERROR_FIELDS = {
    "earliest_on": "date_text",
    "latest_on": "date_text",
    "precision": "date_text",
    "text": "date_text",
    "switch_text": "date_text",
    "act_by_on": "act_by",
    "replaced_by": "kind",
    "changes": "evidence",
    "status": "evidence",
    "loa_status": "evidence",
}


def prepare_fields(form: TransitionFields, *, blank: bool = False) -> None:
    """The choices of a transition's fields (kinds, levels, categories, who acts), in the reader's language;
    ``blank``: every choice may be left empty ('not said'), as in an inquiry's answer."""
    empty = [("", "–")] if blank else []
    form.kind.choices = options(
        [*empty, *((k.value, TRANSITION_KIND_LABELS.get(k.value, k.value)) for k in TransitionKind)]
    )
    form.required_loa.choices = options(
        [("", "–"), *((v.value, LOA_LABELS.get(v.value, v.value)) for v in Loa if v != Loa.UKENDT)]
    )
    form.category.choices = options(
        [*empty, *((c.value, TRANSITION_CATEGORY_LABELS.get(c.value, c.value)) for c in TransitionCategory)]
    )
    form.who_must_act.choices = options((w.value, WHO_MUST_ACT_LABELS.get(w.value, w.value)) for w in WhoMustAct)
    if blank:
        form.state.choices = options([*empty, *((v.value, STATE_LABELS.get(v.value, v.value)) for v in SwitchState)])
        # Left out or empty says nothing; a value outside the vocabularies is refused by the rules of the writes.
        for select in (form.kind, form.state, form.category, form.required_loa):
            select.validate_choice = False


def shown(t: Transition) -> dict[str, Any]:
    """What the change form shows for a transition (and what counts as 'not changed')."""
    return {
        "kind": t.kind,
        "title": t.title,
        "description": t.description or "",
        "date_text": switch_words(
            t.text,
            t.earliest_on.isoformat() if t.earliest_on else None,
            t.latest_on.isoformat() if t.latest_on else None,
        ),
        "state": t.state,
        "act_by": t.act_by_on.isoformat() if t.act_by_on and not t.act_by_derived else "",
        "required_loa": t.required_loa if t.required_loa not in (None, Loa.UKENDT.value) else "",
        "category": t.category,
        "major": bool(t.major),
        "who_must_act": sorted(t.who_must_act or []),
        "what_to_do": t.what_to_do or "",
    }


def _defaults() -> dict[str, Any]:
    """A new transition's form: nothing known until someone says it."""
    return {
        "kind": TransitionKind.PROTOCOL.value,
        "state": SwitchState.UNKNOWN.value,
        "category": TransitionCategory.STAY_INFORMED.value,
        "required_loa": "",
        "who_must_act": [],
    }


def _fill(form: TransitionProposalForm, values: dict[str, Any]) -> None:
    for name, value in values.items():
        form[name].data = value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("Nogle felter er ugyldige."), {"act_by": _("Skriv datoen som ÅÅÅÅ-MM-DD (fx 2027-03-01).")}
        ) from None


def submitted(form: TransitionFields, before: dict[str, Any], *, only_filled: bool = False) -> dict[str, Any]:
    """The form's values that differ from ``before`` (the transition as shown; a new one: nothing), as
    ``transition_writes`` fields; ``only_filled``: a field left empty says nothing (an inquiry's answer, whose
    form is not filled with the transition)."""
    now = {
        "kind": form.kind.data,
        "title": (form.title.data or "").strip(),
        "description": (form.description.data or "").strip(),
        "date_text": (form.date_text.data or "").strip(),
        "state": form.state.data,
        "act_by": (form.act_by.data or "").strip(),
        "required_loa": form.required_loa.data or "",
        "category": form.category.data,
        "major": bool(form.major.data),
        "who_must_act": sorted(form.who_must_act.data or []),
        "what_to_do": (form.what_to_do.data or "").strip(),
    }
    fields: dict[str, Any] = {}
    for name, value in now.items():
        if (name in before and before[name] == value) or (only_filled and value in ("", [], False, None)):
            continue
        if name == "date_text":
            interval = switch_from_text(value or None, today=today_in_denmark(), field="date_text")
            fields.update({_FROM_SWITCH[k]: v for k, v in interval.items()})
        elif name == "act_by":
            fields["act_by_on"] = _day(value) if value else None
        elif name in ("description", "what_to_do", "required_loa"):
            fields[name] = value or None
        elif name == "title" and not value and not before:
            continue  # a new transition without a title: the rules say so
        else:
            fields[name] = value
    if form.cancel.data:
        fields["state"] = SwitchState.CANCELLED.value
    return fields


def place_errors(form: Any, exc: AppError, prefix: str = "") -> None:
    """Put a service's field problems next to the fields they concern (``prefix``: the details name the fields
    under it, as an inquiry's answer does: ``propose_transition.…``)."""
    for key, problem in (exc.details or {}).items():
        name = _ERROR_FIELDS.get(key.removeprefix(prefix), key.removeprefix(prefix))
        if name in form:
            form[name].errors = [*list(form[name].errors or []), str(problem)]


def _page(
    form: TransitionProposalForm, solution: Solution, transition: Transition | None, status: int = 200, **extra: Any
) -> Page:
    page = render_template(
        "edit/transition_proposal_form.html", form=form, solution=solution, transition=transition, **extra
    )
    return page, status


def _propose(user: User, solution: Solution, transition: Transition | None) -> Page | BaseResponse:
    form = TransitionProposalForm()
    prepare_fields(form)
    before = shown(transition) if transition is not None else {}
    if not form.is_submitted():
        _fill(form, before or _defaults())
        return _page(form, solution, transition)
    if not form.validate_on_submit():
        return _page(form, solution, transition, 422)
    try:
        proposal = create_transition_proposal(
            get_session(),
            proposer=user,
            solution=solution,
            transition=transition,
            fields=submitted(form, before),
            evidence=form.evidence.data,
            source_url=form.source_url.data or None,
        )
    except AppError as exc:
        place_errors(form, exc)
        return _page(form, solution, transition, exc.status, form_error=exc.message)
    if proposal.state == "accepted":
        flash(_("Tak. Jeres organisation er betroet, så overgangen er allerede registreret."), "info")
    else:
        flash(_("Tak. Forslaget er sendt til en koordinator, som gennemgår det."), "info")
    return redirect(url_for("review.mine"))


def _solution(slug: str) -> tuple[User, Solution]:
    user = acting_user()
    solution = queries.get_solution(get_session(), slug)
    require(user, "transition.propose", solution, web=True, details={"solution": slug})
    return user, solution


@bp.route("/loesninger/<string:slug>/overgange/foreslaa", methods=["GET", "POST"])
@requires("transition.propose")
def propose_new(slug: str) -> Page | BaseResponse:
    """Propose a new transition of the solution, with its source."""
    user, solution = _solution(slug)
    return _propose(user, solution, None)


@bp.route("/loesninger/<string:slug>/overgange/<int(max=2147483647):transition_id>/foreslaa", methods=["GET", "POST"])
@requires("transition.propose")
def propose_change(slug: str, transition_id: int) -> Page | BaseResponse:
    """Propose a change to one of the solution's transitions (or that it will not happen), with its source."""
    user, solution = _solution(slug)
    transition = tq.get_transition(get_session(), transition_id)
    if transition.solution_id != solution.id:
        raise NotFound(_("Der findes ingen overgang med id %(id)s.", id=transition_id))
    return _propose(user, solution, transition)
