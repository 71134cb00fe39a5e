"""Per-unit travel evidence: where clients are, drive times between visits and from town hubs.

Definitions (minutes by car; distances in EPSG:27700 metres):
- client points: the representative points of the 2011 output areas (OAs) whose point lies in the unit
  (OAs hold roughly equal populations by design, so each carries an equal share of the unit's hours); a unit
  with no OA point gets its own representative point. A pack may name other small areas (``[travel]
  client_layer`` / ``client_code_field``, e.g. a generated pack's LSOAs 2021) and a field sharing the unit's hours
  between them (``client_weight_field``: their age-weighted demand) instead of equal shares;
- ``visit_to_visit_min``: for each client point, the mean drive time to its K=3 nearest other client
  points (of the unit and its neighbouring units), averaged over the unit's points weighted by demand —
  the typical drive between consecutive visits of a care round;
- ``town_min``: demand-weighted mean drive time from the nearest town hub (the towns of the council's zones,
  or its towns and city centres, or ``[travel] hubs`` in the pack) to the unit's client points;
- ``circuity``: road metres / straight-line metres over the same visit-to-visit pairs;
- ``hours_per_km2``: hours per week / area; ``clients_per_km2``: hours / (council hours per client) / area.

Road data: a unit rests on a real road graph when all its client points and its nearest hub snap to a node of
a graph within ``SNAP_LIMIT_M`` and lie inside the graph's area. Otherwise its values are ESTIMATED from
straight-line distances with the access + main-road model of ``travel.estimator`` (fitted on a real graph: the
council's own, or the reference Loughborough graph), and flagged ``estimated``. The estimate's error is
checked on held-out routes (the graph's eastern half when fitted on its western half, and the Rutland extract)
per distance band and urban/rural setting; ``estimate_error_p90_pct`` gives each unit the checked p90 error of
trips like its town trip.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geodata import zoning
from geodata.datadir import DataError, cache_dir, data_path, file_digest
from geodata.layers import layer_file, read_csv
from geodata.units import UnitLayer
from geodata.validate import RepairReport

from .codeversion import code_version
from .estimator import (  # noqa: F401  (re-exported)
    DIST_BANDS_M,
    REFERENCE_GRAPH,
    check,
    error_band,
    estimate_road_m,
    estimate_seconds,
    evaluate,
    fit_estimator,
    pair_setting,
    reference,
    urban_mask,
)
from .graph import RoadArrays, load_arrays, pack_graph_paths
from .matrix import (
    nearest_source_times,
    times_to,
    travel_times,  # noqa: F401  (re-exported)
)

METRICS_VERSION = "5"
# modules outside travel/ whose code shapes the metrics (client points, hubs, place names); travel/*.py are always in
METRICS_CODE = ("geodata/layers.py", "geodata/names.py", "geodata/units.py", "geodata/validate.py", "geodata/zoning.py")
K_NEAREST = 3
SNAP_LIMIT_M = 500.0


# ---------------------------------------------------------------- client points and hubs


def client_points(layer: UnitLayer) -> gpd.GeoDataFrame:
    """Client points (EPSG:27700) with unit_idx and weight (hours per week); see module docstring."""
    from geodata.layers import read_polygons

    units = layer.units
    rep = RepairReport()
    tcfg = layer.pack.raw.get("travel", {})  # a pack without OAs names its own small areas (LSOA 2021)
    key, code = tcfg.get("client_layer", "oa"), tcfg.get("client_code_field", "OA11CD")
    try:
        oas = pd.concat([read_polygons(p, code, rep) for p in layer.pack.layer_paths(key)], ignore_index=True)
        pts = gpd.GeoDataFrame({"OA11CD": oas[code]}, geometry=oas.geometry.representative_point(), crs=units.crs)
    except DataError:
        oas = None
        pts = gpd.GeoDataFrame({"OA11CD": []}, geometry=[], crs=units.crs)
    u = units[["geometry"]].assign(unit_idx=np.arange(len(units)))
    pts = gpd.sjoin(pts, u, predicate="within", how="inner").drop(columns="index_right")
    missing = sorted(set(range(len(units))) - set(pts["unit_idx"]))
    if missing:
        extra = gpd.GeoDataFrame(
            {"OA11CD": ["" for _ in missing], "unit_idx": missing},
            geometry=units.geometry.iloc[missing].representative_point().values,
            crs=units.crs,
        )
        pts = pd.concat([pts, extra], ignore_index=True)
    n = pts.groupby("unit_idx")["unit_idx"].transform("size")
    pts["weight"] = units["hours_per_week"].to_numpy()[pts["unit_idx"]] / n
    wf = tcfg.get("client_weight_field")  # the unit's hours shared by the areas' demand weight (generated packs)
    if wf and oas is not None and wf in oas.columns and len(pts):
        w = pd.to_numeric(pts["OA11CD"].map(dict(zip(oas[code], oas[wf]))), errors="coerce").fillna(0.0)
        tot = w.groupby(pts["unit_idx"]).transform("sum")
        share = np.where(tot > 0, w / tot.where(tot > 0, 1.0), 1.0 / n)
        pts["weight"] = units["hours_per_week"].to_numpy()[pts["unit_idx"]] * share
    return gpd.GeoDataFrame(pts.reset_index(drop=True), geometry="geometry", crs=units.crs)


def hub_points(layer: UnitLayer) -> pd.DataFrame:
    """Town hubs where care workers are based: name, x, y (EPSG:27700)."""
    pack = layer.pack
    if pack.raw.get("hubs"):  # towns from data (geodata.zoning.hub_points: built-up areas of 5,000+ residents)
        return zoning.hub_points(pack)[["name", "x", "y"]]
    cfg = pack.raw.get("travel", {})
    if cfg.get("hubs"):
        from geodata.names import norm_name

        places = read_csv(layer_file(pack, "places"), ["name", "easting", "northing"])
        places["key"] = places["name"].map(norm_name)
        rows, missing = [], []
        for h in cfg["hubs"]:
            hit = places[places["key"] == norm_name(h)]
            if len(hit):
                rows.append({"name": h, "x": float(hit["easting"].iloc[0]), "y": float(hit["northing"].iloc[0])})
            else:
                missing.append(h)
        if missing:
            raise DataError(f"pack {pack.path}: [travel] hubs not found in places: {', '.join(missing)}")
        return pd.DataFrame(rows)
    if pack.zones.get("method") == "nearest_town":
        t = zoning.town_points(pack)
        return t.rename(columns={"town": "name"})[["name", "x", "y"]].drop_duplicates("name")
    places = read_csv(layer_file(pack, "places"), ["name", "easting", "northing", "LAD_code", "local_type"])
    own = places[places["LAD_code"].isin(pack.lad_codes)]
    for types in (("City", "Town"), ("Suburban Area",)):
        sel = own[own["local_type"].isin(types)]
        if len(sel):
            return pd.DataFrame(
                {"name": sel["name"], "x": sel["easting"].astype(float), "y": sel["northing"].astype(float)}
            )
    raise DataError(f"pack {pack.path}: no town hubs: set [travel] hubs = [...]")


# ---------------------------------------------------------------- estimation model (travel/estimator.py)


def holdout_error(arr: RoadArrays, n_origins: int = 150) -> dict:
    """Fit the estimator on the graph's western half, predict the eastern half's routes; percent errors."""
    west = arr.x < np.median(arr.x)
    model = fit_estimator(arr, n_origins, seed=1, mask=west)
    rows, summ = check(model, arr, "east half", n_origins=n_origins, origin_mask=~west, dest_mask=~west)
    return {
        "pairs": summ["pairs"],
        "median_abs_pct": summ["median_abs_pct"],
        "mean_pct": summ["mean_pct"],
        "p90_abs_pct": summ["p90_abs_pct"],
        "method": "estimator fitted on the western half of the graph, compared with real routes in the eastern half",
    }


# ---------------------------------------------------------------- metrics


def _neighbours(units: gpd.GeoDataFrame) -> list[np.ndarray]:
    geoms = np.asarray(units.geometry.values, dtype=object)
    tree = shapely.STRtree(geoms)
    pairs = tree.query(geoms, predicate="intersects")
    out: list[list[int]] = [[] for _ in range(len(units))]
    for a, b in zip(*pairs, strict=True):
        if a != b:
            out[a].append(b)
    return [np.array(sorted(set(x)), dtype=np.int64) for x in out]


def unit_metrics(layer: UnitLayer, progress=None, rebuild: bool = False) -> pd.DataFrame:
    """Travel metrics per unit (one row per unit_code, in layer order); see module doc.

    Cached under ``$ZONEPLAN_CACHE/travel`` by the input files (graphs, reference graph, pack), the units'
    codes/hours/areas and ``code_version(*METRICS_CODE)`` (the source of travel/*.py and the geodata modules
    used), so data or code changes give a rebuild."""
    progress = progress or (lambda s, f: None)
    pack = layer.pack
    graphs = pack_graph_paths(pack)
    ref = data_path(REFERENCE_GRAPH, required=False)
    files = graphs + ([ref] if ref.exists() else []) + [pack.path]
    key = file_digest(
        files,
        extra=METRICS_VERSION
        + code_version(*METRICS_CODE)
        + str(pd.util.hash_pandas_object(layer.units[["unit_code", "hours_per_week", "area_km2"]], index=False).sum()),
    )
    out_csv = cache_dir("travel") / f"metrics-{pack.id}-{key}.csv"
    meta_json = out_csv.with_suffix(".json")
    if out_csv.exists() and meta_json.exists() and not rebuild:
        df = pd.read_csv(out_csv, dtype={"unit_code": str}, keep_default_na=False)
        df.attrs.update(json.loads(meta_json.read_text()))
        df.attrs["cached"] = True
        return df
    t0 = time.perf_counter()
    df, meta = _compute(layer, graphs, ref if ref.exists() else None, progress)
    meta["build_s"] = round(time.perf_counter() - t0, 2)
    tmp = out_csv.with_suffix(".tmp")
    df.to_csv(tmp, index=False)
    meta_json.write_text(json.dumps(meta))
    tmp.replace(out_csv)
    df.attrs.update(meta)
    df.attrs["cached"] = False
    return df


def _compute(layer: UnitLayer, graphs: list[Path], ref: Path | None, progress) -> tuple[pd.DataFrame, dict]:
    units = layer.units
    progress("client points", 0.05)
    pts = client_points(layer)
    hubs = hub_points(layer)
    nbrs = _neighbours(units)
    progress("road graphs", 0.2)
    arrays = [load_arrays(p) for p in graphs]
    model_src = arrays[0] if arrays else (load_arrays(ref) if ref is not None else None)
    if model_src is None:
        raise DataError(
            f"no road graph: the pack names no [travel] graphs and the reference graph {REFERENCE_GRAPH} "
            "is not in the data directory, so travel times can be neither computed nor estimated"
        )
    if arrays and not (ref is not None and Path(arrays[0].source) == Path(ref)):
        # the council's own graph: fit and check on it (and on the check graphs)
        from .estimator import CHECK_GRAPHS

        model = fit_estimator(model_src)
        checks = [load_arrays(p) for p in (data_path(c, required=False) for c in CHECK_GRAPHS) if p.exists()]
        errors = evaluate(model_src, checks)
    else:
        ref_fit = reference()
        model, errors = ref_fit["model"], ref_fit["errors"]
    err = holdout_error(model_src)
    pxy = np.column_stack([pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()])
    df = compute_core(
        units,
        pxy,
        pts["weight"].to_numpy(float),
        pts["unit_idx"].to_numpy(),
        hubs,
        nbrs,
        arrays,
        model,
        errors,
        _hours_per_client(layer),
        progress,
    )
    df["method"] = _client_method(layer.pack, df["method"])
    real = df[df["road_data"]]
    if len(real):
        unit_err = {
            "n_units": int(len(real)),
            "visit_to_visit_median_abs_pct": _median_abs_pct(
                real["visit_to_visit_min_estimate"], real["visit_to_visit_min"]
            ),
            "town_median_abs_pct": _median_abs_pct(real["town_min_estimate"], real["town_min"]),
        }
    else:
        unit_err = {"n_units": 0}
    err = dict(
        err,
        units_with_both=unit_err,
        by_band=errors["by_band"],
        checks=errors["summary"],
        pooled=errors["pooled"],
        growth_with_distance="see by_band: median and p90 absolute percent error per straight-line distance "
        "band (km) and setting, on routes not used in the fit",
    )
    meta = {
        "graphs": [a.source for a in arrays],
        "graph_nodes": int(sum(a.n_nodes for a in arrays)),
        "graph_edges": int(sum(a.n_edges for a in arrays)),
        "estimator": model,
        "estimate_error": err,
        "n_hubs": int(len(hubs)),
        "snap_limit_m": SNAP_LIMIT_M,
        "k_nearest": K_NEAREST,
        "reference_graph": model_src.source,
    }
    progress("done", 1.0)
    return df, meta


def _median_abs_pct(estimate: pd.Series, real: pd.Series) -> float:
    """Median absolute error of ``estimate`` against ``real`` (same units), in percent to one decimal."""
    return round(float(np.median(np.abs(estimate / real - 1) * 100)), 1)


def _client_method(pack, method: pd.Series) -> pd.Series:
    """The method text names the pack's own client areas (``[travel] client_layer``) instead of output areas."""
    client_layer = pack.raw.get("travel", {}).get("client_layer")
    if not client_layer:
        return method
    return method.str.replace("output-area points", f"'{client_layer}' area points", regex=False)


def visit_cutoff_s(model: dict, kth_m: float) -> float:
    """Dijkstra cut-off (s) for a unit whose farthest K-th nearest candidate is ``kth_m`` metres away in a
    straight line: 2.5 × its estimated drive time, at least 5 minutes."""
    return max(300.0, 2.5 * float(estimate_seconds(model, [kth_m])[0]))


def compute_core(
    units: pd.DataFrame,
    pxy: np.ndarray,
    w: np.ndarray,
    pu: np.ndarray,
    hubs: pd.DataFrame,
    nbrs: list[np.ndarray],
    arrays: list[RoadArrays],
    model: dict,
    errors: dict,
    hours_per_client: float,
    progress=None,
) -> pd.DataFrame:
    """Per-unit metrics from arrays: ``units`` (unit_code, hours_per_week, area_km2; row i = unit i), client
    points ``pxy`` (EPSG:27700) with weights ``w`` and unit index ``pu``, ``hubs`` (name, x, y), neighbour lists,
    prepared road graphs, the estimator ``model`` and its checked ``errors``. See the module doc.

    Engine: for a unit on a graph, one Dijkstra per client point (``travel.matrix.times_to``, the unit's points
    in one call; pruned to what can lie on a route to a candidate within the cut-off), cut off at
    ``visit_cutoff_s``, only the candidate columns; a unit whose K nearest are not all within the cut-off is
    recomputed with 4× the cut-off, then with none (results stay exact)."""
    progress = progress or (lambda s, f: None)
    core = _Core(units, pxy, w, pu, hubs, nbrs, arrays, model, errors, hours_per_client)
    progress("drive times", 0.4)
    core.hub_times()
    progress("per-unit metrics", 0.7)
    return pd.DataFrame([core.row(i) for i in range(len(units))])


class _Coverage:
    """Which prepared graph (index, -1 for none) covers each client point and hub, the node it snaps to and the
    snap distance (m): within ``SNAP_LIMIT_M`` of a node and inside the graph's node hull; first graph wins."""

    def __init__(self, arrays: list[RoadArrays], pxy: np.ndarray, hxy: np.ndarray) -> None:
        self.cover = np.full(len(pxy), -1)
        self.node_of = np.full(len(pxy), -1)
        self.snap_m = np.full(len(pxy), np.nan)
        self.hub_cover = np.full(len(hxy), -1)
        self.hub_node = np.full(len(hxy), -1)
        for g, arr in enumerate(arrays):
            tree = cKDTree(np.column_stack([arr.x, arr.y]))
            hull = shapely.MultiPoint(np.column_stack([arr.x, arr.y])).convex_hull.buffer(1.0)  # edge points inside
            d, nd = tree.query(pxy)
            inside = shapely.contains_xy(hull, pxy[:, 0], pxy[:, 1])
            take = (self.cover < 0) & (d <= SNAP_LIMIT_M) & inside
            self.cover[take], self.node_of[take], self.snap_m[take] = g, nd[take], d[take]
            dh, ndh = tree.query(hxy)
            inh = shapely.contains_xy(hull, hxy[:, 0], hxy[:, 1]) & (dh <= SNAP_LIMIT_M) & (self.hub_cover < 0)
            self.hub_cover[inh], self.hub_node[inh] = g, ndh[inh]


class _Core:
    """The inputs of ``compute_core`` with what every unit's row needs: coverage, hub tree, urban flags, and the
    drive seconds from the nearest hub to every node of each graph (``hub_times``)."""

    def __init__(
        self,
        units: pd.DataFrame,
        pxy: np.ndarray,
        w: np.ndarray,
        pu: np.ndarray,
        hubs: pd.DataFrame,
        nbrs: list[np.ndarray],
        arrays: list[RoadArrays],
        model: dict,
        errors: dict,
        hours_per_client: float,
    ) -> None:
        self.pxy, self.w, self.hubs, self.nbrs, self.arrays = pxy, w, hubs, nbrs, arrays
        self.model, self.errors, self.hours_per_client = model, errors, hours_per_client
        hxy = hubs[["x", "y"]].to_numpy(float)
        self.hub_tree = cKDTree(hxy)
        self.pts_of = [np.flatnonzero(pu == i) for i in range(len(units))]
        self.urban_of = urban_mask(pxy[:, 0], pxy[:, 1])
        self.hub_urban = urban_mask(hxy[:, 0], hxy[:, 1])
        self.areas = units["area_km2"].to_numpy(float)
        self.hours_all = units["hours_per_week"].to_numpy(float)
        self.codes = units["unit_code"].to_numpy()
        self.cov = _Coverage(arrays, pxy, hxy)
        self.hub_t: dict[int, np.ndarray] = {}

    def hub_times(self) -> None:
        """Nearest hub to every node: one multi-source Dijkstra per graph with hubs on it."""
        for g, arr in enumerate(self.arrays):
            hn = self.cov.hub_node[self.cov.hub_cover == g]
            if len(hn):
                self.hub_t[g] = nearest_source_times(arr.time_s, np.unique(hn))[0]

    def row(self, i: int) -> dict:
        """The metrics row of unit ``i`` (see the module doc for the columns)."""
        P = self.pts_of[i]
        cand_all = np.concatenate([P] + [self.pts_of[j] for j in self.nbrs[i]])
        cand = cand_all
        wi = self.w[P] if self.w[P].sum() > 0 else np.ones(len(P))
        gs = set(self.cov.cover[P].tolist())
        own_real = len(P) > 0 and len(gs) == 1 and min(gs) >= 0
        g = int(self.cov.cover[P[0]]) if own_real else -1
        if own_real:  # neighbours' client points on the same graph join the candidates
            cand = cand_all[self.cov.cover[cand_all] == g]
        est_visit = _estimated_visit(self.model, self.pxy, P, cand_all, wi, float(self.areas[i]))
        dh, hi = self.hub_tree.query(self.pxy[P])
        hub_i = int(np.bincount(hi).argmax())
        est_town = float(np.average(estimate_seconds(self.model, np.maximum(dh, 1.0)), weights=wi)) / 60
        urban = self.urban_of[P].mean() >= 0.5
        eb = error_band(self.errors, float(np.median(dh)), str(pair_setting(urban, self.hub_urban[hub_i])))
        visit, circuity, real_visit, visit_how = self._visit(
            P, cand, cand_all, g, wi, est_visit, own_real and len(cand) > 1
        )
        town, real_town, town_how = self._town(P, g, wi, est_town, eb, own_real)
        hub_name = self.hubs["name"].iloc[hub_i]
        area, hours = float(self.areas[i]), float(self.hours_all[i])
        snap = self.cov.snap_m[P]
        return {
            "unit_code": self.codes[i],
            "visit_to_visit_min": round(visit, 2),
            "town_min": round(town, 2),
            "nearest_hub": hub_name,
            "hours_per_km2": round(hours / area, 2) if area else 0.0,
            "clients_per_km2": round(hours / self.hours_per_client / area, 3) if area else 0.0,
            "circuity": round(circuity, 3) if np.isfinite(circuity) else np.nan,
            "n_client_points": int(len(P)),
            "max_snap_m": round(float(np.nanmax(snap)), 1) if np.isfinite(snap).any() else np.nan,
            "visit_to_visit_min_estimate": round(est_visit, 2),
            "town_min_estimate": round(est_town, 2),
            "road_data": bool(real_visit and real_town),
            "estimate_error_p90_pct": eb["p90_abs_pct"] if eb["checked"] else np.nan,
            "estimate_error_median_pct": eb["median_abs_pct"] if eb["checked"] else np.nan,
            "setting": "urban" if urban else "rural",
            "estimated": not (real_visit and real_town),
            "method": f"visit_to_visit_min: {visit_how}. town_min: {town_how} ({hub_name}). "
            f"Client points: {len(P)} output-area points weighted by the unit's hours.",
        }

    def _visit(
        self,
        P: np.ndarray,
        cand: np.ndarray,
        cand_all: np.ndarray,
        g: int,
        wi: np.ndarray,
        est_visit: float,
        routable: bool,
    ) -> tuple[float, float, bool, str]:
        """(visit_to_visit_min, circuity, routed?, how): routed on graph ``g`` when the unit and its candidates
        are on it and every routed value is finite, else the estimator's."""
        if routable:
            vals, circ = self._routed_k_nearest(P, cand, g)
            visit = float(np.average(vals, weights=wi))
            if np.isfinite(visit):
                circuity = float(np.nanmean(circ)) if np.isfinite(circ).any() else np.nan
                how = f"real drive times (graph {Path(self.arrays[g].source).name}), {K_NEAREST} nearest client points"
                return visit, circuity, True, how
        pxy = self.pxy
        dd_all = [
            np.sort(np.hypot(*(pxy[cand_all] - pxy[p]).T)[cand_all != p])[:K_NEAREST] for p in P if len(cand_all) > 1
        ]
        dmean = float(np.mean(np.concatenate(dd_all))) if dd_all else np.nan
        circuity = float(estimate_road_m(self.model, np.array([dmean]))[0] / dmean) if dd_all else np.nan
        how = (
            "ESTIMATED: straight line × circuity, access streets at the speed fitted on "
            f"{Path(self.model['source']).name}, main roads at 50 mph (DfT), {K_NEAREST} nearest client points"
        )
        return est_visit, circuity, False, how

    def _routed_k_nearest(self, P: np.ndarray, cand: np.ndarray, g: int) -> tuple[list[float], list[float]]:
        """Per client point of the unit: mean drive minutes to its K nearest candidates and the mean circuity of
        those routes (road metres / straight metres, pairs over 50 m), exact: the cut-off widens until the K
        nearest of every point lie within it."""
        pxy, arr, node_of = self.pxy, self.arrays[g], self.cov.node_of
        kth = max(float(np.sort(np.hypot(*(pxy[cand] - pxy[p]).T)[cand != p])[:K_NEAREST].max()) for p in P)
        vals: list[float] = []
        circ: list[float] = []
        for limit in (visit_cutoff_s(self.model, kth), 4 * visit_cutoff_s(self.model, kth), np.inf):
            T, M = times_to(arr.time_s, node_of[P], node_of[cand], limit=limit, lengths=arr.length_m)
            assert M is not None  # lengths were asked for
            vals, circ, complete = [], [], True
            for r, p in enumerate(P):
                others = cand != p
                tt_o = T[r][others]
                order = np.argsort(tt_o)[:K_NEAREST]
                complete &= bool(np.isfinite(tt_o[order]).all())
                vals.append(float(np.mean(tt_o[order])) / 60)
                mm = M[r][others][order]
                dd = np.hypot(*(pxy[cand][others][order] - pxy[p]).T)
                ok = (dd > 50) & np.isfinite(mm)
                circ.append(float(np.mean(mm[ok] / dd[ok])) if ok.any() else np.nan)
            if complete:  # the K nearest of every point lie within the cut-off: exact
                break
        return vals, circ

    def _town(
        self, P: np.ndarray, g: int, wi: np.ndarray, est_town: float, eb: dict, own_real: bool
    ) -> tuple[float, bool, str]:
        """(town_min, routed?, how): the drive from the nearest hub on graph ``g`` when every client point has one,
        else the estimator's (with its checked error for such trips)."""
        if own_real and g in self.hub_t:
            tt = self.hub_t[g][self.cov.node_of[P]]
            if np.isfinite(tt).all():
                town = float(np.average(tt, weights=wi)) / 60
                return town, True, "real drive time from the nearest hub on the road graph"
        how = (
            "ESTIMATED from straight-line distance to the nearest hub (access + main-road model; "
            f"checked p90 error {eb['p90_abs_pct']} % for such trips)"
            if eb["checked"]
            else "ESTIMATED from straight-line distance to the nearest hub (access + main-road model; error "
            "unchecked at this distance)"
        )
        return est_town, False, how


def _estimated_visit(model, pxy, P, cand, wi, area_km2) -> float:
    vals = []
    for p in P:
        if len(cand) > 1:
            dd = np.sort(np.hypot(*(pxy[cand] - pxy[p]).T)[cand != p])[:K_NEAREST]
        else:  # a lone point: half the side of a square of the unit's area
            dd = np.array([np.sqrt(area_km2 * 1e6) / 2])
        vals.append(float(np.mean(estimate_seconds(model, dd))) / 60)
    return float(np.average(vals, weights=wi))


def _hours_per_client(layer: UnitLayer) -> float:
    clients = layer.pack.demand.get("clients")
    return layer.pack.weekly_hours_total / float(clients) if clients else 14.0
