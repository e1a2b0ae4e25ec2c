"""Administration pages: users (admins) and organisations (coordinators and admins). Every action is audited."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth import admin
from tracker.auth.protect import acting_user, requires
from tracker.db import get_session
from tracker.errors import AppError
from tracker.web.form_changes import organisation_choices, show_errors
from tracker.web.forms import ActionForm, OrganisationForm, RoleForm, TrustForm, UserCreateForm
from tracker.web.guards import send_anonymous_to_login

bp = Blueprint("admin", __name__, url_prefix="/admin")
send_anonymous_to_login(bp)

Page = tuple[str, int, dict[str, str]]
NO_STORE = {"Cache-Control": "no-store"}


def _users_page(status: int = 200, **extra: object) -> Page:
    session = get_session()
    given = extra.pop("create_form", None)
    create_form = given if isinstance(given, UserCreateForm) else UserCreateForm(formdata=None)
    create_form.organisation.choices = organisation_choices(session)
    role_form = RoleForm(formdata=None)
    role_form.organisation.choices = organisation_choices(session)
    page = render_template(
        "admin/users.html",
        users=admin.list_users(session),
        create_form=create_form,
        role_form=role_form,
        action_form=ActionForm(formdata=None),
        **extra,
    )
    # The page can carry a one-time password: never cache it.
    return page, status, NO_STORE


@bp.get("/brugere")
@requires("user.manage")
def users() -> Page:
    """All users, with forms to create, deactivate, reset a password, change a role."""
    return _users_page()


@bp.post("/brugere")
@requires("user.manage")
def create_user() -> Page:
    """Create a user; the one-time password is shown on this response only."""
    user = acting_user()
    form = UserCreateForm()
    form.organisation.choices = organisation_choices(get_session())
    if not form.validate_on_submit():
        return _users_page(422, create_form=form)
    try:
        created, password = admin.admin_create_user(
            get_session(),
            admin=user,
            email=form.email.data,
            role=form.role.data,
            organisation=form.organisation.data or None,
            municipality=(form.municipality.data or "").strip() or None,
            name=(form.name.data or "").strip() or None,
            remote_addr=request.remote_addr,
        )
    except AppError as exc:
        show_errors(form, exc, "email")
        return _users_page(exc.status, create_form=form)
    return _users_page(201, one_time={"email": created.email, "password": password})


@bp.post("/brugere/<int(max=2147483647):user_id>/deaktiver")
@requires("user.manage")
def deactivate(user_id: int) -> BaseResponse:
    """Deactivate: the user's sessions and tokens stop working at once."""
    return _set_active(user_id, active=False)


@bp.post("/brugere/<int(max=2147483647):user_id>/aktiver")
@requires("user.manage")
def activate(user_id: int) -> BaseResponse:
    """Reactivate a user."""
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool) -> BaseResponse:
    actor = acting_user()
    session = get_session()
    target = admin.get_user(session, user_id)
    admin.set_active(session, admin=actor, user=target, active=active, remote_addr=request.remote_addr)
    flash(
        _("%(who)s er aktiveret.", who=target.email) if active else _("%(who)s er deaktiveret.", who=target.email),
        "info",
    )
    return redirect(url_for("admin.users"))


@bp.post("/brugere/<int(max=2147483647):user_id>/nulstil-adgangskode")
@requires("user.manage")
def reset_password(user_id: int) -> Page:
    """A new one-time password, shown once; the user's sessions end."""
    actor = acting_user()
    session = get_session()
    target = admin.get_user(session, user_id)
    password = admin.reset_password(session, admin=actor, user=target, remote_addr=request.remote_addr)
    return _users_page(200, one_time={"email": target.email, "password": password})


@bp.post("/brugere/<int(max=2147483647):user_id>/rolle")
@requires("user.manage")
def change_role(user_id: int) -> BaseResponse | Page:
    """Change a user's role (and the organisation or municipality it binds to)."""
    actor = acting_user()
    session = get_session()
    target = admin.get_user(session, user_id)
    form = RoleForm()
    form.organisation.choices = organisation_choices(session)
    if not form.validate_on_submit():
        return _users_page(422, role_error=_("Rollen kunne ikke forstås."))
    try:
        admin.change_role(
            session,
            admin=actor,
            user=target,
            role=form.role.data,
            organisation=form.organisation.data or None,
            municipality=(form.municipality.data or "").strip() or None,
            remote_addr=request.remote_addr,
        )
    except AppError as exc:
        details = "; ".join(str(v) for v in exc.details.values())
        return _users_page(exc.status, role_error=f"{target.email}: {exc.message} {details}".strip())
    flash(_("Rollen for %(who)s er ændret.", who=target.email), "info")
    return redirect(url_for("admin.users"))


def _organisations_page(status: int = 200, **extra: object) -> Page:
    form = extra.pop("form", None) or OrganisationForm(formdata=None)
    page = render_template(
        "admin/organisations.html",
        organisations=admin.list_organisations(get_session()),
        form=form,
        trust_form=TrustForm(formdata=None),
        **extra,
    )
    return page, status, {}


@bp.get("/organisationer")
@requires("organisation.manage")
def organisations() -> Page:
    """Organisations, with a form to create one and a switch to trust a vendor."""
    return _organisations_page()


@bp.post("/organisationer")
@requires("organisation.manage")
def create_organisation() -> BaseResponse | Page:
    """Create an organisation."""
    user = acting_user()
    form = OrganisationForm()
    if not form.validate_on_submit():
        return _organisations_page(422, form=form)
    try:
        org = admin.create_organisation(
            get_session(),
            actor=user,
            slug=form.slug.data,
            name=form.name.data,
            kind=form.kind.data,
            url=form.url.data or None,
            remote_addr=request.remote_addr,
        )
    except AppError as exc:
        show_errors(form, exc, "slug")
        return _organisations_page(exc.status, form=form)
    flash(_("Organisationen %(name)s er oprettet.", name=org.name), "info")
    return redirect(url_for("admin.organisations"))


@bp.post("/organisationer/<int(max=2147483647):organisation_id>/betroet")
@requires("organisation.manage")
def trust(organisation_id: int) -> BaseResponse:
    """Mark a vendor organisation trusted (or no longer trusted)."""
    user = acting_user()
    session = get_session()
    org = admin.get_organisation(session, organisation_id)
    form = TrustForm()
    admin.set_trusted(
        session, actor=user, organisation=org, trusted=bool(form.trusted.data), remote_addr=request.remote_addr
    )
    flash(
        _("%(name)s er nu betroet.", name=org.name)
        if org.trusted
        else _("%(name)s er ikke længere betroet.", name=org.name),
        "info",
    )
    return redirect(url_for("admin.organisations"))
