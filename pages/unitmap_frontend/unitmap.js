/* Unit map: a Streamlit component in plain JS (no build step). Speaks the component protocol by postMessage:
   componentReady -> render(args) -> setComponentValue(event) / setFrameHeight.
   Keeps its own Leaflet map (the view survives reruns) and the selection (sent once per gesture end).
   Every user string goes in as textContent: never innerHTML with data. */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var nonce = Math.random().toString(36).slice(2, 10);
  var seq = 0;
  var args = null;          // last render args
  var map = null, shadeLayer = null, unitLayer = null, outlineLayer = null, labelLayer = null, selLayer = null, hlLayer = null;
  var unitLabelLayer = null, zoneLabels = [], measureCtx = null, cueCtl = null, viewReady = false;
  var geoKey = null;        // geometry currently drawn
  var geo = null;           // parsed geometry: {units: FeatureCollection, bounds}
  var units = [];           // [{code, name, parishes, hours, rings: [[[lat,lng]...]...], bbox: [s,w,n,e], layer}]
  var byCode = {};
  var selection = new Set();
  var appliedRev = -1;
  var changed = new Set();
  var highlight = [];
  var tool = "pan", erase = false;
  var lastSearchSent = null, pendingEnter = null, searchTimer = null, lastResult = null;
  var countCtl = null, titleCtl = null;
  var userMoved = false;    // the user has panned or zoomed (or a search moved the map): no more automatic fits

  function post(type, data) {
    var msg = Object.assign({ isStreamlitMessage: true, type: type }, data || {});
    window.parent.postMessage(msg, "*");
  }
  function send(event, extra) {
    seq += 1;
    post("streamlit:setComponentValue", { value: Object.assign({ id: nonce + "-" + seq, event: event }, extra || {}), dataType: "json" });
  }
  function setHeight() { post("streamlit:setFrameHeight", { height: Math.ceil(document.body.scrollHeight) + 4 }); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = String(text); return e; }
  function normQ(s) { return String(s || "").trim().split(/\s+/).join(" ").slice(0, 120); }

  /* ---------------------------------------------------------------- texts sent once per session
     Python sends the unit geometry and the zone outlines once per session as JSON text with a content key, then
     the key alone. Parsed values are kept by key in the Streamlit page's window (the same tab and origin: a page
     switch mounts a new frame that finds them there; parsed by that window's JSON, so no object of a dead frame is
     kept alive), or in this frame if the page is out of reach. A key given without its text and not held here is
     asked for again ("need"), retried with a growing delay until it comes (a lost message or a lost cache). */
  var MAX_HELD = 24, localHeld = { keys: [], vals: Object.create(null) };
  function held() {
    try {
      var pw = window.parent;
      if (pw && pw !== window) { if (!pw.__unitmapHeld) pw.__unitmapHeld = { keys: [], vals: Object.create(null) }; return pw.__unitmapHeld; }
    } catch (err) { /* cross-origin page: keep them in this frame */ }
    return localHeld;
  }
  function parseText(text) {
    try { if (window.parent !== window) return window.parent.JSON.parse(text); } catch (err) { /* cross-origin */ }
    return JSON.parse(text);
  }
  function hold(key, v) { // keep v under key, most recently used last (the oldest goes beyond MAX_HELD)
    var h = held(), i = h.keys.indexOf(key);
    if (i >= 0) h.keys.splice(i, 1);
    h.keys.push(key);
    h.vals[key] = v;
    while (h.keys.length > MAX_HELD) delete h.vals[h.keys.shift()];
    return v;
  }
  function textOf(key, text) { // the parsed value of a keyed text: from the text (then held) or held; null if neither
    if (!key) return null;
    if (typeof text === "string") return hold(key, parseText(text));
    var h = held();
    return key in h.vals ? hold(key, h.vals[key]) : null;
  }
  var needKeys = [], needTimer = null, needDelay = 1500;
  function askFor(keys) { // a need event now if these keys are new; retried while still missing
    var fresh = keys.join(",") !== needKeys.join(",");
    needKeys = keys;
    if (!keys.length) { if (needTimer) clearTimeout(needTimer); needTimer = null; needDelay = 1500; return; }
    if (!fresh && needTimer) return;
    send("need", { keys: keys });
    document.body.setAttribute("data-asked", String(Number(document.body.getAttribute("data-asked") || 0) + 1));
    if (needTimer) clearTimeout(needTimer);
    needTimer = setTimeout(function () { needTimer = null; var k = needKeys; needKeys = []; needDelay = Math.min(needDelay * 2, 30000); if (k.length) askFor(k); }, needDelay);
  }

  /* ---------------------------------------------------------------- patterns (bands not told by colour alone) */
  function svg(tag, attrs) { var e = document.createElementNS(SVGNS, tag); for (var k in attrs) e.setAttribute(k, attrs[k]); return e; }
  function addMarks(p, pattern, stroke) {
    if (pattern === "diagonal") p.appendChild(svg("path", { d: "M-2,2 l4,-4 M0,10 l10,-10 M8,12 l4,-4", stroke: stroke, "stroke-width": 1.6 }));
    else if (pattern === "dots") { p.appendChild(svg("circle", { cx: 2.5, cy: 2.5, r: 1.4, fill: stroke })); p.appendChild(svg("circle", { cx: 7.5, cy: 7.5, r: 1.4, fill: stroke })); }
    else if (pattern === "cross") p.appendChild(svg("path", { d: "M-2,2 l4,-4 M0,10 l10,-10 M8,12 l4,-4 M-2,8 l4,4 M0,0 l10,10 M8,-2 l4,4", stroke: stroke, "stroke-width": 1.3 }));
    else if (pattern === "horizontal") p.appendChild(svg("path", { d: "M0,5 h10", stroke: stroke, "stroke-width": 1.6 }));
    else if (pattern === "vertical") p.appendChild(svg("path", { d: "M5,0 v10", stroke: stroke, "stroke-width": 1.6 }));
  }
  function buildPatterns(bands) {
    var defs = document.getElementById("patterns");
    while (defs.firstChild) defs.removeChild(defs.firstChild);
    bands.forEach(function (b, i) {
      var p = svg("pattern", { id: "pat-" + i, patternUnits: "userSpaceOnUse", width: 10, height: 10 });
      p.appendChild(svg("rect", { width: 10, height: 10, fill: b.colour }));
      addMarks(p, b.pattern, "rgba(0,0,0,0.55)");
      defs.appendChild(p);
    });
    var s = svg("pattern", { id: "pat-sel", patternUnits: "userSpaceOnUse", width: 8, height: 8, patternTransform: "rotate(-45)" });
    s.appendChild(svg("rect", { width: 3, height: 8, fill: "rgba(0,68,221,0.55)" }));
    defs.appendChild(s);
  }
  function swatch(b, i) {
    var s = svg("svg", { width: 26, height: 16, role: "img", "aria-label": b.name + " pattern" });
    s.appendChild(svg("rect", { width: 26, height: 16, fill: "url(#pat-" + i + ")" }));
    return s;
  }

  /* ---------------------------------------------------------------- geometry helpers (lat/lng degrees) */
  function ringsOf(geom) {
    var polys = geom.type === "Polygon" ? [geom.coordinates] : geom.type === "MultiPolygon" ? geom.coordinates : [];
    var rings = [];
    polys.forEach(function (poly) { poly.forEach(function (r) { rings.push(r.map(function (c) { return [c[1], c[0]]; })); }); });
    return rings;
  }
  function bboxOf(rings) {
    var b = [90, 180, -90, -180];
    rings.forEach(function (r) { r.forEach(function (p) { if (p[0] < b[0]) b[0] = p[0]; if (p[1] < b[1]) b[1] = p[1]; if (p[0] > b[2]) b[2] = p[0]; if (p[1] > b[3]) b[3] = p[1]; }); });
    return b;
  }
  function inRings(lat, lng, rings) { // even-odd over every ring (holes and parts)
    var inside = false;
    for (var k = 0; k < rings.length; k++) {
      var r = rings[k];
      for (var i = 0, j = r.length - 1; i < r.length; j = i++) {
        var yi = r[i][0], xi = r[i][1], yj = r[j][0], xj = r[j][1];
        if (((yi > lat) !== (yj > lat)) && (lng < (xj - xi) * (lat - yi) / (yj - yi) + xi)) inside = !inside;
      }
    }
    return inside;
  }
  /* The unit drawn under a point of the map (container pixels): the browser's own hit test of the unit paths, so
     a click or a paint stroke takes exactly the unit the user sees there. (Testing the data rings instead, first
     unit in list order, disagreed with the drawing where Leaflet's pixel-rounded, simplified paths of small units
     overlap a neighbour drawn on top: a stroke along a row picked units it never crossed.) Null over a control,
     off the map, or where no unit is drawn. */
  function unitUnder(pt) {
    var c = map.getContainer();
    if (!(pt.x >= 0 && pt.y >= 0 && pt.x < c.clientWidth && pt.y < c.clientHeight)) return null;
    var r = c.getBoundingClientRect();
    var e = document.elementFromPoint(r.left + c.clientLeft + pt.x, r.top + c.clientTop + pt.y);
    var code = e && e.getAttribute ? e.getAttribute("data-code") : null;
    return code && byCode[code] ? byCode[code] : null;
  }
  function segCross(a, b, c, d) {
    function o(p, q, r) { return (q[1] - p[1]) * (r[0] - q[0]) - (q[0] - p[0]) * (r[1] - q[1]); }
    var o1 = o(a, b, c), o2 = o(a, b, d), o3 = o(c, d, a), o4 = o(c, d, b);
    return (o1 > 0) !== (o2 > 0) && (o3 > 0) !== (o4 > 0);
  }
  function unitsTouching(poly) { // poly: [[lat,lng],...] closed or not
    if (poly.length < 3) return [];
    var pb = bboxOf([poly]), ring = [poly], out = [];
    units.forEach(function (u) {
      var b = u.bbox;
      if (b[2] < pb[0] || b[0] > pb[2] || b[3] < pb[1] || b[1] > pb[3]) return;
      var hit = false;
      for (var k = 0; k < u.rings.length && !hit; k++) for (var i = 0; i < u.rings[k].length; i++) if (inRings(u.rings[k][i][0], u.rings[k][i][1], ring)) { hit = true; break; }
      for (var m = 0; m < poly.length && !hit; m++) if (inRings(poly[m][0], poly[m][1], u.rings)) hit = true;
      for (var kk = 0; kk < u.rings.length && !hit; kk++) {
        var r = u.rings[kk];
        for (var i2 = 1; i2 < r.length && !hit; i2++) for (var j = 0; j < poly.length; j++) {
          if (segCross(r[i2 - 1], r[i2], poly[j], poly[(j + 1) % poly.length])) { hit = true; break; }
        }
      }
      if (hit) out.push(u);
    });
    return out;
  }

  /* ---------------------------------------------------------------- styles */
  function unitStyle(u) {
    var a = args.assign[u.idx] || [0, 0];
    var isChanged = changed.has(u.code);
    return {
      fillColor: "url(#pat-" + a[1] + ")", fillOpacity: args.shade ? 0.42 : 0.78, stroke: true,
      color: isChanged ? "#000" : "#ffffff", weight: isChanged ? 3 : 0.7, opacity: 1,
      dashArray: isChanged ? "1 5" : null, lineCap: "round",
    };
  }
  function restyleAll() { units.forEach(function (u) { u.layer.setStyle(unitStyle(u)); }); }

  function tipFor(u) {
    var a = args.assign[u.idx] || [0, 0];
    var d = el("div", "um-tip");
    d.appendChild(el("b", null, u.name));
    d.appendChild(el("div", null, (args.zone_label || "zone").replace(/^./, function (c) { return c.toUpperCase(); }) + ": " + (args.zones[a[0]] || "")));
    var band = args.bands[a[1]] || { name: "", rate: "" };
    d.appendChild(el("div", null, "Band: " + band.name + " (" + band.rate + ")"));
    d.appendChild(el("div", null, "Care hours/week: " + Number(u.hours || 0).toLocaleString("en-GB", { maximumFractionDigits: 2 })));
    if (u.parishes && u.parishes !== u.name) d.appendChild(el("div", null, "Parishes: " + u.parishes.slice(0, 160)));
    if (args.shade && args.shade.values[u.idx]) d.appendChild(el("div", null, "IMD 2025 decile (65+, estimate): " + args.shade.values[u.idx]));
    if (changed.has(u.code)) d.appendChild(el("div", null, "Changed against the base plan"));
    if (selection.has(u.code)) d.appendChild(el("div", null, "Selected"));
    return d;
  }

  /* ---------------------------------------------------------------- selection */
  function drawSelection() {
    selLayer.clearLayers();
    selection.forEach(function (code) {
      var u = byCode[code];
      if (!u) return;
      L.polygon(u.rings, { interactive: false, fillColor: "url(#pat-sel)", fillOpacity: 1, color: "#0044dd", weight: 4, dashArray: "9 6", opacity: 1 }).addTo(selLayer);
    });
    var n = selection.size;
    if (countCtl) {
      countCtl.textContent = n === 1 ? "1 unit selected" : n + " units selected";
      countCtl.classList.toggle("has", n > 0);
      countCtl.setAttribute("data-count", String(n));
    }
    document.body.setAttribute("data-selected", String(n));
    document.body.setAttribute("data-selection", JSON.stringify(Array.from(selection).sort()));
    addedText();
    unitsA11y();
  }
  /* The search's "added to the selection" line follows the selection (issue 19 §15: it said "2 selected" after a
     Move, Clear or Undo had emptied the map's): it states the map's own count, and goes once none of the result's
     units is selected any more. */
  var added = null;  // {label, codes}: the search result Enter added
  function addedText() {
    if (!added) return;
    var found = document.getElementById("um-found");
    if (!added.codes.some(function (c) { return selection.has(c); })) { added = null; found.textContent = ""; return; }
    var n = selection.size;
    found.textContent = added.label + " — added to the selection (" + (n === 1 ? "1 unit" : n + " units") + " selected on the map).";
  }
  function sendSelection() { send("selection", { codes: Array.from(selection) }); }
  function apply(us, remove) {
    var changedAny = false;
    us.forEach(function (u) {
      if (!u) return;
      if (remove) { if (selection.delete(u.code)) changedAny = true; }
      else if (!selection.has(u.code)) { selection.add(u.code); changedAny = true; }
    });
    if (changedAny) drawSelection();
    return changedAny;
  }

  /* ---------------------------------------------------------------- gestures */
  var gesture = null;
  function setTool(t) {
    tool = t;
    document.querySelectorAll("[data-tool]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-tool") === t)); });
    var m = document.getElementById("map");
    m.className = m.className.replace(/\btool-\w+/g, "").trim() + " tool-" + t;
    if (map) { if (t === "pan") map.dragging.enable(); else map.dragging.disable(); }
  }
  function llOf(e) { return map.mouseEventToLatLng(e); }
  function brushHits(pt) { // units under a round brush centred on a container point
    var r = Number(document.getElementById("um-brush").value) || 0, out = [unitUnder(pt)];
    if (!r) return out;
    for (var a = 0; a < 12; a++) {
      var ang = a * Math.PI / 6;
      [r / 2, r].forEach(function (d) {
        out.push(unitUnder(L.point(pt.x + d * Math.cos(ang), pt.y + d * Math.sin(ang))));
      });
    }
    return out;
  }
  function onDown(e) {
    if (!map || args.mode !== "edit" || tool === "pan" || e.button !== 0) return;
    if (e.target.closest && e.target.closest(".leaflet-control")) return;
    e.preventDefault();
    var ll = llOf(e), pt = map.mouseEventToContainerPoint(e);
    var rm = erase || e.shiftKey;
    gesture = { tool: tool, remove: rm, start: ll, startPt: pt, lastPt: pt, moved: false, changed: false, pts: [ll], shape: null, t0: performance.now() };
    if (tool === "paint") {
      var u = unitUnder(pt);
      gesture.startUnit = u;
      gesture.wasSelected = u ? selection.has(u.code) : false;
      gesture.changed = apply(brushHits(pt), rm) || gesture.changed;
    } else if (tool === "rect") {
      gesture.shape = L.rectangle(L.latLngBounds(ll, ll), { interactive: false, color: "#0044dd", weight: 2, dashArray: "4 4", fillOpacity: 0.08 }).addTo(map);
    } else if (tool === "lasso") {
      gesture.shape = L.polygon([ll], { interactive: false, color: "#0044dd", weight: 2, dashArray: "4 4", fillOpacity: 0.08 }).addTo(map);
    }
    try { e.target.setPointerCapture && e.pointerId != null && document.getElementById("map").setPointerCapture(e.pointerId); } catch (err) { /* ignore */ }
  }
  function onMove(e) {
    if (!gesture) return;
    var pt = map.mouseEventToContainerPoint(e), ll = map.containerPointToLatLng(pt);
    if (pt.distanceTo(gesture.startPt) > 3) gesture.moved = true;
    if (gesture.tool === "paint") {
      var a = gesture.lastPt, d = a.distanceTo(pt), n = Math.max(1, Math.ceil(d)), hits = [];  // every pixel of the way
      for (var i = 1; i <= n; i++) hits = hits.concat(brushHits(a.add(pt.subtract(a).multiplyBy(i / n))));
      gesture.changed = apply(hits, gesture.remove) || gesture.changed;
    } else if (gesture.tool === "rect") {
      gesture.shape.setBounds(L.latLngBounds(gesture.start, ll));
    } else if (gesture.tool === "lasso") {
      if (pt.distanceTo(gesture.lastPt) >= 4) { gesture.pts.push(ll); gesture.shape.setLatLngs(gesture.pts); }
      else return;
    }
    gesture.lastPt = pt;
  }
  function onUp(e) {
    if (!gesture) return;
    var g = gesture; gesture = null;
    if (g.shape) map.removeLayer(g.shape);
    if (!g.moved) { // a click: toggle the unit under the pointer
      var u = g.tool === "paint" ? g.startUnit : unitUnder(g.startPt);
      if (g.tool === "paint") { if (u && !g.remove && g.wasSelected) { apply([u], true); g.changed = true; } }
      else if (u) { apply([u], selection.has(u.code)); g.changed = true; }
    } else if (g.tool === "rect") {
      var b = g.shape.getBounds();
      var poly = [[b.getSouth(), b.getWest()], [b.getSouth(), b.getEast()], [b.getNorth(), b.getEast()], [b.getNorth(), b.getWest()]];
      g.changed = apply(unitsTouching(poly), g.remove) || g.changed;
    } else if (g.tool === "lasso") {
      g.changed = apply(unitsTouching(g.pts.map(function (p) { return [p.lat, p.lng]; })), g.remove) || g.changed;
    }
    if (g.changed) sendSelection();
  }

  /* ---------------------------------------------------------------- search */
  function searchNow(q) {
    if (searchTimer) { clearTimeout(searchTimer); searchTimer = null; }
    if (q === lastSearchSent) return;
    lastSearchSent = q;
    added = null;
    document.getElementById("um-found").textContent = q ? "Searching…" : "";
    send("search", { q: q });
  }
  function useResult(r) {
    if (!r || !r.codes || !r.codes.length) return;
    if (args.mode === "edit") {
      added = { label: r.label, codes: r.codes.filter(function (c) { return byCode[c]; }) };
      if (apply(r.codes.map(function (c) { return byCode[c]; }), false)) sendSelection();
      addedText();
    } else {
      send("pick", { code: r.codes[0] });
      if (byCode[r.codes[0]]) showCue(byCode[r.codes[0]]);
    }
  }
  function showResult(r) {
    lastResult = r;
    added = null;
    highlight = (r && r.codes) || [];
    hlLayer.clearLayers();
    var bounds = null;
    highlight.forEach(function (c) {
      var u = byCode[c];
      if (!u) return;
      L.polygon(u.rings, { interactive: false, fill: false, color: "#111", weight: 7, opacity: 0.9 }).addTo(hlLayer);
      L.polygon(u.rings, { interactive: false, fill: false, color: "#F0E442", weight: 4, opacity: 1 }).addTo(hlLayer);
      var lb = L.latLngBounds(u.rings[0]);
      bounds = bounds ? bounds.extend(lb) : lb;
    });
    var found = document.getElementById("um-found");
    if (r && r.query) {
      var n = highlight.length;
      found.textContent = r.label + (n ? (args.mode === "edit" ? " — highlighted; press Enter to select " + (n === 1 ? "it" : "them") + "." : " — press Enter for its evidence.") : "");
    }
    document.body.setAttribute("data-highlighted", String(highlight.length));
    if (bounds) { userMoved = true; map.fitBounds(bounds.pad(0.6), { maxZoom: 12, animate: false }); }
  }

  /* ---------------------------------------------------------------- keyboard: the units are ONE Tab stop
     (issue 19 §16; WCAG 2.1.1, 2.4.3, 2.4.7). The unit paths form a listbox (the map's SVG) of options, each named
     in words (unit, zone, band and rate, care hours); one option is in the Tab order (roving tabindex), the others
     are reached with the arrow keys (the nearest unit in that direction), Home / End (first / last by name);
     Space or Enter selects or unselects it (edit) or opens its evidence (view); + / - zoom. The focused unit has
     a black and white ring and its tooltip; the map pans to keep it in view. The unit table under the map is the
     text alternative. */
  var focusCode = null, focusRing = null, nameOrder = null, nameOrderKey = null;
  function byName() {
    var k = geoKey + ":" + units.length;
    if (nameOrderKey !== k) {
      nameOrder = units.slice().sort(function (a, b) { return String(a.name).localeCompare(String(b.name), "en-GB") || a.idx - b.idx; });
      nameOrderKey = k;
    }
    return nameOrder;
  }
  function unitName(u) {
    var a = args.assign[u.idx] || [0, 0], band = args.bands[a[1]] || { name: "", rate: "" };
    var z = (args.zone_label || "zone").replace(/^./, function (c) { return c.toUpperCase(); });
    var h = Number(u.hours || 0).toLocaleString("en-GB", { maximumFractionDigits: 2 });
    return String(u.name).slice(0, 80) + ". " + z + " " + String(args.zones[a[0]] || "").slice(0, 80) + ". Band " + band.name +
      " (" + band.rate + "). " + h + " care hours a week" + (changed.has(u.code) ? ". Changed against the base plan" : "");
  }
  function unitsA11y() { // names, selected state and the one Tab stop, after every render and selection change
    if (!units.length || !args) return;
    if (!focusCode || !byCode[focusCode]) focusCode = byName()[0].code;
    var svgEl = null;
    units.forEach(function (u) {
      var e = u.layer && u.layer.getElement && u.layer.getElement();
      if (!e) return;
      svgEl = svgEl || e.ownerSVGElement;
      e.setAttribute("role", "option");
      e.setAttribute("tabindex", u.code === focusCode ? "0" : "-1");
      e.setAttribute("aria-label", unitName(u));
      e.setAttribute("aria-selected", String(args.mode === "edit" && selection.has(u.code)));
    });
    if (svgEl) {
      svgEl.setAttribute("role", "listbox");
      svgEl.setAttribute("aria-label", args.mode === "edit"
        ? "Units on the map: arrow keys move between units, Space or Enter selects or unselects"
        : "Units on the map: arrow keys move between units, Enter shows the evidence");
      if (args.mode === "edit") svgEl.setAttribute("aria-multiselectable", "true"); else svgEl.removeAttribute("aria-multiselectable");
    }
  }
  function centre(u) { if (!u.lp) u.lp = labelPoint(u); return u.lp; }
  function neighbour(u, key) { // the nearest unit in the arrow's direction (a cone either side of it), else null
    var c = centre(u), k = Math.cos(c.lat * Math.PI / 180);
    var d = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[key];
    var best = null, bestScore = Infinity;
    units.forEach(function (v) {
      if (v === u) return;
      var p = centre(v), dx = (p.lng - c.lng) * k, dy = p.lat - c.lat;
      var along = dx * d[0] + dy * d[1], across = Math.abs(dx * d[1] - dy * d[0]);
      if (along <= 0 || across > 2 * along) return;
      var score = along + 2 * across;
      if (score < bestScore) { bestScore = score; best = v; }
    });
    return best;
  }
  function focusUnit(u) {
    if (!u) return;
    var old = byCode[focusCode], e = u.layer.getElement();
    if (old && old.layer.getElement()) old.layer.getElement().setAttribute("tabindex", "-1");
    focusCode = u.code;
    if (!e) return;
    e.setAttribute("tabindex", "0");
    if (!map.getBounds().pad(-0.1).contains(centre(u))) map.panTo(centre(u), { animate: false });
    e.focus({ preventScroll: true });
  }
  function activate(u) {
    if (args.mode === "edit") { apply([u], selection.has(u.code)); sendSelection(); }
    else { send("pick", { code: u.code }); showCue(u); }
  }
  function codeOf(t) { var c = t && t.getAttribute ? t.getAttribute("data-code") : null; return c && byCode[c] ? c : null; }
  function onUnitKey(e) {
    var code = codeOf(e.target);
    if (!code || e.ctrlKey || e.metaKey || e.altKey) return;
    var u = byCode[code], k = e.key, order = byName();
    if (k === " " || k === "Enter") activate(u);
    else if (k === "ArrowRight" || k === "ArrowLeft" || k === "ArrowUp" || k === "ArrowDown") focusUnit(neighbour(u, k));
    else if (k === "Home" || k === "End") focusUnit(order[k === "Home" ? 0 : order.length - 1]);
    else if (k === "+" || k === "=") map.zoomIn();
    else if (k === "-") map.zoomOut();
    else return;
    e.preventDefault();
    e.stopPropagation();
  }
  function onUnitFocus(e) {
    var code = codeOf(e.target);
    if (focusRing) { map.removeLayer(focusRing); focusRing = null; }
    if (!code || e.type !== "focusin") return;
    focusCode = code;
    focusRing = L.featureGroup([
      L.polygon(byCode[code].rings, { interactive: false, fill: false, color: "#000", weight: 7, opacity: 1 }),
      L.polygon(byCode[code].rings, { interactive: false, fill: false, color: "#fff", weight: 3, opacity: 1 })]).addTo(map);
  }
  document.addEventListener("keydown", onUnitKey);
  document.addEventListener("focusin", onUnitFocus);
  document.addEventListener("focusout", onUnitFocus);

  /* ---------------------------------------------------------------- keyboard (undo/redo) */
  function isText(t) { return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable); }
  function onKey(e) {
    if (!args || args.mode !== "edit") return;
    if (!(e.ctrlKey || e.metaKey) || isText(e.target)) return;
    var k = (e.key || "").toLowerCase();
    if (k === "z" && !e.shiftKey) { e.preventDefault(); send("undo"); }
    else if ((k === "z" && e.shiftKey) || k === "y") { e.preventDefault(); send("redo"); }
  }
  function hookParentKeys() { // keys pressed anywhere on the Streamlit page (same origin) reach the map too
    try {
      var pw = window.parent;
      if (!pw || pw === window) return;
      if (pw.__unitmapKeys) pw.document.removeEventListener("keydown", pw.__unitmapKeys, true);
      var h = function (e) {
        if (!window.frameElement || !window.frameElement.isConnected) { pw.document.removeEventListener("keydown", h, true); return; }
        onKey(e);
      };
      pw.__unitmapKeys = h;
      pw.document.addEventListener("keydown", h, true);
      window.addEventListener("pagehide", function () { try { pw.document.removeEventListener("keydown", h, true); } catch (err) { /* ignore */ } });
    } catch (err) { /* cross-origin parent: keys work when the map has focus */ }
  }

  /* ---------------------------------------------------------------- controls */
  function control(pos, node) {
    var C = L.Control.extend({ options: { position: pos }, onAdd: function () { L.DomEvent.disableClickPropagation(node); return node; } });
    new C().addTo(map);
  }
  function buildLegend() {
    var lg = document.getElementById("legend");
    while (lg.firstChild) lg.removeChild(lg.firstChild);
    args.bands.forEach(function (b, i) {
      var row = el("div", "row");
      row.appendChild(swatch(b, i));
      var t = el("div");
      t.appendChild(el("span", "name", b.name.charAt(0).toUpperCase() + b.name.slice(1) + " " + b.rate));
      if (b.description) t.appendChild(el("span", "desc", " — " + b.description));
      row.appendChild(t);
      lg.appendChild(row);
    });

    var marks = el("div", "marks");
    function mark(style, text) {
      var s = svg("svg", { width: 26, height: 16, "aria-hidden": "true" });
      s.appendChild(svg("rect", Object.assign({ x: 2, y: 2, width: 22, height: 12, fill: "none" }, style)));
      var w = el("span"); w.appendChild(s); w.appendChild(document.createTextNode(" " + text)); marks.appendChild(w);
    }
    mark({ stroke: "#222", "stroke-width": 2.5 }, (args.zone_label || "zone") + " border");
    if (args.mode === "edit") mark({ stroke: "#0044dd", "stroke-width": 3, "stroke-dasharray": "5 3", fill: "url(#pat-sel)" }, "selected");
    mark({ stroke: "#000", "stroke-width": 3, "stroke-dasharray": "1 4", "stroke-linecap": "round" }, "changed against the base plan");
    mark({ stroke: "#F0E442", "stroke-width": 3 }, "search result");
    lg.appendChild(marks);
    if (args.shade) shadeLegend(lg);
    var foot = document.getElementById("foot");  // sources: under the legend, and under the map on a phone
    while (foot.firstChild) foot.removeChild(foot.firstChild);
    if (args.bands.length && args.bands[0].source) {
      foot.appendChild(el("div", "attr", "Band definitions: " + args.bands[0].source));
    }
    foot.appendChild(el("div", "attr", args.attribution || ""));
  }

  function drawShade() { // one filled polygon per unit, coloured by decile, under the (lighter) band colours
    shadeLayer.clearLayers();
    if (!args.shade) return;
    units.forEach(function (u) {
      var d = args.shade.values[u.idx];
      if (!d) return;
      L.polygon(u.rings, { interactive: false, stroke: false, fillColor: args.shade.colours[d - 1], fillOpacity: 0.9 }).addTo(shadeLayer);
    });
  }
  function shadeLegend(lg) {
    var box = el("div", "shade");
    box.setAttribute("data-testid", "um-shade-legend");
    box.appendChild(el("div", "name", args.shade.title));
    var row = el("div", "marks");
    args.shade.colours.forEach(function (c, i) {
      var s = svg("svg", { width: 22, height: 14, "aria-hidden": "true" });
      s.appendChild(svg("rect", { x: 1, y: 1, width: 20, height: 12, fill: c, stroke: "#555" }));
      var w = el("span"); w.appendChild(s);
      w.appendChild(document.createTextNode(" " + (i + 1) + (i === 0 ? " most deprived" : i === 9 ? " least deprived" : "")));
      row.appendChild(w);
    });
    box.appendChild(row);
    box.appendChild(el("div", "attr", "Source: " + args.shade.source));
    lg.appendChild(box);
  }

  function initMap() {
    map = L.map("map", { preferCanvas: false, zoomSnap: 0.25, boxZoom: false, keyboard: false });  // keys: the units' own
    L.control.scale({ imperial: false }).addTo(map);
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", { maxZoom: 18, opacity: 0.55,
      attribution: "© OpenStreetMap contributors (ODbL); Contains OS data © Crown copyright and database right; ONS (OGL v3)" }).addTo(map);
    shadeLayer = L.featureGroup().addTo(map);  // deprivation deciles, behind the band colours
    unitLayer = L.featureGroup().addTo(map);
    outlineLayer = L.featureGroup().addTo(map);
    hlLayer = L.featureGroup().addTo(map);
    selLayer = L.featureGroup().addTo(map);
    labelLayer = L.featureGroup().addTo(map);
    unitLabelLayer = L.featureGroup().addTo(map);
    var t = el("div", "um-box um-title"); t.setAttribute("data-testid", "um-title");
    titleCtl = t; control("topright", t);
    var c = el("div", "um-box um-count", "0 units selected"); c.setAttribute("aria-live", "polite"); c.setAttribute("data-testid", "um-count");
    countCtl = c; if (args.mode === "edit") control("topleft", c);
    cueCtl = el("button", "um-box um-cue");
    cueCtl.type = "button"; cueCtl.hidden = true; cueCtl.setAttribute("data-testid", "um-cue");
    cueCtl.addEventListener("click", goToEvidence);
    control("bottomleft", cueCtl);
    map.on("click", function (e) {
      if (!args) return;
      var u = unitUnder(e.containerPoint);
      if (isTap(e.originalEvent)) closeTips();  // no pointer leaves the unit after a tap: its tooltip would stay
      if (!u) return;
      if (args.mode === "view") { send("pick", { code: u.code }); showCue(u); return; }
      if (tool !== "pan") return;
      apply([u], selection.has(u.code));
      sendSelection();
    });
    map.on("load", function () { viewReady = true; });
    map.on("dragstart", function () { userMoved = true; });
    map.getContainer().addEventListener("wheel", function () { userMoved = true; }, { passive: true });
    map.getContainer().querySelectorAll(".leaflet-control-zoom a").forEach(function (a) { a.addEventListener("click", function () { userMoved = true; }); });
    map.on("moveend zoomend", function () {
      placeLabels();
      var c = map.getCenter();
      document.body.setAttribute("data-view", c.lat.toFixed(5) + "," + c.lng.toFixed(5) + "," + map.getZoom());
      if (userMoved && geoKey) {  // a map drawn anew (back from another page) opens where the user left it
        try { window.sessionStorage.setItem("unitmap-view:" + geoKey, JSON.stringify([c.lat, c.lng, map.getZoom()])); } catch (err) { /* storage off */ }
      }
    });
    var mc = document.getElementById("map");
    mc.addEventListener("pointerdown", onDown, true);
    window.addEventListener("pointermove", onMove, true);
    window.addEventListener("pointerup", onUp, true);
    window.addEventListener("pointercancel", onUp, true);
  }

  function loadGeometry() {
    unitLayer.clearLayers();
    units = []; byCode = {};
    geo.units.features.forEach(function (f, i) {
      var u = { idx: i, code: f.properties.code, name: f.properties.name, parishes: f.properties.parishes, hours: f.properties.hours, rings: ringsOf(f.geometry) };
      u.bbox = bboxOf(u.rings);
      units.push(u); byCode[u.code] = u;
    });
    units.forEach(function (u) {
      u.layer = L.polygon(u.rings, unitStyle(u));
      u.layer.bindTooltip(function () { return tipFor(u); }, { sticky: true });
      u.layer.on("add", function () { this.getElement().setAttribute("data-code", u.code); });  // the path's unit
      u.layer.addTo(unitLayer);
    });
    var kept = null;
    try { kept = JSON.parse(window.sessionStorage.getItem("unitmap-view:" + geoKey) || "null"); } catch (err) { kept = null; }
    if (kept && kept.length === 3 && kept.every(function (x) { return typeof x === "number" && isFinite(x); })) {
      userMoved = true;  // this session moved the map before: keep that view instead of the council's extent
      map.setView([kept[0], kept[1]], kept[2], { animate: false });
      setTimeout(function () { map.invalidateSize(); map.setView([kept[0], kept[1]], kept[2], { animate: false }); }, 50);
      return;
    }
    fitCouncil();
    setTimeout(function () { map.invalidateSize(); if (!userMoved) fitCouncil(); }, 50);
  }

  // the council's extent, clear of the title box (top right): the whole box's height is kept free above the
  // units, so no northern unit sits under it (it hid Rutland's northern units)
  function fitCouncil() {
    var top = titleCtl && titleCtl.offsetHeight ? titleCtl.offsetHeight + 14 : 8;
    map.fitBounds(geo.bounds, { animate: false, paddingTopLeft: [8, top], paddingBottomRight: [8, 8] });
  }

  function drawOutlines(outlines) {
    outlineLayer.clearLayers();
    if (outlines) L.geoJSON(outlines, { interactive: false, style: { fill: false, color: "#222", weight: 2.5, opacity: 0.95 } }).addTo(outlineLayer);
    labelLayer.clearLayers();
    zoneLabels = [];
    (args.labels || []).forEach(function (l) {
      var d = el("span", "um-label", l[0]);
      L.marker([l[1], l[2]], { interactive: false, keyboard: false, icon: L.divIcon({ html: d, className: "um-label-icon", iconSize: null }) }).addTo(labelLayer);
      zoneLabels.push({ el: d, ll: L.latLng(l[1], l[2]) });
    });
    placeLabels();
  }

  /* ---------------------------------------------------------------- labels without collisions
     Zone labels first (in the given order): one that would overlap a label already placed moves to the first free
     spot near its own (zoneLabelSpots), and is hidden only when none is free. Then unit
     names, biggest units first, each only where it reads: its whole width lies inside its unit at this zoom and
     it overlaps no label placed before. Redone after every pan and zoom. */
  var LABEL_FONT = "11px 'Source Sans Pro', system-ui, sans-serif", MAX_UNIT_LABELS = 250;
  function textWidth(s) {
    if (!measureCtx) measureCtx = document.createElement("canvas").getContext("2d");
    measureCtx.font = LABEL_FONT;
    return measureCtx.measureText(s).width;
  }
  function labelPoint(u) { // the middle of the widest inside stretch of the unit's bbox's middle latitude
    var lat = (u.bbox[0] + u.bbox[2]) / 2, xs = [], best = null;
    u.rings.forEach(function (r) {
      for (var i = 0, j = r.length - 1; i < r.length; j = i++) {
        var a = r[j], b = r[i];
        if ((a[0] > lat) !== (b[0] > lat)) xs.push(a[1] + (lat - a[0]) * (b[1] - a[1]) / (b[0] - a[0]));
      }
    });
    xs.sort(function (p, q) { return p - q; });
    for (var k = 0; k + 1 < xs.length; k += 2) {
      if (!best || xs[k + 1] - xs[k] > best[1] - best[0]) best = [xs[k], xs[k + 1]];
    }
    return L.latLng(lat, best ? (best[0] + best[1]) / 2 : (u.bbox[1] + u.bbox[3]) / 2);
  }
  function overlaps(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }
  function boxAt(p, w, h) { return [p.x - w / 2 - 2, p.y - h / 2 - 1, p.x + w / 2 + 2, p.y + h / 2 + 1]; }
  function inside(u, x, y) {
    var ll = map.containerPointToLatLng(L.point(x, y));
    return inRings(ll.lat, ll.lng, u.rings);
  }
  // where a zone label may go when its own spot is taken: nudged up or down by one or two label heights and/or
  // left or right by half its width (near enough to read as its zone's); hidden only when every spot clashes
  function zoneLabelSpots(w, h) {
    var dx = w / 2 + 4, dy = h + 2;
    return [[0, 0], [0, -dy], [0, dy], [-dx, 0], [dx, 0], [-dx, -dy], [dx, -dy], [-dx, dy], [dx, dy],
      [0, -2 * dy], [0, 2 * dy], [-dx, -2 * dy], [dx, -2 * dy], [-dx, 2 * dy], [dx, 2 * dy]];
  }
  function placeZoneLabels(placed) {
    var hidden = 0;
    zoneLabels.forEach(function (z) {
      var p = map.latLngToContainerPoint(z.ll), w = z.el.offsetWidth, h = z.el.offsetHeight, spot = null;
      zoneLabelSpots(w, h).some(function (d) {
        var b = boxAt(L.point(p.x + d[0], p.y + d[1]), w, h);
        if (placed.some(function (q) { return overlaps(b, q); })) return false;
        spot = { d: d, box: b };
        return true;
      });
      z.el.style.visibility = spot ? "" : "hidden";
      z.el.style.transform = spot && (spot.d[0] || spot.d[1])
        ? "translate(-50%, -50%) translate(" + spot.d[0] + "px, " + spot.d[1] + "px)" : "";
      if (spot) placed.push(spot.box); else hidden += 1;
    });
    return hidden;
  }
  function unitLabelCandidates() {
    var vb = map.getBounds(), s = vb.getSouth(), w = vb.getWest(), n = vb.getNorth(), e = vb.getEast();
    function area(u) { return (u.bbox[2] - u.bbox[0]) * (u.bbox[3] - u.bbox[1]); }
    return units.filter(function (u) {
      var b = u.bbox;
      return u.name && !(b[2] < s || b[0] > n || b[3] < w || b[1] > e);
    })
      .sort(function (a, b) { return area(b) - area(a); });
  }
  function placeLabels() {
    if (!map || !unitLabelLayer || !viewReady) return;
    var placed = [], size = map.getSize(), shown = 0;
    var hidden = placeZoneLabels(placed);
    unitLabelLayer.clearLayers();
    unitLabelCandidates().forEach(function (u) {
      if (shown >= MAX_UNIT_LABELS) return;
      if (!u.lp) u.lp = labelPoint(u);
      var p = map.latLngToContainerPoint(u.lp), name = String(u.name).slice(0, 60), w = textWidth(name), h = 13;
      if (p.x - w / 2 < 0 || p.x + w / 2 > size.x || p.y - h < 0 || p.y + h > size.y) return;
      if (!(inside(u, p.x, p.y) && inside(u, p.x - w / 2, p.y) && inside(u, p.x + w / 2, p.y))) return;
      var b = boxAt(p, w, h);
      if (placed.some(function (q) { return overlaps(b, q); })) return;
      placed.push(b); shown += 1;
      var span = el("span", "um-label um-ulabel", name);
      var icon = L.divIcon({ html: span, className: "um-label-icon", iconSize: null });
      L.marker(u.lp, { interactive: false, keyboard: false, icon: icon }).addTo(unitLabelLayer);
    });
    document.body.setAttribute("data-unit-labels", String(shown));
    document.body.setAttribute("data-zone-labels-hidden", String(hidden));
  }

  /* ---------------------------------------------------------------- taps (phones) and the evidence cue */
  function isTap(oe) {
    if (oe && oe.pointerType === "touch") return true;
    return !!(window.matchMedia && window.matchMedia("(hover: none)").matches);
  }
  function closeTips() { unitLayer.eachLayer(function (l) { l.closeTooltip(); }); }
  function evidenceBox() { // the page's evidence card (Zone map: container key "ev-card"), if the page is reachable
    try { return window.parent.document.querySelector(".st-key-ev-card"); } catch (err) { return null; }
  }
  function showCue(u) { // view mode: the evidence of the picked unit opens under the map, often off-screen
    if (!cueCtl || args.mode !== "view") return;
    var box = evidenceBox();
    try {
      if (box && box.getBoundingClientRect().top < window.parent.innerHeight - 40) return;  // already in sight
    } catch (err) { /* cross-origin parent: show the cue */ }
    cueCtl.textContent = "↓ See the evidence for " + String(u.name).slice(0, 60) + " below";
    cueCtl.hidden = false;
  }
  function goToEvidence() {
    cueCtl.hidden = true;
    var box = evidenceBox(), head = box && (box.querySelector('[data-testid="stHeading"]') || box);
    if (!head) return;
    head.style.scrollMarginTop = "72px";  // clear of Streamlit's fixed header
    head.scrollIntoView({ block: "start" });
  }

  function mapHeight(h) { // a phone: about half the screen, so the key, the map and what follows share the first screen
    if (window.innerWidth > 520) return h;
    var screenH = 844;
    try { screenH = window.parent.innerHeight || screenH; } catch (err) { /* cross-origin parent */ }
    return Math.min(h, Math.max(320, Math.round(screenH * 0.52)));
  }

  var lastAssign = null, lastOutlines = null, lastChanged = null, lastSearchKey = null, lastShade = null;
  function render(a) {
    var first = !map;
    args = a;
    document.body.className = a.mode === "view" ? "view" : "edit";
    document.getElementById("map").style.height = mapHeight(a.height || 560) + "px";
    if (first) { buildPatterns(a.bands); initMap(); setTool("pan"); hookParentKeys(); }
    else buildPatterns(a.bands);
    var need = [], fresh = false;  // fresh: the units were just drawn with these arguments (no restyle needed)
    changed = new Set(a.changed || []);
    if (a.geo_key !== geoKey) {
      var g = textOf(a.geo_key, a.geo_json);
      if (g) {
        document.body.setAttribute("data-geo-from", typeof a.geo_json === "string" ? "python" : "held");
        geo = g; geoKey = a.geo_key; loadGeometry(); fresh = true; lastShade = null;
      } else need.push(a.geo_key);
    } else if (geo) hold(geoKey, geo);  // the geometry drawn stays held while edits add outlines
    var outlines = textOf(a.outlines_key, a.outlines_json);
    if (!outlines) need.push(a.outlines_key);
    askFor(need);
    document.body.setAttribute("data-geo-key", geoKey || "");
    var ak = JSON.stringify(a.assign), ck = (a.changed || []).join(","), ok = (outlines ? a.outlines_key : "") + JSON.stringify(a.labels);
    var shk = a.shade ? a.shade.values.join(",") : "";
    if (ak !== lastAssign || ck !== lastChanged || shk !== lastShade) { if (!fresh) restyleAll(); lastAssign = ak; lastChanged = ck; }
    if (shk !== lastShade) { drawShade(); lastShade = shk; }
    if (ok !== lastOutlines) { drawOutlines(outlines); lastOutlines = ok; }
    if (a.selection_rev > appliedRev) { selection = new Set(a.selection || []); appliedRev = a.selection_rev; }
    drawSelection();
    titleCtl.textContent = "";
    var parts = String(a.title || "").split("\n");
    titleCtl.appendChild(el("div", null, parts[0]));
    if (parts.length > 1) titleCtl.appendChild(el("div", "sub", parts.slice(1).join(" · ")));
    buildLegend();
    var s = a.search;
    var sk = s ? s.query + "|" + (s.codes || []).join(",") : "";
    if (s && sk !== lastSearchKey) {
      lastSearchKey = sk;
      var cur = normQ(document.getElementById("um-search").value);
      if (s.query === cur) {
        showResult(s);
        if (pendingEnter === s.query) { pendingEnter = null; useResult(s); }
      }
    }
    if (cueCtl && !a.picked) cueCtl.hidden = true;
    if (a.mode === "view" && a.picked && byCode[a.picked]) {
      hlLayer.clearLayers();
      L.polygon(byCode[a.picked].rings, { interactive: false, fill: false, color: "#111", weight: 5 }).addTo(hlLayer);
    }
    setHeight();
  }

  /* ---------------------------------------------------------------- wiring */
  document.querySelectorAll("[data-tool]").forEach(function (b) { b.addEventListener("click", function () { setTool(b.getAttribute("data-tool")); }); });
  document.getElementById("um-erase").addEventListener("click", function () { erase = !erase; this.setAttribute("aria-pressed", String(erase)); });
  document.getElementById("um-clear").addEventListener("click", function () { if (selection.size) { selection.clear(); drawSelection(); sendSelection(); } });
  var box = document.getElementById("um-search");
  box.addEventListener("input", function () {
    if (searchTimer) clearTimeout(searchTimer);
    var q = normQ(box.value);
    searchTimer = setTimeout(function () { searchNow(q); }, 350);
  });
  box.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") return;
    e.preventDefault();
    var q = normQ(box.value);
    if (!q) return;
    if (lastResult && lastResult.query === q && q === lastSearchSent) useResult(lastResult);
    else { pendingEnter = q; searchNow(q); }
  });
  document.addEventListener("keydown", onKey, true);
  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (!d || d.type !== "streamlit:render") return;
    try { render(d.args); } catch (err) { console.error(err); }
  });
  window.addEventListener("resize", function () { // the frame is sized after the first render: refit until the user moves the map
    if (!map) return;
    if (args) document.getElementById("map").style.height = mapHeight(args.height || 560) + "px";
    map.invalidateSize();
    if (!userMoved && geo) fitCouncil();
    setHeight();
  });
  post("streamlit:componentReady", { apiVersion: 1 });
})();
