"""The whole pipeline, as run by ``geo build`` and ``make atlas``.

Outputs are written as a set. Every file of a build is first written into a staging
folder beside its output folder (``.<name>.staging-<random>``); only when all of them
are complete are they moved into place (one rename each, in the same file system),
and a manifest is written last: ``MANIFEST.sha256`` in each output folder, in the
format of ``sha256sum`` (``sha256sum -c MANIFEST.sha256`` checks it). The maps'
manifest also lists the layers they were built from (``../layers/...``), so maps and
layers can be checked against each other (:func:`verify_outputs`). A failed build
leaves the previous outputs as they were; staging folders and temporary files left by
a killed build are removed by the next one.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from geo import progress
from geo.errors import UsageError

logger = logging.getLogger(__name__)

__all__ = ["MANIFEST", "build", "verify_outputs"]

#: Name of the manifest written into each output folder (``sha256sum`` format).
MANIFEST = "MANIFEST.sha256"
_STAGING = ".staging-"
_STALE_S = 3600.0


def _output_dir(path: str | Path) -> Path:
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"output folder {folder} is a file")
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"cannot create the output folder {folder}: {parent} is a file")
            break
    return folder


def _remove_leftovers(folder: Path) -> None:
    """Staging folders and temporary files of killed builds (untouched for an hour)."""
    from geo.io import remove_stale_temp

    for sub in (folder, folder / "tables"):
        for p in remove_stale_temp(sub, older_than_s=_STALE_S):
            logger.info("removed %s, left by a killed run", p)
    parent = folder.parent
    if not parent.is_dir():
        return
    now = time.time()
    for p in parent.glob(f".{folder.name}{_STAGING}*"):
        with contextlib.suppress(OSError):
            if p.is_dir() and now - p.stat().st_mtime >= _STALE_S:
                shutil.rmtree(p)
                logger.info("removed %s, left by a killed build", p)


def _staging_dir(folder: Path) -> Path:
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = folder.parent / f".{folder.name}{_STAGING}{secrets.token_hex(6)}"
    stage.mkdir()
    return stage


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _manifest_text(entries: Iterable[tuple[str, str]]) -> str:
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(entries))


def _publish(stage: Path, folder: Path, written: list[Path]) -> list[Path]:
    """Move the staged files into ``folder`` (one rename each); returns their final paths."""
    out = []
    for src in written:
        rel = src.relative_to(stage)
        dest = folder / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
        out.append(dest)
    return out


def verify_outputs(folder: str | Path) -> list[str]:
    """Check an output folder against its ``MANIFEST.sha256``.

    Parameters
    ----------
    folder : path-like
        A ``layers`` or ``maps`` folder written by :func:`build`.

    Returns
    -------
    list of str
        One line per problem (a file missing or changed since the build, including the
        layers a maps manifest lists); empty when the folder is the complete set a build
        wrote. A folder without a manifest gives one problem.
    """
    folder = Path(folder)
    manifest = folder / MANIFEST
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        return [f"{manifest}: cannot read ({exc.strerror or exc})"]
    problems = []
    for line in lines:
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            problems.append(f"{manifest}: malformed line {line[:80]!r}")
            continue
        path = folder / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif _sha256(path) != digest:
            problems.append(f"{path}: changed since the build")
    return problems


def build(
    corpus_dir: str | Path | None = None,
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
    corpus_dir : path-like, optional
        Corpus folder (default :func:`geo.api.default_corpus_path`: ``./seeds`` if it
        exists, else the seed corpus shipped with the package).
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
        ``corpus`` (folder read), ``documents`` (count), ``warnings`` (one per file
        skipped or with a problem, naming it), ``layers``/``maps``/``tables`` (paths
        written, in their final place) and ``problems`` (validation problems).

    Notes
    -----
    Nothing is replaced unless every output was written (see the module docstring).
    """
    from geo.api import default_corpus_path
    from geo.corpus import load_corpus
    from geo.gazetteer import load_gazetteer

    out_layers = _output_dir(layers_dir) if layers_dir is not None else None
    out_maps = _output_dir(maps_dir) if maps_dir is not None else None
    for folder in (out_layers, out_maps):
        if folder is not None:
            _remove_leftovers(folder)

    corpus_path = Path(corpus_dir) if corpus_dir is not None else default_corpus_path()
    with progress.step("reading corpus"):
        corpus = load_corpus(corpus_path)
    with progress.step("reading gazetteer"):
        gaz = load_gazetteer()
    from geo.extract import extract

    extraction = extract(corpus, gaz)  # a progress step per document
    with progress.step("building layers"):
        from geo.layers import build_layers

        layers = build_layers(gaz, extraction, as_of=as_of)
    problems: list[Any] = []
    if check:
        with progress.step("checking gazetteer"):
            from geo.validate import check_gazetteer

            problems = check_gazetteer(gaz)
    result: dict[str, Any] = {
        "corpus": str(corpus.path),
        "documents": len(corpus),
        "warnings": list(corpus.warnings) + list(extraction.warnings),
        "layers": [],
        "maps": [],
        "tables": [],
        "problems": problems,
    }
    stages: list[Path] = []
    try:
        stage_layers = _staging_dir(out_layers) if out_layers is not None else None
        if stage_layers is not None:
            stages.append(stage_layers)
        stage_maps = _staging_dir(out_maps) if out_maps is not None else None
        if stage_maps is not None:
            stages.append(stage_maps)
        tables: list[Path] = []
        extra_layers: dict[str, Any] = {}
        if analysis:
            from geo.analysis.pipeline import run_analyses

            with progress.step("analyses", total=5):
                extra_layers, tables = run_analyses(layers, extraction, as_of=as_of, tables_dir=stage_layers)
        staged_layers: list[Path] = []
        if stage_layers is not None:
            from geo.layers import write_layers

            with progress.step("writing layers"):
                staged_layers = list(write_layers({**layers, **extra_layers}, stage_layers))
        staged_maps: list[Path] = []
        if stage_maps is not None:
            from geo.maps import write_all_maps

            with progress.step("maps", total=3 if extra_layers else 2):
                staged_maps = write_all_maps(
                    layers,
                    extra_layers,
                    stage_maps,
                    extraction=extraction,
                    corpus=corpus,
                    as_of=as_of,
                    basemap=basemap,
                    offline=offline,
                )
        # every output is complete: move them in, then write the manifests
        layer_digests: list[tuple[str, str]] = []
        if out_layers is not None and stage_layers is not None:
            files = sorted({*staged_layers, *tables})
            layer_digests = [(str(p.relative_to(stage_layers).as_posix()), _sha256(p)) for p in files]
            final = _publish(stage_layers, out_layers, files)
            by_stage = dict(zip(files, final, strict=True))
            result["layers"] = [by_stage[p] for p in staged_layers]
            result["tables"] = [by_stage[p] for p in tables]
            from geo.io import atomic_write_text

            atomic_write_text(out_layers / MANIFEST, _manifest_text(layer_digests))
        if out_maps is not None and stage_maps is not None:
            map_digests = [(p.relative_to(stage_maps).as_posix(), _sha256(p)) for p in staged_maps]
            result["maps"] = _publish(stage_maps, out_maps, staged_maps)
            rel = os.path.relpath(out_layers, out_maps) if out_layers is not None else None
            entries = (
                map_digests + [(f"{Path(rel).as_posix()}/{n}", d) for n, d in layer_digests] if rel else map_digests
            )
            from geo.io import atomic_write_text

            atomic_write_text(out_maps / MANIFEST, _manifest_text(entries))
    finally:
        for stage in stages:
            shutil.rmtree(stage, ignore_errors=True)
    return result
