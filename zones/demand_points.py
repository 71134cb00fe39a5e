"""Where a unit's care hours are: population-weighted positions for the "minutes from the nearest town" evidence.

A parish's fields can reach far from a town while its people live next to it (Stoughton, Barkby Thorpe and
Bardon sit on the edge of Leicester or Coalville); an area centroid, or the representative point of a large rural
output area, lands in the fields. The positions used here are the **postcode centroids** (ONS NSPD: where the
addresses are), each carrying the demand its LSOA gives it:

  weight of a postcode = (age-weighted population of its LSOA, report para 40 weights) ÷ (postcodes in the LSOA),

which is exactly how ``geodata.demand.estimate_hours`` shares an LSOA's demand between units; within each unit the
weights are scaled to the unit's hours, so a council's own hours file is respected too. A unit with no postcode
(or a pack with no postcode / population layer) falls back to its 2011 output-area client points
(``travel.metrics.client_points``). Cached under ``.cache/bands`` keyed by the input files and the units.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.datadir import DataError, cache_dir, file_digest

VERSION = "1"


def demand_points(layer) -> pd.DataFrame:
    """x, y (EPSG:27700), unit_idx, weight (hours a week; each unit's weights sum to its hours) and source
    ("postcode" or "output area") per point. See the module docstring."""
    from travel.metrics import client_points

    units = layer.units
    n = len(units)
    hours = units["hours_per_week"].to_numpy(float)
    try:
        pc = _postcode_weights(layer)
    except DataError:
        pc = pd.DataFrame({"x": [], "y": [], "unit_idx": np.array([], int), "w": []})
    has = np.bincount(pc["unit_idx"].to_numpy(int), minlength=n) > 0
    wsum = np.bincount(pc["unit_idx"].to_numpy(int), weights=pc["w"].to_numpy(float), minlength=n)
    ui = pc["unit_idx"].to_numpy(int)
    w = np.where(wsum[ui] > 0, pc["w"].to_numpy(float) / np.where(wsum[ui] > 0, wsum[ui], 1), 0.0) * hours[ui]
    out = pd.DataFrame(
        {"x": pc["x"].to_numpy(float), "y": pc["y"].to_numpy(float), "unit_idx": ui, "weight": w, "source": "postcode"}
    )
    if not has.all():
        cp = client_points(layer)
        cp = cp[~has[cp["unit_idx"].to_numpy()]]
        out = pd.concat(
            [
                out,
                pd.DataFrame(
                    {
                        "x": cp.geometry.x.to_numpy(),
                        "y": cp.geometry.y.to_numpy(),
                        "unit_idx": cp["unit_idx"].to_numpy(int),
                        "weight": cp["weight"].to_numpy(float),
                        "source": "output area",
                    }
                ),
            ],
            ignore_index=True,
        )
    return out


def _postcode_weights(layer) -> pd.DataFrame:
    """Postcode points of the council inside a unit, with their LSOA's age-weighted demand share (cached)."""
    from geodata.demand import lsoa_weights
    from geodata.layers import read_points_csv, read_polygons
    from geodata.validate import RepairReport

    pack, units = layer.pack, layer.units
    if "postcodes" not in pack.layers or "lsoa" not in pack.layers:
        raise DataError(f"pack {pack.path}: no postcodes / lsoa layer")
    pc_path = pack.layer_path("postcodes")
    lsoa_paths = list(pack.layer_paths("lsoa"))
    pop_path = pack.layer_path("population", required=False) if "population" in pack.layers else None
    files = [pc_path, *lsoa_paths] + ([pop_path] if pop_path is not None and pop_path.exists() else [])
    key = file_digest(
        files,
        extra=VERSION
        + ",".join(pack.lad_codes)
        + str(pd.util.hash_pandas_object(units[["unit_code"]], index=False).sum())
        + str(round(float(units.geometry.area.sum()), 1)),
    )
    path = cache_dir("bands") / f"demand-points-{pack.id}-{key}.csv"
    if path.exists():
        return pd.read_csv(path)
    rep = RepairReport()
    lsoa = pd.concat([read_polygons(p, "LSOA11CD", rep) for p in lsoa_paths], ignore_index=True)
    lsoa = gpd.GeoDataFrame(lsoa[["LSOA11CD", "geometry"]], geometry="geometry", crs=units.crs)
    pc = read_points_csv(pc_path, "east1m", "north1m", filter_col="lad25cd", keep=set(pack.lad_codes))
    u = units[["geometry"]].reset_index(drop=True).assign(unit_idx=np.arange(len(units)))
    pc = gpd.sjoin(pc[["geometry"]], lsoa, predicate="within", how="inner").drop(columns="index_right")
    pc = gpd.sjoin(pc, u, predicate="within", how="inner")
    pc = pc[~pc.index.duplicated()]
    n_in_lsoa = pc.groupby("LSOA11CD")["LSOA11CD"].transform("size").to_numpy(float)
    try:
        lw = lsoa_weights(pack).set_index("LSOA11CD")["weight"]
        w = pc["LSOA11CD"].map(lw).fillna(0.0).to_numpy(float) / n_in_lsoa
    except DataError:  # no population layer: every postcode counts the same
        w = np.ones(len(pc))
    out = pd.DataFrame(
        {"x": pc.geometry.x.to_numpy(), "y": pc.geometry.y.to_numpy(), "unit_idx": pc["unit_idx"].to_numpy(int), "w": w}
    )
    tmp = path.with_suffix(".tmp")
    out.to_csv(tmp, index=False)
    tmp.replace(path)
    return out
