"""Reclassifications from a CSV file: ``subzone,unit,from_band,to_band,hours_per_week``.

- ``unit``: a unit code or name, or a civil parish name or code; several separated by ``;`` (or ``,``)
  form one row whose hours are the row's total (e.g. "Barlestone; Desford; Market Bosworth; Newbold Verdon").
- bands by name, any case; ``subzone`` may be empty.
- the file's hours are the council's own figures and are used for that row's impact; the file's
  ``from_band`` is the council's current band and is used as the row's "from" even where the plan's band
  differs (that is reported as a warning).

Every bad row is listed in one ``MovesError`` and nothing is applied. The file's bytes are only ever read in a
caged child process (``geodata.sandbox``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from geodata.datadir import DataError
from geodata.limits import (
    MAX_LONG_TEXT,
    MAX_TEXT,
    cap_message,
    clean_text,
    decode_text,
    excerpt,
    hours_per_week,
    read_user_file,
)
from geodata.sandbox import run_caged

from .impact import Impact, money_row, totals
from .plan import Plan
from .rates import RateCard

HEADER = ["subzone", "unit", "from_band", "to_band", "hours_per_week"]
MAX_BYTES = 5_000_000
MAX_ROWS = 10_000
MAX_PROBLEMS_LISTED = 20


class MovesError(DataError):
    """A moves file with bad rows; ``problems`` lists them (line number, what is wrong)."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_LISTED]
        more = f"; … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(
            cap_message(
                f"{excerpt(source, 200)}: {len(problems)} problem(s), nothing applied: " + "; ".join(shown) + more, 2000
            )
        )


@dataclass(frozen=True)
class MoveRow:
    line: int
    subzone: str
    unit: str  # as written in the file
    unit_codes: tuple[str, ...]
    from_band: str
    to_band: str
    hours_per_week: Decimal


def _split_units(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;,]", text) if p.strip()]


def parse_moves(source: str | Path | bytes, resolve, bands: tuple[str, ...], name: str | None = None) -> list[MoveRow]:
    """Parse and check a moves CSV. ``resolve(name) -> [unit codes]`` (UnitLayer.resolve).

    The bytes are decoded and split into checked cells (text bounded, no control characters, hours by
    ``geodata.limits.hours_per_week``) in a caged child process (``geodata.sandbox``, issue 18); this process
    only matches the already-checked cells against the units and bands."""
    if isinstance(source, (bytes, bytearray)):
        label = name or "uploaded moves file"
        data = bytes(source)
    else:
        label = name or str(source)
        found = read_user_file(source, MAX_BYTES) if Path(source).exists() or Path(source).is_symlink() else None
        if found is None:
            raise DataError(f"moves file not found: {excerpt(source, 80)}")
        data = found
    if len(data) > MAX_BYTES:
        raise MovesError(label, [f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}"])
    fatal, items = run_caged(moves_cells, data, label, label=excerpt(label, 80))
    if fatal:
        raise MovesError(label, items)
    return _resolve_rows(items, resolve, bands, label)


def moves_cells(data: bytes, label: str) -> tuple[bool, list]:
    """The untrusted part of ``parse_moves`` (run in the cage): ``(True, problems)`` when the file as a whole
    is unreadable, else ``(False, items)`` with one item per non-empty row: ``(line, problem)`` or
    ``(line, subzone, unit, unit names, from_band, to_band, hours or its problem, [row problems])``."""
    try:
        text = decode_text(data, label)
    except DataError as exc:
        return True, [str(exc).split(": ", 1)[-1]]
    try:
        rows = _csv_rows(text)
    except DataError as exc:
        return True, [str(exc)]
    if not rows:
        return True, ["the file is empty"]
    header = [h.strip().lower() for h in rows[0]]
    if header != HEADER:
        return True, [f"line 1: header must be {','.join(HEADER)} (got {excerpt(','.join(rows[0]), 80)})"]
    return False, [_row_cells(n, raw) for n, raw in enumerate(rows[1:], start=2) if any(c.strip() for c in raw)]


def _csv_rows(text: str) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for r in csv.reader(io.StringIO(text)):
            rows.append(r)
            if len(rows) > MAX_ROWS + 1:
                raise DataError(f"more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}")
    except csv.Error as exc:
        raise DataError(f"line {len(rows) + 1}: not a readable CSV row ({excerpt(exc, 60)})") from None
    return rows


def _row_cells(n: int, raw: list[str]) -> tuple:
    """One row's checked cells (see ``moves_cells``)."""
    if len(raw) != len(HEADER):
        return n, f"line {n}: expected {len(HEADER)} fields, got {len(raw)}"
    subzone, unit, fb, tb, hrs = (c.strip() for c in raw)
    try:
        subzone = clean_text(subzone, "subzone", MAX_TEXT, required=False)
        unit = clean_text(unit, "unit", MAX_LONG_TEXT, required=False)
        fb = clean_text(fb, "from_band", MAX_TEXT, required=False)
        tb = clean_text(tb, "to_band", MAX_TEXT, required=False)
    except DataError as exc:
        return n, f"line {n}: {exc}"
    bad = []
    if any(c.startswith(("=", "+", "-", "@")) for c in (subzone, unit, fb, tb)):
        bad.append("a cell starts with = + - or @ (spreadsheet formula)")
    try:
        h: Decimal | str = hours_per_week(hrs)
    except DataError as exc:
        h = str(exc)
    return n, subzone, unit, _split_units(unit), fb, tb, h, bad


def _resolve_rows(items: list, resolve, bands: tuple[str, ...], label: str) -> list[MoveRow]:
    """MoveRows from the checked cells of ``moves_cells``: units resolved, bands matched, duplicates found."""
    band_of = {b.lower(): b for b in bands}
    problems: list[str] = []
    out: list[MoveRow] = []
    seen: dict[str, int] = {}
    for item in items:
        if len(item) == 2:
            problems.append(item[1])
            continue
        n, subzone, unit, names, fb, tb, h, bad = item
        codes = _resolve_units(names, resolve, bad)
        bad += _band_problems(fb, tb, band_of, bands)
        if isinstance(h, str):
            bad.append(h)
        bad += [f"unit {c} is already moved on line {seen[c]}" for c in set(codes) if c in seen]
        if bad:
            problems.append(f"line {n} ({excerpt(unit) or '?'}): " + "; ".join(bad))
            continue
        for c in set(codes):
            seen[c] = n
        out.append(MoveRow(n, subzone, unit, tuple(dict.fromkeys(codes)), band_of[fb.lower()], band_of[tb.lower()], h))
    if problems:
        raise MovesError(label, problems)
    if not out:
        raise MovesError(label, ["no moves in the file"])
    return out


def _resolve_units(names: list[str], resolve, bad: list[str]) -> list[str]:
    """The unit codes of a row's names (at most 50); problems appended to ``bad``."""
    codes: list[str] = []
    if not names:
        bad.append("unit is empty")
    for nm in names[:50]:
        hit = resolve(nm)
        if len(hit) != 1:
            bad.append(f"unit '{excerpt(nm)}' is " + ("unknown" if not hit else f"ambiguous ({', '.join(hit[:5])})"))
        else:
            codes += hit
    if len(names) > 50:
        bad.append(f"{len(names)} units in one row; the limit is 50")
    return codes


def _band_problems(fb: str, tb: str, band_of: dict[str, str], bands: tuple[str, ...]) -> list[str]:
    bad = [
        f"{name} '{excerpt(b)}' is not one of {', '.join(bands)}"
        for name, b in (("from_band", fb), ("to_band", tb))
        if b.lower() not in band_of
    ]
    if fb.lower() == tb.lower() and fb:
        bad.append(f"from_band and to_band are both '{excerpt(fb)}'")
    return bad


def apply_moves(plan: Plan, moves: list[MoveRow]) -> tuple[Plan, list[str]]:
    """The plan with every row's units set to its to_band, and warnings where the plan's current band
    differs from the file's from_band or a unit holds more parishes than the row names."""
    warnings = []
    new = plan
    for m in moves:
        for c in m.unit_codes:
            cur = plan.band_of(c)
            if cur != m.from_band:
                warnings.append(
                    f"line {m.line}: {m.unit}: the plan has unit {c} as {cur}, the file says {m.from_band}; "
                    f"the impact uses the file's {m.from_band}"
                )
        new = new.move(
            list(m.unit_codes), band=m.to_band, reason=f"moves file line {m.line}: {m.from_band} → {m.to_band}"
        )
    return new, warnings


def impact_of_moves(
    moves: list[MoveRow],
    rates: RateCard,
    plan: Plan | None = None,
    weeks_per_year: int | Decimal = 52,
    term_years: int = 8,
    uplift_pct=0,
) -> Impact:
    """Impact of a moves file, row by row, with the file's hours and bands (the council's own figures).

    With a plan, each row also carries the plan's (estimated) hours for its units for comparison."""
    rows, warnings = [], []
    for m in moves:
        row = {
            "subzone": m.subzone,
            "unit": m.unit,
            "unit_codes": ";".join(m.unit_codes),
            "from_band": m.from_band,
            "to_band": m.to_band,
            "hours_per_week": float(m.hours_per_week),
            "from_rate_gbp_per_hour": rates.effective_rate(m.from_band),
            "to_rate_gbp_per_hour": rates.effective_rate(m.to_band),
            **money_row(m.hours_per_week, rates.effective_rate(m.from_band), rates.effective_rate(m.to_band)),
        }
        if plan is not None:
            row["hours_per_week_estimate"] = plan.selection(m.unit_codes)["hours_per_week"]
        rows.append(row)
    if plan is not None:
        warnings = apply_moves(plan, moves)[1]
    return totals(
        rows,
        rates,
        weeks_per_year,
        term_years,
        uplift_pct,
        warnings=warnings,
        hours_source="the moves file's hours_per_week (council figures)",
    )
