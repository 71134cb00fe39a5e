"""Seed zones of a council from its pack (nearest named town, an explicit ward list, or none) and its town hubs
(``[hubs]``: built-up areas above a population threshold, where care workers start from).

Distances are straight lines in EPSG:27700 metres between a unit's representative point and the OS Open
Names point of each town (the travel engine can later re-seed by drive time).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .datadir import DataError
from .layers import layer_file, read_csv
from .names import norm_name
from .packs import Pack

UNZONED = "Unzoned"
_TYPE_RANK = {"City": 0, "Town": 1, "Village": 2, "Suburban Area": 3, "Hamlet": 4, "Other Settlement": 5}


def town_points(pack: Pack) -> pd.DataFrame:
    """One row per (zone, town) of a ``nearest_town`` pack: zone, town, x, y (EPSG:27700 metres).

    A town is matched by exact name in the OS Open Names file, preferring the council's own districts and
    then towns over villages; a name not found raises DataError naming the pack and the town.
    """

    places = read_csv(layer_file(pack, "places"), ["name", "easting", "northing", "LAD_code", "local_type"])
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
            rows.append(
                {
                    "zone": z["name"],
                    "town": town,
                    "x": float(hit["easting"].iloc[0]),
                    "y": float(hit["northing"].iloc[0]),
                }
            )
    if missing:
        raise DataError(f"pack {pack.path}: town(s) not found in {pack.layer_path('places')}: {'; '.join(missing)}")
    return pd.DataFrame(rows)


def _field_zones(pack: Pack, units: gpd.GeoDataFrame) -> tuple[pd.Series, list[dict]]:
    """Zones of a ``field`` pack: zone = a unit column (``[zones] field``: lad_code, ward_code), named by
    ``[zones] names`` (code -> name; a code without a name is its own name)."""
    col = pack.zones.get("field", "lad_code")
    if col not in units.columns:
        raise DataError(f"pack {pack.path}: [zones] field '{col}' is not a unit column")
    names = {str(k): str(v) for k, v in pack.zones.get("names", {}).items()}
    zone = units[col].astype(str).map(lambda c: names.get(c, c))
    return zone, [{"unit_code": c, "zone": z, "by": f"unit column {col}"} for c, z in zip(units["unit_code"], zone)]


def assign_zones(pack: Pack, units: gpd.GeoDataFrame) -> tuple[pd.Series, str, list[dict]]:
    """Zone of every unit, the note to show beside the zones, and a per-unit log of how it was chosen."""
    method = pack.zones.get("method", "none")
    note = pack.zones.get("note", "")
    if method == "none":
        return pd.Series([UNZONED] * len(units), index=units.index), note, []
    if method == "field":
        zone, log = _field_zones(pack, units)
        return zone, note, log
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
    log = [
        {"unit_code": c, "zone": z, "nearest_town": t, "distance_km": round(float(d) / 1000, 2)}
        for c, z, t, d in zip(units["unit_code"], zone, towns["town"].to_numpy()[idx], dist)
    ]
    return zone, note, log


# ---------------------------------------------------------------- town hubs (where care workers start from)

HUB_DEFAULT_MIN_POPULATION = 5000
HUB_DEFAULT_DENSITY_PER_KM2 = 4000.0


def hub_points(pack: Pack) -> pd.DataFrame:
    """Town hubs of a council from its ``[hubs]`` section: name, x, y (EPSG:27700 metres), population,
    radius_m (the town's built-up extent approximated by a disc) and source.

    Two sources, both optional, combined:
    - ``towns``: a [layers] key of a towns file with name, easting, northing, population (Census 2021
      built-up-area residents; e.g. ``places/towns_within_40km_targetLAs.csv``, which includes towns across
      the council border); rows with ``population >= min_population`` are hubs (default 5,000: the ONS
      lower bound of a "Small" built-up area; smaller places are villages, not hubs);
    - ``places``: a list of place names looked up in the pack's OS Open Names ``places`` layer (for areas
      without populations, e.g. London's town centres); their population is unknown, radius 0;
    - ``populations``: name -> residents for towns-file rows with a blank population (e.g. London).
    ``radius_m = sqrt(population / (π × density_per_km2)) × 1000`` with ``density_per_km2`` (default 4,000
    residents per km²) so that "distance from a town" is measured from the town's edge, not its centre point
    (a ward 5 km from Coventry's centre is still in the city). A name not found raises DataError.
    """
    cfg = pack.raw.get("hubs")
    if not cfg:
        raise DataError(f"pack {pack.path}: no [hubs] section (towns = <layer key>, min_population, or places = [...])")
    min_pop = float(cfg.get("min_population", HUB_DEFAULT_MIN_POPULATION))
    density = float(cfg.get("density_per_km2", HUB_DEFAULT_DENSITY_PER_KM2))
    if not (0 <= min_pop <= 10_000_000) or not (100 <= density <= 50_000):
        raise DataError(f"pack {pack.path}: [hubs] min_population {min_pop} or density_per_km2 {density} out of range")
    frames = []
    if cfg.get("towns"):
        path = layer_file(pack, cfg["towns"])
        t = read_csv(path, ["name", "easting", "northing", "population"])
        pop = pd.to_numeric(t["population"], errors="coerce")
        for name, value in cfg.get("populations", {}).items():  # stated in the pack where the file has none
            pop = pop.where(~((t["name"].map(norm_name) == norm_name(name)) & pop.isna()), float(value))
        x, y = pd.to_numeric(t["easting"], errors="coerce"), pd.to_numeric(t["northing"], errors="coerce")
        keep = (pop >= min_pop) & x.notna() & y.notna()
        frames.append(
            pd.DataFrame(
                {
                    "name": t["name"][keep],
                    "x": x[keep],
                    "y": y[keep],
                    "population": pop[keep],
                    "source": f"{path.name}: built-up area of {int(min_pop):,}+ residents (Census 2021)",
                }
            )
        )
    if cfg.get("places"):
        places = read_csv(layer_file(pack, "places"), ["name", "easting", "northing", "LAD_code"])
        places["key"] = places["name"].map(norm_name)
        places["own"] = (~places["LAD_code"].isin(pack.lad_codes)).astype(int)
        places = places.sort_values("own")
        rows, missing = [], []
        for name in cfg["places"]:
            hit = places[places["key"] == norm_name(name)]
            if not len(hit):
                missing.append(name)
                continue
            rows.append(
                {
                    "name": name,
                    "x": float(hit["easting"].iloc[0]),
                    "y": float(hit["northing"].iloc[0]),
                    "population": np.nan,
                    "source": "OS Open Names place named in the pack's [hubs] places",
                }
            )
        if missing:
            raise DataError(
                f"pack {pack.path}: [hubs] places not found in {pack.layer_path('places')}: {', '.join(missing)}"
            )
        frames.append(pd.DataFrame(rows))
    hubs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not len(hubs):
        raise DataError(f"pack {pack.path}: [hubs] gives no hub (no town of {int(min_pop):,}+ residents, no places)")
    hubs["x"], hubs["y"] = hubs["x"].astype(float), hubs["y"].astype(float)
    hubs["radius_m"] = np.sqrt(hubs["population"].fillna(0).to_numpy(float) / (np.pi * density)) * 1000.0
    return hubs.reset_index(drop=True)


def nearest_hub_edge_m(hubs: pd.DataFrame, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For points (EPSG:27700 metres): straight-line metres to the nearest hub's edge (0 inside a hub's disc)
    and the index of that hub in ``hubs``. Exact over all hubs (chunked, no approximation)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    hx, hy, hr = (hubs[c].to_numpy(float) for c in ("x", "y", "radius_m"))
    best = np.full(len(x), np.inf)
    idx = np.zeros(len(x), dtype=np.int64)
    for s in range(0, len(x), 2048):
        d = np.hypot(x[s : s + 2048, None] - hx[None, :], y[s : s + 2048, None] - hy[None, :]) - hr[None, :]
        d = np.maximum(d, 0.0)
        # ties inside several discs: the largest town wins (it is where most workers start)
        d_rank = d - 1e-6 * hr[None, :]
        j = np.argmin(d_rank, axis=1)
        idx[s : s + 2048] = j
        best[s : s + 2048] = d[np.arange(len(j)), j]
    return best, idx
