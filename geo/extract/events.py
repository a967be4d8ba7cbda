"""Status events: the status keyword of a clause goes to its head mention.

Within a clause, ``、`` lists share the predicate that follows them unless each item
carries its own; the head is the last mention before the keyword and the mentions
coordinated with it, or in a verb-first clause the first mention after it. A clause
with a keyword but no mention takes the subject of the previous clause of the same
sentence. Modality comes from explicit markers, a date after publication, work-plan
sections and speech paragraphs; dates from :mod:`geo.dates`, else the publication
date (``reported``).
"""

from __future__ import annotations

import bisect
import datetime as _dt
import functools
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import pairwise
from typing import Any

from geo.dates import NOW_WORDS, ResolvedDate, date_matches, month_of, parse_cn_number, reported
from geo.extract.context import DocContext, document_context
from geo.extract.lexicon import (
    ACTUAL_RE,
    AFTER_CLAUSE_RE,
    AREA_KINDS,
    BUS_ONLY_RE,
    COORD_RE,
    DATE_HINT_RE,
    ENDPOINT_RE,
    EXPECTED_RE,
    FORECAST_KEYWORD_RE,
    LEADING_FILLER_RE,
    NATURAL_KINDS,
    NEWS_LEAD_RE,
    NO_EVENT_KINDS,
    PLAN_VERB_RE,
    PURE_DATE_FILLER_RE,
    STATUS_PATTERNS,
    has_status,
    is_question,
    status_in,
)
from geo.extract.mentions import Matcher, build_matcher, document_mentions
from geo.extract.normalise import PINYIN_ARTIFACT_RE
from geo.extract.provisional import provisional_kind
from geo.extract.records import Event, Mention
from geo.extract.scan import scan_fast
from geo.extract.segment import Clause
from geo.extract.unknowns import names_other_subject

__all__ = ["events_in", "find_events"]

#: A status keyword found in a segment: (status, start, end).
_Status = tuple[str, int, int]


def _after_clause(ctx: DocContext, clause_index: int) -> bool:
    """Whether an earlier clause of the sentence is a temporal "after X" (``该工程通车后，…``)."""
    key = ("after", clause_index)
    if key not in ctx.memo:
        ctx.memo[key] = _after_clause_uncached(ctx, clause_index)
    return bool(ctx.memo[key])


def _after_clause_uncached(ctx: DocContext, clause_index: int) -> bool:
    clauses = ctx.seg.clauses
    si = clauses[clause_index].sentence
    j = clause_index - 1
    while j >= 0 and clauses[j].sentence == si:
        c = clauses[j]
        if AFTER_CLAUSE_RE.search(ctx.norm[c.start : c.end]):
            return True
        j -= 1
    return False


def _modality(
    ctx: DocContext,
    clause: Clause,
    segment: tuple[int, int] | None = None,
    *,
    keyword: str = "",
    clause_index: int | None = None,
) -> tuple[str, bool]:
    """Modality of a clause segment (offsets in the document; the whole clause when
    ``None``) and whether it was explicit. The cues are read with the names that hold a
    marker blanked (:meth:`geo.extract.context.DocContext.cue_text`)."""
    if keyword and FORECAST_KEYWORD_RE.match(keyword):
        return "expected", True  # 具备通车条件: ready to open, the opening is to come
    if clause_index is not None and _after_clause(ctx, clause_index):
        return "expected", True  # 该工程通车后，将实现…: the consequence of a future event
    ctext = ctx.cue_text(clause.start, clause.end)
    segtext = ctext if segment is None else ctx.cue_text(*segment)
    seg_exp, seg_act, _ = _modality_cues(segtext)
    ctx_exp, ctx_act, plan_verb = _modality_cues(ctext)
    exp = seg_exp or ctx_exp
    act = seg_act if seg_act is not None else ctx_act
    if act is not None and act.startswith("已"):
        return "actual", True
    if exp:
        return "expected", True
    if act is not None:
        return "actual", True
    if clause.paragraph in ctx.speech_paragraphs:
        return "expected", False
    if plan_verb and ctx.seg.sections[clause.paragraph] in ctx.plan_sections:
        return "expected", False
    if ctx.seg.sections[clause.paragraph] in ctx.plan_document_sections:
        return "expected", False  # a work-plan document: what it says without a marker is a target
    return "actual", False


def _date_reading(keyword: str, text: str, kw_start: int, modality: str) -> str:
    """The modality a statement's date is read in: its own, except for a readiness that
    has been reached (``已于2月底具备通车条件``): the opening is to come, but the date is
    that of the readiness, a past one (not next February)."""
    if modality == "expected" and FORECAST_KEYWORD_RE.match(keyword) and ACTUAL_RE.search(text, 0, kw_start):
        return "actual"
    return modality


def _clause_statement(ctx: DocContext, ci: int, ctext: str, st: _Status) -> tuple[str, str, ResolvedDate | None]:
    """The keyword text, modality and date of the statement ``st`` of clause ``ci`` (text
    ``ctext``) taken as a whole: a clause whose subject is left out, a group or a part."""
    clause = ctx.seg.clauses[ci]
    kw_text = ctext[st[1] : st[2]]
    modality, explicit = _modality(ctx, clause, keyword=kw_text, clause_index=ci)
    if not explicit and _forecast_before(ctx, ci):
        modality = "expected"  # 甲路拟于春季开工，秋季完工: the plan goes on in the bare predicate
    modality, rd = _dated_statement(
        ctx, ci, ctext, 0, (st[1], st[2]), modality, explicit, _date_reading(kw_text, ctext, st[1], modality)
    )
    return kw_text, modality, rd


def _dated_statement(
    ctx: DocContext,
    ci: int,
    ctext: str,
    offset: int,
    keyword: tuple[int, int],
    modality: str,
    explicit: bool,
    reading: str,
) -> tuple[str, ResolvedDate | None]:
    """The modality and date of a statement: its keyword at ``keyword`` (offsets in the
    segment that starts ``offset`` characters into clause ``ci``, text ``ctext``), its
    modality as read (``explicit`` when a marker says it) and the modality its date is read
    in.

    The date is chosen by precedence (:func:`_choose_date`) and, where the text says how long
    ago the event was (``开通满一周年``), moved back (:func:`_elapsed_since`). A forecast by
    default only (a plan section, a work-plan document) whose own date, or whose context's
    date read as a fact, ended before the publication is a fact it recounts
    (``2024年，甲路建成通车`` in a 2025 work plan). A dated fact after the publication is a
    forecast (:func:`_check_future`)."""
    ks, ke = keyword
    rd = _choose_date(ctx, ci, ctext, offset, ks, reading)
    default_forecast = not explicit and modality == "expected"
    if default_forecast and (rd is None or rd.precision == "reported"):
        past = _choose_date(ctx, ci, ctext, offset, ks, "actual")
        if _ended_before_publication(ctx, past):
            rd = past  # the context dates it in the past: not the time a forecast was made
    rd = _elapsed_since(ctx, ci, ctext, offset + ks, offset + ke, modality, rd)
    rd = _after_works_took(ctx, ci, ctext, offset + ks, rd)
    if default_forecast and _ended_before_publication(ctx, rd):
        modality = "actual"
    return _check_future(ctx, rd, modality), rd


def _ended_before_publication(ctx: DocContext, rd: ResolvedDate | None) -> bool:
    """Whether ``rd`` is a date the text gives (not the publication's own period) that ended
    before the latest day the document can have been published."""
    latest = ctx.pub_latest
    return (
        rd is not None
        and latest is not None
        and rd.precision not in ("reported", "unknown")
        and not rd.basis.startswith("reported")
        and rd.last_day < latest
    )


def _forecast_before(ctx: DocContext, ci: int) -> bool:
    """Whether the last earlier clause of the sentence that holds a status keyword states a
    forecast (a forecast marker and no actuality marker): a clause without a cue of its own
    and without a subject continues it."""
    clauses = ctx.seg.clauses
    j = ci - 1
    while j >= 0 and clauses[j].sentence == clauses[ci].sentence:
        text = ctx.norm[clauses[j].start : clauses[j].end]
        if has_status(text):
            exp, act, _ = _modality_cues(ctx.cue_text(clauses[j].start, clauses[j].end))
            return exp and act is None
        j -= 1
    return False


@functools.lru_cache(maxsize=1 << 16)
def _modality_cues(text: str) -> tuple[bool, str | None, bool]:
    """The text-only cues of :func:`_modality` for a clause or segment (computed once per
    distinct text): whether it holds a forecast marker, its first actuality marker, and
    whether it opens with a plan verb once its leading filler is removed."""
    exp = EXPECTED_RE.search(text)
    act = ACTUAL_RE.search(text)
    plan_verb = PLAN_VERB_RE.match(LEADING_FILLER_RE.sub("", text.strip())) is not None
    return exp is not None, (act.group(0) if act is not None else None), plan_verb


#: How long before the publication a date borrowed from another clause may end and still be
#: the time the statement was made rather than a date of what it forecasts (days).
_RECENT_STATEMENT_DAYS = 31


def _borrowed_dates(ctx: DocContext, start: int, end: int, modality: str) -> list[tuple[int, int, ResolvedDate]]:
    """The dates of another clause (a lead adverbial, a report, the statement a consequence
    follows) as a clause of ``modality`` borrows them.

    A forecast reads a month or day without a year forward (``将于2月开通`` in a March
    article is next February), but a borrowed date is first the time of the statement it
    stands in: ``记者2月20日获悉，甲线即将开通`` (published 1 March) was said on 20 February,
    not a forecast for next year's. So a borrowed date whose past reading ended within
    :data:`_RECENT_STATEMENT_DAYS` before the publication keeps that reading (which then
    cannot date the forecast, see :func:`_past_for_forecast`).
    """
    found = ctx.dates(start, end, modality)
    if modality != "expected" or not found or ctx.published is None:
        return found
    past = {(s, e): rd for s, e, rd in ctx.dates(start, end, "actual")}
    horizon = ctx.published - _dt.timedelta(days=_RECENT_STATEMENT_DAYS)
    out = []
    for s, e, rd in found:
        said = past.get((s, e))
        if said is not None and said.date <= ctx.published and said.last_day >= horizon and said.date < rd.date:
            rd = said
        out.append((s, e, rd))
    return out


def _sentence_lead_date(ctx: DocContext, clause_index: int, modality: str) -> ResolvedDate | None:
    """Date of a pure time-adverbial clause earlier in the same sentence (``今年，…``), or of
    a date closing the clause just before (``据报道 昨天上午，…``)."""
    clauses = ctx.seg.clauses
    si = clauses[clause_index].sentence
    j = clause_index - 1
    while j >= 0 and clauses[j].sentence == si:
        c = clauses[j]
        ctext = ctx.norm[c.start : c.end]
        found = _borrowed_dates(ctx, c.start, c.end, modality)
        if found:
            if j == clause_index - 1 and found[-1][1] >= len(ctext.rstrip()):
                return found[-1][2]  # 新华社记者某某摄 昨天上午，甲通航: the date just before the clause
            rest = ctext
            for s, e, _ in reversed(found):
                rest = rest[:s] + rest[e:]
            if PURE_DATE_FILLER_RE.match(NEWS_LEAD_RE.sub("", rest, count=1)):
                return found[-1][2]
        j -= 1
    return None


#: A leading clause dated by the event its subject has lived since (``自2022年12月30日开通以来``,
#: ``从去年底通车后``): its subject is the next clause's.
_SINCE_LEAD_RE = re.compile(r"^\s*(?:自|从|于)")
_SINCE_TAIL_RE = re.compile(r"(?:运营|运行|使用)?(?:以来|至今|后)\s*$")


def _subject_after_since(
    ctx: DocContext, ci: int, ctext: str, st: _Status, by_clause: Mapping[int, list[tuple[int, int, str]]]
) -> list[str]:
    """``自2022年12月30日开通以来，甲线运行平稳``: a clause that opens with 自/从/于, holds only a date
    and a keyword and ends with 以来 (后, 至今) is about the feature the next clause of its
    sentence opens with."""
    if not _SINCE_LEAD_RE.match(ctext) or not _SINCE_TAIL_RE.match(ctext, st[2]):
        return []
    clauses = ctx.seg.clauses
    if ci + 1 >= len(clauses) or clauses[ci + 1].sentence != clauses[ci].sentence:
        return []
    nxt = by_clause.get(ci + 1, [])
    if not nxt or not _TOPIC_PREFIX_RE.match(ctx.norm[clauses[ci + 1].start : nxt[0][0]]):
        return []
    return [nxt[0][2]]


#: A day named by reference to the last one the text gave (``于同日撤销``, ``当日``, ``同一天``).
_SAME_DAY_RE = re.compile(r"同日|同一天|当日|当天")


def _same_day_date(ctx: DocContext, clause_index: int, ctext: str, modality: str) -> ResolvedDate | None:
    """``816路将于7月1日起延伸，930路则于同日撤销``: ``同日`` (``当日``, ``同一天``) is the last day
    the text gave before it, in its sentence or the sentences of its paragraph before it."""
    if not _SAME_DAY_RE.search(ctext):
        return None
    clauses = ctx.seg.clauses
    paragraph = clauses[clause_index].paragraph
    j = clause_index - 1
    while j >= 0 and clauses[j].paragraph == paragraph:
        days = [f for f in _borrowed_dates(ctx, clauses[j].start, clauses[j].end, modality) if f[2].precision == "day"]
        if days:
            return days[-1][2]
        j -= 1
    return None


def _paragraph_lead_date(ctx: DocContext, clause_index: int, modality: str) -> ResolvedDate | None:
    """Date of a pure time adverbial opening the paragraph (``今年以来，…。A开通运营``)."""
    clauses = ctx.seg.clauses
    pi = clauses[clause_index].paragraph
    j = clause_index
    while j > 0 and clauses[j - 1].paragraph == pi:
        j -= 1
    if j == clause_index or clauses[j].sentence == clauses[clause_index].sentence:
        return None
    c = clauses[j]
    ctext = ctx.norm[c.start : c.end]
    found = _borrowed_dates(ctx, c.start, c.end, modality)
    if not found:
        return None
    rest = ctext
    for s, e, _ in reversed(found):
        rest = rest[:s] + rest[e:]
    return found[-1][2] if PURE_DATE_FILLER_RE.match(rest) else None


def _sentence_scope_date(ctx: DocContext, clause_index: int, modality: str) -> ResolvedDate | None:
    """``今年甲将初见成效，乙将全面通车，丙将启动建设``: a date opening an earlier clause of the
    sentence (a sentence-initial time adverbial) scopes over the parallel clauses after it
    that have no date of their own; the nearest such clause counts, and only when no
    clause between them carries a date elsewhere than at its opening."""
    clauses = ctx.seg.clauses
    si = clauses[clause_index].sentence
    j = clause_index - 1
    while j >= 0 and clauses[j].sentence == si:
        c = clauses[j]
        found = _borrowed_dates(ctx, c.start, c.end, modality)
        if found:
            text = ctx.norm[c.start : c.end]
            lead = NEWS_LEAD_RE.match(text)
            opening = lead.end() if lead else len(text) - len(text.lstrip())
            if found[0][0] <= opening:
                return found[0][2]
            # 甲线目前加紧施工，4座车站主体完工: a time adverbial right after the
            # subject scopes over the facts that follow it too
            rd = found[0][2]
            here = clauses[clause_index]
            if (
                modality == "actual"
                and not _GOING_ON_RE.search(ctx.norm, here.start, here.end)
                and _SUBJECT_ONLY_RE.match(text[opening : found[0][0]])
                and not has_status(text[: found[0][0]])
                and not EXPECTED_RE.search(text)
                and ctx.published is not None
                and rd.date <= ctx.published
            ):
                return rd  # a fact, dated no later than the report
            return None
        j -= 1
    return None


#: Works said to go on now (``辅路正在加紧施工``): the present, not the date of a clause before.
_GOING_ON_RE = re.compile(r"正在|仍在|还在|现正")
#: What may stand before a subject's time adverbial (``甲线目前…``): a short name, no verb.
_SUBJECT_ONLY_RE = re.compile(r"^[\u4e00-\u9fff\w()（）\-]{2,16}$")


def _past_for_forecast(ctx: DocContext, rd: ResolvedDate, modality: str) -> bool:
    """Whether a date borrowed from context (a report date, a lead adverbial) cannot date a
    forecast: it ends by the publication date (``昨天上午，…。甲将全面通车``: the day it was
    said, not the day it will happen)."""
    if modality != "expected" or ctx.published is None or rd.precision in ("reported", "unknown"):
        return False
    return rd.last_day < ctx.published or (rd.precision == "day" and rd.date <= ctx.published)


_REPORT_VERB_RE = re.compile(r"获悉|了解到|获知|得知|传来|宣布|发布|透露|介绍|表示|称|通报|召开|举行|消息")


def _report_date(ctx: DocContext, clause_index: int, modality: str) -> ResolvedDate | None:
    """``记者7月23日从某某获悉，甲线正加速建设``: the date of the report (a date in an earlier
    clause of the sentence that has a reporting verb) dates what it reports."""
    clauses = ctx.seg.clauses
    si = clauses[clause_index].sentence
    j = clause_index - 1
    while j >= 0 and clauses[j].sentence == si:
        c = clauses[j]
        text = ctx.norm[c.start : c.end]
        if _REPORT_VERB_RE.search(text):
            found = ctx.dates(c.start, c.end, "actual")  # a report is made by its publication
            if found and found[-1][2].precision in ("day", "month"):
                return found[-1][2]
        j -= 1
    return None


#: A clause saying what the previous statement marks (``标志着``, ``意味着``, ``代表着``);
#: ``代表`` not as a noun (``代表们``, ``代表团``, ``人大代表``).
_CONSEQUENCE_LEAD = r"(?:这|此|也|这也|此举|这一|此次)*(?:标志着|意味着|标志|代表着|代表(?![们团处队委会性作]))"
_CONSEQUENCE_RE = re.compile(r"^\s*" + _CONSEQUENCE_LEAD)


def _marked_consequence_date(ctx: DocContext, clause_index: int, ctext: str, modality: str) -> ResolvedDate | None:
    """``甲6月28日顺利出洞，标志着乙隧道贯通``: a clause that says what the previous statement
    marks takes that statement's date (the last date of the previous clauses of its sentence,
    else of the previous sentence)."""
    if not _CONSEQUENCE_RE.match(ctext):
        return None
    clauses = ctx.seg.clauses
    si = clauses[clause_index].sentence
    j = clause_index - 1
    while j >= 0 and clauses[j].sentence >= si - 1:
        c = clauses[j]
        found = _borrowed_dates(ctx, c.start, c.end, modality)
        if found:
            return found[-1][2]
        j -= 1
    return None


def _now_of_report(ctx: DocContext, clause_index: int, rd: ResolvedDate) -> ResolvedDate:
    """``记者2月27日从某委获悉，某委近日批复甲线…`` (published 1 March): ``近日`` (``目前``, ``日前``...)
    is the time of the report the sentence opens with (its reporting clause's date, or the
    sentence's lead date: ``2月27日，记者获悉，…``), so its month is the report's (February),
    not the publication's. Any other date is returned as it is."""
    if rd.basis not in NOW_WORDS or rd.precision != "month":
        return rd
    said = _report_date(ctx, clause_index, "actual") or _sentence_lead_date(ctx, clause_index, "actual")
    if said is None or said.precision != "day" or said.date >= rd.date:
        return rd
    return month_of(said.date, rd.basis)


#: The time since a statement's event, right after its keyword (``开通运营满一周年``,
#: ``开工两年来``, ``通车3个多月以来``): the event lies that long before the statement.
_ELAPSED_RE = re.compile(
    r"(?:运营|运行|建设|使用|以后|后)?(?:已经|已|至今|迄今)?(?P<full>满|整)?"
    r"(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,3})(?P<more>多)?(?P<unit>周年|个多月|个月|年)(?P<more2>多)?(?P<since>来|以来|之际)?"
)

#: The time since a statement's event without its length (``开通以来``, ``通车运营至今``).
_SINCE_RE = re.compile(r"(?:运营|运行|使用)?(?:以来|至今)")


def _elapsed_since(
    ctx: DocContext, ci: int, ctext: str, kw_start: int, kw_end: int, modality: str, rd: ResolvedDate | None
) -> ResolvedDate | None:
    """The date of a fact its clause dates by the time elapsed since it (``甲线开通运营满一周年``,
    published March 2025: the opening was in March 2024). A whole count of years or months
    (``满一周年``, ``满3个月``) puts the event that long before the statement, at month
    precision; a loose one (``开工两年来``, ``一年多来``) leaves its date unknown rather than give
    it the date of the statement. A date written before the keyword (``2024年3月开通，运营满一
    年``) is the event's own and is kept; ``开通以来`` (no length) leaves the date unknown."""
    if modality != "actual":
        return rd
    m = _ELAPSED_RE.match(ctext, kw_end)
    since_only = m is None and _SINCE_RE.match(ctext, kw_end) is not None
    if not since_only and (m is None or not (m.group("unit") == "周年" or m.group("since") or m.group("full"))):
        return rd
    if any(f[0] < kw_start for f in ctx.dates(ctx.seg.clauses[ci].start, ctx.seg.clauses[ci].end, modality)):
        return rd
    if m is None:
        return None  # 甲线开通以来: it opened some time before the statement
    loose = bool(m.group("more") or m.group("more2") or "多" in m.group("unit"))
    if m.group("unit") != "周年" and m.group("since") in ("来", "以来") and not m.group("full"):
        loose = True  # 开工两年来; but 三周年之际, 一周年来: the anniversary
    n = parse_cn_number(m.group("n"))
    if loose or not n:
        return None
    years = "月" not in m.group("unit")
    if rd is not None and rd.precision == "year" and not rd.basis.startswith("reported"):
        # 2024年，甲线开通运营满一周年: the anniversary fell in that year, the opening a year before
        return ResolvedDate(_dt.date(rd.date.year - int(n), 1, 1), "year", m.group(0)) if years else None
    ref = rd.date if rd is not None and rd.precision in ("day", "month") else ctx.published
    if ref is None:
        return None
    months = int(n) * (12 if years else 1)
    k = ref.year * 12 + ref.month - 1 - months
    return month_of(_dt.date(k // 12, k % 12 + 1, 1), m.group(0))


#: The time the works took, before the keyword of their end (``历时14个月建成``, ``经过两年建设，
#: 终于建成通车``, ``仅用8个月便贯通``), and a length after which it came (``8个月后全线贯通``).
_WORKS_LENGTH = r"(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3})(?P<more>多)?(?P<unit>个多月|个月|年|天)(?P<more2>多|余)?"
_WORKS_TOOK_RE = re.compile(rf"(?:历时|用时|耗时|仅用了?|只用了?|用了|经过|历经)(?P<near>近|约)?{_WORKS_LENGTH}")
_LENGTH_AFTER_RE = scan_fast(rf"(?<![\d.年月]){_WORKS_LENGTH}(?:之|以)?后")
#: A character every one of those holds (a cheap test before the patterns).
_WORKS_TOOK_HINT_RE = re.compile(r"[历用经后耗]")
#: A clause that only says how long the works took (``经过两年的紧张施工，``).
_WORKS_TOOK_CLAUSE_RE = re.compile(
    rf"\s*{_WORKS_TOOK_RE.pattern}(?:的)?(?:紧张|艰苦|日夜|持续)?(?:建设|施工|奋战|努力|攻坚|鏖战)?\s*[，,]?\s*$"
)


def _after_works_took(
    ctx: DocContext, ci: int, ctext: str, kw_start: int, rd: ResolvedDate | None
) -> ResolvedDate | None:
    """``甲路于去年3月开工，历时14个月建成``: a statement whose clause says how long the works took
    (before its keyword, with no date of its own there) is dated that long after the start of
    works an earlier clause of its sentence dates, at the precision of the length (months:
    month, years: year, days: the start's). A loose length (``两年多``, ``近一年``) leaves the
    date unknown rather than give the statement the start's date; without a dated start the
    date stays as chosen."""
    clauses = ctx.seg.clauses
    clause = clauses[ci]
    m = None
    if _WORKS_TOOK_HINT_RE.search(ctext, 0, kw_start):
        m = _WORKS_TOOK_RE.search(ctext, 0, kw_start) or _LENGTH_AFTER_RE.search(ctext, 0, kw_start)
    j = ci - 1
    if m is None and j >= 0 and clauses[j].sentence == clause.sentence:
        # 经过两年建设，终于建成通车: the length as a clause of its own just before
        m = _WORKS_TOOK_CLAUSE_RE.match(ctx.norm, clauses[j].start, clauses[j].end)
        j -= 1
    if m is None:
        return rd
    if any(f[0] < kw_start for f in ctx.dates(clause.start, clause.end, "actual")):
        return rd  # its own date
    start: ResolvedDate | None = None
    while j >= 0 and clauses[j].sentence == clause.sentence and start is None:
        c = clauses[j]
        st = status_in(ctx.norm[c.start : c.end])
        if st is not None and st[0] == "construction_started":
            dated = [f for f in ctx.dates(c.start, c.end, "actual") if f[0] < st[1]]
            start = dated[-1][2] if dated else None
            if start is None or start.precision not in ("day", "month", "year"):
                return rd
        j -= 1
    if start is None:
        return rd
    n = parse_cn_number(m.group("n"))
    if not n or m.group("more") or m.group("more2") or "多" in m.group("unit") or m.groupdict().get("near") == "近":
        return None
    basis = m.group(0)
    if m.group("unit") == "年":
        return ResolvedDate(_dt.date(start.date.year + int(n), 1, 1), "year", basis)
    if m.group("unit") == "天" and start.precision == "day":
        return ResolvedDate(start.date + _dt.timedelta(days=int(n)), "day", basis)
    if start.precision == "year":
        return None
    months = int(n) if m.group("unit") != "天" else round(n / 30)
    k = start.date.year * 12 + start.date.month - 1 + months
    return month_of(_dt.date(k // 12, k % 12 + 1, 1), basis)


#: What may stand beside the names of a clause that only names its subject: an enumerator
#: (``一是``, ``其二``, ``第三``, ``(1)``) and the words joining the names.
_LABEL_ONLY_RE = re.compile(
    r"[\s、，,和与及]*(?:[一二三四五六七八九十]是|其[一二三四五六七八九十]|首先|其次|再次|最后|"
    r"第[一二三四五六七八九十]+(?:是|个)?|[(（]?\d{1,2}[)）.、]|[(（][一二三四五六七八九十]{1,3}[)）])?[\s、和与及是：:]*"
    # what may stay of the names once masked: an alias's brackets (甲线（乙线）), a part of the
    # feature (甲路北延, 乙桥二期工程)
    r"(?:[(（]\s*[)）])?(?:[东西南北]延(?:线|段)?|[东西南北]段|[一二三四]期(?:工程)?|工程|项目)?[\s：:]*"
)


#: Between the two dates of a period (``4月1日至6月30日``, ``3月1日起至5月31日``).
_DATE_RANGE_SEP_RE = re.compile(r"\s*(?:起?(?:至|到)|—|－|-|~)\s*")


def _choose_date(
    ctx: DocContext,
    clause_index: int,
    ctext: str,
    seg_offset: int,
    kw_pos: int,
    modality: str,
) -> ResolvedDate | None:
    clause = ctx.seg.clauses[clause_index]
    found = ctx.dates(clause.start, clause.end, modality)
    if found:
        kw_abs = seg_offset + kw_pos
        before = [f for f in found if f[0] <= kw_abs]
        if len(before) >= 2 and _DATE_RANGE_SEP_RE.fullmatch(ctext, before[-2][1], before[-1][0]):
            before.pop()  # 4月1日至6月30日断路施工: a statement over a period is dated by its start
        return _now_of_report(ctx, clause_index, (before[-1] if before else found[0])[2])
    key = ("lead", clause_index, modality)
    if key in ctx.memo:
        lead = ctx.memo[key]
    else:
        # in order of precedence; a borrowed date that is past cannot date a forecast
        lead = _same_day_date(ctx, clause_index, ctext, modality)
        if lead is None:
            lead = _marked_consequence_date(ctx, clause_index, ctext, modality)
        if lead is None or _past_for_forecast(ctx, lead, modality):
            lead = _report_date(ctx, clause_index, modality)
        if lead is None or _past_for_forecast(ctx, lead, modality):
            lead = _sentence_lead_date(ctx, clause_index, modality)
        if lead is None or _past_for_forecast(ctx, lead, modality):
            lead = _sentence_scope_date(ctx, clause_index, modality)
        if lead is None or _past_for_forecast(ctx, lead, modality):
            lead = _paragraph_lead_date(ctx, clause_index, modality)
        if lead is not None and _past_for_forecast(ctx, lead, modality):
            lead = None
        ctx.memo[key] = lead
    if lead is not None:
        return _now_of_report(ctx, clause_index, lead)
    if ctx.published is None:
        return None
    if ctx.published_precision in ("year", "month"):
        # a document dated only to its year (month) reports the statement at some point of
        # that period: the statement is known by the period's end, not by its first day
        return ResolvedDate(ctx.published, ctx.published_precision, f"reported (publication {ctx.published_precision})")
    return reported(ctx.published)


_OPEN_BRACKETS = "(（[【"
_CLOSE_BRACKETS = ")）]】"
_VERB_FIRST_GAP = 6
#: The route of a service before it as its modifier (``开通甲镇至乙地的定制快巴``,
#: ``开行往返甲地和乙地的专线``): the service is still the verb's object.
_ROUTE_MODIFIER_RE = re.compile(
    r"\s*(?:从|由)?[\u4e00-\u9fff()（）]{1,12}?(?:至|到|—|-|－)[\u4e00-\u9fff()（）]{1,12}?的\s*"
    r"|\s*往返(?:于)?[\u4e00-\u9fff]{1,10}?(?:和|与|及)[\u4e00-\u9fff]{1,10}?(?:之间)?的\s*"
)
_VERB_FIRST_BLOCK_RE = re.compile(r"不|未|影响|对|向|为|让|使|给|与|和|及|到|至|范围|的")
#: The rest of a service's route after its first terminus, then the service (``至乙站的公交接驳
#: 线路``, ``—乙镇通勤班车``): the object of the verb is the service, not the named terminus.
_SERVICE_TERMINUS_RE = re.compile(
    r"\s*(?:至|到|—|-|－)[^，。；;,、]{1,16}?(?:之间)?的?(?:跨省|跨界|城际|通勤|定制|旅游)?"
    r"(?:公交|接驳|摆渡|班车|快巴|专线|巴士|客运)"
)
#: A keyword modifying the name right after it (``…通车的 甲线``).
_ATTRIBUTIVE_RE = re.compile(r"^中?的\s*(?:(?:\d+|[两三四五六七八九十百]+)(?:辆|趟|班|列))?\s*$")
#: Keywords that only take their feature as object (``打造一个甲公园``), never as subject.
_OBJECT_ONLY = frozenset({"打造"})


_BRACKET_RE = re.compile(r"[(（\[【]")
_ENDPOINT_HINT_RE = re.compile(r"[至到—\-~]")
_ENDPOINT_AFTER_RE = re.compile(r"\s*(?:至|到|—|-|~)[^，,。；;]{0,12}?(?:段|区间)")
#: The second end point of a section (``甲桥至乙铁路之间的路段``, ``…至乙路段``).
_SECOND_END_BEFORE_RE = re.compile(r"[至到—\-~]$")
_SECOND_END_AFTER_RE = re.compile(r"\s*(?:之间|之间的|间的|间)?(?:路段|区段|段|区间)")
_COPULA_RE = re.compile(r"(?<![但于还就正总要可凡只若])是")


def _appositive(segtext: str, rel: list[tuple[int, int, str]]) -> set[int]:
    """Indices of mentions that are never the subject of a segment's predicate: those inside
    brackets (a description, alias or route: ``8号线(甲站—乙站)``, ``立交4座(分别设置在甲路、
    乙路)``) and the end points of a section (``开建甲路至乙河一段``)."""
    out: set[int] = set()
    brackets = _BRACKET_RE.search(segtext) is not None
    if not brackets and not _ENDPOINT_HINT_RE.search(segtext):
        return out
    for i, (s, e, _) in enumerate(rel):
        if brackets:
            before = segtext[:s]
            depth = sum(before.count(c) for c in _OPEN_BRACKETS) - sum(before.count(c) for c in _CLOSE_BRACKETS)
            if depth > 0:
                out.add(i)
                continue
        if _ENDPOINT_AFTER_RE.match(segtext, e) or (
            _SECOND_END_BEFORE_RE.search(segtext, max(0, s - 1), s) and _SECOND_END_AFTER_RE.match(segtext, e)
        ):
            out.add(i)
    return out


def _masked(text: str, start: int, spans: Sequence[tuple[int, int]], fill: str) -> str:
    """``text`` (which starts at document offset ``start``) with the characters of ``spans``
    (document offsets) replaced by ``fill``."""
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        for pos in range(max(0, a - start), min(len(chars), b - start)):
            chars[pos] = fill
    return "".join(chars)


def _head_mentions(
    segtext: str,
    seg_start: int,
    mentions: list[tuple[int, int, str]],
    kw: tuple[int, int] | None,
    *,
    locators: Sequence[tuple[int, int]] = (),
) -> tuple[list[tuple[int, int, str]], bool]:
    """Mentions a segment's predicate applies to (head + coordinated mentions), and whether
    the predicate is a connection (``甲路与乙路贯通``: the head is joined to a target).

    ``locators`` are the spans (document offsets) of the place names of the segment: a
    place name before a feature locates it and does not break a coordination
    (``甲镇某路与乙县某路对接工程通车``)."""
    if not mentions:
        return [], False
    coordtext = _masked(segtext, seg_start, locators, " ")
    rel = [(s - seg_start, e - seg_start, fid) for s, e, fid in mentions]
    app = _appositive(segtext, rel)
    usable = [i for i in range(len(rel)) if i not in app]
    if not usable:
        return [], False
    if kw is None:
        idx = usable[-1]
        direction = -1
    else:
        before = [i for i in usable if rel[i][1] <= kw[0] or rel[i][0] < kw[0]]
        if before and segtext[kw[0] : kw[1]] in _OBJECT_ONLY:
            return [], False
        if before and _COPULA_RE.search(segtext, rel[before[-1]][1], kw[0]):
            return [], False  # 甲站是规划确定的车站之一: a description, not a statement
        if before:
            idx, direction = before[-1], -1
        else:
            idx, direction = usable[0], 1
            if _SERVICE_TERMINUS_RE.match(segtext, rel[idx][1]):
                return [], False  # 开通甲站至乙站的公交接驳线路: the stations are the service's termini
            gap = segtext[kw[1] : rel[idx][0]]
            if _ATTRIBUTIVE_RE.match(gap):
                return [mentions[idx]], False  # 将于明年通车的甲线: the noun it modifies
            if (len(gap) > _VERB_FIRST_GAP or _VERB_FIRST_BLOCK_RE.search(gap)) and not _ROUTE_MODIFIER_RE.fullmatch(
                gap
            ):
                return [], False  # 改造期间甲路照常通行: not the object of the verb
    connection = False
    if kw is not None and direction < 0 and ENDPOINT_RE.match(segtext, rel[idx][1]):
        # 密涿高速北延与京平高速对接工程: the head is a connection target; its conjuncts
        # before it carry the event
        prev = [i for i in usable if i < idx]
        if prev and COORD_RE.match(coordtext[rel[prev[-1]][1] : rel[idx][0]] or "x"):
            idx = prev[-1]
            connection = True
        elif not _OWN_KEYWORD_RE.match(segtext[rel[idx][1] : kw[0]]) or not _SELF_CONNECTION_RE.match(segtext, kw[0]):
            return [], False
        # else 甲隧道贯通在即: the connection word is the head's own status keyword
    chosen = [idx]
    j = idx
    k = usable.index(idx)
    while 0 <= k + direction < len(usable):
        k += direction
        nxt = usable[k]
        a, b = (rel[nxt], rel[j]) if direction < 0 else (rel[j], rel[nxt])
        between = coordtext[a[1] : b[0]]
        if between[:1] in _PROJECT_SUFFIX_FIRST:
            between = _PROJECT_SUFFIX_RE.sub("", between, count=1)
        later = b  # the second of the pair in text order
        apposed = not between and _COUNTED_GROUP_RE.match(segtext, later[0]) is not None
        if not COORD_RE.match(between) and not _BRACKETED_COORD_RE.match(between) and not apposed:
            break  # 甲馆三大文化建筑: a counted group right after a name stands for the list it ends
        j = nxt
        chosen.append(j)
    return [mentions[i] for i in sorted(chosen)], connection


#: A name that counts a group (``三大文化建筑``, ``两条道路``): in apposition to the list before it.
_COUNTED_GROUP_RE = re.compile(r"(?:[两二三四五六七八九十]|\d{1,2})(?:大|条|座|个|项|所|家)")


#: What may stand between a head and its own connection keyword (``甲线全线贯通``, ``甲路已贯通``).
_OWN_KEYWORD_RE = re.compile(r"^(?:\s|已经|已|将|即将|正式|顺利|全线|实现|双线|左线|右线)*$")
#: A connection word that is a status of its subject, not a link to a target (``贯通在即``).
_SELF_CONNECTION_RE = re.compile(r"贯通|接通|连通")

#: A project word closing the first of two coordinated names (``甲枢纽工程和乙路改造工程``).
_PROJECT_SUFFIX_RE = re.compile(r"^(?:(?:改造|扩建|新建)?(?:工程|项目)|[一二三四]期(?:工程)?)")
_PROJECT_SUFFIX_FIRST = frozenset("改扩新工项一二三四")

#: Text between two coordinated mentions when the first has a bracketed description.
_BRACKETED_COORD_RE = re.compile(r"^\s*[(（][^()（）]{0,40}[)）]\s*[、与和及]\s*$")

#: The parts of a section that may follow its label (``河北段车站``, ``北京段区间``).
_SECTION_PARTS = r"(?:车站|区间|桥梁|隧道|高架)"

#: An explicit anaphoric subject (``该工程``, ``项目``, ``线路``, ``全线``...) or a bare
#: section label (``通州至大兴段``, ``北京段``, ``一期``) opening a clause.
_ANAPHOR_RE = re.compile(
    r"^\s*(?:" + _CONSEQUENCE_LEAD + r")?\s*(?:"
    # the run between two stations (``北京段甲站至乙站区间左线``): a section of the line
    r"(?:[\u4e00-\u9fff]{1,8}段)?[\u4e00-\u9fff]{1,10}(?:至|到|—|-)[\u4e00-\u9fff]{1,10}?区间(?:左线|右线|双线|隧道)?|"
    # a part of the feature a demonstrative refers to (``该线某某区间``, ``该路二标段``)
    r"(?:该|此|本|这)(?:条|座)?(?:线路|线|道路|路|大桥|桥|工程|项目)[^，。；]{0,24}(?:区间|标段)|"
    r"(?:(?:该|此|本|这一?|这个|这座|这条|整个|其|上述|以上|这些|"
    r"(?:这|该|上述|以上|此)[两二三四五六七八九十\d]+[条座个项处])?"
    r"(?:(?<=[该此本这条座个其述上些处项])[^，。；]{0,16}的)?(?:轨道|城际|地铁|跨界)?"
    r"(?:工程项目|工程|项目|线路|路段|道路|大桥|桥梁|车站|隧道|全线|收费站|立交|互通|码头|高速公路|高速|线|路|桥|站|枢纽|船闸|公园|院区)"
    r"(?:整体|全线|主体(?:建筑|结构|工程)?|工程|项目)?"
    # a bare section label, or the stations or runs of one (``河北段车站``, ``北京段区间``)
    r"|[\u4e00-\u9fff]{1,8}(?:至[\u4e00-\u9fff]{1,8})?(?:(?<!阶)段|境内)" + _SECTION_PARTS + "?"
    r"|[一二三四]期(?:工程|项目)?))"
)
#: What may stand between a zero or anaphoric subject and the status keyword.
_ZERO_FILLER_RE = re.compile(
    r"^(?:[\s“”\"]|将于|将在|将会|将|预计于|预计在|预计|计划于|计划在|计划|力争于|力争在|力争|争取|拟于|拟|"
    r"有望于|有望|已经|已于|已|正在|正|于|在|目前|现阶段|当前|眼下|如今|现在|现已|现|日前|近日|均|都|全部|也|还|并|且|同时|此外|"
    r"率先|首先|先行|先期|即将|全面|正式|顺利|基本|实现|完成|进入|迈进|迈入|步入|开始|达到|进一步|加快|稳步|年底前|年内|"
    r"整体|主体(?:建筑|结构|工程)?|全线|双线|左线|右线|大面积|会|可|能|陆续|逐步|先后|分别|同步|完成[^，。；]{1,12}?(?:等|并|后)|"
    # the time the works took (该工程历时21个月建成, 仅用8个月便贯通, 终于)
    r"(?:历时|用时|耗时|仅用了?|只用了?|用了|经过|历经)(?:近|约)?(?:\d{1,3}|[一二两三四五六七八九十]{1,3})多?"
    r"(?:个多月|个月|年|天)(?:多|余)?(?:的)?(?:建设|施工)?|终于|最终|便|就|才|主线|主路|主桥|"
    # the subject's listed works before the keyword: 该路的征地拆迁等前期工作
    r"的[^，。；的]{1,10}?等)*$"
)
_ZERO_TAIL_MAX = 10
#: What may follow the keyword of a clause without a subject of its own (``…开诊运行``,
#: ``…通车条件``): completions of the predicate, not an object.
_ZERO_TAIL_OK_RE = re.compile(
    r"^(?:运行|运营|投用|使用|条件|阶段|建设|施工|工作|工程|任务|目标|仪式|了|的|等|后|并|现已|已经|已|均已|初期|试|"
    r"完成|实现|通车|开通|成功|顺利|全面|正式|[\s。！？!?…”\"])*$"
)


def _zero_subject(ctx: DocContext, ci: int, ctext: str, ks: int, modality: str) -> str | None:
    """The anaphoric noun or section label before a clause's keyword (``''`` when there is no
    subject at all); ``None`` when the clause has a subject of its own."""
    clause = ctx.seg.clauses[ci]
    pre = ctext[:ks]
    for s, e, _ in reversed(ctx.dates(clause.start, clause.end, modality)):
        if e <= ks:
            pre = pre[:s] + pre[e:]
    if ctx.published is None and DATE_HINT_RE.search(pre):
        # without a publication date relative dates stay unresolved, yet they are dates,
        # not a subject (``目前道路已…``, ``去年年底全面…``)
        for m in reversed(date_matches(pre)):
            pre = pre[: m.start()] + pre[m.end() :]
    if "(" in pre:
        pre = PINYIN_ARTIFACT_RE.sub("", pre)  # 甲县境內(nèi): a mirror site's pinyin is not text
    anaphor = _ANAPHOR_RE.match(pre)
    rest = pre[anaphor.end() :] if anaphor else pre
    if not _ZERO_FILLER_RE.match(rest):
        return None
    return anaphor.group(0).strip() if anaphor else ""


def _split_segments(ctext: str, start: int) -> list[tuple[int, int]]:
    """``、``-segments of a clause (offsets), not splitting inside brackets."""
    if "、" not in ctext:
        return [(start, start + len(ctext))]
    bounds = [start]
    if _BRACKET_RE.search(ctext) is None:
        k = ctext.find("、")
        while k >= 0:
            bounds.append(start + k + 1)
            k = ctext.find("、", k + 1)
        bounds.append(start + len(ctext) + 1)
        return [(a, min(b - 1, start + len(ctext))) for a, b in pairwise(bounds)]
    depth = 0
    for k, ch in enumerate(ctext):
        if ch in _OPEN_BRACKETS:
            depth += 1
        elif ch in _CLOSE_BRACKETS:
            depth = max(0, depth - 1)
        elif ch == "、" and depth == 0:
            bounds.append(start + k + 1)
    bounds.append(start + len(ctext) + 1)
    return [(a, min(b - 1, start + len(ctext))) for a, b in pairwise(bounds)]


#: At the same time as the statement before (``同步开通``, ``同时建成``, ``一并投用``), or at the
#: time it gives (``届时恢复通行``).
_SAME_TIME_RE = re.compile(
    r"(?:同步|同时|一同|一并|随之|届时)[\s,，]*(?:将|可|即可|也将)?(?:实现|建成|完成|正式|全面|全线)?\s*$"
)


def _same_time_as(
    ctx: DocContext, clause: Clause, segtext: str, kw_start: int, events: list[Event]
) -> tuple[str, ResolvedDate | None] | None:
    """``甲线北京段2025年底开通，河北段同步开通``: a keyword right after ``同步`` (``同时``,
    ``一并``, ``届时``: then) in a clause with no date of its own happens when the last
    statement of its sentence does; that statement's (modality, date), or ``None``."""
    if not _SAME_TIME_RE.search(segtext, max(0, kw_start - 10), kw_start):
        return None
    if ctx.dates(clause.start, clause.end, "actual"):
        return None
    sentence = ctx.seg.sentences[clause.sentence]
    before = [e for e in events if sentence[0] <= e.start < clause.start]
    if not before:
        return None
    e = before[-1]
    rd = ResolvedDate(e.date, e.precision, e.date_basis, e.date_end) if e.date is not None else None
    return e.modality, rd


def _markers_in_names_blanked(norm: str, mentions: list[Mention]) -> str:
    """``norm`` with every mentioned name that holds a forecast or actuality marker
    (``将台站``, ``将军关``) replaced by as many blanks: a marker inside a name says nothing of
    the statement. ``""`` when no name holds one (:meth:`DocContext.cue_text` then reads
    ``norm``)."""
    spans = [(m.start, m.end) for m in mentions if _holds_marker(norm[m.start : m.end])]
    if not spans:
        return ""
    chars = list(norm)
    for a, b in spans:
        chars[a:b] = ["\u3000"] * (b - a)
    return "".join(chars)


@functools.lru_cache(maxsize=1 << 12)
def _holds_marker(name: str) -> bool:
    """Whether a name holds a forecast or actuality marker (``将台站``), once per name."""
    return EXPECTED_RE.search(name) is not None or ACTUAL_RE.search(name) is not None


def _keyword_spans_joined(ctext: str, start: int, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ``、``-segments of a clause with those its keyword spans joined into one: in
    ``推进甲路、乙路等项目建设`` the verb and its works noun enclose the list of their objects."""
    if len(bounds) < 2:
        return bounds
    st = status_in(ctext)
    if st is None:
        return bounds
    ks, ke = start + st[1], start + st[2]
    out: list[tuple[int, int]] = []
    for a, b in bounds:
        if out and out[-1][1] < ke and b > ks and out[-1][1] >= ks:
            out[-1] = (out[-1][0], b)  # the keyword runs on past the last segment's end
        else:
            out.append((a, b))
    return out


def events_in(
    ctx: DocContext,
    mentions: list[Mention],
    kinds: Mapping[str, str],
    *,
    no_events: frozenset[str] = frozenset(),
) -> list[Event]:
    """The status events of a document context (see :func:`find_events`), in text order.

    Parameters
    ----------
    ctx : DocContext
    mentions : list of Mention
        The document's mentions, in text order.
    kinds : mapping of str to str
        Feature id -> kind (:attr:`geo.extract.mentions.Matcher.kinds` and the document's
        provisional features).
    no_events : frozenset of str
        Features that never carry an event (:attr:`geo.extract.mentions.Matcher.no_events`).

    Returns
    -------
    list of Event
    """
    seg = ctx.seg
    ctx.cue_norm = _markers_in_names_blanked(ctx.norm, mentions)
    by_clause: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    any_mention: dict[int, list[tuple[int, int]]] = defaultdict(list)  # clause -> mention spans
    last_eventable: dict[int, list[tuple[int, str]]] = defaultdict(list)  # paragraph -> (start, id)
    # paragraph -> (start, id) of the features a bare section label can belong to (rivers too)
    section_owners: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for m in mentions:
        ci = bisect.bisect_right(seg.clause_starts, m.start) - 1
        if ci < 0:
            continue
        any_mention[ci].append((m.start, m.end))
        kind = kinds.get(m.feature_id)
        if (
            kind not in NO_EVENT_KINDS
            and m.feature_id not in no_events
            and not (kind in _ROAD_KINDS and _ROAD_SERVICE_RE.match(ctx.norm, m.end))
        ):
            by_clause[ci].append((m.start, m.end, m.feature_id))
            peripheral = _peripheral(ctx.norm, m.start, m.end)
            if kind not in NATURAL_KINDS and not peripheral:
                last_eventable[seg.clauses[ci].paragraph].append((m.start, m.feature_id))
            if kind in _SECTION_KINDS and not peripheral:
                section_owners[seg.clauses[ci].paragraph].append((m.start, m.feature_id))
    counts: dict[str, int] = defaultdict(int)
    for plist in last_eventable.values():
        for _, fid in plist:
            counts[fid] += 1
    first_at: dict[str, int] = {}
    for plist in last_eventable.values():
        for pos, fid in plist:
            first_at.setdefault(fid, pos)
    topic = min(counts, key=lambda f: (-counts[f], first_at[f])) if counts else None
    # a run between two stations belongs to a line only where the text names one
    lines_named = any(kinds.get(m.feature_id) in ("metro_line", "rail_line") for m in mentions)
    announced = _announced_start(ctx)
    events: list[Event] = []
    seen: set[tuple] = set()
    # the features the last statement was about: (paragraph, sentence, feature ids)
    last_subject: tuple[int, int, list[str]] | None = None
    # statements about a counted group (12条线路暂停运营): sentence -> (status, modality, date, keyword)
    group_statements: dict[int, list[tuple[str, str, ResolvedDate | None, str]]] = defaultdict(list)
    # a counted group as the object (新开通两条线路): sentence -> (status, modality, date, keyword, group)
    group_objects: dict[int, tuple[str, str, ResolvedDate | None, str, str]] = {}
    for ci, clause in enumerate(seg.clauses):
        cmentions = by_clause.get(ci, [])
        if cmentions and all(
            kinds.get(f) in NATURAL_KINDS and _BOUNDARY_AFTER_RE.search(ctx.norm, a, b + 4) for a, b, f in cmentions
        ):
            st0 = status_in(ctx.norm[clause.start : clause.end])
            if st0 is not None and _inside_section_label(ctx, clause, [(a, b) for a, b, _ in cmentions], st0[1]):
                cmentions = []  # 潮白河以东段已基本完工: the river bounds a section of the topic
        object_section = len(cmentions) == 2 and _object_section(ctx, clause, cmentions)
        if object_section:
            cmentions = []  # 北京段率先开建甲路至乙河一段: the works are on a section of the topic
        elif len(cmentions) == 2 and lines_named and _between_stations(ctx, clause, cmentions, kinds):
            cmentions = []  # 甲站至乙站区间贯通: the stations bound a run of the line
        if cmentions and _ENUM_INTRO_RE.search(ctx.norm, clause.start, clause.end):
            _enumerated_events(ctx, ci, by_clause, kinds, group_statements, events, seen)
        if not cmentions:
            ctext = ctx.norm[clause.start : clause.end]
            if (
                last_subject is not None
                and last_subject[1] == clause.sentence
                and _rescheduled(ctx, ci, ctext, last_subject[2], events, seen)
            ):
                continue
            st = status_in(ctext)
            if st is None:
                continue
            parts = _part_group_owner(ctext, st, clause, last_subject, kinds)
            if parts:
                # 甲线加紧施工，4座车站主体完工: the line's stations, a works stage of the line
                kw_text, modality, rd = _clause_statement(ctx, ci, ctext, st)
                for fid in parts:
                    _add_event(events, seen, ctx, clause, fid, st[0], modality, rd)
                continue
            group = _GROUP_SUBJECT_RE.match(ctext, st[2] + (ctext[st[2] : st[2] + 1] == "了"))
            if group is not None:
                # 新开通两条线路，分别是甲路和乙路: what is opened is the group the next clause names
                kw_text, modality, rd = _clause_statement(ctx, ci, ctext, st)
                group_objects[clause.sentence] = (st[0], modality, rd, kw_text, group.group(0))
                continue
            if _GROUP_SUBJECT_RE.search(ctext, 0, st[1]):
                kw_text, modality, rd = _clause_statement(ctx, ci, ctext, st)
                group_statements[clause.sentence].append((st[0], modality, rd, kw_text))
                continue
            if (
                ci in any_mention
                and not object_section
                and not _inside_section_label(ctx, clause, any_mention[ci], st[1])
            ):
                continue  # only places (areas) named: their own subject, not the topic's
            fids = (
                _timetable_line(ctx, ci, ctext, st, by_clause, kinds)
                or _planned_alignment(ctext, st, clause, last_subject, topic, kinds)
                or _subject_after_since(ctx, ci, ctext, st, by_clause)
                or _antecedent(
                    ctx,
                    ci,
                    ctext,
                    st,
                    last_subject,
                    last_eventable,
                    topic,
                    kinds,
                    section_owners=section_owners,
                    known_spans=any_mention.get(ci, ()),
                    object_section=object_section,
                )
            )
            if not fids:
                continue
            status = st[0]
            kw_text, modality, rd = _clause_statement(ctx, ci, ctext, st)
            same_time = _same_time_as(ctx, clause, ctext, st[1], events)
            if same_time is not None:
                modality, rd = same_time
            for fid in fids:
                if _status_allowed(kinds.get(fid), status, kw_text):
                    _add_event(events, seen, ctx, clause, fid, status, modality, rd)
            # the statement continues its topic: later subjectless clauses are about it too
            last_subject = (clause.paragraph, clause.sentence, fids)
            continue
        ctext = ctx.norm[clause.start : clause.end]
        if ci > 0 and _plan_list_events(ctx, ci, ctext, cmentions, kinds, events, seen):
            continue
        if _route_via_events(ctx, ci, ctext, cmentions, kinds, events, seen):
            continue
        if not has_status(ctext):
            named = group_objects.get(clause.sentence)
            if named is not None and _NAMING_LEAD_RE.match(ctext):
                status, modality, rd, kw_text, noun = named
                for _s, _e, fid in cmentions:
                    if _compatible(noun, kinds.get(fid)) and _status_allowed(kinds.get(fid), status, kw_text):
                        _add_event(events, seen, ctx, clause, fid, status, modality, rd)
            elif _LABEL_ONLY_RE.fullmatch(
                _masked(ctext, clause.start, [(a, b) for a, b, _ in cmentions], "")
            ) or is_question(ctext):
                # 一是甲路，计划6月开工: a clause that only names the item is the subject of the next;
                # so is the feature asked about (记者：甲路进展如何？负责人：预计年底建成)
                last_subject = (clause.paragraph, clause.sentence, list(dict.fromkeys(f for *_, f in cmentions)))
            continue  # no keyword in the whole clause: none in its segments either
        bounds = _split_segments(ctext, clause.start)
        segments = [(a, b, ctx.norm[a:b], status_in(ctx.norm[a:b])) for a, b in bounds]
        if len(segments) > 1 and any(own is None for *_, own in segments):
            joined = _keyword_spans_joined(ctext, clause.start, bounds)
            if len(joined) < len(bounds):  # 推进甲路、乙路等项目建设: one keyword around the list
                segments = [(a, b, ctx.norm[a:b], status_in(ctx.norm[a:b])) for a, b in joined]
        # status for each segment: own, else next with one, else previous with one
        statuses = [s[3] for s in segments]
        resolved = [_segment_status(statuses, i) for i in range(len(segments))]
        subjects: list[str] = []
        first_new = len(events)  # the clause's own events start here
        # (modality, date) of each keyword segment: every segment borrowing its keyword shares them
        stated: dict[int, tuple[str, ResolvedDate | None]] = {}
        prev_heads: list[tuple[int, int, str]] = []  # the subjects of the last keyword's segments
        prev_src = -1
        for i, (a, b, stext, _own) in enumerate(segments):
            r = resolved[i]
            if r is None:
                continue
            src_i, (status, ks, ke) = r
            segm = [m for m in cmentions if a <= m[0] < b]
            kw = (ks, ke) if src_i == i else None
            if not segm:
                if kw is None or not prev_heads or not _dated_predicate(ctx, a, b, ks):
                    continue
                # 甲路计划2025年开工、2027年建成: a dated predicate alone, of the subject before it
                heads, connection = prev_heads, False
            else:
                locs: list[tuple[int, int]] = []
                if len(any_mention[ci]) > len(cmentions):  # place names in the clause
                    spans = {(m[0], m[1]) for m in segm}
                    locs = [sp for sp in any_mention[ci] if a <= sp[0] < b and sp not in spans]
                heads, connection = _head_mentions(stext, a, segm, kw, locators=locs)
                # 甲路、乙路计划2025年开工: the subjects sharing one keyword are one subject
                prev_heads = prev_heads + heads if src_i == prev_src else list(heads)
                prev_src = src_i
            src_a, _, src_text, _ = segments[src_i]
            kw_text = src_text[ks:ke]
            if kw is not None and kw_text in _OBJECT_VERBS:
                obj = _named_object(stext, ke, segm, a)
                if obj is not None:
                    heads = [obj]  # 甲院区还将启用乙楼: what opens is the named object, not the subject
            if src_i in stated:
                modality, rd = stated[src_i]
            else:
                modality, explicit = _modality(
                    ctx, clause, (src_a, src_a + len(src_text)), keyword=kw_text, clause_index=ci
                )
                modality, rd = _dated_statement(
                    ctx,
                    ci,
                    ctext,
                    src_a - clause.start,
                    (ks, ke),
                    modality,
                    explicit,
                    _date_reading(kw_text, src_text, ks, modality),
                )
                same_time = _same_time_as(ctx, clause, src_text, ks, events)
                if same_time is not None:
                    modality, rd = same_time  # 甲段年底开通，乙段同步开通: when the statement before is
                stated[src_i] = modality, rd
            kw_abs = src_a + ks
            for h_start, h_end, fid in heads:
                if h_end < kw_abs and _beyond_blank_line(ctx.norm, h_end, kw_abs, borrowed=src_i != i):
                    continue  # a list item, then the next paragraph's keyword
                rd_f = rd
                if (
                    announced is not None
                    and (rd is None or rd.precision == "reported")
                    and kinds.get(fid) == "bus_line"
                ):
                    rd_f = announced  # a service notice: its changes start on the date it announces
                st_f = status
                if connection and status == "milestone" and "贯通" in kw_text and kinds.get(fid) in _ROAD_KINDS:
                    st_f = "opened"  # 甲路与乙路贯通: the link opens
                if kw is not None and status == "opened" and _takes_object(stext, kw[1], segm, a):
                    if kw_text in _OBJECT_VERBS:
                        continue  # 甲站还将启用新售票厅: what opens is the object, not the subject
                    if (
                        kw_text == "建成"
                        and modality == "expected"
                        and _EXISTING_RE.search(ctx.norm, max(0, h_start - 6), h_start)
                    ):
                        st_f = "planned"  # 现状甲路将建成步行街: the feature is to be rebuilt as something else
                if not _status_allowed(kinds.get(fid), st_f, kw_text):
                    continue
                _add_event(events, seen, ctx, clause, fid, st_f, modality, rd_f)
                if fid not in subjects:
                    subjects.append(fid)
                renamed = _new_name(stext, a, segm) if kinds.get(fid) == "bus_line" else None
                if renamed is not None and kinds.get(renamed) == "bus_line":
                    _add_event(events, seen, ctx, clause, renamed, st_f, modality, rd_f)  # 调整路别为乙路
        if len(subjects) >= 2 and "分别" in ctext:
            _respective_dates(ctx, clause, ctext, subjects, events, first_new)
        if subjects:
            last_subject = (clause.paragraph, clause.sentence, subjects)
        elif is_question(ctext):
            # 问：甲路什么时候通车？答：预计6月底通车: what is asked about is the answer's subject
            last_subject = (clause.paragraph, clause.sentence, list(dict.fromkeys(f for *_, f in cmentions)))
    return _drop_restatements(events)


#: A forecast moved to another date (``现已推迟至2025年6月``, ``延期到年底``, ``提前至5月``).
_RESCHEDULED_RE = re.compile(
    r"^\s*(?:现|目前|现已|已经|已|或将|将|预计将?)*(?:推迟|延期|延后|推后|顺延|调整|提前)(?:至|到|为)"
)


def _rescheduled(
    ctx: DocContext, ci: int, ctext: str, subjects: list[str], events: list[Event], seen: set[tuple]
) -> bool:
    """``甲路原计划2024年底通车，现已推迟至2025年6月``: a clause moving the forecast of the
    sentence's subject to a new date gives that forecast again with the new date, and the
    earlier date of the sentence, which it replaces, is dropped."""
    m = _RESCHEDULED_RE.match(ctext)
    if m is None:
        return False
    clause = ctx.seg.clauses[ci]
    found = [f for f in ctx.dates(clause.start, clause.end, "expected") if f[0] >= m.end()]
    if not found or found[0][0] - m.end() > 1:
        return False
    rd = found[0][2]
    sentence = ctx.seg.sentences[clause.sentence]
    before = [
        e
        for e in events
        if e.feature_id in subjects and e.modality == "expected" and sentence[0] <= e.start < clause.start
    ]
    for e in before:
        events.remove(e)  # the plan moved: the earlier date is no longer the forecast
        _add_event(events, seen, ctx, clause, e.feature_id, e.status, "expected", rd)
    return bool(before)


#: ``分别于`` before a list of dates: the first subject takes the first date, and so on.
_RESPECTIVE_RE = re.compile(r"分别(?:于|在|是|为)?")
_DATE_LIST_SEP_RE = re.compile(r"\s*(?:、|和|与|及|至|,|，)?\s*")


def _respective_dates(
    ctx: DocContext, clause: Clause, ctext: str, subjects: list[str], events: list[Event], first: int
) -> None:
    """``甲路、乙路已分别于2020年、2022年建成通车``: with ``分别`` before as many dates as the
    clause has subjects, each subject's events of the clause take its date (in text order),
    not the last date of the list."""
    m = _RESPECTIVE_RE.search(ctext)
    if m is None or first >= len(events):
        return
    # the dates read as the clause's statement was (a fact with 已 before the list: past)
    reading = "actual" if ACTUAL_RE.search(ctext, 0, m.start()) else events[first].modality
    found = ctx.dates(clause.start, clause.end, reading)
    dates: list[ResolvedDate] = []
    end = m.end()
    for s, e, rd in found:
        if s < m.end():
            continue
        if not _DATE_LIST_SEP_RE.fullmatch(ctext[end:s]):
            break
        dates.append(rd)
        end = e
    if len(dates) != len(subjects):
        return
    for i in range(first, len(events)):  # the clause's own events
        ev = events[i]
        if ev.feature_id not in subjects:
            continue
        rd = dates[subjects.index(ev.feature_id)]
        events[i] = replace(
            ev,
            date=rd.date,
            precision=rd.precision,
            date_basis=rd.basis,
            date_end=rd.end,
            modality=_check_future(ctx, rd, ev.modality),
        )


#: What may stand before the keyword of a predicate that has no subject of its own, once its
#: dates are removed (``、2027年建成``, ``，预计2026年底前全线通车``).
_PREDICATE_ONLY_RE = re.compile(r"[\s将于在计划预计力争有望争取确保并再又也还可基本全面全线正式实现完成年内底前力]*")


def _dated_predicate(ctx: DocContext, start: int, end: int, kw_start: int) -> bool:
    """Whether the segment ``norm[start:end]`` is a dated predicate alone: a date, adverbs
    and then its keyword (at ``kw_start`` in the segment), nothing that could be a subject."""
    found = ctx.dates(start, end, "actual")
    if not found or found[0][0] >= kw_start:
        return False
    text = ctx.norm[start : start + kw_start]
    for s, e, _ in reversed(found):
        if e <= kw_start:
            text = text[:s] + text[e:]
    return _PREDICATE_ONLY_RE.fullmatch(text) is not None


#: A counted group as a subject (``28条跨省线路``, ``多条公交线路``, ``3座桥梁``); not a
#: numbered demonstrative (``这两条道路``), which refers back to named features.
_GROUP_SUBJECT_RE = re.compile(
    r"(?<![这该此述上\d两三四五六七八九十])(?:\d+|[两三四五六七八九十]+|多|数|几)(?:条|座|个|项|处)[^，。；]{0,16}?"
    r"(?:线路|道路|公路|项目|桥梁|车站|站点|线|路|桥)"
)
#: A clause naming the members of a counted group just stated (``分别是甲路和乙路``).
_NAMING_LEAD_RE = re.compile(r"\s*(?:分别是|分别为|分别|包括|包含|即|为|是)")
#: A clause introducing the contents of a plan as a counted list (``某规划方案包括3条线路：``,
#: ``规划涉及4个项目：``).
_PLAN_LIST_RE = re.compile(
    r"(?:规划|方案)[^，。；]{0,30}?(?:涉及|包括|包含|中的|有)[^，。；]{0,4}?"
    r"(?P<n>\d+|[两三四五六七八九十]+)(?:条|个|项|座)(?:轨道交通|城市轨道交通|地铁)?(?:线路|项目|工程|道路|车站)\s*$"
)
#: What a plan list may hold besides its names: separators and works words (``甲线改造提升工程``).
_LIST_ITEM_REST_RE = re.compile(r"^(?:[\u4e00-\u9fff]{0,6}(?:工程|项目))?$")
_LIST_SEP_RE = re.compile(r"[、和及与\s]+")


def _plan_list_events(
    ctx: DocContext,
    ci: int,
    ctext: str,
    cmentions: list[tuple[int, int, str]],
    kinds: Mapping[str, str],
    events: list[Event],
    seen: set[tuple],
) -> bool:
    """``某规划方案包括3条线路：甲线、乙线、丙线``: a clause that only lists
    names, after a clause of the same sentence that introduces so many items of a plan,
    gives each listed feature a ``planned`` event; whether it did.

    The list must name exactly as many features (outside brackets) as the introduction
    counts, and hold nothing but the names, separators and works words."""
    clause = ctx.seg.clauses[ci]
    prev = ctx.seg.clauses[ci - 1]
    if prev.sentence != clause.sentence:
        return False
    m = _PLAN_LIST_RE.search(ctx.norm, prev.start, prev.end)
    if m is None or status_in(ctext) is not None:
        return False
    count = parse_cn_number(m.group("n"))
    rel = [(a - clause.start, b - clause.start, fid) for a, b, fid in cmentions]
    app = _appositive(ctext, rel)
    listed = [rel[i] for i in range(len(rel)) if i not in app]
    fids = list(dict.fromkeys(fid for _, _, fid in listed))
    if count is None or len(fids) != count or len(listed) != count:
        return False
    chars = list(ctext)
    for a, b, _ in rel:
        chars[a:b] = [" "] * (b - a)
    rest = re.sub(r"[(（][^()（）]*[)）]", "", "".join(chars))
    if not all(_LIST_ITEM_REST_RE.match(piece) for piece in _LIST_SEP_RE.split(rest.strip(" ：:。"))):
        return False
    ptext = ctx.norm[prev.start : prev.end]
    modality, _ = _modality(ctx, prev, clause_index=ci - 1)
    rd = _choose_date(ctx, ci - 1, ptext, 0, m.start(), modality)
    modality = _check_future(ctx, rd, modality)
    for fid in fids:
        _add_event(events, seen, ctx, clause, fid, "planned", modality, rd)
    return True


#: A route through features that are in service (``经甲路即可直达乙区``, ``沿甲路便可
#: 抵达``): the names between the route word and ``即可``.
_ROUTE_VIA_RE = re.compile(
    r"(?<![已曾途历神财正政])(?:经由|经过|经|沿着|沿)(?![济营理验费典])(?P<route>[^，。；！？]{2,30}?)(?:即可|便可|就能|就可以|可直接)"
    r"(?:与|到达|抵达|直达|进入|通往|前往|连接|驶入|驶上|接入|进京)"
)


#: A precedent that is in service (``继甲桥之后再添一座跨河桥``): the names between ``继`` and
#: ``再添``.
_PRECEDENT_RE = re.compile(
    r"继(?P<route>[^，。；！？]{2,24}?)(?:之后|以后|后)?(?:又|再)(?:添|增|新增|开通|建成|多)了?一(?:条|座|处)"
)


def _route_via_events(
    ctx: DocContext,
    ci: int,
    ctext: str,
    cmentions: list[tuple[int, int, str]],
    kinds: Mapping[str, str],
    events: list[Event],
    seen: set[tuple],
) -> bool:
    """``经甲路即可直达乙区``: the roads a route takes now are in service (``opened``,
    actual), as is the road a new one follows (``继甲桥之后再添一座跨河桥``); whether the
    clause was such a statement. Not for a forecast (``建成后，经甲路即可…``), whose route
    does not run yet."""
    m = _ROUTE_VIA_RE.search(ctext) or _PRECEDENT_RE.search(ctext)
    if m is None:
        return False
    clause = ctx.seg.clauses[ci]
    a, b = m.start("route"), m.end("route")
    route = [(s, e, fid) for s, e, fid in cmentions if a <= s - clause.start and e - clause.start <= b]
    if not route:
        return False
    modality, _ = _modality(ctx, clause, clause_index=ci)
    if modality == "expected":
        return True
    rd = _choose_date(ctx, ci, ctext, 0, a, modality)
    for _, _, fid in route:
        if kinds.get(fid) in _ROAD_KINDS:
            _add_event(events, seen, ctx, clause, fid, "opened", modality, rd)
    return True


#: A bus line's new number after its re-routing (``调整路别为乙路``, ``更名为乙路``).
_NEW_NAME_RE = re.compile(r"(?:调整|改)(?:路别|线路名称|线路编号|编号)为\s*$|(?:更名|改名|改称)为\s*$")


def _new_name(stext: str, seg_start: int, segm: list[tuple[int, int, str]]) -> str | None:
    """The line a re-routed bus line is renumbered as (``甲路调整路别为乙路``): the
    mention right after ``调整路别为`` / ``更名为``; else ``None``."""
    for s, _e, fid in segm:
        if _NEW_NAME_RE.search(stext, 0, s - seg_start):
            return fid
    return None


#: The planned alignment of a further section that a route joins (``终点与乙县段规划线位相接``).
_ALIGNMENT_RE = re.compile(
    r"^\s*(?:该路|该线|全线|线路|路线|项目)?(?:并|向[东南西北]|[东南西北]端|终点|起点)?(?:与|和|同)[^，。；]{1,14}?段(?:的)?规划(?:线位|路线|线路|走向)(?:相接|衔接|相连|顺接|对接)"
)
_LINEAR_KINDS = frozenset({"road", "expressway", "metro_line", "rail_line"})
#: The kinds a bare section label (``北京段``, ``甲县境内``) can be a stretch of: lines and rivers,
#: not a lock, station or bridge.
_SECTION_KINDS = _LINEAR_KINDS | {"river"}
#: A bare section label at the end of an anaphor.
_SECTION_TAIL_RE = re.compile(r"(?:段|境内)$")
#: A part noun after a section label (``河北段车站``, ``北京段区间``): the part is the section owner's.
_SECTION_PART_RE = re.compile(r"(?<=段|内)" + _SECTION_PARTS + "$")


def _planned_alignment(
    ctext: str,
    st: _Status,
    clause: Clause,
    last_subject: tuple[int, int, list[str]] | None,
    topic: str | None,
    kinds: Mapping[str, str],
) -> list[str]:
    """``甲路…，终点与乙县段规划线位相接``: the section a route joins is planned, a section of the
    linear feature the text is about (the last statement's subject in this or the previous
    paragraph, else the document's topic)."""
    if st[0] != "planned" or not _ALIGNMENT_RE.match(ctext):
        return []
    if last_subject is not None and clause.paragraph - last_subject[0] <= 1:
        linear = [f for f in last_subject[2] if kinds.get(f) in _LINEAR_KINDS]
        if linear:
            return linear
    return [topic] if topic is not None and kinds.get(topic) in _LINEAR_KINDS else []


#: A time of day (``21点``, ``晚上10点半``, ``22:00``): what a timetable statement gives.
_CLOCK_RE = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:点|时(?!间)|:\d{2})")
#: A timetable statement (``末班车22:30发出``) right after the bus line it is about.
_LINE_TAIL_RE = re.compile(r"\s*(?:公交车|公交线路|公交|线路|班车|快巴)?\s*$")


def _timetable_line(
    ctx: DocContext,
    ci: int,
    ctext: str,
    st: _Status,
    by_clause: Mapping[int, list[tuple[int, int, str]]],
    kinds: Mapping[str, str],
) -> list[str]:
    """``换乘甲路，末班车22:30发出``: a subjectless timetable clause (a bus-only keyword)
    continues the bus line that ends the clause just before it in the same sentence."""
    if not BUS_ONLY_RE.match(ctext[st[1] : st[2]]) or ci == 0 or not _CLOCK_RE.search(ctext, st[2]):
        return []
    prev = ctx.seg.clauses[ci - 1]
    if prev.sentence != ctx.seg.clauses[ci].sentence or names_other_subject(ctext[: st[1]]):
        return []
    pm = by_clause.get(ci - 1, [])
    if not pm or kinds.get(pm[-1][2]) != "bus_line":
        return []
    return [pm[-1][2]] if _LINE_TAIL_RE.fullmatch(ctx.norm[pm[-1][1] : prev.end]) else []


#: A feature described as existing (``现有的``, ``现状``, ``原有``) right before its name.
_EXISTING_RE = re.compile(r"(?:现有|现状|原有|既有)的?\s*$")
#: Opening verbs that take what opens as their object (``启用新站房``, ``开设服务窗口``).
_OBJECT_VERBS = frozenset({"启用", "开设"})
#: What may follow an opening keyword without being its object: completions of the predicate,
#: conjunctions, time words.
_NOT_OBJECT_RE = re.compile(
    r"^(?:通车|通航|运营|运行|投用|投入|使用|开通|开放|交付|营业|验收|完工|竣工|试运|条件|仪式|并|后|的|了|和|及|"
    r"于|在|时|前|以来|之后|以后|初期|至今|首日|当天|一周年|周年|\d)"
)


#: What may stand between an object verb and its named object (``启用了新建的``, ``开设一座``).
_OBJECT_FILLER_RE = re.compile(r"^(?:了|新建的?|全新的?|新的?|一[座处个条所栋]|[\s“”\"])*$")


def _named_object(stext: str, ke: int, segm: list[tuple[int, int, str]], seg_start: int) -> tuple[int, int, str] | None:
    """The mention an object verb (``启用``, ``开设``) ending at ``ke`` of a segment takes as its
    object: the first mention after it with only filler between (``启用了新建的某某楼``)."""
    after = [m for m in segm if m[0] - seg_start >= ke]
    if not after:
        return None
    first = min(after)
    return first if _OBJECT_FILLER_RE.match(stext[ke : first[0] - seg_start]) else None


def _takes_object(stext: str, ke: int, segm: list[tuple[int, int, str]], seg_start: int) -> bool:
    """Whether the keyword ending at ``ke`` of a segment has an unnamed object of its own
    (``将建成步行街``, ``启用新站房``), not a named feature or a completion (``建成通车``)."""
    if any(s - seg_start >= ke for s, _, _ in segm):
        return False
    tail = stext[ke:].lstrip()
    return bool(tail) and "\u4e00" <= tail[0] <= "\u9fff" and not _NOT_OBJECT_RE.match(tail)


#: A blank line (a paragraph break inside a clause the segmenter rejoined).
_BLANK_LINE_RE = re.compile(r"\n[ \t\u3000]*\n")


def _beyond_blank_line(norm: str, name_end: int, kw_start: int, *, borrowed: bool) -> bool:
    """Whether a keyword belongs to a later paragraph than the name before it: a blank line
    stands between them and the keyword is borrowed from another list item, or the line it
    opens says more than the keyword (``甲路向东延伸\n\n另据介绍，乙区新线年底通车``).
    A name on a line of its own with its status on the next (``甲枢纽\n\n进入主体结构施工
    阶段``) keeps it."""
    last = None
    for m in _BLANK_LINE_RE.finditer(norm, name_end, kw_start):
        last = m
    if last is None:
        return False
    return borrowed or not _ZERO_FILLER_RE.match(norm[last.end() : kw_start])


#: A counted group of the parts of a line (``6座车站``, ``3个区间``) opening a clause.
_PART_GROUP_RE = re.compile(
    r"^\s*(?:其中)?(?:\d+|[两三四五六七八九十]+|多)(?:座|个|处)(?:地下|高架)?(?:车站|站点|区间|站)"
)
#: Works statuses a part of a line passes on to the line (not openings or plans of its own).
_PART_STATUSES = frozenset({"milestone", "construction_started", "under_construction"})
_LINE_KINDS = frozenset({"metro_line", "rail_line"})


def _part_group_owner(
    ctext: str,
    st: _Status,
    clause: Clause,
    last_subject: tuple[int, int, list[str]] | None,
    kinds: Mapping[str, str],
) -> list[str]:
    """The lines whose parts a counted group is (``甲线加紧施工，4座车站主体完工``):
    a clause opening with a count of stations or sections, with a works status, right after
    a statement of the same sentence about rail lines only; else ``[]``."""
    if st[0] not in _PART_STATUSES or last_subject is None or last_subject[1] != clause.sentence:
        return []
    m = _PART_GROUP_RE.match(ctext)
    if m is None or m.end() > st[1]:
        return []
    fids = last_subject[2]
    return list(fids) if fids and all(kinds.get(f) in _LINE_KINDS for f in fids) else []


#: A demonstrative group that the following names enumerate (``这37条线路涉及甲、乙…``).
_ENUM_INTRO_RE = re.compile(
    r"(?:这|上述|以上|该|此)些?(?:\d+|[两三四五六七八九十]+)?(?:条|座|个|项|处)?[^，。；]{0,6}?"
    r"(?P<noun>线路|道路|公路|项目|桥梁|车站|工程)(?:主要)?(?:涉及|包括|包含|分别为|分别是|即|有|为)"
)


def _enumerated_events(
    ctx: DocContext,
    ci: int,
    by_clause: Mapping[int, list[tuple[int, int, str]]],
    kinds: Mapping[str, str],
    group_statements: Mapping[int, list[tuple[str, str, ResolvedDate | None, str]]],
    events: list[Event],
    seen: set[tuple],
) -> None:
    """``12条线路暂停运营。这些线路包括甲路、乙路…``: the features a demonstrative
    group enumerates take what the previous sentence (of the same paragraph) said of the group."""
    seg = ctx.seg
    clause = seg.clauses[ci]
    m = _ENUM_INTRO_RE.search(ctx.norm, clause.start, clause.end)
    if m is None:
        return
    prev = [s for s in (clause.sentence - 1, clause.sentence) if s in group_statements]
    if not prev:
        return
    psent = seg.sentences[prev[0]]
    if bisect.bisect_right([p[0] for p in seg.paragraphs], psent[0]) - 1 < clause.paragraph - 1:
        return  # only the sentence just before (in this paragraph or the one above)
    noun = m.group("noun")
    statements = group_statements[prev[0]]
    j = ci
    while j < len(seg.clauses) and seg.clauses[j].sentence == clause.sentence:
        for s, _e, fid in by_clause.get(j, []):
            if s < m.end() or not _compatible(noun, kinds.get(fid)):
                continue
            status, modality, rd, kw_text = max(statements, key=lambda t: _STATUS_PRIORITY.get(t[0], 0))
            if _status_allowed(kinds.get(fid), status, kw_text):
                _add_event(events, seen, ctx, seg.clauses[j], fid, status, modality, rd)
        j += 1


_STATUS_PRIORITY = {s: p for _, s, p in reversed(STATUS_PATTERNS)}


def _undated(e: Event) -> bool:
    """An event dated only by its report: ``reported``, or the report's month for a fact
    (see :func:`_add_event`)."""
    return e.date_basis == "reported" and e.precision in ("reported", "month")


def _drop_restatements(events: list[Event]) -> list[Event]:
    """Within a document, an undated statement (dated by its report) of what a dated statement
    of the same feature, status and modality already says is a restatement: dropped."""
    dated = {(e.feature_id, e.status, e.modality) for e in events if e.precision != "unknown" and not _undated(e)}
    return [e for e in events if not (_undated(e) and (e.feature_id, e.status, e.modality) in dated)]


_ANNOUNCED_RE = re.compile(r"^\s*(?:自|从|于)?(?P<date>[^，,。]{2,20}?)(?:首班车|首车|零时|0时|起|开始)+\s*$")


def _announced_start(ctx: DocContext) -> ResolvedDate | None:
    """The start date a service notice announces in its first paragraph below its headings
    (``从5月8日首班车开始，…``): one clause that is only that date; ``None`` when there is none
    or more than one."""
    body = [p for i, p in enumerate(ctx.seg.paragraphs) if i not in ctx.seg.headings]
    if not body:
        return None
    first = body[0]
    found = []
    for c in ctx.seg.clauses:
        if c.start >= first[1]:
            break
        text = ctx.norm[c.start : c.end]
        if not _ANNOUNCED_RE.match(text):
            continue
        dates = ctx.dates(c.start, c.end, "actual")
        if len(dates) == 1 and dates[0][2].precision == "day":
            found.append(dates[0][2])
    return found[0] if len(found) == 1 else None


_ROAD_KINDS = frozenset({"road", "expressway", "bridge"})
#: A bus service named after the road before it (``甲路公交专线``, ``甲路快线``, ``甲路公交车``):
#: what the clause says of it is said of the service, not of the road; not a stop, a depot
#: or a bus lane of the road (``甲路公交站``, ``甲路公交专用道``), nor its bus priority works
#: (``甲路公交化改造``).
_ROAD_SERVICE_RE = re.compile(
    r"\s*(?:(?:定制|通勤|旅游|微循环)?(?:公交)?(?:专线|快线|班车|快巴|巴士)|公交(?:线路?|车(?!站))?(?![站场专港车化优]))"
)


#: The kinds an anaphoric noun can refer to (``线路`` a line, ``大桥`` a bridge...).
_ANAPHOR_KINDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("线", frozenset({"metro_line", "rail_line", "bus_line"})),
    # before 站 and 桥: a toll station or an interchange (立交桥) is neither a station nor a bridge
    ("收费站", frozenset({"interchange"})),
    ("立交", frozenset({"interchange"})),
    ("互通", frozenset({"interchange"})),
    ("码头", frozenset({"station", "facility"})),
    ("高速", frozenset({"expressway"})),
    ("桥", frozenset({"bridge"})),
    ("路", frozenset({"road", "expressway"})),
    ("站", frozenset({"station"})),
    ("枢纽", frozenset({"station", "interchange"})),
    ("公园", frozenset({"park", "zone"})),
    ("船闸", frozenset({"lock"})),
    ("院区", frozenset({"hospital"})),
    ("隧道", frozenset({"road", "expressway", "metro_line", "rail_line"})),
)


def _compatible(anaphor: str, kind: str | None) -> bool:
    """Whether an anaphoric noun can refer to a feature of this kind (``工程``/``项目``: any;
    a bare section label: a line or a river)."""
    for noun, kinds in _ANAPHOR_KINDS:
        if noun in anaphor:
            return kind in kinds
    if _SECTION_TAIL_RE.search(anaphor):
        return kind in _SECTION_KINDS
    return True


def _antecedent(
    ctx: DocContext,
    ci: int,
    ctext: str,
    st: _Status,
    last_subject: tuple[int, int, list[str]] | None,
    last_eventable: Mapping[int, list[tuple[int, str]]],
    topic: str | None,
    kinds: Mapping[str, str],
    *,
    section_owners: Mapping[int, list[tuple[int, str]]] | None = None,
    known_spans: Sequence[tuple[int, int]] = (),
    object_section: bool = False,
) -> list[str]:
    """The features a clause without a mention of its own is about (zero anaphora).

    * a bare predicate after a statement of the same sentence (``平谷线加快建设，…，预计
      2025年年底建成通车``) takes that statement's subject;
    * a clause with no subject before its keyword takes the subject of the last statement
      of its paragraph;
    * a clause whose subject is an anaphoric noun (``该工程``, ``线路``, ``项目``) or a bare
      section label (``通州至大兴段``) takes, of the features that noun can refer to, the
      last statement's subject in its paragraph, else the last feature its paragraph names,
      else the last statement's subject of the previous paragraph, else the document's topic
      (the feature it names most). A bare section label (``甲县境内``) belongs to a line or a
      river only (``section_owners``: paragraph -> mentions of those, rivers included), never
      to the lock or station the statement before was about.

    ``known_spans`` are the clause's gazetteer mentions (places included): a name the
    gazetteer knows (``香河境内``) is no unknown subject of the clause.

    Never when the clause names a feature the gazetteer does not know (``东坝船闸计划
    2025年通航``), nor when the keyword has an object of its own, unless that object is only
    a section of the topic (``object_section``, see :func:`_object_section`).
    """
    clause = ctx.seg.clauses[ci]
    _status, ks, ke = st
    tail = ctext[ke:].strip()
    if names_other_subject(_masked(ctext[:ks], clause.start, known_spans, "、")):
        return []
    same_sentence = last_subject is not None and last_subject[1] == clause.sentence
    if same_sentence and _ZERO_TAIL_RE.match(ctext, ke):
        assert last_subject is not None
        label = _SECTION_LABEL_RE.search(PINYIN_ARTIFACT_RE.sub("", ctext[:ks]))
        if label is None or any(_compatible(label.group(0), kinds.get(f)) for f in last_subject[2]):
            return list(last_subject[2])
    if not object_section and (len(tail) > _ZERO_TAIL_MAX or not _ZERO_TAIL_OK_RE.match(tail)):
        return []  # the keyword has an object of its own (已建成各类园区19个): another statement
    modality = "expected" if EXPECTED_RE.search(ctx.cue_text(clause.start, clause.end)) else "actual"
    anaphor = _zero_subject(ctx, ci, ctext, ks, modality)
    if anaphor is None:
        return []
    anaphor = _SECTION_PART_RE.sub("", anaphor)  # 河北段车站: the stations of the section, the owner's
    if not anaphor:
        topic_here = _sentence_topic(ctx, clause, last_eventable)
        if topic_here is not None and (
            last_subject is None or last_subject[0] != clause.paragraph or last_subject[1] < topic_here[0]
        ):
            return [topic_here[1]]  # 甲路西起乙路。10月10日正式通车: the topic of the sentence(s) before
        if last_subject is not None and (
            last_subject[0] == clause.paragraph
            or (
                last_subject[0] == clause.paragraph - 1
                and (
                    last_subject[0] in ctx.seg.headings
                    or is_question(ctx.norm[slice(*ctx.seg.paragraphs[last_subject[0]])])
                )
            )
        ):
            return list(last_subject[2])  # the same paragraph, the headline or the question just above
        return []

    def ok(fids: list[str]) -> list[str]:
        return [f for f in fids if _compatible(anaphor, kinds.get(f))]

    here = last_subject is not None and last_subject[0] == clause.paragraph
    before = last_subject is not None and last_subject[0] == clause.paragraph - 1
    named = last_eventable
    if section_owners is not None and _SECTION_TAIL_RE.search(anaphor):
        named = section_owners
    prior = ok([fid for pos, fid in named.get(clause.paragraph, []) if pos < clause.start])
    if _PROJECT_ANAPHOR_RE.search(anaphor):
        # 该工程 / 项目: the project the text is about -- the subject of the last statement,
        # else the document's topic, else the last feature the paragraph names
        if last_subject is not None and (here or before) and ok(last_subject[2]):
            return ok(last_subject[2])
        if topic is not None:
            return [topic]
        return [prior[-1]] if prior else []
    plural = _PLURAL_ANAPHOR_RE.match(ctext)
    if plural and clause.sentence > 0:
        # 甲路、乙路…。上述道路均已通车: a plural demonstrative takes every feature of its kind
        # that the previous sentence (of the same paragraph) names; a numbered one
        # (这两条道路) the last so many of them, and only when there are that many
        ps, pe = ctx.seg.sentences[clause.sentence - 1]
        group = ok(list(dict.fromkeys(f for pos, f in last_eventable.get(clause.paragraph, []) if ps <= pos < pe)))
        count = parse_cn_number(plural.group("n")) if plural.group("n") else None
        if count is not None:
            return group if count >= 2 and len(group) == count else []
        if len(group) >= 2:
            return group
    if here and last_subject is not None and ok(last_subject[2]):
        return ok(last_subject[2])
    if prior:
        return [prior[-1]]
    if before and last_subject is not None and ok(last_subject[2]):
        return ok(last_subject[2])
    if topic is not None and ok([topic]):
        return [topic]
    return []


#: What may open a sentence before the feature that is its topic (once its dates are removed).
_TOPIC_PREFIX_RE = re.compile(
    r"^(?:[\s，,、“”\"以来截至在于到自从起今年底]|目前|当前|近日|日前|据悉|据了解|记者了解到|另外|此外|同时|其中|"
    r"新建的?|拟建的?|规划的?|全长[^，。]{0,8}的|位于[^，。]{0,10}的|"
    # the county or town the name is in (通州区云景大桥…): a place, not another subject
    r"[\u4e00-\u9fff]{1,6}?(?:省|市|区|县|镇|乡))*$"
)


#: A river as the boundary of a section of something else (``潮白河以东段``, ``某河东侧段``), not
#: the river's own section (``某河通州段``, ``某河甲闸至乙闸段``); searched over the mention
#: (which may include the label) and a few characters after it.
_BOUNDARY_AFTER_RE = re.compile(r"(?:以[东西南北]|[东西南北]侧)[\u4e00-\u9fff]{0,2}?段")


#: A section label written with place names (``通州至大兴段``, ``北京段``, ``河北段``, the stretch
#: inside an area: ``甲县境内``).
_SECTION_LABEL_RE = re.compile(r"[\u4e00-\u9fff]{1,8}(?:至|到|—|-)?[\u4e00-\u9fff]{0,8}?(?:(?<!阶)段|境内|区间)")


#: What may stand between a works keyword and the section it works on (``开工建设甲路至乙路段``).
_WORKS_FILLER_RE = re.compile(r"\s*(?:建设|施工|了)?\s*")
#: The end of a section label after its second end point: ``一段``, ``段``, ``这一段``.
_SECTION_END_RE = re.compile(r"(?:这|一|这一)?段")


def _object_section(ctx: DocContext, clause: Clause, cmentions: Sequence[tuple[int, int, str]]) -> bool:
    """Whether the clause's two names are only the end points of the section its works
    keyword works on: ``北京段目前率先开建甲路至乙河一段``, ``率先开工建设甲路至乙路段``.

    No feature is named before the keyword (its subject is a bare section label, a place or
    left out), and right after it (or after ``建设``/``施工``) stand ``A至B段``: the first name ends at
    ``至``/``到``/``—``, the second ends the label. The section belongs to the topic, so the
    clause is read as one without names (:func:`_antecedent`).
    """
    (a1, b1, _), (a2, b2, _) = cmentions
    norm = ctx.norm
    if b1 >= len(norm) or norm[b1] not in "至到-" or a2 != b1 + 1:
        return False
    if not (norm.endswith("段", a2, b2) or _SECTION_END_RE.match(norm, b2)):
        return False
    st = status_in(norm[clause.start : a1])
    if st is None or st[0] not in ("construction_started", "under_construction"):
        return False
    gap = _WORKS_FILLER_RE.match(norm, clause.start + st[2], a1)
    return gap is not None and gap.end() == a1


def _between_stations(
    ctx: DocContext, clause: Clause, cmentions: Sequence[tuple[int, int, str]], kinds: Mapping[str, str]
) -> bool:
    """Whether the clause's two names are stations that bound the run before its keyword
    (``甲站至乙站区间左线贯通``): the run is a section of the line, not either station."""
    (_a1, b1, f1), (a2, b2, f2) = cmentions
    if kinds.get(f1) != "station" or kinds.get(f2) != "station":
        return False
    st = status_in(ctx.norm[clause.start : clause.end])
    if st is None or clause.start + st[1] < b2:
        return False
    return _STATION_RUN_RE.match(ctx.norm, b1, clause.start + st[1]) is not None and a2 > b1


#: Between the two stations of a run and after the second: ``至`` … ``区间``.
_STATION_RUN_RE = re.compile(r"(?:至|到|—|-)[^，。；]{1,10}?区间")


def _inside_section_label(ctx: DocContext, clause: Clause, spans: list[tuple[int, int]], ks: int) -> bool:
    """Whether every name in a clause before its keyword is part of a section label
    (``香河至通州段已基本完工``: the places name a section of the topic, not the subject)."""
    m = _SECTION_LABEL_RE.search(ctx.norm, clause.start, clause.start + ks)
    if m is None:
        return False
    return all(m.start() <= a and b <= m.end() for a, b in spans)


def _sentence_topic(
    ctx: DocContext, clause: Clause, last_eventable: Mapping[int, list[tuple[int, str]]]
) -> tuple[int, str] | None:
    """The feature a subjectless clause continues (topic continuation): the feature that opens
    its own sentence before it, else the one that opens the previous sentence of its paragraph
    (``甲路西起乙路，东至丙路。10月10日正式通车``); with that sentence's index.

    A sentence's topic is its first feature that is not an end point or route point, when
    only dates and adverbial filler stand before it."""
    si = clause.sentence
    for k in (si, si - 1):
        if k < 0:
            break
        ss, se = ctx.seg.sentences[k]
        limit = min(se, clause.start)
        first = next(((pos, f) for pos, f in last_eventable.get(clause.paragraph, []) if ss <= pos < limit), None)
        if first is None:
            continue
        pos, fid = first
        prefix = ctx.norm[ss:pos]
        for a, b, _ in reversed(ctx.dates(ss, pos, "actual")):
            prefix = prefix[:a] + prefix[b:]
        prefix = NEWS_LEAD_RE.sub("", prefix, count=1)
        return (k, fid) if _TOPIC_PREFIX_RE.match(prefix) else None
    return None


_PROJECT_ANAPHOR_RE = re.compile(r"工程|项目")
#: A plural demonstrative subject (``上述道路``, ``以上线路``, ``这些车站``).
_PLURAL_ANAPHOR_RE = re.compile(
    r"^\s*(?:上述|以上|这些|(?:这|该|此)(?=[两二三四五六七八九十\d]+[条座个项处]))(?P<n>[两二三四五六七八九十\d]+)?"
)
_PERIPHERAL_BEFORE_RE = re.compile(
    r"(?:[东南西北]起|起于|起自|止于|终至|终于|终点|起点|途经|经由|经过|连接|衔接|对接|接入|与|至|到|从|由|跨)\s*$"
)


def _peripheral(norm: str, start: int, end: int) -> bool:
    """Whether a mention is an end point, a route point or a connection target (``起于甲``,
    ``与甲相接``, ``经甲``): never the topic a later anaphor refers to."""
    return bool(_PERIPHERAL_BEFORE_RE.search(norm, max(0, start - 4), start) or ENDPOINT_RE.match(norm, end))


def _segment_status(statuses: list[_Status | None], i: int) -> tuple[int, _Status] | None:
    """The status segment ``i`` takes: its own, else the next segment's with one, else the
    previous segment's with one; with the index of the segment it comes from."""
    own = statuses[i]
    if own is not None:
        return i, own
    for k in range(i + 1, len(statuses)):
        st = statuses[k]
        if st is not None:
            return k, st
    for k in range(i - 1, -1, -1):
        st = statuses[k]
        if st is not None:
            return k, st
    return None


_ZERO_TAIL_RE = re.compile(r"[\s后了的等。！？!?…]*$")


def _status_allowed(kind: str | None, status: str, keyword: str) -> bool:
    """Whether a status keyword can apply to a feature of this kind: rivers only open for
    navigation; the re-routing and timetable words (``调整``, ``末班车``...) only say that a
    bus line runs."""
    if kind in NATURAL_KINDS:
        return status == "opened" and "通航" in keyword
    if BUS_ONLY_RE.match(keyword):
        return kind == "bus_line"
    # 加快某园区主阵地建设: an area's 建设 after these verbs is its development
    return not (kind in AREA_KINDS and _SPEED_UP_WORKS_RE.match(keyword))


#: A verb of speeding up works, then the name and the works noun (``加快甲路建设``); said of an
#: area (a zone, a county) it is development, not works.
_SPEED_UP_WORKS_RE = re.compile(r"^(?:加快|加紧|抓紧|加速).+(?:建设|工程|施工)$")


def _check_future(ctx: DocContext, rd: ResolvedDate | None, modality: str) -> str:
    """A statement dated after publication is a forecast."""
    latest = ctx.pub_latest
    if rd is not None and latest is not None and modality == "actual" and rd.date > latest:
        return "expected"
    return modality


def _add_event(
    events: list[Event],
    seen: set[tuple],
    ctx: DocContext,
    clause: Clause,
    fid: str,
    status: str,
    modality: str,
    rd: ResolvedDate | None,
) -> None:
    """Add the event of ``fid`` stated by ``clause`` (once per feature, status, modality, date
    and clause).

    A fact the text dates only by its report (``rd`` of precision ``reported``) is dated to
    the publication month (:attr:`DocContext.report_month`): the text says the state held, or
    the change had happened, by the report, not on which day; the publication day is when it
    was written down. :func:`geo.timeline.build_timelines` still counts it from the
    publication day. An undated forecast keeps ``reported``, as does a document whose
    publication date is known only to the month or year.
    """
    key = (fid, status, modality, rd.date if rd else None, clause.start)
    if key in seen:
        return
    seen.add(key)
    s, e = clause.start, clause.end
    while s < e and ctx.text[s].isspace():
        s += 1
    if rd is not None and rd.precision == "reported" and modality == "actual" and ctx.published_precision == "day":
        rd = ctx.report_month
    events.append(
        Event(
            feature_id=fid,
            status=status,
            modality=modality,
            date=rd.date if rd else None,
            precision=rd.precision if rd else "unknown",
            date_basis=rd.basis if rd else "unknown",
            doc_id=ctx.doc_id,
            start=s,
            end=e,
            quote=ctx.text[s:e],
            date_end=rd.end if rd else None,
            published=ctx.known_by,
        )
    )


def find_events(
    doc: Any,
    gazetteer: Any,
    *,
    mentions: list[Mention] | None = None,
    matcher: Matcher | None = None,
    provisional: bool = True,
) -> list[Event]:
    """Detect status statements about the features mentioned in a document.

    Parameters
    ----------
    doc : geo.corpus.Document
    gazetteer : geo.gazetteer.Gazetteer
    mentions : list of Mention, optional
        Mentions of ``doc`` (found when omitted).
    matcher : optional
        Prebuilt :func:`build_matcher` result.
    provisional : bool, default True
        With ``mentions`` omitted: include names the gazetteer lacks (provisional features).

    Returns
    -------
    list of Event
        In text order.
    """
    matcher = matcher or build_matcher(gazetteer)
    ctx = document_context(doc)
    pkinds: dict[str, str] = {}
    if mentions is None:
        mentions, pkinds = document_mentions(ctx, matcher, provisional=provisional)
    else:
        pkinds = {m.feature_id: k for m in mentions if (k := provisional_kind(m.feature_id))}
    kinds = {**matcher.kinds, **pkinds}
    return events_in(ctx, mentions, kinds, no_events=matcher.no_events)
