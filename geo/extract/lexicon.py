"""The word lists and patterns of the extraction rules.

* Kind rules: which feature kinds carry no status events (:data:`NO_EVENT_KINDS`,
  :data:`DESIGNATION_RE`), which are area-like (:data:`AREA_KINDS`) or natural
  (:data:`NATURAL_KINDS`).
* Status vocabulary: the keyword patterns of each event status (one of
  :data:`geo.schema.EVENT_STATUSES`) with their priority, and :func:`status_in`, the
  highest-priority keyword of a clause segment.
* Modality: markers of forecasts (:data:`EXPECTED_RE`) and facts (:data:`ACTUAL_RE`),
  work-plan and report cues, speech directives.
* Structure: coordination, connection-target and time-adverbial patterns, and the hint
  that a text holds a date (:data:`DATE_HINT_RE`).

Patterns apply to normalised text (:func:`geo.extract.normalise.normalise_text`).
"""

from __future__ import annotations

import functools
import re

from geo.dates import HOLIDAYS
from geo.extract.normalise import pinyin_view
from geo.extract.scan import scan_fast

__all__ = [
    "ACTUAL_RE",
    "AFTER_CLAUSE_RE",
    "AREA_KINDS",
    "BUS_ONLY_RE",
    "COORD_RE",
    "DATE_HINT_RE",
    "DESIGNATION_RE",
    "ENDPOINT_RE",
    "EXPECTED_RE",
    "FORECAST_KEYWORD_RE",
    "LEADING_FILLER_RE",
    "NATURAL_KINDS",
    "NEWS_LEAD_RE",
    "NO_EVENT_KINDS",
    "PLAN_CUE_RE",
    "PLAN_DOCUMENT_RE",
    "PLAN_VERB_RE",
    "PURE_DATE_FILLER_RE",
    "REPORT_CUE_RE",
    "REVIEW_HEADING_RE",
    "SPEECH_RE",
    "STATUS_PATTERNS",
    "has_status",
    "is_question",
    "status_in",
]

# =========================================================================== kind rules
#: Feature kinds that never carry a construction status (areas, destinations).
NO_EVENT_KINDS: frozenset[str] = frozenset({"admin", "destination"})
#: Zones that are designations or planning areas, not works (no status events).
DESIGNATION_RE = re.compile(r"(?:示范区|副中心|新区|先行区|合作区|试验区)$")
#: Feature kinds whose match is dropped when an infrastructure suffix follows.
AREA_KINDS: frozenset[str] = frozenset({"admin", "zone", "destination"})

#: Kinds that are not built: only navigation openings apply (river works are not events).
NATURAL_KINDS = frozenset({"river", "monitoring_section"})

#: Text that may hold a date expression (clauses without it skip the date parser).
DATE_HINT_RE = re.compile(
    r"[年月]|\d日|近日|日前|近期|目前|当前|眼下|前天|昨天|昨日|今天|今日|明天|明日|后天|[一二三四五六七八九十]五|"
    r"[本这下上]个?(?:周|星期|礼拜)|[春夏秋冬][季天]|[今明去][春夏秋冬]|[今明]起|即日起|(?:19|20)\d\d[./\-]\d{1,2}[./\-]\d|"
    + "|".join(HOLIDAYS)
)


# =========================================================================== status vocabulary
_NB = r"[^，。；;,!?！？]"  # within-clause character
#: Stages of construction works, done one after another (``桩基``, ``架梁``, ``铺轨``...).
_WORKS_STAGES = (
    r"桩基|承台|墩柱|箱梁|架梁|路面|沥青摊铺|桥面|土建|铺轨|盾构|二衬|管线迁改|装饰装修|精装修|装修|维修加固|维修|加固|大修|"
    r"改建|扩建"
)
#: What is said of a bus line that runs (re-routed, timetable changed, resumed, added): an
#: opening of bus lines only (:data:`BUS_ONLY_RE`).
_BUS_ONLY_WORDS = r"调整|改线|优化|延长|延伸|延后|恢复|增开|加密|首末班|首班车|末班车|发车|新增|新辟|开辟|绕行|改道|绕道|增加(?:班次|车次|运力)"
#: What is said of a bus line withdrawn (``甲路于3月1日起撤销``, ``乙路线路取消``): a suspension
#: of bus lines only, and only as the last word of its clause (``取消甲站停靠`` drops a stop of
#: a line that still runs).
_BUS_STOP_WORDS = r"撤销|撤除|取消|撤线|停办"
#: (regex, event status, priority) of the status keywords.
STATUS_PATTERNS: list[tuple[str, str, int]] = [
    # (regex, status, priority) -- higher priority wins within a segment
    (
        r"暂停|停运|停工|停止运营|停航|停驶|停开|停止运行|区间运营|区间措施|(?<!全)封闭(?![式管])|封路|断交|"
        # a road cut for the works (甲路将于4月1日起断路施工)
        r"断路(?=施工|封闭|改造)",
        "suspended",
        7,
    ),
    (
        r"主体(?:工程|结构)?(?:完工|封顶|竣工)|(?:引道|路基|桥梁|主体)(?:工程)?(?:已经|已)?(?:竣工|完工)|"
        r"封顶|全线贯通|(?<![上下前后左右内外])贯通(?!入海)|洞通|出洞|铺轨|合龙|完成路基建设|"
        # a rail line's tests before service (全线轨通, 完成热滑, 空载试运行): works stages, not
        # an opening; the acceptance of finished works (交工验收)
        r"轨通|热滑|冷滑|(?:空载|不载客)试运行|交工验收|联调联试|"
        # the first train delivered (首列车运抵车辆段)
        r"(?:首列|首批|第一列)(?:车|列车|车辆|电客车)(?:已经|已|顺利|正式)?(?:运抵|抵达|交付|进场|到达)|"
        # a tunnel boring machine launched or received (盾构始发, 盾构机顺利接收); a stage's works
        # done (附属结构施工完成)
        r"盾构(?:机)?(?:顺利|正式|成功)?(?:始发|接收)|施工(?:已经|已)?(?:全部|基本|全面|顺利)?完成|"
        # the finished works accepted (通过验收, 顺利通过竣工验收)
        r"通过(?:了)?(?:竣工|交工|初步|专项)?验收|"
        r"进入主体结构施工|(?:主体结构|主体工程|上部结构|钢结构)"
        # a time adverb may stand before the verb: 主体结构上周已开始施工
        r"(?:上周|本周|近日|日前|昨天|昨日|今天|今日|本月|上月|\d{1,2}月(?:\d{1,2}日)?)?"
        r"(?:已经|已|正式|全面)?(?:开始施工|开工|动工)|基本建成|(?<!完工)(?:竣工|完工)(?!通车|通航|运营|营运|投用|投入使用|启用|开放|交付)|"
        rf"完成{_NB}{{0,8}}?\d+(?:\.\d+)?%|完成{_NB}{{0,6}}?(?:路基|桥梁|主体|{_WORKS_STAGES})|"
        # a share of the works written in words (完成总工程量的八成, 三分之二, 过半)
        rf"完成{_NB}{{0,8}}?(?:[一二三四五六七八九]成|[二三四五六七八九十]分之[一二三四五六七八九]|过半)|"
        # a stage of the works done (桩基施工已全部完成, 铺轨工程基本完成)
        rf"(?:{_WORKS_STAGES})(?:工程|施工|作业)?(?:已经|已)?(?:全部|基本|全面|顺利|全线)?完成|"
        # the share of the works done (形象进度已达85%, 工程进度超过60%)
        r"进度(?:已经|已)?(?:达到|达|超过|逾|超|过半)(?:\d+(?:\.\d+)?%|[一二三四五六七八九]成)?|"
        # a completion by a deadline that ends the clause (预计6月底前完成, 年内完成)
        r"(?<=[内前底])完成(?=[\s。；;！？!?]*$)|"
        # the first pile, pier or girder of the works (浇筑首根桩基, 架设第一片箱梁)
        rf"(?:打下|浇筑|架设|吊装|完成)(?:了|的)?(?:第一|首)(?:根|榀|片|孔){_NB}{{0,4}}?(?:墩柱|桩基|桩|箱梁|承台)",
        "milestone",
        6,
    ),
    (
        r"建成通车|开通运营|通车运营|完工通车|正式通车|通车|竣工|通航|投入使用|投入运营|投用|投运|"
        r"开诊|开学|揭牌|挂牌成立|挂牌|开园|开业|启动运行|开通|正式运营|开放(?!式)|试运行|试运营|交付使用|交付运营|"
        # opened to the public (开幕), put into service in Taiwan and Hong Kong usage (试营运, 投入营运)
        r"开幕|(?:试|正式|投入|开始|通车)营运|"
        r"平稳运营|安全运营|正常运营|分阶段运营|分段运营|恢复运营|恢复通车|启用|开设|开行|闭合成环|(?<!形)成环|"
        # traffic let through (恢复通行, 恢复双向通行, 正式通行, 全线通行, 恢复交通); not 禁止通行, nor
        # 单向通行 (a restriction)
        r"(?:恢复|正式|全线|开放)(?:双向|正常)?通行(?!能力|效率|时间|费|证|条件)|恢复(?:正常)?交通(?!秩序|管制|流量)|"
        # the first patients, pupils or passengers received (正式接诊, 迎来首批新生, 正式招生), the
        # first run (首发 ending its clause or before 仪式; not 首发站, the terminus, nor the
        # company 首发集团 / 首发建设公司), a building completed (落成)
        r"(?:正式|开始|首日)(?:对外)?接诊|迎来(?:首批|第一批|首位|首个)(?:患者|病人|新生|学生|乘客|旅客|游客|市民|居民|住户)|"
        r"(?:正式|首次|首年)招生|(?:首届|首批|第一批)(?:学生|新生|学员)?(?:已经|已|正式|顺利)?(?:入学|入校|报到)|首发(?=\s*(?:[，。；;,!?！？]|$|仪式|式))|落成|"
        # a rail line's first phase of service (开通初期运营, 投入初期运营): open, not a time phrase
        r"初期运营|"
        # a new line or service put on (新开两条线路); not 新开发, nor a longer keyword (新开工, 新开行)
        r"(?<!创)新开(?![工展发挖设通放行业园诊建])|"
        rf"具备{_NB}{{0,4}}?(?:通车|开通|运营|通航|开放|使用|通行)条件|"
        r"(?<!要)建成(?!后)|完工",
        "opened",
        5,
    ),
    (
        # the ground broken (动土, Taiwan and Hong Kong usage; 破土)
        rf"开工建设|实现开工|开工|首开|动工|动土|破土|开建|进场施工|进地施工|开始施工|启动{_NB}{{0,20}}?建设|"
        # the foundation stone laid (举行奠基仪式)
        r"奠基|"
        # 启动甲路改造工程: the works on a road that exists begin (not 启动…改造前期工作)
        rf"启动(?!{_NB}*前期){_NB}{{0,20}}?(?:改造|改建|扩建|大修)(?:工程)?|"
        # 改扩建工程正式启动: the works themselves start (not 前期工作启动, an early stage)
        # not 启动招标 / 启动前期工作: an early stage of the works
        # with a time between (改造工程将于下半年启动)
        r"(?<!前期)工程(?:(?:将|计划|预计|拟|有望)?(?:于|在)?(?:今年|明年|年内|\d{4}年)?"
        r"(?:上半年|下半年|\d{1,2}月(?:份|底|初)?|年底|年内|近期|[一二三四]季度))?(?:已经|已|正式|全面|将)*启动(?!招标|前期|征地|设计|勘察|可研|规划|研究|环评)",
        "construction_started",
        4,
    ),
    (
        # an agreement signed on the works (签署甲路建设合作协议, 签订框架协议), or reached on them
        # (双方就甲路建设达成一致)
        rf"接线协议|补充协议|签[订署]{_NB}{{0,12}}?(?:建设|接线|共建|连接|对接|合作建设|建设合作|合作|框架)协议|"
        rf"就{_NB}{{0,20}}?达成(?:一致|共识|协议)",
        "agreement",
        3,
    ),
    (
        r"前期工作|前期研究|可行性研究|可研|立项|获批|批复|招标|环评|环境影响评价|初步设计|施工图设计|"
        r"勘察设计|方案设计|方案(?:已经|已)?(?:确定|敲定|稳定)|实质性实施阶段|实施阶段|"
        # the permits before the works (取得施工许可证, 规划许可证已核发)
        r"(?:施工|规划|用地|建设工程规划)许可证?",
        "early_stage",
        2,
    ),
    # the land cleared before the works (征地拆迁, 征拆, 拆迁腾退): an early stage, read only when
    # the segment names no other (完成征地拆迁等前期工作 is about 前期工作)
    (r"征地拆迁|征拆|土地征收|拆迁腾退", "early_stage", 2),
    (
        r"加快建设|正在建设|在建|施工|加速建设|大力建设|加紧建设|抓紧建设|建设中|协同建设|"
        r"有序推进|加快推进|扎实推进|稳步推进|持续推进|全力推进|积极推进|加快实施|全面建设|正在安装|"
        r"进展顺利|顺利推进|加紧施工|建设阶段|"
        # the last works (收尾工作, 进入收尾阶段)
        # works resumed after a stop (全面复工)
        # a works stage being done (正在进行沥青摊铺, 正在开展桥面铺装)
        rf"(?:正在|正)(?:进行|开展|实施){_NB}{{0,8}}?(?:{_WORKS_STAGES}|施工|铺装|摊铺|安装|调试|架设|浇筑|绿化|种植)|"
        # a works stage going on (进入设备安装阶段, 正处于桥梁架设阶段)
        rf"(?:进入|处于|转入){_NB}{{0,8}}?(?:架设|安装|调试|装修|装饰|施工|铺设|铺装|摊铺|浇筑|吊装)阶段|"
        # the works under way across the site (建设工作全面展开, 工程已全面铺开)
        r"(?<!前期)(?:建设|施工|工程)(?:工作)?(?:已经|已|正式|全面)*(?:展开|铺开)|全面(?:展开|铺开)(?:施工|建设)|"
        r"复工|收尾(?:工作|阶段|工程|施工)|(?:进入|接近)尾声|(?:进入|处于)(?:最后|全面)?(?:冲刺|攻坚|决战)(?:阶段|期)?|"
        # the structure has taken shape while the works go on (主体建筑已经成型); not a plan
        # that has (方案成型)
        r"主体(?:建筑|结构|工程)?(?:已经|已|基本|初步)*成型|"
        # a verb of speeding the works up before their noun (推进甲路建设, 加快乙路建设)
        rf"(?:推进|加快|加紧|抓紧|加速){_NB}{{0,20}}?(?:建设|工程|施工)|(?:建设|工程|施工){_NB}{{0,4}}?推进|^\s*建设",
        "under_construction",
        1,
    ),
    # what is said of a bus line that runs (re-routed, timetable changed, resumed): bus lines only
    (_BUS_ONLY_WORDS, "opened", 1),
    # a bus line withdrawn, the last word of its clause: bus lines only
    (rf"(?:{_BUS_STOP_WORDS})(?=\s*(?:[，。；;,!?！？]|$))", "suspended", 1),
    (
        rf"规划(?!纲要)|(?<!调查)研究{_NB}{{0,20}}?(?:方案|项目|规划|建设)|谋划|编制|拟建|打造|"
        # put on a list of works to come (纳入2025年重点工程计划, 列入市重点项目)
        rf"(?:纳入|列入|列为){_NB}{{0,16}}?(?:计划|规划|项目库|储备库|重点项目|重点工程|清单|名单)|"
        # widening works to come on a road that exists (将拓宽, 将从双向4车道加宽为6车道)
        rf"(?:将|计划|拟|还将|也将){_NB}{{0,16}}?(?:拓宽|加宽|扩宽|改扩建|扩建)|"
        # works to be built (将新建甲路, 计划建设乙桥, 将于明年建设); not 将建设成为 (what it becomes),
        # nor a noun after 建设 (建设资金, 建设方案)
        # with a time between (将于明年建设, 将在年内新建), not a place (将在甲路两侧新建停车场)
        r"(?:将|计划|拟|还将|也将|准备)(?:(?:于|在)[^，。；;,]{0,8}?(?:年|月|日|底|前|内|季|期))?"
        r"(?:新建|修建|兴建|共建|合建|建设(?!成|好|性|者|单位|资金|用地|方案|工程|项目|任务|规模|内容|标准|计划|进度))",
        "planned",
        0,
    ),
]


_STATUS_RES = [(scan_fast(p), s, pr) for p, s, pr in STATUS_PATTERNS]
#: Any status keyword at all (a segment without one skips the per-status patterns).
_ANY_STATUS_RE = scan_fast("|".join(f"(?:{p})" for p, _, _ in STATUS_PATTERNS))
#: A negation right before a keyword, or a postponement (``暂缓开通``, ``延期开通``: what is
#: said is that it does not happen now).
_NEGATION_RE = re.compile(r"(?:未|尚未|没有|不再|无法|不会|不能|并未|未能|暂缓|暂不|延期|推迟|延缓)$")
#: A negation a few words before its keyword: ``不会于年内完工`` (an adverbial between), and
#: ``暂未确定开工时间`` (the keyword names a time the clause says is not fixed).
_FAR_NEGATION_RE = re.compile(r"(?:尚未|暂未|还未|并未|未能|没有|不会|不能|无法|难以|未)(?P<gap>[^，。；;,]{1,8})$")
_DECIDE_RE = re.compile(r"(?:确定|明确|公布|敲定|定)$")
_NEGATED_TIME_RE = re.compile(r"(?:时间|日期|时间表|节点)")
#: A keyword asked about, not stated: an interrogative a few characters before it (``甲路能否
#: 如期通车``, ``何时开通``, ``什么时候能通车``) or a question particle and mark closing its clause
#: after it (``乙路通车了吗？``). Text is normalised (NFKC), so ``？`` reads as ``?``; a bare ``?``
#: without a particle is no question (a character lost to a garbled encoding often reads so).
_QUESTION_BEFORE_RE = re.compile(r"能否|是否|可否|何时|什么时候|哪天|多久|会不会|能不能|是不是|有没有")
_QUESTION_AFTER_RE = re.compile(r"[^，。；;,!！？?]{0,8}?[吗呢么嘛]\s*[？?][\s”\x22’」）)]*$")
_QUESTION_MARK_END_RE = re.compile(r"[？?][\s”\x22’」）)]*$")
_QUESTION_WORD_RE = re.compile(rf"{_QUESTION_BEFORE_RE.pattern}|如何|怎样|怎么")


def is_question(clause: str) -> bool:
    """Whether a clause asks (``甲路什么时候通车？``, ``乙路进展如何？``, ``丙路通车了吗？``): it
    ends with a question mark after an interrogative word or a question particle."""
    m = _QUESTION_MARK_END_RE.search(clause)
    if m is None:
        return False
    head = clause[: m.start()].rstrip()
    return head.endswith(("吗", "呢", "么", "嘛")) or _QUESTION_WORD_RE.search(head) is not None


#: What opens a cause (``因道路施工``, ``由于…施工``); not 因此, 因而, 原因, 因地制宜, 因素.
_CAUSE_BEFORE_RE = re.compile(r"(?:(?<!原)因(?![此而为地势素])|由于)(?P<gap>[^，。；;,将已会要被并且]{0,6})$")
_AFFECTED_BEFORE_RE = re.compile(r"受(?P<gap>[^，。；;,]{0,6})$")
#: The end of a cause that is said in full (``因客流不足``, ``因故``, ``由于工作需要``): a keyword
#: after it is the clause's statement, not the verb of its cause.
_CAUSE_DONE_RE = re.compile(r"(?:不足|较少|偏少|过少|较低|偏低|下降|减少|低迷|需要|原因|所致|^故)$")


def _in_cause(segment: str, start: int, end: int) -> bool:
    """Whether a keyword is the verb of a cause (``因道路施工``, ``由于…施工``, ``受施工影响``):
    the first keyword after ``因`` / ``由于`` (or before ``影响`` after ``受``)."""
    lo = max(0, start - 8)
    m = _CAUSE_BEFORE_RE.search(segment, lo, start)
    if m is None and segment.startswith("影响", end):
        m = _AFFECTED_BEFORE_RE.search(segment, lo, start)
    if m is None or _CAUSE_DONE_RE.search(m.group("gap")):
        return False  # 因客流不足撤销, 因故暂停: the cause is said, the keyword is the statement
    return _ANY_STATUS_RE.search(m.group("gap")) is None


def _negated_from_afar(segment: str, start: int, end: int) -> bool:
    """Whether a negation a few characters before a keyword scopes over it: with only an
    adverbial between (``不会于年内完工``: a date, ``按期``, ``如期``...), or before a verb of
    deciding when the keyword names a time (``暂未确定开工时间``, ``尚未明确通车日期``)."""
    m = _FAR_NEGATION_RE.search(segment, max(0, start - 10), start)
    if m is None or segment.startswith("未来", m.start()):
        return False
    gap = m.group("gap")
    if _ANY_STATUS_RE.search(gap):
        return False  # another keyword between: the negation is its own
    if _NEGATED_TIME_RE.match(segment, end) and _DECIDE_RE.search(gap):
        return True
    return _ADVERBIAL_GAP_RE.fullmatch(gap) is not None


#: What may stand between a negation and its keyword: a time or manner adverbial.
_ADVERBIAL_GAP_RE = re.compile(
    r"(?:于|在|按期|如期|按时|按计划|能|会|将|再|正式|全面|全线|顺利|年内|年底前?|今年|明年|本月|月底前?|"
    r"\d{1,4}年|\d{1,2}月(?:底前?|份)?|\d{1,2}日|[上下]半年|前|内|底)+"
)
#: Keywords that only bus lines carry (a re-routing or timetable change of a line that runs).
BUS_ONLY_RE = re.compile(rf"^(?:{_BUS_ONLY_WORDS}|{_BUS_STOP_WORDS})$")
#: Works going on, said of the noun they modify (``正在建设中的甲桥``, ``在建的乙路``): a statement.
_PROGRESSIVE_RE = re.compile(r"正在|^正|[^反真]正|在建|建设中")
#: ``开行的12辆定制公交``, ``开行的3趟列车``: the keyword says that so many vehicles run (a statement).
_COUNTED_SERVICE_RE = re.compile(r"的(?:\d+|[两三四五六七八九十百]+)(?:辆|趟|班|列)")
#: Opening keywords that name works when a works noun follows (``通航工程``, ``贯通项目``):
#: a noun compound, the subject or object of the clause, not a statement that it opened.
_WORKS_NAMING = frozenset({"通航", "通车", "开通", "贯通"})
_WORKS_NOUN_RE = re.compile(r"(?:工程|项目)")
#: Keywords that are forecasts by their meaning: ready for opening (``具备通车条件``).
FORECAST_KEYWORD_RE = re.compile(r"^具备.*条件$")
#: A keyword followed by one of these is a temporal phrase (``建成后``, ``开通初期``,
#: ``通车前``), not a statement, unless the segment dates it.
_TEMPORAL_TAIL_RE = re.compile(r"后|初期(?!运营|运行)|前夕|之前|之后|以后|前(?!期)|时(?!间)")


# =========================================================================== modality
#: Markers of a forecast, plan or target (``将于``, ``预计``, ``力争``, ``年底前``, ``要``...).
EXPECTED_RE = scan_fast(
    r"将于|将在|(?<!即)将(?!近|军|领|士|棋|帅|其)"
    r"|预计|力争|计划|原定|拟|争取|有望|即将|确保|年底前|年内|下一步|今后|未来|明年|尽早|尽快|早日|在即|还将|也将|"
    r"(?<![主重需纲摘只还])要(?![求点素闻])"
)
#: Markers of a reported fact (``已``, ``已于``, ``截至``, ``累计``...).
ACTUAL_RE = re.compile(r"已经|已于|已|业已|去年|截至|累计|先后|过去")
#: Adverbial filler opening a clause, skipped before testing :data:`PLAN_VERB_RE`.
LEADING_FILLER_RE = re.compile(
    r"^(?:在[^，,]{0,8}方面|同时|此外|另外|其中|进一步|继续|全面|积极|扎实|持续|大力|全力|有序|"
    r"着力|重点|协同|共同|统筹|深入|努力|切实|还)+"
)
#: A verb opening a clause of a work plan (``推进…建设``).
PLAN_VERB_RE = re.compile(
    r"^(?:推进|推动|加快|加紧|抓紧|实现|开展|启动|完成|建设|支持|做好|抓好|落实|打造|谋划|"
    r"实施|配合|开工|建成|开通|打通|提升|保障|确保|力争|争取|编制)"
)
#: Cues of a work-plan paragraph, counted per section against :data:`REPORT_CUE_RE`.
PLAN_CUE_RE = scan_fast(
    r"将继续|今年将|本市将|将加快|将进一步|工作要点|重点任务|计划|力争|争取|部署|"
    r"(?<![主重需纲摘只还])要(?![求点素闻])|目标任务"
)
#: The title of a work-plan document itself (``2025年交通工作要点``, ``三年行动计划``), ending
#: with the plan word: not an article about one (``…工作要点发布``, ``解读…实施方案``).
PLAN_DOCUMENT_RE = re.compile(
    r"^(?!.*(?:解读|发布|印发|出台|答记者问|新闻))"
    r".*(?:工作要点|工作计划|行动计划|行动方案|实施方案|工作方案|任务清单|攻坚计划|"
    # a year's list of tasks (2026年交通重点工作, 重点任务, 工作安排)
    r"(?:\d{4}年|年度)[^，。；]{0,16}?(?:重点工作|重点任务|工作安排))[》”\"」]?\s*$"
)
#: The heading of a review section inside a work plan (``2024年工作回顾``, ``完成情况``).
REVIEW_HEADING_RE = re.compile(r"回顾|总结|完成情况|进展情况|工作成效|取得成效|主要成绩|基本情况|发展成就")
#: Cues of a progress-report paragraph.
REPORT_CUE_RE = re.compile(r"已|取得|成效|成就|累计|截至|先后|陆续|过去|以来|了")
#: A directive in a speech (``强调，要``) opening a paragraph.
SPEECH_RE = re.compile(r"(?:强调|指出|要求|提出|表示)[,，:：]?\s*要")
#: A clause ending in a temporal "after X" (``该工程通车后``): what follows it in the sentence
#: is a consequence of a future event, a forecast.
AFTER_CLAUSE_RE = re.compile(r"(?:通车|建成|开通|完工|竣工|投用|运营|贯通|投入使用)后\s*$")


# =========================================================================== structure
#: Text between two coordinated mentions (``、``, ``与``, ``和``, brackets...).
COORD_RE = re.compile(r"^[\s()（）\[\]【】、与和及同暨以及跟]+$")
#: A connection word after a mention: the mention is a connection target (``…与京平高速对接``).
ENDPOINT_RE = re.compile(r"对接|连接|衔接|相连|连通|接线|贯通|相接|交汇|接通")
#: What may remain of a pure time-adverbial clause once its dates are removed.
#: A news lead tag before a sentence's opening date (``本报讯 5月18日上午，…``,
#: ``【本网讯】``, ``(记者 某某)``, a dateline ``新华社北京3月2日电``): not part of the adverbial, the date still leads the sentence.
NEWS_LEAD_RE = re.compile(
    r"^\s*(?:本报讯|本网讯|本台讯|讯|【[^】]{0,20}】|\[[^\]]{0,20}\]|[(（](?:记者|通讯员)[^)）]{0,20}[)）]|"
    r"[\u4e00-\u9fff]{1,12}\d{1,2}月\d{1,2}日(?:电|讯))\s*"
)
PURE_DATE_FILLER_RE = re.compile(r"^(?:[\s以来截至在于到自从起今年底]|首班车|首车|末班车|零时|开始)*$")


@functools.lru_cache(maxsize=1 << 16)
def has_status(text: str) -> bool:
    """Whether ``text`` holds any status keyword (a quick test before :func:`status_in`),
    read without a mirror site's pinyin insertions (``實(shí)施`` is ``實施``)."""
    if _ANY_STATUS_RE.search(text) is not None:
        return True
    view = pinyin_view(text)
    return view is not None and _ANY_STATUS_RE.search(view.text) is not None


@functools.lru_cache(maxsize=1 << 16)
def status_in(segment: str) -> tuple[str, int, int] | None:
    """The highest-priority status keyword of a clause segment.

    The segment is read without the pinyin a mirror site inserts after characters
    (``加快實(shí)施``, ``實(shí)現(xiàn)通航``: :data:`geo.extract.normalise.PINYIN_ARTIFACT_RE`);
    the offsets returned are those of the segment as given.

    A keyword right after a negation (``尚未开通``, ``不会影响``) does not count, nor a
    keyword followed by ``后`` (``建成后``, ``通车后``: a temporal clause) unless the
    segment dates it (``预计2025年年底建成通车后``). When a segment holds both a milestone
    and an opening (``通车并正式贯通``), the opening wins unless a forecast marker stands
    between them (``主体完工，将于年底通车`` keeps the milestone; the forecast is its own
    statement).

    Parameters
    ----------
    segment : str
        Normalised text of a clause or ``、`` segment.

    Returns
    -------
    (status, start, end) or None
        The event status (:data:`geo.schema.EVENT_STATUSES`) and the keyword's offsets.
    """
    view = pinyin_view(segment)
    if view is not None:
        found = _status_in(view.text)
        return None if found is None else (found[0], view.orig(found[1]), view.orig(found[2] - 1) + 1)
    return _status_in(segment)


def _status_in(segment: str) -> tuple[str, int, int] | None:
    """:func:`status_in` of a segment without pinyin insertions."""
    if not _ANY_STATUS_RE.search(segment):
        return None
    best: tuple[int, str, int, int] | None = None
    opened: tuple[int, int] | None = None
    asks = "?" in segment or _QUESTION_BEFORE_RE.search(segment) is not None
    for rx, status, prio in _STATUS_RES:
        if best is not None and prio <= best[0] and not (best[1] == "milestone" and status == "opened"):
            break
        for m in rx.finditer(segment):
            if _NEGATION_RE.search(segment[max(0, m.start() - 3) : m.start()]):
                continue  # 尚未开通, 未开工
            if _negated_from_afar(segment, m.start(), m.end()):
                continue  # 不会于年内完工, 暂未确定开工时间
            if asks and (
                _QUESTION_BEFORE_RE.search(segment, max(0, m.start() - 10), m.start())
                or _QUESTION_AFTER_RE.match(segment, m.end())
            ):
                continue  # 甲路能否如期通车？, 何时开通: asked about, not stated
            if _in_cause(segment, m.start(), m.end()):
                continue  # 因道路施工临时绕行, 受施工影响: the cause of what the clause says
            if _TEMPORAL_TAIL_RE.match(segment, m.end()) and not DATE_HINT_RE.search(segment):
                continue  # 建成后 / 开通初期 without a date: a temporal phrase, not a statement
            if m.group(0) in _WORKS_NAMING and _WORKS_NOUN_RE.match(segment, m.end()):
                continue  # 旅游通航工程将于年内实施: the keyword names the works, the works are the subject
            if (
                segment[m.end() : m.end() + 1] == "的"
                and not ACTUAL_RE.search(segment, 0, m.start())
                and not DATE_HINT_RE.search(segment, 0, m.start())
                and not _COUNTED_SERVICE_RE.match(segment, m.end())
                and not (
                    status == "under_construction" and _PROGRESSIVE_RE.search(segment, max(0, m.start() - 2), m.end())
                )
            ):
                continue  # 旅游通航的第一站: the keyword modifies a noun and states nothing
            if best is not None:
                if status == "opened" and best[1] == "milestone":
                    opened = (m.start(), m.end())
                break
            best = (prio, status, m.start(), m.end())
            break
    if best is None:
        return None
    if opened is not None and (opened[0] >= best[3] or opened[1] <= best[2]):
        # an opening beside (not inside) the milestone keyword: 通车并正式贯通
        lo, hi = (best[3], opened[0]) if opened[0] >= best[3] else (opened[1], best[2])
        if not EXPECTED_RE.search(segment[lo:hi]):
            return "opened", opened[0], opened[1]
    return best[1], best[2], best[3]
