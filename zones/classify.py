"""Band classification (urban / fringe / rural / isolated) from travel metrics and density, with evidence.

Band definitions (Leicestershire report para 41): *urban* — concentrated demand, good routes, many hours;
*fringe* — smaller towns/villages fairly close to towns, lower density; *rural* — reachable by car but longer
travel between visits; *isolated* — hard to reach, significant travel to and between visits.

Rules, applied in order (thresholds in the pack's ``[classify]`` section, never in code):
  isolated  if town_min ≥ isolated_town_min  or visit_to_visit_min ≥ isolated_visit_min
  rural     if town_min ≥ rural_town_min     or visit_to_visit_min ≥ rural_visit_min
  fringe    if hours_per_km2 < fringe_below_hours_per_km2 or visit_to_visit_min ≥ fringe_visit_min
  urban     otherwise
Evidence names the deciding rule and the margin to the next band up and down.

Calibration (``calibrate``): a grid search over hours-weighted quantiles of the metrics for the six
thresholds, keeping the ordering rural < isolated, minimising the L1 distance (percentage points) between
the share of weekly hours per band and the target shares (Leicestershire para 69: 73.6 / 16.0 / 8.6 / 1.8).
"""
from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geodata.datadir import DataError

THRESHOLD_KEYS = ("isolated_town_min", "isolated_visit_min", "rural_town_min", "rural_visit_min",
                  "fringe_below_hours_per_km2", "fringe_visit_min")
BANDS = ("urban", "fringe", "rural", "isolated")


@dataclass(frozen=True)
class Thresholds:
    isolated_town_min: float
    isolated_visit_min: float
    rural_town_min: float
    rural_visit_min: float
    fringe_below_hours_per_km2: float
    fringe_visit_min: float

    @classmethod
    def from_pack(cls, pack) -> "Thresholds":
        c = pack.raw.get("classify")
        if not c:
            raise DataError(f"pack {pack.path}: no [classify] section with thresholds ({', '.join(THRESHOLD_KEYS)}); "
                            f"run `zoneplan calibrate {pack.id} --write`")
        missing = [k for k in THRESHOLD_KEYS if k not in c]
        if missing:
            raise DataError(f"pack {pack.path}: [classify] lacks {', '.join(missing)}")
        return cls(**{k: float(c[k]) for k in THRESHOLD_KEYS})

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in THRESHOLD_KEYS}


def classify(metrics: pd.DataFrame, t: Thresholds) -> pd.DataFrame:
    """Band and evidence per unit. ``metrics`` has unit_code, town_min, visit_to_visit_min, hours_per_km2,
    estimated. Returns unit_code, band, rule, evidence (plain English), next_band_up / margin_up (how far the
    unit is from the next more remote band, e.g. "2.1 min under the rural town-distance threshold (4.9 min)"),
    next_band_down / margin_down (what the next less remote band would need), travel_estimated."""
    town = metrics["town_min"].to_numpy(float)
    visit = metrics["visit_to_visit_min"].to_numpy(float)
    dens = metrics["hours_per_km2"].to_numpy(float)
    out = []
    for i in range(len(metrics)):
        band, rule = _band(town[i], visit[i], dens[i], t)
        est = bool(metrics["estimated"].iloc[i]) if "estimated" in metrics else False
        up, down = _margins(band, town[i], visit[i], dens[i], t)
        out.append({"unit_code": metrics["unit_code"].iloc[i], "band": band, "rule": rule,
                    "evidence": _evidence(band, rule, town[i], visit[i], dens[i], t, est),
                    "next_band_up": up[0], "margin_up": up[1], "next_band_down": down[0], "margin_down": down[1],
                    "travel_estimated": est})
    return pd.DataFrame(out, columns=["unit_code", "band", "rule", "evidence", "next_band_up", "margin_up",
                                      "next_band_down", "margin_down", "travel_estimated"])


def _margins(band: str, town: float, visit: float, dens: float, t: Thresholds) -> tuple[tuple[str, str], tuple[str, str]]:
    """(next band up, how close) and (next band down, what it would need), in plain English."""
    def under(nxt, pairs):
        # pairs: (gap, text) for each rule that would move the unit to ``nxt``; the nearest relative to its
        # threshold is reported (thresholds of 999 or more switch a rule off)
        live = [(g, txt) for g, txt in pairs if g < 900]
        if not live:
            return (nxt, "")
        return (nxt, min(live, key=lambda p: p[0] / max(float(p[1].split("(")[-1].split()[0]), 1e-9))[1])

    up: tuple[str, str] = ("", "")
    down: tuple[str, str] = ("", "")
    if band == "urban":
        up = under("fringe", [(dens - t.fringe_below_hours_per_km2,
                               f"{dens - t.fringe_below_hours_per_km2:.1f} h/km² above the fringe density threshold "
                               f"({t.fringe_below_hours_per_km2:.1f} h/km²)"),
                              (t.fringe_visit_min - visit,
                               f"{t.fringe_visit_min - visit:.1f} min under the fringe visit-to-visit threshold "
                               f"({t.fringe_visit_min:.1f} min)")])
    elif band == "fringe":
        up = under("rural", [(t.rural_town_min - town, f"{t.rural_town_min - town:.1f} min under the rural "
                              f"town-distance threshold ({t.rural_town_min:.1f} min)"),
                             (t.rural_visit_min - visit, f"{t.rural_visit_min - visit:.1f} min under the rural "
                              f"visit-to-visit threshold ({t.rural_visit_min:.1f} min)")])
        down = ("urban", f"needs ≥ {t.fringe_below_hours_per_km2:.1f} h/km² (has {dens:.1f}) and "
                         f"< {t.fringe_visit_min:.1f} min between visits (has {visit:.1f})")
    elif band == "rural":
        up = under("isolated", [(t.isolated_town_min - town, f"{t.isolated_town_min - town:.1f} min under the "
                                 f"isolated town-distance threshold ({t.isolated_town_min:.1f} min)"),
                                (t.isolated_visit_min - visit, f"{t.isolated_visit_min - visit:.1f} min under the "
                                 f"isolated visit-to-visit threshold ({t.isolated_visit_min:.1f} min)")])
        down = ("fringe", f"needs town_min < {t.rural_town_min:.1f} (has {town:.1f}) and "
                          f"visit_to_visit_min < {t.rural_visit_min:.1f} (has {visit:.1f})")
    else:
        down = ("rural", f"needs town_min < {t.isolated_town_min:.1f} (has {town:.1f}) and "
                         f"visit_to_visit_min < {t.isolated_visit_min:.1f} (has {visit:.1f})")
    return up, down


def _band(town: float, visit: float, dens: float, t: Thresholds) -> tuple[str, str]:
    if town >= t.isolated_town_min:
        return "isolated", f"town_min {town:.1f} ≥ {t.isolated_town_min:.1f}"
    if visit >= t.isolated_visit_min:
        return "isolated", f"visit_to_visit_min {visit:.1f} ≥ {t.isolated_visit_min:.1f}"
    if town >= t.rural_town_min:
        return "rural", f"town_min {town:.1f} ≥ {t.rural_town_min:.1f}"
    if visit >= t.rural_visit_min:
        return "rural", f"visit_to_visit_min {visit:.1f} ≥ {t.rural_visit_min:.1f}"
    if dens < t.fringe_below_hours_per_km2:
        return "fringe", f"hours_per_km2 {dens:.1f} < {t.fringe_below_hours_per_km2:.1f}"
    if visit >= t.fringe_visit_min:
        return "fringe", f"visit_to_visit_min {visit:.1f} ≥ {t.fringe_visit_min:.1f}"
    return "urban", "no rural, isolated or fringe rule applies"


def _evidence(band, rule, town, visit, dens, t: Thresholds, estimated: bool) -> str:
    parts = [f"{band.upper()} because {rule}."]
    if band != "isolated":
        nxt = "rural" if band in ("urban", "fringe") else "isolated"
        tt = t.rural_town_min if nxt == "rural" else t.isolated_town_min
        vt = t.rural_visit_min if nxt == "rural" else t.isolated_visit_min
        gap_t, gap_v = tt - town, vt - visit
        if gap_t <= gap_v:
            parts.append(f"{gap_t:.1f} min under the {nxt} town-distance threshold ({tt:.1f} min).")
        else:
            parts.append(f"{gap_v:.1f} min under the {nxt} visit-to-visit threshold ({vt:.1f} min).")
    if band == "urban":
        parts.append(f"Density {dens:.1f} h/km² (fringe below {t.fringe_below_hours_per_km2:.1f}); "
                     f"visit-to-visit {visit:.1f} min (fringe from {t.fringe_visit_min:.1f}).")
    if band in ("fringe",):
        parts.append(f"Urban would need ≥ {t.fringe_below_hours_per_km2:.1f} h/km² and < {t.fringe_visit_min:.1f} min "
                     f"between visits (has {dens:.1f} h/km², {visit:.1f} min).")
    if band in ("rural", "isolated"):
        lower = "fringe" if band == "rural" else "rural"
        tt = t.rural_town_min if band == "rural" else t.isolated_town_min
        vt = t.rural_visit_min if band == "rural" else t.isolated_visit_min
        parts.append(f"{lower.capitalize()} would need town_min < {tt:.1f} and visit_to_visit_min < {vt:.1f} "
                     f"(has {town:.1f} and {visit:.1f}).")
    if estimated:
        parts.append("Travel figures are ESTIMATED (no road network for this unit: straight line × measured circuity and speed).")
    return " ".join(parts)


def hours_share(bands: pd.Series | np.ndarray, hours: np.ndarray) -> dict[str, float]:
    """Percent of weekly hours per band (keys in BANDS order, 2 decimals)."""
    bands = np.asarray(bands)
    total = float(np.sum(hours))
    return {b: round(100 * float(np.sum(hours[bands == b])) / total, 2) if total else 0.0 for b in BANDS}


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: np.ndarray) -> np.ndarray:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cw = np.cumsum(w) / w.sum()
    return np.interp(qs, cw, v)


def calibrate(metrics: pd.DataFrame, hours: np.ndarray, target_pct: dict[str, float], steps: int = 9) -> tuple[Thresholds, dict]:
    """Thresholds whose hours share per band is closest (L1, percentage points) to ``target_pct``.

    Grid search over hours-weighted quantiles of each metric (see module docstring). Returns the thresholds
    and the fit: achieved shares, target, L1 distance and the number of candidates tried."""
    hours = np.asarray(hours, dtype=float)
    town = metrics["town_min"].to_numpy(float)
    visit = metrics["visit_to_visit_min"].to_numpy(float)
    dens = metrics["hours_per_km2"].to_numpy(float)
    w = np.maximum(hours, 1e-9)
    tgt = np.array([target_pct[b] for b in BANDS], dtype=float)
    # where the target shares put the cut points, searched around those hours-weighted quantiles
    iso_q = 1 - tgt[3] / 100
    rur_q = 1 - (tgt[3] + tgt[2]) / 100
    fr_q = tgt[1] / 100
    spread = np.linspace(-0.08, 0.08, steps)

    def qgrid(vals, q):
        return np.unique(_weighted_quantiles(vals, w, np.clip(q + spread, 0.001, 0.999)))

    big = 1e9
    cand_iso_t, cand_iso_v = qgrid(town, iso_q), np.append(qgrid(visit, iso_q), big)
    cand_rur_t, cand_rur_v = qgrid(town, rur_q), np.append(qgrid(visit, rur_q), big)
    cand_fr_d, cand_fr_v = qgrid(dens, fr_q), np.append(qgrid(visit, 1 - (tgt[1] + tgt[2] + tgt[3]) / 100), big)
    best, best_d, tried = None, np.inf, 0
    total = hours.sum()
    for it, iv, rt, rv in itertools.product(cand_iso_t, cand_iso_v, cand_rur_t, cand_rur_v):
        if rt > it or (rv > iv and iv < big):
            continue
        iso = (town >= it) | (visit >= iv)
        rur = ~iso & ((town >= rt) | (visit >= rv))
        rest = ~iso & ~rur
        h_iso, h_rur = hours[iso].sum(), hours[rur].sum()
        for fd, fv in itertools.product(cand_fr_d, cand_fr_v):
            tried += 1
            fr = rest & ((dens < fd) | (visit >= fv))
            h_fr = hours[fr].sum()
            shares = 100 * np.array([total - h_iso - h_rur - h_fr, h_fr, h_rur, h_iso]) / total
            d = np.abs(shares - tgt).sum()
            if d < best_d:
                best_d, best = d, (it, iv, rt, rv, fd, fv, shares)
    if best is None:
        raise DataError("calibrate: no threshold combination could be evaluated (too few units?)")
    it, iv, rt, rv, fd, fv, shares = best
    th = Thresholds(round(float(it), 2), round(float(min(iv, 999)), 2), round(float(rt), 2), round(float(min(rv, 999)), 2),
                    round(float(fd), 2), round(float(min(fv, 999)), 2))
    fit = {"achieved_pct": {b: round(float(s), 2) for b, s in zip(BANDS, shares)}, "target_pct": dict(target_pct),
           "l1_distance_pct_points": round(float(best_d), 2), "candidates_tried": tried,
           "method": "grid search over hours-weighted quantiles around the target cut points; L1 distance of hours shares"}
    return th, fit


def write_thresholds(pack_path: Path, th: Thresholds, fit: dict) -> None:
    """Write (or replace) the ``[classify]`` section of a pack file, with the fit as a comment."""
    text = pack_path.read_text()
    text = re.sub(r"\n# calibrated by `zoneplan calibrate`[^\n]*\n(?:#[^\n]*\n)*\[classify\]\n(?:[^\[\n][^\n]*\n|\n)*", "\n", text)
    text = re.sub(r"\n\[classify\]\n(?:[^\[\n][^\n]*\n|\n)*", "\n", text)
    block = [f"\n# calibrated by `zoneplan calibrate`: L1 distance {fit['l1_distance_pct_points']} percentage points",
             f"# achieved % of hours {fit['achieved_pct']} vs target {fit['target_pct']}",
             "[classify]"]
    block += [f"{k} = {v}" for k, v in th.as_dict().items()]
    new = text.rstrip("\n") + "\n" + "\n".join(block) + "\n"
    tomllib.loads(new)  # never write a broken pack
    pack_path.write_text(new)
