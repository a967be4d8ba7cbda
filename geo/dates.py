"""Resolve Chinese date expressions in policy news against a publication date.

The resolver understands the date vocabulary of Chinese policy news:

========================  ===========================================  =============
expression                meaning                                      precision
========================  ===========================================  =============
``2022年``                calendar year                                ``year``
``2021年6月`` ``6月份``   month (year from context, see below)         ``month``
``2025年元月``            January                                      ``month``
``今年9月26日`` ``10月12日`` day                                         ``day``
``十二月二十八日``        day in Chinese numerals                      ``day``
``今年`` ``去年`` ``明年``  year relative to publication                   ``year``
``去年9月``               month of the previous year                   ``month``
``年底前`` ``年内``        deadline: 31 December of the year            ``deadline``
``2025年底前``            by the end of 2025 (31 December)             ``deadline``
``2025年年底`` ``年末``    the end of the year: December                ``month``
``6月底前``               by the end of June                           ``deadline``
``6月30日前``             by 30 June (``6月30日前后``: its month)      ``deadline``
``6月底`` ``月底``          the end of June (of the publication month)   ``month``
``上半年`` ``下半年``      half year                                    ``half``
``春季`` ``2025年秋天``    season (winter: December to February)       ``quarter``
``近两年`` ``过去三年``    the years up to publication                  ``range``
``一季度`` ``年初``        quarter (``年初`` = first quarter)            ``quarter``
``2021年至2025年``        range of years                               ``range``
``2024.6.30`` ``2024-06-30`` day written in digits                      ``day``
``上世纪90年代``          a decade of the last century (1990-1999)     ``range``
``“十四五”``              five-year-plan period (2021-2025)            ``range``
``“十四五”末``            the plan's last year (2025)                  ``year``
``近日`` ``日前`` ``目前``  the publication month                         ``month``
``昨天`` ``今天``          publication date -1 / +0 days                ``day``
========================  ===========================================  =============

A statement without any date is dated by :func:`reported` (the publication date, precision
``reported``, basis ``'reported'``); :mod:`geo.extract.events` then dates an undated *fact* to
the publication month, as ``近日`` is, and keeps ``reported`` for an undated forecast.

Year inference for a month or day without a year (``6月份``, ``10月12日``): the publication
year, except

* for an *actual* (past) statement, a month/day after the publication date belongs to the
  previous year (a report published in February that says "9月开放" means last September);
* for an *expected* statement (forecast), a month/day before the publication date belongs to
  the next year ("将于3月开通" in a November article means next March).

Every :class:`ResolvedDate` keeps the period start (``date``), the precision, the text it came
from (``basis``) and, for periods, the last day of the period (``end``).
Digits must already be half-width (see :func:`geo.extract.normalise_text`); full-width digits
are converted here too for standalone use.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from geo.errors import UsageError

logger = logging.getLogger(__name__)

__all__ = [
    "HOLIDAYS",
    "NOW_WORDS",
    "PRECISIONS",
    "YEAR_RANGE",
    "ResolvedDate",
    "date_matches",
    "explicit_years",
    "find_dates",
    "format_date",
    "iso_date",
    "month_of",
    "parse_as_of",
    "parse_cn_number",
    "period_end",
    "reported",
    "resolve_date",
    "to_date",
]

#: Precision vocabulary, finest first.
PRECISIONS: tuple[str, ...] = (
    "day",
    "month",
    "quarter",
    "half",
    "deadline",
    "year",
    "range",
    "reported",
)

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    """A date resolved from text.

    Parameters
    ----------
    date : datetime.date
        Start of the period (the day itself for ``day`` precision; 1 January for a year;
        31 December for a ``deadline``; the publication date for ``reported``).
    precision : str
        One of :data:`PRECISIONS`.
    basis : str
        The text the date came from (``'reported'`` when the publication date was used).
    end : datetime.date or None
        Last day of the period for ``month``/``quarter``/``half``/``year``/``range``;
        ``None`` for ``day``, ``deadline`` and ``reported``.
    """

    date: _dt.date
    precision: str
    basis: str
    end: _dt.date | None = None

    @property
    def last_day(self) -> _dt.date:
        """Last day of the period (``end`` or ``date``)."""
        return self.end or self.date

    def iso(self) -> str:
        """ISO text truncated to the precision (``'2022'``, ``'2021-06'``, ``'2021-10-12'``)."""
        return format_date(self.date, self.precision)


def format_date(date: _dt.date, precision: str) -> str:
    """Format ``date`` truncated to ``precision``.

    Parameters
    ----------
    date : datetime.date
    precision : str
        ``year``/``range``/``half`` -> ``YYYY``; ``month`` -> ``YYYY-MM``; otherwise
        ``YYYY-MM-DD``.

    Returns
    -------
    str
    """
    if precision in ("year", "range", "half"):
        return f"{date.year:04d}"
    if precision in ("month", "quarter"):
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()


def period_end(date: _dt.date, precision: str, end: _dt.date | None = None) -> _dt.date:
    """Last day of the period a dated statement refers to.

    Parameters
    ----------
    date : datetime.date
        Period start (as in :class:`ResolvedDate`).
    precision : str
        Precision of ``date``.
    end : datetime.date, optional
        Explicit period end, used when given.

    Returns
    -------
    datetime.date
    """
    if end is not None:
        return end
    if precision == "month":
        return _month_end(date.year, date.month)
    if precision == "quarter":
        q_end_month = ((date.month - 1) // 3 + 1) * 3
        return _month_end(date.year, q_end_month)
    if precision == "half":
        return _dt.date(date.year, 6 if date.month <= 6 else 12, 30 if date.month <= 6 else 31)
    if precision in ("year", "range"):
        return _dt.date(date.year, 12, 31)
    return date


def _month_end(year: int, month: int) -> _dt.date:
    return _dt.date(year, month, calendar.monthrange(year, month)[1])


def reported(published: _dt.date, *, basis: str = "reported") -> ResolvedDate:
    """The publication date used as the date of an undated statement.

    Parameters
    ----------
    published : datetime.date
        Publication date of the document.
    basis : str, default 'reported'
        Text the date came from (e.g. ``'近日'``).

    Returns
    -------
    ResolvedDate
        Precision ``reported``.
    """
    return ResolvedDate(published, "reported", basis)


def parse_cn_number(text: str) -> float | None:
    """Parse an Arabic or Chinese numeral.

    Parameters
    ----------
    text : str
        ``'22'``, ``'1.5'``, ``'三'``, ``'十一'``, ``'两'``, ``'一百二十'``, ``'3.9万'``,
        ``'二〇二二'`` (digit-by-digit form).

    Returns
    -------
    float or None
        ``None`` if ``text`` is not a number.
    """
    text = text.strip().translate(_FULLWIDTH_DIGITS)
    if not text:
        return None
    mult = 1.0
    while text and text[-1] in _CN_BIG:
        mult *= _CN_BIG[text[-1]]
        text = text[:-1]
    if not text:
        return None
    try:
        return float(text) * mult
    except ValueError:
        pass
    if any(c not in _CN_DIGITS and c not in _CN_UNITS for c in text):
        return None
    if not any(c in _CN_UNITS for c in text) and len(text) > 1:
        # digit-by-digit form: 二〇二二
        return float("".join(str(_CN_DIGITS[c]) for c in text)) * mult
    total = 0
    current = 0
    for c in text:
        if c in _CN_DIGITS:
            current = _CN_DIGITS[c]
        else:
            unit = _CN_UNITS[c]
            total += (current or 1) * unit
            current = 0
    return float(total + current) * mult


# --------------------------------------------------------------------------- patterns
_YEAR = r"(?:(?:19|20)\d{2}|[〇○零一二][〇○零一二三四五六七八九]{3})"
_REL_YEAR = "本年度|今年度|今年|去年|明年|前年|后年|当年|本年"
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]|元)"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
#: A day of the month in Chinese numerals (``二十八日``, ``三十日``, ``十五日``), after a month only.
_CN_DAY = r"(?:三十一?|[一二]?十[一二三四五六七八九]?|[一二三四五六七八九])"
#: A time of day written after a date (``5月18日上午``, ``12月30日10时30分``): part of the
#: date's text, not of the statement; the precision stays ``day``.
_TIME_OF_DAY = (
    # the weekday a notice writes after the day (5月26日（星期一）, 5月26日周一)
    r"(?:\s*[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]?)?"
    r"(?:(?:上午|下午|中午|晚间|晚上|傍晚|早上|早晨|清晨|凌晨|夜间|深夜|零时)?"
    r"(?:\d{1,2}(?::\d{2}|时(?:\d{1,2}分)?|点(?:\d{1,2}分|半)?)|[零〇一二两三四五六七八九十]{1,3}[时点](?:半)?)?)"
)
#: Words for the time of the report (``近日``, ``目前``...): the days around it, at month precision.
NOW_WORDS: tuple[str, ...] = ("截至目前", "近日", "日前", "近期", "目前", "当前", "眼下", "本月")
#: Plausible years of policy news: an explicit year outside this range is not a date.
YEAR_RANGE: tuple[int, int] = (1900, 2100)

#: Public holidays by their day: (month, day) of the Gregorian calendar, or of the Chinese
#: lunar calendar for the lunar ones (``春节`` is the first day of the first lunar month).
_SOLAR_HOLIDAYS: dict[str, tuple[int, int]] = {
    "元旦": (1, 1),
    "劳动节": (5, 1),
    "五一": (5, 1),
    "国庆": (10, 1),
    "十一": (10, 1),
}
_LUNAR_HOLIDAYS: dict[str, tuple[int, int]] = {"春节": (1, 1), "元宵": (1, 15), "端午": (5, 5), "中秋": (8, 15)}
#: The holidays the date grammar reads, by their shortest name (``国庆`` for 国庆节).
HOLIDAYS: tuple[str, ...] = (*_SOLAR_HOLIDAYS, *_LUNAR_HOLIDAYS)
#: ``十一`` and ``五一`` are holidays only before a holiday word (not ``十一届``, ``五一路``); a
#: holiday may be quoted (``“五一”前``).
_HOLIDAY_NAMES = (
    r"春节|元宵节?|端午节?|中秋节?|国庆节?|元旦|五一劳动节|劳动节|"
    r"(?:十一|五一)(?=[”\x22’]?(?:前|之前|前夕|前后|期间|假期|小长假|长假|黄金周|当天))"
)
#: Before (a deadline: the day before the holiday), the holiday period (its month), around it
#: (no date: it may fall in the month before), the day itself.
_HOLIDAY_PARTS = r"前夕|之前|前后|前|期间|假期|小长假|长假|黄金周|当天|当日"

_DATE_RE = re.compile(
    rf"""
    (?=[0-9〇○零一二两三四五六七八九十“"‘今去明前后当本近日目截眼月上下昨年第底末内这春夏秋冬国元中端劳过最即])
    (?:(?P<num>(?<![\d.\-/])(?P<ny>(?:19|20)\d{{2}})(?P<sep>[./\-])(?P<nm>1[0-2]|0?[1-9])(?P=sep)(?P<nd>3[01]|[12]\d|0?[1-9])(?![\d.\-/]))
    |(?P<decade>(?:上世纪|上个世纪|20世纪|二十世纪)?(?P<dn>[5-9]0|[五六七八九]十)年代(?:初期|初|中期|末期|末)?)
    |(?P<range>(?P<r1>(?:19|20)\d{{2}})年?\s*(?:至|到|-|~|—|–)\s*(?P<r2>(?:19|20)\d{{2}})年(?!版|度以前))
    |(?P<fyp>[“"]?(?P<fypn>十[一二三四五六七八九]?|[一二三四五六七八九])五[”"]?(?:时期|期间|(?P<fypend>期末|末期|末)|规划期)?)
    |(?P<rsy>[今明去])(?P<rss>[春夏秋冬])(?![节运联装游耕播晚令收粮奥训眠至天季])
    |(?:(?:(?P<y>{_YEAR})年|(?P<ry>{_REL_YEAR}))\s*)?
     (?:
       (?P<m>{_MONTH})月(?:(?P<d>{_DAY}|{_CN_DAY})[日号](?P<tod>{_TIME_OF_DAY})(?P<dby>前后|左右|前|之前|以前)?|(?P<mpart>份|底前(?!后)|底|末|初|上旬|中旬|下旬))?
      |[“"‘]?(?P<hol>{_HOLIDAY_NAMES})[”"’]?(?P<hpart>{_HOLIDAY_PARTS})?
      |(?P<season>[春夏秋冬]季|(?<=年)[春夏秋冬]天)
      |(?P<ypart>年底前(?!后)|年底|年末|年内|年初|上半年|下半年|[一二三四]季度|第[一二三四]季度|第[一二三四]季(?![度节])|前三季度|底前(?!后)|底|末|内)?
     )
    |(?P<recent>(?:近|过去|最近)(?P<rn>\d{{1,2}}|[两三四五六七八九十])年(?:来|间|以来)?)
    |(?P<rmd>本月|当月|下个?月|上个?月)(?P<rmdd>{_DAY})[日号](?P<rmtod>{_TIME_OF_DAY})
    |(?P<rep>{"|".join(NOW_WORDS)})
    |(?P<rmon>(?:本月|当月)?(?:月底前(?!后)|月底|月末)|上个?月|下个?月)
    |(?P<rd>前天|昨天|昨日|今天|今日|明天|明日|后天|(?<![光文证说聪分表声清鲜昌透英黎])[今明](?=起)|即日(?=起))(?P<rtod>{_TIME_OF_DAY})
    |(?P<rw>(?:本|这|下|上)(?:个)?(?:周|星期|礼拜))(?P<wd>[一二三四五六日天])(?P<wtod>{_TIME_OF_DAY})
    |(?<![\d.月第每数几多])(?P<dd>{_DAY})日(?P<dtod>{_TIME_OF_DAY})(?![内游前后起以之]))
    """,
    re.VERBOSE,
)
#: What follows a date in a dateline (``新华社北京3月2日电``, ``…6月5日讯``): the date of the
#: report, not of an event in it.
_DATELINE_RE = re.compile(r"\s*(?:电|讯)")
#: A year the grammar does not accept (outside :data:`YEAR_RANGE`) right before a month.
_BAD_YEAR_BEFORE_RE = re.compile(r"\d+年\s*$")


def _month_num(text: str) -> int:
    if text == "元":  # 元月: January
        return 1
    value = parse_cn_number(text)
    return int(value) if value is not None else 0


#: How far after the publication a month-day without a year may lie and still be read as
#: this year's (or next year's) date in a statement without a forecast marker: a day up to
#: 60 days ahead (an announced date: published 28 December, "12月31日通车"), a month whose
#: first day is up to 15 days ahead (published 20 December, "1月开通").
_AHEAD_DAYS = {"day": 60, "month": 15}


def _infer_year(published: _dt.date, month: int, day: int | None, modality: str) -> int:
    """The year of a month (and day) written without one, around ``published``.

    Forecasts take the first occurrence that has not ended before the publication;
    other statements the last occurrence that has begun by the publication, unless
    the next one begins within :data:`_AHEAD_DAYS` after it (the statement is then about
    an imminent date and becomes a forecast through its date).
    """
    year = published.year
    last = day or calendar.monthrange(2000, month)[1]  # a leap year: 29 February is allowed
    if modality == "expected":
        return year + 1 if (month, last) < (published.month, published.day) else year
    first = day or 1
    past_year = year if (month, first) <= (published.month, published.day) else year - 1
    ahead = _safe_date(past_year + 1, month, first)
    window = _AHEAD_DAYS["day" if day else "month"]
    if ahead is not None and 0 < (ahead - published).days <= window:
        return past_year + 1
    return past_year


def _safe_date(year: int, month: int, day: int) -> _dt.date | None:
    try:
        return _dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def month_of(day: _dt.date, basis: str) -> ResolvedDate:
    """The month containing ``day`` as a date of precision ``month`` (1st to last day).

    Parameters
    ----------
    day : datetime.date
    basis : str
        The text the date came from.

    Returns
    -------
    ResolvedDate
    """
    start = day.replace(day=1)
    return ResolvedDate(start, "month", basis, _month_end(start.year, start.month))


def _relative_period(published: _dt.date, published_precision: str, basis: str) -> ResolvedDate:
    """``近日``/``日前``/``目前``...: the days around publication, at month precision (the
    publication's own precision when it is coarser than a day)."""
    if published_precision in ("year", "month", "quarter", "half"):
        return ResolvedDate(published, published_precision, basis, period_end(published, published_precision))
    return month_of(published, basis)


def _shift_month(day: _dt.date, months: int) -> _dt.date:
    k = day.year * 12 + day.month - 1 + months
    return _dt.date(k // 12, k % 12 + 1, 1)


def _from_match(
    m: re.Match[str],
    published: _dt.date | None,
    modality: str,
    published_precision: str = "day",
    year_of: Mapping[tuple[int, int | None], int] | None = None,
) -> ResolvedDate | None:
    """Resolve one match; ``None`` when it is not a usable date. Never raises for a date
    beyond the calendar (years at the edge of Python's range): it logs a warning."""
    try:
        return _resolve_match(m, published, modality, published_precision, year_of)
    except (ValueError, OverflowError) as exc:
        logger.warning("date %r cannot be resolved (%s); left unknown", m.group(0), exc)
        return None


def _year_ok(year: int, text: str) -> bool:
    lo, hi = YEAR_RANGE
    if lo <= year <= hi:
        return True
    logger.warning("year %d in %r is outside %d-%d; the date is left unknown", year, text, lo, hi)
    return False


def _resolve_match(
    m: re.Match[str],
    published: _dt.date | None,
    modality: str,
    published_precision: str,
    year_of: Mapping[tuple[int, int | None], int] | None = None,
) -> ResolvedDate | None:
    basis = m.group(0).strip()
    if m.group("num"):  # 2024.6.30, 2024-06-30, 2024/6/30
        ny = int(m.group("ny"))
        written = _safe_date(ny, int(m.group("nm")), int(m.group("nd"))) if _year_ok(ny, basis) else None
        return ResolvedDate(written, "day", basis) if written else None
    if m.group("decade"):  # 上世纪90年代: the decade of the last century, as a range of years
        start = 1900 + int(parse_cn_number(m.group("dn")) or 0)
        return ResolvedDate(_dt.date(start, 1, 1), "range", basis, _dt.date(start + 9, 12, 31))
    if m.group("range"):
        y1, y2 = int(m.group("r1")), int(m.group("r2"))
        if y2 < y1:
            return None
        return ResolvedDate(_dt.date(y1, 1, 1), "range", basis, _dt.date(y2, 12, 31))
    if m.group("fyp"):
        n = int(parse_cn_number(m.group("fypn")) or 0)
        if n < 3:
            return None
        start = 1966 + 5 * (n - 3)
        if m.group("fypend"):  # “十四五”末, 期末: the plan's last year
            return ResolvedDate(_dt.date(start + 4, 1, 1), "year", basis, _dt.date(start + 4, 12, 31))
        return ResolvedDate(_dt.date(start, 1, 1), "range", basis, _dt.date(start + 4, 12, 31))
    if m.group("recent"):
        # 近两年, 过去三年: the years before the publication, up to its own
        if published is None:
            return None
        n = int(parse_cn_number(m.group("rn")) or 0)
        if n < 1:
            return None
        return ResolvedDate(_dt.date(published.year - n, 1, 1), "range", basis, _dt.date(published.year, 12, 31))
    if m.group("rep"):
        if published is None:
            return None
        return _relative_period(published, published_precision, basis)
    if m.group("rmd"):
        # 本月25日, 下月3日: a day of the publication month (the month after, before it)
        if published is None or published_precision not in ("day", "reported"):
            return None
        word = m.group("rmd")
        first = _shift_month(published, 1 if word.startswith("下") else -1 if word.startswith("上") else 0)
        that_day = _safe_date(first.year, first.month, int(m.group("rmdd")))
        return ResolvedDate(that_day, "day", basis) if that_day else None
    if m.group("rmon"):
        if published is None or published_precision not in ("day", "reported"):
            return None
        word = m.group("rmon")
        if word.endswith("前"):  # 月底前: by the end of the publication month
            return ResolvedDate(_month_end(published.year, published.month), "deadline", basis)
        if "底" in word or "末" in word:  # 月底: the end of the publication month, that month
            return month_of(published, basis)
        return month_of(_shift_month(published, -1 if word.startswith("上") else 1), basis)
    if m.group("rd"):
        if published is None or published_precision not in ("day", "reported"):
            return None
        # 明起 / 今起 (from tomorrow, from today) as 明天起 / 今天起
        delta = {"前天": 2, "昨天": 1, "昨日": 1, "明天": -1, "明日": -1, "明": -1, "后天": -2}.get(m.group("rd"), 0)
        return ResolvedDate(published - _dt.timedelta(days=delta), "day", basis)
    if m.group("rw"):
        # 本周六, 下周一, 上星期五: a weekday of the publication's week (Monday to Sunday), or
        # of the week after (before) it
        if published is None or published_precision not in ("day", "reported"):
            return None
        word = m.group("rw")
        weeks = 1 if word.startswith("下") else -1 if word.startswith("上") else 0
        weekday = "一二三四五六".find(m.group("wd"))
        monday = published - _dt.timedelta(days=published.weekday())
        return ResolvedDate(monday + _dt.timedelta(days=7 * weeks + (6 if weekday < 0 else weekday)), "day", basis)
    if m.group("dd"):
        # a day of the month without its month (记者18日获悉): the publication month, or the
        # month before (after) it as for a month without a year
        if published is None or published_precision not in ("day", "reported"):
            return None
        day = int(m.group("dd"))
        for months in (0, -1, 1) if modality != "expected" else (0, 1, -1):
            first = _shift_month(published, months)
            cand = _safe_date(first.year, first.month, day)
            if cand is None:
                continue
            if modality == "expected" and cand >= published - _dt.timedelta(days=1):
                return ResolvedDate(cand, "day", basis)
            if modality != "expected" and (cand <= published or (cand - published).days <= 3):
                return ResolvedDate(cand, "day", basis)
        return None

    if m.group("rsy"):
        # 今春, 明秋, 去冬: a season of the publication's year (the year after, before it)
        if published is None:
            return None
        season_year = published.year + {"今": 0, "明": 1, "去": -1}[m.group("rsy")]
        return _season_date(m.group("rss"), season_year, published, published_precision, modality, basis)

    year: int | None = None
    explicit_year = False
    if m.group("y"):
        ytext = m.group("y")
        year = int(ytext) if ytext.isdigit() else int(parse_cn_number(ytext) or 0)
        if not _year_ok(year, basis):
            return None
        explicit_year = True
    elif m.group("ry"):
        if published is None:
            return None
        offset = {"去年": -1, "前年": -2, "明年": 1, "后年": 2}.get(m.group("ry"), 0)
        year = published.year + offset
        explicit_year = True

    if m.group("season"):
        return _season_date(m.group("season")[0], year, published, published_precision, modality, basis)

    if m.group("hol"):
        return _holiday_date(
            m.group("hol"), m.group("hpart") or "", year, published, published_precision, modality, basis
        )

    if m.group("m"):
        month = _month_num(m.group("m"))
        if not 1 <= month <= 12:
            return None
        dtext = m.group("d")
        mday = (int(dtext) if dtext.isdigit() else int(parse_cn_number(dtext) or 0)) if dtext else None
        if not explicit_year:
            if m.group("m")[0] in "一二三四五六七八九十" and mday is None and m.group("mpart") != "份":
                return None  # bare Chinese month (e.g. 一月) is too ambiguous without a year
            if published is None:
                # no publication date: only the document itself can give the year, where it
                # writes the same month (and day) with one (2020年10月26日 ... 10月26日起)
                hint = (year_of or {}).get((month, mday))
                if hint is None:
                    return None
                year = hint
                explicit_year = True
        if not explicit_year:
            assert published is not None
            ref = published
            if published_precision not in ("day", "reported") and modality != "expected":
                ref = period_end(published, published_precision)
            year = _infer_year(ref, month, mday, modality)
        assert year is not None
        if not _year_ok(year, basis):
            return None
        if mday is not None:
            date = _safe_date(year, month, mday)
            if date is None:
                return None
            if m.group("dby") in ("前后", "左右"):  # 6月30日前后: around the day, its month
                return month_of(date, basis)
            # 6月30日前: by that day, a deadline
            return ResolvedDate(date, "deadline" if m.group("dby") else "day", basis)
        end = _month_end(year, month)
        if m.group("mpart") == "底前":  # 6月底前: by the end of June
            return ResolvedDate(end, "deadline", basis)
        # 6月底 (6月末): the end of June, dated as that month, as 年底 is December
        return ResolvedDate(_dt.date(year, month, 1), "month", basis, end)

    part = m.group("ypart")
    if not explicit_year:
        if part not in ("年底前", "年底", "年末", "年内", "上半年", "下半年", "年初") and not (part and "季度" in part):
            return None
        if published is None:
            return None
        year = published.year
    assert year is not None
    if not _year_ok(year, basis):
        return None
    if part in ("年底", "年末", "底", "末"):  # 2025年年底 = 2025年底: December 2025 (a month, as 年初 is a quarter)
        return ResolvedDate(_dt.date(year, 12, 1), "month", basis, _dt.date(year, 12, 31))
    if part in ("年底前", "年内", "底前", "内"):  # 2025年底前 = 2025年年底前: by 31 December
        return ResolvedDate(_dt.date(year, 12, 31), "deadline", basis)
    if part == "上半年":
        return ResolvedDate(_dt.date(year, 1, 1), "half", basis, _dt.date(year, 6, 30))
    if part == "下半年":
        return ResolvedDate(_dt.date(year, 7, 1), "half", basis, _dt.date(year, 12, 31))
    if part == "年初":
        return ResolvedDate(_dt.date(year, 1, 1), "quarter", basis, _dt.date(year, 3, 31))
    if part and "季" in part:  # 第二季度; 明年第二季 (Taiwan and Hong Kong usage, after a year only)
        if part == "前三季度":
            return ResolvedDate(_dt.date(year, 1, 1), "quarter", basis, _dt.date(year, 9, 30))
        q = int(parse_cn_number(part.replace("第", "")[0]) or 1)
        return ResolvedDate(_dt.date(year, 3 * q - 2, 1), "quarter", basis, _month_end(year, 3 * q))
    return ResolvedDate(_dt.date(year, 1, 1), "year", basis, _dt.date(year, 12, 31))


#: The months of a season (``春季`` March to May ... ``冬季`` December to February).
_SEASON_MONTHS = {"春": 3, "夏": 6, "秋": 9, "冬": 12}


def _season_date(
    season: str,
    year: int | None,
    published: _dt.date | None,
    published_precision: str,
    modality: str,
    basis: str,
) -> ResolvedDate | None:
    """``2025年春季`` (March to May 2025), ``秋天``: the three months of a season, precision
    ``quarter`` (winter runs from December into the next year's February). Without a year,
    a forecast takes the first season that has not ended by the publication, a fact the last
    that has begun by it."""

    def period(y: int) -> tuple[_dt.date, _dt.date]:
        start = _dt.date(y, _SEASON_MONTHS[season], 1)
        last = _shift_month(start, 3) - _dt.timedelta(days=1)
        return start, last

    if year is None:
        year = _year_near(
            published, published_precision, modality, lambda y: period(y)[0], lambda y: period(y)[1], ahead=False
        )
        if year is None:
            return None
    start, last = period(year)
    return ResolvedDate(start, "quarter", basis, last)


def _year_near(
    published: _dt.date | None,
    published_precision: str,
    modality: str,
    first: Callable[[int], _dt.date],
    last: Callable[[int], _dt.date],
    *,
    ahead: bool,
) -> int | None:
    """The year of a yearly period written without one (a season, a holiday: ``first`` and
    ``last`` give its days in a year), as :func:`_infer_year` reads a month-day: a forecast
    the first that has not ended by ``published``, a fact the last that has begun by it,
    unless (with ``ahead``) the next begins within :data:`_AHEAD_DAYS` days after it.
    ``None`` without a publication day to read it from."""
    if published is None or published_precision not in ("day", "reported"):
        return None
    years = [published.year - 1, published.year, published.year + 1]
    if modality == "expected":
        return next(y for y in years if last(y) >= published)
    year = [y for y in years if first(y) <= published][-1]
    if ahead and 0 < (first(year + 1) - published).days <= _AHEAD_DAYS["day"]:
        year += 1
    return year


def _holiday_day(name: str, year: int) -> _dt.date:
    """The day of a public holiday in ``year`` (lunar holidays through :mod:`borax`)."""
    for key, (month, day) in _SOLAR_HOLIDAYS.items():
        if name.startswith(key):  # 国庆节, 五一劳动节
            return _dt.date(year, month, day)
    from borax.calendars.lunardate import LunarDate

    month, day = _LUNAR_HOLIDAYS[name if name in _LUNAR_HOLIDAYS else name[:-1]]  # 中秋节 = 中秋
    solar: _dt.date = LunarDate(year, month, day).to_solar_date()
    return solar


def _holiday_date(
    name: str,
    part: str,
    year: int | None,
    published: _dt.date | None,
    published_precision: str,
    modality: str,
    basis: str,
) -> ResolvedDate | None:
    """``国庆节前`` (by 30 September), ``春节期间`` (the month of the Spring Festival),
    ``元旦当天``: a holiday of ``year``, or without a year the one a statement of ``modality``
    made on ``published`` means (as :func:`_infer_year` reads a month-day: a forecast the
    first whose date has not passed, a fact the last that has come, unless the next comes
    within :data:`_AHEAD_DAYS` days). ``前后`` (around the holiday) is no date."""
    if part == "前后":
        return None
    deadline = part in ("前", "之前", "前夕")

    def anchor(y: int) -> _dt.date:
        day = _holiday_day(name, y)
        return day - _dt.timedelta(days=1) if deadline else day

    if year is None:
        year = _year_near(published, published_precision, modality, anchor, anchor, ahead=True)
        if year is None:
            return None
    if deadline:
        return ResolvedDate(anchor(year), "deadline", basis)
    if part in ("期间", "假期", "小长假", "长假", "黄金周"):
        return month_of(anchor(year), basis)
    return ResolvedDate(anchor(year), "day", basis)


def date_matches(text: str) -> list[re.Match[str]]:
    """The non-empty matches of the date grammar in ``text`` (before resolution), in order."""
    return [m for m in _DATE_RE.finditer(text) if m.end() > m.start()]


def find_dates(
    text: str,
    published: _dt.date | None,
    *,
    modality: str = "actual",
    published_precision: str = "day",
    year_of: Mapping[tuple[int, int | None], int] | None = None,
    matches: list[re.Match[str]] | None = None,
) -> list[tuple[int, int, ResolvedDate]]:
    """Find and resolve every date expression in ``text``.

    Parameters
    ----------
    text : str
        Text with half-width digits (a clause or a sentence).
    published : datetime.date or None
        Publication date of the document; relative expressions are dropped without it.
    modality : {'actual', 'expected'}, default 'actual'
        Modality of the statement, used to infer the year of a month without a year.
    published_precision : str, default 'day'
        Precision of ``published``. When coarser than a day (a publication date known only
        to the year), year inference treats the publication as the end of that period for
        actual statements and as its start for expected ones.
    year_of : mapping, optional
        ``(month, day or None) -> year`` that the document itself writes out (see
        :func:`explicit_years`): used only when ``published`` is ``None``, so a month-day
        without a year takes the year the document gives that same date elsewhere, and
        stays unknown otherwise.
    matches : list of re.Match, optional
        :func:`date_matches` of ``text``, when already computed (resolving the same text
        for both modalities).

    Returns
    -------
    list of (start, end, ResolvedDate)
        Offsets into ``text``, in text order.
    """
    found: list[tuple[int, int, ResolvedDate]] = []
    for m in matches if matches is not None else date_matches(text):
        following = text[m.end() : m.end() + 1]
        if following == "版" or (m.start() > 0 and text[m.start() - 1] == "第"):
            continue
        if (m.group("d") or m.group("dd")) and _DATELINE_RE.match(text, m.end()):
            continue  # a dateline (新华社北京3月2日电): the report's date, never an event's
        if m.group("m") and not (m.group("y") or m.group("ry")) and _BAD_YEAR_BEFORE_RE.search(text, 0, m.start()):
            logger.warning("date %r follows a year outside %d-%d; left unknown", text[m.start() : m.end()], *YEAR_RANGE)
            continue  # 9999年12月: the month of an implausible year is no date either
        resolved = _from_match(m, published, modality, published_precision, year_of)
        if resolved is not None:
            found.append((m.start(), m.end(), resolved))
    return found


def explicit_years(text: str) -> dict[tuple[int, int | None], int]:
    """The years a text writes out for its months and days: ``(month, day) -> year`` for each
    ``YYYY年M月D日`` and ``(month, None) -> year`` for each ``YYYY年M月``, where that is unique.

    Parameters
    ----------
    text : str
        Text with half-width digits.

    Returns
    -------
    dict
        Only the dates whose year the text gives one way.
    """
    seen: dict[tuple[int, int | None], set[int]] = {}
    for m in _DATE_RE.finditer(text):
        if not m.group("y") or not m.group("m"):
            continue
        r = _from_match(m, None, "actual")
        if r is None:
            continue
        day = r.date.day if r.precision == "day" else None
        seen.setdefault((r.date.month, day), set()).add(r.date.year)
        seen.setdefault((r.date.month, None), set()).add(r.date.year)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


def resolve_date(
    text: str,
    published: _dt.date | None,
    *,
    modality: str = "actual",
    published_precision: str = "day",
) -> ResolvedDate | None:
    """Resolve the first date expression in ``text``.

    Parameters
    ----------
    text : str
        e.g. ``'今年9月26日'``, ``'6月份'``, ``'年底前'``, ``'2021年至2025年'``.
    published : datetime.date or None
        Publication date of the document.
    modality : {'actual', 'expected'}, default 'actual'
        See :func:`find_dates`.
    published_precision : str, default 'day'
        See :func:`find_dates`.

    Returns
    -------
    ResolvedDate or None
    """
    text = text.translate(_FULLWIDTH_DIGITS)
    found = find_dates(text, published, modality=modality, published_precision=published_precision)
    return found[0][2] if found else None


def parse_as_of(text: str | _dt.date) -> _dt.date:
    """Parse an as-of date: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    A year or month means its last day (the state at the end of that period).

    Raises
    ------
    UsageError
        The text is not such a date (a ValueError).
    """
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    s = str(text).strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", s)
    if m:
        y = int(m[1])
        try:
            if m[3]:
                return _dt.date(y, int(m[2]), int(m[3]))
            if m[2]:
                mo = int(m[2])
                return _dt.date(y, mo, calendar.monthrange(y, mo)[1])
            return _dt.date(y, 12, 31)
        except (ValueError, calendar.IllegalMonthError):
            pass
    raise UsageError(f"cannot parse date {text!r}: use YYYY, YYYY-MM or YYYY-MM-DD")


def to_date(value: Any) -> _dt.date | None:
    """A stored date as a :class:`datetime.date`, at the *start* of its period.

    Accepts a date, a datetime (its date), a year as ``int``, or ISO text ``YYYY``,
    ``YYYY-MM`` or ``YYYY-MM-DD[...]`` (``YYYY`` -> 1 January, ``YYYY-MM`` -> the 1st).
    Missing values and text that is not such a date give ``None``; an out-of-range
    year (beyond 1-9999) gives ``None`` too, never an exception.
    """
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return _dt.date(value, 1, 1)
        text = str(value).strip()
        m = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
        if not m:
            return None
        return _dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except (ValueError, OverflowError, TypeError):
        return None


def iso_date(value: Any) -> str | None:
    """ISO ``YYYY-MM-DD`` text of a stored date (see :func:`to_date`); ``None`` if missing.

    Text that already starts with an ISO date is cut to it; other text is returned unchanged.
    """
    from geo.schema import is_missing  # here, so that parsing a date needs no numpy (fast CLI start)

    if is_missing(value):
        return None
    if isinstance(value, _dt.datetime):  # pandas.Timestamp too
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = str(value)
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else text
