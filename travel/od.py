"""Drive times and distances between given points (origin-destination pairs), routed where both ends lie on a
road graph, else estimated (``travel.estimator``) and flagged.

Routed: both points snap to a node of the same graph within ``SNAP_LIMIT_M`` and lie inside the graph's area
(convex hull of its nodes); the time is the fastest route between the nodes plus the two snap legs at the
estimator's local speed; the distance is the length of that fastest route (not the shortest route) plus the
snap legs. Everything else is ESTIMATED from the straight-line distance (EPSG:27700) and carries the checked
error of its distance band and urban/rural setting.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geodata.datadir import DataError, data_path

from .estimator import (
    REFERENCE_GRAPH,
    error_band,
    estimate_road_m,
    estimate_seconds,
    pair_setting,
    reference,
    urban_mask,
)
from .graph import RoadArrays, load_arrays, pack_graph_paths
from .matrix import times_to

SNAP_LIMIT_M = 500.0
MAX_PAIRS = 1_000_000  # origins × destinations of one od table (zoneplan travel od)
OUTSIDE_LIMIT_M = 40_000.0


def check_pairs(n_origins: int, n_destinations: int) -> None:
    """Refuse more than ``MAX_PAIRS`` origin × destination pairs (1,000,000: e.g. 1,000 × 1,000), with a
    DataError that says how to split the work. Checked before any road graph is loaded."""
    n = n_origins * n_destinations
    if n > MAX_PAIRS:
        rows = max(1, MAX_PAIRS // max(n_destinations, 1))
        raise DataError(
            f"{n_origins:,} origins × {n_destinations:,} destinations = {n:,} pairs, over the "
            f"{MAX_PAIRS:,}-pair limit: split the origins into files of at most {rows:,} rows"
        )


def routed(arr: RoadArrays, o_nodes: np.ndarray, d_nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fastest-route seconds and that route's metres from each origin node to each destination node
    (``len(o) × len(d)``; inf where unreachable): ``travel.matrix.times_to`` on the unique destinations."""
    ud, dinv = np.unique(np.asarray(d_nodes, dtype=np.int64), return_inverse=True)
    t, m = times_to(arr.time_s, o_nodes, ud, lengths=arr.length_m)
    assert m is not None  # lengths were asked for
    return t[:, dinv], m[:, dinv]


def _coverage(arr: RoadArrays, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tree = cKDTree(np.column_stack([arr.x, arr.y]))
    hull = shapely.MultiPoint(np.column_stack([arr.x, arr.y])).convex_hull.buffer(1.0)  # edge points count as inside
    d, nd = tree.query(xy)
    ok = (d <= SNAP_LIMIT_M) & shapely.contains_xy(hull, xy[:, 0], xy[:, 1])
    return ok, nd, d


def od_pairs(oxy: np.ndarray, dxy: np.ndarray, arrays: list[RoadArrays], ref: dict) -> dict[str, np.ndarray]:
    """All pairs of origins × destinations (EPSG:27700 metres): ``drive_s, distance_m, estimated, straight_m,
    setting, graph`` as flat arrays in origin-major order (pair k = origin k // nd, destination k % nd)."""
    no, nd = len(oxy), len(dxy)
    check_pairs(no, nd)
    model = ref["model"]
    vl = model["local_speed_m_per_s"]
    straight = np.hypot(oxy[:, None, 0] - dxy[None, :, 0], oxy[:, None, 1] - dxy[None, :, 1])
    T = estimate_seconds(model, straight.ravel()).reshape(no, nd)
    M = estimate_road_m(model, straight.ravel()).reshape(no, nd)
    est = np.ones((no, nd), dtype=bool)
    graph = np.full((no, nd), -1)
    for g, arr in enumerate(arrays):
        okd, nd_o, sd_o = _coverage(arr, oxy)
        okt, nd_d, sd_d = _coverage(arr, dxy)
        oi, di = np.flatnonzero(okd), np.flatnonzero(okt)
        if not len(oi) or not len(di):
            continue
        t, m = routed(arr, nd_o[oi], nd_d[di])
        snap_m = sd_o[oi][:, None] + sd_d[di][None, :]
        t = t + snap_m / vl
        m = m + snap_m
        sub_est = est[np.ix_(oi, di)]
        take = sub_est & np.isfinite(t)
        for arrX, val in ((T, t), (M, m)):
            blk = arrX[np.ix_(oi, di)]
            blk[take] = val[take]
            arrX[np.ix_(oi, di)] = blk
        blk = est[np.ix_(oi, di)]
        blk[take] = False
        est[np.ix_(oi, di)] = blk
        blk = graph[np.ix_(oi, di)]
        blk[take] = g
        graph[np.ix_(oi, di)] = blk
    same = straight < 1.0  # the same point: no trip
    T[same], M[same] = 0.0, 0.0
    setting = pair_setting(
        np.repeat(urban_mask(oxy[:, 0], oxy[:, 1]), nd), np.tile(urban_mask(dxy[:, 0], dxy[:, 1]), no)
    )
    return {
        "drive_s": T.ravel(),
        "distance_m": M.ravel(),
        "estimated": est.ravel(),
        "straight_m": straight.ravel(),
        "setting": setting,
        "graph": graph.ravel(),
    }


def road_graphs(pack=None) -> list[RoadArrays]:
    """The council's own road graphs (``[travel] graphs``) then the reference graph, prepared and cached."""
    paths = list(pack_graph_paths(pack)) if pack is not None else []
    ref = data_path(REFERENCE_GRAPH, required=False)
    if ref.exists() and ref not in paths:
        paths.append(ref)
    return [load_arrays(p) for p in paths]


def council_outline(layer):
    """The council's outline (union of its units, EPSG:27700)."""
    return shapely.union_all(np.asarray(layer.units.geometry.values, dtype=object))


def check_within(outline, xy: np.ndarray, role: str, ids=None, limit_m: float = OUTSIDE_LIMIT_M) -> None:
    """Every point within ``limit_m`` of the council outline, else a DataError naming the row."""
    dist = shapely.distance(outline, shapely.points(xy[:, 0], xy[:, 1]))
    bad = np.flatnonzero(dist > limit_m)
    if len(bad):
        raise DataError(
            f"{role}: row {bad[0] + 1}: point {dist[bad[0]] / 1000:.0f} km outside the council, over the "
            f"{limit_m / 1000:.0f} km limit ({len(bad)} such rows)"
        )


def od_table(origins: pd.DataFrame, destinations: pd.DataFrame, arrays: list[RoadArrays], ref: dict) -> pd.DataFrame:
    """The OD table: ``origin_id, destination_id, drive_min, distance_km, estimated`` (+ ``straight_km,
    setting, error_p90_pct, graph``) for all pairs."""
    res = od_pairs(origins[["x", "y"]].to_numpy(float), destinations[["x", "y"]].to_numpy(float), arrays, ref)
    no, nd = len(origins), len(destinations)
    p90 = _p90_lookup(ref["errors"], res["straight_m"], res["setting"])
    names = np.array([Path(a.source).name for a in arrays] + [""], dtype=object)
    return pd.DataFrame(
        {
            "origin_id": np.repeat(origins["id"].to_numpy(), nd),
            "destination_id": np.tile(destinations["id"].to_numpy(), no),
            "drive_min": np.round(res["drive_s"] / 60, 2),
            "distance_km": np.round(res["distance_m"] / 1000, 3),
            "estimated": res["estimated"],
            "straight_km": np.round(res["straight_m"] / 1000, 3),
            "setting": res["setting"],
            "error_p90_pct": np.where(res["estimated"], p90, np.nan),
            "graph": names[res["graph"]],
        }
    )


def _p90_lookup(errors: dict, straight_m: np.ndarray, setting: np.ndarray) -> np.ndarray:
    out = np.full(len(straight_m), np.nan)
    km_edges = sorted({r["from_km"] for r in errors.get("pooled", [])})
    for s in ("urban", "mixed", "rural"):
        for lo in km_edges:
            eb = error_band(errors, lo * 1000 + 1, s)
            if eb["checked"]:
                sel = (setting == s) & (straight_m >= eb["band_km"][0] * 1000) & (straight_m < eb["band_km"][1] * 1000)
                out[sel] = eb["p90_abs_pct"]
    return out


def drive_between(place_a, place_b, pack=None, arrays: list[RoadArrays] | None = None) -> dict:
    """Drive from ``place_a`` to ``place_b``: each a postcode, place name, ``'easting,northing'``, ``'lon,lat'``
    text or a ``travel.places.Place``. Routed on the council's graphs (``pack``) or the reference graph when both
    ends lie on one, else estimated with its checked error band.

    Returns ``from, to`` (labels), ``drive_min, distance_km, straight_km, estimated, setting, error`` (the checked
    error band: median/p90 absolute %, or ``checked: False``), ``range_min`` (drive_min ± p90, estimated only),
    ``method`` (technical) and ``note`` (the same in plain English, for the app)."""
    from .places import Place, resolve

    a = place_a if isinstance(place_a, Place) else resolve(place_a)
    b = place_b if isinstance(place_b, Place) else resolve(place_b)
    ref = reference()
    arrays = road_graphs(pack) if arrays is None else arrays
    res = od_pairs(np.array([[a.x, a.y]]), np.array([[b.x, b.y]]), arrays, ref)
    est = bool(res["estimated"][0])
    drive_min = float(res["drive_s"][0]) / 60
    straight = float(res["straight_m"][0])
    setting = str(res["setting"][0])
    err = error_band(ref["errors"], straight, setting) if est else None
    out = {
        "from": a.label,
        "to": b.label,
        "drive_min": round(drive_min, 1),
        "distance_km": round(float(res["distance_m"][0]) / 1000, 2),
        "straight_km": round(straight / 1000, 2),
        "estimated": est,
        "setting": setting,
        "error": err,
        "range_min": None,
    }
    if est:
        if err and err["checked"]:
            f = err["p90_abs_pct"] / 100
            out["range_min"] = [round(drive_min / (1 + f), 1), round(drive_min / max(1 - f, 0.05), 1)]
            out["method"] = (
                f"ESTIMATED (no road graph covers both ends): straight line {out['straight_km']} km × "
                f"circuity, streets at the fitted local speed, main roads at 50 mph (DfT). Checked on "
                f"{err['n_pairs']:,} held-out routes of {err['band_km'][0]}-{err['band_km'][1]} km "
                f"({err['setting']}): median error {err['median_abs_pct']} %, 90 % of routes within "
                f"{err['p90_abs_pct']} %."
            )
            out["note"] = (
                f"ESTIMATED: no road map covers both places, so the drive is worked out from the "
                f"straight-line distance ({out['straight_km']} km) and typical road speeds. Checked against "
                f"{err['n_pairs']:,} real routes of {err['band_km'][0]}-{err['band_km'][1]} km, such "
                f"estimates are typically {float(err['median_abs_pct']):.0f} % out, and 9 in 10 are within "
                f"{float(err['p90_abs_pct']):.0f} %."
            )
        else:
            out["method"] = (
                "ESTIMATED (no road graph covers both ends); no routed pairs this long were available "
                "to check the estimate: its error is unknown."
            )
            out["note"] = (
                "ESTIMATED: no road map covers both places, and there were no real routes this long to "
                "check the estimate against, so how far out it may be is unknown."
            )
    else:
        g = int(res["graph"][0])
        out["method"] = f"routed on the road graph {Path(arrays[g].source).name} (fastest route at UK speed limits)"
        out["note"] = "Measured along the roads (OpenStreetMap): the fastest route at the speed limits."
    return out


def drive_from_unit(layer, unit_code: str, place) -> dict:
    """Drive from a unit's centre (its representative point, EPSG:27700) to a typed place (see
    ``drive_between``); the unit's label is its name."""
    from .places import Place

    units = layer.units
    hit = units[units["unit_code"] == unit_code]
    if not len(hit):
        raise DataError("unknown unit")
    pt = hit.geometry.iloc[0].representative_point()
    start = Place(f"{hit['unit_name'].iloc[0]} (centre)", float(pt.x), float(pt.y), "unit")
    return drive_between(start, place, pack=layer.pack)


def unit_error_note(row) -> str:
    """One plain-English sentence on how far a unit's travel times can be trusted (a metrics row)."""
    if not bool(row["estimated"]):
        return "Travel times here are measured along the roads (OpenStreetMap)."
    p90 = row.get("estimate_error_p90_pct")
    med = row.get("estimate_error_median_pct")
    if p90 is None or not np.isfinite(float(p90)):
        return (
            "Travel times here are ESTIMATED (no road map covers this area); there were no real routes this long "
            "to check the estimate against."
        )
    return (
        f"Travel times here are ESTIMATED (no road map covers this area). Checked against real routes of the same "
        f"length and kind of area, such estimates are typically {float(med):.0f} % out, and 9 in 10 are within "
        f"{float(p90):.0f} %."
    )
