// jjj-atlas maps: the permalink. The URL hash keeps the view and each map's state
// (date, layers, filters, destination and mode ...), so a link opens the same map.
// A hash is untrusted input: every value is parsed and compared with known values or
// strict number and date patterns, and never inserted into the page.
(function (lib) {
  "use strict";
  var VIEW = /^(\d{1,2}(?:\.\d{1,2})?)\/(-?\d{1,2}(?:\.\d{1,7})?)\/(-?\d{1,3}(?:\.\d{1,7})?)$/;
  lib.isoDate = /^\d{4}-\d{2}-\d{2}$/;
  function parse(hash) {
    var out = Object.create(null);
    var text = String(hash || "").replace(/^#/, "");
    if (text.length > 4000) return out;
    var sp;
    try { sp = new URLSearchParams(text); } catch (e) { return out; }
    sp.forEach(function (v, k) { if (/^[a-z]{1,8}$/.test(k) && v.length <= 2000) out[k] = v; });
    return out;
  }
  lib.hashList = function (value, known) {
    // the items of a comma list that are known values (anything else is dropped)
    if (typeof value !== "string" || !value) return [];
    return value.split(",").filter(function (x) { return Object.prototype.hasOwnProperty.call(known, x); });
  };
  lib.permalink = function (map, GA, read, apply) {
    var last = null, applied = null;
    function state() {
      var o = read(), c = map.getCenter(), z = map.getZoom();
      o.v = z + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5);
      // a linked view that moved by less than a pixel (a resize, rounding) keeps its link
      if (applied && applied.z === z && map.project(c, z).distanceTo(map.project(applied.ll, z)) < 1) {
        o.v = applied.text;
      }
      return o;
    }
    function write() {
      var o = state(), sp = new URLSearchParams();
      Object.keys(o).sort().forEach(function (k) {
        if (o[k] !== null && o[k] !== undefined && o[k] !== "") sp.set(k, String(o[k]));
      });
      var h = "#" + sp.toString();
      last = h;
      GA.hash = h;
      if (h === location.hash) return;
      try { history.replaceState(null, "", h); } catch (e) { location.replace(h); }
    }
    function applyHash(hash) {
      var o = parse(hash);
      var m = typeof o.v === "string" ? VIEW.exec(o.v) : null;
      if (m) {
        var z = Number(m[1]), lat = Number(m[2]), lon = Number(m[3]);
        if (z >= map.getMinZoom() && z <= Math.max(map.getMaxZoom(), 19) && Math.abs(lat) <= 85 &&
            Math.abs(lon) <= 180) {
          map.setView([lat, lon], z, {animate: false});
          applied = {z: z, ll: L.latLng(lat, lon), text: o.v};
        }
      }
      apply(o);
    }
    GA.hashChanged = lib.debounce(write, 120);
    GA.writeHash = write;
    GA.applyHash = applyHash;
    map.on("moveend", GA.hashChanged);
    window.addEventListener("hashchange", function () {
      if (location.hash.length > 1 && location.hash !== last) applyHash(location.hash);
    });
    if (location.hash.length > 1) applyHash(location.hash);
    write();
  };
})(window.geoAtlasLib);
