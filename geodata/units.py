"""Building blocks ("units") of a council: parishes, ward remainders, wards, or the areas of one polygon
layer (``unit_type = "polygons"``: e.g. Leicestershire's 201 OA-built parishes, or a council's LSOAs), tiling
the council area.

Pipeline (all geometry EPSG:27700, areas in m² unless named ``_km2``):
1. read the council's wards (one file per district), check and repair them; the outline is their union
   (or, for ``polygons`` packs, the union of the ``[units] outline`` layer, e.g. the output areas the units
   are built from);
1b. for ``polygons`` packs (section ``[units]``): every row of one polygon layer (``[units] layer`` names a
   ``[layers]`` key; ``{lad}`` gives one file per district) is a unit with its code and name fields; rows
   may list smaller areas they hold (``absorbs_field``), which then resolve to them;
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.strtree import STRtree

from . import demand as demand_mod
from . import zoning
from .datadir import DataError, cache_dir, data_path, file_digest
from .layers import layer_file, read_csv, read_polygons
from .names import norm_name
from .packs import Pack, load_pack
from .validate import BNG, RepairReport, polygonal_part, tiling_report

UNITS_VERSION = "8"  # bump when the build changes, so caches are rebuilt
EDGE_TOL_M = 1.0  # tolerance when measuring shared edges between pieces, metres

Progress = Callable[[str, float], None]

UNIT_COLUMNS = [
    "unit_code",
    "unit_name",
    "unit_type",
    "parishes",
    "parish_codes",
    "ward_code",
    "ward_name",
    "lad_code",
    "zone",
    "area_km2",
    "hours_per_week",
    "hours_estimated",
    "note",
    "edge_source",
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

        self._index_units(idx, add)
        self._index_aliases(add)
        self._index = idx

    def _index_units(self, idx: dict[str, list[str]], add: Callable[[str, str], None]) -> None:
        """Name index, first: unit codes, unit names, then names without a bracketed suffix when still free."""
        for row in self.units.itertuples(index=False):
            add(row.unit_code, row.unit_code)
        for row in self.units.itertuples(index=False):
            add(row.unit_name, row.unit_code)
        for row in self.units.itertuples(index=False):  # "Loughborough (Charnwood unparished area)" -> "Loughborough"
            short = re.sub(r"\s*\([^)]*\)\s*$", "", str(row.unit_name))
            if short != row.unit_name and not idx.get(norm_name(short)):
                add(short, row.unit_code)

    def _index_aliases(self, add: Callable[[str, str], None]) -> None:
        """Name index, then: other names, parishes held, ward names, other codes, split pieces, parish labels."""
        report = self.report or {}
        groups = report.get("split_by_ward", {})
        for other, code in report.get("alt_names", {}).items():
            for c in groups.get(code, [code]):  # a unit split by ward: its names resolve to all its pieces
                add(other, c)
        for row in self.units.itertuples(index=False):
            for p in filter(None, str(row.parishes).split(";")):
                add(p, row.unit_code)
            for p in filter(None, str(row.parish_codes).split(";")):
                add(p, row.unit_code)
        for row in self.units.itertuples(index=False):
            if row.unit_type == "ward":
                add(row.ward_name, row.unit_code)
        for other, code in report.get("alt_codes", {}).items():
            for c in groups.get(code, [code]):
                add(other, c)
        for code, pieces in groups.items():
            for c in pieces:
                add(code, c)
        for label, code in self.parish_labels():
            add(label, code)

    def parish_labels(self) -> list[tuple[str, str]]:
        """(label, unit code) for every civil parish held inside a unit that bears another name, e.g.
        ``("Cotes (within Burton on the Wolds)", "E04012883")``: what a search box offers for such a parish."""
        out = []
        for row in self.units.itertuples(index=False):
            for p in filter(None, str(row.parishes).split(";")):
                if norm_name(p) != norm_name(row.unit_name):
                    out.append((f"{p} (within {row.unit_name})", row.unit_code))
        return out

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
            "tiling_against": self.report.get("tiling_against", "wards"),
            "outside_km2": self.report.get("outside_km2", 0.0),
            "units_by_edge_source": {k: int(v) for k, v in u["edge_source"].value_counts().sort_index().items()}
            if "edge_source" in u
            else {},
            "cached": self.cached,
            "build_s": round(self.build_s, 2),
        }


# ---------------------------------------------------------------- reading


def _read_wards(pack: Pack, rep: RepairReport) -> gpd.GeoDataFrame:
    code_f, name_f = pack.layers["ward_code_field"], pack.layers["ward_name_field"]
    dist_f = pack.layers.get("ward_district_field")  # one file for all districts: the district is a column
    frames = []
    for lad, path in zip(pack.lad_codes, pack.layer_paths("wards")):
        g = read_polygons(path, code_f, rep, name_field=name_f)
        g = g.rename(columns={code_f: "ward_code", name_f: "ward_name"})
        if dist_f and dist_f not in g.columns:
            raise DataError(f"{path}: no '{dist_f}' column ([layers] ward_district_field of pack {pack.path})")
        g["lad_code"] = g[dist_f] if dist_f else lad
        frames.append(g[["ward_code", "ward_name", "lad_code", "source_file", "source_row", "geometry"]])
    wards = pd.concat(frames, ignore_index=True)
    dup = wards["ward_code"][wards["ward_code"].duplicated()]
    if len(dup):
        raise DataError(f"ward code(s) {sorted(set(dup))} appear in more than one ward file of pack {pack.path}")
    return gpd.GeoDataFrame(wards, geometry="geometry", crs=BNG)


def _read_parish_lookup(pack: Pack) -> pd.DataFrame:
    path = layer_file(pack, "parish_lookup")
    df = read_csv(path, ["PAR19CD", "PAR19NM", "WD19CD", "WD19NM", "LAD19CD"])
    df = df[df["LAD19CD"].isin(pack.lad_codes)]
    return df.rename(
        columns={
            "PAR19CD": "parish_code",
            "PAR19NM": "parish_name",
            "WD19CD": "wd19_code",
            "WD19NM": "wd19_name",
            "LAD19CD": "lad_code",
        }
    )


def _read_parishes(pack: Pack, lookup: pd.DataFrame, outline, rep: RepairReport) -> gpd.GeoDataFrame:
    path = layer_file(pack, "parishes")
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
    g["parish_name"] = [
        ons_name.get(c) or (a if isinstance(a, str) and a else n)
        for c, a, n in zip(g["parish_code"], alt, g["parish_name"])
    ]
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


# ---------------------------------------------------------------- units from one polygon layer

_HELD_RE = re.compile(r"\s*([^;()]+?)\s*\(([EWSN]\d{8})\)\s*")


def parse_held(text: str) -> list[tuple[str, str]]:
    """``"Cotes (E04012884); Prestwold (E04012889)"`` -> ``[("Cotes", "E04012884"), ("Prestwold", "E04012889")]``.

    Entries without a code in brackets are kept with an empty code."""
    out = []
    for part in filter(None, (p.strip() for p in str(text or "").split(";"))):
        m = _HELD_RE.fullmatch(part)
        out.append((m.group(1), m.group(2)) if m else (part, ""))
    return out


def units_config(pack: Pack) -> dict:
    """The ``[units]`` section of a ``polygons`` pack, checked (DataError names the pack and the key)."""
    cfg = dict(pack.raw.get("units", {}))
    for key in ("layer", "code_field", "name_field"):
        if not cfg.get(key):
            raise DataError(f"pack {pack.path}: unit_type 'polygons' needs [units] {key}")
    if cfg["layer"] not in pack.layers:
        raise DataError(f"pack {pack.path}: [units] layer '{cfg['layer']}' is not a key of [layers]")
    return cfg


def _read_unit_polygons(pack: Pack, cfg: dict, paths: list[Path], rep: RepairReport) -> gpd.GeoDataFrame:
    """The rows of the units' polygon layer (one file per district for ``{lad}`` layers) for the pack's districts,
    with ``lad_code`` from ``district_field``, else the file's district, else empty (filled from the wards)."""
    code_f, name_f = cfg["code_field"], cfg["name_field"]
    dist_f = cfg.get("district_field")
    per_lad = "{lad}" in pack.layers[cfg["layer"]]

    def ours(raw: pd.DataFrame) -> pd.Series:
        if dist_f and dist_f in raw.columns:
            return raw[dist_f].isin(pack.lad_codes)
        return pd.Series(True, index=raw.index)

    frames = []
    for k, path in enumerate(paths):
        g = read_polygons(path, cfg.get("code_fallback_field") or code_f, rep, name_field=name_f, keep=ours)
        if dist_f and dist_f not in g.columns:
            raise DataError(f"{path}: no '{dist_f}' column ([units] district_field of pack {pack.path})")
        g["lad_code"] = g[dist_f] if dist_f else (pack.lad_codes[k] if per_lad else "")
        frames.append(g)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=BNG)


def _main_ward(geoms: gpd.GeoSeries, wards: gpd.GeoDataFrame) -> np.ndarray:
    """Row index in ``wards`` of the ward overlapping each geometry most (the nearest ward when none overlaps)."""
    tree = STRtree(np.asarray(wards.geometry.values, dtype=object))
    out = []
    for geom in geoms:
        cand = tree.query(geom)
        if len(cand):
            areas = [wards.geometry.iloc[j].intersection(geom).area for j in cand]
            out.append(int(cand[int(np.argmax(areas))]))
        else:
            out.append(int(tree.nearest(geom)))
    return np.array(out, dtype=np.int64)


def _polygon_units(pack: Pack, wards: gpd.GeoDataFrame, rep: RepairReport) -> tuple[gpd.GeoDataFrame, dict]:
    """Units = the rows of one polygon layer (see ``units_config``): unit columns, EPSG:27700.

    [units] keys: ``layer`` (a [layers] key), ``code_field``, ``name_field``; optional ``code_fallback_field``
    (used where the code field is empty; both codes then resolve), ``district_field`` (else the district is
    the file's, for ``{lad}`` layers), ``kind`` (unit_type of each row, default "area"), ``kind_field`` +
    ``kind_if_true`` (rows whose boolean field is true get that unit_type), ``absorbs_field`` (areas held inside
    a unit, "Name (CODE); ..."), ``names`` (code -> display name), ``edge_source`` (where the edges come from),
    ``outline`` (a [layers] key whose union the units must tile; default the wards), ``aliases`` (code -> other
    names it resolves by), ``split_by_ward`` (unit_types to split into one unit per 2013 ward, OAs kept whole).
    Returns the units and a dict with ``alt_codes`` (other code -> unit code) and ``held`` (code -> list)."""
    cfg = units_config(pack)
    code_f, name_f = cfg["code_field"], cfg["name_field"]
    fb_f = cfg.get("code_fallback_field")
    paths = pack.layer_paths(cfg["layer"])
    g = _read_unit_polygons(pack, cfg, paths, rep)
    if not len(g):
        raise DataError(f"{paths[0]}: no unit polygons for districts {', '.join(pack.lad_codes)}")
    primary = g[code_f].fillna("").astype(str).str.strip() if code_f in g.columns else pd.Series("", index=g.index)
    fallback = g[fb_f].astype(str).str.strip() if fb_f else primary
    g["unit_code"] = np.where(primary != "", primary, fallback)
    dup = g["unit_code"][g["unit_code"].duplicated()]
    if len(dup):
        raise DataError(f"{paths[0]}: unit code(s) {sorted(set(dup))[:10]} appear more than once")
    alt_codes = {f: c for f, c in zip(fallback, g["unit_code"]) if f and f != c}
    names = {str(k): str(v) for k, v in cfg.get("names", {}).items()}
    g["unit_name"] = [names.get(c, str(n)) for c, n in zip(g["unit_code"], g[name_f])]
    alt_names = {str(n): c for c, n in zip(g["unit_code"], g[name_f]) if c in names}
    for c, extra in cfg.get("aliases", {}).items():  # other names a unit is known by, e.g. its towns
        for a in [extra] if isinstance(extra, str) else list(extra):
            alt_names[str(a)] = str(c)
    kind = cfg.get("kind", "area")
    if cfg.get("kind_field"):
        flag = g[cfg["kind_field"]].astype(str).str.lower().isin(["true", "1", "yes"])
        g["unit_type"] = np.where(flag, cfg.get("kind_if_true", kind), kind)
    else:
        g["unit_type"] = kind
    held: dict[str, list[tuple[str, str]]] = {}
    if cfg.get("absorbs_field") and cfg["absorbs_field"] in g.columns:
        for c, txt in zip(g["unit_code"], g[cfg["absorbs_field"]].fillna("")):
            if parse_held(txt):
                held[c] = parse_held(txt)
    own_is_parish = kind == "parish"
    g["parishes"] = [str(n) if own_is_parish and t == "parish" else "" for n, t in zip(g[name_f], g["unit_type"])]
    g["parish_codes"] = [c if own_is_parish and t == "parish" else "" for c, t in zip(g["unit_code"], g["unit_type"])]
    # the 2013 ward holding most of each unit (for ward-list zoning and display)
    j = _main_ward(g.geometry, wards)
    g["ward_code"], g["ward_name"] = wards["ward_code"].to_numpy()[j], wards["ward_name"].to_numpy()[j]
    w_lad = wards["lad_code"].to_numpy()[j]
    g["lad_code"] = [lad if lad else wl for lad, wl in zip(g["lad_code"], w_lad, strict=True)]
    g["edge_source"] = cfg.get("edge_source", f"polygon layer {pack.layers[cfg['layer']]}")
    groups: dict[str, list[str]] = {}
    if cfg.get("split_by_ward"):
        g = _split_by_ward(pack, cfg, g, wards, rep, alt_names, groups)
    cols = [
        "unit_code",
        "unit_name",
        "unit_type",
        "parishes",
        "parish_codes",
        "ward_code",
        "ward_name",
        "lad_code",
        "edge_source",
        "geometry",
    ]
    return gpd.GeoDataFrame(g[cols], geometry="geometry", crs=BNG), {
        "alt_codes": alt_codes,
        "held": held,
        "alt_names": alt_names,
        "groups": groups,
    }


def _split_by_ward(
    pack: Pack,
    cfg: dict,
    g: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    rep: RepairReport,
    alt_names: dict[str, str],
    groups: dict[str, list[str]],
) -> gpd.GeoDataFrame:
    """Split the units whose unit_type is listed in ``[units] split_by_ward`` (e.g. the big unparished towns)
    into one unit per 2013 ward, keeping output areas whole: an OA goes to the ward holding its representative
    point, a piece is the unit ∩ its OAs, and the last piece takes the rest of the unit so the pieces tile the
    unit exactly. Piece code ``<unit code>-<ward code>``, name ``<ward name> (<kind>)``; the unit's own names
    resolve to all its pieces."""
    kinds = set(cfg["split_by_ward"])
    key = cfg.get("split_layer", cfg.get("outline", "oa"))
    code_f = cfg.get("outline_code_field", "OA11CD")
    oas = gpd.GeoDataFrame(
        pd.concat([read_polygons(p, code_f, rep) for p in pack.layer_paths(key)], ignore_index=True),
        geometry="geometry",
        crs=BNG,
    )
    pts = gpd.GeoDataFrame(geometry=oas.geometry.representative_point(), crs=BNG)
    in_ward = gpd.sjoin(pts, wards[["ward_code", "ward_name", "geometry"]], predicate="within", how="left")
    in_ward = in_ward[~in_ward.index.duplicated()]
    rows = []
    for r in g.itertuples(index=False):
        d = r._asdict()
        if r.unit_type not in kinds:
            rows.append(d)
            continue
        inside = pts.within(r.geometry).to_numpy()
        by_ward = in_ward[inside].groupby("ward_code").groups
        if len(by_ward) < 2:
            rows.append(d)
            continue
        rest = r.geometry
        order = sorted(by_ward, key=lambda wc: -len(by_ward[wc]))
        for k, wc in enumerate(order):
            wn = in_ward.loc[by_ward[wc][0], "ward_name"]
            if k < len(order) - 1:
                piece = polygonal_part(
                    shapely.intersection(
                        r.geometry, shapely.union_all(np.asarray(oas.geometry.loc[by_ward[wc]].values, dtype=object))
                    )
                )
                piece = polygonal_part(shapely.intersection(piece, rest))
                rest = polygonal_part(shapely.difference(rest, piece))
            else:
                piece = rest
            rows.append(
                {
                    **d,
                    "unit_code": f"{r.unit_code}-{wc}",
                    "unit_name": f"{wn} ({r.unit_type})",
                    "ward_code": wc,
                    "ward_name": wn,
                    "geometry": piece,
                }
            )
        groups[r.unit_code] = [f"{r.unit_code}-{wc}" for wc in order]
        alt_names.setdefault(r.unit_name, r.unit_code)
        short = re.sub(r"\s*\([^)]*\)\s*$", "", str(r.unit_name))
        alt_names.setdefault(short, r.unit_code)
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=BNG)


def _polygon_outline(pack: Pack, wards: gpd.GeoDataFrame, rep: RepairReport):
    """The area the units must tile: union of the ``[units] outline`` layer (default: the wards)."""
    key = pack.raw.get("units", {}).get("outline")
    if not key:
        return shapely.union_all(np.asarray(wards.geometry.values, dtype=object)), "wards"
    if key not in pack.layers:
        raise DataError(f"pack {pack.path}: [units] outline '{key}' is not a key of [layers]")
    code_f = pack.raw.get("units", {}).get("outline_code_field", "OA11CD")
    geoms = [read_polygons(p, code_f, rep).geometry for p in pack.layer_paths(key)]
    return shapely.union_all(np.asarray(pd.concat(geoms).values, dtype=object)), key


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
            log.append(
                {
                    "from_unit": str(units["unit_code"].iloc[owner[i]]),
                    "to_unit": str(units["unit_code"].iloc[best]),
                    "area_m2": round(float(pieces["area_m2"].iloc[i]), 1),
                }
            )
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
    places = read_csv(layer_file(pack, "places"), ["name", "easting", "northing", "LAD_code", "local_type"])
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
            rows.append(
                {**p, "x": pt.x, "y": pt.y, "method": f"2019 ward {p['wd19_name']} (approximated by its LSOAs)"}
            )
        else:
            rows.append({**p, "x": np.nan, "y": np.nan, "method": "not placed"})
    return pd.DataFrame(rows)


def _lsoa_wd19(pack: Pack) -> dict[str, shapely.Geometry]:
    rep = RepairReport()
    lsoa = pd.concat([read_polygons(p, "LSOA11CD", rep) for p in pack.layer_paths("lsoa")], ignore_index=True)
    lk = read_csv(layer_file(pack, "lsoa_ward_lookup"), ["LSOA11CD", "WD19CD"])
    m = lsoa.merge(lk[["LSOA11CD", "WD19CD"]], on="LSOA11CD")
    return {k: shapely.union_all(np.asarray(g.geometry.values, dtype=object)) for k, g in m.groupby("WD19CD")}


def build_units(pack: Pack, progress: Progress = _noop) -> UnitLayer:
    """Build the unit layer of a council from the data directory (no cache). See the module docstring."""
    t0 = time.perf_counter()
    rep = RepairReport()
    progress("reading wards", 0.05)
    wards = _read_wards(pack, rep)
    report: dict = {"parish_lookup": [], "parishes_without_polygon": 0, "tiling_against": "wards"}
    poly = pack.unit_type == "polygons"
    units, outline, held, lookup = _base_units(pack, wards, rep, report, progress)
    progress("resolving slivers", 0.45)
    units = _merge_all_slivers(units, pack.sliver_max_m2, report)
    if poly:  # areas the layer says a unit holds (e.g. parishes too small for an output area of their own)
        _add_held_parishes(units, held, report)
    units_cfg = pack.raw.get("units", {})
    place_in_polygons = poly and bool(pack.layers.get("parish_lookup") and units_cfg.get("place_parishes", True))
    if lookup is not None or place_in_polygons:
        progress("placing parishes without polygons", 0.55)
        _place_parishes_in_units(
            pack, units, wards, lookup if lookup is not None else _read_parish_lookup(pack), poly, report
        )
    units["area_km2"] = (units.geometry.area / 1e6).round(4)
    if poly:
        units["note"] = [
            _polygon_note(t, n, p)
            for t, n, p in zip(units["unit_type"], units["unit_name"], units["parishes"], strict=True)
        ]
    else:
        units["note"] = [_unit_note(t, p) for t, p in zip(units["unit_type"], units["parishes"], strict=True)]
        units["edge_source"] = [_edge_source(t) for t in units["unit_type"]]
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


def _base_units(
    pack: Pack, wards: gpd.GeoDataFrame, rep: RepairReport, report: dict, progress: Progress
) -> tuple[gpd.GeoDataFrame, object, dict, pd.DataFrame | None]:
    """The units before slivers are merged, by the pack's ``unit_type``: (units, the outline they should tile,
    parishes the layer says a unit holds, the parish lookup when parishes are units)."""
    outline = shapely.union_all(np.asarray(wards.geometry.values, dtype=object))
    if pack.unit_type == "polygons":
        progress("reading unit polygons", 0.15)
        units, extra = _polygon_units(pack, wards, rep)
        report["alt_codes"], report["alt_names"] = extra["alt_codes"], extra["alt_names"]
        report["split_by_ward"] = extra["groups"]
        progress("reading the outline", 0.25)
        outline, report["tiling_against"] = _polygon_outline(pack, wards, rep)
        return units, outline, extra["held"], None
    if pack.unit_type == "parish+ward_remainder":
        progress("reading parishes", 0.15)
        lookup = _read_parish_lookup(pack)
        parishes = _read_parishes(pack, lookup, outline, rep)
        progress("cutting ward remainders", 0.3)
        return _parish_and_remainder_units(parishes, wards), outline, {}, lookup
    units = wards.assign(
        unit_code=wards["ward_code"], unit_name=wards["ward_name"], unit_type="ward", parishes="", parish_codes=""
    )
    units = units[
        [
            "unit_code",
            "unit_name",
            "unit_type",
            "parishes",
            "parish_codes",
            "ward_code",
            "ward_name",
            "lad_code",
            "geometry",
        ]
    ].copy()
    return units, outline, {}, None


def _parish_and_remainder_units(parishes: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every parish a unit (in the ward it overlaps most), plus what is left of each ward outside the parishes
    (the whole ward when no parish touches it)."""
    par_union = shapely.union_all(np.asarray(parishes.geometry.values, dtype=object))
    rows = []
    for p in parishes.itertuples(index=False):
        w = wards.geometry.intersection(p.geometry).area.idxmax()
        rows.append(
            {
                "unit_code": p.parish_code,
                "unit_name": p.parish_name,
                "unit_type": "parish",
                "parishes": p.parish_name,
                "parish_codes": p.parish_code,
                "ward_code": wards["ward_code"].iloc[w],
                "ward_name": wards["ward_name"].iloc[w],
                "lad_code": wards["lad_code"].iloc[w],
                "geometry": p.geometry,
            }
        )
    for w in wards.itertuples(index=False):
        rest = polygonal_part(shapely.difference(w.geometry, par_union))
        if rest.is_empty:
            continue
        whole = rest.area > 0.999 * w.geometry.area
        rows.append(
            {
                "unit_code": w.ward_code if whole else f"WR-{w.ward_code}",
                "unit_name": f"{w.ward_name} (ward)" if whole else f"{w.ward_name} (ward remainder)",
                "unit_type": "ward" if whole else "ward_remainder",
                "parishes": "",
                "parish_codes": "",
                "ward_code": w.ward_code,
                "ward_name": w.ward_name,
                "lad_code": w.lad_code,
                "geometry": rest,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=BNG)


def _merge_all_slivers(units: gpd.GeoDataFrame, max_m2: float, report: dict) -> gpd.GeoDataFrame:
    """``merge_slivers`` until none is left (at most 5 rounds: a sliver whose only neighbours were slivers finds its
    home in the next round); the log goes to ``report``."""
    slivers: list[dict] = []
    for _ in range(5):
        units, log = merge_slivers(units, max_m2)
        slivers += log
        if not log:
            break
    report["slivers_merged"] = len(slivers)
    report["sliver_log"] = slivers
    return units


def _add_held_parishes(units: gpd.GeoDataFrame, held: dict[str, list[tuple[str, str]]], report: dict) -> None:
    """Append the parishes the polygon layer says a unit holds to its ``parishes``/``parish_codes`` (in place)."""
    pos = {c: i for i, c in enumerate(units["unit_code"])}
    for code, lst in held.items():
        i = pos.get(code)
        if i is None:
            continue
        names = [n for n in units.at[i, "parishes"].split(";") if n] + [n for n, _ in lst]
        codes = [c for c in units.at[i, "parish_codes"].split(";") if c] + [c for _, c in lst]
        units.at[i, "parishes"], units.at[i, "parish_codes"] = ";".join(names), ";".join(codes)
    report["held_by_layer"] = [
        {"parish_name": n, "parish_code": c, "unit_code": u} for u, lst in held.items() for n, c in lst
    ]


def _place_parishes_in_units(
    pack: Pack, units: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, lookup: pd.DataFrame, poly: bool, report: dict
) -> None:
    """Parishes of the lookup without a polygon of their own: located (OS Open Names point, else their 2019
    ward's LSOAs), given to the unit holding the point (else the nearest) and listed in its ``parishes``."""
    if poly:
        have = (
            set(units["unit_code"])
            | set(report.get("alt_codes", {}))
            | {c for cs in units["parish_codes"] for c in cs.split(";") if c}
        )
    else:
        have = set(units.loc[units["unit_type"] == "parish", "unit_code"])
    missing = lookup[~lookup["parish_code"].isin(have)].drop_duplicates("parish_code")
    placed = _place_parishes(pack, lookup, missing, wards)
    holders = (units if poly else units[units["unit_type"] != "parish"]).reset_index()
    parishes_of, log = _holders_of(pack, placed, holders, units)
    for idx, lst in parishes_of.items():
        lst.sort()
        if poly:  # keep the unit's own name first, then the layer's held parishes, then the placed ones
            names = [n for n in units.loc[idx, "parishes"].split(";") if n] + [n for n, _ in lst]
            codes = [c for c in units.loc[idx, "parish_codes"].split(";") if c] + [c for _, c in lst]
        else:
            names, codes = [n for n, _ in lst], [c for _, c in lst]
        units.loc[idx, "parishes"] = ";".join(names)
        units.loc[idx, "parish_codes"] = ";".join(codes)
    report["parish_lookup"] = log
    report["parishes_without_polygon"] = len(log) + len(report.get("held_by_layer", []))


def _holders_of(
    pack: Pack, placed: pd.DataFrame, holders: gpd.GeoDataFrame, units: gpd.GeoDataFrame
) -> tuple[dict[int, list[tuple[str, str]]], list[dict]]:
    """For each placed parish, the unit (row index of ``units``) that covers its point, else the nearest one;
    returns {unit index: [(parish name, code)]} and the placement log."""
    tree = STRtree(np.asarray(holders.geometry.values, dtype=object))
    parishes_of: dict[int, list[tuple[str, str]]] = {}
    log = []
    for p in placed.itertuples(index=False):
        if not np.isfinite(p.x):
            raise DataError(
                f"{pack.layer_path('parish_lookup')}: parish {p.parish_code} {p.parish_name} "
                "could not be placed (no OS Open Names point, no LSOAs for its 2019 ward)"
            )
        pt = shapely.Point(p.x, p.y)
        hit = [j for j in tree.query(pt) if holders.geometry.iloc[j].covers(pt)]
        how = "point in unit"
        if not hit:
            j = int(tree.nearest(pt))
            hit, how = [j], f"nearest unit ({holders.geometry.iloc[j].distance(pt):.0f} m away)"
        idx = int(holders["index"].iloc[hit[0]])
        parishes_of.setdefault(idx, []).append((p.parish_name, p.parish_code))
        log.append(
            {
                "parish_code": p.parish_code,
                "parish_name": p.parish_name,
                "unit_code": units["unit_code"].iloc[idx],
                "located_by": p.method,
                "assigned_by": how,
            }
        )
    return parishes_of, log


def _edge_source(unit_type: str) -> str:
    return {
        "parish": "OpenStreetMap parish polygon (ODbL), clipped to the council's wards",
        "ward_remainder": "ONS 2013 ward minus the OpenStreetMap parish polygons inside it",
        "ward": "ONS 2013 ward boundary",
    }.get(unit_type, "")


def _polygon_note(unit_type: str, name: str, parishes: str) -> str:
    """Plain-English note of a unit of a ``polygons`` pack: which other parishes it holds, if any."""
    names = [p for p in parishes.split(";") if p]
    others = [p for p in names if p != name]
    base = {"parish": "civil parish", "unparished": "unparished area (no parish council)"}.get(unit_type, unit_type)
    if not others:
        return base
    return (
        f"{base}; also holds {', '.join(others)} (civil parish{'es' if len(others) > 1 else ''} too small for a "
        f"2011 output area of {'their' if len(others) > 1 else 'its'} own, or newer): "
        f"{'their' if len(others) > 1 else 'its'} hours and band are this unit's"
    )


def _unit_note(unit_type: str, parishes: str) -> str:
    n = len([p for p in parishes.split(";") if p])
    if unit_type == "parish":
        return "civil parish (polygon from OpenStreetMap)"
    if n == 0:
        return "unparished area" if unit_type == "ward_remainder" else "ward"
    what = "the part of the ward outside parish polygons" if unit_type == "ward_remainder" else "the whole ward"
    return (
        f"{what}; holds {n} civil parish{'es' if n > 1 else ''} without a polygon in the data directory "
        f"({parishes.replace(';', ', ')}): their hours and band are this unit's"
    )


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
        for col in ("parishes", "parish_codes", "note", "edge_source"):
            units[col] = units[col].fillna("")
        units["hours_estimated"] = units["hours_estimated"].astype(bool)
        m = json.loads(meta.read_text())
        return UnitLayer(
            pack=pack,
            units=units,
            report=m["report"],
            zones_note=m["zones_note"],
            cached=True,
            build_s=time.perf_counter() - t0,
        )
    layer = build_units(pack, progress)
    tmp = gpkg.with_suffix(f".{os.getpid()}.tmp.gpkg")
    layer.units.to_file(tmp, layer="units", driver="GPKG", engine="pyogrio")
    tmp_meta = meta.with_suffix(f".{os.getpid()}.tmp")
    tmp_meta.write_text(json.dumps({"report": layer.report, "zones_note": layer.zones_note}, default=str))
    tmp_meta.replace(meta)
    tmp.replace(gpkg)  # the GeoPackage appears last: its presence means both files are complete
    return layer
