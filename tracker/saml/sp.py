"""The service provider as pysaml2 sees it: one configuration built from settings and the active IdPs.

Traps met with pysaml2 7.5 and xmlsec1 1.2.37, and how this module avoids them: algorithm settings at the top
level of the configuration are ignored silently (then it signs with SHA-1) — they are set under
``service.sp``; SHA-1 signatures and plaintext assertions are accepted — ``tracker.saml.checks`` refuses
them before pysaml2 sees the response.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from tracker.models import SamlIdp
from tracker.saml import attributes
from tracker.saml.keys import SpKeys, xmlsec_binary

ACS_PATH = "/saml/acs"
SLO_PATH = "/saml/slo"
METADATA_PATH = "/saml/metadata"


def base_url(config: Mapping[str, Any]) -> str:
    """The public base URL the IdP sends browsers back to."""
    return str(config["BASE_URL"]).rstrip("/")


def entity_id(config: Mapping[str, Any]) -> str:
    """The SP's entity ID (``SAML_ENTITY_ID``, else the metadata's own address)."""
    return str(config.get("SAML_ENTITY_ID") or base_url(config) + METADATA_PATH)


def acs_url(config: Mapping[str, Any]) -> str:
    """Where the IdP posts the response (the only Destination and Recipient accepted)."""
    return base_url(config) + ACS_PATH


def slo_url(config: Mapping[str, Any]) -> str:
    """Where logout requests and responses arrive."""
    return base_url(config) + SLO_PATH


def sp_settings(config: Mapping[str, Any], keys: SpKeys, idps: Sequence[SamlIdp]) -> dict[str, Any]:
    """The pysaml2 configuration dictionary."""
    requested = [
        {"name": name, "name_format": NAME_FORMAT_URI, "required": name in attributes.REQUIRED}
        for name in attributes.REQUESTED
    ]
    return {
        "entityid": entity_id(config),
        "xmlsec_binary": xmlsec_binary(config),
        "key_file": keys.signing.key_file,
        "cert_file": keys.signing.cert_file,
        "encryption_keypairs": [{"key_file": p.key_file, "cert_file": p.cert_file} for p in keys.decryption_pairs()],
        "metadata": {"inline": [idp.metadata_xml for idp in idps]},
        "accepted_time_diff": int(config.get("SAML_CLOCK_SKEW_SECONDS", 180)),
        "allow_unknown_attributes": True,
        "delete_tmpfiles": True,
        "service": {
            "sp": {
                "name": "TU-tracker",
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(config), BINDING_HTTP_POST)],
                    "single_logout_service": [(slo_url(config), BINDING_HTTP_REDIRECT)],
                },
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_response_signed": bool(config.get("SAML_REQUIRE_SIGNED_RESPONSE", True)),
                "want_assertions_signed": True,
                "want_assertions_or_response_signed": True,
                "allow_unsolicited": False,
                # Here, under service.sp, or pysaml2 silently signs with SHA-1.
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "requested_attributes": requested,
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            }
        },
    }


def client(config: Mapping[str, Any], keys: SpKeys, idps: Sequence[SamlIdp]) -> Saml2Client:
    """A pysaml2 client for these IdPs."""
    sp_config = SPConfig()
    sp_config.load(sp_settings(config, keys, idps))
    return Saml2Client(config=sp_config)
