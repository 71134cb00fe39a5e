"""Two plans of one council side by side (no streamlit): the zones of each with their units, care hours a week and
£ a week (Scenarios' comparison, issue 19 §10), and the three-way comparison of a save refused because someone
saved the scenario since it was opened (issue 19 §8): what this session changed, what the other save changed, and
what both changed."""

from __future__ import annotations

import pandas as pd

from zones.plan import Plan

KEY_COLS = ["zone", "band"]


def changed_units(a: pd.DataFrame, b: pd.DataFrame) -> set[str]:
    """Unit codes whose zone or band differ between two assignment tables (``unit_code, zone, band``; a unit in
    only one table counts as changed)."""
    m = a.set_index("unit_code")[KEY_COLS].merge(
        b.set_index("unit_code")[KEY_COLS], left_index=True, right_index=True, suffixes=("", "_b"), how="outer"
    )
    diff = (m["zone"] != m["zone_b"]) | (m["band"] != m["band_b"])
    return set(m.index[diff])


def three_way(opened: pd.DataFrame, latest: pd.DataFrame, mine: pd.DataFrame) -> dict:
    """Units changed here (``mine`` vs ``opened``), there (``latest`` vs ``opened``) and by both (sorted codes);
    ``merged``: the latest assignments with this session's changes on top, in ``mine``'s columns (meaningful only
    when ``both`` is empty)."""
    here, there = changed_units(opened, mine), changed_units(opened, latest)
    merged = latest.set_index("unit_code")
    if here:
        mine_rows = mine.set_index("unit_code").loc[sorted(here)]
        merged = pd.concat([merged.drop(index=sorted(here), errors="ignore"), mine_rows])
    return {
        "here": sorted(here),
        "there": sorted(there),
        "both": sorted(here & there),
        "merged": merged.reset_index()[mine.columns],
    }


def zones_side_by_side(a: Plan, b: Plan) -> pd.DataFrame:
    """Every zone holding units in either plan, in name order (an outer merge): ``zone``, and per side
    (suffix `` A`` / `` B``) ``units`` (0 where the plan has no such zone), ``hours_per_week`` (float) and
    ``gbp_per_week`` (Decimal, the zone's exact cost rounded once; NaN where the plan has no such zone)."""

    def side(p: Plan) -> pd.DataFrame:
        rows = p.by_zone()
        return pd.DataFrame(
            {
                "zone": [r["zone"] for r in rows],
                "units": [r["units"] for r in rows],
                "hours_per_week": [r["hours_per_week"] for r in rows],
                "gbp_per_week": [r["gbp_per_week"] for r in rows],
            }
        )

    m = side(a).merge(side(b), on="zone", how="outer", suffixes=(" A", " B"))
    m[["units A", "units B"]] = m[["units A", "units B"]].fillna(0).astype(int)
    return m
