"""Exports for finance: the impact table and plan as XLSX (with an assumptions sheet) and CSV.

Cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) are escaped with a
leading apostrophe, so a unit or reason typed as ``=cmd|…`` stays text.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from geodata.datadir import ATTRIBUTION
from zones.impact import Impact
from zones.money import fmt_weeks
from zones.outputs.escape import csv_cell, xlsx_cell
from zones.plan import Plan

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(v):
    """A value safe to put in a spreadsheet cell (XLSX or CSV): control characters removed (one breaks an
    XLSX workbook), text starting like a formula gets a leading apostrophe, Decimal money as a number."""
    return xlsx_cell(v)


def impact_rows(imp: Impact) -> tuple[list[str], list[list]]:
    cols = [
        "zone",
        "subzone",
        "unit",
        "unit_code",
        "unit_codes",
        "from_band",
        "to_band",
        "hours_per_week",
        "gbp_per_week",
        "gbp_per_week_exact",
        "reason",
    ]
    present = [c for c in cols if any(c in r for r in imp.rows)]
    return present, [[r.get(c, "") for c in present] for r in imp.rows]


def assumptions(plan: Plan, imp: Impact, notes: list[str], identity: str = "") -> list[tuple[str, str]]:
    rows = [
        ("Council", plan.council),
        ("Scenario and version", identity or "unsaved plan"),
        ("Plan identity", plan.digest()),
        ("Rate card", f"{plan.rates.year} ({plan.rates.mode})"),
        ("Rate source", plan.rates.source),
    ]
    rows += [(f"Rate {b} (£/hour)", str(plan.rates.effective_rate(b))) for b in plan.band_names]
    rows += [
        ("Weeks per year", fmt_weeks(imp.weeks_per_year)),
        ("Framework term (years)", str(imp.term_years)),
        ("Annual uplift (%)", str(imp.uplift_pct)),
        ("Hours source", imp.hours_source),
        (
            "Money rule",
            "row £/week exact = hours × (new rate − old rate), unrounded (column gbp_per_week_exact; "
            "gbp_per_week shows it to the penny); weekly = Σ exact rows, annual = Σ exact rows × weeks, "
            "term = Σ years of exact annual × (1 + uplift)^year; each total rounded once, half-up, "
            "to the penny (a spreadsheet SUM of the exact column gives the same totals); the plan's "
            "cost is the Plan sheet's gbp_per_week_exact summed and rounded once the same way",
        ),
    ]
    rows += [("Note", n) for n in notes]
    vintage = _vintage(plan.council)
    if vintage:
        rows.append(("Data vintage", vintage))
    rows.append(("Attribution", ATTRIBUTION))
    return rows


def plan_total_rows(plan: Plan, weeks_per_year: int | Decimal) -> list[tuple[str, object]]:
    """The plan's own cost (what Finance shows as "Plan cost"), each the exact sum rounded once (zones.money)."""
    return [
        ("Plan £ per week", plan.gbp_per_week()),
        (f"Plan £ per year ({fmt_weeks(weeks_per_year)} weeks)", plan.gbp_per_year(weeks_per_year)),
    ]


def _vintage(council: str) -> str:
    """The council pack's data vintage line (geodata.packs.vintage_text), or "" if the pack cannot be loaded."""
    from geodata.datadir import DataError
    from geodata.packs import load_pack, vintage_text

    try:
        return vintage_text(load_pack(council))
    except (DataError, OSError, ValueError):
        return ""


def impact_xlsx(plan: Plan, imp: Impact, notes: list[str] | None = None, identity: str = "") -> bytes:
    """An XLSX workbook: Impact (rows + totals), Plan (per unit), Assumptions (``identity``: the scenario and
    version shown, e.g. "Para 47 v2"; the weeks, term and uplift are the Impact's own)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Impact"
    cols, rows = impact_rows(imp)
    ws.append(cols)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([safe_cell(v) for v in r])
    ws.append([])
    for label, val in (
        ("Hours per week moved", imp.hours_per_week_moved),
        ("Hours per week that changed band", imp.hours_per_week_band_changed),
        ("Hours per week that changed zone only", imp.hours_per_week_zone_only),
        ("£ per week", imp.gbp_per_week),
        ("£ per year", imp.gbp_per_year),
        (f"£ over {imp.term_years} years", imp.gbp_per_term),
        *plan_total_rows(plan, imp.weeks_per_year),
    ):
        ws.append([label, safe_cell(val)])
    p = wb.create_sheet("Plan")
    table = plan.table(exact=True)
    p.append(list(table.columns))
    for rec in table.itertuples(index=False):
        p.append([safe_cell(v) for v in rec])
    a = wb.create_sheet("Assumptions")
    a.append(["Assumption", "Value"])
    for k, v in assumptions(plan, imp, notes or [], identity):
        a.append([k, safe_cell(v)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def impact_csv(imp: Impact, identity: str = "", plan: Plan | None = None) -> str:
    """The impact rows as ONE rectangular CSV table (formula-escaped): a header and one row per changed unit, every
    row as wide as the header, nothing under it (issue 19 §15: a totals block under the table gave a CSV reader
    ragged rows). The totals and settings are in ``impact_totals_csv``, the XLSX, the JSON and the PDF.
    ``identity`` and ``plan`` are accepted for callers of the old signature and not used."""
    cols, rows = impact_rows(imp)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(cols)
    for r in rows:
        w.writerow([csv_cell(v) for v in r])
    return out.getvalue()


def impact_totals_csv(imp: Impact, identity: str = "", plan: Plan | None = None) -> str:
    """The impact's totals and the settings they use as a CSV table of its own: columns ``figure,value``, one row
    each (gbp_per_week/year/term, weeks_per_year, term_years, uplift_pct, scenario; given the ``plan``, its own
    cost a week and a year, ``plan_gbp_per_week``, ``plan_gbp_per_year``). £ exact sums rounded once."""
    rows = [
        ("gbp_per_week", str(imp.gbp_per_week)),
        ("gbp_per_year", str(imp.gbp_per_year)),
        ("gbp_per_term", str(imp.gbp_per_term)),
        ("weeks_per_year", fmt_weeks(imp.weeks_per_year)),
        ("term_years", str(imp.term_years)),
        ("uplift_pct", str(imp.uplift_pct)),
        ("hours_per_week_moved", str(imp.hours_per_week_moved)),
        ("scenario", csv_cell(identity or "unsaved plan")),
    ]
    if plan is not None:
        rows += [
            ("plan_gbp_per_week", str(plan.gbp_per_week())),
            ("plan_gbp_per_year", str(plan.gbp_per_year(imp.weeks_per_year))),
        ]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["figure", "value"])
    w.writerows(rows)
    return out.getvalue()
