"""SP-initiated login: send a signed AuthnRequest (HTTP-Redirect), take the answer (HTTP-POST), once.

``begin_login`` stores the request (its ID, the IdP, a hash of a browser-bound nonce) so any worker can
match the answer; ``finish_login`` runs every check in ``tracker.saml.checks``, the claims and binding of
``tracker.saml.identity``, remembers the assertion ID (a second use anywhere is a replay) and provisions the
user. Services only flush: the view commits on success; a refusal rolls everything back.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.saml import AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext
from saml2.xmldsig import SIG_RSA_SHA256
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.models import SamlAssertionSeen, SamlIdp, SamlRequest, User
from tracker.saml import attributes, checks, identity, sp
from tracker.saml.checks import Reason, Refused
from tracker.saml.keys import SpKeys, sp_keys


@dataclass(frozen=True)
class Login:
    """A login that passed every check: who, how (level, IdP), and the session details a logout names."""

    user: User
    idp: SamlIdp
    claims: identity.Claims
    name_id: str
    name_id_format: str | None
    session_index: str | None
    session_not_on_or_after: datetime | None
    next_url: str | None
    rebound: bool


def browser_hash(nonce: str) -> str:
    """What is stored of the browser-bound nonce."""
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


def keys_or_refuse(config: Mapping[str, Any]) -> SpKeys:
    """The SP's keys, or a refusal when single sign-on is not configured."""
    keys = sp_keys(config)
    if keys is None:
        raise Refused(Reason.SSO_OFF, "no SAML_SIGNING_KEY configured")
    return keys


def begin_login(
    session: Session, config: Mapping[str, Any], idp: SamlIdp, *, next_url: str | None, now: datetime
) -> tuple[str, str]:
    """A signed AuthnRequest to ``idp``; returns the redirect URL and the nonce for the browser's cookie."""
    keys = keys_or_refuse(config)
    client = sp.client(config, keys, [idp])
    level = str(config.get("SAML_REQUESTED_LOA") or "Substantial")
    requested = RequestedAuthnContext(
        authn_context_class_ref=[AuthnContextClassRef(text=attributes.class_ref_of(level))], comparison="minimum"
    )
    request_id, info = client.prepare_for_authenticate(
        entityid=idp.entity_id,
        relay_state=secrets.token_urlsafe(16),
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=SIG_RSA_SHA256,
        requested_authn_context=requested,
    )
    nonce = secrets.token_urlsafe(32)
    max_age = timedelta(seconds=int(config.get("SAML_REQUEST_MAX_AGE_SECONDS", 600)))
    # Requests nobody answered are of no use after their time; clearing them here keeps the table small.
    session.execute(delete(SamlRequest).where(SamlRequest.created_at < now - 2 * max_age))
    session.execute(delete(SamlAssertionSeen).where(SamlAssertionSeen.expires_at < now - timedelta(days=1)))
    session.add(
        SamlRequest(id=request_id, idp_id=idp.id, browser_hash=browser_hash(nonce), next_url=next_url, created_at=now)
    )
    session.flush()
    return str(dict(info["headers"])["Location"]), nonce


def _request_of(
    session: Session, raw: checks.RawResponse, idp: SamlIdp, nonce: str | None, config: Mapping[str, Any], now: datetime
) -> SamlRequest:
    if not raw.in_response_to:
        raise Refused(Reason.UNSOLICITED, "the response answers no request (no InResponseTo)")
    request = session.get(SamlRequest, raw.in_response_to[:100])
    max_age = timedelta(seconds=int(config.get("SAML_REQUEST_MAX_AGE_SECONDS", 600)))
    if request is None or request.idp_id != idp.id:
        raise Refused(Reason.IN_RESPONSE_TO_MISMATCH, f"InResponseTo {raw.in_response_to!r} is no request to this IdP")
    if not nonce or request.browser_hash != browser_hash(nonce):
        raise Refused(Reason.IN_RESPONSE_TO_MISMATCH, "the request was started in another browser")
    if now - request.created_at > max_age:
        raise Refused(Reason.IN_RESPONSE_TO_MISMATCH, "the request is too old")
    return request


def _remember(session: Session, assertion_id: str, idp: SamlIdp, expires_at: datetime, now: datetime) -> None:
    """Store the assertion ID; a second use (this worker or another) is a replay."""
    try:
        with session.begin_nested():
            session.add(
                SamlAssertionSeen(
                    assertion_id=assertion_id, idp_entity_id=idp.entity_id, seen_at=now, expires_at=expires_at
                )
            )
    except IntegrityError as exc:
        raise Refused(Reason.REPLAY, f"assertion {assertion_id} was used before") from exc


def finish_login(
    session: Session,
    config: Mapping[str, Any],
    encoded: str,
    *,
    nonce: str | None,
    now: datetime,
    remote_addr: str | None,
) -> Login:
    """Check the POSTed response and log its subject in (flushes only); ``Refused`` names why not."""
    keys = keys_or_refuse(config)
    acs = sp.acs_url(config)
    raw = checks.inspect_response(
        checks.decode(encoded),
        acs_url=acs,
        require_signed_response=bool(config.get("SAML_REQUIRE_SIGNED_RESPONSE", True)),
    )
    idp = session.scalar(select(SamlIdp).where(SamlIdp.entity_id == raw.issuer, SamlIdp.active.is_(True)))
    if idp is None:
        raise Refused(Reason.UNKNOWN_IDP, f"issuer {raw.issuer!r} is no active IdP")
    request = _request_of(session, raw, idp, nonce, config, now)
    client = sp.client(config, keys, [idp])
    try:
        response = client.parse_authn_request_response(
            encoded, BINDING_HTTP_POST, outstanding={request.id: request.next_url or "/"}
        )
    except Exception as exc:  # pysaml2 raises many unrelated types; each is mapped to a reason
        raise Refused(checks.reason_of_pysaml2_error(exc), f"{type(exc).__name__}: {exc}") from exc
    # pysaml2 gives a response without an assertion (instead of raising) for some faults: never go on then.
    if response is None or response.assertion is None:
        raise Refused(Reason.INVALID, "pysaml2 returned no assertion")
    assertion = response.assertion
    skew = timedelta(seconds=int(config.get("SAML_CLOCK_SKEW_SECONDS", 180)))
    checks.check_assertion(
        assertion,
        issuer=idp.entity_id,
        audience=sp.entity_id(config),
        acs_url=acs,
        request_id=request.id,
        now=now,
        skew=skew,
    )
    statement = assertion.authn_statement[0] if assertion.authn_statement else None
    class_ref = None
    if (
        statement is not None
        and statement.authn_context is not None
        and statement.authn_context.authn_context_class_ref
    ):
        class_ref = (statement.authn_context.authn_context_class_ref.text or "").strip()
    claims = identity.read_claims(response.ava or {}, class_ref, list(config.get("SAML_ACCEPTED_SPEC_VERSIONS") or []))
    try:
        binding = identity.bind(session, idp, claims, str(config.get("SAML_COORDINATOR_PRIVILEGE") or ""))
    except Refused as exc:
        exc.context.update(uuid=claims.uuid, cvr=claims.cvr)
        raise
    identity.check_email(session, claims)
    conditions_end = checks.parse_instant(assertion.conditions.not_on_or_after) or now + skew
    _remember(session, assertion.id, idp, conditions_end + skew, now)
    if request.used_at is not None:
        raise Refused(Reason.IN_RESPONSE_TO_MISMATCH, f"request {request.id} was answered before")
    request.used_at = now
    user, rebound = identity.provision(session, claims, binding, now=now, remote_addr=remote_addr)
    name_id = assertion.subject.name_id
    return Login(
        user=user,
        idp=idp,
        claims=claims,
        name_id=(name_id.text or "").strip() if name_id is not None else claims.uuid,
        name_id_format=name_id.format if name_id is not None else None,
        session_index=statement.session_index if statement is not None else None,
        session_not_on_or_after=checks.parse_instant(statement.session_not_on_or_after) if statement else None,
        next_url=request.next_url,
        rebound=rebound,
    )
