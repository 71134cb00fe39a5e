"""Suggest zones (commissioners): propose contiguous, balanced, low-travel zones, compare them with the plan being
edited (table + map), and load the proposal into the editor as one undoable step."""

import streamlit as st
from streamlit_folium import st_folium

from geodata.datadir import DataError
from pages import common
from zones.outputs.people import suggest_changes, suggest_zones
from zones.plan import default_zone_count, real_zones

council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
hist = common.history(council)
pack = ws.layer.pack
label = pack.zone_label
labels = pack.zones_label
st.title(f"Suggest {labels}")
st.caption(
    f"Every {label} one piece (units touching by an edge), weekly hours within ± the balance of the mean, and as "
    f"little travel inside each {label} as the search finds (GerryChain ReCom + single-unit moves). The proposal is "
    "loaded into Edit zones as one step: Undo there (or below) brings the current plan back."
)
current_zones = sorted(set(ws.units["zone"]))
n_now = default_zone_count(current_zones, len(ws.units))  # Bradford (all "Unzoned"): not 1
c = st.columns(5)
k = c[0].number_input(
    f"Number of {labels}",
    min_value=1,
    max_value=min(200, len(ws.units)),
    value=n_now,
    step=1,
    key=f"sg-k-{council}",
)
bal = c[1].number_input(
    "Balance ± % of mean hours", min_value=1.0, max_value=60.0, value=15.0, step=1.0, key=f"sg-bal-{council}"
)
mode = c[2].selectbox("Travel", ["drive", "walk"], key=f"sg-mode-{council}")
seed = c[3].number_input("Seed", min_value=0, max_value=1_000_000, value=0, step=1, key=f"sg-seed-{council}")
axis = c[4].selectbox("Shape", ["lowest travel", "north-south strips", "west-east strips"], key=f"sg-axis-{council}")
lockable = real_zones(current_zones)
# nothing to keep (Bradford: every unit unzoned): no empty, greyed-out picker (its label failed colour contrast)
locks = st.multiselect(f"Keep these {labels} as they are", lockable, key=f"sg-lock-{council}") if lockable else []
from_plan = (  # nothing to start from when no unit is zoned (Bradford)
    st.checkbox(f"Start from the current {labels} (keeps their names)", key=f"sg-from-plan-{council}")
    if lockable
    else False
)

if st.button(f"Suggest {labels}", type="primary", key="sg-run"):
    from zones.service.suggestion import run_suggestion

    bar = st.progress(0.0, text="Starting…")
    try:
        res = run_suggestion(
            council,
            int(k),
            balance_pct=float(bal),
            lock=locks,
            mode=mode,
            from_plan=from_plan,
            seed=int(seed),
            axis={"north-south strips": "ns", "west-east strips": "we"}.get(axis),
            workspace=ws,
            progress=lambda s, f: bar.progress(min(max(f, 0.0), 1.0), text=s),
        )
    except DataError as exc:
        bar.empty()
        st.error(f"No proposal: {exc}")
    else:
        bar.empty()
        plan = res.pop("_plan")
        hist.apply(
            plan,
            {
                "units": [c["unit_code"] for c in res["changes"]],
                "zone": "suggested",
                "band": "(keep)",
                "reason": f"suggested zones (seed {int(seed)})",
            },
        )
        st.session_state[f"sg-result-{council}"] = res

res = st.session_state.get(f"sg-result-{council}")
if res:
    s, cs = res["proposal"]["summary"], res["current"]["summary"]
    what = "walk" if res["mode"] == "walk" else "drive"
    m = st.columns(4)
    m[0].metric(
        f"Mean {what} inside a {label} (min)",
        s["mean_drive_min"],
        delta=round(s["mean_drive_min"] - cs["mean_drive_min"], 2),
        delta_color="inverse",
    )
    m[1].metric(
        "Max deviation from mean hours",
        f"{s['max_balance_dev_pct']} %",
        help=f"current plan: {cs['max_balance_dev_pct']} %",
    )
    m[2].metric(f"All {labels} one piece", "yes" if s["all_contiguous"] else "no")
    m[3].metric("Units moved", res["changed_units"])
    if not res["balanced"]:
        st.warning(
            f"No plan within ±{res['balance_pct']} % was found for these units (some units are too large, or the "
            "locks leave too little room); the proposal is the most balanced one found."
        )
    st.info(res["travel"]["note"] + ". " + res["travel"]["method"])
    if res["adjacency"]["bridges"]:
        st.caption(
            f"{len(res['adjacency']['bridges'])} unit(s) touch no other by an edge and are joined to their "
            "nearest unit: "
            + ", ".join(f"{b['from']}–{b['to']} ({b['gap_m']:.0f} m)" for b in res["adjacency"]["bridges"])
        )
    left, right = st.columns(2)
    left.subheader("Proposal")
    left.dataframe(suggest_zones(res["proposal"]["zones"], label, what), hide_index=True, width="stretch")
    right.subheader("Current plan")
    right.dataframe(suggest_zones(res["current"]["zones"], label, what), hide_index=True, width="stretch")
    if res["changes"]:
        with st.expander(f"{res['changed_units']} unit(s) change {label}"):
            st.dataframe(suggest_changes(res["changes"], label), hide_index=True, width="stretch")
    mp = st.columns(2)
    with mp[0]:
        st.caption(f"Proposal (loaded in the editor), coloured by {label}")
        st_folium(
            common.band_map(council, ws, hist.current, colour_by="zone"),
            height=420,
            use_container_width=True,
            returned_objects=[],
            key=f"sg-map-new-{council}",
        )
    with mp[1]:
        st.caption(f"Current plan, coloured by {label}")
        prev = hist.undo_stack[-1] if hist.undo_stack else ws.base
        st_folium(
            common.band_map(council, ws, prev, colour_by="zone"),
            height=420,
            use_container_width=True,
            returned_objects=[],
            key=f"sg-map-old-{council}",
        )
    b = st.columns(3)
    b[0].button("Undo (back to the current plan)", disabled=not hist.undo_stack, key="sg-undo", on_click=hist.undo)
    b[1].button("Redo", disabled=not hist.redo_stack, key="sg-redo", on_click=hist.redo)
