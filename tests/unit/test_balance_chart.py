"""Issue 19 §14: the balance chart had no target line or ± band and re-sorted after each edit."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from pages.balance_chart import balance_chart


def zs(hours):
    return pd.DataFrame(
        {
            "zone": ["North", "Centre", "South"],
            "units": [3, 4, 5],
            "hours_per_week": hours,
            "gbp_per_week": [Decimal("10.00")] * 3,
            "share_pct": [33.3, 33.3, 33.4],
        }
    )


def layers(chart):
    spec = chart.to_dict()
    return spec, spec["layer"]


def test_target_line_band_and_fixed_order():
    spec, (band, bars, rule) = layers(balance_chart(zs([100.0, 200.0, 300.0]), "lot"))
    data = spec["datasets"]
    mean = data[rule["data"]["name"]][0]["mean"]
    assert mean == 200.0
    lo_hi = data[band["data"]["name"]][0]
    assert (round(lo_hi["lo"], 6), round(lo_hi["hi"], 6)) == (170.0, 230.0)
    assert bars["encoding"]["y"]["sort"] == ["North", "Centre", "South"]  # the plan's order, never by size
    rows = data[bars["data"]["name"]]
    assert [r["balance"] for r in rows] == ["outside ±15 %", "within ±15 %", "outside ±15 %"]


def test_order_does_not_follow_the_hours():
    _, (_, bars_a, _) = layers(balance_chart(zs([300.0, 200.0, 100.0]), "zone"))
    _, (_, bars_b, _) = layers(balance_chart(zs([100.0, 200.0, 300.0]), "zone"))
    assert bars_a["encoding"]["y"]["sort"] == bars_b["encoding"]["y"]["sort"]
