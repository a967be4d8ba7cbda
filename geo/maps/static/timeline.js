function geoTimelineBuild(map, groups, D, tiles, fit) {
  "use strict";
  map.fitBounds(fit, {padding: [12, 12], animate: false});
  var GA = window.geoAtlas = {kind: "timeline", map: map, layers: {}};
  var lib = window.geoAtlasLib;
  var DAY = 86400000;
  function statusOf(p, iso) {
    var s = "unknown";
    for (var i = 0; i < p.st.length && p.st[i][0] <= iso; i++) s = p.st[i][1];
    return s;
  }
  function drawStatus(p, s) { return (s === "unknown" && p.cx) ? "context" : s; }
  function key(p, s) { return [p.th, s, p.ac, p.gk, p.ad].join("|"); }
  GA.statusOf = statusOf;
  GA.popupHtml = function (layer) {
    var p = layer.feature.properties, s = statusOf(p, GA.date);
    return p.h + '<div class="ga-status ga-st-' + s + '">Status on ' + GA.date + ": <b>" +
      D.statusLabels[s] + "</b></div>" + p.b;
  };
  var fallback = lib.features(map, groups, D, GA,
    function (f) { return D.styles[key(f.properties, drawStatus(f.properties, statusOf(f.properties, D.end)))]; },
    GA.popupHtml);
  map.attributionControl.addAttribution(D.attribution);
  lib.control(map, "bottomright", "ga-legend", D.legend);
  lib.search(map, GA);
  lib.minimap(map, tiles, fallback || D.bboxFeature);
  GA.setDate = function (iso) {
    GA.date = iso;
    Object.keys(GA.layers).forEach(function (name) {
      var rec = GA.layers[name];
      rec.features.forEach(function (layer) {
        var p = layer.feature.properties, s = statusOf(p, iso);
        var visible = s !== "unknown" || p.cx === 1;
        if (visible) {
          layer.setStyle(D.styles[key(p, drawStatus(p, s))]);
          if (!rec.geojson.hasLayer(layer)) rec.geojson.addLayer(layer);
        } else if (rec.geojson.hasLayer(layer)) {
          layer.closePopup();
          rec.geojson.removeLayer(layer);
        }
      });
    });
    if (GA.label) GA.label.textContent = iso;
    if (GA.slider) GA.slider.value = String(Math.round((Date.parse(iso) - t0) / DAY));
    return iso;
  };
  var t0 = Date.parse(D.start), t1 = Date.parse(D.end);
  var box = L.control({position: "topright"});
  box.onAdd = function () {
    var div = L.DomUtil.create("div", "ga-slider");
    div.innerHTML = '<button type="button" class="ga-play" title="Play">&#9654;</button> ' +
      '<span class="ga-date"></span> <input type="range" class="ga-range" list="ga-ticks" aria-label="Date"/>' +
      '<datalist id="ga-ticks"></datalist><div class="ga-sub">' + D.start + " … " + D.end +
      " · drag to change the date 拖动滑块选择日期</div>";
    var input = div.querySelector("input"), ticks = div.querySelector("datalist"), play = div.querySelector("button");
    input.min = "0"; input.max = String(Math.round((t1 - t0) / DAY)); input.step = "1";
    D.ticks.forEach(function (d) {
      var o = document.createElement("option");
      o.value = String(Math.round((Date.parse(d) - t0) / DAY));
      ticks.appendChild(o);
    });
    GA.slider = input; GA.label = div.querySelector(".ga-date");
    function fromSlider() { return new Date(t0 + Number(input.value) * DAY).toISOString().slice(0, 10); }
    L.DomEvent.on(input, "input", function () { GA.setDate(fromSlider()); });
    var timer = null;
    L.DomEvent.on(play, "click", function () {
      if (timer) { clearInterval(timer); timer = null; play.innerHTML = "&#9654;"; return; }
      if (Number(input.value) >= Number(input.max)) input.value = "0";
      play.innerHTML = "&#10074;&#10074;";
      timer = setInterval(function () {
        var v = Math.min(Number(input.max), Number(input.value) + Math.max(1, Math.round(Number(input.max) / 100)));
        input.value = String(v); GA.setDate(fromSlider());
        if (v >= Number(input.max)) { clearInterval(timer); timer = null; play.innerHTML = "&#9654;"; }
      }, 60);
    });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  box.addTo(map);
  GA.setDate(D.initial);
  GA.readyMs = performance.now();
  GA.ready = true;
}
