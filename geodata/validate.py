"""Checks on boundary layers: CRS, codes, empty and invalid geometry, tiling of units.

All areas in m² / km² are measured in EPSG:27700 (British National Grid).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .datadir import DataError

BNG = "EPSG:27700"
# Great Britain in EPSG:27700, with a margin: coordinates outside this box mean a wrong CRS
GB_BOUNDS_M = (-100_000.0, -100_000.0, 800_000.0, 1_300_000.0)


@dataclass
class RepairReport:
    """Geometries that ``make_valid`` changed, per source file: (row, code, reason) tuples."""

    repaired: list[tuple[str, int, str, str]] = field(default_factory=list)

    def as_dicts(self) -> list[dict]:
        return [{"file": f, "row": r, "code": c, "reason": why} for f, r, c, why in self.repaired]


def check_crs(gdf: gpd.GeoDataFrame, path: Path | str) -> gpd.GeoDataFrame:
    """Reproject to EPSG:27700 and check the coordinates fall in Great Britain.

    A layer without a CRS, or whose coordinates do not land in Great Britain once read in its declared CRS,
    raises DataError naming the file (a common cause: projected metres labelled as lon/lat).
    """
    if gdf.crs is None:
        raise DataError(f"{path}: layer has no CRS; expected a GeoJSON in CRS84 or a layer with a declared CRS")
    try:
        out = gdf.to_crs(BNG)
    except Exception as exc:  # pyproj errors on impossible transforms
        raise DataError(f"{path}: cannot reproject from {gdf.crs} to {BNG}: {exc}") from exc
    if len(out):
        b = out.total_bounds
        x0, y0, x1, y1 = GB_BOUNDS_M
        if not np.all(np.isfinite(b)) or b[0] < x0 or b[1] < y0 or b[2] > x1 or b[3] > y1:
            raise DataError(
                f"{path}: coordinates do not fall in Great Britain when read as {gdf.crs} "
                f"(bounds in EPSG:27700: {np.round(b).tolist()}); is the declared CRS wrong?"
            )
    return out


def check_codes(gdf: gpd.GeoDataFrame, code_field: str, path: Path | str, rows: list[int] | None = None) -> None:
    """Every row has a non-empty, unique code and a non-empty geometry; errors list every bad row.

    ``rows`` gives the file's row numbers (1-based) when ``gdf`` is a filtered subset of the file."""
    rows_of = rows if rows is not None else list(range(1, len(gdf) + 1))
    if code_field not in gdf.columns:
        raise DataError(f"{path}: no '{code_field}' column (columns: {', '.join(map(str, gdf.columns))})")
    problems: list[str] = []
    codes = gdf[code_field]
    for i, code in enumerate(codes):
        if code is None or (isinstance(code, float) and np.isnan(code)) or str(code).strip() == "":
            problems.append(f"row {rows_of[i]}: missing {code_field}")
    dup = codes[codes.duplicated(keep=False) & codes.notna()]
    for code in sorted(set(dup.astype(str))):
        hit = [rows_of[i] for i, c in enumerate(codes) if str(c) == code]
        problems.append(f"rows {hit}: duplicate {code_field} '{code}'")
    for i, (code, geom) in enumerate(zip(codes, gdf.geometry)):
        if geom is None or geom.is_empty:
            problems.append(f"row {rows_of[i]}: {code_field} '{code}' has an empty geometry")
    if problems:
        raise DataError(f"{path}: " + "; ".join(problems))


def repair(gdf: gpd.GeoDataFrame, code_field: str, path: Path | str, report: RepairReport) -> gpd.GeoDataFrame:
    """Repair invalid polygons with ``shapely.make_valid`` (keeping polygonal parts) and record what changed."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    valid = shapely.is_valid(geoms)
    if valid.all():
        return gdf
    out = gdf.copy()
    fixed = list(geoms)
    for i in np.flatnonzero(~valid):
        reason = shapely.is_valid_reason(geoms[i])
        g = shapely.make_valid(geoms[i])
        g = polygonal_part(g)
        fixed[i] = g
        row = int(gdf["source_row"].iloc[i]) if "source_row" in gdf.columns else int(i) + 1
        report.repaired.append((str(path), row, str(gdf[code_field].iloc[i]), reason))
    out = out.set_geometry(gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs))
    return out


def polygonal_part(geom):
    """The polygon/multipolygon part of a geometry (drops lines and points left by make_valid or overlay)."""
    if geom is None or geom.is_empty:
        return shapely.MultiPolygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.MultiPolygon()
    return shapely.union_all(parts)


def tiling_report(units: gpd.GeoDataFrame, outline) -> dict:
    """How well units tile an outline: gap and overlap areas in km² (EPSG:27700).

    gap = area of outline not covered by any unit; overlap = sum of unit areas − area of their union.
    """
    union = shapely.union_all(np.asarray(units.geometry.values, dtype=object))
    sum_area = float(units.geometry.area.sum())
    gap = outline.difference(union).area
    overlap = sum_area - union.area
    outside = union.difference(outline).area
    return {
        "area_km2": round(outline.area / 1e6, 3),
        "gap_km2": round(gap / 1e6, 4),
        "overlap_km2": round(max(overlap, 0.0) / 1e6, 4),
        "outside_km2": round(outside / 1e6, 4),
    }
