// jjj-atlas maps: what the atlas and the timeline map share (geoAtlasLib.themeControls):
// layout, features with casings, legend filter, feature list, search, overview, permalink state.
(function (lib) {
  "use strict";
lib.themeControls = function (map, groups, D, GA, tiles, styleFor, casingFor) {
  lib.layout(map, GA, D);
  GA.statusText = function (code) { return D.statusText[code] || code; };
  var outlines = lib.features(map, groups, D, GA, styleFor, casingFor, function (layer) { return GA.popupHtml(layer); });
  GA.frame = lib.frame(map, D);
  var legend = lib.control(map, "topright", "ga-legend", D.legend);
  var body = legend.getContainer().querySelector("details");
  if (body && lib.phone(map)) body.open = false;
  lib.legendFilter(map, GA, legend.getContainer());
  lib.featureList(map, GA, {filename: function () {
    return "jjj-atlas-" + GA.kind + "-features-" + (GA.date || "latest") + (GA.gcj02 ? ".gcj02" : "") + ".geojson";
  }});
  lib.search(map, GA, function (entry) { lib.focus(map, GA, GA.feature(entry.layer, entry.j)); });
  GA.minimap = lib.minimap(map, tiles, outlines || D.bboxFeature);
  lib.fitPopups(map, GA);
  map.on("popupopen", function (e) {
    var src = e.popup._source;
    if (src && src._gaRec) { GA.selected = src; lib.highlight(map, GA, src); if (GA.hashChanged) GA.hashChanged(); }
  });
  map.on("popupclose", function (e) {
    if (e.popup._source && e.popup._source === GA.selected) {
      GA.selected = null;
      GA.pinned = null;
      lib.highlight(map, GA, null);
      if (GA.hashChanged) GA.hashChanged();
    }
  });
  map.on("zoomend overlayadd overlayremove", function () { lib.refresh(map, GA); });
  map.on("moveend", function () { lib.labels(map, GA); });
  GA.readState = function () {
    var off = Object.keys(GA.layers).filter(function (k) { return !map.hasLayer(GA.layers[k].group); });
    return {off: off.join(","), th: Object.keys(GA.hidden.theme).sort().join(","),
      st: Object.keys(GA.hidden.status).sort().join(","),
      sel: GA.selected ? GA.selected.feature.properties.t.id : ""};
  };
  GA.applyState = function (o) {
    var off = lib.hashList(o.off, GA.layers);
    Object.keys(GA.layers).forEach(function (k) {
      var g = GA.layers[k].group, on = off.indexOf(k) < 0;
      if (on && !map.hasLayer(g)) map.addLayer(g);
      if (!on && map.hasLayer(g)) map.removeLayer(g);
    });
    GA.setHidden("theme", lib.hashList(o.th, D.themeCodes));
    GA.setHidden("status", lib.hashList(o.st, D.statusText));
    lib.refresh(map, GA);
    if (typeof o.sel === "string" && Object.prototype.hasOwnProperty.call(GA.byIdRaw, o.sel)) {
      lib.focus(map, GA, GA.byIdRaw[o.sel], {keepView: true});
    }
  };
  GA.byIdRaw = Object.create(null);
  GA.recs.forEach(function (rec) {
    rec.features.forEach(function (layer) {
      var id = layer.feature.properties.t.id;
      if (!(id in GA.byIdRaw)) GA.byIdRaw[id] = layer;
    });
  });
  return outlines;
};
})(window.geoAtlasLib);
