"""Provisional features on the maps, from a real corpus (headless Chromium, desktop and phone).

The seed corpus plus one news item about a road and a bus depot the gazetteer does not know
(made-up names in real counties, as in ``test_provisional.py``): the layers give them
``provisional: true``, ``accuracy: unlocated``, their county's outline and a ``placement``
quote (issue 12). The maps must draw them as the legend says, cite the placing sentence, and
date them in the timeline.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _mapdata import MapPage

from geo.maps.styles import path_style

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
NEWS = """---
title: 通州区青霞路正式通车
date: 2025-03-01
url: https://example.org/news/qingxia
---
通州区青霞路于2025年2月28日上午正式通车。香河县新建的云栖公交场站将于3月底投入使用。
"""


@pytest.fixture(scope="module")
def prov_maps(tmp_path_factory):
    from geo.api import state
    from geo.layers import build_layers
    from geo.maps import write_atlas, write_timeline_map
    from geo.maps.popups import documents_from

    base = tmp_path_factory.mktemp("provisional")
    corpus_dir = base / "corpus"
    shutil.copytree(ROOT / "seeds", corpus_dir)
    (corpus_dir / "900_provisional.md").write_text(NEWS, encoding="utf-8")
    corpus, gaz, extraction = state(corpus_dir)
    layers = {k: v for k, v in build_layers(gaz, extraction).items() if len(v)}
    prov = {
        str(r["name_zh"]): (name, str(r["id"]), r)
        for name, g in layers.items()
        for _, r in g.iterrows()
        if r.get("provisional") is True
    }
    docs = documents_from(extraction, corpus)
    return {
        "prov": prov,
        "atlas": write_atlas(base / "atlas.html", layers, basemap="none", documents=docs),
        "timeline": write_timeline_map(base / "timeline.html", layers, basemap="none", documents=docs),
    }


@pytest.fixture(scope="module", params=["desktop", "phone"])
def viewport(request):
    return request.param


FEATURE_JS = """(id) => { const l = Object.values(geoAtlas.layers).flatMap(r => r.features)
    .find(l => l.feature.properties.t.id === id);
    return l ? {drawn: !!l._map, color: l.options.color, dash: l.options.dashArray, weight: l.options.weight,
                fill: l.options.fillOpacity, polygon: l instanceof L.Polygon} : null; }"""


def test_layers_give_the_provisional_features(prov_maps):
    road = prov_maps["prov"]["青霞路"]
    assert road[0] == "roads"
    assert road[2]["accuracy"] == "unlocated"
    assert road[2]["placement"]["names"] == ["通州区"]
    assert "云栖公交场站" in prov_maps["prov"]


def test_atlas_draws_them_as_the_legend_says(browser, prov_maps, viewport):
    mp = MapPage(browser, prov_maps["atlas"], viewport=viewport)
    try:
        # the page loads clean with a provisional station drawn as a county outline (no point)
        mp.assert_clean()
        legend = mp.js("() => document.querySelector('.ga-legend .ga-acc-provisional').textContent")
        assert "provisional" in legend
        assert "outline of the county" in legend
        want = path_style("road", "open", True, "a", admin=True, provisional=True)
        fid = prov_maps["prov"]["青霞路"][1]
        got = mp.js(FEATURE_JS, fid)
        assert got["drawn"]
        assert got["polygon"]
        assert (got["color"], got["dash"], got["weight"], got["fill"]) == (
            want["color"],
            want["dashArray"],
            want["weight"],
            0.0,
        )
        # the legend's swatch is drawn with the same style
        swatch = mp.js(
            "() => { const s = document.querySelector('.ga-legend .ga-acc-provisional svg [stroke]');"
            " return [s.getAttribute('stroke'), s.getAttribute('stroke-dasharray')]; }"
        )
        assert swatch[0] == want["color"]
        assert swatch[1] == want["dashArray"]
        text = mp.click_feature("roads", fid, zoom=11)
        assert "青霞路" in text
        assert "provisional: found in documents, not yet in the gazetteer" in text
        assert "Placed 定位" in text
        assert "in 通州区 (the county named just before its name" in text
        assert "通州区青霞路于2025年2月28日上午正式通车" in text
        assert "通州区青霞路正式通车" in text  # the document by its title, not its id
        assert "Status: open" in text
        mp.no_popup()
        mp.screenshot("atlas-provisional.png")
        mp.assert_clean()
    finally:
        mp.close()


def test_timeline_dates_them(browser, prov_maps, viewport):
    mp = MapPage(browser, prov_maps["timeline"], viewport=viewport)
    try:
        fid = prov_maps["prov"]["青霞路"][1]
        mp.js("() => geoAtlas.setDate('2025-02-27')")
        assert mp.js(FEATURE_JS, fid)["drawn"] is False  # not yet reported open
        mp.js("() => geoAtlas.setDate('2025-02-28')")
        got = mp.js(FEATURE_JS, fid)
        assert got["drawn"] is True
        assert got["dash"] == path_style("road", "open", True, "a", admin=True, provisional=True)["dashArray"]
        text = mp.click_feature("roads", fid, zoom=11)
        assert "Status on 2025-02-28: open" in text
        assert "provisional" in text
        mp.no_popup()
        mp.assert_clean()
    finally:
        mp.close()
