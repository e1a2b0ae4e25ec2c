"""The cue vocabulary as a table: every rule that makes a date a switch date or a level a required level.

Each rule has an id (stored on every observation it makes, shown in the review queue and counted on /kilder),
the words it reads (whole words in the forms listed: a compound that merely contains a cue word is not the
cue — "overgangsperiode" is no "overgang"), the kind of transition its date belongs to, and a real quote
with the public page it comes from. ``tests/scrapers/test_rules.py`` reads every quote with its rule: a
rule nobody can show a real example of does not belong here.

Roles:

* ``switch`` — a word in the date's own clause that makes it a switch date ("deadline", "lukker").
* ``obligation`` — "skal": a switch date only when the sentence itself names the solution (a sentence whose
  subject comes from the heading or the page title, "Alle med NemID skal i løbet af 2021 og 2022 have MitID",
  is general advice).
* ``before`` — words right before the date ("fra og med", "pr.").
* ``level`` — a requirement verb whose subject is the named solution ("SEB kræver sikringsniveau Betydelig").
* ``column`` — a table column: its header is the cue.

Kinds are those of the transitions model (``tracker.registry.transitions``): ``login``, ``loa``,
``protocol``, ``certificate``, ``broker_version``, ``wallet``, ``decommission``. A rule gives its default;
words of the date's clause naming what changes (OCES3 certificates, OIOSAML, a wallet) say more, and win.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("login", "loa", "protocol", "certificate", "broker_version", "wallet", "decommission")
ROLES = ("switch", "obligation", "before", "level", "column")

# Pages quoted below (the shared real pages are copied into tests/scrapers/real_pages*/).
OS2VALGHALLA = "https://viden.os2valghalla.dk/opsaetning-af-jobfunktionsrolle-og-lokal-idp"
SEB = "https://services.nsi.dk/Services/SEB"
DIGITALISER_OCES = "https://www.digitaliser.dk/news/5888120"
STIL_ORDBLINDE = "https://viden.stil.dk/pages/viewpage.action?pageId=161059553"
DP_OMSTILLING = (
    "https://digst.dk/it-loesninger/naeste-generation-digital-post/for-myndigheder-og-it-leverandoerer/"
    "orientering-om-omstillingsperiode-for-digital-post/"
)
DP_TIDSPLAN = (
    "https://digst.dk/it-loesninger/naeste-generation-digital-post/for-myndigheder-og-it-leverandoerer/tidsplan/"
)
SIGNERING = "https://migrering.nemlog-in.dk/nemlog-in-broker/offentlig-tjenesteudbyder/signering/"
REBILD = "https://test.rebild.dk/borger/borgerservice/nemid"
DIGST_2022_MAJ = (
    "https://digst.dk/nyheder/nyhedsarkiv/2022/maj/danske-virksomheder-kan-faa-mitid-erhverv-fra-oktober-2022/"
)
GLOBETEAM = "https://globeteam.com/sikkerhed/compliance/nsis/"
NYHEDSBREV = "https://nyhedsbrev.digst.dk/archive/1248659/raw"
MIGRERING_DOK = "https://migrering.nemlog-in.dk/om-nemlog-in/dokumentation-og-vejledning"
REGELFORUM = "https://regelforum.dk/anbefalinger/eidas2-forordningen-digital-identitet"
ITCHEFER_DEADLINE = "https://itchefer.dk/article/ingen-generel-deadline-nsis-revisionserklaering"
ITCHEFER_FORSINKET = (
    "https://itchefer.dk/article/flemming-engstroem-engstroem-consul-faa-overblik-over-jeres-nsis-implementering"
)
SULLISSIVIK_MYNDIGHEDER = "https://www.sullissivik.gl/Emner/E_MitID/Offentlige-myndigheder?sc_lang=da&segment=business"
# As the public page index stores its address.
OLD_KOMBIT_SERVICEPLATFORMEN = "http://old-kombit.gobasic.dk/nyheder\\kommunale-brugere-p%C3%A5-serviceplatformen.html"
OS2VALGHALLA_LOA = "https://os2web.atlassian.net/wiki/pages/viewpage.action?pageId=2382790658"
KL_WEBINAR = "KL-webinar om NemLog-in3 og MitID Erhverv, spørgsmål og svar (2022)"


@dataclass(frozen=True)
class Rule:
    """One cue: what it reads, what it makes of a date or level, and the real words it was taken from."""

    id: str
    role: str
    words: str  # regex of the cue words, matched whole and case-insensitively
    kind: str
    quote: str  # the page's own words, the date or level included
    url: str  # the public page (or named source) the quote is from
    file: str = ""  # its copy under tests/scrapers/, when there is one
    # The solution named in the quote's sentence (or its lead/heading), "" when the quote is no solution's fact.
    solution: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES or self.kind not in KINDS:
            raise ValueError(f"bad rule {self.id}: {self.role}/{self.kind}")


RULES: tuple[Rule, ...] = (
    Rule(
        "deadline",
        "switch",
        r"deadline[ns]?",
        "login",
        "Opgaven har deadline 22. januar 2024.",
        OS2VALGHALLA,
        "real_pages/os2valghalla-lokal-idp.html",
        "context-handler",
    ),
    Rule(
        "go-live",
        "switch",
        r"go-?live|golive|går\s+live|gik\s+live",
        "login",
        "når NemLog-in’s broker har go-live i august 2021",
        DIGITALISER_OCES,
        "real_pages_2/digitaliser-oces-attributter-udfases.html",
        "nemlog-in",
    ),
    Rule(
        "i-luften",
        "switch",
        r"(?:går|gå|gik|gået)\s+i\s+luften",
        "login",
        "en ny version af Ordblindetesten, som skal gå i luften ultimo 2022",
        STIL_ORDBLINDE,
        "real_pages_2/stil-ordblindetest-ny-version.html",
        "ordblindetest",
    ),
    Rule(
        "klar",
        "switch",
        r"(?:være|er|bliver|blive)\s+klar",
        "login",
        "Den nye signeringsløsning vil være klar primo 2022.",
        SIGNERING,
        "real_pages_2/migrering-nemlogin-signering.html",
        "nemlog-in",
    ),
    Rule(
        "omstillingsperiode",
        "switch",
        r"omstillingsperiode(?:n|r|rne)?",
        "decommission",
        "Digital Post har omstillingsperiode fra den 26. november til 30. november 2021",
        DP_OMSTILLING,
        "real_pages_2/digst-digital-post-omstillingsperiode.html",
        "digital-post",
    ),
    Rule(
        "skal",
        "obligation",
        r"skal",
        "login",
        "August 2021: Afsender- og modtagersystemer skal pege på den nye Digital Post-løsning.",
        DP_TIDSPLAN,
        "real_pages_2/digst-digital-post-tidsplan.html",
        "digital-post",
    ),
    Rule(
        "lukker",
        "switch",
        r"(?:blive[rt]?\s+)?lukket\s+ned|lukke\s+ned|lukker|lukke|lukkes|lukket|lukkede|lukning(?:en)?|nedlukning(?:en)?",
        "decommission",
        "NemID lukker den 31. oktober 2023.",
        REBILD,
        "real_pages_2/rebild-nemid.html",
    ),
    Rule(
        "frem-til",
        "switch",
        r"(?:fungere|fungerer|virke|virker|bruges|anvendes)\s+frem\s+til",
        "decommission",
        "NemID medarbejdersignatur vil fortsat fungere frem til 30. juni 2023.",
        DIGST_2022_MAJ,
        "real_pages/digst-news-2022-maj-mitid-erhverv.html",
    ),
    Rule(
        "afvikles",
        "switch",
        r"afvikles|afvikling(?:en)?|afviklet",
        "decommission",
        "NemID afvikles gradvist frem til den 31. oktober 2023.",
        REBILD,
        "real_pages_2/rebild-nemid.html",
    ),
    Rule(
        "overgaar-til",
        "switch",
        r"(?:overgår|overgå|overgik|overgået)(?:\s+[\w.’'-]+){0,3}?\s+til|overgangen\s+til",
        "login",
        "De store virksomheder og offentlige myndigheder kan overgå til MitID Erhverv i starten af 2023.",
        DIGST_2022_MAJ,
        "real_pages/digst-news-2022-maj-mitid-erhverv.html",
    ),
    Rule(
        "i-brug",
        "switch",
        r"tages\s+i\s+brug|(?:tager|tage)\s+(?:[\w-]+\s+){0,3}i\s+brug|ibrugtag\w*",
        "login",
        "Det er først i starten af 2023, at masseoprettelse kan tages i brug.",
        SULLISSIVIK_MYNDIGHEDER,
    ),
    Rule(
        "skifter",
        "switch",
        r"skifter|skifte|skiftes|skiftet|skiftede|skiftet\s+til|skiftedag(?:en)?",
        "login",
        "når de sidst i 2021 eller i starten af 2022 også skifter fra NemID til MitID",
        GLOBETEAM,
        "real_pages_2/globeteam-nsis.html",
    ),
    Rule(
        "udskiftes",
        "switch",
        r"udskiftes|udskiftet|udskifter|erstatter|erstattes|erstattet",
        "decommission",
        "I 2022 bliver NemID udskiftet med MitID og medarbejdersignaturer (MOCES) bliver udskiftet med "
        "erhvervsidentiteter.",
        GLOBETEAM,
        "real_pages_2/globeteam-nsis.html",
    ),
    Rule(
        "frist",
        "switch",
        r"frist(?:en|er|erne)?",
        "login",
        "Den 22. oktober er der frist for kommunernes indsendelse af certifikatoplysninger til KOMBIT til "
        "oprettelse af første bruger.",
        OLD_KOMBIT_SERVICEPLATFORMEN,
    ),
    Rule(
        "udfases",
        "switch",
        r"udfases|udfaset|udfaser|udfase|udfasning(?:en)?",
        "decommission",
        "Øvrige attributter fra OCES-certifikaterne udfases med NemLog-in’s go-live (se nedenfor).",
        DIGITALISER_OCES,
        "real_pages_2/digitaliser-oces-attributter-udfases.html",
    ),
    Rule(
        "senest",
        "switch",
        r"senest",
        "login",
        "Gennemførselsretsakterne følger senest d. 21. november 2024.",
        REGELFORUM,
        "real_pages_2/regelforum-eidas2.html",
    ),
    Rule(
        "forsinket",
        "switch",
        r"forsinket|forsinkes|udskudt|udskydes|udsat|udsættes|rykket|rykkes",
        "login",
        "forsinket med et år – til efteråret 2022",
        ITCHEFER_FORSINKET,
        solution="nemlog-in",
    ),
    Rule(
        "aabner-for",
        "switch",
        r"åbner\s+for|åbnede\s+for|åbnes\s+for",  # "åbner der et vindue" is no switch: only "åbner for …"
        "login",
        "NemLog-in3 åbner for tilkobling af lokale IdP-løsninger i november 2022",
        ITCHEFER_FORSINKET,
        solution="nemlog-in",
    ),
    Rule(
        "skaeringsdato",
        "switch",
        r"skæringsdato(?:en|er|erne)?",
        "login",
        "Jf. digitaliseringsstyrelsens udmelding om overgangsperiode, hvornår er skæringsdatoen så helt præcist? "
        "24. oktober 2022.",
        KL_WEBINAR,
    ),
    Rule(
        "kraever-fra",
        "switch",
        r"kræver|kræves",
        "loa",
        "Hvis en af de store løsninger, som fx FMK, kræver niveau HØJ",
        KL_WEBINAR,
    ),
    Rule(
        "kobles-fra",
        "switch",
        r"kobles\s+fra|afkobles|frakobles",
        "login",
        "en lokal IdP, der ikke står på Digitaliseringsstyrelsens NSIS-liste, kobles fra Unilogin Broker",
        ITCHEFER_DEADLINE,
    ),
    Rule(
        "fra-og-med",
        "before",
        r"fra\s+og\s+med|f\.o\.m\.?",
        "login",
        "fra og med 1. marts 2023",
        ITCHEFER_DEADLINE,
        solution="unilogin",
    ),
    Rule(
        "pr",
        "before",
        r"pr\.|per",
        "protocol",
        "Ændring i request parametre til POST kaldet pr. november 2024",
        MIGRERING_DOK,
        "real_pages/migrering-dokumentation-og-vejledning.html",
    ),
    Rule(
        "kraever",
        "level",
        r"kræver|kræves|krævet|stiller\s+krav\s+om|har\s+krav\s+om",
        "loa",
        "Hvis en af de store løsninger, som fx FMK, kræver niveau HØJ",
        KL_WEBINAR,
    ),
    Rule(
        "overgaar-til-niveau",
        "level",
        r"(?:overg[åa]r?|hæve[rs]?|løfte[rs]?)\s+til\s+(?:at\s+anvende\s+)?(?:nsis[-\s]?)?(?:sikrings)?niveau\w*",
        "loa",
        "Det springende punkt bliver om Aula overgår til at anvende NSIS sikringsniveauer",
        KL_WEBINAR,
    ),
    Rule(
        "landede-paa",
        "level",
        r"landede\s+på|landet\s+på",
        "loa",
        "OS2valghalla 3.0 brugte Digitaliseringsstyrelsens vejledning til valg af sikringsniveau og landede på "
        "Betydelig.",
        OS2VALGHALLA_LOA,
        solution="os2valghalla",
    ),
    Rule(
        "tabel",
        "column",
        r"",
        "login",
        "Golive for tilslutning af Lokal IdP er d. 24/10-22 jvf tidsplan nederst på denne side Lanceringsdatoer "
        "for NemLog-in (digst.dk)",
        KL_WEBINAR,
    ),
)
BY_ID = {r.id: r for r in RULES}
assert len(BY_ID) == len(RULES), "rule ids are unique"


def _compile(role: str) -> re.Pattern[str]:
    alts = [rf"(?P<r{i}>{r.words})" for i, r in enumerate(RULES) if r.role == role and r.words]
    return re.compile(rf"(?<!\w)(?:{'|'.join(alts)})(?!\w)", re.IGNORECASE)


def rule_of(match: re.Match[str]) -> Rule:
    """The rule whose words made ``match`` (a match of one of the compiled patterns below)."""
    name = match.lastgroup or ""
    return RULES[int(name[1:])]


# Rules whose words hold the object between them ("tager MitID Erhverv i brug"): a name there is no subject. (In
# "overgik NemLog-in til …" the name between the words is the subject.)
OBJECT_INSIDE = frozenset({"i-brug"})
SWITCH = _compile("switch")
OBLIGATION = _compile("obligation")
LEVEL = _compile("level")
_BEFORE_ALTS = "|".join(rf"(?P<r{i}>{r.words})" for i, r in enumerate(RULES) if r.role == "before")
BEFORE = re.compile(rf"(?:^|(?<=\W))(?:{_BEFORE_ALTS})\s*(?:den\s+|d\.\s*)?$", re.IGNORECASE)

# What changes, said in the date's clause: it names the kind better than the cue does.
_TOPICS = (
    ("certificate", re.compile(r"(?<!\w)(?:oces\s?[23]\w*|\w*certifikat\w*|metadata\w*)(?!\w)", re.I)),
    ("wallet", re.compile(r"(?<!\w)(?:\w*wallet\w*|\w*tegnebog\w*|eudi\w*)(?!\w)", re.I)),
    (
        "protocol",
        re.compile(
            r"(?<!\w)(?:oiosaml\w*|oidc|openid|saml\s?[23]|memo-format\w*|protokol\w*|\w*snitflade\w*)(?!\w)", re.I
        ),
    ),
    ("broker_version", re.compile(r"(?<!\w)context\s+handler\s+[12](?!\w)", re.I)),
    ("loa", re.compile(r"(?<!\w)(?:sikringsniveau\w*|nsis-niveau\w*)(?!\w)", re.I)),
)


_LOGIN = re.compile(r"(?<!\w)(?:login\w*|log-in\w*|logge\s+(?:ind|på)|logger\s+(?:ind|på))(?!\w)", re.I)


def kind_of(rule: Rule, clause: str) -> str:
    """The transition kind of a date read by ``rule`` in ``clause``: the clause's topic, else the rule's (a closing
    that is about login — "lukker for login med NemID" — is a login change)."""
    for kind, topic in _TOPICS:
        if topic.search(clause):
            return kind
    if rule.kind == "decommission" and _LOGIN.search(clause):
        return "login"
    return rule.kind


def table() -> list[dict[str, str]]:
    """The rules as rows (for /kilder and the docs)."""
    return [
        {"id": r.id, "role": r.role, "kind": r.kind, "quote": r.quote, "url": r.url, "words": r.words} for r in RULES
    ]


__all__ = ["BY_ID", "KINDS", "RULES", "Rule", "kind_of", "rule_of", "table"]
