"""/api/v1/proposals — vendors report on their own solutions, municipalities correct, coordinators review.

A proposal is of the solution's facts (``target: "solution"``, made here) or of a transition (``target:
"transition"``, made at ``/api/v1/solutions/{slug}/transitions/proposals`` and ``/api/v1/transitions/{id}/proposals``,
``tracker.api.transition_proposals``); both are listed, read, accepted and rejected here.

Reads: coordinators see every proposal, everyone else only their own (another's is 'not found').
Writes take a bearer token only (the API is exempt from CSRF).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.api.edit_schemas import (
    AcceptSchema,
    ProposalCreateSchema,
    ProposalPageSchema,
    ProposalQuerySchema,
    ProposalSchema,
    RejectSchema,
)
from tracker.api.solution_writes import documented
from tracker.auth import api_user
from tracker.auth.permissions import may, require_user
from tracker.auth.protect import acting_user, requires
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.errors import NotFound
from tracker.models import Proposal, User
from tracker.registry.queries import get_solution
from tracker.review import queries
from tracker.review.changes import flatten
from tracker.review.services import accept_proposal, create_proposal, reject_proposal, visible_to

blp = Blueprint("api_proposals", __name__, description="Forslag til ændringer og gennemsyn af dem.")


def proposal_dict(proposal: Proposal) -> dict[str, Any]:
    """A proposal with its diff against the current values, as the API shows it."""
    return {
        "id": proposal.id,
        "state": queries.effective_state(proposal),
        "origin": proposal.origin,
        "solution": {"slug": proposal.solution.slug, "name": proposal.solution.name},
        "proposer": proposal.proposer_label,
        "changes": proposal.changes,
        "diff": [{"field": d.field, "current": d.current, "proposed": d.proposed} for d in queries.diff(proposal)],
        "evidence": proposal.evidence,
        "source": {"kind": proposal.source_kind, "url": proposal.source_url},
        "base_version": proposal.base_version,
        "current_version": proposal.solution.version,
        "review_reason": proposal.review_reason,
        "reviewed_by": queries.reviewer_label(get_session(), proposal),
        "reviewed_at": proposal.reviewed_at,
        "created_at": proposal.created_at,
        "event_id": proposal.event_id,
        "target": proposal.target,
        "transition": _transition(proposal),
    }


def _transition(proposal: Proposal) -> dict[str, Any] | None:
    """The transition a proposal is about (None for a proposal of the solution's facts)."""
    if proposal.target != "transition":
        return None
    current = proposal.transition
    url = None
    if current is not None:
        url = url_for("api_transitions.TransitionItem", transition_id=current.id, _external=True)
    changes = proposal.changes or {}
    return {
        "id": proposal.transition_id,
        "new": proposal.transition_base_version is None,
        "kind": changes.get("kind") or (current.kind if current is not None else None),
        "title": changes.get("title") or (current.title if current is not None else None),
        "base_version": proposal.transition_base_version,
        "current_version": current.version if current is not None else None,
        "url": url,
    }


def _visible(user: User, proposal_id: int) -> Proposal:
    proposal = queries.get_proposal(get_session(), proposal_id)
    if not visible_to(user, proposal):
        raise NotFound("review.proposal_not_found", proposal_id=proposal_id)
    return proposal


def _one(proposal: Proposal, status: int = 200) -> Response:
    resp = jsonify(ProposalSchema().dump(proposal_dict(proposal)))
    resp.status_code = status
    return resp


@blp.route("")
class ProposalList(MethodView):
    """Proposals."""

    @blp.arguments(ProposalQuerySchema, location="query")
    @blp.response(200, ProposalPageSchema)
    @documented(blp, 401)
    @requires("account")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The review queue (coordinators: all; others: their own). Filters: state, solution, mine."""
        user = require_user(api_user(write=False))
        mine = args["mine"] or not may(user, "proposal.queue")
        flt = queries.ProposalFilter(
            state=args.get("state"), solution=args.get("solution"), proposer_id=user.id if mine else None
        )
        rows, total = queries.list_proposals(get_session(), flt, limit=args["limit"], offset=args["offset"])
        return {
            "items": [proposal_dict(p) for p in rows],
            "total": total,
            "limit": args["limit"],
            "offset": args["offset"],
        }

    @blp.arguments(ProposalCreateSchema)
    @blp.response(201, ProposalSchema)
    @documented(blp, 401, 403, 404, 422)
    @requires("solution.propose")
    def post(self, data: dict[str, Any]) -> Response:
        """Propose a change: vendors for their own solutions only, municipalities with evidence.

        A trusted vendor's proposal is accepted at once (state 'accepted', recorded as 'reported').
        """
        user = require_user(api_user(write=True))
        session = get_session()
        solution = get_solution(session, data["solution"])
        nested: dict[str, Any] = {key: data[key] for key in ("required_loa", "switch_date") if key in data}
        proposal = create_proposal(
            session,
            proposer=user,
            solution=solution,
            changes=flatten(session, nested, today=today_in_denmark()),
            evidence=data.get("evidence"),
            source_url=data.get("source_url"),
        )
        resp = _one(proposal, 201)
        resp.headers["Location"] = url_for("api_proposals.ProposalItem", proposal_id=proposal.id, _external=True)
        return resp


@blp.route("/<int(max=2147483647):proposal_id>")
class ProposalItem(MethodView):
    """One proposal."""

    @blp.response(200, ProposalSchema)
    @documented(blp, 401, 404)
    @requires("account")
    def get(self, proposal_id: int) -> Response:
        """One proposal with its diff against the current values (its proposer and coordinators)."""
        return _one(_visible(require_user(api_user(write=False)), proposal_id))


@blp.route("/<int(max=2147483647):proposal_id>/accept")
class ProposalAccept(MethodView):
    """Accept a proposal."""

    @blp.arguments(AcceptSchema)
    @blp.response(200, ProposalSchema)
    @documented(blp, 401, 403, 404, 409, 422)
    @requires("proposal.review")
    def post(self, data: dict[str, Any], proposal_id: int) -> Response:
        """Accept: the change enters the registry with a change event. A stale one needs confirm_stale (409)."""
        user = acting_user()
        proposal = queries.get_proposal(get_session(), proposal_id)
        accept_proposal(
            get_session(), proposal, reviewer=user, confirm_stale=data["confirm_stale"], note=data.get("reason")
        )
        return _one(proposal)


@blp.route("/<int(max=2147483647):proposal_id>/reject")
class ProposalReject(MethodView):
    """Reject a proposal."""

    @blp.arguments(RejectSchema)
    @blp.response(200, ProposalSchema)
    @documented(blp, 401, 403, 404, 409, 422)
    @requires("proposal.review")
    def post(self, data: dict[str, Any], proposal_id: int) -> Response:
        """Reject with a reason the proposer sees (coordinators and admins)."""
        user = acting_user()
        proposal = queries.get_proposal(get_session(), proposal_id)
        reject_proposal(get_session(), proposal, reviewer=user, reason=data["reason"])
        return _one(proposal)
