// jjj-atlas maps: the shared core (geoAtlasLib). Layout, controls, feature layers with
// casings, visibility (date, legend filter, decluttering), labels, highlight, popups.
// Text from documents arrives HTML-escaped where it is inserted as HTML (popups, search
// labels); plain text (t.* fields) is only ever set with textContent or written as JSON.
var geoAtlasLib = window.geoAtlasLib || (function () {
  "use strict";
  var FONT = '12px system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", ' +
    '"Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif';
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }
  function unescapeHtml(s) {
    // the inverse of esc() (and of Python's html.escape): for text written to files
    return String(s).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'").replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  }
  function el(tag, cls, parent, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  }
  function phone(map) { return map.getSize().x < 600; }
  function corner(map, name) {
    // a corner of this map (not of the overview map inside it)
    return map.getContainer().querySelector(":scope > .leaflet-control-container > " + name);
  }
  function control(map, pos, cls, content, first) {
    var c = L.control({position: pos});
    c.onAdd = function () {
      var div = L.DomUtil.create("div", cls);
      if (typeof content === "string") div.innerHTML = content; else if (content) div.appendChild(content);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    c.addTo(map);
    if (first) {  // put it at the top of its corner (Leaflet appends)
      var corner = c.getContainer().parentNode;
      corner.insertBefore(c.getContainer(), corner.firstChild);
    }
    return c;
  }
  // ------------------------------------------------------------------ layout
  function layout(map, GA, D) {
    var root = map.getContainer();
    root.classList.add("ga-map");
    root.setAttribute("role", "region");
    root.setAttribute("aria-label", "Map 地图 (arrow keys pan, + and − zoom)");
    if (phone(map)) root.classList.add("ga-phone");
    // the layer switcher: a real button (keyboard and touch), never a "#" link that clears the hash
    var lc = root.querySelector(".leaflet-control-layers");
    if (lc) {
      var link = lc.querySelector(".leaflet-control-layers-toggle");
      if (link) {
        link.setAttribute("role", "button");
        link.setAttribute("aria-label", "Layers 图层");
        link.title = "Layers 图层";
        L.DomEvent.on(link, "click", function (ev) {
          L.DomEvent.preventDefault(ev);
          lc.classList.add("leaflet-control-layers-expanded");
        });
        L.DomEvent.on(link, "keydown", function (ev) {
          if (ev.key === "Enter" || ev.key === " ") {
            L.DomEvent.preventDefault(ev);
            lc.classList.add("leaflet-control-layers-expanded");
          }
        });
        // a tap on the toggle opens the list under the finger (the emulated mouseover expands
        // it first): the click of that same tap must not reach the list and tick a group label
        var openedByTap = 0;
        lc.addEventListener("touchstart", function (ev) {
          if (link.contains(ev.target) && !lc.classList.contains("leaflet-control-layers-expanded")) {
            openedByTap = Date.now();
          }
        }, true);
        lc.addEventListener("click", function (ev) {
          if (openedByTap && Date.now() - openedByTap < 600 && !link.contains(ev.target)) {
            ev.preventDefault();
            ev.stopPropagation();
            lc.classList.add("leaflet-control-layers-expanded");
          }
          openedByTap = 0;
        }, true);
        if (L.Browser.touch && phone(map)) {
          // on a touch screen the list stays open until the map is tapped (or Escape): the
          // emulated mouseout that follows a tap would close it under the finger
          lc.addEventListener("mouseout", function (ev) { ev.stopPropagation(); }, true);
        }
        L.DomEvent.on(lc, "keydown", function (ev) {
          if (ev.key === "Escape") { lc.classList.remove("leaflet-control-layers-expanded"); link.focus(); }
        });
      }
      var form = lc.querySelector("form");
      if (form) form.setAttribute("aria-label", "Layers 图层");
    }
    root.querySelectorAll(".leaflet-control-zoom-in, .leaflet-control-zoom-out").forEach(function (a) {
      a.setAttribute("role", "button");
    });
    // sources: the tile attribution stays visible in one line; the data sources open on demand
    var src = el("div", "ga-sources");
    var btn = el("button", "ga-sources-btn", src, "ⓘ Sources 来源");
    btn.type = "button";
    btn.setAttribute("aria-expanded", "false");
    var box = el("div", "ga-sources-text", src);
    box.innerHTML = D.attribution;  // trusted constant HTML (geo.maps.page.DATA_ATTRIBUTION)
    box.hidden = true;
    L.DomEvent.on(btn, "click", function () {
      box.hidden = !box.hidden;
      btn.setAttribute("aria-expanded", String(!box.hidden));
    });
    control(map, "bottomright", "ga-sources-ctl", src);
    GA.sources = src;
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="A JavaScript library for ' +
      'interactive maps">Leaflet</a>');
  }
  function topReserve(map) {
    // On a phone a popup spans the map's width: it opens below every control of the top
    // corners (search, zoom, layers, legend and list buttons), so none of them covers its
    // text; at most 40 % of the height, whatever is expanded.
    if (!phone(map)) return 20;
    var box = map.getContainer().getBoundingClientRect(), low = 0;
    [".leaflet-top.leaflet-left", ".leaflet-top.leaflet-right"].forEach(function (name) {
      var c = corner(map, name);
      if (!c) return;
      [].forEach.call(c.children, function (ctl) {
        var r = ctl.getBoundingClientRect();
        if (r.height > 0) low = Math.max(low, r.bottom - box.top);
      });
    });
    return Math.min(Math.max(60, Math.ceil(low) + 8), Math.round(box.height * 0.4));
  }
  function popupOptions(map, GA) {
    var s = map.getSize(), bottom = (GA && GA.bottomReserve) || 0, top = topReserve(map);
    return {
      maxWidth: Math.max(180, Math.min(380, s.x - 90)),  // content width: the frame adds ~44 px
      minWidth: Math.min(240, s.x - 110),
      maxHeight: Math.max(160, Math.min(420, s.y - bottom - top - 70)),
      autoPanPaddingTopLeft: L.point(10, top),
      autoPanPaddingBottomRight: L.point(10, bottom + 16),
      className: "ga-popup"
    };
  }
  function fitPopups(map, GA) {
    // popups never wider or taller than the map allows (phones, the timeline's date bar)
    map.on("popupopen", function (e) {
      L.setOptions(e.popup, popupOptions(map, GA));
      e.popup.update();
    });
  }
  function minimap(map, tiles, outlines) {
    // The overview always draws the study's outlines, so it is never blank offline.
    var parts = [];
    if (tiles) parts.push(L.tileLayer(tiles.url, {subdomains: tiles.subdomains, minZoom: 0, maxZoom: 13}));
    if (outlines) {
      parts.push(L.geoJSON(outlines, {interactive: false,
        style: function () { return {color: "#555", weight: 1, fill: false, opacity: 0.9}; },
        pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 1, interactive: false}); }}));
    }
    var mm = new L.Control.MiniMap(L.layerGroup(parts), {toggleDisplay: true, position: "bottomleft",
      width: 150, height: 150, zoomLevelOffset: -4, strings: {hideText: "Hide overview 隐藏鹰眼",
      showText: "Show overview 显示鹰眼"}});
    mm.addTo(map);
    mm.getContainer().setAttribute("aria-label", "Overview map 鹰眼图");
    var t = mm.getContainer().querySelector(".leaflet-control-minimap-toggle-display");
    if (t) { t.setAttribute("role", "button"); t.setAttribute("aria-label", "Hide or show the overview map"); }
    return mm;
  }
  function centre(layer) {
    if (layer.getLatLng) return layer.getLatLng();
    try { if (layer.getCenter) return layer.getCenter(); } catch (e) { /* not on map */ }
    return layer.getBounds().getCenter();
  }
  function boundsOf(layer) {
    if (layer.getBounds) return layer.getBounds();
    var ll = layer.getLatLng();
    return L.latLngBounds([ll, ll]);
  }
  // ------------------------------------------------------------------ feature layers
  function panes(map) {
    [["gaHighlight", 395], ["gaCasing", 398], ["gaFeatures", 400], ["gaLabels", 450]]
      .forEach(function (p) {
        if (!map.getPane(p[0])) { var pane = map.createPane(p[0]); pane.style.zIndex = String(p[1]); }
      });
    map.getPane("gaLabels").style.pointerEvents = "none";
    map.getPane("gaHighlight").style.pointerEvents = "none";
    map.getPane("gaCasing").style.pointerEvents = "none";
  }
  var DEFAULTS = {stroke: true, color: "#3388ff", weight: 3, opacity: 1, lineCap: "round", lineJoin: "round",
    dashArray: null, dashOffset: null, fill: false, fillColor: null, fillOpacity: 0.2, fillRule: "evenodd"};
  function fullStyle(s) {
    // every option explicit: a style never inherits what the previous style left behind
    var out = L.extend({}, DEFAULTS, s || {});
    if (out.fillColor === null) out.fillColor = out.color;
    return out;
  }
  function features(map, groups, D, GA, styleFor, casingFor, popupFor) {
    panes(map);
    // Canvas with a click tolerance: thin dashed lines stay easy to click.
    var renderer = L.canvas({padding: 0.5, tolerance: 6, pane: "gaFeatures"});
    var pointRenderer = renderer;  // one canvas: a second one on top would swallow the clicks
    var casingRenderer = L.canvas({padding: 0.5, pane: "gaCasing"});
    GA.index = [];
    GA.recs = [];
    D.layers.forEach(function (ld) {
      var rec = {name: ld.name, label: ld.label, group: groups[ld.name], features: [], casings: [],
        expected: ld.features.length};
      rec.geojson = L.geoJSON(null, {
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, L.extend({renderer: pointRenderer}, fullStyle(styleFor(f))));
        },
        style: function (f) { return L.extend({renderer: renderer}, fullStyle(styleFor(f))); },
        onEachFeature: function (f, layer) {
          layer.bindPopup(popupFor, popupOptions(map, GA));
          layer._gaRec = rec;
          rec.features.push(layer);
        }
      });
      rec.geojson.addData({type: "FeatureCollection", features: ld.features});
      rec.casingGroup = L.layerGroup();
      rec.features.forEach(function (layer) {
        var cs = casingFor(layer.feature);
        var c = null;
        if (layer.getLatLngs && !layer.getLatLng) {
          c = L.polyline(layer.getLatLngs(), L.extend({renderer: casingRenderer, interactive: false},
            fullStyle(cs || {opacity: 0})));
          if (cs) rec.casingGroup.addLayer(c);
        }
        layer._gaCasing = !!cs;
        rec.casings.push(c);
      });
      rec.casingGroup.addTo(rec.group);
      rec.geojson.addTo(rec.group);
      rec.count = function () { return rec.geojson.getLayers().length; };
      GA.layers[ld.name] = rec;
      GA.recs.push(rec);
      ld.features.forEach(function (f, j) {
        var p = f.properties;
        GA.index.push({label: p.lb, hay: p.sx, hay2: p.sy || "", layer: ld.name, j: j, id: p.id});
      });
    });
    GA.feature = function (layerName, j) { return GA.layers[layerName].features[j]; };
    var admin = D.layers.filter(function (l) { return l.name === "admin"; });
    return admin.length ? {type: "FeatureCollection", features: admin[0].features} : null;
  }
  function restyle(rec, j, style, casing) {
    var layer = rec.features[j];
    layer.setStyle(fullStyle(style));
    var c = rec.casings[j];
    layer._gaCasing = !!casing;
    if (c) {
      if (casing) c.setStyle(fullStyle(casing));
      var on = !!casing && rec.geojson.hasLayer(layer);
      if (on && !rec.casingGroup.hasLayer(c)) rec.casingGroup.addLayer(c);
      if (!on && rec.casingGroup.hasLayer(c)) rec.casingGroup.removeLayer(c);
    }
  }
  // ------------------------------------------------------------------ visibility
  // A feature is drawn when its layer is on, GA.wanted(layer) (date, legend filter) holds
  // and decluttering leaves it room.
  function show(rec, j, on) {
    var layer = rec.features[j], c = rec.casings[j];
    if (on) {
      if (!rec.geojson.hasLayer(layer)) rec.geojson.addLayer(layer);
      if (c && layer._gaCasing && !rec.casingGroup.hasLayer(c)) rec.casingGroup.addLayer(c);
    } else {
      if (rec.geojson.hasLayer(layer)) { layer.closePopup(); rec.geojson.removeLayer(layer); }
      if (c && rec.casingGroup.hasLayer(c)) rec.casingGroup.removeLayer(c);
    }
  }
  function declutter(map, GA) {
    // Greedy: stations in rank order keep their place unless a kept one is too close.
    var kept = [], hidden = 0;
    var cand = [];
    GA.recs.forEach(function (rec) {
      if (!map.hasLayer(rec.group)) return;
      rec.features.forEach(function (layer, j) {
        var p = layer.feature.properties;
        if (p.pr === undefined || !layer._gaWanted || !layer.getLatLng) return;  // points only
        cand.push({rec: rec, j: j, layer: layer, pr: p.pr, id: p.id});
      });
    });
    cand.sort(function (a, b) { return b.pr - a.pr || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); });
    if (GA.pinned) {
      cand.sort(function (a, b) { return (b.layer === GA.pinned) - (a.layer === GA.pinned); });
    }
    cand.forEach(function (c) {
      var pt = map.latLngToContainerPoint(c.layer.getLatLng());
      var r = (c.layer.options.radius || 5) + (c.layer.options.weight || 1) / 2;
      // apart when their bounding squares are (a 1 px gap): circles a little apart on a
      // diagonal would still touch once drawn with their outlines at a fractional zoom
      var ok = kept.every(function (k) {
        return Math.abs(pt.x - k.pt.x) >= r + k.r + 1 || Math.abs(pt.y - k.pt.y) >= r + k.r + 1;
      });
      c.layer._gaDecluttered = !ok;
      if (ok) kept.push({pt: pt, r: r, layer: c.layer}); else hidden++;
    });
    GA.markers = kept;
    GA.decluttered = hidden;
  }
  function refresh(map, GA) {
    GA.recs.forEach(function (rec) {
      rec.features.forEach(function (layer) { layer._gaWanted = GA.wanted(layer); layer._gaDecluttered = false; });
    });
    declutter(map, GA);
    GA.recs.forEach(function (rec) {
      rec.features.forEach(function (layer, j) { show(rec, j, layer._gaWanted && !layer._gaDecluttered); });
    });
    GA.recs.forEach(function (rec) {  // points on top of lines and areas re-added above them
      rec.features.forEach(function (layer) { if (layer.getLatLng && layer._map) layer.bringToFront(); });
    });
    labels(map, GA);
    if (GA.onRefresh) GA.onRefresh();
  }
  // ------------------------------------------------------------------ labels
  var measureCtx = null;
  function textWidth(text) {
    if (!measureCtx) { measureCtx = document.createElement("canvas").getContext("2d"); measureCtx.font = FONT; }
    return measureCtx.measureText(text).width;
  }
  function lineAnchor(map, layer) {
    // the middle of the line's part inside the view (container pixels)
    var size = map.getSize(), pts = [];
    var lls = layer.getLatLngs();
    var flat = L.LineUtil.isFlat(lls) ? [lls] : lls;
    var best = null;
    flat.forEach(function (part) {
      var run = [];
      part.forEach(function (ll) {
        var p = map.latLngToContainerPoint(ll);
        if (p.x >= 0 && p.y >= 0 && p.x <= size.x && p.y <= size.y) run.push(p);
        else if (run.length) { pts.push(run); run = []; }
      });
      if (run.length) pts.push(run);
    });
    pts.forEach(function (run) {
      var len = 0;
      for (var i = 1; i < run.length; i++) len += run[i].distanceTo(run[i - 1]);
      if (!best || len > best.len) best = {run: run, len: len};
    });
    if (!best || best.len < 60) return null;
    var half = best.len / 2, acc = 0, r = best.run;
    for (var k = 1; k < r.length; k++) {
      var d = r[k].distanceTo(r[k - 1]);
      if (acc + d >= half) { var t = (half - acc) / d; return r[k - 1].add(r[k].subtract(r[k - 1]).multiplyBy(t)); }
      acc += d;
    }
    return r[0];
  }
  function overlaps(a, b) { return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h; }
  function labels(map, GA) {
    if (!GA.labelLayer) { GA.labelLayer = L.layerGroup().addTo(map); }
    GA.labelLayer.clearLayers();
    GA.labelBoxes = [];
    var z = map.getZoom(), size = map.getSize(), placed = [];
    // the controls are obstacles: no label hides under a panel
    var origin = map.getContainer().getBoundingClientRect();
    map.getContainer().querySelectorAll(":scope > .leaflet-control-container .leaflet-control").forEach(function (c) {
      var r = c.getBoundingClientRect();
      if (r.width && r.height) placed.push({x: r.left - origin.left, y: r.top - origin.top, w: r.width, h: r.height,
        control: true});
    });
    var markers = (GA.markers || []).map(function (m) {
      return {x: m.pt.x - m.r, y: m.pt.y - m.r, w: 2 * m.r, h: 2 * m.r, layer: m.layer};
    });
    var cand = [];
    GA.recs.forEach(function (rec) {
      if (!map.hasLayer(rec.group)) return;
      rec.features.forEach(function (layer) {
        var p = layer.feature.properties;
        if (!rec.geojson.hasLayer(layer)) return;
        if (p.x) {
          p.x.forEach(function (x) {
            var pt = map.latLngToContainerPoint([x[0], x[1]]);
            if (pt.x < 0 || pt.y < 0 || pt.x > size.x || pt.y > size.y) return;
            cand.push({kind: "exit", pt: pt, text: (x[4] ? x[4] + " · " : "") + p.t.n, rank: 100,
              bearing: x[2], layer: layer});
          });
        }
        if (p.lz === undefined || p.lz > z) return;
        if (layer.getLatLng) {
          cand.push({kind: "point", pt: map.latLngToContainerPoint(layer.getLatLng()), text: p.t.n,
            rank: 10 + (p.pr || 0), layer: layer, r: (layer.options.radius || 5) + 2});
        } else {
          var a = lineAnchor(map, layer);
          if (a) cand.push({kind: "line", pt: a, text: p.t.n, rank: 30 - p.lz, layer: layer});
        }
      });
    });
    cand.sort(function (a, b) { return b.rank - a.rank || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0); });
    cand.forEach(function (c) {
      var w = Math.ceil(textWidth(c.text)) + (c.kind === "exit" ? 24 : 8), h = 18, box;
      if (c.kind === "point") box = {x: c.pt.x + c.r, y: c.pt.y - h / 2, w: w, h: h};
      else box = {x: c.pt.x - w / 2, y: c.pt.y - h / 2, w: w, h: h};
      if (c.kind === "exit") {  // inside the view, on the side the line goes
        box.x = Math.min(Math.max(box.x, 2), size.x - w - 2);
        box.y = Math.min(Math.max(box.y, 2), size.y - h - 2);
      }
      if (box.x < 0 || box.y < 0 || box.x + box.w > size.x || box.y + box.h > size.y) return;
      if (placed.some(function (b) { return overlaps(b, box); })) return;
      if (markers.some(function (m) { return m.layer !== c.layer && overlaps(m, box); })) return;
      placed.push(box);
      var ll = map.containerPointToLatLng([box.x, box.y]);
      var html = c.kind === "exit" ?
        '<span class="ga-arrow" style="transform:rotate(' + Number(c.bearing - 90) + 'deg)">➜</span>' : "";
      var icon = L.divIcon({className: "ga-label ga-label-" + c.kind, html: html, iconSize: [w, h], iconAnchor: [0, 0]});
      var m = L.marker(ll, {icon: icon, interactive: false, keyboard: false, pane: "gaLabels"});
      m.addTo(GA.labelLayer);
      var span = el("span", "ga-label-text", null, c.text);
      var node = m.getElement();
      node.appendChild(span);
      node.setAttribute("aria-hidden", "true");
      GA.labelBoxes.push({box: box, text: c.text, kind: c.kind});
    });
    GA.labelObstacles = placed.filter(function (b) { return b.control; });
  }
  // ------------------------------------------------------------------ highlight and focus
  function highlight(map, GA, layer) {
    if (!GA.hl) GA.hl = L.layerGroup().addTo(map);
    GA.hl.clearLayers();
    GA.highlighted = layer || null;
    if (!layer) return;
    var r = L.canvas({pane: "gaHighlight"});
    if (layer.getLatLng) {
      L.circleMarker(layer.getLatLng(), {renderer: r, radius: (layer.options.radius || 6) + 7, color: "#ffd400",
        weight: 4, opacity: 0.95, fillColor: "#ffd400", fillOpacity: 0.35, interactive: false}).addTo(GA.hl);
    } else if (layer.getLatLngs) {
      var poly = layer instanceof L.Polygon;
      (poly ? L.polygon : L.polyline)(layer.getLatLngs(), {renderer: r, color: "#ffd400", weight:
        (layer.options.weight || 3) + 9, opacity: 0.8, fill: false, interactive: false}).addTo(GA.hl);
    }
  }
  function focus(map, GA, layer, opts) {
    var rec = layer._gaRec;
    if (rec && !map.hasLayer(rec.group)) map.addLayer(rec.group);
    GA.pinned = layer;
    var b = boundsOf(layer);
    if (!(opts && opts.keepView)) map.fitBounds(b, {maxZoom: 13, padding: [40, 40], animate: false});
    refresh(map, GA);
    highlight(map, GA, layer);
    var keep = !!(opts && opts.keepView);  // a linked view stays exactly as linked: no auto-pan
    if (rec && rec.geojson.hasLayer(layer)) {
      var pop = layer.getPopup(), pan = pop.options.autoPan;
      pop.options.autoPan = !keep;
      layer.openPopup(centre(layer));
      pop.options.autoPan = pan;
    } else {
      L.popup(L.extend(popupOptions(map, GA), {autoPan: !keep})).setLatLng(b.getCenter())
        .setContent(GA.popupHtml(layer)).openOn(map);
    }
    GA.selected = layer;
    if (GA.hashChanged) GA.hashChanged();
  }
  function shown(GA, cls) {
    // Number of drawn features whose style class list contains cls (test and debug hook).
    var n = 0;
    GA.recs.forEach(function (rec) {
      if (!GA.map.hasLayer(rec.group)) return;
      rec.geojson.eachLayer(function (l) {
        var o = l.options || {};
        if ((" " + (o.className || "") + " ").indexOf(" " + cls + " ") >= 0) n++;
      });
    });
    return n;
  }
  function frame(map, D) {
    // the study-area frame regional lines are cut at
    if (!D.frame) return null;
    return L.rectangle(D.frame, {color: "#666", weight: 1, dashArray: "6 4", fill: false, interactive: false,
      pane: "gaCasing"}).addTo(map);
  }
  // the first view: the data's frame; on a phone the study area proper (its counties), in
  // quarter zoom steps so that it fills the screen's width (a phone keeps quarter steps:
  // pinch zoom and the permalink's fractional zoom stay where they are put)
  function fitView(map, fit, fitPhone) {
    if (fitPhone && phone(map)) {
      map.options.zoomSnap = 0.25;
      map.fitBounds(fitPhone, {padding: [4, 4], animate: false});
    } else {
      map.fitBounds(fit, {padding: [12, 12], animate: false});
    }
  }
  function debounce(fn, ms) {
    var t = null;
    return function () { if (t) clearTimeout(t); t = setTimeout(function () { t = null; fn(); }, ms); };
  }
  return {esc: esc, unescapeHtml: unescapeHtml, el: el, phone: phone, corner: corner, control: control, layout: layout, popupOptions: popupOptions,
    fitPopups: fitPopups, minimap: minimap, centre: centre, boundsOf: boundsOf, features: features,
    fullStyle: fullStyle, restyle: restyle, refresh: refresh, declutter: declutter, labels: labels,
    highlight: highlight, focus: focus, shown: shown, frame: frame, debounce: debounce, fitView: fitView,
    FONT: FONT};
})();
window.geoAtlasLib = geoAtlasLib;
