"""Impact of a change: which units changed zone or band, their hours, and the cost per week, year and term.

Money rule (``zones.money``, documented for finance; issue 11 §6): every figure comes from exact, unrounded line
values and is rounded once, half-up to the penny, for display and export (like a spreadsheet SUM of exact cells):

- a row's exact £ per week (``gbp_per_week_exact``) = hours per week × (new rate − old rate), no rounding;
  the row's ``gbp_per_week`` is that value rounded to the penny, for display only;
- weekly total = round(Σ exact rows); annual = round(Σ exact rows × weeks per year);
- year y of the term (y = 0 … term − 1) = round(Σ exact rows × weeks × (1 + uplift %)^y); the term total =
  round(Σ of the exact years), so weekly, annual and term figures all derive from the same exact sum.

Hours: ``hours_per_week_moved`` is every changed row's hours; ``hours_per_week_band_changed`` only the rows whose
band changed (what is priced differently) and ``hours_per_week_zone_only`` the rows that moved zone in the same
band (issue 14 §3: a zone-only move is not a band move).

Bounds (``geodata.limits``): weeks per year 1 … 53 (up to 2 decimal places: 52.14), term 1 … 50 years,
uplift −50 … +100 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from geodata.limits import TERM_YEARS, UPLIFT_PCT, bounded_decimal, int_in
from geodata.limits import weeks_per_year as valid_weeks

from . import money as m
from .money import money
from .plan import Plan
from .rates import RateCard


@dataclass(frozen=True)
class Impact:
    """Rows (one per changed unit or moves-file row) and totals. Money in £ Decimal to the penny."""

    rows: list[dict]
    gbp_per_week: Decimal
    gbp_per_year: Decimal
    gbp_per_term: Decimal
    gbp_by_year: list[Decimal]
    hours_per_week_moved: float
    weeks_per_year: int | Decimal  # whole weeks as int; 52.14 as an exact Decimal
    term_years: int
    uplift_pct: Decimal
    rates_year: str
    warnings: list[str] = field(default_factory=list)
    hours_source: str = ""
    #: ``hours_per_week_moved`` split: hours of rows whose band changed, and of rows that changed zone only
    #: (same band: no price change, so not a band move)
    hours_per_week_band_changed: float = 0.0
    hours_per_week_zone_only: float = 0.0
    n_band_changed: int = 0
    n_zone_only: int = 0
    #: the exact (unrounded) weekly sum every total derives from (zones.money)
    gbp_per_week_exact: Decimal = Decimal("0")

    def to_json(self) -> dict:
        return {
            "rows": [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in r.items()} for r in self.rows],
            "n_rows": len(self.rows),
            "hours_per_week_moved": self.hours_per_week_moved,
            "hours_per_week_band_changed": self.hours_per_week_band_changed,
            "hours_per_week_zone_only": self.hours_per_week_zone_only,
            "n_band_changed": self.n_band_changed,
            "n_zone_only": self.n_zone_only,
            "gbp_per_week": str(self.gbp_per_week),
            "gbp_per_week_exact": str(self.gbp_per_week_exact),
            "gbp_per_year": str(self.gbp_per_year),
            "gbp_per_term": str(self.gbp_per_term),
            "gbp_by_year": [str(x) for x in self.gbp_by_year],
            "weeks_per_year": m.weeks_json(self.weeks_per_year),
            "term_years": self.term_years,
            "uplift_pct": str(self.uplift_pct),
            "rates": self.rates_year,
            "hours_source": self.hours_source,
            "warnings": self.warnings,
        }


def totals(
    rows: list[dict],
    rates: RateCard,
    weeks_per_year: int | Decimal = 52,
    term_years: int = 8,
    uplift_pct: Decimal | float | str = 0,
    warnings: list[str] | None = None,
    hours_source: str = "",
) -> Impact:
    """Totals of impact rows (each with ``hours_per_week`` and ``gbp_per_week``) per the module's money rule."""
    weeks_per_year = valid_weeks(weeks_per_year)
    term_years = int_in(term_years, "framework term (years)", *TERM_YEARS)
    up = bounded_decimal(uplift_pct, "annual uplift (%)", UPLIFT_PCT[0], UPLIFT_PCT[1], 4)
    for r in rows:
        if "gbp_per_week_exact" not in r:  # rows made elsewhere: their £/week is taken as exact
            r["gbp_per_week_exact"] = Decimal(str(r["gbp_per_week"]))
    week = m.total(r["gbp_per_week_exact"] for r in rows)
    years_exact = m.years(week, weeks_per_year, term_years, up)
    by_year = [money(y) for y in years_exact]
    year_exact = week * m.weeks(weeks_per_year)
    hours = sum((Decimal(str(r["hours_per_week"])) for r in rows), Decimal("0"))
    banded = [r for r in rows if r.get("from_band") != r.get("to_band")]
    band_hours = sum((Decimal(str(r["hours_per_week"])) for r in banded), Decimal("0"))
    return Impact(
        rows=rows,
        gbp_per_week=money(week),
        gbp_per_year=money(year_exact),
        gbp_per_term=money(sum(years_exact, Decimal("0"))),
        gbp_by_year=by_year,
        hours_per_week_moved=float(round(hours, 2)),
        weeks_per_year=weeks_per_year,
        term_years=term_years,
        uplift_pct=up,
        rates_year=rates.year,
        warnings=list(warnings or []),
        hours_source=hours_source,
        hours_per_week_band_changed=float(round(band_hours, 2)),
        hours_per_week_zone_only=float(round(hours - band_hours, 2)),
        n_band_changed=len(banded),
        n_zone_only=len(rows) - len(banded),
        gbp_per_week_exact=week,
    )


def row_gbp_per_week_exact(hours_per_week, from_rate: Decimal, to_rate: Decimal) -> Decimal:
    """hours × (to − from), exact (no rounding): ``zones.money.change``."""
    return m.change(hours_per_week, from_rate, to_rate)


def row_gbp_per_week(hours_per_week, from_rate: Decimal, to_rate: Decimal) -> Decimal:
    """The row's £ per week for display: the exact value rounded half-up to the penny (never summed)."""
    return money(row_gbp_per_week_exact(hours_per_week, from_rate, to_rate))


def money_row(hours_per_week, from_rate: Decimal, to_rate: Decimal) -> dict:
    """``gbp_per_week`` (display, to the penny) and ``gbp_per_week_exact`` (what totals add up)."""
    exact = row_gbp_per_week_exact(hours_per_week, from_rate, to_rate)
    return {"gbp_per_week": money(exact), "gbp_per_week_exact": exact}


def compare(
    base: Plan,
    new: Plan,
    weeks_per_year: int | Decimal = 52,
    term_years: int = 8,
    uplift_pct: Decimal | float | str = 0,
    *,
    rates: RateCard | None = None,
) -> Impact:
    """Impact of going from ``base`` to ``new`` (same units): one row per unit whose zone or band differs,
    priced with one rate card for both sides (``rates``, default ``new``'s: a pure reclassification effect)."""
    rates = rates or new.rates
    rows = []
    for d in base.differences(new):
        fb, tb = d["from_band"], d["to_band"]
        rows.append(
            {
                "zone": d["to_zone"],
                "from_zone": d["from_zone"],
                "unit": d["unit_name"],
                "unit_code": d["unit_code"],
                "from_band": fb,
                "to_band": tb,
                "hours_per_week": float(d["hours_per_week"]),
                **money_row(d["hours_per_week"], rates.effective_rate(fb), rates.effective_rate(tb)),
                "reason": d["reason"],
            }
        )
    rows.sort(key=lambda r: (r["zone"], r["unit"]))
    return totals(
        rows,
        rates,
        weeks_per_year,
        term_years,
        uplift_pct,
        hours_source="plan hours (estimated from population unless a council file was loaded)",
    )
