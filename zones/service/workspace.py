"""Everything the app needs for one council, computed once: units, travel metrics, classification, base plan;
plus the selection helpers and the edit history the pages call (no streamlit here).

Selection geometry arrives from the browser in EPSG:4326 (lon/lat) and is tested against units in EPSG:27700.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape

from geodata.units import UnitLayer, load_units

from zones.plan import Plan, base_plan


@dataclass
class Workspace:
    layer: UnitLayer
    metrics: pd.DataFrame
    classification: pd.DataFrame
    base: Plan

    @property
    def units(self) -> gpd.GeoDataFrame:
        return self.layer.units


def load_workspace(council: str, progress=None) -> Workspace:
    from travel.metrics import unit_metrics

    layer = load_units(council, progress=progress)
    metrics = unit_metrics(layer, progress=progress)
    plan, cls = base_plan(layer, metrics)
    return Workspace(layer, metrics, cls, plan)


def notes(ws: Workspace) -> list[str]:
    """The assumptions and estimates behind a plan, in plain English (shown in the app and reports)."""
    out = []
    s = ws.layer.summary()
    if s["hours_estimated"]:
        out.append(f"Hours per unit are ESTIMATED from population by age and scaled to the council's weekly total "
                   f"({ws.layer.pack.weekly_hours_source}).")
    if ws.layer.zones_note:
        out.append(ws.layer.zones_note)
    n_est = int(ws.metrics["estimated"].sum())
    if n_est:
        err = ws.metrics.attrs.get("estimate_error", {})
        out.append(f"Travel metrics of {n_est} of {len(ws.metrics)} units are ESTIMATED (no road network for them in the data "
                   f"directory): straight-line distance × circuity ÷ speed measured on a real OSM graph; on held-out real "
                   f"routes the estimate's median error is {err.get('median_abs_pct', '?')} %.")
    if s.get("parishes_without_polygon"):
        out.append(f"{s['parishes_without_polygon']} civil parishes have no area of their own in the data directory; each "
                   "is priced with the unit that holds it (named in that unit's note).")
    if "STAND-IN" in ws.base.rates.source:
        out.append("Band rates are a STAND-IN (the council publishes none): Leicestershire 2025/26 rates.")
    if "DERIVED" in ws.base.rates.source:
        out.append("Band rates are DERIVED from the council report's figures (it publishes no card): " + ws.base.rates.source)
    return out


def sources(ws: Workspace) -> list[str]:
    return ["ONS wards 2013, LSOAs and output areas 2011 (OGL v3)", "ONS parish to ward lookups 2019 (OGL v3)",
            "ONS mid-2020 population estimates by single year of age, LSOA 2011 (OGL v3)",
            "ONS postcode directory Nov 2025 centroids (OGL v3; Royal Mail and GeoPlace data)",
            "OS Open Names populated places (OGL v3)", "OpenStreetMap parish boundaries and road network (ODbL)",
            f"Council report: {ws.layer.pack.weekly_hours_source}"]


def search_units(ws: Workspace, text: str) -> list[str]:
    """Unit codes whose code, name or parishes contain ``text`` (case-insensitive); exact resolves first."""
    text = (text or "").strip()
    if not text:
        return []
    exact = ws.layer.resolve(text)
    u = ws.units
    t = text.lower()
    hit = u[u["unit_code"].str.lower().str.contains(t, regex=False) | u["unit_name"].str.lower().str.contains(t, regex=False)
            | u["parishes"].str.lower().str.contains(t, regex=False)]["unit_code"].tolist()
    return list(dict.fromkeys(exact + hit))


def units_in_geojson(ws: Workspace, geometry: dict) -> list[str]:
    """Unit codes whose area intersects a drawn GeoJSON geometry (EPSG:4326), or that contain a drawn point."""
    geom = gpd.GeoSeries([shape(geometry)], crs="EPSG:4326").to_crs(ws.units.crs).iloc[0]
    if geom.is_empty:
        return []
    hit = ws.units[ws.units.intersects(geom)]
    if geom.geom_type != "Point":
        hit = hit[hit.intersection(geom).area > 0]
    return hit["unit_code"].tolist()


def unit_at(ws: Workspace, lon: float, lat: float) -> str | None:
    """The unit containing a clicked point (EPSG:4326)."""
    codes = units_in_geojson(ws, {"type": "Point", "coordinates": [lon, lat]})
    return codes[0] if codes else None


@dataclass
class History:
    """Undo/redo of plans (plans are immutable values, so the stack holds them directly)."""

    current: Plan
    undo_stack: list[Plan] = field(default_factory=list)
    redo_stack: list[Plan] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)

    def apply(self, new: Plan, entry: dict | None = None) -> None:
        self.undo_stack.append(self.current)
        self.current = new
        self.redo_stack.clear()
        if entry:
            self.log.append(entry)

    def undo(self) -> bool:
        if not self.undo_stack:
            return False
        self.redo_stack.append(self.current)
        self.current = self.undo_stack.pop()
        return True

    def redo(self) -> bool:
        if not self.redo_stack:
            return False
        self.undo_stack.append(self.current)
        self.current = self.redo_stack.pop()
        return True


def evidence_card(ws: Workspace, plan: Plan, code: str) -> dict:
    """What the map shows for one unit: names, zone, band (and computed band), hours and travel evidence."""
    u = ws.units.set_index("unit_code").loc[code]
    m = ws.metrics.set_index("unit_code").loc[code]
    c = ws.classification.set_index("unit_code").loc[code]
    a = plan.assignments().set_index("unit_code").loc[code]
    return {
        "unit_code": code, "unit_name": u["unit_name"], "unit_type": u["unit_type"], "parishes": u["parishes"],
        "note": u["note"], "zone": a["zone"], "band": a["band"], "computed_band": a["computed_band"],
        "band_source": a["band_source"], "reason": a["reason"], "hours_per_week": float(u["hours_per_week"]),
        "hours_estimated": bool(u["hours_estimated"]), "rate_gbp_per_hour": str(plan.rates.effective_rate(a["band"])),
        "visit_to_visit_min": float(m["visit_to_visit_min"]), "town_min": float(m["town_min"]),
        "nearest_hub": m["nearest_hub"], "hours_per_km2": float(m["hours_per_km2"]), "circuity": m["circuity"],
        "travel_estimated": bool(m["estimated"]), "evidence": c["evidence"], "method": m["method"],
    }


def band_travel_minutes(ws: Workspace, plan: Plan) -> tuple[dict[str, float], bool]:
    """Hours-weighted mean visit-to-visit minutes per band (the cost build-up's paid travel per visit), and
    whether any of it rests on estimated travel metrics. Bands with no units get the next band's value."""
    a = plan.assignments().merge(ws.metrics[["unit_code", "visit_to_visit_min", "estimated"]], on="unit_code")
    a["hours"] = plan.hours_cents / 100
    out, est = {}, False
    for b in plan.band_names:
        g = a[a["band"] == b]
        if len(g) and g["hours"].sum() > 0:
            out[b] = float((g["visit_to_visit_min"] * g["hours"]).sum() / g["hours"].sum())
            est = est or bool(g["estimated"].any())
    last = 0.0
    for b in plan.band_names:
        out[b] = out.get(b, last)
        last = out[b]
    return {b: out[b] for b in plan.band_names}, est
