"""The review queue for coordinators, one proposal with its diff, and 'mine forslag' for proposers."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.permissions import may
from tracker.auth.protect import acting_user, requires
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.errors import AppError, NotFound
from tracker.ingest.snapshots import count_pending_page_changes, pending_page_changes
from tracker.models import Proposal, User
from tracker.municipalities.impact import Impact, impact_of
from tracker.registry.queries import stale_solutions
from tracker.registry.transitions import stale_transitions
from tracker.review import queries
from tracker.review.changes import from_json
from tracker.review.services import StaleProposal, accept_proposal, reject_not_a_fact, reject_proposal, visible_to
from tracker.web.forms import AcceptForm, NotAFactForm, RejectForm
from tracker.web.guards import send_anonymous_to_login

# Watched pages that changed are shown above the proposals, even when no finding was extracted.
PAGE_CHANGES_SHOWN = 10

bp = Blueprint("review", __name__)
send_anonymous_to_login(bp)

QUEUE_SIZE = 200


def _context(proposal: Proposal) -> dict[str, object]:
    """What every proposal card shows: the diff, whether it is stale, who reviewed it."""
    accepted = queries.accepted_diff(get_session(), proposal)
    return {
        "diff": accepted if accepted is not None else queries.diff(proposal),
        "decided": accepted is not None,
        "state": queries.effective_state(proposal),
        "reviewer": queries.reviewer_label(get_session(), proposal),
    }


def _impact(proposal: Proposal, user: User) -> Impact | None:
    """For coordinators, before accepting: which municipalities' rows the proposal would move."""
    if not may(user, "proposal.review", proposal) or proposal.target != "solution":
        return None
    return impact_of(get_session(), proposal.solution, from_json(proposal.changes or {}))


@bp.get("/forslag")
@requires("proposal.queue")
def queue() -> str:
    """Open proposals (pending and stale), oldest first, each with its diff and evidence."""
    state = request.args.get("state", "open")
    if state not in queries.STATE_FILTERS:
        state = "open"
    slug = (request.args.get("solution") or "").strip()[:80] or None
    rows, total = queries.list_proposals(
        get_session(), queries.ProposalFilter(state=state, solution=slug), limit=QUEUE_SIZE
    )
    cards = [(p, _context(p)) for p in rows]
    session = get_session()
    return render_template(
        "review/queue.html",
        page_changes=pending_page_changes(session, limit=PAGE_CHANGES_SHOWN),
        page_changes_total=count_pending_page_changes(session),
        stale_solutions=stale_solutions(session, today_in_denmark()),
        stale_transitions=stale_transitions(session, today_in_denmark()),
        cards=cards,
        total=total,
        state=state,
        solution=slug,
        accept_form=AcceptForm(formdata=None),
        reject_form=RejectForm(formdata=None),
    )


@bp.get("/forslag/<int(max=2147483647):proposal_id>")
@requires("account")
def detail(proposal_id: int) -> str:
    """One proposal: coordinators and its proposer see it; to anyone else it does not exist."""
    user = acting_user()
    proposal = queries.get_proposal(get_session(), proposal_id)
    if not visible_to(user, proposal):
        raise NotFound(_("Der findes intet forslag #%(id)s.", id=proposal_id))
    return render_template(
        "review/detail.html",
        proposal=proposal,
        user=user,
        impact=_impact(proposal, user),
        **_context(proposal),
        accept_form=AcceptForm(formdata=None),
        reject_form=RejectForm(formdata=None),
    )


@bp.post("/forslag/<int(max=2147483647):proposal_id>/godkend")
@requires("proposal.review")
def accept(proposal_id: int) -> BaseResponse | tuple[str, int]:
    """Accept: the change enters the registry and its history; a stale proposal needs the box ticked."""
    user = acting_user()
    session = get_session()
    proposal = queries.get_proposal(session, proposal_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        return _detail_again(proposal, user, 422, accept_form=form)
    try:
        events = accept_proposal(
            session,
            proposal,
            reviewer=user,
            confirm_stale=bool(form.confirm_stale.data),
            note=(form.note.data or "").strip() or None,
        )
    except StaleProposal as exc:
        flash(exc.message, "error")
        return _detail_again(proposal, user, 409, accept_form=form)
    except AppError as exc:
        flash(exc.message, "error")
        return _detail_again(proposal, user, exc.status, accept_form=form)
    if events:
        flash(_("Forslag #%(id)s er godkendt og står nu i historikken.", id=proposal.id), "info")
    else:
        flash(_("Forslag #%(id)s er godkendt; registret havde allerede de værdier.", id=proposal.id), "info")
    return redirect(url_for("review.queue"))


@bp.post("/forslag/<int(max=2147483647):proposal_id>/afvis")
@requires("proposal.review")
def reject(proposal_id: int) -> BaseResponse | tuple[str, int]:
    """Reject with a reason the proposer will see."""
    form = RejectForm()

    def reject_it(session: Session, proposal: Proposal, user: User) -> None:
        reject_proposal(session, proposal, reviewer=user, reason=form.reason.data)

    done = _("Forslag #%(id)s er afvist.", id=proposal_id)
    return _rejection(proposal_id, form, reject_it, done, reject_form=form)


@bp.post("/forslag/<int(max=2147483647):proposal_id>/ikke-et-faktum")
@requires("proposal.review")
def not_a_fact(proposal_id: int) -> BaseResponse | tuple[str, int]:
    """One click: the finding is no fact at all; it counts against the rule that read it (shown on /kilder)."""

    def not_a_fact_it(session: Session, proposal: Proposal, user: User) -> None:
        reject_not_a_fact(session, proposal, reviewer=user)

    done = _("Forslag #%(id)s er afvist som ikke et faktum; det tæller imod reglen.", id=proposal_id)
    return _rejection(proposal_id, NotAFactForm(), not_a_fact_it, done)


def _rejection(
    proposal_id: int,
    form: FlaskForm,
    take: Callable[[Session, Proposal, User], object],
    done: str,
    **shown: FlaskForm,
) -> BaseResponse | tuple[str, int]:
    """A reviewer's rejection sent with ``form``: a bad form or a refusal shows the proposal again (with the
    ``shown`` forms as sent), else the queue with ``done`` said."""
    user = acting_user()
    session = get_session()
    proposal = queries.get_proposal(session, proposal_id)
    if not form.validate_on_submit():
        return _detail_again(proposal, user, 422, **shown)
    try:
        take(session, proposal, user)
    except AppError as exc:
        flash(exc.message, "error")
        return _detail_again(proposal, user, exc.status, **shown)
    flash(done, "info")
    return redirect(url_for("review.queue"))


def _detail_again(proposal: Proposal, user: User, status: int, **forms: object) -> tuple[str, int]:
    forms.setdefault("accept_form", AcceptForm(formdata=None))
    forms.setdefault("reject_form", RejectForm(formdata=None))
    page = render_template(
        "review/detail.html",
        proposal=proposal,
        user=user,
        impact=_impact(proposal, user),
        **_context(proposal),
        **forms,
    )
    return page, status


@bp.get("/mine-forslag")
@requires("account")
def mine() -> str:
    """The proposals the logged-in person made, with their state and the reviewer's reason."""
    user = acting_user()
    rows, total = queries.list_proposals(
        get_session(), queries.ProposalFilter(proposer_id=user.id), limit=QUEUE_SIZE, newest_first=True
    )
    cards = [(p, _context(p)) for p in rows]
    return render_template("review/mine.html", cards=cards, total=total)
