"""Plan: an immutable assignment of units to zones and bands, with derived totals kept up to date.

Follows GerryChain's Partition + updaters pattern: per-unit arrays (hours, zone index, band index) plus
aggregated arrays (hours by band, by zone, by zone × band, units by zone). ``Plan.move`` returns a new
Plan whose aggregates are updated from the moved units only (O(k) for k units, plus array copies), so a
commissioner's edit does not re-aggregate the county. ``Plan.full_totals`` recomputes everything from the
per-unit arrays (tests and benchmarks compare the two).

Exactness: hours are held as integer centi-hours (0.01 h) and rates as integer pence, so the weekly cost
is an exact integer in 1/100 pence (``hours_cents × pence``); it is rounded half-up to the penny only when
shown as £.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import MappingProxyType
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from geodata.datadir import DataError

from .rates import RateCard, money

SOURCE_COMPUTED, SOURCE_OVERRIDE, SOURCE_SEED = "computed", "override", "seed"


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    a.setflags(write=False)
    return a


def cp_to_gbp(centipence: int) -> Decimal:
    """1/100-pence integer → £ Decimal rounded half-up to the penny."""
    return money(Decimal(int(centipence)) / 10000)


@dataclass(frozen=True, eq=False)
class Plan:
    """Units → zone and band, with totals. Build with ``Plan.build``; change with ``move``/``with_rates``.

    Arrays are read-only; all per-unit arrays are in the order of ``unit_codes``.
    """

    council: str
    unit_codes: np.ndarray           # str
    unit_names: np.ndarray           # str
    hours_cents: np.ndarray          # int64, hours per week × 100
    zone_names: tuple[str, ...]
    band_names: tuple[str, ...]
    zone_idx: np.ndarray             # int64
    band_idx: np.ndarray             # int64
    computed_band_idx: np.ndarray    # int64, -1 where no computed band
    reasons: Mapping[int, str]       # unit index -> reason of the last manual change
    sources: Mapping[int, str]       # unit index -> band source where not computed
    rates: RateCard
    rate_pence: np.ndarray           # int64 per band
    # derived (updaters)
    hours_cents_by_band: np.ndarray
    hours_cents_by_zone: np.ndarray
    hours_cents_by_zone_band: np.ndarray
    units_by_zone: np.ndarray
    _pos: Mapping[str, int] = field(repr=False, default=None)

    # ------------------------------------------------------------ construction
    @classmethod
    def build(cls, council: str, unit_codes, unit_names, hours_per_week, zones, bands, rates: RateCard,
              band_names: tuple[str, ...] = ("urban", "fringe", "rural", "isolated"),
              zone_names: tuple[str, ...] | None = None, computed_bands=None,
              sources: dict[int, str] | None = None, reasons: dict[int, str] | None = None) -> "Plan":
        """A plan from per-unit lists. ``bands``/``computed_bands`` are band names (None = no computed band)."""
        codes = np.asarray(unit_codes, dtype=object)
        if len(set(codes)) != len(codes):
            raise DataError("plan: duplicate unit codes")
        zone_names = tuple(zone_names) if zone_names else tuple(sorted(set(zones)))
        zpos = {z: i for i, z in enumerate(zone_names)}
        bpos = {b: i for i, b in enumerate(band_names)}
        bad = sorted({b for b in bands if b not in bpos})
        if bad:
            raise DataError(f"plan: unknown band(s) {bad}; bands are {list(band_names)}")
        hours = np.asarray(hours_per_week, dtype=float)
        if (hours < 0).any() or not np.isfinite(hours).all():
            raise DataError("plan: hours per week must be finite and non-negative")
        hc = np.rint(hours * 100).astype(np.int64)
        zi = np.array([zpos[z] for z in zones], dtype=np.int64)
        bi = np.array([bpos[b] for b in bands], dtype=np.int64)
        cb = np.array([bpos[b] if b is not None else -1 for b in (computed_bands if computed_bands is not None else [None] * len(codes))],
                      dtype=np.int64)
        return cls._assemble(council, codes, np.asarray(unit_names, dtype=object), hc, zone_names, tuple(band_names),
                             zi, bi, cb, dict(reasons or {}), dict(sources or {}), rates)

    @classmethod
    def _assemble(cls, council, codes, names, hc, zone_names, band_names, zi, bi, cb, reasons, sources, rates):
        nz, nb = len(zone_names), len(band_names)
        zb = np.zeros((nz, nb), dtype=np.int64)
        np.add.at(zb, (zi, bi), hc)
        return cls(council=council, unit_codes=_ro(codes), unit_names=_ro(names), hours_cents=_ro(hc),
                   zone_names=zone_names, band_names=band_names, zone_idx=_ro(zi), band_idx=_ro(bi),
                   computed_band_idx=_ro(cb), reasons=MappingProxyType(reasons), sources=MappingProxyType(sources),
                   rates=rates, rate_pence=_ro(rates.pence_per_hour(band_names)),
                   hours_cents_by_band=_ro(zb.sum(axis=0)), hours_cents_by_zone=_ro(zb.sum(axis=1)),
                   hours_cents_by_zone_band=_ro(zb), units_by_zone=_ro(np.bincount(zi, minlength=nz)),
                   _pos=MappingProxyType({c: i for i, c in enumerate(codes)}))

    @classmethod
    def from_assignments(cls, base: "Plan", assignments: pd.DataFrame) -> "Plan":
        """A plan with ``base``'s units, hours and rates and the zones/bands of an assignments table
        (columns unit_code, zone, band, reason; as written by ``assignments()``). Unknown codes raise."""
        unknown = sorted(set(assignments["unit_code"]) - set(base.unit_codes))
        if unknown:
            raise DataError(f"assignments: unknown unit code(s) {', '.join(unknown[:10])}")
        plan = base
        a = assignments.fillna({"reason": ""}) if "reason" in assignments.columns else assignments.assign(reason="")
        for (zone, band, reason), grp in a.groupby(["zone", "band", "reason"]):
            plan = plan.move(list(grp["unit_code"]), zone=zone, band=band, reason=reason or None)
        # every stored reason comes back, zone moves' too (move() keeps a reason only beside a manual band when
        # a band is given; a reopened scenario must show the reasons it was saved with)
        reasons = dict(plan.reasons)
        for code, reason in zip(a["unit_code"], a["reason"].astype(str)):
            i = plan._pos[code]
            if reason:
                reasons[i] = reason
            else:
                reasons.pop(i, None)
        return replace(plan, reasons=MappingProxyType(reasons))

    # ------------------------------------------------------------ lookups
    def index(self, units: Iterable[str] | str) -> np.ndarray:
        """Positions of unit codes; unknown codes raise DataError naming them."""
        if isinstance(units, str):
            units = [units]
        units = list(units)
        bad = [u for u in units if u not in self._pos]
        if bad:
            raise DataError(f"unknown unit code(s): {', '.join(map(str, bad[:10]))}")
        return np.fromiter((self._pos[u] for u in units), dtype=np.int64, count=len(units))

    def band_of(self, unit: str) -> str:
        return self.band_names[self.band_idx[self._pos[unit]]]

    def zone_of(self, unit: str) -> str:
        return self.zone_names[self.zone_idx[self._pos[unit]]]

    # ------------------------------------------------------------ updates
    def move(self, units: Iterable[str] | str, zone: str | None = None, band: str | None = None,
             reason: str | None = None) -> "Plan":
        """A new plan with ``units`` moved to ``zone`` and/or ``band``; totals updated from those units only.

        A new zone name is added to the plan's zones. A band set here is a manual override (its computed band
        is kept beside it, with ``reason``)."""
        idx = np.unique(self.index(units))
        if zone is None and band is None:
            raise DataError("move: give a zone, a band or both")
        zone_names = self.zone_names
        zb = self.hours_cents_by_zone_band.copy()
        if zone is not None and zone not in zone_names:
            zone_names = zone_names + (zone,)
            zb = np.vstack([zb, np.zeros((1, zb.shape[1]), dtype=np.int64)])
        if band is not None and band not in self.band_names:
            raise DataError(f"move: unknown band '{band}' (bands: {', '.join(self.band_names)})")
        zi, bi = self.zone_idx, self.band_idx
        new_zi = zi.copy() if zone is not None else zi
        new_bi = bi.copy() if band is not None else bi
        h = self.hours_cents[idx]
        np.subtract.at(zb, (zi[idx], bi[idx]), h)
        if zone is not None:
            new_zi[idx] = zone_names.index(zone)
        if band is not None:
            new_bi[idx] = self.band_names.index(band)
        np.add.at(zb, (new_zi[idx], new_bi[idx]), h)
        ubz = np.bincount(new_zi, minlength=len(zone_names)) if zone is not None else self.units_by_zone
        reasons, sources = dict(self.reasons), dict(self.sources)
        if band is not None:
            for i in idx.tolist():
                if self.computed_band_idx[i] == new_bi[i]:
                    sources.pop(i, None)
                    if zone is not None and reason:  # the reason of the zone move
                        reasons[i] = reason
                    else:
                        reasons.pop(i, None)
                else:
                    sources[i] = SOURCE_OVERRIDE
                    if reason:
                        reasons[i] = reason
        elif reason:
            for i in idx.tolist():
                reasons[i] = reason
        return replace(self, zone_names=zone_names, zone_idx=_ro(new_zi), band_idx=_ro(new_bi),
                       reasons=MappingProxyType(reasons), sources=MappingProxyType(sources),
                       hours_cents_by_band=_ro(zb.sum(axis=0)), hours_cents_by_zone=_ro(zb.sum(axis=1)),
                       hours_cents_by_zone_band=_ro(zb), units_by_zone=_ro(np.asarray(ubz)))

    def with_rates(self, rates: RateCard) -> "Plan":
        """The same plan priced with another rate card (totals by band do not change; costs do)."""
        return replace(self, rates=rates, rate_pence=_ro(rates.pence_per_hour(self.band_names)))

    def with_hours(self, units: Iterable[str], hours_per_week: Iterable[float]) -> "Plan":
        """A plan with new hours for some units (e.g. a council's own figures)."""
        idx = self.index(units)
        hc = self.hours_cents.copy()
        hc[idx] = np.rint(np.asarray(list(hours_per_week), dtype=float) * 100).astype(np.int64)
        return Plan._assemble(self.council, self.unit_codes, self.unit_names, hc, self.zone_names, self.band_names,
                              self.zone_idx, self.band_idx, self.computed_band_idx, dict(self.reasons),
                              dict(self.sources), self.rates)

    # ------------------------------------------------------------ totals
    @property
    def weekly_cost_centipence(self) -> int:
        """Exact weekly cost in 1/100 pence: Σ_band hours_cents × pence per hour."""
        return int(self.hours_cents_by_band @ self.rate_pence)

    def totals(self, weeks_per_year: int = 52) -> dict:
        """Derived figures: hours by band and zone, weekly and annual cost (£, to the penny), blended rate."""
        hb = self.hours_cents_by_band
        week = cp_to_gbp(self.weekly_cost_centipence)
        total_h = int(hb.sum())
        return {
            "hours_per_week": total_h / 100,
            "hours_per_week_by_band": {b: int(hb[i]) / 100 for i, b in enumerate(self.band_names)},
            "hours_share_by_band": {b: (round(100 * int(hb[i]) / total_h, 2) if total_h else 0.0)
                                    for i, b in enumerate(self.band_names)},
            "hours_per_week_by_zone": {z: int(self.hours_cents_by_zone[i]) / 100 for i, z in enumerate(self.zone_names)},
            "units_by_zone": {z: int(self.units_by_zone[i]) for i, z in enumerate(self.zone_names)},
            "gbp_per_week": week,
            "gbp_per_year": money(week * weeks_per_year),
            "blended_rate_gbp_per_hour": money(Decimal(self.weekly_cost_centipence) / 100 / total_h) if total_h else Decimal("0"),
            "gbp_per_week_by_band": {b: cp_to_gbp(int(hb[i]) * int(self.rate_pence[i])) for i, b in enumerate(self.band_names)},
        }

    def hours_by_zone_band(self) -> pd.DataFrame:
        """Hours per week by zone (rows, zones holding units) and band (columns)."""
        df = pd.DataFrame(self.hours_cents_by_zone_band / 100, index=list(self.zone_names), columns=list(self.band_names))
        return df[self.units_by_zone > 0]

    def zones_short_of_providers(self, providers_by_zone: dict[str, int], minimum: int = 2) -> list[dict]:
        """Zones holding units whose provider count (council provider data) is under ``minimum``
        (Leicestershire report para 43: every zone has at least two providers). Zones missing from the data
        count as 0 providers."""
        out = []
        for i, z in enumerate(self.zone_names):
            if self.units_by_zone[i] and providers_by_zone.get(z, 0) < minimum:
                out.append({"zone": z, "providers": int(providers_by_zone.get(z, 0)), "minimum": minimum,
                            "hours_per_week": int(self.hours_cents_by_zone[i]) / 100})
        return out

    def providers_table(self) -> list[dict]:
        """Per zone holding units: ``zone``, ``providers`` (from the rate card; None when it sets none),
        ``hours_per_week``, ``hours_per_provider`` (care hours a week each provider would carry, hours / providers,
        2 dp; None with no providers) and ``below_viability_floor`` (True when that share is under the card's
        viability floor in hours a week per provider; False when no floor is set)."""
        floor = self.rates.viability_floor_hours_per_week
        out = []
        for i, z in enumerate(self.zone_names):
            if not self.units_by_zone[i]:
                continue
            n = self.rates.providers(z)
            cents = int(self.hours_cents_by_zone[i])
            per = (Decimal(cents) / 100 / n).quantize(Decimal("0.01")) if n else None
            out.append({"zone": z, "providers": n, "hours_per_week": cents / 100,
                        "hours_per_provider": None if per is None else float(per),
                        "below_viability_floor": bool(floor is not None and per is not None and per < floor)})
        return out

    def full_totals(self) -> dict:
        """Aggregates recomputed from the per-unit arrays (the reference for the incremental updaters)."""
        nz, nb = len(self.zone_names), len(self.band_names)
        zb = np.zeros((nz, nb), dtype=np.int64)
        np.add.at(zb, (self.zone_idx, self.band_idx), self.hours_cents)
        return {"hours_cents_by_zone_band": zb, "hours_cents_by_band": zb.sum(axis=0),
                "hours_cents_by_zone": zb.sum(axis=1), "units_by_zone": np.bincount(self.zone_idx, minlength=nz),
                "weekly_cost_centipence": int(zb.sum(axis=0) @ self.rate_pence)}

    # ------------------------------------------------------------ tables
    def assignments(self) -> pd.DataFrame:
        """unit_code, zone, band, computed_band, band_source, reason: what a scenario stores."""
        n = len(self.unit_codes)
        return pd.DataFrame({
            "unit_code": self.unit_codes,
            "zone": [self.zone_names[i] for i in self.zone_idx],
            "band": [self.band_names[i] for i in self.band_idx],
            "computed_band": [self.band_names[i] if i >= 0 else "" for i in self.computed_band_idx],
            "band_source": [self.sources.get(i, SOURCE_COMPUTED if self.computed_band_idx[i] >= 0 else SOURCE_SEED) for i in range(n)],
            "reason": [self.reasons.get(i, "") for i in range(n)],
        })

    def table(self) -> pd.DataFrame:
        """Per-unit table: assignments plus name, hours per week, rate (£/h) and £ per week."""
        df = self.assignments()
        df.insert(1, "unit_name", self.unit_names)
        df["hours_per_week"] = self.hours_cents / 100
        rp = self.rate_pence[self.band_idx]
        df["rate_gbp_per_hour"] = [Decimal(int(p)) / 100 for p in rp]
        df["gbp_per_week"] = [cp_to_gbp(int(h) * int(p)) for h, p in zip(self.hours_cents, rp)]
        return df

    def digest(self) -> str:
        """A short hash of the assignments and rates: the plan's identity on reports."""
        import hashlib

        a = self.assignments()[["unit_code", "zone", "band"]].to_csv(index=False)
        return hashlib.sha256((a + str(self.rates.to_dict())).encode()).hexdigest()[:12]


def base_plan(layer, metrics: "pd.DataFrame | None" = None, rates: RateCard | None = None,
              year: str | None = None) -> tuple["Plan", "pd.DataFrame"]:
    """The council's starting plan: seed zones from the unit layer and bands from the classifier.

    Returns the plan and the classification table (unit_code, band, rule, evidence, metrics). Without
    metrics, the travel engine computes (or loads) them."""
    from travel.metrics import unit_metrics

    from .classify import Thresholds, band_evidence, classify
    from .rates import rate_card_from_pack

    pack = layer.pack
    metrics = metrics if metrics is not None else unit_metrics(layer)
    ev = band_evidence(layer, metrics)
    cls = classify(ev, Thresholds.from_pack(pack)).merge(
        ev.drop(columns=["lad_code", "hours_per_week", "area_km2"]), on="unit_code")
    travel_cols = [c for c in metrics.columns if c not in cls.columns or c == "unit_code"]
    cls = cls.merge(metrics[travel_cols], on="unit_code", how="left")
    cls["travel_town_min"] = metrics.set_index("unit_code")["town_min"].reindex(cls["unit_code"]).to_numpy()
    cls = layer.units[["unit_code"]].merge(cls, on="unit_code", how="left")
    rates = rates or rate_card_from_pack(pack, year)
    zones = [z for z in pack.zone_names] or sorted(set(layer.units["zone"]))
    zones = tuple(zones) + tuple(sorted(set(layer.units["zone"]) - set(zones)))
    plan = Plan.build(pack.id, layer.units["unit_code"], layer.units["unit_name"], layer.units["hours_per_week"],
                      layer.units["zone"], cls["band"], rates, band_names=tuple(pack.bands), zone_names=zones,
                      computed_bands=list(cls["band"]))
    return plan, cls
