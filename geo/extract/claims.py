"""Quantitative claims: numbers with units and the noun they count.

Counts (``条/座/个/项``...), measures (``公里``, ``人次``, ``亿元``, ``%``...) and
travel-time promises (``半小时轨道交通圈``), each with the features of its clause (or
those a count enumerates) and the area its sentence is about.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from typing import Any

from geo.dates import parse_cn_number
from geo.extract.context import DocContext, document_context
from geo.extract.lexicon import AREA_KINDS
from geo.extract.mentions import Matcher, build_matcher, document_mentions
from geo.extract.provisional import provisional_kind
from geo.extract.records import Claim, Mention
from geo.extract.segment import Clause, Segmentation

__all__ = ["claims_in", "find_claims"]


_NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
_COUNT_UNITS = "条|座|个|项|家|所|列|宗|处|辆|趟|站|间|名|位|批|件|次|倍|亩|公顷|类"
_MEASURE_UNITS = "平方公里|公里|千米|km|米|人次|人|亿元|万元|元|%|％"
_CLAIM_RE = re.compile(
    rf"(?P<qual>约|共|达|超过|超|近|逾|累计)?(?P<num>{_NUM})(?P<mult>万亿|万|亿)?"
    rf"(?P<approx>多|余)?(?P<unit>{_MEASURE_UNITS}|{_COUNT_UNITS})(?P<approx2>多|余)?"
)
_TIME_RE = re.compile(
    r"(?P<num>半|\d+(?:\.\d+)?|[一二两三四五六七八九十]+)(?:个)?(?P<unit>小时|分钟)"
    r"(?P<what>轨道交通圈|交通圈|通勤圈|生活圈|经济圈|车程|直达|可达|通达|到达)"
)
_CLAIM_VERBS = (
    "已经|已|实现|开通|开展|加强|达成|试行|设立|召开|制定|完成|接待|推出|签约|签订|签署|建成|新增|"
    "达到|超过|累计|培养|培训|储备|搭建|入驻|办理|访问|涉及|安排|部署|谋划|实施|投产|落实|参与|"
    "纳入|开工|合作|互认|共享|取得|主动|全部|分别"
)
_COUNTED_STOP_RE = re.compile(rf".*(?:[的了与和及、是为有对在向将等“”\"()（）]|{_CLAIM_VERBS})")
_COUNTED_LEAD_RE = re.compile(
    r"^(?:已经|已|累计|共计|共|新增|开通|建成|完成|签约|实现|达到|超过|陆续|开行|推出|培训|培养|"
    r"入驻|搭建|组建|成立|制定|签订|召开|办理|举办|涉及|安排|部署|迁入|接待|注册|设立|储备|"
    r"挂牌|共建|合作|纳入|推出了|开通了|签订了)+"
)
_TRAILING_STOP_RE = re.compile(rf"(?:[的了]|{_CLAIM_VERBS})$")
_FOLLOW_STOP_RE = re.compile(rf"[的了与和及、是为有对在向将等,，。；;:：!！?？\s(（“”\"\d]|{_CLAIM_VERBS}")
_CN_NUM_OK_RE = re.compile(r"^(?:[一二两三四五六七八九]?[十百千])*[一二两三四五六七八九]?$")
_YEAR_TEXT_RE = re.compile(r"(?:19|20)\d{2}年|今年|去年|明年")
_TRAIL_VERB_RE = re.compile(r"(?:建设|工程|合作|办学|结算)$")


_HAS_NUMBER_RE = re.compile(r"[\d一二两三四五六七八九十半]")


def _claim_value(num: str, mult: str | None) -> float | None:
    value = parse_cn_number(num)
    if value is None:
        return None
    if mult:
        value *= {"万": 1e4, "亿": 1e8, "万亿": 1e12}[mult]
    return value


def _enumerated(
    seg: Segmentation,
    ci: int,
    mentions: list[Mention],
    mention_starts: list[int],
    kinds: Mapping[str, str],
    after: int,
    value: float,
    unit: str,
) -> tuple[str, ...]:
    """Features a count enumerates: ``4条跨界公路厂通路…，安石路…，神威北大街、通宝路…`` names
    exactly four non-area features of one kind after the number in the same sentence; then
    those are the features the claim counts. Empty when the count and the names do not match."""
    if unit not in ("条", "座", "个", "所", "处") or not (2 <= value <= 12) or value != int(value):
        return ()
    sentence = seg.clauses[ci].sentence
    end = seg.sentences[sentence][1]
    named = tuple(
        dict.fromkeys(
            m.feature_id
            for m in mentions[bisect.bisect_left(mention_starts, after) : bisect.bisect_left(mention_starts, end)]
            if kinds.get(m.feature_id) not in AREA_KINDS
        )
    )
    families = {_KIND_FAMILY.get(kinds.get(f, ""), kinds.get(f, "")) for f in named}
    return named if len(named) == int(value) and len(families) == 1 else ()


_KIND_FAMILY = {"expressway": "road", "bridge": "road", "interchange": "road"}


def claims_in(ctx: DocContext, mentions: list[Mention], kinds: Mapping[str, str]) -> list[Claim]:
    """The claims of a document context, clause by clause (see :func:`find_claims`).

    ``mentions`` are the document's mentions in text order; ``kinds`` maps feature id to
    kind (:attr:`geo.extract.mentions.Matcher.kinds`).
    """
    norm = ctx.norm
    seg = ctx.seg
    mention_spans = [(m.start, m.end) for m in mentions]
    mention_starts = [m.start for m in mentions]
    out: list[Claim] = []
    for ci, clause in enumerate(seg.clauses):
        ctext = norm[clause.start : clause.end]
        if not _HAS_NUMBER_RE.search(ctext):
            continue
        cm = mentions[bisect.bisect_left(mention_starts, clause.start) : bisect.bisect_left(mention_starts, clause.end)]
        fids = tuple(dict.fromkeys(m.feature_id for m in cm if kinds.get(m.feature_id) not in AREA_KINDS))
        if not fids and ci > 0 and seg.clauses[ci - 1].sentence == clause.sentence:
            # 开通跨界公交线路22条，日客运量约13万人次: the figure is about the previous topic
            prev = seg.clauses[ci - 1]
            pm = mentions[bisect.bisect_left(mention_starts, prev.start) : bisect.bisect_left(mention_starts, prev.end)]
            fids = tuple(dict.fromkeys(m.feature_id for m in pm if kinds.get(m.feature_id) not in AREA_KINDS))
        for m in _TIME_RE.finditer(ctext):
            value = 30.0 if m.group("num") == "半" else parse_cn_number(m.group("num"))
            if value is None:
                continue
            if m.group("unit") == "小时" and m.group("num") != "半":
                value *= 60
            s, e = clause.start + m.start(), clause.start + m.end()
            out.append(
                Claim(
                    float(value),
                    "min",
                    m.group("what"),
                    fids,
                    _area(ctx, mentions, mention_starts, kinds, clause, s),
                    ctx.doc_id,
                    s,
                    e,
                    ctx.text[clause.start : clause.end].strip(),
                )
            )
        for m in _CLAIM_RE.finditer(ctext):
            s_abs = clause.start + m.start("num")
            e_abs = clause.start + m.end()
            num = m.group("num")
            unit = m.group("unit")
            if unit == "％":
                unit = "%"
            # skip numbers inside names (22号线, 814路 are not units here) and dates/ordinals
            k = bisect.bisect_right(mention_starts, s_abs) - 1
            if k >= 0 and mention_spans[k][0] <= s_abs < mention_spans[k][1]:
                continue
            before_char = ctext[m.start() - 1 : m.start()] if m.start() > 0 else ""
            if before_char in ("第", ".") or (before_char.isdigit()):
                continue
            if not num[0].isdigit():
                if not _CN_NUM_OK_RE.match(num):
                    continue  # 唯一一个: not a numeral
                v0 = parse_cn_number(num)
                if v0 is None or v0 < 2 or unit in ("次", "倍", "名", "位", "间", "件", "人"):
                    continue
            value = _claim_value(num, m.group("mult"))
            if value is None:
                continue
            if unit == "%":
                pass
            counted, tail_qual, after = _counted(ctext, m.start(), m.end(), cm, clause.start)
            if not num[0].isdigit() and not after:
                continue  # Chinese numerals only before their noun (三个特色小镇), not 铁人三项赛
            if not counted and unit not in ("%", "公里", "千米", "km", "米", "亿元", "万元", "元", "人次"):
                continue
            base_unit = unit
            if unit in ("亿元", "万元"):
                value *= 1e8 if unit == "亿元" else 1e4
                base_unit = "元"
            qual = "".join(x for x in (m.group("qual"), m.group("approx"), m.group("approx2"), tail_qual) if x)
            listed = _enumerated(seg, ci, mentions, mention_starts, kinds, e_abs, value, base_unit)
            out.append(
                Claim(
                    value=float(value),
                    unit=base_unit,
                    counted=counted,
                    feature_ids=listed or fids,
                    area=_area(ctx, mentions, mention_starts, kinds, clause, s_abs),
                    doc_id=ctx.doc_id,
                    start=s_abs,
                    end=e_abs,
                    quote=ctx.text[clause.start : clause.end].strip(),
                    qualifier=qual,
                )
            )
    return out


def _counted(ctext: str, ms: int, me: int, cmentions: list[Mention], cstart: int) -> tuple[str, str, bool]:
    """The noun a number counts (after the classifier, else before the number), a
    trailing qualifier (``以上``...) and whether the noun follows the number."""
    following = ctext[me:]
    tail_qual = ""
    tq = re.match(r"以上|以下|左右", following)
    if tq:
        tail_qual = tq.group(0)
        following = following[tq.end() :]
        me += tq.end()
    # stop at a feature mention
    for m in cmentions:
        rel = m.start - cstart
        if rel >= me:
            following = ctext[me:rel]
            break
    following = following.lstrip('“"「')
    fm = _FOLLOW_STOP_RE.search(following)
    after = following[: fm.start()] if fm else following
    after = _TRAIL_VERB_RE.sub("", after[:12])
    if len(after) >= 2 and not re.match(r"^[\d年月日]", after):
        return after, tail_qual, True
    before = _YEAR_TEXT_RE.sub("", ctext[:ms])
    for m in cmentions:  # text after the last mention before the number
        rel_end = m.end - cstart
        if rel_end <= ms and m.start - cstart >= 0:
            tail = ctext[rel_end:ms]
            if len(tail) > 4:  # a long tail is the noun; a short one continues the name
                before = _YEAR_TEXT_RE.sub("", tail)
    qual = re.search(r"(?:约|共|达|超过|超|近|逾|累计)$", before)
    if qual:
        before = before[: qual.start()]
    stop = _COUNTED_STOP_RE.match(before)
    cand = before[stop.end() :] if stop else before
    tries = 0
    while not cand and stop and tries < 2:
        # 完成总工程量的60%, 项目达到56个: take the phrase before the stop word
        before = _TRAILING_STOP_RE.sub("", before)
        stop = _COUNTED_STOP_RE.match(before)
        cand = before[stop.end() :] if stop else before
        tries += 1
    cand = _COUNTED_LEAD_RE.sub("", cand)
    cand = re.sub(r"[\s\d.“”\"]+", "", cand)
    return cand[-10:], tail_qual, False


def _area(
    ctx: DocContext,
    mentions: list[Mention],
    mention_starts: list[int],
    kinds: Mapping[str, str],
    clause: Clause,
    pos: int,
) -> str | None:
    s, _ = ctx.seg.sentences[clause.sentence]
    i = bisect.bisect_left(mention_starts, pos) - 1
    found = None
    while i >= 0 and mentions[i].start >= s:
        if kinds.get(mentions[i].feature_id) in ("admin", "zone"):
            found = mentions[i].feature_id  # keep walking back: the sentence topic wins
        i -= 1
    return found


def find_claims(
    doc: Any,
    gazetteer: Any,
    *,
    mentions: list[Mention] | None = None,
    matcher: Matcher | None = None,
    provisional: bool = True,
) -> list[Claim]:
    """Find quantitative statements (counts, lengths, riders, money, percentages, travel time).

    Parameters
    ----------
    doc : geo.corpus.Document
    gazetteer : geo.gazetteer.Gazetteer
        Used to attach the features and the area a claim is about.
    mentions : list of Mention, optional
    matcher : optional

    Returns
    -------
    list of Claim
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
    return sorted(claims_in(ctx, mentions, kinds), key=lambda c: (c.start, c.end))
