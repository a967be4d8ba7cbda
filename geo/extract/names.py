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
campus building     ``急诊医技楼``, ``立体车库``... after a campus the sentence     ``hospital``
                    names (``某某医院通州院区…门诊楼``: 某某医院通州院区门诊楼)
cultural venue      ``X博物馆``, ``X图书馆``, ``X剧院``... (not ``城市图书馆``)   ``culture``
park                ``X公园`` (``X森林公园``, ``X湿地公园``...)                   ``park``
interchange         ``X枢纽互通``, ``X互通立交``, ``X立交``, ``X收费站`` (not      ``interchange``
                    ``主线收费站``); after a known road, that road's
                    (``某某高速X收费站``)
shared ending       ``甲、乙船闸`` (甲船闸 too), ``甲、乙等环城公园`` (each a     the ending's
                    park; a town's name as an item names the park)
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
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from geo.extract.normalise import MatchView

__all__ = [
    "GENERIC_WORDS",
    "NameSpan",
    "candidate_name",
    "grammar_names",
    "is_bus_designation",
    "longest_candidates",
    "names_other_subject",
    "suffix_candidates",
]

# =========================================================================== suffix rule
_UNKNOWN_SUFFIXES = (
    "快速公交走廊|大街|大道|特大桥|大桥|高速公路|高速|快速路|铁路|城际|船闸|公园|枢纽互通|互通立交|立交桥|立交|"
    "枢纽|公交场站|公交|支线|联络线|机场线|码头|院区|分院|机场|博物馆|图书馆|美术馆|大剧院|剧院|艺术馆|科技馆|"
    "线|路|站|桥|闸|"
    "河(?!北省|南省|北|南|湖|道|流|段|畔|边|岸|堤|滩|水|系|长|大桥|桥|特大桥|公园|森林公园|闸|船闸|路|大街|大道|站|口|网|渠)"
)
_NOT_AFTER = (
    r"(?!径|面|况|演|由|子|网|索|条|性|长(?![\d约达近超逾])|位(?!于)|台|点|梁|头|协议|一体化|化|车|思维|发展|运输|通道|门|口|机|段|"
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
    r"横跨|跨越|跨过|上跨|下穿|穿越|穿过|横穿|"
    # works verbs (率先开建甲路: the road is 甲路)
    r"开建|开工|动工|修建|兴建|施工|通车|率先|盾构|"
    # verbs of relation and method (承担甲路, 紧贴乙铁路, 采用地面快速路, 简称丙高速, 预留码头)
    r"承担|紧贴|采用|主要|共建|预留|配合|带入|简称|当年|[东西南北]跨|回(?=[一二三四五六七八九十\d])|"
    r"项目|工程|这座|该|此|本|现况|现状|既有|原有|拟建|在建|规划|计划|预计|力争|即将|正式|顺利|全面|"
    r"县道|国道|省道|乡道|市道|村道|一座|一处|全线|目前|今年|去年|明年|日前|近日|其中|同时|此外|另外|"
    r"[起止继又再]|北京市|天津市|河北省|廊坊市|唐山市|承德市|"
    r"地铁|轨道|公交(?!场站)|铁路|公路|道路|乡村|可达|直达|通达|到达|分别|包括|涉及|以及|还有|共有|设有|车道)"
)
#: A body that counts its kind (``八大``, ``两大航空``) or sets one up (``中途设``, ``增设``).
_COUNTED_OR_SET_UP_RE = re.compile(r"[一二两三四五六七八九十百几多]大(?:航空|交通|物流)?$|设$")
#: Generic words that end like a name but are none.
GENERIC_WORDS: frozenset[str] = frozenset(
    [
        "思路",
        # verbs that end in 路 (断路施工, 绕路); not 顺路 or 岔路, which end real names (通顺路, 三岔路)
        "断路",
        "封路",
        "修路",
        "绕路",
        "让路",
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
        # classes of urban roads (城市快速路, 主干路, 次干路, 支路) and their parts, not names
        "城市快速路",
        "地面快速路",
        "城市主干路",
        "次干路",
        "城市次干路",
        "城市支路",
        "辅路",
        "地面辅路",
        "主路",
        # types of structure and of service, not names
        "分离立交",
        "全互通立交",
        "钢架桥",
        "游船码头",
        "中国铁路",
        "城郊铁路",
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
        "跨河桥",
        "跨河大桥",
        "跨路桥",
        "跨街桥",
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
        "博物馆",
        "图书馆",
        "美术馆",
        "大剧院",
        "剧院",
        "艺术馆",
        "科技馆",
        "文化馆",
    ]
)
#: Facility words that are a name only after the place they are named by (``燕郊收费站``,
#: ``香河县综合交通枢纽``), and the kind of that name.
_PLACE_NAMED: dict[str, str] = {
    "综合交通枢纽": "station",
    "交通枢纽": "station",
    "综合枢纽": "station",
    "收费站": "interchange",
}
#: A demonstrative for a hospital before the county its campus is named after (``该院通州院区``).
_THIS_HOSPITAL_RE = re.compile(r"(?:该|本|此|这家)(?:医)?院$")


def _this_hospital(norm: str, a: int, place: int) -> bool:
    """Whether ``norm[a:place]`` is (the end of) a demonstrative for a hospital."""
    m = _THIS_HOSPITAL_RE.search(norm, max(0, a - 4), place)
    return m is not None and m.start() <= a and m.end() == place


#: Words for a campus of a hospital: no name on their own (``通州院区`` is one only as the
#: short form of a campus the document names in full).
_CAMPUS_WORDS = frozenset({"院区", "分院"})
#: A building of a hospital campus (``急诊医技楼``, ``立体车库``): a feature of the campus a
#: sentence names before it, never of its own.
_CAMPUS_BUILDING_RE = re.compile(
    r"(?:(?:急诊医技|门急诊|急诊|医技|门诊|住院|病房|综合|科研|教学|感染)楼|立体车库|停车楼)"
)
#: A hospital's name (``某某医院``) before the county a campus is named after.
_HOSPITAL_RE = re.compile(r"[\u4e00-\u9fff]{2,}医院$")
_BRIDGE_SUFFIXES = frozenset({"特大桥", "大桥"})
#: A bridge named by the railway, road or river it crosses: ``跨某某铁路特大桥``.
_OVER_RE = re.compile(r"跨[\u4e00-\u9fff]{2,6}?(?:铁路|高速公路|高速|公路|城际|河)$")
_SUFFIX_END_RE = re.compile(rf"(?:{_UNKNOWN_SUFFIXES})$")
#: Digits before a name, with the date unit they end (``30日断路``: a date, then a verb).
_LEADING_DIGITS_RE = re.compile(r"^(?:[\d.]+[年月日]?)+")
_BUS_STOP_TAIL_RE = re.compile(r"(?:路口|口)[东西南北]?站$|(?:路|桥|村|庄|门|园|小区|医院)[东西南北]站$")
_DIR_TAIL_RE = re.compile(r"[东西南北](?!延)")


@functools.lru_cache(maxsize=1 << 16)
def candidate_name(span: str) -> tuple[str, str] | None:
    """The infrastructure-like name a suffix-rule span ends with, and its suffix, or None
    (computed once per distinct span: names recur within and across documents).

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
        if _COUNTED_OR_SET_UP_RE.search(body):
            return None  # 八大铁路, 两大航空枢纽: a count of them; 中途设站: stops set up
        name = body + suffix
    # a name ending in a generic compound (跨界道路, 服务站) is not a name; a name whose
    # suffix is itself a generic word (金融街大桥, 东坝船闸, 京秦铁路) is, and so is a toll
    # station named after its place (某某收费站, not 主线收费站)
    if _named_facility(name):
        return name, suffix
    if suffix in _VENUE_SUFFIXES and (body in GENERIC_WORDS or _GENERIC_VENUE_RE.search(body)):
        return None  # 城市图书馆, 区级博物馆: a kind of venue, not one
    if (
        name in GENERIC_WORDS
        or (name[-2:] in GENERIC_WORDS and not suffix.endswith(name[-2:]))
        or (name[-3:] in GENERIC_WORDS and not suffix.endswith(name[-3:]))
        or (suffix == "线" and len(name) <= 2)
    ):
        return None
    return name, suffix


def _named_facility(name: str) -> bool:
    """Whether ``name`` is a facility word (``收费站``) after a specific place or name."""
    for ending, _kind in _NAME_KIND:
        body = name[: -len(ending)]
        if name.endswith(ending) and len(body) >= 2:
            return not (body in GENERIC_WORDS or body[-2:] in GENERIC_WORDS or _GENERIC_QUALIFIER_RE.search(body))
    return False


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


#: Prefixes of a bus designation: the service words, or one Latin letter (``T117路``, ``H1路``;
#: text is lower-cased by the normalisation).
_BUS_PREFIX = r"(?:专|临|夜|特|运通|快速直达专线|[a-z])"
#: The characters a bus designation starts with (a prefix's first character, or a digit). A
#: pattern that opens with this lookahead is scanned several times faster: the engine
#: tests one character class at each position before the lookbehind and the alternatives.
_BUS_START = r"(?=[专临夜特运快a-z\d])"
_BUS_NUM_RE = re.compile(
    rf"{_BUS_START}(?<![\d.a-z\-/:第号])(?P<pre>{_BUS_PREFIX})?(?P<num>\d{{1,4}})"
    r"(?P<suf>路(?:快车|快线|支线\d?|区间)?|快(?![速递乐])|支(?:线)?\d?(?![持援付撑队部出]))"
    # not 路径, 路面, 路线 (a route), but 52路线路调整 (the line of 52路)
    r"(?![径面况由子网口段号]|线(?!路))"
)


def is_bus_designation(text: str) -> bool:
    """Whether ``text`` is one bus line's designation and nothing else (``938路``, ``临8路``)."""
    return _BUS_NUM_RE.fullmatch(text) is not None


_BUS_LIST_RE = re.compile(
    rf"{_BUS_START}(?<![\d.a-z\-/:第号])(?P<items>(?:{_BUS_PREFIX}?\d{{1,4}}(?:路)?\s*[、,和及与]\s*)+)"
    rf"(?P<last>{_BUS_PREFIX}?\d{{1,4}})(?P<suf>路|快)(?![径面况由子网口段号]|线(?!路))"
)
_BRT_RE = re.compile(r"(?P<name>[\u4e00-\u9fff]{0,6}快速公交\d{1,2}线)")
_METRO_NUM_RE = re.compile(r"(?=[城轨地m\d])(?P<pre>(?:城市)?轨道交通|地铁)?(?P<name>m?\d{1,3}号线|m\d{1,3}线)(?!路)")
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
    "博物馆": "culture",
    "图书馆": "culture",
    "美术馆": "culture",
    "大剧院": "culture",
    "剧院": "culture",
    "艺术馆": "culture",
    "科技馆": "culture",
    "河": "river",
}
#: Names whose ending makes a kind other than their suffix's (a toll station is no rail station).
_NAME_KIND: tuple[tuple[str, str], ...] = (("收费站", "interchange"),)
#: Endings of cultural venues (``某某博物馆``), kind ``culture``.
_VENUE_SUFFIXES = frozenset({"博物馆", "图书馆", "美术馆", "大剧院", "剧院", "艺术馆", "科技馆"})
#: Qualifiers that make a venue word generic (``城市图书馆``, ``区级博物馆``, ``数字图书馆``).
_GENERIC_VENUE_RE = re.compile(
    r"(?:城市|数字|社区|乡镇|街道|村级|区级|市级|县级|省级|国家级|综合|大型|小型|新建|一座|主题|专题|智慧|流动|"
    r"公共|民营|私人|各类|多个|一批|实体|线上|网上|[各该此本新老])$"
)
#: Qualifiers that make a facility word generic (``主线收费站``, ``省界收费站``, ``各收费站``).
_GENERIC_QUALIFIER_RE = re.compile(r"(?:主线|匝道|临时|省界|进京|出京|沿线|沿途|周边|附近|[各该此本多两三几座个处])$")
#: Generic rivers (``护城河``) and words ending in 河 that are no river.
_GENERIC_RIVERS = frozenset(
    {"两河", "一河", "界河", "跨河", "母亲河", "护城河", "内河", "沿河", "江河", "山河", "冰河", "银河", "黄河"}
)
#: Whole names that end like a river's and are none (a canal in general, not 北运河 or 大运河).
_GENERIC_RIVER_NAMES = frozenset({"运河", "人工运河", "古代运河"})
_SHORT_RIVER_RE = re.compile(
    r"(?=[\u4e00-\u9fff]河)(?:^|(?<=[在与和及、,，。；;(（:：\s]))([\u4e00-\u9fff]河)(?=[、和与及,，。；;)）\s]|$)"
)
_EXTENSION_RE = re.compile(r"[东西南北]延(?:线|段)?(?![长伸续])")
#: The end of a place name before another (``河北省``, ``廊坊市``) in the run before a name.
_QUALIFIER_TAIL_RE = re.compile(r"[\u4e00-\u9fff]{0,3}[省市区县]")
#: Kinds of gazetteer features that may stand before a name as its place (trimmed off).
PLACE_KINDS = frozenset({"admin"})
_ROAD_KINDS = frozenset({"road", "expressway"})
_LINE_KINDS = frozenset({"metro_line", "rail_line"})


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
    # short campus words (通州院区) with no full name before them: (start, end, short form, place)
    pending_campus: list[tuple[int, int, str, str]] = []

    def sentence_of(pos: int) -> str:
        i = bisect.bisect_right(sent_starts, pos) - 1
        if i < 0:
            return ""
        s, e = sentences[i]
        return norm[s:e]

    def place(a: int, b: int, kind: str, name: str, rule: str) -> None:
        """Add a name unless a gazetteer mention covers it; trim place names before it."""
        prefix = None
        first_place = a
        over = sorted(_overlap(spans, starts, a, b))
        if (
            over
            and a < over[0][0] < over[0][1] < b - 1
            and kinds.get(over[0][2]) in PLACE_KINDS
            and (
                _QUALIFIER_TAIL_RE.fullmatch(norm, a, over[0][0])
                or (kind == "hospital" and _this_hospital(norm, a, over[0][0]))
            )
        ):
            # 河北省燕郊镇某某路 cut mid-qualifier (北省燕郊镇…): the town starts the name;
            # 该院通州院区: "that hospital's" campus in its county
            a = over[0][0]
        while over and over[0][0] <= a < over[0][1] < b - 1:
            _, e, fid = over[0]
            k = kinds.get(fid)
            if k in PLACE_KINDS:
                if prefix is None:
                    first_place = over[0][0]
                prefix, a = fid, e  # 通州区某某路: the county is the place, the rest the name
            elif kind == "bridge" and k in _ROAD_KINDS and len(over) == 1 and norm[e:b] not in GENERIC_WORDS:
                # 某某高速潮白河大桥: the bridge of that road over that river
                found.append(NameSpan(e, b, _clean_name(norm[over[0][0] : b]), kind, "bridge-of-road", fid))
                return
            elif kind == "interchange" and k in _ROAD_KINDS and len(over) == 1 and candidate_name(norm[e:b]):
                # 某某高速某某收费站 / 某某高速某某枢纽互通: that road's toll station or interchange
                found.append(NameSpan(e, b, _clean_name(norm[over[0][0] : b]), kind, "facility-of-road", fid))
                return
            elif kind == "station" and k in _LINE_KINDS and len(over) == 1 and candidate_name(norm[e:b]):
                # 22号线某某站 / 某某城际某某站: a station of that line, named without it
                found.append(NameSpan(e, b, _clean_name(norm[e:b]), kind, "station-of-line", fid))
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
        if prefix is not None and name in _PLACE_NAMED:
            # 燕郊收费站, 香河县综合交通枢纽: a facility word named by the place before it
            found.append(NameSpan(first_place, b, _clean_name(norm[first_place:b]), kind, "place-named", prefix))
            return
        if rule == "place-named":
            return  # 打造区域综合交通枢纽: a hub word after no place is no name
        if kind == "hospital" and prefix is not None and name in _CAMPUS_WORDS:
            # 通州院区 after 某某医院通州院区: the short form of that campus; before the full name
            # (a lead that names the hospital only later): resolved once every name is known
            short = norm[first_place:b]
            full = next((n.name for n in reversed(found) if n.kind == "hospital" and n.name.endswith(short)), None)
            if full is not None and full != short:
                found.append(NameSpan(first_place, b, full, kind, "campus-short", prefix))
            elif full is None:
                pending_campus.append((first_place, b, short, prefix))
            return
        if len(name) < 2 or name in GENERIC_WORDS or (kind == "river" and name in _GENERIC_RIVER_NAMES):
            return  # (通州运河: what is left after the county is no name)
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
        rule = "suffix"
        if kind is None:
            hub = next((w for w in _PLACE_NAMED if name.endswith(w) and len(name) > len(w)), None)
            if hub is not None:
                kind, rule = _PLACE_NAMED[hub], "place-named"  # only after a place name (see place)
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
        place(a, b, kind, name, rule)
        if len(found) > n0:
            bisect.insort(taken, (found[-1].start, found[-1].end))
    for a, b, short, prefix in pending_campus:
        # 该院通州院区… then 某某医院通州院区: the short form of the one campus named in full later
        fulls = {n.name for n in found if n.kind == "hospital" and n.start >= b and n.name.endswith(short)}
        if len(fulls) == 1 and short not in fulls and not _covered(taken, a, b):
            found.append(NameSpan(a, b, fulls.pop(), "hospital", "campus-short", prefix))
            bisect.insort(taken, (a, b))
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
    # a building of a hospital campus the sentence names: 某某医院通州院区…包括急诊医技楼
    campuses = [n for n in found if n.kind == "hospital"]
    if campuses:
        for m in _CAMPUS_BUILDING_RE.finditer(norm):
            a, b = m.span()
            if _covered(taken, a, b) or _overlap(spans, starts, a, b):
                continue
            sent = bisect.bisect_right(sent_starts, a) - 1
            lo = sentences[sent][0] if sent >= 0 else 0
            owner = next((n for n in reversed(campuses) if lo <= n.start and n.end <= a), None)
            if owner is not None:
                found.append(NameSpan(a, b, owner.name + m.group(0), "hospital", "campus-building", owner.prefix))
    found.extend(_shared_head_names(norm, spans, kinds, found))
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


#: Category endings that names listed before one of them share, and their kinds
#: (``甲、乙船闸``: 甲船闸 and 乙船闸), longest first.
_SHARED_HEADS: tuple[tuple[str, str], ...] = (
    ("环城公园", "park"),
    ("森林公园", "park"),
    ("湿地公园", "park"),
    ("郊野公园", "park"),
    ("滨河公园", "park"),
    ("公园", "park"),
    ("船闸", "lock"),
    ("特大桥", "bridge"),
    ("大桥", "bridge"),
    ("大街", "road"),
    ("大道", "road"),
)
#: The last characters of :data:`_SHARED_HEADS` (a name ending otherwise shares none).
_SHARED_HEAD_LAST = frozenset(h[-1] for h, _ in _SHARED_HEADS)
#: Heads a list of names may share after ``等`` (``甲、乙等环城公园``): compound
#: category words that are no name on their own.
_ETC_HEADS = frozenset({"环城公园", "森林公园", "湿地公园", "郊野公园", "滨河公园", "船闸"})
_ETC_RE = re.compile(r"等(?P<head>" + "|".join(sorted(_ETC_HEADS, key=len, reverse=True)) + ")")
#: A list separator (a stray comma before ``、`` is a mirror-site artifact).
_ITEM_SEP_RE = re.compile(r"(?:,?、|和|与|及)$")
_ITEM_RE = re.compile(r"[\u4e00-\u9fff]{1,8}$")
_SHARED_WINDOW = 40


def _shared_head_names(
    norm: str, spans: Sequence[tuple[int, int, str]], kinds: Mapping[str, str], found: Sequence[NameSpan]
) -> list[NameSpan]:
    """Names listed before a category ending they share: ``甲、乙船闸`` (甲 is 甲船闸 when
    乙船闸 is a name), ``甲、乙等环城公园`` (甲环城公园 and 乙环城公园).

    Items are read nearest first and the list ends at the first item that is no name
    (a feature of another kind, a generic word, a function word): nothing is guessed. A
    county or town name as an item is the place the feature is named after
    (``某镇等环城公园``): its name becomes the feature's (rule ``shared-head``).
    """
    heads: list[tuple[int, int, str, str]] = []  # (start of the list's last name, end, head, kind)
    for s, e, fid in spans:
        if norm[e - 1] not in _SHARED_HEAD_LAST:
            continue
        for head, kind in _SHARED_HEADS:
            if norm.endswith(head, s, e) and e - s > len(head) and kinds.get(fid) in (kind, "expressway"):
                heads.append((s, s, head, kind))
                break
    for n in found:
        if n.name[-1:] not in _SHARED_HEAD_LAST:
            continue
        for head, kind in _SHARED_HEADS:
            if n.kind == kind and n.name.endswith(head) and len(n.name) > len(head) and n.rule == "suffix":
                heads.append((n.start, n.start, head, kind))
                break
    if "等" in norm:
        view = MatchView(norm)  # 等環(huán)城公園: read without the mirror site's pinyin
        for m in _ETC_RE.finditer(view.text):
            head = m.group("head")
            at = view.orig(m.start())
            heads.append((at, at + 1, head, dict(_SHARED_HEADS)[head]))
    if not heads:
        return []
    occupied = sorted([(s, e) for s, e, _ in spans] + [(n.start, n.end) for n in found])
    span_at_end = {e: (s, fid) for s, e, fid in spans}
    out: list[NameSpan] = []
    for list_end, after_sep, head, kind in sorted(set(heads)):
        pos = list_end
        first = True
        lo = max(0, list_end - _SHARED_WINDOW)
        while pos > lo:
            if first and after_sep > list_end:
                first = False  # the ``等`` form: the last item ends right before 等
            else:
                sep = _ITEM_SEP_RE.search(norm, max(lo, pos - 2), pos)
                if sep is None:
                    break
                pos = sep.start()
            item = _ITEM_RE.search(norm, max(lo, pos - 8), pos)
            if item is None:
                break
            a, b = item.span()
            hit = span_at_end.get(b)
            prefix = None
            if hit is not None and hit[0] >= a:
                if kinds.get(hit[1]) not in PLACE_KINDS:
                    break  # a feature of its own (or the gazetteer's list item): the list ends here
                a, prefix = hit[0], hit[1]
                rule = "shared-head"
            else:
                if _covered(occupied, a, b):
                    break
                cand = candidate_name(norm[a:b] + head)
                if cand is None or len(cand[0]) - len(head) < 2:
                    break
                cut = len(norm[a:b]) + len(head) - len(cand[0])
                a += cut
                rule = "shared-suffix"
                if cut and not _ITEM_SEP_RE.search(norm, max(0, a - 2), a):
                    out.append(NameSpan(a, b, _clean_name(norm[a:b] + head), kind, rule))
                    break  # the words before the list were cut off: the list starts here
            name = _clean_name(norm[a:b] + head)
            if name in GENERIC_WORDS:
                break
            out.append(NameSpan(a, b, name, kind, rule, prefix))
            pos = a
    return out
