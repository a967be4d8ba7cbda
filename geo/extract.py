"""Extract feature mentions, status events and quantitative claims from Chinese policy news.

Pipeline for one :class:`geo.corpus.Document`:

1. **Normalise** the text for matching (:func:`normalise_text`): traditional -> simplified
   (OpenCC ``t2s``), full-width -> half-width digits, letters and punctuation, dash variants
   -> ``-``, ASCII lower case. The normalisation is length-preserving, so an offset into the
   normalised text is an offset into ``Document.text``. Quotation marks are then removed for
   matching only (``“平谷区—蓟州—兴隆”公交专线`` matches the alias ``平谷区—蓟州—兴隆公交专线``)
   through an index map back to the original offsets.
2. **Mentions**: every name and alias of every gazetteer feature is searched with one
   Aho-Corasick automaton; overlapping matches are resolved leftmost-longest, so ``燕郊站`` is
   the station and not the town, ``平谷线`` the metro line and not the district.
   Guard rules: a match of an *area-like* feature (kind ``admin``, ``zone``, ``destination``)
   immediately followed by an infrastructure suffix (``站``, ``线``, ``路``, ``大街``, ``桥``,
   ``高速``, ``出口``, ``立交``, ``枢纽``, ``船闸``, ``段``...) is part of a longer name the
   gazetteer does not know (``通州站``, ``国贸站``, ``平谷段``); it is dropped and left to
   :func:`unknown_candidates`. A river followed by ``大桥``/``船闸``/``站`` is likewise a
   different feature. A linear feature directly followed by a section label (``安石路河北段``,
   ``承平高速(北京段)``) takes the label into its surface. Compound aliases are pruned before
   matching (:func:`_usable_names`): qualifiers (``廊坊北三县`` -> ``北三县``), works words
   (``行政办公区二期`` -> ``行政办公区``), conjunctions and trailing parentheses.
3. **Clauses**: paragraphs (paragraphs broken in the middle of a sentence are rejoined),
   sentences (``。！？``) and clauses (``，；：``). Within a clause, ``、`` lists share the
   predicate that follows them (``神威北大街、通宝路前期工作扎实推进`` gives both roads the
   event) unless each list item carries its own predicate
   (``京唐城际铁路开通运营、地铁平谷线加速建设``).
4. **Events**: the status keyword of a clause (segment) goes to the head mention: the last
   mention before the keyword and the mentions coordinated with it (``与``, ``和``, ``及``,
   brackets); in a verb-first clause (``加快推进…平谷线建设``) the first mention after it.
   A clause with a keyword but no mention takes the subject of the previous clause of the
   same sentence (``平谷线加快建设，…，预计2025年年底建成通车``).
   Modality: explicit expected markers (``将于``, ``预计``, ``力争``, ``计划``, ``年底前``,
   ``要``...) make a forecast, ``已``/``已于`` a fact; a date after publication makes a forecast;
   a verb-first clause in a work-plan section (``推进城际铁路联络线一期工程建设``) or a speech
   paragraph (``蔡奇强调，要…``) is a forecast; everything else is past/present narration
   (actual). Dates come from :mod:`geo.dates`; an undated statement is dated by the
   publication date (``reported``).
5. **Claims**: numbers with units (counts ``条/座/个/项``, ``公里``, ``人次``, ``亿元``,
   ``%``, travel-time promises like ``半小时轨道交通圈``) with the counted noun.

:func:`extract` runs everything for a corpus and builds timelines (:mod:`geo.timeline`).
"""

from __future__ import annotations

import bisect
import datetime as _dt
import functools
import logging
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Iterator

import ahocorasick

from geo.corpus import trim_span
from geo.dates import ResolvedDate, find_dates, parse_cn_number, period_end, reported

logger = logging.getLogger(__name__)

__all__ = [
    "Mention",
    "Event",
    "Claim",
    "claim_topic",
    "UnknownCandidate",
    "Extraction",
    "STATUSES",
    "MODALITIES",
    "normalise_text",
    "find_mentions",
    "find_events",
    "find_claims",
    "unknown_candidates",
    "extract",
    "extract_document",
    "build_matcher",
]

STATUSES: tuple[str, ...] = (
    "planned",
    "early_stage",
    "agreement",
    "construction_started",
    "under_construction",
    "milestone",
    "opened",
    "suspended",
)
MODALITIES: tuple[str, ...] = ("actual", "expected")

#: Feature kinds that never carry a construction status (areas, destinations).
NO_EVENT_KINDS: frozenset[str] = frozenset({"admin", "destination"})
#: Zones that are designations or planning areas, not works (no status events).
DESIGNATION_RE = re.compile(r"(?:示范区|副中心|新区|先行区|合作区|试验区)$")
#: Feature kinds whose match is dropped when an infrastructure suffix follows.
AREA_KINDS: frozenset[str] = frozenset({"admin", "zone", "destination"})


# =========================================================================== data model
@dataclass(frozen=True, slots=True)
class Mention:
    """A mention of a gazetteer feature in a document.

    Attributes
    ----------
    feature_id : str
    doc_id : str
    start, end : int
        Offsets into ``Document.text`` (``text[start:end] == surface``).
    surface : str
        The text as written (traditional characters and full-width forms kept).
    sentence : str
        The sentence containing the mention (stripped).
    published : datetime.date or None
        Publication date of the document.
    """

    feature_id: str
    doc_id: str
    start: int
    end: int
    surface: str
    sentence: str
    published: _dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict (dates as ISO text)."""
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d


@dataclass(frozen=True, slots=True)
class Event:
    """A status statement about a feature.

    Attributes
    ----------
    feature_id : str
    status : str
        One of :data:`STATUSES`.
    modality : str
        ``actual`` (a fact reported) or ``expected`` (a forecast, plan or target).
    date : datetime.date or None
        Start of the period the statement is dated to (see :class:`geo.dates.ResolvedDate`);
        ``None`` only when the document has no publication date and the text no date.
    precision : str
        Precision of ``date`` (:data:`geo.dates.PRECISIONS`).
    date_basis : str
        The text the date came from, or ``'reported'`` (the publication date).
    doc_id : str
    start, end : int
        Offsets of the quoted clause in ``Document.text``.
    quote : str
        The clause text.
    date_end : datetime.date or None
        Last day of the period for period precisions.
    published : datetime.date or None
        The date by which the document was published: its publication date, or the end of
        its publication year (month) when only that is known.
    """

    feature_id: str
    status: str
    modality: str
    date: _dt.date | None
    precision: str
    date_basis: str
    doc_id: str
    start: int
    end: int
    quote: str
    date_end: _dt.date | None = None
    published: _dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict (dates as ISO text)."""
        d = asdict(self)
        for k in ("date", "date_end", "published"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


@dataclass(frozen=True, slots=True)
class Claim:
    """A quantitative statement.

    Attributes
    ----------
    value : float
        The number in base units (``13万人次`` -> 130000; ``877亿元`` -> 8.77e10;
        ``半小时`` -> 30).
    unit : str
        Unit or classifier as written without the multiplier: ``条``, ``座``, ``个``,
        ``公里``, ``人次``, ``元``, ``%``, ``min`` (travel time)...
    counted : str
        What is counted or measured (``高速公路``, ``跨界公交线路``, ``日客运量``).
    feature_ids : tuple of str
        Non-area features mentioned in the same clause (or, when it names none, in the
        previous clause of the same sentence).
    area : str or None
        The area the claim is about: the first area-like feature (admin/zone) of its sentence
        mentioned before the number (the sentence topic, e.g. 北三县 in
        ``北三县已建成与通州区连通的高速公路3条``).
    doc_id : str
    start, end : int
        Offsets of the number-with-unit in ``Document.text``.
    quote : str
        The clause text.
    qualifier : str
        ``约``, ``超过``, ``多``, ``余``... when the number is approximate.
    topic : str (property)
        What the claim is about, from its unit and counted noun (:func:`claim_topic`):
        ``transport``, ``travel_time``, ``investment``, ``projects``, ``environment``,
        ``public_services`` or ``other``.
    """

    value: float
    unit: str
    counted: str
    feature_ids: tuple[str, ...]
    area: str | None
    doc_id: str
    start: int
    end: int
    quote: str
    qualifier: str = ""

    @property
    def topic(self) -> str:
        """The claim's topic (see :func:`claim_topic`)."""
        return claim_topic(self.unit, self.counted, self.feature_ids)

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict (with ``topic``)."""
        d = asdict(self)
        d["feature_ids"] = list(self.feature_ids)
        d["topic"] = self.topic
        return d


#: (topic, keywords of the counted noun) in priority order; see :func:`claim_topic`.
CLAIM_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("transport", ("公路", "道路", "高速", "主干", "干路", "桥", "公交", "快巴", "线路", "铁路", "轨道", "地铁",
                   "城际", "客运", "通道", "航", "站", "里程", "车")),
    ("investment", ("投资", "资金", "亿元", "万元")),
    ("projects", ("项目",)),
    ("environment", ("造林", "营林", "绿化", "森林", "水质", "断面", "矿山", "防火", "生态", "PM", "空气", "鸟")),
    ("public_services", ("学校", "中小学", "幼儿园", "医院", "医疗", "事项", "通办", "养老", "就医", "教师",
                         "学科", "诊疗", "结算", "终端", "政务")),
)


_NOT_TRANSPORT = ("旅游", "工作站", "服务站", "站点服务")


def claim_topic(unit: str, counted: str, feature_ids: Iterable[str] = ()) -> str:
    """Classify a claim: ``transport``, ``travel_time``, ``investment``, ``projects``,
    ``environment``, ``public_services`` or ``other``.

    Travel-time promises (unit ``min``) are ``travel_time``; money (unit ``元``) is
    ``investment``; otherwise the first topic whose keywords occur in the counted noun, and
    claims about a named transport feature (ids of roads, lines, bridges, stations) are
    ``transport``.
    """
    if unit == "min":
        return "travel_time"
    if unit == "元":
        return "investment"
    text = str(counted or "")
    for topic, words in CLAIM_TOPICS:
        if any(w in text for w in words) and not (topic == "transport" and any(w in text for w in _NOT_TRANSPORT)):
            return topic
    prefixes = ("road-", "expressway-", "bridge-", "metro-", "station-", "bus-", "jing", "intercity-",
                "suburban-", "interchange-")
    if any(str(f).startswith(prefixes) for f in feature_ids):
        return "transport"
    return "other"


@dataclass(frozen=True, slots=True)
class UnknownCandidate:
    """A span that looks like an infrastructure name but is not in the gazetteer.

    Attributes
    ----------
    name : str
        The candidate name (normalised text).
    suffix : str
        The infrastructure suffix that made it a candidate (``路``, ``站``, ``大桥``...).
    count : int
        Number of occurrences in the corpus.
    contexts : tuple of dict
        Up to five occurrences: ``{doc_id, start, end, sentence}``.
    """

    name: str
    suffix: str
    count: int
    contexts: tuple[dict, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return {
            "name": self.name,
            "suffix": self.suffix,
            "count": self.count,
            "contexts": [dict(c) for c in self.contexts],
        }


@dataclass
class Extraction:
    """Everything extracted from a corpus.

    Attributes
    ----------
    mentions, events, claims : list
        Sorted by (doc_id, start).
    unknowns : list of UnknownCandidate
        Sorted by descending count, then name.
    timelines : dict
        ``feature_id -> list of TimelineEvent`` (:func:`geo.timeline.build_timelines`).
    documents : dict
        ``doc_id -> publication date (ISO) or None``.
    warnings : list of str
        Documents the extraction had to skip, each with its file and the error.
    """

    mentions: list[Mention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    unknowns: list[UnknownCandidate] = field(default_factory=list)
    timelines: dict[str, list] = field(default_factory=dict)
    documents: dict[str, str | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _by_feature: dict[str, list[Mention]] | None = field(default=None, repr=False, compare=False)

    def mentions_of(self, feature_id: str) -> list[Mention]:
        """Mentions of one feature."""
        return [m for m in self.mentions if m.feature_id == feature_id]

    def events_of(self, feature_id: str) -> list[Event]:
        """Events of one feature."""
        return [e for e in self.events if e.feature_id == feature_id]

    def summaries(self, as_of: _dt.date | str) -> dict[str, dict]:
        """Per-feature summary (see :func:`geo.timeline.summarise`) for mentioned features."""
        from geo.timeline import summarise

        by_feature: dict[str, list[Mention]] = defaultdict(list)
        for m in self.mentions:
            by_feature[m.feature_id].append(m)
        ids = sorted(set(by_feature) | set(self.timelines))
        return {
            fid: summarise(fid, by_feature.get(fid, []), self.timelines.get(fid, []), as_of)
            for fid in ids
        }

    def claims_json(self) -> list[dict[str, Any]]:
        """The claims as JSON dicts, each with its document's ``published`` date (ISO or None)."""
        return [{**c.to_json(), "published": self.documents.get(c.doc_id)} for c in self.claims]

    def latest_date(self) -> _dt.date | None:
        """The default "now": the latest publication date in the corpus or actual event date.

        Actual events include the dated public facts the gazetteer records
        (``known_events``), so a corpus of older news still shows a road opened since.
        """
        dates = [d for d in self.documents.values() if d]
        for timeline in self.timelines.values():
            for ev in timeline:
                j = ev.to_json() if hasattr(ev, "to_json") else dict(ev)
                if j.get("modality") == "actual" and j.get("effective_date"):
                    dates.append(str(j["effective_date"]))
        return _dt.date.fromisoformat(max(dates)) if dates else None

    def feature_summary(
        self,
        feature_id: str,
        *,
        as_of: _dt.date | str | None = None,
        include_expected: bool = False,
    ) -> dict[str, Any]:
        """Layer properties of one feature: status, mentions, timeline and claims.

        Parameters
        ----------
        feature_id : str
        as_of : datetime.date or ISO str, optional
            Status date; default the latest publication date in the corpus (or today when
            no document is dated).
        include_expected : bool, default False
            See :func:`geo.timeline.status_as_of`.

        Returns
        -------
        dict
            :func:`geo.timeline.summarise` output plus ``claims`` (JSON list of the claims
            naming the feature, or whose area it is).
        """
        from geo.timeline import summarise

        if as_of is None:
            as_of = self.latest_date() or _dt.date.today()
        if self._by_feature is None:
            idx: dict[str, list[Mention]] = defaultdict(list)
            for m in self.mentions:
                idx[m.feature_id].append(m)
            self._by_feature = dict(idx)
        out = summarise(
            feature_id,
            self._by_feature.get(feature_id, []),
            self.timelines.get(feature_id, []),
            as_of,
            include_expected=include_expected,
        )
        out["claims"] = [
            c.to_json() for c in self.claims if feature_id in c.feature_ids or c.area == feature_id
        ]
        return out

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict of everything (deterministic order)."""
        return {
            "documents": dict(sorted(self.documents.items())),
            "mentions": [m.to_json() for m in self.mentions],
            "events": [e.to_json() for e in self.events],
            "claims": [c.to_json() for c in self.claims],
            "unknowns": [u.to_json() for u in self.unknowns],
            "timelines": {
                fid: [t.to_json() if hasattr(t, "to_json") else dict(t) for t in tl]
                for fid, tl in sorted(self.timelines.items())
            },
        }


# =========================================================================== normalisation
_HALF = {}
for _cp in range(0xFF01, 0xFF5F):
    _HALF[_cp] = chr(_cp - 0xFEE0)
_HALF[0x3000] = " "
for _c in "—–―‒－﹣⸺":
    _HALF[ord(_c)] = "-"
_HALF[ord("·")] = "·"
_HALF[ord("〇")] = "〇"
for _cp in range(ord("A"), ord("Z") + 1):
    _HALF[_cp] = chr(_cp + 32)
for _cp in range(ord("Ａ"), ord("Ｚ") + 1):
    _HALF[_cp] = chr(_cp - 0xFEE0 + 32)
# keep CJK full stop/comma forms the splitter relies on: normalise ASCII-like ones only
_HALF_TABLE = str.maketrans({k: v for k, v in _HALF.items() if len(v) == 1})

_T2S_CHAR: dict[str, str] = {}


@functools.lru_cache(maxsize=1)
def _opencc() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


def _t2s_chars(text: str) -> dict[int, str]:
    """Per-character t2s mapping for the characters of ``text`` that change (1:1 only)."""
    new = {c for c in set(text) if c not in _T2S_CHAR and ord(c) >= 0x3400}
    if new:
        cc = _opencc()
        for c in new:
            out = cc.convert(c)
            _T2S_CHAR[c] = out if len(out) == 1 else c
    return {ord(c): _T2S_CHAR[c] for c in set(text) if _T2S_CHAR.get(c, c) != c}


_WINDOW = 4


def _t2s_windows(text: str, table: dict[int, str]) -> str:
    """Phrase-level t2s on the windows around traditional characters, 1:1 verified.

    Only the runs containing characters that change (plus ``_WINDOW`` characters of
    context each side) go through OpenCC's phrase conversion; a window whose conversion
    changes length falls back to the per-character table.
    """
    cc = _opencc()
    changing = re.compile("[" + "".join(re.escape(chr(k)) for k in table) + "]")
    positions = [m.start() for m in changing.finditer(text)]
    if len(positions) > len(text) // 4:
        windows = [(0, len(text))]  # mostly traditional: one pass
    else:
        windows = []
        for p in positions:
            a, b = max(0, p - _WINDOW), min(len(text), p + _WINDOW + 1)
            if windows and a <= windows[-1][1]:
                windows[-1] = (windows[-1][0], b)
            else:
                windows.append((a, b))
    parts: list[str] = []
    last = 0
    for a, b in windows:
        chunk = text[a:b]
        conv = cc.convert(chunk)
        if len(conv) != len(chunk):
            logger.debug("t2s phrase conversion changed the length; per-character fallback")
            conv = chunk.translate(table)
        parts.append(text[last:a])
        parts.append(conv)
        last = b
    parts.append(text[last:])
    return "".join(parts)


def normalise_text(text: str) -> str:
    """Normalise text for matching, preserving its length.

    Traditional characters are converted to simplified with OpenCC ``t2s``; phrase-level
    conversion is used when it keeps the length (verified), otherwise the per-character
    conversion (always 1:1). Full-width digits, letters and punctuation become half-width,
    dash variants become ``-``, ASCII letters lower case.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        Same length as ``text``: ``normalise_text(t)[i]`` corresponds to ``t[i]``.
    """
    table = _t2s_chars(text)
    if table:
        text = _t2s_windows(text, table)
    out = text.translate(_HALF_TABLE)
    assert len(out) == len(text)
    return out


_QUOTES_RE = re.compile("[“”\"‘’「」『』]")
_DATE_HINT_RE = re.compile(
    r"[年月]|近日|日前|近期|目前|当前|眼下|昨天|昨日|今天|今日|[一二三四五六七八九十]五"
)


class _MatchView:
    """Normalised text, optionally with quotation marks removed, mapping offsets back.

    Quote stripping is off by default: a quoted name (``“平谷区—蓟州—兴隆”公交专线``) is
    matched inside its quotes, as the seed key annotates it.
    """

    __slots__ = ("text", "_q")

    def __init__(self, norm: str, *, strip_quotes: bool = False):
        removed = [m.start() for m in _QUOTES_RE.finditer(norm)] if strip_quotes else []
        if removed:
            self.text = _QUOTES_RE.sub("", norm)
            self._q = [p - j for j, p in enumerate(removed)]
        else:
            self.text = norm
            self._q = []

    def orig(self, i: int) -> int:
        """Original offset of match-text character ``i``."""
        if not self._q:
            return i
        return i + bisect.bisect_right(self._q, i)


# =========================================================================== gazetteer matcher
def _iter_features(gazetteer: Any) -> Iterator[Any]:
    feats = getattr(gazetteer, "features", None)
    if isinstance(feats, dict):
        yield from (feats[k] for k in sorted(feats))
        return
    items = list(gazetteer.values()) if hasattr(gazetteer, "values") else list(gazetteer)
    yield from sorted(items, key=lambda f: f.id)


def _feature_names(feature: Any) -> tuple[str, ...]:
    names = getattr(feature, "names", None)
    if names:
        return tuple(names)
    return (feature.name_zh, *getattr(feature, "aliases", ()))


@dataclass
class _Matcher:
    automaton: Any
    kinds: dict[str, str]
    empty: bool
    no_events: frozenset[str] = frozenset()


_QUALIFIERS = ("北京市", "北京", "天津市", "天津", "河北省", "河北", "廊坊市", "廊坊")
_WORKS_SUFFIX_RE = re.compile(
    r"(?:[一二三四]期(?:工程)?|改建工程|主体工程|建设工程|对接工程|工程|项目|入地改造|改造工程|改造|"
    r"地区|全域|执委会|理事会|协同发展|建设)$"
)
_CONJ_RE = re.compile(r"[与及和、]")
_TRAIL_PAREN_RE = re.compile(r"^(?P<outer>.+?)\((?P<inner>[^()]+)\)$")


def _usable_names(
    feature: Any, names: set[str], area_names: set[str]
) -> list[str]:
    """Normalised names of a feature to search, after pruning compound aliases.

    * ``X(Y)`` at the end (``北京地铁22号线（平谷线）``, ``城市副中心（通州区）``): only ``X`` (the
      parenthesised alias is matched on its own), unless ``Y`` is a section (``承平高速(北京段)``);
    * an alias made of a qualifier (``北京市``, ``廊坊``..., or another area's name) and a
      name of the same feature (``廊坊北三县``, ``北京市通州区``, ``通州于家务国际种业园区``) is
      dropped, so the text gives the qualifier its own mention and the name its span;
    * an alias ending with a works/phase word (``行政办公区二期``, ``城际铁路联络线一期工程``,
      ``东六环路入地改造``, ``望京地区``, ``通燕高速燕郊西出口改建工程``) is searched without it;
    * an alias with a conjunction the canonical name does not have
      (``密涿高速北延与京平高速对接工程``, ``副中心剧院、图书馆、博物馆``) is dropped.

    The canonical name is always kept (after the parenthesis rule).
    """
    canonical = _QUOTES_RE.sub("", normalise_text(feature.name_zh or "")).strip()
    cm = _TRAIL_PAREN_RE.match(canonical)
    if cm and not cm.group("inner").endswith("段"):
        canonical = cm.group("outer").strip()
    qualifiers = (*(_QUALIFIERS if feature.kind in AREA_KINDS else ()), *area_names)
    out: list[str] = []
    for raw in _feature_names(feature):
        key = _QUOTES_RE.sub("", normalise_text(raw)).strip()
        pm = _TRAIL_PAREN_RE.match(key)
        if pm and not pm.group("inner").endswith("段"):
            key = pm.group("outer").strip()
        if len(key) < 2:
            continue
        if key != canonical and key not in (canonical,):
            if _CONJ_RE.search(key) and not _CONJ_RE.search(canonical):
                continue
            if any(
                key.startswith(q) and key[len(q):] in names and len(key) - len(q) >= 2
                for q in qualifiers
                if q != key
            ):
                continue
            sm = _WORKS_SUFFIX_RE.search(key)
            if sm and sm.start() >= 2:
                key = key[: sm.start()]  # 通燕高速燕郊西出口改建工程 -> 通燕高速燕郊西出口
        if key not in out:
            out.append(key)
    return out


def build_matcher(gazetteer: Any) -> _Matcher:
    """Build the Aho-Corasick automaton of every normalised name and alias.

    Compound aliases are pruned first (:func:`_usable_names`).

    Parameters
    ----------
    gazetteer : geo.gazetteer.Gazetteer
        Or any mapping/iterable of features with ``id``, ``kind``, ``names``.

    Returns
    -------
    _Matcher
        Reusable across documents (:func:`extract_document` accepts it).
    """
    automaton = ahocorasick.Automaton()
    owner: dict[str, str] = {}
    kinds: dict[str, str] = {}
    no_events: set[str] = set()
    features = list(_iter_features(gazetteer))
    all_names: dict[str, set[str]] = {}
    area_names: set[str] = set()
    for f in features:
        ns = {_QUOTES_RE.sub("", normalise_text(n)).strip() for n in _feature_names(f)}
        for n in list(ns):
            pm = _TRAIL_PAREN_RE.match(n)
            if pm:
                ns.add(pm.group("outer").strip())
        all_names[f.id] = ns
        if f.kind in AREA_KINDS:
            area_names |= {n for n in ns if len(n) >= 2}
    for f in features:
        kinds[f.id] = f.kind
        if f.kind in NO_EVENT_KINDS or (
            f.kind == "zone" and DESIGNATION_RE.search(f.name_zh or "")
        ):
            no_events.add(f.id)
        for key in _usable_names(f, all_names[f.id], area_names - all_names[f.id]):
            prev = owner.get(key)
            if prev is not None and prev != f.id:
                logger.warning(
                    "name %r is shared by %s and %s; keeping %s", key, prev, f.id, prev
                )
                continue
            owner[key] = f.id
    for key, fid in owner.items():
        automaton.add_word(key, (len(key), fid))
    if owner:
        automaton.make_automaton()
    return _Matcher(automaton, kinds, not owner, frozenset(no_events))


# =========================================================================== segmentation
_TERMINAL = "。！？!?；;：:…”\"’)）】」』"
_SENT_END_RE = re.compile(r"[。！？!?]+[”\"’」』)）]*")
_CLAUSE_SEP_RE = re.compile(r"[，；：;:]|,(?!\d{3})|(?<!\d),")
_HEADING_MAX = 30


@dataclass(slots=True)
class _Clause:
    start: int
    end: int
    sentence: int  # index into _Segmentation.sentences
    paragraph: int  # index into _Segmentation.paragraphs


@dataclass(slots=True)
class _Segmentation:
    paragraphs: list[tuple[int, int]]  # logical paragraphs (rejoined)
    sentences: list[tuple[int, int]]
    clauses: list[_Clause]
    clause_starts: list[int]
    sections: list[int]  # paragraph index -> section index
    headings: set[int]  # paragraph indices that are headings


def _raw_paragraphs(text: str) -> list[tuple[int, int]]:
    out = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        s, e = trim_span(text, m.start(), m.end())
        if e > s:
            out.append((s, e))
    return out


def _segment(text: str) -> _Segmentation:
    raw = _raw_paragraphs(text)
    paragraphs: list[tuple[int, int]] = []
    headings: set[int] = set()
    for s, e in raw:
        if paragraphs:
            ps, pe = paragraphs[-1]
            prev_len = pe - ps
            if (
                text[pe - 1] not in _TERMINAL
                and prev_len > _HEADING_MAX
                and (paragraphs.__len__() - 1) not in headings
            ):
                paragraphs[-1] = (ps, e)  # sentence broken across a paragraph break
                continue
        paragraphs.append((s, e))
        if e - s <= _HEADING_MAX and text[e - 1] not in _TERMINAL:
            headings.add(len(paragraphs) - 1)
    sections: list[int] = []
    sec = 0
    for i in range(len(paragraphs)):
        if i in headings and (i == 0 or i - 1 not in headings):
            sec += 1
        sections.append(sec)
    sentences: list[tuple[int, int]] = []
    clauses: list[_Clause] = []
    for pi, (ps, pe) in enumerate(paragraphs):
        pos = ps
        ends = [m.end() for m in _SENT_END_RE.finditer(text, ps, pe)]
        if not ends or ends[-1] < pe:
            ends.append(pe)
        for se in ends:
            ss = pos
            while ss < se and text[ss].isspace():
                ss += 1
            pos = se
            if ss >= se:
                continue
            si = len(sentences)
            sentences.append((ss, se))
            cpos = ss
            for cm in _CLAUSE_SEP_RE.finditer(text, ss, se):
                if cm.start() > cpos:
                    clauses.append(_Clause(cpos, cm.start(), si, pi))
                cpos = cm.end()
            if cpos < se:
                clauses.append(_Clause(cpos, se, si, pi))
    return _Segmentation(
        paragraphs, sentences, clauses, [c.start for c in clauses], sections, headings
    )


# =========================================================================== mentions
_INFRA_SUFFIX_RE = re.compile(
    r"(?:站|线|路|大街|大道|大桥|桥|高速|出口|立交|枢纽|船闸|铁路|城际|机场|地铁|公交|专线|段)"
)


def _find_mentions_norm(
    view: _MatchView, matcher: _Matcher
) -> list[tuple[int, int, str]]:
    """Leftmost-longest matches as (orig_start, orig_end, feature_id)."""
    if matcher.empty:
        return []
    out = []
    mtext = view.text
    for end_idx, (length, fid) in matcher.automaton.iter_long(mtext):
        s = end_idx - length + 1
        e = end_idx + 1
        kind = matcher.kinds.get(fid)
        if kind in AREA_KINDS and _INFRA_SUFFIX_RE.match(mtext, e):
            continue  # part of a longer, unknown name (通州站, 国贸站)
        if kind in _NATURAL_KINDS and _RIVER_SUFFIX_RE.match(mtext, e):
            continue  # 潮白河大桥: a bridge named after the river
        if kind in _LINEAR_KINDS and not mtext.endswith("段", s, e):
            sm = _SECTION_RE.match(mtext, e)
            if sm:
                e = sm.end()  # 安石路河北段, 承平高速(北京段)
        if out and view.orig(s) < out[-1][1]:
            continue  # overlapped by an extended section
        out.append((view.orig(s), view.orig(e - 1) + 1, fid))
    return out


_LINEAR_KINDS = frozenset(
    {"metro_line", "rail_line", "expressway", "road", "river", "bus_line", "bridge"}
)
_SECTION_RE = re.compile(
    r"(?:\((?![与和及])[\u4e00-\u9fff\-]{1,8}段\)|(?![与和及、])[\u4e00-\u9fff]{1,3}段)"
)
_RIVER_SUFFIX_RE = re.compile(r"大桥|船闸|站")


# =========================================================================== status vocabulary
_NB = r"[^，。；;,!?！？]"  # within-clause character
_STATUS_PATTERNS: list[tuple[str, str, int]] = [
    # (regex, status, priority) -- higher priority wins within a segment
    (r"暂停|停运|停工|停止运营|停航|停驶", "suspended", 7),
    (
        r"主体(?:工程|结构)?(?:完工|封顶|竣工)|(?:引道|路基|桥梁|主体)(?:工程)?(?:已经|已)?(?:竣工|完工)|"
        r"封顶|全线贯通|(?<![上下前后左右内外])贯通(?!入海)|铺轨|合龙|完成路基建设|"
        r"进入主体结构施工|基本建成|(?<!完工)(?:竣工|完工)(?!通车|通航|运营|投用|投入使用)|"
        rf"完成{_NB}{{0,8}}?\d+(?:\.\d+)?%|完成{_NB}{{0,6}}?(?:路基|桥梁|主体)",
        "milestone",
        6,
    ),
    (
        r"建成通车|开通运营|通车运营|完工通车|正式通车|通车|竣工|通航|投入使用|投入运营|投用|"
        r"开诊|揭牌|挂牌成立|挂牌|开园|开业|启动运行|开通|正式运营|开放(?!式)|"
        r"(?<!要)建成(?!后)|完工",
        "opened",
        5,
    ),
    (
        rf"开工建设|实现开工|开工|首开|动工|开建|启动{_NB}{{0,20}}?建设",
        "construction_started",
        4,
    ),
    (
        rf"接线协议|签[订署]{_NB}{{0,12}}?(?:建设|接线|共建|连接|对接|合作建设)协议",
        "agreement",
        3,
    ),
    (r"前期工作|前期研究|可行性研究|可研|立项|获批", "early_stage", 2),
    (
        r"加快建设|正在建设|在建|施工|加速建设|大力建设|加紧建设|抓紧建设|建设中|协同建设|"
        r"有序推进|加快推进|扎实推进|稳步推进|持续推进|全力推进|积极推进|"
        rf"推进{_NB}{{0,20}}?(?:建设|工程|施工)|(?:建设|工程|施工){_NB}{{0,4}}?推进|^\s*建设",
        "under_construction",
        1,
    ),
    (
        rf"规划(?!纲要)|(?<!调查)研究{_NB}{{0,20}}?(?:方案|项目|规划|建设)|谋划|编制|拟建",
        "planned",
        0,
    ),
]
_STATUS_RES = [(re.compile(p), s, pr) for p, s, pr in _STATUS_PATTERNS]
_ANY_STATUS_RE = re.compile("|".join(f"(?:{p})" for p, _, _ in _STATUS_PATTERNS))
_NEGATION_RE = re.compile(r"(?:未|尚未|没有|不再|无法)$")

_EXPECTED_RE = re.compile(
    r"将于|将在|将(?=[继续加快全面进一步实现建成开通成为启动推进完成开工达到形成迎来投入正式逐步陆续力争确保有望具备全部])"
    r"|预计|力争|计划|拟|争取|有望|即将|确保|年底前|年内|下一步|今后|未来|明年|尽早|尽快|早日|"
    r"(?<![主重需纲摘只还])要(?![求点素闻])"
)
_ACTUAL_RE = re.compile(r"已经|已于|已|业已|去年|截至|累计|先后|过去")
_LEADING_FILLER_RE = re.compile(
    r"^(?:在[^，,]{0,8}方面|同时|此外|另外|其中|进一步|继续|全面|积极|扎实|持续|大力|全力|有序|"
    r"着力|重点|协同|共同|统筹|深入|努力|切实|还)+"
)
_PLAN_VERB_RE = re.compile(
    r"^(?:推进|推动|加快|加紧|抓紧|实现|开展|启动|完成|建设|支持|做好|抓好|落实|打造|谋划|"
    r"实施|配合|开工|建成|开通|打通|提升|保障|确保|力争|争取|编制)"
)
_PLAN_CUE_RE = re.compile(
    r"将继续|今年将|本市将|将加快|将进一步|工作要点|重点任务|计划|力争|争取|部署|"
    r"(?<![主重需纲摘只还])要(?![求点素闻])|目标任务"
)
_REPORT_CUE_RE = re.compile(r"已|取得|成效|成就|累计|截至|先后|陆续|过去|以来|了")
_SPEECH_RE = re.compile(r"(?:强调|指出|要求|提出|表示)[,，:：]?\s*要")

_COORD_RE = re.compile(r"^[\s()（）\[\]【】、与和及同暨以及跟]+$")
_ENDPOINT_RE = re.compile(r"对接|连接|衔接|相连|连通|接线")
_PURE_DATE_FILLER_RE = re.compile(r"^[\s以来截至在于到自从起今年底]*$")


def _status_in(segment: str) -> tuple[str, int, int] | None:
    """Highest-priority status keyword in a segment: (status, start, end)."""
    best: tuple[int, str, int, int] | None = None
    for rx, status, prio in _STATUS_RES:
        if best is not None and prio <= best[0]:
            break
        for m in rx.finditer(segment):
            if _NEGATION_RE.search(segment[max(0, m.start() - 3) : m.start()]):
                continue  # 尚未开通, 未开工
            if (
                status == "opened"
                and segment[m.end() : m.end() + 1] == "后"
                and not _EXPECTED_RE.search(segment)
            ):
                continue  # 建成后 / 通车后 without a forecast marker: hypothetical
            best = (prio, status, m.start(), m.end())
            break
    if best is None:
        return None
    return best[1], best[2], best[3]


# =========================================================================== document context
@dataclass
class _DocContext:
    doc_id: str
    text: str
    norm: str
    published: _dt.date | None
    published_precision: str
    seg: _Segmentation
    plan_sections: set[int]
    speech_paragraphs: set[int]
    _dates: dict = field(default_factory=dict)

    @property
    def known_by(self) -> _dt.date | None:
        """The date by which the document was certainly published: its publication date, or
        the end of its publication year (month) when only that is known."""
        if self.published is None or self.published_precision not in ("year", "month"):
            return self.published
        return period_end(self.published, self.published_precision)

    def dates(self, start: int, end: int, modality: str) -> list[tuple[int, int, ResolvedDate]]:
        """Cached :func:`geo.dates.find_dates` of ``norm[start:end]``."""
        key = (start, end, modality)
        found = self._dates.get(key)
        if found is None:
            text = self.norm[start:end]
            found = (
                find_dates(text, self.published, modality=modality,
                           published_precision=self.published_precision)
                if _DATE_HINT_RE.search(text) else []
            )
            self._dates[key] = found
        return found

    @property
    def pub_latest(self) -> _dt.date | None:
        if self.published is None:
            return None
        if self.published_precision in ("day", "reported", "unknown", ""):
            return self.published
        return period_end(self.published, self.published_precision)


def _doc_attr(doc: Any, name: str, default: Any = None) -> Any:
    return getattr(doc, name, default) if not isinstance(doc, dict) else doc.get(name, default)


def _context(doc: Any) -> _DocContext:
    text = _doc_attr(doc, "text", "") or ""
    norm = normalise_text(text)
    published = _doc_attr(doc, "published")
    if isinstance(published, str):
        published = _dt.date.fromisoformat(published[:10])
    seg = _segment(norm)
    plan_cues: Counter[int] = Counter()
    report_cues: Counter[int] = Counter()
    speech: set[int] = set()
    for pi, (ps, pe) in enumerate(seg.paragraphs):
        ptext = norm[ps:pe]
        sec = seg.sections[pi]
        plan_cues[sec] += len(_PLAN_CUE_RE.findall(ptext))
        report_cues[sec] += len(_REPORT_CUE_RE.findall(ptext))
        if _SPEECH_RE.search(ptext[:60]):
            speech.add(pi)
    # a work-plan section: at least as many plan cues as report cues
    plan_sections = {s for s, v in plan_cues.items() if v > 0 and v >= report_cues[s]}
    return _DocContext(
        doc_id=str(_doc_attr(doc, "doc_id", "")),
        text=text,
        norm=norm,
        published=published,
        published_precision=_doc_attr(doc, "published_precision", "day") or "day",
        seg=seg,
        plan_sections=plan_sections,
        speech_paragraphs=speech,
    )


def _sentence_text(ctx: _DocContext, si: int) -> str:
    s, e = ctx.seg.sentences[si]
    return ctx.text[s:e].strip()


# =========================================================================== public: mentions
def find_mentions(
    doc: Any, gazetteer: Any, *, matcher: _Matcher | None = None
) -> list[Mention]:
    """Find every mention of every gazetteer feature in a document.

    Parameters
    ----------
    doc : geo.corpus.Document
        Needs ``doc_id``, ``text`` and ``published``.
    gazetteer : geo.gazetteer.Gazetteer
        Features whose names and aliases are searched.
    matcher : optional
        A prebuilt :func:`build_matcher` result (faster for many documents).

    Returns
    -------
    list of Mention
        In text order, non-overlapping (leftmost-longest).
    """
    matcher = matcher or build_matcher(gazetteer)
    ctx = _context(doc)
    return _mentions(ctx, matcher)


def _mentions(ctx: _DocContext, matcher: _Matcher) -> list[Mention]:
    view = _MatchView(ctx.norm)
    out = []
    for s, e, fid in _find_mentions_norm(view, matcher):
        ci = bisect.bisect_right(ctx.seg.clause_starts, s) - 1
        si = ctx.seg.clauses[ci].sentence if ci >= 0 else None
        sentence = _sentence_text(ctx, si) if si is not None else ""
        out.append(Mention(fid, ctx.doc_id, s, e, ctx.text[s:e], sentence, ctx.published))
    return out


# =========================================================================== public: events
def _modality(
    ctx: _DocContext, clause: _Clause, ctext: str, segtext: str
) -> tuple[str, bool]:
    """Modality of a clause segment and whether it was explicit."""
    exp = _EXPECTED_RE.search(segtext) or _EXPECTED_RE.search(ctext)
    act = _ACTUAL_RE.search(segtext) or _ACTUAL_RE.search(ctext)
    if act and act.group(0).startswith("已"):
        return "actual", True
    if exp:
        return "expected", True
    if act:
        return "actual", True
    if clause.paragraph in ctx.speech_paragraphs:
        return "expected", False
    stripped = _LEADING_FILLER_RE.sub("", ctext.strip())
    if _PLAN_VERB_RE.match(stripped) and ctx.seg.sections[clause.paragraph] in ctx.plan_sections:
        return "expected", False
    return "actual", False


def _sentence_lead_date(
    ctx: _DocContext, clause_index: int, modality: str
) -> ResolvedDate | None:
    """Date of a pure time-adverbial clause earlier in the same sentence (``今年，…``)."""
    clauses = ctx.seg.clauses
    si = clauses[clause_index].sentence
    j = clause_index - 1
    while j >= 0 and clauses[j].sentence == si:
        c = clauses[j]
        ctext = ctx.norm[c.start : c.end]
        found = ctx.dates(c.start, c.end, modality)
        if found:
            rest = ctext
            for s, e, _ in reversed(found):
                rest = rest[:s] + rest[e:]
            if _PURE_DATE_FILLER_RE.match(rest):
                return found[-1][2]
        j -= 1
    return None


def _paragraph_lead_date(
    ctx: _DocContext, clause_index: int, modality: str
) -> ResolvedDate | None:
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
    found = ctx.dates(c.start, c.end, modality)
    if not found:
        return None
    rest = ctext
    for s, e, _ in reversed(found):
        rest = rest[:s] + rest[e:]
    return found[-1][2] if _PURE_DATE_FILLER_RE.match(rest) else None


def _choose_date(
    ctx: _DocContext,
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
        return (before[-1] if before else found[0])[2]
    lead = _sentence_lead_date(ctx, clause_index, modality)
    if lead is None:
        lead = _paragraph_lead_date(ctx, clause_index, modality)
    if lead is not None:
        return lead
    if ctx.published is None:
        return None
    if ctx.published_precision in ("year", "month"):
        # a document dated only to its year (month) reports the statement at some point of
        # that period: the statement is known by the period's end, not by its first day
        return ResolvedDate(ctx.published, ctx.published_precision,
                            f"reported (publication {ctx.published_precision})")
    return reported(ctx.published)


def _head_mentions(
    segtext: str,
    seg_start: int,
    mentions: list[tuple[int, int, str]],
    kw: tuple[int, int] | None,
) -> list[tuple[int, int, str]]:
    """Mentions a segment's predicate applies to (head + coordinated mentions)."""
    if not mentions:
        return []
    rel = [(s - seg_start, e - seg_start, fid) for s, e, fid in mentions]
    if kw is None:
        idx = len(rel) - 1
        direction = -1
    else:
        before = [i for i, m in enumerate(rel) if m[1] <= kw[0] or m[0] < kw[0]]
        if before:
            idx, direction = before[-1], -1
        else:
            idx, direction = 0, 1
    if kw is not None and direction < 0 and _ENDPOINT_RE.match(segtext, rel[idx][1]):
        # 密涿高速北延与京平高速对接工程: the head is a connection target; its conjuncts
        # before it carry the event
        if idx == 0 or not _COORD_RE.match(segtext[rel[idx - 1][1] : rel[idx][0]] or "x"):
            return []
        idx -= 1
    chosen = [idx]
    j = idx
    while 0 <= j + direction < len(rel):
        a, b = (rel[j + direction], rel[j]) if direction < 0 else (rel[j], rel[j + direction])
        between = segtext[a[1] : b[0]]
        if not _COORD_RE.match(between):
            break
        j += direction
        chosen.append(j)
    return [mentions[i] for i in sorted(chosen)]


def _events(
    ctx: _DocContext,
    mentions: list[Mention],
    kinds: dict[str, str],
    no_events: frozenset[str] = frozenset(),
) -> list[Event]:
    seg = ctx.seg
    by_clause: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    any_mention: set[int] = set()
    for m in mentions:
        ci = bisect.bisect_right(seg.clause_starts, m.start) - 1
        if ci < 0:
            continue
        any_mention.add(ci)
        if kinds.get(m.feature_id) not in NO_EVENT_KINDS and m.feature_id not in no_events:
            by_clause[ci].append((m.start, m.end, m.feature_id))
    events: list[Event] = []
    seen: set[tuple] = set()
    last_subject: tuple[int, list[str]] | None = None  # (sentence, feature ids)
    candidate_clauses = sorted(by_clause)
    # clauses without mentions directly following a clause with an event (zero anaphora)
    extra: set[int] = set()
    for ci in candidate_clauses:
        si = seg.clauses[ci].sentence
        j = ci + 1
        while j < len(seg.clauses) and seg.clauses[j].sentence == si:
            if j not in any_mention:
                extra.add(j)
            j += 1
    for ci in sorted(set(candidate_clauses) | extra):
        clause = seg.clauses[ci]
        ctext = ctx.norm[clause.start : clause.end]
        cmentions = by_clause.get(ci, [])
        if not cmentions:
            if last_subject is None or last_subject[0] != clause.sentence:
                continue
            st = _status_in(ctext)
            if st is None or not _ZERO_TAIL_RE.match(ctext, st[2]):
                continue  # only a bare predicate (预计2025年年底建成通车) takes the topic
            if _names_other_subject(ctext[: st[1]]):
                continue  # 东坝船闸计划2025年通航: a subject the gazetteer does not know, not the topic
            status, ks, ke = st
            modality, _ = _modality(ctx, clause, ctext, ctext)
            rd = _choose_date(ctx, ci, ctext, 0, ks, modality)
            modality = _check_future(ctx, rd, modality)
            for fid in last_subject[1]:
                if _status_allowed(kinds.get(fid), status, ctext[ks:ke]):
                    _add_event(events, seen, ctx, clause, fid, status, modality, rd)
            continue
        # split into 、-segments
        bounds = [clause.start]
        k = ctext.find("、")
        while k >= 0:
            bounds.append(clause.start + k + 1)
            k = ctext.find("、", k + 1)
        bounds.append(clause.end + 1)
        segments = []
        for a, b in zip(bounds[:-1], bounds[1:]):
            b = min(b - 1, clause.end)
            stext = ctx.norm[a:b]
            segments.append((a, b, stext, _status_in(stext)))
        # status for each segment: own, else next with one, else previous with one
        n = len(segments)
        resolved: list[tuple[int, tuple[str, int, int]] | None] = []
        for i in range(n):
            if segments[i][3] is not None:
                resolved.append((i, segments[i][3]))
                continue
            nxt = next((k for k in range(i + 1, n) if segments[k][3] is not None), None)
            if nxt is None:
                nxt = next((k for k in range(i - 1, -1, -1) if segments[k][3] is not None), None)
            resolved.append((nxt, segments[nxt][3]) if nxt is not None else None)
        subjects: list[str] = []
        for i, (a, b, stext, own) in enumerate(segments):
            r = resolved[i]
            if r is None:
                continue
            src_i, (status, ks, ke) = r
            segm = [m for m in cmentions if a <= m[0] < b]
            if not segm:
                continue
            kw = (ks, ke) if src_i == i else None
            heads = _head_mentions(stext, a, segm, kw)
            src_a, _, src_text, _ = segments[src_i]
            modality, _ = _modality(ctx, clause, ctext, src_text)
            rd = _choose_date(ctx, ci, ctext, src_a - clause.start, ks, modality)
            modality = _check_future(ctx, rd, modality)
            kw_text = src_text[ks:ke]
            for _, _, fid in heads:
                if not _status_allowed(kinds.get(fid), status, kw_text):
                    continue
                _add_event(events, seen, ctx, clause, fid, status, modality, rd)
                if fid not in subjects:
                    subjects.append(fid)
        if subjects:
            last_subject = (clause.sentence, subjects)
    return events


_ZERO_TAIL_RE = re.compile(r"[\s后了的等。！？!?…]*$")
#: Kinds that are not built: only navigation openings apply (river works are not events).
_NATURAL_KINDS = frozenset({"river", "monitoring_section"})


def _status_allowed(kind: str | None, status: str, keyword: str) -> bool:
    """Whether a status keyword can apply to a feature of this kind."""
    if kind in _NATURAL_KINDS:
        return status == "opened" and "通航" in keyword
    return True


def _check_future(ctx: _DocContext, rd: ResolvedDate | None, modality: str) -> str:
    """A statement dated after publication is a forecast."""
    latest = ctx.pub_latest
    if rd is not None and latest is not None and modality == "actual" and rd.date > latest:
        return "expected"
    return modality


def _add_event(
    events: list[Event],
    seen: set[tuple],
    ctx: _DocContext,
    clause: _Clause,
    fid: str,
    status: str,
    modality: str,
    rd: ResolvedDate | None,
) -> None:
    key = (fid, status, modality, rd.date if rd else None, clause.start)
    if key in seen:
        return
    seen.add(key)
    s, e = clause.start, clause.end
    while s < e and ctx.text[s].isspace():
        s += 1
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
    matcher: _Matcher | None = None,
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

    Returns
    -------
    list of Event
        In text order.
    """
    matcher = matcher or build_matcher(gazetteer)
    ctx = _context(doc)
    if mentions is None:
        mentions = _mentions(ctx, matcher)
    return _events(ctx, mentions, matcher.kinds, matcher.no_events)


# =========================================================================== claims
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
_FOLLOW_STOP_RE = re.compile(
    rf"[的了与和及、是为有对在向将等,，。；;:：!！?？\s(（“”\"\d]|{_CLAIM_VERBS}"
)
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
    seg: _Segmentation,
    ci: int,
    mentions: list[Mention],
    mention_starts: list[int],
    kinds: dict[str, str],
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
    end = max(c.end for c in seg.clauses if c.sentence == sentence)
    named = tuple(dict.fromkeys(
        m.feature_id
        for m in mentions[bisect.bisect_left(mention_starts, after): bisect.bisect_left(mention_starts, end)]
        if kinds.get(m.feature_id) not in AREA_KINDS
    ))
    families = {_KIND_FAMILY.get(kinds.get(f, ""), kinds.get(f, "")) for f in named}
    return named if len(named) == int(value) and len(families) == 1 else ()


_KIND_FAMILY = {"expressway": "road", "bridge": "road", "interchange": "road"}


def _claims(ctx: _DocContext, mentions: list[Mention], kinds: dict[str, str]) -> list[Claim]:
    norm = ctx.norm
    seg = ctx.seg
    mention_spans = [(m.start, m.end) for m in mentions]
    mention_starts = [m.start for m in mentions]
    out: list[Claim] = []
    for ci, clause in enumerate(seg.clauses):
        ctext = norm[clause.start : clause.end]
        if not _HAS_NUMBER_RE.search(ctext):
            continue
        cm = mentions[
            bisect.bisect_left(mention_starts, clause.start) : bisect.bisect_left(
                mention_starts, clause.end
            )
        ]
        fids = tuple(dict.fromkeys(m.feature_id for m in cm if kinds.get(m.feature_id) not in AREA_KINDS))
        if not fids and ci > 0 and seg.clauses[ci - 1].sentence == clause.sentence:
            # 开通跨界公交线路22条，日客运量约13万人次: the figure is about the previous topic
            prev = seg.clauses[ci - 1]
            pm = mentions[
                bisect.bisect_left(mention_starts, prev.start) : bisect.bisect_left(
                    mention_starts, prev.end
                )
            ]
            fids = tuple(dict.fromkeys(
                m.feature_id for m in pm if kinds.get(m.feature_id) not in AREA_KINDS
            ))
        for m in _TIME_RE.finditer(ctext):
            value = 30.0 if m.group("num") == "半" else parse_cn_number(m.group("num"))
            if value is None:
                continue
            if m.group("unit") == "小时" and m.group("num") != "半":
                value *= 60
            s, e = clause.start + m.start(), clause.start + m.end()
            out.append(
                Claim(float(value), "min", m.group("what"), fids,
                      _area(ctx, mentions, mention_starts, kinds, clause, s),
                      ctx.doc_id, s, e, ctx.text[clause.start : clause.end].strip())
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
            qual = "".join(
                x
                for x in (m.group("qual"), m.group("approx"), m.group("approx2"), tail_qual)
                if x
            )
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


def _counted(
    ctext: str, ms: int, me: int, cmentions: list[Mention], cstart: int
) -> tuple[str, str]:
    """The noun a number counts (after the classifier, else before the number) and a
    trailing qualifier (``以上``...)."""
    following = ctext[me:]
    tail_qual = ""
    tq = re.match(r"以上|以下|左右", following)
    if tq:
        tail_qual = tq.group(0)
        following = following[tq.end():]
        me += tq.end()
    # stop at a feature mention
    for m in cmentions:
        rel = m.start - cstart
        if rel >= me:
            following = ctext[me:rel]
            break
    following = following.lstrip("“\"「")
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
    cand = before[stop.end():] if stop else before
    tries = 0
    while not cand and stop and tries < 2:
        # 完成总工程量的60%, 项目达到56个: take the phrase before the stop word
        before = _TRAILING_STOP_RE.sub("", before)
        stop = _COUNTED_STOP_RE.match(before)
        cand = before[stop.end():] if stop else before
        tries += 1
    cand = _COUNTED_LEAD_RE.sub("", cand)
    cand = re.sub(r"[\s\d.“”\"]+", "", cand)
    return cand[-10:], tail_qual, False


def _area(
    ctx: _DocContext,
    mentions: list[Mention],
    mention_starts: list[int],
    kinds: dict[str, str],
    clause: _Clause,
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
    matcher: _Matcher | None = None,
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
    ctx = _context(doc)
    if mentions is None:
        mentions = _mentions(ctx, matcher)
    return sorted(_claims(ctx, mentions, matcher.kinds), key=lambda c: (c.start, c.end))


# =========================================================================== unknown candidates
_UNKNOWN_SUFFIXES = (
    "大街|大道|大桥|高速公路|高速|铁路|城际|船闸|公园|枢纽|公交|线|路|站|桥"
)
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
_UNKNOWN_STOPWORDS = frozenset(
    """思路 道路 线路 一线 网站 马路 公路 铁路 城际 高速 高速公路 干线 主线 支线 路线 路径 沿线 线上
    线下 热线 专线 前线 底线 红线 防线 主干路 跨界道路 跨界公路 断头路 瓶颈路 快速路 主干线 示范线
    新路 出路 道路网 在线 上线 一站 首站 车站 网站 站点 工作站 服务站 加油站 公交站 站台 枢纽
    交通枢纽 综合枢纽 桥梁 大桥 公园 节点公园 口袋公园 船闸 公交 跨界公交 定制公交 地面公交
    城市公交 公交线 公交线路 公交专线 跨省公交 跨界公交线路 城际铁路 市郊铁路 高铁 地铁 轨道线
    精品旅游线路 旅游线路 生命线 产业链 全线 沿线 一条线 一路 一路上 路上 之路 发展之路 新路子
    站位 高站位 一线城市 第一线 奋战一线 工作一线 基层一线 生态线 保护线 控制线 等线 城际线
    主干道路 干道 通道 轨道 国道 省道 县道 乡道 高速路 大通道 快速通道 出海通道 服务站 综检站
    监测站 检查站 中转站 一带一路 接线 综检站 工作站 旅游线 森林公园 轨道交通线路 城市轨道交通线路 交通线路 跨区域城市轨道交通线路""".split()
)


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
        body = body[cut.end():] if cut else body
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


def _names_other_subject(text: str) -> bool:
    """Whether ``text`` names an infrastructure feature the gazetteer does not know."""
    return any(_candidate_name(m.group(0)) for m in _UNKNOWN_RE.finditer(text))


def _unknowns_in(
    ctx: _DocContext, mention_spans: list[tuple[int, int]]
) -> list[tuple[str, str, int, int]]:
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
    matcher: _Matcher | None = None,
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
        ctx = _context(doc)
        mentions = _mentions(ctx, matcher)
        _collect_unknowns(ctx, mentions, counts, suffixes, contexts, max_contexts)
    return _unknown_list(counts, suffixes, contexts)


def _collect_unknowns(
    ctx: _DocContext,
    mentions: list[Mention],
    counts: Counter[str],
    suffixes: dict[str, str],
    contexts: dict[str, list[dict]],
    max_contexts: int,
) -> None:
    spans = sorted((m.start, m.end) for m in mentions)
    for name, suffix, s, e in _unknowns_in(ctx, spans):
        counts[name] += 1
        suffixes[name] = suffix
        if len(contexts[name]) < max_contexts:
            ci = bisect.bisect_right(ctx.seg.clause_starts, s) - 1
            sentence = _sentence_text(ctx, ctx.seg.clauses[ci].sentence) if ci >= 0 else ""
            contexts[name].append(
                {"doc_id": ctx.doc_id, "start": s, "end": e, "sentence": sentence}
            )


def _unknown_list(
    counts: Counter[str], suffixes: dict[str, str], contexts: dict[str, list[dict]]
) -> list[UnknownCandidate]:
    return [
        UnknownCandidate(name, suffixes[name], n, tuple(contexts[name]))
        for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


# =========================================================================== top level
def extract_document(
    doc: Any, gazetteer: Any, *, matcher: _Matcher | None = None
) -> tuple[list[Mention], list[Event], list[Claim]]:
    """Mentions, events and claims of one document.

    Parameters
    ----------
    doc : geo.corpus.Document
    gazetteer : geo.gazetteer.Gazetteer
    matcher : optional
        Prebuilt :func:`build_matcher` result.

    Returns
    -------
    (mentions, events, claims)
    """
    matcher = matcher or build_matcher(gazetteer)
    ctx = _context(doc)
    mentions = _mentions(ctx, matcher)
    events = _events(ctx, mentions, matcher.kinds, matcher.no_events)
    claims = _claims(ctx, mentions, matcher.kinds)
    return mentions, events, claims


def extract(
    corpus: Iterable[Any],
    gazetteer: Any,
    *,
    known_events: bool = True,
    max_contexts: int = 5,
) -> Extraction:
    """Extract mentions, events, claims, unknown names and timelines from a corpus.

    Parameters
    ----------
    corpus : geo.corpus.Corpus or iterable of Document
        Any documents (with ``doc_id``, ``text``, ``published``, ``published_precision``).
    gazetteer : geo.gazetteer.Gazetteer
    known_events : bool, default True
        Merge each feature's ``known_events`` (public facts recorded in the gazetteer) into
        the timelines.
    max_contexts : int, default 5
        Contexts kept per unknown candidate.

    Returns
    -------
    Extraction
    """
    from geo.timeline import build_timelines

    matcher = build_matcher(gazetteer)
    result = Extraction()
    counts: Counter[str] = Counter()
    suffixes: dict[str, str] = {}
    contexts: dict[str, list[dict]] = defaultdict(list)
    for doc in corpus:
        # one document that breaks the extraction never stops the others: it is reported
        try:
            ctx = _context(doc)
            mentions = _mentions(ctx, matcher)
            events = _events(ctx, mentions, matcher.kinds, matcher.no_events)
            claims = _claims(ctx, mentions, matcher.kinds)
        except Exception as exc:  # noqa: BLE001 - reported and skipped, never silent
            doc_id = getattr(doc, "doc_id", "?")
            msg = f"{getattr(doc, 'path', doc_id)}: extraction failed and the document was skipped: {exc!r}"
            logger.warning(msg)
            result.warnings.append(msg)
            continue
        result.mentions.extend(mentions)
        result.events.extend(events)
        result.claims.extend(claims)
        _collect_unknowns(ctx, mentions, counts, suffixes, contexts, max_contexts)
        result.documents[ctx.doc_id] = ctx.published.isoformat() if ctx.published else None
    result.mentions.sort(key=lambda m: (m.doc_id, m.start, m.end))
    result.events.sort(key=lambda e: (e.doc_id, e.start, e.feature_id, e.status))
    result.claims.sort(key=lambda c: (c.doc_id, c.start, c.end))
    result.unknowns = _unknown_list(counts, suffixes, contexts)
    known: dict[str, list[dict]] | None = None
    if known_events:
        known = {
            f.id: list(f.known_events)
            for f in _iter_features(gazetteer)
            if getattr(f, "known_events", None)
        }
    result.timelines = build_timelines(result.events, known_events=known)
    logger.info(
        "extracted %d mentions, %d events, %d claims, %d unknown names from %d documents",
        len(result.mentions), len(result.events), len(result.claims),
        len(result.unknowns), len(result.documents),
    )
    return result
