"""Every reason a login response is refused, and the checks pysaml2 does not do (or does not do loudly).

pysaml2 accepts SHA-1 signatures and plaintext assertions, returns a response without an assertion for a
wrong Destination instead of raising, and never looks at the SubjectConfirmationData's Recipient. So the raw
response is checked here before pysaml2 parses it, and the decrypted assertion after; each refusal names one
``Reason``, which the page words (``tracker.web.saml_views``) and the log line names.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

MAX_RESPONSE_BYTES = 512 * 1024
PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
# Algorithms that are SHA-1 (or weaker) wherever they appear: signature, digest, the redirect binding's SigAlg.
WEAK_ALGORITHMS = frozenset(
    {
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
        "http://www.w3.org/2000/09/xmldsig#sha1",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
        "http://www.w3.org/2001/04/xmldsig-more#md5",
    }
)


class Reason(StrEnum):
    """Why a response (or logout message) was refused; the value is the log's and the page's code."""

    MALFORMED = "malformed"
    IDP_STATUS = "idp_status"
    UNKNOWN_IDP = "unknown_idp"
    UNSIGNED_RESPONSE = "unsigned_response"
    UNSIGNED_ASSERTION = "unsigned_assertion"
    BAD_SIGNATURE = "bad_signature"
    SHA1 = "sha1"
    PLAINTEXT_ASSERTION = "plaintext_assertion"
    ASSERTION_COUNT = "assertion_count"
    WRONG_AUDIENCE = "wrong_audience"
    WRONG_DESTINATION = "wrong_destination"
    WRONG_RECIPIENT = "wrong_recipient"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REPLAY = "replay"
    UNSOLICITED = "unsolicited"
    IN_RESPONSE_TO_MISMATCH = "in_response_to_mismatch"
    CVR_NOT_ALLOWED = "cvr_not_allowed"
    UNKNOWN_CVR = "unknown_cvr"
    LOA_MISMATCH = "loa_mismatch"
    SPEC_VERSION = "spec_version"
    MISSING_ATTRIBUTE = "missing_attribute"
    BAD_PRIVILEGES = "bad_privileges"
    EMAIL_IN_USE = "email_in_use"
    DECRYPTION_FAILED = "decryption_failed"
    INVALID = "invalid"
    SSO_OFF = "sso_off"


class Refused(Exception):
    """A refused login or logout: the reason, and a detail for the log (never shown to the user)."""

    def __init__(self, reason: Reason, detail: str = "", **context: Any) -> None:
        """Name the reason; ``detail`` and ``context`` go to the log line."""
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.context = context


@dataclass
class RawResponse:
    """What the raw (still encrypted) response says about itself."""

    xml: str
    issuer: str
    destination: str | None
    in_response_to: str | None
    response_signed: bool
    algorithms: list[str] = field(default_factory=list)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def algorithms_in(root: Element) -> list[str]:
    """Every SignatureMethod and DigestMethod algorithm in the document (the parts that are not encrypted)."""
    found = []
    for element in root.iter():
        if _local(element.tag) in {"SignatureMethod", "DigestMethod"} and str(element.tag).startswith("{" + DSIG):
            found.append(element.get("Algorithm") or "")
    return found


def refuse_weak(algorithms: list[str], where: str) -> None:
    """Refuse SHA-1 (and MD5) anywhere."""
    weak = sorted({a for a in algorithms if a in WEAK_ALGORITHMS or a.lower().endswith(("sha1", "md5"))})
    if weak:
        raise Refused(Reason.SHA1, f"{where} uses {', '.join(weak)}")


def decode(encoded: str) -> str:
    """The response XML from the form's base64; refuses what is too large or not base64."""
    if not encoded or len(encoded) > MAX_RESPONSE_BYTES * 4 // 3 + 4:
        raise Refused(Reason.MALFORMED, "missing or oversized SAMLResponse")
    try:
        return base64.b64decode(encoded, validate=False).decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise Refused(Reason.MALFORMED, "SAMLResponse is not base64 of UTF-8 text") from exc


def inspect_response(xml: str, *, acs_url: str, require_signed_response: bool) -> RawResponse:
    """The checks that need no key: form, status, algorithms, exactly one EncryptedAssertion, Destination."""
    try:
        root = ElementTree.fromstring(xml, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise Refused(Reason.MALFORMED, f"not well-formed XML: {exc}") from exc
    if root.tag != f"{{{PROTOCOL}}}Response":
        raise Refused(Reason.MALFORMED, f"root element is {root.tag}, not a SAML Response")
    issuer = (root.findtext(f"{{{ASSERTION}}}Issuer") or "").strip()
    status = root.find(f"{{{PROTOCOL}}}Status/{{{PROTOCOL}}}StatusCode")
    if status is None or status.get("Value") != SUCCESS:
        raise Refused(Reason.IDP_STATUS, f"status {status.get('Value') if status is not None else 'missing'}")
    algorithms = algorithms_in(root)
    refuse_weak(algorithms, "response")
    children = [_local(child.tag) for child in root]
    if "Assertion" in children:
        raise Refused(Reason.PLAINTEXT_ASSERTION, f"{children.count('Assertion')} plaintext assertion(s)")
    if children.count("EncryptedAssertion") != 1:
        raise Refused(Reason.ASSERTION_COUNT, f"{children.count('EncryptedAssertion')} EncryptedAssertion elements")
    destination = root.get("Destination")
    if destination != acs_url:
        raise Refused(Reason.WRONG_DESTINATION, f"Destination {destination!r}, expected {acs_url!r}")
    signed = root.find(f"{{{DSIG}}}Signature") is not None
    if require_signed_response and not signed:
        raise Refused(Reason.UNSIGNED_RESPONSE, "the Response element carries no signature")
    return RawResponse(
        xml=xml,
        issuer=issuer,
        destination=destination,
        in_response_to=root.get("InResponseTo"),
        response_signed=signed,
        algorithms=algorithms,
    )


def reason_of_pysaml2_error(exc: Exception) -> Reason:
    """pysaml2's exception for a response it would not accept, as one of our reasons."""
    name, text = type(exc).__name__, str(exc)
    if name == "SignatureError" and "missing for assertion" in text:
        return Reason.UNSIGNED_ASSERTION
    if name == "SignatureError" and "missing for response" in text:
        return Reason.UNSIGNED_RESPONSE
    if name in {"SignatureError", "IncorrectlySigned", "MissingKey", "CertificateError"}:
        return Reason.BAD_SIGNATURE
    if name == "ResponseLifetimeExceed":
        return Reason.EXPIRED
    if name == "ToEarly":
        return Reason.NOT_YET_VALID
    if name == "UnsolicitedResponse":
        return Reason.IN_RESPONSE_TO_MISMATCH
    if "AudienceRestriction" in text:
        return Reason.WRONG_AUDIENCE
    if name in {"DecryptionFailed", "DecryptError"}:
        return Reason.DECRYPTION_FAILED
    return Reason.INVALID


def parse_instant(value: str | None) -> datetime | None:
    """An xs:dateTime of an assertion (UTC, 'Z' or an offset; fractions of a second allowed)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Refused(Reason.MALFORMED, f"unreadable instant {value!r}") from exc


def check_window(
    now: datetime, not_before: datetime | None, not_on_or_after: datetime | None, skew: timedelta, what: str
) -> None:
    """Refuse outside [NotBefore − skew, NotOnOrAfter + skew)."""
    if not_before is not None and now + skew < not_before:
        raise Refused(Reason.NOT_YET_VALID, f"{what} NotBefore {not_before.isoformat()}")
    if not_on_or_after is not None and now - skew >= not_on_or_after:
        raise Refused(Reason.EXPIRED, f"{what} NotOnOrAfter {not_on_or_after.isoformat()}")


def check_assertion(
    assertion: Any,
    *,
    issuer: str,
    audience: str,
    acs_url: str,
    request_id: str,
    now: datetime,
    skew: timedelta,
) -> None:
    """The decrypted assertion: signed without SHA-1, ours (audience, recipient, request), within its time."""
    signature = assertion.signature
    if signature is None:
        raise Refused(Reason.UNSIGNED_ASSERTION, "the assertion carries no signature")
    algorithms = [signature.signed_info.signature_method.algorithm]
    algorithms += [ref.digest_method.algorithm for ref in signature.signed_info.reference]
    refuse_weak(algorithms, "assertion signature")
    if assertion.issuer is None or (assertion.issuer.text or "").strip() != issuer:
        raise Refused(Reason.INVALID, "the assertion's Issuer is not the response's")
    conditions = assertion.conditions
    if conditions is None:
        raise Refused(Reason.INVALID, "the assertion has no Conditions")
    audiences = [a.text for r in conditions.audience_restriction for a in r.audience]
    if audience not in audiences:
        raise Refused(Reason.WRONG_AUDIENCE, f"audiences {audiences}")
    check_window(
        now, parse_instant(conditions.not_before), parse_instant(conditions.not_on_or_after), skew, "Conditions"
    )
    bearer = [c for c in assertion.subject.subject_confirmation if c.method == "urn:oasis:names:tc:SAML:2.0:cm:bearer"]
    if not bearer or bearer[0].subject_confirmation_data is None:
        raise Refused(Reason.INVALID, "no bearer SubjectConfirmation")
    data = bearer[0].subject_confirmation_data
    if data.recipient != acs_url:
        raise Refused(Reason.WRONG_RECIPIENT, f"Recipient {data.recipient!r}, expected {acs_url!r}")
    if data.in_response_to != request_id:
        raise Refused(Reason.IN_RESPONSE_TO_MISMATCH, f"SubjectConfirmationData InResponseTo {data.in_response_to!r}")
    check_window(now, parse_instant(data.not_before), parse_instant(data.not_on_or_after), skew, "SubjectConfirmation")
