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

DIGST_2022_MAJ = (
    "https://digst.dk/nyheder/nyhedsarkiv/2022/maj/danske-virksomheder-kan-faa-mitid-erhverv-fra-oktober-2022/"
)
STAR_BRUGERADMIN = "https://star.dk/da/it/it-administration-i-jobcentre-og-a-kasser/brugeradministration/"
EFLIS_DFDG = "https://eflis.dk/dataomrader/flis-arbejdsmarked-beskaeftigelse/dfdg/"
DIGST_SERVICEDEKLARATION = "http://www.digst.dk/It-loesninger/Servicedeklaration"

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
    solution(
        "kmd-nexus",
        "KMD Nexus",
        "leverandoer",
        ["KMD Nexus", "KMD-NEXUS", "Nexus"],
        vendor="kmd",
        links=[
            link(
                "KMD: implementering af KMD Nexus i Kalundborg Kommune",
                "https://www.kmd.dk/indsigter/skarp-projektledelse-bag-kmd-nexus-implementering-i-kalundborg",
            )
        ],
    ),
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
    solution(
        "eindkomst",
        "eIndkomst",
        "faellesoffentlig",
        ["eIndkomst"],
        links=[link("Skattestyrelsen: indberet løn (eIndkomst)", "https://skat.dk/skat.aspx?oId=2234866")],
    ),
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
        # No date: KOMBIT's page on the OCES3 switch says Beskedfordeler's users must wait (issue 24: the
        # 23 May 2023 shipped here before was contradicted by its own source).
        links=[
            link(
                "Udskiftning af OCES2-certifikater i den fælleskommunale infrastruktur (Beskedfordeleren: afvent)",
                OES2_KOMBIT,
            )
        ],
    ),
    solution(
        "stoettesystemerne",
        "KOMBIT Støttesystemerne",
        "faelleskommunal",
        ["Støttesystemerne", "Støttesystemer", "Fælleskommunalt Administrationsmodul"],
        **_KOMBIT,
        links=[link("Udskiftning af OCES2-certifikater i den fælleskommunale infrastruktur", OES2_KOMBIT)],
    ),
    solution(
        "ky",
        "KY – Kommunernes Ydelsessystem",
        "faelleskommunal",
        ["KY", "Kommunernes Ydelsessystem"],
        **_KOMBIT,
        links=[link("FLIS: DFDG, KY og Ydelsesrefusion", EFLIS_DFDG)],
    ),
    solution(
        "ksd",
        "KSD – Kommunernes Sygedagpengesystem",
        "faelleskommunal",
        ["KSD", "Kommunernes Sygedagpengesystem"],
        **_KOMBIT,
        links=[link("KOMBIT: KSD FAQ – funktionalitet", "https://kombit.dk/content/ksd-faq-funktionalitet")],
    ),
    solution(
        "sapa",
        "SAPA",
        "faelleskommunal",
        ["SAPA"],
        **_KOMBIT,
        links=[
            link(
                "SAPA – snitfladestrategi (KOMBIT-notat, kopi)",
                "https://deploy.doczz.net/doc/7095432/sapa---snitfladestrategi",
            )
        ],
    ),
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
        # Its OCES2 → OCES3 window is a 'certificate' transition (tracker.starter_transitions).
    ),
]

# More real solutions municipal staff log in to, each named by the public page linked (issue 24, item 6). Facts
# only where a page states one; the rest is unknown until a source says more.
SOLUTIONS_NAMED += [
    solution(
        "mitid-erhverv",
        "MitID Erhverv",
        "faellesoffentlig",
        ["MitID Erhverv"],
        service_provider="digst",
        links=[
            link("Danske virksomheder kan få MitID Erhverv fra oktober 2022 (digst.dk)", DIGST_2022_MAJ),
            link("MitID Erhverv: adgang til selvbetjeningsløsninger", MITID_ERHVERV_FAQ),
        ],
        # The login method itself: its rollout, as Digitaliseringsstyrelsen's own news gives it.
        fields=switch(
            "2022-10-01",
            "2023-06-30",
            "month",
            "fra oktober 2022 og frem mod juni 2023",
            state="switched",
            status="confirmed",
            kind="authority",
            url=DIGST_2022_MAJ,
            evidence="MitID Erhverv erstatter NemID medarbejdersignatur og rulles ud til de danske virksomheder fra "
            "oktober 2022 og frem mod juni 2023.",
        ),
    ),
    solution(
        "arbejdsmarkedsportalen",
        "Arbejdsmarkedsportalen",
        "faellesoffentlig",
        ["Arbejdsmarkedsportalen"],
        links=[link("STAR: brugeradministration af adgang til Arbejdsmarkedsportalen", STAR_BRUGERADMIN)],
    ),
    solution(
        "dfdg",
        "DFDG – Det Fælles Datagrundlag",
        "faellesoffentlig",
        ["DFDG", "Det Fælles Datagrundlag", "Det fælles it-baserede datagrundlag"],
        links=[
            link(
                "STAR: behandling af oplysninger registreret af a-kasser og jobcentre (DFDG)",
                "https://star.dk/digital-service/borger-it/behandling-af-oplysninger-der-er-registreret-af-a-kasser-og-"
                "jobcentre",
            )
        ],
    ),
    solution(
        "jobnet-jobkon",
        "Jobnet for Jobkonsulenter (JobKon)",
        "faellesoffentlig",
        ["JobKon", "Jobnet for Jobkonsulenter"],
        links=[link("STAR: applikationer via Arbejdsmarkedsportalen", STAR_BRUGERADMIN)],
    ),
    solution(
        "jobcenter-planner",
        "Jobcenter Planner",
        "faellesoffentlig",
        ["Jobcenter Planner"],
        links=[link("STAR: applikationer via Arbejdsmarkedsportalen", STAR_BRUGERADMIN)],
    ),
    solution(
        "nsp",
        "NSP – Den Nationale Serviceplatform",
        "faellesoffentlig",
        ["NSP", "Den Nationale Serviceplatform"],
        service_provider="sundhedsdatastyrelsen",
        links=[
            link("NSPOP: overblik over NSP services", "https://www.nspop.dk/display/web/Overblik+over+NSP+services")
        ],
    ),
    solution(
        "et-samlet-patientoverblik",
        "Et Samlet Patientoverblik",
        "faellesoffentlig",
        ["Et Samlet Patientoverblik"],
        links=[
            link(
                "MedCom: Drejebog Et Samlet Patientoverblik, Aftaleoversigt og Fælles Stamkort (kopi)",
                "https://9pdf.org/document/zx5nn1gv-drejebog-et-samlet-patientoverblik-aftaleoversigt-og-f%C3%A6lles-"
                "stamkort.html",
            )
        ],
    ),
    solution(
        "nemkonto",
        "NemKonto",
        "faellesoffentlig",
        ["NemKonto"],
        service_provider="digst",
        links=[link("Digitaliseringsstyrelsen: servicedeklaration (NemKonto)", DIGST_SERVICEDEKLARATION)],
    ),
    solution(
        "nemsms",
        "NemSMS",
        "faellesoffentlig",
        ["NemSMS"],
        service_provider="digst",
        links=[link("Digitaliseringsstyrelsen: servicedeklaration (NemSMS)", DIGST_SERVICEDEKLARATION)],
    ),
    solution(
        "tinglysning",
        "Tinglysning.dk – Den Digitale Tingbog",
        "faellesoffentlig",
        ["tinglysning.dk", "Den Digitale Tingbog"],
        links=[
            link(
                "Tinglysningsretten: underskriftsdatabasen (MitID Erhverv)",
                "https://domstol.dk/tinglysningsretten/professionelle-brugere/underskriftsdatabasen/",
            )
        ],
    ),
    solution(
        "kmd-opus",
        "KMD Opus",
        "leverandoer",
        ["KMD Opus", "KMD Opus Personale"],
        vendor="kmd",
        links=[
            link("KMD Opus Personale (integration)", "https://opusintegration.kmd.dk/area/opus-personal-api/personale")
        ],
    ),
    solution(
        "sbsys",
        "SBSYS",
        "leverandoer",
        ["SBSYS"],
        links=[
            link(
                "Version2: Tønder Kommune skifter til SBSYS",
                "https://www.version2.dk/artikel/toenders-esdh-kinderaeg-billigere-i-indkoeb-billigere-i-drift-og-valgt-"
                "uden-udbud-16360",
            )
        ],
    ),
    solution(
        "flis",
        "FLIS – Fælleskommunalt Ledelsesinformationssystem",
        "faelleskommunal",
        ["FLIS"],
        **_KOMBIT,
        links=[link("FLIS: dataområdet DFDG", EFLIS_DFDG)],
    ),
    solution(
        "eg-winplc",
        "EG WinPLC",
        "leverandoer",
        ["EG WinPLC", "WinPLC"],
        links=[
            link(
                "EG WinPLC: login med MitID Erhverv",
                "https://manual-winplc.eghealthcare.dk/login-med-mitid-erhverv.html",
            )
        ],
    ),
    solution(
        "jobnet",
        "Jobnet",
        "faellesoffentlig",
        ["Jobnet", "Jobnet.dk"],
        links=[link("STAR: Jobnets administrationsportal via Arbejdsmarkedsportalen", STAR_BRUGERADMIN)],
    ),
]

SOLUTIONS: list[dict[str, Any]] = BROKERS + SOLUTIONS_NAMED
