"""Seed zones of a council from its pack: nearest named town, an explicit ward list, or none.

Distances are straight lines in EPSG:27700 metres between a unit's representative point and the OS Open
Names point of each town (the travel engine can later re-seed by drive time).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .datadir import DataError
from .layers import read_csv
from .names import norm_name
from .packs import Pack

UNZONED = "Unzoned"
_TYPE_RANK = {"City": 0, "Town": 1, "Village": 2, "Suburban Area": 3, "Hamlet": 4, "Other Settlement": 5}


def town_points(pack: Pack) -> pd.DataFrame:
    """One row per (zone, town) of a ``nearest_town`` pack: zone, town, x, y (EPSG:27700 metres).

    A town is matched by exact name in the OS Open Names file, preferring the council's own districts and
    then towns over villages; a name not found raises DataError naming the pack and the town.
    """

    places = read_csv(pack.layer_path("places"), ["name", "easting", "northing", "LAD_code", "local_type"])
    places["key"] = places["name"].map(norm_name)
    places["own"] = (~places["LAD_code"].isin(pack.lad_codes)).astype(int)
    places["rank"] = places["local_type"].map(_TYPE_RANK).fillna(9)
    places = places.sort_values(["own", "rank"])
    rows, missing = [], []
    for z in pack.zones.get("zone", []):
        for town in z.get("towns", []):
            hit = places[places["key"] == norm_name(town)]
            if not len(hit):
                missing.append(f"{z['name']}: '{town}'")
                continue
            rows.append({"zone": z["name"], "town": town, "x": float(hit["easting"].iloc[0]),
                         "y": float(hit["northing"].iloc[0])})
    if missing:
        raise DataError(f"pack {pack.path}: town(s) not found in {pack.layer_path('places')}: {'; '.join(missing)}")
    return pd.DataFrame(rows)


def assign_zones(pack: Pack, units: gpd.GeoDataFrame) -> tuple[pd.Series, str, list[dict]]:
    """Zone of every unit, the note to show beside the zones, and a per-unit log of how it was chosen."""
    method = pack.zones.get("method", "none")
    note = pack.zones.get("note", "")
    if method == "none":
        return pd.Series([UNZONED] * len(units), index=units.index), note, []
    if method == "ward_list":

        of_ward: dict[str, str] = {}
        problems = []
        for z in pack.zones.get("zone", []):
            for w in z.get("wards", []):
                k = norm_name(w)
                if k in of_ward:
                    problems.append(f"ward '{w}' listed in both {of_ward[k]} and {z['name']}")
                of_ward[k] = z["name"]
        names = set(units["ward_name"].map(norm_name))
        problems += [f"ward '{w}' of zone {z} is not in the ward layer" for w, z in of_ward.items() if w not in names]
        unlisted = sorted({n for n in units["ward_name"] if norm_name(n) not in of_ward})
        if unlisted:
            problems.append(f"ward(s) in no zone: {', '.join(unlisted)}")
        if problems:
            raise DataError(f"pack {pack.path}: " + "; ".join(problems))
        zone = units["ward_name"].map(lambda n: of_ward[norm_name(n)])
        log = [{"unit_code": c, "zone": z, "by": "ward list in pack"} for c, z in zip(units["unit_code"], zone)]
        return zone, note, log
    towns = town_points(pack)
    pts = units.geometry.representative_point()
    xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    dist, idx = cKDTree(towns[["x", "y"]].to_numpy()).query(xy)
    zone = pd.Series(towns["zone"].to_numpy()[idx], index=units.index)
    log = [{"unit_code": c, "zone": z, "nearest_town": t, "distance_km": round(float(d) / 1000, 2)}
           for c, z, t, d in zip(units["unit_code"], zone, towns["town"].to_numpy()[idx], dist)]
    return zone, note, log
