"""The ``geo`` command line (also ``python -m geo``).

Every subcommand has ``--help``. Errors go to stderr; the exit code is 2 for a
usage error and 1 for a failure (bad input, broken data, a failed check).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

__all__ = ["main"]

logger = logging.getLogger("geo")


class CLIError(Exception):
    """A failure to report on stderr with exit code 1."""


def parse_as_of(text: str | _dt.date) -> _dt.date:
    """Parse an as-of date: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    A year or month means its last day (the state at the end of that period).

    Raises
    ------
    ValueError
        The text is not such a date.
    """
    if isinstance(text, _dt.date):
        return text
    import calendar
    import re

    s = str(text).strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", s)
    if m:
        y = int(m[1])
        try:
            if m[3]:
                return _dt.date(y, int(m[2]), int(m[3]))
            if m[2]:
                mo = int(m[2])
                return _dt.date(y, mo, calendar.monthrange(y, mo)[1])
            return _dt.date(y, 12, 31)
        except (ValueError, calendar.IllegalMonthError):
            pass
    raise ValueError(f"cannot parse date {text!r}: use YYYY, YYYY-MM or YYYY-MM-DD")


def _date_arg(text: str) -> _dt.date:
    """argparse type for ``--as-of``: YYYY, YYYY-MM or YYYY-MM-DD (end of period)."""
    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _table(rows: list[list[str]], header: list[str]) -> str:
    from unicodedata import east_asian_width

    def w(s: str) -> int:
        return sum(2 if east_asian_width(c) in "WF" else 1 for c in s)

    widths = [max(w(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, ["-" * x for x in widths], *rows]:
        out.append("  ".join(str(c) + " " * (widths[i] - w(str(c))) for i, c in enumerate(r)).rstrip())
    return "\n".join(out)


# ---------------------------------------------------------------------------
# commands


def _cmd_corpus(args: argparse.Namespace) -> int:
    from geo.corpus import load_corpus

    corpus = load_corpus(args.corpus)
    if args.json:
        _print_json({"corpus": str(corpus.path), "documents": [d.to_dict() for d in corpus],
                     "warnings": corpus.warnings})
        return 0
    rows = [[d.doc_id, d.published.isoformat() if d.published else "?", d.published_precision,
             d.title[:40], str(len(d.text)), str(len(d.warnings))] for d in corpus]
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

    result = build(args.corpus, layers_dir=args.out, maps_dir=None, as_of=args.as_of,
                   analysis=False, check=False)
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


def _add_common(p: argparse.ArgumentParser, *, corpus: bool = True, json_flag: bool = True) -> None:
    if corpus:
        p.add_argument("--corpus", default="seeds", metavar="DIR",
                       help="corpus folder of .txt/.md/.html documents (default: seeds)")
    if json_flag:
        p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``geo`` command."""
    parser = argparse.ArgumentParser(
        prog="geo",
        description="Map and analyse the integration of Beijing's sub-center (Tongzhou) with the "
                    "North Three Counties and Pinggu's neighbours, from policy news.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log progress (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("corpus", help="list the documents of a corpus",
                       description="Read a corpus folder and list its documents: id, publication date "
                                   "and its precision, title, characters, warnings.")
    _add_common(p)
    p.set_defaults(func=_cmd_corpus)

    p = sub.add_parser("build", help="run the whole pipeline: layers, analyses, maps",
                       description="Read the corpus, extract features, events and claims, write the "
                                   "GeoJSON layers, run the analyses and publish the maps.")
    p.add_argument("--corpus", default="seeds", metavar="DIR", help="corpus folder (default: seeds)")
    p.add_argument("--layers", default="layers", metavar="DIR", help="output folder for layers (default: layers)")
    p.add_argument("--maps", default="maps", metavar="DIR", help="output folder for maps (default: maps)")
    p.add_argument("--as-of", type=_date_arg, metavar="DATE",
                   help="status date for the layers (YYYY, YYYY-MM or YYYY-MM-DD; default: latest in corpus)")
    p.add_argument("--basemap", default="osm", choices=["osm", "gaode", "tianditu", "none"],
                   help="basemap of the maps (default: osm)")
    p.add_argument("--online-assets", action="store_true",
                   help="link Leaflet assets from a CDN instead of inlining them (default: offline)")
    p.add_argument("--no-maps", action="store_true", help="do not write maps")
    p.add_argument("--no-analysis", action="store_true", help="skip the network analyses")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("layers", help="write the GeoJSON layers only",
                       description="Write layers/<theme>.geojson (RFC 7946) from the gazetteer and the corpus.")
    p.add_argument("--corpus", default="seeds", metavar="DIR", help="corpus folder (default: seeds)")
    p.add_argument("--out", default="layers", metavar="DIR", help="output folder (default: layers)")
    p.add_argument("--as-of", type=_date_arg, metavar="DATE", help="status date (default: latest in corpus)")
    p.set_defaults(func=_cmd_layers)

    p = sub.add_parser("check", help="validate the gazetteer",
                       description="Check every gazetteer record: valid geometry inside the study area, "
                                   "stations on their lines, bridges over their rivers, cross-border "
                                   "roads across the boundary, OSM stations within 50 m, unique names.")
    p.add_argument("--gazetteer", default=None, metavar="PATH",
                   help="a gazetteer YAML file or folder (default: the package gazetteer)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_check)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


#: Functions that add further subcommands (filled by modules below).
_EXTRA_COMMANDS: list[Callable[[Any], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``geo`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING if args.verbose == 0 else (logging.INFO if args.verbose == 1 else logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if args.verbose == 0:
        logging.getLogger("geo").setLevel(logging.ERROR)
    from geo.corpus import CorpusError
    from geo.gazetteer import GazetteerError

    try:
        return int(args.func(args) or 0)
    except (CorpusError, GazetteerError, CLIError, FileNotFoundError, ValueError, KeyError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"geo {args.command}: error: {msg}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
