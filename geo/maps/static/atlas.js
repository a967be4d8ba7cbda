// jjj-atlas: the atlas (every layer on one date). Built by geo.maps.atlas.
function geoAtlasBuild(map, groups, D, tiles, fit, fitPhone) {
  "use strict";
  var lib = window.geoAtlasLib;
  lib.fitView(map, fit, fitPhone);
  var GA = window.geoAtlas = {kind: "atlas", map: map, layers: {}, date: D.date, gcj02: D.gcj02};
  GA.popupHtml = function (layer) { return layer.feature.properties.p; };
  GA.statusOf = function (layer) { var p = layer.feature.properties; return [p.s, p.sd]; };
  GA.wanted = function (layer) {
    var p = layer.feature.properties;
    return GA.filterOk(p.th, p.dr);
  };
  lib.themeControls(map, groups, D, GA, tiles,
    function (f) { return D.styles[f.properties.sk]; },
    function (f) { return f.properties.cs ? D.styles[f.properties.cs] : null; });
  lib.refresh(map, GA);
  lib.permalink(map, GA, GA.readState, GA.applyState);
  GA.readyMs = performance.now();
  GA.ready = true;
}
