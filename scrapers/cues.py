"""The words that make a date a switch date, or a level a required level — and those that make it not.

A page is full of dates: when it was published or updated, when a task was sent or a fault found, when
a product was launched or rolled out, law numbers and versions. Only a *cue* turns a date into a switch
date, and every cue is a rule of ``scrapers.rules`` (a table: id, words, kind, a real quote and its page).
The cue must stand in the date's own clause (``clause``); an *anti-cue* just before the date ("modtog 31.
maj 2022", "opdateret den …", "lov nr. 783 af 4. maj 2021") vetoes it; a conditional, past-plan or
general-advice sentence (``no_fact``) states no fact, and a possibility ("kan", ``hedged``) is kept only on an
authority's own page, at a lower confidence.

Levels: only NSIS wording makes a required level (``scrapers.levels``), and only with a requirement verb of
the rules table whose subject is the solution ("SEB kræver sikringsniveau Betydelig"). A level of a
municipality's own IdP is not a solution's level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapers import rules
from scrapers.rules import Rule

# Every switch cue is a rule of ``scrapers.rules`` (a table with a real quote per row).
SWITCH_CUE = re.compile(rf"{rules.SWITCH.pattern}|{rules.OBLIGATION.pattern}", re.IGNORECASE)
_BEFORE_DATE = rules.BEFORE

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
    r"sidst\s+redigeret|publiceret|offentliggjort|vedtog|fremsat|fremsættes|fremsætter|lovforslag\w*|webinar)(?!\w)",
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
THROUGH = re.compile(
    r"(?<!\w)(?:via|gennem|igennem|through|using|med\s+login\s+fra|til|fra|med|for|i|ind\s+i)\s+$", re.IGNORECASE
)
# The date of a document (terms, a guide, a version of one) is not a solution's switch ("Version 1.1 af vilkårene
# gælder frem til den 9. juli 2024").
DOCUMENT = re.compile(
    r"(?<!\w)(?:\w*vilkår\w*|\w*vejledning\w*|guide[ns]?|dokumentation\w*|\w*aftale[nr]?|lovændring\w*|"
    r"(?:version|v\.?)\s*\d+\.\d+(?:\.\d+)?)(?!\w)",
    re.IGNORECASE,
)
# Labels of several dates in one phrase: the production one is the switch.
PRODUCTION = re.compile(r"produktion|prod\b|drift|live|production", re.IGNORECASE)
TEST = re.compile(r"test|preprod|præprod|udvikling|staging", re.IGNORECASE)

LEVEL_CUE = rules.LEVEL
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


@dataclass(frozen=True)
class Cue:
    """The rule that makes a date a switch date, the page's words for it, and the date's clause."""

    rule: Rule
    words: str
    clause: tuple[int, int]
    at: tuple[int, int] = (0, 0)  # where the cue's words stand


# Where a clause ends inside a sentence: ";", a comma before a conjunction or a subordinate clause, and a colon
# after more than a short label ("Deadline: 1. marts", "August 2021: … skal …" are one clause).
_CLAUSE_CUT = re.compile(
    r";|,\s*(?=(?:og|men|mens|samt|hvorimod|hvorefter|når|hvis|fordi|da|så|som|der|hvor|hvilket|idet|selvom|"
    r"eller|indtil|før|efter\s+at)(?!\w))|:(?=\s)",
    re.IGNORECASE,
)


def clause(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The clause of ``sentence`` the words at ``start``..``end`` stand in: (first, last) offsets."""
    lo, hi = 0, len(sentence)
    for m in _CLAUSE_CUT.finditer(sentence):
        if m.group(0) == ":" and len(sentence[lo : m.start()].split()) <= 3:
            continue  # a label
        if m.end() <= start:
            lo = m.end()
        elif m.start() >= end:
            hi = m.start()
            break
    # "Det er først i starten af 2023, at masseoprettelse kan tages i brug": in a cleft sentence the date governs
    # the at-clause that follows it.
    if _CLEFT.match(sentence, lo, start) and _AT_CLAUSE.match(sentence, hi):
        following = [m.start() for m in _CLAUSE_CUT.finditer(sentence, hi + 1) if m.group(0) != ":"]
        hi = following[0] if following else len(sentence)
    return lo, hi


_CLEFT = re.compile(r"\W*det\s+(?:er|var|bliver|blev)\s", re.IGNORECASE)
_AT_CLAUSE = re.compile(r",\s*at\s", re.IGNORECASE)


def switch_cue(sentence: str, start: int, end: int) -> Cue | None:
    """The rule in the date's own clause that makes the date at ``start``..``end`` a switch date, or None.

    The cue must stand in the same clause as the date (``clause``) — sharing the sentence is not enough;
    the nearest one counts; a launch, rollout or publication word nearer to the date than any cue
    ("rulles ud … fra oktober 2022", "senest opdateret 24. maj") wins over it.
    """
    lo, hi = clause(sentence, start, end)
    before = _BEFORE_DATE.search(sentence, max(lo, start - 30), start)
    masked = [(m.start(), m.end()) for m in ANTI_SENTENCE.finditer(sentence, lo, hi)]

    def distance(a: int, b: int) -> int:
        return start - b if b <= start else a - end if a >= end else 0

    found = [
        (distance(m.start(), m.end()), (m.start(), m.end()), rules.rule_of(m), " ".join(m.group(0).split()))
        for m in SWITCH_CUE.finditer(sentence, lo, hi)
        if not any(a <= m.start() < b for a, b in masked) and not (start <= m.start() < end)
    ]
    if before:
        found.append((0, (before.start(), before.end()), rules.rule_of(before), " ".join(before.group(0).split())))
    if not found:
        return None
    near, at, rule, words = min(found, key=lambda c: (c[0], c[1]))
    if any(distance(a, b) < near for a, b in masked):
        return None
    return Cue(rule, words, (lo, hi), at)


# Hedged, conditional, past-plan and general-advice wording: the sentence states no fact ("var egentlig planlagt
# til …", "typisk …", "hvis …", "Alle med NemID skal …").
# Sentence-wide: general advice and what usually happens ("Alle med NemID skal …", "typisk …").
HEDGE = re.compile(r"(?<!\w)(?:typisk|typiske|normalt|som\s+regel|alle\s+med)(?!\w)", re.IGNORECASE)
# In the date's own clause: a past plan ("var egentlig planlagt til … 30. november" — while the same sentence's
# "men nu … forsinket indtil første kvartal næste år" is the news) or a condition ("hvis …"); a sentence opening
# with "Hvis" is conditional throughout.
_CLAUSE_HEDGE = re.compile(
    r"(?<!\w)(?:hvis|såfremt|medmindre)(?!\w)",
    re.IGNORECASE,
)
_CONDITIONAL_SENTENCE = re.compile(r"^\W*(?:hvis|såfremt|medmindre)(?!\w)", re.IGNORECASE)
# "kan" in the date's clause makes it a possibility ("kan overgå til MitID Erhverv i starten af 2023"); "kan ikke",
# "kan først", "kan kun" are no hedges.
_MAY = re.compile(r"(?<!\w)(?:kan|kunne)(?!\w)(?!\s+(?:ikke|først|kun|ikke\s+længere)(?!\w))", re.IGNORECASE)


# A past plan reaches into what follows it ("Tidligere var det planlagt, at Aula skulle skifte 1. august 2023"), up to
# a "men" that brings the news.
_PAST_PLAN = re.compile(
    r"(?<!\w)(?:var\s+(?:det\s+)?(?:egentlig\s+|oprindelig(?:t)?\s+|ellers\s+)*planlagt|"
    r"skulle\s+(?:egentlig\s+|oprindelig(?:t)?\s+)*have\s+været)(?!\w)",
    re.IGNORECASE,
)
_BUT = re.compile(r"(?<!\w)men(?!\w)", re.IGNORECASE)


def hedged(sentence: str, lo: int = 0, hi: int | None = None) -> bool:
    """Whether the date's clause lo..hi is a possibility ("kan overgå til … i starten af 2023")."""
    return bool(_MAY.search(sentence, lo, len(sentence) if hi is None else hi))


def no_fact(sentence: str, lo: int = 0, hi: int | None = None) -> bool:
    """Whether the sentence is general advice, what usually happens or conditional, or the date's clause lo..hi a
    condition or a past plan: no fact on any page."""
    end = len(sentence) if hi is None else hi
    if HEDGE.search(sentence) or _CONDITIONAL_SENTENCE.search(sentence) or _CLAUSE_HEDGE.search(sentence, lo, end):
        return True
    return any(not _BUT.search(sentence, plan.end(), end) for plan in _PAST_PLAN.finditer(sentence, 0, end))


# Hosts of the authorities whose own pages are sources (a hedged sentence there is kept, at a lower confidence).
AUTHORITY_HOSTS = (
    "digst.dk", "nemlog-in.dk", "mitid-erhverv.dk", "mitid.dk", "stil.dk", "kombit.dk", "nsi.dk",
    "sundhedsdatastyrelsen.dk", "sdfi.dk", "datafordeler.dk", "virk.dk", "borger.dk", "erhvervsstyrelsen.dk",
    "digitaliseringskataloget.dk", "star.dk", "kl.dk", "sundhed.dk", "digitaliser.dk",
)  # fmt: skip


def authority_page(url: str) -> bool:
    """Whether ``url`` is on an authority's own site."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in AUTHORITY_HOSTS)


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
