"""Benchmark the maps: file sizes, build times and first-render times in headless Chromium.

Usage::

    .venv/bin/python benchmarks/bench_maps.py [--layers layers/] [--hex-k 41] [--runs 3]
    .venv/bin/python benchmarks/bench_maps.py --shipped maps/   # the maps ``geo build`` wrote

Theme layers come from ``--layers`` (GeoJSON written by geo.layers), else they are
built in memory from ``seeds/`` (corpus -> extraction -> layers), else synthetic.
The access map uses synthetic H3 hexagons (``3k(k+1)+1`` cells at resolution 8;
k=41 gives 5,167) x 3 destinations x 3 modes, plus isochrones and a scenario.
First render = ``performance.now()`` when the map's script has built every shown
layer (``geoAtlas.readyMs``), and the wall time from navigation to that point.
Needs Debian's chromium at /usr/bin/chromium (or ``--chromium``); never downloads a browser.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, Polygon

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import maps as gm  # noqa: E402
from geo.schema import delta_column  # noqa: E402

logger = logging.getLogger("bench_maps")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def theme_layers(folder: Path | None) -> tuple[dict[str, gpd.GeoDataFrame], str]:
    if folder is not None and any(folder.glob("*.geojson")):
        from geo.layers import read_layers

        layers = read_layers(folder)
        return {k: v for k, v in layers.items() if len(v) and not k.startswith("access")}, f"read from {folder}"
    try:
        from geo.corpus import load_corpus
        from geo.extract import extract
        from geo.gazetteer import load_gazetteer
        from geo.layers import build_layers

        corpus = load_corpus(ROOT / "seeds")
        gaz = load_gazetteer()
        layers = build_layers(gaz, extract(corpus, gaz))
        return {k: v for k, v in layers.items() if len(v)}, "built in memory from seeds/"
    except Exception as exc:
        logger.warning("cannot build real layers (%s); using synthetic layers", exc)
    rng = np.random.default_rng(0)
    rows = []
    for i in range(300):
        x, y = 116.5 + rng.random() * 0.8, 39.7 + rng.random() * 0.5
        geom = Point(x, y) if i % 2 else LineString([(x, y), (x + 0.05, y + 0.02), (x + 0.1, y)])
        rows.append(
            {
                "id": f"f{i:03d}",
                "name_zh": f"要素{i}",
                "name_en": f"Feature {i}",
                "kind": "road",
                "theme": "road",
                "accuracy": "approximate",
                "geometry_source": "synthetic",
                "status": "planned",
                "aliases": [],
                "timeline": [
                    {
                        "date": "2021-01-01",
                        "precision": "day",
                        "status": "planned",
                        "modality": "actual",
                        "doc_id": "d",
                        "quote": "q" * 80,
                    }
                ],
                "claims": [],
                "geometry": geom,
            }
        )
    return {"roads": gpd.GeoDataFrame(rows, crs="EPSG:4326")}, "synthetic (300 features)"


def access_inputs(k: int, res: int = 8):
    cells = sorted(h3.grid_disk(h3.latlng_to_cell(39.9, 116.75, res), k))
    polys = [Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(c)]) for c in cells]
    cent = np.array([[p.centroid.x, p.centroid.y] for p in polys])
    frames, iso = [], []
    for d, (x, y) in {
        "dest-guomao": (116.46, 39.91),
        "dest-wangjing": (116.47, 40.0),
        "zone-admin-office-area": (116.72, 39.91),
    }.items():
        dist = np.hypot((cent[:, 0] - x) * 85.0, (cent[:, 1] - y) * 111.0)
        for mode, speed in (("rail", 0.6), ("bus", 0.35), ("car", 0.8)):
            frames.append(
                pd.DataFrame(
                    {"h3": cells, "destination": d, "mode": mode, "minutes": dist / speed + 5, "geometry": polys}
                )
            )
            for thr in (30, 45, 60):
                iso.append(
                    {
                        "destination": d,
                        "mode": mode,
                        "minutes": thr,
                        "geometry": Point(x, y).buffer(thr * speed / 111.0, quad_segs=32),
                    }
                )
    hexes = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    # the scenario as the analysis writes it: one column d_<scenario>_<chain>_<destination> per destination
    base = hexes[hexes["mode"] == "rail"]
    delta = pd.DataFrame(
        {
            "h3": base["h3"].to_numpy(),
            "destination": base["destination"].to_numpy(),
            "delta": -np.clip(40 - base["minutes"].to_numpy() / 4, 0, None),
        }
    ).pivot(index="h3", columns="destination", values="delta")
    delta.columns = [delta_column("line22", "rail", d) for d in delta.columns]
    geom = hexes.drop_duplicates("h3").set_index("h3").geometry.reindex(delta.index)
    scenario = gpd.GeoDataFrame(delta.reset_index(), geometry=geom.to_numpy(), crs="EPSG:4326")
    return hexes, gpd.GeoDataFrame(iso, crs="EPSG:4326"), scenario, len(cells)


def render_times(path: Path, runs: int, chromium: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    ready, wall, errors = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            for _ in range(runs):
                ctx = browser.new_context(viewport={"width": 1280, "height": 860})
                ctx.route(
                    "**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort()
                )
                page = ctx.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                t0 = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_function("window.geoAtlas && window.geoAtlas.ready === true", timeout=60_000)
                wall.append((time.perf_counter() - t0) * 1000)
                ready.append(page.evaluate("geoAtlas.readyMs"))
                ctx.close()
        finally:
            browser.close()
    if errors:
        raise RuntimeError(f"page errors in {path}: {errors[:3]}")
    return {"ready_ms": round(statistics.median(ready), 1), "wall_ms": round(statistics.median(wall), 1)}


def shipped(folder: Path, runs: int, chromium: str, *, as_json: bool = False) -> int:
    """Size and first render of the maps in ``folder`` as they ship (no rebuild); 0 if within budget."""
    budgets = {"atlas.html": gm.ATLAS_MAX_BYTES, "timeline.html": gm.ATLAS_MAX_BYTES, "access.html": gm.ACCESS_MAX_BYTES}
    results = []
    for name, budget in budgets.items():
        path = (folder / name).resolve()
        if not path.exists():
            continue
        size = path.stat().st_size
        results.append(
            {
                "map": name,
                "size_mb": round(size / 2**20, 2),
                "budget_mb": budget / 2**20,
                "within_budget": size < budget,
                **render_times(path, runs, chromium),
            }
        )
    if as_json:
        sys.stdout.write(json.dumps(results, indent=2) + "\n")
    else:
        logger.info(f"{'map':<14} {'size MB':>8} {'budget':>7} {'ready ms':>9} {'wall ms':>8}  ({folder})")
        for r in results:
            logger.info(
                f"{r['map']:<14} {r['size_mb']:>8.2f} {r['budget_mb']:>7.0f} {r['ready_ms']:>9.1f} {r['wall_ms']:>8.1f}"
            )
    return 0 if all(r["within_budget"] for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layers", type=Path, default=ROOT / "layers")
    ap.add_argument("--hex-k", type=int, default=41, help="H3 disk radius (k=41: 5,167 hexagons)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="folder for the HTML files (default: temp)")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument(
        "--shipped", type=Path, default=None, help="measure the maps already in this folder (e.g. maps/) instead"
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logger.setLevel(logging.INFO)
    if args.shipped is not None:
        return shipped(args.shipped, args.runs, args.chromium, as_json=args.json)

    out = args.out or Path(tempfile.mkdtemp(prefix="bench_maps_"))
    layers, source = theme_layers(args.layers)
    hexes, iso, scen, n_hex = access_inputs(args.hex_k)
    jobs = {
        "atlas.html": (
            lambda p: gm.write_atlas(p, layers, basemap="none"),
            gm.ATLAS_MAX_BYTES,
            f"{sum(map(len, layers.values()))} features, layers {source}",
        ),
        "timeline.html": (
            lambda p: gm.write_timeline_map(p, layers, basemap="none"),
            gm.ATLAS_MAX_BYTES,
            "same layers",
        ),
        "access.html": (
            lambda p: gm.write_access_map(p, hexes, iso, scen, basemap="none"),
            gm.ACCESS_MAX_BYTES,
            f"{n_hex} hexagons x 9 travel-time layers + 9 isochrone layers + 3 scenario layers",
        ),
    }
    results = []
    for name, (build, budget, what) in jobs.items():
        t0 = time.perf_counter()
        path = build(out / name)
        build_s = time.perf_counter() - t0
        size = path.stat().st_size
        r = {
            "map": name,
            "input": what,
            "size_mb": round(size / 2**20, 2),
            "budget_mb": budget / 2**20,
            "within_budget": size < budget,
            "build_s": round(build_s, 2),
            **render_times(path, args.runs, args.chromium),
        }
        results.append(r)
    if args.json:
        sys.stdout.write(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    else:
        logger.info(f"{'map':<14} {'size MB':>8} {'budget':>7} {'build s':>8} {'ready ms':>9} {'wall ms':>8}  input")
        for r in results:
            logger.info(
                f"{r['map']:<14} {r['size_mb']:>8.2f} {r['budget_mb']:>7.0f} {r['build_s']:>8.2f} "
                f"{r['ready_ms']:>9.1f} {r['wall_ms']:>8.1f}  {r['input']}"
            )
        logger.info("(files in %s)", out)
    return 0 if all(r["within_budget"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
