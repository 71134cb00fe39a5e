"""Building blocks ("units") of a council: parishes, ward remainders or wards, tiling the council area.

Pipeline (all geometry EPSG:27700, areas in m² unless named ``_km2``):
1. read the council's wards (one file per district), check and repair them; the outline is their union;
2. for ``parish+ward_remainder`` packs, read the parish polygons that exist, clip them to the outline and
   make them disjoint; each ward minus the parishes is a *ward remainder* unit (a ward no parish polygon
   touches stays a whole *ward* unit);
3. pieces under ``pack.sliver_max_m2`` (slivers left where sources do not align) are merged into the
   neighbouring piece with the longest shared edge;
4. civil parishes without a polygon are placed (OS Open Names point of the same name, else their 2019
   ward approximated by its LSOAs) and listed on the unit that holds them;
5. seed zones (``geodata.zoning``) and weekly care hours (``geodata.demand``) are attached;
6. the result is cached as a GeoPackage keyed by the input files' checksum.
"""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.strtree import STRtree

from . import demand as demand_mod
from . import zoning
from .names import norm_name
from .datadir import DataError, cache_dir, data_path, file_digest
from .layers import read_csv, read_polygons
from .packs import Pack, load_pack
from .validate import BNG, RepairReport, polygonal_part, tiling_report

UNITS_VERSION = "6"  # bump when the build changes, so caches are rebuilt
EDGE_TOL_M = 1.0  # tolerance when measuring shared edges between pieces, metres

Progress = Callable[[str, float], None]

UNIT_COLUMNS = [
    "unit_code", "unit_name", "unit_type", "parishes", "parish_codes", "ward_code", "ward_name", "lad_code",
    "zone", "area_km2", "hours_per_week", "hours_estimated", "note",
]


def _noop(step: str, frac: float) -> None:
    pass


@dataclass
class UnitLayer:
    """A council's units (GeoDataFrame, EPSG:27700) with the build report and seed-zone note."""

    pack: Pack
    units: gpd.GeoDataFrame
    report: dict
    zones_note: str = ""
    cached: bool = False
    build_s: float = 0.0
    _index: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        idx: dict[str, list[str]] = {}

        def add(key: str, code: str) -> None:
            if key:
                lst = idx.setdefault(norm_name(key), [])
                if code not in lst:
                    lst.append(code)

        for row in self.units.itertuples(index=False):
            add(row.unit_code, row.unit_code)
        for row in self.units.itertuples(index=False):
            add(row.unit_name, row.unit_code)
        for row in self.units.itertuples(index=False):
            for p in filter(None, str(row.parishes).split(";")):
                add(p, row.unit_code)
            for p in filter(None, str(row.parish_codes).split(";")):
                add(p, row.unit_code)
        for row in self.units.itertuples(index=False):
            add(row.ward_name, row.unit_code) if row.unit_type == "ward" else None
        self._index = idx

    def resolve(self, name_or_code: str) -> list[str]:
        """Unit codes for a unit code or name, or a civil parish name or code (any case).

        A parish without its own polygon resolves to the ward-remainder unit that holds it (which holds
        other parishes too: see that unit's ``parishes``). Unknown names give an empty list.
        """
        return list(self._index.get(norm_name(name_or_code), []))

    @property
    def n_units(self) -> int:
        return len(self.units)

    def summary(self) -> dict:
        """The summary printed by ``zoneplan units --json``."""
        u = self.units
        zones = sorted(set(u["zone"]) - {zoning.UNZONED})
        return {
            "council": self.pack.id,
            "n_units": int(len(u)),
            "units_by_type": {k: int(v) for k, v in u["unit_type"].value_counts().sort_index().items()},
            "area_km2": self.report["area_km2"],
            "gap_km2": self.report["gap_km2"],
            "overlap_km2": self.report["overlap_km2"],
            "gap_pct": round(100 * self.report["gap_km2"] / self.report["area_km2"], 5),
            "overlap_pct": round(100 * self.report["overlap_km2"] / self.report["area_km2"], 5),
            "slivers_merged": self.report["slivers_merged"],
            "geometries_repaired": len(self.report["repaired"]),
            "hours_per_week_total": round(float(u["hours_per_week"].sum()), 2),
            "hours_estimated": bool(u["hours_estimated"].any()),
            "hours_source": self.report.get("hours_source", ""),
            "zones": zones,
            "n_zones": len(zones),
            "zone_label": self.pack.zone_label,
            "zones_note": self.zones_note,
            "parishes_without_polygon": self.report.get("parishes_without_polygon", 0),
            "cached": self.cached,
            "build_s": round(self.build_s, 2),
        }


# ---------------------------------------------------------------- reading


def _read_wards(pack: Pack, rep: RepairReport) -> gpd.GeoDataFrame:
    code_f, name_f = pack.layers["ward_code_field"], pack.layers["ward_name_field"]
    frames = []
    for lad, path in zip(pack.lad_codes, pack.layer_paths("wards")):
        g = read_polygons(path, code_f, rep, name_field=name_f)
        g = g.rename(columns={code_f: "ward_code", name_f: "ward_name"})
        g["lad_code"] = lad
        frames.append(g[["ward_code", "ward_name", "lad_code", "source_file", "source_row", "geometry"]])
    wards = pd.concat(frames, ignore_index=True)
    dup = wards["ward_code"][wards["ward_code"].duplicated()]
    if len(dup):
        raise DataError(f"ward code(s) {sorted(set(dup))} appear in more than one ward file of pack {pack.path}")
    return gpd.GeoDataFrame(wards, geometry="geometry", crs=BNG)


def _read_parish_lookup(pack: Pack) -> pd.DataFrame:
    path = pack.layer_path("parish_lookup")
    df = read_csv(path, ["PAR19CD", "PAR19NM", "WD19CD", "WD19NM", "LAD19CD"])
    df = df[df["LAD19CD"].isin(pack.lad_codes)]
    return df.rename(columns={"PAR19CD": "parish_code", "PAR19NM": "parish_name", "WD19CD": "wd19_code",
                              "WD19NM": "wd19_name", "LAD19CD": "lad_code"})


def _read_parishes(pack: Pack, lookup: pd.DataFrame, outline, rep: RepairReport) -> gpd.GeoDataFrame:
    path = pack.layer_path("parishes")
    code_f, name_f = pack.layers["parish_code_field"], pack.layers["parish_name_field"]
    codes = set(lookup["parish_code"])

    def ours(raw):  # parishes of this council: code in the lookup, or district column names one of ours
        mask = raw[code_f].isin(codes)
        if "LAD19CD" in raw.columns:
            mask |= raw["LAD19CD"].isin(pack.lad_codes)
        return mask

    g = read_polygons(path, code_f, rep, name_field=name_f, keep=ours)
    g = g.rename(columns={code_f: "parish_code", name_f: "parish_name"})
    # prefer the ONS name of the code (OSM may say "Quorndon" where ONS says "Quorn")
    ons_name = dict(zip(lookup["parish_code"], lookup["parish_name"]))
    alt = g["PAR19NM"] if "PAR19NM" in g.columns else pd.Series([None] * len(g), index=g.index)
    g["parish_name"] = [ons_name.get(c) or (a if isinstance(a, str) and a else n)
                        for c, a, n in zip(g["parish_code"], alt, g["parish_name"])]
    # clip to the council outline and make parishes disjoint (earlier code wins an overlap)
    g = g.sort_values("parish_code").reset_index(drop=True)
    geoms, taken = [], None
    for geom in g.geometry:
        geom = polygonal_part(shapely.intersection(geom, outline))
        if taken is not None:
            geom = polygonal_part(shapely.difference(geom, taken))
        geoms.append(geom)
        taken = geom if taken is None else shapely.union(taken, geom)
    g = g.set_geometry(gpd.GeoSeries(geoms, crs=BNG))
    return g[~g.geometry.is_empty & (g.geometry.area > 0)].reset_index(drop=True)


# ---------------------------------------------------------------- building


def _pieces(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    parts = units[["geometry"]].copy()
    parts["unit_idx"] = np.arange(len(units))
    parts = parts.explode(index_parts=False).reset_index(drop=True)
    parts = parts[parts.geometry.geom_type == "Polygon"]
    parts["area_m2"] = parts.geometry.area
    return parts.reset_index(drop=True)


def merge_slivers(units: gpd.GeoDataFrame, sliver_max_m2: float) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Merge polygon pieces under ``sliver_max_m2`` into the neighbouring piece with the longest shared edge.

    A unit keeps its largest piece even when small, unless the whole unit is smaller than the threshold and
    it has a neighbour, in which case it is dissolved into that neighbour (and listed in the log).
    Returns the new units (dissolved units removed) and a log of merges (from unit, to unit, area_m2).
    Works in EPSG:27700 metres.
    """
    pieces = _pieces(units)
    unit_area = pieces.groupby("unit_idx")["area_m2"].transform("sum")
    largest = pieces.groupby("unit_idx")["area_m2"].transform("max") == pieces["area_m2"]
    sliver = (pieces["area_m2"] < sliver_max_m2) & (~largest | (unit_area < sliver_max_m2))
    anchors = pieces[~sliver].reset_index(drop=True)
    tree = STRtree(np.asarray(anchors.geometry.values, dtype=object))
    owner = pieces["unit_idx"].to_numpy().copy()
    log = []
    for i in np.flatnonzero(sliver.to_numpy()):
        geom = pieces.geometry.iloc[i]
        cand = tree.query(geom.buffer(EDGE_TOL_M))
        best, best_len = None, 0.0
        ring = geom.boundary
        for j in cand:
            a = anchors.geometry.iloc[j]
            shared = ring.intersection(a.buffer(EDGE_TOL_M)).length
            if shared > best_len:
                best, best_len = int(anchors["unit_idx"].iloc[j]), shared
        if best is not None and best != owner[i]:
            log.append({"from_unit": str(units["unit_code"].iloc[owner[i]]), "to_unit": str(units["unit_code"].iloc[best]),
                        "area_m2": round(float(pieces["area_m2"].iloc[i]), 1)})
            owner[i] = best
    pieces["owner"] = owner
    geoms = pieces.groupby("owner").geometry.apply(lambda s: shapely.union_all(np.asarray(s.values, dtype=object)))
    out = units.copy()
    new_geoms = [geoms.get(i, shapely.MultiPolygon()) for i in range(len(units))]
    out = out.set_geometry(gpd.GeoSeries(new_geoms, index=units.index, crs=units.crs))
    keep = ~out.geometry.is_empty
    return out[keep].reset_index(drop=True), log


def _place_parishes(pack: Pack, lookup: pd.DataFrame, missing: pd.DataFrame, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    """Locate civil parishes that have no polygon: one point each (EPSG:27700) and how it was found.

    Method 1: an OS Open Names populated place of the same (normalised) name in the parish's district.
    Method 2: the representative point of the parish's 2019 ward, approximated by the union of the 2011
    LSOAs the ONS best-fit lookup puts in that ward.
    """
    places = read_csv(pack.layer_path("places"), ["name", "easting", "northing", "LAD_code", "local_type"])
    places["key"] = places["name"].map(norm_name)
    rank = {"Town": 0, "Village": 1, "Suburban Area": 2, "Hamlet": 3, "Other Settlement": 4}
    places["rank"] = places["local_type"].map(rank).fillna(9)
    places = places.sort_values("rank")
    lsoa_ward = None
    rows = []
    for _, p in missing.iterrows():
        key = norm_name(p["parish_name"])
        hit = places[(places["key"] == key) & (places["LAD_code"] == p["lad_code"])]
        if len(hit):
            x, y = float(hit["easting"].iloc[0]), float(hit["northing"].iloc[0])
            rows.append({**p, "x": x, "y": y, "method": f"OS Open Names place '{hit['name'].iloc[0]}'"})
            continue
        if lsoa_ward is None:
            lsoa_ward = _lsoa_wd19(pack)
        geom = lsoa_ward.get(p["wd19_code"])
        if geom is not None:
            pt = geom.representative_point()
            rows.append({**p, "x": pt.x, "y": pt.y, "method": f"2019 ward {p['wd19_name']} (approximated by its LSOAs)"})
        else:
            rows.append({**p, "x": np.nan, "y": np.nan, "method": "not placed"})
    return pd.DataFrame(rows)


def _lsoa_wd19(pack: Pack) -> dict[str, object]:
    rep = RepairReport()
    lsoa = pd.concat([read_polygons(p, "LSOA11CD", rep) for p in pack.layer_paths("lsoa")], ignore_index=True)
    lk = read_csv(pack.layer_path("lsoa_ward_lookup"), ["LSOA11CD", "WD19CD"])
    m = lsoa.merge(lk[["LSOA11CD", "WD19CD"]], on="LSOA11CD")
    return {k: shapely.union_all(np.asarray(g.geometry.values, dtype=object)) for k, g in m.groupby("WD19CD")}


def build_units(pack: Pack, progress: Progress = _noop) -> UnitLayer:
    """Build the unit layer of a council from the data directory (no cache). See the module docstring."""
    t0 = time.perf_counter()
    rep = RepairReport()
    progress("reading wards", 0.05)
    wards = _read_wards(pack, rep)
    outline = shapely.union_all(np.asarray(wards.geometry.values, dtype=object))
    report: dict = {"parish_lookup": [], "parishes_without_polygon": 0}
    mixed = pack.unit_type == "parish+ward_remainder"
    if mixed:
        progress("reading parishes", 0.15)
        lookup = _read_parish_lookup(pack)
        parishes = _read_parishes(pack, lookup, outline, rep)
        par_union = shapely.union_all(np.asarray(parishes.geometry.values, dtype=object))
        rows = []
        for p in parishes.itertuples(index=False):
            w = wards.geometry.intersection(p.geometry).area.idxmax()
            rows.append({"unit_code": p.parish_code, "unit_name": p.parish_name, "unit_type": "parish",
                         "parishes": p.parish_name, "parish_codes": p.parish_code,
                         "ward_code": wards["ward_code"].iloc[w], "ward_name": wards["ward_name"].iloc[w],
                         "lad_code": wards["lad_code"].iloc[w], "geometry": p.geometry})
        progress("cutting ward remainders", 0.3)
        for w in wards.itertuples(index=False):
            rest = polygonal_part(shapely.difference(w.geometry, par_union))
            if rest.is_empty:
                continue
            whole = rest.area > 0.999 * w.geometry.area
            rows.append({"unit_code": w.ward_code if whole else f"WR-{w.ward_code}",
                         "unit_name": f"{w.ward_name} (ward)" if whole else f"{w.ward_name} (ward remainder)",
                         "unit_type": "ward" if whole else "ward_remainder", "parishes": "", "parish_codes": "",
                         "ward_code": w.ward_code, "ward_name": w.ward_name, "lad_code": w.lad_code, "geometry": rest})
        units = gpd.GeoDataFrame(rows, geometry="geometry", crs=BNG)
    else:
        units = wards.assign(unit_code=wards["ward_code"], unit_name=wards["ward_name"], unit_type="ward",
                             parishes="", parish_codes="")
        units = units[["unit_code", "unit_name", "unit_type", "parishes", "parish_codes", "ward_code", "ward_name",
                       "lad_code", "geometry"]].copy()
    progress("resolving slivers", 0.45)
    slivers: list[dict] = []
    for _ in range(5):  # a sliver whose only neighbours were slivers finds its home in the next round
        units, log = merge_slivers(units, pack.sliver_max_m2)
        slivers += log
        if not log:
            break
    report["slivers_merged"] = len(slivers)
    report["sliver_log"] = slivers
    if mixed:
        progress("placing parishes without polygons", 0.55)
        have = set(units.loc[units["unit_type"] == "parish", "unit_code"])
        missing = lookup[~lookup["parish_code"].isin(have)].drop_duplicates("parish_code")
        placed = _place_parishes(pack, lookup, missing, wards)
        holders = units[units["unit_type"] != "parish"].reset_index()
        tree = STRtree(np.asarray(holders.geometry.values, dtype=object))
        parishes_of: dict[int, list[tuple[str, str]]] = {}
        log = []
        for p in placed.itertuples(index=False):
            if not np.isfinite(p.x):
                raise DataError(f"{pack.layer_path('parish_lookup')}: parish {p.parish_code} {p.parish_name} "
                                "could not be placed (no OS Open Names point, no LSOAs for its 2019 ward)")
            pt = shapely.Point(p.x, p.y)
            hit = [j for j in tree.query(pt) if holders.geometry.iloc[j].covers(pt)]
            how = "point in unit"
            if not hit:
                j = int(tree.nearest(pt))
                hit, how = [j], f"nearest ward remainder ({holders.geometry.iloc[j].distance(pt):.0f} m away)"
            idx = int(holders["index"].iloc[hit[0]])
            parishes_of.setdefault(idx, []).append((p.parish_name, p.parish_code))
            log.append({"parish_code": p.parish_code, "parish_name": p.parish_name,
                        "unit_code": units["unit_code"].iloc[idx], "located_by": p.method, "assigned_by": how})
        for idx, lst in parishes_of.items():
            lst.sort()
            units.loc[idx, "parishes"] = ";".join(n for n, _ in lst)
            units.loc[idx, "parish_codes"] = ";".join(c for _, c in lst)
        report["parish_lookup"] = log
        report["parishes_without_polygon"] = len(log)
    units["area_km2"] = (units.geometry.area / 1e6).round(4)
    units["note"] = [_unit_note(t, p) for t, p in zip(units["unit_type"], units["parishes"])]
    progress("checking tiling", 0.65)
    report.update(tiling_report(units, outline))
    report["repaired"] = rep.as_dicts()
    progress("seed zones", 0.7)
    units["zone"], zones_note, zone_log = zoning.assign_zones(pack, units)
    report["zone_assignment"] = zone_log
    progress("weekly care hours", 0.8)
    hours, estimated, info = demand_mod.hours_for_units(pack, units)
    units["hours_per_week"] = hours
    units["hours_estimated"] = estimated
    report["hours_source"] = info
    units = units.sort_values(["lad_code", "unit_type", "unit_name"]).reset_index(drop=True)
    units = gpd.GeoDataFrame(units[UNIT_COLUMNS + ["geometry"]], geometry="geometry", crs=BNG)
    progress("done", 1.0)
    return UnitLayer(pack=pack, units=units, report=report, zones_note=zones_note, build_s=time.perf_counter() - t0)


def _unit_note(unit_type: str, parishes: str) -> str:
    n = len([p for p in parishes.split(";") if p])
    if unit_type == "parish":
        return "civil parish (polygon from OpenStreetMap)"
    if n == 0:
        return "unparished area" if unit_type == "ward_remainder" else "ward"
    what = "the part of the ward outside parish polygons" if unit_type == "ward_remainder" else "the whole ward"
    return (f"{what}; holds {n} civil parish{'es' if n > 1 else ''} without a polygon in the data directory "
            f"({parishes.replace(';', ', ')}): their hours and band are this unit's")


# ---------------------------------------------------------------- cache


def _input_files(pack: Pack) -> list[Path]:
    files = [pack.path]
    for key in pack.layers:
        if key.endswith("_field"):
            continue
        files += pack.layer_paths(key, required=False)
    csv = pack.demand.get("csv")
    if csv:
        files.append(data_path(csv))
    return [f for f in files if f.exists()]


def load_units(council: str | Pack, progress: Progress | None = None, rebuild: bool = False) -> UnitLayer:
    """The unit layer of a council, from the GeoPackage cache when its inputs are unchanged.

    The cache key is a SHA-256 over the pack file and every input file it names, plus ``UNITS_VERSION``.
    The GeoPackage is written to a temporary name and renamed, so a crash never leaves a half cache.
    """
    pack = council if isinstance(council, Pack) else load_pack(council)
    progress = progress or _noop
    key = file_digest(_input_files(pack), extra=UNITS_VERSION)
    folder = cache_dir("units")
    gpkg = folder / f"{pack.id}-{key}.gpkg"
    meta = folder / f"{pack.id}-{key}.json"
    if gpkg.exists() and meta.exists() and not rebuild:
        t0 = time.perf_counter()
        units = gpd.read_file(gpkg, engine="pyogrio")
        for col in ("parishes", "parish_codes", "note"):
            units[col] = units[col].fillna("")
        units["hours_estimated"] = units["hours_estimated"].astype(bool)
        m = json.loads(meta.read_text())
        return UnitLayer(pack=pack, units=units, report=m["report"], zones_note=m["zones_note"], cached=True,
                         build_s=time.perf_counter() - t0)
    layer = build_units(pack, progress)
    tmp = gpkg.with_suffix(f".{os.getpid()}.tmp.gpkg")
    layer.units.to_file(tmp, layer="units", driver="GPKG", engine="pyogrio")
    tmp_meta = meta.with_suffix(f".{os.getpid()}.tmp")
    tmp_meta.write_text(json.dumps({"report": layer.report, "zones_note": layer.zones_note}, default=str))
    tmp_meta.replace(meta)
    tmp.replace(gpkg)  # the GeoPackage appears last: its presence means both files are complete
    return layer
