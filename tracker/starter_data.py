"""Starter data: organisations and solutions with only facts that have a source. Everything else is unknown.

The KL webinar Q&A (the municipalities' questions, autumn 2022) is itself a source: KL expects FMK at
Betydelig; Aula awaits a decision. Never add a date or a level here without its source.
"""

from __future__ import annotations

from typing import Any

KL_WEBINAR = "KL-webinar om NemLog-in3 og MitID Erhverv, spørgsmål og svar (2022)"

ORGANISATIONS: list[dict[str, Any]] = [
    {"slug": "digst", "name": "Digitaliseringsstyrelsen", "kind": "authority", "url": "https://digst.dk/"},
    {"slug": "kl", "name": "KL – Kommunernes Landsforening", "kind": "kl", "url": "https://www.kl.dk/"},
    {"slug": "kombit", "name": "KOMBIT", "kind": "kombit", "url": "https://www.kombit.dk/"},
    {
        "slug": "sundhedsdatastyrelsen",
        "name": "Sundhedsdatastyrelsen",
        "kind": "authority",
        "url": "https://sundhedsdatastyrelsen.dk/",
    },
    {
        "slug": "stil",
        "name": "Styrelsen for It og Læring (STIL)",
        "kind": "authority",
        "url": "https://stil.dk/",
    },
    {
        "slug": "erhvervsstyrelsen",
        "name": "Erhvervsstyrelsen",
        "kind": "authority",
        "url": "https://erhvervsstyrelsen.dk/",
    },
    {"slug": "sundhed-dk", "name": "sundhed.dk", "kind": "authority", "url": "https://www.sundhed.dk/"},
    {"slug": "kmd", "name": "KMD", "kind": "vendor", "url": "https://www.kmd.dk/"},
    {"slug": "netcompany", "name": "Netcompany", "kind": "vendor", "url": "https://www.netcompany.com/"},
    {
        "slug": "os2",
        "name": "OS2 – Offentligt digitaliseringsfællesskab",
        "kind": "other",
        "url": "https://os2.eu/",
    },
]

SOLUTIONS: list[dict[str, Any]] = [
    {
        "slug": "fmk",
        "name": "FMK – Fælles Medicinkort",
        "aliases": ["FMK", "Fælles Medicinkort", "FMK Online"],
        "kind": "faellesoffentlig",
        "service_provider": "sundhedsdatastyrelsen",
        "links": [{"title": "FMK hos Sundhedsdatastyrelsen", "url": "https://services.nsi.dk/en/Services/FMK"}],
        "fields": {
            "loa_value": "betydelig",
            "loa_status": "expected",
            "loa_source_kind": "coordinator",
            "loa_evidence": "Spørgsmål: Hvis en af de store løsninger, som fx FMK, kræver niveau HØJ …? "
            "KL: Vi forventer niveau betydelig. — " + KL_WEBINAR,
        },
    },
    {
        "slug": "aula",
        "name": "Aula",
        "aliases": ["Aula", "AULA"],
        "kind": "faelleskommunal",
        "service_provider": "kombit",
        "vendor": "netcompany",
        "broker": "STIL Unilogin",
        "links": [{"title": "Aula: login", "url": "https://aulainfo.dk/tag/login/"}],
        "fields": {
            "loa_value": "ukendt",
            "loa_status": "awaiting_decision",
            "loa_source_kind": "coordinator",
            "loa_evidence": "Spørgsmål: Det springende punkt bliver om Aula overgår til at anvende NSIS "
            "sikringsniveauer … KL: Korrekt, her afventes en AULA beslutning. — " + KL_WEBINAR,
        },
    },
    {
        "slug": "kmd-nexus",
        "name": "KMD Nexus",
        "aliases": ["KMD Nexus", "KMD-NEXUS", "Nexus"],
        "kind": "leverandoer",
        "vendor": "kmd",
        "fields": {},
    },
    {
        "slug": "virk-dk",
        "name": "virk.dk",
        "aliases": ["virk.dk", "Virk"],
        "kind": "faellesoffentlig",
        "service_provider": "erhvervsstyrelsen",
        "broker": "NemLog-in",
        "links": [
            {
                "title": "MitID Erhverv: adgang til selvbetjeningsløsninger",
                "url": "https://www.mitid-erhverv.dk/support/faq/adgang-til-digitale-selvbetjeningslosninger/",
            }
        ],
        "fields": {},
    },
    {
        "slug": "sundhed-dk",
        "name": "sundhed.dk",
        "aliases": ["sundhed.dk"],
        "kind": "faellesoffentlig",
        "service_provider": "sundhed-dk",
        "broker": "NemLog-in",
        "links": [
            {
                "title": "Services og standarder i NemLog-in",
                "url": "https://digst.dk/it-loesninger/nemlog-in/om-loesningen/services-og-standarder-i-nemlog-in/",
            }
        ],
        "fields": {},
    },
    {
        "slug": "serviceplatformen",
        "name": "Serviceplatformen",
        "aliases": ["Serviceplatformen", "KOMBIT Serviceplatformen"],
        "kind": "faelleskommunal",
        "service_provider": "kombit",
        "links": [
            {
                "title": "Udskiftning af OCES2-certifikater i den fælleskommunale infrastruktur",
                "url": "https://digitaliseringskataloget.dk/udskiftning-af-oces2-certifikater-i-den-faelleskommunale-infrastruktur",
            }
        ],
        "fields": {},
    },
    {
        "slug": "os2valghalla",
        "name": "OS2valghalla",
        "aliases": ["OS2valghalla", "Valghalla"],
        "kind": "faelleskommunal",
        "service_provider": "os2",
        "broker": "KOMBIT Context Handler",
        "fields": {
            "loa_value": "betydelig",
            "loa_status": "confirmed",
            "loa_source_kind": "authority",
            "loa_source_url": "https://os2web.atlassian.net/wiki/pages/viewpage.action?pageId=2382790658",
            "loa_evidence": "OS2valghalla 3.0 brugte Digitaliseringsstyrelsens vejledning til valg af "
            "sikringsniveau og landede på Betydelig.",
        },
    },
]
