"""jjj-atlas: mapping the integration of Beijing's sub-center with the North Three Counties.

The public API, small enough to learn in five minutes::

    import geo
    corpus = geo.load_corpus("seeds")            # documents with dates, clean text, offsets
    x = geo.extract(corpus)                      # mentions, dated status events, claims
    layers = geo.layers(as_of="2024-06-30")      # dict of GeoDataFrames (EPSG:4326)
    geo.timeline("平谷线")                        # a feature's dated, cited history
    G = geo.network(as_of="2024-06-30")          # OSMnx-compatible MultiDiGraph
    acc = geo.accessibility(as_of="2024-06-30")  # travel times, H3 hexes, isochrones
    m = geo.atlas()                              # folium.Map
    geo.export("out/roads.gpkg", fmt="gpkg", layers=["roads"])

``geo.extract``, ``geo.layers``, ``geo.timeline``, ``geo.network`` and ``geo.export``
are also the modules of those names: calling one runs the API function, and its
attributes are the module's (``geo.network.build_network``, ``geo.extract.find_mentions``).
"""

from __future__ import annotations

import sys
import types

from geo import api as _api
from geo.api import accessibility, atlas
from geo.corpus import Corpus, Document, load_corpus
from geo.gazetteer import Feature, Gazetteer, load_gazetteer

__version__ = "0.1.0"

__all__ = [
    "Corpus",
    "Document",
    "Feature",
    "Gazetteer",
    "accessibility",
    "atlas",
    "export",
    "extract",
    "layers",
    "load_corpus",
    "load_gazetteer",
    "network",
    "timeline",
]


class _CallableModule(types.ModuleType):
    """A module that can also be called: ``geo.layers(...)`` runs its API function."""

    def __call__(self, *args, **kwargs):
        return self.__api__(*args, **kwargs)


def _callable(module_name: str, func) -> types.ModuleType:
    import importlib

    mod = importlib.import_module(f"geo.{module_name}")
    mod.__class__ = _CallableModule
    mod.__api__ = func
    return mod


extract = _callable("extract", _api.extract_corpus)
layers = _callable("layers", _api.layers)
timeline = _callable("timeline", _api.timeline)
network = _callable("network", _api.network)
export = _callable("export", _api.export)

del sys, types
