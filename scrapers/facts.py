"""Facts by meaning: which dates on a page are switch dates, which levels are required levels, of what.

Rules (general, for pages nobody here wrote):

* Each paragraph or list item is read sentence by sentence. A date is a switch date only with a cue — a rule
  of ``scrapers.rules`` — in its own clause (``scrapers.cues``); a publication, sending, finding, launch or
  rollout date, a law's, a bill's, a document's or a version's date, a test environment's day is not.
  Several labelled dates in one phrase ("3. (Test) og 24. april 2023 (Produktion)") → the production one. A
  postponement ("udskydes fra A til B") → B; a date "i stedet for" another is the new one. List items take
  the cue of the sentence that introduces their list ("… skifter på disse datoer:"); the first block under
  a question heading ("Hvornår skal vi …?") takes the question's cue, and its level. General advice, what
  usually happens, conditions and past plans state no fact; a possibility ("kan") only on an authority's
  own page, at a lower confidence.
* The subject is the solution named in the date's clause (a relative clause, or a coordinated one whose verb
  follows its conjunction, counts with the clause before it) — not a name after "til", "fra", "med", "via",
  "i" … (what is logged in through or moved to), except what is connected to ("tilslutte … til X") when the
  clause has no other subject. Without a name in the sentence, the solution named by the nearest earlier
  sentence of the same paragraph/list item (its lead), else by the section heading — each only when it names
  exactly one solution, and never for an obligation ("skal"), a hedged sentence or one naming something
  else ("NemID medarbejdersignatur …").
* A level needs NSIS words (``scrapers.levels``), a requirement verb of the rules table whose subject is the
  solution, exactly one level named in the sentence, and no municipality's own IdP as its subject (unless the
  solution demands that level of the IdP). A solution given two different levels on one page gets none.
* Table rows (and description lists, read as one row): any row naming a known solution is read,
  whatever the headers say; a date cell counts unless its column is a publication/update column (a
  postponing cell gives its new date); a level comes from a level column or a cell in NSIS words; the
  column header is the cue (rule "tabel").
* Every observation carries its rule's id and the transition kind of its date (``scrapers.rules.kind_of``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Protocol, TypeVar

from scrapers import cues, rules
from scrapers._vocab import MONTHS, SEASONS
from scrapers.base import LEVEL_PRECISION, Observation
from scrapers.dates import DateInterval, DateMatch, find_date_matches, parse_date
from scrapers.levels import LevelMention, find_levels, parse_level
from scrapers.matching import Mention, SolutionMatcher, evidence
from scrapers.pagetext import Unit, language, split_sentences
from scrapers.rules import kind_of

# Where one clause ends and another (possibly about another solution) begins.
_CLAUSE = re.compile(
    r";|,\s*(?:og|men|mens|samt|hvorimod|hvorefter|and|but|while|whereas)\s|\s(?:mens|hvorimod|while|whereas)\s",
    re.IGNORECASE,
)
_JOINER = re.compile(r"\s*(?:,|og|samt|eller|and|or|&)?\s*(?:og\s+|and\s+)?", re.IGNORECASE)
_DATE_HEADER = re.compile(r"dato|date|tidspunkt|hvornår|frist|skift|when|deadline|overgang|forventet|plan", re.I)
_LEVEL_HEADER = re.compile(r"niveau|level|loa|sikring|assurance", re.IGNORECASE)
# Capitalised words that are no names: months and weekdays in headings and labels, level words.
_NOT_NAMES = frozenset({*MONTHS, "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
                        "lav", "betydelig", "høj", "nsis", "q1", "q2", "q3", "q4",
                        # Who announces or decides, not what changes.
                        "kombit", "kl", "digitaliseringsstyrelsen", "digst", "stil", "star", "styrelsen",
                        "sundhedsdatastyrelsen", "sdfi", "erhvervsstyrelsen", "medcom", "kommunen", "kommunerne",
                        "regionen", "regionerne", "danmark", "i"})  # fmt: skip
_LEVEL_WORD = re.compile(r"(?<!\w)(lav|lavt|betydelig|betydeligt|høj|højt|low|substantial|high)(?!\w)", re.I)
_LEVEL_KEY = {"lav": "lav", "lavt": "lav", "low": "lav", "betydelig": "betydelig", "betydeligt": "betydelig",
              "substantial": "betydelig", "høj": "hoej", "højt": "hoej", "high": "hoej"}  # fmt: skip
_TAIL = re.compile(r"(?:\btil\b|\bto\b|–|—|-)(?!.*(?:\btil\b|\bto\b|–|—|-))", re.IGNORECASE)


class _Spanned(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


_T = TypeVar("_T", bound=_Spanned)


@dataclass(frozen=True)
class _Subject:
    """Who a sentence without a name is about, and the words that said so."""

    mention: Mention
    said: str


@dataclass(frozen=True)
class _Fact:
    """A switch date or level with the cue that made it one."""

    start: int
    end: int
    cue: str
    interval: DateInterval | None = None
    level: str | None = None
    rule: str = ""  # the id of the rule of ``scrapers.rules`` that read it
    kind: str = ""  # the transition kind its date or level belongs to
    hedged: bool = False  # a possibility, a condition, a past plan or general advice
    needs_name: bool = False  # an obligation ("skal"): only of a solution the sentence itself names
    cue_at: tuple[int, int] = (0, 0)  # a level's requirement verb (its subject is the solution)
    names_other: bool = False  # its clause names something the registry does not know ("NemID lukker …")
    cue_span: tuple[int, int] = (0, 0)  # a date's cue words in the sentence (a name inside them is their object)
    clause: tuple[int, int] | None = None  # a date's clause, a relative clause with the one it hangs on


def _groups(text: str, mentions: Sequence[Mention]) -> list[list[Mention]]:
    """Mentions joined only by "og", "," etc. ("FMK og Aula skifter …") share what follows."""
    groups: list[list[Mention]] = []
    for m in mentions:
        if groups and _JOINER.fullmatch(text[groups[-1][-1].end : m.start]):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def _assign(text: str, groups: Sequence[list[Mention]], items: Sequence[_T]) -> dict[str, tuple[Mention, _T]]:
    """Give each fact to the nearest group of names, then keep each solution's nearest fact."""
    cuts = [m.start() for m in _CLAUSE.finditer(text)]

    def cost(group: list[Mention], item: _T) -> tuple[bool, int, bool]:
        lo, hi = sorted((group[-1].end, item.start) if item.start >= group[0].start else (item.end, group[0].start))
        return any(lo <= c < hi for c in cuts), max(0, hi - lo), item.start < group[0].start

    best: dict[str, tuple[tuple[bool, int, bool], Mention, _T]] = {}
    for item in items:
        group = min(groups, key=lambda g: cost(g, item))
        c = cost(group, item)
        for m in group:
            if m.slug not in best or c < best[m.slug][0]:
                best[m.slug] = (c, m, item)
    return {slug: (m, item) for slug, (_, m, item) in best.items()}


def _production(text: str, same: list[DateMatch]) -> DateMatch:
    """Of several days read from one phrase, the one labelled production (else the untested one, else last)."""
    tail = text[same[0].end : same[0].end + 30]
    labels: list[str] = []
    inner = text[same[0].start : same[0].end]
    for m in same:
        day = str(m.interval.earliest.day)
        found = re.search(rf"(?<!\d)0?{day}\.?\s*\(([^()]*)\)", inner)
        labels.append(found.group(1) if found else "")
    if not labels[-1]:
        trailing = re.match(r"\s*\(([^()]*)\)", tail)
        labels[-1] = trailing.group(1) if trailing else ""
    for m, label in zip(same, labels, strict=True):
        if cues.PRODUCTION.search(label):
            return m
    untested = [m for m, label in zip(same, labels, strict=True) if not cues.TEST.search(label)]
    return untested[-1] if untested else same[-1]


def _postponed_to(match: DateMatch, ctx: date | None) -> DateMatch:
    """ "udskydes fra A til B": the span A–B is the postponement, B the new date."""
    text = match.interval.text
    cut = _TAIL.search(text)
    if cut is None:
        return match
    tail = parse_date(text[cut.end() :], context_date=ctx or match.interval.latest)
    if tail is None:
        return match
    return DateMatch(match.start, match.end, tail)


# Every date expression has a digit, a month or season name, or "år": sentences without are skipped fast.
_MAYBE_DATE = re.compile(
    rf"\d|(?<!\w)(?:{'|'.join(sorted({*MONTHS, *SEASONS}, key=len, reverse=True))}|år)(?!\w)", re.IGNORECASE
)
_MAYBE_LEVEL = re.compile(r"nsis|sikrings|sikkerhedsniveau|assurance|loa|authnlevel", re.IGNORECASE)


def switch_dates(sentence: str, ctx: date | None, inherited: cues.Cue | None = None) -> list[_Fact]:
    """The switch dates of one sentence, each with its rule (``inherited``: the cue of the sentence that
    introduced the sentence's list, used when the sentence has none of its own)."""
    if not _MAYBE_DATE.search(sentence) or cues.EVENT.search(sentence) or cues.LAW_IN_FORCE.search(sentence):
        return []
    matches = find_date_matches(sentence, context_date=ctx)
    by_span: dict[tuple[int, int], list[DateMatch]] = {}
    for m in matches:
        by_span.setdefault((m.start, m.end), []).append(m)
    postponed = bool(cues.POSTPONED.search(sentence))
    out: list[_Fact] = []
    for (start, end), same in by_span.items():
        if cues.vetoed(sentence, start) or _TEST_ONLY.search(sentence, max(0, start - 25), start):
            continue
        if _TEST_AFTER.match(sentence, end) and len(same) == 1:
            continue  # "3. april 2023 (test)": a test environment's day, not the switch
        cue = cues.switch_cue(sentence, start, end)
        own = cue is not None
        if cue is None and inherited is not None:
            cue = cues.Cue(inherited.rule, inherited.words, (0, len(sentence)))
        if cue is None:
            continue
        lo, hi = cue.clause
        if cues.DOCUMENT.search(sentence, lo, hi) or cues.no_fact(sentence, lo, hi):
            continue
        chosen = _production(sentence, same) if len(same) > 1 else same[0]
        if postponed:
            chosen = _postponed_to(chosen, ctx)
        out.append(
            _Fact(
                start,
                end,
                cue.words,
                interval=chosen.interval,
                rule=cue.rule.id,
                kind=kind_of(cue.rule, sentence[lo:hi]),
                hedged=cues.hedged(sentence, lo, hi),
                needs_name=own and cue.rule.role == "obligation",
                names_other=_names_something(sentence, lo, hi),
                cue_span=cue.at,
                clause=(_antecedent(sentence, lo, cue.at[0]) if own else 0, hi if own else len(sentence)),
            )
        )
    return out


_CAPITAL_LEVEL = re.compile(r"(?<!\w)(?:på\s+|til\s+)?(Lav|Betydelig|Høj|Low|Substantial|High)(?!\w)")
_ASSURANCE = re.compile(r"nsis|sikringsniveau|\bloa\b", re.IGNORECASE)


def _capital_levels(sentence: str) -> list[LevelMention]:
    """ "… valg af sikringsniveau og landede på Betydelig": a capitalised level word where NSIS is the topic."""
    if not _ASSURANCE.search(sentence):
        return []
    return [
        LevelMention(_LEVEL_KEY[m.group(1).lower()], m.group(1), m.start(1), m.end(1))
        for m in _CAPITAL_LEVEL.finditer(sentence)
        if m.start() > 0  # a capital at the start of a sentence is just grammar
    ]


def required_levels(sentence: str) -> list[_Fact]:
    """The required level of one sentence (at most one), with its rule."""
    if not _MAYBE_LEVEL.search(sentence):
        return []
    found = find_levels(sentence) or _capital_levels(sentence)
    if not found or (cues.OWN_IDP.search(sentence) and not cues.DEMANDED_OF_IDP.search(sentence)):
        return []
    if cues.no_fact(sentence):
        return []
    named = {m.level for m in found} | {_LEVEL_KEY[w.lower()] for w in _LEVEL_WORD.findall(sentence)}
    cue = cues.LEVEL_CUE.search(sentence)
    if len({m.level for m in found}) != 1 or len(named) != 1 or cue is None:
        return []
    rule = rules.rule_of(cue)
    m = found[0]
    return [
        _Fact(m.start, m.end, " ".join(cue.group(0).split()), level=m.level, rule=rule.id, kind="loa",
              hedged=cues.hedged(sentence), needs_name=False, cue_at=(cue.start(), cue.end()))
    ]  # fmt: skip


def _observation(
    source: str, url: str, mention: Mention, fact: _Fact, ev: str, *, slug: str | None = None
) -> Observation:
    text = mention.text
    who = mention.slug if slug is None else slug or None
    confidence = "low" if fact.hedged else ""
    if fact.interval is not None:
        iv = fact.interval
        return Observation(source, who, text, "switch_date", iv.earliest.isoformat(), iv.latest.isoformat(),
                           iv.precision, ev, url, fact.cue, fact.rule, fact.kind, confidence)  # fmt: skip
    return Observation(source, who, text, "required_loa", fact.level or "", None, LEVEL_PRECISION, ev, url, fact.cue,
                       fact.rule, fact.kind or "loa", confidence)  # fmt: skip


@lru_cache(maxsize=256)
def intro_cue(intro: str) -> cues.Cue | None:
    """The switch cue of a sentence introducing a list ("Følgende løsninger skifter på disse datoer:"), if any.

    An introduction about a launch, a publication or an event gives its items none.
    """
    if not intro or cues.EVENT.search(intro) or cues.ANTI_SENTENCE.search(intro) or cues.LAW_IN_FORCE.search(intro):
        return None
    found = cues.SWITCH_CUE.search(intro)
    if found is None:
        return None
    return cues.Cue(rules.rule_of(found), " ".join(found.group(0).split()), (0, len(intro)))


def _sentence(
    text: str,
    matcher: SolutionMatcher,
    subject: _Subject | None,
    ctx: date | None,
    source: str,
    url: str,
    intro: str = "",
) -> list[Observation]:
    inherited = intro_cue(intro)
    levels = required_levels(text)
    if not levels and intro.endswith("?") and not matcher.find(text):
        # The answer to a question heading ("Hvilket sikringsniveau kræver SEB?" – "Betydelig.") says the level
        # the question asks for.
        levels = [replace(f, start=0, end=0) for f in required_levels(f"{intro} {text}")]
    facts = switch_dates(text, ctx, inherited) + levels
    if facts and any(f.hedged for f in facts) and not cues.authority_page(url):
        # A possibility, a condition, a past plan or general advice is a fact only on an authority's own page,
        # and there at a lower confidence.
        facts = [f for f in facts if not f.hedged]
    if not facts:
        return []
    mentions = matcher.find(text)
    # A name after "via", "til", "fra", "med", "i" … is what the subject logs in through, moves to or from, or
    # a channel — not the subject ("kan overgå til MitID Erhverv", "logge på med NemLog-in").
    # … nor one inside the cue's own words ("Sundhed.dk tager MitID Erhverv i brug").
    spans = [f.cue_span for f in facts if f.rule in rules.OBJECT_INSIDE]
    subjects = [
        m
        for m in mentions
        if not cues.THROUGH.search(text, max(0, m.start - 20), m.start)
        and not any(a < m.start and m.end <= b for a, b in spans)
    ]
    # "… skal tilslutte deres IdP til Context Handler 2 senest 22. januar 2024": what is connected to is whose date
    # it is, when the clause names no subject of its own.
    joined = [m for m in mentions if m not in subjects and _CONNECT.search(text, max(0, m.start - 60), m.start)]
    for f in facts:
        if f.interval is not None and f.clause is not None and not any(_within(m, f.clause) for m in subjects):
            subjects += [m for m in joined if _within(m, f.clause) and m not in subjects]
    subjects.sort(key=lambda m: m.start)
    out: list[Observation] = []
    if mentions:
        groups = _groups(text, subjects)
        for kind in ("date", "level"):
            items = [f for f in facts if (f.interval is not None) == (kind == "date")]
            if kind == "level":
                items = [f for f in items if _subject_of(text, subjects, f) is not None]
            else:
                # A date's solution stands in the date's own clause ("Den 31. oktober 2023 lukkede NemID, og alle skal
                # nu bruge MitID Erhverv" is no MitID Erhverv date).
                items = [f for f in items if f.clause is None or any(_within(m, f.clause) for m in subjects)]
            chosen = _assign(text, groups, items) if groups and items else {}
            for slug in dict.fromkeys(m.slug for m in subjects):
                if slug in chosen:
                    m, f = chosen[slug]
                    ev = evidence(text, min(m.start, f.start), max(m.end, f.end))
                    if inherited and f.cue == inherited.words and f.interval is not None:
                        ev = evidence(f"{intro} {ev}", len(intro) + 1, len(intro) + 1)
                    out.append(_observation(source, url, m, f, ev))
        return out
    if subject is None:
        return []
    said = evidence(subject.said, subject.mention.start, subject.mention.end, limit=120)
    for kind in ("date", "level"):
        # An obligation ("skal") binds the solution only when the sentence names it: with the subject taken from
        # a heading or the page's title it is general advice ("Alle med NemID skal … have MitID" on virk.dk).
        # Nor does a sentence naming something else ("NemID medarbejdersignatur vil fortsat fungere frem til 30. juni
        # 2023" under a heading about MitID Erhverv), or a hedged one: the subject is not the heading's.
        first = next(
            (
                f
                for f in facts
                if (f.interval is not None) == (kind == "date") and not (f.needs_name or f.names_other or f.hedged)
            ),
            None,
        )
        if first is not None:
            ev = evidence(f"{said} … {text}", 0, 0) if said != text else evidence(text)
            out.append(_observation(source, url, subject.mention, first, ev))
    return out


# A proper name: a word with a capital inside ("NemID", "MitID"), an acronym ("OCES2", "POST"), or a capitalised
# word that does not start the sentence (Danish capitalises names only). The pronoun "I" is no name.
_NAME = re.compile(r"(?<![\w-])(?:[A-ZÆØÅ]?[a-zæøå]+[A-ZÆØÅ][\wæøå-]*|[A-ZÆØÅ]{2,}[\wæøå-]*|[A-ZÆØÅ][a-zæøå][\wæøå-]*)")


def _names_something(sentence: str, lo: int, hi: int) -> bool:
    """Whether the clause lo..hi names something (the registry did not recognise it, or the caller would know)."""
    first = re.match(r"\W*", sentence).end()  # type: ignore[union-attr]  # \W* always matches
    for m in _NAME.finditer(sentence, lo, hi):
        word = m.group(0)
        starts = m.start() == first or sentence[max(0, m.start() - 2) : m.start()].rstrip().endswith((":", "."))
        if starts and word[1:].islower():
            continue  # an ordinary word written with a capital because it starts the sentence
        if word.lower().rstrip(".") in _NOT_NAMES or cues.THROUGH.search(sentence, max(0, m.start() - 20), m.start()):
            continue  # a month, a level word, an actor ("KOMBIT har fastsat …"), or an object ("… med MitID")
        return True
    return False


# A date labelled as a test environment's ("Test: 3. april 2023", "testmiljøet den 3. april"): no switch date.
_TEST_ONLY = re.compile(r"(?<!\w)(?:test\w*|preprod\w*|præprod\w*)\s*[:–-]?\s*(?:(?:den|d\.|fra|pr\.)\s*)?$", re.I)
_TEST_AFTER = re.compile(r"\s*\((?:test\w*|preprod\w*)[^()]*\)", re.IGNORECASE)
_CONNECT = re.compile(
    r"(?<!\w)(?:tilslut\w*|kobl\w*|integrer\w*|\w*anmeld\w*)(?:\s+(?!til\b)[\w'’-]+){0,3}\s+til(?:\s+den\s+nye\s+version\s+af)?\s+$",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"\W*(?:som|der|hvor|hvilket|hvis)\s", re.IGNORECASE)
# A coordinated clause whose verb comes right after the conjunction shares the subject before it ("Meebook blev
# rullet ud i 2019, men skifter til NSIS den 1. marts 2027").
_ELLIPSIS = re.compile(
    r"\W*(?:og|men|samt|eller)\s+(?:(?:nu|også|så|derefter|dernæst|senere|allerede|fortsat)\s+)?$", re.IGNORECASE
)


def _antecedent(sentence: str, lo: int, cue_start: int) -> int:
    """Where the date's clause starts, taken with the clause before it when it has no subject of its own: a relative
    clause ("…, som skal gå i luften ultimo 2022") or a coordinated one whose verb follows its conjunction."""
    if lo and (_RELATIVE.match(sentence, lo) or (cue_start >= lo and _ELLIPSIS.match(sentence[lo:cue_start]))):
        return cues.clause(sentence, max(0, lo - 2), max(0, lo - 2))[0]
    return lo


def _within(m: Mention, span: tuple[int, int]) -> bool:
    return span[0] <= m.start and m.end <= span[1]


def _subject_of(text: str, subjects: Sequence[Mention], fact: _Fact) -> Mention | None:
    """The solution that is the subject of a level's requirement verb: named before it in its clause ("SEB kræver
    …"), or right after it ("Fra 2025 kræver Serviceplatformen …", "Hvilket sikringsniveau kræver SEB?")."""
    a, b = fact.cue_at
    if a == b:
        return subjects[0] if subjects else None
    lo, hi = cues.clause(text, a, b)
    before = [m for m in subjects if lo <= m.start and m.end <= a]
    if before:
        return before[-1]
    after = [m for m in subjects if b <= m.start <= b + 4 and m.end <= hi]
    return after[0] if after else None


_LISTING = re.compile(r",|\s(?:og|samt|and|&)\s", re.IGNORECASE)


def _listing(heading: str) -> bool:
    """A heading listing topics ("MitID, MitID Erhverv og NemLog-in"): it is about no single solution."""
    return len(_LISTING.findall(heading)) >= 2 or "," in heading


def _only(mentions: Sequence[Mention], said: str) -> _Subject | None:
    return _Subject(mentions[0], said) if mentions and len({m.slug for m in mentions}) == 1 else None


def _first_date(cells: Sequence[tuple[str, str]], ctx: date | None) -> tuple[DateMatch, str] | None:
    """The first cell's date (a postponed one's new date: "Udskydes fra 1. marts til 1. september 2024")."""
    for header, cell in cells:
        whole = parse_date(cell, context_date=ctx)
        found = [DateMatch(0, len(cell), whole)] if whole is not None else find_date_matches(cell, context_date=ctx)
        if found:
            match = _postponed_to(found[0], ctx) if cues.POSTPONED.search(cell) else found[0]
            return match, header
    return None


def _row(
    unit: Unit, matcher: SolutionMatcher, ctx: date | None, source: str, url: str, name_rows: bool
) -> list[Observation]:
    cells = [(h, v) for h, v in unit.cells if v]
    if not cells:
        return []
    hits = [(i, m) for i, (_, v) in enumerate(cells) for m in matcher.find(v)[:1]]
    if hits and len({m.slug for _, m in hits}) == 1:
        index, mention = hits[0]
        slug = mention.slug
        if name_rows and index == 0:
            mention = Mention(slug, cells[0][1], 0, len(cells[0][1]))
    elif name_rows and not hits and not find_date_matches(cells[0][1], context_date=ctx):
        index, mention, slug = 0, Mention("", cells[0][1], 0, len(cells[0][1])), ""
    else:
        return []
    rest = cells[:index] + cells[index + 1 :]
    usable = [(h, v) for h, v in rest if not cues.ANTI_HEADER.search(h)]
    dated = [(h, v) for h, v in usable if _DATE_HEADER.search(h)] or [(h, v) for h, v in usable if not h]
    # A level column by its header, else any cell that says its level in NSIS words ("Krav: NSIS Betydelig").
    levelled = [(h, v) for h, v in usable if _LEVEL_HEADER.search(h)] or [(h, v) for h, v in usable if find_levels(v)]
    if not any(h for h, _ in rest):  # no headers at all: read the other cells as prose
        levelled = [("", " | ".join(v for _, v in rest))]
    ev = evidence(unit.text)
    out: list[Observation] = []
    first = _first_date(dated, ctx)
    if first is not None:
        match, header = first
        fact = _Fact(0, 0, header or "tabelrække", interval=match.interval, rule=rules.BY_ID["tabel"].id,
                     kind=kind_of(rules.BY_ID["tabel"], unit.text))  # fmt: skip
        out.append(_observation(source, url, mention, fact, ev, slug=slug))
    for header, cell in levelled:
        level = parse_level(cell) or next((m.level for m in find_levels(f"{header}: {cell}")), None)
        if level is not None:
            level_fact = _Fact(0, 0, header or "tabelrække", level=level, rule="tabel", kind="loa")
            out.append(_observation(source, url, mention, level_fact, ev, slug=slug))
            break
    return out


def read_facts(
    units: Sequence[Unit],
    matcher: SolutionMatcher,
    *,
    source: str,
    url: str,
    context_date: date | None = None,
    name_rows: bool = False,
) -> list[Observation]:
    """Observations from a page's units (see the module docstring for the rules); none from an English page."""
    if (
        language(" ".join(u.text for u in units[:200])) == "en"
    ):  # the cue words are Danish; an English page is read by a person
        return []
    out: list[Observation] = []
    lead: dict[int, _Subject | None] = {}
    headings: dict[str, _Subject | None] = {}
    answers: dict[str, int] = {}  # a question heading → the block that answers it (the first one below it)
    page_slugs: set[str] | None = None  # every solution the page names (only worked out when needed)
    for unit in units:
        if unit.kind == "row":
            found = _row(unit, matcher, context_date, source, url, name_rows)
            out += [o for o in found if o not in out]
            continue
        if unit.heading not in headings:
            named = matcher.find(unit.heading)
            headings[unit.heading] = None if _listing(unit.heading) else _only(named, unit.heading)
            if not named and unit.title and unit.title != unit.heading:
                # A section heading naming no solution ("Tidsplan") leaves the page's own title as the subject —
                # on a page about that one solution only (an overview naming many is about none of them).
                if page_slugs is None:
                    page_slugs = {m.slug for u in units for m in matcher.find(u.text)}
                about = None if _listing(unit.title) else _only(matcher.find(unit.title), unit.title)
                if about is not None and page_slugs <= {about.mention.slug}:
                    headings[unit.heading] = about
        for text in split_sentences(unit.text) if unit.kind != "heading" else [unit.text]:
            mentions = matcher.find(text)
            subject = lead.get(unit.block) if unit.block >= 0 else None
            if subject is None and unit.kind != "heading":
                subject = headings[unit.heading]
            question = unit.heading if unit.kind != "heading" and unit.heading.endswith("?") else ""
            if question and answers.setdefault(unit.heading, unit.block) != unit.block:
                question = ""
            found = _sentence(text, matcher, subject, context_date, source, url, unit.intro or question)
            out += [o for o in found if o not in out]
            if mentions and unit.block >= 0:
                lead[unit.block] = _only(mentions, text)
    return _consistent(out)


def _consistent(found: list[Observation]) -> list[Observation]:
    """A solution given two different levels on one page gets none: the page contradicts itself."""
    levels: dict[str | None, set[str]] = {}
    for o in found:
        if o.field == "required_loa":
            levels.setdefault(o.solution_slug or o.solution_text, set()).add(o.value)
    return [o for o in found if o.field != "required_loa" or len(levels[o.solution_slug or o.solution_text]) == 1]


__all__ = ["read_facts", "required_levels", "switch_dates"]
