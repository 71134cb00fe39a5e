"""Travel minutes between unit centres, the cost the zone suggester minimises (drive or walk).

- Centre of a unit: its representative point (a point inside the polygon), EPSG:27700 metres.
- Drive (``mode="drive"``): routed on the pack's road graphs (``[travel] graphs``) where both centres snap to
  the same graph within ``travel.metrics.SNAP_LIMIT_M`` and lie inside it; every other pair is ESTIMATED
  from straight-line metres x circuity / speed per distance band, measured on a real graph
  (``travel.metrics.fit_estimator``, the estimator the unit metrics use) and flagged.
- Walk (``mode="walk"``): routed on a walk network where the pack names one (``[travel] walk_graphs``,
  OSMnx GeoPackage/GraphML, used undirected); otherwise ESTIMATED from straight-line metres x walking
  circuity per distance band measured on the reference walk graph (``osm/loughborough/walk/graph.gpkg``)
  at ``WALK_SPEED_M_PER_S`` (4.8 km/h, 3 mph: a planning assumption).
- Diagonal (a trip inside one unit): the estimator at the mean distance between two random points of a
  square of the unit's area (0.5214 x side), always flagged estimated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree

from geodata.datadir import DataError, cache_dir, data_path, file_digest

WALK_SPEED_M_PER_S = 4.8 / 3.6  # 4.8 km/h (3 mph), planning assumption
REFERENCE_WALK_GRAPH = "osm/loughborough/walk/graph.gpkg"
SQUARE_MEAN_PAIR_DIST = 0.5214  # mean distance between two uniform random points in a unit square


@dataclass
class TravelCost:
    """Minutes between unit centres (n x n, symmetric not required), which pairs are routed, and how."""

    minutes: np.ndarray
    routed: np.ndarray
    mode: str
    method: str
    info: dict = field(default_factory=dict)

    @property
    def n_routed_pairs(self) -> int:
        r = self.routed.copy()
        np.fill_diagonal(r, False)
        return int(r.sum())

    @property
    def n_pairs(self) -> int:
        n = len(self.minutes)
        return n * (n - 1)


def _walk_arrays(path: Path):
    """A walk network (OSMnx GeoPackage nodes/edges or GraphML) as undirected arrays in EPSG:27700:
    RoadArrays with ``length_m`` and ``time_s`` = length / walking speed, largest connected component."""
    from scipy.sparse.csgraph import connected_components

    from travel.codeversion import code_version
    from travel.graph import RoadArrays

    key = file_digest([path], extra="walk1" + code_version("zones/travel_cost.py", "travel/graph.py", all_travel=False))
    npz = cache_dir("travel") / f"walk-{key}.npz"
    if npz.exists():
        z = np.load(npz, allow_pickle=False)
        m = sp.csr_matrix((z["m_data"], z["indices"], z["indptr"]), shape=(len(z["x"]),) * 2)
        return RoadArrays(z["osmid"], z["x"], z["y"], m / WALK_SPEED_M_PER_S, m, str(path), key, cached=True)
    import geopandas as gpd

    name = path.name.lower()
    try:
        if name.endswith(".gpkg"):
            nodes = gpd.read_file(path, layer="nodes", engine="pyogrio")
            edges = gpd.read_file(
                path, layer="edges", engine="pyogrio", columns=["u", "v", "length"], read_geometry=False
            )
        elif name.endswith(".graphml"):
            import osmnx as ox

            G = ox.load_graphml(path)
            nodes, edges = ox.graph_to_gdfs(G)
            nodes, edges = nodes.reset_index(), edges.reset_index()[["u", "v", "length"]]
        else:
            raise DataError(f"{path}: walk network must be an OSMnx GeoPackage or GraphML")
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"{path}: cannot read walk network: {exc}") from None
    nodes = nodes.to_crs("EPSG:27700")
    pos = {int(o): i for i, o in enumerate(nodes["osmid"])}
    u = np.array([pos.get(int(a), -1) for a in edges["u"]])
    v = np.array([pos.get(int(b), -1) for b in edges["v"]])
    ln = edges["length"].to_numpy(float)
    ok = (u >= 0) & (v >= 0) & np.isfinite(ln)
    n = len(nodes)
    import pandas as pd

    # both directions, the shortest of parallel edges

    df = pd.DataFrame({"u": np.r_[u[ok], v[ok]], "v": np.r_[v[ok], u[ok]], "m": np.r_[ln[ok], ln[ok]]})
    df = df.groupby(["u", "v"], as_index=False)["m"].min()
    m = sp.csr_matrix((df["m"].to_numpy(), (df["u"].to_numpy(), df["v"].to_numpy())), shape=(n, n))
    _, lab = connected_components(m, directed=False)
    keep = np.flatnonzero(lab == np.bincount(lab).argmax())
    m = m[keep][:, keep].tocsr()
    m.sort_indices()
    x = nodes.geometry.x.to_numpy()[keep]
    y = nodes.geometry.y.to_numpy()[keep]
    osmid = nodes["osmid"].to_numpy(np.int64)[keep]
    tmp = npz.with_suffix(".tmp.npz")
    np.savez(tmp, osmid=osmid, x=x, y=y, m_data=m.data, indices=m.indices, indptr=m.indptr)
    tmp.replace(npz)
    return RoadArrays(osmid, x, y, m / WALK_SPEED_M_PER_S, m, str(path), key)


def centres(units) -> np.ndarray:
    """(n, 2) representative points of the units, EPSG:27700 metres."""
    pts = units.geometry.representative_point()
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def _routed(arrays, xy: np.ndarray, minutes: np.ndarray, routed: np.ndarray, snap_limit_m: float) -> None:
    from travel.matrix import travel_times

    taken = np.zeros(len(xy), bool)
    for arr in arrays:
        tree = cKDTree(np.column_stack([arr.x, arr.y]))
        hull = shapely.MultiPoint(np.column_stack([arr.x, arr.y])).convex_hull
        d, nd = tree.query(xy)
        on = (d <= snap_limit_m) & shapely.contains_xy(hull, xy[:, 0], xy[:, 1]) & ~taken
        idx = np.flatnonzero(on)
        if len(idx) < 2:
            continue
        t = travel_times(arr.time_s, nd[idx])[:, nd[idx]] / 60
        ok = np.isfinite(t)
        sub = np.ix_(idx, idx)
        minutes[sub] = np.where(ok, t, minutes[sub])
        routed[sub] = ok
        taken[idx] = True


def unit_travel_minutes(layer, mode: str = "drive", progress=None) -> TravelCost:
    """Travel minutes between the centres of a council's units (see module docstring); cached by inputs."""
    from travel.graph import load_arrays, pack_graph_paths
    from travel.metrics import REFERENCE_GRAPH, SNAP_LIMIT_M, estimate_seconds, fit_estimator, holdout_error

    progress = progress or (lambda s, f: None)
    if mode not in ("drive", "walk"):
        raise DataError(f"travel mode must be drive or walk, not {mode!r}")
    units = layer.units
    pack = layer.pack
    if mode == "drive":
        graphs = pack_graph_paths(pack)
        ref = data_path(REFERENCE_GRAPH, required=False)
    else:
        walk = pack.raw.get("travel", {}).get("walk_graphs", [])
        graphs = [p if Path(p).is_absolute() else data_path(p) for p in walk]
        ref = data_path(REFERENCE_WALK_GRAPH, required=False)
    files = [g for g in graphs if g.exists()] + ([ref] if ref.exists() else [])
    import pandas as pd

    from travel.codeversion import code_version

    key = file_digest(
        files,
        extra="tc3"
        + mode
        + code_version("zones/travel_cost.py")
        + str(pd.util.hash_pandas_object(units[["unit_code", "area_km2"]], index=False).sum()),
    )
    npz = cache_dir("suggest") / f"travel-{pack.id}-{mode}-{key}.npz"
    if npz.exists():
        z = np.load(npz, allow_pickle=False)
        info = json.loads(str(z["info"]))
        return TravelCost(z["minutes"], z["routed"], mode, info["method"], dict(info, cached=True))
    progress(f"{mode} network", 0.1)
    load = load_arrays if mode == "drive" else _walk_arrays
    arrays = [load(g) for g in graphs]
    model_src = arrays[0] if arrays else (load(ref) if ref.exists() else None)
    if model_src is None:
        raise DataError(f"no {mode} network for the estimator: the pack names none and {ref} is missing")
    model = fit_estimator(model_src)
    err = holdout_error(model_src)
    xy = centres(units)
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    minutes = estimate_seconds(model, np.maximum(d, 1.0)) / 60
    routed = np.zeros(d.shape, bool)
    progress(f"routing {mode} between unit centres", 0.5)
    _routed(arrays, xy, minutes, routed, SNAP_LIMIT_M)
    area_m2 = units["area_km2"].to_numpy(float) * 1e6
    inner = estimate_seconds(model, np.maximum(SQUARE_MEAN_PAIR_DIST * np.sqrt(area_m2), 1.0)) / 60
    minutes[np.diag_indices_from(minutes)] = inner
    routed[np.diag_indices_from(routed)] = False
    src = Path(model["source"]).name
    nets = ", ".join(Path(a.source).name for a in arrays)
    method = (
        f"{mode} minutes between unit centres (representative points): "
        + (
            f"routed on {nets} where both centres lie on it, else "
            if nets
            else f"the council supplies no {mode} network, so every pair is "
        )
        + f"ESTIMATED (straight line x circuity / speed per distance band measured on {src}"
        + (f", walking at {WALK_SPEED_M_PER_S * 3.6:.1f} km/h" if mode == "walk" else "")
        + "); a trip inside a unit is ESTIMATED at 0.52 x the side of a square of its area"
    )
    info = {
        "method": method,
        "mode": mode,
        "networks": [a.source for a in arrays],
        "estimator_source": model["source"],
        "estimator": model,
        "estimate_error": err,
        "walk_speed_m_per_s": WALK_SPEED_M_PER_S if mode == "walk" else None,
    }
    tmp = npz.with_suffix(".tmp.npz")
    np.savez(tmp, minutes=minutes, routed=routed, info=json.dumps(info))
    tmp.replace(npz)
    progress(f"{mode} minutes ready", 1.0)
    return TravelCost(minutes, routed, mode, method, dict(info, cached=False))


def consecutive_visit_minutes(layer, zones, mode: str = "walk") -> dict[str, dict]:
    """Per zone: median (and p90) minutes from each client point to the nearest other client point of the same
    zone, i.e. the walk (or drive) between consecutive visits of a round that stays inside the zone.

    Client points are the output-area points of ``travel.metrics.client_points`` (EPSG:27700). Times are
    ESTIMATED from straight-line metres with the mode's estimator (routed networks are not used here)."""
    from travel.graph import load_arrays
    from travel.metrics import REFERENCE_GRAPH, client_points, estimate_seconds, fit_estimator

    pts = client_points(layer)
    zones = np.asarray(zones, dtype=object)
    ref = data_path(REFERENCE_WALK_GRAPH if mode == "walk" else REFERENCE_GRAPH)
    arr = _walk_arrays(ref) if mode == "walk" else load_arrays(ref)
    model = fit_estimator(arr)
    pz = zones[pts["unit_idx"].to_numpy()]
    xy = np.column_stack([pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()])
    out: dict[str, dict[str, float | int | None]] = {}
    for z in dict.fromkeys(zones):
        sel = np.flatnonzero(pz == z)
        if len(sel) < 2:
            out[str(z)] = {"client_points": int(len(sel)), "median_min": None, "p90_min": None}
            continue
        dd, _ = cKDTree(xy[sel]).query(xy[sel], k=2)
        t = estimate_seconds(model, np.maximum(dd[:, 1], 1.0)) / 60
        out[str(z)] = {
            "client_points": int(len(sel)),
            "median_min": round(float(np.median(t)), 2),
            "p90_min": round(float(np.percentile(t, 90)), 2),
        }
    return out
