"""Equality sources on LSOAs, and the *pieces* that move them onto a council's units (for ``zones.equality``).

Sources (all England, ``$ZONEPLAN_DATA/england_current``, OGL v3; see its PROVENANCE.md):

- residents by age 65-74 / 75-84 / 85+: ONS mid-2020 small-area population estimates, LSOA 2011 (the same
  population, the same vintage and the same LSOA → unit shares as the estimated care hours, ``geodata.demand``);
- Index of Multiple Deprivation 2025 decile (MHCLG IoD 2025), LSOA 2021;
- Income Deprivation Affecting Older People (IDAOPI) 2019 decile (MHCLG IoD 2019), LSOA 2011;
- disability, Equality Act definition (ONS Census 2021 TS038, all ages), LSOA 2021;
- LSOA 2011 → 2021 lookup (ONS, 2022) and Census 2021 residents aged 65+ per LSOA 2021 (split weights).

A **piece** is the part of one LSOA 2011 × LSOA 2021 cell that lies in one unit, with its mid-2020 residents
(``all_ages``, ``age_65_74``, ``age_75_84``, ``age_85_plus``; fractional persons). Two ways to make them:

- seed packs (units built from 2011 OAs/LSOAs, ``pieces_from_lsoa11_shares``): each LSOA 2011's residents are
  shared between units by ``geodata.demand.lsoa_unit_shares`` (postcode centroids), then between the LSOA 2021s it
  became by the lookup; an LSOA 2011 split into several LSOA 2021s is shared in proportion to their Census 2021
  residents aged 65+ (``link``);
- packs on LSOA 2021 (``pieces_from_lsoa21_membership``): a table ``unit_code, LSOA21CD, frac`` (the share of the
  LSOA 2021's residents living in the unit; 1 when units are LSOA 2021s or unions of them), e.g. from the
  pack key ``[equality] lsoa21_membership = "file.csv"`` or ``[equality] units_are_lsoa21 = true``.

No geometry here except in ``unit_pieces`` (EPSG:27700 via the demand shares). Cached: sources once per process,
pieces per council under ``.cache/equality`` keyed by the input files and the units.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .datadir import DataError, cache_dir, data_dir, data_path, file_digest
from .layers import read_csv

VERSION = "1"
BANDS = ("age_65_74", "age_75_84", "age_85_plus")
LSOA21_POLYGONS = "england_current/boundaries/lsoa21_bsc_v4_england.gpkg"
FILES = {
    "imd2025": "england_current/deprivation/IoD2025_LSOA21_England.csv",
    "iod2019": "england_current/deprivation/IoD2019_LSOA11_England_IMD_IDAOPI.csv",
    "disability": "england_current/equality/census2021_ts038_disability_lsoa21_EW.csv",
    "age21": "england_current/population/census2021_age6_lsoa21_EW.csv",
    "pop20": "england_current/population/ons_sape_mid2020_lsoa11_age_bands_England.csv",
    "link": "england_current/lookups/LSOA11_LSOA21_LAD22_EW.csv",
    "lsoa21_lad": "england_current/lookups/LSOA21_WD24_LAD24_EW_bestfit.csv",
}
SOURCES = [
    "Residents by age (65-74, 75-84, 85+): ONS mid-2020 small-area population estimates (SAPE23DT2), LSOA 2011, OGL v3",
    "Deprivation: English Indices of Deprivation 2025, Index of Multiple Deprivation decile (MHCLG), LSOA 2021, OGL v3",
    "Older people's income deprivation: English Indices of Deprivation 2019, IDAOPI decile (MHCLG), LSOA 2011, OGL v3",
    "Disability: ONS Census 2021 TS038, disabled under the Equality Act 2010 (all ages), LSOA 2021, OGL v3",
    "LSOA 2011 to LSOA 2021 lookup (ONS, 2022); Census 2021 residents aged 65+ per LSOA 2021 (split weights), OGL v3",
    "Postcode centroids: ONS NSPD November 2025 (LSOAs shared between units, as for the care hours), OGL v3",
]
VINTAGE = {
    "population": "mid-2020",
    "imd": "IoD 2025",
    "idaopi": "IoD 2019",
    "disability": "Census 2021",
    "lsoa_lookup": "LSOA 2011 to 2021 (2022)",
}


@dataclass(frozen=True)
class EqualitySources:
    """England-wide tables. ``lsoa21``: index LSOA21CD; imd_decile (1 = most deprived 10 %), residents and disabled
    (Census 2021 TS038), lad_code (LAD 2024), all_ages_2020 (mid-2020 residents moved onto the LSOA 2021 by
    ``link``). ``lsoa11``: index LSOA11CD; idaopi_decile (0 = none), all_ages + the three age bands (mid-2020).
    ``link``: LSOA11CD, LSOA21CD, w (share of the LSOA 2011's residents in that LSOA 2021; Σ w = 1 per LSOA11)."""

    lsoa21: pd.DataFrame
    lsoa11: pd.DataFrame
    link: pd.DataFrame


def _num(df: pd.DataFrame, cols, path) -> pd.DataFrame:
    for c in cols:
        v = pd.to_numeric(df[c], errors="coerce")
        if v.isna().any() or (v < 0).any():
            bad = df.loc[v.isna() | (v < 0)].iloc[:5, 0].tolist()
            raise DataError(f"{path}: column {c} is missing or negative on row(s) for {', '.join(map(str, bad))}")
        df[c] = v.astype(float)
    return df


def split_weights(link: pd.DataFrame, age65_by_lsoa21: pd.Series) -> pd.DataFrame:
    """``link`` (LSOA11CD, LSOA21CD) with ``w``: an LSOA 2011 goes to its LSOA 2021(s) in proportion to their
    Census 2021 residents aged 65+ (equal shares where they have none); 1 for unchanged or merged LSOAs."""
    lk = link[["LSOA11CD", "LSOA21CD"]].drop_duplicates().copy()
    a = lk["LSOA21CD"].map(age65_by_lsoa21).fillna(0.0).to_numpy(float) + 1e-9
    tot = pd.Series(a).groupby(lk["LSOA11CD"].to_numpy()).transform("sum").to_numpy()
    lk["w"] = a / tot
    return lk


@functools.lru_cache(maxsize=2)
def _load(root: str) -> EqualitySources:
    p = {k: data_path(v) for k, v in FILES.items()}
    imd = read_csv(p["imd2025"], ["LSOA21CD", "IMD_decile"], usecols=["LSOA21CD", "IMD_decile"])
    dis = _num(
        read_csv(p["disability"], ["LSOA21CD", "all_usual_residents", "disabled_equality_act"]),
        ["all_usual_residents", "disabled_equality_act"],
        p["disability"],
    )
    a21 = _num(
        read_csv(p["age21"], ["LSOA21CD", "age_65_plus"], usecols=["LSOA21CD", "age_65_plus"]),
        ["age_65_plus"],
        p["age21"],
    )
    lad = read_csv(p["lsoa21_lad"], ["LSOA21CD", "LAD24CD"], usecols=["LSOA21CD", "LAD24CD"])
    pop = _num(
        read_csv(p["pop20"], ["LSOA11CD", "all_ages", *BANDS], usecols=["LSOA11CD", "all_ages", *BANDS]),
        ["all_ages", *BANDS],
        p["pop20"],
    )
    iod = read_csv(p["iod2019"], ["LSOA11CD", "IDAOPI_decile"], usecols=["LSOA11CD", "IDAOPI_decile"])
    link = split_weights(
        read_csv(p["link"], ["LSOA11CD", "LSOA21CD"], usecols=["LSOA11CD", "LSOA21CD"]),
        a21.set_index("LSOA21CD")["age_65_plus"],
    )
    l21 = imd.set_index("LSOA21CD").rename(columns={"IMD_decile": "imd_decile"})
    l21["imd_decile"] = pd.to_numeric(l21["imd_decile"], errors="coerce").fillna(0).astype(int)
    l21 = l21.join(
        dis.set_index("LSOA21CD")[["all_usual_residents", "disabled_equality_act"]].rename(
            columns={"all_usual_residents": "residents", "disabled_equality_act": "disabled"}
        )
    )
    l21 = l21.join(lad.set_index("LSOA21CD")["LAD24CD"].rename("lad_code"))
    l21 = l21.join(a21.set_index("LSOA21CD")["age_65_plus"].rename("age65_2021"))
    l11 = pop.set_index("LSOA11CD")
    l11["idaopi_decile"] = pd.to_numeric(iod.set_index("LSOA11CD")["IDAOPI_decile"], errors="coerce")
    l11["idaopi_decile"] = l11["idaopi_decile"].fillna(0).astype(int)
    moved = link.merge(l11[["all_ages"]], left_on="LSOA11CD", right_index=True)
    l21["all_ages_2020"] = (moved["all_ages"] * moved["w"]).groupby(moved["LSOA21CD"]).sum()
    l21 = l21.fillna({"residents": 0.0, "disabled": 0.0, "all_ages_2020": 0.0, "lad_code": "", "age65_2021": 0.0})
    return EqualitySources(lsoa21=l21, lsoa11=l11, link=link)


def load_sources() -> EqualitySources:
    """The England-wide equality tables (read once per process and data directory)."""
    return _load(str(data_dir()))


def source_files() -> list:
    """The data files the equality figures read (for cache keys and the report's sources)."""
    return [data_path(v) for v in FILES.values()]


def pieces_from_lsoa11_shares(share: pd.DataFrame, src: EqualitySources) -> pd.DataFrame:
    """Pieces from LSOA 2011 → unit shares (``unit_code, LSOA11CD, share``; Σ share = 1 per LSOA): columns
    unit_code, LSOA11CD, LSOA21CD, all_ages and the three bands (mid-2020 residents, fractional)."""
    missing = sorted(set(share["LSOA11CD"]) - set(src.lsoa11.index))
    if missing:
        raise DataError(f"equality: no mid-2020 population for LSOA 2011 {', '.join(missing[:10])}")
    p = share.merge(src.link, on="LSOA11CD").join(src.lsoa11[["all_ages", *BANDS]], on="LSOA11CD")
    f = p["share"].to_numpy(float) * p["w"].to_numpy(float)
    for c in ("all_ages", *BANDS):
        p[c] = p[c].to_numpy(float) * f
    return p[["unit_code", "LSOA11CD", "LSOA21CD", "all_ages", *BANDS]].reset_index(drop=True)


def pieces_from_lsoa21_membership(memb: pd.DataFrame, src: EqualitySources) -> pd.DataFrame:
    """Pieces from ``unit_code, LSOA21CD, frac`` (share of each LSOA 2021's residents in the unit, 0..1): the
    LSOA 2021's mid-2020 residents (moved from LSOA 2011 by ``link``) × frac. For packs built on LSOA 2021."""
    frac = pd.to_numeric(memb["frac"], errors="coerce")
    if frac.isna().any() or (frac < 0).any() or (frac > 1).any():
        raise DataError("equality: LSOA 2021 membership 'frac' must be a number between 0 and 1")
    missing = sorted(set(memb["LSOA21CD"]) - set(src.link["LSOA21CD"]))
    if missing:
        raise DataError(f"equality: LSOA 2021 code(s) not in the ONS lookup: {', '.join(missing[:10])}")
    m = memb.assign(frac=frac.astype(float))
    p = m.merge(src.link, on="LSOA21CD").join(src.lsoa11[["all_ages", *BANDS]], on="LSOA11CD")
    f = p["frac"].to_numpy(float) * p["w"].to_numpy(float)
    for c in ("all_ages", *BANDS):
        p[c] = p[c].to_numpy(float) * f
    return p[["unit_code", "LSOA11CD", "LSOA21CD", "all_ages", *BANDS]].reset_index(drop=True)


def _membership(layer) -> pd.DataFrame | None:
    """A pack's own unit → LSOA 2021 membership (``[equality]``), or None for the LSOA 2011 route."""
    cfg = layer.pack.raw.get("equality", {})
    if cfg.get("units_are_lsoa21"):
        codes = layer.units["unit_code"].astype(str)
        return pd.DataFrame({"unit_code": codes, "LSOA21CD": codes, "frac": 1.0})
    if cfg.get("lsoa21_membership"):
        from .limits import MAX_CSV_BYTES

        path = data_path(cfg["lsoa21_membership"])
        if path.stat().st_size > MAX_CSV_BYTES:
            raise DataError(
                f"{path}: {path.stat().st_size:,} bytes; the limit for a membership file is {MAX_CSV_BYTES:,}"
            )
        memb = read_csv(path, ["unit_code", "LSOA21CD", "frac"])
        unknown = sorted(set(memb["unit_code"]) - set(layer.units["unit_code"].astype(str)))
        if unknown:
            raise DataError(f"{path}: {len(unknown)} unit code(s) not among the council's units")
        return memb
    return None


def unit_pieces(layer) -> pd.DataFrame:
    """Pieces of a council's units (``geodata.units.UnitLayer``): see the module docstring. Cached on disk."""
    from .demand import lsoa_unit_shares

    pack, units = layer.pack, layer.units
    memb = _membership(layer)
    if memb is not None:
        return pieces_from_lsoa21_membership(memb, load_sources())
    if "lsoa" not in pack.layers or "postcodes" not in pack.layers:
        raise DataError(
            f"pack {pack.id}: no lsoa/postcodes layers and no [equality] lsoa21_membership: "
            "equality figures need one of them"
        )
    files = [
        *pack.layer_paths("lsoa"),
        pack.layer_path("postcodes"),
        data_path(FILES["pop20"]),
        data_path(FILES["link"]),
        data_path(FILES["age21"]),
    ]
    key = file_digest(
        files,
        extra=VERSION
        + ",".join(pack.lad_codes)
        + str(pd.util.hash_pandas_object(units[["unit_code"]], index=False).sum())
        + str(round(float(units.geometry.area.sum()), 1)),
    )
    path = cache_dir("equality") / f"pieces-{pack.id}-{key}.csv"
    if path.exists():
        return pd.read_csv(path, dtype={"unit_code": str, "LSOA11CD": str, "LSOA21CD": str})
    share, _ = lsoa_unit_shares(pack, units)
    share["unit_code"] = units["unit_code"].astype(str).to_numpy()[share["unit_idx"].to_numpy(int)]
    pieces = pieces_from_lsoa11_shares(share[["unit_code", "LSOA11CD", "share"]], load_sources())
    tmp = path.with_suffix(".tmp")
    pieces.to_csv(tmp, index=False)
    tmp.replace(path)
    return pieces


def council_disability(src: EqualitySources, lad_codes) -> tuple[float, float]:
    """(disabled, residents) of the council's LSOA 2021s (Census 2021 TS038, LAD 2024 best fit)."""
    m = src.lsoa21[src.lsoa21["lad_code"].isin(list(lad_codes))]
    if not len(m):
        raise DataError(f"equality: no LSOA 2021 in district(s) {', '.join(lad_codes)}")
    return float(m["disabled"].sum()), float(m["residents"].sum())


def hours_per_client(pack) -> tuple[float, str, bool]:
    """Typical care hours a week per person supported, the rule as text, and whether it is an assumption.

    Rule: the council's weekly hours ÷ people supported, both from the council's report as stated in the pack
    (``weekly_hours_total``, ``[demand] clients``). A pack without ``clients`` uses the median of the four seed
    councils' reports (Leicestershire 37,925/2,736, Coventry 14,370/1,160, Merton 8,400/650, Bradford
    19,600/1,500 = 13.86, 12.39, 12.92, 13.07 h), flagged as an assumption."""
    clients = pack.demand.get("clients")
    if clients and float(clients) > 0 and pack.weekly_hours_total:
        h = float(pack.weekly_hours_total) / float(clients)
        return (
            h,
            (
                f"{h:.2f} hours a week per person supported: the council's {float(pack.weekly_hours_total):,.0f} "
                f"hours a week ÷ {float(clients):,.0f} people ({pack.weekly_hours_source}; people supported as "
                "stated in the council pack)"
            ),
            False,
        )
    h = float(np.median([37925 / 2736, 14370 / 1160, 8400 / 650, 19600 / 1500]))
    return (
        h,
        (
            f"{h:.2f} hours a week per person supported: ASSUMPTION, the median of the four seed councils' "
            "reports (Leicestershire, Coventry, Merton, Bradford); this council states no number of people"
        ),
        True,
    )


# ---------------------------------------------------------------- independent route (cross-check)


def _area_fractions(zones_gdf, lsoa, code: str):
    """Share of each LSOA's area (EPSG:27700) inside the union of ``zones_gdf``: Series code -> 0..1."""
    import geopandas as gpd
    import shapely

    group = shapely.union_all(np.asarray(zones_gdf.geometry.values, dtype=object))
    g = gpd.GeoDataFrame(lsoa[[code]], geometry=lsoa.geometry, crs=lsoa.crs)
    hit = g[g.intersects(group)]
    inside = hit.geometry.intersection(group).area / hit.geometry.area
    return pd.Series(inside.to_numpy(float), index=hit[code].to_numpy())


def overlay_polygons(layer):
    """(LSOA 2011 polygons of the pack, LSOA 2021 polygons of its districts), both EPSG:27700, for
    ``area_weighted_figures`` (read once, reuse for many groups)."""
    import geopandas as gpd

    from .layers import read_polygons
    from .validate import RepairReport

    rep = RepairReport()
    l11 = pd.concat([read_polygons(p, "LSOA11CD", rep) for p in layer.pack.layer_paths("lsoa")], ignore_index=True)
    l11 = gpd.GeoDataFrame(l11, geometry="geometry", crs=layer.units.crs)
    l21 = gpd.read_file(data_path(LSOA21_POLYGONS), engine="pyogrio")
    l21 = l21[l21["LAD24CD"].isin(layer.pack.lad_codes)].to_crs(layer.units.crs)
    return l11, l21


def area_weighted_figures(layer, unit_codes, polygons=None) -> dict:
    """The figures of a group of units by a route independent of postcodes and of the LSOA 2011 → 2021 lookup:
    area-weighted overlay (uniform density inside each LSOA). Ages and IDAOPI: the pack's LSOA 2011 polygons ×
    mid-2020 residents; IMD 2025 and disability: LSOA 2021 polygons (ONS BSC, generalised) × Census 2021
    residents aged 65+ (IMD) and all residents (disability). For ``tests/integration`` and docs/equality.md."""
    src = load_sources()
    units = layer.units[layer.units["unit_code"].isin(list(unit_codes))]
    l11, l21 = polygons or overlay_polygons(layer)
    f11 = _area_fractions(units, l11, "LSOA11CD")
    pop = src.lsoa11.loc[f11.index]
    ages = {b: float((pop[b] * f11).sum()) for b in BANDS}
    f21 = _area_fractions(units, l21, "LSOA21CD")
    a = src.lsoa21.loc[f21.index]
    imd = (a["age65_2021"] * f21).groupby(a["imd_decile"]).sum()
    ida = (pop[list(BANDS)].sum(axis=1) * f11).groupby(pop["idaopi_decile"]).sum()
    known, known_ida = float(imd[imd.index > 0].sum()), float(ida[ida.index > 0].sum())
    return {
        "population_by_age": ages,
        "imd2025_decile_share_pct": {str(d): 100 * float(imd.get(d, 0.0)) / known for d in range(1, 11)},
        "idaopi2019_decile_share_pct": {str(d): 100 * float(ida.get(d, 0.0)) / known_ida for d in range(1, 11)},
        "most_deprived_30pct_65_plus_pct": 100 * float(imd[imd.index.isin([1, 2, 3])].sum()) / known,
        "disability_pct": 100 * float((a["disabled"] * f21).sum()) / float((a["residents"] * f21).sum()),
    }
