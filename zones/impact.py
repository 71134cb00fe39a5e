"""Impact of a change: which units changed zone or band, their hours, and the cost per week, year and term.

Money rule (documented for finance): each row's £ per week = hours per week × (new rate − old rate),
rounded half-up to the penny; the weekly total is the sum of the rounded rows; the annual total is the
weekly total × weeks per year (52 by default); the framework term total is the sum over the term's years of
the annual total × (1 + uplift %)^year, each year rounded to the penny (year 1 has no uplift).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from geodata.datadir import DataError

from .plan import Plan
from .rates import RateCard, money


@dataclass(frozen=True)
class Impact:
    """Rows (one per changed unit or moves-file row) and totals. Money in £ Decimal to the penny."""

    rows: list[dict]
    gbp_per_week: Decimal
    gbp_per_year: Decimal
    gbp_per_term: Decimal
    gbp_by_year: list[Decimal]
    hours_per_week_moved: float
    weeks_per_year: int
    term_years: int
    uplift_pct: Decimal
    rates_year: str
    warnings: list[str] = field(default_factory=list)
    hours_source: str = ""

    def to_json(self) -> dict:
        return {
            "rows": [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in r.items()} for r in self.rows],
            "n_rows": len(self.rows),
            "hours_per_week_moved": self.hours_per_week_moved,
            "gbp_per_week": str(self.gbp_per_week),
            "gbp_per_year": str(self.gbp_per_year),
            "gbp_per_term": str(self.gbp_per_term),
            "gbp_by_year": [str(x) for x in self.gbp_by_year],
            "weeks_per_year": self.weeks_per_year,
            "term_years": self.term_years,
            "uplift_pct": str(self.uplift_pct),
            "rates": self.rates_year,
            "hours_source": self.hours_source,
            "warnings": self.warnings,
        }


def totals(rows: list[dict], rates: RateCard, weeks_per_year: int = 52, term_years: int = 8,
           uplift_pct: Decimal | float | str = 0, warnings: list[str] | None = None, hours_source: str = "") -> Impact:
    """Totals of impact rows (each with ``hours_per_week`` and ``gbp_per_week``) per the module's money rule."""
    if weeks_per_year <= 0 or term_years <= 0:
        raise DataError("weeks per year and term years must be positive")
    up = Decimal(str(uplift_pct))
    week = sum((r["gbp_per_week"] for r in rows), Decimal("0.00"))
    year = money(week * weeks_per_year)
    by_year = [money(year * (1 + up / 100) ** y) for y in range(term_years)]
    hours = round(sum(float(r["hours_per_week"]) for r in rows), 2)
    return Impact(rows=rows, gbp_per_week=money(week), gbp_per_year=year, gbp_per_term=sum(by_year, Decimal("0.00")),
                  gbp_by_year=by_year, hours_per_week_moved=hours, weeks_per_year=weeks_per_year,
                  term_years=term_years, uplift_pct=up, rates_year=rates.year, warnings=list(warnings or []),
                  hours_source=hours_source)


def row_gbp_per_week(hours_per_week, from_rate: Decimal, to_rate: Decimal) -> Decimal:
    """hours × (to − from) rounded half-up to the penny, hours taken at their 2-decimal value."""
    h = Decimal(str(round(float(hours_per_week), 2)))
    return money(h * (to_rate - from_rate))


def compare(base: Plan, new: Plan, weeks_per_year: int = 52, term_years: int = 8,
            uplift_pct: Decimal | float | str = 0, *, rates: RateCard | None = None) -> Impact:
    """Impact of going from ``base`` to ``new`` (same units): one row per unit whose zone or band differs,
    priced with one rate card for both sides (``rates``, default ``new``'s: a pure reclassification effect)."""
    if list(base.unit_codes) != list(new.unit_codes):
        raise DataError("compare: the two plans have different units")
    rates = rates or new.rates
    base_z = np.asarray(base.zone_names, dtype=object)[base.zone_idx]
    new_z = np.asarray(new.zone_names, dtype=object)[new.zone_idx]
    changed = (base.band_idx != new.band_idx) | (base_z != new_z)
    rows = []
    for i in np.flatnonzero(changed).tolist():
        fb, tb = base.band_names[base.band_idx[i]], new.band_names[new.band_idx[i]]
        hours = int(new.hours_cents[i]) / 100
        rows.append({
            "zone": new.zone_names[new.zone_idx[i]], "from_zone": base.zone_names[base.zone_idx[i]],
            "unit": str(new.unit_names[i]), "unit_code": str(new.unit_codes[i]),
            "from_band": fb, "to_band": tb, "hours_per_week": hours,
            "gbp_per_week": row_gbp_per_week(hours, rates.effective_rate(fb), rates.effective_rate(tb)),
            "reason": new.reasons.get(i, ""),
        })
    rows.sort(key=lambda r: (r["zone"], r["unit"]))
    return totals(rows, rates, weeks_per_year, term_years, uplift_pct,
                  hours_source="plan hours (estimated from population unless a council file was loaded)")
