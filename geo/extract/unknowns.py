"""Unknown names: spans that look like infrastructure names but are not in the gazetteer.

A candidate is a short run of Chinese characters ending with an infrastructure suffix
(or a bus-line number such as ``814路``), cut at function words and verbs, not
overlapping a gazetteer mention and not a generic word.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from geo.extract.context import DocContext, document_context, sentence_text
from geo.extract.mentions import Matcher, build_matcher, mentions_in
from geo.extract.records import Mention, UnknownCandidate

__all__ = ["collect_unknowns", "names_other_subject", "unknown_candidates", "unknown_list"]


_UNKNOWN_SUFFIXES = "大街|大道|大桥|高速公路|高速|铁路|城际|船闸|公园|枢纽|公交|线|路|站|桥"
_UNKNOWN_RE = re.compile(
    rf"(?:[\u4e00-\u9fff]{{1,8}}|\d{{1,4}})(?:{_UNKNOWN_SUFFIXES})"
    r"(?!径|面|况|演|由|子|网|索|条|性|长|位|台|点|梁|头|协议|一体化|化|车|思维|发展|运输|通道)"
)
_BUS_RE = re.compile(r"(?<![\d.])(\d{1,4})路(?!径|线|面|由|况)")
_UNKNOWN_CUT_RE = re.compile(
    r".*(?:[的了与和及或至在向从对将已于把被为是等、及其条座个]|开通|建设|推进|加快|实现|完成|开展|"
    r"打通|启动|连接|连通|途经|沿线|跨界|跨省|跨区域|首条|主干|城际|轨道交通|通勤|快速|重要|"
    r"推动|支持|畅通|建成|新建|改建|改造|延伸|衔接|接入|对接|提升|加强|构建|形成|一条|多条|两条|"
    r"完善|疏解|融入|进一步|坐|发挥|强化|谋|创新|包括|举办|一趟|国家|各类|多个)"
)
# generic words that end like a name but are none (space-separated)
_GENERIC_WORDS = """思路 道路 线路 一线 网站 马路 公路 铁路 城际 高速 高速公路 干线 主线 支线 路线 路径 沿线 线上
    线下 热线 专线 前线 底线 红线 防线 主干路 跨界道路 跨界公路 断头路 瓶颈路 快速路 主干线 示范线
    新路 出路 道路网 在线 上线 一站 首站 车站 网站 站点 工作站 服务站 加油站 公交站 站台 枢纽
    交通枢纽 综合枢纽 桥梁 大桥 公园 节点公园 口袋公园 船闸 公交 跨界公交 定制公交 地面公交
    城市公交 公交线 公交线路 公交专线 跨省公交 跨界公交线路 城际铁路 市郊铁路 高铁 地铁 轨道线
    精品旅游线路 旅游线路 生命线 产业链 全线 沿线 一条线 一路 一路上 路上 之路 发展之路 新路子
    站位 高站位 一线城市 第一线 奋战一线 工作一线 基层一线 生态线 保护线 控制线 等线 城际线
    主干道路 干道 通道 轨道 国道 省道 县道 乡道 高速路 大通道 快速通道 出海通道 服务站 综检站
    监测站 检查站 中转站 一带一路 接线 综检站 工作站 旅游线 森林公园 轨道交通线路 城市轨道交通线路 交通线路 跨区域城市轨道交通线路"""
_UNKNOWN_STOPWORDS = frozenset(_GENERIC_WORDS.split())


def _candidate_name(span: str) -> tuple[str, str] | None:
    """The infrastructure-like name a regex span ends with, and its suffix, or None."""
    suffix_m = re.search(rf"(?:{_UNKNOWN_SUFFIXES})$", span)
    if suffix_m is None:
        return None
    suffix = suffix_m.group(0)
    body = span[: suffix_m.start()]
    if body.isdigit():
        if suffix != "路":
            return None
        name = span
    else:
        cut = _UNKNOWN_CUT_RE.match(body)
        body = body[cut.end() :] if cut else body
        body = re.sub(r"^[\d.]+", "", body)
        if len(body) < 2:
            return None
        name = body + suffix
    # a name ending in a generic compound (跨界道路, 服务站) is not a name; a name whose
    # suffix is itself a generic word (金融街大桥, 东坝船闸, 京秦铁路) is
    if (
        name in _UNKNOWN_STOPWORDS
        or (name[-2:] in _UNKNOWN_STOPWORDS and name[-2:] != suffix)
        or (name[-3:] in _UNKNOWN_STOPWORDS and name[-3:] != suffix)
        or (suffix == "线" and len(name) <= 2)
    ):
        return None
    return name, suffix


def names_other_subject(text: str) -> bool:
    """Whether ``text`` names an infrastructure feature the gazetteer does not know."""
    return any(_candidate_name(m.group(0)) for m in _UNKNOWN_RE.finditer(text))


def _unknowns_in(ctx: DocContext, mention_spans: list[tuple[int, int]]) -> list[tuple[str, str, int, int]]:
    norm = ctx.norm
    out: list[tuple[str, str, int, int]] = []
    starts = [a for a, _ in mention_spans]

    def overlaps(a: int, b: int) -> bool:
        i = bisect.bisect_right(starts, b - 1) - 1
        while i >= 0:
            s, e = mention_spans[i]
            if e <= a:
                return False if s < a - 40 else overlaps_prev(i, a, b)
            if s < b and e > a:
                return True
            i -= 1
        return False

    def overlaps_prev(i: int, a: int, b: int) -> bool:
        while i >= 0 and mention_spans[i][0] >= a - 40:
            s, e = mention_spans[i]
            if s < b and e > a:
                return True
            i -= 1
        return False

    for m in _UNKNOWN_RE.finditer(norm):
        cand = _candidate_name(m.group(0))
        if cand is None:
            continue
        name, suffix = cand
        s = m.end() - len(name)
        e = m.end()
        if overlaps(s, e):
            continue
        out.append((name, suffix, s, e))
    return out


def unknown_candidates(
    corpus: Iterable[Any],
    gazetteer: Any,
    *,
    matcher: Matcher | None = None,
    max_contexts: int = 5,
) -> list[UnknownCandidate]:
    """Spans that look like infrastructure names but are not in the gazetteer.

    A candidate is a short run of Chinese characters ending with an infrastructure suffix
    (``路``, ``大街``, ``大桥``, ``高速``, ``线``, ``铁路``, ``城际``, ``站``, ``船闸``,
    ``公园``, ``枢纽``, ``公交``) or a bus-line number (``814路``), cut at function words and
    verbs, not overlapping a gazetteer mention, and not a generic word (``思路``, ``道路``,
    ``线路``, ``一线``, ``网站``, ``跨界公路``...).

    Parameters
    ----------
    corpus : iterable of geo.corpus.Document
    gazetteer : geo.gazetteer.Gazetteer
    matcher : optional
        Prebuilt :func:`build_matcher` result.
    max_contexts : int, default 5
        Contexts kept per candidate.

    Returns
    -------
    list of UnknownCandidate
        Sorted by descending count, then name.
    """
    matcher = matcher or build_matcher(gazetteer)
    counts: Counter[str] = Counter()
    suffixes: dict[str, str] = {}
    contexts: dict[str, list[dict]] = defaultdict(list)
    for doc in corpus:
        ctx = document_context(doc)
        mentions = mentions_in(ctx, matcher)
        collect_unknowns(ctx, mentions, counts, suffixes, contexts, max_contexts=max_contexts)
    return unknown_list(counts, suffixes, contexts)


def collect_unknowns(
    ctx: DocContext,
    mentions: list[Mention],
    counts: Counter[str],
    suffixes: dict[str, str],
    contexts: dict[str, list[dict]],
    *,
    max_contexts: int,
) -> None:
    """Add a document's unknown names to running tallies.

    ``counts`` (name -> occurrences), ``suffixes`` (name -> suffix) and ``contexts``
    (name -> up to ``max_contexts`` occurrences ``{doc_id, start, end, sentence}``) are
    updated in place; :func:`unknown_list` turns them into the result.
    """
    spans = sorted((m.start, m.end) for m in mentions)
    for name, suffix, s, e in _unknowns_in(ctx, spans):
        counts[name] += 1
        suffixes[name] = suffix
        if len(contexts[name]) < max_contexts:
            ci = bisect.bisect_right(ctx.seg.clause_starts, s) - 1
            sentence = sentence_text(ctx, ctx.seg.clauses[ci].sentence) if ci >= 0 else ""
            contexts[name].append({"doc_id": ctx.doc_id, "start": s, "end": e, "sentence": sentence})


def unknown_list(
    counts: Counter[str], suffixes: dict[str, str], contexts: dict[str, list[dict]]
) -> list[UnknownCandidate]:
    """The tallies of :func:`collect_unknowns` as candidates, by descending count, then name."""
    return [
        UnknownCandidate(name, suffixes[name], n, tuple(contexts[name]))
        for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
