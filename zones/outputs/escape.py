"""Escaping user text (zone, unit, scenario, reason, note, user names) for each medium it is shown in.

A published link runs in an iframe with allow-same-origin, so script in a zone name would be script on the
app's origin: every user string is escaped for the place it lands (issue 11 §3).

- ``html_text``: HTML element text and attribute values (folium tooltips/popups, DivIcon labels, report HTML);
- ``md_text``: Streamlit markdown (st.write / st.success / st.caption …): no links, images or emphasis;
- ``mpl_text``: matplotlib text (titles, annotations, legend labels): never read as mathtext (``$\\foo$``);
- ``pdf_text``: reportlab Paragraph mini-markup (the PDF report itself is rendered from the escaped HTML);
- ``xlsx_cell`` / ``csv_cell``: spreadsheet cells: control characters removed (openpyxl refuses them, and
  they corrupt a workbook), text that starts like a formula prefixed with an apostrophe.

Control characters are dropped everywhere (tab and newline become a space).
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]")
_WS = re.compile(r"[\t\n\r]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def strip_control(s) -> str:
    """Text with control and bidi-override characters removed (tab/newline/CR become a space)."""
    return _CTRL.sub("", _WS.sub(" ", str(s)))


def html_text(s) -> str:
    """Escaped for HTML text and quoted attribute values (&, <, >, ", ')."""
    return html.escape(strip_control(s), quote=True)


def md_text(s) -> str:
    """Escaped for Streamlit markdown: every markdown-special character backslash-escaped (no links, images,
    HTML, emphasis or LaTeX from user text)."""
    return _MD_SPECIAL.sub(r"\\\1", strip_control(s))


def mpl_text(s) -> str:
    """Safe as matplotlib text: dollar signs escaped so nothing is parsed as mathtext (matplotlib shows ``\\$``
    as ``$`` in plain text)."""
    return strip_control(s).replace("$", r"\$")


def pdf_text(s) -> str:
    """Escaped for a reportlab Paragraph (which parses <b>, <font>, <a href> …)."""
    return html.escape(strip_control(s), quote=True)


def xlsx_cell(v):
    """A value for an openpyxl cell: control characters removed, formula-like text apostrophe-prefixed,
    Decimal money written as a number."""
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, str):
        v = _CTRL.sub("", v.replace("\t", " ").replace("\r", " "))
        if v.startswith(FORMULA_START):
            return "'" + v
    return v


def csv_cell(v):
    """A value for a CSV cell: control characters removed, formula-like text apostrophe-prefixed."""
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, str):
        v = _CTRL.sub("", v)
        if v.startswith(FORMULA_START):
            return "'" + v
    return v
