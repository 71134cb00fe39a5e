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
    # a far point (50 km, beyond any measured band) is estimated with the last band's circuity and speed
    far = estimate_seconds(model, np.array([50_000.0]))[0]
    assert far == pytest.approx(50_000 * model["bands"][-1]["circuity"] / 10.0)


def test_osm_xml_source_is_read_prepared_and_routed(tmp_path):
    """A council's own OSM XML extract: read with OSMnx, UK speeds (maxspeed in mph), SCC, EPSG:27700."""
    from travel.graph import load_arrays

    nodes = [(1, 52.770, -1.210), (2, 52.770, -1.200), (3, 52.776, -1.200), (4, 52.776, -1.210), (5, 52.770, -1.190)]
    xml = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    xml += [f'<node id="{i}" lat="{lat}" lon="{lon}" version="1"/>' for i, lat, lon in nodes]
    ways = [(10, [1, 2], "residential", None), (11, [2, 3], "residential", None), (12, [3, 4], "residential", None),
            (13, [4, 1], "residential", None), (14, [2, 5], "primary", "30 mph")]
    for wid, nds, hw, ms in ways:
        xml.append(f'<way id="{wid}" version="1">' + "".join(f'<nd ref="{n}"/>' for n in nds) +
                   f'<tag k="highway" v="{hw}"/>' + (f'<tag k="maxspeed" v="{ms}"/>' if ms else "") + "</way>")
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


def test_pbf_gives_a_clear_message(tmp_path):
    from geodata.datadir import DataError
    from travel.graph import read_graph

    p = tmp_path / "england-latest.osm.pbf"
    p.write_bytes(b"\x00")
    with pytest.raises(DataError, match="osmium"):
        read_graph(p)
