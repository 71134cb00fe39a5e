"""The balance between zones on Edit zones (issue 19 §14): care hours a week per zone as bars in a fixed order
(the plan's zone order, so a bar never jumps after an edit), with the target (the mean over zones holding units)
as a line and the ± balance band around it shaded, as the Suggest zones page's balance setting means it."""

from __future__ import annotations

import altair as alt
import pandas as pd

BALANCE_PCT = 15.0  # the default balance of Suggest zones: ± % of the mean hours a week per zone


#: the compact chart beside the map (issue 19 §14: on a 1366×768 laptop it was mostly below the fold): pixels per
#: zone row
COMPACT_ROW_PX = 10


def balance_chart(
    zs: pd.DataFrame, zone_label: str, balance_pct: float = BALANCE_PCT, compact: bool = False
) -> alt.LayerChart:
    """``zs``: one row per zone holding units, in display order (``zone``, ``units``, ``hours_per_week``,
    ``gbp_per_week`` Decimal, ``share_pct``). Bars of hours a week, the mean as a rule, mean ± ``balance_pct`` %
    shaded; zones outside the band are drawn in a darker colour and named so in the tooltip. ``compact``: rows of
    ``COMPACT_ROW_PX`` px, small labels, no legend (the page's caption names the two colours)."""
    mean_h = float(zs["hours_per_week"].mean()) if len(zs) else 0.0
    lo, hi = mean_h * (1 - balance_pct / 100), mean_h * (1 + balance_pct / 100)
    df = zs.assign(
        gbp=[float(x) for x in zs["gbp_per_week"]],
        balance=[
            f"within ±{balance_pct:g} %" if lo <= h <= hi else f"outside ±{balance_pct:g} %"
            for h in zs["hours_per_week"]
        ],
    )
    order = list(df["zone"])
    axis = (
        alt.Axis(labelOverlap=False, labelLimit=130, labelFontSize=10)
        if compact
        else alt.Axis(labelOverlap=False, labelLimit=160)
    )
    y = alt.Y("zone:N", sort=order, title=None, axis=axis)
    band = (
        alt.Chart(pd.DataFrame({"lo": [lo], "hi": [hi]}))
        .mark_rect(color="#88CCEE", opacity=0.35)
        .encode(x="lo:Q", x2="hi:Q")
    )
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X(
                "hours_per_week:Q",
                title=None if compact else "care hours a week",
                axis=alt.Axis(labelFontSize=10) if compact else alt.Axis(),
            ),
            color=alt.Color(
                "balance:N",
                title=None,
                legend=None if compact else alt.Legend(orient="bottom"),
                scale=alt.Scale(
                    domain=[f"within ±{balance_pct:g} %", f"outside ±{balance_pct:g} %"], range=["#4477AA", "#882255"]
                ),
            ),
            tooltip=[
                alt.Tooltip("zone:N", title=zone_label.capitalize()),
                alt.Tooltip("units:Q"),
                alt.Tooltip("hours_per_week:Q", title="hours a week", format=",.2f"),
                alt.Tooltip("gbp:Q", title="£ a week", format=",.2f"),
                alt.Tooltip("share_pct:Q", title="% of hours"),
                alt.Tooltip("balance:N"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"mean": [mean_h]}))
        .mark_rule(color="#000", strokeDash=[4, 3])
        .encode(x="mean:Q", tooltip=[alt.Tooltip("mean:Q", title="target: mean hours a week", format=",.2f")])
    )
    return alt.layer(band, bars, rule).properties(height=alt.Step(COMPACT_ROW_PX if compact else 20))
