"""Reading boundary and point layers from the data directory into checked EPSG:27700 frames."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from .datadir import DataError
from .limits import cap_message, excerpt
from .validate import RepairReport, check_codes, check_crs, repair


def layer_file(pack, key: str) -> Path:
    """The data file of a required layer of ``pack`` (a ``geodata.packs.Pack``): ``pack.layer_path(key)``, which
    raises DataError naming the pack or the file when it is missing."""
    path = pack.layer_path(key)
    if path is None:  # only with required=False, which this helper does not ask for
        raise DataError(f"pack {pack.path}: no '{key}' layer")
    return path


def read_polygons(
    path: Path, code_field: str, report: RepairReport, name_field: str | None = None, keep=None
) -> gpd.GeoDataFrame:
    """Read one polygon layer, check codes/CRS/empties, repair invalid geometry, return it in EPSG:27700.

    ``keep`` (optional) maps the raw frame to a boolean mask of the rows this council uses; only those rows
    are checked. The result keeps the source columns and adds ``source_file`` and ``source_row`` (1-based
    row number in the file, so messages can point at it).
    """
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:
        raise DataError(f"{path}: cannot read as a vector layer: {exc}") from exc
    if name_field and name_field not in gdf.columns:
        raise DataError(f"{path}: no '{name_field}' column (columns: {', '.join(map(str, gdf.columns))})")
    gdf["source_file"] = str(path)
    gdf["source_row"] = range(1, len(gdf) + 1)
    if keep is not None:
        gdf = gdf[keep(gdf)].reset_index(drop=True)
    check_codes(gdf, code_field, path, rows=gdf["source_row"].tolist())
    gdf = check_crs(gdf, path)
    gdf = repair(gdf, code_field, path, report)
    return gdf


def read_csv(path: Path, required: list[str], dtype=str, **kwargs) -> pd.DataFrame:
    """Read a CSV and check it has the required columns (error names the file and the missing columns)."""
    kwargs.setdefault("encoding", "utf-8-sig")
    try:
        df = pd.read_csv(path, dtype=dtype, keep_default_na=False, **kwargs)
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text; save the file as UTF-8 (with or without BOM)") from None
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except Exception as exc:  # noqa: BLE001 - parser errors name a line, never the content
        raise DataError(cap_message(f"{path}: cannot read CSV: {type(exc).__name__}: {exc}", 300)) from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        has = ", ".join(excerpt(c, 30) for c in df.columns[:20])
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} (has: {has})")
    return df


def read_points_csv(
    path: Path,
    x: str,
    y: str,
    filter_col: str | None = None,
    keep: set[str] | None = None,
    columns: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """Points from a CSV with EPSG:27700 easting/northing columns; rows without coordinates are dropped
    and counted in ``attrs['dropped_no_coords']``."""
    df = read_csv(path, [x, y] + ([filter_col] if filter_col else []) + (columns or []))
    if filter_col and keep is not None:
        df = df[df[filter_col].isin(keep)]
    xs = pd.to_numeric(df[x], errors="coerce")
    ys = pd.to_numeric(df[y], errors="coerce")
    ok = xs.notna() & ys.notna()
    out = gpd.GeoDataFrame(df[ok].copy(), geometry=gpd.points_from_xy(xs[ok], ys[ok]), crs="EPSG:27700")
    out.attrs["dropped_no_coords"] = int((~ok).sum())
    return out
