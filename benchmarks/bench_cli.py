"""Start-up time of the ``geo`` command: ``geo --help`` and usage errors must take <= 0.3 s.

Run by hand (not part of the tests)::

    python benchmarks/bench_cli.py [--runs 15]

Each command runs ``--runs`` times as a fresh process (wall time, ``time.perf_counter``
around ``subprocess.run``); the table gives the median and the best run. Peers on the
same machine in the same run:

* ``python -c pass``: the interpreter's own start (the floor);
* ``python -m pip --help``: another Python command-line tool;
* ``python -c "import geo.api"``: the eager import that every ``geo`` command paid
  before imports were made lazy (pandas, geopandas, shapely, pyproj ...).

The commands' outputs are checked (exit code, the text expected) so that a fast run is
never a broken one.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

logger = logging.getLogger("bench_cli")

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 0.3


def _geo() -> list[str]:
    exe = Path(sys.executable).with_name("geo")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "geo"]


def _time(cmd: list[str], runs: int, *, code: int, expect: str) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "COLUMNS": "100"})
        times.append(time.perf_counter() - t)
        if r.returncode != code or expect not in r.stdout + r.stderr:
            raise SystemExit(f"{cmd}: exit {r.returncode}, expected {code} and {expect!r}:\n{r.stdout}{r.stderr}")
    return statistics.median(times), min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    geo = _geo()
    py = sys.executable
    cases = [
        ("geo --help", [*geo, "--help"], 0, "usage: geo", True),
        ("geo build --help", [*geo, "build", "--help"], 0, "--no-analysis", True),
        (
            "geo timeline X --as-of someday (bad date)",
            [*geo, "timeline", "X", "--as-of", "someday"],
            2,
            "someday",
            True,
        ),
        (
            "geo export --bbox 1,2,3 (bad box)",
            [*geo, "export", "--format", "csv", "--bbox", "1,2,3", "-o", "x"],
            2,
            "W,S,E,N",
            True,
        ),
        ("geo frobnicate (unknown command)", [*geo, "frobnicate"], 2, "invalid choice", True),
        (
            "geo analyze access --origins 上海 (name, reads the gazetteer)",
            [*geo, "analyze", "access", "--origins", "上海"],
            2,
            "geo list origins",
            False,
        ),
        ("peer: python -c pass", [py, "-c", "pass"], 0, "", False),
        ("peer: python -m pip --help", [py, "-m", "pip", "--help"], 0, "Usage:", False),
        ("peer: python -c 'import geo.api' (the old eager start)", [py, "-c", "import geo.api"], 0, "", False),
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    logger.info(
        "%d runs each; %d CPUs, load average %.2f; %s", args.runs, os.cpu_count() or 0, load, shutil.which("geo") or geo
    )
    logger.info("| command | median s | best s | target |")
    logger.info("| --- | ---: | ---: | --- |")
    failed = []
    floor = None
    for name, cmd, code, expect, targeted in cases:
        med, best = _time(cmd, args.runs, code=code, expect=expect)
        if name.startswith("peer: python -c pass"):
            floor = med
        verdict = ("met" if med <= TARGET_S else "MISSED") if targeted else "—"
        if targeted and med > TARGET_S:
            failed.append(name)
        logger.info("| `%s` | %.3f | %.3f | %s |", name, med, best, verdict)
    if floor:
        logger.info("interpreter floor (python -c pass): %.3f s", floor)
    if failed:
        raise SystemExit(f"over {TARGET_S} s: {', '.join(failed)}")


if __name__ == "__main__":
    main()
