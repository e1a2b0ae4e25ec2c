"""What each domain error says: its code → the Danish sentence, the msgid of the message catalogue.

Services raise ``AppError``s (``tracker.errors``) with a code from this table and its parameters
(``NotFound("registry.solution_not_found", slug=slug)``); the sentence is looked up, translated
(``translations/en``) and filled in only when the error is shown (``DomainError.message``): in the request's
language at the edge, in Danish in jobs, the CLI and stored history. Codes are stable; sentences may change.
A code is its package and a short English name of what happened (``auth.user_not_found``, not the sentence's
words); ``tests/unit/test_error_codes.py`` holds the words codes may use. The API's JSON ``code`` is the
HTTP-level one (``not_found``, ``errors.AppError.code``); these codes stay inside the server.
A parameter is written ``%(name)s`` and a percent sign ``%%`` in a sentence with parameters.
"""

from __future__ import annotations


def N_(msgid: str) -> str:  # noqa: N802 - gettext's name for "mark for the catalogue, translate later"
    """Mark a sentence for extraction into the catalogue (pybabel finds ``N_``); it is translated when shown."""
    return msgid


MESSAGES: dict[str, str] = {
    # actions
    "actions.user_deactivated": N_("Brugeren er deaktiveret."),
    # api
    "api.action_changed_meanwhile": N_("Handlingen er ændret i mellemtiden. Hent den igen og gentag ændringen."),
    "api.action_if_match_required": N_(
        'Send If-Match med ETag\'en fra GET (fx "a3"), så ingen ændring overskrives ubemærket.'
    ),
    "api.solution_if_match_required": N_(
        'Send If-Match med ETag\'en fra GET (fx "v3"), så ingen ændring overskrives ubemærket.'
    ),
    "api.if_match_no_version": N_("If-Match svarer ikke til nogen version af løsningen. Hent den igen."),
    # auth
    "auth.api_token_required": N_(
        "Ændringer gennem API'et kræver et API-token (Authorization: Bearer …); "
        "log-ind på hjemmesiden gælder kun for hjemmesidens formularer."
    ),
    "auth.api_token_invalid": N_("Ugyldigt eller tilbagekaldt API-token."),
    "auth.authorization_header_malformed": N_("Authorization-headeren skal have formen 'Bearer <token>'."),
    "auth.user_not_found": N_("Brugeren findes ikke."),
    "auth.self_not_deactivated": N_("Du kan ikke deaktivere din egen konto."),
    "auth.last_admin_not_deactivated": N_("Den sidste aktive administrator kan ikke deaktiveres."),
    "auth.role_not_changed": N_("Rollen kunne ikke ændres."),
    "auth.last_admin_role_kept": N_("Den sidste aktive administrator kan ikke miste sin rolle."),
    "auth.current_password_wrong": N_("Den nuværende adgangskode er forkert."),
    "auth.first_password_already_set": N_("Adgangskoden er allerede din egen; skift den fra siden 'Min konto'."),
    "auth.organisation_not_found": N_("Organisationen findes ikke."),
    "auth.organisation_not_created": N_("Organisationen kunne ikke oprettes."),
    "auth.organisation_slug_taken": N_("Der findes allerede en organisation med slug '%(slug)s'."),
    "auth.only_suppliers_trusted": N_("Kun leverandører kan markeres som betroede."),
    "auth.api_token_not_found": N_("API-tokenet findes ikke."),
    "auth.totp_already_enabled": N_("Totrinsbekræftelse er allerede slået til."),
    "auth.totp_setup_not_started": N_("Start opsætningen af totrinsbekræftelse først."),
    "auth.totp_code_wrong": N_("Koden passer ikke. Tjek uret på telefonen og prøv igen."),
    "auth.user_not_created": N_("Brugeren kunne ikke oprettes."),
    "auth.user_email_taken": N_("Der findes allerede en bruger med e-mail %(email)s."),
    # broadcast
    "broadcast.feed_token_not_found": N_("Kommunen har intet feed-token med id %(token_id)s."),
    "broadcast.test_to_inactive_subscription": N_(
        "Abonnementet er deaktiveret. Genaktivér det, før du sender en test."
    ),
    "broadcast.resend_to_inactive_subscription": N_("Abonnementet er deaktiveret. Genaktivér det, før du gensender."),
    "broadcast.delivery_in_progress": N_("Leveringen er ved at blive sendt lige nu. Prøv igen om lidt."),
    "broadcast.url_missing": N_("Angiv en URL."),
    "broadcast.url_too_long": N_("URL'en er for lang (højst %(max_url_length)s tegn)."),
    "broadcast.url_has_space_or_control": N_("URL'en må ikke indeholde mellemrum eller kontroltegn."),
    "broadcast.url_scheme_not_http": N_("URL'en skal begynde med https://."),
    "broadcast.url_has_credentials": N_("URL'en må ikke indeholde brugernavn eller adgangskode."),
    "broadcast.url_has_fragment": N_("URL'en må ikke indeholde et #fragment."),
    "broadcast.url_host_missing": N_("URL'en mangler et værtsnavn."),
    "broadcast.url_port_zero": N_("Port 0 kan ikke bruges."),
    "broadcast.host_has_no_address": N_("Værten '%(host)s' har ingen IP-adresse."),
    "broadcast.url_https_required": N_("Webhook-URL'en skal bruge https://."),
    "broadcast.url_unparsable": N_("URL'en kunne ikke forstås (ugyldig vært eller port)."),
    "broadcast.host_name_invalid": N_("Værtsnavnet er ugyldigt."),
    "broadcast.host_not_resolved": N_("Værten '%(host)s' kunne ikke slås op i DNS."),
    "broadcast.host_lookup_failed": N_("Værten '%(host)s' kunne ikke slås op: %(exc)s."),
    "broadcast.address_not_public": N_(
        "Adressen %(shown)s er ikke offentlig (fx loopback, privat net, link-local eller metadata-tjeneste) "
        "og må ikke bruges som webhook-modtager."
    ),
    "broadcast.description_too_long": N_("Beskrivelsen er for lang."),
    "broadcast.event_type_unknown": N_("Ukendt hændelsestype."),
    "broadcast.filter_solution_unknown": N_("Ukendt løsning i filteret."),
    "broadcast.filter_too_many_solutions": N_("For mange løsninger i filteret."),
    "broadcast.subscription_limit_reached": N_(
        "Du har allerede %(max_subscriptions_per_owner)s abonnementer. Slet et, før du opretter flere."
    ),
    "broadcast.subscription_not_found": N_("Der findes intet abonnement med id %(subscription_id)s."),
    "broadcast.delivery_not_found": N_("Abonnementet har ingen levering med id %(delivery_id)s."),
    "broadcast.webhook_url_refused": N_("Webhook-adressen kan ikke bruges: %(problem)s"),
    "broadcast.description_has_control_chars": N_("Beskrivelsen indeholder ugyldige tegn."),
    "broadcast.municipality_unknown": N_("Ukendt kommune."),
    # ingest
    "ingest.source_not_found": N_("Der findes ingen kilde med nøglen '%(key)s'."),
    "ingest.source_gone": N_("Kilden %(key)s findes ikke længere."),
    "ingest.snapshot_not_found": N_("Der findes ingen sideændring med nummer %(snapshot_id)s."),
    "ingest.source_unknown": N_("Ukendt kilde '%(key)s'. Kendte kilder: %(known_keys)s."),
    # inquiries
    "inquiries.inquiry_not_found": N_("Der findes intet spørgsmål #%(inquiry_id)s."),
    # municipalities
    "municipalities.municipality_not_found": N_("Der findes ingen kommune med kode '%(code)s'."),
    "municipalities.cvr_source_missing": N_("Angiv kilden til CVR-nummeret."),
    "municipalities.cvr_taken": N_("CVR-nummeret bruges allerede af en anden kommune eller organisation."),
    "municipalities.import_not_csv": N_("Filen ligner ikke en CSV-fil. Brug CSV (tekst) eller XLSX (Excel)."),
    "municipalities.import_xlsx_unpacks_too_large": N_(
        "XLSX-filen fylder for meget udpakket. Gem kun arket med løsningsnavnene."
    ),
    "municipalities.import_file_too_large": N_("Filen er for stor (højst %(value)s MB)."),
    "municipalities.import_file_empty": N_("Filen er tom."),
    "municipalities.import_no_solution_names": N_("Filen indeholder ingen løsningsnavne."),
    "municipalities.import_too_many_solutions": N_("For mange løsninger på én gang."),
    "municipalities.import_csv_unreadable": N_("CSV-filen kunne ikke læses."),
    "municipalities.import_xlsx_unreadable": N_("XLSX-filen kunne ikke læses. Gem den igen fra Excel."),
    "municipalities.import_xlsx_has_doctype": N_(
        "XLSX-filen indeholder en XML-DOCTYPE eller -entiteter, som et regneark aldrig har. "
        "Gem den igen fra Excel eller LibreOffice."
    ),
    "municipalities.import_file_type_unsupported": N_(
        "Filtypen '.%(extension)s' kan ikke importeres. Brug CSV eller XLSX (Excel)."
    ),
    "municipalities.import_row_idp_unknown": N_(
        "Række %(row)s: kommunen har ingen IdP med navnet eller brugergruppen '%(text)s'."
    ),
    "municipalities.planned_change_not_found": N_("Den planlagte ændring findes ikke."),
    "municipalities.planned_change_not_saved": N_("Den planlagte ændring kunne ikke gemmes."),
    "municipalities.planned_change_duplicate": N_("Der er allerede en sådan ændring på den dato."),
    "municipalities.idp_not_found": N_("Kommunen har ingen IdP med id %(idp_id)s."),
    "municipalities.planned_changes_row_limit": N_(
        "Filen har mere end %(limit)s planlagte ændringer (højst %(limit)s pr. fil; overskriftsrækken tæller ikke "
        "med). Del den op."
    ),
    "municipalities.planned_changes_header_missing": N_(
        "Filen mangler kolonnen '%(column)s'. Første række skal være overskrifterne, som eksporten skriver dem: "
        "%(headers)s."
    ),
    "municipalities.planned_changes_file_empty": N_(
        "Filen indeholder ingen planlagte ændringer, kun overskrifterne. Slet ændringer én ad gangen på siden."
    ),
    "municipalities.planned_changes_import_refused": N_(
        "Filen er ikke importeret: %(count)s fejl (se hver række). Intet er gemt; ret filen og prøv igen."
    ),
    "municipalities.planned_changes_unreadable": N_("Forhåndsvisningen kunne ikke læses. Vælg filen igen."),
    "municipalities.planned_changes_changed_since": N_(
        "De planlagte ændringer er ændret, siden filen blev vist. Vælg filen igen, og se den nye forhåndsvisning."
    ),
    "municipalities.planned_changes_changed_meanwhile": N_(
        "De planlagte ændringer blev ændret af en anden samtidig. Prøv igen."
    ),
    "municipalities.solution_not_in_portfolio": N_("Løsningen er ikke i kommunens portefølje."),
    "municipalities.slug_not_in_portfolio": N_("Løsningen '%(slug)s' er ikke i kommunens portefølje."),
    "municipalities.idp_not_saved": N_("IdP'en kunne ikke gemmes."),
    "municipalities.too_many_idps": N_("For mange IdP'er."),
    "municipalities.both_idp_fields_sent": N_("Send enten idp_ids eller idp_id, ikke begge."),
    "municipalities.note_too_long": N_("Noten er for lang."),
    "municipalities.cvr_invalid": N_("Ugyldigt CVR-nummer."),
    "municipalities.municipality_code_unknown": N_("Ukendt kommunekode."),
    "municipalities.idp_invalid": N_("Ugyldig IdP."),
    "municipalities.note_invalid": N_("Ugyldig note."),
    "municipalities.fields_unknown": N_("Ukendte felter."),
    # registry
    "registry.solution_not_found": N_("Der findes ingen løsning med slug '%(slug)s'."),
    "registry.not_a_broker": N_("'%(name)s' er ikke en login-broker (løsningens type skal være 'broker')."),
    "registry.broker_is_itself": N_("En løsning kan ikke være sin egen broker."),
    "registry.broker_cycle": N_("Brokerne danner et kredsløb: en broker når tilbage til løsningen selv."),
    "registry.fields_invalid": N_("Nogle felter er ugyldige."),
    "registry.switch_date_range_reversed": N_("Skæringsdatoens første dag ligger efter den sidste."),
    "registry.solution_slug_taken": N_("Der findes allerede en løsning med slug '%(slug)s'."),
    "registry.solution_changed_meanwhile": N_(
        "Løsningen er ændret af en anden i mellemtiden. Hent den igen og gentag ændringen."
    ),
    "registry.brokers_invalid": N_("Ugyldige brokere."),
    "registry.too_many_brokers": N_("For mange brokere."),
    "registry.slug_invalid": N_("Ugyldig slug."),
    "registry.organisation_unknown": N_("Ukendt organisation '%(slug)s'."),
    # review
    "review.proposal_empty": N_("Forslaget indeholder ingen ændringer."),
    "review.proposal_not_found": N_("Der findes intet forslag #%(proposal_id)s."),
    "review.switch_date_unreadable": N_(
        "Skæringsdatoen '%(text)s' kunne ikke forstås eller findes ikke. %(date_hint)s"
    ),
    "review.switch_date_latest_without_earliest": N_("En sidste dag kræver en første dag."),
    "review.switch_date_not_in_range": N_("Datoen skal ligge mellem 1900-01-01 og 2100-12-31."),
    "review.switch_date_precision_missing": N_("Angiv præcisionen for en periode (fx 'month' eller 'quarter')."),
    "review.evidence_too_long": N_("Belægget må højst have %(max_evidence)s tegn."),
    "review.proposal_field_not_allowed": N_("Et forslag kan kun ændre sikringsniveau og skæringsdato."),
    "review.evidence_required": N_("En rettelse fra en kommune skal have belæg: hvad så I, hvor og hvornår?"),
    "review.proposal_changes_nothing": N_("Forslaget ændrer intet i forhold til de nuværende oplysninger."),
    "review.reason_too_long": N_("Begrundelsen må højst have %(max_reason)s tegn."),
    "review.solution_changed_since_proposal": N_(
        "Løsningen er ændret siden forslag #%(id)s blev lavet. Se forskellen igen og bekræft."
    ),
    "review.reason_required": N_("Skriv en begrundelse; forslagsstilleren ser den."),
    # saml
    "saml.metadata_root_invalid": N_("Metadata skal være ét EntityDescriptor-element med entityID."),
    "saml.idp_no_redirect_binding": N_("Identitetsudbyderen tilbyder ikke HTTP-Redirect til login."),
    "saml.idp_cvrs_missing": N_("Angiv de CVR-numre, identitetsudbyderen må stå inde for."),
    "saml.metadata_not_xml": N_("Metadata kunne ikke læses som XML."),
    "saml.metadata_not_fetched": N_("Metadata kunne ikke hentes."),
    "saml.metadata_not_utf8": N_("Metadata er ikke UTF-8."),
    "saml.metadata_too_large": N_("Metadata er for stor."),
    "saml.metadata_no_idp": N_("Metadata beskriver ingen identitetsudbyder (IDPSSODescriptor)."),
    "saml.metadata_no_signing_certificate": N_("Metadata har intet signeringscertifikat."),
    "saml.idp_not_found": N_("Ukendt identitetsudbyder."),
    "saml.metadata_url_error_status": N_("Metadata-adressen svarede %(status_code)s."),
    "saml.idp_already_active": N_("Identitetsudbyderen er allerede aktiv."),
    "saml.idp_already_inactive": N_("Identitetsudbyderen er allerede slået fra."),
    # transitions: proposals of a new transition or a change to one (issue 22)
    "review.transition_source_missing": N_(
        "Et forslag til en overgang skal have en kilde: kildens adresse og/eller et citat af den."
    ),
    "review.transition_changes_nothing": N_("Forslaget ændrer intet i forhold til overgangen, som den er nu."),
    "review.transition_changed_meanwhile": N_(
        "Overgangen er ændret, siden forslag #%(id)s blev lavet (version %(base)s, nu %(current)s). "
        "Se forskellen igen og bekræft."
    ),
    "inquiries.only_one_proposal": N_(
        "Et svar kan foreslå én ting: enten løsningens sikringsniveau og skæringsdato eller en overgang."
    ),
    # web
    "web.feed_token_invalid": N_(
        "Tokenet i feed-adressen er ugyldigt eller tilbagekaldt. Bed en bruger i kommunen om en ny adresse "
        "fra siden 'Private feeds og kalender'."
    ),
    "web.pdf_unavailable": N_("PDF kan ikke laves på denne server; brug browserens udskrift i stedet."),
}
