"""All-England layers on today's geography, and council packs generated from them (``zoneplan council new``).

Inputs (``$ZONEPLAN_DATA/england_current/``, OGL v3; see ``FILES``): the 153 upper-tier councils with adult social
care duties and their districts (``LTLA23_UTLA23_UK.csv``), LSOA 2021 polygons (BSC, EPSG:4326), the best-fit
LSOA 2021 -> ward 2024 -> district 2024 lookup, the LSOA 2011 -> 2021 lookup, ONS mid-2020 population by age on
LSOA 2011, Census 2021 residents on LSOA 2021 and the Indices of Deprivation 2025 on LSOA 2021.

Rules (all areas EPSG:27700 m² / km²):

- **Council**: a code (``E10000007``) or a name (``Derbyshire``, any case); its districts are the ``ltla23_code``
  rows of the code, its LSOAs the LSOA 2021 rows of the lookup whose ``LAD24CD`` is one of them.
- **Population on LSOA 2021** (``lsoa21_population``): each 2011 LSOA's mid-2020 counts are shared among the 2021
  LSOAs the lookup gives it, in proportion to their Census 2021 residents (by area where those are all zero or
  missing), then summed per 2021 LSOA. So U (unchanged) rows pass whole, S (split) rows are shared by the
  population of the 2021 pieces, M (merged) rows are summed, and X (irregular, 9 rows in England: Gateshead /
  Northumberland, Stevenage / East Herts / St Albans / Welwyn Hatfield) are treated as splits of each 2011 LSOA
  among its listed 2021 LSOAs, by the whole 2021 LSOA's residents (an approximation: the part of that 2021 LSOA
  that came from another 2011 LSOA counts too). England's total is conserved exactly (before rounding).
- **Demand weight** of an LSOA = 65-74 ×1 + 75-84 ×3.5 + 85+ ×10 persons (Leicestershire report para 40, as
  ``geodata.demand``); a unit's weight is the sum of its LSOAs'.
- **Weekly hours** when none is given: ``HOURS_PER_1000_WEIGHT`` (87.6) hours a week per 1,000 demand-weighted
  residents: the pooled ratio of the four seed councils' stated totals (Leicestershire 37,925, Coventry 14,370,
  Merton 8,400, Bradford 19,600 h/week) to their demand weight (80.8-104.3 per council). Flagged ESTIMATED.
- **Hubs**: the towns file (built-up areas of 5,000+ residents, Census 2021) where it covers the council (the
  file holds towns within 40 km of the seed councils; it covers a council when the council and a
  ``TOWN_MARGIN_KM`` ring around it lie within that 40 km and every place of the file in that ring has a
  population; never for London, whose populations the file lacks); elsewhere towns derived from the LSOA layer: LSOAs of
  at least ``BUILT_UP_PER_KM2`` Census 2021 residents per km² are "built-up", touching built-up LSOAs form a
  town, and towns of ``TOWN_MIN_RESIDENTS`` or more residents are hubs (within the council and the margin
  ring, so towns over the border count). Each built-up LSOA of such a town is one hub point (so "minutes from
  the town's edge" follows the town's shape; a conurbation is not one disc); the pack's ``[hubs]
  min_population`` is then 0, the 5,000 rule having been applied when deriving. Flagged ESTIMATED.
  Why 500 residents per km²: checked against the towns file where both exist. Inside Leicestershire (31 towns of
  5,000+ in the file), 97 % of the file's towns have a derived hub point within 1.5 km at 500 per km², 74 % at
  1,000, 55 % at 2,000, while the share of hub LSOAs more than 3 km from any file town stays about 4 % at every
  threshold (Bradford: 100 % / 85 % / 46 %). Market-town LSOAs reach into fields, so a higher cut misses small
  towns; an isolated village LSOA at 500 per km² does not make a town unless touching built-up LSOAs reach 5,000
  residents (tests/integration/test_council_real.py repeats the check). The hub discs use 4,000 per km².
- **Units**: the council's LSOAs 2021 (default), or wards 2024 dissolved from them by the best-fit lookup (a ward
  that receives no LSOA in the best fit has no unit; its area lies in its neighbours').

The generated pack is written to the local packs directory (``geodata.packs.packs_dir``): ``<id>.toml`` and a
folder ``<id>/`` with the derived files (``lsoa21.gpkg``, ``wards24.gpkg``, ``demand.csv``, ``towns.csv``,
``membership.csv``: unit -> LSOA 2021, read by ``unit_lsoa21``).
"""

from __future__ import annotations

import difflib
import json
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .datadir import DataError, data_dir, data_path
from .layers import read_csv
from .names import norm_name
from .validate import BNG

FILES = {
    "councils": "england_current/lookups/LTLA23_UTLA23_UK.csv",
    "lsoa21_ward24": "england_current/lookups/LSOA21_WD24_LAD24_EW_bestfit.csv",
    "lsoa11_lsoa21": "england_current/lookups/LSOA11_LSOA21_LAD22_EW.csv",
    "population_2020": "england_current/population/ons_sape_mid2020_lsoa11_age_bands_England.csv",
    "census2021": "england_current/population/census2021_age6_lsoa21_EW.csv",
    "imd2025": "england_current/deprivation/IoD2025_LSOA21_England.csv",
    "lsoa21_polygons": "england_current/boundaries/lsoa21_bsc_v4_england.gpkg",
    "lad24_polygons": "england_current/boundaries/lad24_buc_uk.gpkg",
    "towns": "places/towns_within_40km_targetLAs.csv",
}
AGE_WEIGHTS = {"age_65_74": 1.0, "age_75_84": 3.5, "age_85_plus": 10.0}
HOURS_PER_1000_WEIGHT = 87.6
SEED_HOURS = {"leicestershire": 37925, "coventry": 14370, "merton": 8400, "bradford": 19600}
SEED_LADS = {
    "leicestershire": [f"E070001{i}" for i in range(29, 36)],
    "coventry": ["E08000026"],
    "merton": ["E09000024"],
    "bradford": ["E08000032"],
}
TOWNS_FILE_TARGETS = ["E06000016", *SEED_LADS["leicestershire"], "E08000026", "E08000032", "E09000024"]
TOWNS_FILE_REACH_KM = 40.0
TOWN_MARGIN_KM = 10.0
BUILT_UP_PER_KM2 = 500.0
TOWN_MIN_RESIDENTS = 5000
UNIT_KINDS = ("lsoa", "ward")
VINTAGE = {
    "boundaries": "ONS LSOA (Dec 2021) BSC V4; wards May 2024 by the ONS best-fit LSOA lookup; districts May 2024",
    "population": "ONS mid-2020 estimates by age (LSOA 2011, moved to LSOA 2021); Census 2021 residents",
    "deprivation": "English Indices of Deprivation 2025 (LSOA 2021)",
}
STAND_IN_RATES = {"urban": "25.27", "fringe": "26.36", "rural": "29.39", "isolated": "32.71"}
BANDS = ("urban", "fringe", "rural", "isolated")


@dataclass(frozen=True)
class Council:
    """An upper-tier council: code, name, its districts (codes and names)."""

    code: str
    name: str
    lad_codes: tuple[str, ...]
    lad_names: tuple[str, ...]

    @property
    def kind(self) -> str:
        return {"E10": "county", "E06": "unitary", "E08": "metropolitan district", "E09": "London borough"}.get(
            self.code[:3], "council"
        )


def national_path(key: str) -> Path:
    """Path of a national file (``FILES`` key); a missing file raises DataError naming it."""
    return data_path(FILES[key])


@lru_cache(maxsize=4)
def _councils(root: str) -> dict[str, Council]:
    df = read_csv(national_path("councils"), ["ltla23_code", "ltla23_name", "utla23_code", "utla23_name"])
    df = df[df["utla23_code"].str.startswith("E")]
    out = {}
    for code, g in df.groupby("utla23_code", sort=True):
        g = g.sort_values("ltla23_code")
        out[code] = Council(code, str(g["utla23_name"].iloc[0]), tuple(g["ltla23_code"]), tuple(g["ltla23_name"]))
    return out


def councils() -> dict[str, Council]:
    """The English upper-tier councils (153 in the 2023 lookup) by code."""
    return _councils(str(data_dir()))


def resolve_council(query: str) -> Council:
    """A council by code or name (case, spaces and punctuation ignored; "Bristol" for "Bristol, City of").
    Unknown: DataError with the nearest names (difflib)."""
    q = str(query or "").strip()[:100]
    allc = councils()
    if q.upper() in allc:
        return allc[q.upper()]
    by_name = {norm_name(c.name): c for c in allc.values()}
    for c in allc.values():  # "Bristol" for "Bristol, City of", "Herefordshire" for "Herefordshire, County of"
        by_name.setdefault(norm_name(c.name.split(",")[0]), c)
    if norm_name(q) in by_name:
        return by_name[norm_name(q)]
    near = difflib.get_close_matches(norm_name(q), list(by_name), n=5, cutoff=0.5)
    hint = ", ".join(dict.fromkeys(f"{by_name[n].name} ({by_name[n].code})" for n in near)) or "none close"
    safe = "".join(ch for ch in q if ch.isprintable())[:60]
    raise DataError(
        f"unknown council '{safe}': not one of the {len(allc)} English upper-tier councils in "
        f"{FILES['councils']}; nearest names: {hint}"
    )


@lru_cache(maxsize=2)
def _lookup(root: str) -> pd.DataFrame:
    df = read_csv(national_path("lsoa21_ward24"), ["LSOA21CD", "LSOA21NM", "WD24CD", "WD24NM", "LAD24CD", "LAD24NM"])
    return df[df["LSOA21CD"].str.startswith("E")].reset_index(drop=True)


def council_lsoas(council: Council) -> pd.DataFrame:
    """The council's LSOA 2021 rows of the best-fit lookup: LSOA21CD, LSOA21NM, WD24CD, WD24NM, LAD24CD, LAD24NM."""
    lk = _lookup(str(data_dir()))
    out = lk[lk["LAD24CD"].isin(council.lad_codes)].sort_values("LSOA21CD").reset_index(drop=True)
    missing = sorted(set(council.lad_codes) - set(out["LAD24CD"]))
    if missing:
        raise DataError(
            f"{national_path('lsoa21_ward24')}: no LSOA 2021 for district(s) {', '.join(missing)} "
            f"of {council.name} ({council.code})"
        )
    return out


def _num(df: pd.DataFrame, cols, path) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        out[c] = pd.to_numeric(out[c], errors="coerce")
        if out[c].isna().any() or (out[c] < 0).any():
            bad = out.loc[out[c].isna() | (out[c] < 0)].iloc[0]
            raise DataError(f"{path}: column {c} missing or negative for {bad.iloc[0]}")
    return out


@lru_cache(maxsize=2)
def _lsoa21_population(root: str) -> pd.DataFrame:
    lk_path, pop_path, c21_path = (national_path(k) for k in ("lsoa11_lsoa21", "population_2020", "census2021"))
    lk = read_csv(lk_path, ["LSOA11CD", "LSOA21CD", "CHGIND"])
    lk = lk[lk["LSOA21CD"].str.startswith("E")].drop_duplicates(["LSOA11CD", "LSOA21CD"])
    bands = ["all_ages", *AGE_WEIGHTS]
    pop = _num(read_csv(pop_path, ["LSOA11CD", *bands]), bands, pop_path)
    c21 = _num(read_csv(c21_path, ["LSOA21CD", "all_usual_residents"]), ["all_usual_residents"], c21_path)
    res = dict(zip(c21["LSOA21CD"], c21["all_usual_residents"]))
    lk = lk.assign(res=lk["LSOA21CD"].map(res).fillna(0.0).astype(float))
    tot = lk.groupby("LSOA11CD")["res"].transform("sum")
    by_area = tot <= 0
    if by_area.any():  # no Census residents in any piece: share by the pieces' areas
        need = sorted(set(lk.loc[by_area, "LSOA21CD"]))
        areas = _lsoa21_areas(need)
        lk.loc[by_area, "res"] = lk.loc[by_area, "LSOA21CD"].map(areas).fillna(0.0)
        tot = lk.groupby("LSOA11CD")["res"].transform("sum")
    n_targets = lk.groupby("LSOA11CD")["LSOA21CD"].transform("size")
    lk["share"] = np.where(tot > 0, lk["res"] / tot.where(tot > 0, 1.0), 1.0 / n_targets)
    lk["by_area"] = by_area
    m = lk.merge(pop, on="LSOA11CD", how="inner")
    for b in bands:
        m[b] = m[b] * m["share"]
    out = m.groupby("LSOA21CD")[bands].sum()
    grp = lk.assign(is_x=lk["CHGIND"] == "X").groupby("LSOA21CD")
    change = pd.Series(np.where(grp["is_x"].max(), "X", grp["CHGIND"].first()), index=grp["is_x"].max().index)
    out["change"] = change.reindex(out.index).fillna("U")
    out["shared_by_area"] = grp["by_area"].max().reindex(out.index).fillna(False).astype(bool)
    out["census2021_residents"] = pd.Series(res).reindex(out.index).fillna(0.0)
    return out.reset_index()


def lsoa21_population() -> pd.DataFrame:
    """Mid-2020 population by age band on LSOA 2021 for England (see module docstring): LSOA21CD, all_ages,
    age_65_74, age_75_84, age_85_plus (persons, not rounded), change (U/S/M/X of the 2011->2021 lookup),
    shared_by_area, census2021_residents."""
    return _lsoa21_population(str(data_dir()))


def _lsoa21_areas(codes: list[str]) -> dict[str, float]:
    g = read_lsoa21(codes=codes)
    return dict(zip(g["LSOA21CD"], g.geometry.area))


def _in_list(field: str, values) -> str:
    vals = [v for v in values if set(v) <= set("EW0123456789")]
    return f"{field} IN ({','.join(repr(str(v)) for v in vals)})" if vals else "1=0"


def read_lsoa21(lad_codes=None, codes=None, bbox_bng=None) -> gpd.GeoDataFrame:
    """LSOA 2021 polygons in EPSG:27700 (columns LSOA21CD, LSOA21NM, WD24CD, LAD24CD, geometry), filtered by
    district codes, LSOA codes or a box in EPSG:27700 metres (minx, miny, maxx, maxy)."""
    import pyogrio

    path = national_path("lsoa21_polygons")
    kw: dict[str, object] = {}
    if lad_codes is not None:
        kw["where"] = _in_list("LAD24CD", lad_codes)
    elif codes is not None:
        kw["where"] = _in_list("LSOA21CD", codes)
    if bbox_bng is not None:
        box = gpd.GeoSeries([shapely.box(*bbox_bng)], crs=BNG).to_crs("EPSG:4326").total_bounds
        kw["bbox"] = tuple(box)
    try:
        g = pyogrio.read_dataframe(path, **kw)
    except Exception as exc:  # noqa: BLE001 - a broken national file: name it
        raise DataError(f"{path}: cannot read the LSOA 2021 polygons: {type(exc).__name__}") from None
    if g.crs is None:
        raise DataError(f"{path}: layer has no CRS")
    g = g.to_crs(BNG)
    g["geometry"] = shapely.make_valid(g.geometry.values)
    return g


def derive_towns(
    lsoa: gpd.GeoDataFrame,
    residents: pd.Series,
    per_km2: float = BUILT_UP_PER_KM2,
    min_residents: int = TOWN_MIN_RESIDENTS,
) -> pd.DataFrame:
    """Towns from LSOA polygons (EPSG:27700) and their residents (indexed by LSOA21CD): built-up LSOAs (at least
    ``per_km2`` residents per km²) that touch (20 m tolerance: generalised edges) form a town; the towns of
    ``min_residents`` or more are kept. One row per built-up LSOA of a kept town, so the town keeps its shape
    (a conurbation is not one disc): name (the town's: the ward, else LSOA name, holding most of its residents,
    "(built-up LSOAs)"), easting, northing (the LSOA's point on surface), population (the LSOA's residents),
    town_population, town_id, LSOA21CD, source."""
    cols = ["name", "easting", "northing", "population", "town_population", "town_id", "LSOA21CD", "source"]
    if not len(lsoa):
        return pd.DataFrame(columns=cols)
    res = lsoa["LSOA21CD"].map(residents).fillna(0.0).to_numpy(float)
    dens = res / np.maximum(lsoa.geometry.area.to_numpy() / 1e6, 1e-6)
    bu = np.flatnonzero(dens >= per_km2)
    if not len(bu):
        return pd.DataFrame(columns=cols)
    geoms = np.asarray(lsoa.geometry.values, dtype=object)[bu]
    a, b = shapely.STRtree(geoms).query(shapely.buffer(geoms, 20.0), predicate="intersects")
    n = len(bu)
    _, label = connected_components(coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n)), directed=False)
    pts = shapely.point_on_surface(geoms)
    r = res[bu]
    namecol = "WD24NM" if "WD24NM" in lsoa.columns else "LSOA21NM"
    names_all = lsoa[namecol].to_numpy()[bu]
    codes = lsoa["LSOA21CD"].to_numpy()[bu]
    src = f"derived: touching LSOAs of {per_km2:,.0f}+ residents per km², towns of {min_residents:,}+ (Census 2021)"
    frames = []
    for lab in np.unique(label):
        k = np.flatnonzero(label == lab)
        pop = float(r[k].sum())
        if pop < min_residents:
            continue
        name = pd.Series(r[k], index=names_all[k]).groupby(level=0).sum().idxmax()
        frames.append(
            pd.DataFrame(
                {
                    "name": f"{name} (built-up LSOAs)",
                    "easting": shapely.get_x(pts[k]).round(1),
                    "northing": shapely.get_y(pts[k]).round(1),
                    "population": r[k].round(0),
                    "town_population": round(pop),
                    "town_id": int(lab),
                    "LSOA21CD": codes[k],
                    "source": src,
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["town_population", "LSOA21CD"], ascending=[False, True]).reset_index(drop=True)[cols]


def towns_file_covers(outline, towns: pd.DataFrame) -> bool:
    """True when the towns file (``towns``: name, easting, northing, population) serves the council: the council
    and a ``TOWN_MARGIN_KM`` ring lie within ``TOWNS_FILE_REACH_KM`` of the file's target districts (LAD 2024
    polygons, EPSG:27700), and every place of the file inside that ring has a population (the file has none
    for London)."""
    import pyogrio

    path = national_path("lad24_polygons")
    lads = pyogrio.read_dataframe(path, where=_in_list("LAD24CD", TOWNS_FILE_TARGETS)).to_crs(BNG)
    reach = shapely.union_all(np.asarray(lads.geometry.values, dtype=object)).buffer(TOWNS_FILE_REACH_KM * 1000)
    ring = outline.buffer(TOWN_MARGIN_KM * 1000)
    if not reach.contains(ring):
        return False
    x, y = pd.to_numeric(towns["easting"], errors="coerce"), pd.to_numeric(towns["northing"], errors="coerce")
    ok = x.notna() & y.notna()
    inside = np.zeros(len(towns), dtype=bool)
    inside[ok.to_numpy()] = shapely.contains_xy(ring, x[ok].to_numpy(float), y[ok].to_numpy(float))
    return bool(pd.to_numeric(towns["population"], errors="coerce")[inside].notna().all())


# ---------------------------------------------------------------- building a pack


def pack_id(council: Council, units: str) -> str:
    """The id of a generated pack: the council's name in lower case, ``_lsoa21`` or ``_ward24``."""
    slug = "_".join(norm_name(council.name).split())[:50]
    return f"{slug}_{'lsoa21' if units == 'lsoa' else 'ward24'}"


def _lsoa_frame(council: Council) -> tuple[gpd.GeoDataFrame, dict]:
    lk = council_lsoas(council)
    g = read_lsoa21(lad_codes=council.lad_codes)
    missing = sorted(set(lk["LSOA21CD"]) - set(g["LSOA21CD"]))
    if missing:
        raise DataError(
            f"{national_path('lsoa21_polygons')}: no polygon for LSOA(s) {', '.join(missing[:10])} of {council.name}"
        )
    g = g[g["LSOA21CD"].isin(set(lk["LSOA21CD"]))][["LSOA21CD", "geometry"]]
    g = g.merge(lk, on="LSOA21CD").sort_values("LSOA21CD").reset_index(drop=True)
    pop = lsoa21_population().set_index("LSOA21CD")
    no_pop = sorted(set(g["LSOA21CD"]) - set(pop.index))
    if no_pop:
        raise DataError(
            f"{national_path('population_2020')}: no mid-2020 population reaches LSOA 2021 "
            f"{', '.join(no_pop[:10])} through {national_path('lsoa11_lsoa21')}"
        )
    p = pop.loc[g["LSOA21CD"]]
    for c in ["all_ages", *AGE_WEIGHTS, "census2021_residents"]:
        g[c] = p[c].to_numpy(float).round(3)
    g["weight"] = sum(g[c] * k for c, k in AGE_WEIGHTS.items()).round(3)
    g["change_2011"] = p["change"].to_numpy()
    imd = read_csv(national_path("imd2025"), ["LSOA21CD", "IMD_decile", "IMD_rank"])
    g = g.merge(imd[["LSOA21CD", "IMD_decile", "IMD_rank"]], on="LSOA21CD", how="left")
    g["area_km2"] = (g.geometry.area / 1e6).round(4)
    ch = p["change"].value_counts()
    info = {
        "unchanged": int(ch.get("U", 0)),
        "split_pieces": int(ch.get("S", 0)),
        "merged": int(ch.get("M", 0)),
        "irregular_X": int(ch.get("X", 0)),
        "shared_by_area": int(p["shared_by_area"].sum()),
        "irregular_rule": "X rows: each 2011 LSOA shared among its listed 2021 LSOAs by their Census 2021 residents",
    }
    return gpd.GeoDataFrame(g, geometry="geometry", crs=BNG), info


def _wards_from(lsoa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    keep = ["WD24CD", "WD24NM", "LAD24CD", "LAD24NM"]
    w = lsoa[keep + ["geometry"]].dissolve(by="WD24CD", as_index=False, aggfunc="first")
    return w[keep + ["geometry"]].sort_values("WD24CD").reset_index(drop=True)


def _towns(council: Council, lsoa: gpd.GeoDataFrame, outline) -> tuple[pd.DataFrame, str]:
    t = read_csv(national_path("towns"), ["name", "easting", "northing", "population"])
    london = any(c.startswith("E09") for c in council.lad_codes)  # the file has no London populations (README)
    if not london and towns_file_covers(outline, t):
        return t[["name", "easting", "northing", "population"]].assign(source=FILES["towns"]), "towns file"
    minx, miny, maxx, maxy = outline.bounds
    m = TOWN_MARGIN_KM * 1000
    ring = read_lsoa21(bbox_bng=(minx - m, miny - m, maxx + m, maxy + m))
    ring = ring[ring.geometry.intersects(outline.buffer(m))]
    res = lsoa21_population().set_index("LSOA21CD")["census2021_residents"]
    wn = _lookup(str(data_dir())).set_index("LSOA21CD")["WD24NM"]
    ring = ring.assign(WD24NM=ring["LSOA21CD"].map(wn).fillna(ring["LSOA21NM"]))
    towns = derive_towns(ring, res)
    if len(towns):
        return towns, "derived from LSOAs"
    # no town of 5,000+ within reach (the Isles of Scilly): the largest group of touching LSOAs is the hub
    ours = ring[ring["LSOA21CD"].isin(set(lsoa["LSOA21CD"]))]
    towns = derive_towns(ours, res, per_km2=0.0, min_residents=0)
    towns = towns[towns["town_id"] == towns["town_id"].iloc[0]] if len(towns) else towns
    return towns.assign(
        source="derived: no town of 5,000+ within reach; the council's largest group of touching LSOAs"
    ), "derived from LSOAs (no town of 5,000+)"


def _q(s) -> str:
    return json.dumps(str(s), ensure_ascii=False)


def _read_rates(path: str | None) -> tuple[dict[str, str], bool, str]:
    """A rate card file (CSV: band, rate_gbp_per_hour; one row per band) or the labelled stand-in. The card's
    bands are the pack's: a card naming only default bands needs all four (``BANDS``); a card naming any other
    band gives the pack its own bands, in the file's row order (least remote first; ``packs.check_band_names``).
    Returns the rates in band order."""
    if not path:
        return dict(STAND_IN_RATES), True, "STAND-IN: Leicestershire 2025/26 card (report para 42)"
    from decimal import Decimal

    from .limits import MAX_CSV_BYTES, bounded_decimal
    from .packs import check_band_names

    if Path(path).is_file() and Path(path).stat().st_size > MAX_CSV_BYTES:
        raise DataError(f"{path}: larger than {MAX_CSV_BYTES:,} bytes; a rate card has one row per band")
    df = read_csv(Path(path), ["band", "rate_gbp_per_hour"])
    if len(df) > 20:
        raise DataError(f"{path}: {len(df)} rows; a rate card has one row per band")
    names = [str(b) for b in df["band"].astype(str).str.strip().str.lower()]
    order = BANDS if set(names) <= set(BANDS) else check_band_names(names, f"{path}: bands")
    rates = {}
    for b, r in zip(names, df["rate_gbp_per_hour"]):
        rates[b] = str(bounded_decimal(r, f"rate for {b}", Decimal(0), Decimal(1000), 2))
    missing = [b for b in order if b not in rates]
    if missing:
        raise DataError(f"{path}: no rate for band(s) {', '.join(missing)}")
    return {b: rates[b] for b in order}, False, f"council rate card {Path(path).name}"


def _classify_toml(bands: tuple[str, ...]) -> str:
    """The generated pack's ``[classify]`` section: Leicestershire's calibrated thresholds for the default bands,
    else the default thresholds spread over the pack's own bands (``zones.classify.default_prior``)."""
    if bands == BANDS:
        return '[classify]\nmodel = "leicestershire"\n'
    return (
        "# thresholds: the default spread over this pack's bands (zones.classify.default_prior), not calibrated;\n"
        '# replace `thresholds = "default"` by one value per threshold, or calibrate with [targets]\n'
        '[classify]\nthresholds = "default"\n'
    )


def _toml(
    council: Council,
    pid: str,
    units: str,
    hours: float,
    hours_source: str,
    estimated_total: bool,
    towns_src: str,
    rates: dict,
    stand_in: bool,
    zones_field: str,
    zone_names: dict,
) -> str:
    names = "\n".join(f"{_q(k)} = {_q(v)}" for k, v in sorted(zone_names.items()))
    return f"""# Generated by `zoneplan council new {council.code}` from the national layers (geodata/national.py).
# Derived files live in ./{pid}/ beside this file. Edit rates and hours here; rebuild to refresh the layers.
[council]
id = {_q(pid)}
name = {_q(f"{council.name} ({'LSOAs 2021' if units == 'lsoa' else 'wards 2024'})")}
authority = {_q(council.name)}
code = {_q(council.code)}
kind = {_q(council.kind)}
generated = true
lad_codes = [{", ".join(_q(c) for c in council.lad_codes)}]
unit_type = "polygons"
bands = [{", ".join(_q(b) for b in rates)}]
zone_label = "zone"
weekly_hours_total = {hours:.2f}
weekly_hours_source = {_q(hours_source)}
weekly_hours_estimated = {str(estimated_total).lower()}
sliver_max_m2 = 0

{_toml_layers(pid, units, towns_src)}
[rates."2025/26"]
stand_in = {str(stand_in).lower()}
{chr(10).join(f"{b} = {_q(rates[b])}" for b in rates)}

[zones]
method = "field"
field = {_q(zones_field)}
note = {_q("seed zones: one per district" if zones_field == "lad_code" else "seed zones: one per ward 2024")}

[zones.names]
{names}

[hubs]
towns = "towns"
min_population = {TOWN_MIN_RESIDENTS if towns_src == "towns file" else 0}
density_per_km2 = 4000
source = {_q(towns_src)}

{_classify_toml(tuple(rates))}"""


def _toml_layers(pid: str, units: str, towns_src: str) -> str:
    """The generated pack's [vintage], [layers], [units], [demand] and [travel] sections (its files in ./{pid}/)."""
    unit_layer = "lsoa" if units == "lsoa" else "wards"
    code_f, name_f = ("LSOA21CD", "LSOA21NM") if units == "lsoa" else ("WD24CD", "WD24NM")
    towns_line = f"towns = {_q(FILES['towns'])}" if towns_src == "towns file" else f'towns = "./{pid}/towns.csv"'
    return f"""[vintage]
boundaries = {_q(VINTAGE["boundaries"])}
population = {_q(VINTAGE["population"])}
deprivation = {_q(VINTAGE["deprivation"])}

[layers]
wards = "./{pid}/wards24.gpkg"
ward_code_field = "WD24CD"
ward_name_field = "WD24NM"
ward_district_field = "LAD24CD"
lsoa = "./{pid}/lsoa21.gpkg"
lsoa_code_field = "LSOA21CD"
demand = "./{pid}/demand.csv"
membership = "./{pid}/membership.csv"
{towns_line}

[units]
layer = {_q(unit_layer)}
code_field = {_q(code_f)}
name_field = {_q(name_f)}
district_field = "LAD24CD"
kind = {_q("lsoa" if units == "lsoa" else "ward")}
edge_source = {_q("ONS LSOA 2021 (BSC)" if units == "lsoa" else "ONS wards 2024 dissolved from LSOA 2021 (best fit)")}
outline = "lsoa"
outline_code_field = "LSOA21CD"
place_parishes = false

[demand]
unit_weights = "demand"
method = "ESTIMATE: weekly total shared by age-weighted residents (mid-2020, 65-74 x1, 75-84 x3.5, 85+ x10)"
age_weights = {{ age_65_74 = 1.0, age_75_84 = 3.5, age_85_plus = 10.0 }}

[travel]
client_layer = "lsoa"
client_code_field = "LSOA21CD"
client_weight_field = "weight"
"""


def weekly_hours(weight: float, stated=None) -> tuple[float, bool, str]:
    """The council's weekly hours: ``stated`` (checked: more than 0, at most 10,000,000, 2 decimals) or the
    estimate ``weight / 1000 × HOURS_PER_1000_WEIGHT``. Returns hours, estimated?, source text."""
    from decimal import Decimal

    from .limits import bounded_decimal

    if stated is None:
        text = (
            f"ESTIMATE: {HOURS_PER_1000_WEIGHT} h/week per 1,000 age-weighted residents (the four seed "
            f"councils' pooled ratio) x {weight:,.0f}; replace with the council's own figure"
        )
        return round(weight / 1000 * HOURS_PER_1000_WEIGHT, 2), True, text
    hours = float(bounded_decimal(stated, "--hours-per-week", Decimal(0), Decimal(10_000_000), 2))
    if hours <= 0:
        raise DataError("--hours-per-week must be more than 0")
    return hours, False, "stated with `zoneplan council new --hours-per-week`"


def build_pack(
    query: str,
    units: str = "lsoa",
    hours_per_week: float | None = None,
    rates_file: str | None = None,
    out_dir: Path | None = None,
) -> dict:
    """Write a generated pack for a council (code or name) to ``out_dir`` (default the local packs directory)
    and return the summary ``zoneplan council new`` prints. See the module docstring for every rule."""
    from .packs import packs_dir

    t0 = time.perf_counter()
    if units not in UNIT_KINDS:
        raise DataError(f"--units must be one of {', '.join(UNIT_KINDS)}")
    council = resolve_council(query)
    rates, stand_in, rates_src = _read_rates(rates_file)
    lsoa, transfer = _lsoa_frame(council)
    outline = shapely.union_all(np.asarray(lsoa.geometry.values, dtype=object))
    wards = _wards_from(lsoa)
    towns, towns_src = _towns(council, lsoa, outline)
    if not len(towns):
        raise DataError(f"{council.name}: no town of {TOWN_MIN_RESIDENTS:,}+ residents found for hubs")
    weight = float(lsoa["weight"].sum())
    hours, est, hsrc = weekly_hours(weight, hours_per_week)
    pid = pack_id(council, units)
    base = Path(out_dir) if out_dir else packs_dir(create=True)
    folder = base / pid
    folder.mkdir(parents=True, exist_ok=True)
    member, dem = _membership_and_demand(lsoa, units)
    _write(folder, lsoa, wards, dem, member, towns if towns_src != "towns file" else None)
    zones_field, zone_names = _seed_zones(council, wards, units)
    text = _toml(council, pid, units, hours, hsrc, est, towns_src, rates, stand_in, zones_field, zone_names)
    path = base / f"{pid}.toml"
    _write_atomic(path, text)
    tiling = _tiling(lsoa, wards, units, council)
    return {
        "council": pid,
        "code": council.code,
        "name": council.name,
        "kind": council.kind,
        "districts": list(council.lad_codes),
        "pack": str(path),
        "units": units,
        "n_units": int(len(lsoa) if units == "lsoa" else len(wards)),
        "n_lsoa21": len(lsoa),
        "population": {
            "mid2020_all_ages": round(float(lsoa["all_ages"].sum())),
            "mid2020_65_plus": round(float(lsoa[list(AGE_WEIGHTS)].sum().sum())),
            "census2021_residents": round(float(lsoa["census2021_residents"].sum())),
            "demand_weight": round(weight, 1),
            "transfer_2011_to_2021": transfer,
        },
        "hours_per_week": hours,
        "tiling": tiling,
        "hubs": _hubs_summary(towns, towns_src, outline),
        "rates": {"source": rates_src, "stand_in": stand_in},
        "bands": list(rates),
        "estimated": [
            x
            for x, flag in (
                ("weekly_hours_total", est),
                ("hours_per_unit", True),
                ("hubs", towns_src != "towns file"),
                ("rates", stand_in),
                ("travel_times", True),
            )
            if flag
        ],
        "vintage": VINTAGE,
        "build_s": round(time.perf_counter() - t0, 2),
    }


def _membership_and_demand(lsoa: pd.DataFrame, units: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Which LSOA 2021 each unit holds (``unit_code, LSOA21CD``) and each unit's demand weight, residents by age
    and Census 2021 residents (sums over its LSOAs)."""
    code_col = "LSOA21CD" if units == "lsoa" else "WD24CD"
    member = (
        lsoa[[code_col, "LSOA21CD"]].rename(columns={code_col: "unit_code"})
        if units == "ward"
        else lsoa[["LSOA21CD"]].assign(unit_code=lsoa["LSOA21CD"])[["unit_code", "LSOA21CD"]]
    )
    dem = lsoa.groupby(code_col)[["weight", "all_ages", *AGE_WEIGHTS, "census2021_residents"]].sum().reset_index()
    return member, dem.rename(columns={code_col: "unit_code"})


def _seed_zones(council: Council, wards: pd.DataFrame, units: str) -> tuple[str, dict]:
    """The seed zones' field and names: one zone per 2024 ward for a single-district council on LSOAs, else one
    per district."""
    if len(council.lad_codes) == 1 and units == "lsoa":
        return "ward_code", dict(zip(wards["WD24CD"], wards["WD24NM"]))
    return "lad_code", dict(zip(council.lad_codes, council.lad_names))


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it (a reader never sees half a pack)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _hubs_summary(towns: pd.DataFrame, source: str, outline) -> dict:
    """Hub counts for the JSON: derived towns and their hub points, or the towns file's towns of 5,000+ within the
    council and its ``TOWN_MARGIN_KM`` ring."""
    if "town_id" in towns:
        return {"source": source, "n_towns": int(towns["town_id"].nunique()), "n_hub_points": len(towns)}
    x, y = (pd.to_numeric(towns[c], errors="coerce").fillna(-1e9).to_numpy(float) for c in ("easting", "northing"))
    near = shapely.contains_xy(outline.buffer(TOWN_MARGIN_KM * 1000), x, y)
    big = pd.to_numeric(towns["population"], errors="coerce").fillna(0).to_numpy() >= TOWN_MIN_RESIDENTS
    n = int((near & big).sum())
    return {"source": source, "n_towns": n, "n_hub_points": n, "file_rows": len(towns)}


def _write(folder: Path, lsoa, wards, dem, member, towns) -> None:
    for name, frame in (("lsoa21.gpkg", lsoa), ("wards24.gpkg", wards)):
        tmp = folder / f".{name}.tmp.gpkg"
        frame.to_file(tmp, layer=name.split(".")[0], driver="GPKG", engine="pyogrio")
        tmp.replace(folder / name)
    tables = [("demand.csv", dem), ("membership.csv", member)] + ([("towns.csv", towns)] if towns is not None else [])
    for name, frame in tables:  # written aside and renamed: an app reading the pack never sees half a file
        tmp = folder / f".{name}.tmp"
        frame.to_csv(tmp, index=False)
        tmp.replace(folder / name)


def _tiling(lsoa, wards, units: str, council: Council) -> dict:
    """Units against the LSOA outline (gap/overlap km², as for the seed packs) and the LSOA outline against
    the districts' May 2024 BUC polygons (percent of area; the two generalisations differ)."""
    import pyogrio

    from .validate import tiling_report

    outline = shapely.union_all(np.asarray(lsoa.geometry.values, dtype=object))
    rep = tiling_report(wards if units == "ward" else lsoa, outline)
    lads = pyogrio.read_dataframe(national_path("lad24_polygons"), where=_in_list("LAD24CD", council.lad_codes))
    lad_outline = shapely.union_all(np.asarray(lads.to_crs(BNG).geometry.values, dtype=object))
    sym = outline.symmetric_difference(lad_outline).area
    rep["vs_districts_2024_sym_diff_pct"] = round(100 * sym / max(lad_outline.area, 1.0), 3)
    return rep


def unit_lsoa21(pack) -> pd.DataFrame:
    """unit_code -> LSOA21CD membership of a generated pack (one row per LSOA 2021; an LSOA unit is its own
    member). For the equality module and anything else that joins LSOA 2021 data to a generated council."""
    if "membership" not in pack.layers:
        raise DataError(f"pack {pack.path}: not a generated pack (no [layers] membership)")
    return read_csv(pack.layer_path("membership"), ["unit_code", "LSOA21CD"])
