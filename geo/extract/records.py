"""The result records of the extraction: mentions, events, claims, unknown names and the whole.

:class:`Mention`, :class:`Event`, :class:`Claim` and :class:`UnknownCandidate` are frozen
records with a ``to_json`` form; :class:`Extraction` holds everything extracted from a
corpus, with the per-feature summaries the layers use (:meth:`Extraction.feature_summary`).
:func:`claim_topic` classifies a claim by its unit and counted noun.

This module needs only the standard library: readers of extraction results
(layers, maps, analyses) import it without loading the extraction engine (the
Aho-Corasick matcher or OpenCC). :mod:`geo.timeline` is imported on use.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

__all__ = [
    "CLAIM_TOPICS",
    "SNIPPET_MAX",
    "Claim",
    "Event",
    "Extraction",
    "Mention",
    "ProvisionalFeature",
    "UnknownCandidate",
    "claim_topic",
    "snippet",
]

#: Characters of document text a record quotes at most (a sentence longer than this is cut
#: to a window around the cited span); offsets always give the whole sentence.
SNIPPET_MAX = 400


_R = TypeVar("_R")


def _pickled_by_fields(cls: type[_R]) -> type[_R]:
    """Give a frozen, slotted record class a ``__reduce__`` that pickles its field values as
    one tuple and rebuilds it through ``__init__``.

    The default for such classes calls :func:`dataclasses.fields` for every record pickled
    and unpickled; a corpus's records cross process boundaries by the million (the workers
    of :func:`geo.distributed.extract` send them to the client), where that was the client's
    largest cost.
    """
    values: Callable[[Any], tuple[Any, ...]] = operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))  # type: ignore[arg-type]

    def reduce(self: Any) -> tuple[type[_R], tuple[Any, ...]]:
        return cls, values(self)

    setattr(cls, "__reduce__", reduce)  # noqa: B010 (a method added after the class is built)
    return cls


def snippet(text: str, start: int, end: int, focus_start: int | None = None, focus_end: int | None = None) -> str:
    """``text[start:end]`` stripped, or a window of at most :data:`SNIPPET_MAX` characters of it
    around ``[focus_start, focus_end)`` with ``…`` where it was cut.

    Parameters
    ----------
    text : str
        Document text.
    start, end : int
        The span to quote (a sentence).
    focus_start, focus_end : int, optional
        The part the window keeps (a mention); default the start of the span.
    """
    if end - start <= SNIPPET_MAX:
        return text[start:end].strip()
    fs = start if focus_start is None else max(start, focus_start)
    fe = fs if focus_end is None else min(end, max(fs, focus_end))
    room = max(0, SNIPPET_MAX - (fe - fs))
    a = max(start, fs - room // 2)
    b = min(end, a + max(SNIPPET_MAX, fe - a))
    a = max(start, min(a, b - SNIPPET_MAX))
    return ("…" if a > start else "") + text[a:b].strip() + ("…" if b < end else "")


@_pickled_by_fields
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
        The sentence containing the mention (stripped), or a window of at most
        :data:`SNIPPET_MAX` characters of it around the mention (``…`` where cut).
    published : datetime.date or None
        Publication date of the document.
    sentence_start, sentence_end : int or None
        Offsets of the whole sentence in ``Document.text`` (``None`` when unknown).
    """

    feature_id: str
    doc_id: str
    start: int
    end: int
    surface: str
    sentence: str
    published: _dt.date | None = None
    sentence_start: int | None = None
    sentence_end: int | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict (dates as ISO text)."""
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Event:
    """A status statement about a feature.

    Attributes
    ----------
    feature_id : str
    status : str
        One of :data:`geo.schema.EVENT_STATUSES`.
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


@_pickled_by_fields
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
    (
        "transport",
        (
            "公路",
            "道路",
            "高速",
            "主干",
            "干路",
            "桥",
            "公交",
            "快巴",
            "线路",
            "铁路",
            "轨道",
            "地铁",
            "城际",
            "客运",
            "通道",
            "航",
            "站",
            "里程",
            "车",
        ),
    ),
    ("investment", ("投资", "资金", "亿元", "万元")),
    ("projects", ("项目",)),
    ("environment", ("造林", "营林", "绿化", "森林", "水质", "断面", "矿山", "防火", "生态", "PM", "空气", "鸟")),
    (
        "public_services",
        (
            "学校",
            "中小学",
            "幼儿园",
            "医院",
            "医疗",
            "事项",
            "通办",
            "养老",
            "就医",
            "教师",
            "学科",
            "诊疗",
            "结算",
            "终端",
            "政务",
        ),
    ),
)


_NOT_TRANSPORT = ("旅游", "工作站", "服务站", "站点服务")
#: What a sum of money is the price of when it is a fare or a toll.
_FARE_WORDS = ("票价", "车费", "票款", "通行费", "收费", "起步价", "乘车")


def claim_topic(unit: str, counted: str, feature_ids: Iterable[str] = ()) -> str:
    """Classify a claim: ``transport``, ``travel_time``, ``investment``, ``projects``,
    ``environment``, ``public_services`` or ``other``.

    Travel-time promises (unit ``min``) are ``travel_time``; money (unit ``元``) is
    ``investment``, except a fare or a toll (``票价``, ``通行费``: ``transport``); otherwise
    the first topic whose keywords occur in the counted noun, and claims about a named
    transport feature (ids of roads, lines, bridges, stations) are ``transport``.
    """
    if unit == "min":
        return "travel_time"
    if unit == "元":
        # a fare or a toll (票价2元, 通行费) is the price of the service, not money invested
        return "transport" if any(w in str(counted or "") for w in _FARE_WORDS) else "investment"
    text = str(counted or "")
    for topic, words in CLAIM_TOPICS:
        if any(w in text for w in words) and not (topic == "transport" and any(w in text for w in _NOT_TRANSPORT)):
            return topic
    prefixes = (
        "road-",
        "expressway-",
        "bridge-",
        "metro-",
        "station-",
        "bus-",
        "jing",
        "intercity-",
        "suburban-",
        "interchange-",
    )
    if any(str(f).startswith(prefixes) for f in feature_ids):
        return "transport"
    return "other"


@_pickled_by_fields
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
        Up to five occurrences: ``{doc_id, start, end, sentence}`` (the sentence capped, see
        :data:`SNIPPET_MAX`).
    kind : str or None
        The kind the name grammar gives it (``road``, ``bus_line``...) when it became a
        provisional feature; ``None`` for a name only the suffix rule found.
    feature_id : str or None
        The id of that provisional feature.
    docs : tuple of str
        Every document it occurs in.
    """

    name: str
    suffix: str
    count: int
    contexts: tuple[dict, ...]
    kind: str | None = None
    feature_id: str | None = None
    docs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return {
            "name": self.name,
            "suffix": self.suffix,
            "count": self.count,
            "kind": self.kind,
            "feature_id": self.feature_id,
            "docs": list(self.docs),
            "contexts": [dict(c) for c in self.contexts],
        }


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class ProvisionalFeature:
    """A feature the gazetteer lacks, found by the name grammar (:mod:`geo.extract.names`).

    It carries mentions, events and claims like a gazetteer feature (under :attr:`id`) and
    is placed honestly: only the county (or counties) that the sentence, paragraph or
    document places it in is known, so its layer geometry is that outline with accuracy
    ``unlocated`` (:func:`geo.gazetteer.provisional_feature`).

    Attributes
    ----------
    id : str
        ``prov-<kind>-<10 hex digits>``, from the kind, the name and the placement's
        adcodes (valid per :data:`geo.schema.FEATURE_ID`, the same for the same corpus).
    name_zh : str
        The name, normalised (simplified characters, half-width).
    kind, theme : str
        Gazetteer kind and theme.
    placement : dict
        How it was placed: ``level`` (``prefix``: a county/town name right before it;
        ``sentence``, ``paragraph``, ``document``: the counties named there; ``study_area``:
        none named), ``places`` (gazetteer ids or ``county:<adcode>``), ``adcodes``,
        ``names`` (as normalised), ``doc_id``, ``start``, ``end`` and ``quote`` (the
        sentence that placed it).
    surfaces : tuple of str
        The distinct surfaces it was written with.
    mention_count : int
    docs : tuple of str
    rule : str
        The grammar rule that found it first.
    """

    id: str
    name_zh: str
    kind: str
    theme: str
    placement: dict[str, Any]
    surfaces: tuple[str, ...] = ()
    mention_count: int = 0
    docs: tuple[str, ...] = ()
    rule: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return {
            "id": self.id,
            "name_zh": self.name_zh,
            "kind": self.kind,
            "theme": self.theme,
            "placement": dict(self.placement),
            "surfaces": list(self.surfaces),
            "mention_count": self.mention_count,
            "docs": list(self.docs),
            "rule": self.rule,
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
    provisional : dict
        ``feature id -> ProvisionalFeature``: names the gazetteer lacks that the grammar
        recognised (their mentions, events and claims are in the lists above).
    timelines : dict
        ``feature_id -> list of TimelineEvent`` (:func:`geo.timeline.build_timelines`).
    documents : dict
        ``doc_id -> publication date (ISO) or None``.
    warnings : list of str
        Documents the extraction had to skip, each with its file and the error.
    sections : dict
        ``feature id -> ids of the gazetteer features of the same kind whose parent it
        is`` (sections, extensions), for :meth:`feature_summary` with ``with_sections``.
    """

    mentions: list[Mention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    unknowns: list[UnknownCandidate] = field(default_factory=list)
    provisional: dict[str, ProvisionalFeature] = field(default_factory=dict)
    timelines: dict[str, list] = field(default_factory=dict)
    documents: dict[str, str | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)
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
        return {fid: summarise(fid, by_feature.get(fid, []), self.timelines.get(fid, []), as_of) for fid in ids}

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
        with_sections: bool = False,
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
        with_sections : bool, default False
            Also list, in ``timeline``, the events of the feature's sections (gazetteer
            features of the same kind whose ``parent`` it is, recursively), each with
            ``section`` (the first section's id) and ``sections`` (all sections the same
            statement is about). They do not decide the feature's own status: a section opening
            is not the whole line (river, road) opening.

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
        out["claims"] = [c.to_json() for c in self.claims if feature_id in c.feature_ids or c.area == feature_id]
        if with_sections:
            from geo.timeline import timeline_to_json

            merged: dict[tuple, dict[str, Any]] = {}
            seen = {feature_id}
            todo = list(self.sections.get(feature_id, ()))
            while todo:
                child = todo.pop(0)
                if child in seen:
                    continue
                seen.add(child)
                todo.extend(self.sections.get(child, ()))
                for ev in timeline_to_json(self.timelines.get(child, [])):
                    cites = tuple((c.get("doc_id"), c.get("quote")) for c in ev.get("citations") or ())
                    key = (ev.get("date"), ev.get("precision"), ev.get("status"), ev.get("modality"), cites)
                    if key in merged:  # one statement about two sections (甲段与乙段同步通航)
                        merged[key]["sections"].append(child)
                        continue
                    merged[key] = {**ev, "section": child, "sections": [child]}
                    out["timeline"].append(merged[key])
        return out

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict of everything (deterministic order)."""
        return {
            "documents": dict(sorted(self.documents.items())),
            "mentions": [m.to_json() for m in self.mentions],
            "events": [e.to_json() for e in self.events],
            "claims": [c.to_json() for c in self.claims],
            "unknowns": [u.to_json() for u in self.unknowns],
            "provisional": [p.to_json() for _, p in sorted(self.provisional.items())],
            "timelines": {
                fid: [t.to_json() if hasattr(t, "to_json") else dict(t) for t in tl]
                for fid, tl in sorted(self.timelines.items())
            },
        }
