"""The day-one registry: real solutions and login brokers named in public material, each fact with its source.

Read with ``tracker.starter_data`` (its docstring gives the rules). Quotes are the pages' own words.
Nothing here is inferred: a solution the material names without a level or a date has both unknown.
"""

from __future__ import annotations

from typing import Any

from tracker.starter_brokers import (
    BROKERS,
    KL_WEBINAR,
    MITID_ERHVERV_FAQ,
    NEMLOGIN_SERVICES,
    OES2_KOMBIT,
    OS2VALGHALLA_IDP,
    SEB_PAGE,
    STIL_2022_09,
    link,
    solution,
    switch,
)

__all__ = ["BROKERS", "KL_WEBINAR", "SOLUTIONS", "SOLUTIONS_NAMED"]

_NEMLOGIN_SSO = {"broker": "NemLog-in", "brokers": ["nemlog-in"]}
_VIA_SEB = {"brokers": ["seb"]}
_KOMBIT = {"service_provider": "kombit"}
_STIL = {"service_provider": "stil"}

SOLUTIONS_NAMED: list[dict[str, Any]] = [
    solution(
        "fmk",
        "FMK – Fælles Medicinkort",
        "faellesoffentlig",
        ["FMK", "Fælles Medicinkort", "FMK Online", "Medicinkortet"],
        service_provider="sundhedsdatastyrelsen",
        **_VIA_SEB,
        links=[
            link("FMK hos Sundhedsdatastyrelsen", "https://services.nsi.dk/en/Services/FMK"),
            link("SEB: regionernes IdP'er (p.t. dog undtagen FMK Online)", SEB_PAGE),
            link(
                "EG WinPLC: login med MitID Erhverv (Medicinkortet)",
                "https://manual-winplc.eghealthcare.dk/login-med-mitid-erhverv.html",
            ),
        ],
        fields={
            "loa_value": "betydelig",
            "loa_status": "expected",
            "loa_source_kind": "coordinator",
            "loa_evidence": "Spørgsmål: Hvis en af de store løsninger, som fx FMK, kræver niveau HØJ …? "
            "KL: Vi forventer niveau betydelig. — " + KL_WEBINAR,
        },
    ),
    solution(
        "aula",
        "Aula",
        "faelleskommunal",
        ["Aula", "AULA"],
        vendor="netcompany",
        broker="STIL Unilogin",
        brokers=["unilogin", "context-handler"],
        **_KOMBIT,
        links=[
            link("Aula: login", "https://aulainfo.dk/tag/login/"),
            link("Aula lanceres (STIL)", "https://www.stil.dk/it-og-laering/aula-lanceres"),
        ],
        fields={
            "loa_value": "ukendt",
            "loa_status": "awaiting_decision",
            "loa_source_kind": "coordinator",
            "loa_evidence": "Spørgsmål: Det springende punkt bliver om Aula overgår til at anvende NSIS "
            "sikringsniveauer … KL: Korrekt, her afventes en AULA beslutning. — " + KL_WEBINAR,
        },
    ),
    solution("kmd-nexus", "KMD Nexus", "leverandoer", ["KMD Nexus", "KMD-NEXUS", "Nexus"], vendor="kmd"),
    solution(
        "virk-dk",
        "virk.dk",
        "faellesoffentlig",
        ["virk.dk", "Virk"],
        service_provider="erhvervsstyrelsen",
        **_NEMLOGIN_SSO,
        links=[
            link("MitID Erhverv: adgang til selvbetjeningsløsninger", MITID_ERHVERV_FAQ),
            link("Services og standarder i NemLog-in", NEMLOGIN_SERVICES),
        ],
    ),
    solution(
        "sundhed-dk",
        "sundhed.dk",
        "faellesoffentlig",
        ["sundhed.dk"],
        service_provider="sundhed-dk",
        **_NEMLOGIN_SSO,
        links=[link("Services og standarder i NemLog-in", NEMLOGIN_SERVICES)],
    ),
    solution(
        "borger-dk",
        "borger.dk",
        "faellesoffentlig",
        ["borger.dk"],
        **_NEMLOGIN_SSO,
        links=[link("Services og standarder i NemLog-in", NEMLOGIN_SERVICES)],
    ),
    solution(
        "danmarks-miljoeportal",
        "Danmarks Miljøportal",
        "faellesoffentlig",
        ["Danmarks Miljøportal"],
        **_NEMLOGIN_SSO,
        links=[link("Services og standarder i NemLog-in", NEMLOGIN_SERVICES)],
    ),
    solution(
        "digital-post",
        "Digital Post",
        "faellesoffentlig",
        ["Digital Post"],
        service_provider="digst",
        links=[
            link("MitID Erhverv: adgang til selvbetjeningsløsninger", MITID_ERHVERV_FAQ),
            link(
                "Lanceringen af det nye Digital Post udskydes i fire måneder",
                "https://digst.dk/nyheder/nyhedsarkiv/2021/januar/lanceringen-af-det-nye-digital-post-udskydes-i-fire-maaneder/",
            ),
        ],
    ),
    solution(
        "nemrefusion",
        "NemRefusion",
        "faellesoffentlig",
        ["NemRefusion"],
        **_NEMLOGIN_SSO,
        links=[link("MitID Erhverv: adgang til selvbetjeningsløsninger", MITID_ERHVERV_FAQ)],
    ),
    solution(
        "skat-tastselv-erhverv",
        "skat.dk TastSelv Erhverv",
        "faellesoffentlig",
        ["TastSelv Erhverv", "skat.dk"],
        links=[
            link(
                "MitID Erhverv: you do not have access to the self-services you require",
                "https://mitid-erhverv.dk/en/how-to-use-mitid-erhverv/mitid-erhverv-user-guide-centre/"
                "you-do-not-have-access-to-the-self-services-that-you-require",
            )
        ],
    ),
    solution("eindkomst", "eIndkomst", "faellesoffentlig", ["eIndkomst"]),
    solution(
        "serviceplatformen",
        "Serviceplatformen",
        "faelleskommunal",
        ["Serviceplatformen", "KOMBIT Serviceplatformen"],
        **_KOMBIT,
        links=[link("Udskiftning af OCES2-certifikater i den fælleskommunale infrastruktur", OES2_KOMBIT)],
    ),
    solution(
        "beskedfordeler",
        "Beskedfordeler",
        "faelleskommunal",
        ["Beskedfordeler", "Beskedfordeleren"],
        **_KOMBIT,
        links=[link("Udskiftning af OCES2-certifikater i den fælleskommunale infrastruktur", OES2_KOMBIT)],
    ),
    solution(
        "stoettesystemerne",
        "KOMBIT Støttesystemerne",
        "faelleskommunal",
        ["Støttesystemerne", "Støttesystemer", "Fælleskommunalt Administrationsmodul"],
        **_KOMBIT,
        links=[link("Udskiftning af OCES2-certifikater i den fælleskommunale infrastruktur", OES2_KOMBIT)],
    ),
    solution("ky", "KY", "faelleskommunal", ["KY"], **_KOMBIT),
    solution("ksd", "KSD", "faelleskommunal", ["KSD"], **_KOMBIT),
    solution("sapa", "SAPA", "faelleskommunal", ["SAPA"], **_KOMBIT),
    solution("ddv", "DDV", "faellesoffentlig", ["DDV"], **_VIA_SEB, links=[link("SEB hos services.nsi.dk", SEB_PAGE)]),
    solution(
        "dnhf", "DNHF", "faellesoffentlig", ["DNHF"], **_VIA_SEB, links=[link("SEB hos services.nsi.dk", SEB_PAGE)]
    ),
    solution(
        "sei2", "SEI2", "faellesoffentlig", ["SEI2"], **_VIA_SEB, links=[link("SEB hos services.nsi.dk", SEB_PAGE)]
    ),
    solution(
        "faelles-stamkort",
        "Fælles Stamkort",
        "faellesoffentlig",
        ["Fælles Stamkort"],
        **_VIA_SEB,
        links=[link("SEB hos services.nsi.dk", SEB_PAGE)],
    ),
    solution(
        "skolelogin",
        "SkoleLogin",
        "faellesoffentlig",
        ["SkoleLogin"],
        **_STIL,
        links=[link("SkoleLogin: releases", "https://viden.stil.dk/display/OFFSKOLELOGIN/Releases")],
    ),
    solution(
        "ordblindetest",
        "Ordblindetest",
        "faellesoffentlig",
        ["Ordblindetest", "ordblindetest.nu"],
        **_STIL,
        brokers=["nemlog-in"],
        links=[link("STIL: nyheder september 2022", STIL_2022_09)],
        fields=switch(
            "2022-10-01",
            "2022-12-31",
            "quarter",
            "ultimo 2022",
            state="switched",
            status="confirmed",
            kind="authority",
            url=STIL_2022_09,
            evidence='"Den 17. oktober lukker STIL for ordblindetest.nu"; den nye version (login via NemLog-in) '
            'skal "gå i luften ultimo 2022"',
        ),
    ),
    solution(
        "skoleintra",
        "SkoleIntra",
        "leverandoer",
        ["SkoleIntra"],
        links=[
            link("Aula lanceres (STIL): Aula erstatter SkoleIntra", "https://www.stil.dk/it-og-laering/aula-lanceres")
        ],
    ),
    solution("meebook", "Meebook", "leverandoer", ["Meebook"]),
    solution(
        "os2valghalla",
        "OS2valghalla",
        "faelleskommunal",
        ["OS2valghalla", "Valghalla"],
        service_provider="os2",
        broker="KOMBIT Context Handler",
        brokers=["context-handler"],
        links=[link("Opsætning af jobfunktionsrolle og lokal IdP", OS2VALGHALLA_IDP)],
        fields={
            "loa_value": "betydelig",
            "loa_status": "confirmed",
            "loa_source_kind": "authority",
            "loa_source_url": "https://os2web.atlassian.net/wiki/pages/viewpage.action?pageId=2382790658",
            "loa_evidence": "OS2valghalla 3.0 brugte Digitaliseringsstyrelsens vejledning til valg af "
            "sikringsniveau og landede på Betydelig.",
        },
    ),
    solution(
        "datafordeleren",
        "Datafordeleren",
        "faellesoffentlig",
        ["Datafordeleren"],
        service_provider="sdfi",
        links=[
            link(
                "Tjenestebruger – overgang til OCES3",
                "https://confluence.sdfi.dk/display/DML/Tjenestebruger+-+overgang+til+OCES3",
            )
        ],
        # Its OCES2 → OCES3 switch is a 'certificate' transition (tracker.starter_transitions).
    ),
]

SOLUTIONS: list[dict[str, Any]] = BROKERS + SOLUTIONS_NAMED
