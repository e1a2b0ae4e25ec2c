"""The words that make a date a switch date, or a level a required level — and those that make it not.

A page is full of dates: when it was published or updated, when a task was sent or a fault found, when
a product was launched or rolled out, law numbers and versions. Only a *cue* turns a date into a switch
date ("skifter", "overgår", "fra og med", "deadline", "senest", "lukker", "afkobles", "kræver",
"tages i brug" …). A cue is looked for in the date's own sentence; an *anti-cue* just before the date
("modtog 31. maj 2022", "opdateret den …", "lov nr. 783 af 4. maj 2021") vetoes it.

Levels: only NSIS wording makes a required level (``scrapers.levels``); a sentence must also say it is a
requirement ("kræver", "krav", "skal", "mindst" …) or that login happens at it ("logger på … på
sikringsniveau"). A level of a municipality's own IdP is not a solution's level.
"""

from __future__ import annotations

import re

# Verbs and nouns announcing a switch, a deadline or an end (stems: "skift" covers skifter, skiftet …).
_SWITCH = (
    r"skift\w*|skifte\w*|skærings\w*|overg[åa]\w*|overgang\w*|migrer\w*|migrering\w*|fra\s+og\s+med|f\.o\.m\.?|"
    r"deadline\w*|frist\w*|senest|inden|lukke[rst]?\w*|lukning\w*|nedlukning\w*|slukke[rst]?\w*|"
    r"afkobl\w*|udfas\w*|udfasning\w*|ophør\w*|stopper|stoppe[st]?|nedlægge\w*|"
    r"kræve[rs]?|krav\w*|påkræv\w*|skal|tages?\s+i\s+brug|tage\s+\S+(?:\s+\S+){0,3}\s+i\s+brug|ibrugtag\w*|"
    r"går?\s+i\s+luften|gå\s+i\s+luften|går\s+live|go-?live|golive|"
    r"erstatte[sr]?\w*|udskift\w*|overflyt\w*|flytte[sr]?\b|flyttes|udskyd\w*|udsat\w*|udsættes|"
    r"forlæng\w*|gælder\s+frem\s+til|frem\s+til|fungere\s+frem\s+til|understøtte[sr]?\s+ikke|"
    r"tilslut\w*|aktiver\w*|omlæg\w*|åbne[rs]?|åbnet|forsink\w*|understøtte[rs]?|understøttes|"
    r"accepterer|accepteres|tager\s+imod|modtager\s+kun|kan\s+(?:bruges|anvendes)|"
    r"switch\w*|migrat\w*|deadline|cut-?over|decommission\w*|shut\s+down|retire[sd]?|requires?|"
    r"must|from\s+\d"
)
SWITCH_CUE = re.compile(rf"(?<!\w)(?:{_SWITCH})(?!\w)", re.IGNORECASE)
# "pr. 1. marts" / "gældende fra 1. marts" are cues only right before the date (a bare "fra" is not:
# "i brug fra 2019" is history, "rulles ud fra oktober" a rollout).
_BEFORE_DATE = re.compile(
    r"(?:^|(?<=\W))(?P<cue>pr\.|per|fra\s+og\s+med|med\s+virkning\s+fra|gældende\s+fra|træder\s+i\s+kraft)\s*$", re.I
)

# Right before a date: what it is the date of, when that is not a switch.
_ANTI = (
    r"modtog|modtaget|modtager|sendt|sendte|udsendt|udsendte|fremsendt|fundet|fandt|opdaget|konstateret|"
    r"opdateret|redigeret|publiceret|offentliggjort|udgivet|skrevet|oprettet|ændret|lanceret|lanceres|"
    r"lancerer|lancering|udrulle[st]?|udrullet|udrulning|rulles\s+ud|vedtog|vedtaget|fremsat|fremsatte|"
    r"underskrevet|indgik|afholdt|afholdes|holdt|mødet|webinar|nyhedsbrev|version|ver\.|v\.|"
    r"nr\.?\s*\d+\s+af|lov\s+nr|lbk|bek\.?\s+nr|af|dateret|published|updated|sent|found|launched|"
    r"released|rolled\s+out|i\s+stedet\s+for|frem\s+for|fremfor|instead\s+of|oprindeligt|tidligere|"
    r"(?:ny|nye|ændret|ændrede)\s+dato\s+(?:pr\.|per|fra)|besluttet|meddelt|annonceret|oplyst"
)
ANTI_BEFORE = re.compile(rf"(?<!\w)(?:{_ANTI})[\s:,-]*(?:(?:den|d\.|d|per|pr\.|på|i|ca\.)\s*)?$", re.IGNORECASE)
# Whole sentences about a launch or rollout, a publication or a meeting are no switch, whatever else they say.
ANTI_SENTENCE = re.compile(
    r"(?<!\w)(?:lancere[st]?|lanceret|udrulle[st]|udrullet|rulles\s+ud|senest\s+opdateret|sidst\s+opdateret|"
    r"sidst\s+redigeret|publiceret|offentliggjort|vedtog|fremsat|webinar)(?!\w)",
    re.IGNORECASE,
)
# A law or a provision of one entering into force ("§ 8, stk. 3, træder i kraft den 30. januar 2023") dates
# the law, not any solution the law is about.
LAW_IN_FORCE = re.compile(
    r"(?:§|(?<!\w)(?:stk\.|lov(?:en|ens)?|bekendtgørelse\w*|forordning\w*|direktiv\w*)(?!\w))"
    r"[^.!?]{0,120}?(?<!\w)(?:træder|trådte|træde)\s+i\s+kraft(?!\w)|"
    r"(?<!\w)ikrafttræd\w*",
    re.IGNORECASE,
)
POSTPONED = re.compile(
    r"(?<!\w)(?:udskyd\w*|udsat\w*|udsættes|flytte[st]?|rykke[st]?|forlæng\w*|forsink\w*|postpone\w*|delay\w*)",
    re.IGNORECASE,
)
# A sentence about an event (a webinar, a meeting, a sign-up) dates the event, whatever it is about.
EVENT = re.compile(
    r"(?<!\w)(?:webinar\w*|informationsmøde\w*|møde[st]?|mødet|konference\w*|workshop\w*|arrangement\w*|"
    r"tilmeld\w*|temadag\w*|netværksmøde\w*|"
    # … and one about the support desk dates its opening hours or closing days ("Supporten holder lukket 24.-26.
    # december"), not a switch ("support for NemID ophører" is about the solution, and is read).
    r"supporten|kundeservice\w*|servicedesk\w*|hotline\w*|åbningstid\w*|telefontid\w*|ferielukket|"
    r"holder\s+lukket)(?!\w)",
    re.IGNORECASE,
)
# A name right after these is what the subject logs in *through*, not the subject ("Meebook kræver login via
# Unilogin på sikringsniveau Betydelig" is Meebook's requirement).
THROUGH = re.compile(r"(?:via|gennem|igennem|through|using|med\s+login\s+fra)\s+$", re.IGNORECASE)
# Labels of several dates in one phrase: the production one is the switch.
PRODUCTION = re.compile(r"produktion|prod\b|drift|live|production", re.IGNORECASE)
TEST = re.compile(r"test|preprod|præprod|udvikling|staging", re.IGNORECASE)

LEVEL_CUE = re.compile(
    r"(?<!\w)(?:kræve[rs]?|krav\w*|påkræv\w*|skal|mindst|minimum|forudsæt\w*|accepter\w*|require[sd]?|"
    r"must|login|log\s+ind|logge\s+ind|logger\s+ind|logge\s+på|logger\s+på|adgang|landede|landet|valgt|valgte|"
    r"besluttet|fastsat|fastlagt|kræves)(?!\w)|"
    r"(?<!\w)på\s+(?:nsis[-\s]?)?sikringsniveau|"
    # "overgår til NSIS-niveau Betydelig", "hæves til sikringsniveau Høj"
    r"(?<!\w)(?:overg[åa]r?|skifte[rs]?|hæve[rs]?|løfte[rs]?)\s+til\s+(?:nsis[-\s]?)?(?:sikrings)?niveau",
    re.IGNORECASE,
)
# A municipality's or organisation's own identity provider: its level is not a solution's requirement …
OWN_IDP = re.compile(r"(?<!\w)(?:lokal(?:e)?\s+idp\w*|kommunens\s+idp\w*|id-tjenesten\w*|idp'en)(?!\w)", re.I)
# … unless the sentence says a solution demands that level of it ("Fra 22. januar 2024 kræver Context Handler 2,
# at den lokale IdP er anmeldt på sikringsniveau Betydelig"): then it is the solution's requirement.
DEMANDED_OF_IDP = re.compile(
    r"(?<!\w)(?:kræve[rs]?|forudsætte[rs]?|stiller\s+krav\s+om)(?!\w)[^.!?]{0,80}?"
    r"(?<!\w)(?:lokal(?:e)?\s+idp\w*|kommunens\s+idp\w*|idp'en|idp'er(?:ne)?)(?!\w)[^.!?]{0,40}?"
    r"(?<!\w)(?:anmeldt|anmeldes|være|er)(?!\w)",
    re.IGNORECASE,
)
# Table columns whose dates are not switch dates.
ANTI_HEADER = re.compile(
    r"opdateret|oprettet|publiceret|udgivet|ændret|version|sendt|modtaget|updated|published|created", re.I
)


def switch_cue(sentence: str, start: int, end: int) -> str | None:
    """The words in ``sentence`` that make the date at ``start``..``end`` a switch date, or None.

    The nearest cue outside the date counts; a launch, rollout or publication word nearer to the
    date than any cue ("rulles ud … fra oktober 2022", "senest opdateret 24. maj") wins over it.
    """
    before = _BEFORE_DATE.search(sentence, max(0, start - 30), start)
    masked = [(m.start(), m.end()) for m in ANTI_SENTENCE.finditer(sentence)]

    def distance(a: int, b: int) -> int:
        return start - b if b <= start else a - end if a >= end else 0

    cues = [
        (distance(m.start(), m.end()), " ".join(m.group(0).split()))
        for m in SWITCH_CUE.finditer(sentence)
        if not any(a <= m.start() < b for a, b in masked)
    ]
    if before:
        cues.append((0, before.group("cue")))
    if not cues:
        return None
    near, cue = min(cues)
    if any(distance(a, b) < near for a, b in masked):
        return None
    return cue


# Earlier in the date's own clause: a verb of sending, finding, publishing or launching dates that act.
_ANTI_CLAUSE = re.compile(
    r"(?<!\w)(?:modtog|modtaget|sendt|sendte|udsendt|udsendte|fremsendt|fundet|fandt|opdaget|opdagede|"
    r"publiceret|offentliggjort|udgivet|lanceret|lanceres|vedtog|vedtaget|fremsat|underskrevet|"
    r"sent|found|published|launched|released)(?!\w)",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(r"[,;:()]|\s(?:og|men|and|but)\s", re.IGNORECASE)


def vetoed(sentence: str, start: int) -> bool:
    """Whether the words before the date at ``start`` say it is not a switch date.

    Right before it ("opdateret den", "lov nr. 783 af"), or anywhere earlier in its clause ("KOMBIT har
    udsendt en opgave om X den 3. maj 2024").
    """
    if ANTI_BEFORE.search(sentence, max(0, start - 40), start):
        return True
    cuts = [m.end() for m in _CLAUSE_START.finditer(sentence, 0, start)]
    acts = list(_ANTI_CLAUSE.finditer(sentence, cuts[-1] if cuts else 0, start))
    # "udsendt en KLIK-opgave med deadline i maj 2024": a cue between the act and the date wins.
    return bool(acts) and not SWITCH_CUE.search(sentence, acts[-1].end(), start)
