"""Band classification (urban / fringe / rural / isolated) from evidence in minutes and hours, with reasons.

Band definitions (Leicestershire report para 41): *urban* — concentrated demand in towns and clusters of nearby
villages, good travel routes, many hours; *fringe* — smaller towns or villages fairly close to towns, lower
density; *rural* — reachable by car but longer travel between visits; *isolated* — hard to reach, significant
travel to and between visits.

Evidence per unit (``band_evidence``):
- ``town_min``: drive minutes from the edge of the nearest town hub (``geodata.zoning.hub_points``: built-up
  areas of 5,000+ residents, each a disc of its population at 4,000 residents per km²) to where the unit's
  hours are: its postcode centroids, each weighted by its LSOA's age-weighted demand (``zones.demand_points``;
  a unit with no postcode uses its output-area points), averaged over the hours — so a parish whose people live
  next to a town is near it even if its fields reach far. Straight line from the edge × circuity ÷ speed of the
  travel engine's fitted estimator (``travel.estimator.estimate_seconds``), so always ESTIMATED;
- ``visit_to_visit_min``: the travel engine's drive minutes between neighbouring client points
  (``travel.metrics.unit_metrics``): ROUTED on a real road graph where it has one, else ESTIMATED;
- ``hours_per_km2``: care hours a week per km² (hours estimated from population by age unless the council
  supplies its own).

Rules (thresholds in the pack's ``[classify]`` section; every rule is live — no threshold may be switched off):
  isolated  if town_min ≥ isolated_town_min  or visit_to_visit_min ≥ isolated_visit_min
  rural     if town_min ≥ rural_town_min     or visit_to_visit_min ≥ rural_visit_min
  fringe    if town_min ≥ fringe_town_min    or visit_to_visit_min ≥ fringe_visit_min
            or hours_per_km2 < fringe_below_hours_per_km2
  urban     otherwise
With fringe ≤ rural ≤ isolated thresholds the rules are monotone: more minutes or fewer hours per km² never
give a less remote band.

Bands come from the pack (``[council] bands``, least remote first; the four above are the default). With N bands
there are N - 1 cuts: band b (every band after the first) starts at ``<b>_town_min`` or ``<b>_visit_min``, and the
first cut also at fewer than ``<b>_below_hours_per_km2``; a unit takes the most remote band whose rule fires
(``threshold_keys``, ``Thresholds``). Every function here takes the bands from its ``Thresholds``.

Calibration (``calibrate``) is a constraint on a regularised model, not the objective: starting from the prior
thresholds (plausible values, in the pack), coordinate descent minimises Σ z² + 0.25 Σ (Δ_b / 3)², where
z = log2(threshold / prior) (doubling a threshold costs 1) and Δ_b the hours-share gap of band b in percentage
points, with every |Δ_b| ≤ 3 points required (a heavy penalty beyond) and each threshold kept in its range.
Validation (``validate_bands``): fit on six districts, classify the seventh; agreement with ONS RUC 2011 / 2021
and with the council's own para-47 decisions; the same for two baselines (bands by unit area alone, by density
alone, cut to the same hours shares).
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from geodata.datadir import DataError
from geodata.packs import check_band_names

BANDS = ("urban", "fringe", "rural", "isolated")  # the default bands (generated packs); a pack names its own
SHARE_TOLERANCE_PCT_POINTS = 3.0


def _thresholds(bands: tuple[str, ...], values: dict[str, float]) -> Thresholds:
    return Thresholds(bands, **values)


def check_bands(bands) -> tuple[str, ...]:
    """A band list (least remote first) as a tuple: 2 … MAX_BANDS distinct names
    (``geodata.packs.check_band_names``)."""
    return check_band_names(bands, "bands")


def threshold_keys(bands: tuple[str, ...] | list[str] = BANDS) -> tuple[str, ...]:
    """The threshold names of a band list (least remote first), most remote cut first. With N bands there are
    N - 1 cuts; the cut into band b (every band after the first) is two limits in minutes, ``<b>_town_min`` (drive
    from the nearest town's edge) and ``<b>_visit_min`` (drive between visits); the first cut (out of the base
    band) also has ``<b>_below_hours_per_km2`` (demand too thin for the base band). Four default bands give
    isolated_town_min, isolated_visit_min, rural_town_min, rural_visit_min, fringe_below_hours_per_km2,
    fringe_visit_min, fringe_town_min."""
    bands = check_bands(bands)
    keys: list[str] = []
    for b in reversed(bands[2:]):
        keys += [f"{b}_town_min", f"{b}_visit_min"]
    return tuple(keys + [f"{bands[1]}_below_hours_per_km2", f"{bands[1]}_visit_min", f"{bands[1]}_town_min"])


THRESHOLD_KEYS = threshold_keys(BANDS)

# Plausible values (the prior) and the range each threshold may take, minutes / hours per km². Minutes are the
# travel engine's: town_min from the nearest town's edge, visit_to_visit_min to neighbouring client points.
DEFAULT_PRIOR = {
    "fringe_town_min": 5.0,
    "rural_town_min": 10.0,
    "isolated_town_min": 15.0,
    "fringe_visit_min": 1.5,
    "rural_visit_min": 2.5,
    "isolated_visit_min": 4.0,
    "fringe_below_hours_per_km2": 20.0,
}
RANGE_FACTOR = 2.0  # default range: prior ÷ 2 .. prior × 2


class Thresholds:
    """Band thresholds of a band list (``bands``, least remote first; default the four default bands): for each
    band after the first, the minutes from a town (``<band>_town_min``) and between visits (``<band>_visit_min``)
    at which that band starts, and for the first cut the care hours a week per km² below which a unit leaves the
    base band (``<band>_below_hours_per_km2``). Values read as attributes (``t.rural_town_min``) or ``t[key]``.
    Immutable; equal when bands and values are."""

    __slots__ = ("bands", "_values")
    bands: tuple[str, ...]
    _values: dict[str, float]

    def __init__(self, bands: tuple[str, ...] | list[str] = BANDS, **values: float):
        keys = threshold_keys(bands)
        missing = [k for k in keys if k not in values]
        extra = sorted(set(values) - set(keys))
        if missing or extra:
            raise TypeError(f"Thresholds for bands {list(bands)}: missing {missing}, unknown {extra}")
        object.__setattr__(self, "bands", tuple(bands))
        object.__setattr__(self, "_values", {k: float(values[k]) for k in keys})

    def __getattr__(self, name: str) -> float:
        try:
            return object.__getattribute__(self, "_values")[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def __setattr__(self, name, value):
        raise AttributeError("Thresholds are immutable; use with_values")

    def __eq__(self, other) -> bool:
        return isinstance(other, Thresholds) and self.bands == other.bands and self._values == other._values

    def __hash__(self) -> int:
        return hash((self.bands, tuple(self._values.items())))

    def __repr__(self) -> str:
        return "Thresholds(" + ", ".join(f"{k}={v!r}" for k, v in self._values.items()) + ")"

    def __reduce__(self):
        """Pickle and copy by value (Streamlit's caches and ``copy`` go through here)."""
        return (_thresholds, (self.bands, dict(self._values)))

    @property
    def keys(self) -> tuple[str, ...]:
        """The threshold names, most remote cut first (``threshold_keys``)."""
        return tuple(self._values)

    def with_values(self, **values: float) -> Thresholds:
        """These thresholds with some values changed."""
        return Thresholds(self.bands, **{**self._values, **values})

    def town_min(self, band: str) -> float:
        """Minutes' drive from the nearest town's edge at which ``band`` starts (not the first band)."""
        return self._values[f"{band}_town_min"]

    def visit_min(self, band: str) -> float:
        """Minutes between visits at which ``band`` starts (not the first band)."""
        return self._values[f"{band}_visit_min"]

    @property
    def below_hours_per_km2(self) -> float:
        """Care hours a week per km² below which a unit leaves the first band (for the second)."""
        return self._values[f"{self.bands[1]}_below_hours_per_km2"]

    @classmethod
    def from_dict(cls, d: dict, where: str = "thresholds", bands: tuple[str, ...] | list[str] = BANDS) -> Thresholds:
        keys = threshold_keys(bands)
        missing = [k for k in keys if k not in d]
        if missing:
            raise DataError(f"{where} lacks {', '.join(missing)}")
        vals = {}
        for k in keys:
            try:
                v = float(d[k])
            except (TypeError, ValueError):
                raise DataError(f"{where}: {k} = {d[k]!r} is not a number") from None
            if not math.isfinite(v) or v <= 0 or v >= 900:
                raise DataError(
                    f"{where}: {k} = {v} is not a live threshold (must be > 0 and < 900; no rule may be switched off)"
                )
            vals[k] = v
        t = cls(tuple(bands), **vals)
        t.check_order(where)
        return t

    @classmethod
    def from_pack(cls, pack) -> Thresholds:
        """The pack's ``[classify]`` thresholds for its bands, or those of the pack it names in ``[classify]
        model`` (which must have the same bands)."""
        bands = pack_bands(pack)
        c = pack.raw.get("classify")
        if not c:
            raise DataError(
                f"pack {pack.path}: no [classify] section with thresholds "
                f"({', '.join(threshold_keys(bands))}); run `zoneplan calibrate {pack.id} --write`"
            )
        if c.get("thresholds") == "default":  # a generated pack with its own bands (geodata.national)
            return cls.from_dict(default_prior(bands), f"pack {pack.path} [classify] (default)", bands)
        if c.get("model"):
            from geodata.packs import load_pack

            other = load_pack(c["model"])
            if other.raw.get("classify", {}).get("model"):
                raise DataError(f"pack {pack.path}: [classify] model '{c['model']}' itself names another model")
            if tuple(other.bands) != bands:
                raise DataError(
                    f"pack {pack.path}: [classify] model '{c['model']}' has bands "
                    f"{', '.join(other.bands)}, not {', '.join(bands)}"
                )
            return cls.from_pack(other)
        return cls.from_dict(c, f"pack {pack.path} [classify]", bands)

    def in_order(self) -> bool:
        """True when the town and the visit limits each rise band by band (the rules are then monotone)."""
        nxt = self.bands[1:]
        return all(
            self.town_min(a) <= self.town_min(b) and self.visit_min(a) <= self.visit_min(b)
            for a, b in zip(nxt, nxt[1:])
        )

    def check_order(self, where: str = "thresholds") -> None:
        nxt = self.bands[1:]
        if not all(self.town_min(a) <= self.town_min(b) for a, b in zip(nxt, nxt[1:])):
            raise DataError(f"{where}: town thresholds must rise {' ≤ '.join(nxt)}")
        if not all(self.visit_min(a) <= self.visit_min(b) for a, b in zip(nxt, nxt[1:])):
            raise DataError(f"{where}: visit-to-visit thresholds must rise {' ≤ '.join(nxt)}")

    def as_dict(self) -> dict:
        return dict(self._values)


def pack_bands(pack) -> tuple[str, ...]:
    """The bands a pack names (least remote first); the default bands for an object without any."""
    return tuple(getattr(pack, "bands", None) or BANDS)


def default_prior(bands: tuple[str, ...] | list[str] = BANDS) -> dict[str, float]:
    """Plausible thresholds for a band list: ``DEFAULT_PRIOR`` for the four default bands; for other bands the
    same span spread over their N - 1 cuts: minutes from a town evenly from 5 to 15, minutes between visits
    geometrically from 1.5 to 4, and 20 care hours a week per km² for the first cut."""
    bands = check_bands(bands)
    if bands == BANDS:
        return {k: DEFAULT_PRIOR[k] for k in THRESHOLD_KEYS}
    n = len(bands) - 2  # cuts after the first
    out = {f"{bands[1]}_below_hours_per_km2": 20.0}
    for i, b in enumerate(bands[1:]):
        f = i / n if n else 0.0
        out[f"{b}_town_min"] = round(5.0 + 10.0 * f, 1)
        out[f"{b}_visit_min"] = round(1.5 * (4.0 / 1.5) ** f, 1)
    return {k: out[k] for k in threshold_keys(bands)}


def prior_and_ranges(pack=None) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Prior thresholds and allowed ranges for the pack's bands: the pack's ``[classify.prior]`` /
    ``[classify.range]`` (or those of the pack it names as its model), else ``default_prior`` (ranges prior ÷ 2
    .. × 2). Without a pack: the four default bands."""
    bands = pack_bands(pack) if pack is not None else BANDS
    c = (pack.raw.get("classify", {}) if pack is not None else {}) or {}
    if c.get("model"):
        from geodata.packs import load_pack

        c = load_pack(c["model"]).raw.get("classify", {})
    base = default_prior(bands)
    prior = {k: float(c.get("prior", {}).get(k, base[k])) for k in base}
    rng = {}
    for k in base:
        lo, hi = c.get("range", {}).get(k, (prior[k] / RANGE_FACTOR, prior[k] * RANGE_FACTOR))
        rng[k] = (float(lo), float(hi))
    return prior, rng


# ---------------------------------------------------------------- evidence


def band_evidence(layer, metrics: pd.DataFrame, hubs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Evidence per unit (one row per unit, layer order): unit_code, lad_code, hours_per_week, area_km2,
    town_min (from the nearest town's edge, ESTIMATED), nearest_town, visit_to_visit_min (travel engine),
    visit_routed (bool), hours_per_km2, clients_per_km2, estimated (True unless both times are routed; the town
    time never is), town_estimate_note. See the module docstring; distances EPSG:27700."""
    from geodata.zoning import hub_points, nearest_hub_edge_m
    from travel.metrics import estimate_seconds

    from .demand_points import demand_points

    units = layer.units
    hubs = hubs if hubs is not None else hub_points(layer.pack)
    model = metrics.attrs.get("estimator")
    if not model:
        raise DataError("travel metrics carry no estimator model (metrics.attrs['estimator']); rebuild them")
    pts = demand_points(layer)  # where the hours are: postcode centroids weighted by demand (else OA points)
    d_m, j = nearest_hub_edge_m(hubs, pts["x"].to_numpy(float), pts["y"].to_numpy(float))
    t_min = estimate_seconds(model, d_m) / 60.0
    w = pts["weight"].to_numpy(float)
    ui = pts["unit_idx"].to_numpy()
    n = len(units)
    wsum = np.bincount(ui, weights=w, minlength=n)
    cnt = np.bincount(ui, minlength=n).astype(float)
    tw = np.bincount(ui, weights=w * t_min, minlength=n)
    tu = np.bincount(ui, weights=t_min, minlength=n)
    town = np.where(wsum > 0, tw / np.where(wsum > 0, wsum, 1), tu / np.maximum(cnt, 1))
    # the hub most of a unit's hours are nearest to
    names = hubs["name"].to_numpy()
    near = pd.DataFrame({"u": ui, "hub": j, "w": w + 1e-9}).groupby(["u", "hub"])["w"].sum().reset_index()
    near = near.sort_values(["u", "w"], ascending=[True, False]).drop_duplicates("u").set_index("u")["hub"]
    m = metrics.set_index("unit_code").reindex(units["unit_code"])
    if m["visit_to_visit_min"].isna().any():
        raise DataError("travel metrics do not cover every unit; rebuild them (zoneplan travel COUNCIL)")
    routed = m["road_data"].astype(bool).to_numpy() if "road_data" in m else np.zeros(n, bool)
    area = units["area_km2"].to_numpy(float)
    hours = units["hours_per_week"].to_numpy(float)
    return pd.DataFrame(
        {
            "unit_code": units["unit_code"].to_numpy(),
            "lad_code": units["lad_code"].to_numpy(),
            "hours_per_week": hours,
            "area_km2": area,
            "town_min": np.round(town, 2),
            "nearest_town": [names[int(near.get(i, 0))] for i in range(n)],
            "visit_to_visit_min": m["visit_to_visit_min"].to_numpy(float),
            "visit_routed": routed,
            "hours_per_km2": np.round(np.where(area > 0, hours / np.where(area > 0, area, 1), 0.0), 2),
            "clients_per_km2": m["clients_per_km2"].to_numpy(float) if "clients_per_km2" in m else np.nan,
            "estimated": True,
            "town_positions": np.where(
                np.bincount(ui, weights=(pts["source"] == "postcode").to_numpy(float), minlength=n) > 0,
                "postcodes",
                "output areas",
            ),
        }
    )


# ---------------------------------------------------------------- rules


def band_index(town: np.ndarray, visit: np.ndarray, dens: np.ndarray, t: Thresholds) -> np.ndarray:
    """Position of each unit's band in ``t.bands`` (0 the least remote: 0 urban, 1 fringe, 2 rural, 3 isolated
    with the default bands) for arrays of evidence: the most remote band any of whose rules fires (vectorised
    rules, module docstring)."""
    town, visit, dens = (np.asarray(a, dtype=float) for a in (town, visit, dens))
    idx = np.zeros(np.broadcast(town, visit, dens).shape, dtype=np.int64)
    for i, b in enumerate(t.bands[1:], start=1):
        fires = (town >= t.town_min(b)) | (visit >= t.visit_min(b))
        if i == 1:
            fires |= dens < t.below_hours_per_km2
        idx = np.where(fires, i, idx)
    return idx


def _num(x: float, near: float | None = None) -> str:
    """A figure for people: one decimal under 10, whole numbers from 10; more decimals when the figure would
    otherwise read the same as the limit it is compared with (2.53 against 2.5)."""

    def show(v: float) -> str:
        return f"{v:,.0f}" if abs(v) >= 10 else (f"{v:.1f}".rstrip("0").rstrip(".") or "0")

    out = show(x)
    if near is not None and abs(x - near) > 1e-9 and out == show(near):
        out = f"{x:,.1f}" if abs(x) >= 10 and f"{x:.1f}" != f"{near:.1f}" else f"{x:,.2f}"
    return out


def _hours_text(n: str) -> str:
    return f"{n} care hour" + ("" if n == "1" else "s")


def drive_text(x: float) -> str:
    """'14 minutes' drive', '1 minute's drive' (plain English for the evidence)."""
    m = minutes_text(x)
    return m + ("'s drive" if m.endswith("minute") else "' drive" if m.endswith("minutes") else " drive")


def _limit(band: str, x: float) -> str:
    return f"the {band} band starts at {minutes_text(x)}"


def _rules_of(band: str, town: float, visit: float, dens: float, t: Thresholds) -> list[str]:
    """Plain-English rules that put a unit in ``band`` (all that apply), each with the limit it passed."""
    if band == t.bands[0]:
        return []
    tt, vt = t.town_min(band), t.visit_min(band)
    out = []
    if town >= tt:
        out.append(f"it is {drive_text(town)} from the nearest town ({_limit(band, tt)})")
    if visit >= vt:
        out.append(f"visits are about {minutes_text(visit)} apart ({_limit(band, vt)})")
    if band == t.bands[1] and dens < t.below_hours_per_km2:
        thr = t.below_hours_per_km2
        out.append(
            f"it has only {_hours_text(_num(dens, thr))} a week per km² (the {band} band starts below {_num(thr)})"
        )
    return out


def _up_needs(band: str, town: float, visit: float, dens: float, t: Thresholds) -> str:
    """What would move a unit one band more remote (the trigger nearest in relative terms), in plain English."""
    i = t.bands.index(band)
    if i == len(t.bands) - 1:
        return ""
    nxt = t.bands[i + 1]
    tt, vt = t.town_min(nxt), t.visit_min(nxt)
    opts = [
        (tt / max(town, 1e-9), f"a drive from the town {minutes_text(tt - town)} longer ({_limit(nxt, tt)})"),
        (vt / max(visit, 1e-9), f"visits {minutes_text(vt - visit)} further apart ({_limit(nxt, vt)})"),
    ]
    if i == 0:
        thr = t.below_hours_per_km2
        opts.append(
            (
                max(dens, 1e-9) / thr,
                f"{_num(dens - thr)} fewer care hours a week per km² (the {nxt} band starts below {_num(thr)})",
            )
        )
    return min(opts, key=lambda o: o[0])[1]


def _down_needs(band: str, town: float, visit: float, dens: float, t: Thresholds) -> str:
    """What the next less remote band would need (only the conditions the unit does not meet), in plain English,
    to follow "It would be <band> if …": to stay below the cut into ``band``."""
    i = t.bands.index(band)
    if i == 0:
        return ""
    tt, vt = t.town_min(band), t.visit_min(band)
    thr = t.below_hours_per_km2 if i == 1 else None
    need = []
    if town >= tt:
        need.append(f"it were under {minutes_text(tt)} from a town (it is {_num(town, tt)})")
    if visit >= vt:
        need.append(f"visits were under {minutes_text(vt)} apart (they are about {_num(visit, vt)})")
    if thr is not None and dens < thr:
        need.append(f"it had at least {_num(thr)} care hours a week per km² (it has {_num(dens, thr)})")
    return " and ".join(need)


def no_rule_text(bands: tuple[str, ...]) -> str:
    """The rule of a unit in the first band: "no fringe, rural or isolated rule applies"."""
    rest = list(bands[1:])
    names = rest[0] if len(rest) == 1 else ", ".join(rest[:-1]) + " or " + rest[-1]
    return f"no {names} rule applies"


def classify(metrics: pd.DataFrame, t: Thresholds) -> pd.DataFrame:
    """Band and evidence per unit. ``metrics`` has unit_code, town_min, visit_to_visit_min, hours_per_km2 and
    optionally estimated / nearest_town / visit_routed. Returns unit_code, band, rule (the deciding rules),
    evidence (plain English), next_band_up / margin_up (what would make it more remote), next_band_down /
    margin_down (what the less remote band would need), travel_estimated."""
    town = metrics["town_min"].to_numpy(float)
    visit = metrics["visit_to_visit_min"].to_numpy(float)
    dens = metrics["hours_per_km2"].to_numpy(float)
    idx = band_index(town, visit, dens, t)
    est = metrics["estimated"].astype(bool).to_numpy() if "estimated" in metrics else np.zeros(len(metrics), bool)
    near = metrics["nearest_town"].to_numpy() if "nearest_town" in metrics else np.array([""] * len(metrics))
    bands, top = t.bands, len(t.bands) - 1
    out = []
    for i in range(len(metrics)):
        band = bands[idx[i]]
        rules = _rules_of(band, town[i], visit[i], dens[i], t)
        rule = " and ".join(rules) if rules else no_rule_text(bands)
        up = _up_needs(band, town[i], visit[i], dens[i], t)
        down = _down_needs(band, town[i], visit[i], dens[i], t)
        up_band = bands[idx[i] + 1] if idx[i] < top else ""
        down_band = bands[idx[i] - 1] if idx[i] > 0 else ""
        out.append(
            {
                "unit_code": metrics["unit_code"].iloc[i],
                "band": band,
                "rule": rule,
                "evidence": _evidence(
                    band, rules, town[i], visit[i], dens[i], near[i], (up_band, up), (down_band, down), bool(est[i])
                ),
                "next_band_up": up_band,
                "margin_up": up,
                "next_band_down": down_band,
                "margin_down": down,
                "travel_estimated": bool(est[i]),
            }
        )
    return pd.DataFrame(
        out,
        columns=[
            "unit_code",
            "band",
            "rule",
            "evidence",
            "next_band_up",
            "margin_up",
            "next_band_down",
            "margin_down",
            "travel_estimated",
        ],
    )


def minutes_text(x: float) -> str:
    """'14 minutes', '2.5 minutes', '1 minute', 'under half a minute' (plain English for the evidence)."""
    if x < 0.5:
        return "under half a minute"
    v = f"{x:.0f}" if x >= 10 else f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{v} minute" + ("" if v == "1" else "s")


def facts_text(town: float, visit: float, dens: float, near: str = "") -> str:
    """The unit's three figures in one line: "14 minutes' drive from Melton Mowbray; about 6 minutes between
    visits; 6 care hours a week per km²"."""
    where = f"from {near}" if near else "from the nearest town"
    head = f"{drive_text(town)} {where}" if town >= 0.5 else f"within or next to {near or 'a town'}"
    return f"{head}; about {minutes_text(visit)} between visits; {_hours_text(_num(dens))} a week per km²"


ESTIMATE_SENTENCE = (
    "Travel times are ESTIMATED from straight-line distances and typical road speeds, not measured along roads."
)


def _evidence(band, rules, town, visit, dens, near, up, down, estimated) -> str:
    """The evidence in plain English; ``up`` / ``down`` are (next band, what it needs) or ("", "")."""
    parts = [
        f"{band.upper()} because "
        + (" and ".join(rules) if rules else "it is close to a town, visits are close together and demand is dense")
        + ".",
        facts_text(town, visit, dens, near)[0].upper() + facts_text(town, visit, dens, near)[1:] + ".",
    ]
    if up[1]:
        parts.append(f"It would become {up[0]} with {up[1]}.")
    if down[1]:
        parts.append(f"It would be {down[0]} if {down[1]}.")
    if estimated:
        parts.append(ESTIMATE_SENTENCE)
    return " ".join(parts)


def rule_counts(ev: pd.DataFrame, t: Thresholds) -> dict[str, int]:
    """How many units each rule fires for (a unit can trip several): shows every rule is live. Keys: the most
    remote band's town and visit rules first, the first cut's density rule last."""
    town, visit, dens = (ev[c].to_numpy(float) for c in ("town_min", "visit_to_visit_min", "hours_per_km2"))
    out = {}
    for b in reversed(t.bands[1:]):
        out[f"{b}_town_min"] = int((town >= t.town_min(b)).sum())
        out[f"{b}_visit_min"] = int((visit >= t.visit_min(b)).sum())
    out[f"{t.bands[1]}_below_hours_per_km2"] = int((dens < t.below_hours_per_km2).sum())
    return out


def threshold_preview(
    ev: pd.DataFrame, current: Thresholds, trial: Thresholds, target_pct: dict | None = None, rates: dict | None = None
) -> dict:
    """What other thresholds would do, before anything is saved: hours shares now and with ``trial`` (and the gap
    to the target), and the units that would change band with their hours a week and, given ``rates`` (band ->
    Decimal £/hour), the change in £ a week (exact Decimal per unit, rounded to pence once).
    ``ev`` has unit_code, hours_per_week, town_min, visit_to_visit_min, hours_per_km2 (and optionally unit_name)."""
    from . import money as m

    trial.check_order("trial thresholds")
    if trial.bands != current.bands:
        raise DataError(f"trial thresholds are for bands {', '.join(trial.bands)}, not {', '.join(current.bands)}")
    names = current.bands
    town, visit, dens = (ev[c].to_numpy(float) for c in ("town_min", "visit_to_visit_min", "hours_per_km2"))
    hours = ev["hours_per_week"].to_numpy(float)
    a, b = band_index(town, visit, dens, current), band_index(town, visit, dens, trial)
    ch = np.flatnonzero(a != b)
    rows, exact = [], []
    for i in ch:
        h = m.centi_hours(float(hours[i])) / 100  # hours as a plan holds them (to the centi-hour)
        r = {
            "unit_code": ev["unit_code"].iloc[i],
            "unit_name": ev["unit_name"].iloc[i] if "unit_name" in ev else "",
            "from_band": names[a[i]],
            "to_band": names[b[i]],
            "hours_per_week": h,
        }
        if rates:  # one money rule: the exact line is kept, shown to the penny, and only the sum is rounded
            exact.append(m.change(m.hours(str(h)), m.hours(str(rates[names[a[i]]])), m.hours(str(rates[names[b[i]]]))))
            r["gbp_per_week"] = m.money(exact[-1])
        rows.append(r)
    changes = pd.DataFrame(
        rows,
        columns=["unit_code", "unit_name", "from_band", "to_band", "hours_per_week"]
        + (["gbp_per_week"] if rates else []),
    )
    new = hours_share(np.array(names)[b], hours, names)
    out = {
        "shares_current": hours_share(np.array(names)[a], hours, names),
        "shares_trial": new,
        "changes": changes,
        "n_changed": int(len(ch)),
        "hours_changed": round(float(hours[ch].sum()), 2),
        "rule_counts": rule_counts(ev, trial),
    }
    if rates:
        out["gbp_per_week_change"] = m.rounded_total(exact)
    if target_pct:
        out["gap_to_target_pct_points"] = {k: round(new[k] - float(target_pct[k]), 2) for k in names}
        out["within_3_points"] = bool(
            all(abs(v) <= SHARE_TOLERANCE_PCT_POINTS for v in out["gap_to_target_pct_points"].values())
        )
    return out


def hours_share(
    bands: pd.Series | np.ndarray, hours: np.ndarray, band_names: tuple[str, ...] | list[str] = BANDS
) -> dict[str, float]:
    """Percent of weekly hours per band (keys in ``band_names`` order, 2 decimals)."""
    bands = np.asarray(bands)
    hours = np.asarray(hours, dtype=float)
    total = float(np.sum(hours))
    return {b: round(100 * float(np.sum(hours[bands == b])) / total, 2) if total else 0.0 for b in band_names}


def _shares_idx(idx: np.ndarray, hours: np.ndarray, n_bands: int) -> np.ndarray:
    tot = hours.sum()
    return 100 * np.bincount(idx, weights=hours, minlength=n_bands) / tot if tot > 0 else np.zeros(n_bands)


# ---------------------------------------------------------------- calibration


def _objective(th: dict, prior: dict, town, visit, dens, hours, tgt, bands) -> tuple[float, np.ndarray]:
    t = Thresholds(bands, **th)
    if not t.in_order():
        return float("inf"), np.zeros(len(bands))
    sh = _shares_idx(band_index(town, visit, dens, t), hours, len(bands))
    gap = sh - tgt
    z = np.array([math.log2(th[k] / prior[k]) for k in t.keys])
    over = np.maximum(np.abs(gap) - SHARE_TOLERANCE_PCT_POINTS, 0)
    return float(np.sum(z**2) + 0.25 * np.sum((gap / SHARE_TOLERANCE_PCT_POINTS) ** 2) + 100 * np.sum(over**2)), sh


def calibrate(
    metrics: pd.DataFrame,
    hours: np.ndarray,
    target_pct: dict[str, float],
    prior: dict[str, float] | None = None,
    ranges: dict[str, tuple[float, float]] | None = None,
    steps: int = 81,
    rounds: int = 30,
    bands: tuple[str, ...] | list[str] = BANDS,
) -> tuple[Thresholds, dict]:
    """Regularised fit of the thresholds to the target hours shares (module docstring). Deterministic
    coordinate descent over a geometric grid of ``steps`` values per threshold inside its range. Returns the
    thresholds and the fit: achieved and target shares, the largest gap, whether every band is within 3
    points, and per threshold its prior, fitted value, change in percent and z = log2(fitted / prior).
    ``bands``: the band list the thresholds are for (least remote first; ``target_pct`` has one share each)."""
    bands = check_bands(bands)
    keys = threshold_keys(bands)
    prior = {k: float(v) for k, v in (prior or default_prior(bands)).items()}
    ranges = ranges or {k: (prior[k] / RANGE_FACTOR, prior[k] * RANGE_FACTOR) for k in keys}
    hours = np.asarray(hours, dtype=float)
    town = metrics["town_min"].to_numpy(float)
    visit = metrics["visit_to_visit_min"].to_numpy(float)
    dens = metrics["hours_per_km2"].to_numpy(float)
    tgt = np.array([float(target_pct[b]) for b in bands])
    # thresholds a commissioner can read: minutes and hours per km² to one decimal
    grids = {k: np.unique(np.round(np.geomspace(ranges[k][0], ranges[k][1], steps), 1)) for k in keys}
    th = {k: float(np.clip(round(prior[k], 1), *ranges[k])) for k in keys}
    best, sh = _objective(th, prior, town, visit, dens, hours, tgt, bands)
    tried = 1
    for _ in range(rounds):
        improved = False
        for k in keys:
            for v in grids[k]:
                cand = dict(th, **{k: float(v)})
                f, s = _objective(cand, prior, town, visit, dens, hours, tgt, bands)
                tried += 1
                if f < best - 1e-12:
                    best, th, sh, improved = f, cand, s, True
        if not improved:
            break
    t = Thresholds(bands, **{k: round(v, 1) for k, v in th.items()})
    sh = _shares_idx(band_index(town, visit, dens, t), hours, len(bands))
    gap = sh - tgt
    moved = {
        k: {
            "prior": prior[k],
            "fitted": getattr(t, k),
            "range": list(ranges[k]),
            "change_pct": round(100 * (getattr(t, k) / prior[k] - 1), 1),
            "z_log2": round(math.log2(getattr(t, k) / prior[k]), 3),
        }
        for k in keys
    }
    fit = {
        "achieved_pct": {b: round(float(s), 2) for b, s in zip(bands, sh)},
        "target_pct": dict(target_pct),
        "l1_distance_pct_points": round(float(np.abs(gap).sum()), 2),
        "max_gap_pct_points": round(float(np.abs(gap).max()), 2),
        "within_tolerance": bool(np.all(np.abs(gap) <= SHARE_TOLERANCE_PCT_POINTS + 1e-9)),
        "tolerance_pct_points": SHARE_TOLERANCE_PCT_POINTS,
        "threshold_moves": moved,
        "penalty_sum_z2": round(float(sum(m["z_log2"] ** 2 for m in moved.values())), 3),
        "candidates_tried": tried,
        "method": "coordinate descent from the prior thresholds minimising sum z^2 + 0.25 sum (gap/3)^2, "
        "z = log2(threshold/prior), every band's hours share within 3 points of the target required",
    }
    return t, fit


def write_thresholds(pack_path: Path, th: Thresholds, fit: dict) -> None:
    """Write (or replace) the threshold lines of a pack's ``[classify]`` section, keeping its other keys and
    sub-tables (prior, range), with the fit as a comment above the section."""
    text = pack_path.read_text()
    text = re.sub(r"\n# calibrated by `zoneplan calibrate`[^\n]*\n(?:#[^\n]*\n)*(?=\[classify\])", "\n", text)
    m = re.search(r"^\[classify\]\n((?:[^\[\n][^\n]*\n|\n)*)", text, flags=re.M)
    keep = ""
    if m:
        keep = "".join(
            line + "\n"
            for line in m.group(1).splitlines()
            if line.strip() and not re.match(r"\s*(" + "|".join(map(re.escape, th.keys)) + r")\s*=", line)
        )
        text = text[: m.start()] + text[m.end() :]
    head = [
        f"# calibrated by `zoneplan calibrate`: L1 distance {fit['l1_distance_pct_points']} percentage points",
        f"# achieved % of hours {fit['achieved_pct']} vs target {fit['target_pct']}",
    ]
    block = "[classify]\n" + keep + "".join(f"{k} = {v}\n" for k, v in th.as_dict().items())
    sub = re.search(r"^\[classify\.", text, flags=re.M)
    if sub:  # put the main table before its sub-tables
        new = text[: sub.start()].rstrip("\n") + "\n\n" + "\n".join(head) + "\n" + block + "\n" + text[sub.start() :]
    else:
        new = text.rstrip("\n") + "\n\n" + "\n".join(head) + "\n" + block
    tomllib.loads(new)  # never write a broken pack
    pack_path.write_text(new)
