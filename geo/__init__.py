"""jjj-atlas: mapping the integration of Beijing's sub-center with the North Three Counties.

The public API, small enough to learn in five minutes::

    import geo
    corpus = geo.load_corpus("seeds")              # read a corpus; later calls use it
    x = geo.extract_corpus()                       # mentions, dated status events, claims
    layers = geo.layers_as_of("2024-06-30")        # dict of GeoDataFrames (EPSG:4326)
    geo.feature_timeline("平谷线")                  # a feature's dated, cited history
    G = geo.network_as_of("2024-06-30")            # OSMnx-compatible MultiDiGraph
    acc = geo.accessibility(as_of="2024-06-30")    # travel times, H3 hexes, isochrones
    m = geo.atlas()                                # folium.Map
    geo.save_layers("out/roads.gpkg", fmt="gpkg", layers=["roads"])

Every function takes ``corpus=`` (a folder or a loaded :class:`Corpus`); without it the
corpus last loaded with :func:`load_corpus` is used, else :func:`default_corpus_path`
(``./seeds`` if that folder exists, else the seed corpus shipped with the package).

The stages are modules and subpackages of their own (``geo.corpus``, ``geo.extract``,
``geo.timeline``, ``geo.layers``, ``geo.network``, ``geo.analysis``, ``geo.maps``,
``geo.export``); their contracts are in ``geo.schema``, the study settings in
``geo.config``. Every error raised on purpose is a :class:`GeoError`.

The names below are imported on first use (PEP 562), so ``import geo`` and the ``geo``
command start without loading pandas, geopandas or networkx.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

#: public name -> module that defines it (imported on first attribute access)
_LAZY: dict[str, str] = {
    "accessibility": "geo.api",
    "atlas": "geo.api",
    "current_corpus": "geo.api",
    "default_corpus_path": "geo.api",
    "extract_corpus": "geo.api",
    "feature_timeline": "geo.api",
    "layers_as_of": "geo.api",
    "load_corpus": "geo.api",
    "network_as_of": "geo.api",
    "save_layers": "geo.api",
    "Corpus": "geo.corpus",
    "Document": "geo.corpus",
    "Feature": "geo.gazetteer",
    "Gazetteer": "geo.gazetteer",
    "load_gazetteer": "geo.gazetteer",
    "ConfigError": "geo.errors",
    "CorpusError": "geo.errors",
    "ExportError": "geo.errors",
    "GazetteerError": "geo.errors",
    "GeoError": "geo.errors",
    "MapError": "geo.errors",
    "NetworkError": "geo.errors",
    "UnknownFeatureError": "geo.errors",
    "UsageError": "geo.errors",
}

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
    "UnknownFeatureError",
    "UsageError",
    "accessibility",
    "atlas",
    "current_corpus",
    "default_corpus_path",
    "extract_corpus",
    "feature_timeline",
    "layers_as_of",
    "load_corpus",
    "load_gazetteer",
    "network_as_of",
    "save_layers",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from geo.api import (
        accessibility,
        atlas,
        current_corpus,
        default_corpus_path,
        extract_corpus,
        feature_timeline,
        layers_as_of,
        load_corpus,
        network_as_of,
        save_layers,
    )
    from geo.corpus import Corpus, Document
    from geo.errors import (
        ConfigError,
        CorpusError,
        ExportError,
        GazetteerError,
        GeoError,
        MapError,
        NetworkError,
        UnknownFeatureError,
        UsageError,
    )
    from geo.gazetteer import Feature, Gazetteer, load_gazetteer


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        # a stage module (``geo.maps``, ``geo.network`` ...) used as an attribute after ``import geo``
        if not name.startswith("_") and importlib.util.find_spec(f"geo.{name}") is not None:
            return importlib.import_module(f"geo.{name}")
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
