"""Pages for subscribers: webhook subscriptions (create, test, rotate, delete, delivery log, redeliver) and a
municipality's private feed/calendar addresses (create, revoke). Secrets and tokens are shown once, never cached.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask import session as flask_session
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.permissions import may, own_municipality_id
from tracker.auth.protect import acting_user, requires
from tracker.broadcast import feed_tokens
from tracker.broadcast import subscriptions as svc
from tracker.broadcast.ssrf import policy_from_config
from tracker.db import get_session
from tracker.errors import AppError, Forbidden, NotFound, Unauthorized
from tracker.links import absolute
from tracker.models import Municipality, Solution, Subscription, User
from tracker.municipalities.names import genitive
from tracker.web.broadcast_forms import DELIVERY_LABELS, EVENT_TYPE_LABELS, ActivateForm, SubscriptionForm
from tracker.web.forms import ActionForm, options
from tracker.web.guards import send_anonymous_to_login

bp = Blueprint("subscriptions_web", __name__, url_prefix="/abonnementer")
send_anonymous_to_login(bp)

Page = tuple[str, int, dict[str, str]]
NO_STORE = {"Cache-Control": "no-store"}
DELIVERY_LOG_SIZE = 50


def _manager() -> User:
    return acting_user()


def _form(user: User, form: SubscriptionForm | None = None) -> SubscriptionForm:
    """The create form with its choices: all solutions; the portfolio filter the user may choose."""
    session = get_session()
    form = form or SubscriptionForm(formdata=None)
    solutions = session.execute(select(Solution.slug, Solution.name).order_by(Solution.name))
    form.solutions.choices = options((slug, name) for slug, name in solutions)
    choices = [("", _("Alle løsninger"))]
    if may(user, "national.read"):  # every municipality's portfolio to filter on
        rows = session.execute(select(Municipality.code, Municipality.name).order_by(Municipality.code))
        choices += [(code, f"{code} {name}") for code, name in rows]
    elif user.municipality is not None:
        choices.append((user.municipality.code, _("Kun %(whose)s portefølje", whose=genitive(user.municipality.name))))
    form.municipality.choices = options(choices)
    return form


def _list_page(user: User, status: int = 200, form: SubscriptionForm | None = None, error: str | None = None) -> Page:
    subs = svc.list_owned(get_session(), user)
    page = render_template(
        "broadcast/subscriptions.html",
        subscriptions=subs,
        form=_form(user, form),
        error=error,
        event_labels=EVENT_TYPE_LABELS,
        municipality=user.municipality if own_municipality_id(user) is not None else None,
    )
    return page, status, NO_STORE


def _detail_page(user: User, sub: Subscription, status: int = 200, secret: str | None = None) -> Page:
    session = get_session()
    deliveries, total = svc.list_deliveries(session, sub, limit=DELIVERY_LOG_SIZE, offset=0)
    page = render_template(
        "broadcast/subscription.html",
        sub=sub,
        secret=secret,
        deliveries=deliveries,
        total=total,
        attempts=svc.attempts_of(session, deliveries, per_delivery=5),
        slugs=svc.solution_slugs(session, [sub]),
        codes=svc.municipality_codes(session, [sub]),
        event_labels=DELIVERY_LABELS,
        action_form=ActionForm(formdata=None),
    )
    return page, status, NO_STORE


@bp.get("")
@requires("subscription.manage")
def index() -> Page:
    """Your webhook subscriptions and the form for a new one."""
    return _list_page(_manager())


@bp.post("")
@requires("subscription.manage")
def create() -> Page:
    """Register an endpoint; the signing secret is shown on this response only."""
    user = _manager()
    form = _form(user, SubscriptionForm())
    if not form.validate_on_submit():
        return _list_page(user, 422, form)
    try:
        sub, secret = svc.create_subscription(
            get_session(),
            user,
            url=form.url.data,
            description=form.description.data,
            event_types=form.event_types.data or [],
            solutions=form.solutions.data or [],
            municipality=form.municipality.data or None,
            policy=policy_from_config(current_app.config),
        )
    except AppError as exc:
        if isinstance(exc, Forbidden | Unauthorized):
            raise
        problems = "; ".join(str(v) for v in exc.details.values()) if exc.details else ""
        return _list_page(user, exc.status, form, error=f"{exc.message} {problems}".strip())
    return _detail_page(user, sub, 201, secret=secret)


def _owned(subscription_id: int) -> tuple[User, Subscription]:
    user = _manager()
    return user, svc.get_owned(get_session(), user, subscription_id)


@bp.get("/<int(max=2147483647):subscription_id>")
@requires("subscription.manage")
def detail(subscription_id: int) -> Page:
    """One subscription with its delivery log."""
    user, sub = _owned(subscription_id)
    return _detail_page(user, sub)


# Every POST below is a button with only the CSRF token, which CSRFProtect checks before the view runs.


@bp.post("/<int(max=2147483647):subscription_id>/test")
@requires("subscription.manage")
def test_ping(subscription_id: int) -> BaseResponse:
    """Queue a test ping."""
    sub = _owned(subscription_id)[1]
    svc.send_test(get_session(), sub)
    flash(_("Testbeskeden er sat i kø og sendes inden for få sekunder. Se leveringsloggen nedenfor."), "info")
    return redirect(url_for(".detail", subscription_id=sub.id))


@bp.post("/<int(max=2147483647):subscription_id>/hemmelighed")
@requires("subscription.manage")
def rotate(subscription_id: int) -> Page:
    """Rotate the secret; the new one is shown on this response only."""
    user, sub = _owned(subscription_id)
    secret = svc.rotate_secret(get_session(), sub, user)
    return _detail_page(user, sub, secret=secret)


@bp.post("/<int(max=2147483647):subscription_id>/aktiv")
@requires("subscription.manage")
def set_active(subscription_id: int) -> BaseResponse:
    """Switch the subscription off, or on again (clears the disable notice)."""
    form = ActivateForm()
    user, sub = _owned(subscription_id)
    if not form.validate_on_submit():
        raise AppError(_("Ukendt handling: vælg at slå abonnementet til eller fra."))
    svc.update_subscription(
        get_session(), sub, user, {"active": form.active.data == "1"}, policy=policy_from_config(current_app.config)
    )
    flash(_("Abonnementet er slået til.") if sub.active else _("Abonnementet er slået fra."), "info")
    return redirect(url_for(".detail", subscription_id=sub.id))


@bp.post("/<int(max=2147483647):subscription_id>/slet")
@requires("subscription.manage")
def delete(subscription_id: int) -> BaseResponse:
    """Delete the subscription and its delivery log."""
    user, sub = _owned(subscription_id)
    svc.delete_subscription(get_session(), sub, user)
    flash(_("Abonnementet er slettet."), "info")
    return redirect(url_for(".index"))


@bp.post("/<int(max=2147483647):subscription_id>/leveringer/<int(max=2147483647):delivery_id>/gensend")
@requires("subscription.manage")
def redeliver(subscription_id: int, delivery_id: int) -> BaseResponse:
    """Send one delivery again with the same webhook-id."""
    sub = _owned(subscription_id)[1]
    svc.redeliver(get_session(), sub, delivery_id)
    flash(_("Leveringen sendes igen inden for få sekunder."), "info")
    return redirect(url_for(".detail", subscription_id=sub.id))


# --- a municipality's private feed and calendar -------------------------------------------------------------


def _municipality(code: str) -> tuple[User, Municipality]:
    user = acting_user()
    municipality = svc.municipality_by_code(get_session(), code)
    if municipality is None:
        raise NotFound(_("Der findes ingen kommune med kode '%(code)s'.", code=code[:10]))
    feed_tokens.require_access(user, municipality)
    return user, municipality


def _links(municipality: Municipality, token: str | None) -> dict[str, str]:
    return feed_tokens.private_links(municipality, token, absolute)


def _tokens_page(user: User, municipality: Municipality, status: int = 200, token: str | None = None) -> Page:
    session = get_session()
    tokens = feed_tokens.list_tokens(session, user, municipality)
    creator_ids = {t.created_by_id for t in tokens if t.created_by_id is not None}
    creators = {u.id: u.label for u in session.scalars(select(User).where(User.id.in_(creator_ids or {0})))}
    page = render_template(
        "broadcast/feed_tokens.html",
        municipality=municipality,
        tokens=tokens,
        creators=creators,
        links=_links(municipality, token) if token else None,
        public_links={
            "atom": absolute(url_for("broadcast.changes", fmt="atom")),
            "ics": absolute(url_for("broadcast.solutions_calendar")),
            "webcal": feed_tokens.webcal(absolute(url_for("broadcast.solutions_calendar"))),
        },
        action_form=ActionForm(formdata=None),
    )
    return page, status, NO_STORE


@bp.get("/kommuner/<string:code>/feeds")
@requires("municipality.feed_tokens")
def municipality_tokens(code: str) -> Page:
    """The municipality's private feed/calendar tokens (never their values) and the form for a new one.

    Right after creating one, its addresses are shown once (kept in the session only until this page has
    shown them), so reloading the page neither makes a second token nor shows the first again.
    """
    user, municipality = _municipality(code)
    new = flask_session.pop("new_feed_token", None)
    token = new.get("token") if isinstance(new, dict) and new.get("code") == municipality.code else None
    return _tokens_page(user, municipality, token=token)


@bp.post("/kommuner/<string:code>/feeds")
@requires("municipality.feed_tokens")
def create_municipality_token(code: str) -> BaseResponse:
    """A new private address, then back to the page (POST-redirect-GET: a reload makes no second token)."""
    user, municipality = _municipality(code)
    plain = feed_tokens.create_token(get_session(), user, municipality)[1]
    flask_session["new_feed_token"] = {"code": municipality.code, "token": plain}
    return redirect(url_for(".municipality_tokens", code=municipality.code), 303)


@bp.post("/kommuner/<string:code>/feeds/<int(max=2147483647):token_id>/tilbagekald")
@requires("municipality.feed_tokens")
def revoke_municipality_token(code: str, token_id: int) -> BaseResponse:
    """Revoke a private address: readers and calendars using it stop getting updates at once."""
    user, municipality = _municipality(code)
    feed_tokens.revoke_token(get_session(), user, municipality, token_id)
    flash(_("Adressen er tilbagekaldt og virker ikke længere."), "info")
    return redirect(url_for(".municipality_tokens", code=municipality.code))
