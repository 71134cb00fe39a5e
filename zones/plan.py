"""Plan: an immutable assignment of units to zones and bands, answering named totals.

Follows GerryChain's ``Partition`` + updaters: a plan holds per-unit arrays (hours, zone index, band index) and
answers named totals (``plan["hours_cents_by_zone_band"]``, hours and £ by band and by zone, the weekly cost)
computed lazily on first use and cached on that plan. ``Plan.move`` returns a new plan that remembers what moved;
its zone × band hours are derived from the parent's (O(k) for k moved units) when the parent had them, else
recomputed from the per-unit arrays. ``Plan.full_totals`` recomputes everything (tests and benchmarks compare).

Outside this module a plan is read through its methods (``totals``, ``by_band``, ``by_zone``,
``gbp_per_week_by_zone``, ``selection``, ``unit_hours_per_week``, ``table``, ``assignments``), never its arrays.

Money (``zones.money``): hours are integer centi-hours (0.01 h) and rates integer pence, so every line (a unit,
a band, a zone) is an exact integer in 1/100 pence (``hours_cents × pence``); a total is the exact sum, rounded
half-up to the penny once, when shown as £.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import MappingProxyType

import numpy as np
import pandas as pd

from geodata.datadir import DataError
from geodata.zoning import UNZONED

from .money import centi_hours_array, cp_to_gbp, exact_gbp, money, per_year
from .rates import RateCard


def real_zones(names: Iterable[str]) -> list[str]:
    """The zone names of ``names`` (sorted, once each) that are zones: the "Unzoned" placeholder a pack gives units
    outside every zone is not one (Bradford: every ward "Unzoned" means no zone yet, not one zone)."""
    return sorted({str(n) for n in names} - {UNZONED})


#: the zone count Suggest offers for a council with no zones yet (or only one): a handful to start from
DEFAULT_ZONE_COUNT = 5


def default_zone_count(zone_names: Iterable[str], n_units: int) -> int:
    """The number of zones Suggest offers first: the council's current zones (:func:`real_zones`: the "Unzoned"
    placeholder is no zone) when it has two or more, else :data:`DEFAULT_ZONE_COUNT`; never more than ``n_units``
    and never under 1."""
    n = len(real_zones(zone_names))
    return max(1, min(n if n >= 2 else DEFAULT_ZONE_COUNT, n_units))


SOURCE_COMPUTED, SOURCE_OVERRIDE, SOURCE_SEED = "computed", "override", "seed"
_ZB = "hours_cents_by_zone_band"


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    a.setflags(write=False)
    return a


def _zone_band_hours(plan: Plan) -> np.ndarray:
    """Centi-hours by zone (rows) × band (columns): from the parent's table and the moved units when the plan was
    made by a move from a plan that had it (``_flip``), else from the per-unit arrays."""
    nz, nb = len(plan.zone_names), len(plan.band_names)
    flip = plan._cache.pop("_flip", None)
    zb = np.zeros((nz, nb), dtype=np.int64)
    if flip is None:
        np.add.at(zb, (plan.zone_idx, plan.band_idx), plan.hours_cents)
        return _ro(zb)
    parent_zb, idx, old_zi, old_bi = flip
    zb[: parent_zb.shape[0]] = parent_zb
    h = plan.hours_cents[idx]
    np.subtract.at(zb, (old_zi, old_bi), h)
    np.add.at(zb, (plan.zone_idx[idx], plan.band_idx[idx]), h)
    return _ro(zb)


def _check_build(codes: np.ndarray, bands, bpos: dict, hours_per_week) -> np.ndarray:
    """Refuse duplicate codes, unknown bands and negative or non-finite hours; the hours in centi-hours."""
    if len(set(codes)) != len(codes):
        raise DataError("plan: duplicate unit codes")
    bad = sorted({b for b in bands if b not in bpos})
    if bad:
        raise DataError(f"plan: unknown band(s) {bad}; bands are {list(bpos)}")
    hours = np.asarray(hours_per_week, dtype=float)
    if (hours < 0).any() or not np.isfinite(hours).all():
        raise DataError("plan: hours per week must be finite and non-negative")
    return centi_hours_array(hours)


#: the named totals a plan answers (GerryChain's updaters): name -> function of the plan, computed on first use
UPDATERS: dict[str, Callable[[Plan], object]] = {
    _ZB: _zone_band_hours,
    "hours_cents_by_band": lambda p: _ro(p[_ZB].sum(axis=0)),
    "hours_cents_by_zone": lambda p: _ro(p[_ZB].sum(axis=1)),
    "units_by_zone": lambda p: _ro(np.bincount(p.zone_idx, minlength=len(p.zone_names))),
    "units_by_band": lambda p: _ro(np.bincount(p.band_idx, minlength=len(p.band_names))),
    "centipence_by_zone_band": lambda p: _ro(p[_ZB] * p.rate_pence),
    "centipence_by_band": lambda p: _ro(p["centipence_by_zone_band"].sum(axis=0)),
    "centipence_by_zone": lambda p: _ro(p["centipence_by_zone_band"].sum(axis=1)),
    "weekly_cost_centipence": lambda p: int(p["centipence_by_band"].sum()),
}
#: totals that depend on hours and assignment only (kept when the plan is re-priced with another card)
_HOURS_ONLY = (_ZB, "hours_cents_by_band", "hours_cents_by_zone", "units_by_zone", "units_by_band", "_flip")


@dataclass(frozen=True, eq=False)
class Plan:
    """Units → zone and band, answering named totals. Build with ``Plan.build``; change with ``move``/``with_rates``.

    Arrays are read-only and internal to this module; all per-unit arrays are in the order of ``unit_codes``.
    """

    council: str
    unit_codes: np.ndarray  # str
    unit_names: np.ndarray  # str
    hours_cents: np.ndarray  # int64, hours per week × 100
    zone_names: tuple[str, ...]
    band_names: tuple[str, ...]
    zone_idx: np.ndarray  # int64
    band_idx: np.ndarray  # int64
    computed_band_idx: np.ndarray  # int64, -1 where no computed band
    reasons: Mapping[int, str]  # unit index -> reason of the last manual change
    sources: Mapping[int, str]  # unit index -> band source where not computed
    rates: RateCard
    rate_pence: np.ndarray  # int64 per band
    _pos: Mapping[str, int] = field(repr=False, default_factory=dict)
    _cache: dict = field(repr=False, default_factory=dict)  # named totals computed so far (and "_flip")

    # ------------------------------------------------------------ named totals (updaters)
    def __getitem__(self, name: str):
        """The named total ``name`` (one of ``UPDATERS``), computed on first use and cached."""
        c = self._cache
        if name not in c:
            if name not in UPDATERS:
                raise KeyError(f"plan has no total named {name!r} (has {', '.join(UPDATERS)})")
            c[name] = UPDATERS[name](self)
        return c[name]

    @property
    def hours_cents_by_zone_band(self) -> np.ndarray:
        return self[_ZB]

    @property
    def hours_cents_by_band(self) -> np.ndarray:
        return self["hours_cents_by_band"]

    @property
    def hours_cents_by_zone(self) -> np.ndarray:
        return self["hours_cents_by_zone"]

    @property
    def units_by_zone(self) -> np.ndarray:
        return self["units_by_zone"]

    def _child(self, cache: dict | None = None, **changes) -> Plan:
        """A new plan with ``changes`` and its own cache (``cache``: totals known to stay the same)."""
        return replace(self, _cache=dict(cache or {}), **changes)

    # ------------------------------------------------------------ construction
    @classmethod
    def build(
        cls,
        council: str,
        unit_codes,
        unit_names,
        hours_per_week,
        zones,
        bands,
        rates: RateCard,
        band_names: tuple[str, ...] = ("urban", "fringe", "rural", "isolated"),
        zone_names: tuple[str, ...] | None = None,
        computed_bands=None,
        sources: dict[int, str] | None = None,
        reasons: dict[int, str] | None = None,
    ) -> Plan:
        """A plan from per-unit lists. ``bands``/``computed_bands`` are band names (None = no computed band)."""
        codes = np.asarray(unit_codes, dtype=object)
        zone_names = tuple(zone_names) if zone_names else tuple(sorted(set(zones)))
        zpos = {z: i for i, z in enumerate(zone_names)}
        bpos = {b: i for i, b in enumerate(band_names)}
        hc = _check_build(codes, bands, bpos, hours_per_week)
        zi = np.array([zpos[z] for z in zones], dtype=np.int64)
        bi = np.array([bpos[b] for b in bands], dtype=np.int64)
        computed = computed_bands if computed_bands is not None else [None] * len(codes)
        cb = np.array([bpos[b] if b is not None else -1 for b in computed], dtype=np.int64)
        return cls._assemble(
            council,
            codes,
            np.asarray(unit_names, dtype=object),
            hc,
            zone_names,
            tuple(band_names),
            zi,
            bi,
            cb,
            dict(reasons or {}),
            dict(sources or {}),
            rates,
        )

    @classmethod
    def _assemble(cls, council, codes, names, hc, zone_names, band_names, zi, bi, cb, reasons, sources, rates):
        return cls(
            council=council,
            unit_codes=_ro(codes),
            unit_names=_ro(names),
            hours_cents=_ro(hc),
            zone_names=zone_names,
            band_names=band_names,
            zone_idx=_ro(zi),
            band_idx=_ro(bi),
            computed_band_idx=_ro(cb),
            reasons=MappingProxyType(reasons),
            sources=MappingProxyType(sources),
            rates=rates,
            rate_pence=_ro(rates.pence_per_hour(band_names)),
            _pos=MappingProxyType({c: i for i, c in enumerate(codes)}),
        )

    @classmethod
    def from_assignments(cls, base: Plan, assignments: pd.DataFrame) -> Plan:
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
        return plan._child(plan._cache, reasons=MappingProxyType(reasons))

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
    def move(
        self, units: Iterable[str] | str, zone: str | None = None, band: str | None = None, reason: str | None = None
    ) -> Plan:
        """A new plan with ``units`` moved to ``zone`` and/or ``band``; its totals derive from this plan's and
        the moved units only (when this plan had computed them).

        A new zone name is added to the plan's zones. A band set here is a manual override (its computed band
        is kept beside it, with ``reason``)."""
        idx = np.unique(self.index(units))
        if zone is None and band is None:
            raise DataError("move: give a zone, a band or both")
        if band is not None and band not in self.band_names:
            raise DataError(f"move: unknown band '{band}' (bands: {', '.join(self.band_names)})")
        zone_names = self.zone_names
        if zone is not None and zone not in zone_names:
            zone_names = zone_names + (zone,)
        zi, bi = self.zone_idx, self.band_idx
        new_zi = zi.copy() if zone is not None else zi
        new_bi = bi.copy() if band is not None else bi
        if zone is not None:
            new_zi[idx] = zone_names.index(zone)
        if band is not None:
            new_bi[idx] = self.band_names.index(band)
        reasons, sources = self._moved_reasons(idx, new_bi, zone, band, reason)
        cache = {"_flip": (self._cache[_ZB], idx, zi[idx], bi[idx])} if _ZB in self._cache else {}
        if zone is None and "units_by_zone" in self._cache:
            cache["units_by_zone"] = self._cache["units_by_zone"]
        return self._child(
            cache,
            zone_names=zone_names,
            zone_idx=_ro(new_zi),
            band_idx=_ro(new_bi),
            reasons=MappingProxyType(reasons),
            sources=MappingProxyType(sources),
        )

    def _moved_reasons(self, idx, new_bi, zone, band, reason) -> tuple[dict, dict]:
        """Reasons and band sources after moving ``idx`` (a band equal to the computed one is not an override).

        A reason given is kept for every moved unit, also where the band stays or returns to the computed one
        (issue 19 §15: "stays rural: reviewed with the provider" was dropped); a band set back to the computed
        one without a reason drops the old override's reason."""
        reasons, sources = dict(self.reasons), dict(self.sources)
        if band is None:
            if reason:
                for i in idx.tolist():
                    reasons[i] = reason
            return reasons, sources
        for i in idx.tolist():
            if self.computed_band_idx[i] == new_bi[i]:
                sources.pop(i, None)
                if reason:
                    reasons[i] = reason
                else:
                    reasons.pop(i, None)
            else:
                sources[i] = SOURCE_OVERRIDE
                if reason:
                    reasons[i] = reason
        return reasons, sources

    def with_rates(self, rates: RateCard) -> Plan:
        """The same plan priced with another rate card (totals in hours are kept; £ are recomputed)."""
        keep = {k: v for k, v in self._cache.items() if k in _HOURS_ONLY}
        return self._child(keep, rates=rates, rate_pence=_ro(rates.pence_per_hour(self.band_names)))

    def with_hours(self, units: Iterable[str], hours_per_week: Iterable[float]) -> Plan:
        """A plan with new hours for some units (e.g. a council's own figures)."""
        idx = self.index(units)
        hc = self.hours_cents.copy()
        hc[idx] = centi_hours_array(list(hours_per_week))
        return Plan._assemble(
            self.council,
            self.unit_codes,
            self.unit_names,
            hc,
            self.zone_names,
            self.band_names,
            self.zone_idx,
            self.band_idx,
            self.computed_band_idx,
            dict(self.reasons),
            dict(self.sources),
            self.rates,
        )

    # ------------------------------------------------------------ totals
    @property
    def weekly_cost_centipence(self) -> int:
        """Exact weekly cost in 1/100 pence: Σ_band hours_cents × pence per hour."""
        return self["weekly_cost_centipence"]

    @property
    def n_units(self) -> int:
        return len(self.unit_codes)

    def gbp_per_week_exact(self) -> Decimal:
        """The plan's cost per week, exact (unrounded £)."""
        return exact_gbp(self["weekly_cost_centipence"])

    def gbp_per_week(self) -> Decimal:
        """The plan's cost per week, £ rounded once to the penny."""
        return cp_to_gbp(self["weekly_cost_centipence"])

    def gbp_per_year(self, weeks_per_year: int | Decimal = 52) -> Decimal:
        """The plan's cost per year: exact weekly × weeks (whole or up to 2 places, 52.14), rounded once to the
        penny."""
        return per_year(exact_gbp(self["weekly_cost_centipence"]), weeks_per_year)

    def hours_per_week_by_band(self) -> dict[str, float]:
        hb = self["hours_cents_by_band"]
        return {b: int(hb[i]) / 100 for i, b in enumerate(self.band_names)}

    def hours_per_week_by_zone(self) -> dict[str, float]:
        """Hours per week of every zone of the plan (zones holding no unit: 0)."""
        hz = self["hours_cents_by_zone"].tolist()
        return {z: hz[i] / 100 for i, z in enumerate(self.zone_names)}

    def gbp_per_week_by_band(self) -> dict[str, Decimal]:
        """£ per week by band: each band's exact cost rounded once."""
        cb = self["centipence_by_band"]
        return {b: cp_to_gbp(int(cb[i])) for i, b in enumerate(self.band_names)}

    def gbp_per_week_by_zone(self) -> dict[str, Decimal]:
        """£ per week by zone holding units: each zone's exact cost (hours by band × band rate) rounded once."""
        cz, n = self["centipence_by_zone"].tolist(), self["units_by_zone"].tolist()
        return {z: cp_to_gbp(cz[i]) for i, z in enumerate(self.zone_names) if n[i]}

    def by_band(self) -> list[dict]:
        """Per band: ``band, units, hours_per_week, rate_gbp_per_hour`` (effective), ``gbp_per_week`` (rounded
        once) and ``gbp_per_week_exact``."""
        hb, cb, n = self["hours_cents_by_band"], self["centipence_by_band"], self["units_by_band"]
        return [
            {
                "band": b,
                "units": int(n[i]),
                "hours_per_week": int(hb[i]) / 100,
                "rate_gbp_per_hour": self.rates.effective_rate(b),
                "gbp_per_week": cp_to_gbp(int(cb[i])),
                "gbp_per_week_exact": exact_gbp(int(cb[i])),
            }
            for i, b in enumerate(self.band_names)
        ]

    def by_zone(self) -> list[dict]:
        """Per zone holding units: ``zone, units, hours_per_week, gbp_per_week`` (rounded once),
        ``gbp_per_week_exact`` and ``share_pct`` (of all hours, 1 dp)."""
        hz, cz, n = self["hours_cents_by_zone"], self["centipence_by_zone"], self["units_by_zone"]
        total = int(hz.sum())
        return [
            {
                "zone": z,
                "units": int(n[i]),
                "hours_per_week": int(hz[i]) / 100,
                "gbp_per_week": cp_to_gbp(int(cz[i])),
                "gbp_per_week_exact": exact_gbp(int(cz[i])),
                "share_pct": round(100 * int(hz[i]) / total, 1) if total else 0.0,
            }
            for i, z in enumerate(self.zone_names)
            if n[i]
        ]

    def n_zones_holding_units(self) -> int:
        return int((self["units_by_zone"] > 0).sum())

    def selection(self, codes: Iterable[str]) -> dict:
        """What a set of units holds at this plan: ``units``, ``hours_per_week`` (float), ``gbp_per_week`` (its
        exact cost rounded once) and ``gbp_per_week_exact``, and units and hours per current band and zone
        (``by_band``, ``by_zone``). Repeated codes count once; unknown codes raise DataError."""
        codes = list(dict.fromkeys(codes))
        out: dict = {
            "units": len(codes),
            "hours_per_week": 0.0,
            "gbp_per_week": Decimal("0.00"),
            "gbp_per_week_exact": Decimal("0"),
            "by_band": {},
            "by_zone": {},
        }
        if not codes:
            return out
        idx = self.index(codes)
        hc, bi, zi = self.hours_cents[idx], self.band_idx[idx], self.zone_idx[idx]
        cp = int((hc * self.rate_pence[bi]).sum())
        out.update(hours_per_week=int(hc.sum()) / 100, gbp_per_week=cp_to_gbp(cp), gbp_per_week_exact=exact_gbp(cp))
        for key, pos, names in (("by_band", bi, self.band_names), ("by_zone", zi, self.zone_names)):
            for k in np.unique(pos):
                m = pos == k
                out[key][names[k]] = {"units": int(m.sum()), "hours_per_week": int(hc[m].sum()) / 100}
        return out

    def unit_hours_per_week(self, codes: Iterable[str] | None = None) -> np.ndarray:
        """Hours per week of the given units (default: every unit, in ``unit_codes`` order), a float copy."""
        hc = self.hours_cents if codes is None else self.hours_cents[self.index(codes)]
        return hc / 100

    def zone_per_unit(self, codes: Iterable[str] | None = None) -> list[str]:
        """Each unit's zone name (default: every unit, in ``unit_codes`` order)."""
        zi = self.zone_idx if codes is None else self.zone_idx[self.index(codes)]
        return [self.zone_names[i] for i in zi]

    def unit_centi_hours(self) -> list[int]:
        """Every unit's hours per week in whole centi-hours (hours × 100), in ``unit_codes`` order: what a
        published snapshot stores."""
        return [int(h) for h in self.hours_cents]

    def assignment_key(self) -> bytes:
        """Bytes that change whenever a unit's zone or band index changes (a cheap fingerprint's core)."""
        return np.ascontiguousarray(self.zone_idx).tobytes() + np.ascontiguousarray(self.band_idx).tobytes()

    def content_key(self) -> str:
        """A hash of everything the plan shows per unit: codes, names, care hours, zone, band, rate in pence and the
        reason of its last change. Two plans with the same key give the same ``table()`` (a cache key for views)."""
        import hashlib

        h = hashlib.sha256(str(self.council).encode())
        for names in (self.unit_codes, self.unit_names, self.zone_names, self.band_names):
            h.update(b"\x00" + "\x1f".join(map(str, names)).encode())
        for arr in (self.hours_cents, self.zone_idx, self.band_idx, self.rate_pence):
            h.update(b"\x00" + np.ascontiguousarray(arr, dtype=np.int64).tobytes())
        h.update(b"\x00" + "\x1f".join(f"{i}\x1e{r}" for i, r in sorted(self.reasons.items())).encode())
        return h.hexdigest()

    def differences(self, new: Plan) -> list[dict]:
        """Units whose zone or band differ between this plan and ``new`` (same units), in unit order: unit_code,
        unit_name, from_zone, to_zone, from_band, to_band, ``hours_per_week`` (``new``'s, exact Decimal) and
        ``reason`` (``new``'s)."""
        if self.unit_codes is not new.unit_codes and list(self.unit_codes) != list(new.unit_codes):
            raise DataError("compare: the two plans have different units")
        if new.zone_names[: len(self.zone_names)] == self.zone_names:  # moves only append zones: compare indices
            zone_changed = self.zone_idx != new.zone_idx
        else:
            zone_changed = (
                np.asarray(self.zone_names, dtype=object)[self.zone_idx]
                != np.asarray(new.zone_names, dtype=object)[new.zone_idx]
            )
        changed = (self.band_idx != new.band_idx) | zone_changed
        return [
            {
                "unit_code": str(new.unit_codes[i]),
                "unit_name": str(new.unit_names[i]),
                "from_zone": self.zone_names[self.zone_idx[i]],
                "to_zone": new.zone_names[new.zone_idx[i]],
                "from_band": self.band_names[self.band_idx[i]],
                "to_band": new.band_names[new.band_idx[i]],
                "hours_per_week": Decimal(int(new.hours_cents[i])) / 100,
                "reason": new.reasons.get(i, ""),
            }
            for i in np.flatnonzero(changed).tolist()
        ]

    def totals(self, weeks_per_year: int | Decimal = 52) -> dict:
        """Derived figures: hours by band and zone, weekly and annual cost (£, each the exact sum rounded once),
        blended rate, £ a week by band (by zone: ``gbp_per_week_by_zone``)."""
        hb = self["hours_cents_by_band"]
        cp = self["weekly_cost_centipence"]
        total_h = int(hb.sum())
        return {
            "hours_per_week": total_h / 100,
            "hours_per_week_by_band": self.hours_per_week_by_band(),
            "hours_share_by_band": {
                b: (round(100 * int(hb[i]) / total_h, 2) if total_h else 0.0) for i, b in enumerate(self.band_names)
            },
            "hours_per_week_by_zone": self.hours_per_week_by_zone(),
            "units_by_zone": dict(zip(self.zone_names, self["units_by_zone"].tolist())),
            "gbp_per_week": cp_to_gbp(cp),
            "gbp_per_week_exact": exact_gbp(cp),
            "gbp_per_year": self.gbp_per_year(weeks_per_year),
            "blended_rate_gbp_per_hour": money(Decimal(cp) / 100 / total_h) if total_h else Decimal("0"),
            "gbp_per_week_by_band": self.gbp_per_week_by_band(),
        }

    def hours_by_zone_band(self) -> pd.DataFrame:
        """Hours per week by zone (rows, zones holding units) and band (columns)."""
        df = pd.DataFrame(self[_ZB] / 100, index=list(self.zone_names), columns=list(self.band_names))
        return df[self["units_by_zone"] > 0]

    def zones_short_of_providers(self, providers_by_zone: dict[str, int], minimum: int = 2) -> list[dict]:
        """Zones holding units whose provider count (council provider data) is under ``minimum``
        (Leicestershire report para 43: every zone has at least two providers). Zones missing from the data
        count as 0 providers."""
        out = []
        for i, z in enumerate(self.zone_names):
            if self.units_by_zone[i] and providers_by_zone.get(z, 0) < minimum:
                out.append(
                    {
                        "zone": z,
                        "providers": int(providers_by_zone.get(z, 0)),
                        "minimum": minimum,
                        "hours_per_week": int(self.hours_cents_by_zone[i]) / 100,
                    }
                )
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
            out.append(
                {
                    "zone": z,
                    "providers": n,
                    "hours_per_week": cents / 100,
                    "hours_per_provider": None if per is None else float(per),
                    "below_viability_floor": bool(floor is not None and per is not None and per < floor),
                }
            )
        return out

    def full_totals(self) -> dict:
        """Aggregates recomputed from the per-unit arrays (the reference for the incremental updaters)."""
        nz, nb = len(self.zone_names), len(self.band_names)
        zb = np.zeros((nz, nb), dtype=np.int64)
        np.add.at(zb, (self.zone_idx, self.band_idx), self.hours_cents)
        return {
            "hours_cents_by_zone_band": zb,
            "hours_cents_by_band": zb.sum(axis=0),
            "hours_cents_by_zone": zb.sum(axis=1),
            "units_by_zone": np.bincount(self.zone_idx, minlength=nz),
            "weekly_cost_centipence": int(zb.sum(axis=0) @ self.rate_pence),
        }

    # ------------------------------------------------------------ tables
    def assignments(self) -> pd.DataFrame:
        """unit_code, zone, band, computed_band, band_source, reason: what a scenario stores."""
        n = len(self.unit_codes)
        return pd.DataFrame(
            {
                "unit_code": self.unit_codes,
                "zone": [self.zone_names[i] for i in self.zone_idx],
                "band": [self.band_names[i] for i in self.band_idx],
                "computed_band": [self.band_names[i] if i >= 0 else "" for i in self.computed_band_idx],
                "band_source": [
                    self.sources.get(i, SOURCE_COMPUTED if self.computed_band_idx[i] >= 0 else SOURCE_SEED)
                    for i in range(n)
                ],
                "reason": [self.reasons.get(i, "") for i in range(n)],
            }
        )

    def table(self, exact: bool = False) -> pd.DataFrame:
        """Per-unit table: assignments plus name, hours per week, rate (£/h), £ per week (to the penny, for display)
        and, with ``exact``, its exact value ``gbp_per_week_exact`` (what every total adds up before its one
        rounding)."""
        df = self.assignments()
        df.insert(1, "unit_name", self.unit_names)
        df["hours_per_week"] = self.hours_cents / 100
        rp = self.rate_pence[self.band_idx]
        df["rate_gbp_per_hour"] = [Decimal(int(p)) / 100 for p in rp]
        cp = [int(h) * int(p) for h, p in zip(self.hours_cents, rp)]
        df["gbp_per_week"] = [cp_to_gbp(c) for c in cp]  # a line shown on its own: rounded for display
        if exact:  # what totals add up (a spreadsheet SUM of this column, rounded once, gives the plan's total)
            df["gbp_per_week_exact"] = [exact_gbp(c) for c in cp]
        return df

    def digest(self) -> str:
        """A short hash of the assignments and rates: the plan's identity on reports."""
        import hashlib

        a = self.assignments()[["unit_code", "zone", "band"]].to_csv(index=False)
        return hashlib.sha256((a + str(self.rates.to_dict())).encode()).hexdigest()[:12]


def base_plan(
    layer, metrics: pd.DataFrame | None = None, rates: RateCard | None = None, year: str | None = None
) -> tuple[Plan, pd.DataFrame]:
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
        ev.drop(columns=["lad_code", "hours_per_week", "area_km2"]), on="unit_code"
    )
    travel_cols = [c for c in metrics.columns if c not in cls.columns or c == "unit_code"]
    cls = cls.merge(metrics[travel_cols], on="unit_code", how="left")
    cls["travel_town_min"] = metrics.set_index("unit_code")["town_min"].reindex(cls["unit_code"]).to_numpy()
    cls = layer.units[["unit_code"]].merge(cls, on="unit_code", how="left")
    rates = rates or rate_card_from_pack(pack, year)
    named = list(pack.zone_names) or sorted(set(layer.units["zone"]))
    zones = tuple(named) + tuple(sorted(set(layer.units["zone"]) - set(named)))
    plan = Plan.build(
        pack.id,
        layer.units["unit_code"],
        layer.units["unit_name"],
        layer.units["hours_per_week"],
        layer.units["zone"],
        cls["band"],
        rates,
        band_names=tuple(pack.bands),
        zone_names=zones,
        computed_bands=list(cls["band"]),
    )
    return plan, cls
