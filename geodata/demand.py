"""Care hours per unit per week: a council's own file, or an estimate from population by age.

Estimate (used when the pack names no ``[demand] csv``):
  weight of an LSOA = Σ persons in age band × band weight (65–74 ×1, 75–84 ×3.5, 85+ ×10: Leicestershire
  report para 40, ONS mid-2020 population); an LSOA's weight is shared between units in proportion to the
  postcode centroids (ONS NSPD) of the LSOA that fall in each unit (by area where an LSOA has none); unit
  hours = council weekly total × unit weight / total weight, rounded to 0.01 h so that they add up exactly
  to the council total (largest-remainder rounding). Every estimated figure is flagged ``hours_estimated``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .datadir import DataError, data_path
from .layers import read_csv, read_points_csv, read_polygons
from .limits import MAX_CSV_BYTES, MAX_CSV_ROWS, cap_message, clean_text, excerpt
from .limits import hours_per_week as limit_hours
from .packs import Pack
from .validate import RepairReport

DEFAULT_AGE_WEIGHTS = {"age_65_74": 1.0, "age_75_84": 3.5, "age_85_plus": 10.0}


def round_to_total(values: np.ndarray, total: float, decimals: int = 2) -> np.ndarray:
    """Scale non-negative values to ``total`` and round to ``decimals`` so the rounded values sum exactly
    to ``total`` (largest-remainder method). Returned as floats with ``decimals`` places."""
    values = np.asarray(values, dtype=float)
    unit = 10**decimals
    target = int(round(total * unit))
    if values.sum() <= 0:
        raise DataError("cannot share hours: every unit has zero weight")
    raw = values / values.sum() * target
    floor = np.floor(raw).astype(np.int64)
    short = target - int(floor.sum())
    order = np.argsort(-(raw - floor), kind="stable")
    floor[order[:short]] += 1
    return floor / unit


def lsoa_weights(pack: Pack) -> pd.DataFrame:
    """Age-weighted population per LSOA of the council: LSOA11CD, weight (person-weights)."""
    weights = pack.demand.get("age_weights", DEFAULT_AGE_WEIGHTS)
    path = pack.layer_path("population")
    pop = read_csv(path, ["LSOA11CD", "LAD_code", *weights])
    pop = pop[pop["LAD_code"].isin(pack.lad_codes)].copy()
    w = np.zeros(len(pop))
    for col, k in weights.items():
        vals = pd.to_numeric(pop[col], errors="coerce")
        bad = pop.loc[vals.isna() | (vals < 0), "LSOA11CD"]
        if len(bad):
            raise DataError(f"{path}: column {col} is missing or negative for LSOA(s) {', '.join(bad[:10])}")
        w += vals.to_numpy() * float(k)
    return pd.DataFrame({"LSOA11CD": pop["LSOA11CD"].to_numpy(), "weight": w})


def lsoa_unit_shares(pack: Pack, units: gpd.GeoDataFrame) -> tuple[pd.DataFrame, dict]:
    """How each LSOA (2011) of the council is shared between units: LSOA11CD, unit_idx (row of ``units``), share
    (0..1; an LSOA's shares add up to 1). Share = the LSOA's postcode centroids (ONS NSPD) inside the unit ÷ the
    LSOA's postcode centroids in any unit; by area (EPSG:27700) where an LSOA has no postcode. The same shares
    move the care hours (``estimate_hours``) and the equality figures (``geodata.equality``) onto units."""
    rep = RepairReport()
    lsoa = pd.concat([read_polygons(p, "LSOA11CD", rep) for p in pack.layer_paths("lsoa")], ignore_index=True)
    lsoa = gpd.GeoDataFrame(lsoa[["LSOA11CD", "geometry"]], geometry="geometry", crs=units.crs)
    pc = read_points_csv(
        pack.layer_path("postcodes"), "east1m", "north1m", filter_col="lad25cd", keep=set(pack.lad_codes)
    )
    u = units[["geometry"]].reset_index(drop=True).assign(unit_idx=np.arange(len(units)))
    pc = gpd.sjoin(pc[["geometry"]], lsoa, predicate="within", how="inner").drop(columns="index_right")
    pc = gpd.sjoin(pc, u, predicate="within", how="inner")
    counts = pc.groupby(["LSOA11CD", "unit_idx"]).size().rename("n").reset_index()
    share = counts.assign(share=counts["n"] / counts.groupby("LSOA11CD")["n"].transform("sum"))
    no_pc = sorted(set(lsoa["LSOA11CD"]) - set(share["LSOA11CD"]))
    if no_pc:
        ov = gpd.overlay(lsoa[lsoa["LSOA11CD"].isin(no_pc)], u, how="intersection", keep_geom_type=True)
        ov["a"] = ov.geometry.area
        ov["share"] = ov["a"] / ov.groupby("LSOA11CD")["a"].transform("sum")
        share = pd.concat([share, ov[["LSOA11CD", "unit_idx", "share"]]], ignore_index=True)
    info = {"lsoa_codes": sorted(lsoa["LSOA11CD"]), "n_postcodes_used": int(len(pc)), "lsoas_shared_by_area": no_pc}
    return share[["LSOA11CD", "unit_idx", "share"]], info


def estimate_hours(pack: Pack, units: gpd.GeoDataFrame) -> tuple[np.ndarray, dict]:
    """Estimated hours per week per unit (see module docstring) and a dict describing the method."""
    share, sinfo = lsoa_unit_shares(pack, units)
    w = lsoa_weights(pack)
    missing = sorted(set(sinfo["lsoa_codes"]) - set(w["LSOA11CD"]))
    if missing:
        raise DataError(f"{pack.layer_path('population')}: no population row for LSOA(s) {', '.join(missing[:10])}")
    share = share.merge(w, on="LSOA11CD")
    unit_w = np.bincount(share["unit_idx"], weights=share["share"] * share["weight"], minlength=len(units))
    hours = round_to_total(unit_w, pack.weekly_hours_total)
    info = {
        "method": "estimate from ONS mid-2020 population by age (65-74 x1, 75-84 x3.5, 85+ x10), "
        "LSOAs shared between units by postcode centroids, scaled to the council's weekly total",
        "weekly_total": pack.weekly_hours_total,
        "weekly_total_source": pack.weekly_hours_source,
        "n_lsoa": len(sinfo["lsoa_codes"]),
        "n_postcodes_used": sinfo["n_postcodes_used"],
        "lsoas_shared_by_area": sinfo["lsoas_shared_by_area"],
    }
    return hours, info


def import_hours_csv(path: Path, units: gpd.GeoDataFrame, resolve=None) -> tuple[np.ndarray, list[str]]:
    """Hours per week per unit from a council CSV with columns ``unit`` (code or name) and ``hours_per_week``.

    Every bad row is listed in one DataError (unknown unit, duplicate unit, missing / non-numeric /
    negative / out-of-bound hours: 0 … 100,000 h per unit, ``geodata.limits``) and nothing is loaded. The file
    must be UTF-8 (BOM allowed), at most ``MAX_CSV_BYTES`` and ``MAX_CSV_ROWS`` rows. Units absent from the
    file get 0 hours and are returned as warnings. ``resolve`` maps a name to unit codes (UnitLayer.resolve);
    by default codes and names match. The bytes are parsed in a caged child process (``geodata.sandbox``,
    issue 18); this process only matches the checked cells against the units.
    """
    from .sandbox import run_caged

    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_CSV_BYTES + 1)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError:
        raise DataError(f"{path}: cannot be opened") from None
    if len(data) > MAX_CSV_BYTES:
        raise DataError(f"{path}: over {MAX_CSV_BYTES:,} bytes; the limit for an hours file is {MAX_CSV_BYTES:,}")
    cells = run_caged(hours_cells, data, str(path), label=excerpt(path.name, 80))
    return _hours_from_cells(cells, path, units, resolve)


def hours_cells(data: bytes, where: str) -> list[tuple[int, str | None, str | None, float | None]]:
    """The untrusted part of ``import_hours_csv`` (run in the cage): one ``(line, unit, problem, hours)`` per
    row, the unit text checked (``clean_text``) and the hours by ``geodata.limits.hours_per_week``."""
    import io

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{where}: not UTF-8 text; save the file as UTF-8 (with or without BOM)") from None
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - the parser's own message may quote the file: only its type
        raise DataError(f"{where}: cannot read CSV ({type(exc).__name__})") from None
    missing = [c for c in ("unit", "hours_per_week") if c not in df.columns]
    if missing:
        raise DataError(
            f"{where}: missing column(s) {', '.join(missing)} (has: "
            f"{', '.join(excerpt(c, 30) for c in df.columns[:20])})"
        )
    if len(df) > MAX_CSV_ROWS:
        raise DataError(f"{where}: {len(df):,} rows; the limit is {MAX_CSV_ROWS:,}")
    out: list[tuple[int, str | None, str | None, float | None]] = []
    for i, (unit_raw, hours_raw) in enumerate(zip(df["unit"].tolist(), df["hours_per_week"].tolist())):
        line = i + 2  # header is line 1
        try:
            key = clean_text(unit_raw, "unit", required=False)
        except DataError as exc:
            out.append((line, None, str(exc), None))
            continue
        try:
            val = float(round(limit_hours(hours_raw, "hours_per_week"), 2))
        except DataError as exc:
            out.append((line, key, str(exc), None))
            continue
        out.append((line, key, None, val))
    return out


def _match_unit(key: str, pos: dict[str, int], by_name: dict[str, str]) -> list[str]:
    """A unit code given as itself or by its name (any case)."""
    if key in pos:
        return [key]
    return [by_name[key.lower()]] if key.lower() in by_name else []


def _hours_from_cells(cells, path: Path, units: gpd.GeoDataFrame, resolve) -> tuple[np.ndarray, list[str]]:
    codes = list(units["unit_code"])
    by_name = {str(n).lower(): c for n, c in zip(units["unit_name"], units["unit_code"])}
    pos = {c: i for i, c in enumerate(codes)}
    hours = np.zeros(len(units))
    seen: dict[str, int] = {}
    problems: list[str] = []
    for line, key, problem, val in cells:
        if len(problems) >= 20:
            problems.append("… (first 20 problems shown)")
            break
        if key is None:
            problems.append(f"line {line}: {problem}")
            continue
        if not key:
            problems.append(f"line {line}: empty unit")
            continue
        hit = resolve(key) if resolve is not None else _match_unit(key, pos, by_name)
        if len(hit) != 1:
            problems.append(
                f"line {line}: unit '{excerpt(key)}' "
                + ("is unknown" if not hit else f"is ambiguous ({', '.join(hit[:5])})")
            )
            continue
        if problem is not None:
            problems.append(f"line {line}: unit '{excerpt(key)}': {problem}")
            continue
        if hit[0] in seen:
            problems.append(f"line {line}: unit '{excerpt(key)}' already given on line {seen[hit[0]]}")
            continue
        seen[hit[0]] = line
        hours[pos[hit[0]]] = val
    if problems:
        raise DataError(cap_message(f"{path}: {len(problems)} bad row(s): " + "; ".join(problems), 2000))
    warnings = [f"unit {c} not in {path}: 0 hours" for c in codes if c not in seen]
    return hours, warnings


def total_warning(file_total: float, pack_total: float, path) -> str | None:
    """A warning naming both totals when a council hours file does not add up to the pack's weekly total."""
    if abs(round(float(file_total), 2) - round(float(pack_total), 2)) < 0.005:
        return None
    return (
        f"the hours file {path} adds up to {float(file_total):,.2f} h/week but the council's weekly total in the "
        f"pack is {float(pack_total):,.2f} h/week; the file's figures are used"
    )


def unit_weight_hours(pack: Pack, units: gpd.GeoDataFrame) -> tuple[np.ndarray, bool, dict]:
    """Hours per unit from a per-unit demand weight file (``[demand] unit_weights`` names a [layers] key of a
    CSV with ``unit_code`` and ``weight``, age-weighted residents; written by ``zoneplan council new``): the
    council's weekly total shared in proportion to the weights, rounded to 0.01 h to add up exactly. Always
    flagged estimated (the split between units is modelled, not counted)."""
    path = pack.layer_path(pack.demand["unit_weights"])
    df = read_csv(path, ["unit_code", "weight"])
    w = pd.to_numeric(df["weight"], errors="coerce")
    if w.isna().any() or (w < 0).any():
        bad = df["unit_code"][w.isna() | (w < 0)][:10]
        raise DataError(f"{path}: weight missing or negative for unit(s) {', '.join(bad)}")
    by_code = dict(zip(df["unit_code"], w))
    missing = [c for c in units["unit_code"] if c not in by_code]
    if missing:
        raise DataError(f"{path}: no demand weight for unit(s) {', '.join(missing[:10])}")
    weights = np.array([by_code[c] for c in units["unit_code"]], dtype=float)
    hours = round_to_total(weights, pack.weekly_hours_total)
    info = {
        "method": pack.demand.get("method", "estimate: weekly total shared by the units' demand weights"),
        "weekly_total": pack.weekly_hours_total,
        "weekly_total_source": pack.weekly_hours_source,
        "weights_file": str(path),
    }
    return hours, True, info


def hours_for_units(pack: Pack, units: gpd.GeoDataFrame) -> tuple[np.ndarray, bool, dict]:
    """Hours per week per unit: from the pack's council file if it names one, else the estimate."""
    if pack.demand.get("unit_weights"):
        return unit_weight_hours(pack, units)
    csv = pack.demand.get("csv")
    if csv:
        path = data_path(csv)
        hours, warnings = import_hours_csv(path, units)
        w = total_warning(hours.sum(), pack.weekly_hours_total, path)
        if w:
            warnings = [w] + warnings
        return (
            hours,
            False,
            {
                "method": f"council file {path}",
                "warnings": warnings,
                "file_total": round(float(hours.sum()), 2),
                "weekly_total": pack.weekly_hours_total,
            },
        )
    hours, info = estimate_hours(pack, units)
    return hours, True, info
