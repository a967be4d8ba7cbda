"""The whole pipeline, as run by ``geo build`` and ``make atlas``."""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path
from typing import Any

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
    scheduler: str | None = None,
    client: Any = None,
    progress: Any = None,
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
    scheduler : str, optional
        Run the corpus reading, the extraction and the cell-to-cell matrix on dask
        (``local``, ``local:N`` or ``tcp://HOST:PORT``, see :mod:`geo.distributed`); the
        outputs are byte-identical to an in-process build.
    client : distributed.Client, optional
        An existing dask client instead of ``scheduler``.
    progress : callable, optional
        ``progress(done, total, what)`` for the distributed steps.

    Returns
    -------
    dict
        ``documents`` (count), ``warnings``, ``layers``/``maps``/``tables``
        (paths written) and ``problems`` (validation problems).
    """
    if client is None and scheduler is not None:
        from geo.distributed import dashboard_link, scheduler_client

        with scheduler_client(scheduler) as own:
            link = dashboard_link(own)
            if link:
                logger.warning("dask dashboard: %s", link)
            return build(
                corpus_dir,
                layers_dir=layers_dir,
                maps_dir=maps_dir,
                as_of=as_of,
                basemap=basemap,
                offline=offline,
                analysis=analysis,
                check=check,
                client=own,
                progress=progress,
            )
    from geo import distributed

    corpus = distributed.load_corpus(corpus_dir, client=client, progress=progress)
    gaz = load_gazetteer()
    extraction = distributed.extract(corpus, gaz, client=client, progress=progress)
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

        extra_layers, tables = run_analyses(
            layers, extraction, as_of=as_of, tables_dir=layers_dir, client=client, progress=progress
        )
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
