var geoAtlasLib = window.geoAtlasLib || (function () {
  "use strict";
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }
  function control(map, pos, cls, html) {
    var c = L.control({position: pos});
    c.onAdd = function () {
      var div = L.DomUtil.create("div", cls);
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    c.addTo(map);
    return c;
  }
  function minimap(map, tiles, fallback) {
    var layer;
    if (tiles) {
      layer = L.tileLayer(tiles.url, {subdomains: tiles.subdomains, minZoom: 0, maxZoom: 13});
    } else {
      layer = L.geoJSON(fallback, {interactive: false,
        style: function () { return {color: "#777", weight: 1, fill: false}; },
        pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 1}); }});
    }
    var mm = new L.Control.MiniMap(layer, {toggleDisplay: true, position: "bottomleft",
      width: 150, height: 150, zoomLevelOffset: -3});
    mm.addTo(map);
    return mm;
  }
  function centre(layer) {
    if (layer.getLatLng) return layer.getLatLng();
    try { if (layer.getCenter) return layer.getCenter(); } catch (e) { /* not on map */ }
    return layer.getBounds().getCenter();
  }
  function search(map, GA) {
    var box = L.control({position: "topleft"});
    box.onAdd = function () {
      var div = L.DomUtil.create("div", "ga-search");
      var input = L.DomUtil.create("input", "", div);
      input.type = "search";
      input.placeholder = "Search 搜索 (中文 / English)";
      input.setAttribute("aria-label", "Search features by name");
      var list = L.DomUtil.create("ul", "", div);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var hits = [];
      function pick(entry) {
        var rec = GA.layers[entry[2]];
        if (!map.hasLayer(rec.group)) map.addLayer(rec.group);
        var lyr = rec.features[entry[3]];
        var shown = rec.geojson.hasLayer(lyr);
        var b = lyr.getBounds ? lyr.getBounds() : L.latLngBounds([lyr.getLatLng(), lyr.getLatLng()]);
        map.fitBounds(b, {maxZoom: 13, padding: [30, 30], animate: false});
        if (shown) { lyr.openPopup(centre(lyr)); }
        else { L.popup().setLatLng(b.getCenter()).setContent(GA.popupHtml(lyr)).openOn(map); }
        list.innerHTML = "";
        GA.lastSearch = entry[0];
      }
      function update() {
        var q = esc(input.value.trim().toLowerCase());
        list.innerHTML = "";
        hits = [];
        if (!q) return;
        for (var i = 0; i < GA.index.length && hits.length < 15; i++) {
          if (GA.index[i][1].indexOf(q) >= 0) hits.push(GA.index[i]);
        }
        hits.forEach(function (h) {
          var li = L.DomUtil.create("li", "", list);
          li.innerHTML = h[0];
          L.DomEvent.on(li, "click", function () { pick(h); });
        });
      }
      L.DomEvent.on(input, "input", update);
      L.DomEvent.on(input, "keydown", function (ev) { if (ev.key === "Enter" && hits.length) pick(hits[0]); });
      GA.search = function (text) { input.value = text; update(); if (hits.length) { pick(hits[0]); return hits[0][0]; } return null; };
      return div;
    };
    box.addTo(map);
  }
  function features(map, groups, D, GA, styleFor, popupFor) {
    // Canvas with a click tolerance: thin dashed lines stay easy to click.
    var renderer = L.canvas({padding: 0.5, tolerance: 6});
    GA.index = [];
    D.layers.forEach(function (ld) {
      var rec = {group: groups[ld.name], features: [], expected: ld.features.length};
      rec.geojson = L.geoJSON(null, {
        renderer: renderer,
        pointToLayer: function (f, ll) { return L.circleMarker(ll, L.extend({renderer: renderer}, styleFor(f))); },
        style: styleFor,
        onEachFeature: function (f, layer) {
          layer.bindPopup(popupFor, {maxWidth: 380, maxHeight: 320});
          rec.features.push(layer);
        }
      });
      rec.geojson.addData({type: "FeatureCollection", features: ld.features});
      rec.geojson.addTo(rec.group);
      rec.count = function () { return rec.geojson.getLayers().length; };
      GA.layers[ld.name] = rec;
      ld.features.forEach(function (f, j) { GA.index.push([f.properties.lb, f.properties.sx, ld.name, j]); });
    });
    var admin = D.layers.filter(function (l) { return l.name === "admin"; });
    return admin.length ? {type: "FeatureCollection", features: admin[0].features} : null;
  }
  function shown(GA, cls) {
    // Number of drawn features whose style class list contains cls (test and debug hook).
    var n = 0;
    Object.keys(GA.layers).forEach(function (k) {
      var rec = GA.layers[k];
      if (!GA.map.hasLayer(rec.group)) return;
      rec.geojson.eachLayer(function (l) {
        var o = l.options && l.options.className !== undefined ? l.options : (l.getLayers ? l.getLayers()[0].options : {});
        if ((" " + (o.className || "") + " ").indexOf(" " + cls + " ") >= 0) n++;
      });
    });
    return n;
  }
  return {esc: esc, control: control, minimap: minimap, search: search, features: features, centre: centre,
          shown: shown};
})();
window.geoAtlasLib = geoAtlasLib;
