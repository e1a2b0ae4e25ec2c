"""The identity providers an admin trusts: added from metadata (an upload, or a URL fetched through the
webhooks' SSRF guard), each allowed to vouch for named CVR numbers; updated, switched off."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth import audit
from tracker.broadcast.ssrf import TargetRefused, check_url, policy_from_config
from tracker.broadcast.transport import pinned_session
from tracker.clock import utcnow
from tracker.errors import Conflict, NotFound, ValidationError
from tracker.models import SamlIdp, User
from tracker.municipalities.cvr import normalise_cvr, valid_cvr

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DSIG = "http://www.w3.org/2000/09/xmldsig#"


def parse_metadata(xml: str) -> tuple[str, str]:
    """The entity ID and a display name of an IdP's metadata; ``ValidationError`` when it is not usable.

    Usable: well-formed, one EntityDescriptor with an IDPSSODescriptor that has a SingleSignOnService for the
    HTTP-Redirect binding and at least one signing certificate.
    """
    try:
        root = ElementTree.fromstring(xml, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise ValidationError("saml.metadata_not_xml", {"metadata": str(exc)[:200]}) from exc
    if root.tag != f"{{{MD}}}EntityDescriptor" or not root.get("entityID"):
        raise ValidationError("saml.metadata_root_invalid", {"metadata": "Forkert rod."})
    idp = root.find(f"{{{MD}}}IDPSSODescriptor")
    if idp is None:
        raise ValidationError("saml.metadata_no_idp", {"metadata": "Mangler."})
    redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    if not any(s.get("Binding") == redirect for s in idp.findall(f"{{{MD}}}SingleSignOnService")):
        raise ValidationError("saml.idp_no_redirect_binding", {"metadata": "Ingen SingleSignOnService."})
    signing = [
        k
        for k in idp.findall(f"{{{MD}}}KeyDescriptor")
        if k.get("use") in (None, "signing") and k.find(f".//{{{DSIG}}}X509Certificate") is not None
    ]
    if not signing:
        raise ValidationError("saml.metadata_no_signing_certificate", {"metadata": "Mangler certifikat."})
    name = ""
    for element in root.iter():
        if str(element.tag).endswith("}OrganizationDisplayName") and (element.text or "").strip():
            name = (element.text or "").strip()
            break
    return str(root.get("entityID")), name or str(root.get("entityID"))


def fetch_metadata(config: Mapping[str, Any], url: str) -> str:
    """Fetch metadata through the webhooks' SSRF guard (public addresses only, unless allowed; no redirects)."""
    policy = policy_from_config(config)
    try:
        url = check_url(url, policy)
    except TargetRefused as exc:
        raise ValidationError(exc.message, {"metadata_url": exc.message}) from exc
    limit = int(config.get("SAML_METADATA_MAX_BYTES", 1_000_000))
    session = pinned_session(policy, str(config.get("SCRAPE_USER_AGENT") or "TU-tracker"))
    try:
        with session.get(url, timeout=(5, 20), allow_redirects=False, stream=True) as response:
            if response.status_code != 200:
                raise ValidationError(
                    "saml.metadata_url_error_status", {"metadata_url": "Ikke hentet."}, status_code=response.status_code
                )
            body = b""
            for chunk in response.iter_content(65536):
                body += chunk
                if len(body) > limit:
                    raise ValidationError("saml.metadata_too_large", {"metadata_url": f"Over {limit} bytes."})
    except TargetRefused as exc:
        raise ValidationError(exc.message, {"metadata_url": exc.message}) from exc
    except requests.RequestException as exc:
        raise ValidationError("saml.metadata_not_fetched", {"metadata_url": type(exc).__name__}) from exc
    finally:
        session.close()
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("saml.metadata_not_utf8", {"metadata_url": "Forkert tegnsæt."}) from exc


def parse_cvrs(text: str) -> list[str]:
    """CVR numbers separated by commas, spaces or lines; each must pass the modulus-11 check."""
    found: list[str] = []
    for part in text.replace(",", "\n").replace(";", "\n").splitlines():
        if not part.strip():
            continue
        cvr = normalise_cvr(part)
        if not valid_cvr(cvr):
            raise ValidationError(
                "municipalities.cvr_invalid", {"cvrs": f"'{part.strip()}' er ikke et gyldigt CVR-nummer."}
            )
        if cvr not in found:
            found.append(cvr)
    return found


def add_idp(
    session: Session,
    *,
    metadata_xml: str,
    metadata_url: str | None,
    cvrs: list[str],
    all_municipalities: bool,
    name: str | None,
    actor: User,
) -> SamlIdp:
    """Trust a new IdP (or refresh one with the same entity ID) from its metadata; audited."""
    entity_id, display = parse_metadata(metadata_xml)
    idp = session.scalar(select(SamlIdp).where(SamlIdp.entity_id == entity_id))
    now = utcnow()
    if idp is None:
        idp = SamlIdp(entity_id=entity_id, created_at=now)
        session.add(idp)
    elif idp.active and cvrs == [] and not all_municipalities and (idp.allowed_cvrs or idp.all_municipalities):
        # A refresh of the metadata keeps the CVRs already trusted.
        cvrs, all_municipalities = list(idp.allowed_cvrs or []), idp.all_municipalities
    if not cvrs and not all_municipalities:
        raise ValidationError("saml.idp_cvrs_missing", {"cvrs": "Skal udfyldes."})
    idp.name = (name or display)[:200]
    idp.metadata_xml, idp.metadata_url = metadata_xml, metadata_url
    idp.allowed_cvrs, idp.all_municipalities, idp.active, idp.updated_at = cvrs, all_municipalities, True, now
    session.flush()
    audit.record(
        session,
        "saml.idp_saved",
        actor=actor,
        object_type="saml_idp",
        object_id=idp.id,
        details={"entity_id": entity_id, "cvrs": cvrs, "all_municipalities": all_municipalities, "url": metadata_url},
    )
    return idp


def set_active(session: Session, idp_id: int, *, active: bool, actor: User) -> SamlIdp:
    """Switch an IdP off (its logins are refused at once) or on again; audited."""
    idp = session.get(SamlIdp, idp_id)
    if idp is None:
        raise NotFound("saml.idp_not_found")
    if idp.active == active:
        raise Conflict("saml.idp_already_active" if active else "saml.idp_already_inactive")
    idp.active, idp.updated_at = active, utcnow()
    audit.record(session, "saml.idp_" + ("enabled" if active else "disabled"), actor=actor, object_type="saml_idp",
                 object_id=idp.id)  # fmt: skip
    session.flush()
    return idp


def active_idps(session: Session) -> list[SamlIdp]:
    """The IdPs one may log in through, by name."""
    return list(session.scalars(select(SamlIdp).where(SamlIdp.active.is_(True)).order_by(SamlIdp.name)))
