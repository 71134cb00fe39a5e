"""Geometry for the browser: simplified in EPSG:27700, then sent as EPSG:4326 GeoJSON with rounded coordinates."""

from __future__ import annotations

import geopandas as gpd
import shapely

WEB_CRS = "EPSG:4326"


def to_web(
    gdf: gpd.GeoDataFrame, tolerance_m: float = 25.0, columns: list[str] | None = None, precision_deg: float = 1e-5
) -> gpd.GeoDataFrame:
    """A copy of ``gdf`` for web maps: simplified with ``tolerance_m`` metres (topology preserved, in
    EPSG:27700), reprojected to EPSG:4326 and snapped to a ``precision_deg`` grid (1e-5° ≈ 1 m)."""
    cols = columns if columns is not None else [c for c in gdf.columns if c != gdf.geometry.name]
    out = gdf[cols + [gdf.geometry.name]].copy()
    if out.crs is None or out.crs.to_epsg() != 27700:
        out = out.to_crs("EPSG:27700")
    out = out.set_geometry(out.geometry.simplify(tolerance_m, preserve_topology=True)).to_crs(WEB_CRS)
    out = out.set_geometry(shapely.set_precision(out.geometry.values, precision_deg))
    return out


def to_geojson(gdf: gpd.GeoDataFrame, **kwargs) -> str:
    """GeoJSON text of ``to_web(gdf)`` (EPSG:4326)."""
    return to_web(gdf, **kwargs).to_json(drop_id=True)
