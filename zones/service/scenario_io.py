"""Scenario import/export: GeoPackage and GeoJSON of units with zone, band, hours and rate.

Exports carry each unit's geometry (GeoPackage in EPSG:27700; GeoJSON in EPSG:4326 as RFC 7946 asks, made
valid again after reprojection so that it imports back unchanged) and the attribution.

Imports treat the file as hostile (issue 11 §2). A file is read only as the format its name claims AND its
content shows:

- ``.geojson`` / ``.json``: UTF-8 text (BOM allowed) starting with ``{``, nesting depth checked before
  parsing, parsed by our own code (``json`` + ``shapely.geometry.shape``); GDAL never sees it;
- ``.gpkg``: the SQLite header magic ``SQLite format 3\\0`` and the GeoPackage ``application_id`` ("GPKG")
  are checked first; the bytes are written by us to a private temporary folder and opened by GDAL through the
  ``GPKG:`` prefix, which makes GDAL use the GeoPackage driver only (a VRT, a GDALG pipeline, a CSV or any
  other format named ``.gpkg`` is refused before GDAL runs and again by the driver).

Issue 18: the whole import runs in a caged child process (``geodata.sandbox.run_caged``: CPU time, address
space and wall clock bounded, temporary files removed whatever happens); the server only passes the bytes and
receives the checked assignments. Before GDAL opens a GeoPackage, ``_inspect_gpkg`` reads its schema with the
standard library's sqlite3 on a read-only, immutable URI and accepts only plain tables: the layer must be a real
table (``sqlite_master`` type 'table', not virtual, no generated columns) named in ``gpkg_contents``; any view,
any trigger other than the GeoPackage/GDAL bookkeeping ones, any virtual table other than an R-tree index, and any
generated column anywhere are refused, so no SQL of the file's author runs while it is read.

Anything else (another extension, ``/vsi…`` names, symlinks, devices) is refused. Limits: ``MAX_IMPORT_BYTES``,
``MAX_FEATURES``, ``MAX_VERTICES_PER_FEATURE``, JSON depth (``geodata.limits.MAX_JSON_DEPTH``); text fields are
checked by ``geodata.limits.clean_text``; a cell that a spreadsheet would run as a formula is refused. Error
messages quote at most a short, sanitised excerpt of the input and are capped in length.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import tempfile
import urllib.parse
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape

from geodata.datadir import ATTRIBUTION, DataError
from geodata.limits import MAX_LONG_TEXT, MAX_TEXT, cap_message, clean_text, excerpt, json_depth_ok, read_user_file  # noqa: F401
from geodata.sandbox import run_caged
from geodata.validate import check_crs
from zones.plan import Plan

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 20_000
MAX_VERTICES_PER_FEATURE = 250_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SQLITE_MAGIC = b"SQLite format 3\x00"
GPKG_APPLICATION_ID = 0x47504B47  # "GPKG" (GeoPackage 1.2+)
REQUIRED = ("unit_code", "zone", "band")
OPTIONAL = ("computed_band", "band_source", "reason")
# columns our own export writes besides the assignment: accepted and ignored
EXPORT_EXTRA = ("unit_name", "hours_per_week", "rate_gbp_per_hour", "gbp_per_week", "attribution")
ALLOWED = set(REQUIRED + OPTIONAL + EXPORT_EXTRA)
GEOJSON_CRS = {
    "urn:ogc:def:crs:OGC:1.3:CRS84": "OGC:CRS84",
    "urn:ogc:def:crs:OGC::CRS84": "OGC:CRS84",
    "urn:ogc:def:crs:EPSG::4326": "OGC:CRS84",
    "EPSG:4326": "OGC:CRS84",
    "urn:ogc:def:crs:EPSG::27700": "EPSG:27700",
    "EPSG:27700": "EPSG:27700",
}
_LAYER_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,62}$")
MAX_SCHEMA_OBJECTS = 500
_GPKG_META = {
    "gpkg_contents",
    "gpkg_spatial_ref_sys",
    "gpkg_geometry_columns",
    "gpkg_extensions",
    "gpkg_ogr_contents",
    "gpkg_tile_matrix_set",
    "gpkg_tile_matrix",
    "gpkg_data_columns",
    "gpkg_data_column_constraints",
    "gpkg_metadata",
    "gpkg_metadata_reference",
    "sqlite_sequence",
}
# triggers that the GeoPackage standard and GDAL write (they run on INSERT/UPDATE/DELETE only; the file is
# opened read-only, so they never run here); any other trigger is refused
_TRIGGER_RE = re.compile(
    r"^(gpkg_tile_matrix_[a-z_]+_(insert|update)"
    r"|rtree_[A-Za-z0-9_ .-]{1,130}_(insert|update[1-7]|delete)"
    r"|trigger_(insert|delete)_feature_count_[A-Za-z0-9_ .-]{1,63}"
    r"|gpkg_metadata_reference_[a-z_]+)$"
)
_RTREE_SQL_RE = re.compile(r'^CREATE VIRTUAL TABLE "?rtree_[A-Za-z0-9_ .-]{1,130}"? USING rtree\(', re.IGNORECASE)


def export_frame(units: gpd.GeoDataFrame, plan: Plan) -> gpd.GeoDataFrame:
    t = plan.table()
    g = units[["unit_code", "unit_name", "geometry"]].merge(t.drop(columns=["unit_name"]), on="unit_code")
    g["rate_gbp_per_hour"] = g["rate_gbp_per_hour"].astype(str)
    g["gbp_per_week"] = g["gbp_per_week"].astype(str)
    g["attribution"] = ATTRIBUTION
    return gpd.GeoDataFrame(g, geometry="geometry", crs=units.crs)


def export_gpkg(units: gpd.GeoDataFrame, plan: Plan, path: str | Path) -> Path:
    export_frame(units, plan).to_file(path, layer="scenario", driver="GPKG", engine="pyogrio")
    return Path(path)


def _valid_polygonal(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """Geometry made valid, keeping only its polygonal parts (reprojection can make a valid ring touch itself)."""
    bad = ~geoms.is_valid
    if not bad.any():
        return geoms
    fixed = shapely.make_valid(geoms[bad].to_numpy())
    fixed = [
        shapely.union_all([p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")])
        if g.geom_type == "GeometryCollection"
        else g
        for g in fixed
    ]
    out = geoms.copy()
    out[bad] = fixed
    return out


def export_geojson(units: gpd.GeoDataFrame, plan: Plan) -> str:
    """GeoJSON (EPSG:4326 / CRS84) of the plan's units; geometry made valid after reprojection."""
    g = export_frame(units, plan).to_crs("EPSG:4326")
    g["geometry"] = _valid_polygonal(g.geometry)
    return g.to_json(drop_id=True)


# ---------------------------------------------------------------------------------------------- imports
def _fail(label: str, msg: str) -> DataError:
    return DataError(cap_message(f"{label}: {msg}"))


def read_import(data: bytes, name: str, valid_units: set[str], bands: tuple[str, ...]) -> pd.DataFrame:
    """Assignments (unit_code, zone, band, computed_band, band_source, reason) from an uploaded GeoPackage or
    GeoJSON; every problem raises DataError naming the file, and nothing is returned half-checked.

    The file is read in a caged child process (``geodata.sandbox``): a file that would take too long or too much
    memory ends as ``CageError`` (a DataError) and the child is killed."""
    label = excerpt(Path(str(name)).name or "upload", 80)
    low = str(name).lower()
    if "/vsi" in low or low.startswith(("gpkg:", "gdalg:", "vrt:")):
        raise _fail(label, "GDAL virtual paths are not accepted")
    if len(data) > MAX_IMPORT_BYTES:
        raise _fail(label, f"{len(data):,} bytes is over the {MAX_IMPORT_BYTES:,}-byte import limit")
    limits = {"max_features": MAX_FEATURES, "max_vertices": MAX_VERTICES_PER_FEATURE}
    try:
        columns = run_caged(
            _read_import_columns, bytes(data), str(name), set(valid_units), tuple(bands), limits, label=label
        )
        return pd.DataFrame(columns)[list(REQUIRED + OPTIONAL)]
    except DataError as exc:
        raise DataError(cap_message(str(exc))) from None


def _read_import_columns(
    data: bytes, name: str, valid_units: set[str], bands: tuple[str, ...], limits: dict
) -> dict[str, list[str]]:
    """In the cage: ``read_import_uncaged`` as plain columns (lists of str), which is all the parent accepts."""
    out = read_import_uncaged(data, name, valid_units, bands, limits)
    return {c: [str(v) for v in out[c].tolist()] for c in REQUIRED + OPTIONAL}


def read_import_uncaged(
    data: bytes, name: str, valid_units: set[str], bands: tuple[str, ...], limits: dict | None = None
) -> pd.DataFrame:
    """``read_import`` in this process, without the cage: only for the caged child (and the fuzz tests that
    drive the parser directly). ``limits`` overrides MAX_FEATURES / MAX_VERTICES_PER_FEATURE (the parent's
    values, so that the child obeys what the caller set)."""
    global MAX_FEATURES, MAX_VERTICES_PER_FEATURE
    if limits:
        MAX_FEATURES, MAX_VERTICES_PER_FEATURE = int(limits["max_features"]), int(limits["max_vertices"])
    label = excerpt(Path(str(name)).name or "upload", 80)
    try:
        frame, crs = _read_features(bytes(data), str(name), label)
        return _check(frame, crs, label, valid_units, bands)
    except DataError as exc:
        raise DataError(cap_message(str(exc))) from None
    except Exception as exc:  # noqa: BLE001 - anything unforeseen becomes a short message, never a traceback
        raise _fail(label, f"cannot be read ({type(exc).__name__}); nothing imported") from None


def _schema(con: sqlite3.Connection, label: str) -> list[tuple[str, str, str, str]]:
    """(type, name, tbl_name, sql) of every schema object, at most MAX_SCHEMA_OBJECTS (read without running any
    of the file's SQL: sqlite_master is a plain table)."""
    rows = con.execute(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master LIMIT ?", (MAX_SCHEMA_OBJECTS + 1,)
    ).fetchall()
    if len(rows) > MAX_SCHEMA_OBJECTS:
        raise _fail(label, f"more than {MAX_SCHEMA_OBJECTS} tables, indexes and triggers; nothing imported")
    return [(str(t), str(n), str(tn), str(sql)) for t, n, tn, sql in rows]


def _check_schema(con: sqlite3.Connection, schema, label: str) -> set[str]:
    """The names of the plain tables; DataError on a view, a foreign trigger or virtual table, or a generated
    column (each could run SQL of the file's author while GDAL reads it: issue 18 §2, §3)."""
    tables = set()
    for kind, name, _, sql in schema:
        if kind == "view":
            raise _fail(label, "the GeoPackage contains a view (only plain tables are accepted); nothing imported")
        if kind == "trigger" and not _TRIGGER_RE.match(name):
            raise _fail(label, "the GeoPackage contains a trigger that is not GeoPackage bookkeeping; nothing imported")
        if kind == "table" and sql.lstrip()[:14].upper() == "CREATE VIRTUAL":
            if not _RTREE_SQL_RE.match(sql.lstrip()):
                raise _fail(
                    label, "the GeoPackage contains a virtual table that is not an R-tree index; nothing imported"
                )
            continue
        if kind == "table":
            tables.add(name)
    for name in tables:
        for col in con.execute("SELECT hidden FROM pragma_table_xinfo(?)", (name,)).fetchall():
            if col[0] in (2, 3):  # generated column (VIRTUAL or STORED)
                raise _fail(label, "the GeoPackage has a computed (generated) column; nothing imported")
    return tables


def _inspect_gpkg(path: str, label: str) -> tuple[str, int]:
    """The layer to read and its row count, from the file's schema read with sqlite3 (read-only, immutable URI)
    BEFORE GDAL opens it. The layer is the one table of ``gpkg_contents`` (or the one named 'scenario'); it and
    every GeoPackage table GDAL reads must be plain tables. Messages never quote the file."""
    uri = "file:" + urllib.parse.quote(path) + "?mode=ro&immutable=1"
    try:
        con = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        raise _fail(label, "not a readable GeoPackage; nothing imported") from None
    try:
        schema = _schema(con, label)
        tables = _check_schema(con, schema, label)
        meta = {"gpkg_contents", "gpkg_spatial_ref_sys", "gpkg_geometry_columns"}
        if not meta <= tables:
            raise _fail(label, "not a GeoPackage (its required tables are missing); nothing imported")
        rows = con.execute(
            "SELECT table_name, data_type FROM gpkg_contents LIMIT ?", (MAX_SCHEMA_OBJECTS + 1,)
        ).fetchall()
        layers = [str(n) for n, t in rows if str(t) in ("features", "attributes")]
        if not layers:
            raise _fail(label, "the GeoPackage has no layer; nothing imported")
        if len(layers) > 1 and "scenario" not in layers:
            raise _fail(label, f"{len(layers)} layers and none named 'scenario'; nothing imported")
        layer = "scenario" if "scenario" in layers else layers[0]
        if not _LAYER_RE.match(layer):
            raise _fail(label, "the layer name is not accepted (letters, digits, space, _ . - only); nothing imported")
        if layer not in tables or layer in _GPKG_META:
            raise _fail(
                label, "the layer is not a plain table (views and virtual tables are refused); nothing imported"
            )
        n = int(con.execute(f'SELECT count(*) FROM "{layer}"').fetchone()[0])
        return layer, n
    except sqlite3.Error:
        raise _fail(label, "not a readable GeoPackage; nothing imported") from None
    finally:
        con.close()


def _read_features(data: bytes, name: str, label: str) -> tuple[gpd.GeoDataFrame, str | None]:
    low = name.lower()
    if "/vsi" in low or low.startswith(("gpkg:", "gdalg:", "vrt:")):
        raise _fail(label, "GDAL virtual paths are not accepted")
    if len(data) > MAX_IMPORT_BYTES:
        raise _fail(label, f"{len(data):,} bytes is over the {MAX_IMPORT_BYTES:,}-byte import limit")
    if low.endswith(".gpkg"):
        return _read_gpkg(data, label), None
    if low.endswith((".geojson", ".json")):
        return _read_geojson(data, label)
    raise _fail(label, "only GeoPackage (.gpkg) or GeoJSON (.geojson, .json) files are accepted")


def _read_geojson(data: bytes, label: str) -> tuple[gpd.GeoDataFrame, str]:
    """A FeatureCollection's features as a frame in the file's CRS (CRS84 unless it names EPSG:4326/27700)."""
    doc = _geojson_document(data, label)
    crs = _geojson_crs(doc, label)
    feats = doc["features"]
    if len(feats) > MAX_FEATURES:
        raise _fail(label, f"{len(feats):,} features; the limit is {MAX_FEATURES:,}")
    props, geoms, problems = [], [], []
    for i, f in enumerate(feats, start=1):
        try:
            p, geom = _feature(i, f)
        except DataError as exc:
            problems.append(str(exc))
            continue
        props.append(p)
        geoms.append(geom)
        if len(problems) >= 10:
            break
    if problems:
        raise _fail(label, "; ".join(problems[:10]) + "; nothing imported")
    frame = gpd.GeoDataFrame(pd.DataFrame(props), geometry=gpd.GeoSeries(geoms), crs=crs)
    return frame, crs


def _geojson_document(data: bytes, label: str) -> dict:
    """The parsed GeoJSON FeatureCollection (UTF-8, bounded nesting, no NaN/Infinity), or one clear error."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(label, "not valid GeoJSON (not UTF-8 text)") from None
    if not text.lstrip().startswith("{"):
        raise _fail(label, "not valid GeoJSON (does not start with '{')")
    try:
        json_depth_ok(text)
    except DataError as exc:
        raise _fail(label, f"not valid GeoJSON ({exc})") from None
    try:
        doc = json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    except (ValueError, RecursionError) as exc:
        pos = getattr(exc, "pos", None)
        raise _fail(
            label, "not valid GeoJSON" + (f" (error at character {pos:,})" if pos is not None else "")
        ) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise _fail(label, "not valid GeoJSON (expected a FeatureCollection with a features list)")
    return doc


def _geojson_crs(doc: dict, label: str) -> str:
    """The CRS a FeatureCollection names (``crs``, the GeoJSON 2008 member), CRS84 when it names none."""
    if "crs" not in doc or doc["crs"] is None:
        return "OGC:CRS84"
    cname = (doc["crs"].get("properties") or {}).get("name") if isinstance(doc["crs"], dict) else None
    if not isinstance(cname, str) or cname not in GEOJSON_CRS:
        raise _fail(label, f"unsupported crs '{excerpt(cname)}' (use CRS84 / EPSG:4326, or EPSG:27700)")
    return GEOJSON_CRS[cname]


def _feature(i: int, f) -> tuple[dict, shapely.Geometry | None]:
    """Feature ``i``'s plain properties and its geometry (None when null); DataError says what is wrong."""
    if not isinstance(f, dict) or f.get("type") != "Feature":
        raise DataError(f"feature {i} is not a GeoJSON Feature")
    p = f.get("properties")
    if p is None:
        p = {}
    if not isinstance(p, dict):
        raise DataError(f"feature {i}: properties is not an object")
    bad = [k for k, v in p.items() if isinstance(v, (dict, list))]
    if bad:
        raise DataError(f"feature {i}: property '{excerpt(bad[0])}' is not a plain value")
    g = f.get("geometry")
    if g is None:
        return p, None
    try:
        return p, _geometry(g)
    except DataError as exc:
        raise DataError(f"feature {i}: {exc}") from None


def _geometry(g) -> shapely.Geometry:
    """A Polygon/MultiPolygon from a GeoJSON geometry object, bounded in vertices, coordinates finite."""
    if not isinstance(g, dict) or g.get("type") not in ("Polygon", "MultiPolygon"):
        t = g.get("type") if isinstance(g, dict) else type(g).__name__
        raise DataError(f"geometry type '{excerpt(t)}' is not Polygon or MultiPolygon")
    coords = g.get("coordinates")
    if not isinstance(coords, list):
        raise DataError("geometry has no coordinates")
    try:
        geom = shape({"type": g["type"], "coordinates": coords})
    except Exception:  # noqa: BLE001 - malformed coordinate arrays in many shapes
        raise DataError("geometry coordinates are malformed") from None
    n = shapely.get_num_coordinates(geom)
    if n > MAX_VERTICES_PER_FEATURE:
        raise DataError(f"{n:,} vertices; the limit per unit is {MAX_VERTICES_PER_FEATURE:,}")
    if not shapely.is_empty(geom):
        xy = shapely.get_coordinates(geom)
        if not (abs(xy) < 1e9).all():
            raise DataError("geometry has coordinates that are not finite numbers")
    return geom


def _read_gpkg(data: bytes, label: str) -> gpd.GeoDataFrame:
    if len(data) < 100 or not data.startswith(SQLITE_MAGIC):
        raise _fail(label, "not a GeoPackage (no SQLite header); nothing imported")
    app_id = int.from_bytes(data[68:72], "big")
    if app_id != GPKG_APPLICATION_ID:
        raise _fail(label, "not a GeoPackage (SQLite file without the GPKG application id); nothing imported")
    # in the cage's private working folder (which the parent removes too); a fresh name, never a shared path
    tmpdir = tempfile.mkdtemp(prefix="zoneplan-import-")
    try:
        path = os.path.join(tmpdir, "upload.gpkg")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        layer, n_features = _inspect_gpkg(path, label)
        if n_features > MAX_FEATURES:
            raise _fail(label, f"{n_features:,} features; the limit is {MAX_FEATURES:,}")
        g = _gdal_read(f"GPKG:{path}", layer, label)  # the GPKG: prefix: GDAL's GeoPackage driver and no other
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    if g.geometry is not None and len(g):
        n = shapely.get_num_coordinates(g.geometry.to_numpy())
        if len(n) and int(n.max()) > MAX_VERTICES_PER_FEATURE:
            raise _fail(label, f"a unit has {int(n.max()):,} vertices; the limit is {MAX_VERTICES_PER_FEATURE:,}")
        types = set(g.geometry.dropna().geom_type)
        if types - {"Polygon", "MultiPolygon"}:
            raise _fail(label, f"geometry type(s) {', '.join(sorted(types))}: only Polygon or MultiPolygon")
    return g


def _gdal_read(src: str, layer: str, label: str) -> gpd.GeoDataFrame:
    """The layer read by GDAL's GeoPackage driver (after ``_inspect_gpkg`` accepted the file)."""
    import pyogrio

    try:
        layers = [str(n) for n, _ in pyogrio.list_layers(src)]
    except Exception:  # noqa: BLE001
        raise _fail(label, "not a readable GeoPackage; nothing imported") from None
    if layer not in layers:
        raise _fail(label, "not a readable GeoPackage layer; nothing imported")
    try:
        return gpd.read_file(src, layer=layer, engine="pyogrio", max_features=MAX_FEATURES + 1)
    except Exception:  # noqa: BLE001
        raise _fail(label, "the GeoPackage layer cannot be read; nothing imported") from None


def _check(g: gpd.GeoDataFrame, crs, label: str, valid_units: set[str], bands: tuple[str, ...]) -> pd.DataFrame:
    """The common checks on a frame read from either format (one clear error each; all listed at once)."""
    cols = _check_columns(g, label)
    problems: list[str] = []
    values = _column_values(g, cols, problems)
    if problems:
        raise _fail(label, "; ".join(problems[:10]) + "; nothing imported")
    problems = _unit_problems(g, crs, label, values, valid_units, bands)
    if problems:
        raise _fail(label, "; ".join(problems) + "; nothing imported")
    out = pd.DataFrame({c: values[c] for c in REQUIRED + OPTIONAL})
    return out.sort_values("unit_code").reset_index(drop=True)


def _check_columns(g: gpd.GeoDataFrame, label: str) -> list[str]:
    """The frame's attribute columns, after checking it has features, the required columns, no others, and a
    geometry for every feature."""
    geom_col = g.geometry.name if isinstance(g, gpd.GeoDataFrame) and g._geometry_column_name in g.columns else None
    cols = [c for c in g.columns if c != geom_col]
    if not len(g):
        raise _fail(label, "the file has no features; nothing imported")
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise _fail(label, f"missing column(s) {', '.join(missing)}; nothing imported")
    extra = [c for c in cols if str(c) not in ALLOWED]
    if extra:
        raise _fail(
            label,
            f"unexpected column(s) {', '.join(excerpt(c, 30) for c in extra[:5])} (allowed: "
            f"{', '.join(REQUIRED + OPTIONAL)} and the export's {', '.join(EXPORT_EXTRA)}); nothing imported",
        )
    if geom_col is None:
        raise _fail(label, "the file has no geometry column; nothing imported")
    nogeo = (g.geometry.isna() | g.geometry.is_empty).tolist()
    if any(nogeo):
        rows = [str(i + 1) for i, bad in enumerate(nogeo) if bad]
        raise _fail(label, f"no geometry for feature(s) {', '.join(rows[:10])}; nothing imported")
    return cols


def _column_values(g: gpd.GeoDataFrame, cols: list[str], problems: list[str]) -> dict[str, list[str]]:
    """Each known column as clean text ("" where absent); problems are appended (stops after 10)."""
    values: dict[str, list[str]] = {}
    for col in REQUIRED + OPTIONAL:
        if col not in cols:
            values[col] = [""] * len(g)
            continue
        values[col] = [_cell_text(v, i, col, problems) for i, v in enumerate(g[col].tolist(), start=1)]
        if len(problems) >= 10:
            break
    return values


def _cell_text(v, i: int, col: str, problems: list[str]) -> str:
    """Row ``i``'s ``col`` as clean bounded text, or "" with a problem appended."""
    if isinstance(v, bool) or (v is not None and not isinstance(v, (str, int, float))):
        problems.append(f"row {i}: {col} is not text")
        return ""
    try:
        s = clean_text(
            v, f"row {i}: {col}", max_len=MAX_LONG_TEXT if col == "reason" else MAX_TEXT, required=col in REQUIRED
        )
    except DataError as exc:
        problems.append(str(exc))
        return ""
    if s.startswith(FORMULA_START):
        problems.append(f"row {i}: column {col} starts like a spreadsheet formula")
    return s


def _unit_problems(
    g: gpd.GeoDataFrame, crs, label: str, values: dict[str, list[str]], valid_units: set[str], bands: tuple[str, ...]
) -> list[str]:
    """Invalid geometries, unknown or duplicate unit codes and unknown bands (a CRS off the council raises)."""
    problems: list[str] = []
    geo = gpd.GeoDataFrame({"unit_code": values["unit_code"]}, geometry=g.geometry.values, crs=g.crs or crs)
    # validity in the file's own CRS (reprojecting to EPSG:27700 can make a valid lon/lat ring touch itself;
    # that is not the file's fault, and the geometry is only checked, never stored)
    invalid = [c for c, v in zip(values["unit_code"], geo.geometry.is_valid) if not v]
    check_crs(geo, label)
    if invalid:
        problems.append(f"invalid geometry for unit(s) {', '.join(excerpt(c, 20) for c in invalid[:10])}")
    codes = pd.Series(values["unit_code"])
    unknown = sorted(set(codes) - set(valid_units))
    if unknown:
        problems.append(f"unknown unit code(s) {', '.join(excerpt(c, 20) for c in unknown[:10])}")
    dup = sorted(set(codes[codes.duplicated()]))
    if dup:
        problems.append(f"duplicate unit code(s) {', '.join(excerpt(c, 20) for c in dup[:10])}")
    badband = sorted(set(values["band"]) - set(bands))
    if badband:
        problems.append(f"unknown band(s) {', '.join(excerpt(b, 20) for b in badband[:5])}")
    return problems
