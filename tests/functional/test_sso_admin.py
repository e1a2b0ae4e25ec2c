"""/admin/sso: an admin trusts an IdP from uploaded metadata or from a URL fetched through the webhooks' SSRF
guard, names the CVRs it may vouch for, sets organisations' CVRs and corrects a municipality's; others may not."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import client_for, make_account
from tests.support.saml import KL_CVR
from tests.support.saml_keys import make_pair
from tracker.models import AuditEntry, Municipality, Organisation, SamlIdp


def idp_metadata(tmp_path: Path, entity_id: str) -> str:
    """A minimal IdP metadata document: entity ID, redirect SSO endpoint, a signing certificate."""
    cert = "".join(make_pair(tmp_path, "idp").cert_pem.strip().splitlines()[1:-1])
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}'
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        'Location="https://idp.example/sso"/></md:IDPSSODescriptor>'
        '<md:Organization><md:OrganizationName xml:lang="da">Test</md:OrganizationName>'
        '<md:OrganizationDisplayName xml:lang="da">Kommunens IdP</md:OrganizationDisplayName>'
        '<md:OrganizationURL xml:lang="da">https://idp.example</md:OrganizationURL></md:Organization>'
        "</md:EntityDescriptor>"
    )


@pytest.fixture
def admin_client(app: Flask, session: Session) -> Iterator[tuple[object, str]]:
    account = make_account(session, "admin", "sso-admin@example.dk")
    session.commit()
    yield client_for(app, account)


def test_an_admin_adds_an_idp_from_an_uploaded_file(
    admin_client: tuple[object, str], session: Session, tmp_path: Path
) -> None:
    client, token = admin_client
    xml = idp_metadata(tmp_path, "https://idp.kommune.example/metadata")
    resp = client.post(  # type: ignore[attr-defined]
        "/admin/sso/idps",
        data={"csrf_token": token, "metadata": (io.BytesIO(xml.encode()), "idp.xml"), "cvrs": "29189846\nDK 64942212"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    idp = session.scalars(select(SamlIdp).where(SamlIdp.entity_id == "https://idp.kommune.example/metadata")).one()
    assert idp.name == "Kommunens IdP" and idp.allowed_cvrs == ["29189846", "64942212"] and idp.metadata_url is None
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "saml.idp_saved")).first() is not None
    page = client.get("/admin/sso").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Kommunens IdP" in page and "29189846" in page


def test_metadata_from_a_url_goes_through_the_ssrf_guard(
    app: Flask, admin_client: tuple[object, str], session: Session, httpserver: HTTPServer, tmp_path: Path
) -> None:
    client, token = admin_client
    httpserver.expect_request("/metadata").respond_with_data(
        idp_metadata(tmp_path, "https://nemlog-in.example/idp"), content_type="application/samlmetadata+xml"
    )
    form = {"csrf_token": token, "metadata_url": httpserver.url_for("/metadata"), "all_municipalities": "y"}
    refused = client.post("/admin/sso/idps", data=form)  # type: ignore[attr-defined]
    assert refused.status_code == 422 and "ikke offentlig" in refused.get_data(as_text=True)
    assert session.scalars(select(SamlIdp)).first() is None
    app.config.update(WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8", WEBHOOK_REQUIRE_HTTPS=False)
    try:
        resp = client.post("/admin/sso/idps", data=form)  # type: ignore[attr-defined]
    finally:
        app.config.update(WEBHOOK_ALLOWED_NETWORKS="", WEBHOOK_REQUIRE_HTTPS=True)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    idp = session.scalars(select(SamlIdp)).one()
    assert idp.all_municipalities and idp.metadata_url == httpserver.url_for("/metadata")


@pytest.mark.parametrize(
    ("xml", "words"),
    [
        ("<not-xml", "kunne ikke læses som XML"),
        ('<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>', "ingen identitetsudbyder"),
    ],
)
def test_unusable_metadata_is_refused_with_a_reason(admin_client: tuple[object, str], xml: str, words: str) -> None:
    client, token = admin_client
    resp = client.post(  # type: ignore[attr-defined]
        "/admin/sso/idps",
        data={"csrf_token": token, "metadata": (io.BytesIO(xml.encode()), "idp.xml"), "cvrs": "29189846"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422 and words in resp.get_data(as_text=True)


def test_an_admin_corrects_a_municipalitys_cvr_and_sets_kls(admin_client: tuple[object, str], session: Session) -> None:
    client, token = admin_client
    bad = client.post(
        "/admin/sso/kommuner", data={"csrf_token": token, "code": "101", "cvr": "12345678", "source": "x"}
    )  # type: ignore[attr-defined]
    assert bad.status_code == 422 and "Ugyldigt CVR-nummer" in bad.get_data(as_text=True)
    taken = client.post(
        "/admin/sso/kommuner", data={"csrf_token": token, "code": "101", "cvr": "55133018", "source": "x"}
    )  # type: ignore[attr-defined]
    assert taken.status_code == 409  # Aarhus Kommune's
    ok = client.post(  # type: ignore[attr-defined]
        "/admin/sso/kommuner",
        data={"csrf_token": token, "code": "101", "cvr": "64942212", "source": "https://datacvr.virk.dk/"},
    )
    assert ok.status_code == 302
    kbh = session.scalars(select(Municipality).where(Municipality.code == "101")).one()
    session.refresh(kbh)
    assert kbh.cvr_status == "confirmed" and kbh.cvr_source == "https://datacvr.virk.dk/"
    form = {"csrf_token": token, "organisation": "kl", "cvr": KL_CVR}
    kl = client.post("/admin/sso/organisationer", data=form)  # type: ignore[attr-defined]
    assert kl.status_code == 302
    org = session.scalars(select(Organisation).where(Organisation.slug == "kl")).one()
    session.refresh(org)
    assert org.cvr == KL_CVR


@pytest.mark.parametrize("role", ["coordinator", "municipality"])
def test_only_admins_manage_single_sign_on(app: Flask, session: Session, role: str) -> None:
    account = make_account(
        session, role, f"sso-{role}@example.dk", municipality="101" if role == "municipality" else None
    )
    session.commit()
    client, token = client_for(app, account)
    assert client.get("/admin/sso").status_code == 403
    resp = client.post("/admin/sso/organisationer", data={"csrf_token": token, "organisation": "kl", "cvr": KL_CVR})
    assert resp.status_code == 403
