"""Gazetteer mentions: one Aho-Corasick automaton over every usable name and alias.

:func:`build_matcher` prunes compound aliases (qualifiers, works words, conjunctions,
trailing parentheses) and builds the automaton; :func:`find_mentions` finds the
leftmost-longest matches in a document, with the guard rules: an area-like feature
followed by an infrastructure suffix (``通州站``) or a river followed by
``大桥``/``船闸``/``站`` is a different, unknown feature; a linear feature followed
by a section label (``安石路河北段``) takes the label into its surface.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ahocorasick

from geo.extract.context import DocContext, document_context, sentence_text
from geo.extract.lexicon import AREA_KINDS, DESIGNATION_RE, NATURAL_KINDS, NO_EVENT_KINDS
from geo.extract.normalise import QUOTES_RE, MatchView, normalise_text
from geo.extract.records import Mention

logger = logging.getLogger(__name__)

__all__ = ["Matcher", "build_matcher", "find_mentions", "iter_features", "mentions_in"]


# =========================================================================== gazetteer matcher
def iter_features(gazetteer: Any) -> Iterator[Any]:
    """The features of a gazetteer (or of any mapping or iterable of features), by id."""
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
class Matcher:
    """The name automaton of a gazetteer (:func:`build_matcher`), reusable across documents.

    Attributes
    ----------
    automaton : ahocorasick.Automaton
        Normalised name -> (length, feature id).
    kinds : dict of str to str
        Feature id -> kind.
    empty : bool
        No name to search.
    no_events : frozenset of str
        Features that never carry a status event (areas, destinations, designations).
    """

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


def _usable_names(feature: Any, names: set[str], area_names: set[str]) -> list[str]:
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
    canonical = QUOTES_RE.sub("", normalise_text(feature.name_zh or "")).strip()
    cm = _TRAIL_PAREN_RE.match(canonical)
    if cm and not cm.group("inner").endswith("段"):
        canonical = cm.group("outer").strip()
    qualifiers = (*(_QUALIFIERS if feature.kind in AREA_KINDS else ()), *area_names)
    out: list[str] = []
    for raw in _feature_names(feature):
        key = QUOTES_RE.sub("", normalise_text(raw)).strip()
        pm = _TRAIL_PAREN_RE.match(key)
        if pm and not pm.group("inner").endswith("段"):
            key = pm.group("outer").strip()
        if len(key) < 2:
            continue
        if key != canonical and key not in (canonical,):
            if _CONJ_RE.search(key) and not _CONJ_RE.search(canonical):
                continue
            if any(
                key.startswith(q) and key[len(q) :] in names and len(key) - len(q) >= 2 for q in qualifiers if q != key
            ):
                continue
            sm = _WORKS_SUFFIX_RE.search(key)
            if sm and sm.start() >= 2:
                key = key[: sm.start()]  # 通燕高速燕郊西出口改建工程 -> 通燕高速燕郊西出口
        if key not in out:
            out.append(key)
    return out


def build_matcher(gazetteer: Any) -> Matcher:
    """Build the Aho-Corasick automaton of every normalised name and alias.

    Compound aliases are pruned first (:func:`_usable_names`).

    Parameters
    ----------
    gazetteer : geo.gazetteer.Gazetteer
        Or any mapping/iterable of features with ``id``, ``kind``, ``names``.

    Returns
    -------
    Matcher
        Reusable across documents (:func:`extract_document` accepts it).
    """
    automaton = ahocorasick.Automaton()
    owner: dict[str, str] = {}
    kinds: dict[str, str] = {}
    no_events: set[str] = set()
    features = list(iter_features(gazetteer))
    all_names: dict[str, set[str]] = {}
    area_names: set[str] = set()
    for f in features:
        ns = {QUOTES_RE.sub("", normalise_text(n)).strip() for n in _feature_names(f)}
        for n in list(ns):
            pm = _TRAIL_PAREN_RE.match(n)
            if pm:
                ns.add(pm.group("outer").strip())
        all_names[f.id] = ns
        if f.kind in AREA_KINDS:
            area_names |= {n for n in ns if len(n) >= 2}
    for f in features:
        kinds[f.id] = f.kind
        if f.kind in NO_EVENT_KINDS or (f.kind == "zone" and DESIGNATION_RE.search(f.name_zh or "")):
            no_events.add(f.id)
        for key in _usable_names(f, all_names[f.id], area_names - all_names[f.id]):
            prev = owner.get(key)
            if prev is not None and prev != f.id:
                logger.warning("name %r is shared by %s and %s; keeping %s", key, prev, f.id, prev)
                continue
            owner[key] = f.id
    for key, fid in owner.items():
        automaton.add_word(key, (len(key), fid))
    if owner:
        automaton.make_automaton()
    return Matcher(automaton, kinds, not owner, frozenset(no_events))


# =========================================================================== mentions
_INFRA_SUFFIX_RE = re.compile(
    r"(?:站|线|路|大街|大道|大桥|桥|高速|出口|立交|枢纽|船闸|铁路|城际|机场|地铁|公交|专线|段)"
)


def _find_mentions_norm(view: MatchView, matcher: Matcher) -> list[tuple[int, int, str]]:
    """Leftmost-longest matches as (orig_start, orig_end, feature_id)."""
    if matcher.empty:
        return []
    out: list[tuple[int, int, str]] = []
    mtext = view.text
    for end_idx, (length, fid) in matcher.automaton.iter_long(mtext):
        s = end_idx - length + 1
        e = end_idx + 1
        kind = matcher.kinds.get(fid)
        if kind in AREA_KINDS and _INFRA_SUFFIX_RE.match(mtext, e):
            continue  # part of a longer, unknown name (通州站, 国贸站)
        if kind in NATURAL_KINDS and _RIVER_SUFFIX_RE.match(mtext, e):
            continue  # 潮白河大桥: a bridge named after the river
        if kind in _LINEAR_KINDS and not mtext.endswith("段", s, e):
            sm = _SECTION_RE.match(mtext, e)
            if sm:
                e = sm.end()  # 安石路河北段, 承平高速(北京段)
        if out and view.orig(s) < out[-1][1]:
            continue  # overlapped by an extended section
        out.append((view.orig(s), view.orig(e - 1) + 1, fid))
    return out


_LINEAR_KINDS = frozenset({"metro_line", "rail_line", "expressway", "road", "river", "bus_line", "bridge"})
_SECTION_RE = re.compile(r"(?:\((?![与和及])[\u4e00-\u9fff\-]{1,8}段\)|(?![与和及、])[\u4e00-\u9fff]{1,3}段)")
_RIVER_SUFFIX_RE = re.compile(r"大桥|船闸|站")


# =========================================================================== public: mentions
def find_mentions(doc: Any, gazetteer: Any, *, matcher: Matcher | None = None) -> list[Mention]:
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
    ctx = document_context(doc)
    return mentions_in(ctx, matcher)


def mentions_in(ctx: DocContext, matcher: Matcher) -> list[Mention]:
    """The mentions in a document context (see :func:`find_mentions`), in text order."""
    view = MatchView(ctx.norm)
    out = []
    for s, e, fid in _find_mentions_norm(view, matcher):
        ci = bisect.bisect_right(ctx.seg.clause_starts, s) - 1
        si = ctx.seg.clauses[ci].sentence if ci >= 0 else None
        sentence = sentence_text(ctx, si) if si is not None else ""
        out.append(Mention(fid, ctx.doc_id, s, e, ctx.text[s:e], sentence, ctx.published))
    return out
