"""/api/v1 inquiries and shared risk assessments: ask once, answered for all 98.

Reads are public and show who asked as a municipality (or KL), who answered as an organisation — never a
person. Writes take a bearer token only (the API is exempt from CSRF); each service checks the caller's role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from tracker.api.edit_schemas import RequiredLoaInSchema, SwitchDateInSchema, Text, Url
from tracker.api.paging import PageSchema
from tracker.api.solution_writes import documented
from tracker.api.transition_proposals import proposed_fields
from tracker.api.transition_schemas import AnswerTransitionProposalSchema
from tracker.auth import api_user
from tracker.auth.permissions import may
from tracker.auth.protect import requires
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.errors import ValidationError
from tracker.inputs import Day
from tracker.inquiries import assessments, queries, services
from tracker.models import Inquiry, RiskAssessment, User
from tracker.models.inquiries import ASSESSED_LEVELS, INQUIRY_STATES
from tracker.registry.queries import get_solution
from tracker.review.changes import flatten
from tracker.review.transition_proposals import ProposedTransition

blp = Blueprint(
    "api_inquiries",
    __name__,
    description="Spørgsmål til leverandører og tjenesteudbydere, og fælles risikovurderinger.",
)
ID = "<int(max=2147483647):inquiry_id>"


class InquirySchema(Schema):
    """One inquiry as the public sees it."""

    id = fields.Integer(required=True)
    url = fields.String(required=True)
    solution = fields.Dict(required=True)
    question = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": list(INQUIRY_STATES)})
    waiting = fields.Integer(required=True, metadata={"description": "Antal kommuner, der venter på svaret"})
    asker = fields.String(required=True, metadata={"description": "Kommunen (eller KL) — aldrig en person"})
    asker_municipality = fields.Dict(allow_none=True)
    created_at = fields.DateTime(required=True)
    asked_at = fields.DateTime(allow_none=True)
    asked_note = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    answer = fields.String(allow_none=True)
    answer_source_url = fields.String(allow_none=True)
    answered_by = fields.String(allow_none=True)
    proposal_id = fields.Integer(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    close_reason = fields.String(allow_none=True)


class InquiryPageSchema(PageSchema):
    """A page of inquiries."""

    items = fields.List(fields.Nested(InquirySchema), required=True)


class InquiryQuerySchema(Schema):
    """Filters: state ('open' means not yet answered: open or asked) and solution slug."""

    state = Text(multiline=False, validate=validate.OneOf(INQUIRY_STATES, error="Skal være en af: {choices}."))
    solution = Text(multiline=False, validate=validate.Length(min=1, max=80))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class InquiryAskSchema(Schema):
    """A new question; ``force`` asks even though a similar open question exists."""

    question = Text(required=True, says_something=True, metadata={"maxLength": services.MAX_QUESTION})
    force = fields.Boolean(load_default=False)


class InquiryNoteSchema(Schema):
    """'KL har spurgt KMD den …'."""

    note = Text(required=True, says_something=True, metadata={"maxLength": services.MAX_NOTE})


class InquiryCloseSchema(Schema):
    """Why the question is closed."""

    reason = Text(required=True, says_something=True, metadata={"maxLength": services.MAX_NOTE})


class InquiryProposeSchema(Schema):
    """A fact proposed with the answer, in the shape GET /solutions returns (each part optional)."""

    required_loa = fields.Nested(RequiredLoaInSchema)
    switch_date = fields.Nested(SwitchDateInSchema)


class InquiryAnswerSchema(Schema):
    """The answer, its source and optionally a proposed fact (becomes a proposal with the answer as evidence)."""

    answer = Text(required=True, says_something=True, metadata={"maxLength": services.MAX_ANSWER})
    source_url = Url(allow_none=True)
    propose = fields.Nested(InquiryProposeSchema, allow_none=True)
    propose_transition = fields.Nested(
        AnswerTransitionProposalSchema,
        allow_none=True,
        metadata={"description": "A new transition of the inquiry's solution, or a change to one of them"},
    )


class AssessmentSchema(Schema):
    """A shared risk assessment (public, without personal data)."""

    id = fields.Integer(required=True)
    solution = fields.Dict(required=True)
    by = fields.Dict(required=True)
    on_behalf_of = fields.Raw(required=True, metadata={"description": '"all" eller en liste af kommunekoder'})
    assessed_on = fields.Date(required=True)
    concluded_loa = fields.String(required=True)
    document_url = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    proposal_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)


class AssessmentListSchema(Schema):
    """A solution's risk assessments, newest first."""

    items = fields.List(fields.Nested(AssessmentSchema), required=True)


class AssessmentCreateSchema(Schema):
    """Who assessed (municipality code or organisation slug), for whom, when, what they concluded."""

    by = Text(multiline=False, required=True, validate=validate.Length(min=1, max=80))
    on_behalf_of = fields.Raw(
        required=True,
        metadata={
            "description": '"all", or the official codes of the municipalities it was made for',
            "oneOf": [
                {"type": "string", "enum": ["all"]},
                {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[0-9]{3}$"}},
            ],
        },
    )
    assessed_on = Day(
        required=True,
        metadata={"description": "The day it was made: today or earlier (Danish time; a later day is a 422)"},
    )
    concluded_loa = Text(multiline=False, required=True, validate=validate.OneOf(ASSESSED_LEVELS))
    document_url = Url(allow_none=True)
    note = Text(allow_none=True)
    propose = fields.Boolean(load_default=False, metadata={"description": "Foreslå niveauet som krævet niveau"})


def inquiry_dict(inquiry: Inquiry, waiting: int) -> dict[str, Any]:
    """An inquiry as the API shows it to everyone."""
    municipality = inquiry.asker_municipality
    return {
        "id": inquiry.id,
        "url": url_for("inquiries.detail", inquiry_id=inquiry.id, _external=True),
        "solution": {"slug": inquiry.solution.slug, "name": inquiry.solution.name},
        "question": inquiry.question,
        "state": inquiry.state,
        "waiting": waiting,
        "asker": inquiry.asker_label,
        "asker_municipality": {"code": municipality.code, "name": municipality.name} if municipality else None,
        "created_at": inquiry.created_at,
        "asked_at": inquiry.asked_at,
        "asked_note": inquiry.asked_note,
        "answered_at": inquiry.answered_at,
        "answer": inquiry.answer,
        "answer_source_url": inquiry.answer_source_url,
        "answered_by": inquiry.answerer_label,
        "proposal_id": inquiry.proposal_id,
        "closed_at": inquiry.closed_at,
        "close_reason": inquiry.close_reason,
    }


def assessment_dict(assessment: RiskAssessment) -> dict[str, Any]:
    """A risk assessment as the API shows it: by a municipality or organisation, never a person."""
    by: dict[str, Any] = {"label": assessments.by_label(assessment)}
    if assessment.by_municipality is not None:
        by["municipality"] = assessment.by_municipality.code
    if assessment.by_organisation is not None:
        by["organisation"] = assessment.by_organisation.slug
    return {
        "id": assessment.id,
        "solution": {"slug": assessment.solution.slug, "name": assessment.solution.name},
        "by": by,
        "on_behalf_of": assessment.on_behalf_of,
        "assessed_on": assessment.assessed_on,
        "concluded_loa": assessment.concluded_loa,
        "document_url": assessment.document_url,
        "note": assessment.note,
        "proposal_id": assessment.proposal_id,
        "created_at": assessment.created_at,
    }


def _one(inquiry: Inquiry, status: int = 200) -> Response:
    resp = jsonify(InquirySchema().dump(inquiry_dict(inquiry, services.waiting(get_session(), inquiry))))
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _step(inquiry_id: int, take: Callable[..., object], **values: Any) -> Response:
    """A step on an inquiry (join, mark asked, answer, close) by the API's user; answers with the inquiry after it.

    Who asks is known first (401), then which inquiry (404); the service checks the rest (403, 409, 422).
    """
    user = api_user(write=True)
    session = get_session()
    inquiry = queries.get_inquiry(session, inquiry_id)
    take(session, user=user, inquiry=inquiry, **values)
    return _one(inquiry)


def _answer(session: Session, *, user: User, inquiry: Inquiry, data: dict[str, Any]) -> None:
    """The answer, and the fact or transition it proposes (if any) as the registry's fields."""
    propose = None
    if data.get("propose"):
        propose = flatten(session, data["propose"], today=today_in_denmark())
        if not propose:
            raise ValidationError("review.proposal_empty", {"propose": "Tomt."})
    proposed = None
    if data.get("propose_transition"):
        body = data["propose_transition"]
        proposed = ProposedTransition(body.get("transition"), proposed_fields(session, body, today_in_denmark()))
    services.answer(
        session,
        user=user,
        inquiry=inquiry,
        text=data["answer"],
        source_url=data.get("source_url"),
        propose=propose,
        propose_transition=proposed,
    )


def _page(rows: list[queries.Row], total: int, limit: int, offset: int) -> dict[str, Any]:
    items = [inquiry_dict(r.inquiry, r.waiting) for r in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@blp.route("/solutions/<string:slug>/inquiries")
class SolutionInquiries(MethodView):
    """A solution's inquiries."""

    @blp.arguments(InquiryQuerySchema, location="query")
    @blp.response(200, InquiryPageSchema)
    @requires("public")
    def get(self, args: dict[str, Any], slug: str) -> dict[str, Any]:
        """The solution's inquiries, most waited-for first, then oldest. Public."""
        session = get_session()
        solution = get_solution(session, slug)
        rows, total = queries.list_inquiries(
            session, state=args.get("state"), solution=solution, limit=args["limit"], offset=args["offset"]
        )
        return _page(rows, total, args["limit"], args["offset"])

    @blp.arguments(InquiryAskSchema)
    @blp.response(201, InquirySchema)
    @documented(blp, 401, 403, 404, 409, 422)
    @requires("inquiry.ask")
    def post(self, data: dict[str, Any], slug: str) -> Response:
        """Ask (municipality users, coordinators). A similar open question is offered instead: 409 with
        ``details.similar``; join it, or send ``force: true``. At most TRACKER_INQUIRY_DAILY_LIMIT a day (429)."""
        user = api_user(write=True)
        session = get_session()
        solution = get_solution(session, slug)
        inquiry = services.ask(
            session,
            user=user,
            solution=solution,
            question=data["question"],
            daily_limit=int(current_app.config["INQUIRY_DAILY_LIMIT"]),
            force=data["force"],
        )
        resp = _one(inquiry, 201)
        resp.headers["Location"] = url_for("api_inquiries.InquiryItem", inquiry_id=inquiry.id, _external=True)
        return resp


@blp.route("/inquiries")
class InquiryList(MethodView):
    """All inquiries."""

    @blp.arguments(InquiryQuerySchema, location="query")
    @blp.response(200, InquiryPageSchema)
    @requires("public")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Inquiries (filters: state, solution), most waited-for first, then oldest. Public; with a
        coordinator's token the oldest unanswered come first."""
        session = get_session()
        solution = get_solution(session, args["solution"]) if args.get("solution") else None
        rows, total = queries.list_inquiries(
            session,
            state=args.get("state"),
            solution=solution,
            oldest_unanswered_first=may(api_user(write=False), "inquiry.triage"),
            limit=args["limit"],
            offset=args["offset"],
        )
        return _page(rows, total, args["limit"], args["offset"])


@blp.route(f"/inquiries/{ID}")
class InquiryItem(MethodView):
    """One inquiry."""

    @blp.response(200, InquirySchema)
    @blp.alt_response(404, schema="Error", description="No such inquiry")
    @requires("public")
    def get(self, inquiry_id: int) -> Response:
        """One inquiry: question, state, waiting, answer and its source. Public."""
        return _one(queries.get_inquiry(get_session(), inquiry_id))


@blp.route(f"/inquiries/{ID}/join")
class InquiryJoin(MethodView):
    """Join an inquiry."""

    @blp.response(200, InquirySchema)
    @documented(blp, 401, 403, 404, 409)
    @requires("inquiry.join")
    def post(self, inquiry_id: int) -> Response:
        """Your municipality waits for this answer too (municipality users; idempotent)."""
        return _step(inquiry_id, services.join)


@blp.route(f"/inquiries/{ID}/asked")
class InquiryAsked(MethodView):
    """Mark an inquiry as put to the vendor/service provider."""

    @blp.arguments(InquiryNoteSchema)
    @blp.response(200, InquirySchema)
    @documented(blp, 401, 403, 404, 409, 422)
    @requires("inquiry.mark_asked")
    def post(self, data: dict[str, Any], inquiry_id: int) -> Response:
        """'KL har spurgt KMD den …' (coordinators)."""
        return _step(inquiry_id, services.mark_asked, note=data["note"])


@blp.route(f"/inquiries/{ID}/answer")
class InquiryAnswer(MethodView):
    """Answer an inquiry."""

    @blp.arguments(InquiryAnswerSchema)
    @blp.response(200, InquirySchema)
    @documented(blp, 401, 403, 404, 409, 422)
    @requires("inquiry.answer")
    def post(self, data: dict[str, Any], inquiry_id: int) -> Response:
        """The answer (users of the solution's vendor or service provider, coordinators). A ``propose``d fact or a
        ``propose_transition`` (a new transition, or a change to one of the solution's) becomes a proposal with
        the answer as its evidence, reviewed as usual; one of the two."""
        return _step(inquiry_id, _answer, data=data)


@blp.route(f"/inquiries/{ID}/close")
class InquiryClose(MethodView):
    """Close an inquiry."""

    @blp.arguments(InquiryCloseSchema)
    @blp.response(200, InquirySchema)
    @documented(blp, 401, 403, 404, 409, 422)
    @requires("inquiry.close")
    def post(self, data: dict[str, Any], inquiry_id: int) -> Response:
        """Close with a reason (coordinators)."""
        return _step(inquiry_id, services.close, reason=data["reason"])


@blp.route("/solutions/<string:slug>/risk-assessments")
class RiskAssessments(MethodView):
    """A solution's shared risk assessments."""

    @blp.response(200, AssessmentListSchema)
    @requires("public")
    def get(self, slug: str) -> dict[str, Any]:
        """Risk assessments made on behalf of all (or some) municipalities. Public, without personal data."""
        session = get_session()
        solution = get_solution(session, slug)
        return {"items": [assessment_dict(a) for a in queries.risk_assessments(session, solution)]}

    @blp.arguments(AssessmentCreateSchema)
    @blp.response(201, AssessmentSchema)
    @documented(blp, 401, 403, 404, 422)
    @requires("risk_assessment.record")
    def post(self, data: dict[str, Any], slug: str) -> Response:
        """Record one (coordinators). With ``propose: true`` the concluded level is proposed as the required
        level, source kind ``risk_assessment``."""
        user = api_user(write=True)
        session = get_session()
        solution = get_solution(session, slug)
        assessment = assessments.record(session, user=user, solution=solution, **data)
        resp = jsonify(AssessmentSchema().dump(assessment_dict(assessment)))
        resp.status_code = 201
        return resp
