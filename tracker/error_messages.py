"""What each domain error says: its code → the Danish sentence, the msgid of the message catalogue.

Services raise ``AppError``s (``tracker.errors``) with a code from this table and its parameters
(``NotFound("registry.findes_ingen_loesning_slug", slug=slug)``); the sentence is looked up, translated
(``translations/en``) and filled in only when the error is shown (``DomainError.message``): in the request's
language at the edge, in Danish in jobs, the CLI and stored history. Codes are stable; sentences may change.
A parameter is written ``%(name)s`` and a percent sign ``%%`` in a sentence with parameters.
"""

from __future__ import annotations


def N_(msgid: str) -> str:  # noqa: N802 - gettext's name for "mark for the catalogue, translate later"
    """Mark a sentence for extraction into the catalogue (pybabel finds ``N_``); it is translated when shown."""
    return msgid


MESSAGES: dict[str, str] = {
    # actions
    "actions.brugeren_deaktiveret": N_("Brugeren er deaktiveret."),
    # api
    "api.handlingen_aendret_mellemtiden_hent": N_(
        "Handlingen er ændret i mellemtiden. Hent den igen og gentag ændringen."
    ),
    "api.send_if_match_etag": N_(
        'Send If-Match med ETag\'en fra GET (fx "a3"), så ingen ændring overskrives ubemærket.'
    ),
    "api.send_if_match_etag_2": N_(
        'Send If-Match med ETag\'en fra GET (fx "v3"), så ingen ændring overskrives ubemærket.'
    ),
    "api.if_match_svarer_nogen": N_("If-Match svarer ikke til nogen version af løsningen. Hent den igen."),
    # auth
    "auth.aendringer_gennem_api_kraever": N_(
        "Ændringer gennem API'et kræver et API-token (Authorization: Bearer …); "
        "log-ind på hjemmesiden gælder kun for hjemmesidens formularer."
    ),
    "auth.ugyldigt_eller_tilbagekaldt_api": N_("Ugyldigt eller tilbagekaldt API-token."),
    "auth.authorization_headeren_have_formen": N_("Authorization-headeren skal have formen 'Bearer <token>'."),
    "auth.brugeren_findes": N_("Brugeren findes ikke."),
    "auth.du_deaktivere_din_egen": N_("Du kan ikke deaktivere din egen konto."),
    "auth.sidste_aktive_administrator_deaktiveres": N_("Den sidste aktive administrator kan ikke deaktiveres."),
    "auth.rollen_kunne_aendres": N_("Rollen kunne ikke ændres."),
    "auth.sidste_aktive_administrator_miste": N_("Den sidste aktive administrator kan ikke miste sin rolle."),
    "auth.nuvaerende_adgangskode_forkert": N_("Den nuværende adgangskode er forkert."),
    "auth.adgangskoden_allerede_din_egen": N_("Adgangskoden er allerede din egen; skift den fra siden 'Min konto'."),
    "auth.organisationen_findes": N_("Organisationen findes ikke."),
    "auth.organisationen_kunne_oprettes": N_("Organisationen kunne ikke oprettes."),
    "auth.findes_allerede_organisation_slug": N_("Der findes allerede en organisation med slug '%(slug)s'."),
    "auth.kun_leverandoerer_markeres_betroede": N_("Kun leverandører kan markeres som betroede."),
    "auth.api_tokenet_findes": N_("API-tokenet findes ikke."),
    "auth.totrinsbekraeftelse_allerede_slaaet": N_("Totrinsbekræftelse er allerede slået til."),
    "auth.start_opsaetningen_totrinsbekraeftelse_foerst": N_("Start opsætningen af totrinsbekræftelse først."),
    "auth.koden_passer_tjek_uret": N_("Koden passer ikke. Tjek uret på telefonen og prøv igen."),
    "auth.brugeren_kunne_oprettes": N_("Brugeren kunne ikke oprettes."),
    "auth.findes_allerede_bruger_e": N_("Der findes allerede en bruger med e-mail %(email)s."),
    # broadcast
    "broadcast.kommunen_intet_feed_token": N_("Kommunen har intet feed-token med id %(token_id)s."),
    "broadcast.abonnementet_deaktiveret_genaktiver_foer": N_(
        "Abonnementet er deaktiveret. Genaktivér det, før du sender en test."
    ),
    "broadcast.abonnementet_deaktiveret_genaktiver_foer_2": N_(
        "Abonnementet er deaktiveret. Genaktivér det, før du gensender."
    ),
    "broadcast.leveringen_ved_blive_sendt": N_("Leveringen er ved at blive sendt lige nu. Prøv igen om lidt."),
    "broadcast.angiv_url": N_("Angiv en URL."),
    "broadcast.url_lang_hoejst_tegn": N_("URL'en er for lang (højst %(max_url_length)s tegn)."),
    "broadcast.url_maa_indeholde_mellemrum": N_("URL'en må ikke indeholde mellemrum eller kontroltegn."),
    "broadcast.url_begynde_https": N_("URL'en skal begynde med https://."),
    "broadcast.url_maa_indeholde_brugernavn": N_("URL'en må ikke indeholde brugernavn eller adgangskode."),
    "broadcast.url_maa_indeholde_fragment": N_("URL'en må ikke indeholde et #fragment."),
    "broadcast.url_mangler_vaertsnavn": N_("URL'en mangler et værtsnavn."),
    "broadcast.port_0_bruges": N_("Port 0 kan ikke bruges."),
    "broadcast.vaerten_ingen_ip_adresse": N_("Værten '%(host)s' har ingen IP-adresse."),
    "broadcast.webhook_url_bruge_https": N_("Webhook-URL'en skal bruge https://."),
    "broadcast.url_kunne_forstaas_ugyldig": N_("URL'en kunne ikke forstås (ugyldig vært eller port)."),
    "broadcast.vaertsnavnet_ugyldigt": N_("Værtsnavnet er ugyldigt."),
    "broadcast.vaerten_kunne_slaas_op": N_("Værten '%(host)s' kunne ikke slås op i DNS."),
    "broadcast.vaerten_kunne_slaas_op_2": N_("Værten '%(host)s' kunne ikke slås op: %(exc)s."),
    "broadcast.adressen_offentlig_fx_loopback": N_(
        "Adressen %(shown)s er ikke offentlig (fx loopback, privat net, link-local eller metadata-tjeneste) "
        "og må ikke bruges som webhook-modtager."
    ),
    "broadcast.beskrivelsen_lang": N_("Beskrivelsen er for lang."),
    "broadcast.ukendt_haendelsestype": N_("Ukendt hændelsestype."),
    "broadcast.ukendt_loesning_filteret": N_("Ukendt løsning i filteret."),
    "broadcast.mange_loesninger_filteret": N_("For mange løsninger i filteret."),
    "broadcast.du_allerede_abonnementer_slet": N_(
        "Du har allerede %(max_subscriptions_per_owner)s abonnementer. Slet et, før du opretter flere."
    ),
    "broadcast.findes_intet_abonnement_id": N_("Der findes intet abonnement med id %(subscription_id)s."),
    "broadcast.abonnementet_ingen_levering_id": N_("Abonnementet har ingen levering med id %(delivery_id)s."),
    "broadcast.webhook_adressen_bruges": N_("Webhook-adressen kan ikke bruges: %(problem)s"),
    "broadcast.beskrivelsen_indeholder_ugyldige_tegn": N_("Beskrivelsen indeholder ugyldige tegn."),
    "broadcast.ukendt_kommune": N_("Ukendt kommune."),
    # ingest
    "ingest.findes_ingen_kilde_noeglen": N_("Der findes ingen kilde med nøglen '%(key)s'."),
    "ingest.kilden_findes_laengere": N_("Kilden %(key)s findes ikke længere."),
    "ingest.findes_ingen_sideaendring_nummer": N_("Der findes ingen sideændring med nummer %(snapshot_id)s."),
    "ingest.ukendt_kilde_kendte_kilder": N_("Ukendt kilde '%(key)s'. Kendte kilder: %(known_keys)s."),
    # inquiries
    "inquiries.findes_intet_spoergsmaal": N_("Der findes intet spørgsmål #%(inquiry_id)s."),
    # municipalities
    "municipalities.findes_ingen_kommune_kode": N_("Der findes ingen kommune med kode '%(code)s'."),
    "municipalities.angiv_kilden_cvr_nummeret": N_("Angiv kilden til CVR-nummeret."),
    "municipalities.cvr_nummeret_bruges_allerede": N_(
        "CVR-nummeret bruges allerede af en anden kommune eller organisation."
    ),
    "municipalities.filen_ligner_csv_fil": N_("Filen ligner ikke en CSV-fil. Brug CSV (tekst) eller XLSX (Excel)."),
    "municipalities.xlsx_filen_fylder_meget": N_(
        "XLSX-filen fylder for meget udpakket. Gem kun arket med løsningsnavnene."
    ),
    "municipalities.filen_stor_hoejst_mb": N_("Filen er for stor (højst %(value)s MB)."),
    "municipalities.filen_tom": N_("Filen er tom."),
    "municipalities.filen_indeholder_ingen_loesningsnavne": N_("Filen indeholder ingen løsningsnavne."),
    "municipalities.mange_loesninger_paa_gang": N_("For mange løsninger på én gang."),
    "municipalities.csv_filen_kunne_laeses": N_("CSV-filen kunne ikke læses."),
    "municipalities.xlsx_filen_kunne_laeses": N_("XLSX-filen kunne ikke læses. Gem den igen fra Excel."),
    "municipalities.xlsx_filen_indeholder_xml": N_(
        "XLSX-filen indeholder en XML-DOCTYPE eller -entiteter, som et regneark aldrig har. "
        "Gem den igen fra Excel eller LibreOffice."
    ),
    "municipalities.filtypen_importeres_brug_csv": N_(
        "Filtypen '.%(extension)s' kan ikke importeres. Brug CSV eller XLSX (Excel)."
    ),
    "municipalities.raekke_kommunen_ingen_idp": N_(
        "Række %(row)s: kommunen har ingen IdP med navnet eller brugergruppen '%(text)s'."
    ),
    "municipalities.planlagte_aendring_findes": N_("Den planlagte ændring findes ikke."),
    "municipalities.planlagte_aendring_kunne_gemmes": N_("Den planlagte ændring kunne ikke gemmes."),
    "municipalities.planlagt_aendring_findes_allerede": N_("Der er allerede en sådan ændring på den dato."),
    "municipalities.kommunen_ingen_idp_id": N_("Kommunen har ingen IdP med id %(idp_id)s."),
    "municipalities.loesningen_kommunens_portefoelje": N_("Løsningen er ikke i kommunens portefølje."),
    "municipalities.loesningen_kommunens_portefoelje_2": N_("Løsningen '%(slug)s' er ikke i kommunens portefølje."),
    "municipalities.idp_kunne_gemmes": N_("IdP'en kunne ikke gemmes."),
    "municipalities.mange_idp": N_("For mange IdP'er."),
    "municipalities.send_enten_idp_ids": N_("Send enten idp_ids eller idp_id, ikke begge."),
    "municipalities.noten_lang": N_("Noten er for lang."),
    "municipalities.ugyldigt_cvr_nummer": N_("Ugyldigt CVR-nummer."),
    "municipalities.ukendt_kommunekode": N_("Ukendt kommunekode."),
    "municipalities.ugyldig_idp": N_("Ugyldig IdP."),
    "municipalities.ugyldig_note": N_("Ugyldig note."),
    "municipalities.ukendte_felter": N_("Ukendte felter."),
    # registry
    "registry.findes_ingen_loesning_slug": N_("Der findes ingen løsning med slug '%(slug)s'."),
    "registry.login_broker_loesningens_type": N_(
        "'%(name)s' er ikke en login-broker (løsningens type skal være 'broker')."
    ),
    "registry.loesning_vaere_sin_egen": N_("En løsning kan ikke være sin egen broker."),
    "registry.brokerne_danner_kredsloeb_broker": N_(
        "Brokerne danner et kredsløb: en broker når tilbage til løsningen selv."
    ),
    "registry.nogle_felter_ugyldige": N_("Nogle felter er ugyldige."),
    "registry.skaeringsdatoens_foerste_dag_ligger": N_("Skæringsdatoens første dag ligger efter den sidste."),
    "registry.findes_allerede_loesning_slug": N_("Der findes allerede en løsning med slug '%(slug)s'."),
    "registry.loesningen_aendret_anden_mellemtiden": N_(
        "Løsningen er ændret af en anden i mellemtiden. Hent den igen og gentag ændringen."
    ),
    "registry.ugyldige_brokere": N_("Ugyldige brokere."),
    "registry.mange_brokere": N_("For mange brokere."),
    "registry.ugyldig_slug": N_("Ugyldig slug."),
    "registry.ukendt_organisation": N_("Ukendt organisation '%(slug)s'."),
    # review
    "review.forslaget_indeholder_ingen_aendringer": N_("Forslaget indeholder ingen ændringer."),
    "review.findes_intet_forslag": N_("Der findes intet forslag #%(proposal_id)s."),
    "review.skaeringsdatoen_kunne_forstaas_eller": N_(
        "Skæringsdatoen '%(text)s' kunne ikke forstås eller findes ikke. %(date_hint)s"
    ),
    "review.sidste_dag_kraever_foerste": N_("En sidste dag kræver en første dag."),
    "review.angiv_praecisionen_periode_fx": N_("Angiv præcisionen for en periode (fx 'month' eller 'quarter')."),
    "review.belaegget_maa_hoejst_have": N_("Belægget må højst have %(max_evidence)s tegn."),
    "review.forslag_kun_aendre_sikringsniveau": N_("Et forslag kan kun ændre sikringsniveau og skæringsdato."),
    "review.rettelse_kommune_have_belaeg": N_(
        "En rettelse fra en kommune skal have belæg: hvad så I, hvor og hvornår?"
    ),
    "review.forslaget_aendrer_intet_forhold": N_("Forslaget ændrer intet i forhold til de nuværende oplysninger."),
    "review.begrundelsen_maa_hoejst_have": N_("Begrundelsen må højst have %(max_reason)s tegn."),
    "review.loesningen_aendret_siden_forslag": N_(
        "Løsningen er ændret siden forslag #%(id)s blev lavet. Se forskellen igen og bekræft."
    ),
    "review.skriv_begrundelse_forslagsstilleren_ser": N_("Skriv en begrundelse; forslagsstilleren ser den."),
    # saml
    "saml.metadata_vaere_entitydescriptor_element": N_("Metadata skal være ét EntityDescriptor-element med entityID."),
    "saml.identitetsudbyderen_tilbyder_http_redirect": N_("Identitetsudbyderen tilbyder ikke HTTP-Redirect til login."),
    "saml.angiv_cvr_numre_identitetsudbyderen": N_("Angiv de CVR-numre, identitetsudbyderen må stå inde for."),
    "saml.metadata_kunne_laeses_xml": N_("Metadata kunne ikke læses som XML."),
    "saml.metadata_kunne_hentes": N_("Metadata kunne ikke hentes."),
    "saml.metadata_utf_8": N_("Metadata er ikke UTF-8."),
    "saml.metadata_stor": N_("Metadata er for stor."),
    "saml.metadata_beskriver_ingen_identitetsudbyder": N_(
        "Metadata beskriver ingen identitetsudbyder (IDPSSODescriptor)."
    ),
    "saml.metadata_intet_signeringscertifikat": N_("Metadata har intet signeringscertifikat."),
    "saml.ukendt_identitetsudbyder": N_("Ukendt identitetsudbyder."),
    "saml.metadata_adressen_svarede": N_("Metadata-adressen svarede %(status_code)s."),
    "saml.identitetsudbyderen_allerede_aktiv": N_("Identitetsudbyderen er allerede aktiv."),
    "saml.identitetsudbyderen_allerede_slaaet_fra": N_("Identitetsudbyderen er allerede slået fra."),
    # transitions: proposals of a new transition or a change to one (issue 22)
    "transitions.proposal_needs_source": N_(
        "Et forslag til en overgang skal have en kilde: kildens adresse og/eller et citat af den."
    ),
    "transitions.proposal_changes_nothing": N_("Forslaget ændrer intet i forhold til overgangen, som den er nu."),
    "transitions.proposal_conflicts": N_(
        "Overgangen er ændret, siden forslag #%(id)s blev lavet (version %(base)s, nu %(current)s). "
        "Se forskellen igen og bekræft."
    ),
    "inquiries.one_proposal_per_answer": N_(
        "Et svar kan foreslå én ting: enten løsningens sikringsniveau og skæringsdato eller en overgang."
    ),
    # web
    "web.tokenet_feed_adressen_ugyldigt": N_(
        "Tokenet i feed-adressen er ugyldigt eller tilbagekaldt. Bed en bruger i kommunen om en ny adresse "
        "fra siden 'Private feeds og kalender'."
    ),
    "web.pdf_laves_paa_denne": N_("PDF kan ikke laves på denne server; brug browserens udskrift i stedet."),
}
