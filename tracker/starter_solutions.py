"""The day-one registry: real solutions and login brokers named in public material, each fact with its source.

Read with ``tracker.starter_data`` (its docstring gives the rules). Quotes are the pages' own words.
Nothing here is inferred: a solution the material names without a level or a date has both unknown.
"""

from __future__ import annotations

from typing import Any

KL_WEBINAR = "KL-webinar om NemLog-in3 og MitID Erhverv, spørgsmål og svar (2022)"

# Pages quoted more than once.
OS2VALGHALLA_IDP = "https://viden.os2valghalla.dk/opsaetning-af-jobfunktionsrolle-og-lokal-idp"
OES2_KOMBIT = (
    "https://digitaliseringskataloget.dk/udskiftning-af-oces2-certifikater-i-den-faelleskommunale-infrastruktur"
)
NEMLOGIN_SERVICES = "https://digst.dk/it-loesninger/nemlog-in/om-loesningen/services-og-standarder-i-nemlog-in/"
NEMLOGIN_SSO_QUOTE = (
    "Login komponenten leverer således en gratis login tjeneste, hvormed borgere og medarbejdere i virksomheder "
    "eller myndigheder kan logge på offentlige selvbetjeningsløsninger og -portaler, fx Borger.dk, Virk.dk, "
    "Sundhed.dk eller Danmarks Miljøportal."
)
MITID_ERHVERV_FAQ = "https://www.mitid-erhverv.dk/support/faq/adgang-til-digitale-selvbetjeningslosninger/"
SEB_PAGE = "https://services.nsi.dk/Services/SEB"
STIL_2022_09 = "https://viden.stil.dk/display/STILVIDENOFFENTLIG/2022/09"
ITCHEFER_NSIS_DEADLINE = "https://itchefer.dk/article/ingen-generel-deadline-nsis-revisionserklaering"
NEMID_CLOSED = "https://mitid-erhverv.dk/info/nyhedsarkiv/mitid-erhverv-har-erstattet-nemid-medarbejdersignatur/"


def _switch(
    earliest: str,
    latest: str,
    precision: str,
    text: str,
    *,
    state: str,
    status: str,
    kind: str,
    url: str,
    evidence: str,
) -> dict[str, Any]:
    """The switch-date fields of a sourced fact."""
    return {
        "switch_earliest_on": earliest,
        "switch_latest_on": latest,
        "switch_precision": precision,
        "switch_text": text,
        "switch_state": state,
        "switch_status": status,
        "switch_source_kind": kind,
        "switch_source_url": url,
        "switch_evidence": evidence,
    }


def _link(title: str, url: str) -> dict[str, str]:
    return {"title": title, "url": url}


def _solution(slug: str, name: str, kind: str, aliases: list[str], **rest: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"slug": slug, "name": name, "kind": kind, "aliases": aliases, "fields": {}}
    data.update(rest)
    return data


# The OCES2 → OCES3 certificate switch of the fælleskommunale infrastructure (KOMBIT's own page).
_OCES3_KOMBIT = _switch(
    "2023-05-23",
    "2023-10-31",
    "day",
    "fra den 23. maj 2023 – 31. oktober 2023",
    state="switched",
    status="confirmed",
    kind="authority",
    url=OES2_KOMBIT,
    evidence='OCES2 → OCES3 i den fælleskommunale infrastruktur: "fra den 23. maj 2023"; OCES2 slut '
    '31. oktober 2023 "(bemærk ny dato pr. 27. april 2023)"',
)

BROKERS: list[dict[str, Any]] = [
    _solution(
        "nemlog-in",
        "NemLog-in",
        "broker",
        ["NemLog-in", "NemLog-in3", "NemLog-in 3", "Nemlog-in broker"],
        service_provider="digst",
        links=[
            _link("NemLog-in: tilslutning og vilkår", "https://tu.nemlog-in.dk/tilslutning/vilkar/"),
            _link("Services og standarder i NemLog-in", NEMLOGIN_SERVICES),
        ],
        fields=_switch(
            "2023-10-31",
            "2023-10-31",
            "day",
            "31. oktober 2023",
            state="switched",
            status="confirmed",
            kind="authority",
            url=NEMID_CLOSED,
            evidence="NemID medarbejdersignatur lukkede den 31. oktober 2023",
        ),
    ),
    _solution(
        "context-handler",
        "KOMBIT Context Handler",
        "broker",
        ["KOMBIT Context Handler", "Context Handler", "Context Handler 2", "Fælleskommunal Adgangsstyring"],
        service_provider="kombit",
        links=[
            _link("Opsætning af lokal IdP (OS2valghalla)", OS2VALGHALLA_IDP),
            _link("Adgangsstyring for brugere", "https://digitaliseringskataloget.dk/løsninger/adgangsstyring-brugere"),
        ],
        fields=_switch(
            "2024-01-22",
            "2024-01-22",
            "day",
            "22. januar 2024",
            state="switched",
            status="reported",
            kind="coordinator",
            url=OS2VALGHALLA_IDP,
            evidence="Kommunerne modtog 31. maj 2022 en KLIK-opgave om hvordan, de tilslutter deres IdP til den "
            "nye version af Context Handler (Context Handler 2). … Opgaven har deadline 22. januar 2024.",
        ),
    ),
    _solution(
        "unilogin",
        "STIL Unilogin Broker",
        "broker",
        ["STIL Unilogin Broker", "Unilogin Broker", "Unilogin", "UNI-Login"],
        service_provider="stil",
        links=[
            _link("Unilogin og NSIS (STIL)", "https://viden.stil.dk/pages/viewpage.action?pageId=63537205"),
            _link("Ingen generel deadline for NSIS-revisionserklæring (itchefer.dk)", ITCHEFER_NSIS_DEADLINE),
        ],
        fields=_switch(
            "2023-03-01",
            "2023-03-01",
            "day",
            "fra og med 1. marts 2023",
            state="switched",
            status="reported",
            kind="coordinator",
            url=ITCHEFER_NSIS_DEADLINE,
            evidence='itchefer.dk om STIL-siden "Lokal Idp – frist for anmeldelse": "fra og med 1. marts 2023" '
            "(en lokal IdP, der ikke står på Digitaliseringsstyrelsens NSIS-liste, kobles fra Unilogin Broker)",
        ),
    ),
    _solution(
        "seb",
        "SEB – Sundhedsvæsenets Elektroniske Brugerstyring",
        "broker",
        ["SEB", "Sundhedsvæsenets Elektroniske Brugerstyring", "SEB Borger", "SEB Sundhed"],
        links=[_link("SEB hos services.nsi.dk", SEB_PAGE)],
        fields=_switch(
            "2023-04-24",
            "2023-04-24",
            "day",
            "24. april 2023 (Produktion)",
            state="switched",
            status="confirmed",
            kind="authority",
            url=SEB_PAGE,
            evidence="SEB Metadata Skift til OCES3: Fra hhv. 3. (Test) og 24. april 2023 (Produktion) skal alle "
            "services der benytter SEB, både SEB Borger og SEB Sundhed ski…",
        ),
    ),
]

_NEMLOGIN_SSO = {"broker": "NemLog-in", "brokers": ["nemlog-in"]}
_VIA_SEB = {"brokers": ["seb"]}
_KOMBIT = {"service_provider": "kombit"}
_STIL = {"service_provider": "stil"}

SOLUTIONS_NAMED: list[dict[str, Any]] = [
    _solution(
        "fmk",
        "FMK – Fælles Medicinkort",
        "faellesoffentlig",
        ["FMK", "Fælles Medicinkort", "FMK Online", "Medicinkortet"],
        service_provider="sundhedsdatastyrelsen",
        **_VIA_SEB,
        links=[
            _link("FMK hos Sundhedsdatastyrelsen", "https://services.nsi.dk/en/Services/FMK"),
            _link("SEB: regionernes IdP'er (p.t. dog undtagen FMK Online)", SEB_PAGE),
            _link(
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
    _solution(
        "aula",
        "Aula",
        "faelleskommunal",
        ["Aula", "AULA"],
        vendor="netcompany",
        broker="STIL Unilogin",
        brokers=["unilogin", "context-handler"],
        **_KOMBIT,
        links=[
            _link("Aula: login", "https://aulainfo.dk/tag/login/"),
            _link("Aula lanceres (STIL)", "https://www.stil.dk/it-og-laering/aula-lanceres"),
        ],
        fields={
            "loa_value": "ukendt",
            "loa_status": "awaiting_decision",
            "loa_source_kind": "coordinator",
            "loa_evidence": "Spørgsmål: Det springende punkt bliver om Aula overgår til at anvende NSIS "
            "sikringsniveauer … KL: Korrekt, her afventes en AULA beslutning. — " + KL_WEBINAR,
        },
    ),
    _solution("kmd-nexus", "KMD Nexus", "leverandoer", ["KMD Nexus", "KMD-NEXUS", "Nexus"], vendor="kmd"),
    _solution(
        "virk-dk",
        "virk.dk",
        "faellesoffentlig",
        ["virk.dk", "Virk"],
        service_provider="erhvervsstyrelsen",
        **_NEMLOGIN_SSO,
        links=[
            _link("MitID Erhverv: adgang til selvbetjeningsløsninger", MITID_ERHVERV_FAQ),
            _link("Services og standarder i NemLog-in", NEMLOGIN_SERVICES),
        ],
    ),
    _solution(
        "sundhed-dk",
        "sundhed.dk",
        "faellesoffentlig",
        ["sundhed.dk"],
        service_provider="sundhed-dk",
        **_NEMLOGIN_SSO,
        links=[_link("Services og standarder i NemLog-in", NEMLOGIN_SERVICES)],
    ),
    _solution(
        "borger-dk",
        "borger.dk",
        "faellesoffentlig",
        ["borger.dk"],
        **_NEMLOGIN_SSO,
        links=[_link("Services og standarder i NemLog-in", NEMLOGIN_SERVICES)],
    ),
    _solution(
        "danmarks-miljoeportal",
        "Danmarks Miljøportal",
        "faellesoffentlig",
        ["Danmarks Miljøportal"],
        **_NEMLOGIN_SSO,
        links=[_link("Services og standarder i NemLog-in", NEMLOGIN_SERVICES)],
    ),
    _solution(
        "digital-post",
        "Digital Post",
        "faellesoffentlig",
        ["Digital Post"],
        service_provider="digst",
        links=[
            _link("MitID Erhverv: adgang til selvbetjeningsløsninger", MITID_ERHVERV_FAQ),
            _link(
                "Lanceringen af det nye Digital Post udskydes i fire måneder",
                "https://digst.dk/nyheder/nyhedsarkiv/2021/januar/lanceringen-af-det-nye-digital-post-udskydes-i-fire-maaneder/",
            ),
        ],
    ),
    _solution(
        "nemrefusion",
        "NemRefusion",
        "faellesoffentlig",
        ["NemRefusion"],
        **_NEMLOGIN_SSO,
        links=[_link("MitID Erhverv: adgang til selvbetjeningsløsninger", MITID_ERHVERV_FAQ)],
    ),
    _solution(
        "skat-tastselv-erhverv",
        "skat.dk TastSelv Erhverv",
        "faellesoffentlig",
        ["TastSelv Erhverv", "skat.dk"],
        links=[
            _link(
                "MitID Erhverv: you do not have access to the self-services you require",
                "https://mitid-erhverv.dk/en/how-to-use-mitid-erhverv/mitid-erhverv-user-guide-centre/"
                "you-do-not-have-access-to-the-self-services-that-you-require",
            )
        ],
    ),
    _solution("eindkomst", "eIndkomst", "faellesoffentlig", ["eIndkomst"]),
    _solution(
        "serviceplatformen",
        "Serviceplatformen",
        "faelleskommunal",
        ["Serviceplatformen", "KOMBIT Serviceplatformen"],
        **_KOMBIT,
        links=[_link("Udskiftning af OCES2-certifikater i den fælleskommunale infrastruktur", OES2_KOMBIT)],
        fields=_OCES3_KOMBIT,
    ),
    _solution(
        "beskedfordeler",
        "Beskedfordeler",
        "faelleskommunal",
        ["Beskedfordeler", "Beskedfordeleren"],
        **_KOMBIT,
        links=[_link("Udskiftning af OCES2-certifikater i den fælleskommunale infrastruktur", OES2_KOMBIT)],
        fields=_OCES3_KOMBIT,
    ),
    _solution(
        "stoettesystemerne",
        "KOMBIT Støttesystemerne",
        "faelleskommunal",
        ["Støttesystemerne", "Støttesystemer", "Fælleskommunalt Administrationsmodul"],
        **_KOMBIT,
        links=[_link("Udskiftning af OCES2-certifikater i den fælleskommunale infrastruktur", OES2_KOMBIT)],
        fields=_OCES3_KOMBIT,
    ),
    _solution("ky", "KY", "faelleskommunal", ["KY"], **_KOMBIT),
    _solution("ksd", "KSD", "faelleskommunal", ["KSD"], **_KOMBIT),
    _solution("sapa", "SAPA", "faelleskommunal", ["SAPA"], **_KOMBIT),
    _solution(
        "ddv", "DDV", "faellesoffentlig", ["DDV"], **_VIA_SEB, links=[_link("SEB hos services.nsi.dk", SEB_PAGE)]
    ),
    _solution(
        "dnhf", "DNHF", "faellesoffentlig", ["DNHF"], **_VIA_SEB, links=[_link("SEB hos services.nsi.dk", SEB_PAGE)]
    ),
    _solution(
        "sei2", "SEI2", "faellesoffentlig", ["SEI2"], **_VIA_SEB, links=[_link("SEB hos services.nsi.dk", SEB_PAGE)]
    ),
    _solution(
        "faelles-stamkort",
        "Fælles Stamkort",
        "faellesoffentlig",
        ["Fælles Stamkort"],
        **_VIA_SEB,
        links=[_link("SEB hos services.nsi.dk", SEB_PAGE)],
    ),
    _solution(
        "skolelogin",
        "SkoleLogin",
        "faellesoffentlig",
        ["SkoleLogin"],
        **_STIL,
        links=[_link("SkoleLogin: releases", "https://viden.stil.dk/display/OFFSKOLELOGIN/Releases")],
    ),
    _solution(
        "ordblindetest",
        "Ordblindetest",
        "faellesoffentlig",
        ["Ordblindetest", "ordblindetest.nu"],
        **_STIL,
        brokers=["nemlog-in"],
        links=[_link("STIL: nyheder september 2022", STIL_2022_09)],
        fields=_switch(
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
    _solution(
        "skoleintra",
        "SkoleIntra",
        "leverandoer",
        ["SkoleIntra"],
        links=[
            _link("Aula lanceres (STIL): Aula erstatter SkoleIntra", "https://www.stil.dk/it-og-laering/aula-lanceres")
        ],
    ),
    _solution("meebook", "Meebook", "leverandoer", ["Meebook"]),
    _solution(
        "os2valghalla",
        "OS2valghalla",
        "faelleskommunal",
        ["OS2valghalla", "Valghalla"],
        service_provider="os2",
        broker="KOMBIT Context Handler",
        brokers=["context-handler"],
        links=[_link("Opsætning af jobfunktionsrolle og lokal IdP", OS2VALGHALLA_IDP)],
        fields={
            "loa_value": "betydelig",
            "loa_status": "confirmed",
            "loa_source_kind": "authority",
            "loa_source_url": "https://os2web.atlassian.net/wiki/pages/viewpage.action?pageId=2382790658",
            "loa_evidence": "OS2valghalla 3.0 brugte Digitaliseringsstyrelsens vejledning til valg af "
            "sikringsniveau og landede på Betydelig.",
        },
    ),
    _solution(
        "datafordeleren",
        "Datafordeleren",
        "faellesoffentlig",
        ["Datafordeleren"],
        service_provider="sdfi",
        links=[
            _link(
                "Tjenestebruger – overgang til OCES3",
                "https://confluence.sdfi.dk/display/DML/Tjenestebruger+-+overgang+til+OCES3",
            )
        ],
        fields=_switch(
            "2023-06-07",
            "2023-06-07",
            "day",
            "7. juni 2023",
            state="switched",
            status="confirmed",
            kind="authority",
            url="https://confluence.sdfi.dk/display/DML/Tjenestebruger+-+overgang+til+OCES3",
            evidence='SDFI-siden "Tjenestebruger - overgang til OCES3": Datafordeleren tager imod OCES3 fra '
            "7. juni 2023",
        ),
    ),
]

SOLUTIONS: list[dict[str, Any]] = BROKERS + SOLUTIONS_NAMED
