"""Scenario import/export: GeoPackage and GeoJSON of units with zone, band, hours and rate.

Exports carry each unit's geometry (GeoPackage in EPSG:27700; GeoJSON in EPSG:4326 as RFC 7946 asks) and the
attribution. Imports are checked before anything is stored: size limit (``MAX_IMPORT_BYTES``), readable vector
data, a CRS that puts the units in Great Britain, valid geometry, known unit codes, known bands, no duplicate
units, and no cell that a spreadsheet would run as a formula.
"""
from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata.datadir import ATTRIBUTION, DataError
from geodata.validate import check_crs

from zones.plan import Plan

MAX_IMPORT_BYTES = 50 * 1024 * 1024
FORMULA_START = ("=", "+", "-", "@")


def export_frame(units: gpd.GeoDataFrame, plan: Plan) -> gpd.GeoDataFrame:
    t = plan.table()
    g = units[["unit_code", "unit_name", "geometry"]].merge(t.drop(columns=["unit_name"]), on="unit_code")
    g["rate_gbp_per_hour"] = g["rate_gbp_per_hour"].astype(str)
    g["gbp_per_week"] = g["gbp_per_week"].astype(str)
    g["attribution"] = ATTRIBUTION
    return gpd.GeoDataFrame(g, geometry="geometry", crs=units.crs)


def export_gpkg(units: gpd.GeoDataFrame, plan: Plan, path: str | Path) -> Path:
    export_frame(units, plan).to_file(path, layer="scenario", driver="GPKG", engine="pyogrio")
    return Path(path)


def export_geojson(units: gpd.GeoDataFrame, plan: Plan) -> str:
    return export_frame(units, plan).to_crs("EPSG:4326").to_json(drop_id=True)


def read_import(data: bytes, name: str, valid_units: set[str], bands: tuple[str, ...]) -> pd.DataFrame:
    """Assignments (unit_code, zone, band, computed_band, band_source, reason) from an uploaded GeoPackage or
    GeoJSON; every problem raises DataError naming the file, and nothing is returned half-checked."""
    if len(data) > MAX_IMPORT_BYTES:
        raise DataError(f"{name}: {len(data):,} bytes is over the {MAX_IMPORT_BYTES:,}-byte import limit")
    suffix = ".gpkg" if name.lower().endswith(".gpkg") else ".geojson"
    if suffix == ".geojson":
        try:
            json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(f"{name}: not valid GeoJSON ({exc})") from None
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            g = gpd.read_file(tmp.name, engine="pyogrio")
        except Exception as exc:
            raise DataError(f"{name}: cannot read as {suffix[1:]}: {exc}") from None
    problems = []
    for col in ("unit_code", "zone", "band"):
        if col not in g.columns:
            problems.append(f"missing column '{col}'")
    if problems:
        raise DataError(f"{name}: " + "; ".join(problems))
    if g.geometry is not None and len(g) and g.geometry.notna().any():
        check_crs(g[g.geometry.notna()], name)
        invalid = [str(c) for c, v in zip(g["unit_code"], g.geometry.is_valid) if not v]
        if invalid:
            problems.append(f"invalid geometry for unit(s) {', '.join(invalid[:10])}")
    g = pd.DataFrame(g.drop(columns=g.geometry.name) if g.geometry is not None else g)
    for col in ("unit_code", "zone", "band", "reason", "computed_band", "band_source"):
        if col in g.columns:
            vals = g[col].fillna("").astype(str)
            bad = [f"row {i + 1}" for i, v in enumerate(vals) if v.startswith(FORMULA_START)]
            if bad:
                problems.append(f"column {col}: {', '.join(bad[:5])} start(s) like a spreadsheet formula")
    codes = g["unit_code"].astype(str)
    unknown = sorted(set(codes) - set(valid_units))
    if unknown:
        problems.append(f"unknown unit code(s) {', '.join(unknown[:10])}")
    dup = sorted(set(codes[codes.duplicated()]))
    if dup:
        problems.append(f"duplicate unit code(s) {', '.join(dup[:10])}")
    badband = sorted(set(g["band"].astype(str)) - set(bands))
    if badband:
        problems.append(f"unknown band(s) {', '.join(badband)}")
    if problems:
        raise DataError(f"{name}: " + "; ".join(problems) + "; nothing imported")
    out = pd.DataFrame({"unit_code": codes, "zone": g["zone"].astype(str), "band": g["band"].astype(str)})
    for col in ("computed_band", "band_source", "reason"):
        out[col] = g[col].fillna("").astype(str) if col in g.columns else ""
    return out.sort_values("unit_code").reset_index(drop=True)
