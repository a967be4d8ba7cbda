function geoAtlasBuild(map, groups, D, tiles, fit) {
  "use strict";
  map.fitBounds(fit, {padding: [12, 12], animate: false});
  var GA = window.geoAtlas = {kind: "atlas", map: map, layers: {}, date: D.date};
  var lib = window.geoAtlasLib;
  GA.popupHtml = function (layer) { return layer.feature.properties.p; };
  var fallback = lib.features(map, groups, D, GA,
    function (f) { return D.styles[f.properties.sk]; },
    function (layer) { return layer.feature.properties.p; });
  map.attributionControl.addAttribution(D.attribution);
  lib.control(map, "bottomright", "ga-legend", D.legend);
  lib.search(map, GA);
  lib.minimap(map, tiles, fallback || D.bboxFeature);
  GA.readyMs = performance.now();
  GA.ready = true;
}
