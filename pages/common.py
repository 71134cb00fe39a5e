"""Shared view helpers for the Streamlit pages: council selector, cached layers, folium map, attribution.

No domain arithmetic here: everything computed comes from geodata/, travel/ or zones/.
"""
from __future__ import annotations

import folium
import streamlit as st

from pathlib import Path
import shutil

from geodata.datadir import ATTRIBUTION, REPO_ROOT
from geodata.packs import DEFAULT_COUNCIL, available_packs, load_pack
from geodata.units import UnitLayer, load_units
from geodata.web import to_geojson

ZONE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"]
BAND_COLOURS = {"urban": "#2b8cbe", "fringe": "#7bccc4", "rural": "#fdae61", "isolated": "#d7191c"}


def page_list() -> list:
    return [st.Page("pages/zone_map.py", title="Zone map", icon="🗺️", default=True)]


def council_selector() -> str:
    """Sidebar council selector; the choice also follows ``?council=`` in the URL."""
    packs = available_packs()
    wanted = st.query_params.get("council", st.session_state.get("council", DEFAULT_COUNCIL))
    if wanted not in packs:
        wanted = DEFAULT_COUNCIL
    council = st.sidebar.selectbox("Council", packs, index=packs.index(wanted),
                                   format_func=lambda c: load_pack(c).name, key="council")
    st.query_params["council"] = council
    st.sidebar.caption(ATTRIBUTION)
    return council


@st.cache_resource(show_spinner=False)
def _layer(council: str) -> UnitLayer:
    return load_units(council)


def units_layer(council: str) -> UnitLayer:
    """The council's unit layer, built on first use with a visible progress bar, then cached."""
    if council not in st.session_state.setdefault("_built", set()):
        bar = st.progress(0.0, text=f"Preparing {council} units…")
        layer = load_units(council, progress=lambda step, f: bar.progress(min(f, 1.0), text=step))
        bar.empty()
        st.session_state["_built"].add(council)
    return _layer(council)


@st.cache_data(show_spinner=False)
def units_geojson(council: str, cache_key: str) -> str:
    """Simplified EPSG:4326 GeoJSON of the units with the columns the map shows (cached per council)."""
    layer = _layer(council)
    cols = ["unit_code", "unit_name", "unit_type", "parishes", "zone", "hours_per_week"]
    return to_geojson(layer.units, columns=cols)


STATIC_VENDOR = REPO_ROOT / "static" / "vendor"
VENDOR_URL = "/app/static/vendor"


@st.cache_resource(show_spinner=False)
def web_assets() -> bool:
    """Copy Leaflet and jQuery from their PyPI packages (xstatic) into ``static/vendor`` (git-ignored) so maps
    work without a CDN; Streamlit serves that folder at ``/app/static``."""
    import xstatic.pkg.jquery as jq
    import xstatic.pkg.leaflet as lf

    STATIC_VENDOR.mkdir(parents=True, exist_ok=True)
    for src in [Path(lf.BASE_DIR) / "leaflet.js", Path(lf.BASE_DIR) / "leaflet.css", Path(jq.BASE_DIR) / "jquery.min.js"]:
        shutil.copyfile(src, STATIC_VENDOR / src.name)
    shutil.copytree(Path(lf.BASE_DIR) / "images", STATIC_VENDOR / "images", dirs_exist_ok=True)
    return True


def base_map(layer: UnitLayer, tiles: bool = True) -> folium.Map:
    """An empty folium map fitted to the council with OSM tiles and the OSM/ONS attribution.

    Leaflet and jQuery are served locally (``web_assets``), not from a CDN."""
    web_assets()
    b = layer.units.to_crs("EPSG:4326").total_bounds
    m = folium.Map(tiles=None, control_scale=True)
    m.default_js = [("leaflet", f"{VENDOR_URL}/leaflet.js"), ("jquery", f"{VENDOR_URL}/jquery.min.js")]
    m.default_css = [("leaflet_css", f"{VENDOR_URL}/leaflet.css")]
    folium.TileLayer("OpenStreetMap", attr="© OpenStreetMap contributors (ODbL)").add_to(m)
    m.fit_bounds([[b[1], b[0]], [b[3], b[2]]])
    m.get_root().html.add_child(folium.Element(
        f'<div style="position:fixed;bottom:4px;left:50px;z-index:9999;background:white;font-size:11px;'
        f'padding:2px 6px;opacity:.85">{ATTRIBUTION}</div>'))
    return m


def zone_colours(zones: list[str]) -> dict[str, str]:
    return {z: ZONE_COLOURS[i % len(ZONE_COLOURS)] for i, z in enumerate(sorted(zones))}
