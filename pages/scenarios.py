"""Scenarios: save the plan being edited, open versions, compare, publish a read-only link, audit log export."""

import streamlit as st

from geodata.datadir import DataError
from geodata.limits import weeks_per_year
from pages import common, compare_box, conflict_box, money_settings, state
from zones.outputs.escape import md_text
from zones.outputs.export import safe_cell
from zones.outputs.naming import file_name
from zones.outputs.people import audit_table, scenario_table
from zones.plan import Plan
from zones.rates import RateCard
from zones.service.scenario_io import export_geojson, read_import
from zones.service.store import ConflictError
from zones.service.workspace import publication_snapshot, published_plan


def unchanged_since(store, scenario_id: int, version: int, plan, card: dict, settings: dict | None) -> bool:
    """True when ``plan`` has the zones, bands and reasons, and ``card``/``settings`` the rate card and money
    settings, of the stored version (saving it would add an identical version)."""
    sv = store.load(scenario_id, version)
    cols = ["unit_code", "zone", "band", "reason"]
    a = sv.assignments[cols].sort_values("unit_code").reset_index(drop=True).astype(str)
    b = plan.assignments()[cols].sort_values("unit_code").reset_index(drop=True).astype(str)
    return a.equals(b) and sv.rate_model == card and (sv.settings or None) == (settings or None)


council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
hist = common.history(council)
store = common.store()
valid = set(ws.units["unit_code"])
st.title("Scenarios")

st.subheader("Save the current plan")
# every save names the version it was edited from: the version opened (or saved) in this session. A new name
# creates a scenario; the name of an existing scenario is refused unless that scenario was opened here (then the
# save adds a version, or is refused with a conflict if someone saved since).
opened = st.session_state.get(f"sc-opened-{council}")  # (scenario id, name, version) opened or saved here
c1, c2 = st.columns([2, 3])
name = c1.text_input("Scenario name", value=opened[1] if opened else "", key="sc-name")
note = c2.text_input("Note for this version", key="sc-note")
if opened:
    st.caption(
        f"Editing {md_text(opened[1])} from version {opened[2]}: saving under this name adds version "
        f"{opened[2] + 1} unless someone has saved since (then nothing is overwritten)."
    )
if st.button("Save", type="primary", disabled=not name, key="sc-save"):
    try:
        existing = store.list(council)
        hit = existing[existing["name"] == name.strip()]
        # the version keeps the card Finance shows and the weeks, term and uplift every annual figure uses
        card, settings = money_settings.card(council, hist.current).to_dict(), money_settings.to_store(council)
        if len(hit):
            sid = int(hit["id"].iloc[0])
            if not opened or opened[0] != sid:
                raise DataError(
                    f"a scenario named '{name.strip()}' already exists (version "
                    f"{int(hit['latest_version'].iloc[0])}); open it below to add a version, or choose another name"
                )
            if unchanged_since(store, sid, opened[2], hist.current, card, settings):  # issue 19 §15: no empty versions
                raise DataError(f"nothing changed since version {opened[2]}, so no new version was saved")
            sv = store.save(
                sid, opened[2], hist.current.assignments(), card, note=note, valid_units=valid, settings=settings
            )
        else:  # the audit records every unit changed against the base plan, with its reason, after "create"
            sv = store.create(
                council,
                name,
                hist.current.assignments(),
                card,
                note=note,
                valid_units=valid,
                base=ws.base.assignments(),
                settings=settings,
            )
        state.set_identity(council, sv.scenario_id, sv.name, sv.number, hist.current)  # saved: the plan is this version
        st.success(f"Saved {md_text(sv.name)} version {sv.number}")
    except ConflictError as exc:
        st.error(f"Not saved: {exc}")
        st.session_state[f"sc-conflict-{council}"] = opened
    except DataError as exc:
        st.error(f"Not saved: {exc}")

conflict = st.session_state.get(f"sc-conflict-{council}")
if conflict and opened and conflict == opened:  # issue 19 §8: keep the edits, show what differs, save them apart
    conflict_box.render(council, ws, store, hist, opened, valid)

flash = st.session_state.pop(f"sc-flash-{council}", None)
if flash:
    st.success(md_text(flash))
scen = store.list(council)
if scen.empty:
    st.info("No saved scenarios for this council yet.")
    st.stop()
st.dataframe(scenario_table(scen), hide_index=True, width="stretch")
sid = st.selectbox(
    "Scenario", scen["id"].tolist(), format_func=lambda i: scen.set_index("id").at[i, "name"], key="sc-pick"
)
vers = store.versions(sid)
st.dataframe(scenario_table(vers), hide_index=True, width="stretch")
v = st.selectbox("Version", vers["version"].tolist(), index=len(vers) - 1, key="sc-ver")
b1, b2, b3 = st.columns(3)
if b1.button("Open in editor", key="sc-open"):
    sv = store.load(sid, v)
    # zones, bands, every reason and the rate card as saved (today's hours: the editor works on today's data)
    reopened = Plan.from_assignments(ws.base, sv.assignments).with_rates(RateCard.from_dict(sv.rate_model))
    hist.apply(reopened, {"opened": f"{sv.name} v{sv.number}"})
    money_settings.restore_version(council, sv)  # its weeks, term, uplift and card on Finance, Report, exports
    state.set_identity(council, sv.scenario_id, sv.name, sv.number, reopened)  # the parent of the next save, and the
    # identity every page, report and file name shows
    st.success(f"Opened {md_text(sv.name)} version {sv.number} in the editor")
if b2.button(
    "Publish (read-only link)",
    key="sc-publish",
    disabled=not store.user.can_publish(),
    help=None if store.user.can_publish() else "Only admins publish",
):
    try:
        to_pub = store.load(sid, v)
        weeks = weeks_per_year((to_pub.settings or {}).get("weeks_per_year", 52))  # the version's own settings
        store.publish(sid, v, snapshot=publication_snapshot(ws, published_plan(ws, to_pub)[0], weeks))
    except DataError as exc:
        st.error(str(exc))
    else:  # the tables above were drawn before publishing: draw them again (issue 19 §15, stale tick)
        st.session_state[f"sc-flash-{council}"] = f"Published {to_pub.name} version {v}"
        st.rerun()
sv = store.load(sid, v)
if sv.published:  # the full read-only link (host included: what the browser reached this app on)
    st.caption(
        f"Published: read-only link to {md_text(sv.name)} version {sv.number} (copy it with the button at its right)"
    )
    st.code(state.full_link(sv.link()), language=None)
b3.download_button(
    "Export GeoJSON",
    export_geojson(ws.units, Plan.from_assignments(ws.base, sv.assignments)),
    file_name=file_name(council, sv.name, sv.number, "plan", "geojson"),
    key="sc-export",
)

st.subheader("Compare two plans")
st.caption("The base plan or any version of any scenario of this council on each side.")
compare_box.render(council, ws, store)

st.subheader("Audit log")
log = store.audit_log(sid)
st.dataframe(
    audit_table(log, dict(zip(ws.units["unit_code"], ws.units["unit_name"])), ws.layer.pack.zone_label),
    hide_index=True,
    width="stretch",
)
st.download_button(
    "Export audit CSV",
    log.map(safe_cell).to_csv(index=False),
    file_name=file_name(council, sv.name, None, "audit", "csv"),
    key="sc-audit",
)

st.subheader("Import a scenario (GeoPackage or GeoJSON)")
up = st.file_uploader("File", type=["gpkg", "geojson", "json"], key="sc-import")
if up is not None and st.button("Import as new scenario", key="sc-import-go"):
    try:
        a = read_import(up.getvalue(), up.name, valid, tuple(ws.layer.pack.bands))
        sv2 = store.create(
            council,
            f"Imported {up.name}"[:120],
            a,
            hist.current.rates.to_dict(),
            note=f"imported {up.name}",
            valid_units=valid,
        )
        st.success(f"Imported as scenario {sv2.scenario_id}")
    except DataError as exc:
        st.error(f"Nothing imported: {exc}")
