"""Build the hostile-file corpus of issue 18 under ``tests/security/corpus/`` (synthetic; no real data).

Run: ``python -m tests.security.make_corpus`` (rewrites the folder). ``EXPECTED`` maps each file to what the
importer must answer: a regular expression its one-sentence DataError must match, or ``OK`` for a good import.
Every payload of the issue is here: the quadratic JSON (``{"`` + 60,000 ``\\"``), the recursive-CTE view and the
zeroblob memory-bomb view as GeoPackage layers, a VRT and a GDALG pipeline named ``.gpkg``, and the number forms a
spreadsheet shows as text. The payloads of the scenario files name ``TOPSECRET`` / ``SECRET_ZONE`` so a test can
check that no message quotes the file.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from pathlib import Path

import shapely

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
OK = "OK"
GPKG_APPLICATION_ID = 0x47504B47
SECRET = "TOPSECRET_ROW_1"

# a GeoPackage's geometry blob (header "GP", version 0, flags 1 = little endian, no envelope, srs 27700) + WKB
_SQUARE_WKB = shapely.to_wkb(shapely.box(450000, 300000, 451000, 301000), byte_order=1)
GEOM = b"GP\x00\x01" + (27700).to_bytes(4, "little") + _SQUARE_WKB

EXPECTED: dict[str, str] = {
    # GeoJSON (issue 18 §1 and friends)
    "quadratic_escaped_quotes.geojson": "not valid GeoJSON",
    "quadratic_escaped_quotes_closed.geojson": "no features",
    "brackets_hidden_in_escapes.geojson": "nested 40 levels",
    "deep_nesting.geojson": "nested 10,001 levels",
    "nan_coordinates.geojson": "not valid GeoJSON",
    "gdalg_pipeline.geojson": "FeatureCollection",
    "vrt.geojson": "not valid GeoJSON",
    "latin1.geojson": "not UTF-8",
    "formula_zone.geojson": "spreadsheet formula",
    "control_characters.geojson": "control characters",
    "long_zone.geojson": "characters long",
    "good.geojson": OK,
    # GeoPackage (issue 18 §2, §3 and the schema tricks around them)
    "recursive_cte_view.gpkg": "contains a view",
    "zeroblob_view.gpkg": "contains a view",
    "contents_is_a_view.gpkg": "contains a view",
    "generated_column.gpkg": "generated",
    "foreign_trigger.gpkg": "trigger",
    "fts_virtual_table.gpkg": "virtual table",
    "layer_not_a_table.gpkg": "not a plain table",
    "vrt_as_gpkg.gpkg": "not a GeoPackage",
    "gdalg_as_gpkg.gpkg": "not a GeoPackage",
    "plain_sqlite.gpkg": "GPKG application id",
    "truncated.gpkg": "not a (readable )?GeoPackage",
    "good_sqlite_made.gpkg": OK,
    # moves CSVs (issue 18 §6 and issue 11)
    "moves_underscore.csv": "not a number",
    "moves_arabic_indic.csv": "not a number",
    "moves_fullwidth.csv": "not a number",
    "moves_exponent.csv": "not a number",
    "moves_nan.csv": "not a finite",
    "moves_infinity.csv": "not a finite",
    "moves_nul.csv": "control characters",
    "moves_latin1.csv": "not UTF-8",
    "moves_formula.csv": "spreadsheet formula",
    "moves_huge_cell.csv": "characters long",
    "moves_good.csv": OK,
    # council hours CSVs
    "hours_underscore.csv": "not a number",
    "hours_fullwidth.csv": "not a number",
    "hours_exponent.csv": "not a number",
    "hours_nan.csv": "not a finite",
    "hours_huge_cell.csv": "characters long",
    "hours_good.csv": OK,
}


def _feature(code="U0", zone="Z1", band="urban", **props) -> dict:
    ring = [[-1.1, 52.6], [-1.09, 52.6], [-1.09, 52.61], [-1.1, 52.61], [-1.1, 52.6]]
    return {
        "type": "Feature",
        "properties": {"unit_code": code, "zone": zone, "band": band, **props},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _fc(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def geojson_files() -> dict[str, bytes]:
    esc = b'\\"' * 60_000
    hidden = b'{"type":"FeatureCollection","features":[],"x":"\\\\"' + b"[" * 39 + b"]" * 39 + b"}"
    return {
        "quadratic_escaped_quotes.geojson": b'{"' + esc,
        "quadratic_escaped_quotes_closed.geojson": b'{"type":"FeatureCollection","features":[],"x":"' + esc + b'"}',
        "brackets_hidden_in_escapes.geojson": hidden,
        "deep_nesting.geojson": b'{"type":"FeatureCollection","features":' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        "nan_coordinates.geojson": _fc([_feature()]).replace(b"-1.1, 52.6]", b"NaN, 52.6]"),
        "gdalg_pipeline.geojson": json.dumps(
            {
                "type": "gdal_streamed_alg",
                "command_line": "gdal vector pipeline ! read /etc/passwd ! write --of stream x",
            }
        ).encode(),
        "vrt.geojson": b"<OGRVRTDataSource><OGRVRTLayer name='scenario'><SrcDataSource>/etc/passwd</SrcDataSource>"
        b"</OGRVRTLayer></OGRVRTDataSource>",
        "latin1.geojson": _fc([_feature(zone="Zon\u00e9")]).decode().replace("\\u00e9", "\u00e9").encode("latin-1"),
        "formula_zone.geojson": _fc([_feature(zone='=HYPERLINK("http://x")')]),
        "control_characters.geojson": _fc([_feature(zone="North\x1b[31m")]),
        "long_zone.geojson": _fc([_feature(zone="SECRET_ZONE" * 1000)]),
        "good.geojson": _fc([_feature("U0", "Z1", "urban"), _feature("U1", "Z1", "rural", reason="far")]),
    }


def _gpkg(
    path: Path,
    layer_sql: list[str],
    contents_table: str = "scenario",
    contents_view: bool = False,
    extra: list[str] = (),
) -> None:
    """A minimal GeoPackage written with sqlite3: the three required tables, ``layer_sql`` for the layer."""
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
    con.execute("PRAGMA user_version = 10400")
    con.execute(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization "
        "TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)"
    )
    con.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('British National Grid', 27700, 'EPSG', 27700, "
        '\'PROJCS["OSGB36 / British National Grid",GEOGCS["OSGB36",DATUM["Ordnance_Survey_of_Great_'
        'Britain_1936",SPHEROID["Airy 1830",6377563.396,299.3249646]],PRIMEM["Greenwich",0],UNIT['
        '"degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin'
        '",49],PARAMETER["central_meridian",-2],PARAMETER["scale_factor",0.9996012717],PARAMETER['
        '"false_easting",400000],PARAMETER["false_northing",-100000],UNIT["metre",1],AUTHORITY["EPSG'
        '","27700"]]\', NULL)'
    )
    for srs in ((-1, "Undefined cartesian SRS"), (0, "Undefined geographic SRS")):
        con.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'NONE', ?, 'undefined', NULL)", (srs[1], srs[0], srs[0])
        )
    contents = (
        "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, "
        "identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT "
        "(strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, "
        "srs_id INTEGER)"
    )
    if contents_view:
        con.execute(
            "CREATE VIEW gpkg_contents AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
            f"SELECT '{contents_table}' || i AS table_name, 'features' AS data_type, 'x' || i AS identifier, "
            "'' AS description, '2026-01-01T00:00:00Z' AS last_change, 0 AS min_x, 0 AS min_y, 1 AS max_x, "
            "1 AS max_y, 27700 AS srs_id FROM n"
        )
    else:
        con.execute(contents)
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, 27700)",
            (contents_table, contents_table),
        )
    con.execute(
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
        "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, "
        "CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name))"
    )
    con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POLYGON', 27700, 0, 0)", (contents_table,))
    for sql in list(layer_sql) + list(extra):
        con.execute(sql)
    con.commit()
    con.close()


_TABLE = (
    "CREATE TABLE scenario (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom POLYGON, unit_code TEXT, "
    "zone TEXT, band TEXT)"
)
_ROWS = [
    f"INSERT INTO scenario (geom, unit_code, zone, band) VALUES (X'{GEOM.hex()}', 'U{i}', 'Z1', 'urban')"
    for i in range(2)
]


def gpkg_files(tmp: Path) -> dict[str, bytes]:
    recursive = (
        "CREATE VIEW scenario AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        f"SELECT i AS fid, X'{GEOM.hex()}' AS geom, 'U0' AS unit_code, '{SECRET}' AS zone, "
        "'urban' AS band FROM n"
    )
    zeroblob = (
        f"CREATE VIEW scenario AS SELECT 1 AS fid, X'{GEOM.hex()}' AS geom, 'U0' AS unit_code, "
        "replace(hex(zeroblob(300000000)), '0', 'Z') AS zone, 'urban' AS band"
    )
    specs = {
        "recursive_cte_view.gpkg": dict(layer_sql=[recursive]),
        "zeroblob_view.gpkg": dict(layer_sql=[zeroblob]),
        "contents_is_a_view.gpkg": dict(layer_sql=[_TABLE, *_ROWS], contents_view=True),
        "generated_column.gpkg": dict(
            layer_sql=[
                "CREATE TABLE scenario (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom POLYGON, unit_code TEXT, "
                "zone TEXT GENERATED ALWAYS AS (replace(hex(zeroblob(300000000)), '0', 'Z')) VIRTUAL, band TEXT)",
                f"INSERT INTO scenario (geom, unit_code, band) VALUES (X'{GEOM.hex()}', 'U0', 'urban')",
            ]
        ),
        "foreign_trigger.gpkg": dict(
            layer_sql=[_TABLE, *_ROWS],
            extra=[
                "CREATE TABLE log (x TEXT)",
                "CREATE TRIGGER evil AFTER INSERT ON scenario BEGIN INSERT INTO log VALUES (new.zone); END",
            ],
        ),
        "fts_virtual_table.gpkg": dict(
            layer_sql=[_TABLE, *_ROWS], extra=["CREATE VIRTUAL TABLE notes USING fts5(body)"]
        ),
        "layer_not_a_table.gpkg": dict(layer_sql=[_TABLE, *_ROWS], contents_table="gpkg_spatial_ref_sys"),
        "good_sqlite_made.gpkg": dict(layer_sql=[_TABLE, *_ROWS]),
    }
    out = {}
    for name, spec in specs.items():
        p = tmp / name
        p.unlink(missing_ok=True)
        _gpkg(p, **spec)
        out[name] = p.read_bytes()
    plain = tmp / "plain.sqlite"
    plain.unlink(missing_ok=True)
    con = sqlite3.connect(plain)
    con.execute("CREATE TABLE scenario (unit_code TEXT, zone TEXT, band TEXT)")
    con.execute(f"INSERT INTO scenario VALUES ('{SECRET}', 'SECRET_ZONE', 'urban')")
    con.commit()
    con.close()
    out["plain_sqlite.gpkg"] = plain.read_bytes()
    out["truncated.gpkg"] = out["good_sqlite_made.gpkg"][:3000]
    out["vrt_as_gpkg.gpkg"] = (
        b'<OGRVRTDataSource><OGRVRTLayer name="scenario"><SrcDataSource>/etc/passwd'
        b"</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    )
    out["gdalg_as_gpkg.gpkg"] = geojson_files()["gdalg_pipeline.geojson"]
    return out


MOVES_HEAD = "subzone,unit,from_band,to_band,hours_per_week\n"
HOURS_HEAD = "unit,hours_per_week\n"


def csv_files() -> dict[str, bytes]:
    def moves(hours="1.5", unit="Alpha", subzone="x") -> bytes:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([subzone, unit, "urban", "fringe", hours])
        return (MOVES_HEAD + buf.getvalue()).encode()

    def hours(value="10", unit="U0") -> bytes:
        return (HOURS_HEAD + f"{unit},{value}\nU1,5\n").encode()

    return {
        "moves_underscore.csv": moves("1_000"),
        "moves_arabic_indic.csv": moves("\u0661\u0662"),
        "moves_fullwidth.csv": moves("\uff11\uff12"),
        "moves_exponent.csv": moves("1e3"),
        "moves_nan.csv": moves("NaN"),
        "moves_infinity.csv": moves("Infinity"),
        "moves_nul.csv": moves(unit="Al\x00pha"),
        "moves_latin1.csv": (MOVES_HEAD + "Zon\u00e9,Alpha,urban,fringe,1\n").encode("latin-1"),
        "moves_formula.csv": moves(subzone="=cmd|' /C calc'!A0"),
        "moves_huge_cell.csv": moves(unit="A" * 20_000),
        "moves_good.csv": moves(),
        "hours_underscore.csv": hours("1_000"),
        "hours_fullwidth.csv": hours("\uff11\uff12"),
        "hours_exponent.csv": hours("1e3"),
        "hours_nan.csv": hours("NaN"),
        "hours_huge_cell.csv": hours(unit="U" * 20_000),
        "hours_good.csv": hours(),
    }


def build(out: Path = CORPUS) -> list[Path]:
    """Write every corpus file into ``out``; the list of paths written."""
    out.mkdir(parents=True, exist_ok=True)
    files = {**geojson_files(), **gpkg_files(out), **csv_files()}
    for p in out.glob("plain.sqlite"):
        p.unlink()
    assert set(files) == set(EXPECTED), set(files) ^ set(EXPECTED)
    paths = []
    for name, data in sorted(files.items()):
        p = out / name
        p.write_bytes(data)
        paths.append(p)
    return paths


if __name__ == "__main__":
    written = build(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS)
    print(f"{len(written)} files, {sum(p.stat().st_size for p in written):,} bytes")
