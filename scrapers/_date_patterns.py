"""The recognised date expressions of ``scrapers.dates``: regex fragments, one builder per expression, the list.

Kept apart so that ``dates.py`` reads as the public functions and the choosing and joining of matches.
Each entry of ``PATTERNS`` is (compiled regex, builder); a builder turns a match into spans or raises
``NoDateError`` for words that look like a date but are not one (or lack their year).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from scrapers import _vocab as v


class NoDateError(Exception):
    """An expression that looks like a date but is not a valid one (or lacks its year)."""


_W = r"[^\W\d_]"  # a letter, including æøå


def _alt(words: Iterable[str]) -> str:
    # Longest first so that "marts" wins over "mar" and "sommeren" over "sommer".
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


def _month_re(group: str, names: set[str]) -> str:
    full = _alt(n for n in names if n not in v.ABBREVIATIONS)
    abbr = _alt(n for n in names if n in v.ABBREVIATIONS)
    return rf"(?P<{group}>(?:{full})(?!{_W})|(?:{abbr})(?:\.|(?!{_W})))"


_MON = _month_re("mon", set(v.MONTHS))
# Year-less day+month only with Danish names: English "may"/"march" are ordinary words.
_MON_DA = _month_re("mon", set(v.DA_MONTHS))
_YEAR_RAW = r"(?P<y>(?:19|20)\d\d)"
_END = r"(?!\w|[.,/-]\d)"
_YEAR = _YEAR_RAW + _END
_OPT_YEAR = rf"(?:,?\s+{_YEAR})?"
_NUM_START = r"(?<![\w.,/-])"
# "første kvartal næste år": a year named relative to the page's own date.
_REL = r"(?P<rel>næste\s+år|i\s+år|sidste\s+år|next\s+year|this\s+year|last\s+year)(?!\w)"
# "2021 ud" is the end of 2021, not the year: no plain-year reading may take "2021" out of it.
_NOT_UD = r"(?!\s+ud(?!\w))"
_DEN = r"(?:(?:den|d\.)\s*)?"
_MOD = (
    # "sidst i 2021", "sidst på året" (late in), "først på året", "først i april" (early in — but "det sker først i
    # 2022" is "not until 2022": after a verb "først" is no part of the year)
    r"(?P<mod>primo|medio|ultimo|ult\.|prim\.|sidst\s+i|sidst\s+på|først\s+på|"
    r"(?<!sker\s)(?<!kommer\s)(?<!bliver\s)(?<!er\s)(?<!blev\s)(?<!var\s)først\s+i|"
    r"i\s+(?:starten|begyndelsen|midten|slutningen)\s+af|"
    r"(?:starten|begyndelsen|midten|slutningen)\s+af|(?:ved\s+)?udgangen\s+af|midt\s+i|"
    r"start|slut|early|late|mid-|mid|(?:the\s+)?(?:beginning|start|middle|end)\s+of)"
)
_MOD_SEP = r"(?:\s+|(?<=-))"
_CUE = (
    r"(?P<cue>i\s+løbet\s+a[ft]|i\s+løbe\s+af|i\s+år|i|in|during|år|fra|from|siden|since|senest|inden|"
    r"pr\.|per|by|frem\s+(?:mod|til)|helt\s+til|til|until|omkring|around|forventet(?:vis)?|forventes|"
    r"forventeligt|expected|tidligst|senere\s+i|tidligere\s+i)"
)
# Year-less month names are read only after a word that makes them a point in time.
_MONTH_CUE = (
    r"(?P<cue>i|fra|til|inden|senest|omkring|frem\s+(?:mod|til)|fra\s+og\s+med|pr\.|"
    r"i\s+løbet\s+af|overgangen\s+til|efter|før)"
)
# What a year-less "24/4" is when it is a service window, not a day.
_NOT_DAY_AFTER = re.compile(
    r"\s*(?:support|service|drift|overvågning|vagt|hotline|bemanding|åbent|åben|tilgængelig|adgang|"
    r"monitorering|beredskab|dækning|døgn|time|timer|del|dele|procent|af\s+(?:de|alle|dem))(?!\w)",
    re.IGNORECASE,
)

Builder = Callable[[re.Match[str], date | None], list[v.Span]]


def _year(m: re.Match[str], ctx: date | None, group: str = "y") -> int:
    if m.group(group):
        return int(m.group(group))
    if ctx is None:
        raise NoDateError
    return ctx.year


def _year_or_relative(m: re.Match[str], ctx: date | None) -> int:
    """The year named, or the page's year moved by "næste år"/"sidste år"/"i år" ("første kvartal næste år")."""
    rel = (m.groupdict().get("rel") or "").lower()
    if not rel:
        return _year(m, ctx)
    if ctx is None:
        raise NoDateError
    return ctx.year + (1 if rel.startswith(("næste", "next")) else -1 if rel.startswith(("sidste", "last")) else 0)


def _day_span(year: int, month: int, day: int) -> v.Span:
    d = date(year, month, day)
    return d, d, "day"


def _b_day(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    groups = m.groupdict()
    month = int(groups["m"]) if groups.get("m") else v.month_number(m.group("mon"))
    return [_day_span(_year(m, ctx), month, int(groups.get("d") or groups["d_"]))]


def _two_digit_year(yy: str, ctx: date | None) -> int:
    """A two-digit year in the century of the page's own date (2000s without one)."""
    century = ctx.year // 100 * 100 if ctx is not None else 2000
    return century + int(yy)


def _b_num_dmy(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    month = next(g for g in (m.group("m1"), m.group("m2"), m.group("m3")) if g)
    groups = m.groupdict()
    year = _two_digit_year(groups["yy"], ctx) if groups.get("yy") else _year(m, ctx)
    return [_day_span(year, int(month), int(m.group("d")))]


def _b_num_dm(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    # "døgnet rundt 24/7" is opening hours and "24/4 support" a service window, not a day.
    if m.group(0) == "24/7" or _NOT_DAY_AFTER.match(m.string, m.end()):
        raise NoDateError
    return _b_day(m, ctx)


def _b_month_yearless(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    return [v.months_span(_year(m, ctx), v.month_number(m.group("mon")), 1, "month")]


def _b_cross_month_range(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    """ "fra den 30. april til den 30. maj 2025": the first end takes the second's year."""
    year = _year(m, ctx)
    last = date(year, v.month_number(m.group("mon")), int(m.group("d2")))
    first = date(year, v.month_number(m.group("mon1")), int(m.group("d")))
    if first > last:
        first = date(year - 1, first.month, first.day)
    return [(first, last, "day")]


def _b_month_range(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    """ "fra oktober til december 2023", "marts–maj 2024"."""
    year = _year(m, ctx)
    first, last = v.month_number(m.group("mon1")), v.month_number(m.group("mon"))
    start_year = year if first <= last else year - 1
    return [(date(start_year, first, 1), v.last_day(year, last), "month")]


def _b_quarter_range(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    """ "i Q1 og delvist i Q2 2021", "Q3-Q4 2024"."""
    q1, q2 = int(m.group("q1")), int(m.group("q"))
    if q1 >= q2:
        raise NoDateError
    year = _year(m, ctx)
    return [(date(year, 3 * q1 - 2, 1), v.months_span(year, 3 * q2 - 2, 3, "quarter")[1], "quarter")]


def _b_num_day_range(m: re.Match[str]) -> list[v.Span]:
    year, month = int(m.group("y")), int(m.group("m"))
    first, last = date(year, month, int(m.group("d"))), date(year, month, int(m.group("d2")))
    if first >= last:
        raise NoDateError
    return [(first, last, "day")]


def _b_new_year(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    year = int(m.group("y"))
    if int(m.group("y2")[-2:]) != (year + 1) % 100:
        raise NoDateError
    return [(date(year, 12, 1), date(year + 1, 1, 31), "month")]


def _b_next_season(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    """ "ved årsskiftet", "til sommer" without a year, read from the page's date: the first turn of the year that
    has not ended by then, the first such season that has not begun ("til sommer" said in July is next year's)."""
    if ctx is None:
        raise NoDateError
    name, cue = m.group("s").lower(), (m.groupdict().get("cue") or "").lower()
    for year in (ctx.year - 1, ctx.year, ctx.year + 1):
        if name not in ("årsskiftet", "nytår"):
            span = v.season(year, name)
            if span[0] > ctx:
                return [span]
            continue
        if cue in ("inden", "før"):  # before the turn of the year: December
            span = (date(year, 12, 1), date(year, 12, 31), "month")
        elif cue == "efter":  # after it: January
            span = (date(year + 1, 1, 1), date(year + 1, 1, 31), "month")
        else:
            span = (date(year, 12, 1), date(year + 1, 1, 31), "month")
        if span[1] >= ctx:
            return [span]
    raise NoDateError


def _b_relative_year(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    year = _year(m, ctx) + (0 if m.group("rel").lower().startswith("i") else 1)
    return [v.months_span(year, 1, 12, "year")]


def _b_year_through(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    """ "forventet 2021 ud": through 2021, by its last day."""
    last = date(_year(m, ctx), 12, 31)
    return [(last, last, "day")]


def _b_day_range(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    year, month = _year(m, ctx), v.month_number(m.group("mon"))
    first, last = date(year, month, int(m.group("d"))), date(year, month, int(m.group("d2")))
    if first >= last:
        raise NoDateError
    return [(first, last, "day")]


def _b_day_list(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    year, month = _year(m, ctx), v.month_number(m.group("mon"))
    days = re.findall(r"\d{1,2}", re.sub(r"\([^()]*\)", " ", m.group("days")))
    spans = [_day_span(year, month, int(d)) for d in days]
    if len(spans) == 2 and re.search(r"(?:mellem|between)\s*$", m.string[max(0, m.start() - 10) : m.start()], re.I):
        return [(spans[0][0], spans[1][1], "day")] if spans[0][0] < spans[1][0] else spans  # "mellem 1. og 15. marts"
    return spans


def _b_month(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    year = 2000 + int(m.group("yy")) if m.groupdict().get("yy") else _year(m, ctx)
    return [v.months_span(year, v.month_number(m.group("mon")), 1, "month")]


def _b_month_part(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    return [v.month_part(_year(m, ctx), v.month_number(m.group("mon")), v.modifier_part(m.group("mod")))]


def _b_year_part(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    return [v.year_part(_year(m, ctx), v.modifier_part(m.group("mod")))]


def _b_relative_month(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    """ "i næste måned": the month after the page's; "denne" its own; "sidste" the one before."""
    if ctx is None:
        raise NoDateError
    shift = {"næste": 1, "denne": 0, "sidste": -1}[m.group("relm").lower()]
    year, month = v.add_months(ctx.year, ctx.month, shift)
    return [v.months_span(year, month, 1, "month")]


def _b_season_short_year(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    """ "sommeren '24": the season of 2024."""
    return [v.season(_two_digit_year(m.group("yy"), ctx), m.group("s").lower())]


def _b_week_range(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    """ "uge 10-12": Monday of the first week to Sunday of the last."""
    year = _year(m, ctx)
    first, last = v.iso_week(year, int(m.group("w1"))), v.iso_week(year, int(m.group("w")))
    if first[0] >= last[0]:
        raise NoDateError
    return [(first[0], last[1], "week")]


def _b_year_part_relative(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    """ "i slutningen af året" (the page's year), "i begyndelsen af næste år"/"det nye år" (the year after it)."""
    if ctx is None:
        raise NoDateError
    rel = m.group("relyear").lower()
    year = ctx.year + (1 if rel.startswith(("næste", "det")) else -1 if rel.startswith("sidste") else 0)
    return [v.year_part(year, v.modifier_part(m.group("mod")))]


def _b_after_summer_holiday(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    """ "efter sommerferien 2023": August, when work starts again; "inden sommerferien": June (without a year: the
    next one from the page's date)."""
    month = 8 if m.group("when").lower() == "efter" else 6
    if m.group("y"):
        year = int(m.group("y"))
    elif ctx is not None:
        year = ctx.year if ctx.month <= month else ctx.year + 1
    else:
        raise NoDateError
    return [v.months_span(year, month, 1, "month")]


def _b_season(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    name = m.group("s").lower()
    if not m.group("y") and name not in v.YEARLESS_SEASONS:
        raise NoDateError
    year = _year(m, ctx)
    y2 = m.group("y2")
    # "vinteren 2022/23" names both years; it is the winter that starts in the first.
    if y2 and int(y2[-2:]) != (year + 1) % 100:
        raise NoDateError
    return [v.season(year, name)]


def _ordinal(m: re.Match[str], digit: str, word: str, last: int) -> int:
    """The number of a quarter or half given as a digit or a word; "sidste"/"last" is ``last``."""
    if m.group(digit):
        return int(m.group(digit))
    name = m.group(word).lower()
    return last if name in v.LAST_WORDS else v.ORDINALS[name]


def _last_without_year(m: re.Match[str], word: str) -> bool:
    """ "sidste kvartal" with no year is the quarter before the page's, not the fourth: not read."""
    named = m.groupdict().get(word) or ""
    return named.lower() in v.LAST_WORDS and not m.groupdict().get("y")


def _b_quarter(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    if _last_without_year(m, "qw"):
        raise NoDateError
    q = _ordinal(m, "q", "qw", 4) if "qw" in m.groupdict() else int(m.group("q"))
    return [v.months_span(_year_or_relative(m, ctx), 3 * q - 2, 3, "quarter")]


def _b_half(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    if _last_without_year(m, "hw"):
        raise NoDateError
    h = _ordinal(m, "h", "hw", 2) if "hw" in m.groupdict() else int(m.group("h"))
    if h not in (1, 2):
        raise NoDateError
    return [v.months_span(_year_or_relative(m, ctx), 6 * h - 5, 6, "half")]


def _b_week(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    return [v.iso_week(_year(m, ctx), int(m.group("w")))]


def _b_year(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    return [v.months_span(_year(m, ctx), 1, 12, "year")]


def _b_year_span(m: re.Match[str], ctx: date | None) -> list[v.Span]:
    first, y2 = int(m.group("y")), m.group("y2") or m.group("y3")
    last = int(y2) if len(y2) == 4 else first // 100 * 100 + int(y2)
    if last <= first:
        raise NoDateError
    return [(date(first, 1, 1), date(last, 12, 31), "year")]


_P: list[tuple[str, Builder]] = [
    # 2023-05-12
    (rf"{_NUM_START}{_YEAR_RAW}-(?P<m>\d\d)-(?P<d>\d\d)(?:{_END}|(?=T\d\d:))", _b_day),
    # 12-05-2022, 14.01.2020, 19/03/2025, 22/8-2016
    (
        rf"{_NUM_START}(?P<d>\d{{1,2}})(?:-(?P<m1>\d{{1,2}})-|\.(?P<m2>\d{{1,2}})\.|/(?P<m3>\d{{1,2}})[/-]){_YEAR}",
        _b_num_dmy,
    ),
    # 24/10-22, 1/12-23, 24.10.22 (two-digit year, century of the page date)
    (
        rf"{_NUM_START}(?P<d>\d{{1,2}})(?:/(?P<m3>\d{{1,2}})[/-]|\.(?P<m2>\d\d)\.)(?P<m1>)(?P<yy>\d\d)"
        r"(?!\w|[.,/-]\d)",
        _b_num_dmy,
    ),
    # 1/12 2015
    (rf"{_NUM_START}(?P<d>\d{{1,2}})/(?P<m3>\d{{1,2}})(?P<m1>)(?P<m2>)\s+{_YEAR}", _b_num_dmy),
    # 24.-25.10.2022
    (
        rf"{_NUM_START}(?P<d>\d{{1,2}})\.?\s*[-–]\s*(?P<d2>\d{{1,2}})\.(?P<m>\d{{1,2}})\.{_YEAR}",
        lambda m, ctx: _b_num_day_range(m),
    ),
    # årsskiftet 2023/24: the turn of the year, December to January
    (rf"(?<!\w)(?:ved\s+|fra\s+|omkring\s+)?årsskiftet\s+{_YEAR_RAW}\s*/\s*(?P<y2>\d\d(?:\d\d)?)(?!\d)", _b_new_year),
    # ved årsskiftet, til sommer (the next one after the page's date)
    (
        rf"(?<!\w)(?P<cue>ved|omkring|fra|til|efter|inden|før)\s+(?P<s>årsskiftet|nytår)(?!{_W})(?!\s*\d)",
        _b_next_season,
    ),
    (rf"(?<!\w)til\s+(?P<s>forår(?:et)?|sommer(?:en)?|efterår(?:et)?|vinter(?:en)?)(?!{_W})(?!\s*\d)", _b_next_season),
    # i år, næste år (the page's own year)
    (rf"(?<!\w)(?P<rel>i\s+år|næste\s+år|til\s+næste\s+år)(?!{_W})(?P<y>)", _b_relative_year),
    # 31/10 (year from context)
    (rf"{_NUM_START}(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?!\w|[/.,-]\d)(?P<y>)", _b_num_dm),
    # 31. oktober 2023, 22 februar 2023, 24 April 2023, 1. okt. 2023
    (rf"(?<![\w.]){_DEN}(?P<d>\d{{1,2}})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?{_MON},?\s+{_YEAR}", _b_day),
    # Den 17. oktober (year from context)
    (rf"(?<![\w.])(?:(?:den|d\.)\s*(?P<d>\d{{1,2}})\.?\s+|(?P<d_>\d{{1,2}})\.\s*){_MON_DA}(?P<y>)", _b_day),
    # April 24, 2023
    (rf"(?<!\w){_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}", _b_day),
    # 24.-25. august 2023, den 24. - 25. august
    (
        rf"(?<![\w.]){_DEN}(?P<d>\d{{1,2}})\.?\s*(?:[-–]|til(?:\s+og\s+med)?)\s*(?:den\s+)?(?P<d2>\d{{1,2}})\.?\s+"
        rf"{_MON}{_OPT_YEAR}",
        _b_day_range,
    ),
    # 3. og 24. april 2023, 3. (Test) og 24. april 2023
    (
        rf"(?<![\w.]){_DEN}(?P<days>\d{{1,2}}\.?(?:\s*\([^()]{{1,30}}\))?"
        rf"(?:\s*(?:,|og|and|&)\s*(?:den\s+)?\d{{1,2}}\.?(?:\s*\([^()]{{1,30}}\))?)+)\s+{_MON}{_OPT_YEAR}",
        _b_day_list,
    ),
    # fra den 30. april til den 30. maj 2025
    (
        rf"(?<![\w.]){_DEN}(?P<d>\d{{1,2}})\.?\s+{_month_re('mon1', set(v.MONTHS))}\s*"
        r"(?:[-–]|til\s+og\s+med|til|to|until)\s*"
        rf"(?:den\s+)?(?P<d2>\d{{1,2}})\.?\s+{_MON}{_OPT_YEAR}",
        _b_cross_month_range,
    ),
    # fra oktober til december 2023, marts–maj 2024
    (
        rf"(?<!\w)(?:(?:fra|from|i)\s+)?{_month_re('mon1', set(v.MONTHS))}\s*(?:[-–/]|til|to|until|og|eller|or)\s*"
        rf"{_MON}{_OPT_YEAR}",
        _b_month_range,
    ),
    # i april måned, overgangen til december (year from context)
    (
        rf"(?<!\w){_MONTH_CUE}\s+{_month_re('mon', {m for m in v.DA_MONTHS if m not in v.ABBREVIATIONS})}"
        rf"(?:\s+måned)?(?!\s*(?:måned\s*)?\d)(?!\s*(?:[-–/]|til|og)\s*(?:{_alt(v.MONTHS)}))(?P<y>)",
        _b_month_yearless,
    ),
    # i næste måned, i denne måned (from the page's date)
    (rf"(?<!\w)(?:i|fra|inden|til)\s+(?P<relm>næste|denne|sidste)\s+måned(?!{_W})", _b_relative_month),
    # marts måned 2024
    (rf"(?<!\w){_MON}\s+måned\s+{_YEAR}", _b_month),
    # oktober 2022, okt. 2023, May '24
    (rf"(?<!\w){_MON}\s+{_YEAR}", _b_month),
    (rf"(?<!\w){_MON}\s*['’‘](?P<yy>\d\d)(?!\d)", _b_month),
    # ultimo november 2021, ultimo oktober (context year)
    (rf"(?<!\w){_MOD}{_MOD_SEP}{_MON}{_OPT_YEAR}", _b_month_part),
    # primo 2024, i starten af 2023, mid-2024
    (rf"(?<!\w){_MOD}{_MOD_SEP}(?:året\s+)?{_YEAR}", _b_year_part),
    # i slutningen af året, sidst på året, i begyndelsen af næste år (the page's year, or the one after it)
    (
        rf"(?<!\w){_MOD}\s+(?P<relyear>året|det\s+nye\s+år|næste\s+år|sidste\s+år|i\s+år)(?!{_W})(?!\s*\d)",
        _b_year_part_relative,
    ),
    # efter sommerferien (2023): August
    (rf"(?<!\w)(?P<when>efter|inden|før)\s+sommerferien(?:\s+{_YEAR})?(?!\s*\d)", _b_after_summer_holiday),
    # efteråret 2022, vinteren 2022/23, I efteråret (context year)
    (
        rf"(?<!\w)(?P<s>{_alt(v.SEASONS)})(?!{_W})(?:\s+(?:of\s+)?{_YEAR_RAW}(?:/(?P<y2>\d\d(?:\d\d)?))?{_END})?",
        _b_season,
    ),
    # sommeren '24
    (rf"(?<!\w)(?P<s>{_alt(v.SEASONS)})\s*['’‘](?P<yy>\d\d)(?!\d)(?P<y>)(?P<y2>)", _b_season_short_year),
    # i Q1 og delvist i Q2 2021, Q3-Q4 2024
    (
        rf"(?<!\w)Q(?P<q1>[1-4])\s*(?:[-–/]|og|and|til|to)\s*(?:(?:delvist|delvis|evt\.|eventuelt|muligvis|"
        rf"måske|partly|possibly)\s+)?(?:i\s+|in\s+)?Q(?P<q>[1-4])(?:\s*[-/]\s*|\s+)(?:of\s+)?{_YEAR}",
        _b_quarter_range,
    ),
    # 1. og 2. kvartal 2024, 3.-4. kvartal 2024
    (
        rf"(?<![\w.])(?P<q1>[1-4])\.\s*(?:[-–]|og|til)\s*(?P<q>[1-4])\.\s*(?:kvartal|kvt\.)(?!{_W})\s+(?:i\s+|af\s+)?{_YEAR}",
        _b_quarter_range,
    ),
    # Q2 2021, 2021-Q2
    (rf"(?<!\w)Q(?P<q>[1-4])(?:\s*[-/]\s*|\s+)(?:of\s+)?{_YEAR}", _b_quarter),
    (rf"(?<![\w.,/-]){_YEAR_RAW}\s*[-/ ]?\s*Q(?P<q>[1-4])(?!\w)", _b_quarter),
    # 2. kvartal 2024, andet kvartal, 2. kvt. 2024
    (
        rf"(?<![\w.])(?:(?P<q>[1-4])\.\s*|(?P<qw>{_alt([*v.ORDINALS, *v.LAST_WORDS])})\s+)(?:kvartal|kvt\.|quarter)"
        rf"(?!{_W})(?:\s+(?:i\s+|af\s+|of\s+)?(?:{_YEAR}|{_REL}))?",
        _b_quarter,
    ),
    # 1. halvår 2023, første halvår, H1 2023, first half of 2023
    (
        rf"(?<![\w.])(?:(?P<h>[12])\.\s*|(?P<hw>{_alt([*v.ORDINALS, *v.LAST_WORDS])})\s+)(?:halvår|halvdel|half)"
        rf"(?!{_W})(?:\s+(?:i\s+|af\s+|of\s+)?(?:{_YEAR}|{_REL}))?",
        _b_half,
    ),
    (rf"(?<!\w)H(?P<h>[12])\s+{_YEAR}", _b_half),
    # uge 10-12, ugerne 10-12 2024, uge 10 og 11
    (
        rf"(?<!\w)(?:uge(?:rne)?|weeks?)\s*(?P<w1>\d{{1,2}})\s*(?:[-–]|og|til|and|to)\s*(?P<w>\d{{1,2}})(?!\d)"
        rf"(?:\s*(?:,|/|i|in|of)?\s*{_YEAR})?",
        _b_week_range,
    ),
    # uge 8, uge 43 2022, week 43, 2022
    (
        rf"(?<!\w)(?:uge|week)\s*(?:nr\.?\s*)?(?P<w>\d{{1,2}})(?!\d)(?:\s*(?:,|/|i|in|of)?\s*{_YEAR})?",
        _b_week,
    ),
    # i løbet af 2021-2022, 2021-23, fra 2019 til 2021
    (
        rf"(?:(?<!\w){_CUE}\s+|(?<![\w.,/-])){_YEAR_RAW}"
        r"(?:\s*[-–/]\s*(?P<y2>(?:19|20)\d\d|\d\d)|\s+(?:til|to|until)\s+(?P<y3>(?:19|20)\d\d))(?!\w|[.,/-]\d)",
        _b_year_span,
    ),
    # i løbet af 2021 og 2022: both years
    (
        rf"(?<!\w)(?:i\s+løbet\s+af|i\s+årene|i|during|in)\s+{_YEAR_RAW}\s+(?:og|eller|and|or)\s+(?:i\s+)?"
        r"(?P<y3>(?:19|20)\d\d)"
        r"(?P<y2>)(?!\w|[.,/-]\d)",
        _b_year_span,
    ),
    # forventet 2021 ud
    (rf"(?:(?<!\w){_CUE}\s+|(?<![\w.,/-])){_YEAR_RAW}\s+ud(?!\w)", _b_year_through),
    # 2023-1, 2023-2: the first or second half ("Skubbet fra 2023-1 til 2023-2")
    (rf"(?<![\w.,/-]){_YEAR_RAW}-(?P<h>[12])(?!\w|[.,/-]\d)", _b_half),
    # i 2023, I løbet af 2022, senest 2024
    (rf"(?<!\w){_CUE}\s+{_YEAR}{_NOT_UD}", _b_year),
]
PATTERNS = [(re.compile(p, re.IGNORECASE), b) for p, b in _P]
