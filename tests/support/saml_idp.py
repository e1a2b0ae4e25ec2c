"""A real SAML IdP on loopback for the single sign-on tests: pysaml2's own ``saml2.server.Server`` behind a
werkzeug HTTP server on 127.0.0.1, issuing OIOSAML-3-shaped, signed and encrypted assertions.

The test says who logs in next (``Person``) and, for the refusal tests, what to get wrong (``Faults``): the
IdP still does everything else right, so each refusal test isolates one fault.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.s_utils import sid
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import TRIPLE_DES_CBC, pre_signature_part
from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1, SIG_RSA_SHA256
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.support.saml_keys import PemPair, make_pair
from tracker.saml import attributes

AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
SHA256 = (SIG_RSA_SHA256, DIGEST_SHA256)
SHA1 = (SIG_RSA_SHA1, DIGEST_SHA1)
FORM_RE = re.compile(r'name="(SAMLResponse|RelayState)" value="([^"]*)"')


@dataclass
class Person:
    """Who logs in: OIOSAML attributes as the IdP asserts them."""

    uuid: str
    cvr: str
    email: str
    name: str = "Test Testesen"
    loa: str = "Substantial"
    privileges: dict[str, list[str]] = field(default_factory=dict)
    spec_version: str = "OIO-SAML-3.0"
    class_ref_level: str | None = None  # None: the same as ``loa``

    def identity(self) -> dict[str, list[str]]:
        """The attribute statement's content (URI names)."""
        ava = {
            attributes.SPEC_VERSION: [self.spec_version],
            attributes.LOA: [self.loa],
            attributes.CVR: [self.cvr],
            attributes.UUID: [self.uuid],
            attributes.EMAIL: [self.email],
            attributes.FULL_NAME: [self.name],
            attributes.ORG_NAME: ["Organisation " + self.cvr],
        }
        if self.privileges:
            ava[attributes.PRIVILEGES] = [attributes.privilege_list_xml(self.privileges)]
        return ava


@dataclass
class Faults:
    """What the next response gets wrong (the defaults are a correct OIOSAML 3 response)."""

    sign_response: bool = True
    sign_assertion: bool = True
    encrypt: bool = True
    algorithms: tuple[str, str] = SHA256
    also_plaintext: bool = False  # a plaintext assertion beside the encrypted one
    audience: str | None = None
    destination: str | None = None
    recipient: str | None = None
    shift: timedelta = timedelta(0)  # moves every instant of the assertion (negative: issued in the past)
    in_response_to: str | None = None  # "" for an unsolicited response
    issuer: str | None = None


class LoopbackIdp:
    """The IdP: metadata at ``/metadata``, SSO at ``/sso`` (HTTP-Redirect), SLO at ``/slo`` (HTTP-Redirect)."""

    def __init__(self, directory: Path, sp_metadata: str, base_url: str) -> None:
        """Configure pysaml2's Server for ``base_url`` with a fresh signing key, trusting the SP's metadata."""
        self.base_url = base_url
        self.entity_id = base_url + "/metadata"
        self.keys: PemPair = make_pair(directory, "idp-signing")
        self.sp_metadata = sp_metadata
        self.person: Person | None = None
        self.faults = Faults()
        self.requests: list[Any] = []  # parsed AuthnRequests, for the tests to inspect
        self.request_queries: list[dict[str, str]] = []
        self.logout_requests: list[Any] = []
        self.issued: list[str] = []  # assertion IDs
        self.session_index = "idp-session-" + sid()
        self.server = self._server()
        self._encrypt_with_aes_gcm()

    def _server(self) -> Server:
        conf = IdPConfig()
        conf.load(
            {
                "entityid": self.entity_id,
                "key_file": self.keys.key_file,
                "cert_file": self.keys.cert_file,
                "metadata": {"inline": [self.sp_metadata]},
                "delete_tmpfiles": True,
                "service": {
                    "idp": {
                        "name": "Test-IdP",
                        "endpoints": {
                            "single_sign_on_service": [(self.base_url + "/sso", BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(self.base_url + "/slo", BINDING_HTTP_REDIRECT)],
                        },
                        "signing_algorithm": SIG_RSA_SHA256,
                        "digest_algorithm": DIGEST_SHA256,
                        "want_authn_requests_signed": True,
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                    }
                },
            }
        )
        return Server(config=conf)

    def _encrypt_with_aes_gcm(self) -> None:
        """Encrypt as OIOSAML 3 asks (AES-256-GCM content, RSA-OAEP key transport), not pysaml2's 3DES default."""
        sec = self.server.sec
        original = sec.encrypt_assertion

        def encrypt(statement: Any, enc_key: str, template: Any, key_type: str = "", node_xpath: Any = None) -> Any:
            template = str(template).replace(TRIPLE_DES_CBC, AES256_GCM)
            return original(statement, enc_key, template, "aes-256", node_xpath)

        sec.encrypt_assertion = encrypt

    def metadata(self) -> str:
        """The IdP's metadata document."""
        return create_metadata_string(None, config=self.server.config, valid=None).decode("utf-8")

    # --- the web side --------------------------------------------------------------------------------------

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Route a request."""
        request = Request(environ)
        if request.path == "/metadata":
            response = Response(self.metadata(), mimetype="application/samlmetadata+xml")
        elif request.path == "/sso":
            response = self._sso(request)
        elif request.path == "/slo":
            response = self._slo(request)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _sso(self, request: Request) -> Response:
        args = dict(request.args.items())
        self.request_queries.append(args)
        parsed = self.server.parse_authn_request(
            args["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
        self.requests.append(parsed.message)
        if self.person is None:
            return Response("nobody to log in", status=400)
        xml = self.response_xml(parsed.message.id, self.person, self.faults)
        return Response(self.post_form(xml, args.get("RelayState", "")), mimetype="text/html")

    def _slo(self, request: Request) -> Response:
        args = dict(request.args.items())
        if "SAMLRequest" not in args:
            return Response("ok")  # a logout response to our own request
        parsed = self.server.parse_logout_request(
            args["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
        self.logout_requests.append(parsed.message)
        answer = self.server.create_logout_response(parsed.message, [BINDING_HTTP_REDIRECT], sign=False)
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(answer),
            self.sp_slo_url(),
            args.get("RelayState", ""),
            response=True,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        return Response(status=302, headers={"Location": dict(info["headers"])["Location"]})

    def sp_acs_url(self) -> str:
        """The SP's assertion consumer service from its metadata."""
        return self.server.metadata.assertion_consumer_service(self.sp_entity_id(), BINDING_HTTP_POST)[0]["location"]

    def sp_slo_url(self) -> str:
        """The SP's single logout service from its metadata."""
        return self.server.metadata.single_logout_service(self.sp_entity_id(), BINDING_HTTP_REDIRECT, "spsso")[0][
            "location"
        ]

    def sp_entity_id(self) -> str:
        """The one SP this IdP knows."""
        return next(iter(self.server.metadata.with_descriptor("spsso")))

    def sp_encryption_cert(self) -> str:
        """The SP's (first) encryption certificate from its metadata."""
        return self.server.metadata.certs(self.sp_entity_id(), "spsso", "encryption")[0][1]

    @staticmethod
    def post_form(xml: str, relay_state: str) -> str:
        """The self-submitting form that carries the response to the SP (HTTP-POST binding)."""
        import base64

        encoded = base64.b64encode(xml.encode("utf-8")).decode("ascii")
        return (
            '<!doctype html><html><body onload="document.forms[0].submit()">'
            f'<form method="post" action="{html.escape(LoopbackIdp._acs)}">'
            f'<input type="hidden" name="SAMLResponse" value="{encoded}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
            '<noscript><button type="submit">Fortsæt</button></noscript></form></body></html>'
        )

    _acs = ""

    # --- building responses -------------------------------------------------------------------------------

    def response_xml(self, request_id: str, person: Person, faults: Faults) -> str:
        """A Response to ``request_id`` for ``person`` with the given faults, as XML text."""
        acs = self.sp_acs_url()
        LoopbackIdp._acs = acs
        sp_entity = self.sp_entity_id()
        in_response_to = request_id if faults.in_response_to is None else (faults.in_response_to or None)
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=person.uuid, sp_name_qualifier=sp_entity)
        level = person.class_ref_level or person.loa
        assertion = self.server.setup_assertion(
            {"class_ref": attributes.class_ref_of(level), "authn_auth": self.entity_id},
            faults.audience or sp_entity,
            in_response_to,
            faults.recipient or acs,
            name_id,
            Policy(restrictions={"default": {"lifetime": {"minutes": 5}}}, mds=self.server.metadata),
            self.server._issuer(faults.issuer),
            None,
            person.identity(),
            True,
            faults.sign_response,
        )
        for statement in assertion.attribute_statement:
            for attribute in statement.attribute:
                attribute.name_format = NAME_FORMAT_URI
        for statement in assertion.authn_statement:
            statement.session_index = self.session_index
        self._shift(assertion, faults.shift)
        self.issued.append(assertion.id)
        sign_alg, digest_alg = faults.algorithms
        to_sign = []
        if faults.sign_assertion and not faults.encrypt:
            assertion.signature = pre_signature_part(
                assertion.id, self.server.sec.my_cert, 2, sign_alg=sign_alg, digest_alg=digest_alg
            )
            to_sign.append((saml.Assertion.c_tag, assertion.id))
        extra = None
        if faults.also_plaintext:
            extra = saml.assertion_from_string(str(assertion))
        response = self.server._response(
            in_response_to,
            faults.destination or acs,
            None,
            faults.issuer,
            faults.sign_response,
            to_sign,
            sp_entity_id=sp_entity,
            encrypt_assertion=faults.encrypt,
            encrypt_cert_assertion=self.sp_encryption_cert() if faults.encrypt else None,
            encrypt_assertion_self_contained=True,
            sign_assertion=faults.sign_assertion,
            sign_alg=sign_alg,
            digest_alg=digest_alg,
            assertion=assertion,
        )
        text = str(response)
        if extra is not None:
            # The plaintext copy goes in just before the EncryptedAssertion (outside any signature made above).
            marker = text.find("<saml:EncryptedAssertion")
            if marker < 0:
                marker = text.find("<ns1:EncryptedAssertion")
            plain = str(extra).split("?>", 1)[-1]
            text = text[:marker] + plain + text[marker:]
        return text

    @staticmethod
    def _shift(assertion: Any, shift: timedelta) -> None:
        if not shift:
            return

        def moved(value: str | None) -> str | None:
            if not value:
                return value
            instant = datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC) + shift
            return instant.strftime("%Y-%m-%dT%H:%M:%SZ")

        assertion.issue_instant = moved(assertion.issue_instant)
        if assertion.conditions is not None:
            assertion.conditions.not_before = moved(assertion.conditions.not_before) or moved(assertion.issue_instant)
            assertion.conditions.not_on_or_after = moved(assertion.conditions.not_on_or_after)
        for confirmation in assertion.subject.subject_confirmation:
            data = confirmation.subject_confirmation_data
            data.not_on_or_after = moved(data.not_on_or_after)
        for statement in assertion.authn_statement:
            statement.authn_instant = moved(statement.authn_instant)

    # --- IdP-initiated logout ------------------------------------------------------------------------------

    def logout_url(self, person: Person, *, sign: bool = True, sigalg: str = SIG_RSA_SHA256) -> str:
        """A signed LogoutRequest for the person's session, as the redirect URL to the SP's SLO endpoint."""
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=person.uuid, sp_name_qualifier=self.sp_entity_id())
        _req_id, request = self.server.create_logout_request(
            self.sp_slo_url(), self.entity_id, name_id=name_id, session_indexes=[self.session_index], sign=False
        )
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), self.sp_slo_url(), "", sign=sign, sigalg=sigalg
        )
        return str(dict(info["headers"])["Location"])


@contextmanager
def loopback_idp(directory: Path, sp_metadata_url: str) -> Iterator[LoopbackIdp]:
    """Start the IdP on a free port of 127.0.0.1, reading the SP's metadata from ``sp_metadata_url``."""
    sp_metadata = requests.get(sp_metadata_url, timeout=10).text
    holder: dict[str, LoopbackIdp] = {}

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        return holder["idp"].wsgi(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    holder["idp"] = LoopbackIdp(directory, sp_metadata, f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, name="loopback-idp", daemon=True)
    thread.start()
    try:
        yield holder["idp"]
    finally:
        server.shutdown()
        thread.join(timeout=10)


def form_fields(page: str) -> dict[str, str]:
    """SAMLResponse and RelayState from the IdP's self-submitting form."""
    return {name: html.unescape(value) for name, value in FORM_RE.findall(page)}


def query_of(url: str) -> dict[str, str]:
    """A redirect URL's query parameters (single values)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
