"""Scenario store: the same suite on SQLite and on a real PostgreSQL+PostGIS (started by the fixture)."""

from __future__ import annotations

import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from geodata.datadir import DataError
from zones.plan import Plan
from zones.rates import RateCard
from zones.service.auth import User, authenticate, hash_password
from zones.service.scenario_io import export_geojson, export_gpkg, read_import
from zones.service.store import ConflictError, Store, StoreError

ROOT = Path(__file__).resolve().parents[2]
BANDS = ("urban", "fringe", "rural", "isolated")
CARD = RateCard(year="2025/26", rates={b: Decimal(r) for b, r in zip(BANDS, ["25.27", "26.36", "29.39", "32.71"])})


def units(n=6):
    return gpd.GeoDataFrame(
        {"unit_code": [f"U{i}" for i in range(n)], "unit_name": [f"Unit {i}" for i in range(n)]},
        geometry=[box(450000 + 1000 * i, 300000, 451000 + 1000 * i, 301000) for i in range(n)],
        crs="EPSG:27700",
    )


def plan(n=6):
    return Plan.build(
        "t",
        [f"U{i}" for i in range(n)],
        [f"Unit {i}" for i in range(n)],
        [10.0 * (i + 1) for i in range(n)],
        ["Z1"] * (n // 2) + ["Z2"] * (n - n // 2),
        [BANDS[i % 4] for i in range(n)],
        CARD,
        band_names=BANDS,
        computed_bands=[BANDS[i % 4] for i in range(n)],
    )


VALID = {f"U{i}" for i in range(6)}


@pytest.fixture(params=["sqlite", "postgis"])
def store(request, tmp_path):
    if request.param == "sqlite":
        return Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    return Store(request.getfixturevalue("postgis_db"))  # a database made for this test, dropped after it


def test_save_reopen_version_compare_publish(store):
    p = plan()
    v1 = store.create("t", "Draft A", p.assignments(), CARD.to_dict(), description="first", valid_units=VALID)
    assert v1.number == 1 and len(v1.assignments) == 6
    p2 = p.move("U1", band="isolated", reason="far from town")
    v2 = store.save(v1.scenario_id, 1, p2.assignments(), CARD.to_dict(), note="U1 isolated", valid_units=VALID)
    assert v2.number == 2
    again = store.load(v1.scenario_id, 1)
    pd.testing.assert_frame_equal(again.assignments, v1.assignments)
    diff = store.compare((v1.scenario_id, 1), (v1.scenario_id, 2))
    assert diff["unit_code"].tolist() == ["U1"] and diff["band_b"].tolist() == ["isolated"]
    back = Plan.from_assignments(p, store.load(v1.scenario_id, 2).assignments)
    assert back.band_of("U1") == "isolated"
    link = store.publish(v1.scenario_id, 2)
    assert link == f"?council={v1.council}&scenario={v1.scenario_id}&version=2&readonly=1"  # everything to open it
    log = store.audit_log(v1.scenario_id)
    assert list(log["action"]) == ["create", "change", "publish"]
    row = log[log["action"] == "change"].iloc[0]
    assert (row["unit_code"], row["from_band"], row["to_band"], row["reason"]) == (
        "U1",
        "fringe",
        "isolated",
        "far from town",
    )


def test_second_editor_gets_a_conflict_and_nothing_is_overwritten(store):
    v1 = store.create("t", "Shared", plan().assignments(), CARD.to_dict(), valid_units=VALID)
    alice = store.as_user(User("alice", "editor"))
    bob = store.as_user(User("bob", "editor"))
    alice.save(v1.scenario_id, 1, plan().move("U0", band="rural").assignments(), CARD.to_dict())
    with pytest.raises(ConflictError, match="has version 2"):
        bob.save(v1.scenario_id, 1, plan().move("U0", band="isolated").assignments(), CARD.to_dict())
    latest = store.load(v1.scenario_id)
    assert latest.number == 2 and latest.assignments.set_index("unit_code").loc["U0", "band"] == "rural"


def test_viewer_is_refused_writes_and_sees_only_published(store):
    v1 = store.create("t", "Roles", plan().assignments(), CARD.to_dict(), valid_units=VALID)
    viewer = store.as_user(User("scrutiny", "viewer"))
    with pytest.raises(StoreError, match="may not change"):
        viewer.save(v1.scenario_id, 1, plan().assignments(), CARD.to_dict())
    with pytest.raises(StoreError, match="may not publish"):
        viewer.publish(v1.scenario_id, 1)
    with pytest.raises(StoreError):
        viewer.load(v1.scenario_id)
    assert viewer.list("t").empty
    store.publish(v1.scenario_id, 1)
    assert viewer.load(v1.scenario_id).number == 1
    assert len(viewer.list("t")) == 1


def test_bad_assignments_store_nothing(store):
    bad = plan().assignments()
    bad.loc[0, "unit_code"] = "NOPE"
    with pytest.raises(DataError, match="unknown unit code"):
        store.create("t", "Bad", bad, CARD.to_dict(), valid_units=VALID)
    assert store.list("t").empty


def test_users_file_hashes_and_roles(tmp_path):
    f = tmp_path / "users.toml"
    f.write_text(f'[users.ann]\nrole = "viewer"\npassword_bcrypt = "{hash_password("s3cret")}"\n')
    assert authenticate("ann", "s3cret", f) == User("ann", "viewer")
    assert authenticate("ann", "wrong", f) is None
    assert authenticate("nobody", "x", f) is None


def test_export_import_round_trip_identical(tmp_path):
    u, p = units(), plan().move("U2", band="isolated", reason="test")
    gpkg = export_gpkg(u, p, tmp_path / "s.gpkg")
    got = read_import(gpkg.read_bytes(), "s.gpkg", VALID, BANDS)
    want = p.assignments().sort_values("unit_code").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    gj = export_geojson(u, p)
    pd.testing.assert_frame_equal(read_import(gj.encode(), "s.geojson", VALID, BANDS), want)


def test_bad_imports_give_clear_errors(tmp_path):
    u, p = units(), plan()
    with pytest.raises(DataError, match="not valid GeoJSON"):
        read_import(b'{"type": "FeatureCollection", "features": [', "broken.geojson", VALID, BANDS)
    with pytest.raises(DataError, match="import limit"):
        read_import(b" " * (200 * 1024 * 1024), "huge.geojson", VALID, BANDS)
    g = export_frame_with(u, p)
    g.loc[0, "unit_code"] = "ZZZ"
    with pytest.raises(DataError, match="unknown unit code"):
        read_import(g.to_crs("EPSG:4326").to_json().encode(), "unknown.geojson", VALID, BANDS)
    g = export_frame_with(u, p)
    g.loc[1, "reason"] = "=cmd|' /C calc'!A0"
    with pytest.raises(DataError, match="formula"):
        read_import(g.to_crs("EPSG:4326").to_json().encode(), "formula.geojson", VALID, BANDS)
    wrong = export_frame_with(u, p).set_crs("EPSG:4326", allow_override=True)  # metres labelled as degrees
    with pytest.raises(DataError, match="Great Britain"):
        read_import(wrong.to_json().encode(), "wrongcrs.geojson", VALID, BANDS)
    from shapely.geometry import Polygon

    bow = export_frame_with(u, p)
    bow.loc[0, "geometry"] = Polygon([(450000, 300000), (450100, 300100), (450100, 300000), (450000, 300100)])
    with pytest.raises(DataError, match="invalid geometry"):
        read_import(bow.to_crs("EPSG:4326").to_json().encode(), "bowtie.geojson", VALID, BANDS)


def export_frame_with(u, p):
    from zones.service.scenario_io import export_frame

    return export_frame(u, p)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400) | st.text(max_size=300).map(str.encode))
def test_fuzzed_imports_never_crash_otherwise(data):
    try:
        out = read_import(data, "fuzz.geojson", VALID, BANDS)
    except DataError:
        return
    assert set(out["unit_code"]) <= VALID


def test_kill_minus_9_during_save_leaves_previous_version(tmp_path):
    """A save killed (SIGKILL) half-way through writing its rows leaves version 1 only. The child process stops
    the save at a point the test chooses (store.SAVE_CHUNK_HOOK, after half the rows are written inside the
    transaction), says so, and blocks; the test kills it then: no timing involved."""
    url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    n = 2000
    big = Plan.build(
        "t",
        [f"U{i}" for i in range(n)],
        [f"U{i}" for i in range(n)],
        [1.0] * n,
        ["Z"] * n,
        ["urban"] * n,
        CARD,
        band_names=BANDS,
    )
    s = Store(url)
    v1 = s.create("t", "Crash", big.assignments(), CARD.to_dict())
    script = tmp_path / "save.py"
    script.write_text(f"""
import sys; sys.path.insert(0, {str(ROOT)!r})
from decimal import Decimal
from zones.plan import Plan
from zones.rates import RateCard
from zones.service import store
BANDS = {BANDS!r}
CARD = RateCard(year="2025/26", rates={{b: Decimal("25") for b in BANDS}})
n = {n}
codes = [f"U{{i}}" for i in range(n)]
p = Plan.build("t", codes, codes, [1.0] * n, ["Z"] * n, ["rural"] * n, CARD, band_names=BANDS)

def stop_half_way(written, total):
    if written >= total // 2:
        print("half-way", written, total, flush=True)
        sys.stdin.readline()  # block inside the transaction until killed (the test never writes)

store.SAVE_CHUNK_HOOK = stop_half_way
print("saving", flush=True)
store.Store({url!r}).save({v1.scenario_id}, 1, p.assignments(), CARD.to_dict())
print("saved", flush=True)
""")
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "saving"
        assert proc.stdout.readline().split() == ["half-way", str(n // 2), str(n)], proc.stderr.read()
        proc.send_signal(signal.SIGKILL)  # mid-save: half the new version's rows written, not committed
    finally:
        proc.kill()
        proc.wait(60)
    assert proc.returncode == -signal.SIGKILL
    s2 = Store(url)
    vs = s2.versions(v1.scenario_id)
    assert vs["version"].tolist() == [1]
    latest = s2.load(v1.scenario_id)
    assert latest.number == 1 and (latest.assignments["band"] == "urban").all() and len(latest.assignments) == n
    with s2.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM assignments").scalar() == n


def test_save_chunk_hook_sees_every_row_and_is_off_by_default(tmp_path, monkeypatch):
    """The seam the crash test uses: off in production; when set, called inside the transaction after each chunk
    with the rows written so far, ending at the total."""
    from zones.service import store as store_mod

    assert store_mod.SAVE_CHUNK_HOOK is None
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(store_mod, "SAVE_CHUNK_HOOK", lambda written, total: seen.append((written, total)))
    s = Store(f"sqlite:///{tmp_path / 'h.sqlite'}")
    s.create("t", "Hooked", plan(120).assignments(), CARD.to_dict())
    assert seen == [(50, 120), (100, 120), (120, 120)]
