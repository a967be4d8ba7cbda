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
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from geo.extract.context import DocContext, document_context
from geo.extract.lexicon import AREA_KINDS, DESIGNATION_RE, NATURAL_KINDS, NO_EVENT_KINDS
from geo.extract.names import NameSpan, grammar_names, is_bus_designation, suffix_candidates
from geo.extract.normalise import QUOTES_RE, MatchView, normalise_text, pinyin_view
from geo.extract.provisional import PlaceIndex, ProvisionalTally, place_names, provisional_id
from geo.extract.records import SNIPPET_MAX, Mention, snippet

logger = logging.getLogger(__name__)

__all__ = ["Matcher", "build_matcher", "document_mentions", "find_mentions", "iter_features", "mentions_in"]


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
    places: PlaceIndex = field(default_factory=PlaceIndex)
    bridges: dict[tuple[str, str], str] = field(default_factory=dict)
    stations: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)

    def lookup(self, name: str) -> str | None:
        """The feature id of an exact (normalised) name or alias, or ``None``."""
        if self.empty:
            return None
        hit = self.automaton.get(name, None)
        return hit[1] if hit else None


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
      (``密涿高速北延与京平高速对接工程``, ``副中心剧院、图书馆、博物馆``) is dropped;
    * a bus line's designation (``938路``) listed as an alias of a record that is no single
      line (a network) is dropped: the line is a feature of its own, and its events are not
      the network's.

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
            if feature.kind == "bus_line" and is_bus_designation(key) and not is_bus_designation(canonical):
                continue  # 938路 listed under a network: the line is a feature of its own
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
    by_id = {f.id: f for f in features}
    return Matcher(
        automaton,
        kinds,
        not owner,
        frozenset(no_events),
        places=_place_index(features),
        bridges=_bridges_by_road_and_river(features, by_id, all_names),
        stations=_stations_by_name(features, all_names),
        sections=_section_parents(features, by_id),
    )


def _place_index(features: list[Any]) -> PlaceIndex:
    """Counties, groups of counties and towns of the gazetteer, and the reference counties it lacks."""
    adcodes: dict[str, tuple[int, ...]] = {}
    names: dict[str, str] = {}
    for f in features:
        if f.kind == "admin" and getattr(f, "admin", ()):
            adcodes[f.id] = tuple(int(a) for a in f.admin)
            names[f.id] = normalise_text(f.name_zh)
    known = {a for codes in adcodes.values() if len(codes) == 1 for a in codes}
    counties: list[tuple[str, int]] = []
    try:
        from geo.gazetteer import reference_counties

        for code, info in sorted(reference_counties().items()):
            if code not in known and len(info["name"]) >= 3:
                counties.append((normalise_text(info["name"]), code))
    except (OSError, ValueError, KeyError) as exc:  # reference data missing: gazetteer places only
        logger.warning("reference county names unavailable (%s)", exc)
    return PlaceIndex(adcodes, names, tuple(counties))


def _bridges_by_road_and_river(
    features: list[Any], by_id: dict[str, Any], all_names: dict[str, set[str]]
) -> dict[tuple[str, str], str]:
    """(road id, river name) -> the bridge whose parents are that road and river."""
    out: dict[tuple[str, str], str] = {}
    for f in features:
        if f.kind != "bridge":
            continue
        parents = [by_id[p] for p in getattr(f, "parent", ()) if p in by_id]
        roads = [p for p in parents if p.kind in ("road", "expressway")]
        rivers = [p for p in parents if p.kind == "river"]
        for river in rivers:
            for n in all_names.get(river.id, ()):
                out.setdefault((f.id, n), f.id)
                for r in roads:
                    out.setdefault((r.id, n), f.id)
    return out


def _stations_by_name(features: list[Any], all_names: dict[str, set[str]]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Station name without ``站`` -> (station id, its lines)."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for f in features:
        if f.kind != "station":
            continue
        for n in all_names.get(f.id, ()):
            if n.endswith("站") and len(n) >= 3:
                out.setdefault(n[:-1], (f.id, tuple(getattr(f, "parent", ()))))
    return out


def _section_parents(features: list[Any], by_id: dict[str, Any]) -> dict[str, str]:
    """Section feature id -> the feature it is a section of (same kind, name ending in ``段``)."""
    out: dict[str, str] = {}
    for f in features:
        for p in getattr(f, "parent", ()):
            if p in by_id and by_id[p].kind == f.kind and normalise_text(f.name_zh or "").endswith("段"):
                out[f.id] = p
                break
    return out


# =========================================================================== mentions
_INFRA_SUFFIX_RE = re.compile(
    r"(?:站|[东南西北]站|线|路|大街|大道|大桥|桥|高速|出口|立交|枢纽|船闸|铁路|城际|机场|地铁|公交|专线|段|"
    r"(?:环城|森林|湿地|郊野|滨河|体育|文化)公园)"
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
_RIVER_SUFFIX_RE = re.compile(r"大桥|船闸|站|(?:森林|湿地|郊野|滨河|文化|遗址)?公园")


# =========================================================================== public: mentions
def find_mentions(
    doc: Any, gazetteer: Any, *, matcher: Matcher | None = None, provisional: bool = True
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
    provisional : bool, default True
        Include mentions of names the gazetteer lacks that the name grammar recognises
        (provisional feature ids ``prov-...``, see :mod:`geo.extract.provisional`).

    Returns
    -------
    list of Mention
        In text order, non-overlapping (leftmost-longest).
    """
    matcher = matcher or build_matcher(gazetteer)
    ctx = document_context(doc)
    return document_mentions(ctx, matcher, provisional=provisional)[0]


def _mention(ctx: DocContext, s: int, e: int, fid: str) -> Mention:
    ci = bisect.bisect_right(ctx.seg.clause_starts, s) - 1
    si = ctx.seg.clauses[ci].sentence if ci >= 0 else None
    if si is None:
        return Mention(fid, ctx.doc_id, s, e, ctx.text[s:e], "", ctx.published)
    ss, se = ctx.seg.sentences[si]
    if se - ss <= SNIPPET_MAX:
        # the whole sentence, whatever the mention: one string for all the mentions of a
        # sentence (generated news has three mentions a sentence: a third of the memory their
        # sentences took, and smaller pickles from the workers)
        key = ("sentence", si)
        sentence = ctx.memo.get(key)
        if sentence is None:
            sentence = ctx.memo[key] = snippet(ctx.text, ss, se)
    else:
        sentence = snippet(ctx.text, ss, se, s, e)
    return Mention(fid, ctx.doc_id, s, e, ctx.text[s:e], sentence, ctx.published, ss, se)


_ELLIPSIS_RE = re.compile(r"(?:以及|与|和|及|、|同)(?P<label>[\u4e00-\u9fff]{1,6}?段)")


def _section_ellipsis(norm: str, raw: list[tuple[int, int, str]], matcher: Matcher) -> list[tuple[int, int, str]]:
    """``北运河廊坊段与北京通州段``: a bare section label coordinated with a section of a
    linear feature is a section of the same feature -- the gazetteer's record of that section
    when it has one, else the feature itself."""
    out = list(raw)
    for i, (s, e, fid) in enumerate(raw):
        if matcher.kinds.get(fid) not in _LINEAR_KINDS or not norm.endswith("段", s, e):
            continue
        m = _ELLIPSIS_RE.match(norm, e)
        if m is None:
            continue
        nxt = raw[i + 1][0] if i + 1 < len(raw) else len(norm)
        if m.end() > nxt:
            continue
        surface = norm[s:e]
        label = m.group("label")
        for k in range(2, min(6, len(surface) - 1)):
            base = surface[:-k]
            base_id = matcher.lookup(base)
            if base_id is None or matcher.kinds.get(base_id) not in _LINEAR_KINDS:
                continue
            target = matcher.lookup(base + label) or base_id
            out.append((m.start("label"), m.end("label"), target))
            break
    out.sort()
    return out


#: Category endings a list of names may share (``京秦、京哈、通燕高速``), longest first, with
#: the other written forms of the same ending.
_SHARED_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("高速公路", ("高速公路", "高速")),
    ("高速", ("高速", "高速公路")),
    ("铁路", ("铁路",)),
    ("城际", ("城际", "城际铁路")),
    ("大街", ("大街",)),
    ("大道", ("大道",)),
    ("特大桥", ("特大桥", "大桥")),
    ("大桥", ("大桥",)),
    ("船闸", ("船闸",)),
    ("公园", ("公园",)),
    ("路", ("路",)),
)
_LIST_ITEMS_RE = re.compile(r"(?:[\u4e00-\u9fff]{1,6}[、和与及])+$")
_LIST_SEP_RE = re.compile(r"[、和与及]")
_SHARED_KINDS = frozenset({"expressway", "road", "rail_line", "bridge", "lock", "park"})


def _shared_suffix_lists(norm: str, raw: list[tuple[int, int, str]], matcher: Matcher) -> list[tuple[int, int, str]]:
    """``京秦、京哈、通燕高速`` or ``甲、乙大街``: the short names listed before a gazetteer name
    share its category ending; each is the gazetteer feature its name plus that ending (or
    another written form of it: 高速 / 高速公路) is called, when there is one. An item
    that is no such name ends the list (nothing is guessed)."""
    out = list(raw)
    prev_end = 0
    for s, e, fid in raw:
        start_limit, prev_end = prev_end, e
        if matcher.kinds.get(fid) not in _SHARED_KINDS:
            continue
        surface = norm[s:e]
        forms: tuple[str, ...] = ()
        for suffix, alts in _SHARED_SUFFIXES:
            if surface.endswith(suffix) and len(surface) > len(suffix):
                forms = alts
                break
        if not forms:
            continue
        lo = max(start_limit, s - 40)
        if not _LIST_SEP_RE.search(norm, max(lo, s - 7), s):
            continue  # no separator within an item's length of the name
        m = _LIST_ITEMS_RE.search(norm, lo, s)
        if m is None:
            continue
        items = []
        pos = m.start()
        for part in _LIST_SEP_RE.split(m.group(0))[:-1]:
            items.append((pos, part))
            pos += len(part) + 1
        found = []
        for a, part in reversed(items):  # nearest first; stop at the first item that is no name
            hit = None
            for k in range(len(part) - 1) if a == m.start() else (0,):
                body = part[k:]  # the first item may carry the words before the list (分别为京秦)
                for form in forms:
                    hid = matcher.lookup(body + form)
                    if hid is not None and matcher.kinds.get(hid) == matcher.kinds.get(fid):
                        hit = (a + k, a + len(part), hid)
                        break
                if hit:
                    break
            if hit is None:
                break
            found.append(hit)
        out.extend(found)
    out.sort()
    return out


#: Bare venue words a list may share a qualifier before (``副中心剧院、图书馆、博物馆``).
_SHARED_QUALIFIER_HEADS = ("大剧院", "剧院", "图书馆", "博物馆", "美术馆", "艺术馆", "科技馆")
_HEAD_ITEM_RE = re.compile(r"\s*(?:、|和|与|及|以及)\s*(?P<head>" + "|".join(_SHARED_QUALIFIER_HEADS) + ")")


def _shared_qualifier_lists(norm: str, raw: list[tuple[int, int, str]], matcher: Matcher) -> list[tuple[int, int, str]]:
    """``副中心剧院、图书馆、博物馆``: bare venue words listed after a gazetteer venue share its
    qualifier; each is the gazetteer feature the qualifier plus that word is called, when
    there is one. A word that makes no such name ends the list (nothing is guessed)."""
    out = list(raw)
    for i, (s, e, _fid) in enumerate(raw):
        surface = norm[s:e]
        head = next((h for h in _SHARED_QUALIFIER_HEADS if surface.endswith(h)), None)
        if head is None or len(surface) - len(head) < 2:
            continue
        qualifier = surface[: -len(head)]
        nxt = raw[i + 1][0] if i + 1 < len(raw) else len(norm)
        pos = e
        while (m := _HEAD_ITEM_RE.match(norm, pos)) is not None and m.end() <= nxt:
            hid = matcher.lookup(qualifier + m.group("head"))
            if hid is None:
                break
            out.append((m.start("head"), m.end("head"), hid))
            pos = m.end()
    out.sort()
    return out


_STATION_WORDS_RE = re.compile(r"设站|停靠|经停|站点|车站|设置|始发|终到|途经|到达|开往|直达|换乘|站")
_STATION_COORD_RE = re.compile(r"^[\s、和与及至到\-]{1,2}$")
_RAIL_KINDS = frozenset({"rail_line", "metro_line"})


def _towns_as_stations(
    ctx: DocContext, raw: list[tuple[int, int, str]], matcher: Matcher
) -> list[tuple[int, int, str]]:
    """A town or county name in a sentence about a railway, listed with stations or with
    station words (``京唐城际燕郊、大厂、香河三站``), means its station: the gazetteer
    station named after it on a line the sentence names."""
    if not matcher.stations:
        return raw
    norm = ctx.norm
    out = list(raw)
    sent_starts = [a for a, _ in ctx.seg.sentences]
    raw_starts = [r[0] for r in raw]
    for i, (s, e, fid) in enumerate(raw):
        if matcher.kinds.get(fid) != "admin":
            continue
        hit = matcher.stations.get(norm[s:e])
        if hit is None:
            continue
        sid, lines = hit
        si = bisect.bisect_right(sent_starts, s) - 1
        if si < 0:
            continue
        a, b = ctx.seg.sentences[si]
        in_sentence = raw[bisect.bisect_left(raw_starts, a) : bisect.bisect_left(raw_starts, b)]
        rail = [r for r in in_sentence if matcher.kinds.get(r[2]) in _RAIL_KINDS]
        if not rail or (lines and not any(r[2] in lines for r in rail)):
            continue
        neighbours = [raw[j] for j in (i - 1, i + 1) if 0 <= j < len(raw) and a <= raw[j][0] < b]
        listed = any(
            matcher.kinds.get(n[2]) in ("station", "admin")
            and _STATION_COORD_RE.match(norm[min(e, n[1]) : max(s, n[0])] or "x")
            for n in neighbours
        )
        if listed and _STATION_WORDS_RE.search(norm, a, b):
            out[i] = (s, e, sid)
    return out


def mentions_in(ctx: DocContext, matcher: Matcher) -> list[Mention]:
    """The gazetteer mentions in a document context (see :func:`find_mentions`), in text order.

    Besides the automaton's matches: a bare section label coordinated with a section of a
    linear feature (``北运河廊坊段与北京通州段``) is that feature's section; a town name
    listed with stations in a sentence about a railway is its station.
    """
    view = MatchView(ctx.norm)
    raw = _find_mentions_norm(view, matcher)
    raw = _section_ellipsis(ctx.norm, raw, matcher)
    raw = _shared_suffix_lists(ctx.norm, raw, matcher)
    raw = _shared_qualifier_lists(ctx.norm, raw, matcher)
    raw = _towns_as_stations(ctx, raw, matcher)
    return [_mention(ctx, s, e, fid) for s, e, fid in raw]


_BRIDGE_TAIL_RE = re.compile(r"(?:特大桥|大桥|桥)$")
#: Name-grammar rules of names that share a category ending with a listed name.
_SHARED_RULES = frozenset({"shared-head", "shared-suffix"})


def _known_bridge(ctx: DocContext, n: NameSpan, gm: list[Mention], matcher: Matcher) -> str | None:
    """The gazetteer bridge a bridge name named after its river means: ``厂通路潮白河大桥``,
    or ``跨潮白河大桥`` in a sentence that names the road (or the bridge) before it."""
    river = _BRIDGE_TAIL_RE.sub("", ctx.norm[n.start : n.end]).removeprefix("跨")
    if n.rule == "bridge-of-road" and n.prefix is not None:
        return matcher.bridges.get((n.prefix, river))
    if len(river) < 2:
        return None
    ci = bisect.bisect_right(ctx.seg.clause_starts, n.start) - 1
    if ci < 0:
        return None
    a, _ = ctx.seg.sentences[ctx.seg.clauses[ci].sentence]
    for m in reversed(gm):
        if m.start >= n.start or m.start < a:
            continue
        hit = matcher.bridges.get((m.feature_id, river))
        if hit is not None:
            return hit
    return None


def document_mentions(
    ctx: DocContext,
    matcher: Matcher,
    *,
    provisional: bool = True,
    tally: ProvisionalTally | None = None,
) -> tuple[list[Mention], dict[str, str]]:
    """Gazetteer mentions and, with ``provisional``, mentions of the names the gazetteer lacks.

    Parameters
    ----------
    ctx : DocContext
    matcher : Matcher
    provisional : bool, default True
        Also give the names the grammar recognises (:func:`geo.extract.names.grammar_names`)
        mentions of provisional features (:mod:`geo.extract.provisional`).
    tally : ProvisionalTally, optional
        Records each provisional occurrence (for merging across a corpus).

    Returns
    -------
    (mentions, kinds)
        All mentions in text order; the kinds of the document's provisional feature ids.
    """
    gm = mentions_in(ctx, matcher)
    if not provisional:
        return gm, {}
    spans = [(m.start, m.end, m.feature_id) for m in gm]
    candidates = ctx.candidates
    view = pinyin_view(ctx.norm)
    if view is not None:
        # 北關(guān)閘: the name grammar reads the text without the mirror site's pinyin
        candidates = [
            (name, suffix, view.orig(a), view.orig(b - 1) + 1) for name, suffix, a, b in suffix_candidates(view.text)
        ]
    names = grammar_names(ctx.norm, ctx.seg.sentences, spans, matcher.kinds, candidates=candidates)
    # 某镇等环城公园: the town's name names the park; its place mention gives way
    renamed = {(n.start, n.end) for n in names if n.rule == "shared-head"}
    out = [m for m in gm if (m.start, m.end) not in renamed] if renamed else list(gm)
    prov: list[NameSpan] = []
    for n in names:
        bid = _known_bridge(ctx, n, gm, matcher) if n.kind == "bridge" else None
        if bid is None and n.rule in _SHARED_RULES:
            gid = matcher.lookup(n.name)  # 甲、乙船闸 where the gazetteer knows 甲船闸
            bid = gid if gid is not None and matcher.kinds.get(gid) == n.kind else None
        if bid is not None:
            out.append(_mention(ctx, n.start, n.end, bid))
            continue
        prov.append(n)
    kinds: dict[str, str] = {}
    if prov:
        placements = place_names(ctx, prov, gm, matcher.places)
        for n, pl in zip(prov, placements, strict=True):
            surface = ctx.text[n.start : n.end]
            if tally is not None:
                fid = tally.add(ctx.doc_id, n, pl, surface)
            else:
                fid = provisional_id(n.kind, n.name, pl["adcodes"])
            kinds[fid] = n.kind
            out.append(_mention(ctx, n.start, n.end, fid))
    out.sort(key=lambda m: (m.start, m.end))
    return out, kinds
