"""Tables as people read them (issue 19 §15, walk-through "raw names and formats"): the same rows the CLI and the
exports give, with columns headed in words, £ amounts as £ (changes signed) and care hours with thousands separators.
Pages show these; CLI JSON keys and export columns keep their field names (a public interface). No streamlit here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from zones.money import fmt_gbp, fmt_gbp_change


def fmt_hours(x) -> str:
    """Care hours for people: thousands separators, two decimals (4444.75 → "4,444.75"); blank for a missing value."""
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    return f"{float(x):,.2f}"


def drop_empty_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` without the columns that hold no value in any row (only blanks, None or NaN)."""
    keep = [c for c in df.columns if any(not (v is None or pd.isna(v) or str(v).strip() == "") for v in df[c])]
    return df[keep]


def changed_units(rows: list[dict], zone_label: str) -> pd.DataFrame:
    """Finance's "Changed units": one row per unit of an impact (``zones.impact.compare``), headed in words; the
    £ a week change signed (+£/−£)."""
    r = pd.DataFrame(rows)
    return pd.DataFrame(
        {
            zone_label.capitalize(): r["zone"],
            "Unit": r["unit"],
            "Band before": r["from_band"],
            "Band after": r["to_band"],
            "Care hours a week": [fmt_hours(x) for x in r["hours_per_week"]],
            "Change in £ a week": [fmt_gbp_change(x) for x in r["gbp_per_week"]],
            "Reason": r["reason"],
        }
    )


def moves_rows(rows: list[dict], zone_label: str) -> pd.DataFrame:
    """Finance's table of an uploaded moves file (``zones.moves.impact_of_moves`` rows), headed in words: the file's
    hours beside the plan's estimate (when given), each band's rate and the signed change in £ a week."""
    r = pd.DataFrame(rows)
    out = {
        f"Sub-{zone_label}": r["subzone"],
        "Unit": r["unit"],
        "Unit codes": r["unit_codes"],
        "Band before": r["from_band"],
        "Band after": r["to_band"],
        "Care hours a week (file)": [fmt_hours(x) for x in r["hours_per_week"]],
    }
    if "hours_per_week_estimate" in r:
        out["Care hours a week (plan's estimate)"] = [fmt_hours(x) for x in r["hours_per_week_estimate"]]
    out["Rate before £ an hour"] = [fmt_gbp(x) for x in r["from_rate_gbp_per_hour"]]
    out["Rate after £ an hour"] = [fmt_gbp(x) for x in r["to_rate_gbp_per_hour"]]
    out["Change in £ a week"] = [fmt_gbp_change(x) for x in r["gbp_per_week"]]
    return pd.DataFrame(out)


def payfloor_what_ifs(rows: list[dict]) -> pd.DataFrame:
    """The pay floor what-ifs (``zones.service.payfloor``: ``what_if``, ``gbp_per_year``) headed in words, £ signed."""
    return pd.DataFrame(
        {
            "What if": [r["what_if"] for r in rows],
            "Change in £ a year": [fmt_gbp_change(r["gbp_per_year"]) for r in rows],
        }
    )


def zone_pairs(rows: list[dict], zone_label: str) -> pd.DataFrame:
    """Continuity of care (``zones.equality``'s ``by_zone_pair`` rows): units moving from one zone to another,
    headed in words with the pack's zone label; hours and people are estimates."""
    z = zone_label.capitalize()
    return pd.DataFrame(
        {
            f"{z} before": [r["from_zone"] for r in rows],
            f"{z} after": [r["to_zone"] for r in rows],
            "Units": [r["n_units"] for r in rows],
            "Care hours a week (est.)": [fmt_hours(r["hours_per_week"]) for r in rows],
            "People supported (est.)": [f"{float(r['clients_est']):,.1f}" for r in rows],
        }
    )


def rate_table(rates, bands: Iterable[str]) -> pd.DataFrame:
    """The rate card per band (rate, floor, ceiling, effective rate) in £ an hour; a column with no value in any
    band (e.g. no floors published) left out."""
    bands = list(bands)

    def gbp(d: Mapping, b: str) -> str:
        v = d.get(b)
        return fmt_gbp(v) if v not in (None, "") else ""

    df = pd.DataFrame(
        {
            "Band": bands,
            "Rate £ an hour": [fmt_gbp(rates.rate(b)) for b in bands],
            "Floor £ an hour": [gbp(rates.floor, b) for b in bands],
            "Ceiling £ an hour": [gbp(rates.ceiling, b) for b in bands],
            "Effective rate £ an hour (with sessional share)": [fmt_gbp(rates.effective_rate(b)) for b in bands],
        }
    )
    return drop_empty_columns(df)


#: the store's list and versions columns (zones.service.store) as headed on the Scenarios page
SCENARIO_HEADINGS = {
    "id": "Id",
    "council": "Council",
    "name": "Name",
    "author": "Author",
    "updated": "Last saved",
    "latest_version": "Latest version",
    "n_versions": "Versions",
    "version": "Version",
    "created": "Saved",
    "note": "Note",
    "published": "Published",
    "n_units": "Units",
}


def scenario_table(df: pd.DataFrame) -> pd.DataFrame:
    """A scenario list or version list of the store, columns headed in words (unknown columns kept as they are)."""
    return df.rename(columns=SCENARIO_HEADINGS)


def audit_table(log: pd.DataFrame, unit_names: Mapping[str, str], zone_label: str) -> pd.DataFrame:
    """The store's audit log for people: the unit by its name with its code beside it, columns headed in words
    (``zone_label`` for the zone columns)."""
    z = zone_label.capitalize()
    codes = log["unit_code"]
    return pd.DataFrame(
        {
            "Version": log["version"],
            "Who": log["who"],
            "When": log["at"],
            "Action": log["action"],
            "Unit": [unit_names.get(c, "") if c else "" for c in codes],
            "Unit code": codes,
            f"{z} before": log["from_zone"],
            f"{z} after": log["to_zone"],
            "Band before": log["from_band"],
            "Band after": log["to_band"],
            "Reason": log["reason"],
        }
    )


def hours_by_zone_band(plan, zone_label: str) -> pd.DataFrame:
    """Care hours a week by zone (rows) and band (columns) of ``plan`` (``Plan.hours_by_zone_band``), the index
    and columns named so the table says what it holds: "<Zone label>" down, "Band (care hours a week)" across."""
    df = plan.hours_by_zone_band().copy()
    df.index.name = zone_label.capitalize()
    df.columns = pd.Index([f"{b} (hours a week)" for b in df.columns], name="Band")
    return df


def rate_limits_title(pack) -> str:
    """The title of Finance's floor/ceiling/sessional-rate box, citing the council's own papers only when its pack
    does (never another council's report)."""
    src = pack.rate_limits_source
    return "Floor, ceiling and sessional rate" + (f" ({src})" if src else "")


def drive_placeholder(pack) -> str:
    """The placeholder of the "drive from this unit to" box: the pack's own example places, else a generic hint."""
    ex = pack.drive_example
    return f"postcode or place, e.g. {ex}" if ex else "a postcode or a place name"


def fmt_points(x) -> str:
    """A signed difference in percentage points to one decimal ("+1.2", "−0.4"); a difference that rounds to zero is
    "0.0", never "-0.0" or "+0.0"."""
    r = round(float(x), 1)
    if r == 0:
        return "0.0"
    return f"+{r:.1f}" if r > 0 else f"−{abs(r):.1f}"


def band_trial_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """The Bands page's "units that would change band" (``zones.classify``'s trial ``changes``: unit_name,
    from_band, to_band, hours_per_week and, with rates, gbp_per_week) headed in words, £ a week signed."""
    out = {
        "Unit": changes["unit_name"],
        "Band now": changes["from_band"],
        "Band with these thresholds": changes["to_band"],
        "Care hours a week": [fmt_hours(x) for x in changes["hours_per_week"]],
    }
    if "gbp_per_week" in changes:
        out["Change in £ a week"] = [fmt_gbp_change(x) for x in changes["gbp_per_week"]]
    return pd.DataFrame(out).reset_index(drop=True)


def manual_bands(rows: pd.DataFrame, unit_names: Mapping[str, str], zone_label: str) -> pd.DataFrame:
    """Edit zones' "manual bands that differ from the classifier" (``Plan.assignments`` rows: unit_code, zone,
    band, computed_band, reason), the unit by its name, headed in words with the pack's zone label."""
    return pd.DataFrame(
        {
            "Unit": [unit_names.get(c, c) for c in rows["unit_code"]],
            zone_label.capitalize(): rows["zone"],
            "Band set by hand": rows["band"],
            "Classifier suggests": rows["computed_band"],
            "Reason": rows["reason"],
        }
    ).reset_index(drop=True)


def suggest_zone_headings(zone_label: str, what: str) -> dict[str, str]:
    """Headings of the ``zoneplan suggest`` per-zone rows (``proposal.zones`` / ``current.zones``); ``what`` names
    the travel figure ("drive" or "walk between visits")."""
    return {
        "name": zone_label.capitalize(),
        "units": "Units",
        "hours_per_week": "Care hours a week",
        "mean_drive_min": f"Mean {what} inside (min)",
        "contiguous": "One piece",
        "balance_dev_pct": "Hours vs mean (%)",
        "median_walk_between_visits_min": "Median walk between visits (min)",
        "providers": "Providers",
        "hours_per_provider": "Hours a week per provider",
        "below_viability_floor": "Below viability floor",
    }


def suggest_zones(rows: list[dict], zone_label: str, what: str) -> pd.DataFrame:
    """A proposal's or the current plan's zones as Suggest shows them: name, units, care hours (thousands
    separators), mean travel inside, one piece, balance and, where the result has them, walk, providers and
    viability columns; headed in words."""
    titles = suggest_zone_headings(zone_label, what)
    df = pd.DataFrame(rows)
    df = df[[c for c in titles if c in df.columns]]
    if "hours_per_week" in df:
        df = df.assign(hours_per_week=[fmt_hours(x) for x in df["hours_per_week"]])
    return df.rename(columns=titles)


def suggest_changes(rows: list[dict], zone_label: str) -> pd.DataFrame:
    """The units a suggestion moves (``zoneplan suggest``'s ``changes``: unit_code, unit_name, from, to,
    hours_per_week), headed in words with the pack's zone label."""
    z = zone_label.capitalize()
    r = pd.DataFrame(rows, columns=["unit_code", "unit_name", "from", "to", "hours_per_week"])
    return pd.DataFrame(
        {
            "Unit": r["unit_name"],
            "Unit code": r["unit_code"],
            f"{z} now": r["from"],
            f"{z} proposed": r["to"],
            "Care hours a week": [fmt_hours(x) for x in r["hours_per_week"]],
        }
    )


def band_totals(bs: pd.DataFrame) -> pd.DataFrame:
    """Edit zones' per-band totals (``band_summary``: band, units, hours_per_week, gbp_per_week) headed in words."""
    return pd.DataFrame(
        {
            "Band": bs["band"],
            "Units": bs["units"],
            "Care hours a week": [fmt_hours(x) for x in bs["hours_per_week"]],
            "£ a week": [fmt_gbp(x) for x in bs["gbp_per_week"]],
        }
    ).reset_index(drop=True)


def zone_totals(zs: pd.DataFrame, zone_label: str) -> pd.DataFrame:
    """Edit zones' per-zone totals (zone, units, hours_per_week, gbp_per_week, share_pct) headed in words with the
    pack's zone label."""
    return pd.DataFrame(
        {
            zone_label.capitalize(): zs["zone"],
            "Units": zs["units"],
            "Care hours a week": [fmt_hours(x) for x in zs["hours_per_week"]],
            "£ a week": [fmt_gbp(x) for x in zs["gbp_per_week"]],
            "Share of care hours (%)": zs["share_pct"],
        }
    ).reset_index(drop=True)
