"""The grammar of infrastructure names the gazetteer does not know.

News names far more roads, bridges, bus lines, stations, locks and parks than any
curated gazetteer holds. This module recognises them by the form of the name, so
that their events are not lost (they become *provisional features*, see
:mod:`geo.extract.provisional`):

==================  ==========================================================  ==============
class               written as                                                  kind
==================  ==========================================================  ==============
bus line            ``814路``, ``专203路``, ``临8路``, ``夜1路``, ``T109路``,      ``bus_line``
                    ``938快``, ``523支``/``523支线``, ``快速公交2线``; a list
                    sharing one suffix (``801、802、805路``: three lines)
road                ``X路``, ``X大街``, ``X大道``, ``X公路``, ``X街``,              ``road``
                    ``X快速路``, with an extension (``X路东延``, ``X路南延线``)
expressway          ``X高速``, ``X高速公路``                                      ``expressway``
bridge              ``X桥``, ``X大桥``, ``X特大桥`` (not ``X桥东`` stop names)     ``bridge``
station             ``X站`` where the sentence is about rail (``地铁X站``,         ``station``
                    a line, ``铁路``, ``换乘``...), not a bus stop (``X路口西站``)
metro / rail line   ``13号线``, ``地铁X线``, ``X支线``, ``X联络线``, ``X铁路``,   ``metro_line``,
                    ``X城际``, ``X高铁``                                          ``rail_line``
lock                ``X船闸``, ``X闸``                                            ``lock``
park                ``X公园`` (``X森林公园``, ``X湿地公园``...)                   ``park``
==================  ==========================================================  ==============

A name is cut at the function words and verbs before it (``加快建设某某路`` ->
``某某路``); a county or town name directly before it is trimmed, not a reason to
drop it (``通州区某某路`` -> ``某某路``, placed in 通州区). Generic words that end
like names (``道路``, ``线路``, ``公交站``, ``跨界公路``...) are none.

:func:`candidate_name` is the suffix rule alone (any infrastructure-like ending,
used for the ``--unknown`` list); :func:`grammar_names` returns the typed names of
a document.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "GENERIC_WORDS",
    "NameSpan",
    "candidate_name",
    "grammar_names",
    "longest_candidates",
    "names_other_subject",
    "suffix_candidates",
]

# =========================================================================== suffix rule
_UNKNOWN_SUFFIXES = (
    "快速公交走廊|大街|大道|特大桥|大桥|高速公路|高速|快速路|铁路|城际|船闸|公园|枢纽互通|互通立交|立交桥|立交|"
    "枢纽|公交场站|公交|支线|联络线|机场线|码头|院区|分院|机场|线|路|站|桥|闸|"
    "河(?!北省|南省|北|南|湖|道|流|段|畔|边|岸|堤|滩|水|系|长|大桥|桥|特大桥|公园|森林公园|闸|船闸|路|大街|大道|站|口|网|渠)"
)
_NOT_AFTER = (
    r"(?!径|面|况|演|由|子|网|索|条|性|长(?![\d约达近超逾])|位|台|点|梁|头|协议|一体化|化|车|思维|发展|运输|通道|门|口|机|段|"
    r"基|灯|线|权|费|名|牌|标|政|用|路|铁|时代|增长|运转|列车|磁浮|北省|南省|道|流|湖|畔|边|岸|堤|滩|水|系|长制)"
)
#: An infrastructure suffix; the name is the run of Chinese characters before it.
_SUFFIX_RE = re.compile(rf"(?:{_UNKNOWN_SUFFIXES}){_NOT_AFTER}")
_BODY_MAX = 8
UNKNOWN_RE = re.compile(rf"(?:[\u4e00-\u9fff]{{1,{_BODY_MAX}}}|\d{{1,4}})(?:{_UNKNOWN_SUFFIXES}){_NOT_AFTER}")
_CUT_RE = re.compile(
    r".*(?:[的了与和及或至在向从对将已于把被为是等、及其条座个经由沿过到往自往返]|开通|建设|推进|加快|实现|完成|开展|"
    r"打通|启动|连接|连通|途经|沿线|跨界|跨省|跨区域|首条|主干|城际|轨道交通|通勤|快速|重要|"
    r"推动|支持|畅通|建成|新建|改建|改造|延伸|衔接|接入|对接|提升|加强|构建|形成|一条|多条|两条|"
    r"完善|疏解|融入|进一步|坐|发挥|强化|谋|创新|包括|举办|一趟|国家|各类|多个|乘坐|换乘|抵达|前往|"
    r"开往|驶入|驶出|引入|调整|延长|恢复|开设|增设|设置|设立|位于|地处|紧邻|毗邻|相邻|临近|靠近|"
    r"项目|工程|这座|该|此|本|现况|现状|既有|原有|拟建|在建|规划|计划|预计|力争|即将|正式|顺利|全面|"
    r"县道|国道|省道|乡道|市道|村道|一座|一处|全线|目前|今年|去年|明年|日前|近日|其中|同时|此外|另外|"
    r"[起止继又再]|北京市|天津市|河北省|廊坊市|唐山市|承德市|"
    r"地铁|轨道|公交(?!场站)|铁路|公路|道路|乡村|可达|直达|通达|到达|分别|包括|涉及|以及|还有|共有|设有|车道)"
)
#: Generic words that end like a name but are none.
GENERIC_WORDS: frozenset[str] = frozenset(
    [
        "思路",
        "道路",
        "线路",
        "一线",
        "网站",
        "马路",
        "公路",
        "铁路",
        "城际",
        "高速",
        "高速公路",
        "干线",
        "主线",
        "支线",
        "路线",
        "路径",
        "沿线",
        "线上",
        "线下",
        "热线",
        "专线",
        "前线",
        "底线",
        "红线",
        "防线",
        "主干路",
        "跨界道路",
        "跨界公路",
        "断头路",
        "瓶颈路",
        "快速路",
        "主干线",
        "示范线",
        "新路",
        "出路",
        "道路网",
        "在线",
        "上线",
        "一站",
        "首站",
        "车站",
        "网站",
        "站点",
        "工作站",
        "服务站",
        "加油站",
        "公交站",
        "站台",
        "枢纽",
        "交通枢纽",
        "综合枢纽",
        "桥梁",
        "大桥",
        "公园",
        "节点公园",
        "口袋公园",
        "船闸",
        "公交",
        "跨界公交",
        "定制公交",
        "地面公交",
        "城市公交",
        "公交线",
        "公交线路",
        "公交专线",
        "跨省公交",
        "跨界公交线路",
        "城际铁路",
        "市郊铁路",
        "高铁",
        "地铁",
        "轨道线",
        "精品旅游线路",
        "旅游线路",
        "生命线",
        "产业链",
        "全线",
        "一条线",
        "一路",
        "一路上",
        "路上",
        "之路",
        "发展之路",
        "新路子",
        "站位",
        "高站位",
        "一线城市",
        "第一线",
        "奋战一线",
        "工作一线",
        "基层一线",
        "生态线",
        "保护线",
        "控制线",
        "等线",
        "城际线",
        "主干道路",
        "干道",
        "通道",
        "轨道",
        "国道",
        "省道",
        "县道",
        "乡道",
        "高速路",
        "大通道",
        "快速通道",
        "出海通道",
        "综检站",
        "监测站",
        "检查站",
        "中转站",
        "一带一路",
        "接线",
        "旅游线",
        "森林公园",
        "轨道交通线路",
        "城市轨道交通线路",
        "交通线路",
        "跨区域城市轨道交通线路",
        "地铁站",
        "火车站",
        "高铁站",
        "始发站",
        "终点站",
        "起点站",
        "首末站",
        "换乘站",
        "中间站",
        "末站",
        "终点",
        "车辆段",
        "停车场",
        "收费站",
        "服务区",
        "公交场站",
        "场站",
        "客运站",
        "汽车站",
        "公交车站",
        "公交枢纽",
        "地铁线",
        "地铁线路",
        "轨道交通线",
        "环线",
        "复线",
        "单线",
        "双线",
        "正线",
        "联络线",
        "出入线",
        "出入段线",
        "地下线",
        "高架线",
        "地面线",
        "水闸",
        "闸门",
        "拦河闸",
        "节制闸",
        "分洪闸",
        "桥下",
        "天桥",
        "过街天桥",
        "人行天桥",
        "立交桥",
        "高架桥",
        "特大桥",
        "跨线桥",
        "小路",
        "大路",
        "老路",
        "新街",
        "老街",
        "步行街",
        "商业街",
        "美食街",
        "城市公园",
        "湿地公园",
        "郊野公园",
        "遗址公园",
        "主题公园",
        "体育公园",
        "社区公园",
        "街心公园",
        "滨河公园",
        "环城公园",
        "市郊线",
        "普速铁路",
        "高速铁路",
        "城际线路",
        "两条线路",
        "全路",
        "一号线",
        "二号线",
        "新线",
        "老线",
        "本线",
        "该线",
        "此线",
        "此站",
        "该站",
        "本站",
        "全站",
        "各站",
        "新站",
        "老站",
        "两站",
        "三站",
        "四站",
    ]
)
#: A hospital's name (``某某医院``) before the county a campus is named after.
_HOSPITAL_RE = re.compile(r"[\u4e00-\u9fff]{2,}医院$")
_BRIDGE_SUFFIXES = frozenset({"特大桥", "大桥"})
#: A bridge named by the railway, road or river it crosses: ``跨某某铁路特大桥``.
_OVER_RE = re.compile(r"跨[\u4e00-\u9fff]{2,6}?(?:铁路|高速公路|高速|公路|城际|河)$")
_SUFFIX_END_RE = re.compile(rf"(?:{_UNKNOWN_SUFFIXES})$")
_LEADING_DIGITS_RE = re.compile(r"^[\d.]+")
_BUS_STOP_TAIL_RE = re.compile(r"(?:路口|口)[东西南北]?站$|(?:路|桥|村|庄|门|园|小区|医院)[东西南北]站$")
_DIR_TAIL_RE = re.compile(r"[东西南北](?!延)")


def candidate_name(span: str) -> tuple[str, str] | None:
    """The infrastructure-like name a suffix-rule span ends with, and its suffix, or None.

    Parameters
    ----------
    span : str
        Normalised text ending with an infrastructure suffix (``...路``, ``...站``...).

    Returns
    -------
    (name, suffix) or None
        The name after cutting at function words and verbs, unless it is a generic word.
    """
    suffix_m = _SUFFIX_END_RE.search(span)
    if suffix_m is None:
        return None
    suffix = suffix_m.group(0)
    body = span[: suffix_m.start()]
    if body.isdigit():
        if suffix != "路":
            return None
        name = span
    elif suffix in _BRIDGE_SUFFIXES and (over := _OVER_RE.search(body)):
        name = over.group(0) + suffix  # 跨京哈铁路特大桥: a bridge named by what it crosses
    else:
        cut = _CUT_RE.match(body)
        body = body[cut.end() :] if cut else body
        body = _LEADING_DIGITS_RE.sub("", body)
        if len(body) < (1 if len(suffix) >= 3 and suffix not in GENERIC_WORDS else 2):
            return None
        name = body + suffix
    # a name ending in a generic compound (跨界道路, 服务站) is not a name; a name whose
    # suffix is itself a generic word (金融街大桥, 东坝船闸, 京秦铁路) is
    if (
        name in GENERIC_WORDS
        or (name[-2:] in GENERIC_WORDS and not suffix.endswith(name[-2:]))
        or (name[-3:] in GENERIC_WORDS and not suffix.endswith(name[-3:]))
        or (suffix == "线" and len(name) <= 2)
    ):
        return None
    return name, suffix


def suffix_candidates(norm: str) -> list[tuple[str, str, int, int]]:
    """Every suffix-rule name of a normalised text: (name, suffix, start, end), in text order.

    Anchored on the suffix: for each infrastructure suffix, the name is the run of up to
    eight Chinese characters (or four digits) before it, cut at function words and verbs,
    so a name is found even when it directly follows another (``甲铁路特大桥``: both
    ``甲铁路`` and ``甲铁路特大桥``; the longer wins where they overlap).
    """
    out = []
    for m in _SUFFIX_RE.finditer(norm):
        p, q = m.start(), m.end()
        a = p
        while a > 0 and p - a < _BODY_MAX and _is_cjk(norm[a - 1]):
            a -= 1
        if a == p:
            while a > 0 and p - a < 4 and norm[a - 1].isdigit():
                a -= 1
            if a == p:
                continue
        cand = candidate_name(norm[a:q])
        if cand is not None:
            out.append((cand[0], cand[1], q - len(cand[0]), q))
    return out


def longest_candidates(cands: Sequence[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
    """Suffix candidates without those inside a longer one (``星河互通立交``, not ``星河``).

    ``cands`` is in text order of the end offset (as :func:`suffix_candidates` gives it);
    a candidate is dropped when a later one starts at or before it and ends after it.
    """
    out = []
    for i, (name, suffix, a, b) in enumerate(cands):
        inside = False
        for _n2, _s2, a2, b2 in cands[i + 1 : i + 6]:
            if b2 > b and a2 <= a:
                inside = True
                break
        if not inside:
            out.append((name, suffix, a, b))
    return out


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def names_other_subject(text: str) -> bool:
    """Whether ``text`` names an infrastructure feature the gazetteer does not know."""
    return any(candidate_name(m.group(0)) for m in UNKNOWN_RE.finditer(text))


# =========================================================================== typed names
@dataclass(frozen=True, slots=True)
class NameSpan:
    """A name recognised by the grammar.

    Attributes
    ----------
    start, end : int
        Offsets into the document text (normalised and original text have the same length).
    name : str
        The canonical name: normalised (simplified, half-width) text, e.g. ``'814路'``,
        ``'某某路东延'``, ``'13号线'``.
    kind : str
        Gazetteer kind (``bus_line``, ``road``, ``expressway``, ``bridge``, ``station``,
        ``metro_line``, ``rail_line``, ``lock``, ``park``).
    rule : str
        The grammar rule that found it (``bus``, ``bus-list``, ``suffix``, ``metro``...).
    prefix : str or None
        The feature id of a county/town mention trimmed off its start (``通州区某某路``).
    """

    start: int
    end: int
    name: str
    kind: str
    rule: str
    prefix: str | None = None


_BUS_PREFIX = r"(?:专|临|夜|特|运通|快速直达专线|t)"
_BUS_NUM_RE = re.compile(
    rf"(?<![\d.a-z\-/:第号])(?P<pre>{_BUS_PREFIX})?(?P<num>\d{{1,4}})"
    r"(?P<suf>路(?:快车|快线|支线\d?|区间)?|快(?![速递乐])|支(?:线)?\d?(?![持援付撑队部出]))"
    r"(?![径面况由线子网口段号])"
)
_BUS_LIST_RE = re.compile(
    rf"(?<![\d.a-z\-/:第号])(?P<items>(?:{_BUS_PREFIX}?\d{{1,4}}(?:路)?\s*[、,和及与]\s*)+)"
    rf"(?P<last>{_BUS_PREFIX}?\d{{1,4}})(?P<suf>路|快)(?![径面况由线子网口段号])"
)
_BRT_RE = re.compile(r"(?P<name>[\u4e00-\u9fff]{0,6}快速公交\d{1,2}线)")
_METRO_NUM_RE = re.compile(r"(?P<pre>(?:城市)?轨道交通|地铁)?(?P<name>m?\d{1,3}号线|m\d{1,3}线)(?!路)")
_METRO_PRE_RE = re.compile(r"(?P<pre>(?:城市)?轨道交通|地铁)(?P<name>(?:m?\d{1,3}|[\u4e00-\u9fff]{1,5})线)(?!路)")
_RAIL_CONTEXT_RE = re.compile(r"地铁|轨道|铁路|城际|高铁|火车|动车|列车|车站|站台|换乘|进站|出站|号线|站点|车站|线路站")
_BUS_CONTEXT_RE = re.compile(r"公交|巴士|班车|快巴|首班|末班|首车|末车")

_SUFFIX_KIND: dict[str, str] = {
    "大街": "road",
    "大道": "road",
    "快速路": "road",
    "路": "road",
    "高速公路": "expressway",
    "高速": "expressway",
    "特大桥": "bridge",
    "大桥": "bridge",
    "桥": "bridge",
    "站": "station",
    "船闸": "lock",
    "闸": "lock",
    "公园": "park",
    "铁路": "rail_line",
    "城际": "rail_line",
    "联络线": "rail_line",
    "支线": "rail_line",
    "机场线": "metro_line",
    "快速公交走廊": "bus_line",
    "枢纽互通": "interchange",
    "互通立交": "interchange",
    "立交桥": "interchange",
    "立交": "interchange",
    "码头": "station",
    "公交场站": "station",
    "院区": "hospital",
    "分院": "hospital",
    "河": "river",
}
#: Names whose ending makes a kind other than their suffix's (a toll station is no rail station).
_NAME_KIND: tuple[tuple[str, str], ...] = (("收费站", "interchange"),)
#: Generic rivers (``护城河``) and words ending in 河 that are no river.
_GENERIC_RIVERS = frozenset(
    {"两河", "一河", "界河", "跨河", "母亲河", "护城河", "内河", "沿河", "江河", "山河", "冰河", "银河", "黄河"}
)
_SHORT_RIVER_RE = re.compile(r"(?:^|(?<=[在与和及、,，。；;(（:：\s]))([\u4e00-\u9fff]河)(?=[、和与及,，。；;)）\s]|$)")
_EXTENSION_RE = re.compile(r"[东西南北]延(?:线|段)?(?![长伸续])")
#: Kinds of gazetteer features that may stand before a name as its place (trimmed off).
PLACE_KINDS = frozenset({"admin"})
_ROAD_KINDS = frozenset({"road", "expressway"})


def _overlap(spans: Sequence[tuple[int, int, str]], starts: list[int], a: int, b: int) -> list[tuple[int, int, str]]:
    """Mentions overlapping [a, b) (spans sorted by start)."""
    out = []
    i = bisect.bisect_left(starts, b) - 1
    while i >= 0:
        s, e, _ = spans[i]
        if e > a and s < b:
            out.append(spans[i])
        if s < a - 40:
            break
        i -= 1
    return out


def _clean_name(name: str) -> str:
    return name.strip().replace(" ", "")


def grammar_names(
    norm: str,
    sentences: Sequence[tuple[int, int]],
    mentions: Sequence[tuple[int, int, str]],
    kinds: Mapping[str, str],
    *,
    candidates: Sequence[tuple[str, str, int, int]] | None = None,
) -> list[NameSpan]:
    """The typed names of a document that no gazetteer mention covers.

    Parameters
    ----------
    norm : str
        Normalised document text.
    sentences : sequence of (int, int)
        Sentence offsets (for the rail / bus context of stations and bare numbers).
    mentions : sequence of (start, end, feature id)
        Gazetteer mentions, sorted by start.
    kinds : mapping
        Feature id -> kind.
    candidates : sequence, optional
        :func:`suffix_candidates` of ``norm``, when already computed.

    Returns
    -------
    list of NameSpan
        Non-overlapping, in text order.
    """
    spans = list(mentions)
    starts = [s for s, _, _ in spans]
    sent_starts = [s for s, _ in sentences]
    found: list[NameSpan] = []

    def sentence_of(pos: int) -> str:
        i = bisect.bisect_right(sent_starts, pos) - 1
        if i < 0:
            return ""
        s, e = sentences[i]
        return norm[s:e]

    def place(a: int, b: int, kind: str, name: str, rule: str) -> None:
        """Add a name unless a gazetteer mention covers it; trim place names before it."""
        prefix = None
        over = sorted(_overlap(spans, starts, a, b))
        while over and over[0][0] <= a < over[0][1] < b - 1:
            _, e, fid = over[0]
            k = kinds.get(fid)
            if k in PLACE_KINDS:
                prefix, a = fid, e  # 通州区某某路: the county is the place, the rest the name
            elif kind == "bridge" and k in _ROAD_KINDS and len(over) == 1 and norm[e:b] not in GENERIC_WORDS:
                # 某某高速潮白河大桥: the bridge of that road over that river
                found.append(NameSpan(e, b, _clean_name(norm[over[0][0] : b]), kind, "bridge-of-road", fid))
                return
            else:
                return
            over = over[1:]
            name = norm[a:b]
        if (
            over
            and kind == "hospital"
            and _HOSPITAL_RE.search(norm, a, over[0][0])
            and all(kinds.get(o[2]) in PLACE_KINDS and a < o[0] and o[1] < b for o in over)
        ):
            over = []  # 某某医院通州院区: a hospital's campus named after its county
        if over:
            return  # the gazetteer knows this name (or a longer one)
        if len(name) < 2 or name in GENERIC_WORDS:
            return
        found.append(NameSpan(a, b, _clean_name(name), kind, rule, prefix))

    # bus lines: lists sharing a suffix, then single designations
    for m in _BUS_LIST_RE.finditer(norm):
        suf = m.group("suf")
        pos = m.start("items")
        for item in re.finditer(rf"({_BUS_PREFIX}?\d{{1,4}})(路)?", m.group("items")):
            a = pos + item.start(1)
            b = pos + item.end(2 if item.group(2) else 1)
            place(a, b, "bus_line", item.group(1) + (item.group(2) or suf), "bus-list")
        place(m.start("last"), m.end("suf"), "bus_line", m.group("last") + suf, "bus-list")
    taken = sorted((n.start, n.end) for n in found)
    for m in _BUS_NUM_RE.finditer(norm):
        if _covered(taken, m.start(), m.end()):
            continue
        num = int(m.group("num"))
        suf = m.group("suf")
        if suf.startswith("支") and not _BUS_CONTEXT_RE.search(sentence_of(m.start())):
            continue  # 3支 (three teams): only a line in a bus context
        if suf.startswith("快") and not (m.group("pre") or num >= 10):
            continue
        place(m.start(), m.end(), "bus_line", m.group(0), "bus")
    for m in _BRT_RE.finditer(norm) if "快速公交" in norm else ():  # the literal first: a fast scan
        name = m.group("name")
        cut = _CUT_RE.match(name[: name.index("快速公交")])
        a = m.start() + (cut.end() if cut else 0)
        place(a, m.end(), "bus_line", norm[a : m.end()], "bus")
    taken = sorted((n.start, n.end) for n in found)
    # metro lines written by number or with the 地铁 prefix
    for rx in (_METRO_NUM_RE, _METRO_PRE_RE):
        for m in rx.finditer(norm):
            a, b = m.start(), m.end()
            if _covered(taken, a, b):
                continue
            name = m.group("name")
            if name in GENERIC_WORDS or name in ("地铁线", "轨道线"):
                continue
            n0 = len(found)
            place(a, b, "metro_line", name, "metro")
            if len(found) > n0:
                bisect.insort(taken, (found[-1].start, found[-1].end))
    # the suffix rule for roads, bridges, stations, locks, parks and rail lines
    ends = {e: st for st, e, _ in spans}
    for name, suffix, a, b in longest_candidates(candidates if candidates is not None else suffix_candidates(norm)):
        kind = _SUFFIX_KIND.get(suffix)
        for ending, k in _NAME_KIND:
            if name.endswith(ending) and len(name) > len(ending):
                kind = k
        if kind is None or (kind == "river" and (name[-2:] in _GENERIC_RIVERS or name[-3:] in _GENERIC_RIVERS)):
            continue
        st = ends.get(b)
        if st is not None and st <= a:
            continue  # a gazetteer name (or the end of a longer one)
        if name[0].isdigit() or _covered(taken, a, b):
            continue
        if (
            kind == "station"
            and suffix == "站"
            and (_BUS_STOP_TAIL_RE.search(name) or not _RAIL_CONTEXT_RE.search(sentence_of(a)))
        ):
            continue  # a bus stop, or no rail in the sentence
        if kind == "bridge" and _DIR_TAIL_RE.match(norm, b):
            continue  # 某某桥东 / 某某桥北站: a place or stop named after a bridge
        if kind == "rail_line" and suffix == "支线" and "地铁" in sentence_of(a):
            kind = "metro_line"
        if kind == "road":
            ext = _EXTENSION_RE.match(norm, b)
            if ext:
                b = ext.end()
                name = norm[a:b]
        n0 = len(found)
        place(a, b, kind, name, "suffix")
        if len(found) > n0:
            bisect.insort(taken, (found[-1].start, found[-1].end))
    # a one-character river name (坝河) listed with another river: 分别设置在坝河、某某河
    rivers = {(n.start, n.end) for n in found if n.kind == "river"}
    rivers |= {(st, e) for st, e, fid in spans if kinds.get(fid) == "river"}
    river_starts = {st for st, _ in rivers}
    river_ends = {e for _, e in rivers}
    for m in _SHORT_RIVER_RE.finditer(norm):
        a, b = m.span(1)
        name = m.group(1)
        if name in _GENERIC_RIVERS or _covered(taken, a, b):
            continue
        if (b + 1) in river_starts or (a - 1) in river_ends:
            place(a, b, "river", name, "river-list")
    found.sort(key=lambda n: (n.start, -n.end))
    out: list[NameSpan] = []
    for n in found:
        if out and n.start < out[-1].end:
            continue
        out.append(n)
    return out


def _covered(taken: list[tuple[int, int]], a: int, b: int) -> bool:
    i = bisect.bisect_right(taken, (b, b)) - 1
    while i >= 0:
        s, e = taken[i]
        if e <= a:
            return False
        if s < b and e > a:
            return True
        i -= 1
    return False
