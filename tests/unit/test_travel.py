"""travel/ on small graphs made in the test: grid with known speeds, one-way street, island, far point."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from travel.graph import to_arrays
from travel.matrix import nearest_source_times, nx_travel_times, travel_times
from travel.metrics import estimate_seconds, fit_estimator


def grid_graph(n=5, spacing_m=100.0, speed_kph=36.0, oneway=None, island=False):
    """n×n grid in EPSG:27700-like metres; every street two-way except ``oneway`` (u, v)."""
    G = nx.MultiDiGraph(crs="EPSG:27700")
    for i in range(n):
        for j in range(n):
            G.add_node(i * n + j, x=450000 + j * spacing_m, y=300000 + i * spacing_m)
    t = spacing_m / (speed_kph / 3.6)
    for i in range(n):
        for j in range(n):
            a = i * n + j
            for b in ([a + 1] if j + 1 < n else []) + ([a + n] if i + 1 < n else []):
                for u, v in ((a, b), (b, a)):
                    if oneway and (u, v) == (oneway[1], oneway[0]):
                        continue
                    G.add_edge(u, v, travel_time=t, length=spacing_m)
    if island:
        G.add_node(999, x=460000, y=310000)
        G.add_node(998, x=460100, y=310000)
        G.add_edge(999, 998, travel_time=5, length=50)
        G.add_edge(998, 999, travel_time=5, length=50)
    return G


def test_grid_times_known_and_equal_to_networkx():
    G = grid_graph()
    arr = to_arrays(G)
    pos = {n: i for i, n in enumerate(arr.osmid)}
    t = travel_times(arr.time_s, np.array([pos[0]]))
    # corner to opposite corner: 8 blocks × 100 m at 10 m/s = 80 s
    assert t[0, pos[24]] == pytest.approx(80.0)
    ref = nx_travel_times(G, [0, 12])
    t2 = travel_times(arr.time_s, np.array([pos[0], pos[12]]))
    for r, o in enumerate([0, 12]):
        for node, secs in ref[o].items():
            assert abs(t2[r, pos[node]] - secs) < 1.0  # agree to the second
            assert t2[r, pos[node]] == pytest.approx(secs)


def test_one_way_street_is_respected():
    G = grid_graph(oneway=(0, 1))  # only 0 -> 1 allowed
    arr = to_arrays(G)
    pos = {n: i for i, n in enumerate(arr.osmid)}
    t01 = travel_times(arr.time_s, np.array([pos[0]]))[0, pos[1]]
    t10 = travel_times(arr.time_s, np.array([pos[1]]))[0, pos[0]]
    assert t01 == pytest.approx(10.0) and t10 == pytest.approx(30.0)  # detour round the block


def test_disconnected_island_is_unreachable():
    G = grid_graph(island=True)
    arr = to_arrays(G)
    pos = {n: i for i, n in enumerate(arr.osmid)}
    t = travel_times(arr.time_s, np.array([pos[0]]))
    assert np.isinf(t[0, pos[999]])


def test_parallel_edges_keep_the_quickest():
    G = grid_graph(n=2)
    G.add_edge(0, 1, travel_time=1.0, length=100)
    arr = to_arrays(G)
    pos = {n: i for i, n in enumerate(arr.osmid)}
    assert travel_times(arr.time_s, np.array([pos[0]]))[0, pos[1]] == pytest.approx(1.0)


def test_nearest_source_times_multi_source():
    arr = to_arrays(grid_graph())
    pos = {n: i for i, n in enumerate(arr.osmid)}
    d, src = nearest_source_times(arr.time_s, np.array([pos[0], pos[24]]))
    assert d[pos[4]] == pytest.approx(40.0) and d[pos[23]] == pytest.approx(10.0)
    assert src[pos[23]] == pos[24]


def test_estimator_on_a_grid_measures_manhattan_circuity_and_speed():
    arr = to_arrays(grid_graph(n=15, spacing_m=150.0))
    model = fit_estimator(arr, n_origins=60)
    speeds = [b["speed_m_per_s"] for b in model["bands"]]
    assert all(abs(s - 10.0) < 1e-6 for s in speeds)  # every street at 36 km/h
    circ = [b["circuity"] for b in model["bands"]]
    assert all(1.0 <= c <= np.sqrt(2) + 1e-9 for c in circ)  # grid routes: between straight and L-shaped
    # every street at 10 m/s: the fitted local speed is close to it (it absorbs the band-median circuity)
    assert model["local_speed_m_per_s"] == pytest.approx(10.0, rel=0.1)
    # a far point (50 km, beyond any measured band): the last band's circuity, access streets at the local speed,
    # the rest at the main-road speed (DfT 50 mph), NOT the town speed carried out to 50 km
    far = estimate_seconds(model, np.array([50_000.0]))[0]
    r = 50_000 * model["bands"][-1]["circuity"]
    ra = model["access_road_m"]
    assert far == pytest.approx(ra / model["local_speed_m_per_s"] + (r - ra) / (50 * 1.609344 / 3.6), rel=1e-6)
    assert far < r / 10.0 * 0.6


def test_osm_xml_source_is_read_prepared_and_routed(tmp_path):
    """A council's own OSM XML extract: read with OSMnx, UK speeds (maxspeed in mph), SCC, EPSG:27700."""
    from travel.graph import load_arrays

    nodes = [(1, 52.770, -1.210), (2, 52.770, -1.200), (3, 52.776, -1.200), (4, 52.776, -1.210), (5, 52.770, -1.190)]
    xml = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    xml += [f'<node id="{i}" lat="{lat}" lon="{lon}" version="1"/>' for i, lat, lon in nodes]
    ways = [
        (10, [1, 2], "residential", None),
        (11, [2, 3], "residential", None),
        (12, [3, 4], "residential", None),
        (13, [4, 1], "residential", None),
        (14, [2, 5], "primary", "30 mph"),
    ]
    for wid, nds, hw, ms in ways:
        xml.append(
            f'<way id="{wid}" version="1">'
            + "".join(f'<nd ref="{n}"/>' for n in nds)
            + f'<tag k="highway" v="{hw}"/>'
            + (f'<tag k="maxspeed" v="{ms}"/>' if ms else "")
            + "</way>"
        )
    xml.append("</osm>")
    path = tmp_path / "area.osm"
    path.write_text("\n".join(xml))
    arr = load_arrays(path)
    assert arr.n_nodes >= 2 and 400_000 < arr.x.mean() < 500_000  # projected to EPSG:27700
    pos = {n: i for i, n in enumerate(arr.osmid)}
    t = travel_times(arr.time_s, np.array([pos[2]]))[0, pos[5]]
    length = travel_times(arr.length_m, np.array([pos[2]]))[0, pos[5]]
    assert 600 < length < 800  # 0.01° of longitude at 52.77° N ≈ 674 m
    assert t == pytest.approx(length / (30 * 1.609344 / 3.6), rel=1e-3)  # 30 mph as tagged


def test_broken_pbf_gives_a_clear_message_without_content(tmp_path):
    from geodata.datadir import DataError
    from travel.graph import read_graph

    p = tmp_path / "england-latest.osm.pbf"
    p.write_bytes(b"\x00SECRET-CONTENT")
    with pytest.raises(DataError, match="england-latest.osm.pbf: cannot read road network") as e:
        read_graph(p)
    assert "SECRET" not in str(e.value)


def _write_pbf(path, ways, nodes):
    """A tiny .osm.pbf written with pyosmium: nodes (id, lat, lon), ways (id, [node ids], tags)."""
    import osmium

    with osmium.SimpleWriter(str(path)) as w:
        for i, lat, lon in nodes:
            w.add_node(osmium.osm.mutable.Node(id=i, location=(lon, lat), version=1, tags={}))
        for wid, nds, tags in ways:
            w.add_way(osmium.osm.mutable.Way(id=wid, nodes=nds, version=1, tags=tags))


def test_pbf_source_is_read_with_the_osmnx_drive_filter_prepared_and_routed(tmp_path):
    """A .osm.pbf extract: footways, private and service ways are dropped as an OSMnx drive download would;
    the rest is routed with UK speeds in EPSG:27700, same as the OSM XML path."""
    from travel.graph import load_arrays, read_graph

    nodes = [
        (1, 52.770, -1.210),
        (2, 52.770, -1.200),
        (3, 52.776, -1.200),
        (4, 52.776, -1.210),
        (5, 52.770, -1.190),
        (6, 52.780, -1.190),
        (7, 52.781, -1.191),
    ]
    ways = [
        (10, [1, 2], {"highway": "residential"}),
        (11, [2, 3], {"highway": "residential"}),
        (12, [3, 4], {"highway": "residential"}),
        (13, [4, 1], {"highway": "residential"}),
        (14, [2, 5], {"highway": "primary", "maxspeed": "30 mph"}),
        (15, [5, 6], {"highway": "footway"}),
        (16, [3, 6], {"highway": "residential", "access": "private"}),
        (17, [6, 7], {"highway": "service", "service": "parking_aisle"}),
    ]
    path = tmp_path / "tiny.osm.pbf"
    _write_pbf(path, ways, nodes)
    G = read_graph(path)
    ways_in = set()
    for _, _, d in G.edges(data=True):  # simplified edges may carry a list of way ids
        ways_in |= set(d["osmid"] if isinstance(d["osmid"], list) else [d["osmid"]])
    assert ways_in == {10, 11, 12, 13, 14}  # footway, private and parking aisle left out
    assert 6 not in G.nodes and 7 not in G.nodes
    arr = load_arrays(path)
    assert 400_000 < arr.x.mean() < 500_000
    pos = {n: i for i, n in enumerate(arr.osmid)}
    t = travel_times(arr.time_s, np.array([pos[2]]))[0, pos[5]]
    length = travel_times(arr.length_m, np.array([pos[2]]))[0, pos[5]]
    assert 600 < length < 800
    assert t == pytest.approx(length / (30 * 1.609344 / 3.6), rel=1e-3)


def test_pbf_without_drivable_roads_is_a_clear_error(tmp_path):
    from geodata.datadir import DataError
    from travel.graph import read_graph

    path = tmp_path / "paths.osm.pbf"
    _write_pbf(path, [(10, [1, 2], {"highway": "footway"})], [(1, 52.77, -1.21), (2, 52.77, -1.20)])
    with pytest.raises(DataError, match="no drivable roads"):
        read_graph(path)


def test_drive_filter_follows_overpass_semantics():
    from travel.graph import _drive_clauses, is_drive_way

    cl = _drive_clauses()
    assert is_drive_way({"highway": "tertiary"}, cl)
    assert not is_drive_way({"highway": "cycleway"}, cl)
    assert not is_drive_way({"highway": "residential", "motor_vehicle": "no"}, cl)
    assert not is_drive_way({"name": "no highway tag"}, cl)
    assert is_drive_way({"highway": "unclassified", "service": "yes-ish"}, cl)


def test_drive_filter_is_the_installed_osmnx_drive_preset_without_private_calls(monkeypatch):
    """travel/graph.py writes the drive filter out (OSMnx exposes no public function for it) and honours OSMnx's
    public ``settings.default_access``; this guard compares it with the installed OSMnx preset, so that an OSMnx
    upgrade that changes the preset fails here instead of silently changing which roads a .pbf keeps."""
    import inspect

    import osmnx as ox

    import travel.graph as graph
    from travel.graph import _drive_clauses, drive_filter

    assert "ox._overpass" not in inspect.getsource(graph)
    assert drive_filter() == ox._overpass._get_network_filter("drive")  # the test may look inside; the code not
    monkeypatch.setattr(ox.settings, "default_access", '["access"!~"private|no"]')
    assert ("access", "!~", "private|no") in _drive_clauses()
    assert drive_filter() == ox._overpass._get_network_filter("drive")


def test_estimator_error_rows_and_band_lookup():
    """Errors per distance band and setting; a trip beyond the checked bands is reported as unchecked."""
    from travel.estimator import _error_rows, _pool, error_band, pair_setting

    d = np.concatenate([np.full(100, 1500.0), np.full(100, 15_000.0)])
    err = np.concatenate([np.linspace(-10, 10, 100), np.linspace(0, 40, 100)])
    setting = pair_setting(
        np.r_[np.ones(100, bool), np.zeros(100, bool)], np.r_[np.ones(100, bool), np.zeros(100, bool)]
    )
    rows = _error_rows(err, d, setting, "synthetic")
    errors = {"pooled": _pool(rows)}
    near = error_band(errors, 1200.0, "urban")
    assert near["checked"] and near["band_km"] == [0, 2] and near["setting"] == "urban"
    assert near["median_abs_pct"] == pytest.approx(5.0, abs=0.2)
    far = error_band(errors, 12_000.0, "mixed")  # no mixed pairs there: the band's overall row
    assert far["setting"] == "all" and far["p90_abs_pct"] == pytest.approx(36.0, abs=0.5)
    assert not error_band(errors, 80_000.0, "rural")["checked"]


def test_merged_highway_types_give_the_same_speed_whatever_their_order():
    """Bug: OSMnx stores a simplified edge's highway types as list(set(...)) (order differs per process) and
    keeps the first: the same .osm.pbf gave different travel times in two runs. Now the slowest type is used."""
    import networkx as nx

    from travel.graph import MPH, prepare

    def one(order):
        G = nx.MultiDiGraph(crs="EPSG:4326")
        G.add_node(1, x=-1.21, y=52.77)
        G.add_node(2, x=-1.20, y=52.77)
        for u, v in ((1, 2), (2, 1)):
            G.add_edge(u, v, length=674.0, highway=list(order), oneway=False, reversed=False)
        return [d["travel_time"] for _, _, d in prepare(G).edges(data=True)]

    a, b = one(["primary", "residential"]), one(["residential", "primary"])
    assert a == b
    assert a[0] == pytest.approx(674.0 / (25 * MPH / 3.6), rel=1e-3)  # residential, 25 mph
