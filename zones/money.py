"""Money: the one rule every figure in £ follows (classify, impact, plan totals, selection, outputs, pages).

- A line (a unit, a moves-file row, a band or a zone) has an EXACT value: hours per week × £ per hour as an
  unrounded Decimal (hours are held to the centi-hour, rates to the penny, so a line is exact in 1/100 pence).
- A total is the sum of exact lines, rounded ONCE, half-up, to the penny, only for display and export: what a
  spreadsheet ``SUM`` of the exact cells shows. Annual = exact weekly × weeks; a term year = exact annual ×
  (1 + uplift %)^year; the term = the sum of the exact years. Never round a line and then add it up.
- A line shown on its own (a row of a table) is its exact value rounded to the penny, for display only.

Units: £ (Decimal), hours per week, pence per hour (int), centi-hours (int, hours × 100), centipence (int,
1/100 pence). No streamlit, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

PENNY = Decimal("0.01")
ZERO = Decimal("0")
#: said beside every yearly and term figure a reader may check against the weekly one (walk-through: the Report's
#: weekly cost × 52 came to 10p more than its yearly cost, right by the round-once rule but unexplained)
ROUNDING_NOTE = (
    "Yearly and term figures are worked from the exact weekly figures (which carry fractions of a penny) and "
    "rounded once, as a spreadsheet's SUM of exact cells is: the weekly figure as shown, to the penny, times the "
    "weeks in a year can differ from them by a few pence."
)


def money(x) -> Decimal:
    """A Decimal rounded half-up to the penny (floats go through their shortest repr, never binary noise)."""
    if isinstance(x, float):
        x = repr(x)
    return Decimal(x).quantize(PENNY, rounding=ROUND_HALF_UP)


def pence(x) -> int:
    """Whole pence of a £ amount (rounded half-up)."""
    return int(money(x) * 100)


def exact_gbp(centipence: int) -> Decimal:
    """£ of an integer amount in 1/100 pence, exact (no rounding)."""
    return Decimal(int(centipence)) / 10000


def cp_to_gbp(centipence: int) -> Decimal:
    """1/100-pence integer → £ rounded half-up to the penny (a total's one rounding)."""
    return money(exact_gbp(centipence))


def hours(x) -> Decimal:
    """Hours per week as an exact Decimal: Decimal and text as given, floats at their shortest repr."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, float):
        return Decimal(repr(x))
    return Decimal(str(x))


def centi_hours_array(hours_per_week) -> np.ndarray:
    """Hours per week (floats) to whole centi-hours (nearest integer of hours × 100, int64): how a plan holds
    hours, so every path prices the same hours."""
    return np.rint(np.asarray(hours_per_week, dtype=float) * 100).astype(np.int64)


def centi_hours(x) -> int:
    """One unit's hours per week in whole centi-hours (``centi_hours_array``)."""
    return int(centi_hours_array([float(x)])[0])


def line(hours_per_week, gbp_per_hour) -> Decimal:
    """A line's exact £ per week: hours × rate, unrounded."""
    return hours(hours_per_week) * Decimal(gbp_per_hour)


def change(hours_per_week, from_gbp_per_hour, to_gbp_per_hour) -> Decimal:
    """A line's exact change in £ per week when its rate goes from one to the other: hours × (to − from)."""
    return hours(hours_per_week) * (Decimal(to_gbp_per_hour) - Decimal(from_gbp_per_hour))


def total(lines: Iterable) -> Decimal:
    """The exact sum of exact lines (Decimal; no rounding)."""
    return sum((Decimal(v) for v in lines), ZERO)


def rounded_total(lines: Iterable) -> Decimal:
    """The sum of exact lines rounded once to the penny: what is shown and exported."""
    return money(total(lines))


def weeks(weeks_per_year) -> Decimal:
    """Weeks a year as an exact Decimal (52, 52.14; floats at their shortest repr, never binary noise)."""
    return hours(weeks_per_year)


def fmt_weeks(weeks_per_year) -> str:
    """Weeks a year for people and files: ``52``, ``52.14`` (no trailing zeros, no exponent)."""
    d = weeks(weeks_per_year)
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def fmt_pct(x) -> str:
    """A percentage for people, one way everywhere: ``0``, ``2.5``, ``3`` (no trailing zeros, no exponent, no
    "-0"); the caller adds the "%"."""
    d = Decimal(str(x)).normalize()
    if d == 0:
        return "0"
    return format(d, "f")


def weeks_json(weeks_per_year) -> int | float:
    """Weeks a year as a JSON number: an int for whole weeks (as before), else the 2-place decimal (52.14)."""
    d = weeks(weeks_per_year)
    return int(d) if d == d.to_integral_value() else float(fmt_weeks(d))


def years(exact_weekly: Decimal, weeks_per_year, term_years: int = 1, uplift_pct=ZERO) -> list[Decimal]:
    """Exact £ of each year of a term: weekly × weeks × (1 + uplift %)^year, year 0 … term − 1 (unrounded).
    ``weeks_per_year`` may have decimals (52.14): the product is exact Decimal arithmetic."""
    annual = Decimal(exact_weekly) * weeks(weeks_per_year)
    up = 1 + Decimal(uplift_pct) / 100
    return [annual * up**y for y in range(int(term_years))]


def per_year(exact_weekly: Decimal, weeks_per_year) -> Decimal:
    """£ a year of an exact weekly figure × weeks (may be 52.14), rounded once."""
    return money(Decimal(exact_weekly) * weeks(weeks_per_year))


def fmt_gbp(x) -> str:
    """£ amount for people: thousands separators, pence, minus sign before the £ (e.g. −£5,479.69)."""
    d = money(x)
    return ("−" if d < 0 else "") + f"£{abs(d):,}"


def fmt_gbp_change(x) -> str:
    """A change in £ for people: always signed, a proper minus (+£1,071.56 / −£5,479.70 / £0.00)."""
    d = money(x)
    return ("+" if d > 0 else "") + fmt_gbp(d)
