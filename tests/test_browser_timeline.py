"""Browser tests of the timeline map (headless Chromium, desktop 1280×800 and phone 390×844).

The real map (the project's layers) for the defects found in use: lines stay dashed after
▶, popups go stale, the slider is imprecise; the synthetic map for exact statuses.
"""

from __future__ import annotations

import html

import pytest
from _mapdata import MapPage, overlapping

from geo.dates import to_date
from geo.maps.features import status_on

pytestmark = pytest.mark.browser

STYLE_JS = """() => Object.values(geoAtlas.layers).flatMap(r => r.features.map((l, j) => {
    const c = r.casings[j];
    return [l.feature.properties.t.id, r.geojson.hasLayer(l), l.options.color, String(l.options._dashArray || ''),
            l.options.dashArray, l.options.weight, l.options.opacity, l.options.fillOpacity,
            c && r.casingGroup.hasLayer(c) ? [c.options.color, c.options.weight] : null];
}))"""


@pytest.fixture(scope="module", params=["desktop", "phone"])
def real(request, browser, real_maps):
    mp = MapPage(browser, real_maps["timeline"], viewport=request.param)
    yield mp
    mp.close()


def test_play_to_the_end_draws_what_a_fresh_load_draws(real):
    """Defect 1: after ▶ reaches the end, every feature's rendered style equals a fresh load's."""
    fresh = {row[0]: row for row in real.js(STYLE_JS)}
    assert real.js("() => geoAtlas.date") == "2026-01-01"
    real.js("() => geoAtlas.setDate('2019-01-01')")
    real.page.select_option(".ga-speed select", "1095")
    real.page.click(".ga-play")
    assert real.js("() => document.querySelector('.ga-play').getAttribute('aria-label')").startswith("Pause")
    real.page.wait_for_function("!geoAtlas.playing() && geoAtlas.date === '2026-01-01'", timeout=60_000)
    after = {row[0]: row for row in real.js(STYLE_JS)}
    assert after == fresh
    # 厂通路 and its bridge are solid (no dash) and on a white casing, as on a fresh load
    for fid in ("road-changtong", "bridge-changtong-chaobai", "jingtang-intercity"):
        row = after[fid]
        assert row[1] is True, fid
        assert row[3] == "", (fid, row)
        assert row[4] is None, (fid, row)
        assert row[8] == ["#ffffff", row[5] + 3], (fid, row)
    # play lands on every date on which the map changes: the Jing-Tang opening, 厂通路's opening
    visited = real.js("() => geoAtlas.visited")
    assert "2022-12-30" in visited
    assert "2024-09-29" in visited
    changes = real.js("() => geoAtlas.chartSamples.map(s => s[0])")
    assert {d for d in changes if "2019-01-01" < d <= "2026-01-01"} <= set(visited)
    real.assert_clean()


def test_popup_status_follows_the_slider(real):
    """Defect 6: an open popup follows the date; it fits the viewport above the date bar."""
    real.js("() => geoAtlas.setDate('2020-01-01')")
    text = real.click_feature("rail", "jingtang-intercity", zoom=10)
    assert "Status on 2020-01-01" in text
    assert "under construction" in text
    real.page.focus(".ga-range")
    real.js("() => geoAtlas.setDate('2023-06-30')")
    text = real.popup_text()
    assert "Status on 2023-06-30" in text
    assert "open" in text
    assert "since 2022-12-30" in text
    box = real.rect(".leaflet-popup")
    bar = real.rect(".ga-timebar-ctl")
    assert box["y"] >= 0
    assert box["x"] >= 0
    assert box["x"] + box["w"] <= real.size["width"] + 1
    assert box["y"] + box["h"] <= bar["y"] + 1, (box, bar)  # never under the date bar
    assert real.popup_covered() == []  # nor under a button of the top corners
    real.no_popup()


def test_station_status_as_its_line(real):
    real.js("() => geoAtlas.setDate('2024-01-01')")
    text = real.click_feature("stations", "station-tuqiao", zoom=13)
    assert "as its line" in text
    assert "北京地铁八通线" in text
    real.no_popup()


def test_slider_keys_events_ticks_speed_and_chart(real):
    """Defect 8: day steps with keys, previous/next event, year ticks, speed, counts chart."""
    real.js("() => geoAtlas.setDate('2022-12-01')")
    slider = real.page.locator(".ga-range")
    slider.focus()
    slider.press("ArrowRight")
    assert real.js("() => geoAtlas.date") == "2022-12-02"
    slider.press("ArrowLeft")
    slider.press("ArrowLeft")
    assert real.js("() => geoAtlas.date") == "2022-11-30"
    slider.press("PageUp")  # the next date on which the map changes
    nxt = real.js("() => geoAtlas.date")
    assert "2022-11-30" < nxt <= "2022-12-30"
    real.js("() => geoAtlas.setDate('2022-12-29')")
    real.page.click(".ga-next")
    assert real.js("() => geoAtlas.date") == "2022-12-30"
    real.page.click(".ga-prev")
    assert real.js("() => geoAtlas.date") < "2022-12-30"
    # what changed since the last step: the Jing-Tang railway opened on 2022-12-30
    real.js("() => geoAtlas.setDate('2022-12-29')")
    real.js("() => geoAtlas.setDate('2022-12-30')")
    summary = real.page.inner_text(".ga-changes summary")
    assert "2022-12-29 → 2022-12-30" in summary
    changed = real.js("() => geoAtlas.lastChanges.map(c => [c.name, c.from, c.to])")
    assert ["京唐城际铁路", "under_construction", "open"] in changed
    # year ticks with labels, the count chart, a speed control
    years = real.js("() => [...document.querySelectorAll('.ga-year-l')].map(e => e.textContent)")
    assert "2022" in years or "2020" in years
    assert len(years) >= 4
    labels = real.js(
        "() => [...document.querySelectorAll('.ga-year-l')].map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.left, y: r.top, w: r.width, h: r.height}; })"
    )
    assert overlapping(labels) == []
    assert real.js("() => document.querySelectorAll('.ga-chart polygon').length") == 4
    if real.viewport == "desktop":
        assert real.js("() => [...document.querySelectorAll('.ga-speed option')].length") >= 4
    # the date field jumps to an exact day (desktop) and the slider resolution is a day
    real.js("() => geoAtlas.setDate('2024-09-29')")
    assert real.page.input_value(".ga-range") == str(
        (to_date("2024-09-29") - to_date(real.js("() => geoAtlas.chartSamples[0][0]"))).days
    )


def test_date_bar_never_covers_the_controls(real):
    """Defects 2 and 4: the date bar, zoom, full screen, layers, legend and scale do not overlap,
    also with the layer switcher open."""
    # a tap on the switcher after using the date bar opens it and it stays open (the emulated
    # mouseout of the tap closed it on a phone)
    real.page.click(".ga-next")
    real.open_layers()
    real.page.wait_for_timeout(300)
    assert real.js("() => !!document.querySelector('.leaflet-control-layers-expanded')")
    sels = [
        ".ga-timebar-ctl",
        ".leaflet-control-zoom-in",
        ".leaflet-control-zoom-out",
        ".leaflet-control-zoom-fullscreen",
        ".leaflet-control-layers",
        ".ga-legend",
        ".leaflet-control-scale",
        ".ga-search",
    ]
    boxes = [real.rect(s) for s in sels]
    assert all(boxes), boxes
    assert overlapping(boxes) == [], [(sels[i], sels[j]) for i, j in overlapping(boxes)]
    real.screenshot("timeline-layers-open.png")
    real.close_layers()


def test_permalink_keeps_the_date(real):
    real.js("() => geoAtlas.setDate('2023-06-30')")
    real.js("() => geoAtlas.writeHash()")
    h = real.js("() => location.hash")
    assert "d=2023-06-30" in h
    real.reload(h)
    assert real.js("() => geoAtlas.date") == "2023-06-30"
    assert real.page.inner_text(".ga-slider .ga-date") == "2023-06-30"
    real.reload()


# --------------------------------------------------------------------------- the synthetic map


@pytest.fixture(scope="module")
def synth(browser, map_files):
    mp = MapPage(browser, map_files["timeline"])
    yield mp
    mp.close()


def test_statuses_follow_status_as_of_exactly(synth, map_layers):
    mp = synth
    assert mp.js("() => geoAtlas.date") == "2025-12-31"
    slider = mp.page.locator(".ga-range")
    slider.focus()
    slider.press("Home")
    assert mp.page.inner_text(".ga-slider .ga-date") == "2003-12-27"
    shown = {k: v[0] for k, v in mp.counts().items()}
    assert shown == {"admin": 1, "roads": 0, "rail": 1, "stations": 1}  # Batong and the station taking its status
    mp.js("() => geoAtlas.setDate('2022-06-01')")
    assert mp.n("ga-st-under_construction") == 2  # line 22 and Changtong road
    text = mp.click_feature("roads", "road-changtong")
    assert "Status on 2022-06-01" in text
    assert "under construction" in text
    mp.no_popup()
    dates = ["2003-12-26", "2003-12-27", "2019-05-01", "2021-06-14", "2021-06-15", "2023-12-29", "2025-12-31"]
    js = mp.js(
        """(dates) => Object.values(geoAtlas.layers).flatMap(r => r.features.map(l =>
        [l.feature.properties.t.id, dates.map(d => geoAtlas.statusAt(l.feature.properties, d)[0])]))""",
        dates,
    )
    by_id = {row["id"]: row for gdf in map_layers.values() for _, row in gdf.iterrows()}
    inherited = {"station-batong-a": "metro-batong-line"}
    for fid, statuses in js:
        tl = by_id[html.unescape(fid)]["timeline"]
        if fid in inherited:
            tl = by_id[inherited[fid]]["timeline"]
        assert statuses == [status_on(tl, to_date(d))[0] for d in dates], fid
    mp.assert_clean()


def test_features_existing_before_the_corpus_are_open_from_the_start(real):
    """Roads and bridges with no history that the layers give ``status: open``
    (``basis: existing_before``) are drawn open at the slider's first date, as in the layers."""
    real.js("() => geoAtlas.setDate('2015-01-01')")
    rows = {row[0]: row for row in real.js(STYLE_JS)}
    for fid in ("expressway-east-6th-ring", "bridge-jingyu-old-chaobai"):
        assert rows[fid][1] is True, fid  # drawn
        assert rows[fid][4] is None, rows[fid]  # solid: open, not dashed
    text = real.click_feature("roads", "expressway-east-6th-ring")
    assert "Status on 2015-01-01: open" in text
    assert "existing before the corpus" in text
    real.no_popup()
    real.js("() => geoAtlas.setDate('2026-01-01')")
    real.assert_clean()


def test_year_labels_fit_the_slider(real):
    """The year labels stay inside the slider's track (the end year 2026 was clipped at its
    right end on desktop) and never overlap one another."""
    labels = real.js(
        """() => [...document.querySelectorAll('.ga-ticks .ga-year-l')].map(e => { const r = e.getBoundingClientRect();
            return {x: r.left, y: r.top, w: r.width, h: r.height, t: e.textContent}; })"""
    )
    track = real.rect(".ga-ticks")
    assert len(labels) >= 4
    assert all(lb["t"] for lb in labels)
    for lb in labels:
        assert lb["x"] >= track["x"] - 0.5, lb
        assert lb["x"] + lb["w"] <= track["x"] + track["w"] + 0.5, (lb, track)
    assert overlapping(labels) == [], [(labels[i]["t"], labels[j]["t"]) for i, j in overlapping(labels)]
    if real.viewport == "desktop":
        assert labels[-1]["t"] == "2026"  # the end date's year is labelled
