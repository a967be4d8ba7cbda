"""The ``geo`` command line (also ``python -m geo``).

Every subcommand has ``--help``. Results go to stdout (tables; JSON with ``--json``);
progress, warnings, skipped files and errors go to stderr. Exit codes: 0 success (also
when the reader of a pipe goes away), 1 a failure (bad input, broken data, a failed
check), 2 a usage error (a bad option, date, box or name), 130 interrupted.

Start-up is kept fast (``geo --help`` and usage errors need no pandas or geopandas):
this module imports only the standard library at the top, and each command imports
what it needs. Text that comes from documents is printed with its control characters
escaped, so a document cannot send escape sequences to the terminal.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from geo.errors import GeoError, UsageError

__all__ = ["build_parser", "main", "safe_text"]

logger = logging.getLogger("geo")

#: UsageError messages are cut to this many characters.
MAX_ERROR_CHARS = 300

# C0 (but tab and newline), DEL, C1 controls, and the bidi overrides that reorder what a terminal shows
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def safe_text(text: object) -> str:
    """``text`` with every control character (but tab and newline) shown as an escape.

    ANSI escape sequences, carriage returns and bidi overrides in a document become
    visible text (``\\x1b[31m``) instead of acting on the terminal.
    """
    return _UNSAFE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", str(text))


# ---------------------------------------------------------------------------
# output


class _Display:
    """The progress display on stderr (rich), fed by :mod:`geo.progress` events."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

        self.console = Console(stderr=True, highlight=False)
        self.progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/green]"),
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=24),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=self.console,
            redirect_stdout=False,
            redirect_stderr=False,
            transient=False,
        )
        self.tasks: dict[int, Any] = {}
        self.running = False

    def __call__(self, ev: Any) -> None:
        if not self.running:
            self.progress.start()
            self.running = True
        label = "  " * ev.depth + ev.description
        if ev.kind == "start":
            self.tasks[ev.step_id] = self.progress.add_task(label, total=ev.total)
            return
        task = self.tasks.get(ev.step_id)
        if task is None:
            return
        if ev.kind == "advance":
            self.progress.update(task, completed=ev.completed, description=label)
        else:
            total = ev.total if ev.total is not None else max(ev.completed, 1)
            done = "  " * ev.depth + ev.name + ("" if ev.ok else " (failed)")
            self.progress.update(task, total=total, completed=total if ev.ok else ev.completed, description=done)
            self.progress.stop_task(task)

    def stop(self) -> None:
        if self.running:
            self.progress.stop()
            self.running = False


_display: _Display | None = None


def _stop_display() -> None:
    if _display is not None:
        _display.stop()


def _out(text: str = "") -> None:
    """Print a line of results to stdout (control characters escaped)."""
    _stop_display()  # results come after the work: the progress display is done
    sys.stdout.write(safe_text(text) + "\n")


def _err(text: str) -> None:
    """Print a line to stderr (control characters escaped)."""
    line = safe_text(text)
    if _display is not None and _display.running:
        _display.console.print(line, markup=False, highlight=False, soft_wrap=True)
    else:
        sys.stderr.write(line + "\n")


def _print_json(obj: Any) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=2, default=str)
    _stop_display()
    # json escapes C0 controls itself; C1 controls and bidi overrides become \\u escapes (still valid JSON)
    sys.stdout.write(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n")


def _width(s: str) -> int:
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(c) in "WF" else 1 for c in s)


def _cut(text: object, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` terminal columns (East Asian wide = 2)."""
    s = " ".join(str(text).split())
    if _width(s) <= limit:
        return s
    out, w = [], 0
    for c in s:
        cw = _width(c)
        if w + cw > limit - 1:
            break
        out.append(c)
        w += cw
    return "".join(out) + "…"


def _table(rows: Sequence[Sequence[object]], header: Sequence[str], *, right: Iterable[int] = ()) -> str:
    """A plain-text table aligned in terminal columns (Chinese characters are two wide)."""
    cells = [[safe_text(" ".join(str(c).split())) for c in r] for r in rows]  # quotes may hold line breaks
    head = [safe_text(h) for h in header]
    widths = [max(_width(r[i]) for r in [head, *cells]) for i in range(len(head))]
    right = set(right)

    def fmt(r: list[str]) -> str:
        parts = []
        for i, c in enumerate(r):
            pad = " " * (widths[i] - _width(c))
            parts.append(pad + c if i in right else c + pad)
        return "  ".join(parts).rstrip()

    return "\n".join(fmt(r) for r in [head, ["-" * x for x in widths], *cells])


def _minutes(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "—"
    return "—" if f != f else f"{f:.0f}"


def _signed(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return ""
    return "" if f != f else f"{f:+.1f}"


def _when(date: Any, precision: str | None) -> str:
    """A date as precise as it is known: ``2022`` for a year, ``2021-06`` for a month."""
    from geo.dates import format_date, to_date

    d = to_date(date)
    if d is None:
        return "?"
    if precision in ("deadline",):
        return f"by {d.isoformat()}"
    return format_date(d, precision or "day")


def _report_warnings(warnings: Sequence[str], args: argparse.Namespace) -> None:
    """The one place that reports skipped files and document warnings: stderr, a line each, a count."""
    if not warnings or getattr(args, "quiet", False):
        return
    skipped = [w for w in warnings if "skipped" in w]
    for w in warnings:
        _err(f"{'skipped' if w in skipped else 'warning'}: {w}")
    others = len(warnings) - len(skipped)
    parts = [f"{len(skipped)} file{'s' if len(skipped) != 1 else ''} skipped"] if skipped else []
    if others:
        parts.append(f"{others} warning{'s' if others != 1 else ''}")
    _err(f"geo {args.command}: " + ", ".join(parts))


def _state(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """Read the corpus (``--corpus`` or the default) and extract it, reporting skipped files."""
    from geo.api import load_corpus, state

    corpus = load_corpus(args.corpus)
    c, gaz, x = state(corpus)
    _report_warnings([*c.warnings, *x.warnings], args)
    return c, gaz, x


def _gazetteer() -> Any:
    from geo.api import gazetteer

    return gazetteer()


# ---------------------------------------------------------------------------
# argument types


def _date_arg(text: str) -> _dt.date:
    """argparse type for ``--as-of``: YYYY, YYYY-MM or YYYY-MM-DD (end of period)."""
    from geo.dates import parse_as_of

    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _bbox_arg(text: str) -> tuple[float, float, float, float]:
    """argparse type for ``--bbox``: ``W,S,E,N`` in WGS84 degrees (lon, lat, lon, lat)."""
    try:
        w, s, e, n = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give four numbers W,S,E,N (degrees)") from None
    for name, lat in (("south", s), ("north", n)):
        if not -90 <= lat <= 90:
            raise argparse.ArgumentTypeError(
                f"{text!r}: {name} {lat:g} is not a latitude (the order is W,S,E,N = lon,lat,lon,lat)"
            )
    for name, lon in (("west", w), ("east", e)):
        if not -180 <= lon <= 180:
            raise argparse.ArgumentTypeError(f"{text!r}: {name} {lon:g} is not a longitude")
    if w > e or s > n:
        raise argparse.ArgumentTypeError(f"{text!r}: west must not exceed east, nor south north")
    return (w, s, e, n)


def _csv_choices(text: str, choices: Sequence[str], what: str, see: str) -> list[str]:
    from geo.errors import unknown_name_message

    items = [s.strip() for s in text.split(",") if s.strip()]
    for item in items:
        if item not in choices:
            raise UsageError(unknown_name_message(item, list(choices), what=what, see=see))
    return items


def _scheduler_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scheduler",
        metavar="SPEC",
        default=None,
        help="run on dask: local (one worker per core), local:N, or tcp://HOST:PORT of an existing "
        "cluster's scheduler (extra 'scale'); results are identical to the default in-process run",
    )


# ---------------------------------------------------------------------------
# commands


def _cmd_corpus(args: argparse.Namespace) -> int:
    from geo.api import load_corpus

    corpus = load_corpus(args.corpus)
    if args.json:
        _print_json(
            {"corpus": str(corpus.path), "documents": [d.to_dict() for d in corpus], "warnings": corpus.warnings}
        )
    else:
        rows = [
            [
                d.doc_id,
                _when(d.published, d.published_precision) if d.published else "?",
                d.published_precision,
                _cut(d.title, 40),
                str(len(d.text)),
                str(len(d.warnings)),
            ]
            for d in corpus
        ]
        _out(f"{len(corpus)} documents in {corpus.path}")
        _out(_table(rows, ["id", "published", "precision", "title", "chars", "warnings"], right=[4, 5]))
    _report_warnings(corpus.warnings, args)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from geo.gazetteer import load_gazetteer
    from geo.validate import check_gazetteer

    gaz = load_gazetteer(args.gazetteer)
    problems = check_gazetteer(gaz)
    if args.json:
        _print_json({"features": len(gaz), "problems": [p.__dict__ for p in problems]})
    else:
        for p in problems:
            _out(str(p))
        _out(f"{len(gaz)} features checked, {len(problems)} problem(s)")
    return 1 if problems else 0


def _written(result: dict[str, Any]) -> None:
    """What a build wrote: one line per folder, and every file with ``-v``."""
    for key, what in (("layers", "layers"), ("tables", "tables"), ("maps", "maps")):
        paths = [Path(p) for p in result.get(key, [])]
        if not paths:
            continue
        folders = sorted({str(p.parent) for p in paths})
        _out(f"wrote {len(paths)} {what} to {', '.join(folders)}: {' '.join(p.name for p in paths)}")


def _cmd_layers(args: argparse.Namespace) -> int:
    from geo.build import build

    if args.from_postgis:
        from geo.layers import write_layers
        from geo.postgis import read_postgis

        back = read_postgis(args.from_postgis, schema=args.schema)
        for path in write_layers(back, args.out, readme=False):
            _out(str(path))
        return 0

    result = build(args.corpus, layers_dir=args.out, maps_dir=None, as_of=args.as_of, analysis=False, check=False)
    _report_warnings(result["warnings"], args)
    for path in result["layers"]:
        _out(str(path))
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from geo.build import build

    result = build(
        args.corpus,
        layers_dir=args.layers,
        maps_dir=None if args.no_maps else args.maps,
        as_of=args.as_of,
        basemap=args.basemap,
        offline=not args.online_assets,
        analysis=not args.no_analysis,
        scheduler=args.scheduler,
    )
    _out(f"corpus: {result['documents']} documents from {result['corpus']}")
    _report_warnings(result["warnings"], args)
    _written(result)
    problems = result.get("problems", [])
    for p in problems:
        _err(f"check: {p}")
    return 1 if problems else 0


def _cmd_extract(args: argparse.Namespace) -> int:
    if args.scheduler:
        from geo import distributed
        from geo.api import default_corpus_path
        from geo.gazetteer import load_gazetteer

        with distributed.scheduler_client(args.scheduler) as client:
            link = distributed.dashboard_link(client)
            if link:
                _err(f"dask dashboard: {link}")
            corpus = distributed.load_corpus(args.corpus or default_corpus_path(), client=client)
            x = distributed.extract(corpus, load_gazetteer(), client=client)
        _report_warnings([*corpus.warnings, *x.warnings], args)
    else:
        corpus, _, x = _state(args)
    if args.json:
        data = x.to_json()
        if not args.unknown:
            data.pop("unknowns", None)
        if args.full_text:
            # each mention's whole sentence instead of the capped snippet (unbounded output)
            texts = {d.doc_id: d.text for d in corpus}
            for m in data["mentions"]:
                s, e = m.get("sentence_start"), m.get("sentence_end")
                if s is not None and e is not None and m["doc_id"] in texts:
                    m["sentence"] = texts[m["doc_id"]][s:e].strip()
        _print_json(data if not args.unknown else {"unknowns": data["unknowns"]})
        return 0
    if args.unknown:
        rows = [
            [
                u.name,
                u.suffix,
                str(u.count),
                str(len(getattr(u, "docs", None) or ())),
                getattr(u, "feature_id", None) or "-",
                _cut(u.contexts[0]["sentence"], 50) if u.contexts else "",
            ]
            for u in x.unknowns
        ]
        _out(
            f"{len(rows)} infrastructure-like names not in the gazetteer "
            f"({len(x.provisional)} provisional features; `geo gazetteer stub NAME` to promote one)"
        )
        _out(
            _table(rows, ["candidate", "suffix", "count", "docs", "provisional feature", "first context"], right=[2, 3])
        )
        return 0
    _out(
        f"{len(x.mentions)} mentions of {len({m.feature_id for m in x.mentions})} features, "
        f"{len(x.events)} status events, {len(x.claims)} claims, {len(x.unknowns)} unknown names "
        f"(--json for everything, --unknown for the names)"
    )
    rows = [
        [e.doc_id[:3], e.feature_id, e.status, e.modality, _when(e.date, e.precision), _cut(e.quote, 40)]
        for e in x.events
    ]
    _out()
    _out(_table(rows, ["doc", "feature", "status", "modality", "date", "quote"]))
    rows = [[c.doc_id[:3], c.topic, f"{c.value:g}", c.unit, c.counted or "", _cut(c.quote, 40)] for c in x.claims]
    _out()
    _out(_table(rows, ["doc", "topic", "value", "unit", "counted", "quote"], right=[2]))
    return 0


def _cmd_gazetteer_stub(args: argparse.Namespace) -> int:
    from geo.extract.normalise import normalise_text
    from geo.extract.provisional import gazetteer_stub

    name = normalise_text(args.name).strip()
    if not name:
        raise UsageError("NAME is empty")
    feature = None
    if args.corpus is not None:
        _, _, x = _state(args)
        hits = [p for p in x.provisional.values() if p.name_zh == name]
        feature = max(hits, key=lambda p: (p.mention_count, p.id)) if hits else None
        if feature is None:
            _err(f"no provisional feature named {name!r} in the corpus; a bare stub follows")
    try:
        _out(gazetteer_stub(name, kind=args.kind, feature=feature).rstrip("\n"))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _cmd_timeline(args: argparse.Namespace) -> int:
    from geo.api import feature_timeline

    feature = _resolve_feature(args.feature)  # a bad name fails before the corpus is read
    corpus, _, _ = _state(args)
    t = feature_timeline(feature, corpus=corpus, as_of=args.as_of)
    if args.json:
        _print_json(t)
        return 0
    _out(f"{t['name_zh']} ({t['name_en']}) [{t['id']}]")
    since = f" since {_when(t['status_date'], t.get('status_precision'))}" if t.get("status_date") else ""
    _out(f"status as of {t['as_of']}: {t['status']}{since}")
    for ev in sorted(t["timeline"], key=lambda e: (str(e.get("date")), str(e.get("status")))):
        flag = "" if ev.get("modality") == "actual" else " (expected)"
        _out(f"  {_when(ev['date'], ev.get('precision'))} [{ev.get('precision')}] {ev['status']}{flag}")
        seen: set[tuple[str, str]] = set()
        for c in ev.get("citations") or [{"doc_id": ev.get("doc_id"), "quote": ev.get("quote")}]:
            quote = " ".join(str(c.get("quote") or "").split())
            key = (str(c.get("doc_id")), quote.rstrip("。；;，,.!！ "))
            if key in seen:  # the same sentence cited twice by one document
                continue
            seen.add(key)
            _out(f"      {c.get('doc_id')}: “{quote}”")
    _out(f"{t.get('mention_count', 0)} mentions in {len(t.get('docs') or [])} documents")
    return 0


def _resolve_feature(name: str) -> str:
    """A feature's id from its id, name or alias; a usage error pointing at ``geo list features``."""
    from geo.errors import UnknownFeatureError

    try:
        return str(_gazetteer().resolve(name).id)
    except UnknownFeatureError as exc:
        raise UnknownFeatureError(f"{exc} (`geo list features` lists them)") from None


def _cmd_network(args: argparse.Namespace) -> int:
    from collections import Counter

    from geo.api import check_output_path, network_as_of

    out = check_output_path(args.out) if args.out else None
    if args.osm and not Path(args.osm).is_file():
        raise UsageError(f"--osm {args.osm}: no such file")
    corpus, _, _ = _state(args)
    G = network_as_of(
        args.as_of, osm=args.osm, online=args.online, include_expected=args.include_expected, corpus=corpus
    )
    modes = Counter(d.get("mode") for _, _, d in G.edges(data=True))
    info: dict[str, Any] = {
        "as_of": G.graph.get("as_of"),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "edges_by_mode": dict(sorted(modes.items(), key=lambda kv: str(kv[0]))),
    }
    if out is not None:
        import osmnx as ox

        from geo import progress
        from geo.io import atomic_paths, remove_stale_temp

        remove_stale_temp(out.parent if str(out.parent) else ".")
        with progress.step("writing GraphML"), atomic_paths([out]) as staged:
            ox.save_graphml(G, filepath=staged[out])
        info["graphml"] = str(out)
    if args.json:
        _print_json(info)
    else:
        for k, v in info.items():
            _out(f"{k}: {v}")
    return 0


def _cmd_osm(args: argparse.Namespace) -> int:
    if args.osm_command == "download":
        from geo.network.osm import download_osm

        path = download_osm(args.output, bbox=args.bbox, cache_folder=args.cache)
        _out(f"wrote {path}")
        return 0
    from geo.api import layers_as_of
    from geo.conflate import conflate_layers, match_osm, match_table, way_features
    from geo.network.osm import graph_from_extract, read_osm

    if not Path(args.file).is_file():
        raise UsageError(f"{args.file}: no such file")
    corpus, _, _ = _state(args)
    lay = layers_as_of(args.as_of, corpus=corpus)
    ext = read_osm(args.file, progress=None)
    matches = match_osm(lay, ext)
    table = match_table(matches)
    if args.out:
        from geo.layers import write_layers

        roads = graph_from_extract(ext, features=way_features(matches))
        for path in write_layers(conflate_layers(lay, ext, matches, road_graph=roads), args.out):
            _err(f"wrote {path}")
    if args.json:
        _print_json({"file": str(args.file), "matches": json.loads(table.to_json(orient="records", force_ascii=False))})
        return 0
    shown = table if args.all else table[table["status"] != "unmatched"]
    rows = [
        [
            r.feature_id,
            r.status,
            f"{r.score:.2f}",
            r.osm_type + " " + r.osm_ids if r.osm_ids else "",
            "" if r.mean_m is None or r.mean_m != r.mean_m else f"{r.mean_m:.0f}",
            "" if r.max_m is None or r.max_m != r.max_m else f"{r.max_m:.0f}",
            r.note,
        ]
        for r in shown.itertuples()
    ]
    _out(_table(rows, ["feature", "status", "score", "osm", "mean_m", "max_m", "note"]))
    counts = table["status"].value_counts().to_dict()
    _out(", ".join(f"{counts.get(s, 0)} {s}" for s in ("matched", "ambiguous", "unmatched")))
    return 0


def _crossborder(args: argparse.Namespace) -> int:
    from geo import progress
    from geo.analysis.crossborder import crossborder_report
    from geo.api import layers_as_of

    corpus, _, x = _state(args)
    claims = x.claims_json()
    shown = claims if args.all_claims else [c for c in claims if c.get("topic") == "transport"]
    with progress.step("cross-border links"):
        rep = crossborder_report(
            layers_as_of(args.as_of, corpus=corpus),
            shown,
            as_of=args.as_of or x.latest_date(),
            include_expected=args.include_expected,
        )
    if args.json:
        _print_json(rep["summary"])
        return 0
    counts = rep["counts"]
    _out(
        f"links crossing the Tongzhou–Hebei boundary or the 潮白河 as of {rep['summary'].get('as_of')}: "
        + ", ".join(f"{v['count']} {k}" for k, v in counts.items() if v["count"])
        + f". {len(shown)} of the corpus's {len(claims)} claims are "
        + ("listed" if args.all_claims else "transport claims (--all-claims for the rest)")
        + "; each is compared with the links mapped on its document's date."
    )
    _out()
    _out(
        _table(
            [[k, str(v["count"]), _cut(", ".join(v["feature_ids"]), 70)] for k, v in counts.items()],
            ["class", "links", "features"],
            right=[1],
        )
    )
    comp = rep["comparison"]
    rows = [
        [
            str(r["doc_id"])[:3],
            str(r["as_of"]),
            _cut(r["counted"] or "", 12),
            str(r["class"] or "—"),
            f"{r['claimed']:g}" if r["claimed"] == r["claimed"] and r["claimed"] is not None else "",
            "" if r["mapped"] is None or r["mapped"] != r["mapped"] else f"{r['mapped']:g}",
            _cut(r["quote"], 30),
        ]
        for r in comp.to_dict("records")
    ]
    _out()
    _out(_table(rows, ["doc", "as of", "counted", "class", "claimed", "mapped", "quote"], right=[4, 5]))
    return 0


def _access(args: argparse.Namespace) -> int:
    from geo import progress
    from geo.analysis import accessibility as acc
    from geo.api import network_as_of, resolve_places

    origins = resolve_places(args.origins, kind="origin")  # names checked before any heavy work
    destinations = resolve_places(args.destinations, kind="destination")
    _check_chains(args.chains)
    corpus, _, _ = _state(args)
    G = network_as_of(args.as_of, include_expected=args.include_expected, corpus=corpus)
    if args.opportunities:
        return _print_opportunities(args, G, corpus)
    with progress.step("travel times"):
        od = acc.travel_times(G, origins=origins, destinations=destinations, chains=args.chains)
        circle = acc.half_hour_rail_circle(G, origins=origins)
    if args.json:
        _print_json(
            {
                "as_of": G.graph.get("as_of"),
                "od": json.loads(od.drop(columns=["time_s"]).to_json(orient="records", force_ascii=False)),
                "rail_circle": circle,
            }
        )
        return 0
    reach = od[od["time_min"].notna()]
    best = reach.loc[reach.groupby("origin")["time_min"].idxmin()] if len(reach) else reach
    fastest = ", ".join(f"{r.origin} {r.time_min:.0f} min to {r.destination} by {r.chain}" for r in best.itertuples())
    unreachable = int(od["time_min"].isna().sum())
    _out(
        f"Door-to-door travel time in minutes as of {G.graph.get('as_of')} from {od['origin'].nunique()} origins "
        f"to {od['destination'].nunique()} destinations by {', '.join(args.chains)}; "
        f"{unreachable} of {len(od)} trips unreachable (—). Fastest per origin: {fastest or 'none'}."
    )
    chains = [c for c in args.chains if c in set(od["chain"])]
    table = od.set_index(["origin", "destination", "chain"])["time_min"]
    rows = [
        [origin, destination, *(_minutes(table.get((origin, destination, c))) for c in chains)]
        for origin in dict.fromkeys(od["origin"])
        for destination in dict.fromkeys(od["destination"])
    ]
    _out()
    _out(_table(rows, ["origin", "destination", *chains], right=range(2, 2 + len(chains))))
    rows = [
        [
            r.get("origin", ""),
            _minutes(r.get("time_min")),
            _minutes(r.get("access_min")),
            _minutes(r.get("in_vehicle_min")),
            "yes" if r.get("holds") else "no",
            str(r.get("via") or "—"),
        ]
        for r in circle.get("rows", [])
    ]
    if rows:
        _out()
        _out(
            f"half-hour rail circle (seed 001's claim): holds door to door for "
            f"{', '.join(circle.get('holds_for') or []) or 'no origin'} (threshold {circle.get('threshold_min')} min)"
        )
        _out(_table(rows, ["origin", "door to door", "access", "in vehicle", "holds", "via"], right=[1, 2, 3]))
    return 0


def _check_chains(chains: Sequence[str]) -> None:
    from geo.network.policy import load_assumptions

    known = sorted((load_assumptions(None).get("mode_chains") or {}).keys())
    for c in chains:
        if known and c not in known:
            from geo.errors import unknown_name_message

            raise UsageError(unknown_name_message(c, known, what="mode chain", see="geo list chains"))


def _structure(args: argparse.Namespace) -> int:
    from geo import progress
    from geo.analysis import structure
    from geo.api import layers_as_of, network_as_of

    corpus, _, _ = _state(args)
    G = network_as_of(args.as_of, include_expected=args.include_expected, corpus=corpus)
    with progress.step("network structure"):
        rep = structure.report(G, layers_as_of(args.as_of, corpus=corpus), chains=("rail", "car"), top=10)
    out = rep["summary"]
    impact, bott, dead = rep["removal_impact"], rep["bottlenecks"], rep["crossborder_dead_ends"]
    if args.json:
        _print_json(out)
        return 0
    _out(
        f"network as of {out['as_of']}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges; "
        f"{len(out['bridges'])} graph bridges, {len(out['articulation_points'])} articulation points, "
        f"{len(dead)} cross-border dead ends."
    )
    rows = [
        [m, str(c.get("n_nodes")), str(c.get("n_edges")), str(c.get("n_weak")), str(c.get("largest_weak"))]
        for m, c in sorted(out["components"].items())
    ]
    _out()
    _out(_table(rows, ["mode", "nodes", "edges", "weak components", "largest"], right=[1, 2, 3, 4]))
    for chain, df in impact.items():
        _out(f"\nlinks whose removal costs the origins most ({chain}; minutes summed over origin × destination):")
        _out(_frame(df))
    _out("\nbottlenecks (edge betweenness, travel-time weighted):")
    _out(_frame(bott))
    _out("\ncross-border dead ends (roads reaching the boundary from one side only):")
    _out(_frame(dead.drop(columns="geometry")) if len(dead) else "none")
    return 0


def _frame(df: Any, *, limit: int = 40) -> str:
    """A DataFrame as an aligned table (numbers right-aligned, long text cut)."""
    import pandas as pd

    cols = list(df.columns)
    numeric = [i for i, c in enumerate(cols) if pd.api.types.is_numeric_dtype(df[c])]
    rows = []
    for rec in df.itertuples(index=False):
        row = []
        for i, v in enumerate(rec):
            if i in numeric and isinstance(v, float):
                row.append("" if v != v else f"{v:.1f}")
            else:
                row.append(_cut(v if not isinstance(v, list | tuple) else ", ".join(map(str, v)), limit))
        rows.append(row)
    return _table(rows, [str(c) for c in cols], right=numeric)


def _scenario(args: argparse.Namespace) -> int:
    from geo.analysis import scenarios
    from geo.api import layers_as_of, network_as_of

    if args.without:
        ids = [_resolve_feature(f) for f in args.without]  # before any heavy work
        corpus, _, _ = _state(args)
        G = network_as_of(args.as_of, include_expected=args.include_expected, corpus=corpus)
        res = scenarios.compare_without(G, ids, keep_services=args.keep_services)
        what = f"without {', '.join(ids)} (as of {G.graph.get('as_of')})"
    else:
        if not (args.before and args.after):
            raise UsageError("scenario needs --before DATE and --after DATE, or --without FEATURE")
        if args.before > args.after:
            raise UsageError(f"--before {args.before} is after --after {args.after}")
        corpus, _, _ = _state(args)
        res = scenarios.compare_dates(
            layers_as_of(args.after, corpus=corpus),
            args.before,
            args.after,
            include_expected=args.include_expected,
        )
        what = f"from {args.before} to {args.after}"
    if args.json:
        _print_json(res["summary"])
        return 0
    table = res["table"]
    if res["summary"].get("note"):
        _out(res["summary"]["note"])
    _out(_scenario_summary(table, what))
    changed = table[(table["delta_min"].abs() >= 0.05) | table["newly_reachable"] | table["newly_unreachable"]]
    shown = table if args.all_rows else changed
    if len(shown):
        rows = [
            [
                r.origin,
                r.destination,
                r.chain,
                _minutes(r.before_min),
                _minutes(r.after_min),
                "new" if r.newly_reachable else ("lost" if r.newly_unreachable else _signed(r.delta_min)),
            ]
            for r in shown.itertuples()
        ]
        _out()
        _out(_table(rows, ["origin", "destination", "chain", "before", "after", "change"], right=[3, 4, 5]))
    if not args.all_rows and len(table) > len(changed):
        _out(f"({len(table) - len(changed)} unchanged trips not shown; --all-rows shows them)")
    return 0


def _scenario_summary(table: Any, what: str) -> str:
    """One paragraph: how many trips changed, the biggest gains and losses, newly (un)reachable."""
    n = len(table)
    delta = table["delta_min"]
    faster = table[delta <= -0.05].sort_values("delta_min")
    slower = table[delta >= 0.05].sort_values("delta_min", ascending=False)
    new = table[table["newly_reachable"]]
    lost = table[table["newly_unreachable"]]
    text = f"Scenario {what}: of {n} origin × destination × mode trips, {len(faster)} get faster, {len(slower)} slower"
    text += f", {len(new)} become reachable and {len(lost)} unreachable"
    if len(faster):
        r = faster.iloc[0]
        text += f"; the biggest gain is {r.origin} → {r.destination} by {r.chain} ({r.delta_min:+.0f} min)"
    if len(slower):
        r = slower.iloc[0]
        text += f"; the biggest loss is {r.origin} → {r.destination} by {r.chain} ({r.delta_min:+.0f} min)"
    if len(new):
        text += "; newly reachable: " + ", ".join(sorted({f"{r.origin} ({r.chain})" for r in new.itertuples()}))
    if not (len(faster) or len(slower) or len(new) or len(lost)):
        text += "; nothing changes"
    return text + "."


def _cmd_analyze(args: argparse.Namespace) -> int:
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "access": _access,
        "crossborder": _crossborder,
        "structure": _structure,
        "scenario": _scenario,
    }
    run = commands.get(args.analysis)
    if run is None:
        raise UsageError(f"unknown analysis {args.analysis!r}")
    return run(args)


def _print_opportunities(args: argparse.Namespace, G: Any, corpus: Any) -> int:
    """``geo analyze access --opportunities``: cumulative opportunities on the cell-to-cell matrix."""
    from geo import distributed
    from geo.analysis import accessibility as acc
    from geo.analysis.pipeline import focus_area
    from geo.api import layers_as_of
    from geo.schema import opportunity_column

    weights = None
    if args.weights:
        weights = _read_weights(Path(args.weights))
    with distributed.scheduler_client(args.scheduler) as client:
        link = distributed.dashboard_link(client)
        if link:
            _err(f"dask dashboard: {link}")
        opp = acc.cumulative_opportunities(
            G,
            chains=args.chains,
            thresholds_min=args.thresholds,
            resolution=args.resolution,
            area=focus_area(layers_as_of(args.as_of, corpus=corpus)),
            weights=weights,
            weight_name=Path(args.weights).stem if args.weights else None,
            client=client,
            od_dir=args.od_out,
        )
    ths = opp.attrs["thresholds_min"]
    if args.out:
        from geo.export import export_layers

        for p in export_layers(
            {"access_opportunities": opp.drop(columns=["lon", "lat"])}, args.out, fmt=_fmt(args.out)
        ):
            _err(f"wrote {p}")
    summary = {
        "as_of": G.graph.get("as_of"),
        "cells": len(opp),
        "resolution": args.resolution,
        "weight": opp.attrs["weight"],
        "total_weight": opp.attrs["total_weight"],
        "od_parquet": args.od_out,
        "by_chain": {
            c: {
                f"{t:g}": {
                    "mean": round(float(opp[opportunity_column(c, t)].mean()), 2),
                    "median": float(opp[opportunity_column(c, t)].median()),
                    "max": float(opp[opportunity_column(c, t)].max()),
                }
                for t in ths
            }
            for c in opp.attrs["chains"]
        },
    }
    if args.json:
        _print_json(summary)
        return 0
    what = "cells" if not args.weights else opp.attrs["weight"]
    _out(
        f"cumulative opportunities as of {summary['as_of']}: {what} reachable from each of {len(opp)} H3 cells "
        f"(resolution {args.resolution}), mean / median / max"
    )
    rows = [
        [c, *[f"{v['mean']:g} / {v['median']:g} / {v['max']:g}" for v in summary["by_chain"][c].values()]]
        for c in summary["by_chain"]
    ]
    _out(_table(rows, ["chain", *[f"≤ {t:g} min" for t in ths]]))
    return 0


def _fmt(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return {".gpkg": "gpkg", ".parquet": "parquet", ".csv": "csv", ".pmtiles": "pmtiles"}.get(suffix, "geojson")


def _read_weights(path: Path) -> dict[str, float]:
    """A CSV of ``h3,weight`` rows (a header line; other columns ignored)."""
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise UsageError(f"--weights {path}: {exc.strerror or exc}") from None
    if not rows or not {"h3", "weight"} <= set(rows[0]):
        raise UsageError(f"--weights {path}: needs a header with the columns h3 and weight")
    out = {}
    for i, r in enumerate(rows, start=2):
        try:
            out[str(r["h3"]).strip()] = float(r["weight"])
        except (TypeError, ValueError):
            raise UsageError(f"--weights {path}, line {i}: weight {r.get('weight')!r} is not a number") from None
    return out


def _cmd_map(args: argparse.Namespace) -> int:
    from geo.build import build

    result = build(
        args.corpus,
        layers_dir=None,
        maps_dir=args.out,
        as_of=args.as_of,
        basemap=args.basemap,
        offline=not args.online_assets,
        analysis=not args.no_analysis,
        check=False,
    )
    _report_warnings(result["warnings"], args)
    _written(result)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.api import check_output_path, save_layers
    from geo.schema import FEATURE_STATUSES, LAYER_NAMES

    if args.format == "postgis":
        if not args.dsn:
            raise UsageError("--format postgis needs --dsn postgresql://USER@HOST/DB")
    elif args.output is None:
        raise UsageError(f"--format {args.format} needs -o PATH")
    elif args.dsn:
        raise UsageError("--dsn is for --format postgis")
    else:
        check_output_path(args.output)
    layers = _csv_choices(args.layers, LAYER_NAMES, "layer", "geo list layers") if args.layers else None
    status = _csv_choices(args.status, FEATURE_STATUSES, "status", "geo list statuses") if args.status else None
    if args.within:
        _resolve_feature(args.within)
    corpus, _, _ = _state(args)
    paths = save_layers(
        args.output,
        fmt=args.format,
        layers=layers,
        as_of=args.as_of,
        status=status,
        bbox=args.bbox,
        within=args.within,
        crs=args.crs,
        gcj02=args.gcj02,
        corpus=corpus,
        dsn=args.dsn,
        minzoom=args.minzoom,
        maxzoom=args.maxzoom,
    )
    if args.format in ("postgis", "pmtiles"):
        for p in paths:
            _out(f"wrote {p}")
        return 0
    from geo.export import read_back

    total = 0
    for p in paths:
        n = sum(len(g) for g in read_back(p).values())
        total += n
        _out(f"wrote {p} ({n} features)")
    if total == 0:
        _err("warning: no feature matched the filters (layers, status, date, area)")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from geo.config import default_study

    what = args.what
    study = default_study()
    rows: list[list[str]]
    if what in ("origins", "destinations"):
        labels = study.origins if what == "origins" else study.destinations
        gaz = _gazetteer()
        rows = [[label, fid, gaz.features[fid].name_en if fid in gaz.features else ""] for label, fid in labels.items()]
        header = ["name", "feature id", "English"]
        note = "any gazetteer feature with a centre (an id, name or alias) works too"
    elif what == "features":
        gaz = _gazetteer()
        feats = [f for _, f in sorted(gaz.features.items()) if not args.theme or f.theme == args.theme]
        rows = [[f.id, f.name_zh, _cut(f.name_en, 40), f.theme, f.kind] for f in feats]
        header = ["id", "name", "English", "theme", "kind"]
        note = "`geo timeline NAME` gives a feature's history; names, aliases and traditional characters work"
    elif what == "chains":
        from geo.network.policy import load_assumptions

        chains = load_assumptions(None).get("mode_chains") or {}
        rows = [[k, _cut(json.dumps(v, ensure_ascii=False, default=str), 80)] for k, v in sorted(chains.items())]
        header = ["chain", "definition (geo/data/assumptions.yaml)"]
        note = ""
    elif what == "layers":
        from geo.schema import ANALYSIS_LAYERS, LAYER_NAMES

        rows = [[n, "theme"] for n in LAYER_NAMES] + [[n, "analysis"] for n in ANALYSIS_LAYERS]
        header = ["layer", "kind"]
        note = "`geo export --layers` takes the theme layers"
    else:  # statuses
        from geo.schema import FEATURE_STATUSES

        rows = [[s] for s in FEATURE_STATUSES]
        header = ["status"]
        note = ""
    if args.json:
        _print_json([dict(zip(header, r, strict=True)) for r in rows])
        return 0
    _out(_table(rows, header))
    if note:
        _out(f"({len(rows)} {what}; {note})")
    return 0


# ---------------------------------------------------------------------------
# parser


def _global_options(p: argparse.ArgumentParser, *, top: bool) -> None:
    """``-v``/``-q``, accepted before and after the subcommand."""
    kw: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    p.add_argument(
        "-v",
        "--verbose",
        action="count",
        help="log what happens (-vv: debug)",
        **({"default": 0} if top else kw),
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress display, warnings or skipped-file report (errors still print)",
        **({"default": False} if top else kw),
    )


def _add_common(p: argparse.ArgumentParser, *, corpus: bool = True, json_flag: bool = True) -> None:
    _global_options(p, top=False)
    if corpus:
        p.add_argument(
            "--corpus",
            default=None,
            metavar="DIR",
            help="corpus folder of .txt/.md/.html documents (default: ./seeds if it exists, "
            "else the seed corpus shipped with the package)",
        )
    if json_flag:
        p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument(
        "--study",
        metavar="FILE",
        default=None,
        help="study configuration (area, origins, destinations, scenarios, map defaults); "
        "default: the package's geo/data/study.yaml",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``geo`` command."""
    parser = argparse.ArgumentParser(
        prog="geo",
        description="Map and analyse the integration of Beijing's sub-center (Tongzhou) with the "
        "North Three Counties and Pinggu's neighbours, from policy news.",
        epilog="Exit codes: 0 success, 1 failure, 2 usage error. `geo COMMAND --help` for a command's options.",
    )
    _global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "corpus",
        help="list the documents of a corpus",
        description="Read a corpus folder and list its documents: id, publication date "
        "and its precision, title, characters, warnings.",
    )
    _add_common(p)
    p.set_defaults(func=_cmd_corpus)

    p = sub.add_parser(
        "build",
        help="run the whole pipeline: layers, analyses, maps",
        description="Read the corpus, extract features, events and claims, write the "
        "GeoJSON layers, run the analyses and publish the maps. Outputs are replaced as a set "
        "(MANIFEST.sha256 in each output folder).",
    )
    _add_common(p, json_flag=False)
    p.add_argument("--layers", default="layers", metavar="DIR", help="output folder for layers (default: layers)")
    p.add_argument("--maps", default="maps", metavar="DIR", help="output folder for maps (default: maps)")
    p.add_argument(
        "--as-of",
        type=_date_arg,
        metavar="DATE",
        help="status date for the layers (YYYY, YYYY-MM or YYYY-MM-DD; a year or month means its "
        "last day; default: latest in corpus)",
    )
    p.add_argument(
        "--basemap",
        default="osm",
        choices=["osm", "gaode", "tianditu", "none"],
        help="basemap of the maps (default: osm)",
    )
    p.add_argument(
        "--online-assets",
        action="store_true",
        help="link Leaflet assets from a CDN instead of inlining them (default: offline)",
    )
    p.add_argument("--no-maps", action="store_true", help="do not write maps")
    p.add_argument(
        "--no-analysis", action="store_true", help="skip the network analyses (no access layers, tables or access map)"
    )
    _scheduler_arg(p)
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "layers",
        help="write the GeoJSON layers only",
        description="Write layers/<theme>.geojson (RFC 7946) from the gazetteer and the corpus.",
    )
    _add_common(p, json_flag=False)
    p.add_argument("--out", default="layers", metavar="DIR", help="output folder (default: layers)")
    p.add_argument("--as-of", type=_date_arg, metavar="DATE", help="status date (default: latest in corpus)")
    p.add_argument("--from-postgis", metavar="DSN", help="read the layers of a PostGIS export instead of the corpus")
    p.add_argument("--schema", default="jjj_atlas", help="--from-postgis: the schema (default jjj_atlas)")
    p.set_defaults(func=_cmd_layers)

    p = sub.add_parser(
        "check",
        help="validate the gazetteer",
        description="Check every gazetteer record: valid geometry inside the study area, "
        "stations on their lines, bridges over their rivers, cross-border "
        "roads across the boundary, OSM stations within 50 m, unique names.",
    )
    p.add_argument(
        "--gazetteer",
        default=None,
        metavar="PATH",
        help="a gazetteer YAML file or folder (default: the package gazetteer)",
    )
    _add_common(p, corpus=False)
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser(
        "extract",
        help="mentions, dated status events, claims, unknown names",
        description="Find every gazetteer feature the corpus mentions, its status events "
        "(with modality and resolved dates) and quantitative claims, each with "
        "its document and quote. --unknown lists names that look like "
        "infrastructure but are not in the gazetteer.",
    )
    _add_common(p)
    p.add_argument("--unknown", action="store_true", help="list unknown infrastructure-like names")
    _scheduler_arg(p)
    p.add_argument(
        "--full-text",
        action="store_true",
        help="with --json: each mention quotes its whole sentence (default: offsets "
        "sentence_start/sentence_end and a snippet of at most 400 characters)",
    )
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser(
        "gazetteer",
        help="help promote a provisional feature to a gazetteer record",
        description="`geo gazetteer stub NAME` prints a gazetteer YAML record to fill in "
        "(geometry, accuracy, sources); with --corpus, the provisional feature of that "
        "name gives its kind, counties, aliases and documents.",
    )
    gsub = p.add_subparsers(dest="gazetteer_command", metavar="ACTION", required=True)
    g = gsub.add_parser("stub", help="print a YAML record to fill in for NAME")
    g.add_argument("name", metavar="NAME", help="the feature's Chinese name, e.g. 栖霞大道")
    g.add_argument("--kind", default="road", help="gazetteer kind without --corpus (default: road)")
    _add_common(g, json_flag=False)
    g.set_defaults(func=_cmd_gazetteer_stub)

    p = sub.add_parser(
        "timeline",
        help="the dated, cited history of one feature",
        description="Print a feature's status as of a date and its dated events with "
        "quotes and documents. FEATURE is an id, a name or an alias (`geo list features`).",
    )
    p.add_argument("feature", metavar="FEATURE", help="id, Chinese/English name or alias, e.g. 平谷线")
    _add_common(p)
    p.add_argument("--as-of", type=_date_arg, metavar="DATE", help="status date (default: latest known)")
    p.set_defaults(func=_cmd_timeline)

    p = sub.add_parser(
        "network",
        help="build the multimodal network as of a date",
        description="Build the OSMnx-compatible multimodal network (metro, rail, roads, "
        "bus, walk) open on a date; optionally merge a real OSM road network.",
    )
    _add_common(p, json_flag=False)
    p.add_argument("--as-of", type=_date_arg, metavar="DATE", help="network date (default: latest known)")
    p.add_argument(
        "--include-expected", action="store_true", help="also include links forecast to open by the date (what-if)"
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument(
        "--osm",
        metavar="FILE",
        help="OpenStreetMap extract (.osm.pbf or .osm/.xml) to merge as the road network; ways matched to a "
        "documented road follow its timeline, ways under construction stay out (see `geo osm match`)",
    )
    src.add_argument(
        "--online", action="store_true", help="fetch the study area's roads from Overpass (needs internet)"
    )
    p.add_argument("-o", "--out", metavar="FILE.graphml", help="save the graph as GraphML (OSMnx)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_network)

    p = sub.add_parser(
        "osm",
        help="OpenStreetMap: download an extract, match the gazetteer to one",
        description="download: fetch the study area's roads and railways from Overpass (OSMnx, cached) "
        "into an OSM XML file. match: match the gazetteer's roads, bridges, rail lines and stations to an "
        "extract by name and proximity and report matched, ambiguous and unmatched features with distances.",
    )
    osub = p.add_subparsers(dest="osm_command", metavar="SUBCOMMAND", required=True)
    q = osub.add_parser("download", help="download the study area from Overpass into an .osm file")
    q.add_argument("-o", "--output", required=True, metavar="FILE.osm", help="the OSM XML file to write")
    q.add_argument("--bbox", type=_bbox_arg, metavar="W,S,E,N", help="area (default: the study area)")
    q.add_argument("--cache", metavar="DIR", help="OSMnx response cache folder (default: OSMnx's ./cache)")
    _add_common(q, corpus=False, json_flag=False)
    q.set_defaults(func=_cmd_osm)
    q = osub.add_parser("match", help="match gazetteer features to an OSM extract")
    q.add_argument("file", metavar="FILE", help="OSM extract (.osm.pbf, .osm or .xml)")
    _add_common(q)
    q.add_argument("--as-of", type=_date_arg, metavar="DATE", help="status date of the layers")
    q.add_argument("--all", action="store_true", help="also list unmatched features")
    q.add_argument("--out", metavar="DIR", help="also write the conflated theme layers to DIR")
    q.set_defaults(func=_cmd_osm)

    p = sub.add_parser(
        "analyze",
        help="accessibility, cross-border links, structure, scenarios",
        description="Run one analysis on the network as of a date. Names of origins, destinations "
        "and features are checked first (`geo list origins|destinations|features`).",
    )
    p.add_argument("analysis", choices=["access", "crossborder", "structure", "scenario"])
    _add_common(p, json_flag=False)
    p.add_argument("--as-of", type=_date_arg, metavar="DATE", help="network date (default: latest known)")
    p.add_argument("--include-expected", action="store_true", help="count forecast openings (what-if)")
    p.add_argument("--origins", nargs="+", metavar="NAME", help="access: origin names (default: the 7 towns)")
    p.add_argument(
        "--destinations",
        nargs="+",
        metavar="NAME",
        help="access: destination names (default: 国贸, 望京, 行政办公区, 北京城市副中心站)",
    )
    p.add_argument(
        "--chains",
        nargs="+",
        default=["rail", "bus", "car"],
        metavar="CHAIN",
        help="access: mode chains (default: rail bus car; `geo list chains`)",
    )
    p.add_argument(
        "--all-claims",
        action="store_true",
        help="crossborder: compare every claim, not only transport ones (money, environment ...)",
    )
    p.add_argument(
        "--opportunities",
        action="store_true",
        help="access: cumulative opportunities, the cells (or --weights) reachable from every H3 cell within "
        "--thresholds minutes per chain, on the full cell-to-cell matrix",
    )
    p.add_argument(
        "--thresholds", nargs="+", type=float, default=[30.0, 45.0, 60.0], metavar="MIN", help="access: minutes"
    )
    p.add_argument("--resolution", type=int, default=8, metavar="N", help="access: H3 resolution (default 8)")
    p.add_argument("--weights", metavar="FILE.csv", help="access: h3,weight CSV (population, jobs) to sum")
    p.add_argument("--od-out", metavar="DIR", help="access: also write the cell pairs as partitioned Parquet")
    p.add_argument("-o", "--out", metavar="FILE", help="access: write the cells with their counts (.geojson/.gpkg/…)")
    _scheduler_arg(p)
    p.add_argument("--before", type=_date_arg, metavar="DATE", help="scenario: first date")
    p.add_argument("--after", type=_date_arg, metavar="DATE", help="scenario: second date")
    p.add_argument("--without", nargs="+", metavar="FEATURE", help="scenario: remove these features")
    p.add_argument(
        "--keep-services",
        action="store_true",
        help="scenario --without: keep the other services on a removed line's track (default: removed too)",
    )
    p.add_argument("--all-rows", action="store_true", help="scenario: also list the trips that do not change")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser(
        "map",
        help="write the Leaflet maps",
        description="Write maps/atlas.html, maps/timeline.html and (unless --no-analysis) maps/access.html.",
    )
    _add_common(p, json_flag=False)
    p.add_argument("--out", default="maps", metavar="DIR", help="output folder (default: maps)")
    p.add_argument("--as-of", type=_date_arg, metavar="DATE", help="map date (default: latest known)")
    p.add_argument(
        "--basemap",
        default="osm",
        choices=["osm", "gaode", "tianditu", "none"],
        help="basemap (gaode shifts every layer to GCJ-02; tianditu needs TIANDITU_KEY)",
    )
    p.add_argument("--online-assets", action="store_true", help="link assets from a CDN (default: inline)")
    p.add_argument(
        "--no-analysis",
        action="store_true",
        help="skip the analyses: writes atlas.html and timeline.html only (no access.html)",
    )
    p.set_defaults(func=_cmd_map)

    p = sub.add_parser(
        "export",
        help="export layers to GeoJSON, GeoPackage, GeoParquet, CSV or KML",
        description="Export layers, filtered by date, status and area; every output is "
        "validated after writing and replaced atomically.",
    )
    p.add_argument(
        "--format", required=True, choices=["geojson", "gpkg", "parquet", "csv", "kml", "postgis", "pmtiles"]
    )
    p.add_argument(
        "-o", "--output", metavar="PATH", help="output file or folder (postgis: the schema, default jjj_atlas)"
    )
    p.add_argument("--dsn", metavar="DSN", help="postgis: connection string, e.g. postgresql://USER@HOST:5432/DB")
    p.add_argument("--minzoom", type=int, metavar="Z", help="pmtiles: lowest zoom (default 6)")
    p.add_argument("--maxzoom", type=int, metavar="Z", help="pmtiles: highest zoom (default 14)")
    _add_common(p, json_flag=False)
    p.add_argument("--layers", metavar="L1,L2", help="layers (default: all theme layers; `geo list layers`)")
    p.add_argument("--as-of", type=_date_arg, metavar="DATE", help="status date")
    p.add_argument("--status", metavar="S1,S2", help="keep statuses: planned,under_construction,open,suspended,unknown")
    area = p.add_mutually_exclusive_group()
    area.add_argument("--bbox", type=_bbox_arg, metavar="W,S,E,N", help="keep features intersecting this WGS84 box")
    area.add_argument("--within", metavar="NAME", help="keep features intersecting a feature, e.g. 通州区")
    p.add_argument("--crs", metavar="EPSG:NNNN", help="output CRS (GeoPackage, GeoParquet, CSV)")
    p.add_argument("--gcj02", action="store_true", help="write GCJ-02 coordinates (GeoJSON, CSV)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser(
        "list",
        help="list the names other commands accept",
        description="List the study's origins and destinations, the gazetteer's features, the mode "
        "chains, the layers or the feature statuses.",
    )
    p.add_argument("what", choices=["origins", "destinations", "features", "chains", "layers", "statuses"])
    p.add_argument("--theme", metavar="THEME", help="features: only this theme (rail, road, bus, water ...)")
    _add_common(p, corpus=False)
    p.set_defaults(func=_cmd_list)
    return parser


# ---------------------------------------------------------------------------
# main


class _StderrHandler(logging.Handler):
    """Logs to the current ``sys.stderr`` (or above the progress display), escaped."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            _err(self.format(record))
        except Exception:
            self.handleError(record)


def _setup_output(args: argparse.Namespace) -> None:
    global _display
    verbose, quiet = int(getattr(args, "verbose", 0) or 0), bool(getattr(args, "quiet", False))
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, _StderrHandler):
            root.removeHandler(h)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # stages log each skipped file as a warning; the CLI reports them once, in one place
    logging.getLogger("geo").setLevel(level if verbose else logging.ERROR)
    _display = None
    if not quiet and sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
        from geo import progress

        _display = _Display()
        progress.set_hook(_display)


def _teardown_output() -> None:
    global _display
    from geo import progress

    if _display is not None:
        _display.stop()
        progress.set_hook(None)
        _display = None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``geo`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _setup_output(args)
        if getattr(args, "study", None):
            from geo.config import use_study

            use_study(args.study)
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        # the reader went away (``geo extract | head``): not an error; stop writing quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        _stop_display()
        _err(f"geo {args.command}: interrupted")
        return 130
    except UsageError as exc:
        _stop_display()
        msg = " ".join(str(exc).split())
        if len(msg) > MAX_ERROR_CHARS:
            msg = msg[: MAX_ERROR_CHARS - 1] + "…"
        _err(f"geo {args.command}: error: {msg}")
        return 2
    except (GeoError, OSError) as exc:
        _stop_display()
        _err(f"geo {args.command}: error: {exc}")
        return 1
    finally:
        _teardown_output()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
