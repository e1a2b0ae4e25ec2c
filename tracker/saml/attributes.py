"""OIOSAML 3 vocabulary: attribute names, NSIS levels, and the Basic Privilege Profile 1.2 privilege list.

Names as NemLog-in's OIOSAML 3.0.3 profile gives them (URI name format); see the README's single sign-on
section for the source.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from tracker.models.vocab import LOA_RANK, Loa

SPEC_VERSION = "https://data.gov.dk/model/core/specVersion"
LOA = "https://data.gov.dk/concept/core/nsis/loa"
CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
ORG_NAME = "https://data.gov.dk/model/core/eid/professional/orgName"
UUID = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"
PRIVILEGES = "https://data.gov.dk/model/core/eid/privilegesIntermediate"
EMAIL = "https://data.gov.dk/model/core/eid/email"
FULL_NAME = "https://data.gov.dk/model/core/eid/fullName"
# What the SP's metadata asks for (required ones first).
REQUESTED = (SPEC_VERSION, LOA, CVR, UUID, EMAIL, FULL_NAME, ORG_NAME, PRIVILEGES)
REQUIRED = frozenset({SPEC_VERSION, LOA, CVR, UUID, EMAIL})

LOA_CLASS_PREFIX = "https://data.gov.dk/concept/core/nsis/loa/"
# NSIS levels as the assertion names them → the registry's vocabulary.
LEVELS = {"Low": Loa.LAV, "Substantial": Loa.BETYDELIG, "High": Loa.HOEJ}
SAML_NAMES = {loa: name for name, loa in LEVELS.items()}
CVR_SCOPE_PREFIX = "urn:dk:gov:saml:cvrNumberIdentifier:"


def level_of_class_ref(class_ref: str | None) -> Loa | None:
    """The NSIS level of an AuthnContextClassRef ('https://data.gov.dk/concept/core/nsis/loa/Substantial')."""
    if not class_ref or not class_ref.startswith(LOA_CLASS_PREFIX):
        return None
    return LEVELS.get(class_ref.removeprefix(LOA_CLASS_PREFIX))


def class_ref_of(level: str) -> str:
    """The AuthnContextClassRef naming an NSIS level given by its SAML name ('Substantial')."""
    if level not in LEVELS:
        raise ValueError(f"not an NSIS level: {level!r} (Low, Substantial or High)")
    return LOA_CLASS_PREFIX + level


def at_least(level: str | None, minimum: Loa) -> bool:
    """Whether a session's level (lav|betydelig|hoej) reaches ``minimum``."""
    return level in LOA_RANK and LOA_RANK[Loa(level)] >= LOA_RANK[minimum]


@dataclass(frozen=True)
class Privilege:
    """One privilege of a Basic Privilege Profile list, with the CVR of the organisation it is scoped to."""

    cvr: str
    value: str


def parse_privileges(encoded: str) -> list[Privilege]:
    """The privileges in a base64 ``PrivilegeList``; only groups scoped to a CVR count.

    Raises ``ValueError`` for anything that is not base64 of well-formed XML (a malformed list is not
    silently read as 'no privileges': the caller refuses the login).
    """
    try:
        xml = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("privilege list is not base64") from exc
    try:
        root = ElementTree.fromstring(xml, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ValueError("privilege list is not well-formed XML") from exc
    found: list[Privilege] = []
    for group in root.iter():
        if _local(group.tag) != "PrivilegeGroup":
            continue
        scope = (group.get("Scope") or "").strip()
        if not scope.startswith(CVR_SCOPE_PREFIX):
            continue
        cvr = scope.removeprefix(CVR_SCOPE_PREFIX)
        for child in group:
            if _local(child.tag) == "Privilege" and (child.text or "").strip():
                found.append(Privilege(cvr=cvr, value=(child.text or "").strip()))
    return found


def privilege_list_xml(groups: dict[str, list[str]]) -> str:
    """A Basic Privilege Profile 1.2 ``PrivilegeList`` (CVR → privileges), base64-encoded as the IdP sends it."""
    parts = ['<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">']
    for cvr, values in groups.items():
        parts.append(f'<PrivilegeGroup Scope="{CVR_SCOPE_PREFIX}{cvr}">')
        parts += [f"<Privilege>{v}</Privilege>" for v in values]
        parts.append("</PrivilegeGroup>")
    parts.append("</bpp:PrivilegeList>")
    return base64.b64encode("".join(parts).encode("utf-8")).decode("ascii")


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]
