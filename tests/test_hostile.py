"""Hostile documents: text from a document is data, never code or markup.

Every case here is a regression test for an attack or a crash found by trying
hostile input (see the README's "Security and robustness" section).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import geo.maps as gm
from geo.corpus import load_corpus
from geo.extract import extract
from geo.gazetteer import load_gazetteer
from geo.layers import build_layers

# Jinja2 payloads: one that would run code (creating a sentinel directory), one that
# would be evaluated (7*7 -> 49), and ones that break the template parser.
_SENTINEL_NAME = "ssti_sentinel"


def _payloads(sentinel: Path) -> dict[str, str]:
    return {
        "exec": f"{{{{lipsum.__globals__.os.mkdir({str(sentinel)!r})}}}}",
        "eval": "{{7*7}}",
        "raw": "{% raw %}",
        "comment": "{# unclosed",
        "block": "{% for x in range(3) %}loop{% endfor %}",
    }


def _hostile_corpus(folder: Path, p: dict[str, str]) -> Path:
    folder.mkdir()
    (folder / "evil.md").write_text(
        "---\n"
        f"title: '厂通路通车 {p['eval']} {p['raw']}'\n"
        "date: 2024-05-01\n"
        f"author: '{p['comment']}'\n"
        f"url: 'https://example.org/{p['block']}'\n"
        "---\n"
        f"2024年9月29日，厂通路{p['exec']}全线正式通车，全长{p['eval']}公里。\n\n"
        f"据介绍，厂通路将新增4条公交线路{p['raw']}，日均客流1.5万人次{p['comment']}。\n\n"
        f"安石路{p['block']}计划于2025年开工建设。\n",
        encoding="utf-8",
    )
    return folder


def _hostile_gazetteer(p: dict[str, str]):
    record = {
        "id": "road-hostile-test",
        "name_zh": "测试路" + p["eval"],
        "name_en": "Test Road " + p["raw"],
        "aliases": ["测试路别名" + p["comment"], "测试路块" + p["block"]],
        "kind": "road",
        "theme": "road",
        "admin": [110112],
        "geometry": {"type": "LineString", "coordinates": [[116.70, 39.90], [116.72, 39.91]]},
        "geometry_source": "test fixture " + p["exec"],
        "accuracy": "approximate",
        "sources": ["test " + p["eval"]],
    }
    return load_gazetteer(extra_records=[record])


@pytest.fixture(scope="module")
def hostile_maps(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    sentinel = root / _SENTINEL_NAME
    p = _payloads(sentinel)
    corpus = load_corpus(_hostile_corpus(root / "corpus", p))
    gaz = _hostile_gazetteer(p)
    x = extract(corpus, gaz)
    layers = build_layers(gaz, x)
    paths = gm.write_all_maps(layers, None, root / "maps", extraction=x, corpus=corpus, basemap="none")
    return sentinel, p, {Path(q).name: Path(q).read_text(encoding="utf-8") for q in paths}


def _data(html: str) -> str:
    """The text of the map's JSON data element, decoded (what the page's script sees)."""
    m = re.search(r'<script type="application/json" id="geo-data-\w+">(.*?)</script>', html, re.S)
    assert m, "map has no JSON data element"
    return json.dumps(json.loads(m.group(1)), ensure_ascii=False)


def test_template_payloads_never_run(hostile_maps):
    sentinel, _, maps = hostile_maps
    assert set(maps) >= {"atlas.html", "timeline.html"}
    assert not sentinel.exists(), "a document's Jinja2 payload ran code while the maps were built"


def test_template_payloads_show_literally(hostile_maps):
    _, _p, maps = hostile_maps
    for name, html in maps.items():
        data = _data(html)
        # the quote, the title and the gazetteer's own strings arrive unevaluated
        assert "{{7*7}}" in data, name
        assert "{{lipsum.__globals__" in data, name
        assert "{% raw %}" in data, name
        assert "{% for x in range(3) %}" in data, name
        assert "测试路{{7*7}}" in data, name
        # nothing evaluated the payloads: no "49 公里", no "looploop"
        assert "全长49" not in data, name
        assert "looplooploop" not in data, name
        # and the page's code never holds them outside the inert JSON element
        outside = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
        assert "lipsum" not in outside, name
        assert "{{7*7}}" not in outside, name


def test_payload_in_layer_and_group_labels_is_not_template(tmp_path):
    """Labels that reach folium's own elements (the layer switcher) are neutralised too; the
    access map's labels reach no folium element at all, only the inert JSON data."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import LineString, Polygon

    sentinel = tmp_path / _SENTINEL_NAME
    bad = _payloads(sentinel)["exec"]
    road = gpd.GeoDataFrame(
        [{"id": "road-x", "name_zh": "路", "kind": "road", "theme": "road" + bad,
          "geometry": LineString([(116.7, 39.9), (116.8, 39.95)])}],
        crs="EPSG:4326",
    )
    atlas_html = gm.render_html(gm.atlas({"roads" + bad: road}, basemap="none"))
    assert not sentinel.exists()
    # folium writes the layer and group names as escaped JSON; the braces reach it as &#123;
    assert "\\u0026#123;\\u0026#123;lipsum" in atlas_html
    poly = Polygon([(116.7, 39.9), (116.71, 39.9), (116.71, 39.91), (116.7, 39.91)])
    hexes = gpd.GeoDataFrame(
        pd.DataFrame(
            {"hex_id": ["a"], "destination": ["dest-x"], "mode": ["car"], "minutes": [30.0], "geometry": [poly]}
        ),
        crs="EPSG:4326",
    )
    m = gm.access_map(hexes, None, None, labels={"dest-x": "目的地" + bad, "car": "车" + bad}, basemap="none")
    html = gm.render_html(m)
    assert not sentinel.exists()
    assert "目的地{{lipsum" in _data(html)  # shown literally in the selector (set as text) and the legend
    outside = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
    assert "lipsum" not in outside


def test_payload_in_layer_keys_is_not_template(tmp_path):
    """Data values that become keys of the map's script call (layer names, destination ids,
    modes) reach the script as brace-free JS literals, never as template source."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import LineString, Polygon

    sentinel = tmp_path / _SENTINEL_NAME
    p = _payloads(sentinel)
    poly = Polygon([(116.7, 39.9), (116.71, 39.9), (116.71, 39.91), (116.7, 39.91)])
    hexes = gpd.GeoDataFrame(
        pd.DataFrame(
            {
                "hex_id": ["a"],
                "destination": ["dest-" + p["exec"] + p["eval"]],
                "mode": [p["block"]],
                "minutes": [30.0],
                "geometry": [poly],
            }
        ),
        crs="EPSG:4326",
    )
    html = gm.render_html(gm.access_map(hexes, None, None, basemap="none"))
    data = json.loads(re.search(r'<script type="application/json" id="geo-data-\w+">(.*?)</script>', html, re.S)[1])
    assert [ld["key"] for ld in data["D"]["layers"]] == [f"time:dest-{p['exec']}{p['eval']}:{p['block']}"]
    road = gpd.GeoDataFrame(
        [
            {
                "id": "road-x",
                "name_zh": "路",
                "kind": "road",
                "theme": "road",
                "geometry": LineString([(116.7, 39.9), (116.8, 39.95)]),
            }
        ],
        crs="EPSG:4326",
    )
    atlas_html = gm.render_html(gm.atlas({"roads" + p["eval"] + p["raw"]: road}, basemap="none"))
    assert not sentinel.exists()
    # the access map's layer keys never reach the script call: it binds no feature groups
    call = re.search(r"geoAccessBuild\(map_access, \{(.*?)\}, x\.D", html, re.S)[1]
    assert call.strip() == ""
    call = re.search(r"geoAtlasBuild\(map_atlas, \{(.*?)\}, x\.D", atlas_html, re.S)[1]
    assert json.loads(call.split(": feature_group")[0].strip()) == "roads{{7*7}}{% raw %}"
    assert "{" not in call
    assert "49" not in call


def test_new_text_paths_carry_plain_text_only_in_the_data(hostile_maps):
    """The feature list, labels and downloads read plain-text fields (``t``): they hold the
    document's text unchanged, inside the inert JSON element only."""
    _, _p, maps = hostile_maps
    for name in ("atlas.html", "timeline.html"):
        html = maps[name]
        d = json.loads(re.search(r'<script type="application/json" id="geo-data-\w+">(.*?)</script>', html, re.S)[1])
        texts = [f["properties"]["t"]["n"] for ld in d["D"]["layers"] for f in ld["features"]]
        assert "测试路{{7*7}}" in texts, name
        outside = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
        assert "测试路" not in outside, name


@pytest.mark.browser
def test_hostile_names_stay_text_in_list_labels_and_downloads(hostile_maps, browser, tmp_path):
    """In the browser: the list, the labels and the GeoJSON download show the payloads as text."""
    from _mapdata import MapPage

    _, _p, maps = hostile_maps
    path = tmp_path / "atlas.html"
    path.write_text(maps["atlas.html"], encoding="utf-8")
    mp = MapPage(browser, path, hash="#v=14/39.905/116.71&sel=road-hostile-test")
    try:
        assert "测试路{{7*7}}" in mp.popup_text()
        mp.page.click(".ga-list summary")
        mp.page.fill(".ga-list-tools input", "测试路")
        assert "测试路{{7*7}}" in mp.page.inner_text(".ga-list-table tbody")
        labels = mp.js("() => geoAtlas.labelBoxes.map(b => b.text)")
        assert "测试路{{7*7}}" in labels
        _, data = mp.download(".ga-dl")
        feats = json.loads(data)["features"]
        assert [f["properties"]["name_zh"] for f in feats] == ["测试路{{7*7}}"]
        assert feats[0]["properties"]["name_en"] == "Test Road {% raw %}"
        mp.assert_clean()
    finally:
        mp.close()
