"""The scrutiny report and the finance exports on a tiny synthetic plan (squares in EPSG:27700, made here)."""

from __future__ import annotations

import base64
import csv
import io
import re
import shutil
import subprocess
from decimal import Decimal

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import box

from geodata.datadir import ATTRIBUTION
from zones.impact import compare
from zones.outputs.export import impact_csv, impact_totals_csv, impact_xlsx
from zones.outputs.report import map_png, report_context, report_html, report_pdf
from zones.plan import Plan
from zones.rates import RateCard

CARD = RateCard(year="test", rates={"urban": Decimal("20.00"), "rural": Decimal("30.50")})


def tiny():
    base = Plan.build(
        "tinyshire",
        ["A", "B", "C"],
        ["Alpha", "=Bravo", "Charlie"],
        [10, 5.5, 2.25],
        ["Z1", "Z1", "Z2"],
        ["urban", "urban", "rural"],
        CARD,
        band_names=("urban", "rural"),
        computed_bands=["urban", "urban", "rural"],
    )
    units = gpd.GeoDataFrame(
        {"unit_code": ["A", "B", "C"]},
        geometry=[box(450_000 + i * 1000, 300_000, 451_000 + i * 1000, 301_000) for i in range(3)],
        crs="EPSG:27700",
    )
    return base, units


def context(identity="unsaved plan"):
    base, units = tiny()
    new = base.move("B", band="rural", reason="+cmd longer rounds")
    imp = compare(base, new)
    return (
        base,
        new,
        imp,
        report_context(units, new, imp, identity, ["Hours are ESTIMATED (test)."], ["Test source (OGL v3)"]),
    )


def test_map_png_is_a_png_drawn_without_tiles():
    base, units = tiny()
    png = map_png(units, base, {"B"})
    assert png.startswith(b"\x89PNG") and len(png) > 5_000


def test_report_context_has_identity_totals_and_the_change():
    base, new, imp, ctx = context()
    assert ctx["identity"] == "unsaved plan" and re.fullmatch(r"[0-9a-f]{8,}", ctx["digest"])
    assert ctx["digest"] != base.digest(), "the hash identifies the assignments"
    # B: 5.5 h × (30.50 − 20.00) = £57.75 a week
    assert [r[1] for r in ctx["impact_rows"]] == ["=Bravo"]
    assert ctx["impact_rows"][0][4] == "+£57.75"  # a change carries its sign (issue 14 §3)
    assert ["Change per week", "+£57.75"] in ctx["impact_totals"]
    assert ["Hours a week that changed band", "5.50"] in ctx["impact_totals"]
    assert ["Hours a week that changed zone only", "0.00"] in ctx["impact_totals"]
    assert ["rural", "£30.50", "7.75", ctx["bands"][1][3]] == ctx["bands"][1]


def test_report_html_is_self_contained_with_attribution_sources_and_assumptions():
    *_, ctx = context("Para 47 v2 (published)")
    html = report_html(ctx)
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    m = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert m and base64.b64decode(m.group(1)).startswith(b"\x89PNG")
    for text in (
        ATTRIBUTION,
        "Para 47 v2 (published)",
        ctx["digest"],
        ctx["date"],
        "Hours are ESTIMATED (test).",
        "Test source (OGL v3)",
        "£57.75",
        "urban → rural",
    ):
        assert text in html, text
    assert "=Bravo" in html


def test_report_pdf_carries_the_same_content():
    *_, ctx = context()
    pdf = report_pdf(ctx)
    assert pdf.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    flat = " ".join(text.split())
    for part in (
        "unsaved plan",
        ctx["digest"],
        "£57.75",
        "Hours are ESTIMATED (test).",
        "OpenStreetMap",
        "Data sources",
    ):
        assert part in flat, part


def test_xlsx_has_impact_plan_assumptions_and_escapes_formulas():
    base, new, imp, _ = context()
    wb = openpyxl.load_workbook(io.BytesIO(impact_xlsx(new, imp, ["Hours are ESTIMATED (test)."])))
    assert wb.sheetnames == ["Impact", "Plan", "Assumptions"]
    rows = list(wb["Impact"].iter_rows(values_only=True))
    head = rows[0]
    assert rows[1][head.index("unit")] == "'=Bravo"  # text, not a formula
    assert rows[1][head.index("reason")] == "'+cmd longer rounds"
    assert Decimal(str(rows[1][head.index("gbp_per_week")])) == Decimal("57.75")
    assumptions = dict(r for r in wb["Assumptions"].iter_rows(min_row=2, values_only=True) if r[0] != "Note")
    assert assumptions["Plan identity"] == new.digest() and assumptions["Attribution"] == ATTRIBUTION
    assert any(r[1] == "Hours are ESTIMATED (test)." for r in wb["Assumptions"].iter_rows(values_only=True))


def test_csv_rows_and_totals():
    _, _, imp, _ = context()
    rows = list(csv.reader(io.StringIO(impact_csv(imp))))
    head = rows[0]
    assert rows[1][head.index("gbp_per_week")] == "57.75"
    assert {len(r) for r in rows} == {len(head)}  # one table (issue 19 §15): the totals are a CSV of their own
    totals = list(csv.reader(io.StringIO(impact_totals_csv(imp))))
    assert ["gbp_per_week", "57.75"] in totals and ["gbp_per_year", "3003.00"] in totals


def test_cost_by_zone_by_hand():
    from zones.outputs.report import gbp_per_week_by_zone

    base, _ = tiny()
    # Z1: (10 + 5.5) h × £20.00 = £310.00; Z2: 2.25 h × £30.50 = £68.625 → £68.63 (half-up)
    assert gbp_per_week_by_zone(base) == {"Z1": Decimal("310.00"), "Z2": Decimal("68.63")}
    moved = base.move("C", zone="Z1")  # Z2 empty: left out
    assert gbp_per_week_by_zone(moved) == {"Z1": Decimal("378.63")}


def _struct_tags(reader) -> list[tuple[str, dict]]:
    """(tag, attributes) of every element of a PDF's structure tree, depth first."""
    from pypdf.generic import ArrayObject, DictionaryObject

    out: list[tuple[str, dict]] = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for k in node:
                walk(k)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                out.append((str(node["/S"]), {k: node[k] for k in ("/Alt",) if k in node}))
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return out


def test_report_pdf_is_tagged_for_screen_readers():
    """Issue 14 §3: a tagged PDF (structure tree with headings, tables and the map as a figure with a text
    alternative), its language, and its title naming the plan, shown by the viewer instead of the file name."""
    import pypdf

    *_, ctx = context("Para 47 v2 (published)")
    reader = pypdf.PdfReader(io.BytesIO(report_pdf(ctx)))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert reader.metadata.title == ctx["title"]
    assert "Para 47 v2 (published)" in ctx["title"] and ctx["title"].startswith("Tinyshire home-care zones")
    tags = _struct_tags(reader)
    names = [t for t, _ in tags]
    for tag in ("/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"):
        assert tag in names, tag
    assert names.count("/H1") == 1 and names.count("/H2") >= 6
    alt = [a["/Alt"] for t, a in tags if t == "/Figure"]
    assert alt and "3 areas coloured by price band (1 urban, 2 rural)" in alt[0] and "1 unit that changed" in alt[0]
    # the text layer still carries the totals (poppler)
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=report_pdf(ctx), capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    for part in ("Cost per week", "Change per week", "£57.75", "Hours per week"):
        assert part in text, part


def test_report_html_has_language_title_headers_and_alt_text():
    *_, ctx = context("Para 47 v2")
    html = report_html(ctx)
    assert '<html lang="en-GB">' in html
    assert f"<title>{ctx['title']}</title>" in html
    assert '<th scope="col">Band</th>' in html and '<th scope="row">Cost per week</th>' in html
    m = re.search(r'<img alt="([^"]+)"', html)
    assert m and m.group(1).startswith("Map of Tinyshire: 3 areas")


def test_report_signs_changes_and_tells_zone_only_moves_apart():
    base, units = tiny()
    new = base.move("B", band="rural").move("C", zone="Z1").move("A", band="rural").move("A", band="urban")
    cheaper = new.move("C", band="urban")  # rural -> urban: cheaper
    ctx = report_context(units, cheaper, compare(base, cheaper), "x", [], [])
    rows = {r[1]: r for r in ctx["impact_rows"]}
    assert rows["=Bravo"][4] == "+£57.75"
    assert rows["Charlie"][2] == "rural → urban" and rows["Charlie"][4] == "−£23.63"  # 2.25 × −10.50, proper minus
    only_zone = ctx_zone = report_context(
        units, base.move("C", zone="Z1"), compare(base, base.move("C", zone="Z1")), "x", [], []
    )
    assert only_zone["impact_rows"][0][2] == "zone only (rural)" and only_zone["impact_rows"][0][4] == "£0.00"
    assert ["Hours a week that changed band", "0.00"] in ctx_zone["impact_totals"]
    assert ["Hours a week that changed zone only", "2.25"] in ctx_zone["impact_totals"]
    assert ".toml" not in ctx["rates"] and ctx["rates"].startswith("test rate card")


def test_changes_are_signed_with_a_proper_minus():
    from zones.rates import fmt_gbp_change

    assert fmt_gbp_change(Decimal("1071.56")) == "+£1,071.56"
    assert fmt_gbp_change(Decimal("-5479.70")) == "−£5,479.70"  # U+2212, not a hyphen
    assert fmt_gbp_change(Decimal("0")) == "£0.00"
    assert fmt_gbp_change(Decimal("0.004")) == "£0.00"  # rounded once, then signed


def test_report_names_the_council_as_its_pack_does():
    """A pack whose id is not its name (generated packs: ``rutland_lsoa21`` is "Rutland (LSOAs 2021)"; shipped:
    ``bradford_lsoa``) is titled by its name in the report, the map's title and the map's text alternative; the
    report said "Rutland_lsoa21 home-care zones ..." (issue 19 walk-through, docs/img/walk/rutland-report-*.jpg)."""
    base, units = tiny()
    plan = Plan.build(
        "bradford_lsoa",
        ["A", "B", "C"],
        ["Alpha", "Bravo", "Charlie"],
        [10, 5.5, 2.25],
        ["Z1", "Z1", "Z2"],
        ["urban", "urban", "rural"],
        CARD,
        band_names=("urban", "rural"),
    )
    ctx = report_context(units, plan, compare(plan, plan), "base plan", [], [])
    assert ctx["title"].startswith("Bradford (LSOAs) home-care localities and price bands")  # its zone_label
    assert ctx["map_alt"].startswith("Map of Bradford (LSOAs):")
    assert report_context(units, base, compare(base, base), "x", [], [])["title"].startswith("Tinyshire home-care")


def _dark_pixels(png: bytes) -> int:
    """Pixels darker than mid-grey in a PNG (hatching, outlines, text)."""
    from matplotlib.image import imread

    rgb = imread(io.BytesIO(png), format="png")[..., :3]
    return int((rgb.mean(axis=2) < 0.35).sum())


def test_the_report_map_tells_bands_apart_by_pattern_not_colour_alone():
    """Walk-through finding (WCAG 2.2 1.4.1): the PDF map told bands apart by colour only. Each band now carries its
    pattern (the unit map's, ``band_patterns``): a map whose units are all one patterned band has many more dark
    (hatch) pixels than the same map all urban (no pattern), and each pattern draws differently."""
    from zones.outputs.report import band_patterns

    bands = ("urban", "fringe", "rural", "isolated")
    card = RateCard(year="t", rates={b: Decimal("20") + i for i, b in enumerate(bands)})
    units = gpd.GeoDataFrame(
        {"unit_code": ["A", "B", "C", "D"]},
        geometry=[
            box(
                450_000 + (i % 2) * 5000, 300_000 + (i // 2) * 5000, 455_000 + (i % 2) * 5000, 305_000 + (i // 2) * 5000
            )
            for i in range(4)
        ],
        crs="EPSG:27700",
    )

    def png_all(band: str) -> bytes:
        return map_png(
            units,
            Plan.build("t", list("ABCD"), list("ABCD"), [1, 1, 1, 1], ["Z"] * 4, [band] * 4, card, band_names=bands),
            dpi=60,
        )

    dark = {b: _dark_pixels(png_all(b)) for b in bands}
    assert band_patterns(bands) == {"urban": "none", "fringe": "diagonal", "rural": "dots", "isolated": "cross"}
    for b in bands[1:]:
        assert dark[b] > 1.5 * dark["urban"], dark
    assert len({png_all(b) for b in bands}) == 4


def test_band_patterns_give_extra_bands_patterns_no_other_band_has():
    from zones.outputs.report import band_patterns

    p = band_patterns(["urban", "suburban", "fringe", "rural", "remote"])
    assert p["urban"] == "none" and p["fringe"] == "diagonal" and p["rural"] == "dots"
    assert len(set(p.values())) == 5


def test_the_report_says_why_weekly_times_weeks_can_differ_from_the_yearly_cost():
    """Walk-through finding: the Report's weekly cost × 52 came to 10p more than its "Cost per year" (right by the
    round-once rule: the year is worked from the unrounded week). The report now says so beside the totals, and
    the figures show the case: a week of 1/3 p fractions."""
    from zones.money import ROUNDING_NOTE

    card = RateCard(year="t", rates={"urban": Decimal("20.01")})
    p = Plan.build("t", ["A"], ["Alpha"], [0.33], ["Z"], ["urban"], card, band_names=("urban",))
    units = gpd.GeoDataFrame({"unit_code": ["A"]}, geometry=[box(450_000, 300_000, 451_000, 301_000)], crs="EPSG:27700")
    imp = compare(p, p)
    ctx = report_context(units, p, imp, "unsaved plan", [], [])
    t = p.totals()
    weekly_shown = Decimal(str(t["gbp_per_week"])).quantize(Decimal("0.01"))
    assert weekly_shown * 52 != Decimal(str(t["gbp_per_year"])).quantize(Decimal("0.01"))  # 6.6033 a week
    html = report_html(ctx)
    totals_at = html.index("<h2>Totals</h2>")
    from zones.outputs.escape import html_text

    assert totals_at < html.index(html_text(ROUNDING_NOTE)) < html.index("<h2>", totals_at + 5)


def test_the_report_map_is_drawn_once_per_picture(monkeypatch):
    """The Report page reruns on every setting; the map was drawn again each time (about 3 s for Leicestershire).
    Settings that leave the picture as it was (weeks, term, uplift) reuse it; a move, another rate or another
    set of changed units draws it again."""
    from collections import OrderedDict

    from zones.outputs import report

    monkeypatch.setattr(report, "_MAP_CACHE", OrderedDict())  # nothing remembered from other tests
    drawn = []
    monkeypatch.setattr(report, "map_png", lambda u, p, c=None: drawn.append(1) or b"\x89PNG" + bytes(len(drawn)))
    base, units = tiny()
    new = base.move("B", band="rural", reason="r")
    for weeks, term in ((52, 1), (52.14, 5), (50, 3)):
        report_context(units, new, compare(base, new, weeks_per_year=weeks, term_years=term), "x", [], [])
    assert len(drawn) == 1
    other = new.move("C", band="urban", reason="r")
    report_context(units, other, compare(base, other), "x", [], [])
    assert len(drawn) == 2
    dearer = new.with_rates(RateCard(year="test", rates={"urban": Decimal("21.00"), "rural": Decimal("30.50")}))
    report_context(units, dearer, compare(base.with_rates(dearer.rates), dearer), "x", [], [])
    assert len(drawn) == 3
    report_context(units, new, compare(new, new), "x", [], [])  # same plan, no unit changed: another picture
    assert len(drawn) == 4
