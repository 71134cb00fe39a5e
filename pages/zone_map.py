"""Zone map (scrutiny members, read-only): units coloured by zone, with names, zones and hours."""
import folium
import streamlit as st
from streamlit_folium import st_folium

from pages import common

council = st.session_state.get("council", "leicestershire")
layer = common.units_layer(council)
pack = layer.pack
st.title(f"{pack.name}: {pack.zone_label}s and building blocks")
s = layer.summary()
c1, c2, c3, c4 = st.columns(4)
c1.metric("Units", s["n_units"])
c2.metric(f"{pack.zone_label.capitalize()}s", s["n_zones"])
c3.metric("Care hours / week", f"{s['hours_per_week_total']:,.2f}")
c4.metric("Area km²", f"{s['area_km2']:,.1f}")
if layer.zones_note:
    st.info(layer.zones_note)
if s["hours_estimated"]:
    st.warning("Hours per unit are an ESTIMATE from population by age, scaled to the council's weekly total "
               f"({pack.weekly_hours_source}).")

colours = common.zone_colours(list(set(layer.units["zone"])))
m = common.base_map(layer)
folium.GeoJson(
    common.units_geojson(council, pack.id),
    name="units",
    style_function=lambda f: {"fillColor": colours.get(f["properties"]["zone"], "#999"), "color": "#333",
                              "weight": 0.6, "fillOpacity": 0.55},
    tooltip=folium.GeoJsonTooltip(fields=["unit_name", "zone", "hours_per_week", "parishes"],
                                  aliases=["Unit", pack.zone_label.capitalize(), "Hours/week", "Parishes"]),
).add_to(m)
st_folium(m, height=620, use_container_width=True, returned_objects=[], key=f"map-{council}")
st.caption("Unit types: " + ", ".join(f"{k}: {v}" for k, v in s["units_by_type"].items()))
