// jjj-atlas: the timeline map (the network through time). Built by geo.maps.timeline_map.
// A feature's style is a pure function of (feature, date): GA.styleAt(props, iso).
function geoTimelineBuild(map, groups, D, tiles, fit, fitPhone) {
  "use strict";
  var lib = window.geoAtlasLib;
  lib.fitView(map, fit, fitPhone);
  var GA = window.geoAtlas = {kind: "timeline", map: map, layers: {}, gcj02: D.gcj02, date: D.initial};
  var DAY = 86400000;
  var t0 = Date.parse(D.start), t1 = Date.parse(D.end), span = Math.round((t1 - t0) / DAY);
  function iso(n) { return new Date(t0 + n * DAY).toISOString().slice(0, 10); }
  function dayOf(d) { return Math.round((Date.parse(d) - t0) / DAY); }
  function statusAt(p, d) {
    var s = "unknown", since = null;
    for (var i = 0; i < p.st.length && p.st[i][0] <= d; i++) { s = p.st[i][1]; since = p.st[i][0]; }
    return [s, since];
  }
  function drawStatus(p, s) { return (s === "unknown" && p.cx) ? "context" : s; }
  function key(p, s) { return [p.th, s, p.ac, p.gk, p.ad, p.pv].join("|"); }
  GA.statusAt = statusAt;
  GA.statusOf = function (layer) { return statusAt(layer.feature.properties, GA.date); };
  GA.styleAt = function (p, d) { return D.styles[key(p, drawStatus(p, statusAt(p, d)[0]))]; };
  GA.casingAt = function (p, d) { return D.styles["c|" + key(p, drawStatus(p, statusAt(p, d)[0]))] || null; };
  GA.popupHtml = function (layer) {
    var p = layer.feature.properties, st = statusAt(p, GA.date);
    var since = [];
    if (st[1]) since.push("since " + st[1]);
    if (p.ih && st[0] !== "unknown") since.push("as its line " + p.ih);  // p.ih: escaped HTML
    if (p.eb) since.push("existing before the corpus 既有");
    return p.h + '<div class="ga-status ga-st-' + st[0] + '">Status on ' + GA.date + ": <b>" +
      D.statusLabels[st[0]] + "</b>" + (since.length ? " (" + since.join(", ") + ")" : "") + "</div>" + p.b;
  };
  GA.wanted = function (layer) {
    var p = layer.feature.properties, s = statusAt(p, GA.date)[0];
    return (s !== "unknown" || p.cx === 1) && GA.filterOk(p.th, drawStatus(p, s));
  };
  // a statusOf for old tests and tools: the status of a feature's properties on a date
  GA.statusOfProps = function (p, d) { return statusAt(p, d)[0]; };
  lib.themeControls(map, groups, D, GA, tiles,
    function (f) { return GA.styleAt(f.properties, GA.date); },
    function (f) { return GA.casingAt(f.properties, GA.date); });
  var openPopup = null;
  map.on("popupopen", function (e) { openPopup = e.popup; });
  map.on("popupclose", function (e) { if (openPopup === e.popup) openPopup = null; });

  // ---------------------------------------------------------------- what changed, counts by status
  var lifecycle = [];
  GA.recs.forEach(function (rec) {
    rec.features.forEach(function (layer) { if (!layer.feature.properties.cx) lifecycle.push(layer); });
  });
  function changes(from, to) {
    var a = from < to ? from : to, b = from < to ? to : from, out = [];
    lifecycle.forEach(function (layer) {
      var p = layer.feature.properties, s0 = statusAt(p, from)[0], s1 = statusAt(p, to)[0];
      if (s0 === s1) return;
      var when = "";
      p.st.forEach(function (s) { if (s[0] > a && s[0] <= b) when = s[0]; });
      out.push({layer: layer, name: p.t.n, from: s0, to: s1, date: when});
    });
    out.sort(function (x, y) { return x.date < y.date ? -1 : x.date > y.date ? 1 : (x.name < y.name ? -1 : 1); });
    return out;
  }
  GA.changes = changes;
  function counts(d) {
    var c = {open: 0, under_construction: 0, planned: 0, suspended: 0};
    lifecycle.forEach(function (layer) {
      var s = statusAt(layer.feature.properties, d)[0];
      if (s in c) c[s]++;
    });
    return c;
  }
  GA.counts = counts;

  // ---------------------------------------------------------------- the date bar
  var bar = lib.el("div", "ga-slider ga-timebar");
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", "Date 日期");
  var row = lib.el("div", "ga-tb-row", bar);
  function button(cls, text, label) {
    var b = lib.el("button", cls, row, text);
    b.type = "button";
    b.setAttribute("aria-label", label);
    b.title = label;
    return b;
  }
  var prevEv = button("ga-prev", "«", "Previous event 上一事件 (Page Down)");
  var back = button("ga-back", "‹", "One day earlier 前一天");
  var play = button("ga-play", "▶", "Play 播放");
  var fwd = button("ga-fwd", "›", "One day later 后一天");
  var nextEv = button("ga-next", "»", "Next event 下一事件 (Page Up)");
  var label = lib.el("span", "ga-date", row, D.initial);
  label.setAttribute("aria-live", "polite");
  var dateIn = lib.el("input", "ga-date-input", row);
  dateIn.type = "date";
  dateIn.min = D.start;
  dateIn.max = D.end;
  dateIn.setAttribute("aria-label", "Go to date 跳转日期");
  var speedWrap = lib.el("label", "ga-speed", row);
  lib.el("span", "ga-speed-text", speedWrap, "Speed 速度 ");
  var speed = lib.el("select", "", speedWrap);
  speed.setAttribute("aria-label", "Playback speed 播放速度");
  speed.title = "Playback speed 播放速度";
  [["events", "events only"], ["30", "1 month/s"], ["91", "3 months/s"], ["365", "1 year/s"],
    ["1095", "3 years/s"]].forEach(function (o) {
    var opt = lib.el("option", "", speed, o[1]);
    opt.value = o[0];
  });
  speed.value = "365";
  var track = lib.el("div", "ga-tb-track", bar);
  var svgNS = "http://www.w3.org/2000/svg";
  var chart = document.createElementNS(svgNS, "svg");
  chart.setAttribute("class", "ga-chart");
  chart.setAttribute("viewBox", "0 0 1000 36");
  chart.setAttribute("preserveAspectRatio", "none");
  chart.setAttribute("role", "img");
  track.appendChild(chart);
  var input = lib.el("input", "ga-range", track);
  input.type = "range";
  input.min = "0";
  input.max = String(span);
  input.step = "1";
  input.setAttribute("aria-label", "Date 日期 (arrow keys: one day; Page Up/Down: next/previous event)");
  var ticks = lib.el("div", "ga-ticks", track);
  ticks.setAttribute("aria-hidden", "true");
  var changedBox = lib.el("details", "ga-changes", bar);
  var changedSum = lib.el("summary", "", changedBox, "Changed 变化");
  var changedList = lib.el("ul", "", changedBox);
  GA.slider = input;
  GA.label = label;

  // counts by status through time: a stacked step chart over the slider
  var dates = D.changes.filter(function (d) { return d >= D.start && d <= D.end; });
  var samples = [D.start].concat(dates, [D.end]).map(function (d) { return [d, counts(d)]; });
  var order = [["open", "#2b8a3e"], ["under_construction", "#f08c00"], ["planned", "#adb5bd"], ["suspended", "#868e96"]];
  var top = Math.max(1, Math.max.apply(null, samples.map(function (s) {
    var c = s[1]; return c.open + c.under_construction + c.planned + c.suspended;
  })));
  function x(d) { return (1000 * dayOf(d) / Math.max(span, 1)).toFixed(1); }
  var base = samples.map(function () { return 0; });
  order.forEach(function (o) {
    var up = [], down = [];
    samples.forEach(function (s, i) {
      var next = i + 1 < samples.length ? samples[i + 1][0] : D.end;
      var y0 = 36 - 34 * base[i] / top, y1 = 36 - 34 * (base[i] + s[1][o[0]]) / top;
      up.push(x(s[0]) + "," + y1.toFixed(1), x(next) + "," + y1.toFixed(1));
      down.unshift(x(next) + "," + y0.toFixed(1), x(s[0]) + "," + y0.toFixed(1));
      base[i] += s[1][o[0]];
    });
    var poly = document.createElementNS(svgNS, "polygon");
    poly.setAttribute("points", up.concat(down).join(" "));
    poly.setAttribute("fill", o[1]);
    poly.setAttribute("fill-opacity", "0.75");
    chart.appendChild(poly);
  });
  var cursor = document.createElementNS(svgNS, "line");
  cursor.setAttribute("y1", "0");
  cursor.setAttribute("y2", "36");
  cursor.setAttribute("stroke", "#111");
  cursor.setAttribute("stroke-width", "2");
  cursor.setAttribute("vector-effect", "non-scaling-stroke");
  chart.appendChild(cursor);
  var chartTitle = document.createElementNS(svgNS, "title");
  chart.appendChild(chartTitle);
  GA.chartSamples = samples;

  function tick(cls, d, text) {
    var t = lib.el("span", cls, ticks, text);
    t.style.left = "calc(7px + (100% - 14px) * " + (dayOf(d) / Math.max(span, 1)).toFixed(5) + ")";
    return t;
  }
  function drawTicks() {
    ticks.textContent = "";
    var w = Math.max(track.clientWidth - 14, 50);
    var y0 = Number(D.start.slice(0, 4)) + 1, y1 = Number(D.end.slice(0, 4));
    var years = y1 - y0 + 1, pxYear = w / Math.max(span / 365.25, 1), every = 1;
    while (pxYear * every < 34) every = every === 1 ? 2 : every === 2 ? 5 : every * 2;
    var shown = [];
    for (var y = y0; y <= y1; y++) {
      var labelled = (y % every) === 0;
      var t = tick(labelled ? "ga-year ga-year-l" : "ga-year", y + "-01-01", labelled ? String(y) : "");
      if (labelled) shown.push(t);
    }
    // a label that would run past the slider's right end: the end date's year (e.g.
    // 2026-01-01, at the very end) is written to the left of its tick, dropping a label it
    // then meets; another year keeps its tick without a label
    var last = shown[shown.length - 1];
    if (last && last.offsetLeft + last.offsetWidth > ticks.clientWidth && last.textContent + "-01-01" !== D.end) {
      last.textContent = "";
      last.className = "ga-year";
    } else if (last && last.offsetLeft + last.offsetWidth > ticks.clientWidth) {
      last.classList.add("ga-year-end");
      var prev = shown[shown.length - 2];
      if (prev && prev.getBoundingClientRect().right + 2 > last.getBoundingClientRect().left) {
        prev.textContent = "";
        prev.className = "ga-year";
      }
    }
    dates.forEach(function (d) { tick("ga-evtick", d, ""); });
    return years;
  }

  // ---------------------------------------------------------------- setting the date
  function fmtStatus(s) { return D.statusText[s] || s; }
  GA.setDate = function (d, opts) {
    if (!lib.isoDate.test(d)) return GA.date;
    if (d < D.start) d = D.start;
    if (d > D.end) d = D.end;
    var prev = GA.date;
    GA.date = d;
    GA.recs.forEach(function (rec) {
      rec.features.forEach(function (layer, j) {
        var p = layer.feature.properties;
        lib.restyle(rec, j, GA.styleAt(p, d), GA.casingAt(p, d));
      });
    });
    lib.refresh(map, GA);
    if (openPopup && openPopup._source && openPopup._source._gaRec) {
      openPopup.setContent(GA.popupHtml(openPopup._source));
      openPopup.update();
    }
    label.textContent = d;
    dateIn.value = d;
    input.value = String(dayOf(d));
    input.setAttribute("aria-valuetext", d);
    var cx = x(d);
    cursor.setAttribute("x1", cx);
    cursor.setAttribute("x2", cx);
    var c = counts(d);
    chartTitle.textContent = "On " + d + ": " + c.open + " open, " + c.under_construction + " under construction, " +
      c.planned + " planned";
    if (!(opts && opts.quiet) && prev !== d) {
      var ch = changes(prev, d);
      GA.lastChanges = ch;
      changedSum.textContent = "Changed " + prev + " → " + d + " 变化 (" + ch.length + ")";
      changedList.textContent = "";
      ch.slice(0, 30).forEach(function (c) {
        var li = lib.el("li", "", changedList);
        var b = lib.el("button", "ga-link", li, c.name);
        b.type = "button";
        b.lang = "zh";
        lib.el("span", "", li, ": " + fmtStatus(c.from) + " → " + fmtStatus(c.to) + (c.date ? " (" + c.date + ")" : ""));
        L.DomEvent.on(b, "click", function () { lib.focus(map, GA, c.layer); });
      });
      if (ch.length > 30) lib.el("li", "", changedList, "… +" + (ch.length - 30));
    }
    if (GA.hashChanged) GA.hashChanged();
    return d;
  };
  function nextChange(d) { for (var i = 0; i < dates.length; i++) if (dates[i] > d) return dates[i]; return null; }
  function prevChange(d) { for (var i = dates.length - 1; i >= 0; i--) if (dates[i] < d) return dates[i]; return null; }
  GA.nextEvent = function () { var n = nextChange(GA.date); return n ? GA.setDate(n) : GA.date; };
  GA.prevEvent = function () { var n = prevChange(GA.date); return n ? GA.setDate(n) : GA.date; };
  GA.step = function (days) { return GA.setDate(iso(Math.min(span, Math.max(0, dayOf(GA.date) + days)))); };
  L.DomEvent.on(input, "input", function () { GA.setDate(iso(Number(input.value))); });
  L.DomEvent.on(input, "keydown", function (ev) {
    if (ev.key === "PageUp") { L.DomEvent.preventDefault(ev); GA.nextEvent(); }
    else if (ev.key === "PageDown") { L.DomEvent.preventDefault(ev); GA.prevEvent(); }
  });
  L.DomEvent.on(dateIn, "change", function () { if (lib.isoDate.test(dateIn.value)) GA.setDate(dateIn.value); });
  L.DomEvent.on(prevEv, "click", GA.prevEvent);
  L.DomEvent.on(nextEv, "click", GA.nextEvent);
  L.DomEvent.on(back, "click", function () { GA.step(-1); });
  L.DomEvent.on(fwd, "click", function () { GA.step(1); });
  var timer = null;
  GA.visited = [];
  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    play.textContent = "▶";
    play.setAttribute("aria-label", "Play 播放");
    play.setAttribute("aria-pressed", "false");
  }
  GA.playing = function () { return timer !== null; };
  L.DomEvent.on(play, "click", function () {
    if (timer) { stop(); return; }
    if (GA.date >= D.end) GA.setDate(D.start);
    GA.visited = [GA.date];
    play.textContent = "❚❚";
    play.setAttribute("aria-label", "Pause 暂停");
    play.setAttribute("aria-pressed", "true");
    var events = speed.value === "events";
    timer = setInterval(function () {
      // never step over a date on which the map changes: land on it
      var cur = GA.date, nc = nextChange(cur), target;
      if (events) target = nc || D.end;
      else {
        target = iso(Math.min(span, dayOf(cur) + Math.max(1, Math.round(Number(speed.value) / 10))));
        if (nc && nc < target) target = nc;
      }
      GA.setDate(target);
      GA.visited.push(target);
      if (target >= D.end) stop();
    }, events ? 600 : 100);
  });
  L.DomEvent.disableClickPropagation(bar);
  L.DomEvent.disableScrollPropagation(bar);

  var ctl = lib.control(map, "bottomleft", "ga-timebar-ctl", bar);
  var corner = ctl.getContainer().parentNode;
  corner.appendChild(ctl.getContainer());  // the lowest control of its corner
  function place() {
    var w = map.getSize().x - 20;
    ctl.getContainer().style.width = w + "px";
    var h = ctl.getContainer().offsetHeight + 10;
    GA.bottomReserve = h;
    lib.corner(map, ".leaflet-bottom.leaflet-right").style.bottom = h + "px";
    lib.corner(map, ".leaflet-top.leaflet-right").style.bottom = (h + 24) + "px";
    drawTicks();
  }
  map.on("resize", place);
  place();
  L.DomEvent.on(changedBox, "toggle", place);

  GA.setDate(D.initial, {quiet: true});
  changedSum.textContent = "Changed since the last step 变化 (0)";
  lib.permalink(map, GA, function () {
    var o = GA.readState();
    o.d = GA.date;
    return o;
  }, function (o) {
    GA.applyState(o);
    if (typeof o.d === "string" && lib.isoDate.test(o.d) && o.d >= D.start && o.d <= D.end) GA.setDate(o.d);
  });
  GA.readyMs = performance.now();
  GA.ready = true;
}
