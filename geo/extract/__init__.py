"""Extract feature mentions, status events and quantitative claims from Chinese policy news.

Pipeline for one :class:`geo.corpus.Document`:

1. **Normalise** the text for matching (:func:`normalise_text`): traditional -> simplified
   (OpenCC ``t2s``), full-width -> half-width digits, letters and punctuation, dash variants
   -> ``-``, ASCII lower case. The normalisation is length-preserving, so an offset into the
   normalised text is an offset into ``Document.text``. Quotation marks can be removed for
   matching only through an index map back to the original offsets
   (:class:`geo.extract.normalise.MatchView`).
2. **Mentions** (:mod:`geo.extract.mentions`): every name and alias of every gazetteer
   feature is searched with one Aho-Corasick automaton; overlapping matches are resolved
   leftmost-longest, so ``燕郊站`` is the station and not the town, ``平谷线`` the metro line
   and not the district. Guard rules: a match of an *area-like* feature (kind ``admin``,
   ``zone``, ``destination``) immediately followed by an infrastructure suffix (``站``,
   ``线``, ``路``, ``大街``, ``桥``, ``高速``, ``出口``, ``立交``, ``枢纽``, ``船闸``,
   ``段``...) is part of a longer name the gazetteer does not know (``通州站``, ``国贸站``,
   ``平谷段``); it is dropped and left to :func:`unknown_candidates`. A river followed by
   ``大桥``/``船闸``/``站`` is likewise a different feature. A linear feature directly
   followed by a section label (``安石路河北段``, ``承平高速(北京段)``) takes the label into
   its surface. Compound aliases are pruned before matching: qualifiers (``廊坊北三县`` ->
   ``北三县``), works words (``行政办公区二期`` -> ``行政办公区``), conjunctions and
   trailing parentheses.
3. **Clauses** (:mod:`geo.extract.segment`): paragraphs (paragraphs broken in the middle of a
   sentence are rejoined), sentences (``。！？``) and clauses (``，；：``). Within a clause,
   ``、`` lists share the predicate that follows them (``神威北大街、通宝路前期工作扎实推进``
   gives both roads the event) unless each list item carries its own predicate
   (``京唐城际铁路开通运营、地铁平谷线加速建设``).
4. **Events** (:mod:`geo.extract.events`, patterns in :mod:`geo.extract.lexicon`): the
   status keyword of a clause (segment) goes to the head mention: the last mention before
   the keyword and the mentions coordinated with it (``与``, ``和``, ``及``, brackets); in a
   verb-first clause (``加快推进…平谷线建设``) the first mention after it. A clause with a
   keyword but no mention takes the subject of the previous clause of the same sentence
   (``平谷线加快建设，…，预计2025年年底建成通车``). Modality: explicit expected markers
   (``将于``, ``预计``, ``力争``, ``计划``, ``年底前``, ``要``...) make a forecast,
   ``已``/``已于`` a fact; a date after publication makes a forecast; a verb-first clause in
   a work-plan section (``推进城际铁路联络线一期工程建设``) or a speech paragraph
   (``蔡奇强调，要…``) is a forecast; everything else is past/present narration (actual).
   Dates come from :mod:`geo.dates`; an undated fact is dated to the publication month (as
   ``目前``/``近日`` are: the text says it held by the report, not on which day), an undated
   forecast by the publication date (``reported``).
5. **Claims** (:mod:`geo.extract.claims`): numbers with units (counts ``条/座/个/项``,
   ``公里``, ``人次``, ``亿元``, ``%``, travel-time promises like ``半小时轨道交通圈``) with
   the counted noun.

:func:`extract` runs everything for a corpus and builds timelines (:mod:`geo.timeline`).

Modules
-------
:mod:`geo.extract.records`
    The result records (:class:`Mention`, :class:`Event`, :class:`Claim`,
    :class:`UnknownCandidate`, :class:`Extraction`); standard library only, so readers
    of results need not load the engine.
:mod:`geo.extract.normalise`, :mod:`geo.extract.lexicon`, :mod:`geo.extract.segment`,
:mod:`geo.extract.context`
    Text normalisation, the rules' word lists and patterns, segmentation and the
    per-document context.
:mod:`geo.extract.mentions`, :mod:`geo.extract.events`, :mod:`geo.extract.claims`,
:mod:`geo.extract.unknowns`
    The four extractors.

This package loads the extractors (and the Aho-Corasick automaton library) only when
one of their names is first used, so ``import geo`` and
``from geo.extract.records import Extraction`` stay light.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from geo import progress

# the per-document analysis step of :func:`extract` (a test replaces it to simulate a failure)
from geo.extract.context import document_context
from geo.extract.normalise import normalise_text
from geo.extract.records import Claim, Event, Extraction, Mention, UnknownCandidate, claim_topic
from geo.schema import EVENT_STATUSES as STATUSES
from geo.schema import MODALITIES

if TYPE_CHECKING:
    from geo.extract.claims import find_claims
    from geo.extract.events import find_events
    from geo.extract.mentions import Matcher, build_matcher, find_mentions
    from geo.extract.unknowns import unknown_candidates

logger = logging.getLogger(__name__)

__all__ = [
    "MODALITIES",
    "STATUSES",
    "Claim",
    "DocumentPart",
    "Event",
    "Extraction",
    "Mention",
    "UnknownCandidate",
    "build_matcher",
    "claim_topic",
    "cyclic_gc_paused",
    "extract",
    "extract_document",
    "extract_part",
    "extract_parts",
    "failed_part_warning",
    "find_claims",
    "find_events",
    "find_mentions",
    "merge_parts",
    "normalise_text",
    "unknown_candidates",
]

# Names loaded on first use (PEP 562): name -> module that defines it.
_LAZY: dict[str, str] = {
    "Matcher": "geo.extract.mentions",
    "build_matcher": "geo.extract.mentions",
    "find_mentions": "geo.extract.mentions",
    "find_events": "geo.extract.events",
    "find_claims": "geo.extract.claims",
    "unknown_candidates": "geo.extract.unknowns",
    # module-level names of the former single module, kept importable
    "AREA_KINDS": "geo.extract.lexicon",
    "DESIGNATION_RE": "geo.extract.lexicon",
    "NO_EVENT_KINDS": "geo.extract.lexicon",
    "CLAIM_TOPICS": "geo.extract.records",
}


def __getattr__(name: str) -> Any:
    """Load an extractor's public name on first use (see the module notes)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


# =========================================================================== top level
def extract_document(
    doc: Any, gazetteer: Any, *, matcher: Matcher | None = None, provisional: bool = True
) -> tuple[list[Mention], list[Event], list[Claim]]:
    """Mentions, events and claims of one document.

    Parameters
    ----------
    doc : geo.corpus.Document
    gazetteer : geo.gazetteer.Gazetteer
    matcher : Matcher, optional
        Prebuilt :func:`build_matcher` result.
    provisional : bool, default True
        Also extract names the gazetteer lacks as provisional features (ids ``prov-...``,
        placed within this document only; :func:`extract` merges them across a corpus).

    Returns
    -------
    (mentions, events, claims)
    """
    from geo.extract.claims import claims_in
    from geo.extract.events import events_in
    from geo.extract.mentions import build_matcher, document_mentions

    matcher = matcher or build_matcher(gazetteer)
    ctx = document_context(doc)
    mentions, pkinds = document_mentions(ctx, matcher, provisional=provisional)
    kinds = {**matcher.kinds, **pkinds} if pkinds else matcher.kinds
    events = events_in(ctx, mentions, kinds, no_events=matcher.no_events)
    claims = claims_in(ctx, mentions, kinds)
    return mentions, events, claims


@dataclass
class DocumentPart:
    """One document's share of a corpus extraction, before the corpus-wide merge.

    What :func:`extract_part` returns and :func:`merge_parts` combines; a worker of
    :mod:`geo.distributed` computes parts so that the merged result equals :func:`extract`'s.
    Provisional feature ids are still this document's own (``tally``); ``counts``,
    ``suffixes``, ``contexts``, ``docs`` and ``typed`` are the document's unknown-name
    tallies (see :func:`geo.extract.unknowns.collect_unknowns`).
    """

    doc_id: str
    published: str | None
    mentions: list[Mention]
    events: list[Event]
    claims: list[Claim]
    tally: Any
    counts: Counter[str] = field(default_factory=Counter)
    suffixes: dict[str, str] = field(default_factory=dict)
    contexts: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    docs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    typed: dict[str, tuple[str, str]] = field(default_factory=dict)


def extract_part(doc: Any, matcher: Matcher, *, max_contexts: int = 5, provisional: bool = True) -> DocumentPart:
    """Extract one document for :func:`merge_parts` (raises if the document breaks the extractor).

    Parameters
    ----------
    doc : geo.corpus.Document
    matcher : Matcher
        :func:`build_matcher` of the gazetteer.
    max_contexts : int, default 5
        Contexts kept per unknown candidate.
    provisional : bool, default True
        Also extract names the gazetteer lacks as provisional features.
    """
    from geo.extract.claims import claims_in
    from geo.extract.events import events_in
    from geo.extract.mentions import document_mentions
    from geo.extract.provisional import ProvisionalTally
    from geo.extract.unknowns import collect_unknowns

    ctx = document_context(doc)
    tally = ProvisionalTally()
    mentions, pkinds = document_mentions(ctx, matcher, provisional=provisional, tally=tally)
    kinds = {**matcher.kinds, **pkinds} if pkinds else matcher.kinds
    events = events_in(ctx, mentions, kinds, no_events=matcher.no_events)
    claims = claims_in(ctx, mentions, kinds)
    part = DocumentPart(
        ctx.doc_id, ctx.published.isoformat() if ctx.published else None, mentions, events, claims, tally
    )
    collect_unknowns(
        ctx,
        mentions,
        part.counts,
        part.suffixes,
        part.contexts,
        max_contexts=max_contexts,
        docs=part.docs,
        typed=part.typed,
        tally=tally,
    )
    return part


def extract_parts(
    docs: Iterable[Any], matcher: Matcher, *, max_contexts: int = 5, provisional: bool = True
) -> Iterator[DocumentPart | str]:
    """:func:`extract_part` of each document in order, or, for a document that breaks the
    extraction, the warning (:func:`failed_part_warning`) that :func:`merge_parts` reports:
    one bad document never stops the others."""
    for doc in docs:
        try:
            yield extract_part(doc, matcher, max_contexts=max_contexts, provisional=provisional)
        except Exception as exc:
            yield failed_part_warning(doc, exc)


def failed_part_warning(doc: Any, exc: BaseException) -> str:
    """The warning that replaces the part of a document whose extraction failed."""
    return (
        f"{getattr(doc, 'path', getattr(doc, 'doc_id', '?'))}: extraction failed and the document was skipped: {exc!r}"
    )


def merge_parts(
    parts: Iterable[DocumentPart | str],
    gazetteer: Any,
    *,
    known_events: bool = True,
    max_contexts: int = 5,
) -> Extraction:
    """Merge per-document parts (in corpus order) into one :class:`Extraction`.

    A ``str`` in ``parts`` is the warning of a document that was skipped. Provisional
    features get their corpus-wide ids, the unknown names are tallied over all documents
    and the timelines are built once, with the cyclic garbage collector paused
    (:func:`cyclic_gc_paused`).
    """
    with cyclic_gc_paused():
        return _merge(parts, gazetteer, known_events=known_events, max_contexts=max_contexts)


def extract(
    corpus: Iterable[Any],
    gazetteer: Any,
    *,
    known_events: bool = True,
    max_contexts: int = 5,
    provisional: bool = True,
) -> Extraction:
    """Extract mentions, events, claims, unknown names and timelines from a corpus.

    A document whose extraction fails is skipped; the failure is logged and recorded in
    :attr:`Extraction.warnings`, naming the document's file.

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
    provisional : bool, default True
        Names the gazetteer lacks that the name grammar recognises become provisional
        features (:attr:`Extraction.provisional`) with their mentions, events and claims.

    Returns
    -------
    Extraction
    """
    from geo.extract.mentions import build_matcher

    with cyclic_gc_paused():
        matcher = build_matcher(gazetteer)
        parts = extract_parts(
            progress.track(corpus, "extracting"), matcher, max_contexts=max_contexts, provisional=provisional
        )
        return merge_parts(parts, gazetteer, known_events=known_events, max_contexts=max_contexts)


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (reference counting still frees everything).

    An extraction allocates millions of small objects and keeps a growing share of them
    (the results), so the collector's passes, the full ones over everything kept so far
    in particular, took 10-15 % of the time of :func:`extract` and found no garbage: the
    extractors create no reference cycles. :func:`extract`, :func:`merge_parts` and the
    workers of :func:`geo.distributed.extract` run inside it. The previous state is
    restored on exit, so it nests.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _merge(parts: Iterable[DocumentPart | str], gazetteer: Any, *, known_events: bool, max_contexts: int) -> Extraction:
    """The body of :func:`merge_parts`."""
    from geo.extract.mentions import iter_features
    from geo.extract.provisional import ProvisionalTally
    from geo.extract.unknowns import unknown_list
    from geo.timeline import build_timelines

    result = Extraction()
    counts: Counter[str] = Counter()
    suffixes: dict[str, str] = {}
    contexts: dict[str, list[dict]] = defaultdict(list)
    docs_of: dict[str, set[str]] = defaultdict(set)
    typed: dict[str, tuple[str, str]] = {}
    tally = ProvisionalTally()
    for part in parts:
        if isinstance(part, str):
            logger.warning(part)
            result.warnings.append(part)
            continue
        tally.merge(part.tally)
        result.mentions.extend(part.mentions)
        result.events.extend(part.events)
        result.claims.extend(part.claims)
        counts.update(part.counts)
        suffixes.update(part.suffixes)
        for name, ctxs in part.contexts.items():
            contexts[name].extend(ctxs[: max(0, max_contexts - len(contexts[name]))])
        for name, ids in part.docs.items():
            docs_of[name].update(ids)
        for name, kt in part.typed.items():
            typed.setdefault(name, kt)
        result.documents[part.doc_id] = part.published
    id_map, result.provisional = tally.resolve()
    if id_map:
        _rename(result, id_map, typed)
    result.mentions.sort(key=lambda m: (m.doc_id, m.start, m.end))
    result.events.sort(key=lambda e: (e.doc_id, e.start, e.feature_id, e.status))
    result.claims.sort(key=lambda c: (c.doc_id, c.start, c.end))
    result.unknowns = unknown_list(counts, suffixes, contexts, docs=docs_of, typed=typed)
    known: dict[str, list[dict]] | None = None
    if known_events:
        known = {f.id: list(f.known_events) for f in iter_features(gazetteer) if getattr(f, "known_events", None)}
    result.timelines = build_timelines(result.events, known_events=known)
    kind_of = {f.id: f.kind for f in iter_features(gazetteer)}
    for f in iter_features(gazetteer):
        for parent in getattr(f, "parent", ()) or ():
            if kind_of.get(str(parent)) == f.kind:  # a section, not a lock or bridge on a river
                result.sections.setdefault(str(parent), []).append(f.id)
    result.sections = {k: sorted(v) for k, v in sorted(result.sections.items())}
    logger.info(
        "extracted %d mentions, %d events, %d claims, %d unknown names (%d provisional features) from %d documents",
        len(result.mentions),
        len(result.events),
        len(result.claims),
        len(result.unknowns),
        len(result.provisional),
        len(result.documents),
    )
    return result


def _rename(result: Extraction, id_map: dict[str, str], typed: dict[str, tuple[str, str]]) -> None:
    """Give the per-document provisional ids their corpus-wide ids (in place)."""
    from dataclasses import replace

    def new(fid: str) -> str:
        return id_map.get(fid, fid)

    result.mentions[:] = [
        replace(m, feature_id=new(m.feature_id)) if m.feature_id in id_map else m for m in result.mentions
    ]
    result.events[:] = [
        replace(e, feature_id=new(e.feature_id)) if e.feature_id in id_map else e for e in result.events
    ]
    result.claims[:] = [
        replace(c, feature_ids=tuple(dict.fromkeys(new(f) for f in c.feature_ids)))
        if any(f in id_map for f in c.feature_ids)
        else c
        for c in result.claims
    ]
    for name, (kind, fid) in list(typed.items()):
        typed[name] = (kind, new(fid))
