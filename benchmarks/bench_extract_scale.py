"""Benchmark: reading and extracting a generated corpus in-process vs on a dask LocalCluster.

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/bench_extract_scale.py --docs 100000 --out /tmp/bench_extract_scale.json
    .venv/bin/python benchmarks/bench_extract_scale.py --docs 2000                 # quick

Writes ``--docs`` generated documents (the templates of ``bench_extract.py``: real gazetteer
names, random dates, traditional characters and full-width digits in some) as Markdown files
with YAML front matter into a temporary corpus folder, then times

* ``in_process``: :func:`geo.corpus.load_corpus` + :func:`geo.extract.extract`;
* ``cluster``: :func:`geo.distributed.load_corpus` + :func:`geo.distributed.extract` on a
  LocalCluster of ``--workers`` single-threaded processes (files read and documents extracted
  on the workers, timelines merged on the client),

and checks that both extractions are identical (the SHA-256 of their JSON, record by record).
Each phase runs in a fresh process of its own (``--phase``), one after the other on the same
corpus, so each reports its own peak memory (Linux ``VmHWM``) and CPU seconds, and the first
phase's memory is given back before the second starts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

logger = logging.getLogger("bench_extract_scale")


def write_corpus(folder: Path, n: int, *, seed: int = 0) -> int:
    """Write ``n`` generated documents; returns the UTF-8 bytes of their bodies."""
    from bench_extract import make_documents

    from geo.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    total = 0
    step = 5000
    for s in range(0, n, step):
        docs = make_documents(gaz, min(step, n - s), seed=seed + s)
        for i, d in enumerate(docs):
            body = d.text
            total += len(body.encode("utf-8"))
            (folder / f"doc-{s + i:06d}.md").write_text(
                f"---\ntitle: 通报第{s + i}号\ndate: {d.published.isoformat()}\n---\n{body}\n", encoding="utf-8"
            )
    return total


def _digest(x) -> str:
    """SHA-256 of the extraction's JSON (:meth:`geo.extract.Extraction.to_json`), record by
    record: at 100k generated documents the whole JSON text would not fit beside the result."""
    h = hashlib.sha256()

    def feed(obj) -> None:
        h.update(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode())
        h.update(b"\n")

    feed(dict(sorted(x.documents.items())))
    for name in ("mentions", "events", "claims", "unknowns"):
        feed(name)
        for rec in getattr(x, name):
            feed(rec.to_json())
    feed("provisional")
    for _, p in sorted(x.provisional.items()):
        feed(p.to_json())
    feed("timelines")
    for fid, tl in sorted(x.timelines.items()):
        feed(fid)
        for t in tl:
            feed(t.to_json() if hasattr(t, "to_json") else dict(t))
    return h.hexdigest()


def _peak_rss_mb() -> float:
    """Peak resident memory of this process since it started or since :func:`_reset_peak_rss`
    (MB): Linux's ``VmHWM``. (``getrusage``'s ``ru_maxrss`` is no use for the workers: Linux
    keeps it across ``exec``, so a worker spawned by a client that had used 12 GB reports
    12 GB.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU time (user + system, all threads) this process has used (s): on a machine whose
    other load varies, the client's share of the work reads truer in CPU seconds than in
    wall time."""
    t = os.times()
    return t.user + t.system


def _reset_peak_rss() -> None:
    """Start :func:`_peak_rss_mb` afresh (Linux: ``5`` to ``/proc/self/clear_refs``)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        logger.warning("cannot reset the peak memory reading: the peak includes the start-up (imports, gazetteer)")


def _phase(name: str, folder: Path, workers: int) -> dict:
    """Run one phase on the corpus in ``folder`` in this process: its times, memory, CPU
    seconds and the digest of its extraction."""
    from geo import distributed
    from geo.corpus import load_corpus
    from geo.extract import extract
    from geo.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    _reset_peak_rss()
    if name == "in_process":
        c0 = _cpu_s()
        t0 = time.perf_counter()
        corpus = load_corpus(folder)
        t1 = time.perf_counter()
        x = extract(corpus, gaz)
        t2 = time.perf_counter()
        out = {
            "in_process_read_s": round(t1 - t0, 1),
            "in_process_extract_s": round(t2 - t1, 1),
            "in_process_docs_per_s": round(len(corpus) / (t2 - t0), 1),
            "in_process_cpu_s": round(_cpu_s() - c0, 1),
            "in_process_peak_rss_mb": round(_peak_rss_mb()),
        }
    else:
        with distributed.scheduler_client(f"local:{workers}") as client:
            c0 = _cpu_s()
            t0 = time.perf_counter()
            corpus = distributed.load_corpus(folder, client=client)
            t1 = time.perf_counter()
            x = distributed.extract(corpus, gaz, client=client)
            t2 = time.perf_counter()
            c2 = _cpu_s()
            workers_rss = client.run(_peak_rss_mb)
            workers_cpu = client.run(_cpu_s)
        out = {
            "cluster_read_s": round(t1 - t0, 1),
            "cluster_extract_s": round(t2 - t1, 1),
            "cluster_docs_per_s": round(len(corpus) / (t2 - t0), 1),
            "client_peak_rss_mb": round(_peak_rss_mb()),
            "client_cpu_s": round(c2 - c0, 1),
            "worker_peak_rss_mb": sorted(round(v) for v in workers_rss.values()),
            "worker_cpu_s": sorted(round(v, 1) for v in workers_cpu.values()),
        }
    logger.info("%s: read %.1f s, extract %.1f s", name, t1 - t0, t2 - t1)
    out["_seconds"] = t2 - t0
    out["_events"] = len(x.events)
    out["_digest"] = _digest(x)
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path)
    ap.add_argument(
        "--cluster-only",
        action="store_true",
        help="skip the in-process run (and the comparison): the cluster's time and memory only",
    )
    ap.add_argument("--phase", choices=("in_process", "cluster"), help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("geo").setLevel(logging.ERROR)
    if args.phase:  # a child process of the run below
        res = _phase(args.phase, args.corpus, args.workers)
        sys.stdout.write(json.dumps(res) + "\n")
        return res

    folder = Path(tempfile.mkdtemp(prefix="bench-corpus-"))
    try:
        t0 = time.perf_counter()
        nbytes = write_corpus(folder, args.docs)
        logger.info("wrote %d documents (%.0f MB) in %.0f s", args.docs, nbytes / 1e6, time.perf_counter() - t0)
        phases = ["cluster"] if args.cluster_only else ["in_process", "cluster"]
        results = {}
        for name in phases:
            # each phase in a fresh process: its own peak memory, and the first phase's memory
            # (12 GB in-process at 100k documents) is not still held when the second runs
            cmd = [sys.executable, __file__, "--phase", name, "--corpus", str(folder), "--workers", str(args.workers)]
            done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out: dict = {"documents": args.docs, "mb_utf8": round(nbytes / 1e6, 1), "workers": args.workers}
    for res in results.values():
        out.update({k: v for k, v in res.items() if not k.startswith("_")})
    out["events"] = results["cluster"]["_events"]
    if "in_process" in results:
        out["speedup"] = round(results["in_process"]["_seconds"] / results["cluster"]["_seconds"], 2)
        out["identical"] = results["in_process"]["_digest"] == results["cluster"]["_digest"]
        out["events_in_process"] = results["in_process"]["_events"]
    text = json.dumps(out, indent=2)
    sys.stdout.write(text + "\n")
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    main()
