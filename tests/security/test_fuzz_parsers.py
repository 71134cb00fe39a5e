"""Issue 18 "fuzzing, not only examples": a Hypothesis target per parser and the hostile-file corpus.

Budget: each Hypothesis target runs at most ``FUZZ_EXAMPLES`` examples (deadline ``DEADLINE_MS`` per example), with
derandomised seeds so a run is repeatable; the corpus (``tests/security/corpus``, built by ``make_corpus.py``)
goes through the public, caged entry points. The whole file runs in well under 60 s on the shared 2-core machine.
Each input must end as a clear DataError (one sentence, capped, no file content) or a good import within the limits.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.datadir import DataError
from geodata.limits import MAX_ERROR_CHARS, hours_per_week, json_depth_ok, number_text
from tests.security import make_corpus
from tests.security.conftest import BANDS, VALID

FUZZ_EXAMPLES = 60
DEADLINE_MS = 2000
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=DEADLINE_MS,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CORPUS = Path(__file__).resolve().parent / "corpus"


def _clear(exc: BaseException, limit: int = MAX_ERROR_CHARS) -> str:
    """The message of a refusal: a DataError, short, one line, quoting no secret of the corpus."""
    assert isinstance(exc, DataError), type(exc)
    msg = str(exc)
    assert msg and len(msg) <= limit and "\n" not in msg and "Traceback" not in msg
    assert "TOPSECRET" not in msg and "SECRET_ZONE" not in msg
    return msg


# ------------------------------------------------------------------------------------------ the corpus
def resolve(name):
    return {"Alpha": ["A"], "Bravo": ["B"]}.get(name, [])


def _units():
    from tests.security.conftest import units

    return units(2)


def _import_corpus_file(path: Path):
    from geodata.demand import import_hours_csv
    from zones.moves import parse_moves
    from zones.service.scenario_io import read_import

    if path.name.startswith("moves_"):
        return parse_moves(path, resolve, BANDS)
    if path.name.startswith("hours_"):
        return import_hours_csv(path, _units())
    return read_import(path.read_bytes(), path.name, VALID, BANDS)


def test_the_corpus_is_what_make_corpus_builds(tmp_path):
    built = {p.name for p in make_corpus.build(tmp_path)}
    assert built == {p.name for p in CORPUS.iterdir()} == set(make_corpus.EXPECTED)
    for name in ("quadratic_escaped_quotes.geojson", "vrt_as_gpkg.gpkg", "moves_fullwidth.csv"):  # exact payloads
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes()
    assert (CORPUS / "quadratic_escaped_quotes.geojson").read_bytes() == b'{"' + b'\\"' * 60_000


@pytest.mark.parametrize("name", sorted(make_corpus.EXPECTED))
def test_every_corpus_file_ends_as_a_clear_error_or_a_good_import(name):
    want = make_corpus.EXPECTED[name]
    path = CORPUS / name
    if want == make_corpus.OK:
        out = _import_corpus_file(path)
        assert len(out) >= 1
        if isinstance(out, pd.DataFrame):
            assert set(out["unit_code"]) <= VALID and set(out["band"]) <= set(BANDS)
        return
    with pytest.raises(DataError, match=want) as e:
        _import_corpus_file(path)
    _clear(e.value, 2000 if name.startswith(("moves_", "hours_")) else MAX_ERROR_CHARS)


# ------------------------------------------------------------------------------------------ JSON depth
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab"\\[]{}\u00e9 ', max_size=12),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(alphabet='k"\\[{', max_size=4), kids, max_size=4),
    max_leaves=40,
)


def _depth(o) -> int:
    if isinstance(o, dict):
        return 1 + max([_depth(v) for v in o.values()] or [0])
    if isinstance(o, list):
        return 1 + max([_depth(v) for v in o] or [0])
    return 0


@FUZZ
@given(json_values, st.booleans())
def test_fuzz_json_depth_equals_the_parsers_depth(value, ascii_only):
    """Structured JSON with quotes, backslashes and brackets inside strings and keys: the linear scan finds the
    same depth as the parsed object."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert json_depth_ok(text, max_depth=10_000) == _depth(value)


@FUZZ
@given(st.text(alphabet='"\\[]{}a,:', max_size=300))
def test_fuzz_json_depth_on_any_text_finishes_and_bounds_valid_json(text):
    try:
        d = json_depth_ok(text, max_depth=10_000)
    except DataError:
        pytest.fail("depth under 10,000 is never refused")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return
    assert d == _depth(value)


# ------------------------------------------------------------------------------------------ numbers
_DIGITS = "0123456789"
_HOSTILE = "_.-+eE ,\u0661\u0662\uff11\uff12\u00a0\u2212x"


@FUZZ
@given(
    st.text(alphabet=_DIGITS + _HOSTILE, max_size=20)
    | st.sampled_from(
        ["1_000", "\u0661\u0662", "\uff11\uff12", "1e3", "NaN", "Infinity", "-inf", "sNaN", "1E+2", "0x10", "\u00bd"]
    )
)
def test_fuzz_numbers_are_ascii_digits_with_at_most_one_point(text):
    import re

    plain = re.fullmatch(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", text.strip(" \t\r\n"), re.ASCII)
    try:
        out = number_text(text, "hours_per_week", allow_negative=True)
    except DataError as exc:
        assert plain is None or len(text.strip()) > 40
        _clear(exc)
        return
    assert plain is not None and out.isascii() and out.count(".") <= 1
    assert Decimal(out) == Decimal(plain.group(0))


@FUZZ
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=100_000, places=4))
def test_fuzz_every_plain_figure_in_bounds_is_accepted(d):
    assert hours_per_week(format(d, "f")) == d
    assert hours_per_week(float(d)) == Decimal(repr(float(d)))


# ------------------------------------------------------------------------------------------ moves CSV
cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=15)
number_cells = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str),
    st.text(alphabet=_DIGITS + _HOSTILE, max_size=10),
)
moves_rows = st.lists(
    st.tuples(
        cells,
        st.sampled_from(["Alpha", "Bravo", "Alpha;Bravo", "Nowhere", ""]) | cells,
        st.sampled_from(BANDS + ("URBAN", "x")),
        st.sampled_from(BANDS + ("",)),
        number_cells,
    ),
    max_size=8,
)


@FUZZ
@given(moves_rows, st.booleans())
def test_fuzz_moves_cells_then_rows(rows, bom):
    """Structured moves files (good and hostile cells): the caged half returns plain cells, the parent half
    MoveRows or one MovesError; every accepted row is checked text and a bounded ASCII figure."""
    from zones.moves import MovesError, _resolve_rows, moves_cells

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(make_corpus.MOVES_HEAD.strip().split(","))
    w.writerows(rows)
    data = (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode()
    fatal, items = moves_cells(data, "m.csv")
    if fatal:
        assert items and all(isinstance(p, str) for p in items)
        return
    try:
        out = _resolve_rows(items, resolve, BANDS, "m.csv")
    except MovesError as exc:
        _clear(exc, 2000)
        return
    for r in out:
        assert r.unit_codes and set(r.unit_codes) <= {"A", "B"} and r.from_band in BANDS and r.to_band in BANDS
        assert Decimal(0) <= r.hours_per_week <= Decimal(100_000) and str(r.hours_per_week).isascii()


# ------------------------------------------------------------------------------------------ hours CSV
@FUZZ
@given(
    st.lists(st.tuples(st.sampled_from(["U0", "U1", "Unit 0", "u9", ""]) | cells, number_cells), max_size=8),
    st.sampled_from(["unit,hours_per_week", "unit", "hours_per_week,unit,extra"]),
)
def test_fuzz_hours_cells(rows, header):
    from geodata.demand import _hours_from_cells, hours_cells

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header.split(","))
    w.writerows(rows)
    try:
        cells_out = hours_cells(buf.getvalue().encode(), "hours.csv")
        hours, _ = _hours_from_cells(cells_out, Path("hours.csv"), _units(), None)
    except DataError as exc:
        _clear(exc, 2000)
        return
    assert len(hours) == 2 and all(0 <= h <= 100_000 for h in hours)


# ------------------------------------------------------------------------------------------ GeoJSON
props = st.dictionaries(
    st.sampled_from(["unit_code", "zone", "band", "reason", "computed_band", "evil"]),
    st.none() | st.integers() | st.floats() | cells | st.sampled_from(sorted(VALID) + list(BANDS)),
    max_size=6,
)
coords = st.lists(st.tuples(st.floats(-2, 2), st.floats(51, 53)).map(list), min_size=0, max_size=6)
geoms = st.none() | st.fixed_dictionaries(
    {"type": st.sampled_from(["Polygon", "MultiPolygon", "Point", "x"]), "coordinates": st.lists(coords, max_size=2)}
)
features = st.lists(
    st.fixed_dictionaries({"type": st.just("Feature"), "properties": props, "geometry": geoms})
    | st.integers()
    | st.none(),
    max_size=5,
)


@FUZZ
@given(
    features,
    st.sampled_from(
        [
            None,
            {"type": "name", "properties": {"name": "EPSG:27700"}},
            {"type": "name", "properties": {"name": "EPSG:3857"}},
            7,
        ]
    ),
)
def test_fuzz_geojson_import(feats, crs):
    from zones.service.scenario_io import read_import_uncaged

    doc = {"type": "FeatureCollection", "features": feats}
    if crs is not None:
        doc["crs"] = crs
    try:
        out = read_import_uncaged(json.dumps(doc).encode(), "f.geojson", VALID, BANDS)
    except DataError as exc:
        _clear(exc)
        return
    assert len(out) == len(feats) and set(out["unit_code"]) <= VALID and set(out["band"]) <= set(BANDS)


# ------------------------------------------------------------------------------------------ GeoPackage
schema_tricks = st.sampled_from(
    [
        "none",
        "view_layer",
        "recursive_view_elsewhere",
        "trigger",
        "generated",
        "fts",
        "rtree_like_trigger",
        "contents_names_missing",
        "two_layers",
        "index",
    ]
)


@settings(FUZZ, max_examples=25)
@given(
    schema_tricks,
    st.lists(st.tuples(st.sampled_from(sorted(VALID) + ["X"]), cells, st.sampled_from(BANDS)), min_size=1, max_size=4),
)
def test_fuzz_geopackage_schema(tmp_path_factory, trick, rows):
    """GeoPackages made with sqlite3 with one schema trick each: anything but plain tables is refused before
    GDAL opens the file; a plain file imports or ends in a clear error."""
    from zones.service.scenario_io import read_import_uncaged

    path = tmp_path_factory.mktemp("gpkg") / "f.gpkg"
    table = make_corpus._TABLE
    inserts = [
        ("INSERT INTO scenario (geom, unit_code, zone, band) VALUES (?, ?, ?, ?)", (make_corpus.GEOM, *r)) for r in rows
    ]
    extra = {
        "view_layer": [],
        "recursive_view_elsewhere": [
            "CREATE VIEW v AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n"
        ],
        "trigger": ["CREATE TRIGGER t AFTER INSERT ON scenario BEGIN SELECT 1; END"],
        "generated": ["CREATE TABLE g (a TEXT, b TEXT GENERATED ALWAYS AS (a || a) VIRTUAL)"],
        "fts": ["CREATE VIRTUAL TABLE f USING fts5(body)"],
        "rtree_like_trigger": [
            "CREATE TRIGGER rtree_scenario_geom_insert AFTER INSERT ON scenario BEGIN SELECT 1; END"
        ],
        "index": ["CREATE INDEX i ON scenario(zone)"],
    }.get(trick, [])
    layer_sql = (
        [table]
        if trick != "view_layer"
        else [
            f"CREATE VIEW scenario AS SELECT 1 AS fid, X'{make_corpus.GEOM.hex()}' AS geom, 'U0' AS unit_code, "
            "'Z' AS zone, 'urban' AS band"
        ]
    )
    make_corpus._gpkg(
        path, layer_sql, extra=extra, contents_table="missing" if trick == "contents_names_missing" else "scenario"
    )
    con = sqlite3.connect(path)
    if trick != "view_layer":
        for sql, args in inserts:
            con.execute(sql, args)
    if trick == "two_layers":
        con.execute("CREATE TABLE other (fid INTEGER PRIMARY KEY, geom POLYGON)")
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES "
            "('other', 'features', 'other', 27700)"
        )
    con.commit()
    con.close()
    try:
        out = read_import_uncaged(path.read_bytes(), "f.gpkg", VALID, BANDS)
    except DataError as exc:
        msg = _clear(exc)
        if trick in ("view_layer", "recursive_view_elsewhere"):
            assert "view" in msg
        return
    assert trick in ("none", "rtree_like_trigger", "two_layers", "index"), trick
    assert sorted(out["unit_code"]) == sorted(r[0] for r in rows)
