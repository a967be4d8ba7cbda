"""The whole pipeline, as run by ``geo build`` and ``make atlas``."""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path
from typing import Any

from geo.corpus import load_corpus
from geo.gazetteer import load_gazetteer
from geo.layers import build_layers, write_layers
from geo.validate import check_gazetteer

logger = logging.getLogger(__name__)

__all__ = ["build"]


def build(
    corpus_dir: str | Path = "seeds",
    *,
    layers_dir: str | Path | None = "layers",
    maps_dir: str | Path | None = "maps",
    as_of: _dt.date | None = None,
    basemap: str = "osm",
    offline: bool = True,
    analysis: bool = True,
    check: bool = True,
) -> dict[str, Any]:
    """Read the corpus, extract, write the layers, analyse and publish maps.

    Parameters
    ----------
    corpus_dir : path-like
        Corpus folder.
    layers_dir, maps_dir : path-like or None
        Output folders; ``None`` skips that output.
    as_of : datetime.date, optional
        Status date of the layers (default: the latest date the corpus knows).
    basemap : {"osm", "gaode", "tianditu", "none"}
        Basemap of the maps.
    offline : bool
        Inline every JS/CSS asset into the maps (no CDN request).
    analysis : bool
        Run the network analyses and write their layers and tables.
    check : bool
        Validate the gazetteer; problems are returned, not raised.

    Returns
    -------
    dict
        ``documents`` (count), ``warnings``, ``layers``/``maps``/``tables``
        (paths written) and ``problems`` (validation problems).
    """
    from geo.extract import extract

    corpus = load_corpus(corpus_dir)
    gaz = load_gazetteer()
    extraction = extract(corpus, gaz)
    layers = build_layers(gaz, extraction, as_of=as_of)
    result: dict[str, Any] = {
        "documents": len(corpus),
        "warnings": list(corpus.warnings) + list(extraction.warnings),
        "layers": [],
        "maps": [],
        "tables": [],
        "problems": check_gazetteer(gaz) if check else [],
    }
    if analysis:
        from geo.analysis.pipeline import run_analyses

        extra_layers, tables = run_analyses(layers, extraction, as_of=as_of, tables_dir=layers_dir)
        result["tables"] = tables
    else:
        extra_layers = {}
    if layers_dir is not None:
        result["layers"] = write_layers({**layers, **extra_layers}, layers_dir)
    if maps_dir is not None:
        from geo.maps import write_all_maps

        result["maps"] = write_all_maps(
            layers,
            extra_layers,
            maps_dir,
            extraction=extraction,
            corpus=corpus,
            as_of=as_of,
            basemap=basemap,
            offline=offline,
        )
    return result
