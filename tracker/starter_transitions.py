"""The day-one transitions: dated changes known from public sources (``../shared/reference/frontier-2027.md``).

Loaded by ``tracker seed`` (``load``), each once (by its ``starter_key``); never overwritten. Rules as for the
day-one solutions (``tracker.starter_data``): every fact has its source and the page's own words; what no page
gives is unknown (a transition without a date is still worth having: it can be watched, asked about and
subscribed to). Confidence: an authority's page or a law ``confirmed`` (for what it states), a third party's
reading ``expected``.

The certificate switches (OCES2 → OCES3) the day-one registry used to keep in the solutions' switch date are
``certificate`` transitions here; ``load`` also moves them out of a registry seeded before (only where the
solution's switch date is still exactly the shipped one), with a ``solution.switch_date.changed`` event.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Solution, Transition
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution
from tracker.registry.transition_writes import create_transition

OIOSAML_PROFILES = "https://digst.dk/it-loesninger/standarder/oiosaml-profiler/"
NEMLOGIN_OIOSAML3 = "https://migrering.nemlog-in.dk/nemlog-in-broker/offentlig-tjenesteudbyder/oiosaml-3/"
CONTEXT_HANDLER_2 = (
    "https://digitaliseringskataloget.dk/faelleskommunal-adgangsstyring-nye-versioner-af-context-handler-og-"
    "security-token-service-klar-til"
)
STIL_RELEASES = "https://viden.stil.dk/display/OFFSKOLELOGIN/Releases"
SDFI_OCES3 = "https://confluence.sdfi.dk/display/DML/Tjenestebruger+-+overgang+til+OCES3"
SEB_PAGE = "https://services.nsi.dk/Services/SEB"
OES2_KOMBIT = (
    "https://digitaliseringskataloget.dk/udskiftning-af-oces2-certifikater-i-den-faelleskommunale-infrastruktur"
)
KL_HEALTH_REFORM = (
    "https://www.kl.dk/sundhed-og-aeldre/sundhedsreformen/det-vigtigste-om-sundhedsreformen/"
    "tidslinje-over-opgaveflytning-og-oekonomiopgaver-i-sundhedsreformen"
)
REGION_OEST_QA = "https://www.regionoest.dk/politik/informationer-til-politikere/qa-om-opgaveflyt"
UNKNOWN_DATE: dict[str, Any] = {"precision": "unknown", "state": "unknown", "status": "unknown"}
WALLET_PLACE = (
    " Ført på NemLog-in som den nationale login-broker; hvordan Danmark anvender tegnebogen (gennem NemLog-in/"
    "MitID-brokerne?) er ukendt."
)


def _day(earliest: str, latest: str | None = None, precision: str = "day", **rest: Any) -> dict[str, Any]:
    return {
        "earliest_on": date.fromisoformat(earliest),
        "latest_on": date.fromisoformat(latest or earliest),
        "precision": precision,
        **rest,
    }


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
    """The switch-date fields of a sourced fact (a solution's ``switch_*`` columns), the days as ISO strings."""
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


# The certificate switches as the day-one registry held them in the solutions' switch date (``switch``'s shape).
# The OCES2 → OCES3 certificate switch of the fælleskommunale infrastructure (KOMBIT's own page): once the
# switch date of three KOMBIT solutions, now their 'certificate' transitions.
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
DATAFORDELEREN_OCES3 = switch(
    "2023-06-07",
    "2023-10-31",
    "day",
    "7. juni 2023 – 31. oktober 2023",
    state="switched",
    status="confirmed",
    kind="authority",
    url=SDFI_OCES3,
    evidence='SDFI-siden "Tjenestebruger - overgang til OCES3": Datafordeleren tager imod OCES3 fra '
    "7. juni 2023; OCES2 til og med 31. oktober 2023",
)
SEB_OCES3 = switch(
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
)


def _certificate(old: dict[str, Any]) -> dict[str, Any]:
    """A certificate switch as a ``certificate`` transition: the same days, words, state, confidence and source."""
    fields = {key.removeprefix("switch_"): value for key, value in old.items()}
    fields["earliest_on"] = date.fromisoformat(old["switch_earliest_on"])
    fields["latest_on"] = date.fromisoformat(old["switch_latest_on"])
    return {
        "kind": "certificate",
        "title": "OCES2 → OCES3-systemcertifikater",
        "category": "prevent_or_fix",
        "major": True,
        "who_must_act": ["service_provider", "vendor", "municipalities"],
        "what_to_do": "Udskift OCES2-systemcertifikater med OCES3, før OCES2 ophører.",
        **fields,
    }


# key → (solution slug, fields). The switch fields a certificate switch used to occupy are in CERTIFICATE_SWITCHES.
TRANSITIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "oces3-serviceplatformen": ("serviceplatformen", _certificate(OCES3_KOMBIT)),
    "oces3-stoettesystemerne": ("stoettesystemerne", _certificate(OCES3_KOMBIT)),
    "oces3-datafordeleren": ("datafordeleren", _certificate(DATAFORDELEREN_OCES3)),
    "oces3-seb": ("seb", _certificate(SEB_OCES3)),
    "nemlog-in-oiosaml-2-1-udfasning": (
        "nemlog-in",
        {
            "kind": "protocol",
            "title": "Udfasning af OIOSAML 2.1.0-grænsefladen",
            "description": "NemLog-in-brokeren gik i drift 22. september 2021; OIOSAML 2.1.0 afløste 2.0.9. "
            "Fejl i OIOSAML 2 rettes ikke længere. Tjenester skal anvende OIOSAML 3-profilen.",
            "category": "stay_informed",
            "who_must_act": ["service_provider", "vendor"],
            "status": "expected",
            "state": "unknown",
            "source_kind": "authority",
            "source_url": NEMLOGIN_OIOSAML3,
            "evidence": "Digitaliseringsstyrelsen forventede at udfase OIOSAML 2.1.0-grænsefladen i juni 2022; "
            '"Jeres tjeneste skal anvende OIOSAML 3 profilen".',
            **_day("2022-06-01", "2022-06-30", "month", text="juni 2022"),
        },
    ),
    "nemlog-in-oiosaml-4": (
        "nemlog-in",
        {
            "kind": "protocol",
            "title": "OIOSAML 4.0.0 på NemLog-in",
            "description": "Profilen OIOSAML 4.0.0 er offentliggjort (oiosaml-websso-profile-400.pdf, en "
            "høringsudgave). Idriftsættelse, parallelperiode og afslutningen af OIOSAML 3 er ikke meldt ud. "
            "Berører alle løsninger bag NemLog-in og alle lokale IdP'er.",
            "category": "plan_for_change",
            "major": True,
            "who_must_act": ["service_provider", "vendor", "local_idp_operators"],
            "what_to_do": "Følg Digitaliseringsstyrelsens side om OIOSAML-profiler; planlæg opdatering af "
            "løsninger og lokale IdP'er, når datoerne meldes ud.",
            **UNKNOWN_DATE,
            "text": "dato ikke meldt ud",
            "source_kind": "authority",
            "source_url": OIOSAML_PROFILES,
            "evidence": "OIOSAML 4.0.0-profilen er offentliggjort; go-live, parallelkørsel og udfasning af "
            "OIOSAML 3 er ikke annonceret.",
        },
    ),
    "context-handler-2-i-drift": (
        "context-handler",
        {
            "kind": "broker_version",
            "title": "Context Handler 2 og STS 2 i drift ved siden af version 1",
            "category": "stay_informed",
            "who_must_act": ["municipalities", "local_idp_operators", "vendor"],
            "state": "switched",
            "status": "confirmed",
            "source_kind": "authority",
            "source_url": CONTEXT_HANDLER_2,
            "evidence": "KOMBIT: nye versioner af Context Handler og Security Token Service er klar til brug "
            "(i produktion fra 14. august 2023, ved siden af version 1).",
            **_day("2023-08-14", text="14. august 2023"),
        },
    ),
    "context-handler-1-ophoer": (
        "context-handler",
        {
            "kind": "broker_version",
            "title": "Afslutning af Context Handler 1 (skift til Context Handler 2 og STS 2)",
            "description": "Når fristen fastsættes, skifter alle KOMBIT-løsninger på én gang: et faktum om "
            "brokeren, der binder alle løsninger bag den.",
            "category": "plan_for_change",
            "major": True,
            "who_must_act": ["municipalities", "local_idp_operators", "vendor"],
            "what_to_do": "Sørg for, at kommunens IdP er tilsluttet Context Handler 2; følg KOMBITs side for fristen.",
            **UNKNOWN_DATE,
            "text": "ingen frist fastsat",
            "source_kind": "authority",
            "source_url": CONTEXT_HANDLER_2,
            "evidence": '"Der er endnu ikke fastsat en deadline for hvornår brugervendte systemer skal være '
            'skiftet over."',
        },
    ),
    "unilogin-ssoproxy-atlas-lukket": (
        "unilogin",
        {
            "kind": "protocol",
            "title": "Unilogin SSOproxy og Atlas lukket: tjenester bruger Unilogin-brokeren over OIDC eller SAML",
            "category": "stay_informed",
            "who_must_act": ["service_provider", "vendor"],
            "state": "switched",
            "status": "confirmed",
            "source_kind": "authority",
            "source_url": STIL_RELEASES,
            "evidence": "STIL lukkede Unilogin SSOproxy og Atlas 28. juni 2024; tjenester bruger Unilogin-brokeren "
            "over OIDC eller SAML (viden.stil.dk: Releases, Tilslut OIDC).",
            **_day("2024-06-28", text="28. juni 2024"),
        },
    ),
    "eu-wallet-medlemsstater-2026": (
        "nemlog-in",
        {
            "kind": "wallet",
            "title": "EU's digitale identitetstegnebog: hver medlemsstat tilbyder mindst én",
            "description": "eIDAS 2 (forordning (EU) 2024/1183): hver medlemsstat skal tilbyde mindst én EU "
            "Digital Identity Wallet senest 24. december 2026. Den danske tegnebogs navn og lanceringsdato er "
            "ukendt." + WALLET_PLACE,
            "category": "stay_informed",
            "who_must_act": ["service_provider"],
            "state": "planned",
            "status": "confirmed",
            "source_kind": "authority",
            "evidence": "EU-Kommissionens sider om European Digital Identity; forordning (EU) 2024/1183.",
            **_day("2026-12-24", text="24. december 2026"),
        },
    ),
    "eu-wallet-modtagere-2027": (
        "nemlog-in",
        {
            "kind": "wallet",
            "title": "Udpegede modtagere skal acceptere EU-identitetstegnebogen, hvor stærk autentifikation kræves",
            "description": "Tredjeparters læsning af eIDAS 2 art. 5f: forventet fra december 2027." + WALLET_PLACE,
            "category": "plan_for_change",
            "major": True,
            "who_must_act": ["service_provider", "vendor"],
            "state": "planned",
            "status": "expected",
            "source_kind": "coordinator",
            "evidence": "Tredjepartsanalyser af eIDAS 2 (art. 5f): forventet december 2027.",
            **_day("2027-12-01", "2027-12-31", "month", text="december 2027 (forventet)"),
        },
    ),
    "dk-wallet-l48": (
        "nemlog-in",
        {
            "kind": "wallet",
            "title": "Lov om den nationale digitale identitetstegnebog (L 48)",
            "description": "Lovforslag L 48 (2025-26), fremsat 22. oktober 2025: en tegnebogs-app, en udstedelses"
            "tjeneste og et register over modtagerparter (juridiske enheder med CVR-nummer). Ikrafttræden ukendt."
            + WALLET_PLACE,
            "category": "stay_informed",
            "who_must_act": ["service_provider"],
            **UNKNOWN_DATE,
            "text": "ikrafttræden ukendt",
            "source_kind": "authority",
            "evidence": "Folketinget, L 48 (2025-26), som fremsat 22. oktober 2025.",
        },
    ),
    "eu-business-wallet": (
        "nemlog-in",
        {
            "kind": "wallet",
            "title": "Den europæiske erhvervstegnebog (European Business Wallet)",
            "description": "Rådets generelle indstilling 9. juni 2026: offentlige myndigheder skal kunne bruge "
            "dens kernefunktioner to år efter den sidste gennemførelsesretsakt. Datoen er ukendt." + WALLET_PLACE,
            "category": "stay_informed",
            "who_must_act": ["service_provider"],
            **UNKNOWN_DATE,
            "text": "to år efter den sidste gennemførelsesretsakt",
            "source_kind": "authority",
            "evidence": "Council of the EU, generel indstilling 9. juni 2026.",
        },
    ),
}
HEALTH_TRANSFER: dict[str, Any] = {
    "kind": "organisation",
    "title": "Sundhedsreformen: fire sundhedsopgaver flytter fra kommunerne til regionerne med personale",
    "description": "1. januar 2027 bliver Region Hovedstaden og Region Sjælland til Region Østdanmark, og ansvaret "
    "for akutsygepleje, ca. 70 % af de midlertidige pladser (sundheds- og omsorgspladser), patientrettet "
    "forebyggelse og specialiseret rehabilitering flytter fra kommunerne til regionerne med personale, lokaler og "
    "budget, medmindre en kommune løser opgaven efter en horisontal aftale. Personale, der flytter, skifter "
    "organisation (et regionalt CVR-nummer) og IdP den dag. Intet ændres i løsningen selv: det er hvem der "
    "logger ind, der ændres.",
    "category": "plan_for_change",
    "major": True,
    "who_must_act": ["municipalities", "local_idp_operators", "staff"],
    "what_to_do": "Registrér de personalegrupper, der flytter til regionen, som planlagte ændringer af kommunens "
    "IdP'er (gruppen forlader kommunen 1. januar 2027).",
    "state": "planned",
    "status": "confirmed",
    "source_kind": "authority",
    "source_url": KL_HEALTH_REFORM,
    "evidence": "KL: tidslinje over opgaveflytning i sundhedsreformen; Region Østdanmark: Q&A om opgaveflytning "
    f"({REGION_OEST_QA}).",
    **_day("2027-01-01", text="1. januar 2027"),
}
TRANSITIONS["sundhedsreform-2027-fmk"] = ("fmk", HEALTH_TRANSFER)
TRANSITIONS["sundhedsreform-2027-seb"] = ("seb", HEALTH_TRANSFER)

# The switch fields the day-one registry used to hold for a certificate switch (moved out by ``load``): the
# ones shipped now as transitions, and two earlier versions facts corrected (issue 24): Datafordeleren's single
# day, and Beskedfordeler's 23 May 2023, which its own source contradicts (no certificate transition for it).
CERTIFICATE_SWITCHES = frozenset(key for key in TRANSITIONS if key.startswith("oces3-"))
_OLD_DATAFORDELEREN = {
    **DATAFORDELEREN_OCES3,
    "switch_latest_on": "2023-06-07",
    "switch_text": "7. juni 2023",
    "switch_evidence": 'SDFI-siden "Tjenestebruger - overgang til OCES3": Datafordeleren tager imod OCES3 fra '
    "7. juni 2023",
}
LEGACY_SWITCHES: dict[str, list[dict[str, Any]]] = {
    "serviceplatformen": [OCES3_KOMBIT],
    "stoettesystemerne": [OCES3_KOMBIT],
    "beskedfordeler": [OCES3_KOMBIT],
    "datafordeleren": [DATAFORDELEREN_OCES3, _OLD_DATAFORDELEREN],
    "seb": [SEB_OCES3],
}
_CLEARED = {
    "switch_earliest_on": None,
    "switch_latest_on": None,
    "switch_precision": "unknown",
    "switch_text": None,
    "switch_state": "unknown",
    "switch_status": "unknown",
    "switch_source_kind": None,
    "switch_source_url": None,
    "switch_evidence": None,
}


def _move_certificate_switch(session: Session, solution: Solution) -> None:
    """A solution still holding a shipped certificate switch as its NSIS switch date gets it cleared."""
    if any(
        solution.switch_source_url == old["switch_source_url"]
        and solution.switch_evidence == old["switch_evidence"]
        and solution.switch_earliest_on == date.fromisoformat(old["switch_earliest_on"])
        for old in LEGACY_SWITCHES.get(solution.slug, [])
    ):
        update_solution(
            session,
            solution,
            _CLEARED,
            actor=SYSTEM,
            reason="Startdata: skiftet af systemcertifikater (OCES2 → OCES3) er ikke løsningens login-skift; "
            "det er nu en overgang af typen 'certificate'.",
        )


def load(session: Session) -> int:
    """Create each shipped transition that is missing (its solution must exist); returns how many were created."""
    have = set(session.scalars(select(Transition.starter_key).where(Transition.starter_key.is_not(None))))
    slugs = {slug for slug, _ in TRANSITIONS.values()} | set(LEGACY_SWITCHES)
    solutions = {s.slug: s for s in session.scalars(select(Solution).where(Solution.slug.in_(slugs)))}
    for slug in LEGACY_SWITCHES:
        if slug in solutions:
            _move_certificate_switch(session, solutions[slug])
    created = 0
    for key, (slug, fields) in TRANSITIONS.items():
        solution = solutions.get(slug)
        if solution is None:
            continue
        if key in have:
            continue
        create_transition(session, solution, dict(fields), actor=SYSTEM, reason="Startdata", starter_key=key)
        created += 1
    return created
