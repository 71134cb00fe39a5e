"""Where a place is: postcodes, place names, grid references and lon/lat → EPSG:27700 points.

Sources (data directory, read-only): ONS postcode centroids (target councils and every LE postcode),
OS Open Names populated places of the target councils, and the towns/built-up areas within 40 km of them
(neighbouring counties included: Atherstone, Nuneaton, Tamworth, Grantham, ...).

Every input here is treated as hostile: sizes and row counts are bounded, numbers must be finite and inside
Great Britain, and error messages name the file, row and column but never repeat what the file or the user
typed.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from geodata.datadir import DataError, data_path
from geodata.names import norm_name

POSTCODES = "places/postcodes_NSPD_Nov2025_targetLAs_and_LE.csv"
PLACES = "places/os_open_names_populated_places_targetLAs.csv"
TOWNS = "places/towns_within_40km_targetLAs.csv"

MAX_CSV_BYTES = 5_000_000
MAX_ROWS = 5_000
MAX_ID_CHARS = 64
MAX_TEXT_CHARS = 120
GB_EASTING = (0.0, 700_000.0)
GB_NORTHING = (0.0, 1_300_000.0)
GB_LON = (-9.0, 2.5)
GB_LAT = (49.0, 61.5)
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-/]*$")


@dataclass(frozen=True)
class Place:
    """A resolved place: ``label`` (safe to show), ``x, y`` EPSG:27700 metres, ``kind`` (postcode, place,
    grid, lonlat)."""

    label: str
    x: float
    y: float
    kind: str


# ---------------------------------------------------------------- lookups


@lru_cache(maxsize=2)
def _postcodes(path: str) -> dict[str, tuple[float, float]]:
    df = pd.read_csv(path, usecols=["pcds", "east1m", "north1m"], dtype={"pcds": str})
    df = df.dropna(subset=["east1m", "north1m"])
    keys = df["pcds"].str.replace(" ", "", regex=False).str.upper()
    return dict(zip(keys, zip(df["east1m"].astype(float), df["north1m"].astype(float))))


def postcode_xy(postcode: str) -> tuple[float, float] | None:
    """Centroid (EPSG:27700) of a postcode in the postcode file, or None."""
    m = POSTCODE_RE.match(str(postcode).strip().upper())
    if not m:
        return None
    p = data_path(POSTCODES, required=False)
    if not p.exists():
        raise DataError(f"postcode file {POSTCODES} is not in the data directory")
    return _postcodes(str(p)).get(m.group(1) + m.group(2))


@lru_cache(maxsize=2)
def _place_table(places: str, towns: str) -> pd.DataFrame:
    rows = []
    if Path(places).exists():
        a = pd.read_csv(
            places, usecols=["name", "local_type", "easting", "northing", "LAD_name"], dtype=str, keep_default_na=False
        )
        rows.append(
            pd.DataFrame(
                {
                    "name": a["name"],
                    "district": a["LAD_name"],
                    "type": a["local_type"],
                    "x": a["easting"].astype(float),
                    "y": a["northing"].astype(float),
                    "population": np.nan,
                }
            )
        )
    if Path(towns).exists():
        b = pd.read_csv(
            towns,
            usecols=["name", "type", "easting", "northing", "lad_name", "population"],
            dtype=str,
            keep_default_na=False,
        )
        rows.append(
            pd.DataFrame(
                {
                    "name": b["name"],
                    "district": b["lad_name"],
                    "type": b["type"],
                    "x": b["easting"].astype(float),
                    "y": b["northing"].astype(float),
                    "population": pd.to_numeric(b["population"], errors="coerce"),
                }
            )
        )
    if not rows:
        return pd.DataFrame(columns=["name", "district", "type", "x", "y", "population", "key", "dkey"])
    df = pd.concat(rows, ignore_index=True)
    df["key"] = df["name"].map(norm_name)
    df["dkey"] = df["district"].map(norm_name)
    return df


def place_table() -> pd.DataFrame:
    """OS Open Names places of the target councils + towns within 40 km: name, district, type, x, y, population."""
    return _place_table(str(data_path(PLACES, required=False)), str(data_path(TOWNS, required=False)))


def find_place(name: str) -> list[Place]:
    """Places whose normalised name matches (``"Name (District)"`` or ``"Name, District"`` narrows by
    district). Points within 2 km of each other with the same name count as one place (the OS point and the
    built-up-area point)."""
    text = str(name).strip()
    district = None
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", text) or re.match(r"^(.*?),\s*(.+)$", text)
    if m:
        text, district = m.group(1), m.group(2)
    df = place_table()
    hit = df[df["key"] == norm_name(text)]
    if district:
        dk = norm_name(district)
        hit = hit[hit["dkey"].str.contains(dk, regex=False) | (hit["dkey"] == dk)]
    out: list[Place] = []
    for r in hit.sort_values("population", ascending=False, na_position="last").itertuples():
        if all(math.hypot(r.x - p.x, r.y - p.y) > 2000 for p in out):
            label = f"{r.name} ({r.district})" if r.district else str(r.name)
            out.append(Place(label, float(r.x), float(r.y), "place"))
    return out


def _num(s: str) -> float | None:
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def grid_place(easting, northing) -> Place | None:
    e, n = _num(easting), _num(northing)
    if e is None or n is None or not (GB_EASTING[0] <= e <= GB_EASTING[1] and GB_NORTHING[0] <= n <= GB_NORTHING[1]):
        return None
    return Place(f"E {e:.0f}, N {n:.0f}", e, n, "grid")


def lonlat_place(lon, lat) -> Place | None:
    lo, la = _num(lon), _num(lat)
    if lo is None or la is None or not (GB_LON[0] <= lo <= GB_LON[1] and GB_LAT[0] <= la <= GB_LAT[1]):
        return None
    x, y = _to_bng().transform(lo, la)
    return Place(f"{la:.5f}° N, {lo:.5f}° E", float(x), float(y), "lonlat")


@lru_cache(maxsize=1)
def _to_bng():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def resolve(text: str) -> Place:
    """A typed place: a postcode (postcode file), ``easting,northing`` (EPSG:27700), ``lon,lat``, or a place
    name (OS Open Names / towns within 40 km; ``Name (District)`` when several share the name). The error never
    repeats the text."""
    s = str(text or "").strip()
    if not s:
        raise DataError("no place given: type a postcode, a place name, 'easting,northing' or 'lon,lat'")
    if len(s) > MAX_TEXT_CHARS:
        raise DataError(f"place text too long (over {MAX_TEXT_CHARS} characters)")
    if POSTCODE_RE.match(s.upper()):
        xy = postcode_xy(s)
        if xy is None:
            raise DataError(
                "postcode not in the postcode file (it covers the target councils and all LE postcodes); "
                "give a place name, 'easting,northing' or 'lon,lat' instead"
            )
        pc = POSTCODE_RE.match(s.upper())
        assert pc is not None  # matched just above
        return Place(f"{pc.group(1)} {pc.group(2)}", xy[0], xy[1], "postcode")
    parts = [p.strip() for p in s.split(",")]
    if len(parts) == 2 and _num(parts[0]) is not None and _num(parts[1]) is not None:
        a, b = float(parts[0]), float(parts[1])
        p = grid_place(a, b) if max(abs(a), abs(b)) > 1000 else lonlat_place(a, b)
        if p is None:
            raise DataError(
                "coordinates outside Great Britain: 'easting,northing' in EPSG:27700 metres or 'lon,lat' in degrees"
            )
        return p
    hits = find_place(s)
    if not hits:
        raise DataError(
            "place not found: not a postcode in the postcode file nor a name in OS Open Names (target "
            "councils) or the towns within 40 km; try a postcode"
        )
    if len(hits) > 1:
        names = "; ".join(h.label for h in hits[:6])
        raise DataError(f"{len(hits)} places share that name: {names}; add the district in brackets")
    return hits[0]


# ---------------------------------------------------------------- points CSV (od)


def read_points(path: Path, role: str) -> pd.DataFrame:
    """An origins/destinations CSV → DataFrame ``id, x, y, kind`` (EPSG:27700).

    Columns: ``id`` and either ``postcode``, or ``easting,northing`` (EPSG:27700), or ``lon,lat``. Bounded:
    at most 5 MB and 5,000 rows; ids 1-64 characters (letters, digits, space, ``_ . - /``, starting with a
    letter or digit: nothing a spreadsheet would run as a formula), unique. Errors name the file, row (1 = first
    data row) and column, never the content."""
    path = Path(path)
    label = f"{role} file {path.name}"
    reader = csv.reader(io.StringIO(_csv_text(path, label), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataError(f"{label}: empty file") from None
    except csv.Error:
        raise DataError(f"{label}: header row is not valid CSV") from None
    cols = [h.strip().lower() for h in header]
    mode = _location_mode(cols, label)
    wanted = ("id", "postcode", "easting", "northing", "lon", "lat")
    ci: dict[str, int] = {c: cols.index(c) for c in wanted if c in cols}
    ids, xs, ys = [], [], []
    seen: set[str] = set()
    row_no = 0
    try:
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            row_no += 1
            where = f"{label}: row {row_no}"
            if row_no > MAX_ROWS:
                raise DataError(f"{label}: more than {MAX_ROWS:,} rows")
            if len(row) < len(cols):
                raise DataError(f"{where}: {len(row)} fields, the header has {len(cols)}")
            rid = _row_id(row[ci["id"]], seen, where)
            p = _row_place(row, ci, mode, where)
            ids.append(rid)
            xs.append(p.x)
            ys.append(p.y)
    except csv.Error:
        raise DataError(f"{label}: row {row_no + 1}: not valid CSV") from None
    if not ids:
        raise DataError(f"{label}: no data rows")
    return pd.DataFrame({"id": ids, "x": xs, "y": ys, "kind": mode})


def _csv_text(path: Path, label: str) -> str:
    """The text of a points CSV, refused when missing, over ``MAX_CSV_BYTES``, not UTF-8 or binary."""
    if not path.exists():
        raise DataError(f"{label}: not found")
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise DataError(f"{label}: {size:,} bytes, over the {MAX_CSV_BYTES:,}-byte limit")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{label}: not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise DataError(f"{label}: binary content (NUL byte), not a CSV")
    return text


def _location_mode(cols: list[str], label: str) -> str:
    """How the header locates points: "postcode", "grid" (easting,northing) or "lonlat"; needs an ``id`` too."""
    if "id" not in cols:
        raise DataError(f"{label}: no 'id' column (columns needed: id and postcode, or easting,northing, or lon,lat)")
    if "postcode" in cols:
        return "postcode"
    if "easting" in cols and "northing" in cols:
        return "grid"
    if "lon" in cols and "lat" in cols:
        return "lonlat"
    raise DataError(f"{label}: no location columns (need postcode, or easting,northing, or lon,lat)")


def _row_id(cell: str, seen: set[str], where: str) -> str:
    """A row's id, checked (length, characters, unique) and added to ``seen``."""
    rid = cell.strip()
    if not (1 <= len(rid) <= MAX_ID_CHARS) or not ID_RE.match(rid):
        raise DataError(
            f"{where}: column 'id': must be 1-{MAX_ID_CHARS} letters, digits, "
            "spaces or _ . - / and start with a letter or digit"
        )
    if rid in seen:
        raise DataError(f"{where}: column 'id': duplicate id")
    seen.add(rid)
    return rid


def _row_place(row: list[str], ci: dict[str, int], mode: str, where: str) -> Place:
    """The point of one row in the file's location ``mode``; errors name the row and column, not the content."""
    if mode == "postcode":
        pc = row[ci["postcode"]].strip()
        if len(pc) > 10 or not POSTCODE_RE.match(pc.upper()):
            raise DataError(f"{where}: column 'postcode': not a UK postcode")
        xy = postcode_xy(pc)
        if xy is None:
            raise DataError(
                f"{where}: column 'postcode': not in the postcode file (target "
                "councils and all LE postcodes); give easting,northing or lon,lat for this point"
            )
        return Place("", xy[0], xy[1], "postcode")
    if mode == "grid":
        p = grid_place(row[ci["easting"]].strip()[:32], row[ci["northing"]].strip()[:32])
        if p is None:
            raise DataError(
                f"{where}: columns 'easting,northing': not numbers inside Great Britain (EPSG:27700 metres)"
            )
        return p
    p = lonlat_place(row[ci["lon"]].strip()[:32], row[ci["lat"]].strip()[:32])
    if p is None:
        raise DataError(f"{where}: columns 'lon,lat': not numbers inside Great Britain (degrees, EPSG:4326)")
    return p
