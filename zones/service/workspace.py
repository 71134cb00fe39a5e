"""Everything the app needs for one council, computed once: units, travel metrics, classification, base plan;
plus the selection helpers and the edit history the pages call (no streamlit here).

Selection geometry arrives from the browser in EPSG:4326 (lon/lat) and is tested against units in EPSG:27700.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.datadir import DataError
from geodata.packs import vintage_text
from geodata.units import UnitLayer, load_units
from zones.money import weeks_json
from zones.plan import Plan, base_plan
from zones.rates import rates_source_text


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
        out.append(
            f"Care hours per area are ESTIMATED from the number of older residents by age and scaled to the "
            f"{_total_words(ws.layer.pack)} ({ws.layer.pack.weekly_hours_source})."
        )
    hubs = ws.layer.pack.raw.get("hubs", {}).get("source", "")
    if hubs.startswith("derived"):
        out.append(
            "Town hubs are DERIVED from the LSOA layer (touching LSOAs of 500+ residents per km² reaching "
            "5,000 residents; Census 2021), not from a towns file."
        )
    hs = (ws.layer.report or {}).get("hours_source") or {}
    out += [f"Hours file: {w}" for w in hs.get("warnings", [])[:1] if "adds up to" in w]
    if ws.layer.zones_note:
        out.append(ws.layer.zones_note)
    n_est = int(ws.metrics["estimated"].sum())
    if n_est:
        err = ws.metrics.attrs.get("estimate_error", {})
        med = err.get("median_abs_pct")
        typ = (
            f"; checked against real routes, such estimates are typically {float(med):.0f} % out"
            if med not in (None, "")
            else ""
        )
        out.append(
            f"Travel times of {n_est} of {len(ws.metrics)} areas are ESTIMATED from straight-line distances and "
            f"typical road speeds (the planner has no road map for them){typ}. Each area's card says how far "
            "out its figures may be."
        )
    if s.get("parishes_without_polygon"):
        out.append(
            f"{s['parishes_without_polygon']} civil parishes have no boundary of their own in the data; each "
            "is priced with the area that holds it (named in that area's note)."
        )
    if "STAND-IN" in ws.base.rates.source:
        out.append("Band rates are a STAND-IN (the council publishes none): Leicestershire 2025/26 rates.")
    if "DERIVED" in ws.base.rates.source:
        out.append(
            "Band rates are DERIVED from the council report's figures (it publishes no rate card): "
            + rates_source_text(ws.base.rates.source).replace("DERIVED from the report (no published card): ", "")
        )
    return out


def _total_words(pack) -> str:
    """How the weekly total was come by, for a sentence: stated by the council, or itself an estimate."""
    if pack.raw.get("council", {}).get("weekly_hours_estimated"):
        return "council's weekly total, which is itself an ESTIMATE"
    return "council's reported weekly total"


def sources(ws: Workspace) -> list[str]:
    """The report's data sources: the data vintage first, then the files (national layers for a generated pack)."""
    pack = ws.layer.pack
    if pack.raw.get("council", {}).get("generated"):
        hubs = pack.raw.get("hubs", {}).get("source", "")
        return [
            vintage_text(pack),
            (
                "ONS LSOA (Dec 2021) boundaries BSC V4, LSOA 2021 to ward 2024 to district 2024 best-fit lookup, "
                "LSOA 2011 to 2021 lookup, district to upper-tier council 2023 lookup (OGL v3)"
            ),
            (
                "ONS mid-2020 population estimates by age, LSOA 2011, moved to LSOA 2021 (OGL v3); Census 2021 "
                "residents per LSOA 2021 (OGL v3)"
            ),
            "English Indices of Deprivation 2025, LSOA 2021 (MHCLG, OGL v3)",
            f"Town hubs: {hubs} (ONS built-up areas / Census 2021, OGL v3)",
            f"Weekly hours: {pack.weekly_hours_source}",
        ]
    return [
        vintage_text(pack),
        "ONS wards 2013, LSOAs and output areas 2011 (OGL v3)",
        "ONS parish to ward lookups 2019 (OGL v3)",
        "ONS mid-2020 population estimates by single year of age, LSOA 2011 (OGL v3)",
        "ONS postcode directory Nov 2025 centroids (OGL v3; Royal Mail and GeoPlace data)",
        "OS Open Names populated places (OGL v3)",
        "OpenStreetMap parish boundaries and road network (ODbL)",
        f"Council report: {ws.layer.pack.weekly_hours_source}",
    ]


def search_units(ws: Workspace, text: str) -> list[str]:
    """Unit codes whose code, name or parishes contain ``text`` (case-insensitive); exact resolves first."""
    text = (text or "").strip()
    if not text:
        return []
    exact = ws.layer.resolve(text)
    u = ws.units
    t = text.lower()
    hit = u[
        u["unit_code"].str.lower().str.contains(t, regex=False)
        | u["unit_name"].str.lower().str.contains(t, regex=False)
        | u["parishes"].str.lower().str.contains(t, regex=False)
    ]["unit_code"].tolist()
    return list(dict.fromkeys(exact + hit))


MAX_DRAWN_VERTICES = 20_000  # a drawn selection above this is refused (leaflet.draw: one vertex per click)
SIMPLIFY_ABOVE_VERTICES = 2_000  # a drawn selection above this is thinned to this many vertices first


def units_in_geojson(ws: Workspace, geometry: dict) -> list[str]:
    """Unit codes whose area intersects a drawn GeoJSON geometry (EPSG:4326), or that contain a drawn point.

    The drawing is untrusted browser input: nesting and vertex count are bounded (over ``MAX_DRAWN_VERTICES``,
    e.g. a 200,000-point polygon, raises DataError at once, O(n)); a drawing of more than
    ``SIMPLIFY_ABOVE_VERTICES`` vertices is thinned to about that many (every k-th vertex, O(n): Douglas-Peucker
    is quadratic on a spiky ring); an invalid (self-crossing) ring is made valid; candidate units come from the
    layer's STRtree (``sindex``, O(log n) per unit) and only they are intersected exactly."""
    from pyproj import Transformer

    if not isinstance(geometry, dict) or geometry.get("type") not in ("Point", "Polygon", "MultiPolygon"):
        raise DataError("the drawn shape must be a point, polygon or rectangle")
    geom = _drawn_geometry(geometry["type"], geometry.get("coordinates"))
    n = shapely.get_num_coordinates(geom)
    if n > MAX_DRAWN_VERTICES:
        raise DataError(f"the drawn shape has {n:,} points; the limit is {MAX_DRAWN_VERTICES:,}")
    if geom.is_empty:
        return []
    to_bng = Transformer.from_crs("EPSG:4326", ws.units.crs, always_xy=True)
    geom = shapely.transform(geom, lambda xy: np.column_stack(to_bng.transform(xy[:, 0], xy[:, 1])))
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        raise DataError("the drawn shape lies outside the map")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    idx = ws.units.sindex.query(geom, predicate="intersects")
    if not len(idx):
        return []
    idx = np.sort(idx)
    if geom.geom_type != "Point":
        area = shapely.area(shapely.intersection(ws.units.geometry.values[idx], geom))
        idx = idx[area > 0]
    return ws.units["unit_code"].iloc[idx].tolist()


def _ring(coords) -> np.ndarray:
    if isinstance(coords, list) and len(coords) > MAX_DRAWN_VERTICES:
        raise DataError(f"the drawn shape has {len(coords):,} points; the limit is {MAX_DRAWN_VERTICES:,}")
    try:
        xy = np.asarray(coords, dtype=float)
    except (TypeError, ValueError):
        raise DataError("the drawn shape has malformed coordinates") from None
    if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) < 4 or not np.isfinite(xy).all():
        raise DataError("the drawn shape has malformed coordinates")
    return xy


def _drawn_geometry(kind: str, coords) -> shapely.Geometry:
    """A shapely geometry from GeoJSON coordinates, each ring read as one float array (fast, no recursion:
    a ragged or deeply nested array is refused by numpy)."""
    if kind == "Point":
        try:
            xy = np.asarray(coords, dtype=float)
        except (TypeError, ValueError):
            raise DataError("the drawn point has malformed coordinates") from None
        if xy.shape != (2,) or not np.isfinite(xy).all():
            raise DataError("the drawn point has malformed coordinates")
        return shapely.Point(xy)
    polys = [coords] if kind == "Polygon" else coords
    if not isinstance(polys, list) or not polys or len(polys) > 1000:
        raise DataError("the drawn shape has malformed coordinates")
    out = []
    for rings in polys:
        if not isinstance(rings, list) or not rings or len(rings) > 1000:
            raise DataError("the drawn shape has malformed coordinates")
        arrs = [_ring(r) for r in rings]
        total = sum(len(a) for a in arrs)
        if total > MAX_DRAWN_VERTICES:
            raise DataError(f"the drawn shape has {total:,} points; the limit is {MAX_DRAWN_VERTICES:,}")
        if total > SIMPLIFY_ABOVE_VERTICES:
            k = -(-total // SIMPLIFY_ABOVE_VERTICES)
            arrs = [np.vstack([a[:-1:k], a[:1]]) for a in arrs]
            arrs = [a for a in arrs if len(a) >= 4] or [arrs[0]]
        out.append(shapely.Polygon(arrs[0], arrs[1:]))
    return out[0] if kind == "Polygon" else shapely.MultiPolygon(out)


def unit_at(ws: Workspace, lon: float, lat: float) -> str | None:
    """The unit containing a clicked point (EPSG:4326); None for a click outside every unit or a malformed one."""
    try:
        codes = units_in_geojson(ws, {"type": "Point", "coordinates": [lon, lat]})
    except DataError:
        return None
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


def travel_sentence(routed: bool, median_pct: float | None, p90_pct: float | None) -> str:
    """How the unit's two travel times were found and how wrong they can be, in plain English."""
    if median_pct is not None and p90_pct is not None:
        err = (
            f" Checked against real routes of similar trips, such estimates are typically {median_pct:.0f} % out, "
            f"and 9 in 10 are within {p90_pct:.0f} %."
        )
    else:
        err = " There were no real routes of similar trips to check such estimates against."
    if routed:
        return (
            "The time between visits is measured along the roads (OpenStreetMap). The drive from the town is "
            "ESTIMATED from the straight-line distance and typical road speeds." + err
        )
    return (
        "Both travel times are ESTIMATED from straight-line distances and typical road speeds (no road map "
        "covers this area in the planner's data)." + err
    )


def _band_lines(name: str, a, c, band: str, why: str, summary: str) -> list[str]:
    """The evidence card's sentences on the band: why the unit has it (a hand-set band says so first, then the
    classifier's view), the reason recorded with its last change, and what would move it up or down a band."""
    shown = a["band"]
    if shown != band:  # set by hand: say so first, then the classifier's view as its view (issue 19 §4)
        first = (
            f"{name} is {shown.upper()}, set by hand. On its travel figures the classifier would make "
            f"it {band.upper()}, because {why}."
        )
        subject = "The classifier"
    else:
        first, subject = f"{name} is {band.upper()} because {why}.", ""
    lines = [first, summary[0].upper() + summary[1:] + "."]
    if shown == band and a["reason"]:  # a hand-set band shows its reason beside the warning; any other unit here
        lines.insert(1, f"Reason recorded with its last change: {a['reason']}")
    if c.get("margin_up"):
        lines.append(
            f"{subject} would make it {c['next_band_up']} with {c['margin_up']}."
            if subject
            else f"It would become {c['next_band_up']} with {c['margin_up']}."
        )
    if c.get("margin_down"):
        lines.append(
            f"{subject} would make it {c['next_band_down']} if {c['margin_down']}."
            if subject
            else f"It would be {c['next_band_down']} if {c['margin_down']}."
        )
    return lines


def evidence_card(ws: Workspace, plan: Plan, code: str) -> dict:
    """What the map shows for one unit: names, zone, band (and computed band), hours and the band's evidence in
    plain English: why the unit has its band, what would move it, and whether its times are routed on a real
    road graph or estimated (with the estimator's checked error for such trips)."""
    u = ws.units.set_index("unit_code").loc[code]
    m = ws.metrics.set_index("unit_code").loc[code]
    c = ws.classification.set_index("unit_code").loc[code]
    a = plan.assignments().set_index("unit_code").loc[code]
    town = float(c["town_min"]) if "town_min" in c else float(m["town_min"])
    near = str(c["nearest_town"]) if "nearest_town" in c else str(m["nearest_hub"])
    visit = float(c["visit_to_visit_min"]) if "visit_to_visit_min" in c else float(m["visit_to_visit_min"])
    dens = float(c["hours_per_km2"]) if "hours_per_km2" in c else float(m["hours_per_km2"])
    routed = bool(c["visit_routed"]) if "visit_routed" in c else bool(m.get("road_data", False))
    med = m.get("estimate_error_median_pct", None)
    p90 = m.get("estimate_error_p90_pct", None)
    med = None if med in (None, "") or pd.isna(med) else float(med)
    p90 = None if p90 in (None, "") or pd.isna(p90) else float(p90)
    from zones.classify import facts_text

    summary = facts_text(town, visit, dens, near)
    band = a["computed_band"]
    why = (
        c["rule"]
        if band != plan.band_names[0]
        else "it is close to a town, visits are close together and demand is dense"
    )
    lines = _band_lines(u["unit_name"], a, c, band, why, summary)
    lines.append(travel_sentence(routed, med, p90))
    if bool(u["hours_estimated"]):
        lines.append(
            "Care hours are ESTIMATED from the number of older residents (by age band), scaled to the "
            f"{_total_words(ws.layer.pack)}; the council's own figures per area may differ."
        )
    return {
        "unit_code": code,
        "unit_name": u["unit_name"],
        "unit_type": u["unit_type"],
        "parishes": u["parishes"],
        "note": u["note"],
        "zone": a["zone"],
        "band": a["band"],
        "computed_band": a["computed_band"],
        "band_source": a["band_source"],
        "reason": a["reason"],
        "hours_per_week": float(u["hours_per_week"]),
        "hours_estimated": bool(u["hours_estimated"]),
        "rate_gbp_per_hour": str(plan.rates.effective_rate(a["band"])),
        "visit_to_visit_min": visit,
        "town_min": town,
        "nearest_hub": near,
        "nearest_town": near,
        "hours_per_km2": dens,
        "circuity": m["circuity"],
        "travel_estimated": not routed,
        "evidence": " ".join(lines),
        "lines": lines,
        "summary": summary,
        "why": why,
        "would_move_it": c.get("margin_up", ""),
        "less_remote_needs": c.get("margin_down", ""),
        "times_source": {"town_min": "estimated", "visit_to_visit_min": "routed" if routed else "estimated"},
        "estimate_error_median_pct": med,
        "estimate_error_p90_pct": p90,
        "vintage": vintage_text(ws.layer.pack),
        "edge_source": u.get("edge_source", ""),
    }


def band_travel_minutes(ws: Workspace, plan: Plan) -> tuple[dict[str, float], bool]:
    """Hours-weighted mean visit-to-visit minutes per band (the cost build-up's paid travel per visit), and
    whether any of it rests on estimated travel metrics. Bands with no units get the next band's value."""
    a = plan.assignments().merge(ws.metrics[["unit_code", "visit_to_visit_min", "estimated"]], on="unit_code")
    a["hours"] = plan.unit_hours_per_week()
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


# ------------------------------------------------------------------ published versions (issue 11 §4)
def data_digest(ws: Workspace) -> str:
    """SHA-256 of what today's data give each unit: code and hours per week (the figures a plan prices)."""
    import hashlib

    rows = "\n".join(f"{c},{h:.2f}" for c, h in zip(ws.units["unit_code"], ws.units["hours_per_week"]))
    return hashlib.sha256(rows.encode()).hexdigest()


def pack_digest(ws: Workspace) -> str:
    import hashlib

    path = getattr(ws.layer.pack, "path", None)
    raw = Path(path).read_bytes() if path and Path(path).exists() else repr(ws.layer.pack.raw).encode()
    return hashlib.sha256(raw).hexdigest()


def publication_snapshot(ws: Workspace, plan: Plan, weeks_per_year: int | Decimal = 52) -> dict:
    """Everything besides the assignment and rate card that determines a version's numbers, for ``Store.publish``:
    hours per unit (£ are priced on them), unit names, band and zone names, pack and data digests, and the totals
    as published (strings, exact to the penny)."""
    t = plan.totals(weeks_per_year)  # the version's own weeks a year (its saved settings)
    return {
        "council": plan.council,
        "unit_codes": [str(c) for c in plan.unit_codes],
        "unit_names": [str(n) for n in plan.unit_names],
        "hours_cents": plan.unit_centi_hours(),
        "band_names": list(plan.band_names),
        "pack_digest": pack_digest(ws),
        "data_digest": data_digest(ws),
        "totals": {
            "hours_per_week": f"{t['hours_per_week']:.2f}",
            "gbp_per_week": str(t["gbp_per_week"]),
            "gbp_per_year": str(t["gbp_per_year"]),
            "weeks_per_year": weeks_json(weeks_per_year),
        },
    }


def published_plan(ws: Workspace, sv) -> tuple[Plan, str | None]:
    """The plan of a stored version. For a published version with a snapshot, the plan carries the published
    hours per unit (so its totals are the published ones) and a notice says when today's data or pack differ
    from those it was published with. Versions without a snapshot use today's hours."""
    from zones.rates import RateCard

    plan = Plan.from_assignments(ws.base, sv.assignments).with_rates(RateCard.from_dict(sv.rate_model))
    snap = getattr(sv, "snapshot", None)
    if not snap:
        return plan, None
    codes = snap.get("unit_codes") or []
    if set(codes) != set(map(str, ws.base.unit_codes)):
        return plan, (
            f"This version was published on a different set of units ({len(codes)} units; today's data have "
            f"{len(ws.base.unit_codes)}). Its published totals: {snap['totals']['hours_per_week']} hours and "
            f"£{snap['totals']['gbp_per_week']} a week; the map shows today's units and figures."
        )
    plan = plan.with_hours(codes, [h / 100 for h in snap["hours_cents"]])
    changed = [
        w
        for w, k in (("data", "data_digest"), ("council pack", "pack_digest"))
        if snap.get(k) and snap[k] != (data_digest(ws) if k == "data_digest" else pack_digest(ws))
    ]
    if changed:
        return plan, (
            f"Today's {' and '.join(changed)} differ from those this version was published with: the figures "
            "shown are the published ones (hours per unit as published)."
        )
    return plan, None
