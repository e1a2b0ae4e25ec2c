"""Administration of single sign-on (admins): the trusted IdPs from metadata (a file or a URL fetched through
the SSRF guard) with the CVRs each may vouch for, organisations' CVR numbers, and corrections of a
municipality's CVR. Every change is audited."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.protect import acting_user, requires
from tracker.db import get_session
from tracker.errors import AppError, NotFound, ValidationError
from tracker.models import Municipality, Organisation, SamlIdp
from tracker.municipalities import cvr as cvr_numbers
from tracker.saml import idps
from tracker.saml.keys import sp_keys
from tracker.web.guards import send_anonymous_to_login

bp = Blueprint("saml_admin", __name__, url_prefix="/admin/sso")
send_anonymous_to_login(bp)
NO_STORE = {"Cache-Control": "no-store"}


def _page(
    status: int = 200, error: str | None = None, problems: dict[str, str] | None = None
) -> tuple[str, int, dict[str, str]]:
    session = get_session()
    page = render_template(
        "admin/sso.html",
        idps=list(session.scalars(select(SamlIdp).order_by(SamlIdp.name))),
        organisations=list(session.scalars(select(Organisation).order_by(Organisation.name))),
        municipalities=list(session.scalars(select(Municipality).order_by(Municipality.code))),
        keys_configured=sp_keys(current_app.config) is not None,
        error=error,
        problems=problems or {},
        form=request.form if request.method == "POST" else {},
    )
    return page, status, NO_STORE


def _failed(exc: AppError) -> tuple[str, int, dict[str, str]]:
    return _page(exc.status, exc.message, {k: str(v) for k, v in exc.details.items()})


@bp.get("")
@requires("sso.manage")
def index() -> tuple[str, int, dict[str, str]]:
    """The IdPs, organisations' CVRs and the municipalities' CVRs with their source."""
    return _page()


@bp.post("/idps")
@requires("sso.manage")
def add_idp() -> BaseResponse | tuple[str, int, dict[str, str]]:
    """Trust an IdP from uploaded metadata or a metadata URL (fetched through the SSRF guard)."""
    user = acting_user()
    session = get_session()
    upload = request.files.get("metadata")
    url = (request.form.get("metadata_url") or "").strip()
    try:
        if upload is not None and upload.filename:
            raw = upload.read(int(current_app.config.get("SAML_METADATA_MAX_BYTES", 1_000_000)) + 1)
            if len(raw) > int(current_app.config.get("SAML_METADATA_MAX_BYTES", 1_000_000)):
                raise ValidationError(_("Metadata er for stor."), {"metadata": _("Filen er for stor.")})
            try:
                xml = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValidationError(_("Metadata er ikke UTF-8."), {"metadata": _("Forkert tegnsæt.")}) from exc
            source_url = None
        elif url:
            xml, source_url = idps.fetch_metadata(current_app.config, url), url
        else:
            raise ValidationError(_("Upload en metadatafil eller angiv en metadata-URL."), {"metadata": _("Mangler.")})
        idp = idps.add_idp(
            session,
            metadata_xml=xml,
            metadata_url=source_url,
            cvrs=idps.parse_cvrs(request.form.get("cvrs", "")),
            all_municipalities=request.form.get("all_municipalities") == "y",
            name=(request.form.get("name") or "").strip() or None,
            actor=user,
        )
    except AppError as exc:
        return _failed(exc)
    flash(_("Identitetsudbyderen %(name)s er gemt.", name=idp.name), "info")
    return redirect(url_for("saml_admin.index"))


@bp.post("/idps/<int(max=2147483647):idp_id>/aktiv")
@requires("sso.manage")
def toggle_idp(idp_id: int) -> BaseResponse | tuple[str, int, dict[str, str]]:
    """Switch an IdP off (its logins are refused at once) or on again."""
    user = acting_user()
    try:
        idps.set_active(get_session(), idp_id, active=request.form.get("active") == "y", actor=user)
    except AppError as exc:
        return _failed(exc)
    return redirect(url_for("saml_admin.index"))


@bp.post("/organisationer")
@requires("sso.manage")
def organisation_cvr() -> BaseResponse | tuple[str, int, dict[str, str]]:
    """Set an organisation's CVR (KL's scopes the coordinator privilege)."""
    user = acting_user()
    session = get_session()
    organisation = session.scalar(select(Organisation).where(Organisation.slug == request.form.get("organisation", "")))
    try:
        if organisation is None:
            raise NotFound(_("Ukendt organisation."), {"organisation": _("Findes ikke.")})
        cvr_numbers.set_organisation_cvr(
            session, organisation=organisation, cvr=request.form.get("cvr", ""), actor=user
        )
    except AppError as exc:
        return _failed(exc)
    flash(_("CVR-nummeret er gemt."), "info")
    return redirect(url_for("saml_admin.index"))


@bp.post("/kommuner")
@requires("sso.manage")
def municipality_cvr() -> BaseResponse | tuple[str, int, dict[str, str]]:
    """Correct (or confirm) a municipality's CVR, with its source."""
    user = acting_user()
    try:
        cvr_numbers.correct_municipality_cvr(
            get_session(),
            code=request.form.get("code", ""),
            cvr=request.form.get("cvr", ""),
            source=request.form.get("source", ""),
            actor=user,
        )
    except AppError as exc:
        return _failed(exc)
    flash(_("CVR-nummeret er gemt."), "info")
    return redirect(url_for("saml_admin.index"))
