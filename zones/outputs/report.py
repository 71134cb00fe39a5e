"""The scrutiny report of a plan or a change: HTML (self-contained) and PDF.

The PDF is the HTML report rendered by WeasyPrint as tagged PDF/UA-1 (structure tree, language, title).
The map image is drawn server-side with geopandas + matplotlib (no tiles, no browser screenshot). The report
carries the plan identity (council, scenario/version or "unsaved plan" + a hash of the assignments), the
date, legend with band rates, totals, the impact table, assumptions, data sources and the attribution.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import threading
from collections import OrderedDict
from decimal import Decimal

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from geodata.datadir import ATTRIBUTION, DataError  # noqa: E402
from zones.impact import Impact  # noqa: E402
from zones.money import ROUNDING_NOTE, fmt_gbp, fmt_gbp_change, fmt_pct, fmt_weeks  # noqa: E402
from zones.outputs.escape import html_text, mpl_text, strip_control  # noqa: E402
from zones.plan import Plan  # noqa: E402
from zones.rates import rates_source_text  # noqa: E402

# one palette for every map, chart and report (Okabe-Ito based, colour-blind safe), and one fill pattern per band
# (band_patterns) so that no map tells bands apart by colour alone (WCAG 2.2 1.4.1): the app's unit map
# (pages/unitmap.band_styles) and the report's map (map_png) draw the same pattern for a band
BAND_COLOURS = {"urban": "#0072B2", "fringe": "#56B4E9", "rural": "#E69F00", "isolated": "#D55E00"}
#: colours for bands the palette above does not name, given in the pack's band order (Okabe-Ito's others)
SPARE_BAND_COLOURS = ("#009E73", "#CC79A7", "#F0E442", "#999999", "#000000")


def band_colours(bands) -> dict[str, str]:
    """A colour per band of a pack (``bands`` least remote first): a band named in ``BAND_COLOURS`` keeps its
    colour; every other band takes the next colour no band of this list has yet, so up to nine bands differ."""
    bands = list(bands)
    taken = {BAND_COLOURS[b] for b in bands if b in BAND_COLOURS}
    spare = iter(c for c in (*SPARE_BAND_COLOURS, *BAND_COLOURS.values()) if c not in taken)
    return {b: BAND_COLOURS[b] if b in BAND_COLOURS else next(spare, "#cccccc") for b in bands}


#: the four default bands' fill patterns; any other band takes a pattern no earlier band of its pack has
BAND_PATTERN = {"urban": "none", "fringe": "diagonal", "rural": "dots", "isolated": "cross"}
EXTRA_PATTERNS = ("horizontal", "vertical", "diagonal", "dots", "cross", "none")
#: how matplotlib draws each pattern (hatch strings) on the report's map
MPL_HATCH = {"none": "", "diagonal": "////", "dots": "..", "cross": "xx", "horizontal": "---", "vertical": "|||"}


def band_patterns(bands) -> dict[str, str]:
    """A fill pattern per band of a pack (``bands`` in the pack's order): the four default bands keep theirs
    (``BAND_PATTERN``), any other band takes the first of ``EXTRA_PATTERNS`` no band of this list has yet (six
    patterns; beyond six bands they repeat, the colour still differs)."""
    bands = list(bands)
    taken = {BAND_PATTERN[b] for b in bands if b in BAND_PATTERN}
    out: dict[str, str] = {}
    for b in bands:
        if b in BAND_PATTERN:
            out[b] = BAND_PATTERN[b]
            continue
        free = [p for p in EXTRA_PATTERNS if p not in taken]
        out[b] = free[0] if free else EXTRA_PATTERNS[len(out) % len(EXTRA_PATTERNS)]
        taken.add(out[b])
    return out


def map_png(units: gpd.GeoDataFrame, plan: Plan, changed: set[str] | None = None, dpi: int = 110) -> bytes:
    """PNG of units coloured and patterned by band (``band_colours``, ``band_patterns``), zone outlines and names,
    changed units outlined by a thick dashed line (EPSG:27700, no tiles)."""
    a = plan.assignments()
    g = units[["unit_code", "geometry"]].merge(a, on="unit_code")
    colours = band_colours(plan.band_names)
    patterns = band_patterns(plan.band_names)
    fig, ax = plt.subplots(figsize=(8.5, 7.5), dpi=dpi)
    g.plot(ax=ax, color=g["band"].map(colours).fillna("#cccccc"), edgecolor="white", linewidth=0.3)
    for b in plan.band_names:  # each band's pattern over its colour: bands differ by more than colour
        if MPL_HATCH[patterns[b]] and (g["band"] == b).any():
            g[g["band"] == b].plot(ax=ax, facecolor="none", edgecolor="#1a1a1a", hatch=MPL_HATCH[patterns[b]], lw=0)
    zones = g.dissolve(by="zone")
    zones.boundary.plot(ax=ax, color="#222222", linewidth=0.9)
    if changed:  # a thick dashed outline: not a fill, so it never hides the band's pattern
        g[g["unit_code"].isin(changed)].boundary.plot(ax=ax, color="black", linewidth=2.0, linestyle=(0, (3, 1.5)))
    for name, row in zones.iterrows():
        p = row.geometry.representative_point()
        ax.annotate(
            mpl_text(name),
            (p.x, p.y),
            fontsize=6.5,
            ha="center",
            color="#111",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8),
        )
    handles: list[Artist] = [
        Patch(
            facecolor=colours[b],
            edgecolor="#1a1a1a",
            hatch=MPL_HATCH[patterns[b]],
            label=mpl_text(f"{b} £{plan.rates.effective_rate(b)}/h"),
        )
        for b in plan.band_names
    ]
    if changed:
        handles.append(Line2D([], [], color="black", linewidth=2.0, linestyle=(0, (3, 1.5)), label="changed"))
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=True, handleheight=1.6, handlelength=2.4)
    ax.set_axis_off()
    ax.set_title(mpl_text(f"{council_name(plan.council)}: price bands and {zone_words(plan.council)[1]}"), fontsize=10)
    fig.text(0.01, 0.01, mpl_text(ATTRIBUTION), fontsize=5.5, color="#444")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def zone_words(council: str) -> tuple[str, str]:
    """The council's word for a zone and its plural, from its pack ("lot"/"lots", "locality"/"localities");
    ("zone", "zones") for a council with no pack."""
    from geodata.packs import available_packs, load_pack

    if council in available_packs():  # an id only: never a path
        try:
            p = load_pack(council)
            return p.zone_label, p.zones_label
        except DataError:
            pass
    return "zone", "zones"


def council_name(council: str) -> str:
    """The council's name for people, from its pack ("Rutland (LSOAs 2021)", not the id "rutland_lsoa21"); a
    council with no pack (a plan made in a test) by its id, capitalised."""
    from geodata.packs import available_packs, load_pack

    if council in available_packs():  # an id only: never a path
        try:
            return load_pack(council).name
        except DataError:
            pass
    return council.capitalize()


def gbp_per_week_by_zone(plan: Plan) -> dict[str, Decimal]:
    """£ per week by zone holding units: the plan's own named total (``Plan.gbp_per_week_by_zone``; kept here
    for callers of the outputs API, no arithmetic of its own)."""
    return plan.gbp_per_week_by_zone()


def _table(cols: list[str], rows: list[list], caption: str = "", row_headers: bool = False, keep: bool = True) -> str:
    """An HTML table with column headers (``scope="col"``) and, when ``row_headers``, the first cell of each row
    as its row header, so a screen reader (and the tagged PDF) can say which figure a value belongs to."""
    head = "".join(f'<th scope="col">{html_text(c)}</th>' for c in cols)

    def row(r):
        cells = [
            f'<th scope="row">{html_text(r[0])}</th>' if row_headers and i == 0 else f"<td>{html_text(v)}</td>"
            for i, v in enumerate(r)
        ]
        return "<tr>" + "".join(cells) + "</tr>"

    cap = f"<caption>{html_text(caption)}</caption>" if caption else ""
    cls = ' class="keep"' if keep else ""  # a short table is not split across pages
    # tabindex: on a phone a table scrolls inside itself (REPORT_CSS), so a keyboard user must be able to reach it
    # (WCAG 2.1.1; axe scrollable-region-focusable)
    attrs = f'{cls} tabindex="0"'
    return f"<table{attrs}>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(row(r) for r in rows)}</tbody></table>"


_MAP_CACHE: OrderedDict[tuple, bytes] = OrderedDict()
_MAP_CACHE_LOCK = threading.Lock()
MAP_CACHE_ENTRIES = 16  # about 16 × 150 kB


def report_map_png(units: gpd.GeoDataFrame, plan: Plan, changed: set[str] | None = None) -> bytes:
    """``map_png`` remembered for the last ``MAP_CACHE_ENTRIES`` maps of this process: the same units (count and
    bounds, EPSG:27700 metres), plan content (``Plan.content_key``: zones, bands, rates per unit, reasons), rate
    card and changed units give the same picture. The Report page reruns on every setting (weeks, term, uplift)
    that leaves the map as it was; drawing it took about 3 s for Leicestershire."""
    key = (
        plan.content_key(),
        repr(plan.rates),
        tuple(sorted(changed or ())),
        len(units),
        tuple(round(float(v), 1) for v in units.total_bounds),
    )
    with _MAP_CACHE_LOCK:
        if key in _MAP_CACHE:
            _MAP_CACHE.move_to_end(key)
            return _MAP_CACHE[key]
    png = map_png(units, plan, changed)
    with _MAP_CACHE_LOCK:
        _MAP_CACHE[key] = png
        while len(_MAP_CACHE) > MAP_CACHE_ENTRIES:
            _MAP_CACHE.popitem(last=False)
    return png


def map_alt(plan: Plan, n_changed: int) -> str:
    """The map image's text alternative: what it shows, in words (units per band, zones, changed units)."""
    a = plan.assignments()
    counts = a["band"].value_counts()
    bands = ", ".join(f"{int(counts.get(b, 0))} {b}" for b in plan.band_names)
    n_zones = plan.n_zones_holding_units()
    zl = zone_words(plan.council)[0 if n_zones == 1 else 1]
    changed = (
        f" {n_changed} unit{'s' if n_changed != 1 else ''} that changed against the base plan "
        f"{'are' if n_changed != 1 else 'is'} outlined with a thick dashed line."
        if n_changed
        else " No unit has changed against the base plan."
    )
    return (
        f"Map of {council_name(plan.council)}: {len(a)} areas coloured by price band ({bands}), with the outlines "
        f"and names of {n_zones} {zl}.{changed} The tables below give the same figures."
    )


def report_context(units, plan: Plan, imp: Impact, identity: str, notes: list[str], sources: list[str]) -> dict:
    t = plan.totals(imp.weeks_per_year)
    changed = _changed_codes(imp)
    zone, zones = zone_words(plan.council)
    return {
        "title": f"{council_name(plan.council)} home-care {zones} and price bands: {strip_control(identity)}",
        "zone_label": zone,
        "zones_label": zones,
        "identity": identity,
        "digest": plan.digest(),
        "date": dt.date.today().isoformat(),
        "bands": [
            [
                b,
                f"£{plan.rates.effective_rate(b)}",
                f"{t['hours_per_week_by_band'][b]:,.2f}",
                f"{t['hours_share_by_band'][b]}%",
            ]
            for b in plan.band_names
        ],
        "zones": [
            [z["zone"], z["units"], f"{z['hours_per_week']:,.2f}", fmt_gbp(z["gbp_per_week"])] for z in plan.by_zone()
        ],
        "totals": [
            ["Hours per week", f"{t['hours_per_week']:,.2f}"],
            ["Cost per week", f"{fmt_gbp(t['gbp_per_week'])}"],
            ["Cost per year", f"{fmt_gbp(t['gbp_per_year'])}"],
            ["Blended rate", f"£{t['blended_rate_gbp_per_hour']}/h"],
        ],
        "impact_rows": [
            [
                r.get("zone", r.get("subzone", "")),
                r["unit"],
                f"{r['from_band']} → {r['to_band']}"
                if r["from_band"] != r["to_band"]
                else f"{zone} only ({r['from_band']})",
                f"{r['hours_per_week']:,.2f}",
                f"{fmt_gbp_change(r['gbp_per_week'])}",
            ]
            for r in imp.rows
        ],
        "impact_totals": [
            ["Hours a week that changed band", f"{imp.hours_per_week_band_changed:,.2f}"],
            [f"Hours a week that changed {zone} only", f"{imp.hours_per_week_zone_only:,.2f}"],
            ["Change per week", f"{fmt_gbp_change(imp.gbp_per_week)}"],
            ["Change per year", f"{fmt_gbp_change(imp.gbp_per_year)} ({fmt_weeks(imp.weeks_per_year)} weeks)"],
            [
                f"Change over {imp.term_years} years",
                f"{fmt_gbp_change(imp.gbp_per_term)} (uplift {fmt_pct(imp.uplift_pct)}% a year)",
            ],
        ],
        "notes": notes
        + ([f"Change figures use {imp.hours_source}."] if imp.hours_source else [])
        + [f"Warning: {w}" for w in imp.warnings],
        "sources": sources,
        "png": report_map_png(units, plan, changed),
        "map_alt": map_alt(plan, len(changed)),
        "rates": rates_text(plan),
        "settings": settings_text(imp),
    }


def settings_text(imp: Impact) -> str:
    """The settings every annual and term figure uses, for people (shown on the report beside the rates)."""
    return (
        f"{fmt_weeks(imp.weeks_per_year)} weeks a year · {imp.term_years}-year term · "
        f"uplift {fmt_pct(imp.uplift_pct)}% a year"
    )


def rates_text(plan: Plan) -> str:
    """Which rates price the plan, for people: the year, the kind of card and its source (no file names)."""
    kind = {
        "rate_card": "rate card",
        "derived": "rates derived from the council's figures",
        "cost_build_up": "cost build-up",
    }.get(plan.rates.mode, str(plan.rates.mode).replace("_", " "))
    src = rates_source_text(plan.rates.source)
    return f"{plan.rates.year} {kind}" + (f" ({src})" if src else "")


def _changed_codes(imp: Impact) -> set[str]:
    out: set[str] = set()
    for r in imp.rows:
        out.update(c for c in str(r.get("unit_code") or r.get("unit_codes") or "").split(";") if c)
    return out


def _pct_text(v) -> str:
    return "–" if v is None else f"{v:.1f} %"


def _equality_people_table(eq: dict) -> str:
    """The residents of the changed units per group (band only / zone changed / all): ages, deprivation and
    disability shares, as an HTML table."""
    groups = [
        ("Band only (same provider)", eq["by_change"]["band_only"]),
        ("Zone changed (provider may change)", eq["by_change"]["zone_changed"]),
        ("All changed units", eq),
    ]
    ages = ("age_65_74", "age_75_84", "age_85_plus")
    rows = [
        [
            label,
            g["n_units"],
            *(f"{g['population_by_age'][k]:,}" for k in ages),
            _pct_text(g["most_deprived_30pct_pct"]["age_65_plus"]),
            _pct_text(g["most_deprived_30pct_pct"]["age_85_plus"]),
            _pct_text(g["disability_pct"]),
        ]
        for label, g in groups
        if g["n_units"] or g is eq
    ]
    people = _table(
        [
            "Changed units",
            "Units",
            "Residents 65-74",
            "75-84",
            "85+",
            "65+ in most deprived 30 %",
            "85+ in most deprived 30 %",
            "Disabled (all ages)",
        ],
        rows,
        f"Residents of the changed units (estimates; council disabled share "
        f"{_pct_text(eq.get('disability_pct_council'))})",
        row_headers=True,
    )
    return people


def _continuity_table(c: dict) -> str:
    """Continuity of care: per zone pair, the units, care hours a week and people supported whose zone changes
    (or a sentence when no unit changes zone)."""
    return (
        _table(
            ["From", "To", "Units", "Care hours/week (est.)", "People supported (est.)"],
            [
                [r["from_zone"], r["to_zone"], r["n_units"], f"{r['hours_per_week']:,.2f}", f"{r['clients_est']:,.1f}"]
                for r in c["by_zone_pair"]
            ],
            "Continuity of care: units whose zone changes",
            keep=False,
        )
        if c["by_zone_pair"]
        else "<p>No unit changes zone: no one has to change provider because of this change.</p>"
    )


def equality_section(eq: dict | None) -> str:
    """The report's "Equality and continuity" section (HTML) from the ``equality`` block of ``zones.equality``
    (put in the report context as ``ctx["equality"]``): plain sentences, the figures per group (band only / zone
    changed), deprivation deciles, continuity per zone pair, how each figure was estimated and its sources, in a
    form a council can paste into its Equality Impact Assessment. Empty when the context has no block."""
    if not eq:
        return ""
    if not eq.get("available", True):
        return (
            "<h2>Equality and continuity</h2><p>Equality figures are not available for this plan: "
            f"{html_text(eq.get('reason', ''))}</p>"
        )
    people = _equality_people_table(eq)
    dec = [
        [name] + [_pct_text(eq[key][str(d)]) for d in range(1, 11)]
        for name, key in (("IMD 2025", "imd2025_decile_share_pct"), ("IDAOPI 2019", "idaopi2019_decile_share_pct"))
    ]
    deciles = _table(
        ["Index"] + [str(d) for d in range(1, 11)],
        dec,
        "Residents aged 65+ of the changed units by deprivation decile (1 = most deprived 10 % of England)",
        row_headers=True,
    )
    cont = _continuity_table(eq["continuity"])
    lines = "".join(f"<p>{html_text(t)}</p>" for t in eq.get("summary", []))
    notes = "".join(f"<li>{html_text(n)}</li>" for n in eq.get("estimate_notes", []))
    srcs = "".join(f"<li>{html_text(n)}</li>" for n in eq.get("sources", []))
    return (
        f'<section class="equality"><h2>Equality and continuity</h2>'
        "<p>Who the change affects, for the council's Equality Impact Assessment (public sector equality duty, "
        "Equality Act 2010 s149). All figures are estimates from published small-area statistics, not counts "
        "of the council's clients.</p>"
        f"{lines}{people}{deciles}<h3>Continuity of care</h3>{cont}"
        f"<h3>How these figures were estimated</h3><ul>{notes}</ul><h3>Sources</h3><ul>{srcs}</ul></section>"
    )


REPORT_CSS = """body{font-family:"DejaVu Sans",sans-serif;max-width:900px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.2em}caption{text-align:left;font-weight:600;padding:2px 0}
td,th{border:1px solid #bbb;padding:3px 8px;font-size:13px;text-align:left}thead th{background:#eee}
tbody th{font-weight:normal}figure{margin:0}img{max-width:100%}figcaption,.meta{color:#555;font-size:12px}
h2,caption{break-after:avoid}tr{break-inside:avoid}table.keep{break-inside:avoid}
@page{size:A4;margin:1.4cm 1.5cm}
@media print{body{margin:0;max-width:none}td,th{font-size:10px}}
@media screen and (max-width:640px){body{margin:1em .5em}table{display:block;max-width:100%;overflow-x:auto}
td,th{font-size:12px;padding:2px 4px}}"""


def report_html(ctx: dict) -> str:
    """A self-contained printable HTML report (map embedded as base64 PNG): language en-GB, the title naming the
    plan, headings, tables with column (and row) headers, the map with a text alternative. The PDF is this
    HTML, tagged (``report_pdf``)."""
    img = base64.b64encode(ctx["png"]).decode()
    notes = "".join(f"<li>{html_text(n)}</li>" for n in ctx["notes"])
    sources = "".join(f"<li>{html_text(s)}</li>" for s in ctx["sources"])
    alt = ctx.get("map_alt") or "Map of price bands and zones"
    zone, zones = ctx.get("zone_label", "zone"), ctx.get("zones_label", "zones")
    zone_rows = _table([zone.capitalize(), "Units", "Hours/week", "£/week"], ctx["zones"], row_headers=True)
    changes = (
        _table(
            [zone.capitalize(), "Unit", "Band change", "Hours/week", "£/week"],
            ctx["impact_rows"],
            "Changed units",
            keep=False,
        )
        if ctx["impact_rows"]
        else "<p>No changes.</p>"
    )
    return f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{html_text(ctx["title"])}</title>
<meta name="description" content="Home-care {html_text(zones)}, price bands, rates and the cost of changes">
<style>{REPORT_CSS}</style></head><body>
<h1>{html_text(ctx["title"])}</h1>
<p class="meta">Plan: {html_text(ctx["identity"])} · plan hash {html_text(ctx["digest"])} · {html_text(ctx["date"])} \
· rates {html_text(ctx["rates"])} · {html_text(ctx.get("settings", ""))}</p>
<figure><img alt="{html_text(alt)}" src="data:image/png;base64,{img}">
<figcaption>Price bands and {html_text(zones)}. {html_text(ATTRIBUTION)}</figcaption></figure>
<h2>Bands</h2>{_table(["Band", "Rate", "Hours/week", "Share of hours"], ctx["bands"], row_headers=True)}
<h2>Totals</h2>{_table(["Figure", "Value"], ctx["totals"], row_headers=True)}
<p class="meta">{html_text(ROUNDING_NOTE)}</p>
<h2>{html_text(zones.capitalize())}</h2>{zone_rows}
<h2>Changes against the base plan</h2>{changes}
{_table(["Figure", "Value"], ctx["impact_totals"], "Change totals", row_headers=True)}
{equality_section(ctx.get("equality"))}
<h2>Assumptions and estimates</h2><ul>{notes}</ul>
<h2>Data sources</h2><ul>{sources}</ul>
<p class="meta">{html_text(ATTRIBUTION)}</p></body></html>"""


@functools.lru_cache(maxsize=8)
def _html_to_pdf(html_doc: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html_doc).write_pdf(pdf_variant="pdf/ua-1")


def report_pdf(ctx: dict) -> bytes:
    """The same report as a tagged PDF (PDF/UA-1, WeasyPrint): a structure tree with headings, tables with
    header cells and the map as a Figure with its text alternative, language en-GB, the document title shown
    by the viewer. User text is HTML-escaped in ``report_html``, so it appears literally."""
    return _html_to_pdf(report_html(ctx))
