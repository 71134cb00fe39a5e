"""Pay floor scenario for a loaded council (CLI `zoneplan payfloor` and the Finance page): the council's base plan
and card, its cost build-up assumptions from the pack, and what-ifs that show which assumptions drive the figure."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal


def payfloor_report(ws, from_gbp, to_gbp, weeks: int | Decimal | None = None) -> dict:
    """The JSON of ``zoneplan payfloor`` for a loaded workspace (also used by the Finance page); ``weeks`` a year
    whole or with up to 2 places (52.14)."""
    from geodata.limits import weeks_per_year
    from zones.money import weeks_json
    from zones.rates import buildup_from_pack, payfloor, report_figures
    from zones.service.workspace import band_travel_minutes

    pack = ws.layer.pack
    plan = ws.base
    fig = report_figures(pack)
    weeks = weeks_per_year(weeks or (fig.get("weeks_per_year") if fig else None) or 52)
    cb, assumptions = buildup_from_pack(pack)
    travel, est = band_travel_minutes(ws, plan)
    hours = plan.totals()["hours_per_week_by_band"]
    res = payfloor(plan.rates, cb, travel, hours, from_gbp, to_gbp, weeks)
    res.pop("rates_after")
    res["weeks_per_year"] = weeks_json(weeks)  # a JSON number: 52, or 52.14
    out = {
        "council": pack.id,
        "rates_year": plan.rates.year,
        "rates_source": plan.rates.source,
        **res,
        "travel_estimated": est,
        "method": "each band's rate rises by (to - from) x paid hours per contact hour (1 + travel minutes per visit "
        "/ visit minutes) x (1 + holiday + employer NI + pension + other on-costs %) x (1 + surplus %); "
        "mileage and running the business do not move with pay",
        "assumptions": assumptions,
    }
    # what-ifs: the same rise under other assumptions (which assumptions drive the figure)
    whatifs = [
        ("as above", cb, travel),
        ("travel time unpaid", cb, {b: 0.0 for b in travel}),
        ("30-minute visits", replace(cb, visit_min=Decimal("30")), travel),
        ("10 more travel minutes per visit", cb, {b: v + 10 for b, v in travel.items()}),
        ("employer NI 15.05 % (with the 2022 levy)", replace(cb, employer_ni_pct=Decimal("15.05")), travel),
        (
            "no on-costs",
            replace(
                cb,
                holiday_pct=Decimal(0),
                employer_ni_pct=Decimal(0),
                pension_pct=Decimal(0),
                other_oncost_pct=Decimal(0),
            ),
            travel,
        ),
    ]
    out["sensitivity"] = [
        {"what_if": name, "gbp_per_year": payfloor(plan.rates, c, t, hours, from_gbp, to_gbp, weeks)["gbp_per_year"]}
        for name, c, t in whatifs
    ]
    fc = pack.raw.get("finance", {}).get("payfloor_forecast_gbp_per_year")
    if fc:
        lo, hi = Decimal(str(fc[0])), Decimal(str(fc[-1]))
        ours = res["gbp_per_year"]
        where = "below" if ours < lo else ("above" if ours > hi else "within")
        out["report_forecast"] = {
            "low_gbp_per_year": lo,
            "high_gbp_per_year": hi,
            "source": pack.raw["finance"].get("payfloor_forecast_source", ""),
            "ours_vs_report": where,
            "ours_pct_of_low": round(float(ours / lo * 100), 1) if lo else None,
        }
    return out
