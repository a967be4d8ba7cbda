"""Scale out with dask.distributed: a LocalCluster or an existing cluster, one switch.

Optional extra ``scale`` (``pip install 'jjj-atlas[scale]'``: dask[distributed],
dask-geopandas). Without a client everything runs in-process, as before; with one the
results are **exactly** the in-process results (the same functions run on the same blocks,
and the blocks are put back in their order).

Scheduler specs (``--scheduler`` on ``geo build``, ``geo extract`` and ``geo analyze
access``; :func:`scheduler_client`):

``local`` / ``local:N``
    A :class:`distributed.LocalCluster` on this machine with ``N`` single-threaded worker
    processes (default: one per core), closed at the end.
``tcp://HOST:PORT`` (or ``tls://…``)
    An existing cluster's scheduler (``dask scheduler`` + ``dask worker``); the workers must
    have jjj-atlas installed (same version).

What is distributed:

* corpus reading and extraction, partitioned by documents (:func:`load_corpus`,
  :func:`extract`); the timelines are merged on the client, giving the single-process
  :class:`geo.extract.Extraction`;
* blocks of origins of many-to-many travel times (:func:`map_blocks`, used by
  :func:`od_to_parquet` and :func:`geo.analysis.accessibility.cumulative_opportunities`):
  the graph is scattered to the workers once, each block is computed where it lands and
  written there as one Parquet partition, so the full matrix is never held in memory.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import logging
import math
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from geo.errors import CorpusError, DocumentError, UsageError
from geo.progress import step as progress_step

logger = logging.getLogger(__name__)

__all__ = [
    "Progress",
    "dashboard_link",
    "extract",
    "extract_documents",
    "load_corpus",
    "map_blocks",
    "n_workers",
    "od_block_to_parquet",
    "od_to_parquet",
    "parse_scheduler",
    "read_documents",
    "replace_dir",
    "scheduler_client",
]

#: A progress callback: ``progress(done, total, what)``.
Progress = Callable[[int, int, str], None]

_SPEC = re.compile(r"^(?:local(?::(\d+))?|(?:tcp|tls|inproc|ucx)://\S+)$")


def parse_scheduler(spec: str) -> tuple[str, int | str | None]:
    """Parse a ``--scheduler`` value.

    Returns
    -------
    ("local", n_workers or None) or ("address", address)

    Raises
    ------
    UsageError
        Not ``local``, ``local:N`` (N >= 1) or a scheduler address ``tcp://HOST:PORT``.
    """
    text = str(spec).strip()
    m = _SPEC.match(text)
    if not m:
        raise UsageError(f"--scheduler {spec!r}: use local, local:N (N workers) or tcp://HOST:PORT of a dask scheduler")
    if text.startswith("local"):
        n = int(m[1]) if m[1] else None
        if n is not None and n < 1:
            raise UsageError(f"--scheduler {spec!r}: local:N needs N >= 1")
        return "local", n
    return "address", text


def _dask() -> Any:
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise UsageError("--scheduler needs dask.distributed: pip install 'jjj-atlas[scale]'") from exc
    return distributed


@contextlib.contextmanager
def scheduler_client(spec: str | None, *, processes: bool = True) -> Iterator[Any]:
    """A :class:`distributed.Client` for a scheduler spec (``None``: no client, in-process).

    Parameters
    ----------
    spec : str or None
        See :func:`parse_scheduler`.
    processes : bool
        Local workers as processes (default; real parallelism for the extraction, which holds
        the GIL) or threads of this process.

    Yields
    ------
    distributed.Client or None
        Closed (and a local cluster shut down) on exit.
    """
    if spec is None:
        yield None
        return
    kind, arg = parse_scheduler(spec)
    distributed = _dask()
    # dask's own logging config sets its loggers to INFO (cluster start-up and shut-down lines);
    # they follow this package's level instead, and at least WARNING.
    logging.getLogger("distributed").setLevel(max(logging.WARNING, logger.getEffectiveLevel()))
    if kind == "local":
        n = int(arg) if arg else (os.cpu_count() or 1)
        dashboard = ":0" if _has_bokeh() else None
        cluster = distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=processes, dashboard_address=dashboard
        )
        client = distributed.Client(cluster)
        logger.info("dask LocalCluster: %d workers", n)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    try:
        client = distributed.Client(str(arg), timeout="20s")
    except OSError as exc:
        raise OSError(f"cannot reach the dask scheduler at {arg}: {exc}") from exc
    try:
        yield client
    finally:
        client.close()


def _has_bokeh() -> bool:
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return False
    return True


def dashboard_link(client: Any) -> str | None:
    """The dask dashboard URL of a client, when the scheduler serves one (bokeh installed)."""
    if client is None:
        return None
    try:
        info = client.scheduler_info()
        if "dashboard" not in (info.get("services") or {}):
            return None
        return str(client.dashboard_link)
    except (AttributeError, KeyError, OSError):
        return None


def n_workers(client: Any) -> int:
    """Number of workers of a client (1 without one)."""
    if client is None:
        return 1
    return max(1, len(client.scheduler_info().get("workers", {})))


def map_blocks(
    func: Callable[..., Any],
    blocks: Sequence[Any],
    *,
    client: Any = None,
    shared: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    what: str = "blocks",
) -> list[Any]:
    """``[func(block, **shared) for block in blocks]``, in-process or on a dask cluster.

    With a client, ``shared`` (e.g. the graph) is scattered to every worker **once** and the
    blocks run where the scheduler puts them; results come back in block order, so the output
    is the in-process output. Progress is reported as blocks complete: a :mod:`geo.progress`
    step named ``what`` (the ``geo`` command's display) and the optional callback.

    Parameters
    ----------
    func : callable
        An importable (module-level) function ``func(block, **shared)``.
    blocks : sequence
        One item per task.
    client : distributed.Client, optional
    shared : mapping, optional
        Keyword arguments every call gets (scattered with ``broadcast=True``).
    progress : callable, optional
        ``progress(done, total, what)``.
    what : str
        What the blocks are (for progress and logs).
    """
    shared = dict(shared or {})
    total = len(blocks)
    t0 = time.perf_counter()
    with progress_step(what, total=total) as shown:
        if client is None:
            out = []
            for i, b in enumerate(blocks):
                out.append(func(b, **shared))
                shown.advance()
                _report(progress, i + 1, total, what, t0)
            return out
        distributed = _dask()
        futures_shared = {k: client.scatter(v, broadcast=True) for k, v in shared.items()}
        futures: list[Any] = [client.submit(func, b, pure=False, **futures_shared) for b in blocks]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * total
        for done, fut in enumerate(distributed.as_completed(futures), start=1):
            i = index[fut.key]
            results[i] = fut.result()
            # let the worker drop its copy now: holding every block's result on the workers
            # as well as here doubled the memory of a big extraction
            futures[i] = None
            fut.release()
            shown.advance()
            _report(progress, done, total, what, t0)
        return results


def _report(progress: Progress | None, done: int, total: int, what: str, t0: float) -> None:
    if progress is not None:
        progress(done, total, what)
    if done == total or done % max(1, total // 10) == 0:
        logger.info("%s: %d/%d done (%.1f s)", what, done, total, time.perf_counter() - t0)


#: Most documents in one partition of a corpus: the partition's result travels from a worker to
#: the client in one message, and a worker that pickles a result of a gigabyte (12,500 generated
#: documents) holds the GIL long enough for the scheduler to drop it as unresponsive.
PARTITION_DOCS = 1000


def _partitions(n: int, parts: int) -> list[tuple[int, int]]:
    size = max(1, math.ceil(n / max(1, parts)))
    return [(s, min(n, s + size)) for s in range(0, n, size)]


def _corpus_parts(n_docs: int, client: Any, partitions: int | None) -> int:
    """Partitions for ``n_docs`` documents: ``partitions``, else four per worker and at most
    :data:`PARTITION_DOCS` documents each."""
    return partitions or max(4 * n_workers(client), math.ceil(n_docs / PARTITION_DOCS))


# --------------------------------------------------------------------------- corpus


def read_documents(paths: Sequence[str], *, today: _dt.date) -> list[tuple[str, Any, str | None]]:
    """Read documents on a worker: ``(path, Document or None, error message or None)`` each."""
    from geo.corpus import read_document

    out: list[tuple[str, Any, str | None]] = []
    for p in paths:
        try:
            out.append((p, read_document(p, today=today), None))
        except DocumentError as exc:
            out.append((p, None, str(exc)))
    return out


def load_corpus(
    path: str | Path,
    *,
    client: Any = None,
    today: _dt.date | None = None,
    partitions: int | None = None,
    progress: Progress | None = None,
) -> Any:
    """:func:`geo.corpus.load_corpus`, with the files read in partitions on a cluster.

    Same documents, order and warnings as :func:`geo.corpus.load_corpus`.
    """
    from geo.corpus import SUFFIXES, Corpus
    from geo.corpus import load_corpus as load_local
    from geo.extract import cyclic_gc_paused

    if client is None:
        return load_local(path, today=today)
    folder = Path(path)
    if not folder.exists():
        raise CorpusError(f"corpus folder {folder} does not exist")
    if not folder.is_dir():
        raise CorpusError(f"corpus path {folder} is not a folder")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise CorpusError(f"corpus folder {folder} holds no documents (*{', *'.join(SUFFIXES)})")
    today = today or _dt.date.today()
    parts = _corpus_parts(len(files), client, partitions)
    blocks = [[str(f) for f in files[a:b]] for a, b in _partitions(len(files), parts)]
    with cyclic_gc_paused():  # the client unpickles every document (see extract below)
        read = map_blocks(
            read_documents, blocks, client=client, shared={"today": today}, progress=progress, what="reading"
        )
    docs: list[Any] = []
    warnings: list[str] = []
    seen: dict[str, Path] = {}
    for p, doc, err in (item for block in read for item in block):
        f = Path(p)
        if doc is None:
            warnings.append(f"{f}: skipped: {err}")
            continue
        if doc.doc_id in seen:
            warnings.append(f"{f}: skipped: document id {doc.doc_id!r} already used by {seen[doc.doc_id]}")
            continue
        seen[doc.doc_id] = f
        warnings.extend(f"{f}: {w}" for w in doc.warnings)
        docs.append(doc)
    for w in warnings:
        logger.warning(w)
    if not docs:
        raise CorpusError(f"corpus folder {folder} holds no readable documents:\n  " + "\n  ".join(warnings))
    return Corpus(path=folder, documents=docs, warnings=warnings)


# --------------------------------------------------------------------------- extraction


def extract_documents(docs: Sequence[Any], *, gazetteer: Any, max_contexts: int, provisional: bool = True) -> list[Any]:
    """Extract a partition of documents on a worker: one :class:`geo.extract.DocumentPart`
    per document, in order, or the warning of a document whose extraction failed (as
    :func:`geo.extract.extract` reports it)."""
    from geo.extract import cyclic_gc_paused, extract_parts
    from geo.extract.mentions import build_matcher

    with cyclic_gc_paused():  # as geo.extract.extract, which also skips a bad document with a warning
        matcher = build_matcher(gazetteer)
        return list(extract_parts(docs, matcher, max_contexts=max_contexts, provisional=provisional))


def extract(
    corpus: Any,
    gazetteer: Any,
    *,
    client: Any = None,
    known_events: bool = True,
    max_contexts: int = 5,
    provisional: bool = True,
    partitions: int | None = None,
    progress: Progress | None = None,
) -> Any:
    """:func:`geo.extract.extract`, partitioned by documents on a cluster.

    The partitions are extracted on the workers (:func:`geo.extract.extract_part`) and merged
    here in corpus order by :func:`geo.extract.merge_parts`, the same merge the in-process
    extraction uses, so the result equals :func:`geo.extract.extract` on the same corpus.
    """
    from geo.extract import cyclic_gc_paused, merge_parts
    from geo.extract import extract as extract_local

    if client is None:
        return extract_local(
            corpus, gazetteer, known_events=known_events, max_contexts=max_contexts, provisional=provisional
        )
    docs = list(corpus)
    parts = _corpus_parts(len(docs), client, partitions)
    blocks = [docs[a:b] for a, b in _partitions(len(docs), parts)]
    # the client unpickles every record of the corpus: as in the extraction itself, the
    # collector's passes over them find nothing to free (see geo.extract.cyclic_gc_paused)
    with cyclic_gc_paused():
        done = map_blocks(
            extract_documents,
            blocks,
            client=client,
            shared={"gazetteer": gazetteer, "max_contexts": max_contexts, "provisional": provisional},
            progress=progress,
            what="extraction",
        )
        result = merge_parts(
            (item for block in done for item in block), gazetteer, known_events=known_events, max_contexts=max_contexts
        )
    logger.info("extracted %d documents in %d partitions", len(result.documents), len(blocks))
    return result


# --------------------------------------------------------------------------- OD matrices


def od_block_to_parquet(
    block: tuple[int, np.ndarray],
    *,
    csr: Any,
    targets: np.ndarray,
    out_dir: str,
    cutoff: float | None,
    origin_ids: np.ndarray | None,
    destination_ids: np.ndarray | None,
) -> dict[str, Any]:
    """Travel times of one block of sources, written as one Parquet partition (on a worker).

    Rows ``origin, destination, time_s`` (float32 seconds) for reachable pairs (within the
    cutoff); the partition file is ``part-<block>.parquet``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from geo.network.routing import shortest_travel_times

    i, src = block
    t0 = time.perf_counter()
    T = shortest_travel_times(csr, src, targets, cutoff=cutoff, reverse=False, dtype=np.float32)
    r, c = np.nonzero(np.isfinite(T))
    o = src[r] if origin_ids is None else origin_ids[src[r]]
    d = targets[c] if destination_ids is None else destination_ids[targets[c]]
    table = pa.table({"origin": o, "destination": d, "time_s": T[r, c]})
    path = Path(out_dir) / f"part-{i:05d}.parquet"
    pq.write_table(table, path, compression="zstd")
    return {"block": i, "rows": len(r), "pairs": int(T.size), "seconds": time.perf_counter() - t0}


def od_to_parquet(
    csr: Any,
    sources: Sequence[int] | np.ndarray,
    targets: Sequence[int] | np.ndarray,
    out_dir: str | Path,
    *,
    client: Any = None,
    block_size: int = 256,
    cutoff: float | None = None,
    origin_ids: Sequence[Any] | np.ndarray | None = None,
    destination_ids: Sequence[Any] | np.ndarray | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Many-to-many travel times streamed to a partitioned Parquet dataset.

    Sources are split into blocks of ``block_size``; the CSR matrix is scattered to the
    workers once; each block's ``(origin, destination, time_s)`` rows are written by the
    worker that computed them, so no process holds more than one block. The folder is
    replaced only when every partition is written (a failed run leaves the previous one).

    Parameters
    ----------
    csr : scipy.sparse.csr_matrix
        Weights (seconds), e.g. from :func:`geo.network.routing.graph_to_csr`.
    sources, targets : array-like of int
        Matrix positions.
    out_dir : path-like
        Output folder (a Parquet dataset: ``part-00000.parquet`` …). On a multi-machine
        cluster it must be a path every worker can write (a shared file system).
    client : distributed.Client, optional
        Run on a cluster (default in-process).
    block_size : int
        Sources per task.
    cutoff : float, optional
        Seconds; pairs beyond it are not written.
    origin_ids, destination_ids : array-like, optional
        Values written instead of positions (indexed by position), e.g. node ids.
    progress : callable, optional
        ``progress(done, total, what)``.

    Returns
    -------
    dict
        ``path``, ``blocks``, ``rows`` (written), ``pairs`` (computed), ``seconds`` (wall),
        ``pairs_per_s``.
    """
    out = Path(out_dir)
    src = np.asarray(sources, np.int64)
    tgt = np.asarray(targets, np.int64)
    staging = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    staging.mkdir(parents=True)
    blocks = [(i, src[s : s + block_size]) for i, s in enumerate(range(0, len(src), block_size))]
    t0 = time.perf_counter()
    try:
        stats = map_blocks(
            od_block_to_parquet,
            blocks,
            client=client,
            shared={
                "csr": csr,
                "targets": tgt,
                "out_dir": str(staging),
                "cutoff": cutoff,
                "origin_ids": None if origin_ids is None else np.asarray(origin_ids),
                "destination_ids": None if destination_ids is None else np.asarray(destination_ids),
            },
            progress=progress,
            what="OD blocks",
        )
        replace_dir(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    wall = time.perf_counter() - t0
    pairs = sum(s["pairs"] for s in stats)
    return {
        "path": out,
        "blocks": len(blocks),
        "rows": sum(s["rows"] for s in stats),
        "pairs": pairs,
        "seconds": wall,
        "pairs_per_s": pairs / wall if wall > 0 else float("inf"),
    }


def replace_dir(new: Path, target: Path) -> None:
    """Put folder ``new`` in place of ``target`` (the old one removed only after the rename)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.old")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
