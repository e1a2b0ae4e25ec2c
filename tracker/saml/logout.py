"""Single logout (HTTP-Redirect, signed with RSA-SHA256): ours to the IdP, and the IdP's to us.

pysaml2 checks no signature on a logout request that reaches an SP over the redirect binding, so it is checked
here: SigAlg and Signature must be present, not SHA-1, and verify with a signing certificate of the IdP's
metadata (any of them: the IdP may be rotating its key).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from saml2 import BINDING_HTTP_REDIRECT
from saml2.saml import NameID
from saml2.sigver import verify_redirect_signature
from saml2.xmldsig import SIG_RSA_SHA256
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.clock import utcnow
from tracker.models import SamlIdp, UserSession
from tracker.saml import checks, sp
from tracker.saml.checks import Reason, Refused
from tracker.saml.flow import keys_or_refuse


def idp_slo_url(client: Any, idp: SamlIdp) -> str | None:
    """The IdP's single logout endpoint for the redirect binding, if its metadata has one."""
    try:
        services = client.metadata.single_logout_service(idp.entity_id, BINDING_HTTP_REDIRECT, "idpsso")
    except Exception:  # pysaml2 raises various errors for an entity without the service
        return None
    return str(services[0]["location"]) if services else None


def logout_request_url(session: Session, config: Mapping[str, Any], row: UserSession) -> str | None:
    """A signed LogoutRequest for an SSO session, as the URL to send the browser to (None: the IdP has no SLO)."""
    idp = session.get(SamlIdp, row.saml_idp_id) if row.saml_idp_id else None
    if idp is None or not row.saml_name_id:
        return None
    client = sp.client(config, keys_or_refuse(config), [idp])
    destination = idp_slo_url(client, idp)
    if destination is None:
        return None
    name_id = NameID(format=row.saml_name_id_format, text=row.saml_name_id)
    _request_id, request = client.create_logout_request(
        destination,
        idp.entity_id,
        name_id=name_id,
        session_indexes=[row.saml_session_index] if row.saml_session_index else None,
        sign=False,
    )
    info = client.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination, "", sign=True, sigalg=SIG_RSA_SHA256)
    return str(dict(info["headers"])["Location"])


def _verified_redirect(client: Any, idp: SamlIdp, args: Mapping[str, str], kind: str) -> None:
    sigalg, signature = args.get("SigAlg"), args.get("Signature")
    if not sigalg or not signature:
        raise Refused(Reason.UNSIGNED_RESPONSE, f"{kind} without SigAlg/Signature")
    checks.refuse_weak([sigalg], f"{kind} SigAlg")
    message = {k: args[k] for k in (kind, "RelayState", "SigAlg", "Signature") if k in args}
    certs = client.metadata.certs(idp.entity_id, "idpsso", "signing")
    try:
        verified = any(verify_redirect_signature(message, client.sec.sec_backend, cert) for _name, cert in certs)
    except Exception as exc:  # an unsupported algorithm or a malformed key: not verified
        raise Refused(Reason.BAD_SIGNATURE, f"{kind}: {exc}") from exc
    if not verified:
        raise Refused(Reason.BAD_SIGNATURE, f"{kind} signature does not verify")


def _issuer_of(client: Any, encoded: str, kind: str) -> str:
    try:
        xml = client.unravel(encoded, BINDING_HTTP_REDIRECT, kind)
    except Exception as exc:  # not deflated base64
        raise Refused(Reason.MALFORMED, f"{kind} cannot be read") from exc
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(xml, forbid_dtd=True)
    except Exception as exc:  # defusedxml and expat raise several types
        raise Refused(Reason.MALFORMED, f"{kind} is not XML") from exc
    return (root.findtext(f"{{{checks.ASSERTION}}}Issuer") or "").strip()


def _idp(session: Session, issuer: str) -> SamlIdp:
    idp = session.scalar(select(SamlIdp).where(SamlIdp.entity_id == issuer, SamlIdp.active.is_(True)))
    if idp is None:
        raise Refused(Reason.UNKNOWN_IDP, f"issuer {issuer!r} is no active IdP")
    return idp


def handle_logout_request(session: Session, config: Mapping[str, Any], args: Mapping[str, str]) -> tuple[str, int]:
    """An IdP-initiated logout: end the sessions it names; returns the URL of our signed answer and how many ended."""
    keys = keys_or_refuse(config)
    probe = sp.client(config, keys, [])
    idp = _idp(session, _issuer_of(probe, args["SAMLRequest"], "SAMLRequest"))
    client = sp.client(config, keys, [idp])
    _verified_redirect(client, idp, args, "SAMLRequest")
    parsed = client.parse_logout_request(args["SAMLRequest"], BINDING_HTTP_REDIRECT)
    if parsed is None or parsed.message is None:
        raise Refused(Reason.INVALID, "unreadable LogoutRequest")
    message = parsed.message
    if message.destination and message.destination != sp.slo_url(config):
        raise Refused(Reason.WRONG_DESTINATION, f"Destination {message.destination!r}")
    name_id = (message.name_id.text or "").strip() if message.name_id is not None else ""
    if not name_id:
        raise Refused(Reason.INVALID, "LogoutRequest names no subject")
    conditions = [
        UserSession.saml_idp_id == idp.id,
        UserSession.saml_name_id == name_id,
        UserSession.ended_at.is_(None),
    ]
    indexes = [(i.text or "").strip() for i in message.session_index or [] if (i.text or "").strip()]
    if indexes:
        conditions.append(UserSession.saml_session_index.in_(indexes))
    result = session.execute(
        update(UserSession).where(*conditions).values(ended_at=utcnow()).execution_options(synchronize_session=False)
    )
    ended = int(getattr(result, "rowcount", 0) or 0)
    answer = client.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
    destination = idp_slo_url(client, idp)
    if destination is None:
        raise Refused(Reason.INVALID, "the IdP has no logout endpoint to answer")
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(answer),
        destination,
        args.get("RelayState", ""),
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return str(dict(info["headers"])["Location"]), ended


def handle_logout_response(session: Session, config: Mapping[str, Any], args: Mapping[str, str]) -> None:
    """The IdP's answer to our LogoutRequest: verified, nothing else to do (our session ended before we asked)."""
    keys = keys_or_refuse(config)
    probe = sp.client(config, keys, [])
    idp = _idp(session, _issuer_of(probe, args["SAMLResponse"], "SAMLResponse"))
    client = sp.client(config, keys, [idp])
    _verified_redirect(client, idp, args, "SAMLResponse")
