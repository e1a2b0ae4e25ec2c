"""Inquiry pages: the list (most waited-for first; coordinators: oldest unanswered first), one inquiry with its
forms (join, asked, answer, close), a solution's questions with the ask form. Plain forms, no JavaScript.

Views are thin: parse the form, call one service in ``tracker.inquiries``, render or redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.auth import current_db_user
from tracker.auth.permissions import may, require
from tracker.auth.protect import acting_user, requires
from tracker.clock import today_in_denmark
from tracker.db import get_session
from tracker.errors import AppError, ValidationError
from tracker.inquiries import assessments, queries, services
from tracker.models import Inquiry, Solution, User
from tracker.models.inquiries import INQUIRY_STATES
from tracker.models.vocab import Loa
from tracker.registry import queries as registry_queries
from tracker.registry import transitions as tq
from tracker.review.changes import switch_from_text
from tracker.review.transition_proposals import ProposedTransition
from tracker.web.format import INQUIRY_STATE_LABELS, LOA_LABELS
from tracker.web.forms import ActionForm, AnswerTransitionForm, PlainForm, _choices, _source_url, options
from tracker.web.transition_proposal_views import place_errors, prepare_fields, shown, submitted

bp = Blueprint("inquiries", __name__)

_REQUIRED = _l("Skal udfyldes.")


class AskForm(PlainForm):
    """A new question about a solution."""

    question = TextAreaField(
        _l("Jeres spørgsmål"), validators=[DataRequired(_REQUIRED), Length(max=services.MAX_QUESTION)]
    )
    force = BooleanField(_l("Mit spørgsmål er et andet – stil det alligevel"))


class NoteForm(PlainForm):
    """What KL did: 'KL har spurgt KMD den …'."""

    note = StringField(
        _l("Notat (fx 'KL har spurgt KMD den 2. december')"), validators=[DataRequired(_REQUIRED), Length(max=2000)]
    )


class CloseForm(PlainForm):
    """Why the question is closed."""

    reason = StringField(_l("Hvorfor lukkes spørgsmålet?"), validators=[DataRequired(_REQUIRED), Length(max=2000)])


class AnswerForm(PlainForm):
    """The answer, its source, and optionally a proposed fact."""

    answer = TextAreaField(_l("Svar"), validators=[DataRequired(_REQUIRED), Length(max=services.MAX_ANSWER)])
    source_url = _source_url()
    loa_value = SelectField(
        _l("Foreslå krævet sikringsniveau (valgfrit)"),
        choices=_choices(LOA_LABELS, [v.value for v in Loa if v != Loa.UKENDT], blank=True),
        validators=[Optional()],
    )
    switch_text = StringField(
        _l("Foreslå skæringsdato (valgfrit, fx 'Q2 2027' eller 2027-04-01)"), validators=[Optional(), Length(max=200)]
    )
    # Or a transition: a new one, or a change to one of the solution's (its fields in ``proposal``).
    # Choices checked by the view and the services (a form without these fields is an answer without a proposal).
    transition = SelectField(_l("Foreslå en overgang (valgfrit)"), choices=[], validate_choice=False, default="")
    proposal = FormField(AnswerTransitionForm, separator="-")


def _user() -> User | None:
    try:
        return current_db_user()
    except AppError:
        return None


NEW_TRANSITION = "ny"


def answer_form(inquiry: Inquiry, form: AnswerForm | None = None) -> AnswerForm:
    """The answer's form with its transition choices: none, a new one, or a change to one of the solution's."""
    form = form or AnswerForm(formdata=None)
    rows = tq.transitions_for(get_session(), [inquiry.solution_id])[inquiry.solution_id]
    form.transition.choices = options(
        [
            ("", _("Nej")),
            (NEW_TRANSITION, _("En ny overgang")),
            *((str(t.id), _("Ændring af «%(title)s»", title=t.title)) for t in rows),
        ]
    )
    prepare_fields(form.proposal.form, blank=True)
    return form


def _proposed_transition(inquiry: Inquiry, form: AnswerForm) -> ProposedTransition | None:
    """The transition the answer proposes, as fields that differ from the one chosen (a new one: all given)."""
    choice = form.transition.data or ""
    if not choice:
        return None
    target = None
    if choice != NEW_TRANSITION:
        target = next(
            (
                t
                for t in tq.transitions_for(get_session(), [inquiry.solution_id])[inquiry.solution_id]
                if str(t.id) == choice
            ),
            None,
        )
        if target is None:
            raise ValidationError(_("Nogle felter er ugyldige."), {"transition": _("Ukendt overgang.")})
    fields = submitted(form.proposal.form, shown(target) if target is not None else {}, only_filled=True)
    return ProposedTransition(None if target is None else target.id, fields)


def _detail_page(inquiry: Inquiry, status: int = 200, **forms: Any) -> tuple[str, int]:
    session = get_session()
    user = _user()
    page = render_template(
        "inquiries/detail.html",
        inquiry=inquiry,
        waiting=services.waiting(session, inquiry),
        user=user,
        may_answer=may(user, "inquiry.answer", inquiry, check_state=False),
        may_join=may(user, "inquiry.join", inquiry),
        is_coordinator=may(user, "inquiry.close"),
        joined=user is not None and any(f.user_id == user.id for f in inquiry.followers),
        join_form=forms.get("join_form") or ActionForm(),
        answer_form=answer_form(inquiry, forms.get("answer_form")),
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        close_form=forms.get("close_form") or CloseForm(formdata=None),
        form_error=forms.get("form_error"),
    )
    return page, status


@bp.get("/spoergsmaal")
@requires("public")
def index() -> str:
    """All questions: most waited-for first, then oldest; coordinators see the oldest unanswered first."""
    state = request.args.get("state") or None
    if state not in (None, *INQUIRY_STATES):
        state = None
    user = _user()
    rows, total = queries.list_inquiries(
        get_session(), state=state, oldest_unanswered_first=may(user, "inquiry.triage"), limit=200
    )
    return render_template("inquiries/list.html", rows=rows, total=total, state=state, solution=None)


@bp.get("/spoergsmaal/<int(max=2147483647):inquiry_id>")
@requires("public")
def detail(inquiry_id: int) -> tuple[str, int]:
    """One question with its answer, and the forms its reader may use."""
    return _detail_page(queries.get_inquiry(get_session(), inquiry_id))


def _ask_page(solution: Solution, form: AskForm, status: int = 200, **extra: Any) -> tuple[str, int]:
    rows, total = queries.list_inquiries(get_session(), solution=solution, limit=200)
    user = _user()
    page = render_template(
        "inquiries/list.html",
        rows=rows,
        total=total,
        state=None,
        solution=solution,
        form=form,
        may_ask=may(user, "inquiry.ask"),
        **extra,
    )
    return page, status


@bp.route("/loesninger/<string:slug>/spoergsmaal", methods=["GET", "POST"])
@requires("public", post="inquiry.ask")
def ask(slug: str) -> tuple[str, int] | Response:
    """A solution's questions and the form to ask a new one (municipality users and coordinators)."""
    session = get_session()
    solution = registry_queries.get_solution(session, slug)
    form = AskForm()
    if request.method == "GET":
        return _ask_page(solution, AskForm(formdata=None))
    if not form.validate_on_submit():
        return _ask_page(solution, form, 422)
    try:
        inquiry = services.ask(
            session,
            user=current_db_user(),
            solution=solution,
            question=form.question.data,
            daily_limit=int(current_app.config["INQUIRY_DAILY_LIMIT"]),
            force=bool(form.force.data),
        )
    except services.SimilarInquiry as exc:
        ids = [s["id"] for s in exc.details.get("similar", [])]
        similar = [queries.get_inquiry(session, i) for i in ids]
        return _ask_page(solution, form, exc.status, form_error=exc.message, similar=similar)
    except AppError as exc:
        return _ask_page(solution, form, exc.status, form_error=exc.message)
    flash(_("Tak. Spørgsmålet er stillet; vi giver besked, når det er besvaret."), "info")
    return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id))  # type: ignore[return-value]  # redirect() is typed as werkzeug's Response, the base of flask's


def _after(inquiry: Inquiry, message: str) -> Response:
    flash(message, "info")
    return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id))  # type: ignore[return-value]  # redirect() is typed as werkzeug's Response, the base of flask's


@bp.post("/spoergsmaal/<int(max=2147483647):inquiry_id>/tilslut")
@requires("inquiry.join")
def join(inquiry_id: int) -> tuple[str, int] | Response:
    """Our municipality waits for this answer too."""
    inquiry = queries.get_inquiry(get_session(), inquiry_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _detail_page(inquiry, 400, form_error=_("Formularen er udløbet. Hent siden igen."))
    try:
        services.join(get_session(), user=current_db_user(), inquiry=inquiry)
    except AppError as exc:
        return _detail_page(inquiry, exc.status, form_error=exc.message)
    return _after(inquiry, _("I venter nu også på svaret."))


@bp.post("/spoergsmaal/<int(max=2147483647):inquiry_id>/spurgt")
@requires("inquiry.mark_asked")
def asked(inquiry_id: int) -> tuple[str, int] | Response:
    """A coordinator records that the question has been put to the vendor or service provider."""
    form = NoteForm()

    def mark(inquiry: Inquiry) -> object:
        return services.mark_asked(get_session(), user=current_db_user(), inquiry=inquiry, note=form.note.data)

    return _form_step(inquiry_id, "note_form", form, mark, _("Spørgsmålet er markeret som stillet."))


@bp.post("/spoergsmaal/<int(max=2147483647):inquiry_id>/svar")
@requires("inquiry.answer")
def answer(inquiry_id: int) -> tuple[str, int] | Response:
    """The vendor's or service provider's answer (or a coordinator's), optionally proposing a fact."""
    session = get_session()
    inquiry = queries.get_inquiry(session, inquiry_id)
    # Whose inquiry it is, before the form: a bad form from someone who may not answer is a 403, not a 422.
    user = require(acting_user(), "inquiry.answer", inquiry, web=True, check_state=False)
    form = answer_form(inquiry, AnswerForm())
    if not form.validate_on_submit():
        return _detail_page(inquiry, 422, answer_form=form)
    try:
        propose: dict[str, Any] = {}
        if form.loa_value.data:
            propose["loa_value"] = form.loa_value.data
        if form.switch_text.data:
            propose.update(switch_from_text(form.switch_text.data, today=today_in_denmark(), field="switch_text"))
        services.answer(
            session,
            user=user,
            inquiry=inquiry,
            text=form.answer.data,
            source_url=form.source_url.data or None,
            propose=propose or None,
            propose_transition=_proposed_transition(inquiry, form),
        )
    except AppError as exc:
        place_errors(form.proposal.form, exc, prefix="propose_transition.")
        return _detail_page(inquiry, exc.status, answer_form=form, form_error=exc.message)
    return _after(inquiry, _("Tak for svaret. Alle, der venter, får besked."))


@bp.post("/spoergsmaal/<int(max=2147483647):inquiry_id>/luk")
@requires("inquiry.close")
def close(inquiry_id: int) -> tuple[str, int] | Response:
    """A coordinator closes the question with a reason."""
    form = CloseForm()

    def close_it(inquiry: Inquiry) -> object:
        return services.close(get_session(), user=current_db_user(), inquiry=inquiry, reason=form.reason.data)

    return _form_step(inquiry_id, "close_form", form, close_it, _("Spørgsmålet er lukket."))


def _form_step(
    inquiry_id: int, name: str, form: PlainForm, take: Callable[[Inquiry], object], done: str
) -> tuple[str, int] | Response:
    """A step taken with a form (``name`` on the detail page): a bad form or a refusal shows the page again with
    the form as it was sent (422, or the refusal's status), else back to the inquiry saying ``done``."""
    inquiry = queries.get_inquiry(get_session(), inquiry_id)
    if not form.validate_on_submit():
        return _detail_page(inquiry, 422, **{name: form})
    try:
        take(inquiry)
    except AppError as exc:
        return _detail_page(inquiry, exc.status, form_error=exc.message, **{name: form})
    return _after(inquiry, done)


@bp.app_context_processor
def _solution_page_helpers() -> dict[str, object]:
    """The solution page's question summary, its questions and its shared risk assessments."""

    def inquiry_summary(solution: Solution) -> queries.Summary:
        return queries.summary(get_session(), solution)

    def solution_inquiries(solution: Solution) -> list[queries.Row]:
        return queries.list_inquiries(get_session(), solution=solution, limit=20)[0]

    def solution_assessments(solution: Solution) -> list[Any]:
        return queries.risk_assessments(get_session(), solution)

    return {
        "inquiry_summary": inquiry_summary,
        "solution_inquiries": solution_inquiries,
        "solution_assessments": solution_assessments,
        "assessment_by": assessments.by_label,
        "INQUIRY_STATE_LABELS": INQUIRY_STATE_LABELS,
        "may_ask_inquiry": lambda: may(_user(), "inquiry.ask"),
    }
