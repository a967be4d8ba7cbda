"""OpenStreetMap input: extracts (PBF or XML) or Overpass, as road graphs joined to the network.

This module owns

* reading an OSM extract (:func:`read_osm`): ``.osm.pbf`` or OSM XML, streamed with pyosmium
  (libosmium), keeping only what the network and the conflation need: drivable, walkable and
  under-construction ``highway=*`` ways, railways (``railway=rail|subway|light_rail|
  narrow_gauge|monorail`` and ``railway=construction``) and station nodes, as an
  :class:`OSMExtract`. Coordinates out of range, entity declarations and malformed files are
  refused with an error naming the file; ways that are not roads (``building=*``,
  ``area=yes``, ``highway=proposed|platform|busway|…``, ``access=private|no``) are never taken
  as roads;
* the road graph of an extract (:func:`load_osm`, :func:`graph_from_extract`) with OSMnx's
  conventions (``osmid``, ``highway``, ``oneway``, ``reversed``, ``name``, ``ref``,
  ``maxspeed`` as tagged, ``length`` in metres) plus the network's attributes: ``mode``
  (expressway | road | walk), ``travel_time`` (s, from ``osm_highway_speeds_kmh``),
  ``feature_id`` (``osm-way-<id>``, or the gazetteer feature a way is conflated with, see
  :mod:`geo.conflate`) and ``osm_construction`` (the way is tagged ``highway=construction``);
* downloading an extract of the study area from Overpass through OSMnx and its cache
  (:func:`download_osm`, :func:`fetch_osm`);
* joining an OSM road graph to the transit network on a date (:func:`merge_osm`): ways
  conflated with a documented feature follow that feature's timeline, ways under
  construction are left out (planned) unless a document says the feature is open.

Memory: the extract is streamed; libosmium keeps one location per node (``flex_mem``
index: about 8 bytes a node for country-size files) and only the kept ways are held in
Python. Files of :data:`PROGRESS_MIN_BYTES` or more show a progress bar on stderr (rich), or
report to :mod:`geo.progress` when a front end (the ``geo`` command) has installed a hook.
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from shapely.geometry import LineString

from geo.config import default_study
from geo.crs import to_metric
from geo.errors import OSMError
from geo.network.access import access_candidates, add_drive_access
from geo.network.graph import MIN_WEIGHT_S, WGS84, GraphBuilder, set_street_count, to_metric_xy
from geo.network.policy import assumption, load_assumptions, osm_edge_included

logger = logging.getLogger(__name__)

__all__ = [
    "DRIVE_HIGHWAYS",
    "NAME_TAGS",
    "OVERPASS_FILTERS",
    "PROGRESS_MIN_BYTES",
    "RAILWAYS",
    "OSMExtract",
    "default_osm",
    "download_osm",
    "fetch_osm",
    "graph_from_extract",
    "load_osm",
    "merge_osm",
    "read_osm",
    "use_osm",
]

_DRIVE_MODES = ("road", "expressway")
#: ``highway=*`` values that carry motor traffic (``*_link`` ramps take their parent's class).
DRIVE_HIGHWAYS: frozenset[str] = frozenset(
    {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
        "motorway_link",
        "trunk_link",
        "primary_link",
        "secondary_link",
        "tertiary_link",
    }
)
#: ``railway=*`` values kept for the conflation of rail lines (plus ``railway=construction``).
RAILWAYS: frozenset[str] = frozenset({"rail", "subway", "light_rail", "narrow_gauge", "monorail"})
#: Tags that hold a way's or node's names (read by :mod:`geo.conflate`).
NAME_TAGS: tuple[str, ...] = (
    "name",
    "name:zh",
    "name:zh-Hans",
    "name:zh-Hant",
    "name:zh_pinyin",
    "alt_name",
    "alt_name:zh",
    "old_name",
    "official_name",
    "short_name",
    "loc_name",
    "ref",
    "name:en",
)
#: Files at least this large (bytes) show a progress bar on stderr by default.
PROGRESS_MIN_BYTES = 16 * 1024 * 1024
_KEEP_TAGS = (
    *NAME_TAGS,
    "highway",
    "railway",
    "construction",
    "oneway",
    "junction",
    "maxspeed",
    "lanes",
    "bridge",
    "tunnel",
    "service",
    "usage",
    "access",
    "motor_vehicle",
    "layer",
    "start_date",
    "opening_date",
    "station",
    "public_transport",
    "wikidata",
)
_STATION_RAILWAY = frozenset({"station", "halt"})
_NO_ACCESS = frozenset({"no", "private"})
_ONEWAY_YES = frozenset({"yes", "true", "1"})
_MAX_XML_HEAD = 1 << 20  # bytes scanned for a root element / DOCTYPE before the full check


# ----------------------------------------------------------------------------------------------
# reading an extract
# ----------------------------------------------------------------------------------------------
@dataclass
class OSMExtract:
    """What an OSM extract holds for the project (WGS84 lon/lat).

    Attributes
    ----------
    path : str
        The file read.
    ways : list of dict
        One dict per kept way: ``osmid`` (int), ``layer`` (``road`` | ``walk`` | ``rail``),
        ``highway`` (str, for rail ways ``""``; for a way under construction the class it
        will have, from ``construction=*``), ``railway`` (str), ``construction`` (bool),
        ``tags`` (dict of the tags in ``_KEEP_TAGS``), ``nodes`` (tuple of node ids) and
        ``coords`` (tuple of (lon, lat)).
    stations : list of dict
        Station nodes (``railway=station|halt`` or ``public_transport=station``): ``osmid``,
        ``tags``, ``lon``, ``lat``.
    """

    path: str
    ways: list[dict[str, Any]] = field(default_factory=list)
    stations: list[dict[str, Any]] = field(default_factory=list)

    def bounds(self) -> tuple[float, float, float, float] | None:
        """``(west, south, east, north)`` of every kept way and station, or ``None``."""
        xs = [c[0] for w in self.ways for c in w["coords"]] + [s["lon"] for s in self.stations]
        ys = [c[1] for w in self.ways for c in w["coords"]] + [s["lat"] for s in self.stations]
        if not xs:
            return None
        return min(xs), min(ys), max(xs), max(ys)

    def ways_of(self, layers: Iterable[str]) -> list[dict[str, Any]]:
        """The kept ways of some layers (``road``, ``walk``, ``rail``)."""
        want = set(layers)
        return [w for w in self.ways if w["layer"] in want]


def _way_class(tags: Mapping[str, str], walk_tags: set[str]) -> tuple[str, str, bool] | None:
    """``(layer, class, under_construction)`` of a way, or ``None`` if it is not kept."""
    if "building" in tags or tags.get("area") == "yes" or tags.get("indoor") == "yes":
        return None
    hw = tags.get("highway", "")
    rw = tags.get("railway", "")
    if hw:
        if hw == "construction":
            target = tags.get("construction", "")
            target = target if target in DRIVE_HIGHWAYS or target in walk_tags else "unclassified"
            return ("walk" if target in walk_tags else "road"), target, True
        if hw in DRIVE_HIGHWAYS:
            if {tags.get("access"), tags.get("motor_vehicle")} & _NO_ACCESS:
                return None  # private or closed to motor traffic: not part of the public drive network
            return "road", hw, False
        if hw in walk_tags:
            return "walk", hw, False
        return None  # proposed, platform, raceway, bus_stop, elevator, corridor areas ...
    if rw in RAILWAYS and not tags.get("service"):
        return "rail", rw, False
    if rw == "construction" and tags.get("construction", "rail") in RAILWAYS:
        return "rail", tags.get("construction", "rail"), True
    return None


def _check_xml(p: Path) -> None:
    """Stream an OSM XML file once with expat: well-formed, ``<osm>`` root, no DTD or entity
    declarations, every node's ``lat``/``lon`` a finite number in range.

    libosmium reads an out-of-range ``lat="1e308"`` as 0 without a word, and Python's
    expat would expand declared entities, so this check comes first.
    """
    import xml.parsers.expat

    state: dict[str, Any] = {"root": None, "ways": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        if state["root"] is None:
            state["root"] = name
            if name != "osm":
                raise OSMError(f"{p}: not OSM XML (root element <{name}>, expected <osm>)")
        if name == "node":
            for key, lo, hi in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0)):
                raw = attrs.get(key)
                try:
                    v = float(raw) if raw is not None else math.nan
                except ValueError:
                    v = math.nan
                if not (math.isfinite(v) and lo <= v <= hi):
                    raise OSMError(
                        f"{p}: node {attrs.get('id', '?')} has an invalid {key}={raw!r} "
                        f"(expected a number from {lo:g} to {hi:g})"
                    )
        elif name == "way":
            state["ways"] += 1

    def refuse(*_: Any) -> None:
        raise OSMError(f"{p}: DTD/entity declarations are not accepted in OSM XML")

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    name = p.name.lower()
    if name.endswith(".gz"):
        import gzip

        opener: Any = gzip.open
    elif name.endswith(".bz2"):
        import bz2

        opener = bz2.open
    else:
        opener = open
    try:
        with opener(p, "rb") as fh:
            while chunk := fh.read(_MAX_XML_HEAD):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as exc:
        raise OSMError(f"malformed OSM XML {p}: {exc}") from None
    except (OSError, EOFError) as exc:  # a corrupt .gz / .bz2
        raise OSMError(f"could not read OSM file {p}: {exc}") from None
    if state["ways"] == 0:
        raise OSMError(f"OSM file contains no ways: {p}")


class _StepBar:
    """An ``update``/``close`` progress bar over a :func:`geo.progress.step` (for the ``geo``
    command's display, so that two progress displays never share the terminal)."""

    def __init__(self, name: str) -> None:
        from geo import progress as gp

        self._cm = gp.step(name)
        self._step = self._cm.__enter__()

    def update(self, n: int) -> None:
        self._step.advance(n)

    def close(self) -> None:
        # called from a ``finally``: an exception on its way out marks the step as failed
        exc = sys.exc_info()
        try:
            self._cm.__exit__(*exc)
        except BaseException as raised:  # the context manager re-raises the error in flight
            if raised is not exc[1]:
                raise


class _RichBar:
    """An ``update``/``close`` progress bar (rich) on stderr (for library use)."""

    def __init__(self, name: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("objects"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
        )
        self._task = self._bar.add_task(name, total=None)
        self._bar.start()

    def update(self, n: int) -> None:
        self._bar.advance(self._task, n)

    def close(self) -> None:
        self._bar.stop()


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(p: Path, progress: bool | None) -> Any:
    from geo import progress as gp

    show = p.stat().st_size >= PROGRESS_MIN_BYTES if progress is None else bool(progress)
    if not show:
        return _NoBar()
    if gp.get_hook() is not None:  # a front end displays progress: report to it
        return _StepBar(f"reading {p.name}")
    return _RichBar(f"reading {p.name}")


def read_osm(
    path: str | Path,
    *,
    assumptions: Mapping[str, Any] | None = None,
    progress: bool | None = None,
) -> OSMExtract:
    """Read the roads, railways and stations of an OpenStreetMap extract.

    Parameters
    ----------
    path : path-like
        ``.osm.pbf`` / ``.pbf``, or OSM XML (``.osm``, ``.xml``, also ``.osm.gz`` /
        ``.osm.bz2``), as downloaded from Geofabrik, BBBike, Overpass or :func:`download_osm`.
    assumptions : mapping, optional
        Overrides of ``osm_walk_highways`` (which ``highway=*`` values are walk-only).
    progress : bool, optional
        Show a progress bar on stderr; default: for files of :data:`PROGRESS_MIN_BYTES`
        or more.

    Returns
    -------
    OSMExtract

    Raises
    ------
    FileNotFoundError
        Missing file.
    OSMError
        Empty, malformed or unsupported file, DTD/entity declarations, coordinates out of
        range, or no ways (a ``ValueError``); the message names the file.
    """
    import osmium

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"OSM file not found: {p}")
    if p.stat().st_size == 0:
        raise OSMError(f"OSM file is empty: {p}")
    suffixes = "".join(p.suffixes).lower()
    is_pbf = suffixes.endswith(".pbf")
    if not is_pbf and not suffixes.endswith((".osm", ".xml", ".osm.gz", ".osm.bz2")):
        raise OSMError(f"{p}: unsupported OSM file type {suffixes!r}; expected .osm.pbf, .osm or .xml")
    if not is_pbf:
        _check_xml(p)
    a = load_assumptions(assumptions)
    walk_tags = set(a.get("osm_walk_highways") or [])
    out = OSMExtract(path=str(p))
    n_ways = n_missing = 0
    bar = _progress(p, progress)
    try:
        fp = (
            osmium.FileProcessor(str(p), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway", "railway", "public_transport"))
        )
        count = 0
        obj: Any
        for obj in fp:
            count += 1
            if count % 100_000 == 0:
                bar.update(100_000)
            if obj.is_node():
                tags = obj.tags
                if tags.get("railway") in _STATION_RAILWAY or tags.get("public_transport") == "station":
                    loc = obj.location
                    if not loc.valid():
                        raise OSMError(f"{p}: station node {obj.id} has coordinates out of range")
                    out.stations.append(
                        {
                            "osmid": int(obj.id),
                            "tags": {k: tags[k] for k in _KEEP_TAGS if k in tags},
                            "lon": float(loc.lon),
                            "lat": float(loc.lat),
                        }
                    )
                continue
            n_ways += 1
            tags = obj.tags
            kept = {k: tags[k] for k in _KEEP_TAGS if k in tags}
            for extra in ("building", "area", "indoor"):
                if extra in tags:
                    kept[extra] = tags[extra]
            cls = _way_class(kept, walk_tags)
            if cls is None:
                continue
            for extra in ("building", "area", "indoor"):
                kept.pop(extra, None)
            layer, klass, construction = cls
            runs: list[tuple[list[int], list[tuple[float, float]]]] = [([], [])]
            for nd in obj.nodes:
                loc = nd.location
                if not loc.valid():  # outside a clipped extract (or broken): cut the way there
                    n_missing += 1
                    if runs[-1][0]:
                        runs.append(([], []))
                    continue
                runs[-1][0].append(int(nd.ref))
                runs[-1][1].append((float(loc.lon), float(loc.lat)))
            for refs, coords in runs:
                if len(refs) < 2:
                    continue
                out.ways.append(
                    {
                        "osmid": int(obj.id),
                        "layer": layer,
                        "highway": klass if layer != "rail" else "",
                        "railway": klass if layer == "rail" else "",
                        "construction": construction,
                        "tags": kept,
                        "nodes": tuple(refs),
                        "coords": tuple(coords),
                    }
                )
        bar.update(count % 100_000)
    except OSMError:
        raise
    except RuntimeError as exc:  # libosmium: bad PBF blobs, XML entities, I/O errors
        raise OSMError(f"could not read OSM file {p}: {exc}") from None
    finally:
        bar.close()
    if n_ways == 0:
        raise OSMError(f"OSM file contains no ways with highway or railway tags: {p}")
    if n_missing:
        logger.warning(
            "%s: %d node references of its ways are not in the file (cut at the extract's edge); those ways end there",
            p,
            n_missing,
        )
    out.ways.sort(key=lambda w: (w["osmid"], w["nodes"]))
    out.stations.sort(key=lambda s: s["osmid"])
    logger.info(
        "%s: %d ways read, %d kept (%d road, %d walk, %d rail), %d stations",
        p,
        n_ways,
        len(out.ways),
        len(out.ways_of(["road"])),
        len(out.ways_of(["walk"])),
        len(out.ways_of(["rail"])),
        len(out.stations),
    )
    return out


# ----------------------------------------------------------------------------------------------
# the road graph
# ----------------------------------------------------------------------------------------------
def _first(v: Any) -> Any:
    return v[0] if isinstance(v, (list, tuple)) and v else v


def _annotate_osm(G: nx.MultiDiGraph, a: Mapping[str, Any]) -> nx.MultiDiGraph:
    speeds = a.get("osm_highway_speeds_kmh") or {}
    walk_tags = set(a.get("osm_walk_highways") or [])
    xway_tags = set(a.get("osm_expressway_highways") or [])
    walk_v = float(assumption(a, "speeds_kmh", "walk")) / 3.6
    ids = list(G.nodes)
    mx, my = to_metric_xy([G.nodes[n]["x"] for n in ids], [G.nodes[n]["y"] for n in ids])
    mpos = {n: (x, y) for n, x, y in zip(ids, mx, my, strict=True)}
    for n in ids:
        G.nodes[n]["kind"] = "osm"
        G.nodes[n]["key"] = f"osm:{n}"
        G.nodes[n]["feature_id"] = ""
    for u, v, _k, d in G.edges(keys=True, data=True):
        hw = str(_first(d.get("highway")) or "")
        geom = d.get("geometry")
        if geom is None:
            geom = LineString([(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])])
            d["geometry"] = geom
            length = math.dist(mpos[u], mpos[v])
        else:
            length = float(to_metric(geom).length)
        d["length"] = length
        if hw in walk_tags:
            d["mode"], sp = "walk", walk_v
        else:
            d["mode"] = "expressway" if hw in xway_tags else "road"
            base = hw[:-5] if hw.endswith("_link") else hw
            kmh = speeds.get(base, speeds.get("default", 20))
            sp = float(kmh) / 3.6
        d["travel_time"] = max(length / sp, MIN_WEIGHT_S)
        fid = str(_first(d.get("feature_id")) or "")
        if not fid or fid.startswith("osm-way-"):
            d["feature_id"] = f"osm-way-{_first(d.get('osmid'))}"
        else:
            d["feature_id"] = fid
        d["kind"] = "road" if d["mode"] != "walk" else "walkway"
        d["road_class"] = hw
        d["osm_construction"] = bool(
            any(d["osm_construction"]) if isinstance(d.get("osm_construction"), list) else d.get("osm_construction")
        )
    return G


def graph_from_extract(
    extract: OSMExtract,
    *,
    assumptions: Mapping[str, Any] | None = None,
    simplify: bool = True,
    features: Mapping[int, str] | None = None,
) -> nx.MultiDiGraph:
    """The road (drive and walk) graph of an extract, with OSMnx's and the network's attributes.

    Parameters
    ----------
    extract : OSMExtract
        From :func:`read_osm`.
    assumptions : mapping, optional
        Overrides of ``osm_highway_speeds_kmh`` etc.
    simplify : bool
        Merge chains of degree-2 nodes (:func:`osmnx.simplify_graph`), keeping nodes where
        the highway class or the conflated feature changes.
    features : mapping of int to str, optional
        OSM way id -> gazetteer feature id (from :func:`geo.conflate.match_osm`); those
        ways' edges get that ``feature_id``, so they follow the feature's timeline in
        :func:`merge_osm`.

    Returns
    -------
    networkx.MultiDiGraph
        WGS84 (``crs`` EPSG:4326). One-way ways (``oneway=yes|-1``, motorways and
        roundabouts unless ``oneway=no``) have one direction; walk-only ways both.

    Raises
    ------
    OSMError
        The extract has no road or walk ways.
    """
    import osmnx as ox

    a = load_assumptions(assumptions)
    feats = dict(features or {})
    G = nx.MultiDiGraph(crs=WGS84)
    ways = extract.ways_of(["road", "walk"])
    if not ways:
        raise OSMError(f"OSM file yields no routable ways: {extract.path}")
    for w in ways:
        for ref, (lon, lat) in zip(w["nodes"], w["coords"], strict=True):
            if ref not in G:
                G.add_node(ref, x=lon, y=lat, osmid=ref)
    ids = list(G.nodes)
    mx, my = to_metric_xy([G.nodes[n]["x"] for n in ids], [G.nodes[n]["y"] for n in ids])
    mpos = dict(zip(ids, zip(mx.tolist(), my.tolist(), strict=True), strict=True))
    for w in ways:
        tags = w["tags"]
        ow = str(tags.get("oneway", "")).lower()
        implied = w["highway"] in ("motorway", "motorway_link") or tags.get("junction") in ("roundabout", "circular")
        directions: tuple[bool, ...]
        if w["layer"] == "walk" or ow == "no":
            directions = (False, True)
        elif ow in _ONEWAY_YES or (implied and not ow):
            directions = (False,)
        elif ow == "-1":
            directions = (True,)
        else:
            directions = (False, True)
        attrs: dict[str, Any] = {
            "osmid": w["osmid"],
            "highway": w["highway"],
            "oneway": len(directions) == 1,
            "osm_construction": bool(w["construction"]),
            "feature_id": feats.get(w["osmid"], f"osm-way-{w['osmid']}"),
        }
        for key in ("name", "ref", "maxspeed", "lanes", "bridge", "tunnel", "name:zh"):
            if key in tags:
                attrs[key] = tags[key]
        nodes = w["nodes"]
        for i in range(len(nodes) - 1):
            if nodes[i] == nodes[i + 1]:
                continue
            length = math.dist(mpos[nodes[i]], mpos[nodes[i + 1]])
            for rev in directions:
                u, v = (nodes[i + 1], nodes[i]) if rev else (nodes[i], nodes[i + 1])
                G.add_edge(u, v, **attrs, reversed=rev, length=length)
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    if simplify:
        G = ox.simplify_graph(G, edge_attrs_differ=["highway", "feature_id", "osm_construction"])
    return _annotate_osm(G, a)


def load_osm(
    path: str | Path,
    *,
    assumptions: Mapping[str, Any] | None = None,
    simplify: bool = True,
    features: Mapping[int, str] | None = None,
    progress: bool | None = None,
) -> nx.MultiDiGraph:
    """Load an OpenStreetMap extract as a road graph with modes and travel times.

    :func:`read_osm` then :func:`graph_from_extract`.

    Parameters
    ----------
    path : path-like
        ``.osm.pbf``, or OSM XML (``.osm`` / ``.xml``).
    assumptions : mapping, optional
        Overrides for ``osm_highway_speeds_kmh`` etc.
    simplify : bool
        Simplify topology (OSMnx), keeping geometry on merged edges.
    features : mapping of int to str, optional
        OSM way id -> gazetteer feature id (see :func:`graph_from_extract`).
    progress : bool, optional
        Progress bar on stderr (default: big files only).

    Returns
    -------
    networkx.MultiDiGraph
        WGS84 graph; edges get ``mode`` (expressway | road | walk), ``travel_time`` (s),
        ``length`` (m, EPSG:4548), ``highway`` and ``feature_id``.

    Raises
    ------
    FileNotFoundError
        Missing file.
    OSMError
        Empty, malformed or unsupported file, or no routable ways in it (a ``ValueError``).
    """
    ext = read_osm(path, assumptions=assumptions, progress=progress)
    return graph_from_extract(ext, assumptions=assumptions, simplify=simplify, features=features)


# ----------------------------------------------------------------------------------------------
# downloading
# ----------------------------------------------------------------------------------------------
#: Overpass way filters of :func:`download_osm`: every highway, and the railways kept.
OVERPASS_FILTERS: tuple[str, ...] = (
    '["highway"]["area"!~"yes"]["highway"!~"proposed|abandoned|platform|raceway"]',
    '["railway"~"^(rail|subway|light_rail|narrow_gauge|monorail|construction)$"]',
)


def download_osm(
    path: str | Path,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    cache_folder: str | Path | None = None,
) -> Path:
    """Download the roads and railways of an area from Overpass (through OSMnx, cached) and
    save them as an OSM XML extract that :func:`read_osm` reads.

    Parameters
    ----------
    path : path-like
        The ``.osm`` file to write (atomically).
    bbox : (west, south, east, north), optional
        WGS84 degrees; default the study area (:func:`geo.config.default_study` ``.bbox``).
    cache_folder : path-like, optional
        OSMnx's response cache (default OSMnx's, ``./cache``); a second download of the same
        area is served from it.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ConnectionError
        Overpass cannot be reached (and the answer is not in the cache).
    OSMError
        Overpass returned no ways.
    """
    import osmnx as ox

    from geo.io import atomic_paths

    out = Path(path)
    box_ = bbox or default_study().bbox
    saved = (ox.settings.use_cache, ox.settings.cache_folder, list(ox.settings.useful_tags_way), ox.settings.all_oneway)
    try:
        ox.settings.use_cache = True
        ox.settings.all_oneway = True  # keep each way's node order, as save_graph_xml needs
        if cache_folder is not None:
            ox.settings.cache_folder = Path(cache_folder)
        ox.settings.useful_tags_way = sorted({*saved[2], *_KEEP_TAGS})
        try:
            G = ox.graph_from_bbox(
                box_, custom_filter=list(OVERPASS_FILTERS), simplify=False, retain_all=True, truncate_by_edge=True
            )
        except (OSError, ValueError) as exc:  # requests' errors are OSErrors; OSMnx: no data
            if "no data" in str(exc).lower() or "graph contains no" in str(exc).lower():
                raise OSMError(f"Overpass returned no roads or railways for {box_}") from None
            raise ConnectionError(
                f"cannot download OpenStreetMap data from Overpass ({type(exc).__name__}: {exc}); "
                "check the internet connection, or download a regional extract (see the README)"
            ) from None
        with atomic_paths([out]) as staged:
            ox.io.save_graph_xml(G, staged[out])
    finally:
        ox.settings.use_cache, ox.settings.cache_folder, ox.settings.useful_tags_way, ox.settings.all_oneway = saved
    logger.info("downloaded %d OSM nodes and %d edges of %s to %s", len(G), G.number_of_edges(), box_, out)
    return out


def fetch_osm(
    *,
    bbox: tuple[float, float, float, float] | None = None,
    polygon: Any = None,
    network_type: str = "drive",
    assumptions: Mapping[str, Any] | None = None,
) -> nx.MultiDiGraph:  # pragma: no cover - needs internet
    """Download a road graph from Overpass with OSMnx (cached in OSMnx's cache folder).

    Parameters
    ----------
    bbox : (west, south, east, north), optional
        WGS84 degrees; default the study area (:func:`geo.config.default_study` ``.bbox``).
    polygon : shapely Polygon, optional
        WGS84 polygon (takes precedence over ``bbox``).
    network_type : str
        OSMnx network type.
    assumptions : mapping, optional
        Overrides for ``osm_highway_speeds_kmh`` etc.

    Raises
    ------
    ConnectionError
        Overpass cannot be reached.
    """
    import osmnx as ox

    ox.settings.use_cache = True
    try:
        if polygon is not None:
            G = ox.graph_from_polygon(polygon, network_type=network_type, retain_all=True)
        else:
            G = ox.graph_from_bbox(bbox or default_study().bbox, network_type=network_type, retain_all=True)
    except (OSError, ValueError) as exc:  # requests' errors are OSErrors
        raise ConnectionError(
            f"cannot fetch the road network from Overpass ({type(exc).__name__}: {exc}); "
            "check the internet connection, or pass an OSM extract with --osm FILE"
        ) from None
    return _annotate_osm(G, load_assumptions(assumptions))


# ----------------------------------------------------------------------------------------------
# a default OSM graph for every network build (analyses, scenarios)
# ----------------------------------------------------------------------------------------------
_DEFAULT_OSM: list[nx.MultiDiGraph | None] = []


@contextmanager
def use_osm(graph: nx.MultiDiGraph | None) -> Any:
    """Within the ``with`` block, every :func:`geo.network.build_network` call without an
    ``osm_graph`` merges this OSM road graph (dated per call), so the accessibility and
    scenario analyses run on the dated, merged network.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or None
        From :func:`load_osm` (``None``: no default inside the block).
    """
    _DEFAULT_OSM.append(graph)
    try:
        yield graph
    finally:
        _DEFAULT_OSM.pop()


def default_osm() -> nx.MultiDiGraph | None:
    """The OSM graph set by the innermost :func:`use_osm` block, or ``None``."""
    return _DEFAULT_OSM[-1] if _DEFAULT_OSM else None


# ----------------------------------------------------------------------------------------------
# merging
# ----------------------------------------------------------------------------------------------
def merge_osm(
    G_transit: nx.MultiDiGraph,
    G_osm: nx.MultiDiGraph,
    *,
    assumptions: Mapping[str, Any] | None = None,
    replace_roads: bool = True,
    features: Mapping[str, Mapping[str, Any]] | None = None,
    as_of: Any = None,
    include_expected: bool = False,
) -> nx.MultiDiGraph:
    """Join a transit network and an OSM road graph, as of a date.

    OSM nodes get new integer ids after the transit ones (the OSM id stays in ``osmid``);
    station, stop and place nodes get drive-access links to their nearest drivable OSM node(s)
    (``access.drive_k``, within ``access.drive_radius_m``).

    Parameters
    ----------
    G_transit : networkx.MultiDiGraph
        From :func:`geo.network.build_network`.
    G_osm : networkx.MultiDiGraph
        From :func:`load_osm` / :func:`fetch_osm` (annotated here if ``mode`` is missing).
    assumptions : mapping, optional
        Overrides (access rules, OSM speeds).
    replace_roads : bool
        Drop the gazetteer road nodes (and their edges) of ``G_transit`` first.
    features : mapping of str to mapping, optional
        Feature id -> layer properties (with ``timeline``) of the roads and bridges; OSM
        edges conflated with one of them are kept only when
        :func:`geo.network.policy.osm_edge_included` says so on ``as_of``.
    as_of : date or str, optional
        The network date (``None``: every conflated way; ways under construction are still
        left out unless their feature is documented).
    include_expected : bool
        Count forecast openings of conflated features.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph; inputs are not modified.
    """
    import osmnx as ox

    a = load_assumptions(assumptions)
    H = G_transit.copy()
    if replace_roads:
        H.remove_nodes_from([n for n, k in H.nodes(data="kind") if k == "road"])
    roads = G_osm.copy()
    if str(roads.graph.get("crs", WGS84)).upper() not in (WGS84, "EPSG:4326"):
        roads = ox.project_graph(roads, to_crs=WGS84)
    if any("mode" not in d for _, _, d in roads.edges(data=True)):
        roads = _annotate_osm(roads, a)
    feats = features or {}
    drop = [
        (u, v, k)
        for u, v, k, d in roads.edges(keys=True, data=True)
        if not osm_edge_included(
            d, feats.get(str(d.get("feature_id"))), as_of, include_expected=include_expected, assumptions=a
        )
    ]
    if drop:
        logger.info("OSM as of %s: %d of %d edges left out (not open on the date)", as_of, len(drop), len(roads.edges))
        roads.remove_edges_from(drop)
        roads.remove_nodes_from([n for n in list(roads.nodes) if roads.degree(n) == 0])
    start = (max(H.nodes) + 1) if len(H) else 0
    mapping = {n: start + i for i, n in enumerate(sorted(roads.nodes))}
    for n, i in mapping.items():
        attrs = dict(roads.nodes[n])
        attrs.setdefault("osmid", n)
        attrs["kind"] = "osm"
        attrs["key"] = f"osm:{n}"
        H.add_node(i, **attrs)
    for u, v, d in roads.edges(data=True):
        H.add_edge(mapping[u], mapping[v], **d)
    drivable = [
        mapping[n]
        for n in sorted(roads.nodes)
        if any(d.get("mode") in _DRIVE_MODES for _, _, d in roads.out_edges(n, data=True))
        or any(d.get("mode") in _DRIVE_MODES for _, _, d in roads.in_edges(n, data=True))
    ]
    ends = [n for n, k in H.nodes(data="kind") if k in ("station", "stop", "place")]
    b = GraphBuilder(a, H)
    if drivable and ends:
        rd_xy = np.column_stack(to_metric_xy([H.nodes[n]["x"] for n in drivable], [H.nodes[n]["y"] for n in drivable]))
        exy = np.column_stack(to_metric_xy([H.nodes[n]["x"] for n in ends], [H.nodes[n]["y"] for n in ends]))
        _, d = access_candidates(a, exy[:, 0], exy[:, 1], np.zeros((0, 2)), rd_xy, walk=False)
        for pi, j, dist in d:
            add_drive_access(b, ends[pi], drivable[j], dist)
    H.graph.update(G_transit.graph)
    H.graph["crs"] = WGS84
    H.graph["osm_merged"] = True
    set_street_count(H)
    return H
