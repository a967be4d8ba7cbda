"""File input and output used by every stage: atomic writes, package data, safe YAML.

* :func:`atomic_write_bytes` / :func:`atomic_write_text`: a reader sees the old file or
  the complete new one, never a partial file; :func:`remove_stale_temp` clears the
  temporary files a killed run left behind.
* :func:`package_file` / :func:`package_text`: data shipped inside the package
  (``geo/data/...``), read through :mod:`importlib.resources` so that it works from
  a checkout, a wheel or a zip.
* :func:`load_yaml`: YAML without anchors and aliases (no "billion laughs"), with a
  size limit, for every YAML the package reads (front matter, gazetteer, settings).
* :func:`csv_text`: the one way the package writes CSV, with every text cell that a
  spreadsheet would run as a formula neutralised (:func:`neutralise_csv_cell`).
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from geo.errors import YAMLError

__all__ = [
    "CSV_FORMULA_PREFIXES",
    "TEMP_SUFFIX",
    "YAMLError",
    "atomic_paths",
    "atomic_write_bytes",
    "atomic_write_text",
    "csv_text",
    "load_yaml",
    "neutralise_csv_cell",
    "package_file",
    "package_text",
    "remove_stale_temp",
    "restore_csv_cell",
]

#: Suffix of the temporary files written beside a target before the rename.
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"^\..+\.(?:[0-9a-f]{12}|[A-Za-z0-9_]{8})\.tmp(?:\.[A-Za-z0-9]+)?$")


def _temp_path(target: Path) -> Path:
    # the suffix is kept so that writers that pick a driver by extension (GDAL) still can
    return target.parent / f".{target.stem}.{secrets.token_hex(6)}{TEMP_SUFFIX}{target.suffix}"


def _remove(path: Path) -> None:
    for p in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


@contextlib.contextmanager
def atomic_paths(targets: Iterable[str | os.PathLike[str]]) -> Iterator[dict[Path, Path]]:
    """Stage several output files and replace their targets together, or not at all.

    Yields a mapping ``target -> temporary path`` beside each target (same folder, so
    the rename is atomic). The caller writes every temporary file completely; when
    the ``with`` block ends without an exception, every file is fsynced and renamed
    over its target. On any exception nothing is replaced and the temporary files
    (with SQLite side files) are removed.

    Parameters
    ----------
    targets : iterable of path-like
        The destination files; their folders are created if needed.
    """
    staged: dict[Path, Path] = {}
    for target in map(Path, targets):
        target.parent.mkdir(parents=True, exist_ok=True)
        staged[target] = _temp_path(target)
    try:
        yield staged
        for tmp in staged.values():
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
        for target, tmp in staged.items():
            os.replace(tmp, target)
    finally:
        for tmp in staged.values():
            _remove(tmp)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_paths`).

    A reader sees either the old file or the complete new one, never a partial file.

    Parameters
    ----------
    path : path-like
        Destination file. Its parent directory is created if needed.
    data : bytes
        Complete file content.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    path = Path(path)
    with atomic_paths([path]) as staged, open(staged[path], "xb") as fh:
        fh.write(data)
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`).

    Newlines are written as given (``\\n``); no platform translation happens.
    """
    return atomic_write_bytes(path, text.encode(encoding))


def remove_stale_temp(folder: str | os.PathLike[str], *, older_than_s: float = 3600.0) -> list[Path]:
    """Delete the temporary files that killed runs left in ``folder``.

    Only files named as :func:`atomic_paths` names them (``.STEM.<hex>.tmp.SUFFIX``, and
    the ``.NAME.<random>.tmp`` of earlier versions) and not modified for
    ``older_than_s`` seconds are removed, so a concurrent run's file in progress is kept.

    Returns
    -------
    list of pathlib.Path
        The files removed.
    """
    folder = Path(folder)
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    now = time.time()
    for p in folder.iterdir():
        if not _TEMP_NAME.match(p.name):
            continue
        try:
            if p.is_file() and now - p.stat().st_mtime >= older_than_s:
                p.unlink()
                removed.append(p)
        except OSError:
            continue
    return removed


def package_file(*parts: str, package: str = "geo", folder: str = "data") -> Traversable:
    """A file or folder of the package data (``geo/data/<parts...>`` by default).

    ``package`` and ``folder`` name another package's data folder (e.g. the maps'
    ``geo.maps`` / ``static``).
    """
    node = importlib.resources.files(package).joinpath(folder)
    for part in parts:
        node = node.joinpath(part)
    return node


def package_text(*parts: str, package: str = "geo", folder: str = "data") -> str:
    """The UTF-8 text of a package data file (see :func:`package_file`)."""
    return package_file(*parts, package=package, folder=folder).read_text(encoding="utf-8")


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML that refuses anchors and aliases (they allow exponential expansion)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(None, None, "YAML anchors and aliases are not allowed", event.start_mark)
        return super().compose_node(parent, index)


class _NoAliasTextLoader(_NoAliasLoader):
    """As :class:`_NoAliasLoader`, with every scalar kept as text."""


_NoAliasTextLoader.yaml_implicit_resolvers = {}  # every plain scalar resolves to a string


def load_yaml(text: str, *, where: str, max_bytes: int | None = None, scalars_as_text: bool = False) -> Any:
    """Parse YAML safely.

    Parameters
    ----------
    text : str
        The YAML text.
    where : str
        What the text is (a file name), for error messages.
    max_bytes : int, optional
        Refuse text longer than this (UTF-8 bytes).
    scalars_as_text : bool
        Keep every scalar as a string (no implicit dates, numbers or booleans).

    Raises
    ------
    YAMLError
        Malformed YAML, anchors or aliases, or text over ``max_bytes``.
    """
    if max_bytes is not None:
        size = len(text.encode("utf-8"))
        if size > max_bytes:
            raise YAMLError(f"{where}: YAML of {size:,} bytes exceeds the limit of {max_bytes:,}")
    loader = _NoAliasTextLoader if scalars_as_text else _NoAliasLoader
    try:
        return yaml.load(text, Loader=loader)  # a SafeLoader subclass that also refuses aliases
    except yaml.YAMLError as exc:
        raise YAMLError(f"{where}: {' '.join(str(exc).split())}") from None


#: First characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a CSV
#: cell as a formula (OWASP "CSV injection").
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_CSV_GUARD = "'"


def neutralise_csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula.

    Text starting with one of :data:`CSV_FORMULA_PREFIXES` gets a leading apostrophe
    (``=HYPERLINK(…)`` is written ``'=HYPERLINK(…)``), as does text that already starts
    with an apostrophe, so that :func:`restore_csv_cell` gives back the exact text.
    Anything that is not a string (numbers, including negative ones, and missing values)
    is returned unchanged.
    """
    if isinstance(value, str) and value.startswith((*CSV_FORMULA_PREFIXES, _CSV_GUARD)):
        return _CSV_GUARD + value
    return value


def restore_csv_cell(value: Any) -> Any:
    """The inverse of :func:`neutralise_csv_cell`, for a cell read back from our CSV."""
    if isinstance(value, str) and value.startswith(_CSV_GUARD):
        return value[1:]
    return value


def csv_text(frame: Any) -> str:
    """CSV text of a pandas DataFrame: no index, ``\\n`` line ends, and every text cell
    passed through :func:`neutralise_csv_cell` (the column names too).

    Fields are quoted when needed (RFC 4180); when a text cell holds a carriage return,
    which Python's CSV writer leaves unquoted with ``\\n`` line ends (and readers would
    take for a line break), every field of that file is quoted. Every CSV file the package
    writes goes through here.
    """
    import csv

    import pandas as pd
    from pandas.api.types import is_object_dtype, is_string_dtype

    out = frame.copy()
    quote_all = False
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if not (is_object_dtype(col.dtype) or is_string_dtype(col.dtype)):
            continue  # numbers, negative ones too, are no formulas
        values = col.tolist()
        safe = [neutralise_csv_cell(v) for v in values]
        if any(a is not b for a, b in zip(safe, values, strict=True)):  # only then touch the column
            out.isetitem(i, pd.Series(safe, index=col.index, dtype=object))
        quote_all = quote_all or any(isinstance(v, str) and "\r" in v for v in values)
    if any(neutralise_csv_cell(c) is not c for c in out.columns):
        out.columns = [neutralise_csv_cell(c) for c in out.columns]
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    return str(out.to_csv(index=False, lineterminator="\n", quoting=quoting))
