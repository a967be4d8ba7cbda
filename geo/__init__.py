"""jjj-atlas: mapping the integration of Beijing's sub-center with the North Three Counties.

The public API, small enough to learn in five minutes::

    import geo
    corpus = geo.load_corpus("seeds")              # documents with dates, clean text, offsets
    x = geo.extract_corpus(corpus)                 # mentions, dated status events, claims
    layers = geo.layers_as_of("2024-06-30")        # dict of GeoDataFrames (EPSG:4326)
    geo.feature_timeline("平谷线")                  # a feature's dated, cited history
    G = geo.network_as_of("2024-06-30")            # OSMnx-compatible MultiDiGraph
    acc = geo.accessibility(as_of="2024-06-30")    # travel times, H3 hexes, isochrones
    m = geo.atlas()                                # folium.Map
    geo.save_layers("out/roads.gpkg", fmt="gpkg", layers=["roads"])

The stages are modules and subpackages of their own (``geo.corpus``, ``geo.extract``,
``geo.timeline``, ``geo.layers``, ``geo.network``, ``geo.analysis``, ``geo.maps``,
``geo.export``); their contracts are in ``geo.schema``, the study settings in
``geo.config``. Every error raised on purpose is a :class:`GeoError`.
"""

from __future__ import annotations

from geo.api import (
    accessibility,
    atlas,
    extract_corpus,
    feature_timeline,
    layers_as_of,
    network_as_of,
    save_layers,
)
from geo.corpus import Corpus, Document, load_corpus
from geo.errors import (
    ConfigError,
    CorpusError,
    ExportError,
    GazetteerError,
    GeoError,
    MapError,
    NetworkError,
    UsageError,
)
from geo.gazetteer import Feature, Gazetteer, load_gazetteer

__version__ = "0.2.0"

__all__ = [
    "ConfigError",
    "Corpus",
    "CorpusError",
    "Document",
    "ExportError",
    "Feature",
    "Gazetteer",
    "GazetteerError",
    "GeoError",
    "MapError",
    "NetworkError",
    "UsageError",
    "accessibility",
    "atlas",
    "extract_corpus",
    "feature_timeline",
    "layers_as_of",
    "load_corpus",
    "load_gazetteer",
    "network_as_of",
    "save_layers",
]
