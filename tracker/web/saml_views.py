"""Single sign-on pages: SP metadata, the login through an IdP, the assertion consumer, single logout.

The rules live in ``tracker.saml``; here a refusal becomes a Danish page (English with ?lang=en) and a log line
naming the reason, and a login becomes a server-side session that keeps the asserted NSIS level.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth import SessionUser, audit, sessions
from tracker.auth.permissions import level_suffices
from tracker.auth.protect import requires
from tracker.clock import utcnow
from tracker.db import get_db, get_session
from tracker.errors import NotFound, error_response
from tracker.models import SamlIdp
from tracker.saml import flow, identity, idps, logout
from tracker.saml.checks import Reason, Refused
from tracker.saml.keys import sp_keys
from tracker.saml.metadata import sp_metadata
from tracker.security import csrf
from tracker.web.guards import landing_url, safe_next

log = logging.getLogger(__name__)
bp = Blueprint("saml", __name__, url_prefix="/saml")
NONCE_COOKIE = "tracker_saml"

# What the person is told for each refusal (the log line names the reason and its detail). Danish msgids: the
# error page translates them through the catalogue (English with ?lang=en).
MESSAGES: dict[Reason, str] = {
    Reason.MALFORMED: ("Svaret fra identitetsudbyderen kunne ikke læses."),
    Reason.IDP_STATUS: ("Identitetsudbyderen gennemførte ikke login (afbrudt eller afvist)."),
    Reason.UNKNOWN_IDP: ("Svaret kom fra en identitetsudbyder, som TU-tracker ikke er sat op til at stole på."),
    Reason.UNSIGNED_RESPONSE: ("Svaret fra identitetsudbyderen var ikke signeret."),
    Reason.UNSIGNED_ASSERTION: ("Identitetsudbyderens erklæring om dig (assertion) var ikke signeret."),
    Reason.BAD_SIGNATURE: ("Signaturen på svaret fra identitetsudbyderen kunne ikke bekræftes."),
    Reason.SHA1: ("Svaret var signeret med SHA-1, som ikke længere er sikkert nok."),
    Reason.PLAINTEXT_ASSERTION: ("Erklæringen om dig var ikke krypteret, som OIOSAML 3 kræver."),
    Reason.ASSERTION_COUNT: ("Svaret skal indeholde præcis én krypteret erklæring."),
    Reason.WRONG_AUDIENCE: ("Erklæringen var udstedt til en anden tjeneste end TU-tracker."),
    Reason.WRONG_DESTINATION: ("Svaret var sendt til en anden adresse end TU-trackers."),
    Reason.WRONG_RECIPIENT: ("Erklæringen var udstedt til en anden modtageradresse end TU-trackers."),
    Reason.EXPIRED: ("Erklæringen fra identitetsudbyderen er udløbet. Log ind igen."),
    Reason.NOT_YET_VALID: ("Erklæringen fra identitetsudbyderen er endnu ikke gyldig. Tjek uret, og log ind igen."),
    Reason.REPLAY: ("Denne erklæring er allerede brugt til at logge ind. Log ind igen."),
    Reason.UNSOLICITED: ("Svaret fra identitetsudbyderen svarer ikke på et login, der er startet her."),
    Reason.IN_RESPONSE_TO_MISMATCH: (
        "Svaret hører ikke til det login, du startede i denne browser (eller det er for gammelt). Log ind igen."
    ),
    Reason.CVR_NOT_ALLOWED: ("Identitetsudbyderen må ikke stå inde for brugere fra din organisation (CVR)."),
    Reason.UNKNOWN_CVR: (
        "Din organisations CVR-nummer er hverken en kommunes eller en kendt organisations i TU-tracker."
    ),
    Reason.LOA_MISMATCH: ("Sikringsniveauet i erklæringen var modstridende (attribut og AuthnContextClassRef)."),
    Reason.SPEC_VERSION: ("Erklæringen følger ikke en OIOSAML-version, som TU-tracker accepterer."),
    Reason.MISSING_ATTRIBUTE: ("Erklæringen mangler oplysninger, TU-tracker skal bruge (fx CVR, UUID eller e-mail)."),
    Reason.BAD_PRIVILEGES: ("Listen over rettigheder i erklæringen kunne ikke læses."),
    Reason.EMAIL_IN_USE: (
        "Der findes allerede en bruger med din e-mailadresse, som logger ind med adgangskode. Kontakt en administrator."
    ),
    Reason.DECRYPTION_FAILED: ("Erklæringen kunne ikke dekrypteres."),
    Reason.INVALID: ("Svaret fra identitetsudbyderen kunne ikke godkendes."),
    Reason.SSO_OFF: ("Log-ind via identitetsudbyder er ikke sat op på denne server."),
}


def refusal_page(exc: Refused) -> Response:
    """The refusal as a page (or JSON) with the reason's code; the log line names reason and detail."""
    log.warning("SAML refused: reason=%s detail=%s path=%s", exc.reason.value, exc.detail, request.path)
    message = MESSAGES.get(exc.reason, MESSAGES[Reason.INVALID])
    status = 503 if exc.reason == Reason.SSO_OFF else 403
    return error_response(status, f"saml_{exc.reason.value}", message, {"reason": exc.reason.value})


@bp.get("/metadata")
@requires("public")
def metadata() -> Response:
    """The SP's metadata, for registering TU-tracker with NemLog-in or a local IdP."""
    keys = sp_keys(current_app.config)
    if keys is None:
        return refusal_page(Refused(Reason.SSO_OFF, "no keys"))
    xml = sp_metadata(current_app.config, keys)
    return Response(xml, mimetype="application/samlmetadata+xml", headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/login")
@requires("public")
def login() -> BaseResponse | tuple[str, int]:
    """Choose an IdP (when there are several) and go there with a signed AuthnRequest."""
    db = get_session()
    next_url = safe_next(request.args.get("next"))
    active = idps.active_idps(db)
    if sp_keys(current_app.config) is None or not active:
        return refusal_page(Refused(Reason.SSO_OFF, "no keys or no active IdP"))
    chosen = request.args.get("idp", "")
    if not chosen and len(active) > 1:
        return render_template("auth/saml_choose.html", idps=active, next=next_url), 200
    idp = active[0] if not chosen else db.get(SamlIdp, int(chosen)) if chosen.isdigit() else None
    if idp is None or not idp.active:
        raise NotFound(_("Ukendt identitetsudbyder."))
    # A writer transaction of its own (BEGIN IMMEDIATE on SQLite): this GET's own session began as a reader,
    # which SQLite may refuse to upgrade when another worker wrote meanwhile.
    with get_db().unit_of_work() as own:
        chosen_idp = own.get(SamlIdp, idp.id)
        assert chosen_idp is not None  # just read
        location, nonce = flow.begin_login(own, current_app.config, chosen_idp, next_url=next_url, now=utcnow())
    response = redirect(location)
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE", True))
    # The IdP posts back cross-site: with https the cookie must be SameSite=None to come along.
    response.set_cookie(
        NONCE_COOKIE,
        nonce,
        max_age=int(current_app.config.get("SAML_REQUEST_MAX_AGE_SECONDS", 600)),
        path="/saml/",
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/acs")
@csrf.exempt
@requires("public")
def acs() -> BaseResponse:
    """The IdP's HTTP-POST answer: every check, then a session that keeps the asserted NSIS level."""
    db = get_session()
    try:
        done = flow.finish_login(
            db,
            current_app.config,
            request.form.get("SAMLResponse", ""),
            nonce=request.cookies.get(NONCE_COOKIE),
            now=utcnow(),
            remote_addr=request.remote_addr,
        )
    except Refused as exc:
        if exc.reason in (Reason.UNKNOWN_CVR, Reason.CVR_NOT_ALLOWED) and exc.context.get("uuid"):
            # A known person whose CVR no longer binds (moved to the region): their old sessions end now.
            db.rollback()
            with get_db().unit_of_work() as own:
                identity.lose_binding(own, str(exc.context["uuid"]), str(exc.context.get("cvr")),
                                      remote_addr=request.remote_addr)  # fmt: skip
        return refusal_page(exc)
    user, level = done.user, done.claims.loa.value
    audit.record(
        db,
        "auth.sso_login",
        actor=user,
        object_type="user",
        object_id=user.id,
        details={"idp": done.idp.entity_id, "loa": level, "cvr": done.claims.cvr, "rebound": done.rebound},
        remote_addr=request.remote_addr,
    )
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    row, sid = sessions.start_session(
        db,
        user,
        second_factor=level_suffices(level),
        remote_addr=request.remote_addr,
        sso=sessions.SsoDetails(
            loa=level,
            idp_id=done.idp.id,
            name_id=done.name_id,
            name_id_format=done.name_id_format,
            session_index=done.session_index,
            not_on_or_after=done.session_not_on_or_after,
        ),
    )
    login_user(SessionUser(user, sid, row))
    log.info("SAML login: user=%s idp=%s loa=%s cvr=%s", user.id, done.idp.entity_id, level, done.claims.cvr)
    if level_suffices(level):
        flash(_("Du er logget ind som %(who)s.", who=user.label), "info")
    else:
        flash(_("Du er logget ind på sikringsniveau Lav og kan kun se de offentlige sider."), "info")
    response = redirect(done.next_url or landing_url(user) if level_suffices(level) else url_for("web.index"))
    response.delete_cookie(NONCE_COOKIE, path="/saml/")
    return response


@bp.get("/slo")
@requires("public")
def slo() -> BaseResponse:
    """Single logout over HTTP-Redirect: the IdP's request (end the sessions it names) or its answer to ours."""
    args = dict(request.args.items())
    db = get_session()
    try:
        if "SAMLRequest" in args:
            location, ended = logout.handle_logout_request(db, current_app.config, args)
            log.info("SAML logout from the IdP: %s session(s) ended", ended)
            if current_user.is_authenticated and getattr(current_user, "row", None) is not None:
                db.refresh(current_user.row)
                if current_user.row.ended_at is not None:
                    logout_user()
                    session.clear()
            return redirect(location)
        if "SAMLResponse" in args:
            logout.handle_logout_response(db, current_app.config, args)
            flash(_("Du er logget ud."), "info")
            return redirect(url_for("web.index"))
    except Refused as exc:
        return refusal_page(exc)
    return refusal_page(Refused(Reason.MALFORMED, "neither SAMLRequest nor SAMLResponse"))


def sso_available() -> bool:
    """Whether the login page offers single sign-on: keys configured and at least one active IdP."""
    return sp_keys(current_app.config) is not None and bool(idps.active_idps(get_session()))


@bp.app_context_processor
def _sso_flag() -> dict[str, object]:
    return {"sso_available": sso_available}
