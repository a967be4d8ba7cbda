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

from geo.extract.context import DocContext, document_context
from geo.extract.mentions import Matcher, build_matcher, document_mentions
from geo.extract.names import names_other_subject
from geo.extract.records import Mention, UnknownCandidate

__all__ = ["collect_unknowns", "names_other_subject", "unknown_candidates", "unknown_list"]


def _unknowns_in(ctx: DocContext, mention_spans: list[tuple[int, int]]) -> list[tuple[str, str, int, int]]:
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

    for name, suffix, s, e in ctx.candidates:
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
    ``公园``, ``枢纽``, ``公交``) or a bus-line designation (``814路``, ``938快``), cut at
    function words and verbs, not overlapping a gazetteer mention, and not a generic word
    (``思路``, ``道路``, ``线路``, ``一线``, ``网站``, ``跨界公路``...). Names the name
    grammar types (:mod:`geo.extract.names`) carry their kind and provisional feature id
    (per document here; :func:`geo.extract.extract` merges them across the corpus).

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
    from geo.extract.provisional import ProvisionalTally

    matcher = matcher or build_matcher(gazetteer)
    counts: Counter[str] = Counter()
    suffixes: dict[str, str] = {}
    contexts: dict[str, list[dict]] = defaultdict(list)
    docs: dict[str, set[str]] = defaultdict(set)
    typed: dict[str, tuple[str, str]] = {}
    for doc in corpus:
        ctx = document_context(doc)
        tally = ProvisionalTally()
        mentions, _ = document_mentions(ctx, matcher, tally=tally)
        collect_unknowns(
            ctx, mentions, counts, suffixes, contexts, max_contexts=max_contexts, docs=docs, typed=typed, tally=tally
        )
    return unknown_list(counts, suffixes, contexts, docs=docs, typed=typed)


def _context(ctx: DocContext, s: int, e: int) -> dict:
    from geo.extract.records import snippet

    ci = bisect.bisect_right(ctx.seg.clause_starts, s) - 1
    if ci < 0:
        return {"doc_id": ctx.doc_id, "start": s, "end": e, "sentence": ""}
    ss, se = ctx.seg.sentences[ctx.seg.clauses[ci].sentence]
    return {
        "doc_id": ctx.doc_id,
        "start": s,
        "end": e,
        "sentence_start": ss,
        "sentence_end": se,
        "sentence": snippet(ctx.text, ss, se, s, e),
    }


_KIND_SUFFIX_RE = re.compile(
    r"(?:大街|大道|特大桥|大桥|高速公路|高速|快速路|公路|铁路|城际|船闸|公园|支线|联络线|线|路|站|桥|闸|快|支\d?)$"
)


def collect_unknowns(
    ctx: DocContext,
    mentions: list[Mention],
    counts: Counter[str],
    suffixes: dict[str, str],
    contexts: dict[str, list[dict]],
    *,
    max_contexts: int,
    docs: dict[str, set[str]] | None = None,
    typed: dict[str, tuple[str, str]] | None = None,
    tally: Any = None,
) -> None:
    """Add a document's unknown names to running tallies.

    ``counts`` (name -> occurrences), ``suffixes`` (name -> suffix), ``contexts`` (name ->
    up to ``max_contexts`` occurrences ``{doc_id, start, end, sentence_start, sentence_end,
    sentence}``), ``docs`` (name -> document ids) and ``typed`` (name -> (kind,
    provisional id) for names of provisional features, from ``tally``, the document's
    :class:`geo.extract.provisional.ProvisionalTally`) are updated in place;
    :func:`unknown_list` turns them into the result.
    """
    spans = sorted((m.start, m.end) for m in mentions)
    found = [(name, suffix, s, e) for name, suffix, s, e in _unknowns_in(ctx, spans)]
    if tally is not None:
        for kind, name, o in tally.occurrences():
            sm = _KIND_SUFFIX_RE.search(name)
            found.append((name, sm.group(0) if sm else "", int(o["start"]), int(o["end"])))
            if typed is not None and name not in typed:
                typed[name] = (kind, str(o["id"]))
    for name, suffix, s, e in sorted(found, key=lambda t: (t[2], t[3], t[0])):
        counts[name] += 1
        suffixes[name] = suffix
        if docs is not None:
            docs[name].add(ctx.doc_id)
        if len(contexts[name]) < max_contexts:
            contexts[name].append(_context(ctx, s, e))


def unknown_list(
    counts: Counter[str],
    suffixes: dict[str, str],
    contexts: dict[str, list[dict]],
    *,
    docs: dict[str, set[str]] | None = None,
    typed: dict[str, tuple[str, str]] | None = None,
) -> list[UnknownCandidate]:
    """The tallies of :func:`collect_unknowns` as candidates, by descending count, then name."""
    docs = docs or {}
    typed = typed or {}
    return [
        UnknownCandidate(
            name,
            suffixes[name],
            n,
            tuple(contexts[name]),
            kind=typed[name][0] if name in typed else None,
            feature_id=typed[name][1] if name in typed else None,
            docs=tuple(sorted(docs.get(name, ()))),
        )
        for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
