"""The unit map: a small Streamlit component (``pages/unitmap_frontend/``: static index.html + plain JS + Leaflet
served from the xstatic-leaflet package, no CDN, no build step) for Districtr-like editing.

The browser keeps the Leaflet map (zoom and centre survive reruns) and the selection: click toggles a unit,
Paint adds units under a dragged pointer (Erase or Shift removes), Rectangle and Lasso select what they touch,
a search box finds units, places and postcodes (matching in ``zones.service.search``). A click or a paint stroke
takes the unit drawn under the pointer (the browser's hit test of the unit paths, each carrying ``data-code``).
Unit names show as labels where they fit inside their unit and overlap no other label; zone labels that would
overlap are hidden. On a phone a tap closes its tooltip and, in view mode, a cue leads to the evidence card (the
page's ``ev-card`` container). The component talks to
Python once per gesture end, as an event ``{"id", "event", ...}``:

- ``selection`` (``codes``): the browser's selection after a click, paint stroke, rectangle or lasso;
- ``search`` (``q``): a typed query; Python answers through the ``search`` argument on the rerun;
- ``undo`` / ``redo``: Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) outside text fields;
- ``pick`` (``code``): view-only mode, a clicked unit (its evidence card);
- ``need`` (``keys``): the browser lacks these texts (below) and asks for them again.

The unit geometry (and the zone outlines of an assignment) cross the websocket once per session: each is sent as
JSON text with a content key (``geo_key``, ``outlines_key``) the first time this session draws it, and as the key
alone afterwards (``geo_json`` / ``outlines_json`` None). The browser keeps the parsed texts by key in its tab (the
Streamlit page's window, so a page switch that mounts a new map frame finds them); a frame that lacks a key it is
given (a cache lost, a message dropped) sends ``need`` and Python sends the text with the next run. A key is the
council and a hash of its text; what a tab holds is what its own session was sent (the pack's geometry, the outlines
of its own plans), nothing of another session.

Every user string (unit, zone and scenario names) is put on the page as text (``textContent``), never as HTML.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from geodata.datadir import ATTRIBUTION
from geodata.web import to_web
from pages import common
from zones.outputs.report import band_colours, band_patterns

FRONTEND = Path(__file__).with_name("unitmap_frontend")
_component = components.declare_component("unitmap", path=str(FRONTEND))


#: Okabe-Ito based palette (colour-blind safe: blue / sky blue / orange / vermillion keep apart under
#: deuteranopia and protanopia; tests/unit/test_unitmap_palette.py) and a pattern per band, so bands are never
#: told by colour alone.
def band_styles(bands) -> list[dict]:
    """Per band of the pack (its order): name, colour and fill pattern. Colours and patterns are the report's
    (``zones.outputs.report.band_colours`` and ``band_patterns``), so a band looks the same on the map, in the PDF
    and on Finance, and no map tells bands apart by colour alone."""
    bands = list(bands)
    colours, patterns = band_colours(bands), band_patterns(bands)
    return [{"name": b, "colour": colours[b], "pattern": patterns[b]} for b in bands]


@st.cache_resource(show_spinner=False)
def _assets() -> bool:
    """Leaflet (xstatic-leaflet) copied beside the component's index.html (git-ignored ``vendor/``): the map works
    on a council network with no CDN and under any server base path."""
    import xstatic.pkg.leaflet as lf

    dst = FRONTEND / "vendor"
    dst.mkdir(exist_ok=True)
    for name in ("leaflet.js", "leaflet.css"):
        if not (dst / name).exists() or (dst / name).stat().st_size != (Path(lf.BASE_DIR) / name).stat().st_size:
            shutil.copyfile(Path(lf.BASE_DIR) / name, dst / name)
    shutil.copytree(Path(lf.BASE_DIR) / "images", dst / "images", dirs_exist_ok=True)
    return True


@st.cache_resource(show_spinner=False)
def _geometry(council: str) -> dict:
    """Simplified EPSG:4326 unit polygons with their fixed properties (code, name, parishes, hours), in unit order,
    and the council's bounds; computed once per council."""
    ws = common._workspace(council)
    web = to_web(ws.units, columns=["unit_code", "unit_name", "parishes", "hours_per_week"])
    fc = json.loads(web.to_json(drop_id=True))
    feats = [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {
                "code": f["properties"]["unit_code"],
                "name": f["properties"]["unit_name"] or "",
                "parishes": (f["properties"]["parishes"] or "").replace(";", ", "),
                "hours": f["properties"]["hours_per_week"],
            },
        }
        for f in fc["features"]
    ]
    b = web.total_bounds
    text = json.dumps(
        {
            "units": {"type": "FeatureCollection", "features": feats},
            "bounds": [[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]],
        },
        separators=(",", ":"),
    )
    # JSON text serialised once per council; sent once per session (:func:`once`), parsed once per browser tab
    return {"key": f"{council}-{hashlib.sha1(text.encode()).hexdigest()[:12]}", "json": text}


@st.cache_data(show_spinner=False, max_entries=64)
def _outlines(council: str, zone_of_unit: tuple[str, ...]) -> dict:
    """Zone outlines (``common.zones_geojson``, EPSG:4326) as JSON text with its content key, cached per
    assignment."""
    text = json.dumps(common.zones_geojson(council, zone_of_unit), separators=(",", ":"))
    return {"key": f"{council}-zones-{hashlib.sha1(text.encode()).hexdigest()[:12]}", "json": text}


SENT = "_unitmap_sent"  # session state: keys of the texts this session's browser was sent (least recently used first)
MAX_SENT = 64  # keys remembered per session (a forgotten key is sent again: never wrong, only bytes)
MAX_KEY = 80  # longest key accepted from the browser's ``need`` event


def once(key: str, text: str) -> str | None:
    """``text`` if this session's browser has not been sent ``key`` yet (then remembered as sent), else None: the
    browser draws it from its own copy."""
    sent: dict = st.session_state.setdefault(SENT, {})
    if key in sent:
        sent[key] = sent.pop(key)  # most recently used last: the geometry outlives many edits' outlines
        return None
    sent[key] = True
    while len(sent) > MAX_SENT:
        sent.pop(next(iter(sent)))
    return text


def forget_sent(keys) -> None:
    """The browser asked for ``keys`` again (``need`` event): the next draw sends their texts. Anything that is not
    a list of short strings is ignored (hostile input)."""
    sent: dict = st.session_state.setdefault(SENT, {})
    if not isinstance(keys, list):
        return
    for k in keys[:8]:
        if isinstance(k, str) and len(k) <= MAX_KEY:
            sent.pop(k, None)


def _unseen(key: str) -> dict | None:
    """The component's last value if it is an event not yet handled in this session (marked handled now)."""
    v = st.session_state.get(key)
    if not isinstance(v, dict) or not v.get("id"):
        return None
    seen = st.session_state.setdefault("_unitmap_seen", {})
    if seen.get(key) == v["id"]:
        return None
    seen[key] = v["id"]
    return v


def _take_need(key: str) -> None:
    """Handle a pending ``need`` event of the map ``key`` (leaves any other event for :func:`pending_event`)."""
    v = st.session_state.get(key)
    if isinstance(v, dict) and v.get("event") == "need" and _unseen(key) is not None:
        forget_sent(v.get("keys"))


def band_legend(ws, plan) -> list[dict]:
    """Per band: name, rate £/h (text), one-line description from the pack's ``[band_descriptions]`` (Leicestershire:
    report para 41), colour and pattern."""
    desc = ws.layer.pack.raw.get("band_descriptions", {})
    out = band_styles(plan.band_names)
    for d in out:
        d["source"] = str(desc.get("source", ""))
        d["rate"] = f"£{plan.rates.effective_rate(d['name'])}/h"
        d["description"] = str(desc.get(d["name"], ""))
    return out


def pending_event(key: str) -> dict | None:
    """The component's event not yet handled in this session (read from session state before the map is drawn, so
    an undo or a new selection shows in this very run), or None. A ``need`` event is handled here (the texts are
    sent again by :func:`unit_map`) and not returned."""
    _take_need(key)
    v = _unseen(key)
    return None if v is None or v.get("event") == "need" else v


def unit_map(
    council: str,
    ws,
    plan,
    *,
    key: str,
    mode: str = "edit",
    selection=(),
    selection_rev: int = 0,
    search: dict | None = None,
    changed=(),
    title: str = "",
    picked: str | None = None,
    height: int = 560,
    shade: dict | None = None,
) -> None:
    """Draw the unit map (see the module docstring). ``selection``/``selection_rev``: Python's selection, applied
    by the browser only when ``selection_rev`` grows (after a move, Clear or a reload); ``changed``: units that
    differ from the base plan (marked); ``title``: the scenario and version shown; ``shade``: a layer drawn behind
    the band colours (``deprivation_shade``), or None."""
    _assets()
    _take_need(key)  # also when the page did not call pending_event first
    geo = _geometry(council)
    a = plan.assignments().set_index("unit_code").loc[list(ws.units["unit_code"])]  # the geometry's order
    zone_list = list(dict.fromkeys(a["zone"]))
    zpos = {z: i for i, z in enumerate(zone_list)}
    bpos = {b: i for i, b in enumerate(plan.band_names)}
    zone_of_unit = tuple(plan.zone_of(c) for c in ws.units["unit_code"])
    outlines = _outlines(council, zone_of_unit)
    _component(
        geo_key=geo["key"],
        geo_json=once(geo["key"], geo["json"]),
        zones=zone_list,
        bands=band_legend(ws, plan),
        assign=[[zpos[z], bpos[b]] for z, b in zip(a["zone"], a["band"])],
        outlines_key=outlines["key"],
        outlines_json=once(outlines["key"], outlines["json"]),
        labels=[[n, lat, lon] for n, lat, lon in common.zone_labels(council, zone_of_unit)],
        zone_label=ws.layer.pack.zone_label,
        mode=mode,
        selection=list(selection),
        selection_rev=int(selection_rev),
        search=search,
        changed=sorted(changed),
        title=title,
        picked=picked,
        height=height,
        attribution=ATTRIBUTION,
        shade=shade,
        key=key,
        default=None,
    )


def map_title(council: str, hist=None, shown: str = "") -> str:
    """The map's title box: council, the plan shown in the words the page uses (``shown``: ``state.identity_label``,
    e.g. "base plan", "Para 47 v2 + unsaved changes"), and how many edits were made since it was opened. First line
    bold; later lines smaller."""
    from geodata.packs import load_pack

    name = load_pack(council).name
    edits = len(hist.undo_stack) if hist is not None else 0
    sub = f"{edits} edit{'s' if edits != 1 else ''} since opened" if edits else "as opened"
    return f"{name}: {shown}\n{sub}" if shown else f"{name}\n{sub}"


#: IMD decile colours, 1 (most deprived) … 10 (least): a sequential, colour-blind-safe ramp (matplotlib "viridis"
#: sampled at 10 points, dark = more deprived), distinct from the band palette's hues.
DECILE_COLOURS = [
    "#440154",
    "#482878",
    "#3e4989",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
]


def deprivation_shade(ws) -> dict:
    """The zone map's deprivation layer (issue 23): per unit (geometry order) the IMD 2025 decile of its median
    resident aged 65+ (``zones.equality.unit_imd_deciles``), with colours, legend title and source."""
    from zones.equality import profiles_for_layer, unit_imd_deciles

    prof = profiles_for_layer(ws.layer)
    dec = dict(zip(prof.unit_codes, unit_imd_deciles(prof)))
    return {
        "values": [dec.get(str(c)) for c in ws.units["unit_code"]],
        "colours": DECILE_COLOURS,
        "title": "Deprivation behind the bands: IMD 2025 decile of the unit's median resident aged 65+ "
        "(1 = most deprived 10 % of England; estimate)",
        "source": "English Indices of Deprivation 2025 (MHCLG, LSOA 2021, OGL v3); residents aged 65+: ONS "
        "mid-2020 estimates shared onto units by postcode centroids",
    }
