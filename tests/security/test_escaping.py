"""Issue 11 §3: user text escaped for every medium (HTML, markdown, matplotlib mathtext, PDF, XLSX, CSV)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import openpyxl
import pytest

from tests.security.conftest import plan, units
from zones.impact import compare
from zones.outputs.escape import csv_cell, html_text, md_text, mpl_text, xlsx_cell
from zones.outputs.export import impact_csv, impact_xlsx
from zones.outputs.report import map_png, report_context, report_html, report_pdf

XSS = "<img src=x onerror=alert(1)>"
MATH = r"$\foo$"


def hostile_plan():
    p = plan()
    p = p.move(["U0", "U1"], zone=XSS, band="isolated", reason=XSS + " \x07bell")
    p = p.move(["U2"], zone=MATH, reason='=HYPERLINK("http://evil","x")')
    return p


def test_a_zone_named_dollar_foo_no_longer_crashes_the_report_map():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.annotate(MATH, (0, 0))
    with pytest.raises(ValueError):  # the payload really crashes matplotlib when read as mathtext
        fig.canvas.draw()
    plt.close(fig)
    png = map_png(units(), hostile_plan())
    assert png.startswith(b"\x89PNG")
    assert mpl_text(MATH) == r"\$\foo\$"


def test_report_html_and_pdf_escape_zone_and_reason():
    p = hostile_plan()
    ctx = report_context(units(), p, compare(plan(), p), f"Scenario {XSS} v1", [f"note {XSS}"], ["src"])
    h = report_html(ctx)
    assert XSS not in h and "&lt;img src=x onerror=alert(1)&gt;" in h
    assert "\x07" not in h
    pdf = report_pdf(ctx)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) not installed")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert XSS in text and MATH in text  # shown literally, not interpreted as markup or mathtext


def test_xlsx_survives_control_characters_and_keeps_formula_escaping():
    p = hostile_plan()
    imp = compare(plan(), p)
    wb = openpyxl.load_workbook(io.BytesIO(impact_xlsx(p, imp, notes=["note\x00with NUL"])))
    cells = [c for ws in wb for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not any(ch in c for c in cells for ch in "\x00\x07")
    assert any(c.startswith("'=HYPERLINK") for c in cells) and not any(c.startswith("=") for c in cells)
    rows = list(csv.reader(io.StringIO(impact_csv(imp))))
    flat = [c for r in rows for c in r]
    assert any(c.startswith("'=HYPERLINK") for c in flat) and not any("\x07" in c for c in flat)


def test_escape_helpers():
    assert html_text(XSS) == "&lt;img src=x onerror=alert(1)&gt;"
    assert html_text("\"'><script>") == "&quot;&#x27;&gt;&lt;script&gt;"
    assert md_text(XSS).startswith("\\<img") and "[" not in md_text("[x](javascript:alert(1))").replace("\\[", "")
    assert md_text("![a](http://evil/x.png)").startswith("\\!\\[")
    assert xlsx_cell("a\x00b\x1bc") == "abc" and xlsx_cell("=1+1") == "'=1+1" and xlsx_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("-2+3") == "'-2+3" and csv_cell("\u202eevil") == "evil"
