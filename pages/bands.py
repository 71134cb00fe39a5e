"""Bands (commissioners): try other thresholds and see, live, the hours share per band and the units that would
change band; nothing is saved. The computation is zones.classify.threshold_preview; this page only collects the
sliders and shows the result."""
import streamlit as st

from geodata.datadir import DataError
from pages import common
from zones.classify import BANDS, Thresholds, prior_and_ranges, threshold_preview
from zones.money import fmt_gbp

LABELS = {
    "fringe_town_min": "Fringe from: minutes' drive from the nearest town",
    "rural_town_min": "Rural from: minutes' drive from the nearest town",
    "isolated_town_min": "Isolated from: minutes' drive from the nearest town",
    "fringe_visit_min": "Fringe from: minutes between visits",
    "rural_visit_min": "Rural from: minutes between visits",
    "isolated_visit_min": "Isolated from: minutes between visits",
    "fringe_below_hours_per_km2": "Urban needs at least: care hours a week per km²",
}

council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
pack = ws.layer.pack
plan = common.history(council).current
current = Thresholds.from_pack(pack)
prior, ranges = prior_and_ranges(pack)
target = pack.raw.get("targets", {}).get("hours_share_pct")
st.title(f"{pack.name}: how bands are decided")
st.caption("A unit is isolated, rural or fringe when any of that band's rules applies (minutes from the nearest "
           "town's edge, minutes between visits, care hours a week per km²); urban otherwise. Move the sliders to "
           "see what other thresholds would do. Nothing is saved here: to change a unit's band, use Edit zones.")
cols = st.columns(3)
ORDER = [("fringe_town_min", 0), ("rural_town_min", 0), ("isolated_town_min", 0), ("fringe_visit_min", 1),
         ("rural_visit_min", 1), ("isolated_visit_min", 1), ("fringe_below_hours_per_km2", 2)]
cols[0].markdown("**Distance from the nearest town**")
cols[1].markdown("**Time between visits**")
cols[2].markdown("**Demand density**")
trial = {}
for k, col in ORDER:
    lo, hi = ranges[k]
    trial[k] = cols[col].slider(LABELS[k], min_value=float(lo), max_value=float(hi), step=0.1,
                                  value=float(min(max(getattr(current, k), lo), hi)), key=f"bands-{council}-{k}",
                                  help=f"current {getattr(current, k):g}; plausible starting value {prior[k]:g}")
ev = ws.classification.merge(ws.units[["unit_code", "unit_name", "hours_per_week"]], on="unit_code")
try:
    th = Thresholds.from_dict(trial, "sliders")
    res = threshold_preview(ev, current, th, target, {b: plan.rates.effective_rate(b) for b in BANDS})
except DataError as exc:
    st.error(str(exc))
    st.stop()
st.subheader("Share of care hours per band")
c = st.columns(4)
for col, b in zip(c, BANDS):
    delta = res["shares_trial"][b] - res["shares_current"][b]
    col.metric(b.capitalize(), f"{res['shares_trial'][b]:.1f} %", f"{delta:+.1f} points" if abs(delta) >= 0.05 else None,
               help=(f"target {target[b]} % (report)" if target else None))
if target:
    gap = res["gap_to_target_pct_points"]
    (st.success if res["within_3_points"] else st.warning)(
        "Against the report's shares: " + ", ".join(f"{b} {gap[b] + 0.0:+.1f}" for b in BANDS) + " points"
        + ("" if res["within_3_points"] else " — outside the 3-point tolerance"))
SHORT = {"isolated_town_min": "isolated by distance from town", "isolated_visit_min": "isolated by time between visits",
         "rural_town_min": "rural by distance from town", "rural_visit_min": "rural by time between visits",
         "fringe_town_min": "fringe by distance from town", "fringe_visit_min": "fringe by time between visits",
         "fringe_below_hours_per_km2": "fringe by low density"}
st.caption("Units each rule applies to (a unit can meet several): "
           + "; ".join(f"{SHORT[k]} {n}" for k, n in res["rule_counts"].items()))
st.subheader(f"Units that would change band: {res['n_changed']}")
if res["n_changed"]:
    st.caption(f"{res['hours_changed']:,.2f} care hours a week; change in spend "
               f"{fmt_gbp(res['gbp_per_week_change'])} a week at {plan.rates.year} rates (hours estimated).")
    table = res["changes"].assign(gbp_per_week=res["changes"]["gbp_per_week"].map(fmt_gbp))
    st.dataframe(table.rename(columns={"unit_name": "unit", "from_band": "from", "to_band": "to",
                                       "hours_per_week": "hours / week", "gbp_per_week": "£ / week"}),
                 hide_index=True, width="stretch")
else:
    st.caption("No unit changes band with these thresholds.")
