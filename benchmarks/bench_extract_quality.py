"""Extraction quality on the development set and on the seed key (``make eval``).

Runs, from the project folder:

1. the development-set scorer, exactly as its README says::

       python ../shared/devset/make_corpus.py TMP/devcorpus
       .venv/bin/python ../shared/devset/score.py ../shared/devset/key.yaml TMP/devcorpus .venv/bin/geo --details

   (24 real articles the extractor was not written from; the texts stay in ``../shared/devset``);
2. the seed key: ``geo.extract.extract`` over ``seeds/`` scored against
   ``tests/data/seed_key.yaml`` with :func:`geo.extract.quality.score_against_key`.

It prints both summaries, writes the scorer's full ``--details`` output to ``--details-out``
(default ``TMP/devset_details.txt``) and replaces the block between the
``extraction-quality`` markers of ``benchmarks/README.md`` with a table of the figures
(``--no-write`` leaves the README alone).

Usage::

    .venv/bin/python benchmarks/bench_extract_quality.py [--devset ../shared/devset] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "benchmarks" / "README.md"
START = "<!-- extraction-quality:start -->"
END = "<!-- extraction-quality:end -->"
TARGETS = {"mentions_R": 0.92, "events_P": 0.85, "events_R": 0.75, "dates_exact": 0.85, "claims_R": 0.85}
SEED_FLOOR = {"mention_precision": 0.994, "mention_recall": 0.963, "event_precision": 0.988, "event_recall": 0.833}

logger = logging.getLogger(__name__)


def run_devset(devset: Path, work: Path, details_out: Path) -> dict:
    """Build the dev corpus, run the scorer with ``--details --json``; its figures."""
    corpus = work / "devcorpus"
    subprocess.run([sys.executable, str(devset / "make_corpus.py"), str(corpus)], check=True, capture_output=True)
    geo = Path(sys.executable).with_name("geo")
    out_json = work / "devset.json"
    r = subprocess.run(
        [
            sys.executable,
            str(devset / "score.py"),
            str(devset / "key.yaml"),
            str(corpus),
            str(geo),
            "--details",
            "--json",
            str(out_json),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    details_out.write_text(r.stdout + r.stderr, encoding="utf-8")
    if r.returncode != 0:
        raise SystemExit(f"score.py failed ({r.returncode}):\n{r.stderr[-2000:]}")
    total = json.loads(out_json.read_text(encoding="utf-8"))["total"]
    summary = r.stdout.strip().splitlines()[-1]
    return {"total": total, "summary": summary}


def run_seed_key() -> dict:
    """The seed corpus scored against ``tests/data/seed_key.yaml``."""
    from geo.corpus import load_corpus
    from geo.extract import extract
    from geo.extract.quality import score_against_key
    from geo.gazetteer import load_gazetteer
    from geo.io import load_yaml

    key_path = ROOT / "tests" / "data" / "seed_key.yaml"
    key = load_yaml(key_path.read_text(encoding="utf-8"), where=str(key_path), max_bytes=4_000_000)
    x = extract(load_corpus(ROOT / "seeds"), load_gazetteer())
    return score_against_key(x, key)


def _f(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def table(dev: dict, seed: dict) -> str:
    """The Markdown block written into ``benchmarks/README.md``."""
    t = dev["total"]
    c = seed["counts"]
    lines = [
        START,
        f"Measured {dt.date.today().isoformat()} (Python {platform.python_version()}) by "
        "`make eval` (`benchmarks/bench_extract_quality.py`).",
        "",
        "| development set (24 real articles) | value | target |",
        "| --- | ---: | ---: |",
        f"| feature mentions recall (resolved or provisional/unknown) | {_f(t['mentions_R'])} "
        f"({t['feat_resolved'] + t['feat_unknown']}/{t['feat']}) | ≥ {TARGETS['mentions_R']} |",
        f"| status events precision | {_f(t['events_P'])} ({t['tp']}/{t['tev']}) | ≥ {TARGETS['events_P']} |",
        f"| status events recall | {_f(t['events_R'])} ({t['tp']}/{t['kev']}) | ≥ {TARGETS['events_R']} |",
        f"| dates exact (matched events with a key date) | {_f(t['dates_exact'])} "
        f"({t['date_exact']}/{t['dated']}) | ≥ {TARGETS['dates_exact']} |",
        f"| modality (matched events) | {_f(t['modality'])} ({t['mod_ok']}/{t['tp']}) | – |",
        f"| claims recall | {_f(t['claims_R'])} ({t['q_ok']}/{t['kq']}) | ≥ {TARGETS['claims_R']} |",
        "",
        "| seed key (5 seeds) | precision | recall | no lower than |",
        "| --- | ---: | ---: | ---: |",
        f"| mentions | {_f(seed['mention_precision'])} ({c['mentions'][0]}/{c['mentions'][1]}) | "
        f"{_f(seed['mention_recall'])} ({c['mentions'][0]}/{c['mentions'][2]}) | "
        f"{SEED_FLOOR['mention_precision']} / {SEED_FLOOR['mention_recall']} |",
        f"| status events | {_f(seed['event_precision'])} ({c['events'][0]}/{c['events'][1]}) | "
        f"{_f(seed['event_recall'])} ({c['events'][0]}/{c['events'][2]}) | "
        f"{SEED_FLOOR['event_precision']} / {SEED_FLOOR['event_recall']} |",
        f"| claims | {_f(seed['claim_precision'])} | {_f(seed['claim_recall'])} | – |",
        "",
        f"Scorer summary line: `{dev['summary']}`",
        END,
    ]
    return "\n".join(lines)


def write_readme(block: str) -> None:
    """Replace the marked block of ``benchmarks/README.md`` (appended when missing)."""
    text = README.read_text(encoding="utf-8")
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run both evaluations, print them and (unless ``--no-write``) record them."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devset", type=Path, default=ROOT.parent / "shared" / "devset")
    ap.add_argument("--details-out", type=Path, default=None, help="where the scorer's --details output goes")
    ap.add_argument("--no-write", action="store_true", help="do not update benchmarks/README.md")
    args = ap.parse_args(argv)
    if not (args.devset / "score.py").exists():
        raise SystemExit(f"no development set at {args.devset} (score.py missing)")
    with tempfile.TemporaryDirectory(prefix="geo_eval_") as tmp:
        work = Path(tmp)
        details = args.details_out or Path(tempfile.gettempdir()) / "devset_details.txt"
        dev = run_devset(args.devset, work, details)
    seed = run_seed_key()
    block = table(dev, seed)
    print(block)
    print(f"\nscorer details: {details}")
    t = dev["total"]
    missed = [k for k, v in TARGETS.items() if not t[k] >= v]
    low = [k for k, v in SEED_FLOOR.items() if round(seed[k], 3) < v]
    print("dev-set targets:", "met" if not missed else "NOT met: " + ", ".join(missed))
    print("seed key:", "no lower than before" if not low else "LOWER: " + ", ".join(low))
    if not args.no_write:
        write_readme(block)
        print(f"wrote {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
