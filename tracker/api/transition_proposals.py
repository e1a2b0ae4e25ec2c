"""Proposals of transitions: ``POST /api/v1/solutions/{slug}/transitions/proposals`` (a new transition) and
``POST /api/v1/transitions/{id}/proposals`` (a change to one, or its cancellation), each with its source.

Bodies have the shape ``POST``/``PATCH /api/v1/transitions`` take (without ``reason``), plus ``evidence`` (the
source's words) and/or ``source_url``. They are checked as a direct write is (a Danish 422 storing nothing),
become proposals listed, accepted and rejected under ``/api/v1/proposals`` (``target: "transition"``), and a
trusted vendor's is accepted at once. Who may: ``transition.propose``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from tracker.api.edit_schemas import ProposalSchema
from tracker.api.proposals import proposal_dict
from tracker.api.solution_writes import documented
from tracker.api.transition_schemas import TransitionProposalChangeSchema, TransitionProposalNewSchema
from tracker.api.transitions import fields_from
from tracker.auth.protect import acting_user, requires
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.models import Proposal
from tracker.models.vocab import SwitchState
from tracker.registry import queries
from tracker.registry import transitions as tq
from tracker.review.transition_proposals import create_transition_proposal

blp = Blueprint(
    "api_transition_proposals",
    __name__,
    description="Forslag til overgange: en ny overgang eller en ændring af en, gennemset som andre forslag.",
)
_SOURCE_KEYS = ("evidence", "source_url")


def proposed_fields(session: Session, data: dict[str, Any], today: date) -> dict[str, Any]:
    """A proposal's body (the shape of the transitions API, plus ``cancel``) → ``transition_writes`` fields."""
    data = {k: v for k, v in data.items() if k not in (*_SOURCE_KEYS, "transition")}
    cancel = bool(data.pop("cancel", False))
    fields = fields_from(session, data, today)
    if cancel:
        fields["state"] = SwitchState.CANCELLED.value
    return fields


def _created(proposal: Proposal) -> Response:
    resp = jsonify(ProposalSchema().dump(proposal_dict(proposal)))
    resp.status_code = 201
    resp.headers["Location"] = url_for("api_proposals.ProposalItem", proposal_id=proposal.id, _external=True)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blp.route("/solutions/<string:slug>/transitions/proposals")
class NewTransitionProposal(MethodView):
    """Propose a new transition of a solution."""

    @blp.arguments(TransitionProposalNewSchema)
    @blp.response(201, ProposalSchema)
    @documented(blp, 401, 403, 404, 422)
    @requires("transition.propose")
    def post(self, data: dict[str, Any], slug: str) -> Response:
        """Propose a new transition, with its source (vendors: the solutions they build or provide;
        municipalities' users and coordinators: any). Reviewed at /api/v1/proposals; a trusted vendor's is
        accepted at once. Sends its Location."""
        user = acting_user()
        session = get_session()
        solution = queries.get_solution(session, slug)
        proposal = create_transition_proposal(
            session,
            proposer=user,
            solution=solution,
            transition=None,
            fields=proposed_fields(session, data, today_in_denmark()),
            evidence=data.get("evidence"),
            source_url=data.get("source_url"),
        )
        return _created(proposal)


@blp.route("/transitions/<int(max=2147483647):transition_id>/proposals")
class TransitionChangeProposal(MethodView):
    """Propose a change to a transition."""

    @blp.arguments(TransitionProposalChangeSchema)
    @blp.response(201, ProposalSchema)
    @documented(blp, 401, 403, 404, 422)
    @requires("transition.propose")
    def post(self, data: dict[str, Any], transition_id: int) -> Response:
        """Propose a change to a transition (only the fields sent), or ``cancel: true``, with its source. It is
        made against the transition's current version: a change meanwhile makes it stale (accepting then needs
        ``confirm_stale``). Sends its Location."""
        user = acting_user()
        session = get_session()
        transition = tq.get_transition(session, transition_id)
        proposal = create_transition_proposal(
            session,
            proposer=user,
            solution=transition.solution,
            transition=transition,
            fields=proposed_fields(session, data, today_in_denmark()),
            evidence=data.get("evidence"),
            source_url=data.get("source_url"),
        )
        return _created(proposal)
