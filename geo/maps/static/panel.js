// jjj-atlas maps: the legend filter, the list of features in view, downloads.
// Everything here builds DOM with textContent from plain-text fields (never innerHTML of
// document text) and writes files as JSON or neutralised CSV.
(function (lib) {
  "use strict";
  // ------------------------------------------------------------------ downloads
  lib.download = function (filename, text, type) {
    var blob = new Blob([text], {type: type || "application/octet-stream"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    a.rel = "noopener";
    a.hidden = true;  // never a (nameless) stop in the tab order
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  };
  function csvCell(v) {
    if (v === null || v === undefined || (typeof v === "number" && !isFinite(v))) return "";
    if (typeof v === "number") return String(v);
    var s = String(v);
    if (/^[=+\-@\t\r']/.test(s)) s = "'" + s;  // never a formula; as geo.io.neutralise_csv_cell
    if (/[",\n\r]/.test(s)) s = '"' + s.replace(/"/g, '""') + '"';
    return s;
  }
  lib.csv = function (header, rows) {
    return [header].concat(rows).map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n";
  };
  // ------------------------------------------------------------------ legend filter
  // GA.hidden.theme / GA.hidden.status: codes switched off in the legend.
  lib.legendFilter = function (map, GA, root) {
    GA.hidden = {theme: {}, status: {}};
    GA.filterOk = function (theme, status) {
      return !GA.hidden.theme[theme] && !GA.hidden.status[status];
    };
    GA.setHidden = function (kind, codes) {
      GA.hidden[kind] = {};
      codes.forEach(function (c) { GA.hidden[kind][c] = true; });
      root.querySelectorAll(".ga-filter").forEach(function (b) {
        if (b.getAttribute("data-filter") === kind) {
          b.setAttribute("aria-pressed", String(!GA.hidden[kind][b.getAttribute("data-value")]));
        }
      });
    };
    root.querySelectorAll(".ga-filter").forEach(function (b) {
      L.DomEvent.on(b, "click", function () {
        var kind = b.getAttribute("data-filter"), v = b.getAttribute("data-value");
        if (GA.hidden[kind][v]) delete GA.hidden[kind][v]; else GA.hidden[kind][v] = true;
        b.setAttribute("aria-pressed", String(!GA.hidden[kind][v]));
        lib.refresh(map, GA);
        if (GA.hashChanged) GA.hashChanged();
      });
    });
  };
  // ------------------------------------------------------------------ features in view
  var COLS = [
    ["name", "Name 名称"], ["kind", "Kind 类型"], ["status", "Status 状态"], ["date", "Since 自"],
    ["acc", "Accuracy 精度"], ["docs", "Docs 文献"]
  ];
  lib.inView = function (map, GA) {
    // features of the layers switched on that pass the date and the legend filter and lie in view
    var view = map.getBounds(), out = [];
    GA.recs.forEach(function (rec) {
      if (!map.hasLayer(rec.group)) return;
      rec.features.forEach(function (layer, j) {
        if (!layer._gaWanted) return;
        var b = lib.boundsOf(layer);
        if (!view.intersects(b)) return;
        out.push({rec: rec, j: j, layer: layer});
      });
    });
    return out;
  };
  function row(GA, it) {
    var t = it.layer.feature.properties.t, st = GA.statusOf(it.layer);
    return {item: it, name: t.n, en: t.e, kind: t.k, status: st[0], statusText: GA.statusText(st[0]),
      date: st[1] || "", acc: t.a, docs: t.ds.length, hay: (t.n + " " + t.e + " " + t.k).toLowerCase()};
  }
  lib.featureList = function (map, GA, opts) {
    var wrap = lib.el("details", "ga-list");
    var summary = lib.el("summary", "", wrap);
    lib.el("span", "", summary, "Features in view 视野内要素 ");
    var count = lib.el("span", "ga-count", summary, "");
    var tools = lib.el("div", "ga-list-tools", wrap);
    var filter = lib.el("input", "", tools);
    filter.type = "search";
    filter.placeholder = "Filter the list 筛选";
    filter.setAttribute("aria-label", "Filter the list of features by name or kind");
    var dl = lib.el("button", "ga-dl", tools, "⤓ GeoJSON");
    dl.type = "button";
    dl.title = "Download the features listed as GeoJSON 下载列表中的要素";
    dl.setAttribute("aria-label", "Download the features listed as GeoJSON");
    var scroller = lib.el("div", "ga-list-scroll", wrap);
    var table = lib.el("table", "ga-list-table", scroller);
    var thead = lib.el("thead", "", table), tbody = lib.el("tbody", "", table);
    var htr = lib.el("tr", "", thead);
    var sort = {key: "name", dir: 1};
    var ths = {};
    COLS.forEach(function (c) {
      var th = lib.el("th", "", htr);
      th.setAttribute("scope", "col");
      var b = lib.el("button", "ga-sort", th, c[1]);
      b.type = "button";
      ths[c[0]] = th;
      L.DomEvent.on(b, "click", function () {
        sort = {key: c[0], dir: sort.key === c[0] ? -sort.dir : 1};
        render();
      });
    });
    var rows = [];
    function collect() {
      var q = filter.value.trim().toLowerCase();
      rows = lib.inView(map, GA).map(function (it) { return row(GA, it); })
        .filter(function (r) { return !q || r.hay.indexOf(q) >= 0; });
      count.textContent = "(" + rows.length + ")";
      return rows;
    }
    function render() {
      collect();
      if (!wrap.open) return;
      var k = sort.key, d = sort.dir;
      rows.sort(function (a, b) {
        var x = a[k], y = b[k];
        if (typeof x === "number") return d * (x - y) || (a.name < b.name ? -1 : 1);
        return d * String(x).localeCompare(String(y), "zh") || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      });
      COLS.forEach(function (c) {
        ths[c[0]].setAttribute("aria-sort", c[0] === k ? (d > 0 ? "ascending" : "descending") : "none");
      });
      tbody.textContent = "";
      rows.forEach(function (r) {
        var tr = lib.el("tr", "ga-row-" + r.status, tbody);
        tr.tabIndex = 0;
        var td = lib.el("td", "", tr);
        lib.el("span", "ga-zh", td, r.name).lang = "zh";
        if (r.en) lib.el("span", "ga-en", td, r.en);
        lib.el("td", "", tr, r.kind);
        lib.el("td", "ga-st-" + r.status, tr, r.statusText);
        lib.el("td", "", tr, r.date);
        lib.el("td", "", tr, r.acc);
        lib.el("td", "ga-num", tr, String(r.docs));
        if (GA.selected === r.item.layer) tr.classList.add("ga-selected");
        function go() {
          lib.focus(map, GA, r.item.layer);
          tbody.querySelectorAll(".ga-selected").forEach(function (x) { x.classList.remove("ga-selected"); });
          tr.classList.add("ga-selected");
        }
        L.DomEvent.on(tr, "click", go);
        L.DomEvent.on(tr, "keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); } });
      });
    }
    GA.listRows = function () { collect(); return rows.map(function (r) { return r.item; }); };
    GA.listRender = render;
    L.DomEvent.on(filter, "input", render);
    L.DomEvent.on(wrap, "toggle", render);
    L.DomEvent.on(dl, "click", function () {
      collect();
      var fc = lib.featureCollection(GA, rows.map(function (r) { return r.item; }));
      lib.download(opts.filename(), JSON.stringify(fc, null, 1), "application/geo+json");
    });
    var c = lib.control(map, "topright", "ga-list-ctl", wrap);
    var later = lib.debounce(render, 120);
    map.on("moveend zoomend overlayadd overlayremove", later);
    GA.onRefresh = later;
    render();
    return c;
  };
  lib.featureCollection = function (GA, items) {
    var feats = items.map(function (it) {
      var p = it.layer.feature.properties, t = p.t, st = GA.statusOf(it.layer);
      var props = {id: t.id, name_zh: t.n, name_en: t.e || null, kind: t.kd, layer: t.ly,
        status: st[0], status_since: st[1] || null, status_as_of: GA.date || null, accuracy: t.ac,
        geometry_source: t.gs, docs: t.ds};
      if (t.pv) props.provisional = true;
      if (p.x) props.clipped_to_study_area = true;
      return {type: "Feature", geometry: it.layer.feature.geometry, properties: props};
    });
    var fc = {type: "FeatureCollection", features: feats};
    if (GA.gcj02) fc.coordinate_system = "GCJ-02";
    fc.source = "jjj-atlas " + GA.kind + " map";
    return fc;
  };
})(window.geoAtlasLib);
