"""Finance page control: providers commissioned per zone (Merton para 2.10: two per lot) and the care hours a
week each would carry, flagged below the pack's viability floor. Edits are undoable plan steps and are saved with
the scenario (the plan's rate card records them)."""

import pandas as pd
import streamlit as st

from geodata.datadir import DataError
from zones.outputs.escape import md_text


def show(hist, zone_label: str) -> None:
    """Table of zones: providers (editable), hours a week, hours per provider, below the viability floor."""
    plan = hist.current
    rows = plan.providers_table()
    floor = plan.rates.viability_floor_hours_per_week
    with st.expander(
        f"Providers per {zone_label} ({sum(r['below_viability_floor'] for r in rows)} below the viability floor)"
    ):
        df = pd.DataFrame(
            [
                {
                    zone_label: r["zone"],
                    "providers": r["providers"] or 0,
                    "hours / week": r["hours_per_week"],
                    "hours / provider": r["hours_per_provider"],
                    "below viability floor": "yes" if r["below_viability_floor"] else "",
                }
                for r in rows
            ]
        )
        edited = st.data_editor(
            df,
            hide_index=True,
            width="stretch",
            disabled=[zone_label, "hours / week", "hours / provider", "below viability floor"],
            column_config={"providers": st.column_config.NumberColumn(min_value=0, max_value=50, step=1)},
            key=f"providers-{plan.council}-{len(hist.undo_stack)}",
        )
        st.caption(
            (
                f"Viability floor: {floor:,} care hours a week per provider (the pack's planning assumption). "
                if floor is not None
                else "No viability floor set in the pack. "
            )
            + "Changes are recorded with the plan and saved with the scenario; Undo on Edit zones reverts them."
        )
        changed = [
            (z, n)
            for z, n, r in zip(edited[zone_label], edited["providers"], rows)
            if int(n or 0) != (r["providers"] or 0)
        ]
        if changed:
            try:
                card = plan.rates
                for z, n in changed:
                    card = card.with_providers(z, int(n or 0))
            except (DataError, ValueError) as exc:
                st.error(f"Providers not changed: {md_text(str(exc))}")
                return
            hist.apply(plan.with_rates(card), {"providers": {z: int(n or 0) for z, n in changed}})
            st.rerun()
