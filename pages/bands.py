"""Bands (commissioners): try other thresholds and see, live, the hours share per band and the units that would
change band; nothing is saved. The computation is zones.classify.threshold_preview; this page only collects the
sliders and shows the result."""

import streamlit as st

from geodata.datadir import DataError
from pages import common
from zones.classify import Thresholds, prior_and_ranges, threshold_preview
from zones.money import fmt_gbp
from zones.outputs.people import band_trial_changes, fmt_points


def _or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def label(k: str, bands: tuple[str, ...]) -> str:
    """The slider label of threshold ``k`` (named after the pack's bands, e.g. "Rural from: minutes between visits")."""
    if k.endswith("_below_hours_per_km2"):
        return f"{bands[0].capitalize()} needs at least: care hours a week per km²"
    band, what = (
        (k[: -len("_town_min")], "minutes' drive from the nearest town")
        if k.endswith("_town_min")
        else (k[: -len("_visit_min")], "minutes between visits")
    )
    return f"{band.capitalize()} from: {what}"


def short(k: str) -> str:
    """A rule in a few words: "rural by time between visits"."""
    if k.endswith("_below_hours_per_km2"):
        return f"{k[: -len('_below_hours_per_km2')]} by low density"
    if k.endswith("_town_min"):
        return f"{k[: -len('_town_min')]} by distance from town"
    return f"{k[: -len('_visit_min')]} by time between visits"


council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
pack = ws.layer.pack
plan = common.history(council).current
current = Thresholds.from_pack(pack)
bands = current.bands
prior, ranges = prior_and_ranges(pack)
target = pack.raw.get("targets", {}).get("hours_share_pct")
st.title(f"{pack.name}: how bands are decided")
st.caption(
    f"A unit is {_or(list(reversed(bands[1:])))} when any of that band's rules applies (minutes from the "
    "nearest town's edge, minutes between visits, care hours a week per km²); "
    f"{bands[0]} otherwise. Move the sliders to see what other thresholds would do. Nothing is saved here: "
    "to change a unit's band, use Edit zones."
)
cols = st.columns(3)
ORDER = (
    [(f"{b}_town_min", 0) for b in bands[1:]]
    + [(f"{b}_visit_min", 1) for b in bands[1:]]
    + [(f"{bands[1]}_below_hours_per_km2", 2)]
)
cols[0].markdown("**Distance from the nearest town**")
cols[1].markdown("**Time between visits**")
cols[2].markdown("**Demand density**")
trial = {}
for k, col in ORDER:
    lo, hi = ranges[k]
    trial[k] = cols[col].slider(
        label(k, bands),
        min_value=float(lo),
        max_value=float(hi),
        step=0.1,
        value=float(min(max(getattr(current, k), lo), hi)),
        key=f"bands-{council}-{k}",
        help=f"current {getattr(current, k):g}; plausible starting value {prior[k]:g}",
    )
ev = ws.classification.merge(ws.units[["unit_code", "unit_name", "hours_per_week"]], on="unit_code")
try:
    th = Thresholds.from_dict(trial, "sliders", bands)
    res = threshold_preview(ev, current, th, target, {b: plan.rates.effective_rate(b) for b in bands})
except DataError as exc:
    st.error(str(exc))
    st.stop()
st.subheader("Share of care hours per band")
c = st.columns(len(bands))
for col, b in zip(c, bands):
    delta = res["shares_trial"][b] - res["shares_current"][b]
    col.metric(
        b.capitalize(),
        f"{res['shares_trial'][b]:.1f} %",
        f"{delta:+.1f} points" if abs(delta) >= 0.05 else None,  # ASCII sign: st.metric colours by it
        help=(f"target {target[b]} % (report)" if target else None),
    )
if target:
    gap = res["gap_to_target_pct_points"]
    (st.success if res["within_3_points"] else st.warning)(
        "Against the report's shares: "
        + ", ".join(f"{b} {fmt_points(gap[b])}" for b in bands)
        + " points"
        + ("" if res["within_3_points"] else " — outside the 3-point tolerance")
    )
st.caption(
    "Units each rule applies to (a unit can meet several): "
    + "; ".join(f"{short(k)} {n}" for k, n in res["rule_counts"].items())
)
st.subheader(f"Units that would change band: {res['n_changed']}")
if res["n_changed"]:
    st.caption(
        f"{res['hours_changed']:,.2f} care hours a week; change in spend "
        f"{fmt_gbp(res['gbp_per_week_change'])} a week at {plan.rates.year} rates (hours estimated)."
    )
    st.dataframe(band_trial_changes(res["changes"]), hide_index=True, width="stretch")
else:
    st.caption("No unit changes band with these thresholds.")
