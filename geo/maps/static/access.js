// jjj-atlas: the access map, a comparison tool. Built by geo.maps.access_map.
// One destination and one mode (or comparison, or scenario) at a time: exactly one value
// layer is drawn, on one canvas (HexRenderer), under county outlines and rail lines.
function geoAccessBuild(map, groups, D, tiles, fit, fitPhone) {
  "use strict";
  var lib = window.geoAtlasLib;
  lib.fitView(map, fit, fitPhone);
  var GA = window.geoAtlas = {kind: "access", map: map, layers: {}, recs: [], gcj02: D.gcj02,
    timing: {start: performance.now()}};
  lib.layout(map, GA, D);
  lib.fitPopups(map, GA);
  [["gaHex", 390], ["gaCtx", 410], ["gaIso", 415], ["gaMarks", 620]].forEach(function (p) {
    var pane = map.createPane(p[0]);
    pane.style.zIndex = String(p[1]);
    if (p[0] !== "gaMarks") pane.style.pointerEvents = "none";
    if (p[0] === "gaHex") pane.style.opacity = "0.8";  // the hexagons let the basemap show through
  });

  // ---------------------------------------------------------------- geometry: world pixels at zoom 0
  var sc = D.hex.scale, n = D.hex.rings.length;
  var start = new Int32Array(n + 1), total = 0;
  D.hex.rings.forEach(function (r, i) { start[i] = total; total += r.length / 2; });
  start[n] = total;
  var wx = new Float64Array(total), wy = new Float64Array(total);
  var box = new Float64Array(4 * n), cx = new Float64Array(n), cy = new Float64Array(n);
  var R2D = Math.PI / 180;
  D.hex.rings.forEach(function (r, i) {
    var x = 0, y = 0, k = start[i], minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
    var sx = 0, sy = 0;
    for (var j = 0; j < r.length; j += 2, k++) {
      x += r[j]; y += r[j + 1];
      var lon = x / sc, lat = Math.max(Math.min(y / sc, 85.0511), -85.0511);
      var px = (lon + 180) / 360 * 256;
      var s = Math.sin(lat * R2D);
      var py = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256;
      wx[k] = px; wy[k] = py; sx += px; sy += py;
      if (px < minx) minx = px; if (px > maxx) maxx = px; if (py < miny) miny = py; if (py > maxy) maxy = py;
    }
    var m = r.length / 2;
    box[4 * i] = minx; box[4 * i + 1] = miny; box[4 * i + 2] = maxx; box[4 * i + 3] = maxy;
    cx[i] = sx / m; cy[i] = sy / m;
  });
  GA.timing.geometry = performance.now();
  function worldToLatLng(x, y) { return map.unproject([x, y], 0); }
  function isPoint(i) { return start[i + 1] - start[i] === 1; }

  // ---------------------------------------------------------------- layers and values
  var byKey = {};
  D.layers.forEach(function (ld) { byKey[ld.key] = ld; });
  var cache = {};
  function decode(ld) {
    if (cache[ld.key]) return cache[ld.key];
    var v = new Float32Array(n).fill(NaN);
    if (ld.dense) { for (var i = 0; i < ld.v.length; i++) if (ld.v[i] !== null) v[i] = ld.v[i]; }
    else { for (var j = 0; j < ld.v.length; j += 2) v[ld.v[j]] = ld.v[j + 1]; }
    cache[ld.key] = v;
    return v;
  }
  function timeValues(dest, mode) { var ld = byKey["time:" + dest + ":" + mode]; return ld ? decode(ld) : null; }
  function classOf(breaks, v) { var k = 0; while (k < breaks.length && v >= breaks[k]) k++; return k; }
  var ONLY = "#bdbdbd";
  var chains = D.modes.map(function (m) { return m.id; });
  var cmpKeys = D.cmp.map(function (c) { return "cmp:" + c[0] + "-" + c[1]; });
  function modeText(id) {
    var m = D.modes.filter(function (x) { return x.id === id; })[0];
    if (m) return m.text;
    if (id === "fastest") return "fastest mode 最快方式";
    var c = /^cmp:(.+)-(.+)$/.exec(id);
    return c ? modeText(c[1]) + " − " + modeText(c[2]) : id;
  }
  function destOf(id) { return D.dests.filter(function (d) { return d.id === id; })[0]; }
  function scenOf(id) { return D.scenarios.filter(function (s) { return s.id === id; })[0]; }

  // what is drawn: {key, scheme, cls (Int16 colour index or -1), palette, values, labels for points}
  function layerFor(st) {
    var key, scheme, palette, cls = new Int16Array(n).fill(-1), vals = new Float32Array(n).fill(NaN), text = {};
    if (st.opp) {
      key = "opp:" + st.mode + ":" + st.opp;
      scheme = "opp";
      palette = D.schemes.opp.colours;
      var od = byKey[key] ? decode(byKey[key]) : null;
      for (var w = 0; od && w < n; w++) {
        if (od[w] === od[w]) { vals[w] = od[w]; cls[w] = classOf(D.schemes.opp.breaks, od[w]); text[w] = String(od[w]); }
      }
    } else if (st.sc) {
      key = "diff:" + st.sc + ":" + st.dest + ":" + st.mode;
      scheme = "diff";
      var ld = byKey[key];
      palette = D.schemes.diff.colours.concat([D.schemes.diff.new, ONLY]);
      if (ld) {
        var v = decode(ld);
        for (var i = 0; i < n; i++) {
          if (v[i] === v[i]) {
            vals[i] = v[i]; cls[i] = classOf(D.schemes.diff.breaks, v[i]);
            text[i] = (v[i] > 0 ? "+" : v[i] < 0 ? "−" : "±") + Math.abs(v[i]);
          }
        }
        for (var j = 0; ld.nw && j < ld.nw.length; j += 2) {
          cls[ld.nw[j]] = palette.length - 2; vals[ld.nw[j]] = NaN; text[ld.nw[j]] = "new";
        }
        for (var k = 0; ld.ls && k < ld.ls.length; k += 2) {
          cls[ld.ls[k]] = palette.length - 1; text[ld.ls[k]] = "lost";
        }
      }
    } else if (st.mode === "fastest") {
      key = "fastest:" + st.dest;
      scheme = "fastest";
      palette = D.schemes.fastest.colours;
      var arrays = D.schemes.fastest.chains.map(function (c) { return timeValues(st.dest, c); });
      for (var h = 0; h < n; h++) {
        var best = Infinity, bi = -1;
        arrays.forEach(function (a, ai) { if (a && a[h] === a[h] && a[h] < best) { best = a[h]; bi = ai; } });
        if (bi >= 0) { cls[h] = bi; vals[h] = best; }
      }
    } else if (/^cmp:/.test(st.mode)) {
      var pair = /^cmp:(.+)-(.+)$/.exec(st.mode);
      key = st.mode + ":" + st.dest;
      scheme = "cmp";
      palette = D.schemes.diff.colours.concat([ONLY]);
      var a = timeValues(st.dest, pair[1]), b = timeValues(st.dest, pair[2]);
      for (var q = 0; a && b && q < n; q++) {
        var fa = a[q] === a[q], fb = b[q] === b[q];
        if (fa && fb) { vals[q] = a[q] - b[q]; cls[q] = classOf(D.schemes.diff.breaks, vals[q]); }
        else if (fa || fb) cls[q] = palette.length - 1;
      }
    } else {
      key = "time:" + st.dest + ":" + st.mode;
      scheme = "time";
      palette = D.schemes.time.colours;
      var tv = timeValues(st.dest, st.mode);
      for (var t = 0; tv && t < n; t++) {
        if (tv[t] === tv[t]) { vals[t] = tv[t]; cls[t] = classOf(D.schemes.time.breaks, tv[t]); text[t] = String(tv[t]); }
      }
    }
    var buckets = palette.map(function () { return []; }), drawn = 0;
    for (var u = 0; u < n; u++) if (cls[u] >= 0) { buckets[cls[u]].push(u); drawn++; }
    return {key: key, scheme: scheme, cls: cls, vals: vals, palette: palette, buckets: buckets, text: text,
      count: drawn};
  }

  // ---------------------------------------------------------------- the canvas
  var current = null;
  var HexRenderer = L.Canvas.extend({
    // Leaflet's canvas renderer positions, sizes and animates the canvas; _draw paints the
    // selected layer's hexagons (by colour class, one path each) and points (circles with values).
    _draw: function () {
      L.Canvas.prototype._draw.call(this);
      if (!current || !this._map) return;
      var ctx = this._ctx, z = this._map.getZoom(), s = Math.pow(2, z), o = this._map.getPixelOrigin();
      var b = this._bounds, x0 = (b.min.x + o.x) / s, y0 = (b.min.y + o.y) / s, x1 = (b.max.x + o.x) / s,
        y1 = (b.max.y + o.y) / s;
      ctx.save();
      var pts = [];
      current.buckets.forEach(function (idx, c) {
        var colour = current.palette[c];
        ctx.beginPath();
        idx.forEach(function (i) {
          if (box[4 * i + 2] < x0 || box[4 * i] > x1 || box[4 * i + 3] < y0 || box[4 * i + 1] > y1) return;
          if (isPoint(i)) { pts.push([i, colour]); return; }
          for (var k = start[i]; k < start[i + 1]; k++) {
            var px = wx[k] * s - o.x, py = wy[k] * s - o.y;
            if (k === start[i]) ctx.moveTo(px, py); else ctx.lineTo(px, py);
          }
          // no closePath: fill() closes every subpath itself, and in Chromium closePath on a path
          // of thousands of subpaths costs time quadratic in their number (340 ms for 14k hexagons)
        });
        ctx.fillStyle = colour;
        ctx.fill();
      });
      ctx.font = "bold 11px " + lib.FONT.replace(/^12px /, "");
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      pts.forEach(function (pc) {
        var i = pc[0], px = wx[start[i]] * s - o.x, py = wy[start[i]] * s - o.y;
        ctx.beginPath();
        ctx.arc(px, py, 13, 0, 2 * Math.PI);
        ctx.fillStyle = pc[1];
        ctx.fill();
        ctx.lineWidth = 2;
        ctx.strokeStyle = "#222";
        ctx.stroke();
        var label = current.text[i];
        if (label !== undefined) {
          ctx.lineWidth = 3;
          ctx.strokeStyle = "#fff";
          ctx.strokeText(label, px, py);
          ctx.fillStyle = "#111";
          ctx.fillText(label, px, py);
        }
      });
      ctx.restore();
    }
  });
  var renderer = new HexRenderer({pane: "gaHex", padding: 0.15});
  renderer.addTo(map);
  function redraw() { if (renderer._map) { renderer._redrawBounds = null; renderer._redraw(); } }

  // ---------------------------------------------------------------- context: outlines, lines, marks
  GA.timing.renderer = performance.now();
  var ctxRenderer = L.canvas({pane: "gaCtx"});
  var admin = L.geoJSON({type: "FeatureCollection", features: D.context.admin}, {renderer: ctxRenderer,
    interactive: false, style: function () { return {color: "#333", weight: 1.2, opacity: 0.8, fill: false}; }});
  admin.addTo(map);
  L.geoJSON({type: "FeatureCollection", features: D.context.lines}, {renderer: ctxRenderer, interactive: false,
    style: function (f) {
      return {color: "#222", weight: f.properties.o ? 1.6 : 1.2, opacity: 0.55, dashArray: f.properties.o ? null : "4 4"};
    }}).addTo(map);
  var isoLayer = L.layerGroup().addTo(map);
  var isoRenderer = L.canvas({pane: "gaIso"});
  var marks = L.layerGroup().addTo(map);
  var destMarks = {};
  D.dests.forEach(function (d) {
    if (!d.ll) return;
    var icon = L.divIcon({className: "ga-dest-marker", html: "◆", iconSize: [22, 22], iconAnchor: [11, 11]});
    var mk = L.marker(d.ll, {icon: icon, pane: "gaMarks", title: d.text + (d.en ? " " + d.en : "") +
      " — destination 目的地", alt: d.text, riseOnHover: true});
    mk.on("add", function () {
      var e = mk.getElement();
      if (e && !e.querySelector(".ga-dest-name")) { var t = lib.el("span", "ga-dest-name", e, d.text); t.lang = "zh"; }
    });
    mk.on("click", function () {
      if (state.dest !== d.id || state.opp) select({dest: d.id, opp: ""});
      L.popup(lib.popupOptions(map, GA)).setLatLng(d.ll).setContent('<div class="ga-name">' + d.label +
        '</div><div>Destination 目的地 — selected: the map shows travel times to here.</div>').openOn(map);
    });
    mk.addTo(marks);
    destMarks[d.id] = mk;
  });
  var originMarks = [];
  D.origins.forEach(function (o, oi) {
    var icon = L.divIcon({className: "ga-origin-marker", html: "", iconSize: [14, 14], iconAnchor: [7, 7]});
    var mk = L.marker(o.ll, {icon: icon, pane: "gaMarks", title: o.name + " — town centre 城镇中心", alt: o.name});
    mk.on("add", function () {
      var e = mk.getElement();
      if (e && !e.querySelector(".ga-origin-name")) { var t = lib.el("span", "ga-origin-name", e, o.name); t.lang = "zh"; }
    });
    mk.on("click", function () { openOrigin(oi); });
    mk.addTo(marks);
    originMarks.push(mk);
  });

  // names of destinations and towns never overlap one another or another marker: the selected
  // destination's name first, then the other destinations, then the towns; a name that would
  // overlap is hidden (its marker stays, with its name as tooltip and in search)
  function overlaps(a, b) { return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; }
  // destination diamonds that would overlap (北京城市副中心站 and 行政办公区 are 2 km apart)
  // are pushed apart on screen, the selected one staying put, each moved one with a thin
  // leader line to its true place
  var leaders = L.layerGroup().addTo(map), DEST_GAP = 27;  // the 26 px diamond and a 1 px gap
  GA.destOffsets = {};
  function spreadDestinations() {
    leaders.clearLayers();
    var ids = Object.keys(destMarks).filter(function (k) { return destMarks[k].getElement(); });
    ids.sort(function (a, b) { return (b === state.dest) - (a === state.dest) || (a < b ? -1 : a > b ? 1 : 0); });
    var placed = [];
    ids.forEach(function (k) { DEST_GAP = Math.max(DEST_GAP, destMarks[k].getElement().offsetWidth + 1); });
    ids.forEach(function (k) {
      var mk = destMarks[k], e = mk.getElement(), at = map.latLngToContainerPoint(mk.getLatLng()), pt = at;
      for (var round = 0; round < 8; round++) {
        var hit = placed.filter(function (q) {
          return Math.abs(q.x - pt.x) < DEST_GAP && Math.abs(q.y - pt.y) < DEST_GAP;
        })[0];
        if (!hit) break;
        var dx = pt.x - hit.x, dy = pt.y - hit.y, len = Math.sqrt(dx * dx + dy * dy);
        if (len < 0.5) { dx = 0; dy = -1; len = 1; }  // same place: above
        // out of the other's square along the line between them
        var t = DEST_GAP / Math.max(Math.abs(dx / len), Math.abs(dy / len));
        pt = L.point(hit.x + dx / len * t, hit.y + dy / len * t);
      }
      var ox = Math.round(pt.x - at.x), oy = Math.round(pt.y - at.y);
      e.style.translate = ox || oy ? ox + "px " + oy + "px" : "";
      GA.destOffsets[k] = [ox, oy];
      if (ox || oy) {
        L.polyline([mk.getLatLng(), map.containerPointToLatLng(L.point(at.x + ox, at.y + oy))],
          {color: "#111", weight: 1.5, opacity: 0.9, interactive: false, pane: "gaMarks"}).addTo(leaders);
        L.circleMarker(mk.getLatLng(), {radius: 2.5, color: "#111", weight: 1, fillColor: "#fff", fillOpacity: 1,
          interactive: false, pane: "gaMarks"}).addTo(leaders);
      }
      placed.push(L.point(at.x + ox, at.y + oy));
    });
  }
  function declutterNames() {
    spreadDestinations();
    var sel = destMarks[state.dest], order = sel ? [sel] : [];
    Object.keys(destMarks).forEach(function (k) { if (destMarks[k] !== sel) order.push(destMarks[k]); });
    order = order.concat(originMarks);
    var icons = order.map(function (mk) { var e = mk.getElement(); return e ? e.getBoundingClientRect() : null; });
    var kept = [];
    GA.hiddenNames = 0;
    order.forEach(function (mk, i) {
      var e = mk.getElement(), t = e && e.querySelector(".ga-dest-name, .ga-origin-name");
      if (!t) return;
      t.style.visibility = "";
      var r = t.getBoundingClientRect();
      var hit = kept.some(function (k) { return overlaps(r, k); }) ||
        icons.some(function (b, j) { return b && j !== i && overlaps(r, b); });
      if (hit) { t.style.visibility = "hidden"; GA.hiddenNames++; } else kept.push(r);
    });
  }
  map.on("zoomend", declutterNames);
  GA.declutterNames = declutterNames;

  // ---------------------------------------------------------------- places for descriptions and search
  function pointInRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if (((yi > y) !== (yj > y)) && (x < (xj - xi) * (y - yi) / (yj - yi) + xi)) inside = !inside;
    }
    return inside;
  }
  function inGeom(lon, lat, g) {
    var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    return polys.some(function (p) {
      return pointInRing(lon, lat, p[0]) && !p.slice(1).some(function (h) { return pointInRing(lon, lat, h); });
    });
  }
  var adminAreas = D.context.admin.map(function (f) {
    var b = L.geoJSON(f).getBounds();
    return {f: f, area: (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth())};
  });
  function countyAt(ll) {
    var best = null;
    adminAreas.forEach(function (a) {
      if (inGeom(ll.lng, ll.lat, a.f.geometry) && (!best || a.area < best.area)) best = a;
    });
    return best ? best.f.properties : null;
  }
  function nearest(list, ll, km) {
    var best = null;
    list.forEach(function (s) {
      var d = map.distance(ll, [s[0], s[1]]) / 1000;
      if (d <= km && (!best || d < best.d)) best = {s: s, d: d};
    });
    return best;
  }
  function describe(ll) {
    var c = countyAt(ll), st = nearest(D.context.stations, ll, 5), pl = nearest(D.context.places, ll, 6);
    var parts = [];
    if (c) parts.push('in <span lang="zh">' + c.l + "</span>");
    if (pl) parts.push(pl.d.toFixed(1) + ' km from <span lang="zh">' + pl.s[2] + "</span>");
    if (st) parts.push(st.d.toFixed(1) + ' km from <span lang="zh">' + st.s[2] + "</span>");
    return {html: parts.join(", "), county: c ? c.t : "", station: st ? st.s[3] : "", stationKm: st ? st.d : null};
  }
  GA.describe = describe;

  // ---------------------------------------------------------------- hit test
  var grid = null, CELL = 0.004;  // world px at zoom 0 (an H3 res-8 cell is ~0.0025)
  function buildGrid() {
    grid = {};
    for (var i = 0; i < n; i++) {
      if (isPoint(i)) continue;
      var gx0 = Math.floor(box[4 * i] / CELL), gx1 = Math.floor(box[4 * i + 2] / CELL);
      var gy0 = Math.floor(box[4 * i + 1] / CELL), gy1 = Math.floor(box[4 * i + 3] / CELL);
      for (var gx = gx0; gx <= gx1; gx++) for (var gy = gy0; gy <= gy1; gy++) {
        var k = gx + ":" + gy;
        (grid[k] || (grid[k] = [])).push(i);
      }
    }
  }
  function hexAt(ll) {
    if (!grid) buildGrid();
    var p = map.project(ll, 0), list = grid[Math.floor(p.x / CELL) + ":" + Math.floor(p.y / CELL)] || [];
    for (var q = 0; q < list.length; q++) {
      var i = list[q], ring = [];
      for (var k = start[i]; k < start[i + 1]; k++) ring.push([wx[k], wy[k]]);
      if (pointInRing(p.x, p.y, ring)) return i;
    }
    return -1;
  }
  function pointAt(cp) {
    if (!current) return -1;
    var best = -1, bd = 15;
    for (var i = 0; i < n; i++) {
      if (!isPoint(i) || current.cls[i] < 0) continue;
      var lp = map.latLngToContainerPoint(worldToLatLng(wx[start[i]], wy[start[i]]));
      var d = lp.distanceTo(cp);
      if (d < bd) { bd = d; best = i; }
    }
    return best;
  }
  GA.hexAt = function (lat, lon) { return hexAt(L.latLng(lat, lon)); };

  // ---------------------------------------------------------------- popups
  function fmt(v) { return v === v && v !== null && v !== undefined ? Math.round(v) + " min" : "not reachable 不可达"; }
  function signed(v) { return (v > 0 ? "+" : v < 0 ? "−" : "±") + Math.abs(Math.round(v)) + " min"; }
  function modesTable(get) {
    var rows = chains.map(function (c) { return [c, get(c)]; });
    var best = null;
    rows.forEach(function (r) { if (r[1] === r[1] && r[1] !== null && (best === null || r[1] < best[1])) best = r; });
    var html = '<table class="ga-tab ga-modes">' + rows.map(function (r) {
      var star = best && r[0] === best[0] ? ' <b class="ga-fast">★ fastest 最快</b>' : "";
      var cls = r[0] === state.mode ? ' class="ga-cur"' : "";
      return "<tr" + cls + "><th>" + D.modes.filter(function (m) { return m.id === r[0]; })[0].label + "</th><td>" +
        fmt(r[1]) + star + "</td></tr>";
    }).join("") + "</table>";
    if (best) {
      html += '<div class="ga-doc">Fastest: ' + lib.esc(modeText(best[0])) + " — the chain may use " +
        lib.esc(D.chainModes[best[0]] || best[0]) + "</div>";
    }
    D.cmp.forEach(function (c) {
      var a = get(c[0]), b = get(c[1]);
      if (a === a && b === b && a !== null && b !== null) {
        html += "<div>" + lib.esc(modeText(c[0]) + " − " + modeText(c[1])) + ": <b>" + signed(a - b) + "</b>" +
          (a < b ? " (" + lib.esc(modeText(c[0])) + " faster)" : a > b ? " (" + lib.esc(modeText(c[1])) + " faster)" : "") +
          "</div>";
      }
    });
    return html;
  }
  function scenarioHtml(get) {
    // get(scenarioId, mode) -> [delta, before, after] or null
    var out = "";
    D.scenarios.forEach(function (s) {
      var rows = chains.map(function (c) { return [c, get(s.id, c)]; }).filter(function (r) { return r[1]; });
      if (!rows.length) return;
      out += '<div class="ga-h' + (s.id === state.sc ? " ga-cur" : "") + '">' + s.label + "</div><ul class=\"ga-cl\">" +
        rows.map(function (r) {
          var d = r[1][0], b = r[1][1], a = r[1][2];
          var what = d !== null ? signed(d) : (b === null && a !== null ? D.newLabel : (b !== null && a === null ?
            "no longer reachable" : "not reachable"));
          return "<li>" + D.modes.filter(function (m) { return m.id === r[0]; })[0].label + ": " +
            (b !== null ? Math.round(b) : "—") + " → " + (a !== null ? Math.round(a) : "—") + " min (" + what + ")</li>";
        }).join("") + "</ul>";
    });
    return out;
  }
  function hexScenario(i) {
    return function (sid, mode) {
      var ld = byKey["diff:" + sid + ":" + state.dest + ":" + mode];
      if (!ld) return null;
      var d = decode(ld)[i], b = null, a = null;
      if (ld.ba) for (var k = 0; k < ld.ba.length; k += 3) if (ld.ba[k] === i) { b = ld.ba[k + 1]; a = ld.ba[k + 2]; }
      if (b === -1) b = null;
      if (a === -1) a = null;
      if (d !== d && b === null && a === null) {
        for (var j = 0; ld.nw && j < ld.nw.length; j += 2) if (ld.nw[j] === i) a = ld.nw[j + 1];
        if (a === null) return null;
      }
      return [d === d ? d : null, b, a];
    };
  }
  // cumulative opportunities of a hexagon: cells (or weight) reachable within each threshold by each mode
  function fmtCount(v) { return v === v && v !== null && v !== undefined ? Math.round(v).toLocaleString("en-US") : "—"; }
  function opportunityHtml(i) {
    var S = D.schemes.opp;
    if (!S || !D.opp.length) return "";
    var rows = chains.filter(function (c) { return D.opp.some(function (o) { return o.mode === c; }); });
    var unit = S.counts ? "cells 网格" : lib.esc(S.unit);
    var html = '<div class="ga-h' + (state.opp ? " ga-cur" : "") + '">Reachable within 可达 (' + unit +
      ', the cell itself included)</div><table class="ga-tab ga-opp"><tr><th></th>' +
      S.thresholds.map(function (t) { return "<th>" + lib.esc(t) + " min</th>"; }).join("") + "</tr>" +
      rows.map(function (c) {
        return "<tr><th>" + D.modes.filter(function (m) { return m.id === c; })[0].label + "</th>" +
          S.thresholds.map(function (t) {
            var ld = byKey["opp:" + c + ":" + t], v = ld ? decode(ld)[i] : NaN;
            var cur = state.opp === t && state.mode === c ? ' class="ga-cur"' : "";
            return "<td" + cur + ">" + fmtCount(v) + "</td>";
          }).join("") + "</tr>";
      }).join("") + "</table>";
    if (state.opp && S.counts && S.cellKm2) {
      var ld = byKey["opp:" + state.mode + ":" + state.opp], v = ld ? decode(ld)[i] : NaN;
      if (v === v) {
        html += '<div class="ga-doc">' + lib.esc(modeText(state.mode)) + ", " + lib.esc(state.opp) + " min: " +
          fmtCount(v) + " cells ≈ " + fmtCount(v * S.cellKm2) + " km² (one cell ≈ " + S.cellKm2 + " km²)</div>";
      }
    }
    return html;
  }
  function hexPopup(i, ll) {
    var d = destOf(state.dest), where = describe(ll);
    var html = '<div class="ga-name">Hexagon 网格 ' + (where.html ? '<span class="ga-en">' + where.html + "</span>" : "") +
      '</div><div class="ga-sub">to ' + d.label + "</div>" +
      modesTable(function (c) { var v = timeValues(state.dest, c); return v ? v[i] : NaN; }) +
      opportunityHtml(i) + scenarioHtml(hexScenario(i));
    if (D.hex.ids) html += '<div class="ga-doc">H3 cell ' + D.hex.ids[i] + "</div>";
    return html;
  }
  function originPopup(oi) {
    var o = D.origins[oi], d = destOf(state.dest);
    var t = (o.t[state.dest] || {});
    var html = '<div class="ga-name" lang="zh">' + o.label + '</div><div class="ga-sub">town centre, to ' + d.label +
      "</div>" + modesTable(function (c) { return t[c] === undefined ? NaN : t[c]; }) +
      scenarioHtml(function (sid, mode) {
        var x = ((o.sc[sid] || {})[state.dest] || {})[mode];
        return x || null;
      });
    html += '<div class="ga-h">To every destination 到各目的地 (min)</div><table class="ga-tab ga-all"><tr><th></th>' +
      chains.map(function (c) { return "<th>" + D.modes.filter(function (m) { return m.id === c; })[0].label + "</th>"; }).join("") +
      "</tr>" + D.dests.map(function (dd) {
        var tt = o.t[dd.id] || {};
        return "<tr><th>" + dd.label + "</th>" + chains.map(function (c) {
          return "<td>" + (tt[c] === undefined ? "—" : Math.round(tt[c])) + "</td>";
        }).join("") + "</tr>";
      }).join("") + "</table>";
    return html;
  }
  var popup = null;
  function openAt(html, ll) {
    popup = L.popup(lib.popupOptions(map, GA)).setLatLng(ll).setContent(html).openOn(map);
    return popup;
  }
  function openOrigin(oi) { GA.popupFor = {origin: oi}; openAt(originPopup(oi), D.origins[oi].ll); }
  function openHex(i, ll) { GA.popupFor = {hex: i, ll: ll}; openAt(hexPopup(i, ll), ll); }
  GA.openHexAt = function (lat, lon) {
    var ll = L.latLng(lat, lon), i = hexAt(ll);
    if (i >= 0) openHex(i, ll);
    return i;
  };
  map.on("click", function (e) {
    var pi = pointAt(e.containerPoint);
    if (pi >= 0) {
      var name = D.hex.ids ? D.hex.ids[pi] : "";
      var oi = -1;
      D.origins.forEach(function (o, k) { if (o.label === name) oi = k; });
      if (oi >= 0) { openOrigin(oi); return; }
    }
    var i = hexAt(e.latlng);
    if (i >= 0) openHex(i, e.latlng);
  });
  map.on("popupclose", function () { GA.popupFor = null; });
  function refreshPopup() {
    if (!GA.popupFor || !popup || !map.hasLayer(popup)) return;
    if (GA.popupFor.origin !== undefined) popup.setContent(originPopup(GA.popupFor.origin));
    else popup.setContent(hexPopup(GA.popupFor.hex, GA.popupFor.ll));
  }

  // ---------------------------------------------------------------- state
  var state = {dest: D.defaults.dest, mode: D.defaults.mode, sc: "", opp: "", iso: true};
  GA.state = function () { return {dest: state.dest, mode: state.mode, sc: state.sc, opp: state.opp, iso: state.iso}; };
  function oppFor(mode, th) { return D.opp.some(function (o) { return o.mode === mode && o.th === th; }); }
  function valid(st) {
    if (!destOf(st.dest)) st.dest = D.defaults.dest;
    var modes = chains.concat(["fastest"], cmpKeys);
    if (modes.indexOf(st.mode) < 0) st.mode = D.defaults.mode;
    if (st.sc && !scenOf(st.sc)) st.sc = "";
    if (st.opp && !D.opp.some(function (o) { return o.th === st.opp; })) st.opp = "";
    if (st.opp) {
      st.sc = "";  // one layer at a time: the opportunities or a scenario
      if (!oppFor(st.mode, st.opp)) st.mode = chains.filter(function (c) { return oppFor(c, st.opp); })[0];
    }
    if (st.sc && chains.indexOf(st.mode) < 0) {
      st.mode = chains.filter(function (c) { return byKey["diff:" + st.sc + ":" + st.dest + ":" + c]; })[0] || chains[0];
    }
    return st;
  }
  var panel, nowText, legendBox;
  function select(change) {
    if (change.sc) change = L.extend({opp: ""}, change);  // a scenario replaces the opportunities
    var st = valid(L.extend({}, state, change));
    state = st;
    current = layerFor(st);
    redraw();
    isoLayer.clearLayers();
    var iso = byKey["iso:" + st.dest + ":" + st.mode];
    GA.isoKey = null;
    if (st.iso && !st.sc && !st.opp && iso && chains.indexOf(st.mode) >= 0) {
      L.geoJSON(iso.geojson, {renderer: isoRenderer, interactive: false, style: function (f) {
        return {color: f.properties.c, weight: 2.5, opacity: 0.95, fill: false};
      }}).addTo(isoLayer);
      GA.isoKey = iso.key;
    }
    Object.keys(destMarks).forEach(function (k) {
      var e = destMarks[k].getElement();
      if (e) e.classList.toggle("ga-dest-on", k === st.dest);
    });
    declutterNames();
    syncPanel();
    refreshPopup();
    if (GA.hashChanged) GA.hashChanged();
    return GA.drawn();
  }
  GA.select = select;
  GA.value = function (i) { return current && current.vals[i] === current.vals[i] ? current.vals[i] : null; };
  GA.colourAt = function (i) { return current && current.cls[i] >= 0 ? current.palette[current.cls[i]] : null; };
  GA.hexIndex = function (id) { return D.hex.ids ? D.hex.ids.indexOf(id) : -1; };
  GA.centre = function (i) { var ll = worldToLatLng(cx[i], cy[i]); return [ll.lat, ll.lng]; };
  GA.drawn = function () {
    var what = st2text(state);
    return {key: current ? current.key : null, scheme: current ? current.scheme : null, count: current ? current.count : 0,
      iso: GA.isoKey, text: what, canvases: map.getPane("gaHex").querySelectorAll("canvas").length};
  };
  function st2text(st) {
    if (st.opp) {
      return "Showing: " + (D.schemes.opp.counts ? "cells" : D.schemes.opp.unit) + " reachable within " + st.opp +
        " min · " + modeText(st.mode) + " · cumulative opportunities 累积机会";
    }
    var d = destOf(st.dest);
    var s = st.sc ? scenOf(st.sc).text + " · " : "";
    var kind = st.sc ? "change in travel time 变化" : /^cmp:/.test(st.mode) ? "difference 差值" :
      st.mode === "fastest" ? "fastest mode 最快方式" : "travel time 出行时间";
    return "Showing: " + s + (d ? d.text : st.dest) + " · " + modeText(st.mode) + " · " + kind;
  }

  GA.timing.context = performance.now();
  // ---------------------------------------------------------------- selector panel
  panel = lib.el("details", "ga-access-panel");
  panel.open = !lib.phone(map);
  var sum = lib.el("summary", "", panel);
  nowText = lib.el("span", "ga-now", sum, "");
  nowText.setAttribute("aria-live", "polite");
  function radios(title, name, items) {
    var fs = lib.el("fieldset", "", panel);
    lib.el("legend", "", fs, title);
    items.forEach(function (it) {
      var lb = lib.el("label", "", fs);
      var r = lib.el("input", "", lb);
      r.type = "radio";
      r.name = name;
      r.value = it[0];
      var sp = lib.el("span", "", lb, " " + it[1]);
      if (it[2]) sp.lang = it[2];
      L.DomEvent.on(r, "change", function () {
        var ch = {};
        ch[name === "ga-dest" ? "dest" : name === "ga-mode" ? "mode" : name === "ga-opp" ? "opp" : "sc"] = r.value;
        select(ch);
      });
    });
    return fs;
  }
  radios("Destination 目的地", "ga-dest", D.dests.map(function (d) { return [d.id, d.text + (d.en ? " " + d.en : "")]; }));
  radios("Mode 方式", "ga-mode", D.modes.map(function (m) { return [m.id, m.text]; })
    .concat([["fastest", "fastest mode 最快方式"]])
    .concat(D.cmp.map(function (c) { return ["cmp:" + c[0] + "-" + c[1], modeText(c[0]) + " − " + modeText(c[1]) +
      " (compare 对比)"]; })));
  if (D.opp.length) {
    // thresholds in one row: the cells (or weight) reachable from each hexagon by the mode above
    radios("Reachable area (cumulative opportunities) 可达范围", "ga-opp",
      [["", "off"]].concat(D.schemes.opp.thresholds.map(function (t) { return [t, "≤ " + t + " min"]; })))
      .classList.add("ga-inline");
  }
  if (D.scenarios.length) {
    radios("Scenario: change in travel time 情景", "ga-sc", [["", "none: travel times as of the map date 无"]]
      .concat(D.scenarios.map(function (s) { return [s.id, s.text]; })));
  }
  var isoLab = lib.el("label", "ga-iso", panel);
  var isoBox = lib.el("input", "", isoLab);
  isoBox.type = "checkbox";
  lib.el("span", "", isoLab, " Isochrone outlines 等时圈");
  L.DomEvent.on(isoBox, "change", function () { select({iso: isoBox.checked}); });
  var dlRow = lib.el("div", "ga-dl-row", panel);
  var dlHex = lib.el("button", "ga-dl", dlRow, "⤓ CSV: hexagons in view");
  dlHex.type = "button";
  var dlTown = lib.el("button", "ga-dl", dlRow, "⤓ CSV: towns");
  dlTown.type = "button";
  lib.control(map, "topright", "ga-access", panel);
  function syncPanel() {
    nowText.textContent = lib.phone(map) ? st2text(state).replace(/^Showing: /, "").replace(/ · [^·]*$/, "") :
      st2text(state);
    panel.querySelectorAll("input[type=radio]").forEach(function (r) {
      var v = r.name === "ga-dest" ? state.dest : r.name === "ga-mode" ? state.mode : r.name === "ga-opp" ? state.opp :
        state.sc;
      r.checked = r.value === v;
      if (r.name === "ga-mode") {
        r.disabled = (!!state.sc && chains.indexOf(r.value) < 0) || (!!state.opp && !oppFor(r.value, state.opp));
      }
      // the opportunities count every cell reached, whatever the destination
      if (r.name === "ga-dest") r.disabled = !!state.opp;
    });
    isoBox.checked = state.iso;
    isoBox.disabled = !!state.sc || !!state.opp;
    if (legendBox) {
      legendBox.querySelectorAll(".ga-scheme").forEach(function (s) {
        s.hidden = s.getAttribute("data-scheme") !== current.scheme;
      });
    }
  }
  var legend = lib.control(map, "topright", "ga-legend", D.legend);
  legendBox = legend.getContainer();
  if (lib.phone(map)) legendBox.querySelector("details").open = false;

  // ---------------------------------------------------------------- search
  GA.index = [];
  function entry(label, kind, names, go) {
    GA.index.push({label: label + ' <span class="ga-kind">' + kind + "</span>",
      hay: names.filter(Boolean).map(function (x) { return lib.esc(String(x).toLowerCase()); }).join("\u0001"),
      hay2: "", go: go});
  }
  D.dests.forEach(function (d) {
    entry(d.label, "destination 目的地", [d.text, d.en, d.id], function () {
      select({dest: d.id, opp: ""});
      if (d.ll) { map.setView(d.ll, Math.max(map.getZoom(), 11), {animate: false}); destMarks[d.id].fire("click"); }
    });
  });
  D.origins.forEach(function (o, oi) {
    entry(o.label, "town 城镇", [o.name], function () {
      map.setView(o.ll, Math.max(map.getZoom(), 11), {animate: false});
      openOrigin(oi);
    });
  });
  D.context.admin.forEach(function (f) {
    entry(f.properties.l, "county 区县", [f.properties.t, f.properties.e], function () {
      var b = L.geoJSON(f).getBounds();
      map.fitBounds(b, {animate: false});
      var c = b.getCenter();
      if (GA.openHexAt(c.lat, c.lng) < 0) openAt('<div class="ga-name">' + f.properties.l + "</div>", c);
    });
  });
  D.context.places.concat(D.context.stations).forEach(function (s, k) {
    var kind = k < D.context.places.length ? "place 地点" : "station 车站";
    entry(s[2], kind, [s[3], s[4]], function () {
      map.setView([s[0], s[1]], Math.max(map.getZoom(), 12), {animate: false});
      if (GA.openHexAt(s[0], s[1]) < 0) {
        openAt('<div class="ga-name">' + s[2] + "</div><div>outside the hexagon grid 不在网格内</div>", [s[0], s[1]]);
      }
    });
  });
  lib.search(map, GA, function (e) { e.go(); });

  // ---------------------------------------------------------------- downloads
  L.DomEvent.on(dlHex, "click", function () {
    var view = map.getBounds(), rows = [];
    for (var i = 0; i < n; i++) {
      if (isPoint(i)) continue;
      var ll = worldToLatLng(cx[i], cy[i]);
      if (!view.contains(ll)) continue;
      var where = describe(ll);
      var times = chains.map(function (c) { var v = timeValues(state.dest, c); return v && v[i] === v[i] ? v[i] : null; });
      var best = null;
      times.forEach(function (t, k) { if (t !== null && (best === null || t < times[best])) best = k; });
      var opps = D.opp.map(function (o) { var v = decode(byKey["opp:" + o.mode + ":" + o.th])[i]; return v === v ? v : null; });
      rows.push([D.hex.ids ? lib.unescapeHtml(D.hex.ids[i]) : i, Number(ll.lat.toFixed(5)), Number(ll.lng.toFixed(5)),
        where.county, where.station, where.stationKm === null ? null : Number(where.stationKm.toFixed(2))]
        .concat(times, [best === null ? "" : chains[best]], opps));
    }
    var header = ["h3", "lat", "lon", "county", "nearest_station", "station_km"]
      .concat(chains.map(function (c) { return "minutes_" + c; }), ["fastest"],
        D.opp.map(function (o) { return "o_" + o.mode + "_" + o.th; }));
    lib.download("jjj-atlas-access-" + state.dest + "-hexagons.csv", lib.csv(header, rows), "text/csv");
    GA.lastDownloadRows = rows.length;
  });
  L.DomEvent.on(dlTown, "click", function () {
    var header = ["origin", "destination", "destination_id", "mode", "minutes"];
    D.scenarios.forEach(function (s) { header.push(s.id + "_before", s.id + "_after", s.id + "_change"); });
    var rows = [];
    D.origins.forEach(function (o) {
      D.dests.forEach(function (d) {
        chains.forEach(function (c) {
          var t = (o.t[d.id] || {})[c];
          var r = [o.name, d.text, d.id, c, t === undefined ? null : t];
          D.scenarios.forEach(function (s) {
            var x = ((o.sc[s.id] || {})[d.id] || {})[c] || [null, null, null];
            r.push(x[1], x[2], x[0]);
          });
          rows.push(r);
        });
      });
    });
    lib.download("jjj-atlas-access-towns.csv", lib.csv(header, rows), "text/csv");
  });

  // ---------------------------------------------------------------- layers API (tests, tools)
  D.layers.forEach(function (ld) {
    GA.layers[ld.key] = {expected: ld.n, label: ld.label, count: function () {
      if (ld.type === "iso") return GA.isoKey === ld.key ? ld.n : 0;
      return current && current.key === ld.key ? current.count - (ld.nn || 0) - (ld.ls ? ld.ls.length / 2 : 0) : 0;
    }};
  });
  GA.minimap = lib.minimap(map, tiles, {type: "FeatureCollection", features: D.context.admin.length ?
    D.context.admin : D.bboxFeature.features});
  GA.timing.controls = performance.now();
  select({});
  GA.timing.select = performance.now();
  lib.permalink(map, GA, function () {
    return {dest: state.dest, mode: state.mode, sc: state.sc, opp: state.opp, iso: state.iso ? "1" : "0"};
  }, function (o) {
    var ch = {};
    if (typeof o.dest === "string" && destOf(o.dest)) ch.dest = o.dest;
    if (typeof o.mode === "string" && (chains.indexOf(o.mode) >= 0 || o.mode === "fastest" ||
        cmpKeys.indexOf(o.mode) >= 0)) ch.mode = o.mode;
    if (typeof o.sc === "string" && (o.sc === "" || scenOf(o.sc))) ch.sc = o.sc;
    if (typeof o.opp === "string" && (o.opp === "" || D.opp.some(function (x) { return x.th === o.opp; }))) ch.opp = o.opp;
    if (o.iso === "0" || o.iso === "1") ch.iso = o.iso === "1";
    select(ch);
  });
  GA.readyMs = performance.now();
  GA.ready = true;
}
