function geoAccessBuild(map, groups, D, tiles, fit) {
  "use strict";
  map.fitBounds(fit, {padding: [12, 12], animate: false});
  var GA = window.geoAtlas = {kind: "access", map: map, layers: {}};
  var lib = window.geoAtlasLib;
  var renderer = L.canvas({padding: 0.3});
  // Rings are integer lon/lat in 1/scale degrees: first vertex absolute, then deltas.
  var sc = D.hex.scale;
  var rings = D.hex.rings.map(function (r) {
    var x = r[0], y = r[1], out = [[y / sc, x / sc]];
    for (var i = 2; i < r.length; i += 2) { x += r[i]; y += r[i + 1]; out.push([y / sc, x / sc]); }
    return out;
  });
  var styles = {};
  Object.keys(D.schemes).forEach(function (k) {
    styles[k] = D.schemes[k].colours.map(function (c) {
      return {renderer: renderer, stroke: true, color: c, weight: 0.6, opacity: 0.72, fillColor: c, fillOpacity: 0.72};
    });
  });
  function classOf(breaks, v) {
    var k = 0;
    while (k < breaks.length && v >= breaks[k]) k++;
    return k;
  }
  D.layers.forEach(function (ld) {
    var group = groups[ld.key];
    var rec = {group: group, expected: ld.n, built: false, features: [], label: ld.label};
    var scheme = D.schemes[ld.scheme];
    function build() {
      if (rec.built) return;
      rec.built = true;
      if (ld.type === "iso") {
        var gj = L.geoJSON(ld.geojson, {style: function (f) { return {color: f.properties.c, weight: 2.5,
          opacity: 0.95, fill: false, dashArray: ld.dash || null}; },
          onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.t, {sticky: true}); rec.features.push(layer); }});
        gj.addTo(group);
        return;
      }
      // dense: one value per hexagon (null = none); sparse: [hex, value, hex, value, ...]
      var step = ld.dense ? 1 : 2;
      for (var i = 0; i < ld.v.length; i += step) {
        var h = ld.dense ? i : ld.v[i], v = ld.dense ? ld.v[i] : ld.v[i + 1];
        if (v === null) continue;
        var st = styles[ld.scheme][classOf(scheme.breaks, v)];
        var poly = rings[h].length === 1 ? L.circleMarker(rings[h][0], L.extend({radius: 7}, st, {stroke: true,
          color: "#333", weight: 1, opacity: 0.8})) : L.polygon(rings[h], st);
        poly._gaValue = v; poly._gaHex = h;
        group.addLayer(poly);
        rec.features.push(poly);
      }
    }
    rec.build = build;
    rec.count = function () { return rec.features.length; };
    group.on("click", function (e) {
      var l = e.layer;
      if (l._gaValue === undefined) return;
      var v = l._gaValue, sign = ld.type === "diff" && v > 0 ? "+" : "";
      L.popup().setLatLng(e.latlng).setContent('<div class="ga-name">' + ld.label + "</div>" +
        "<div>" + sign + v + " " + D.units + (ld.type === "diff" ? " (scenario − baseline)" : "") +
        '</div><div class="ga-doc">' + (D.hex.ids ? D.hex.ids[l._gaHex] : "") + "</div>").openOn(map);
    });
    if (map.hasLayer(group)) build(); else group.once("add", build);
    GA.layers[ld.key] = rec;
  });
  map.attributionControl.addAttribution(D.attribution);
  lib.control(map, "bottomright", "ga-legend", D.legend);
  lib.minimap(map, tiles, D.bboxFeature);
  GA.readyMs = performance.now();
  GA.ready = true;
}
