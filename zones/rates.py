"""Rate models: a rate per band, in £ per hour, exact to the penny (Decimal; pence integers in arrays).

- ``RateCard``: the council's published rates per band and year (Leicestershire 2025/26, report para 42:
  urban £25.27, fringe £26.36, rural £29.39, isolated £32.71), optional floor and ceiling per band (ceiling
  defaults to the current price, report paras 73–76) and an optional countywide sessional rate for visits of
  90 minutes or more with the share of hours it applies to (report para 61; no figure is published, so it is
  a parameter with no default).
- ``CostBuildUp``: an hourly rate per band built up from costs, following the structure of the Homecare
  Association's Minimum Price for Homecare (care worker pay for contact and travel time, employer on-costs,
  mileage, running the business, surplus). Every default is an editable, named assumption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np

from geodata.datadir import DataError

from .money import PENNY, fmt_gbp, fmt_gbp_change, money, pence  # noqa: F401  (one money module; re-exported)

BANDS = ("urban", "fringe", "rural", "isolated")  # the default bands only: a RateCard, Plan and pack name their own


@dataclass(frozen=True)
class RateCard:
    """Hourly rate per band (£/hour, Decimal), with optional floor/ceiling and sessional rate."""

    year: str
    rates: dict[str, Decimal]
    floor: dict[str, Decimal] = field(default_factory=dict)
    ceiling: dict[str, Decimal] = field(default_factory=dict)
    sessional_rate_gbp_per_hour: Decimal | None = None
    sessional_share_pct: Decimal = Decimal("0")
    source: str = ""
    mode: str = "rate_card"
    # price range per zone (report para 67: "a price range per zone within which providers ... submit bids");
    # where a zone has its own floor/ceiling it takes precedence over the band's
    zone_floor: dict[str, Decimal] = field(default_factory=dict)
    zone_ceiling: dict[str, Decimal] = field(default_factory=dict)
    # providers commissioned per zone (Merton report para 2.10: two providers to each area): a default for every
    # zone, exceptions by zone name, and the viability floor in care hours per week per provider below which a
    # provider's share of a zone is flagged. Part of the card so that saved and published versions record them.
    providers_per_zone: int | None = None
    providers_by_zone: dict[str, int] = field(default_factory=dict)
    viability_floor_hours_per_week: Decimal | None = None

    def providers(self, zone: str) -> int | None:
        """Providers commissioned in ``zone`` (its own figure, else the default; None when the card sets none)."""
        return self.providers_by_zone.get(zone, self.providers_per_zone)

    def with_providers(self, zone: str, n: int) -> RateCard:
        """This card with ``n`` providers in ``zone`` (0 … MAX_PROVIDERS_PER_ZONE)."""
        n = providers_count(n, f"providers in '{zone}'")
        return replace(self, providers_by_zone={**self.providers_by_zone, zone: n})

    def rate(self, band: str) -> Decimal:
        try:
            return self.rates[band]
        except KeyError:
            raise DataError(f"rate card {self.year}: no rate for band '{band}' (has {', '.join(self.rates)})") from None

    def effective_rate(self, band: str) -> Decimal:
        """Rate paid on average per hour in a band once the sessional share is paid at the sessional rate."""
        r = self.rate(band)
        if self.sessional_rate_gbp_per_hour is None or not self.sessional_share_pct:
            return r
        s = self.sessional_share_pct / 100
        return money(r * (1 - s) + self.sessional_rate_gbp_per_hour * s)

    def pence_per_hour(self, bands: tuple[str, ...]) -> np.ndarray:
        """Effective rate per band in whole pence per hour, in the order of ``bands`` (int64 array)."""
        return np.array([pence(self.effective_rate(b)) for b in bands], dtype=np.int64)

    def with_rates(self, **rates) -> RateCard:
        new = dict(self.rates)
        new.update({k: money(v) for k, v in rates.items()})
        return replace(self, rates=new)

    def with_range(
        self,
        floor: dict | None = None,
        ceiling: dict | None = None,
        sessional_rate_gbp_per_hour=None,
        sessional_share_pct=0,
    ) -> RateCard:
        """This card with a floor and a ceiling per band (£/hour; a missing or 0 floor is none) and a sessional rate
        for a share of hours (None or 0: no sessional rate, share 0)."""
        floor = {b: money(v) for b, v in (floor or {}).items() if v and money(v) > 0}
        ceiling = {b: money(v) for b, v in (ceiling or {}).items()}
        sess = money(sessional_rate_gbp_per_hour) if sessional_rate_gbp_per_hour else None
        share = Decimal(str(sessional_share_pct)) if sess is not None else Decimal("0")
        return replace(self, floor=floor, ceiling=ceiling, sessional_rate_gbp_per_hour=sess, sessional_share_pct=share)

    def priced_like(self, other: RateCard) -> RateCard:
        """This card (its providers and zone ranges) with the prices of ``other``: year, rates, floor, ceiling,
        sessional rate and share, source and mode (how Finance's edits apply to a plan's card)."""
        return replace(
            self,
            year=other.year,
            rates=dict(other.rates),
            floor=dict(other.floor),
            ceiling=dict(other.ceiling),
            sessional_rate_gbp_per_hour=other.sessional_rate_gbp_per_hour,
            sessional_share_pct=other.sessional_share_pct,
            source=other.source,
            mode=other.mode,
        )

    def check_range(self) -> list[str]:
        """Rates outside their floor/ceiling (report para 76: bids outside the range are not allowed)."""
        out = []
        for b, r in self.rates.items():
            if b in self.floor and r < self.floor[b]:
                out.append(f"{b}: £{r} is below the floor £{self.floor[b]}")
            if b in self.ceiling and r > self.ceiling[b]:
                out.append(f"{b}: £{r} is above the ceiling £{self.ceiling[b]}")
        return out

    def price_range(self, band: str, zone: str | None = None) -> tuple[Decimal | None, Decimal | None]:
        """(floor, ceiling) that applies to a bid for ``band`` in ``zone`` (zone range first, then band range)."""
        lo = self.zone_floor.get(zone) if zone is not None and zone in self.zone_floor else self.floor.get(band)
        hi = self.zone_ceiling.get(zone) if zone is not None and zone in self.zone_ceiling else self.ceiling.get(band)
        return lo, hi

    def check_bid(self, bid_gbp_per_hour, band: str, zone: str | None = None) -> str | None:
        """None if a provider's hourly bid lies within its floor/ceiling, else why not (report para 76)."""
        bid = money(bid_gbp_per_hour)
        lo, hi = self.price_range(band, zone)
        where = f"{band}" + (f" in {zone}" if zone else "")
        if lo is not None and bid < lo:
            return f"{where}: bid £{bid} is below the floor £{lo}"
        if hi is not None and bid > hi:
            return f"{where}: bid £{bid} is above the ceiling £{hi}"
        return None

    def with_floor(self, floor: RateCard | dict) -> RateCard:
        """This card with a floor per band, e.g. from a cost build-up (report para 74: the floor is a
        deliverable rate paying the NLW, covering overheads and a surplus)."""
        rates = floor.rates if isinstance(floor, RateCard) else floor
        return replace(self, floor={b: money(v) for b, v in rates.items()})

    def to_dict(self) -> dict:
        return {
            "mode": self.mode,
            "year": self.year,
            "source": self.source,
            "rates": {b: str(r) for b, r in self.rates.items()},
            "floor": {b: str(r) for b, r in self.floor.items()},
            "ceiling": {b: str(r) for b, r in self.ceiling.items()},
            "sessional_rate_gbp_per_hour": None
            if self.sessional_rate_gbp_per_hour is None
            else str(self.sessional_rate_gbp_per_hour),
            "sessional_share_pct": str(self.sessional_share_pct),
            "zone_floor": {z: str(r) for z, r in self.zone_floor.items()},
            "zone_ceiling": {z: str(r) for z, r in self.zone_ceiling.items()},
            "providers_per_zone": self.providers_per_zone,
            "providers_by_zone": dict(self.providers_by_zone),
            "viability_floor_hours_per_week": (
                None if self.viability_floor_hours_per_week is None else str(self.viability_floor_hours_per_week)
            ),
        }

    @classmethod
    def from_dict(cls, d: dict) -> RateCard:
        sr = d.get("sessional_rate_gbp_per_hour")
        return cls(
            year=d["year"],
            rates={b: money(v) for b, v in d["rates"].items()},
            floor={b: money(v) for b, v in d.get("floor", {}).items()},
            ceiling={b: money(v) for b, v in d.get("ceiling", {}).items()},
            sessional_rate_gbp_per_hour=None if sr in (None, "") else money(sr),
            sessional_share_pct=Decimal(str(d.get("sessional_share_pct", "0"))),
            source=d.get("source", ""),
            mode=d.get("mode", "rate_card"),
            zone_floor={z: money(v) for z, v in d.get("zone_floor", {}).items()},
            zone_ceiling={z: money(v) for z, v in d.get("zone_ceiling", {}).items()},
            **_providers_fields(
                d.get("providers_per_zone"), d.get("providers_by_zone") or {}, d.get("viability_floor_hours_per_week")
            ),
        )


#: at most this many providers in one zone (a bound on stored and typed figures; councils commission 1-4)
MAX_PROVIDERS_PER_ZONE = 50
#: a viability floor above this many care hours a week per provider is refused (no zone carries more)
MAX_VIABILITY_FLOOR_HOURS = 100_000


def providers_count(v, what: str) -> int:
    """A number of providers: a whole number 0 … MAX_PROVIDERS_PER_ZONE, else DataError naming ``what``."""
    from geodata.limits import int_in  # ASCII digits only (issue 18 §6: no '١٢', '1_0')

    try:
        n = int_in(v, what, 0, 10**6)
    except DataError:
        raise DataError(f"{what}: not a whole number") from None
    if not 0 <= n <= MAX_PROVIDERS_PER_ZONE:
        raise DataError(f"{what}: {n} is outside 0 … {MAX_PROVIDERS_PER_ZONE}")
    return n


def _providers_fields(per_zone, by_zone: dict, floor) -> dict:
    """RateCard keyword arguments for providers, checked (from a pack's [providers] or a stored card)."""
    if not isinstance(by_zone, dict):
        raise DataError("providers by zone must be a table of zone = number")
    out: dict[str, object] = {
        "providers_per_zone": None if per_zone in (None, "") else providers_count(per_zone, "providers per zone"),
        "providers_by_zone": {str(z): providers_count(n, f"providers in '{str(z)[:40]}'") for z, n in by_zone.items()},
        "viability_floor_hours_per_week": None,
    }
    if floor not in (None, ""):
        from geodata.limits import number_text  # ASCII digits and one '.' (issue 18 §6)

        try:
            f = Decimal(number_text(floor, "viability floor", allow_negative=True))
        except DataError:
            raise DataError("viability floor: not a number") from None
        if not 0 <= f <= MAX_VIABILITY_FLOOR_HOURS:
            raise DataError(f"viability floor: outside 0 … {MAX_VIABILITY_FLOOR_HOURS:,} hours a week")
        out["viability_floor_hours_per_week"] = f
    return out


def pack_providers(pack) -> dict:
    """RateCard keyword arguments from the pack's ``[providers]`` section (none when it has none)."""
    p = pack.raw.get("providers", {})
    return _providers_fields(p.get("per_zone"), p.get("by_zone", {}), p.get("viability_floor_hours_per_week"))


def rate_card_from_pack(pack, year: str | None = None) -> RateCard:
    """The pack's rate card for ``year`` (default: the latest year in the pack). Ceiling = the current price."""
    cards = pack.rates
    if not cards:
        raise DataError(f'pack {pack.path}: no [rates."YEAR"] section; pass rates explicitly')
    year = year or sorted(cards)[-1]
    if year not in cards:
        raise DataError(f"pack {pack.path}: no rates for year '{year}' (has {', '.join(sorted(cards))})")
    raw = cards[year]
    if raw.get("derived"):
        return derived_rate_card(pack, year)
    rates = {b: money(str(raw[b])) for b in pack.bands if b in raw}
    missing = [b for b in pack.bands if b not in raw]
    if missing:
        raise DataError(f"pack {pack.path}: rates {year} lack band(s) {', '.join(missing)}")
    floor = {b: money(str(v)) for b, v in pack.raw.get("floor", {}).get(year, {}).items()}
    src = f'{pack.path.name} [rates."{year}"]'
    if raw.get("stand_in"):
        src += " — STAND-IN rates (the council publishes no band rates; Leicestershire 2025/26 used)"
    return RateCard(year=year, rates=rates, floor=floor, ceiling=dict(rates), source=src, **pack_providers(pack))


def report_figures(pack) -> dict:
    """The council report's own money figures from the pack's ``[finance]`` section: weekly hours, £ a year,
    weeks a year and their source (empty dict when the pack states none)."""
    f = pack.raw.get("finance", {})
    if not f.get("report_gbp_per_year"):
        return {}
    return {
        "hours_per_week": Decimal(str(f["report_hours_per_week"])),
        "gbp_per_year": Decimal(str(f["report_gbp_per_year"])),
        "weeks_per_year": int(f.get("weeks_per_year", 52)),
        "source": f.get("report_source", ""),
    }


def derived_rate_card(pack, year: str) -> RateCard:
    """A rate card DERIVED from the council report's figures where the council publishes no card:
    the urban (base band) rate is the report's average £ per hour = £ a year / weeks / weekly hours; the
    other bands keep the ratios of the ``shape`` card in the pack (e.g. Leicestershire's 2025/26 rates)."""
    raw = pack.rates[year]
    fig = report_figures(pack)
    if not fig:
        raise DataError(
            f'pack {pack.path}: [rates."{year}"] derived = true needs [finance] report_gbp_per_year '
            "and report_hours_per_week"
        )
    base = raw.get("base_band", pack.bands[0])
    shape = {b: Decimal(str(v)) for b, v in raw.get("shape", {}).items()}
    missing = [b for b in pack.bands if b not in shape]
    if missing or shape.get(base, 0) <= 0:
        raise DataError(f'pack {pack.path}: [rates."{year}"] shape lacks band(s) {", ".join(missing) or base}')
    per_hour = fig["gbp_per_year"] / fig["weeks_per_year"] / fig["hours_per_week"]
    rates = {b: money(per_hour * shape[b] / shape[base]) for b in pack.bands}
    src = (
        f'{pack.path.name} [rates."{year}"] — DERIVED from the report (no published card): '
        f"£{fig['gbp_per_year']:,} a year / {fig['weeks_per_year']} weeks / {fig['hours_per_week']:,} h a week = "
        f"£{money(per_hour)} per hour ({base}); other bands keep the ratios of "
        f"{raw.get('shape_source', 'the shape card')}. "
        f"Source: {fig['source']}"
    )
    return RateCard(year=year, rates=rates, ceiling=dict(rates), source=src, mode="derived", **pack_providers(pack))


# ---------------------------------------------------------------- cost build-up

#: National Living Wage (age 21+) by financial year, £/hour (GOV.UK "National Minimum Wage and National Living
#: Wage rates": £12.21 from 1 April 2025, £12.71 from 1 April 2026). Editable: pass pay_gbp_per_hour.
NATIONAL_LIVING_WAGE = {
    "2021/22": Decimal("8.91"),
    "2022/23": Decimal("9.50"),
    "2023/24": Decimal("10.42"),
    "2024/25": Decimal("11.44"),
    "2025/26": Decimal("12.21"),
    "2026/27": Decimal("12.71"),
}

#: Where each CostBuildUp default comes from (shown by pages/reports beside the figures).
ASSUMPTIONS = {
    "pay_gbp_per_hour": "National Living Wage 2025/26 £12.21 (£12.71 from April 2026), GOV.UK NMW/NLW rates",
    "visit_min": "45-minute average visit: planning assumption (editable)",
    "holiday_pct": "12.07 % statutory holiday accrual (5.6 weeks / 46.4 working weeks), Homecare Association "
    "Minimum Price for Homecare structure",
    "employer_ni_pct": "11.25 % effective employer NI: 15 % above the £5,000 secondary threshold (April 2025) "
    "for a worker on about £20,000 a year",
    "pension_pct": "3 % employer auto-enrolment minimum contribution (The Pensions Regulator)",
    "other_oncost_pct": "3 % training, sickness and other wage on-costs: planning assumption (editable)",
    "average_speed_mph": "20 mph average driving speed between visits: planning assumption (editable)",
    "gbp_per_mile": "£0.45 per mile, HMRC approved mileage allowance payment rate (first 10,000 miles)",
    "running_business_gbp_per_hour": "£6.00 per contact hour for office, management, IT, insurance, regulation: "
    "planning assumption (editable)",
    "surplus_pct": "5 % surplus (the Homecare Association's 4–5 % range)",
}


@dataclass(frozen=True)
class CostBuildUp:
    """Hourly rate per band from costs (structure of the Homecare Association Minimum Price for Homecare).

    Per contact hour:
      paid hours        = 1 + travel_min_per_visit / visit_min                (contact + paid travel time)
      pay               = pay_gbp_per_hour × paid hours
      on-costs          = pay × (holiday + employer NI + pension + training/sickness/other) %
      mileage           = visits per contact hour × miles per visit × £ per mile
                          (miles per visit = travel_min_per_visit × average_speed_mph / 60)
      running business  = fixed £ per contact hour (office, management, IT, insurance, regulation)
      rate              = (pay + on-costs + mileage + running business) × (1 + surplus %)
    Defaults (editable, all named): National Living Wage £12.21 (2025/26; £12.71 from April 2026), 45-minute
    average visit, holiday 12.07 %, effective employer NI 11.25 % (15 % above the £5,000 secondary
    threshold for a worker on about £20,000 a year), pension 3 %, other on-costs 3 %, 20 mph average
    driving speed between visits, £0.45 per mile (HMRC approved mileage rate), running the business
    £6.00 per contact hour, surplus 5 % (the 4–5 % range). These are planning assumptions, not the
    council's or the Homecare Association's published figures.
    """

    pay_gbp_per_hour: Decimal = Decimal("12.21")
    visit_min: Decimal = Decimal("45")
    holiday_pct: Decimal = Decimal("12.07")
    employer_ni_pct: Decimal = Decimal("11.25")
    pension_pct: Decimal = Decimal("3")
    other_oncost_pct: Decimal = Decimal("3")
    average_speed_mph: Decimal = Decimal("20")
    gbp_per_mile: Decimal = Decimal("0.45")
    running_business_gbp_per_hour: Decimal = Decimal("6.00")
    surplus_pct: Decimal = Decimal("5")
    year: str = "2025/26"

    def components(self, travel_min_per_visit: Decimal) -> dict[str, Decimal]:
        """Every component of the hourly rate for one band (£ per contact hour, to the penny)."""
        t = Decimal(str(travel_min_per_visit))
        paid_hours = 1 + t / self.visit_min
        pay = self.pay_gbp_per_hour * paid_hours
        oncost_pct = self.holiday_pct + self.employer_ni_pct + self.pension_pct + self.other_oncost_pct
        oncosts = pay * oncost_pct / 100
        holiday, ni = pay * self.holiday_pct / 100, pay * self.employer_ni_pct / 100
        pension, other = pay * self.pension_pct / 100, pay * self.other_oncost_pct / 100
        visits_per_hour = Decimal(60) / self.visit_min
        miles = t * self.average_speed_mph / 60
        mileage = visits_per_hour * miles * self.gbp_per_mile
        subtotal = pay + oncosts + mileage + self.running_business_gbp_per_hour
        surplus = subtotal * self.surplus_pct / 100
        return {
            "travel_min_per_visit": t.quantize(Decimal("0.1")),
            "contact_pay": money(self.pay_gbp_per_hour),
            "travel_time_pay": money(pay - self.pay_gbp_per_hour),
            "on_costs": money(oncosts),
            # the four parts of on_costs (each rounded; their sum may differ from on_costs by a penny)
            "on_costs_holiday_pay": money(holiday),
            "on_costs_employer_ni": money(ni),
            "on_costs_pension": money(pension),
            "on_costs_other_training_sickness": money(other),
            "mileage": money(mileage),
            "running_the_business": money(self.running_business_gbp_per_hour),
            "surplus": money(surplus),
            "rate_gbp_per_hour": money(subtotal + surplus),
        }

    @classmethod
    def for_year(cls, year: str, **overrides) -> CostBuildUp:
        """Defaults with the National Living Wage of ``year`` (e.g. "2026/27" → £12.71); overrides win."""
        if year not in NATIONAL_LIVING_WAGE:
            raise DataError(
                f"no National Living Wage on file for {year} (has {', '.join(NATIONAL_LIVING_WAGE)}); "
                "pass pay_gbp_per_hour"
            )
        return cls(**{"pay_gbp_per_hour": NATIONAL_LIVING_WAGE[year], "year": year, **overrides})

    def rate_card(self, travel_min_by_band: dict[str, float], estimated: bool = False) -> RateCard:
        """A RateCard whose band rates come from this build-up and each band's travel minutes per visit."""
        rates = {
            b: self.components(Decimal(str(round(float(v), 2))))["rate_gbp_per_hour"]
            for b, v in travel_min_by_band.items()
        }
        src = "cost build-up" + (" (travel minutes per band rest on ESTIMATED travel metrics)" if estimated else "")
        return RateCard(year=self.year, rates=rates, source=src, mode="cost_build_up")


def buildup_defaults_text() -> str:
    """The cost build-up's default assumptions for people, one sentence each, from ``ASSUMPTIONS`` (what the Finance
    page shows under the build-up)."""
    return (
        "Defaults (editable, all named; planning assumptions, not the council's or the Homecare Association's "
        "published figures): " + "; ".join(ASSUMPTIONS.values()) + "."
    )


def rates_source_text(source: str) -> str:
    """A rate card's source for people: without the pack file and table it was read from
    (``leicestershire.toml [rates."2025/26"]``)."""
    return re.sub(r'^\S+\.toml \[rates\."[^"]*"\]\s*(—\s*)?', "", source or "").strip()


# ---------------------------------------------------------------- pay floor scenarios

#: London Living Wage by year it was announced for (Living Wage Foundation), £/hour.
LONDON_LIVING_WAGE = {"2021/22": Decimal("11.05"), "2022/23": Decimal("11.95")}

#: CostBuildUp fields a pack may set in ``[finance.buildup]`` (each with ``<field>_source``).
BUILDUP_FIELDS = (
    "pay_gbp_per_hour",
    "visit_min",
    "holiday_pct",
    "employer_ni_pct",
    "pension_pct",
    "other_oncost_pct",
    "average_speed_mph",
    "gbp_per_mile",
    "running_business_gbp_per_hour",
    "surplus_pct",
)


def buildup_from_pack(pack) -> tuple[CostBuildUp, list[dict]]:
    """The cost build-up of a council: the defaults overridden by the pack's ``[finance.buildup]`` values, and
    every assumption as {name, value, source} (the pack's ``<name>_source`` where it gives one)."""
    cfg = pack.raw.get("finance", {}).get("buildup", {})
    amounts = {f: Decimal(str(cfg[f])) for f in BUILDUP_FIELDS if f in cfg}
    for f, v in amounts.items():
        if v < 0 or v > 1000:
            raise DataError(f"pack {pack.path}: [finance.buildup] {f} = {v} is out of range")
    kw: dict[str, Any] = {**amounts, "year": str(cfg["year"])} if "year" in cfg else dict(amounts)
    cb = CostBuildUp(**kw)
    rows = [
        {
            "name": f,
            "value": str(getattr(cb, f)),
            "source": cfg.get(f"{f}_source") or ("pack " + pack.path.name if f in cfg else ASSUMPTIONS[f]),
        }
        for f in BUILDUP_FIELDS
    ]
    return cb, rows


def pay_linked_per_contact_hour(cb: CostBuildUp, travel_min_per_visit) -> Decimal:
    """£ per contact hour that moves with £1 of care worker hourly pay: paid hours (contact + paid travel)
    x (1 + on-costs %) x (1 + surplus %). Mileage and running the business do not move with pay."""
    t = Decimal(str(travel_min_per_visit))
    paid_hours = 1 + t / cb.visit_min
    oncost = (cb.holiday_pct + cb.employer_ni_pct + cb.pension_pct + cb.other_oncost_pct) / 100
    return paid_hours * (1 + oncost) * (1 + cb.surplus_pct / 100)


def payfloor(
    card: RateCard,
    cb: CostBuildUp,
    travel_min_by_band: dict[str, float],
    hours_per_week_by_band: dict[str, float],
    from_gbp,
    to_gbp,
    weeks_per_year: int | Decimal = 52,
) -> dict:
    """Raise the care worker hourly pay floor from ``from_gbp`` to ``to_gbp`` in a rate card.

    Each band's rate rises by (to - from) x ``pay_linked_per_contact_hour`` (contact and paid travel time,
    on-costs holiday/employer NI/pension/other, surplus on top); a lower "to" lowers it. Returns the new rate
    per band, the change per band, and the change in cost per week and year for the given hours (the exact change
    ``gbp_per_week_exact``, rounded to the penny once for the week and once, × weeks, for the year)."""
    lo, hi = money(from_gbp), money(to_gbp)
    if lo <= 0 or hi <= 0 or lo > 1000 or hi > 1000:
        raise DataError("pay floor: from and to must be positive £ per hour (at most £1,000)")
    step = hi - lo
    bands, week_before, week_after = {}, Decimal(0), Decimal(0)
    new_rates = {}
    for b in card.rates:
        t = Decimal(str(round(float(travel_min_by_band.get(b, 0.0)), 2)))
        per = pay_linked_per_contact_hour(cb, t)
        change = money(step * per)
        new = card.rates[b] + change
        new_rates[b] = new
        h = Decimal(str(hours_per_week_by_band.get(b, 0.0)))
        week_before += h * card.rates[b]
        week_after += h * new
        bands[b] = {
            "rate_before_gbp_per_hour": card.rates[b],
            "rate_after_gbp_per_hour": new,
            "change_gbp_per_hour": change,
            "travel_min_per_visit": t,
            "paid_hours_per_contact_hour": (1 + t / cb.visit_min).quantize(Decimal("0.001")),
            "hours_per_week": h,
        }
    wk = week_after - week_before  # exact (zones.money): the week and the year each round it once
    return {
        "from_gbp_per_hour": lo,
        "to_gbp_per_hour": hi,
        "bands": bands,
        "gbp_per_week_before": money(week_before),
        "gbp_per_week_after": money(week_after),
        "gbp_per_week": money(wk),
        "gbp_per_week_exact": wk,
        "gbp_per_year": money(wk * weeks_per_year),
        "weeks_per_year": weeks_per_year,
        "rates_after": replace(card, rates=new_rates, source=card.source + f"; pay floor £{lo} → £{hi}"),
    }
