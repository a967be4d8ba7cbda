"""Quantitative claims: numbers with units and the noun they count.

Counts (``条/座/个/项``..., also ``3对``, ``40班次``, ``800张``, ``4孔``), measures
(``公里``, ``米``/``m``, ``平方米``/``㎡``, ``km/h``, ``人次``, ``亿元``, ``%``...), lanes
(``双向八车道`` -> 8 ``车道``) and durations in minutes (travel times ``进城仅需8分钟``,
``最快2小时05分``, headways ``发车间隔5分钟``, timetable shifts ``末班车延后一小时``,
promises ``半小时轨道交通圈``), each with the features of its clause (or those a count
enumerates) and the area its sentence is about. A duration needs a travel word around it
(the length of a meeting is no claim); ``其中4条为高速公路`` counts the noun after the
copula; ``床位数将增至800张`` the noun before the change verb.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import replace
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
_COUNT_UNITS = (
    "条|座|个|项|家|所|列|宗|处|辆次|辆|趟|站|间|名|位|批|件|班次|车次|架次|次|倍|亩|公顷|类|对|张|层|道|孔|跨|"
    "台|套|栋|幢|根|户"
)
#: Speeds before lengths (``80公里/小时`` is a speed, not a length); areas before ``米``.
_SPEED_UNITS = r"km/h|公里/小时|千米/小时|公里每小时|千米每小时"
_MEASURE_UNITS = rf"{_SPEED_UNITS}|平方公里|平方米|㎡|m²|m2(?![\da-z])|公里|千米|km(?![a-z/²2])|米|m(?![a-z/²\d])|人次|人|亿元|万元|元|%|％"
#: People counted without a classifier after ``万``/``亿`` (``20万居民``, ``30万上班族``): persons.
_PEOPLE = "居民|群众|人口|市民|村民|上班族|通勤族|通勤者|旅客|乘客|游客|学生|职工|员工|就业人员"
_CLAIM_RE = re.compile(
    rf"(?P<qual>约|共|达|超过|超|近|逾|累计)?(?P<num>{_NUM})(?P<few>几)?(?:(?P<approx0>多|余)(?=万|亿))?(?P<mult>万亿|万|亿)?"
    rf"(?P<approx>多|余)?(?:(?P<unit>{_MEASURE_UNITS}|{_COUNT_UNITS})|(?<=[万亿多余])(?P<people>{_PEOPLE}))(?P<approx2>多|余)?"
)
_UNIT_CANON = {
    "％": "%",
    "m": "米",
    "㎡": "平方米",
    "m²": "平方米",
    "m2": "平方米",
    "公里/小时": "km/h",
    "千米/小时": "km/h",
    "公里每小时": "km/h",
    "千米每小时": "km/h",
}
#: Units that need no counted noun: the measure says what it is.
_SELF_UNITS = frozenset({"%", "公里", "千米", "km", "米", "平方米", "平方公里", "km/h", "亿元", "万元", "元", "人次"})
#: What names an end point or a stop of a route before a name (``西起甲路``, ``东至乙路``,
#: ``途经丙站``): that name is not what the sentence's figures are about.
_END_POINT_BEFORE_RE = re.compile(
    r"(?:(?:[东西南北](?:起|至|到|止)|起于|起自|始于|止于|终至|终于|(?:起点|终点)(?:位于|在|为|至)?|途经)"
    r"[^，,。；;、与和及]{0,8}|(?:起|至|到|经过|连接|接入|接)"
    # the roads a route takes, a list included (经甲路、乙路，终点至丙站)
    r"|(?:途经|经由|(?<![已曾神财正政历])经)[^，,。；;与和及]{0,10})\s*$"
)
#: What follows a name that is an end point of a section (``甲路至乙河一段``), a junction
#: (``甲路与乙路交口``) or a connection target (``与丙高速相接``).
_END_POINT_AFTER_RE = re.compile(
    r"\s*(?:(?:至|到|—|-|~)[^，,。；;]{0,12}?(?:段|区间)|(?:与[^，,。；;]{1,10}?)?(?:交口|交叉口|路口|交汇处)"
    r"|相接|对接|连接|衔接|相连|连通|接通|交汇)"
)
#: What makes ``N个`` a span of time (``3个多月``, ``30个工作日``).
_SPAN_AFTER_COUNT_RE = re.compile(r"(?:多|余)?(?P<span>月|工作日)(?P<since>(?:以)?来|之际)?")
_HOUR_NUM = r"\d+(?:\.\d+)?|[一二两三四五六七八九十]+"
#: A duration: ``半小时``, ``一个半小时``, ``2小时05分``, ``1.5小时``, ``8分钟``.
_DURATION_RE = re.compile(
    rf"(?:(?P<h>{_HOUR_NUM})(?:个)?(?P<hhalf>半)?|(?P<half>半))(?:个)?小时"
    rf"(?:(?P<hm>\d{{1,2}}|[一二三四五六七八九十]+)分(?:钟)?)?"
    rf"|(?P<m>{_HOUR_NUM})(?P<mhalf>半)?分钟"
)
#: What follows a travel-time promise (``半小时轨道交通圈``, ``1小时车程``).
_TIME_WHAT_RE = re.compile(
    r"(?:左右|以内|之内|内)?(?P<what>轨道交通通勤圈|轨道交通圈|交通圈|通勤圈|生活圈|经济圈|车程|可直达|直达|可达|通达|可到达|到达)"
)
#: Words before a duration that make it a travel time, headway or timetable change (not
#: the length of a meeting): the nearest one before the number is the claim's noun.
_TRAVEL_CUE_RE = re.compile(
    r"仅需|只需|约需|需要|需|用时|耗时|车程|全程|单程|单趟|最快|最短|最长|缩短至|缩短到|缩短|压缩至|压缩到|压缩|"
    r"直达|可达|通达|到达|抵达|往来|通勤|换乘|发车间隔|间隔|行车时间|通行时间|旅行时间|出行时间|时间|"
    r"延后|延长|推迟|提前|步行|骑行|乘坐|行驶|运行|一班"
)
#: Lanes of a road: ``双向八车道``, ``双向6车道``, ``3车道``.
_LANES_RE = re.compile(rf"(?P<dir>双向|单向)?(?P<num>{_NUM})(?:个)?车道")
#: A predicate right before a Chinese numeral makes it a count (``航线有两条``).
_PREDICATE_RE = re.compile(r"[\u4e00-\u9fff]{2}(?:有|共有|为|增至|达到)$")
#: ``其中4条为高速公路``: the noun after the copula is what is counted.
_COPULA_RE = re.compile(r"^(?:为|是|均为|都是|属于)")
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
_FOLLOW_STOP_RE = re.compile(
    rf"(?:都|均|也)(?=[为是分有])|[的了与和及、是为有对在向将等,，。；;:：!！?？\s(（“”\"\d]|{_CLAIM_VERBS}"
)
_CN_NUM_OK_RE = re.compile(r"^(?:[一二两三四五六七八九]?[十百千])*[一二两三四五六七八九]?$")
_YEAR_TEXT_RE = re.compile(r"(?:19|20)\d{2}年|今年|去年|明年")
_TRAIL_VERB_RE = re.compile(r"(?:建设|工程|合作|办学|结算)$")
#: Changes of a quantity (``床位数将增至800张``, ``加宽为8车道``): the noun is before them.
_CHANGE_RE = re.compile(
    r"(?:都|均|也|还)?(?:将|已|可)?(?:增至|增加到|增加至|增长至|提高到|提高至|提升至|提升到|扩大到|扩大至|减少到|减少至|降至|"
    r"缩短至|压缩至|变为|加宽为|加宽至|拓宽为|拓宽至|扩建为|扩容为|达到|达|为|是|有|共有|设有|分为|分成)$"
)


#: A speed written as a length (``设计时速100公里``, ``限速为80千米``): km/h.
_LENGTH_UNITS = frozenset({"公里", "千米", "km"})
_SPEED_BEFORE_RE = re.compile(r"(?:时速|速度|车速|限速|速度值)(?:为|达|达到|是|在)?\s*$")
#: What joins the values of a list (``18座、3座``, ``3.2公里和5.6公里``).
_VALUE_LIST_SEP_RE = re.compile(r"\s*(?:、|和|与|及|或|至|到)\s*")
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
        if not fids and ci > 0:
            fids = _subject_before(seg, ci, mentions, mention_starts, kinds, norm, cm)
            if not fids and not cm:
                fids = _anaphor_subject(seg, ci, mentions, mention_starts, kinds, norm)
        sent_start = seg.sentences[clause.sentence][0]
        taken: list[tuple[int, int]] = []  # the durations' spans: no count inside them (1个半小时)
        for dur in _durations(norm, ctext, clause.start, sent_start):
            value, s, e, counted, qual = dur
            taken.append((s, e))
            k = bisect.bisect_right(mention_starts, s) - 1
            if k >= 0 and mention_spans[k][0] <= s < mention_spans[k][1]:
                continue
            out.append(
                Claim(
                    value,
                    "min",
                    counted,
                    fids,
                    _area(ctx, mentions, mention_starts, kinds, clause, s),
                    ctx.doc_id,
                    s,
                    e,
                    ctx.text[clause.start : clause.end].strip(),
                    qualifier=qual,
                )
            )
        for m in _LANES_RE.finditer(ctext) if "车道" in ctext else ():
            lanes = _numeral(m.group("num"))
            s, e = clause.start + m.start("num"), clause.start + m.end()
            k = bisect.bisect_right(mention_starts, s) - 1
            if lanes is None or lanes < 1 or (k >= 0 and mention_spans[k][0] <= s < mention_spans[k][1]):
                continue
            out.append(
                Claim(
                    lanes,
                    "车道",
                    (m.group("dir") or "") + "车道",
                    fids,
                    _area(ctx, mentions, mention_starts, kinds, clause, s),
                    ctx.doc_id,
                    s,
                    e,
                    ctx.text[clause.start : clause.end].strip(),
                )
            )
        listed_unit: tuple[str, int] | None = None  # (unit, where the next value of a list starts)
        listed_counted = ""
        first_claim = len(out)
        for m in _CLAIM_RE.finditer(ctext):
            s_abs = clause.start + m.start("num")
            e_abs = clause.start + m.end()
            num = m.group("num")
            people = m.group("people")
            unit = "人" if people else _UNIT_CANON.get(m.group("unit"), m.group("unit"))
            if any(a <= s_abs < b for a, b in taken):
                continue
            span = _SPAN_AFTER_COUNT_RE.match(ctext, m.end()) if unit == "个" else None
            if span is not None:
                if span.group("since"):
                    continue  # 通车3个多月以来: the time since an event, not a figure of the feature
                unit = span.group("span")  # 工期18个月, 30个工作日: a span of time, not a count of things
            if unit in _LENGTH_UNITS and _SPEED_BEFORE_RE.search(ctext, max(0, m.start() - 8), m.start()):
                unit = "km/h"  # 设计时速60公里: a speed written as a distance per hour
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
            if m.group("few") and not num.endswith("十"):
                continue  # 几 only after a ten: 十几米, 二十几公里
            cvalue = _claim_value(num, m.group("mult"))
            if cvalue is None:
                continue
            value = cvalue
            counted, tail_qual, after = _counted(ctext, m.start(), m.end(), cm, clause.start)
            if people:
                counted, after = people, True
            elif not counted and listed_unit == (unit, m.start()):
                counted = listed_counted  # 分别设站18座、3座: the second value counts what the first did
            if (
                not num[0].isdigit()
                and not after
                and unit not in _SELF_UNITS
                and not _PREDICATE_RE.search(ctext, 0, m.start())
            ):
                continue  # Chinese numerals only before their noun (三个特色小镇), not 铁人三项赛; 航线有两条
            if not counted and unit not in _SELF_UNITS:
                continue
            base_unit = unit
            if unit in ("亿元", "万元"):
                value *= 1e8 if unit == "亿元" else 1e4
                base_unit = "元"
            qual = "".join(
                x
                for x in (
                    m.group("qual"),
                    m.group("few"),
                    m.group("approx0"),
                    m.group("approx"),
                    m.group("approx2"),
                    tail_qual,
                )
                if x
            )
            sep = _VALUE_LIST_SEP_RE.match(ctext, m.end())
            listed_unit, listed_counted = ((unit, sep.end()) if sep else None), counted
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
        if len(fids) >= 2 and "分别" in ctext:
            _respective(out, first_claim, fids, clause.start + ctext.index("分别"))
    return out


def _subject_before(
    seg: Segmentation,
    ci: int,
    mentions: list[Mention],
    starts: list[int],
    kinds: Mapping[str, str],
    norm: str,
    cm: list[Mention],
) -> tuple[str, ...]:
    """The features a clause without one of its own gives its figures to: those of the last
    earlier clause of its sentence that names one (``开通跨界公交线路22条，日客运量约13万人次``),
    passing over clauses that name only end points, junctions or connection targets
    (``甲路西起乙路，东至丙县，全长约7公里``: the figure is the subject's). A clause that names
    an area as its own subject (``北三县与通州区71家医疗机构…``) looks at the clause just before
    it only."""
    clause = seg.clauses[ci]
    own_area = any(not _end_point(norm, m, clause.start, clause.end) for m in cm)
    j = ci - 1
    while j >= 0 and seg.clauses[j].sentence == clause.sentence:
        prev = seg.clauses[j]
        pm = mentions[bisect.bisect_left(starts, prev.start) : bisect.bisect_left(starts, prev.end)]
        subjects = [m for m in pm if not _end_point(norm, m, prev.start, prev.end)]
        fids = tuple(dict.fromkeys(m.feature_id for m in subjects if kinds.get(m.feature_id) not in AREA_KINDS))
        if fids or subjects or own_area:
            return fids
        j -= 1
    return ()


#: A sentence that opens with an anaphor for a feature (``该路全长约6公里``, ``该工程总投资``).
_ANAPHOR_LEAD_RE = re.compile(
    r"\s*(?:该|此|这条|这座|这个|这一)"
    r"(?P<noun>道路|路段|路|线路|线|大桥|桥梁|桥|工程|项目|车站|站|医院|学校|公园|院区|校区)"
)
#: The kinds an anaphor's noun can refer to (``该站``: a station); a works noun (``该工程``) any.
_ANAPHOR_KINDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("道路", "路段", "路"), frozenset({"road", "expressway"})),
    **dict.fromkeys(("线路", "线"), frozenset({"metro_line", "rail_line", "bus_line"})),
    **dict.fromkeys(("大桥", "桥梁", "桥"), frozenset({"bridge"})),
    **dict.fromkeys(("车站", "站"), frozenset({"station"})),
    **dict.fromkeys(("医院", "院区"), frozenset({"hospital"})),
    **dict.fromkeys(("学校", "校区"), frozenset({"school"})),
    "公园": frozenset({"park"}),
}


#: A clause saying what the sentence's subject leads to (``标志着``, ``意味着``, ``使``).
_CONSEQUENCE_LEAD_RE = re.compile(r"\s*(?:标志着|意味着|使得?|让|将使|将让|为|成为|带动|推动|促进)")


def _anaphor_subject(
    seg: Segmentation, ci: int, mentions: list[Mention], starts: list[int], kinds: Mapping[str, str], norm: str
) -> tuple[str, ...]:
    """``通宝路连接甲区与乙市。该路全长约6公里，总投资约12亿元``: the figures of a sentence that
    opens with an anaphor (``该路``, ``该工程``) and names no feature go to the feature the
    sentence just before it (not a heading) is about, when it names exactly one of the
    kinds the anaphor's noun can refer to (areas aside; ``该站`` a station, ``该工程`` any)."""
    clause = seg.clauses[ci]
    if not clause.sentence:
        return ()
    # the anaphor opens the sentence, or the clause after a lead (据悉，该站…)
    lead = _ANAPHOR_LEAD_RE.match(norm, seg.sentences[clause.sentence][0]) or _ANAPHOR_LEAD_RE.match(norm, clause.start)
    if lead is None:
        return ()
    if _CONSEQUENCE_LEAD_RE.match(norm, clause.start):
        return ()  # 该站的开通，标志着…八大枢纽: what it leads to has figures of its own
    j = ci - 1
    while j >= 0 and seg.clauses[j].sentence == clause.sentence:
        j -= 1
    if j < 0 or seg.clauses[j].sentence != clause.sentence - 1 or seg.clauses[j].paragraph in seg.headings:
        return ()  # the sentence just before (the last of the paragraph before), not a heading
    ps, pe = seg.sentences[clause.sentence - 1]
    named = mentions[bisect.bisect_left(starts, ps) : bisect.bisect_left(starts, pe)]
    fids = tuple(dict.fromkeys(m.feature_id for m in named if kinds.get(m.feature_id) not in AREA_KINDS))
    allowed = _ANAPHOR_KINDS.get(lead.group("noun"))
    if allowed is not None:
        fids = tuple(f for f in fids if kinds.get(f) in allowed)
    return fids if len(fids) == 1 else ()


def _end_point(norm: str, m: Mention, start: int, end: int) -> bool:
    """Whether a mention in the clause ``norm[start:end]`` names an end point, a junction or
    a connection target (``西起甲路``, ``东至乙县``, ``甲路与乙路交口``, ``与丙高速相接``)."""
    return (
        _END_POINT_BEFORE_RE.search(norm, max(start, m.start - 12), m.start) is not None
        or _END_POINT_AFTER_RE.match(norm[m.end : end]) is not None
    )


def _respective(claims: list[Claim], first: int, fids: tuple[str, ...], after: int) -> None:
    """``甲路、乙路全长分别为3.2公里和5.6公里``: when the claims of one unit after ``分别`` are
    as many as the clause's features, each is about one feature, in text order."""
    by_unit: dict[str, list[int]] = {}
    for i in range(first, len(claims)):
        if claims[i].start > after and claims[i].feature_ids == fids:
            by_unit.setdefault(claims[i].unit, []).append(i)
    for idx in by_unit.values():
        if len(idx) == len(fids):
            for i, fid in zip(idx, fids, strict=True):
                claims[i] = replace(claims[i], feature_ids=(fid,))


def _numeral(num: str) -> float | None:
    """An Arabic numeral, or a Chinese one that is a plain number (not 唯一一)."""
    if not num[0].isdigit() and not _CN_NUM_OK_RE.match(num):
        return None
    return parse_cn_number(num)


def _durations(norm: str, ctext: str, cstart: int, sstart: int) -> list[tuple[float, int, int, str, str]]:
    """Travel times, headways and timetable shifts of a clause, in minutes.

    A duration counts when a travel-time word follows it (``半小时交通圈``, ``1小时车程``)
    or a travel, headway or timetable word stands before it in its sentence (``全程80分钟``,
    ``最快2小时05分``, ``发车间隔5分钟``, ``末班车延后一小时``); the length of a meeting
    is none. Returns (minutes, start, end, counted, qualifier) with document offsets.
    """
    out: list[tuple[float, int, int, str, str]] = []
    if "小时" not in ctext and "分钟" not in ctext:
        return out
    for m in _DURATION_RE.finditer(ctext):
        if m.group("m") is not None:
            mins = _numeral(m.group("m"))
            if mins is None:
                continue
            if m.group("mhalf"):
                mins += 0.5
        else:
            hours = 0.5 if m.group("half") else _numeral(m.group("h"))
            if hours is None:
                continue
            if m.group("hhalf"):
                hours += 0.5
            mins = hours * 60
            if m.group("hm"):
                extra = _numeral(m.group("hm"))
                if extra is None:
                    continue
                mins += extra
        s, e = cstart + m.start(), cstart + m.end()
        before = ctext[m.start() - 1 : m.start()] if m.start() else ""
        if before.isdigit() or before in ("第", "."):
            continue
        what = _TIME_WHAT_RE.match(ctext, m.end())
        qual = ""
        tail = re.match(r"左右|以内|之内|多", ctext[m.end() :])
        if tail:
            qual = tail.group(0)
        lead = re.search(r"(?:约|大约|大概|仅|只|近|超过|不到|不超过|最快|最短)$", ctext[: m.start()])
        if lead:
            qual = lead.group(0) + qual
        if what:
            counted = what.group("what")
        else:
            cues = list(_TRAVEL_CUE_RE.finditer(norm, sstart, s))
            if not cues:
                continue
            counted = cues[-1].group(0)
        out.append((float(mins), s, e, counted, qual))
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
    cop = _COPULA_RE.match(following)
    if cop:
        following = following[cop.end() :]  # 其中4条为高速公路
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
    change = _CHANGE_RE.search(before)
    if change and change.start() >= 2:
        before = before[: change.start()]  # 床位数将增至800张, 航线有两条
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
