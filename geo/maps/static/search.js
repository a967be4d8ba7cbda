// jjj-atlas maps: the search box (a combobox: type, arrows, Enter, Escape).
// Index entries: {label: escaped HTML, hay: escaped lower-case names, hay2: secondary names
// (a station's lines), ...}. The query is escaped the same way before matching.
(function (lib) {
  "use strict";
  var MAX = 40;
  function rank(entry, q) {
    var names = entry.hay.split("\u0001");
    if (names.indexOf(q) >= 0) return 0;
    if (names.some(function (n) { return n.indexOf(q) === 0; })) return 1;
    if (entry.hay.indexOf(q) >= 0) return 2;
    if (entry.hay2 && entry.hay2.indexOf(q) >= 0) return 3;
    return -1;
  }
  lib.search = function (map, GA, pick) {
    var n = 0;
    var box = L.control({position: "topleft"});
    box.onAdd = function () {
      var div = L.DomUtil.create("div", "ga-search");
      var input = lib.el("input", "", div);
      input.type = "search";
      input.placeholder = "Search 搜索 (中文 / English)";
      input.setAttribute("aria-label", "Search features by name 按名称搜索");
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", "ga-search-list");
      input.setAttribute("autocomplete", "off");
      var status = lib.el("div", "ga-search-status", div);
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      var list = lib.el("ul", "", div);
      list.id = "ga-search-list";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "Search results 搜索结果");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var hits = [], active = -1;
      function setActive(k) {
        var items = list.querySelectorAll("li[role=option]");
        if (!items.length) { active = -1; return; }
        active = (k + items.length) % items.length;
        items.forEach(function (li, i) {
          li.classList.toggle("ga-active", i === active);
          li.setAttribute("aria-selected", String(i === active));
        });
        input.setAttribute("aria-activedescendant", items[active].id);
        items[active].scrollIntoView({block: "nearest"});
      }
      function close() {
        list.innerHTML = "";
        hits = [];
        active = -1;
        input.setAttribute("aria-expanded", "false");
        input.removeAttribute("aria-activedescendant");
      }
      function choose(entry) {
        close();
        status.textContent = "";
        GA.lastSearch = entry.label;
        pick(entry);
      }
      function update() {
        var raw = input.value.trim().toLowerCase();
        var q = lib.esc(raw);
        close();
        status.textContent = "";
        if (!q) return;
        var scored = [];
        GA.index.forEach(function (e, i) {
          var r = rank(e, q);
          if (r >= 0) scored.push([r, i, e]);
        });
        scored.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
        hits = scored.map(function (s) { return s[2]; });
        if (!hits.length) {
          var none = lib.el("li", "ga-none", list, "No match for “" + input.value.trim() + "” 无匹配结果");
          none.setAttribute("role", "option");
          none.setAttribute("aria-disabled", "true");
          none.id = "ga-search-none";
          status.textContent = "No match 无匹配结果";
          input.setAttribute("aria-expanded", "true");
          return;
        }
        hits.slice(0, MAX).forEach(function (h, i) {
          var li = lib.el("li", "", list);
          li.id = "ga-search-opt-" + (n++);
          li.setAttribute("role", "option");
          li.setAttribute("aria-selected", "false");
          li.innerHTML = h.label;  // escaped in Python (geo.maps.popups.search_entry)
          L.DomEvent.on(li, "click", function () { choose(h); });
          L.DomEvent.on(li, "mousemove", function () { if (active !== i) setActive(i); });
        });
        if (hits.length > MAX) lib.el("li", "ga-more", list, "+" + (hits.length - MAX) + " more: type more 请输入更多");
        status.textContent = hits.length + (hits.length === 1 ? " result 条结果" : " results 条结果");
        input.setAttribute("aria-expanded", "true");
      }
      L.DomEvent.on(input, "input", update);
      L.DomEvent.on(input, "keydown", function (ev) {
        if (ev.key === "ArrowDown") { L.DomEvent.preventDefault(ev); if (!hits.length) update(); setActive(active + 1); }
        else if (ev.key === "ArrowUp") { L.DomEvent.preventDefault(ev); setActive(active - 1); }
        else if (ev.key === "Enter") {
          L.DomEvent.preventDefault(ev);
          if (hits.length) choose(hits[Math.max(active, 0)]);
        } else if (ev.key === "Escape") { input.value = ""; close(); status.textContent = ""; }
      });
      GA.search = function (text) {
        input.value = text; update();
        if (hits.length) { var h = hits[0]; choose(h); return h.label; }
        return null;
      };
      GA.searchHits = function (text) {
        input.value = text; update();
        var out = hits.map(function (h) { return h.label; });
        close();
        return out;
      };
      return div;
    };
    box.addTo(map);
    var corner = box.getContainer().parentNode;
    corner.insertBefore(box.getContainer(), corner.firstChild);
    return box;
  };
})(window.geoAtlasLib);
