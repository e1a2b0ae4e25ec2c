"""The SP's metadata document (``/saml/metadata``): entity ID, ACS (HTTP-POST), SLO (HTTP-Redirect), signing and
encryption certificates (current and next, for rotation), NameID format, the OIOSAML attributes requested."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from saml2.md import AttributeConsumingService, KeyDescriptor, RequestedAttribute, ServiceName
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI
from saml2.xmldsig import KeyInfo, X509Certificate, X509Data

from tracker.saml import attributes, sp
from tracker.saml.keys import KeyPair, SpKeys


def _key_descriptor(pair: KeyPair, use: str) -> KeyDescriptor:
    return KeyDescriptor(
        use=use, key_info=KeyInfo(x509_data=[X509Data(x509_certificate=X509Certificate(text=pair.cert_body()))])
    )


def _cert_text(descriptor: KeyDescriptor) -> str:
    data = descriptor.key_info.x509_data
    first = data[0] if isinstance(data, list) else data
    return "".join((first.x509_certificate.text or "").split())


def sp_metadata(config: Mapping[str, Any], keys: SpKeys) -> str:
    """The metadata XML. The next pairs are published beside the current ones so IdPs can pick them up early."""
    client = sp.client(config, keys, [])
    descriptor = entity_descriptor(client.config)
    sp_descriptor = descriptor.spsso_descriptor
    published = {(k.use, _cert_text(k)) for k in sp_descriptor.key_descriptor}
    wanted = [(keys.signing, "signing"), (keys.signing_next, "signing"), (keys.encryption, "encryption"),
              (keys.encryption_next, "encryption")]  # fmt: skip
    for pair, use in wanted:
        if pair is not None and (use, pair.cert_body()) not in published:
            sp_descriptor.key_descriptor.append(_key_descriptor(pair, use))
            published.add((use, pair.cert_body()))
    if not sp_descriptor.attribute_consuming_service:
        sp_descriptor.attribute_consuming_service = [
            AttributeConsumingService(
                index="1",
                is_default="true",
                service_name=[ServiceName(lang="da", text="TU-tracker")],
                requested_attribute=[
                    RequestedAttribute(
                        name=name,
                        name_format=NAME_FORMAT_URI,
                        is_required="true" if name in attributes.REQUIRED else "false",
                    )
                    for name in attributes.REQUESTED
                ],
            )
        ]
    sp_descriptor.want_assertions_signed = "true"
    sp_descriptor.authn_requests_signed = "true"
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + str(descriptor)
