"""Provisional features: names the gazetteer lacks, placed by the places their text names.

A name the grammar of :mod:`geo.extract.names` recognises (a road, bridge, bus line,
station, metro or rail line, lock, park, interchange, hospital campus, cultural venue
or river) that no gazetteer name covers becomes a
*provisional feature*: it gets mentions, events and claims like any feature, and a
placement that says only what the text says about where it is:

1. ``prefix`` -- a county or town name written right before it (``通州区某某路``);
2. ``sentence`` -- the one to three counties or towns its sentence names;
3. ``paragraph`` -- the same for its paragraph;
4. ``document`` -- the place the document names most (at least half of its place
   mentions);
5. ``study_area`` -- none of these.

A town places the feature in its county (the reference data hold county outlines
only). Its id, ``prov-<kind>-<10 hex digits>``, comes from its kind, name and the
adcodes of its placement, so the same corpus gives the same ids. Across documents,
occurrences of one name and kind whose placements share a county are one feature
(placed by the most specific placement); occurrences placed nowhere join the feature
when there is exactly one. The layers draw the outline of the placement with accuracy
``unlocated`` (:func:`geo.gazetteer.provisional_feature`).
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from geo.extract.context import DocContext
from geo.extract.names import NameSpan
from geo.extract.records import Mention, ProvisionalFeature

__all__ = [
    "KIND_THEME",
    "PLACEMENT_LEVELS",
    "PlaceIndex",
    "ProvisionalTally",
    "gazetteer_stub",
    "place_names",
    "provisional_id",
    "provisional_kind",
]

#: Theme of a provisional feature of each kind.
KIND_THEME: dict[str, str] = {
    "road": "road",
    "expressway": "road",
    "bridge": "road",
    "bus_line": "bus",
    "station": "rail",
    "metro_line": "rail",
    "rail_line": "rail",
    "lock": "water",
    "park": "zone",
    "interchange": "road",
    "hospital": "facility",
    "culture": "facility",
    "river": "water",
}
#: Placement levels, most specific first.
PLACEMENT_LEVELS: tuple[str, ...] = ("prefix", "sentence", "paragraph", "document", "study_area")
_LEVEL_RANK = {lv: i for i, lv in enumerate(PLACEMENT_LEVELS)}
_MAX_PLACES = 3
_QUOTE_MAX = 300


def provisional_id(kind: str, name: str, adcodes: Iterable[int]) -> str:
    """The id of a provisional feature: ``prov-<kind>-<10 hex digits>``.

    Parameters
    ----------
    kind : str
        Gazetteer kind (``bus_line`` -> ``bus-line`` in the id).
    name : str
        Normalised name.
    adcodes : iterable of int
        Adcodes of its placement (empty: placed nowhere more precisely than the study area).

    Returns
    -------
    str
        Valid per :data:`geo.schema.FEATURE_ID`.
    """
    key = f"{kind}|{name}|{','.join(str(a) for a in sorted(set(adcodes)))}"
    return f"prov-{kind.replace('_', '-')}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:10]}"


def provisional_kind(fid: str) -> str | None:
    """The kind encoded in a provisional id (``prov-bus-line-…`` -> ``bus_line``), else ``None``."""
    if not fid.startswith("prov-"):
        return None
    kind = fid[len("prov-") :].rsplit("-", 1)[0].replace("-", "_")
    return kind if kind in KIND_THEME else None


@dataclass(frozen=True)
class PlaceIndex:
    """What placement needs to know about places.

    Attributes
    ----------
    adcodes : dict
        Gazetteer id of a county, group of counties or town -> the adcodes of the county
        outlines that contain it.
    names : dict
        Gazetteer id -> canonical name.
    counties : tuple of (str, int)
        Names of county-level divisions of the reference data that the gazetteer does not
        hold (full names such as ``朝阳区``) and their adcodes.
    """

    adcodes: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    counties: tuple[tuple[str, int], ...] = ()


def _places_in_doc(ctx: DocContext, mentions: Sequence[Mention], index: PlaceIndex) -> list[tuple[int, int, str]]:
    """Every place mention of a document: (start, end, key) with a gazetteer id or ``county:<adcode>``."""
    out = [(m.start, m.end, m.feature_id) for m in mentions if m.feature_id in index.adcodes]
    if index.counties:
        taken = sorted((m.start, m.end) for m in mentions)
        starts = [s for s, _ in taken]
        for name, adcode in index.counties:
            i = ctx.norm.find(name)
            while i >= 0:
                k = bisect.bisect_right(starts, i) - 1
                if not (k >= 0 and taken[k][1] > i):
                    out.append((i, i + len(name), f"county:{adcode}"))
                i = ctx.norm.find(name, i + len(name))
    out.sort()
    return out


def _adcodes(keys: Iterable[str], index: PlaceIndex) -> tuple[int, ...]:
    codes: set[int] = set()
    for k in keys:
        if k.startswith("county:"):
            codes.add(int(k.split(":", 1)[1]))
        else:
            codes.update(index.adcodes.get(k, ()))
    return tuple(sorted(codes))


def _name_of(key: str, index: PlaceIndex) -> str:
    if key.startswith("county:"):
        code = int(key.split(":", 1)[1])
        return next((n for n, a in index.counties if a == code), key)
    return index.names.get(key, key)


def place_names(
    ctx: DocContext,
    names: Sequence[NameSpan],
    mentions: Sequence[Mention],
    index: PlaceIndex,
) -> list[dict[str, Any]]:
    """The placement of each grammar name of a document (see the module notes).

    Parameters
    ----------
    ctx : DocContext
    names : sequence of NameSpan
    mentions : sequence of Mention
        The document's gazetteer mentions (places among them).
    index : PlaceIndex

    Returns
    -------
    list of dict
        One placement per name, in the same order: ``level``, ``places``, ``adcodes``,
        ``names``, ``doc_id``, ``start``, ``end``, ``quote``.
    """
    seg = ctx.seg
    places = _places_in_doc(ctx, mentions, index)
    pstarts = [p[0] for p in places]
    doc_choice: tuple[str, int] | None = None
    if places:
        counts: dict[str, int] = defaultdict(int)
        for _, _, k in places:
            counts[k] += 1
        best = max(sorted(counts), key=lambda k: counts[k])
        if counts[best] * 2 >= len(places):
            first = next(p for p in places if p[2] == best)
            doc_choice = (best, first[0])

    def within(a: int, b: int) -> list[str]:
        lo, hi = bisect.bisect_left(pstarts, a), bisect.bisect_left(pstarts, b)
        return list(dict.fromkeys(p[2] for p in places[lo:hi]))

    sent_starts = [s for s, _ in seg.sentences]
    para_starts = [s for s, _ in seg.paragraphs]

    def sentence_span(pos: int) -> tuple[int, int]:
        i = max(0, bisect.bisect_right(sent_starts, pos) - 1)
        return seg.sentences[i] if seg.sentences else (0, len(ctx.text))

    def paragraph_span(pos: int) -> tuple[int, int]:
        i = max(0, bisect.bisect_right(para_starts, pos) - 1)
        return seg.paragraphs[i] if seg.paragraphs else (0, len(ctx.text))

    out = []
    for n in names:
        level = "study_area"
        keys: list[str] = []
        span = sentence_span(n.start)
        if n.prefix is not None and n.prefix in index.adcodes:
            level, keys = "prefix", [n.prefix]
        else:
            found = within(*span)
            if 1 <= len(found) <= _MAX_PLACES:
                level, keys = "sentence", found
            else:
                pspan = paragraph_span(n.start)
                found = within(*pspan)
                if 1 <= len(found) <= _MAX_PLACES:
                    level, keys, span = "paragraph", found, pspan
                elif doc_choice is not None:
                    level, keys = "document", [doc_choice[0]]
                    span = sentence_span(doc_choice[1])
        quote = ctx.text[span[0] : span[1]].strip()
        out.append(
            {
                "level": level,
                "places": keys,
                "adcodes": list(_adcodes(keys, index)),
                "names": [_name_of(k, index) for k in keys],
                "doc_id": ctx.doc_id,
                "start": span[0],
                "end": span[1],
                "quote": quote[:_QUOTE_MAX],
            }
        )
    return out


def _specificity(p: Mapping[str, Any]) -> tuple:
    return (_LEVEL_RANK.get(p["level"], 9), len(p["adcodes"]), str(p["doc_id"]), int(p["start"]))


@dataclass
class ProvisionalTally:
    """Provisional names across the documents of a corpus, merged into features.

    :meth:`add` records one occurrence (its per-document id, placement and surface);
    :meth:`resolve` merges the occurrences of one kind and name into features (see the
    module notes) and returns the map from per-document ids to final ids.
    """

    _occ: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, doc_id: str, name: NameSpan, placement: Mapping[str, Any], surface: str) -> str:
        """Record an occurrence; returns its per-document id."""
        fid = provisional_id(name.kind, name.name, placement["adcodes"])
        self._occ[(name.kind, name.name)].append(
            {
                "id": fid,
                "doc_id": doc_id,
                "placement": dict(placement),
                "surface": surface,
                "rule": name.rule,
                "start": name.start,
                "end": name.end,
            }
        )
        return fid

    def merge(self, other: ProvisionalTally) -> None:
        """Add the occurrences of another tally (e.g. one document's)."""
        for key, occs in other._occ.items():
            self._occ[key].extend(occs)

    def occurrences(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Every occurrence as (kind, name, record), in the order added per name."""
        return [(kind, name, o) for (kind, name), occs in sorted(self._occ.items()) for o in occs]

    def resolve(self) -> tuple[dict[str, str], dict[str, ProvisionalFeature]]:
        """Merge occurrences into features.

        Returns
        -------
        (id map, features)
            Per-document id -> final id; final id -> :class:`ProvisionalFeature`.
        """
        id_map: dict[str, str] = {}
        features: dict[str, ProvisionalFeature] = {}
        for (kind, name), occs in sorted(self._occ.items()):
            placed = sorted((o for o in occs if o["placement"]["adcodes"]), key=lambda o: _specificity(o["placement"]))
            clusters: list[dict[str, Any]] = []
            for o in placed:
                codes = set(o["placement"]["adcodes"])
                for c in clusters:
                    if codes & c["codes"]:
                        c["occ"].append(o)
                        break
                else:
                    clusters.append({"codes": codes, "rep": o["placement"], "occ": [o]})
            unplaced = [o for o in occs if not o["placement"]["adcodes"]]
            if unplaced:
                if len(clusters) == 1:
                    clusters[0]["occ"].extend(unplaced)
                else:
                    rep = min((o["placement"] for o in unplaced), key=_specificity)
                    clusters.append({"codes": set(), "rep": rep, "occ": unplaced})
            for c in clusters:
                final = provisional_id(kind, name, c["rep"]["adcodes"])
                for o in c["occ"]:
                    id_map[o["id"]] = final
                rule = sorted(c["occ"], key=lambda o: (o["doc_id"], o["placement"]["start"]))[0]["rule"]
                features[final] = ProvisionalFeature(
                    id=final,
                    name_zh=name,
                    kind=kind,
                    theme=KIND_THEME.get(kind, "road"),
                    placement=dict(c["rep"]),
                    surfaces=tuple(sorted({o["surface"] for o in c["occ"]})),
                    mention_count=len(c["occ"]),
                    docs=tuple(sorted({o["doc_id"] for o in c["occ"]})),
                    rule=rule,
                )
        return id_map, dict(sorted(features.items()))


def gazetteer_stub(name: str, *, kind: str = "road", feature: ProvisionalFeature | None = None) -> str:
    """A gazetteer YAML record to fill in, for promoting a name to a real feature.

    Parameters
    ----------
    name : str
        The Chinese name (document text: it is quoted, never interpreted).
    kind : str, default 'road'
        Gazetteer kind when ``feature`` is not given.
    feature : ProvisionalFeature, optional
        The provisional feature of that name in a corpus: its kind, theme, the adcodes of its
        placement, its surfaces (as aliases) and its documents (as sources to check) fill the
        record.

    Returns
    -------
    str
        One YAML list item (``- id: …``) with ``geometry: null`` and ``TODO`` markers, preceded
        by comments saying what to fill in; loading it with :func:`geo.io.load_yaml` gives the
        record's fields back unchanged.
    """
    import hashlib

    import yaml

    from geo.schema import FEATURE_ID, KINDS

    if feature is not None:
        kind, theme = feature.kind, feature.theme
        fid = feature.id[len("prov-") :]
        admin = [int(a) for a in feature.placement.get("adcodes") or ()]
        aliases = [a for a in feature.surfaces if a != name]
        sources = [f"TODO: a public source (the corpus cites it in {d})" for d in feature.docs]
    else:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; valid: {', '.join(sorted(KINDS))}")
        theme = KIND_THEME.get(kind, "road")
        fid = f"{kind.replace('_', '-')}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:10]}"
        admin, aliases, sources = [], [], ["TODO: a public source for the geometry and the name"]
    if not FEATURE_ID.match(fid):
        fid = "todo-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
    record = {
        "id": fid,
        "name_zh": name,
        "name_en": "TODO",
        "aliases": aliases,
        "kind": kind,
        "theme": theme,
        "parent": None,
        "admin": admin,
        "scale": "local",
        "crs": "wgs84",
        "geometry": None,
        "geometry_source": "TODO: dataset and licence, or how it was digitised",
        "accuracy": "TODO: one of exact, approximate, schematic",
        "known_events": [],
        "sources": sources,
        "notes": "",
    }
    head = (
        "# Gazetteer record to fill in, then add to a file under geo/data/gazetteer/ and run `geo check`.\n"
        "# - id: a readable slug (lower-case ASCII, digits, '-'): the provisional id is replaced by it\n"
        "# - geometry: GeoJSON-like {type: LineString|Point|Polygon, coordinates: [...]} in the crs given\n"
        "# - accuracy and geometry_source: say honestly how the geometry is known\n"
        "# - known_events: dated public facts, e.g. {status: opened, date: 'YYYY-MM-DD', precision: day, source: ...}\n"
    )
    return head + yaml.safe_dump([record], allow_unicode=True, sort_keys=False, width=100)
