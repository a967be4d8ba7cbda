"""The ``geo`` command line (also ``python -m geo``).

Every subcommand has ``--help``. Errors go to stderr; the exit code is 2 for a
usage error and 1 for a failure (bad input, broken data, a failed check).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geo.errors import GeoError, UsageError

__all__ = ["main"]

logger = logging.getLogger("geo")


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


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _table(rows: list[list[str]], header: list[str]) -> str:
    from unicodedata import east_asian_width

    rows = [[" ".join(str(c).split()) for c in r] for r in rows]  # quotes may hold line breaks

    def w(s: str) -> int:
        return sum(2 if east_asian_width(c) in "WF" else 1 for c in s)

    widths = [max(w(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, ["-" * x for x in widths], *rows]:
        out.append("  ".join(str(c) + " " * (widths[i] - w(str(c))) for i, c in enumerate(r)).rstrip())
    return "\n".join(out)


def _progress(done: int, total: int, what: str) -> None:
    """Progress of distributed steps on stderr (every tenth, and the last)."""
    if done == total or done % max(1, total // 10) == 0:
        print(f"{what}: {done}/{total}", file=sys.stderr, flush=True)


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
    from geo.corpus import load_corpus

    corpus = load_corpus(args.corpus)
    if args.json:
        _print_json(
            {"corpus": str(corpus.path), "documents": [d.to_dict() for d in corpus], "warnings": corpus.warnings}
        )
        return 0
    rows = [
        [
            d.doc_id,
            d.published.isoformat() if d.published else "?",
            d.published_precision,
            d.title[:40],
            str(len(d.text)),
            str(len(d.warnings)),
        ]
        for d in corpus
    ]
    print(_table(rows, ["id", "published", "precision", "title", "chars", "warnings"]))
    for w in corpus.warnings:
        print(f"warning: {w}", file=sys.stderr)
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
            print(str(p))
        print(f"{len(gaz)} features checked, {len(problems)} problem(s)")
    return 1 if problems else 0


def _cmd_layers(args: argparse.Namespace) -> int:
    from geo.build import build

    if args.from_postgis:
        from geo.layers import write_layers
        from geo.postgis import read_postgis

        back = read_postgis(args.from_postgis, schema=args.schema)
        for path in write_layers(back, args.out, readme=False):
            print(path)
        return 0

    result = build(args.corpus, layers_dir=args.out, maps_dir=None, as_of=args.as_of, analysis=False, check=False)
    for path in result["layers"]:
        print(path)
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
        progress=_progress if args.scheduler else None,
    )
    print(f"corpus: {result['documents']} documents ({len(result['warnings'])} warnings)")
    for w in result["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    for key in ("layers", "maps", "tables"):
        for path in result.get(key, []):
            print(f"wrote {path}")
    problems = result.get("problems", [])
    for p in problems:
        print(f"check: {p}", file=sys.stderr)
    return 1 if problems else 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from geo.api import extract_corpus

    if args.scheduler:
        from geo import distributed
        from geo.gazetteer import load_gazetteer

        with distributed.scheduler_client(args.scheduler) as client:
            link = distributed.dashboard_link(client)
            if link:
                print(f"dask dashboard: {link}", file=sys.stderr)
            corpus = distributed.load_corpus(args.corpus, client=client, progress=_progress)
            x = distributed.extract(corpus, load_gazetteer(), client=client, progress=_progress)
    else:
        x = extract_corpus(args.corpus)
    if args.json:
        data = x.to_json()
        if not args.unknown:
            data.pop("unknowns", None)
        _print_json(data if not args.unknown else {"unknowns": data["unknowns"]})
        return 0
    if args.unknown:
        rows = [
            [u.name, u.suffix, str(u.count), (u.contexts[0]["sentence"][:50] if u.contexts else "")] for u in x.unknowns
        ]
        print(_table(rows, ["candidate", "suffix", "count", "first context"]))
        return 0
    print(
        f"{len(x.mentions)} mentions of {len({m.feature_id for m in x.mentions})} features, "
        f"{len(x.events)} status events, {len(x.claims)} claims, {len(x.unknowns)} unknown names"
    )
    rows = [
        [
            e.doc_id[:3],
            e.feature_id,
            e.status,
            e.modality,
            str(e.date) + ("" if e.precision == "day" else f" ({e.precision})"),
            e.quote[:40],
        ]
        for e in x.events
    ]
    print(_table(rows, ["doc", "feature", "status", "modality", "date", "quote"]))
    rows = [[c.doc_id[:3], c.topic, f"{c.value:g}", c.unit, c.counted or "", c.quote[:40]] for c in x.claims]
    print()
    print(_table(rows, ["doc", "topic", "value", "unit", "counted", "quote"]))
    return 0


def _cmd_timeline(args: argparse.Namespace) -> int:
    from geo.api import feature_timeline

    t = feature_timeline(args.feature, corpus=args.corpus, as_of=args.as_of)
    if args.json:
        _print_json(t)
        return 0
    print(f"{t['name_zh']} ({t['name_en']}) [{t['id']}]")
    print(f"status as of {t['as_of']}: {t['status']}" + (f" since {t['status_date']}" if t.get("status_date") else ""))
    for ev in sorted(t["timeline"], key=lambda e: (str(e.get("date")), str(e.get("status")))):
        flag = "" if ev.get("modality") == "actual" else " (expected)"
        print(f"  {ev['date']} [{ev.get('precision')}] {ev['status']}{flag}")
        for c in ev.get("citations") or [{"doc_id": ev.get("doc_id"), "quote": ev.get("quote")}]:
            print(f"      {c.get('doc_id')}: “{c.get('quote')}”")
    print(f"{t.get('mention_count', 0)} mentions in {len(t.get('docs') or [])} documents")
    return 0


def _cmd_network(args: argparse.Namespace) -> int:
    from collections import Counter

    from geo.api import network_as_of

    G = network_as_of(
        args.as_of, osm=args.osm, online=args.online, include_expected=args.include_expected, corpus=args.corpus
    )
    modes = Counter(d.get("mode") for _, _, d in G.edges(data=True))
    info = {
        "as_of": G.graph.get("as_of"),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "edges_by_mode": dict(sorted(modes.items(), key=lambda kv: str(kv[0]))),
    }
    if args.out:
        import osmnx as ox

        from geo.io import atomic_paths

        out = Path(args.out)
        with atomic_paths([out]) as staged:
            ox.save_graphml(G, filepath=staged[out])
        info["graphml"] = str(out)
    if args.json:
        _print_json(info)
    else:
        for k, v in info.items():
            print(f"{k}: {v}")
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from geo.api import layers_as_of, network_as_of, state

    if args.analysis == "access":
        from geo.analysis import accessibility as acc

        G = network_as_of(args.as_of, include_expected=args.include_expected, corpus=args.corpus)
        od = acc.travel_times(G, origins=args.origins, destinations=args.destinations, chains=args.chains)
        circle = acc.half_hour_rail_circle(G, origins=args.origins)
        if args.opportunities:
            return _print_opportunities(args, G, od, circle)
        if args.json:
            _print_json(
                {
                    "od": json.loads(od.drop(columns=["time_s"]).to_json(orient="records", force_ascii=False)),
                    "rail_circle": circle,
                }
            )
            return 0
        table = od.pivot_table(index="origin", columns=["chain", "destination"], values="time_min", dropna=False)
        print(f"travel time in minutes as of {G.graph.get('as_of')} (blank: unreachable)")
        print(table.round(0).to_string(na_rep=""))
        print()
        print(json.dumps(circle, ensure_ascii=False, default=str, indent=1))
        return 0
    if args.analysis == "crossborder":
        from geo.analysis.crossborder import crossborder_report

        _, _, x = state(args.corpus)
        rep = crossborder_report(
            layers_as_of(args.as_of, corpus=args.corpus),
            x.claims_json(),
            as_of=args.as_of or x.latest_date(),
            include_expected=args.include_expected,
        )
        if args.json:
            _print_json(rep["summary"])
            return 0
        for k, v in rep["counts"].items():
            print(f"{k}: {v['count']}  ({', '.join(v['feature_ids'])})")
        print()
        print(rep["comparison"].to_string(index=False))
        return 0
    if args.analysis == "structure":
        from geo.analysis import structure

        G = network_as_of(args.as_of, include_expected=args.include_expected, corpus=args.corpus)
        rep = structure.report(G, layers_as_of(args.as_of, corpus=args.corpus), chains=("rail", "car"), top=10)
        out = rep["summary"]
        impact, bott, dead = rep["removal_impact"], rep["bottlenecks"], rep["crossborder_dead_ends"]
        if args.json:
            _print_json(out)
            return 0
        print(f"network as of {out['as_of']}")
        rows = [
            [m, str(c.get("n_nodes")), str(c.get("n_edges")), str(c.get("n_weak")), str(c.get("largest_weak"))]
            for m, c in sorted(out["components"].items())
        ]
        print(_table(rows, ["mode", "nodes", "edges", "weak components", "largest"]))
        print(f"\n{len(out['bridges'])} graph bridges, {len(out['articulation_points'])} articulation points")
        for chain, df in impact.items():
            print(f"\nlinks whose removal costs the origins most ({chain}; minutes summed over origin x destination):")
            print(df.to_string(index=False))
        print("\nbottlenecks (edge betweenness, travel-time weighted):")
        print(bott.to_string(index=False))
        print("\ncross-border dead ends (roads reaching the boundary from one side only):")
        print(dead.drop(columns="geometry").to_string(index=False) if len(dead) else "none")
        return 0
    if args.analysis == "scenario":
        from geo.analysis import scenarios

        if args.without:
            G = network_as_of(args.as_of, include_expected=args.include_expected, corpus=args.corpus)
            ids = [state(args.corpus)[1].resolve(f).id for f in args.without]
            res = scenarios.compare_without(G, ids, keep_services=args.keep_services)
        else:
            if not (args.before and args.after):
                raise UsageError("scenario needs --before DATE and --after DATE, or --without FEATURE")
            res = scenarios.compare_dates(
                layers_as_of(args.after, corpus=args.corpus),
                args.before,
                args.after,
                include_expected=args.include_expected,
            )
        if args.json:
            _print_json(res["summary"])
        else:
            if res["summary"].get("note"):
                print(res["summary"]["note"])
            print(res["table"].round(1).to_string(index=False))
        return 0
    raise UsageError(f"unknown analysis {args.analysis!r}")


def _print_opportunities(args: argparse.Namespace, G: Any, od: Any, circle: Any) -> int:
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
            print(f"dask dashboard: {link}", file=sys.stderr)
        opp = acc.cumulative_opportunities(
            G,
            chains=args.chains,
            thresholds_min=args.thresholds,
            resolution=args.resolution,
            area=focus_area(layers_as_of(args.as_of, corpus=args.corpus)),
            weights=weights,
            weight_name=Path(args.weights).stem if args.weights else None,
            client=client,
            od_dir=args.od_out,
            progress=_progress,
        )
    ths = opp.attrs["thresholds_min"]
    if args.out:
        from geo.export import export_layers

        for p in export_layers(
            {"access_opportunities": opp.drop(columns=["lon", "lat"])}, args.out, fmt=_fmt(args.out)
        ):
            print(f"wrote {p}", file=sys.stderr)
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
    print(
        f"cumulative opportunities as of {summary['as_of']}: {what} reachable from each of {len(opp)} H3 cells "
        f"(resolution {args.resolution}), mean / median / max"
    )
    rows = [
        [c, *[f"{v['mean']:g} / {v['median']:g} / {v['max']:g}" for v in summary["by_chain"][c].values()]]
        for c in summary["by_chain"]
    ]
    print(_table(rows, ["chain", *[f"≤ {t:g} min" for t in ths]]))
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
    for path in result["maps"]:
        print(f"wrote {path}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.api import save_layers

    if args.format == "postgis":
        if not args.dsn:
            raise UsageError("--format postgis needs --dsn postgresql://USER@HOST/DB")
    elif args.output is None:
        raise UsageError(f"--format {args.format} needs -o PATH")
    elif args.dsn:
        raise UsageError("--dsn is for --format postgis")
    paths = save_layers(
        args.output,
        fmt=args.format,
        layers=[s for s in args.layers.split(",") if s] if args.layers else None,
        as_of=args.as_of,
        status=[s for s in args.status.split(",") if s] if args.status else None,
        bbox=args.bbox,
        within=args.within,
        crs=args.crs,
        gcj02=args.gcj02,
        corpus=args.corpus,
        dsn=args.dsn,
        minzoom=args.minzoom,
        maxzoom=args.maxzoom,
    )
    if args.format in ("postgis", "pmtiles"):
        for p in paths:
            print(f"wrote {p}")
        return 0
    from geo.export import read_back

    total = 0
    for p in paths:
        n = sum(len(g) for g in read_back(p).values())
        total += n
        print(f"wrote {p} ({n} features)")
    if total == 0:
        print("warning: no feature matched the filters (layers, status, date, area)", file=sys.stderr)
    return 0


def _add_common(p: argparse.ArgumentParser, *, corpus: bool = True, json_flag: bool = True) -> None:
    if corpus:
        p.add_argument(
            "--corpus",
            default="seeds",
            metavar="DIR",
            help="corpus folder of .txt/.md/.html documents (default: seeds)",
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
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log progress (-vv: debug)")
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
        "GeoJSON layers, run the analyses and publish the maps.",
    )
    _add_common(p, json_flag=False)
    p.add_argument("--layers", default="layers", metavar="DIR", help="output folder for layers (default: layers)")
    p.add_argument("--maps", default="maps", metavar="DIR", help="output folder for maps (default: maps)")
    p.add_argument(
        "--as-of",
        type=_date_arg,
        metavar="DATE",
        help="status date for the layers (YYYY, YYYY-MM or YYYY-MM-DD; default: latest in corpus)",
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
    p.add_argument("--no-analysis", action="store_true", help="skip the network analyses")
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
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser(
        "timeline",
        help="the dated, cited history of one feature",
        description="Print a feature's status as of a date and its dated events with "
        "quotes and documents. FEATURE is an id, a name or an alias.",
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
    p.add_argument("--osm", metavar="FILE", help="OpenStreetMap extract (.osm/.xml) to merge as the road network")
    p.add_argument("--online", action="store_true", help="fetch the study area's roads from Overpass (needs internet)")
    p.add_argument("-o", "--out", metavar="FILE.graphml", help="save the graph as GraphML (OSMnx)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_network)

    p = sub.add_parser(
        "analyze",
        help="accessibility, cross-border links, structure, scenarios",
        description="Run one analysis on the network as of a date.",
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
        help="access: mode chains (default: rail bus car)",
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
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser(
        "map",
        help="write the Leaflet maps",
        description="Write maps/atlas.html, maps/timeline.html and maps/access.html.",
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
    p.add_argument("--no-analysis", action="store_true", help="skip the accessibility map's analysis")
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
    p.add_argument("--layers", metavar="L1,L2", help="layers (default: all theme layers)")
    p.add_argument("--as-of", type=_date_arg, metavar="DATE", help="status date")
    p.add_argument("--status", metavar="S1,S2", help="keep statuses: planned,under_construction,open,suspended,unknown")
    area = p.add_mutually_exclusive_group()
    area.add_argument("--bbox", type=_bbox_arg, metavar="W,S,E,N", help="keep features intersecting this WGS84 box")
    area.add_argument("--within", metavar="NAME", help="keep features intersecting a feature, e.g. 通州区")
    p.add_argument("--crs", metavar="EPSG:NNNN", help="output CRS (GeoPackage, GeoParquet, CSV)")
    p.add_argument("--gcj02", action="store_true", help="write GCJ-02 coordinates (GeoJSON, CSV)")
    p.set_defaults(func=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``geo`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING if args.verbose == 0 else (logging.INFO if args.verbose == 1 else logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if args.verbose == 0:
        logging.getLogger("geo").setLevel(logging.ERROR)
    try:
        if getattr(args, "study", None):
            from geo.config import use_study

            use_study(args.study)
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # the reader went away (``geo extract | head``): not an error; stop writing quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except UsageError as exc:
        print(f"geo {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (GeoError, OSError) as exc:
        print(f"geo {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
