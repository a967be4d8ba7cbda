"""Browser tests of the access map (headless Chromium, desktop 1280×800 and phone 390×844).

The real map (the project's 15,148 hexagons × 12 layers, the towns, the scenarios) answers
"how long from here to 国贸 by rail vs car"; the synthetic one (``_mapdata``) checks exact
values, pairs that become reachable and hostile text.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from _mapdata import MapPage, overlapping

from geo.layers import read_layers

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hexes():
    return read_layers(ROOT / "layers", names=["access_hexes"])["access_hexes"].set_index("h3")


@pytest.fixture(scope="module", params=["desktop", "phone"])
def real(request, browser, real_maps):
    mp = MapPage(browser, real_maps["access"], viewport=request.param)
    yield mp
    mp.close()


@pytest.fixture(scope="module", params=["desktop", "phone"])
def synth(request, browser, map_files):
    mp = MapPage(browser, map_files["access"], viewport=request.param)
    yield mp
    mp.close()


def _radio(mp, name: str, value: str) -> None:
    if mp.viewport == "phone" and not mp.js("() => document.querySelector('.ga-access-panel').open"):
        mp.page.click(".ga-access-panel summary")
    mp.page.click(f".ga-access input[name={name}][value='{value}']")
    if mp.viewport == "phone":
        mp.page.click(".ga-access-panel summary")  # close the panel again: it covers the map


def test_one_layer_at_a_time_one_click_to_switch(real):
    """Defect 3: one destination and one mode selector; switching is one click; exactly one
    layer is drawn; the legend and the isochrones follow."""
    d = real.js("() => geoAtlas.drawn()")
    assert d["key"] == "time:dest-guomao:car"
    assert d["canvases"] == 1
    assert d["iso"] == "iso:dest-guomao:car"
    assert d["count"] > 13_000
    assert "国贸 · car" in real.page.inner_text(".ga-access-panel summary")
    _radio(real, "ga-mode", "rail")
    d = real.js("() => geoAtlas.drawn()")
    assert d["key"] == "time:dest-guomao:rail"
    assert d["canvases"] == 1
    assert d["iso"] in (None, "iso:dest-guomao:rail")  # never the car isochrones under the rail layer
    assert "rail" in real.page.inner_text(".ga-access-panel summary")
    assert real.js("() => document.querySelectorAll('.ga-access input[name=ga-mode]:checked').length") == 1
    _radio(real, "ga-dest", "dest-wangjing")
    assert real.js("() => geoAtlas.drawn().key") == "time:dest-wangjing:rail"
    shown = real.js(
        "() => [...document.querySelectorAll('.ga-legend .ga-scheme')].filter(s => !s.hidden).map(s => s.dataset.scheme)"
    )
    assert shown == ["time"]
    real.screenshot("access.png")
    real.js("() => { geoAtlas.select({dest: 'dest-guomao', mode: 'car', sc: ''}); }")
    real.assert_clean()


def test_hexagon_popup_compares_every_mode(real, hexes):
    """Defect 3: a hexagon's popup gives every mode's time to the destination and the fastest."""
    h3 = next(
        h for h, r in hexes.iterrows() if np.isfinite(r["t_rail_dest-guomao"]) and np.isfinite(r["t_car_dest-guomao"])
    )
    i = real.js("(id) => geoAtlas.hexIndex(id)", h3)
    lat, lon = real.js("(i) => geoAtlas.centre(i)", i)
    real.js("([lat, lon]) => { geoAtlas.map.setView([lat, lon], 12, {animate: false}); }", [lat, lon])
    box = real.rect(".leaflet-container")
    real.page.mouse.click(box["x"] + box["w"] / 2, box["y"] + box["h"] / 2)
    text = real.popup_text()
    rail, car = hexes.loc[h3, "t_rail_dest-guomao"], hexes.loc[h3, "t_car_dest-guomao"]
    assert f"{round(rail)} min" in text
    assert f"{round(car)} min" in text
    assert "bus" in text
    assert "★ fastest" in text
    assert "rail 轨道 − car 驾车" in text
    assert text.splitlines()[0].startswith("Hexagon")
    assert " in " in text.splitlines()[0]  # the county, not a raw id
    assert f"H3 cell {h3}" in text  # the id only as a footnote
    assert real.popup_covered() == []  # no control is drawn over it
    real.no_popup()


def test_destinations_are_marked_and_in_view(real):
    """Defect 3: 国贸 has a marker inside the first view; its click selects it."""
    real.reload()
    titles = real.js("() => [...document.querySelectorAll('.ga-dest-marker')].map(m => m.title)")
    assert any(t.startswith("国贸") for t in titles)
    box = real.js(
        "() => { const m = [...document.querySelectorAll('.ga-dest-marker')].find(m => m.title.startsWith('望京'));"
        " const r = m.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; }"
    )
    assert box["x"] >= 0
    assert box["x"] + box["w"] <= real.size["width"]
    assert box["y"] >= 0
    assert box["y"] + box["h"] <= real.size["height"]
    real.js(
        "() => { [...document.querySelectorAll('.ga-dest-marker')].find(m => m.title.startsWith('望京')).click(); }"
    )
    assert real.js("() => geoAtlas.state().dest") == "dest-wangjing"
    assert "望京" in real.popup_text()
    real.no_popup()
    real.js("() => { geoAtlas.select({dest: 'dest-guomao'}); }")
    # names never overlap one another or another marker (北京城市副中心站 and 行政办公区 are 2 km
    # apart); the selected destination keeps its name
    names_js = """() => [...document.querySelectorAll('.ga-dest-name, .ga-origin-name')]
        .filter(e => e.style.visibility !== 'hidden').map(e => { const r = e.getBoundingClientRect();
        return {x: r.left, y: r.top, w: r.width, h: r.height, t: e.textContent}; })"""
    icons_js = """() => [...document.querySelectorAll('.ga-dest-marker, .ga-origin-marker')].map(e => {
        const r = e.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; })"""
    dest_js = """() => [...document.querySelectorAll('.ga-dest-marker')].map(e => {
        const r = e.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; })"""
    for z in (9, 10, 11):
        real.js(f"() => {{ geoAtlas.map.setZoom({z}, {{animate: false}}); }}")
        names, icons = real.js(names_js), real.js(icons_js)
        assert overlapping(names) == [], (z, [(names[i]["t"], names[j]["t"]) for i, j in overlapping(names)])
        assert [n["t"] for n in names for i in icons if overlapping([n, i])] == [], z
        # nor do the diamonds themselves: one of two that would is moved, with a leader line
        diamonds = real.js(dest_js)
        assert overlapping(diamonds) == [], (z, diamonds)
        moved = [k for k, (dx, dy) in real.js("() => geoAtlas.destOffsets").items() if dx or dy]
        assert "dest-guomao" not in moved  # the selected destination stays at its place
        if z == 9:
            assert moved, "北京城市副中心站 and 行政办公区 are 2 km apart: one of them is moved at zoom 9"
        assert "国贸" in [n["t"] for n in names]
    real.reload()


def test_compare_modes_and_fastest(real, hexes):
    """Comparison layers: rail − car and the fastest mode per hexagon, computed from the layers."""
    _radio(real, "ga-mode", "cmp:rail-car")
    d = real.js("() => geoAtlas.drawn()")
    assert d["key"] == "cmp:rail-car:dest-guomao"
    assert d["scheme"] == "cmp"
    sample = hexes.dropna(subset=["t_rail_dest-guomao", "t_car_dest-guomao"]).iloc[::997].index[:10]
    for h3 in sample:
        i = real.js("(id) => geoAtlas.hexIndex(id)", h3)
        expect = round(hexes.loc[h3, "t_rail_dest-guomao"]) - round(hexes.loc[h3, "t_car_dest-guomao"])
        assert real.js("(i) => geoAtlas.value(i)", i) == expect
    only = hexes[hexes["t_rail_dest-guomao"].isna() & hexes["t_car_dest-guomao"].notna()].index[0]
    assert real.js("(i) => geoAtlas.colourAt(i)", real.js("(id) => geoAtlas.hexIndex(id)", only)) == "#bdbdbd"
    grey_note = "() => [...document.querySelectorAll('.ga-legend .ga-sub')].filter(e => !e.closest('[hidden]')).map(e => e.textContent).join(' ')"
    assert "one of the two modes only" in real.js(grey_note)  # the legend explains grey here ...
    _radio(real, "ga-mode", "fastest")
    assert "one of the two modes only" not in real.js(grey_note)  # ... and only here
    for h3 in sample:
        i = real.js("(id) => geoAtlas.hexIndex(id)", h3)
        cols = [f"t_{c}_dest-guomao" for c in ("rail", "bus", "car")]
        expect = min(round(v) for v in hexes.loc[h3, cols] if np.isfinite(v))
        assert real.js("(i) => geoAtlas.value(i)", i) == expect
    real.js("() => { geoAtlas.select({mode: 'car'}); }")


def test_scenarios_are_labelled_layers(real):
    """Scenario layers reach the map, labelled with the study's descriptions, one at a time."""
    labels = real.js(
        "() => [...document.querySelectorAll('.ga-access input[name=ga-sc]')].map(i => i.parentNode.textContent.trim())"
    )
    assert "Jing-Tang intercity railway opens (2022-12-30)" in labels
    assert "Line 22 (Pinggu line) opens as forecast (what-if)" in labels
    _radio(real, "ga-sc", "jingtang")
    d = real.js("() => geoAtlas.drawn()")
    assert d["key"].startswith("diff:jingtang:dest-guomao:")
    assert d["scheme"] == "diff"
    assert d["iso"] is None
    assert d["canvases"] == 1
    assert real.js("() => document.querySelector('.ga-access input[value=fastest]').disabled")
    real.js("() => { geoAtlas.select({sc: ''}); }")


def test_newly_reachable_towns_are_shown_apart(synth):
    mp = synth
    mp.js("() => { geoAtlas.select({dest: 'dest-guomao', mode: 'transit', sc: 'jingtang'}); }")
    d = mp.js("() => geoAtlas.drawn()")
    assert d["key"] == "diff:jingtang:dest-guomao:transit"
    layer = mp.js("() => geoAtlas.layers['diff:jingtang:dest-guomao:transit']")
    assert layer["expected"] == 1  # 燕郊: −12 min; 大厂 has no delta: it becomes reachable
    i = mp.js("() => geoAtlas.hexIndex('大厂')")
    assert mp.js("(i) => geoAtlas.colourAt(i)", i) == "#00a651"
    mp.js("() => { geoAtlas.map.setView([39.88, 116.98], 11, {animate: false}); }")
    mp.page.locator(".ga-origin-marker[title^='大厂']").click()
    text = mp.popup_text()
    assert "大厂" in text
    assert "newly reachable" in text
    assert "— → 95 min" in text
    mp.no_popup()
    mp.js("() => { geoAtlas.map.setView([39.96, 116.82], 11, {animate: false}); }")
    mp.page.locator(".ga-origin-marker[title^='燕郊']").click()
    text = mp.popup_text()
    assert "102 → 90 min (−12 min)" in text
    assert "56 min" in text
    assert "90 min" in text
    mp.no_popup()
    mp.js("() => { geoAtlas.select({sc: ''}); }")
    mp.assert_clean()


def test_search_finds_towns_destinations_and_stations(synth):
    mp = synth
    box = mp.page.locator(".ga-search input")
    box.fill("燕郊")
    labels = [
        x.split(" ")[0] for x in mp.js("() => [...document.querySelectorAll('.ga-search li')].map(l => l.textContent)")
    ]
    assert "燕郊" in labels
    assert "燕郊站" in labels
    box.press("Enter")
    assert "town centre" in mp.popup_text()
    mp.no_popup()
    box.fill("国贸")
    box.press("Enter")
    assert mp.js("() => geoAtlas.state().dest") == "dest-guomao"
    mp.no_popup()
    box.fill("nowhere-at-all")
    assert "No match" in mp.page.inner_text(".ga-search ul")
    box.press("Escape")
    mp.assert_clean()


def test_permalink_keeps_destination_mode_scenario(synth):
    mp = synth
    mp.js(
        "() => { geoAtlas.select({dest: 'dest-wangjing', mode: 'car', sc: '', iso: false}); geoAtlas.map.setView([39.95, 116.8], 11, {animate: false}); geoAtlas.writeHash(); }"
    )
    h = mp.js("() => location.hash")
    assert "dest=dest-wangjing" in h
    assert "mode=car" in h
    assert "iso=0" in h
    mp.reload(h)
    assert mp.js("() => geoAtlas.state()") == {
        "dest": "dest-wangjing",
        "mode": "car",
        "sc": "",
        "opp": "",
        "iso": False,
    }
    assert mp.js("() => geoAtlas.map.getZoom()") == 11
    assert mp.js("() => geoAtlas.drawn().key") == "time:dest-wangjing:car"
    mp.reload("#dest=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E&mode=__proto__&sc=constructor&iso=2")
    assert mp.js("() => geoAtlas.state()") == {
        "dest": "dest-guomao",
        "mode": "transit",
        "sc": "",
        "opp": "",
        "iso": True,
    }
    assert mp.js("() => document.querySelectorAll('img[src=x]').length") == 0
    mp.reload()
    mp.assert_clean()


def test_downloads_are_csv_tables(synth):
    mp = synth
    if mp.viewport == "phone":
        mp.page.click(".ga-access-panel summary")
    name, data = mp.download(".ga-dl-row button:nth-child(1)")
    assert name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0][:6] == ["h3", "lat", "lon", "county", "nearest_station", "station_km"]
    assert "minutes_transit" in rows[0]
    assert "fastest" in rows[0]
    assert len(rows) - 1 == mp.js("() => geoAtlas.lastDownloadRows") > 100
    name, data = mp.download(".ga-dl-row button:nth-child(2)")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0][:5] == ["origin", "destination", "destination_id", "mode", "minutes"]
    assert "jingtang_after" in rows[0]
    yanjiao = next(r for r in rows if r[0] == "燕郊" and r[2] == "dest-guomao" and r[3] == "transit")
    assert yanjiao[4] == "90"
    assert yanjiao[rows[0].index("jingtang_change")] == "-12"
    if mp.viewport == "phone":
        mp.page.click(".ga-access-panel summary")
    mp.assert_clean()


def test_layout_and_names(synth):
    """Phone and desktop: nothing overlaps, the search is usable, every tab stop is named."""
    mp = synth
    sels = [
        ".ga-search",
        ".leaflet-control-zoom-in",
        ".ga-access",
        ".ga-legend",
        ".leaflet-control-scale",
        ".leaflet-control-attribution",
    ]
    rects = [mp.rect(s) for s in sels]
    assert overlapping(rects) == [], [(sels[i], sels[j]) for i, j in overlapping(rects)]
    if mp.viewport == "phone":
        assert mp.js("() => document.querySelector('.ga-access-panel').open") is False
        covered = sum(r["w"] * r["h"] for r in rects[2:4]) / (390 * 844)
        assert covered < 0.1
    names = mp.js(
        """() => [...document.querySelectorAll('a[href], button, input, select, summary, [tabindex]')]
            .filter(e => e.tabIndex >= 0 && e.offsetParent !== null)
            .map(e => [e.tagName + '.' + e.className, e.getAttribute('aria-label') || e.title ||
                 (e.labels && e.labels[0] && e.labels[0].textContent) || e.textContent.trim() || e.getAttribute('alt') || ''])"""
    )
    assert len(names) > 10
    assert all(n[1].strip() for n in names), [n for n in names if not n[1].strip()]


def test_cumulative_opportunities_view(real, hexes):
    """Issue 16 on the map: cells reachable within 30/45/60 min per mode, one layer at a time
    like the others, values and colours from ``access_hexes``' ``o_<chain>_<minutes>`` columns."""
    from geo.maps.styles import opportunity_breaks, sequential
    from geo.schema import opportunity_column

    col = opportunity_column("car", 45)
    _radio(real, "ga-opp", "45")
    d = real.js("() => geoAtlas.drawn()")
    assert d["key"] == "opp:car:45"
    assert d["scheme"] == "opp"
    assert d["iso"] is None  # no isochrones of a destination under a destination-free layer
    assert d["canvases"] == 1
    assert d["count"] == int(hexes[col].notna().sum())
    assert "within 45 min · car" in real.page.inner_text(".ga-access-panel summary")
    # the destination does not apply; the comparisons have no opportunities
    assert real.js("() => [...document.querySelectorAll('.ga-access input[name=ga-dest]')].every(i => i.disabled)")
    assert real.js("() => document.querySelector('.ga-access input[value=fastest]').disabled")
    # values and classes: one sequential scale shared by every mode and threshold
    opp_cols = [c for c in hexes.columns if c.startswith("o_")]
    breaks = opportunity_breaks(hexes[opp_cols].to_numpy(dtype=float))
    colours = sequential(len(breaks) + 1)
    sample = [*hexes.iloc[::1511].index[:10], hexes[col].idxmax(), hexes[col].idxmin()]
    for h3 in sample:
        i = real.js("(id) => geoAtlas.hexIndex(id)", h3)
        v = hexes.loc[h3, col]
        assert real.js("(i) => geoAtlas.value(i)", i) == v
        assert real.js("(i) => geoAtlas.colourAt(i)", i) == colours[int(np.searchsorted(breaks, v, side="right"))]
    # the legend gives the unit and what one cell is
    shown = real.js(
        "() => [...document.querySelectorAll('.ga-legend .ga-scheme')].filter(s => !s.hidden).map(s => s.textContent).join(' ')"
    )
    assert "Cells reachable" in shown
    assert "1 (the cell itself)" in shown
    assert "km²" in shown
    assert "Travel time, minutes" not in shown
    # switching the mode keeps the threshold
    _radio(real, "ga-mode", "rail")
    assert real.js("() => geoAtlas.drawn().key") == "opp:rail:45"
    # a hexagon's popup gives every mode at every threshold, and the one shown in km²
    h3 = hexes["o_rail_45"].idxmax()
    i = real.js("(id) => geoAtlas.hexIndex(id)", h3)
    lat, lon = real.js("(i) => geoAtlas.centre(i)", i)
    real.js("([lat, lon]) => { geoAtlas.map.setView([lat, lon], 12, {animate: false}); }", [lat, lon])
    assert real.js("([lat, lon]) => geoAtlas.openHexAt(lat, lon)", [lat, lon]) == i
    text = real.popup_text()
    assert "Reachable within" in text
    for c in ("rail", "bus", "car"):
        for t in (30, 45, 60):
            assert f"{int(hexes.loc[h3, opportunity_column(c, t)]):,}" in text
    assert f"rail 轨道, 45 min: {int(hexes.loc[h3, 'o_rail_45']):,} cells ≈" in text
    real.no_popup()
    # the permalink keeps it; a scenario replaces it; "off" returns to the destination's times
    real.js("() => { geoAtlas.writeHash(); }")
    h = real.js("() => location.hash")
    assert "opp=45" in h
    real.reload(h)
    assert real.js("() => geoAtlas.state()")["opp"] == "45"
    assert real.js("() => geoAtlas.drawn().key") == "opp:rail:45"
    real.reload("#opp=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E&mode=rail")
    assert real.js("() => geoAtlas.drawn().key") == "time:dest-guomao:rail"
    real.js("() => { geoAtlas.select({opp: '60'}); }")
    real.screenshot("access-opportunities.png")
    _radio(real, "ga-sc", "jingtang")
    assert real.js("() => geoAtlas.state().opp") == ""
    assert real.js("() => geoAtlas.drawn().scheme") == "diff"
    real.js("() => { geoAtlas.select({sc: '', opp: '30'}); }")
    _radio(real, "ga-opp", "")
    assert real.js("() => geoAtlas.drawn().key") == "time:dest-guomao:rail"
    real.reload()
    real.assert_clean()
