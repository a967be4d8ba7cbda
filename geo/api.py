"""The notebook-sized Python API, re-exported from :mod:`geo`.

A session starts with one call and keeps what it loaded::

    import geo
    geo.load_corpus("my_corpus")                      # later calls use this corpus
    layers = geo.layers_as_of("2024-06-30")          # dict of GeoDataFrames (EPSG:4326)
    geo.feature_timeline("平谷线")                    # dated, cited history of a feature
    G = geo.network_as_of("2024-06-30")               # OSMnx-compatible MultiDiGraph
    acc = geo.accessibility(as_of="2024-06-30")       # travel times, hexes, isochrones
    m = geo.atlas()                                   # folium.Map (displays in Jupyter)
    geo.save_layers("out/roads.gpkg", fmt="gpkg", layers=["roads"])

Which corpus a call uses: its ``corpus=`` argument (a folder or a loaded
:class:`~geo.corpus.Corpus`) if given; else the corpus last loaded with
:func:`load_corpus` (:func:`current_corpus`); else :func:`default_corpus_path`
(``./seeds`` if that folder exists, else the seed corpus shipped with the package).

Why module-level state rather than a ``Project`` object: a notebook user's first
move is ``geo.load_corpus(...)`` and then the other functions; making that work is
what they expect, every function still takes ``corpus=`` for explicit use, and there
is one corpus at a time to think about (:func:`current_corpus` says which).

Results of the reading and extraction are cached (per corpus folder and its files'
size and modification time, or per loaded ``Corpus`` object), so repeated calls are
cheap. Each call builds the layers it needs once. Long steps report progress through
:mod:`geo.progress`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import progress
from geo.corpus import Corpus
from geo.corpus import load_corpus as _read_corpus
from geo.dates import parse_as_of
from geo.errors import CorpusError, UsageError
from geo.gazetteer import Gazetteer, load_gazetteer

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
    import networkx as nx

    from geo.extract import Extraction

logger = logging.getLogger(__name__)

__all__ = [
    "accessibility",
    "atlas",
    "check_output_path",
    "current_corpus",
    "default_corpus_path",
    "extract_corpus",
    "feature_timeline",
    "gazetteer",
    "layers_as_of",
    "load_corpus",
    "network_as_of",
    "resolve_places",
    "save_layers",
    "state",
]

#: The corpus folder looked for in the working directory.
DEFAULT_CORPUS = "seeds"

CorpusLike = str | Path | Corpus | None

_current: Corpus | None = None


def default_corpus_path() -> Path:
    """The corpus used when none is given.

    ``./seeds`` (in the working directory) if that folder exists; else the seed corpus
    shipped with the package (``geo/data/seeds`` in an installed wheel); else, when the
    package runs from a source checkout, the checkout's ``seeds/``.

    Raises
    ------
    CorpusError
        None of these exists.
    """
    here = Path.cwd() / DEFAULT_CORPUS
    if here.is_dir():
        return here
    from geo.io import package_file

    packaged = package_file(DEFAULT_CORPUS)
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / DEFAULT_CORPUS).is_dir():
        return checkout / DEFAULT_CORPUS
    raise CorpusError(
        f"no corpus given, no ./{DEFAULT_CORPUS} folder here and no seed corpus in the package: "
        "pass a corpus folder (CLI: --corpus DIR)"
    )


def load_corpus(path: str | Path | None = None, *, today: _dt.date | None = None) -> Corpus:
    """Read a corpus folder and make it the corpus later calls use.

    Parameters
    ----------
    path : path-like, optional
        The corpus folder (``.txt``, ``.md``, ``.html``, ``.htm`` files). Default:
        :func:`default_corpus_path`.
    today : datetime.date, optional
        Upper bound for inferred publication dates.

    Returns
    -------
    Corpus
        The documents that could be read, and a warning for each file skipped
        (:attr:`Corpus.warnings`). Every later API call without ``corpus=`` uses it.

    Raises
    ------
    CorpusError
        The folder does not exist or holds no readable document (the current corpus
        is then unchanged).
    """
    global _current
    folder = Path(path) if path is not None else default_corpus_path()
    with progress.step("reading corpus"):
        corpus = _read_corpus(folder, today=today)
    _current = corpus
    return corpus


def current_corpus() -> Corpus | None:
    """The corpus last loaded with :func:`load_corpus` (``None`` before the first)."""
    return _current


def _signature(folder: Path) -> tuple:
    try:
        return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()))
    except OSError:
        return ()


@functools.lru_cache(maxsize=2)
def _gazetteer(study_key: int) -> Gazetteer:
    with progress.step("reading gazetteer"):
        return load_gazetteer()


def gazetteer() -> Gazetteer:
    """The package gazetteer, loaded once per study configuration (cached)."""
    from geo.config import default_study

    return _gazetteer(id(default_study()))  # the study (``--study``) bounds the gazetteer's check


def _extract(corpus: Corpus, gaz: Gazetteer) -> Extraction:
    from geo.extract import extract

    return extract(corpus, gaz)  # reports its progress per document


@functools.lru_cache(maxsize=4)
def _state_cached(folder: str, signature: tuple, study_key: int) -> tuple[Corpus, Gazetteer, Extraction]:
    with progress.step("reading corpus"):
        corpus = _read_corpus(folder)
    gaz = gazetteer()
    return corpus, gaz, _extract(corpus, gaz)


_by_object: dict[int, tuple[Corpus, Gazetteer, Extraction]] = {}


def state(corpus: CorpusLike = None) -> tuple[Corpus, Gazetteer, Extraction]:
    """The corpus, the gazetteer and the extraction (cached).

    Parameters
    ----------
    corpus : path-like or Corpus, optional
        A corpus folder or an already loaded :class:`~geo.corpus.Corpus`. Default: the
        :func:`current_corpus`, else :func:`default_corpus_path`.

    Returns
    -------
    (Corpus, Gazetteer, geo.extract.Extraction)
    """
    from geo.config import default_study

    if corpus is None:
        corpus = _current if _current is not None else default_corpus_path()
    if isinstance(corpus, Corpus):
        hit = _by_object.get(id(corpus))
        if hit is not None and hit[0] is corpus and hit[1] is gazetteer():
            return hit
        gaz = gazetteer()
        result = (corpus, gaz, _extract(corpus, gaz))
        if len(_by_object) >= 4:
            _by_object.pop(next(iter(_by_object)))
        _by_object[id(corpus)] = result
        return result
    folder = Path(corpus).resolve()
    return _state_cached(str(folder), _signature(folder), id(default_study()))


def extract_corpus(corpus: CorpusLike = None) -> Extraction:
    """Mentions, dated status events, claims and unknown names of a corpus.

    Parameters
    ----------
    corpus : path-like or Corpus, optional
        A corpus folder or a loaded :class:`~geo.corpus.Corpus` (default: the current
        corpus, see :func:`state`).

    Returns
    -------
    geo.extract.Extraction
    """
    return state(corpus)[2]


def _as_of(as_of: _dt.date | str | None, extraction: Extraction) -> _dt.date | None:
    """The as-of date asked for, or the latest date the corpus and the gazetteer know."""
    return parse_as_of(as_of) if as_of is not None else extraction.latest_date()


def _layers(gaz: Gazetteer, extraction: Extraction, as_of: _dt.date | None) -> dict[str, gpd.GeoDataFrame]:
    from geo.layers import build_layers

    with progress.step("building layers"):
        return build_layers(gaz, extraction, as_of=as_of)


def resolve_places(
    names: Iterable[str] | None, *, kind: str = "origin", gaz: Gazetteer | None = None
) -> dict[str, str] | None:
    """Check origin or destination names before any heavy work; map each to a feature id.

    A name is a label of the study's origins/destinations (``燕郊``, ``国贸``), a
    gazetteer feature id, or any name or alias the gazetteer resolves (``通州区``).

    Parameters
    ----------
    names : iterable of str, or None
        ``None`` (the study's defaults) is returned unchanged.
    kind : {"origin", "destination"}
    gaz : Gazetteer, optional
        Default: the package gazetteer (:func:`gazetteer`).

    Returns
    -------
    dict of str to str, or None
        ``label -> feature id``, in the order given.

    Raises
    ------
    UnknownFeatureError
        A name nothing resolves (a :class:`~geo.errors.UsageError`; at most 300
        characters, with the closest names and a pointer to ``geo list``).
    """
    from geo.config import default_study
    from geo.errors import UnknownFeatureError, unknown_name_message

    if names is None:
        return None
    if kind not in ("origin", "destination"):
        raise UsageError(f"kind must be 'origin' or 'destination', not {kind!r}")
    study = default_study()
    labels = dict(study.origins if kind == "origin" else study.destinations)
    gaz = gaz if gaz is not None else gazetteer()
    out: dict[str, str] = {}
    for name in [names] if isinstance(names, str) else names:
        name = str(name)
        if name in labels:
            out[name] = labels[name]
        elif name in gaz.features:
            out[name] = name
        else:
            try:
                out[name] = gaz.resolve(name).id
            except KeyError:
                raise UnknownFeatureError(
                    unknown_name_message(name, [*labels, *labels.values()], what=kind, see=f"geo list {kind}s")
                ) from None
    return out


def layers_as_of(
    as_of: _dt.date | str | None = None,
    *,
    corpus: CorpusLike = None,
) -> dict[str, gpd.GeoDataFrame]:
    """The theme layers with each feature's status as of a date.

    Parameters
    ----------
    as_of : date or str (YYYY, YYYY-MM, YYYY-MM-DD), optional
        Status date; a year or month means its last day. Default: the latest date the
        corpus and the gazetteer's recorded facts know.
    corpus : path-like or Corpus, optional
        Default: the current corpus (see :func:`state`).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``rail, stations, roads, bridges, bus, water, zones, facilities, admin``;
        WGS84 (EPSG:4326); one row per feature with status, timeline and claims.
    """
    _, gaz, extraction = state(corpus)
    return _layers(gaz, extraction, parse_as_of(as_of) if as_of is not None else None)


def feature_timeline(
    feature: str,
    *,
    as_of: _dt.date | str | None = None,
    corpus: CorpusLike = None,
) -> dict[str, Any]:
    """The dated, cited history of one feature.

    Parameters
    ----------
    feature : str
        An id, a Chinese or English name, or an alias (traditional characters work).
    as_of : date or str, optional
        Date of the reported status (default: the latest date known).
    corpus : path-like or Corpus, optional
        Default: the current corpus (see :func:`state`).

    Returns
    -------
    dict
        ``id, name_zh, name_en, status, status_date, status_source, timeline`` (events with
        date, precision, status, modality and citations), ``mentions`` (count, docs) and
        ``claims``.

    Raises
    ------
    KeyError
        No feature, or more than one, has that name.
    """
    _, gaz, extraction = state(corpus)
    f = gaz.resolve(feature)
    as_of_d = _as_of(as_of, extraction)
    summary = extraction.feature_summary(f.id, as_of=as_of_d)
    return {
        "id": f.id,
        "name_zh": f.name_zh,
        "name_en": f.name_en,
        "kind": f.kind,
        "as_of": as_of_d.isoformat() if as_of_d else None,
        **summary,
    }


def _network(
    lay: dict[str, gpd.GeoDataFrame],
    as_of: _dt.date | None,
    *,
    osm: str | Path | None,
    online: bool,
    include_expected: bool,
    assumptions: dict | None,
) -> nx.MultiDiGraph:
    from geo import network as gn

    osm_graph = None
    if osm is not None:
        with progress.step("loading OSM"):
            osm_graph = gn.load_osm(osm, assumptions=assumptions)
        _check_osm_extent(osm_graph, osm)
    elif online:
        with progress.step("fetching OSM from Overpass"):
            osm_graph = gn.fetch_osm(assumptions=assumptions)
    with progress.step("building network"):
        return gn.build_network(
            lay, as_of=as_of, include_expected=include_expected, assumptions=assumptions, osm_graph=osm_graph
        )


def network_as_of(
    as_of: _dt.date | str | None = None,
    *,
    osm: str | Path | None = None,
    online: bool = False,
    include_expected: bool = False,
    corpus: CorpusLike = None,
    assumptions: dict | None = None,
) -> nx.MultiDiGraph:
    """The multimodal network as of a date.

    Parameters
    ----------
    as_of : date or str, optional
        Only links open on that date (default: the latest date known).
    osm : path-like, optional
        An OpenStreetMap extract (.osm/.xml) whose roads replace the gazetteer's.
    online : bool
        Fetch the study area's roads from Overpass (OSMnx cache) instead.
    include_expected : bool
        Also include links forecast to open by ``as_of`` (what-if scenarios).
    corpus : path-like or Corpus, optional
        Default: the current corpus (see :func:`state`).
    assumptions : dict, optional
        Overrides of ``geo/data/assumptions.yaml``.

    Returns
    -------
    networkx.MultiDiGraph
        OSMnx-compatible: graph ``crs`` EPSG:4326, nodes with ``x``/``y`` (lon/lat),
        edges with ``length`` (m), ``travel_time`` (s), ``mode``, ``feature_id``, ``geometry``.
    """
    _, gaz, extraction = state(corpus)
    as_of_d = _as_of(as_of, extraction)
    return _network(
        _layers(gaz, extraction, as_of_d),
        as_of_d,
        osm=osm,
        online=online,
        include_expected=include_expected,
        assumptions=assumptions,
    )


def check_output_path(path: str | Path) -> Path:
    """Refuse an output path whose folder cannot be created because a file is in the way.

    Raises
    ------
    UsageError
        A parent of ``path`` is an existing file (``-o README.md/x.geojson``).
    """
    path = Path(path)
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"cannot write {path}: {parent} is a file, not a folder")
            break
    return path


def _check_osm_extent(G: nx.MultiDiGraph, path: str | Path) -> None:
    """An OSM extract must cover part of the study area (else its roads would replace the
    gazetteer's with nothing useful)."""
    from shapely.geometry import MultiPoint, box

    from geo.config import default_study
    from geo.errors import OSMError

    bbox = default_study().bbox
    pts = [(d["x"], d["y"]) for _, d in G.nodes(data=True)]
    if not pts:
        raise OSMError(f"OSM file {path} has no nodes")
    extent = MultiPoint(pts).envelope
    if not extent.intersects(box(*bbox)):
        w, s, e, n = extent.bounds
        raise OSMError(
            f"OSM file {path} covers ({w:.3f}, {s:.3f}, {e:.3f}, {n:.3f}), outside the study area "
            f"{bbox} (W, S, E, N): use an extract of the Beijing–Langfang region"
        )


def accessibility(
    as_of: _dt.date | str | None = None,
    *,
    origins: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    chains: Sequence[str] = ("rail", "bus", "car"),
    resolution: int = 8,
    include_expected: bool = False,
    osm: str | Path | None = None,
    corpus: CorpusLike = None,
) -> dict[str, Any]:
    """Travel times from the towns and an H3 grid to the Beijing destinations.

    Parameters
    ----------
    as_of : date or str, optional
        Network date (default: the latest date known).
    origins, destinations : iterable of str, optional
        Labels of the study's origins/destinations or feature ids (default: all of them).
    chains : sequence of str
        Mode chains (``rail``, ``bus``, ``car``, ``transit``, ``rail_walk``).
    resolution : int
        H3 resolution of the grid over the focus counties.
    include_expected : bool
        Count forecast openings (what-if).
    osm : path-like, optional
        An OpenStreetMap extract whose roads replace the gazetteer's.
    corpus : path-like or Corpus, optional
        Default: the current corpus (see :func:`state`).

    Returns
    -------
    dict
        ``od`` (DataFrame: origin, destination, chain, time_min; NaN = unreachable),
        ``hexes`` (GeoDataFrame, minutes per chain and destination), ``shares``,
        ``isochrones`` (GeoDataFrame), ``rail_circle`` (the half-hour rail circle test)
        and ``summary`` (JSON-serialisable).
    """
    from geo.analysis import accessibility as acc
    from geo.analysis.pipeline import focus_area

    origin_refs = resolve_places(origins, kind="origin")  # before any heavy work
    destination_refs = resolve_places(destinations, kind="destination")
    _, gaz, extraction = state(corpus)
    as_of_d = _as_of(as_of, extraction)
    lay = _layers(gaz, extraction, as_of_d)
    G = _network(lay, as_of_d, osm=osm, online=False, include_expected=include_expected, assumptions=None)
    with progress.step("accessibility"):
        return acc.accessibility_report(
            G,
            origins=origin_refs,
            destinations=destination_refs,
            chains=chains,
            resolution=resolution,
            area=focus_area(lay),
        )


def atlas(
    as_of: _dt.date | str | None = None,
    *,
    basemap: str = "osm",
    offline: bool = True,
    corpus: CorpusLike = None,
) -> folium.Map:
    """The atlas map of every layer, as a :class:`folium.Map` (displays in Jupyter).

    Parameters
    ----------
    as_of : date or str, optional
        Map date: styles and popups show each feature's status on that date.
    basemap : {"osm", "gaode", "tianditu", "none"}
        Gaode tiles are GCJ-02: every layer is shifted to GCJ-02 to line up.
    offline : bool
        Inline every JS/CSS asset (no CDN request).
    corpus : path-like or Corpus, optional
        Default: the current corpus (see :func:`state`).
    """
    from geo import maps

    as_of_d = parse_as_of(as_of) if as_of is not None else None
    _, gaz, extraction = state(corpus)
    lay = _layers(gaz, extraction, as_of_d)
    with progress.step("atlas map"):
        return maps.atlas(lay, as_of=as_of_d, basemap=basemap, offline=offline)


def save_layers(
    path: str | Path,
    *,
    fmt: str = "geojson",
    layers: Sequence[str] | None = None,
    as_of: _dt.date | str | None = None,
    status: Sequence[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    within: str | None = None,
    crs: str | None = None,
    gcj02: bool = False,
    corpus: CorpusLike = None,
) -> list[Path]:
    """Export the theme layers to GeoJSON, GeoPackage, GeoParquet, CSV or KML.

    Parameters
    ----------
    path : path-like
        Output file or folder (see :func:`geo.export.export_layers`).
    fmt : {"geojson", "gpkg", "parquet", "csv", "kml"}
    layers : list of str, optional
        Layer names (default: all theme layers).
    as_of : date or str, optional
        Status date of the exported features.
    status : list of str, optional
        Keep only these statuses (:data:`geo.schema.FEATURE_STATUSES`).
    bbox : (W, S, E, N), optional
        WGS84 degrees.
    within : str, optional
        A feature name or id (e.g. ``"通州区"``): keep features intersecting it.
    crs : str, optional
        Output CRS for GeoPackage/GeoParquet/CSV (e.g. ``"EPSG:4548"``).
    gcj02 : bool
        Write GCJ-02 coordinates (GeoJSON, CSV) for Chinese web-map platforms.
    corpus : path-like or Corpus, optional
        Default: the current corpus (see :func:`state`).

    Returns
    -------
    list of pathlib.Path
        The files written (each validated after writing, replaced atomically).
    """
    from geo.export import export_layers

    check_output_path(path)
    within_geom = gazetteer().resolve(within).geometry if within is not None else None  # a bad name fails fast
    _, gaz, extraction = state(corpus)
    lay = _layers(gaz, extraction, parse_as_of(as_of) if as_of is not None else None)
    return export_layers(
        lay,
        path,
        fmt=fmt,
        layers_wanted=list(layers) if layers else None,
        status=list(status) if status else None,
        bbox=bbox,
        within=within_geom,
        crs=crs,
        gcj02=gcj02,
    )
