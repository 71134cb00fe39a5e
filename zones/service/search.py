"""Find units from what a person types: a unit or parish name or code, an OS Open Names place ("Asfordby Hill"),
a postcode ("LE14 3AA") or a postcode district ("LE14"). No streamlit here.

The matching core (:func:`search`) takes its tables as arguments (units in EPSG:27700, a postcode table and a place
table, both with EPSG:27700 ``x, y``), so tests can call it on a few synthetic squares; :func:`find_units` fills
those tables for a council workspace from the data directory (postcode centroids, OS Open Names).

Order: a full postcode, then a postcode district, then unit/parish names and codes, then places. A place or a
postcode gives the unit its point lies in (point in polygon, EPSG:27700); a postcode district gives every unit
holding at least one of its postcodes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.names import norm_name

POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
DISTRICT_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
MAX_QUERY_CHARS = 120
MAX_PLACES = 10
NEAR_M = 3000.0  # a postcode this close outside the council (e.g. LE14 3AA, Rushcliffe) gives the nearest unit


@dataclass(frozen=True)
class SearchResult:
    """What a query found: ``kind`` (postcode, district, name, place or none), a plain-English ``label`` safe to
    show as text (never HTML), and the unit codes in layer order of relevance."""

    query: str
    kind: str
    label: str
    codes: list[str] = field(default_factory=list)


def units_at_points(units: gpd.GeoDataFrame, x, y) -> np.ndarray:
    """For each point (EPSG:27700, same CRS as ``units``) the index (0..n-1) of the unit holding it, -1 outside
    every unit. Points on a shared edge go to the first unit. Uses the layer's STRtree (O(log n) per point)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    out = np.full(len(x), -1, dtype=np.int64)
    if not len(x):
        return out
    pts = shapely.points(x, y)
    pi, ui = units.sindex.query(pts, predicate="intersects")
    order = np.lexsort((ui, pi))  # per point, the lowest unit index first
    pi, ui = pi[order], ui[order]
    first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.zeros(0, dtype=bool)
    out[pi[first]] = ui[first]
    return out


def nearest_unit(units: gpd.GeoDataFrame, x: float, y: float, max_m: float | None = None) -> tuple[int, float]:
    """The index of the unit nearest a point outside every unit and its distance in metres, within ``max_m``
    (default ``NEAR_M``); (-1, inf) if none is that close."""
    max_m = NEAR_M if max_m is None else max_m
    pt = shapely.Point(x, y)
    idx = units.sindex.query(pt.buffer(max_m), predicate="intersects")
    if not len(idx):
        return -1, float("inf")
    d = shapely.distance(units.geometry.values[idx], pt)
    k = int(np.argmin(d))
    return (int(idx[k]), float(d[k])) if d[k] <= max_m else (-1, float("inf"))


def _word_start(series: pd.Series, text: str) -> pd.Series:
    """True where a word of the text in ``series`` starts with ``text`` (case-insensitive; words split at anything
    not a letter or digit): "croft" finds "Croft" and "Croft Hill" but not "Ulverscroft" (issue 19 §5)."""
    pat = r"(?<![^\W_])" + re.escape(text)
    return series.fillna("").astype(str).str.contains(pat, case=False, regex=True)


def _name_hits(units: gpd.GeoDataFrame, text: str, resolve: Callable[[str], list[str]] | None) -> list[str]:
    """Unit codes whose code starts with ``text`` or whose name or parishes hold a word starting with ``text``
    (case-insensitive); exact resolutions first. Matches inside a word never count (issue 19 §5)."""
    exact = list(resolve(text)) if resolve else []
    hit = units[
        units["unit_code"].str.lower().str.startswith(text.lower())
        | _word_start(units["unit_name"], text)
        | _word_start(units["parishes"], text)
    ]["unit_code"].tolist()
    return list(dict.fromkeys(exact + hit))


def search(
    units: gpd.GeoDataFrame,
    text: str,
    *,
    postcodes: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
    resolve: Callable[[str], list[str]] | None = None,
) -> SearchResult:
    """Units matching ``text``.

    ``units``: GeoDataFrame (``unit_code, unit_name, parishes, geometry``; a projected CRS in metres).
    ``postcodes``: DataFrame ``key`` (postcode without space, upper case), ``x, y`` in the units' CRS.
    ``places``: DataFrame ``name, key`` (:func:`geodata.names.norm_name`), ``x, y``, optional ``type``.
    ``resolve``: exact name/code resolver (``UnitLayer.resolve``), tried before substring matches."""
    q = " ".join(str(text or "").split())[:MAX_QUERY_CHARS]
    if not q:
        return SearchResult("", "none", "Type a unit or parish name, a place, a postcode or a postcode district.")
    up = q.upper()
    m = POSTCODE_RE.match(up)
    if m and postcodes is not None:
        return _postcode_result(units, postcodes, q, m)
    if DISTRICT_RE.match(up.replace(" ", "")) and postcodes is not None and any(c.isdigit() for c in up):
        return _district_result(units, postcodes, q, up.replace(" ", ""))
    hits = _name_hits(units, q, resolve)
    if hits:
        names = dict(zip(units["unit_code"], units["unit_name"]))
        lbl = names[hits[0]] if len(hits) == 1 else f"{len(hits)} units"
        return SearchResult(q, "name", f"Unit or parish '{q}': {lbl}", hits)
    found = _place_result(units, places, q) if places is not None and len(places) else None
    if found is not None:
        return found
    return SearchResult(
        q,
        "none",
        f"Nothing matches '{q}': try a unit or parish name, a place, a postcode "
        "(LE14 3TU) or a postcode district (LE14).",
    )


def _postcode_result(units: gpd.GeoDataFrame, postcodes: pd.DataFrame, q: str, m: re.Match) -> SearchResult:
    """A full postcode: the unit holding it, or the nearest unit within ``NEAR_M`` metres outside the council."""
    codes = units["unit_code"].to_numpy()
    key = m.group(1) + m.group(2)
    row = postcodes[postcodes["key"] == key]
    pc = f"{m.group(1)} {m.group(2)}"
    if not len(row):
        return SearchResult(q, "none", f"Postcode {pc} is not in the postcode file.")
    x, y = float(row["x"].iloc[0]), float(row["y"].iloc[0])
    i = units_at_points(units, [x], [y])[0]
    if i >= 0:
        return SearchResult(q, "postcode", f"Postcode {pc}: in {units['unit_name'].iloc[i]}", [str(codes[i])])
    j, dist = nearest_unit(units, x, y)
    if j < 0:
        return SearchResult(
            q, "none", f"Postcode {pc} lies outside this council (over {NEAR_M / 1000:g} km from its nearest unit)."
        )
    return SearchResult(
        q,
        "postcode",
        f"Postcode {pc} lies {dist / 1000:.1f} km outside this council; nearest unit: {units['unit_name'].iloc[j]}",
        [str(codes[j])],
    )


def _district_result(units: gpd.GeoDataFrame, postcodes: pd.DataFrame, q: str, d: str) -> SearchResult:
    """A postcode district (``d``, no space, upper case): the units holding any of its postcodes."""
    codes = units["unit_code"].to_numpy()
    sel = postcodes[postcodes["key"].str.slice(stop=-3) == d]
    idx = units_at_points(units, sel["x"].to_numpy(), sel["y"].to_numpy())
    n_in = int((idx >= 0).sum())
    idx = np.unique(idx[idx >= 0])
    if not len(idx):
        return SearchResult(q, "none", f"No postcode of district {d} lies in this council's units.")
    return SearchResult(
        q,
        "district",
        f"Postcode district {d}: {len(idx)} units hold its {n_in:,} postcodes",
        [str(c) for c in codes[idx]],
    )


def _place_result(units: gpd.GeoDataFrame, places: pd.DataFrame, q: str) -> SearchResult | None:
    """A place name (exact, else the start of a name; at most ``MAX_PLACES``): the units holding those places, a
    "lies outside" answer, or None when no place has that name."""
    codes = units["unit_code"].to_numpy()
    k = norm_name(q)
    hit = places[places["key"] == k]
    if not len(hit):
        hit = places[places["key"].str.startswith(k)] if k else hit
    if not len(hit):
        return None
    hit = hit.head(MAX_PLACES)
    idx = units_at_points(units, hit["x"].to_numpy(), hit["y"].to_numpy())
    found = [(n, i) for n, i in zip(hit["name"], idx) if i >= 0]
    if not found:
        return SearchResult(q, "none", f"Place '{q}' lies outside this council's units.")
    uniq = list(dict.fromkeys(int(i) for _, i in found))
    place_names = ", ".join(dict.fromkeys(str(n) for n, _ in found))
    in_units = ", ".join(str(units["unit_name"].iloc[i]) for i in uniq[:5])
    return SearchResult(q, "place", f"Place {place_names}: in {in_units}", [str(codes[i]) for i in uniq])


# ---------------------------------------------------------------- the council's tables (data directory)

_TABLES: dict[int, tuple[object, pd.DataFrame | None, pd.DataFrame | None]] = {}


def _postcode_table() -> pd.DataFrame | None:
    from geodata.datadir import data_path
    from travel.places import POSTCODES, _postcodes

    p = data_path(POSTCODES, required=False)
    if not p.exists():
        return None
    d = _postcodes(str(p))
    xy = np.asarray(list(d.values()), dtype=float).reshape(-1, 2)
    return pd.DataFrame({"key": list(d.keys()), "x": xy[:, 0], "y": xy[:, 1]})


def _place_table() -> pd.DataFrame | None:
    from geodata.datadir import data_path
    from travel.places import PLACES

    p = data_path(PLACES, required=False)
    if not p.exists():
        return None
    a = pd.read_csv(p, usecols=["name", "local_type", "easting", "northing"], dtype=str, keep_default_na=False)
    df = pd.DataFrame(
        {
            "name": a["name"],
            "type": a["local_type"],
            "x": pd.to_numeric(a["easting"], errors="coerce"),
            "y": pd.to_numeric(a["northing"], errors="coerce"),
        }
    ).dropna(subset=["x", "y"])
    df["key"] = df["name"].map(norm_name)
    return df.reset_index(drop=True)


def find_units(ws, text: str) -> SearchResult:
    """:func:`search` over a council workspace: its units, the postcode centroids and OS Open Names places of the
    data directory (loaded once per process)."""
    key = id(ws)
    if key not in _TABLES or _TABLES[key][0] is not ws:
        _TABLES[key] = (ws, _postcode_table(), _place_table())
    _, pcs, pls = _TABLES[key]
    return search(ws.units, text, postcodes=pcs, places=pls, resolve=ws.layer.resolve)
