"""The scrutiny report of a plan or a change: HTML (self-contained) and PDF.

The map image is drawn server-side with geopandas + matplotlib (no tiles, no browser screenshot). The report
carries the plan identity (council, scenario/version or "unsaved plan" + a hash of the assignments), the
date, legend with band rates, totals, the impact table, assumptions, data sources and the attribution.
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import io
from decimal import Decimal

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from geodata.datadir import ATTRIBUTION  # noqa: E402

from zones.impact import Impact  # noqa: E402
from zones.outputs.escape import html_text, mpl_text, pdf_text  # noqa: E402
from zones.plan import Plan, cp_to_gbp  # noqa: E402
from zones.rates import fmt_gbp  # noqa: E402

BAND_COLOURS = {"urban": "#2b8cbe", "fringe": "#7bccc4", "rural": "#fdae61", "isolated": "#d7191c"}


def map_png(units: gpd.GeoDataFrame, plan: Plan, changed: set[str] | None = None, dpi: int = 110) -> bytes:
    """PNG of units coloured by band, zone outlines, changed units hatched (EPSG:27700, no tiles)."""
    a = plan.assignments()
    g = units[["unit_code", "geometry"]].merge(a, on="unit_code")
    fig, ax = plt.subplots(figsize=(8.5, 7.5), dpi=dpi)
    g.plot(ax=ax, color=g["band"].map(BAND_COLOURS).fillna("#cccccc"), edgecolor="white", linewidth=0.3)
    zones = g.dissolve(by="zone")
    zones.boundary.plot(ax=ax, color="#222222", linewidth=0.9)
    for name, row in zones.iterrows():
        p = row.geometry.representative_point()
        ax.annotate(mpl_text(name), (p.x, p.y), fontsize=6.5, ha="center", color="#111",
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.7))
    if changed:
        g[g["unit_code"].isin(changed)].plot(ax=ax, facecolor="none", edgecolor="black", hatch="///", linewidth=0.8)
    handles = [Patch(color=BAND_COLOURS.get(b, "#cccccc"), label=mpl_text(f"{b} £{plan.rates.effective_rate(b)}/h"))
               for b in plan.band_names]
    if changed:
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="///", label="changed"))
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=True)
    ax.set_axis_off()
    ax.set_title(mpl_text(f"{plan.council.capitalize()}: price bands and zones"), fontsize=10)
    fig.text(0.01, 0.01, mpl_text(ATTRIBUTION), fontsize=5.5, color="#444")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def gbp_per_week_by_zone(plan: Plan) -> dict[str, Decimal]:
    """£ per week by zone (zones holding units): each zone's hours by band × band rate, to the penny (half-up).
    The plan keeps this only by band; the Finance charts and the report's zone table need it by zone."""
    zb = plan.hours_cents_by_zone_band @ plan.rate_pence  # centipence per zone
    return {z: cp_to_gbp(int(zb[i])) for i, z in enumerate(plan.zone_names) if plan.units_by_zone[i]}


def _table(cols: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html_text(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html_text(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def report_context(units, plan: Plan, imp: Impact, identity: str, notes: list[str], sources: list[str]) -> dict:
    t = plan.totals(imp.weeks_per_year)
    return {
        "title": f"{plan.council.capitalize()} home-care zones and price bands",
        "identity": identity, "digest": plan.digest(), "date": dt.date.today().isoformat(),
        "bands": [[b, f"£{plan.rates.effective_rate(b)}", f"{t['hours_per_week_by_band'][b]:,.2f}", f"{t['hours_share_by_band'][b]}%"]
                  for b in plan.band_names],
        "zones": [[z, t["units_by_zone"][z], f"{t['hours_per_week_by_zone'][z]:,.2f}", fmt_gbp(gbp)]
                  for z, gbp in gbp_per_week_by_zone(plan).items()],
        "totals": [["Hours per week", f"{t['hours_per_week']:,.2f}"], ["Cost per week", f"{fmt_gbp(t['gbp_per_week'])}"],
                   ["Cost per year", f"{fmt_gbp(t['gbp_per_year'])}"], ["Blended rate", f"£{t['blended_rate_gbp_per_hour']}/h"]],
        "impact_rows": [[r.get("zone", r.get("subzone", "")), r["unit"], f"{r['from_band']} → {r['to_band']}",
                         f"{r['hours_per_week']:,.2f}", f"{fmt_gbp(r['gbp_per_week'])}"] for r in imp.rows],
        "impact_totals": [["Hours per week moved", f"{imp.hours_per_week_moved:,.2f}"], ["Change per week", f"{fmt_gbp(imp.gbp_per_week)}"],
                          ["Change per year", f"{fmt_gbp(imp.gbp_per_year)} ({imp.weeks_per_year} weeks)"],
                          [f"Change over {imp.term_years} years", f"{fmt_gbp(imp.gbp_per_term)} (uplift {imp.uplift_pct}% a year)"]],
        "notes": notes + ([f"Change figures use {imp.hours_source}."] if imp.hours_source else []) + [f"Warning: {w}" for w in imp.warnings],
        "sources": sources, "png": map_png(units, plan, _changed_codes(imp)),
        "rates": f"{plan.rates.year} ({plan.rates.mode}); {plan.rates.source}",
    }


def _changed_codes(imp: Impact) -> set[str]:
    out: set[str] = set()
    for r in imp.rows:
        out.update(c for c in str(r.get("unit_code") or r.get("unit_codes") or "").split(";") if c)
    return out


def report_html(ctx: dict) -> str:
    """A self-contained printable HTML report (map embedded as base64 PNG)."""
    img = base64.b64encode(ctx["png"]).decode()
    notes = "".join(f"<li>{html_text(n)}</li>" for n in ctx["notes"])
    sources = "".join(f"<li>{html_text(s)}</li>" for s in ctx["sources"])
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html_text(ctx['title'])}</title>
<style>body{{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}}table{{border-collapse:collapse;margin:.5em 0 1.2em}}
td,th{{border:1px solid #bbb;padding:3px 8px;font-size:13px}}th{{background:#eee}}img{{max-width:100%}}.meta{{color:#555}}
@media print{{body{{margin:0}}}}</style></head><body>
<h1>{html_text(ctx['title'])}</h1>
<p class="meta">Plan: {html_text(ctx['identity'])} · plan hash {html_text(ctx['digest'])} · {html_text(ctx['date'])} · rates {html_text(ctx['rates'])}</p>
<img alt="map of price bands and zones" src="data:image/png;base64,{img}">
<h2>Bands</h2>{_table(['Band', 'Rate', 'Hours/week', 'Share of hours'], ctx['bands'])}
<h2>Totals</h2>{_table(['Figure', 'Value'], ctx['totals'])}
<h2>Zones</h2>{_table(['Zone', 'Units', 'Hours/week', '£/week'], ctx['zones'])}
<h2>Changes against the base plan</h2>{_table(['Zone', 'Unit', 'Band change', 'Hours/week', '£/week'], ctx['impact_rows']) if ctx['impact_rows'] else '<p>No changes.</p>'}
{_table(['Figure', 'Value'], ctx['impact_totals'])}
<h2>Assumptions and estimates</h2><ul>{notes}</ul>
<h2>Data sources</h2><ul>{sources}</ul>
<p class="meta">{html_text(ATTRIBUTION)}</p></body></html>"""


def report_pdf(ctx: dict) -> bytes:
    """The same report as PDF (reportlab)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    styles["Heading2"].keepWithNext = 1  # no heading alone at the foot of a page
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=1.6 * cm, rightMargin=1.6 * cm, topMargin=1.4 * cm,
                            bottomMargin=1.4 * cm, title=ctx["title"])

    def tbl(cols, rows):
        t = Table([cols] + [[Paragraph(pdf_text(v), styles["BodyText"]) for v in r] for r in rows], repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    e = pdf_text
    story = [Paragraph(e(ctx["title"]), styles["Title"]),
             Paragraph(e(f"Plan: {ctx['identity']} · plan hash {ctx['digest']} · {ctx['date']} · rates {ctx['rates']}"), styles["Italic"]),
             Spacer(1, 6), Image(io.BytesIO(ctx["png"]), width=16 * cm, height=14 * cm, kind="proportional"),
             KeepTogether([Paragraph("Bands", styles["Heading2"]), tbl(["Band", "Rate", "Hours/week", "Share"], ctx["bands"])]),
             KeepTogether([Paragraph("Totals", styles["Heading2"]), tbl(["Figure", "Value"], ctx["totals"])]),
             KeepTogether([Paragraph("Zones", styles["Heading2"]), tbl(["Zone", "Units", "Hours/week", "£/week"], ctx["zones"])]),
             Paragraph("Changes against the base plan", styles["Heading2"])]
    if ctx["impact_rows"]:
        story.append(tbl(["Zone", "Unit", "Band change", "Hours/week", "£/week"], ctx["impact_rows"]))
    else:
        story.append(Paragraph("No changes.", styles["BodyText"]))
    story += [tbl(["Figure", "Value"], ctx["impact_totals"]), Paragraph("Assumptions and estimates", styles["Heading2"])]
    story += [Paragraph("• " + e(n), styles["BodyText"]) for n in ctx["notes"]]
    story.append(Paragraph("Data sources", styles["Heading2"]))
    story += [Paragraph("• " + e(s), styles["BodyText"]) for s in ctx["sources"]]
    story.append(Spacer(1, 8))
    story.append(Paragraph(e(ATTRIBUTION), styles["Italic"]))
    doc.build(story)
    return buf.getvalue()
