"""The day-one brokers, and the sources and helpers the day-one solutions share (``tracker.starter_solutions``).

Read with ``tracker.starter_data`` (its docstring gives the rules). Quotes are the pages' own words.
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


def switch(
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


def link(title: str, url: str) -> dict[str, str]:
    """A link shown on the solution page."""
    return {"title": title, "url": url}


def solution(slug: str, name: str, kind: str, aliases: list[str], **rest: Any) -> dict[str, Any]:
    """One starter solution; ``fields`` empty (all unknown) unless given."""
    data: dict[str, Any] = {"slug": slug, "name": name, "kind": kind, "aliases": aliases, "fields": {}}
    data.update(rest)
    return data


# The OCES2 → OCES3 certificate switch of the fælleskommunale infrastructure (KOMBIT's own page): once the
# switch date of three KOMBIT solutions, now their 'certificate' transitions (tracker.starter_transitions).
OCES3_KOMBIT = switch(
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
    solution(
        "nemlog-in",
        "NemLog-in",
        "broker",
        ["NemLog-in", "NemLog-in3", "NemLog-in 3", "Nemlog-in broker"],
        service_provider="digst",
        links=[
            link("NemLog-in: tilslutning og vilkår", "https://tu.nemlog-in.dk/tilslutning/vilkar/"),
            link("Services og standarder i NemLog-in", NEMLOGIN_SERVICES),
        ],
        # No switch date: the 31 October 2023 shipped here before was the day NemID medarbejdersignatur closed
        # (mitid-erhverv.dk), not a switch of NemLog-in's (issue 24); no public page we have gives NemLog-in's own.
    ),
    solution(
        "context-handler",
        "KOMBIT Context Handler",
        "broker",
        ["KOMBIT Context Handler", "Context Handler", "Context Handler 2", "Fælleskommunal Adgangsstyring"],
        service_provider="kombit",
        links=[
            link("Opsætning af lokal IdP (OS2valghalla)", OS2VALGHALLA_IDP),
            link("Adgangsstyring for brugere", "https://digitaliseringskataloget.dk/løsninger/adgangsstyring-brugere"),
        ],
        fields=switch(
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
    solution(
        "unilogin",
        "STIL Unilogin Broker",
        "broker",
        ["STIL Unilogin Broker", "Unilogin Broker", "Unilogin", "UNI-Login"],
        service_provider="stil",
        links=[
            link("Unilogin og NSIS (STIL)", "https://viden.stil.dk/pages/viewpage.action?pageId=63537205"),
            link("Ingen generel deadline for NSIS-revisionserklæring (itchefer.dk)", ITCHEFER_NSIS_DEADLINE),
        ],
        fields=switch(
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
    solution(
        "seb",
        "SEB – Sundhedsvæsenets Elektroniske Brugerstyring",
        "broker",
        ["SEB", "Sundhedsvæsenets Elektroniske Brugerstyring", "SEB Borger", "SEB Sundhed"],
        links=[link("SEB hos services.nsi.dk", SEB_PAGE)],
        # Its OCES3 metadata switch is a 'certificate' transition (tracker.starter_transitions).
    ),
]
